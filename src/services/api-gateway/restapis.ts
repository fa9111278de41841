// REST APIs: CreateRestApi (with its root resource "/", optionally a clone of another API), GetRestApi(s),
// UpdateRestApi by patch, DeleteRestApi (everything below the API, and its entry in the global index the
// execute-api endpoint finds APIs by). Wording: AWS's, as recorded in LocalStack's test_apigateway_api snapshots.
import type { HandlerContext } from "../../core/context.js";
import { BadRequestException } from "./api.generated.js";
import type { ApiGatewayApi, CreateRestApiRequest, EndpointConfiguration, RestApi } from "./api.generated.js";
import { defined, deleteOfApi, ofApi, page, requireApi } from "./common.js";
import { applyPatch, invalidPatchOp, type PatchSpec } from "./patch.js";
import { dropIndex, indexAll } from "./resource-tree.js";
import { apiIndex, newId, tables, transaction, type ApiGatewayTables, type ModelRec, type ResourceRec, type RestApiRec } from "./state.js";

const MAX_COMPRESSION = 10_485_760;
const ENDPOINT_TYPES = ["REGIONAL", "EDGE", "PRIVATE"];

// The models every new API has (what GetModels answers on AWS for a new API; the schemas' exact whitespace is
// unverified wording).
const DEFAULT_MODELS: Omit<ModelRec, "id">[] = [
  {
    name: "Empty",
    contentType: "application/json",
    description: "This is a default empty schema model",
    schema: '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title" : "Empty Schema",\n  "type" : "object"\n}',
  },
  {
    name: "Error",
    contentType: "application/json",
    description: "This is a default error schema model",
    schema:
      '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n  "title" : "Error Schema",\n  "type" : "object",\n  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}',
  },
];

const compressionError = () => new BadRequestException(`Invalid minimum compression size, must be between 0 and ${MAX_COMPRESSION}`);

function checkCompression(n: unknown): unknown {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_COMPRESSION) throw compressionError();
  return n;
}

/** The endpoint configuration AWS stores: EDGE by default, ipv4 (dualstack for PRIVATE, which allows nothing else). */
function endpointConfiguration(input: EndpointConfiguration | undefined): EndpointConfiguration {
  const types = input?.types ?? ["EDGE"];
  if (types.length > 1) throw new BadRequestException("Cannot create an api with multiple Endpoint Types.");
  if (types.length === 0) throw new BadRequestException("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.");
  return checkEndpoint({ ...input, types, ipAddressType: input?.ipAddressType ?? (types[0] === "PRIVATE" ? "dualstack" : "ipv4") });
}

function checkEndpoint(c: EndpointConfiguration): EndpointConfiguration {
  if (c.types?.some((t) => !ENDPOINT_TYPES.includes(t)))
    throw new BadRequestException("Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE");
  if (c.ipAddressType !== undefined && c.ipAddressType !== "ipv4" && c.ipAddressType !== "dualstack")
    throw new BadRequestException("ipAddressType must be either ipv4 or dualstack.");
  if (c.types?.[0] === "PRIVATE" && c.ipAddressType === "ipv4") throw new BadRequestException("Only dualstack ipAddressType is supported for Private APIs.");
  return c;
}

/** A REST API as AWS answers it: only what is set (no empty lists, no tags when there are none). */
export function restApiOut(api: RestApiRec): RestApi {
  return defined({
    id: api.id,
    name: api.name,
    description: api.description,
    createdDate: new Date(api.createdDate),
    version: api.version,
    warnings: api.warnings?.length ? api.warnings : undefined,
    binaryMediaTypes: api.binaryMediaTypes?.length ? api.binaryMediaTypes : undefined,
    minimumCompressionSize: api.minimumCompressionSize,
    apiKeySource: api.apiKeySource,
    endpointConfiguration: api.endpointConfiguration,
    policy: api.policy,
    tags: Object.keys(api.tags).length ? api.tags : undefined,
    disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
    rootResourceId: api.rootResourceId,
  });
}

/** Copies another API's definitions into a new one (CreateRestApi's cloneFrom): new ids, references kept. */
function cloneInto(t: ApiGatewayTables, fromId: string, to: RestApiRec): void {
  const ids = new Map<string, string>();
  const newIdFor = (old: string, length: number) => {
    let id = ids.get(old);
    if (!id) ids.set(old, (id = newId(length)));
    return id;
  };
  for (const a of ofApi(t.authorizers, fromId)) t.authorizers.put(`${to.id}/${newIdFor(a.id, 6)}`, { ...a, id: newIdFor(a.id, 6) });
  for (const v of ofApi(t.validators, fromId)) t.validators.put(`${to.id}/${newIdFor(v.id, 6)}`, { ...v, id: newIdFor(v.id, 6) });
  for (const m of ofApi(t.models, fromId)) t.models.put(`${to.id}/${m.name}`, { ...m, id: newId(6) });
  for (const g of ofApi(t.gatewayResponses, fromId)) t.gatewayResponses.put(`${to.id}/${g.responseType}`, g);
  const resources = ofApi(t.resources, fromId);
  const root = resources.find((r) => r.path === "/");
  if (root) ids.set(root.id, to.rootResourceId);
  const copies: ResourceRec[] = [];
  for (const r of resources) {
    const methods = structuredClone(r.resourceMethods);
    for (const m of Object.values(methods)) {
      if (m.authorizerId) m.authorizerId = ids.get(m.authorizerId) ?? m.authorizerId;
      if (m.requestValidatorId) m.requestValidatorId = ids.get(m.requestValidatorId) ?? m.requestValidatorId;
    }
    const id = newIdFor(r.id, 6);
    const rec: ResourceRec = { ...r, id, resourceMethods: methods, ...(r.parentId ? { parentId: newIdFor(r.parentId, 6) } : {}) };
    if (methods) for (const m of Object.values(methods)) if (m.methodIntegration?.cacheNamespace === r.id) m.methodIntegration.cacheNamespace = id;
    t.resources.put(`${to.id}/${id}`, rec);
    copies.push(rec);
  }
  indexAll(t, to.id, copies);
}

function createRestApi(input: CreateRestApiRequest, ctx: HandlerContext): RestApi {
  if (input.description === "") throw new BadRequestException("Description cannot be an empty string");
  if (input.minimumCompressionSize !== undefined) checkCompression(input.minimumCompressionSize);
  const t = tables(ctx);
  if (input.cloneFrom !== undefined) requireApi(ctx, input.cloneFrom);
  const index = apiIndex(ctx);
  let id = newId();
  while (index.has(id)) id = newId();
  const api: RestApiRec = defined({
    id,
    name: input.name,
    description: input.description,
    createdDate: ctx.now(),
    version: input.version,
    binaryMediaTypes: input.binaryMediaTypes?.length ? input.binaryMediaTypes : undefined,
    minimumCompressionSize: input.minimumCompressionSize,
    apiKeySource: input.apiKeySource ?? "HEADER",
    endpointConfiguration: endpointConfiguration(input.endpointConfiguration),
    policy: input.policy,
    tags: input.tags ?? {},
    disableExecuteApiEndpoint: input.disableExecuteApiEndpoint ?? false,
    rootResourceId: newId(10),
  });
  transaction(ctx, () => {
    t.apis.put(id, api);
    index.put(id, { account: ctx.account, region: ctx.region });
    if (input.cloneFrom !== undefined) cloneInto(t, input.cloneFrom, api);
    else {
      const root: ResourceRec = { id: api.rootResourceId, path: "/", resourceMethods: {} };
      t.resources.put(`${id}/${api.rootResourceId}`, root);
      indexAll(t, id, [root]);
      for (const m of DEFAULT_MODELS) t.models.put(`${id}/${m.name}`, { ...m, id: newId(6) });
    }
  });
  return restApiOut(api);
}

const REST_API_PATCH: PatchSpec = {
  name: { kind: "string", ops: ["replace"] },
  description: { kind: "string", ops: ["replace"] },
  version: { kind: "string", ops: ["replace"] },
  policy: { kind: "string", ops: ["replace"] },
  apiKeySource: {
    kind: "string",
    ops: ["replace"],
    check: (v) => {
      // unverified wording
      if (v !== "HEADER" && v !== "AUTHORIZER")
        throw new BadRequestException(`Invalid API Key Source specified: ${String(v)}. Valid options are HEADER,AUTHORIZER`);
      return v;
    },
  },
  disableExecuteApiEndpoint: { kind: "boolean", ops: ["replace"] },
  minimumCompressionSize: { kind: "integer", ops: ["replace"], check: checkCompression, invalid: compressionError },
  binaryMediaTypes: { kind: "list", ops: ["add", "remove", "replace"] },
  "endpointConfiguration/types": { kind: "list", ops: ["add", "remove", "replace"] },
  "endpointConfiguration/ipAddressType": { kind: "string", ops: ["replace"] },
  "endpointConfiguration/vpcEndpointIds": { kind: "list", ops: ["add", "remove", "replace"] },
};

export const restApis = {
  createRestApi,

  getRestApi(input, ctx) {
    return restApiOut(requireApi(ctx, input.restApiId));
  },

  getRestApis(input, ctx) {
    const all = tables(ctx)
      .apis.list()
      .map((e) => e.value);
    const { items, position } = page("GetRestApis", all, (a) => a.id, input);
    return { items: items.map(restApiOut), ...(position ? { position } : {}) };
  },

  updateRestApi(input, ctx) {
    const api = requireApi(ctx, input.restApiId);
    // An empty minimumCompressionSize turns compression off.
    const ops = (input.patchOperations ?? []).map((op) =>
      op.path === "/minimumCompressionSize" && op.op === "replace" && (op.value === undefined || op.value === "") ? { ...op, value: undefined } : op,
    );
    const next = applyPatch(api, ops, REST_API_PATCH, {
      // AWS words the endpoint types' refusal its own way (recorded in test_apigateway_api).
      invalidOp: (op, allowed) =>
        op.path?.startsWith("/endpointConfiguration/types")
          ? new BadRequestException("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
          : invalidPatchOp(op, allowed),
    });
    next.endpointConfiguration = checkEndpoint(next.endpointConfiguration);
    if (next.binaryMediaTypes && !next.binaryMediaTypes.length) delete next.binaryMediaTypes;
    tables(ctx).apis.put(api.id, next);
    return restApiOut(next);
  },

  deleteRestApi(input, ctx) {
    requireApi(ctx, input.restApiId);
    const t = tables(ctx);
    const id = input.restApiId;
    transaction(ctx, () => {
      for (const table of [t.resources, t.deployments, t.stages, t.authorizers, t.models, t.validators, t.gatewayResponses, t.docParts, t.docVersions] as const)
        deleteOfApi(table, id);
      dropIndex(t, id);
      t.apis.delete(id);
      apiIndex(ctx).delete(id);
    });
    return {};
  },
} satisfies Partial<ApiGatewayApi>;
