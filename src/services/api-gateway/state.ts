// API Gateway (REST APIs, API version 2015-07-09): the records, per account and region, and the global index
// restApiId → owner that the execute-api endpoint (execute/route.ts) finds an API by from the Host alone.
// Records are what the Get operations answer, with times as epoch milliseconds (handlers answer `new Date(ms)`).
// A deployment is a snapshot of what it deploys (resources and methods, authorizers, validators, models, gateway
// responses, the API's own settings): a stage serves its deployment's snapshot, never the live definitions.
import { defineState, global, regional, type Located, type StateHolder, type TablesOf } from "../../core/state.js";
import type {
  AccessLogSettings,
  ApiKeySourceType,
  ApiStage,
  CanarySettings,
  DocumentationPartLocation,
  DomainName,
  EndpointConfiguration,
  GatewayResponseType,
  Method,
  MethodSetting,
  QuotaSettings,
  ThrottleSettings,
} from "./api.generated.js";

export interface RestApiRec {
  id: string;
  name: string;
  description?: string;
  createdDate: number;
  version?: string;
  warnings?: string[];
  binaryMediaTypes?: string[];
  minimumCompressionSize?: number;
  apiKeySource: ApiKeySourceType;
  endpointConfiguration: EndpointConfiguration;
  /** The resource policy, as a JSON string. */
  policy?: string;
  tags: Record<string, string>;
  disableExecuteApiEndpoint: boolean;
  rootResourceId: string;
}

/** A resource with its methods (each method holds its method responses and integration, as GetResource answers). */
export interface ResourceRec {
  id: string;
  parentId?: string;
  pathPart?: string;
  /** The full path: "/" for the root, "/items/{id}" below it. */
  path: string;
  /** Keyed by HTTP verb (GET, POST, …, ANY). */
  resourceMethods: Record<string, Method>;
}

export interface AuthorizerRec {
  id: string;
  name: string;
  type: "TOKEN" | "REQUEST" | "COGNITO_USER_POOLS";
  providerARNs?: string[];
  authType?: string;
  authorizerUri?: string;
  authorizerCredentials?: string;
  identitySource?: string;
  identityValidationExpression?: string;
  /** Seconds; AWS's default is 300, 0 turns caching off. */
  authorizerResultTtlInSeconds?: number;
}

export interface ModelRec {
  id: string;
  name: string;
  description?: string;
  /** The JSON schema (draft 4), as a string. */
  schema?: string;
  contentType: string;
}

export interface RequestValidatorRec {
  id: string;
  name?: string;
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

export interface GatewayResponseRec {
  responseType: GatewayResponseType;
  statusCode?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
}

/** What a deployment froze: a stage serves exactly this. */
export interface ApiSnapshot {
  api: RestApiRec;
  resources: ResourceRec[];
  authorizers: AuthorizerRec[];
  validators: RequestValidatorRec[];
  models: ModelRec[];
  /** Only the responses the user set (PutGatewayResponse); the defaults come from execute/. */
  gatewayResponses: GatewayResponseRec[];
}

export interface DeploymentRec {
  id: string;
  description?: string;
  createdDate: number;
  snapshot: ApiSnapshot;
}

export interface StageRec {
  stageName: string;
  deploymentId: string;
  clientCertificateId?: string;
  description?: string;
  cacheClusterEnabled: boolean;
  cacheClusterSize?: string;
  cacheClusterStatus: string;
  /** Keyed as AWS keys them: "*\/*", or the resource path without its leading "/" then "/<METHOD>" ("items/{id}/GET"). */
  methodSettings: Record<string, MethodSetting>;
  variables?: Record<string, string>;
  documentationVersion?: string;
  accessLogSettings?: AccessLogSettings;
  canarySettings?: CanarySettings;
  tracingEnabled: boolean;
  webAclArn?: string;
  tags: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
  /** When FlushStageAuthorizersCache last ran: authorizer results cached before it are stale. */
  authorizersFlushedAt?: number;
}

export interface ApiKeyRec {
  id: string;
  value: string;
  name?: string;
  customerId?: string;
  description?: string;
  enabled: boolean;
  createdDate: number;
  lastUpdatedDate: number;
  /** "<restApiId>/<stage>", as GetApiKey answers them. */
  stageKeys: string[];
  tags: Record<string, string>;
}

export interface UsagePlanRec {
  id: string;
  name: string;
  description?: string;
  apiStages: ApiStage[];
  throttle?: ThrottleSettings;
  quota?: QuotaSettings;
  productCode?: string;
  tags: Record<string, string>;
}

export interface UsagePlanKeyRec {
  id: string;
  type: "API_KEY";
}

/** A key's requests in one quota period of a plan (counted by the execute-api endpoint, read by GetUsage). */
export interface UsageRec {
  /** Requests per UTC day of the period, "YYYY-MM-DD" → count (GetUsage answers per day). */
  days: Record<string, number>;
  /** The period's total (what the quota is checked against); UpdateUsage may change what is left. */
  used: number;
  /** An UpdateUsage "remaining" override for the current period. */
  remaining?: number;
}

/** A documentation part (documentation.ts); `properties` is the JSON string the caller gave. */
export interface DocumentationPartRec {
  id: string;
  location: DocumentationPartLocation;
  properties: string;
}

/** A documentation version: the API's documentation parts as they were when it was made. */
export interface DocumentationVersionRec {
  version: string;
  createdDate: number;
  description?: string;
  parts: DocumentationPartRec[];
}

/** A custom domain name, kept as data (domains.ts); times epoch ms. */
export interface DomainNameRec extends Omit<DomainName, "certificateUploadDate"> {
  domainName: string;
  certificateUploadDate?: number;
  tags: Record<string, string>;
}

export interface BasePathMappingRec {
  basePath: string;
  restApiId: string;
  stage?: string;
}

export interface ClientCertificateRec {
  clientCertificateId: string;
  description?: string;
  pemEncodedCertificate: string;
  /** The certificate's key (PKCS#8 PEM): API Gateway presents the certificate to HTTP backends. */
  privateKeyPem: string;
  createdDate: number;
  expirationDate: number;
  tags: Record<string, string>;
}

/** The account's API Gateway settings in a region (GetAccount). */
export interface AccountRec {
  cloudwatchRoleArn?: string;
}

/** Where a REST API lives, by id: the execute-api endpoint knows nothing but the id. */
export interface ApiIndexRec {
  account: string;
  region: string;
}

const specs = {
  apis: regional<RestApiRec>(),
  /** Key "<apiId>/<resourceId>". */
  resources: regional<ResourceRec>(),
  /**
   * The resource tree's index, kept by resource-tree.ts in the same transaction as every write that adds, moves or
   * removes a resource: key "<apiId>/<parentId>/<pathPart>" → the child's id. Key "<apiId>" marks an API whose
   * index is complete (one made before the index is indexed on first use).
   */
  resourceChildren: regional<string>(),
  /** Key "<apiId>/<deploymentId>". */
  deployments: regional<DeploymentRec>(),
  /** Key "<apiId>/<stageName>". */
  stages: regional<StageRec>(),
  /** Key "<apiId>/<authorizerId>". */
  authorizers: regional<AuthorizerRec>(),
  /** Key "<apiId>/<modelName>". */
  models: regional<ModelRec>(),
  /** Key "<apiId>/<validatorId>". */
  validators: regional<RequestValidatorRec>(),
  /** Key "<apiId>/<responseType>". */
  gatewayResponses: regional<GatewayResponseRec>(),
  apiKeys: regional<ApiKeyRec>(),
  /** Key: an API key's value → its id (the x-api-key header is the value). */
  apiKeyValues: regional<string>(),
  usagePlans: regional<UsagePlanRec>(),
  /** Key "<usagePlanId>/<keyId>". */
  usagePlanKeys: regional<UsagePlanKeyRec>(),
  /** Key "<usagePlanId>/<keyId>/<period start, YYYY-MM-DD>". */
  usage: regional<UsageRec>(),
  /** Global: restApiId → owner. */
  apiIndex: global<ApiIndexRec>(),
  /** Key "<apiId>/<partId>". */
  docParts: regional<DocumentationPartRec>(),
  /** Key "<apiId>/<version>". */
  docVersions: regional<DocumentationVersionRec>(),
  /** Key: the domain name. */
  domainNames: regional<DomainNameRec>(),
  /** Key "<domainName>/<basePath>" ("(none)" for the empty base path). */
  basePathMappings: regional<BasePathMappingRec>(),
  clientCertificates: regional<ClientCertificateRec>(),
  /** One record, key "account". */
  account: regional<AccountRec>(),
};

export const apigwState = defineState("api-gateway", specs);
export type ApiGatewayTables = TablesOf<typeof specs>;

/** The caller's tables (its account and region). */
export const tables = (ctx: Located): ApiGatewayTables => apigwState.of(ctx);
/** The index restApiId → owner (one table for the server). */
export const apiIndex = (holder: StateHolder) => apigwState.at(holder, "").apiIndex;

export { transaction } from "../../core/state.js";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** An id as API Gateway makes them: lower-case letters and digits (10 for APIs, keys, plans; 6 for resources). */
export function newId(length = 10): string {
  let id = "";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}
