// Cloud Control's records, per account and region: every resource request (by its request token), kept so
// GetResourceRequestStatus and ListResourceRequests answer after a restart, and the client tokens already used.
import type { Principal } from "../../core/identity.js";
import { defineState, regional } from "../../core/state.js";
import type { HandlerErrorCode, Operation, OperationStatus } from "./api.generated.js";

export interface RequestRec {
  token: string;
  typeName: string;
  operation: Operation;
  status: OperationStatus;
  /** The physical id (Cloud Control's Identifier); a create's once the resource exists. */
  identifier?: string;
  created: number;
  /** When the status last changed. */
  eventTime: number;
  /** The resource model as JSON, once the operation succeeded (creates and updates). */
  resourceModel?: string;
  statusMessage?: string;
  errorCode?: HandlerErrorCode;
  /** A create's desired state, an update's patch document (JSON text). */
  input?: string;
  clientToken?: string;
  /** Who asked: the work runs as that principal, and queue URLs and the like are built for the caller's Host. */
  principal: Principal;
  host?: string;
  /** CancelResourceRequest arrived while the operation ran: it ends CANCEL_COMPLETE. */
  cancelled?: boolean;
}

export const ccState = defineState("cloudcontrol", {
  requests: regional<RequestRec>(),
  /** `<operation>\0<client token>` → the request it started and a fingerprint of that request's parameters. */
  clientTokens: regional<{ token: string; fingerprint: string }>("client-tokens"),
});
