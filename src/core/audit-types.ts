// What the gateway tells the audit trail about each call it answered.
import type { Principal } from "./identity.js";

export interface AuditCall {
  /** Epoch ms when the request arrived. */
  time: number;
  service: string;
  /** e.g. "iam.amazonaws.com". */
  eventSource: string;
  /** The operation, or the action/target the caller asked for when it did not resolve. */
  operation: string;
  account: string;
  region: string;
  principal: Principal;
  sourceIp: string;
  userAgent: string;
  requestId: string;
  /** The parsed input (undefined when parsing failed). */
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  /** Whether the call came from inside Stratus (a service calling another) rather than over HTTP. */
  internal?: boolean;
  /** For a call one service made on a caller's behalf: the calling service, e.g. "cloudformation.amazonaws.com". */
  invokedBy?: string;
  /** A data event (an execute-api Invoke, an object read): CloudTrail's eventCategory "Data", not a management event. */
  dataEvent?: boolean;
}

export interface AuditSink {
  record(call: AuditCall): void;
  /** Writes anything buffered. */
  flush(): void;
}

export const noAudit: AuditSink = { record() {}, flush() {} };
