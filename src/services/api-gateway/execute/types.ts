// The execute-api data plane's shared shapes: a request as it arrived, what the REST pipeline knows once it has
// matched a stage, resource and method, and the answer it sends. execute/route.ts parses the request; rest.ts runs
// the REST pipeline (authorizers and limits in access/, integrations in integrations/); http-api.ts runs HTTP APIs.
import type { ServiceHost } from "../../../core/service.js";
import type { Method } from "../api.generated.js";
import type { ApiSnapshot, DeploymentRec, ResourceRec, StageRec } from "../state.js";

/** One HTTP request to an API, read whole (API Gateway's payload limit is 10 MB). */
export interface ApiRequest {
  method: string;
  /** The path below the stage (or below the host for an HTTP API's $default stage), raw (percent-encoded), "/" at least. */
  path: string;
  /** The query string without "?", raw. */
  rawQuery: string;
  /** Query parameters, decoded, every value of each name in order. */
  query: Record<string, string[]>;
  /** Headers as sent: names in the case the client used, every value in order (rawHeaders). */
  headers: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
  userAgent: string;
  /** The Host header without the port (e.g. abc123defg.execute-api.localhost), or the server's host for the path form. */
  domainName: string;
  /** The first label of domainName (the API id for the Host form). */
  domainPrefix: string;
  /** The request's arrival, epoch milliseconds. */
  requestTimeEpoch: number;
  /** x-amzn-RequestId: a UUID. */
  requestId: string;
  /** x-amz-apigw-id: base64-ish, 16 characters as AWS makes them. */
  extendedRequestId: string;
  /** The HTTP version, e.g. "HTTP/1.1". */
  protocol: string;
}

/** The account and region an API belongs to. */
export interface Owner {
  account: string;
  region: string;
}

/** The REST pipeline's state for one request, once the stage, resource and method are known. */
export interface RestInvocation {
  rt: ServiceHost;
  req: ApiRequest;
  owner: Owner;
  apiId: string;
  stage: StageRec;
  deployment: DeploymentRec;
  snapshot: ApiSnapshot;
  resource: ResourceRec;
  /** The method as deployed (its integration, method responses, authorizer, validator, key requirement). */
  method: Method;
  /** The verb the method is declared under: the request's method, or ANY. */
  methodKey: string;
  /** From {name} and {proxy+} path segments, decoded. */
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  /**
   * The request context: the Lambda proxy event's requestContext and VTL's $context (authorizer output,
   * identity, apiKey and apiKeyId are filled in as the pipeline goes).
   */
  context: RequestContext;
}

/** requestContext as AWS's Lambda proxy integration (format 1.0) sends it, and $context in mapping templates. */
export interface RequestContext {
  resourceId: string;
  resourcePath: string;
  httpMethod: string;
  extendedRequestId: string;
  requestTime: string;
  path: string;
  accountId: string;
  protocol: string;
  stage: string;
  domainPrefix: string;
  requestTimeEpoch: number;
  requestId: string;
  identity: Record<string, string | null>;
  domainName: string;
  deploymentId: string;
  apiId: string;
  /** From a Lambda authorizer: its principalId and context; from IAM auth: nothing here. */
  authorizer?: Record<string, unknown>;
  [more: string]: unknown;
}

/** What an integration (or a gateway response) answers; route.ts writes it. */
export interface ApiResponse {
  statusCode: number;
  /** Header names as they will be sent; several values for a name are sent as repeated headers. */
  headers: Record<string, string | string[]>;
  body: Buffer;
}
