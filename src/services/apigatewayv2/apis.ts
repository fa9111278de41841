// APIs: CreateApi (with quick create: Target makes an integration, a route and the auto-deploying `$default`
// stage, as AWS does), GetApi(s), UpdateApi, DeleteApi, DeleteCorsConfiguration.
import type { HandlerContext } from "../../core/context.js";
import type { Apigatewayv2Api, CreateApiRequest, Cors, ProtocolType } from "./api.generated.js";
import { apiOf, apiOut, badRequest, defined, page, redeploy, serverPort } from "./common.js";
import type { ApiRec, IntegrationRec, RouteRec, StageRec } from "./state.js";
import { mergeApiTags } from "./tags.js";
import { apiIndex, newId, ofApi, tables, transaction } from "./state.js";
import { checkRouteKey } from "./routes.js";

const HTTP_ROUTE_SELECTION = "$request.method $request.path";
const DEFAULT_API_KEY_SELECTION = "$request.header.x-api-key";

/** Cors as stored and answered: only the members given. */
export function cleanCors(c: Cors | undefined): Cors | undefined {
  if (!c) return undefined;
  return defined({
    AllowCredentials: c.AllowCredentials,
    AllowHeaders: c.AllowHeaders,
    AllowMethods: c.AllowMethods,
    AllowOrigins: c.AllowOrigins,
    ExposeHeaders: c.ExposeHeaders,
    MaxAge: c.MaxAge,
  }) as Cors;
}

function checkCors(protocol: ProtocolType, c: Cors | undefined): void {
  if (!c) return;
  if (protocol !== "HTTP") throw badRequest("CORS is not supported for WEBSOCKET APIs"); // unverified wording
  if (c.MaxAge !== undefined && (c.MaxAge < -1 || c.MaxAge > 86400)) throw badRequest("MaxAge must be between -1 and 86400"); // unverified wording
  if (c.AllowCredentials && c.AllowOrigins?.includes("*")) {
    // AWS refuses a wildcard origin with credentials (the CORS spec forbids it). // unverified wording
    throw badRequest("Invalid CORS configuration: allowCredentials cannot be true when allowOrigins contains '*'");
  }
}

/** A quick create's Target: a Lambda function ARN (AWS_PROXY, payload 2.0) or an HTTP URL (HTTP_PROXY, payload 1.0). */
function quickIntegration(target: string, credentialsArn: string | undefined, id: string): IntegrationRec {
  const lambda = /^arn:aws[a-z-]*:lambda:/.test(target);
  if (!lambda && !/^https?:\/\//.test(target)) throw badRequest(`Target ${target} is not a valid Lambda function ARN or HTTP URL`); // unverified wording
  return {
    integrationId: id,
    integrationType: lambda ? "AWS_PROXY" : "HTTP_PROXY",
    integrationUri: target,
    integrationMethod: lambda ? "POST" : "ANY",
    payloadFormatVersion: lambda ? "2.0" : "1.0",
    timeoutInMillis: 30000,
    connectionType: "INTERNET",
    ...(credentialsArn ? { credentialsArn } : {}),
    apiGatewayManaged: true,
  };
}

function makeApi(ctx: HandlerContext, input: CreateApiRequest): ApiRec {
  const protocol = input.ProtocolType;
  if (protocol !== "HTTP" && protocol !== "WEBSOCKET") throw badRequest(`Invalid protocol type ${protocol}`); // unverified wording
  let rse = input.RouteSelectionExpression;
  if (protocol === "HTTP") {
    if (rse !== undefined && rse !== HTTP_ROUTE_SELECTION) throw badRequest(`Unsupported route selection expression for HTTP API: ${rse}`); // unverified wording
    rse = HTTP_ROUTE_SELECTION;
  } else if (!rse) {
    throw badRequest("Route selection expression is required for WEBSOCKET APIs"); // unverified wording
  }
  if (protocol === "WEBSOCKET" && (input.Target || input.RouteKey || input.CredentialsArn)) {
    throw badRequest("Quick create is supported only for HTTP APIs"); // unverified wording
  }
  if (!input.Target && (input.RouteKey !== undefined || input.CredentialsArn !== undefined)) {
    // RouteKey and CredentialsArn are part of quick create: they mean nothing without a Target.
    throw badRequest("RouteKey and CredentialsArn are supported only with Target (quick create)"); // unverified wording
  }
  checkCors(protocol, input.CorsConfiguration);
  const idx = apiIndex(ctx);
  let apiId = newId(10);
  while (idx.has(apiId)) apiId = newId(10);
  const cors = cleanCors(input.CorsConfiguration);
  return {
    apiId,
    name: input.Name,
    protocolType: protocol,
    apiEndpoint: protocol === "HTTP" ? `http://${apiId}.execute-api.localhost:${serverPort(ctx)}` : `ws://${apiId}.execute-api.localhost:${serverPort(ctx)}`,
    routeSelectionExpression: rse,
    apiKeySelectionExpression: input.ApiKeySelectionExpression ?? DEFAULT_API_KEY_SELECTION,
    ...(cors ? { corsConfiguration: cors } : {}),
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    ...(input.DisableSchemaValidation !== undefined ? { disableSchemaValidation: input.DisableSchemaValidation } : {}),
    disableExecuteApiEndpoint: input.DisableExecuteApiEndpoint ?? false,
    ipAddressType: input.IpAddressType ?? "ipv4",
    ...(input.Version !== undefined ? { version: input.Version } : {}),
    tags: mergeApiTags(ctx, {}, input.Tags),
    createdDate: ctx.now(),
  };
}

/** Stores a new API (and its quick create parts) and indexes it; what ImportApi uses too. */
export function storeApi(ctx: HandlerContext, api: ApiRec, quick?: { target: string; routeKey?: string; credentialsArn?: string }): void {
  const t = tables(ctx);
  transaction(ctx, () => {
    t.apis.put(api.apiId, api);
    apiIndex(ctx).put(api.apiId, { account: ctx.account, region: ctx.region });
    if (!quick) return;
    const integ = quickIntegration(quick.target, quick.credentialsArn, newId());
    const routeKey = quick.routeKey ?? "$default";
    checkRouteKey(api, routeKey);
    const route: RouteRec = {
      routeId: newId(),
      routeKey,
      target: `integrations/${integ.integrationId}`,
      authorizationType: "NONE",
      apiKeyRequired: false,
      apiGatewayManaged: true,
    };
    const now = ctx.now();
    const stage: StageRec = {
      stageName: "$default",
      autoDeploy: true,
      defaultRouteSettings: { DetailedMetricsEnabled: false },
      routeSettings: {},
      stageVariables: {},
      apiGatewayManaged: true,
      tags: {},
      createdDate: now,
      lastUpdatedDate: now,
    };
    t.integrations.put(`${api.apiId}/${integ.integrationId}`, integ);
    t.routes.put(`${api.apiId}/${route.routeId}`, route);
    t.stages.put(`${api.apiId}/$default`, stage);
    redeploy(ctx, api.apiId);
  });
}

/** Every record of an API, then the API and its index entry. */
export function dropApi(ctx: HandlerContext, apiId: string): void {
  const t = tables(ctx);
  transaction(ctx, () => {
    for (const table of [t.routes, t.integrations, t.integrationResponses, t.routeResponses, t.stages, t.deployments, t.authorizers, t.models]) {
      for (const e of table.list({ prefix: `${apiId}/` })) table.delete(e.key);
    }
    t.apis.delete(apiId);
    apiIndex(ctx).delete(apiId);
  });
}

export const apis = {
  createApi(input, ctx) {
    const api = makeApi(ctx, input);
    storeApi(ctx, api, input.Target ? { target: input.Target, routeKey: input.RouteKey, credentialsArn: input.CredentialsArn } : undefined);
    return apiOut(api);
  },

  getApi(input, ctx) {
    return apiOut(apiOf(ctx, input.ApiId));
  },

  getApis(input, ctx) {
    return page(
      ctx,
      "GetApis",
      tables(ctx)
        .apis.list()
        .map((e) => e.value),
      (a) => a.apiId,
      input,
      apiOut,
    );
  },

  updateApi(input, ctx) {
    const t = tables(ctx);
    const api = apiOf(ctx, input.ApiId);
    if (input.RouteSelectionExpression !== undefined && api.protocolType === "HTTP" && input.RouteSelectionExpression !== HTTP_ROUTE_SELECTION) {
      throw badRequest(`Unsupported route selection expression for HTTP API: ${input.RouteSelectionExpression}`); // unverified wording
    }
    checkCors(api.protocolType, input.CorsConfiguration);
    const cors = input.CorsConfiguration ? cleanCors(input.CorsConfiguration) : api.corsConfiguration;
    const next: ApiRec = {
      ...api,
      ...defined({
        name: input.Name,
        description: input.Description,
        disableSchemaValidation: input.DisableSchemaValidation,
        disableExecuteApiEndpoint: input.DisableExecuteApiEndpoint,
        ipAddressType: input.IpAddressType,
        version: input.Version,
        routeSelectionExpression: input.RouteSelectionExpression,
        apiKeySelectionExpression: input.ApiKeySelectionExpression,
      }),
      ...(cors ? { corsConfiguration: cors } : {}),
    };
    // Quick create's parts follow Target, RouteKey and CredentialsArn (AWS updates the managed integration and route).
    const managedInteg = ofApi(t.integrations, api.apiId).find((i) => i.apiGatewayManaged);
    const managedRoute = ofApi(t.routes, api.apiId).find((r) => r.apiGatewayManaged);
    if ((input.Target || input.RouteKey || input.CredentialsArn) && api.protocolType !== "HTTP")
      throw badRequest("Quick create is supported only for HTTP APIs"); // unverified wording
    if ((input.Target || input.CredentialsArn) && !managedInteg)
      throw badRequest("Target and CredentialsArn can be updated only for an API made by quick create"); // unverified wording
    if (input.RouteKey !== undefined && !managedRoute) throw badRequest("RouteKey can be updated only for an API made by quick create"); // unverified wording
    if (input.RouteKey !== undefined) checkRouteKey(next, input.RouteKey);
    transaction(ctx, () => {
      t.apis.put(api.apiId, next);
      if (managedInteg && (input.Target || input.CredentialsArn)) {
        const fresh = input.Target
          ? quickIntegration(input.Target, input.CredentialsArn ?? managedInteg.credentialsArn, managedInteg.integrationId)
          : managedInteg;
        t.integrations.put(`${api.apiId}/${managedInteg.integrationId}`, {
          ...fresh,
          ...(input.CredentialsArn ? { credentialsArn: input.CredentialsArn } : {}),
        });
      }
      if (managedRoute && input.RouteKey !== undefined) t.routes.put(`${api.apiId}/${managedRoute.routeId}`, { ...managedRoute, routeKey: input.RouteKey });
      // Only what a stage serves redeploys (CORS, the endpoint switch, selection expressions, quick create's parts);
      // a new name or description does not.
      const served = (a: ApiRec) => JSON.stringify([a.corsConfiguration, a.disableExecuteApiEndpoint, a.routeSelectionExpression, a.apiKeySelectionExpression]);
      if (served(api) !== served(next) || input.Target || input.CredentialsArn || input.RouteKey !== undefined) redeploy(ctx, api.apiId);
    });
    return apiOut(next);
  },

  deleteApi(input, ctx) {
    apiOf(ctx, input.ApiId);
    dropApi(ctx, input.ApiId);
    return {};
  },

  deleteCorsConfiguration(input, ctx) {
    const t = tables(ctx);
    const api = apiOf(ctx, input.ApiId);
    const { corsConfiguration: _, ...rest } = api;
    transaction(ctx, () => {
      t.apis.put(api.apiId, rest);
      redeploy(ctx, api.apiId);
    });
    return {};
  },
} satisfies Partial<Apigatewayv2Api>;
