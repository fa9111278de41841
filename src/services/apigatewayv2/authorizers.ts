// Authorizers (REQUEST: a Lambda function; JWT: a token checked against an issuer and audiences, HTTP APIs only)
// and models. A change to an authorizer redeploys the auto-deploy stages (the snapshot holds the authorizers).
import type { HandlerContext } from "../../core/context.js";
import type { Apigatewayv2Api, CreateAuthorizerRequest } from "./api.generated.js";
import { ConflictException } from "./api.generated.js";
import { apiOf, authorizerOut, badRequest, defined, modelOut, notFound, page, redeploy } from "./common.js";
import type { ApiRec, AuthorizerRec, ModelRec } from "./state.js";
import { newId, ofApi, tables, transaction } from "./state.js";

function authorizerOf(ctx: HandlerContext, apiId: string, id: string): AuthorizerRec {
  const a = tables(ctx).authorizers.get(`${apiId}/${id}`);
  if (!a) throw notFound("Authorizer", id);
  return a;
}

/** AWS's rules for an authorizer of this API's protocol. */
function checkAuthorizer(api: ApiRec, a: AuthorizerRec): void {
  const http = api.protocolType === "HTTP";
  if (a.authorizerType !== "REQUEST" && a.authorizerType !== "JWT") throw badRequest(`Invalid authorizer type ${a.authorizerType}`); // unverified wording
  if (a.authorizerType === "JWT") {
    if (!http) throw badRequest("JWT authorizers are supported only for HTTP APIs"); // unverified wording
    if (!a.jwtConfiguration?.Issuer) throw badRequest("JwtConfiguration with an Issuer is required for JWT authorizers"); // unverified wording
    if (a.identitySource.length !== 1) throw badRequest("JWT authorizers take exactly one identity source"); // unverified wording
    if (a.authorizerUri !== undefined) throw badRequest("AuthorizerUri is not supported for JWT authorizers"); // unverified wording
  } else {
    if (!a.authorizerUri) throw badRequest("AuthorizerUri is required for REQUEST authorizers"); // unverified wording
    if (http) {
      const v = a.authorizerPayloadFormatVersion;
      if (!v) throw badRequest("AuthorizerPayloadFormatVersion is required for REQUEST authorizers of HTTP APIs"); // unverified wording
      if (v !== "1.0" && v !== "2.0") throw badRequest(`Invalid authorizer payload format version ${v}. Supported values: 1.0, 2.0`); // unverified wording
      if (a.enableSimpleResponses && v !== "2.0") throw badRequest("EnableSimpleResponses is supported only for payload format version 2.0"); // unverified wording
    }
    if (a.jwtConfiguration !== undefined) throw badRequest("JwtConfiguration is supported only for JWT authorizers"); // unverified wording
  }
  const ttl = a.authorizerResultTtlInSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600)) throw badRequest("AuthorizerResultTtlInSeconds must be between 0 and 3600"); // unverified wording
  for (const s of a.identitySource) {
    if (!/^(\$request\.(header|querystring)\.[^\s]+|\$context\.[^\s]+|\$stageVariables\.[^\s]+|route\.request\.(header|querystring)\.[^\s]+)$/.test(s)) {
      throw badRequest(`Invalid identity source ${s}`); // unverified wording
    }
  }
}

function fromInput(input: Partial<CreateAuthorizerRequest>): Partial<AuthorizerRec> {
  return defined({
    name: input.Name,
    authorizerType: input.AuthorizerType,
    authorizerUri: input.AuthorizerUri,
    authorizerCredentialsArn: input.AuthorizerCredentialsArn,
    authorizerPayloadFormatVersion: input.AuthorizerPayloadFormatVersion,
    enableSimpleResponses: input.EnableSimpleResponses,
    identitySource: input.IdentitySource,
    identityValidationExpression: input.IdentityValidationExpression,
    authorizerResultTtlInSeconds: input.AuthorizerResultTtlInSeconds,
    jwtConfiguration: input.JwtConfiguration,
  });
}

/** Makes an authorizer of the API (CreateAuthorizer, ImportApi). */
export function makeAuthorizer(api: ApiRec, input: Omit<CreateAuthorizerRequest, "ApiId">): AuthorizerRec {
  const rec = { authorizerId: newId(), ...fromInput(input) } as AuthorizerRec;
  rec.identitySource ??= [];
  checkAuthorizer(api, rec);
  return rec;
}

function modelOf(ctx: HandlerContext, apiId: string, id: string): ModelRec {
  const m = tables(ctx).models.get(`${apiId}/${id}`);
  if (!m) throw notFound("Model", id);
  return m;
}

function checkSchema(schema: string): void {
  try {
    const s = JSON.parse(schema);
    if (!s || typeof s !== "object" || Array.isArray(s)) throw new Error("not an object");
  } catch {
    throw badRequest("Invalid model schema specified. The schema must be a valid JSON schema (draft 4)."); // unverified wording
  }
}

export const authorizers = {
  createAuthorizer(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    const rec = makeAuthorizer(api, input);
    transaction(ctx, () => {
      tables(ctx).authorizers.put(`${api.apiId}/${rec.authorizerId}`, rec);
      redeploy(ctx, api.apiId);
    });
    return authorizerOut(rec);
  },

  getAuthorizer(input, ctx) {
    apiOf(ctx, input.ApiId);
    return authorizerOut(authorizerOf(ctx, input.ApiId, input.AuthorizerId));
  },

  getAuthorizers(input, ctx) {
    apiOf(ctx, input.ApiId);
    return page(ctx, "GetAuthorizers", ofApi(tables(ctx).authorizers, input.ApiId), (a) => a.authorizerId, input, authorizerOut, input.ApiId);
  },

  updateAuthorizer(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    const cur = authorizerOf(ctx, api.apiId, input.AuthorizerId);
    const next: AuthorizerRec = { ...cur, ...fromInput(input) };
    checkAuthorizer(api, next);
    transaction(ctx, () => {
      tables(ctx).authorizers.put(`${api.apiId}/${cur.authorizerId}`, next);
      redeploy(ctx, api.apiId);
    });
    return authorizerOut(next);
  },

  deleteAuthorizer(input, ctx) {
    apiOf(ctx, input.ApiId);
    authorizerOf(ctx, input.ApiId, input.AuthorizerId);
    const t = tables(ctx);
    const user = ofApi(t.routes, input.ApiId).find((r) => r.authorizerId === input.AuthorizerId);
    if (user) throw new ConflictException(`Cannot delete authorizer ${input.AuthorizerId}: it is used by route ${user.routeId}`); // unverified wording
    transaction(ctx, () => {
      t.authorizers.delete(`${input.ApiId}/${input.AuthorizerId}`);
      redeploy(ctx, input.ApiId);
    });
    return {};
  },

  createModel(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    checkSchema(input.Schema);
    if (!/^[A-Za-z0-9]+$/.test(input.Name)) throw badRequest(`Model name ${input.Name} is invalid. Model names must be alphanumeric.`); // unverified wording
    const t = tables(ctx);
    if (ofApi(t.models, api.apiId).some((m) => m.name === input.Name)) throw new ConflictException(`Model name already exists for this API: ${input.Name}`); // unverified wording
    const rec: ModelRec = {
      modelId: newId(),
      name: input.Name,
      schema: input.Schema,
      ...defined({ contentType: input.ContentType, description: input.Description }),
    };
    t.models.put(`${api.apiId}/${rec.modelId}`, rec);
    return modelOut(rec);
  },

  getModel(input, ctx) {
    apiOf(ctx, input.ApiId);
    return modelOut(modelOf(ctx, input.ApiId, input.ModelId));
  },

  getModels(input, ctx) {
    apiOf(ctx, input.ApiId);
    return page(ctx, "GetModels", ofApi(tables(ctx).models, input.ApiId), (m) => m.modelId, input, modelOut, input.ApiId);
  },

  updateModel(input, ctx) {
    apiOf(ctx, input.ApiId);
    const cur = modelOf(ctx, input.ApiId, input.ModelId);
    if (input.Schema !== undefined) checkSchema(input.Schema);
    const t = tables(ctx);
    if (input.Name !== undefined && ofApi(t.models, input.ApiId).some((m) => m.name === input.Name && m.modelId !== cur.modelId)) {
      throw new ConflictException(`Model name already exists for this API: ${input.Name}`); // unverified wording
    }
    const next: ModelRec = { ...cur, ...defined({ name: input.Name, schema: input.Schema, contentType: input.ContentType, description: input.Description }) };
    t.models.put(`${input.ApiId}/${cur.modelId}`, next);
    return modelOut(next);
  },

  deleteModel(input, ctx) {
    apiOf(ctx, input.ApiId);
    modelOf(ctx, input.ApiId, input.ModelId);
    tables(ctx).models.delete(`${input.ApiId}/${input.ModelId}`);
    return {};
  },
} satisfies Partial<Apigatewayv2Api>;
