// The state of one request as it moves through the pipeline.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceError } from "../core/errors.js";
import type { Principal } from "../core/identity.js";
import type { ServiceModel } from "../core/model.js";
import type { SigV4Fields } from "../core/auth/sigv4-parse.js";
import type { HttpRequest, HttpResponse, ProtocolCodec } from "../protocols/types.js";
import type { ServiceInfo } from "../services/registry.js";
import type { Identity, Runtime } from "../runtime.js";

export interface Exchange {
  runtime: Runtime;
  raw: IncomingMessage;
  res: ServerResponse;
  req: HttpRequest;
  requestId: string;
  receivedAt: number;
  /** The body was over the size limit and was not kept. */
  bodyTooLarge?: boolean;
  /** The body was taken (buffered into req.body, or handed on as req.stream): it is read once. */
  bodyRead?: boolean;
  /** The verified caller's secret key (--auth sigv4): S3's chunk signatures are derived from it. */
  secretAccessKey?: string;
  /** A quirk answered the request itself (x.response is set): the remaining steps are skipped. */
  answered?: boolean;
  sourceIp: string;
  userAgent: string;
  service?: ServiceInfo;
  model?: ServiceModel;
  codec?: ProtocolCodec;
  sig?: SigV4Fields;
  account: string;
  region: string;
  principal?: Principal;
  operation?: string;
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: ServiceError;
  response?: HttpResponse;
}

export type Step = (x: Exchange) => void | Promise<void>;

/** Who is calling and from where, as a handler context wants it. */
export function identityOf(x: Exchange): Identity {
  return {
    account: x.account,
    region: x.region,
    principal: x.principal!,
    requestId: x.requestId,
    sourceIp: x.sourceIp,
    userAgent: x.userAgent,
    host: x.req.headers["host"],
  };
}
