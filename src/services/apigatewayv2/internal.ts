// What API Gateway's execute-api endpoint (api-gateway/execute/) reads of HTTP APIs: the API an id names and what a
// stage serves (its deployment's snapshot with the stage's own settings). Imports only this service's state and core.
import { STORE, type StateHolder } from "../../core/state.js";
import type { AccessLogSettings, Cors, ProtocolType, RouteSettings } from "./api.generated.js";
import type { ApiRec, AuthorizerRec, DeploymentRec, IntegrationRec, RouteRec, StageRec } from "./state.js";
import { apiIndex, v2State } from "./state.js";

export type { ApiRec, AuthorizerRec, IntegrationRec, RouteRec, StageRec } from "./state.js";

/** The API's settings a deployment froze (CORS among them: a change reaches a stage with its next deployment). */
export interface HttpApiDeployedApi {
  protocolType: ProtocolType;
  apiEndpoint: string;
  corsConfiguration?: Cors;
  disableExecuteApiEndpoint: boolean;
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
}

/** The stage's own settings (live: a stage's settings apply without a deployment, as on AWS). */
export interface HttpApiDeployedStage {
  stageName: string;
  variables: Record<string, string>;
  accessLogSettings?: AccessLogSettings;
  /** ThrottlingBurstLimit / ThrottlingRateLimit (and logging) for every route. */
  defaultRouteSettings: RouteSettings;
  /** By route key ("GET /items/{id}"), overriding defaultRouteSettings. */
  routeSettings: Record<string, RouteSettings>;
  autoDeploy: boolean;
  deploymentId: string;
  /** When ResetAuthorizersCache was last called (epoch ms): drop cached authorizer results from before it. */
  authorizersCacheResetAt?: number;
}

/**
 * What a stage of an HTTP (or WebSocket) API serves. `routes`, `integrations`, `authorizers` and `api` are the
 * deployment's snapshot and are the same objects on every call for one deployment (deployments never change), so
 * the caller may cache what it derives from them (a route matcher) in a WeakMap keyed by `routes`. Treat them as
 * read-only.
 */
export interface HttpApiDeployed {
  apiId: string;
  account: string;
  region: string;
  api: HttpApiDeployedApi;
  stage: HttpApiDeployedStage;
  /**
   * Every route: routeKey ("$default" or "METHOD /path", METHOD possibly ANY, the path with {param} and a final
   * {greedy+}), target ("integrations/<integrationId>"), authorizationType (NONE | AWS_IAM | CUSTOM | JWT),
   * authorizerId, authorizationScopes (JWT), requestParameters.
   */
  routes: RouteRec[];
  /**
   * By integrationId: integrationType (AWS_PROXY | HTTP_PROXY | MOCK | AWS | HTTP), integrationUri, integrationMethod,
   * payloadFormatVersion ("1.0" | "2.0"), timeoutInMillis (30000 unless set), requestParameters,
   * responseParameters, credentialsArn.
   */
  integrations: Record<string, IntegrationRec>;
  /**
   * By authorizerId: REQUEST (a Lambda: authorizerUri, authorizerPayloadFormatVersion, enableSimpleResponses,
   * identitySource, authorizerResultTtlInSeconds) or JWT (jwtConfiguration: issuer, audience; identitySource).
   */
  authorizers: Record<string, AuthorizerRec>;
}

/** The API an id names, wherever it lives (the execute-api endpoint knows only the id). */
export function findHttpApi(holder: StateHolder, apiId: string): { account: string; region: string; api: ApiRec } | undefined {
  const owner = apiIndex(holder).read(apiId);
  if (!owner) return undefined;
  const api = v2State.at(holder, owner.account, owner.region).apis.read(apiId);
  return api ? { account: owner.account, region: owner.region, api } : undefined;
}

interface Frozen {
  api: HttpApiDeployedApi;
  routes: RouteRec[];
  integrations: Record<string, IntegrationRec>;
  authorizers: Record<string, AuthorizerRec>;
}

// Deployments are immutable, so their parsed snapshots are kept (per store, most recent first out when full):
// a request reads the index and the stage, never the whole API.
const CACHE_MAX = 500;
const frozenCache = new WeakMap<object, Map<string, Frozen>>();

function frozen(holder: StateHolder, account: string, region: string, apiId: string, deploymentId: string): Frozen | undefined {
  const store = holder[STORE];
  let cache = frozenCache.get(store);
  if (!cache) frozenCache.set(store, (cache = new Map()));
  const key = `${account}/${region}/${apiId}/${deploymentId}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const dep: DeploymentRec | undefined = v2State.at(holder, account, region).deployments.get(`${apiId}/${deploymentId}`);
  if (!dep) return undefined;
  const s = dep.snapshot;
  const f: Frozen = {
    api: {
      protocolType: s.api.protocolType,
      apiEndpoint: s.api.apiEndpoint,
      ...(s.api.corsConfiguration ? { corsConfiguration: s.api.corsConfiguration } : {}),
      disableExecuteApiEndpoint: s.api.disableExecuteApiEndpoint,
      routeSelectionExpression: s.api.routeSelectionExpression,
      apiKeySelectionExpression: s.api.apiKeySelectionExpression,
    },
    routes: s.routes,
    integrations: s.integrations,
    authorizers: s.authorizers,
  };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, f);
  return f;
}

/** What `stageName` of API `apiId` serves; undefined when the API, the stage or its deployment does not exist. */
export function deployedStage(holder: StateHolder, apiId: string, stageName: string): HttpApiDeployed | undefined {
  // Read on every request: the shared, cached records (Table.read), never changed here.
  const owner = apiIndex(holder).read(apiId);
  if (!owner) return undefined;
  const t = v2State.at(holder, owner.account, owner.region);
  const stage: Readonly<StageRec> | undefined = t.stages.read(`${apiId}/${stageName}`);
  if (!stage?.deploymentId) return undefined;
  const f = frozen(holder, owner.account, owner.region, apiId, stage.deploymentId);
  if (!f) return undefined;
  return {
    apiId,
    account: owner.account,
    region: owner.region,
    api: f.api,
    stage: {
      stageName: stage.stageName,
      variables: stage.stageVariables,
      ...(stage.accessLogSettings ? { accessLogSettings: stage.accessLogSettings } : {}),
      defaultRouteSettings: stage.defaultRouteSettings,
      routeSettings: stage.routeSettings,
      autoDeploy: stage.autoDeploy,
      deploymentId: stage.deploymentId,
      ...(stage.authorizersCacheResetAt !== undefined ? { authorizersCacheResetAt: stage.authorizersCacheResetAt } : {}),
    },
    routes: f.routes,
    integrations: f.integrations,
    authorizers: f.authorizers,
  };
}
