// API Gateway v2 (HTTP and WebSocket APIs, API version 2018-11-29): the records, per account and region, and the
// global index apiId → owner that the execute-api endpoint finds an API by from the Host alone (internal.ts).
// Records are what the Get operations answer, with times as epoch milliseconds (handlers answer `new Date(ms)`).
// A deployment is a snapshot of what it deploys (routes, integrations, authorizers, the API's CORS configuration
// and settings): a stage serves its deployment's snapshot, never the live definitions.
import { defineState, global, regional, type Located, type StateHolder, type TablesOf } from "../../core/state.js";
import type {
  AccessLogSettings,
  AuthorizationType,
  ConnectionType,
  ContentHandlingStrategy,
  Cors,
  IntegrationType,
  IpAddressType,
  JWTConfiguration,
  ParameterConstraints,
  PassthroughBehavior,
  ProtocolType,
  RouteSettings,
  TlsConfig,
} from "./api.generated.js";

export interface ApiRec {
  apiId: string;
  name: string;
  protocolType: ProtocolType;
  /** `http://<apiId>.execute-api.localhost:<port>` (the port clients reached Stratus on when the API was made). */
  apiEndpoint: string;
  /** "$request.method $request.path" for HTTP APIs; WebSocket APIs give their own (e.g. "$request.body.action"). */
  routeSelectionExpression: string;
  /** "$request.header.x-api-key" unless given. */
  apiKeySelectionExpression: string;
  corsConfiguration?: Cors;
  description?: string;
  disableSchemaValidation?: boolean;
  disableExecuteApiEndpoint: boolean;
  ipAddressType: IpAddressType;
  version?: string;
  /** Set by ImportApi / ReimportApi when FailOnWarnings is false. */
  warnings?: string[];
  importInfo?: string[];
  tags: Record<string, string>;
  createdDate: number;
}

export interface RouteRec {
  routeId: string;
  /** "$default", or "METHOD /path" (METHOD may be ANY; the path may hold {param} and a final {proxy+}). */
  routeKey: string;
  /** "integrations/<integrationId>", when the route has an integration. */
  target?: string;
  authorizationType: AuthorizationType;
  authorizerId?: string;
  authorizationScopes?: string[];
  apiKeyRequired: boolean;
  /** As CreateRoute takes them: "route.request.header.x" etc. → { Required }. */
  requestParameters?: Record<string, ParameterConstraints>;
  requestModels?: Record<string, string>;
  modelSelectionExpression?: string;
  operationName?: string;
  routeResponseSelectionExpression?: string;
  /** Made by quick create (CreateApi with Target): AWS answers ApiGatewayManaged true and refuses changes. */
  apiGatewayManaged?: boolean;
}

export interface IntegrationRec {
  integrationId: string;
  integrationType: IntegrationType;
  /** A Lambda function ARN (AWS_PROXY), a URL (HTTP_PROXY), an AWS service action URI (AWS). */
  integrationUri?: string;
  integrationMethod?: string;
  integrationSubtype?: string;
  /** "1.0" or "2.0" for HTTP APIs (AWS_PROXY Lambda integrations must say; HTTP_PROXY is "1.0"). */
  payloadFormatVersion?: string;
  /** 30000 for HTTP APIs unless set (50–30000). */
  timeoutInMillis: number;
  connectionType: ConnectionType;
  connectionId?: string;
  credentialsArn?: string;
  description?: string;
  contentHandlingStrategy?: ContentHandlingStrategy;
  passthroughBehavior?: PassthroughBehavior;
  /** HTTP APIs: "append:header.x" / "overwrite:path" … → value; WebSocket APIs: integration.request.* → source. */
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  /** HTTP APIs: status code → { "overwrite:statuscode": "…", "append:header.x": "…" }. */
  responseParameters?: Record<string, Record<string, string>>;
  templateSelectionExpression?: string;
  integrationResponseSelectionExpression?: string;
  tlsConfig?: TlsConfig;
  apiGatewayManaged?: boolean;
}

export interface IntegrationResponseRec {
  integrationResponseId: string;
  integrationResponseKey: string;
  contentHandlingStrategy?: ContentHandlingStrategy;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
}

export interface RouteResponseRec {
  routeResponseId: string;
  routeResponseKey: string;
  modelSelectionExpression?: string;
  responseModels?: Record<string, string>;
  responseParameters?: Record<string, ParameterConstraints>;
}

export interface AuthorizerRec {
  authorizerId: string;
  name: string;
  /** REQUEST: a Lambda authorizer; JWT: a JSON Web Token checked against jwtConfiguration (HTTP APIs only). */
  authorizerType: "REQUEST" | "JWT";
  /** The Lambda invocation URI (arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<fn arn>/invocations). */
  authorizerUri?: string;
  authorizerCredentialsArn?: string;
  /** "1.0" or "2.0" (REQUEST authorizers of HTTP APIs must say). */
  authorizerPayloadFormatVersion?: string;
  /** Payload 2.0 only: the function answers { isAuthorized, context } rather than an IAM policy. */
  enableSimpleResponses?: boolean;
  /** "$request.header.Authorization", "$request.querystring.x", "$context.x", "$stageVariables.x". */
  identitySource: string[];
  identityValidationExpression?: string;
  /** 0 (no caching) unless set; at most 3600. */
  authorizerResultTtlInSeconds?: number;
  jwtConfiguration?: JWTConfiguration;
}

export interface ModelRec {
  modelId: string;
  name: string;
  contentType?: string;
  description?: string;
  /** The JSON schema (draft 4), as a string. */
  schema: string;
}

/** What a deployment froze: a stage serves exactly this. */
export interface HttpApiSnapshot {
  /** The API's settings at deployment time (its CORS configuration among them). */
  api: ApiRec;
  routes: RouteRec[];
  /** By integrationId. */
  integrations: Record<string, IntegrationRec>;
  /** By authorizerId. */
  authorizers: Record<string, AuthorizerRec>;
}

export interface DeploymentRec {
  deploymentId: string;
  description?: string;
  /** Made by a stage's auto-deploy. */
  autoDeployed: boolean;
  deploymentStatus: "PENDING" | "FAILED" | "DEPLOYED";
  deploymentStatusMessage?: string;
  createdDate: number;
  snapshot: HttpApiSnapshot;
}

export interface StageRec {
  stageName: string;
  /** Absent until something is deployed to the stage (a stage with no deployment serves nothing). */
  deploymentId?: string;
  autoDeploy: boolean;
  description?: string;
  clientCertificateId?: string;
  accessLogSettings?: AccessLogSettings;
  /** Throttling (ThrottlingBurstLimit / ThrottlingRateLimit) and logging for every route of the stage. */
  defaultRouteSettings: RouteSettings;
  /** By route key ("GET /items"): overrides of defaultRouteSettings. */
  routeSettings: Record<string, RouteSettings>;
  stageVariables: Record<string, string>;
  /** What the last auto-deploy said (AWS's wording), for auto-deploy stages. */
  lastDeploymentStatusMessage?: string;
  /** The `$default` stage quick create makes. */
  apiGatewayManaged?: boolean;
  /** When ResetAuthorizersCache was last called (epoch ms): cached authorizer results from before it are stale. */
  authorizersCacheResetAt?: number;
  tags: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
}

/** Where an API lives, by id: the execute-api endpoint knows nothing but the id. */
export interface ApiIndexRec {
  account: string;
  region: string;
}

const specs = {
  apis: regional<ApiRec>(),
  /** Key "<apiId>/<routeId>". */
  routes: regional<RouteRec>(),
  /** Key "<apiId>/<integrationId>". */
  integrations: regional<IntegrationRec>(),
  /** Key "<apiId>/<integrationId>/<integrationResponseId>". */
  integrationResponses: regional<IntegrationResponseRec>(),
  /** Key "<apiId>/<routeId>/<routeResponseId>". */
  routeResponses: regional<RouteResponseRec>(),
  /** Key "<apiId>/<stageName>". */
  stages: regional<StageRec>(),
  /** Key "<apiId>/<deploymentId>". */
  deployments: regional<DeploymentRec>(),
  /** Key "<apiId>/<authorizerId>". */
  authorizers: regional<AuthorizerRec>(),
  /** Key "<apiId>/<modelId>". */
  models: regional<ModelRec>(),
  /** Global: apiId → owner. */
  apiIndex: global<ApiIndexRec>(),
};

export const v2State = defineState("apigatewayv2", specs);
export type V2Tables = TablesOf<typeof specs>;

/** The caller's tables (its account and region). */
export const tables = (ctx: Located): V2Tables => v2State.of(ctx);
/** The index apiId → owner (one table for the server). */
export const apiIndex = (holder: StateHolder) => v2State.at(holder, "").apiIndex;

export { transaction } from "../../core/state.js";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** An id as API Gateway makes them: lower-case letters and digits (10 for APIs, 7 for routes, integrations and the rest). */
export function newId(length = 7): string {
  let id = "";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/** The records of one API in a table keyed "<apiId>/…", in key order. */
export const ofApi = <T>(table: { list(o: { prefix: string }): { key: string; value: T }[] }, apiId: string, sub = ""): T[] =>
  table.list({ prefix: `${apiId}/${sub}` }).map((e) => e.value);
