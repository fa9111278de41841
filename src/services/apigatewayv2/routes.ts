// Routes and route responses. An HTTP API's route key is "$default" or "METHOD /path" (METHOD one of the HTTP
// verbs or ANY; the path's segments literal, {param}, or a final {greedy+}); a WebSocket API's is any name
// ($connect, $disconnect, $default, "sendmessage"…). Every change redeploys the API's auto-deploy stages.
import type { HandlerContext } from "../../core/context.js";
import type { Apigatewayv2Api, AuthorizationType, CreateRouteRequest, RouteResponse, UpdateRouteRequest } from "./api.generated.js";
import { ConflictException } from "./api.generated.js";
import { apiOf, badRequest, defined, notFound, page, redeploy, routeOut } from "./common.js";
import type { ApiRec, RouteRec, RouteResponseRec } from "./state.js";
import { newId, ofApi, tables, transaction } from "./state.js";

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"]);

// AWS's refusal of an HTTP API route key that is not "$default" nor "METHOD /path", as Terraform and CloudFormation users
// recorded it (e.g. "BadRequestException: The provided route key is not formatted properly for HTTP protocol…").
const invalidKey = () =>
  badRequest('The provided route key is not formatted properly for HTTP protocol. Format should be "<HTTP METHOD> /<RESOURCE PATH>" or "$default"');

/** Refuses a route key HTTP APIs do not take. */
export function checkRouteKey(api: ApiRec, key: string): void {
  if (api.protocolType !== "HTTP") {
    if (!key.trim()) throw badRequest(`Invalid route key ${key}`); // unverified wording
    return;
  }
  if (key === "$default") return;
  const m = /^([A-Z]+) (\/.*)$/.exec(key);
  if (!m || !METHODS.has(m[1])) throw invalidKey();
  const path = m[2];
  if (path === "/") return;
  const segs = path.slice(1).split("/");
  segs.forEach((s, i) => {
    if (!s) throw invalidKey();
    const param = /^\{([^{}]+)\}$/.exec(s);
    if (param) {
      if (param[1].endsWith("+") && (i !== segs.length - 1 || param[1].length < 2)) throw invalidKey();
      if (!/^[A-Za-z0-9._-]+\+?$/.test(param[1])) throw invalidKey();
    } else if (/[{}]/.test(s)) {
      throw invalidKey();
    }
  });
}

function routeOf(ctx: HandlerContext, apiId: string, routeId: string): RouteRec {
  const r = tables(ctx).routes.get(`${apiId}/${routeId}`);
  if (!r) throw notFound("Route", routeId);
  return r;
}

/** The route's authorization as given: the authorizer must exist and suit the type; a target must name an integration. */
function checkRoute(ctx: HandlerContext, api: ApiRec, r: RouteRec): void {
  const t = tables(ctx);
  if (r.target !== undefined) {
    const m = /^integrations\/([a-z0-9]+)$/.exec(r.target);
    if (!m || !t.integrations.has(`${api.apiId}/${m[1]}`)) throw badRequest(`Invalid target ${r.target}: the integration does not exist`); // unverified wording
  }
  const type: AuthorizationType = r.authorizationType;
  if (type === "CUSTOM" || type === "JWT") {
    if (!r.authorizerId) throw badRequest(`AuthorizerId is required for authorization type ${type}`); // unverified wording
    const a = t.authorizers.get(`${api.apiId}/${r.authorizerId}`);
    if (!a) throw notFound("Authorizer", r.authorizerId);
    if ((type === "JWT") !== (a.authorizerType === "JWT")) {
      throw badRequest(`Authorization type ${type} does not match the authorizer's type ${a.authorizerType}`); // unverified wording
    }
  } else if (r.authorizerId !== undefined) {
    throw badRequest(`AuthorizerId may not be set for authorization type ${type}`); // unverified wording
  }
  if (r.authorizationScopes?.length && type !== "JWT" && type !== "CUSTOM") {
    throw badRequest("AuthorizationScopes are supported only for JWT and CUSTOM authorization"); // unverified wording
  }
  if (api.protocolType === "HTTP" && r.apiKeyRequired) throw badRequest("API keys are not supported for HTTP APIs"); // unverified wording
  if (!["NONE", "AWS_IAM", "CUSTOM", "JWT"].includes(type)) throw badRequest(`Invalid authorization type ${type}`); // unverified wording
}

function duplicate(ctx: HandlerContext, apiId: string, key: string, except?: string): void {
  if (ofApi(tables(ctx).routes, apiId).some((r) => r.routeKey === key && r.routeId !== except)) {
    throw new ConflictException(`Route with key ${key} already exists for this API`); // unverified wording
  }
}

function fromInput(input: CreateRouteRequest | UpdateRouteRequest): Partial<RouteRec> {
  return defined({
    routeKey: input.RouteKey,
    target: input.Target,
    authorizationType: input.AuthorizationType,
    authorizerId: input.AuthorizerId,
    authorizationScopes: input.AuthorizationScopes,
    apiKeyRequired: input.ApiKeyRequired,
    requestParameters: input.RequestParameters,
    requestModels: input.RequestModels,
    modelSelectionExpression: input.ModelSelectionExpression,
    operationName: input.OperationName,
    routeResponseSelectionExpression: input.RouteResponseSelectionExpression,
  });
}

function routeResponseOut(r: RouteResponseRec): RouteResponse {
  return defined({
    ModelSelectionExpression: r.modelSelectionExpression,
    ResponseModels: r.responseModels,
    ResponseParameters: r.responseParameters,
    RouteResponseId: r.routeResponseId,
    RouteResponseKey: r.routeResponseKey,
  }) as RouteResponse;
}

export const routes = {
  createRoute(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    checkRouteKey(api, input.RouteKey);
    const rec: RouteRec = { routeId: newId(), routeKey: input.RouteKey, authorizationType: "NONE", apiKeyRequired: false, ...fromInput(input) };
    checkRoute(ctx, api, rec);
    transaction(ctx, () => {
      duplicate(ctx, api.apiId, rec.routeKey);
      tables(ctx).routes.put(`${api.apiId}/${rec.routeId}`, rec);
      redeploy(ctx, api.apiId);
    });
    return routeOut(rec);
  },

  getRoute(input, ctx) {
    apiOf(ctx, input.ApiId);
    return routeOut(routeOf(ctx, input.ApiId, input.RouteId));
  },

  getRoutes(input, ctx) {
    apiOf(ctx, input.ApiId);
    return page(ctx, "GetRoutes", ofApi(tables(ctx).routes, input.ApiId), (r) => r.routeId, input, routeOut, input.ApiId);
  },

  updateRoute(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    const cur = routeOf(ctx, api.apiId, input.RouteId);
    const next: RouteRec = { ...cur, ...fromInput(input) };
    // Moving to NONE or AWS_IAM drops the authorizer and its scopes (they no longer apply).
    if ((input.AuthorizationType === "NONE" || input.AuthorizationType === "AWS_IAM") && input.AuthorizerId === undefined) {
      delete next.authorizerId;
      if (input.AuthorizationScopes === undefined) delete next.authorizationScopes;
    }
    if (input.RouteKey !== undefined) checkRouteKey(api, input.RouteKey);
    checkRoute(ctx, api, next);
    transaction(ctx, () => {
      duplicate(ctx, api.apiId, next.routeKey, cur.routeId);
      tables(ctx).routes.put(`${api.apiId}/${cur.routeId}`, next);
      redeploy(ctx, api.apiId);
    });
    return routeOut(next);
  },

  deleteRoute(input, ctx) {
    apiOf(ctx, input.ApiId);
    routeOf(ctx, input.ApiId, input.RouteId);
    const t = tables(ctx);
    transaction(ctx, () => {
      t.routes.delete(`${input.ApiId}/${input.RouteId}`);
      for (const e of t.routeResponses.list({ prefix: `${input.ApiId}/${input.RouteId}/` })) t.routeResponses.delete(e.key);
      redeploy(ctx, input.ApiId);
    });
    return {};
  },

  deleteRouteRequestParameter(input, ctx) {
    apiOf(ctx, input.ApiId);
    const r = routeOf(ctx, input.ApiId, input.RouteId);
    if (!r.requestParameters || !(input.RequestParameterKey in r.requestParameters)) throw notFound("RequestParameter", input.RequestParameterKey); // unverified wording
    const { [input.RequestParameterKey]: _, ...rest } = r.requestParameters;
    transaction(ctx, () => {
      tables(ctx).routes.put(`${input.ApiId}/${r.routeId}`, { ...r, requestParameters: rest });
      redeploy(ctx, input.ApiId);
    });
    return {};
  },

  createRouteResponse(input, ctx) {
    apiOf(ctx, input.ApiId);
    routeOf(ctx, input.ApiId, input.RouteId);
    const rec: RouteResponseRec = {
      routeResponseId: newId(),
      routeResponseKey: input.RouteResponseKey,
      ...defined({
        modelSelectionExpression: input.ModelSelectionExpression,
        responseModels: input.ResponseModels,
        responseParameters: input.ResponseParameters,
      }),
    };
    const t = tables(ctx);
    if (ofApi(t.routeResponses, input.ApiId, `${input.RouteId}/`).some((r) => r.routeResponseKey === input.RouteResponseKey)) {
      throw new ConflictException(`RouteResponse with key ${input.RouteResponseKey} already exists for this route`); // unverified wording
    }
    t.routeResponses.put(`${input.ApiId}/${input.RouteId}/${rec.routeResponseId}`, rec);
    return routeResponseOut(rec);
  },

  getRouteResponse(input, ctx) {
    apiOf(ctx, input.ApiId);
    routeOf(ctx, input.ApiId, input.RouteId);
    const r = tables(ctx).routeResponses.get(`${input.ApiId}/${input.RouteId}/${input.RouteResponseId}`);
    if (!r) throw notFound("RouteResponse", input.RouteResponseId);
    return routeResponseOut(r);
  },

  getRouteResponses(input, ctx) {
    apiOf(ctx, input.ApiId);
    routeOf(ctx, input.ApiId, input.RouteId);
    const all = ofApi(tables(ctx).routeResponses, input.ApiId, `${input.RouteId}/`);
    return page(ctx, "GetRouteResponses", all, (r) => r.routeResponseId, input, routeResponseOut, `${input.ApiId}/${input.RouteId}`);
  },

  updateRouteResponse(input, ctx) {
    apiOf(ctx, input.ApiId);
    routeOf(ctx, input.ApiId, input.RouteId);
    const t = tables(ctx);
    const key = `${input.ApiId}/${input.RouteId}/${input.RouteResponseId}`;
    const cur = t.routeResponses.get(key);
    if (!cur) throw notFound("RouteResponse", input.RouteResponseId);
    const next: RouteResponseRec = {
      ...cur,
      ...defined({
        routeResponseKey: input.RouteResponseKey,
        modelSelectionExpression: input.ModelSelectionExpression,
        responseModels: input.ResponseModels,
        responseParameters: input.ResponseParameters,
      }),
    };
    t.routeResponses.put(key, next);
    return routeResponseOut(next);
  },

  deleteRouteResponse(input, ctx) {
    apiOf(ctx, input.ApiId);
    routeOf(ctx, input.ApiId, input.RouteId);
    if (!tables(ctx).routeResponses.delete(`${input.ApiId}/${input.RouteId}/${input.RouteResponseId}`)) throw notFound("RouteResponse", input.RouteResponseId);
    return {};
  },
} satisfies Partial<Apigatewayv2Api>;
