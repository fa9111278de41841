// The state of one request as it moves through the gateway's pipeline, and what the gateway needs of the
// running server. Declared here so a service's wire quirks (services/s3/wire/) can take part in the pipeline
// without importing the gateway.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceError } from "./errors.js";
import type { Principal } from "./identity.js";
import type { ServiceModel } from "./model.js";
import type { SigV4Fields } from "./auth/sigv4-parse.js";
import type { HttpRequest, HttpResponse, ProtocolCodec, ProtocolName } from "./http.js";
import type { Identity, ServiceHost, ServiceInfo } from "./service.js";
import type { Catalog } from "./catalog.js";
import type { Store } from "./store/types.js";

/** The runtime as the gateway sees it: the service host, the catalog and the one dispatch path. */
export interface GatewayHost extends ServiceHost {
  readonly store: Store;
  readonly catalog: Catalog;
  readonly startedAt: number;
  /** The service's validation of the typed input, then its handler (or NotImplemented). Throws ServiceError. */
  dispatch(service: string, operation: string, input: Record<string, unknown>, who: Identity, protocol?: ProtocolName): Promise<Record<string, unknown>>;
}

export interface Exchange {
  runtime: GatewayHost;
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

/** The request was aborted by the client before its body arrived: nothing to answer or record. */
export class ClientGone extends Error {
  constructor() {
    super("the client closed the connection before sending the whole request");
  }
}
