// The parts of a REST API beside its resources: models (JSON schemas), request validators, authorizers and gateway
// responses. Wording: AWS's, as recorded in LocalStack's test_apigateway_api snapshots, unless marked.
import type { HandlerContext } from "../../core/context.js";
import { BadRequestException, ConflictException, NotFoundException } from "./api.generated.js";
import type {
  ApiGatewayApi,
  Authorizer,
  CreateAuthorizerRequest,
  CreateModelRequest,
  GatewayResponseType,
  Model,
  PatchOperation,
  RequestValidator,
} from "./api.generated.js";
import { defined, ofApi, page, requireApi } from "./common.js";
import { GATEWAY_RESPONSE_TYPES, resolveGatewayResponse, setResponseOut } from "./gateway-response-defaults.js";
import { applyPatch, invalidPatchPath, type PatchSpec, unsupportedPatchOp } from "./patch.js";
import { newId, tables, type AuthorizerRec, type GatewayResponseRec, type ModelRec, type RequestValidatorRec } from "./state.js";

// ---- models ----

const modelNotFound = (name: string) => new NotFoundException(`Invalid model name specified: ${name}`);
const emptySchema = () => new BadRequestException("Model schema must have at least 1 property or array items defined");

function checkSchema(schema: string | undefined, contentType: string): void {
  if (schema === undefined || schema.trim() === "") throw emptySchema();
  if (!/json/i.test(contentType)) return;
  try {
    JSON.parse(schema);
  } catch (e) {
    // unverified wording
    throw new BadRequestException(
      `Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified: ${(e as Error).message}]`,
    );
  }
}

const modelOut = (m: ModelRec): Model => defined({ id: m.id, name: m.name, description: m.description, schema: m.schema, contentType: m.contentType });

function requireModel(ctx: HandlerContext, apiId: string, name: string): ModelRec {
  const m = tables(ctx).apis.has(apiId) ? tables(ctx).models.get(`${apiId}/${name}`) : undefined;
  if (!m) throw modelNotFound(name);
  return m;
}

function createModel(input: CreateModelRequest, ctx: HandlerContext): Model {
  requireApi(ctx, input.restApiId);
  if (!input.name) throw new BadRequestException("Model name must be non-empty");
  if (!/^[a-zA-Z0-9]+$/.test(input.name)) throw new BadRequestException("Model name must be alphanumeric"); // unverified wording
  checkSchema(input.schema, input.contentType);
  const t = tables(ctx);
  const key = `${input.restApiId}/${input.name}`;
  if (t.models.has(key)) throw new ConflictException("Model name already exists for this REST API");
  const rec: ModelRec = defined({ id: newId(6), name: input.name, description: input.description, schema: input.schema, contentType: input.contentType });
  t.models.put(key, rec);
  return modelOut(rec);
}

function updateModel(input: { restApiId: string; modelName: string; patchOperations?: PatchOperation[] }, ctx: HandlerContext): Model {
  const m = requireModel(ctx, input.restApiId, input.modelName);
  for (const op of input.patchOperations ?? []) {
    if (op.op !== "replace") throw unsupportedPatchOp(op);
    if (op.path !== "/description" && op.path !== "/schema")
      throw new BadRequestException(`Invalid patch path  '${op.path}' specified for op 'replace'. Must be one of: [/description, /schema]`);
  }
  const next = applyPatch(m, input.patchOperations, { description: "string", schema: "string" });
  checkSchema(next.schema, next.contentType);
  tables(ctx).models.put(`${input.restApiId}/${m.name}`, next);
  return modelOut(next);
}

/** The methods whose request (or responses) use a model: "<resource path>/<VERB>". */
function modelUsers(ctx: HandlerContext, apiId: string, name: string): string[] {
  const out: string[] = [];
  for (const r of ofApi(tables(ctx).resources, apiId))
    for (const [verb, m] of Object.entries(r.resourceMethods)) {
      const inRequest = Object.values(m.requestModels ?? {}).includes(name);
      const inResponse = Object.values(m.methodResponses ?? {}).some((mr) => Object.values(mr.responseModels ?? {}).includes(name));
      if (inRequest || inResponse) out.push(`${r.path}/${verb}`);
    }
  return out;
}

// ---- request validators ----

const validatorNotFound = () => new NotFoundException("Invalid Request Validator identifier specified");
const validatorOut = (v: RequestValidatorRec): RequestValidator =>
  defined({ id: v.id, name: v.name, validateRequestBody: v.validateRequestBody, validateRequestParameters: v.validateRequestParameters });

function requireValidator(ctx: HandlerContext, apiId: string, id: string): RequestValidatorRec {
  const v = tables(ctx).apis.has(apiId) ? tables(ctx).validators.get(`${apiId}/${id}`) : undefined;
  if (!v) throw validatorNotFound();
  return v;
}

const VALIDATOR_PATHS = ["/name", "/validateRequestParameters", "/validateRequestBody"];

// ---- authorizers ----

const authorizerNotFound = () => new NotFoundException("Invalid Authorizer identifier specified"); // moto's wording, unverified

function checkAuthorizer(a: AuthorizerRec): void {
  // unverified wording (AWS refuses a Lambda authorizer without its function, a Cognito one without its pools)
  if ((a.type === "TOKEN" || a.type === "REQUEST") && !a.authorizerUri) throw new BadRequestException(`Authorizer URI is required for ${a.type} authorizer`);
  if (a.type === "COGNITO_USER_POOLS" && !a.providerARNs?.length)
    throw new BadRequestException("ProviderARNs need to be specified for COGNITO_USER_POOLS authorizer");
  const ttl = a.authorizerResultTtlInSeconds ?? 300;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new BadRequestException("Authorizer result TTL must be between 0 and 3600 seconds"); // unverified wording
}

const authorizerOut = (a: AuthorizerRec): Authorizer => defined({ ...a, providerARNs: a.providerARNs?.length ? a.providerARNs : undefined });

function requireAuthorizer(ctx: HandlerContext, apiId: string, id: string): AuthorizerRec {
  requireApi(ctx, apiId);
  const a = tables(ctx).authorizers.get(`${apiId}/${id}`);
  if (!a) throw authorizerNotFound();
  return a;
}

function createAuthorizer(input: CreateAuthorizerRequest, ctx: HandlerContext): Authorizer {
  // AWS's answer for an unknown API here (recorded; odd, but AWS's).
  requireApi(ctx, input.restApiId, () => new ConflictException("Unable to complete operation due to concurrent modification. Please try again later."));
  const rec: AuthorizerRec = defined({
    id: newId(6),
    name: input.name,
    type: input.type,
    providerARNs: input.providerARNs,
    authType: input.authType,
    authorizerUri: input.authorizerUri,
    authorizerCredentials: input.authorizerCredentials,
    identitySource: input.identitySource,
    identityValidationExpression: input.identityValidationExpression,
    authorizerResultTtlInSeconds: input.authorizerResultTtlInSeconds ?? 300,
  });
  checkAuthorizer(rec);
  tables(ctx).authorizers.put(`${input.restApiId}/${rec.id}`, rec);
  return authorizerOut(rec);
}

const AUTHORIZER_PATCH: PatchSpec = {
  name: { kind: "string", ops: ["replace"] },
  type: { kind: "string", ops: ["replace"] },
  authType: { kind: "string", ops: ["replace"] },
  authorizerUri: { kind: "string", ops: ["replace"] },
  authorizerCredentials: { kind: "string", ops: ["replace"] },
  identitySource: { kind: "string", ops: ["replace"] },
  identityValidationExpression: { kind: "string", ops: ["replace"] },
  authorizerResultTtlInSeconds: { kind: "integer", ops: ["replace"] },
  providerARNs: { kind: "list", ops: ["add", "remove", "replace"] },
};

// ---- gateway responses ----

const setResponses = (ctx: HandlerContext, apiId: string) => {
  const set = new Map(ofApi(tables(ctx).gatewayResponses, apiId).map((g) => [g.responseType, g]));
  return (t: GatewayResponseType) => set.get(t);
};

function updateGatewayResponse(input: { restApiId: string; responseType: GatewayResponseType; patchOperations?: PatchOperation[] }, ctx: HandlerContext) {
  requireApi(ctx, input.restApiId);
  const t = tables(ctx);
  const key = `${input.restApiId}/${input.responseType}`;
  // Updating a type nobody set starts from what it answers now (AWS then counts it as set).
  const current: GatewayResponseRec =
    t.gatewayResponses.get(key) ??
    (() => {
      const r = resolveGatewayResponse(input.responseType, setResponses(ctx, input.restApiId));
      return defined({
        responseType: input.responseType,
        statusCode: r.statusCode,
        responseParameters: r.responseParameters,
        responseTemplates: r.responseTemplates,
      });
    })();
  for (const op of input.patchOperations ?? []) {
    if (op.path === "/statusCode" && op.op !== "replace") throw invalidPatchPath(op);
    const field = op.path?.split("/")[1];
    if (op.op === "replace" && (field === "responseParameters" || field === "responseTemplates")) {
      const name = op
        .path!.slice(field.length + 2)
        .replace(/~1/g, "/")
        .replace(/~0/g, "~");
      if (!op.value) throw new BadRequestException(`Invalid null or empty value in ${field}`);
      if (current[field]?.[name] === undefined) throw new NotFoundException("Invalid parameter name specified");
    }
  }
  const next = applyPatch(current, input.patchOperations, {
    statusCode: { kind: "string", ops: ["replace"] },
    responseParameters: "map",
    responseTemplates: "map",
  });
  t.gatewayResponses.put(key, next);
  return setResponseOut(next);
}

export const apiParts = {
  createModel,
  updateModel,

  getModel(input, ctx) {
    return modelOut(requireModel(ctx, input.restApiId, input.modelName));
  },

  getModels(input, ctx) {
    requireApi(ctx, input.restApiId);
    const { items, position } = page("GetModels", ofApi(tables(ctx).models, input.restApiId), (m) => m.name, input, input.restApiId);
    return { items: items.map(modelOut), ...(position ? { position } : {}) };
  },

  deleteModel(input, ctx) {
    requireModel(ctx, input.restApiId, input.modelName);
    const users = modelUsers(ctx, input.restApiId, input.modelName);
    if (users.length) throw new ConflictException(`Cannot delete model '${input.modelName}', is referenced in method request: ${users[0]}`);
    tables(ctx).models.delete(`${input.restApiId}/${input.modelName}`);
    return {};
  },

  createRequestValidator(input, ctx) {
    requireApi(ctx, input.restApiId, () => new BadRequestException("Invalid REST API identifier specified"));
    const rec: RequestValidatorRec = defined({
      id: newId(6),
      name: input.name,
      validateRequestBody: input.validateRequestBody ?? false,
      validateRequestParameters: input.validateRequestParameters ?? false,
    });
    tables(ctx).validators.put(`${input.restApiId}/${rec.id}`, rec);
    return validatorOut(rec);
  },

  getRequestValidator(input, ctx) {
    return validatorOut(requireValidator(ctx, input.restApiId, input.requestValidatorId));
  },

  getRequestValidators(input, ctx) {
    requireApi(ctx, input.restApiId);
    const { items, position } = page("GetRequestValidators", ofApi(tables(ctx).validators, input.restApiId), (v) => v.id, input, input.restApiId);
    return { items: items.map(validatorOut), ...(position ? { position } : {}) };
  },

  updateRequestValidator(input, ctx) {
    const v = requireValidator(ctx, input.restApiId, input.requestValidatorId);
    for (const op of input.patchOperations ?? []) {
      if (op.op !== "replace") throw unsupportedPatchOp(op);
      if (!VALIDATOR_PATHS.includes(op.path ?? ""))
        throw new BadRequestException(`Invalid patch path  '${op.path}' specified for op 'replace'. Must be one of: [${VALIDATOR_PATHS.join(", ")}]`);
      if (op.path === "/name" && !op.value?.trim()) throw new BadRequestException("Request Validator name cannot be blank");
    }
    const next = applyPatch(v, input.patchOperations, { name: "string", validateRequestBody: "boolean", validateRequestParameters: "boolean" });
    tables(ctx).validators.put(`${input.restApiId}/${v.id}`, next);
    return validatorOut(next);
  },

  deleteRequestValidator(input, ctx) {
    requireValidator(ctx, input.restApiId, input.requestValidatorId);
    tables(ctx).validators.delete(`${input.restApiId}/${input.requestValidatorId}`);
    return {};
  },

  createAuthorizer,

  getAuthorizer(input, ctx) {
    return authorizerOut(requireAuthorizer(ctx, input.restApiId, input.authorizerId));
  },

  getAuthorizers(input, ctx) {
    requireApi(ctx, input.restApiId);
    const { items, position } = page("GetAuthorizers", ofApi(tables(ctx).authorizers, input.restApiId), (a) => a.id, input, input.restApiId);
    return { items: items.map(authorizerOut), ...(position ? { position } : {}) };
  },

  updateAuthorizer(input, ctx) {
    const a = requireAuthorizer(ctx, input.restApiId, input.authorizerId);
    const next = applyPatch(a, input.patchOperations, AUTHORIZER_PATCH);
    checkAuthorizer(next);
    tables(ctx).authorizers.put(`${input.restApiId}/${a.id}`, next);
    return authorizerOut(next);
  },

  deleteAuthorizer(input, ctx) {
    requireAuthorizer(ctx, input.restApiId, input.authorizerId);
    const user = ofApi(tables(ctx).resources, input.restApiId)
      .flatMap((r) => Object.entries(r.resourceMethods).map(([verb, m]) => ({ path: r.path, verb, m })))
      .find((x) => x.m.authorizerId === input.authorizerId);
    // unverified wording (AWS refuses to delete an authorizer a method uses)
    if (user) throw new ConflictException(`Cannot delete authorizer '${input.authorizerId}', is referenced in method: ${user.verb}:${user.path}`);
    tables(ctx).authorizers.delete(`${input.restApiId}/${input.authorizerId}`);
    return {};
  },

  putGatewayResponse(input, ctx) {
    requireApi(ctx, input.restApiId);
    const rec: GatewayResponseRec = defined({
      responseType: input.responseType,
      statusCode: input.statusCode,
      responseParameters: input.responseParameters,
      responseTemplates: input.responseTemplates,
    });
    tables(ctx).gatewayResponses.put(`${input.restApiId}/${input.responseType}`, rec);
    return setResponseOut(rec);
  },

  getGatewayResponse(input, ctx) {
    requireApi(ctx, input.restApiId);
    return resolveGatewayResponse(input.responseType, setResponses(ctx, input.restApiId));
  },

  getGatewayResponses(input, ctx) {
    requireApi(ctx, input.restApiId);
    const set = setResponses(ctx, input.restApiId);
    const all = GATEWAY_RESPONSE_TYPES.map((t) => resolveGatewayResponse(t, set));
    const { items, position } = page("GetGatewayResponses", all, (g) => g.responseType as string, input, input.restApiId);
    return { items, ...(position ? { position } : {}) };
  },

  updateGatewayResponse,

  deleteGatewayResponse(input, ctx) {
    requireApi(ctx, input.restApiId);
    if (!tables(ctx).gatewayResponses.delete(`${input.restApiId}/${input.responseType}`))
      throw new NotFoundException("Gateway response type not defined on api");
    return {};
  },
} satisfies Partial<ApiGatewayApi>;
