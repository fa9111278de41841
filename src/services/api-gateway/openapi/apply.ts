// Writing a Definition (definition.ts) into an API's tables, as ImportRestApi (a new API) and PutRestApi
// (overwrite: the definition replaces the API's resources, methods, models, validators, authorizers and gateway
// responses; merge: it is added to them, what it names anew replacing what was there) leave the API. The records are
// the shapes the control plane writes (state.ts), so the Get* operations and deployments read them as their own.
import type { HandlerContext } from "../../../core/context.js";
import type { Method } from "../api.generated.js";
import { type ApiGatewayTables, apiIndex, newId, type ResourceRec, type RestApiRec, tables, transaction } from "../state.js";
import { type ImportedPart, writeDocumentation } from "../documentation.js";
import { indexAll } from "../resource-tree.js";
import type { Definition, DefinedModel } from "./definition.js";
import { isObj, type Json, refName } from "./read.js";

export type PutMode = "overwrite" | "merge";

const byApi = <T>(table: { list(o: { prefix: string }): { key: string; value: T }[] }, apiId: string) => table.list({ prefix: `${apiId}/` });

/** A model's schema as API Gateway keeps it: $refs to other models become the API's model URLs. */
function modelSchema(apiId: string, schema: Json): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObj(v)) return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const name = k === "$ref" ? refName(x) : undefined;
      out[k] = name ? `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}` : walk(x);
    }
    return out;
  };
  return JSON.stringify(walk(schema));
}

function writeModels(t: ApiGatewayTables, apiId: string, models: DefinedModel[], mode: PutMode): void {
  if (mode === "overwrite") for (const e of byApi(t.models, apiId)) t.models.delete(e.key);
  for (const m of models) {
    const key = `${apiId}/${m.name}`;
    const id = t.models.get(key)?.id ?? newId(6);
    t.models.put(key, {
      id,
      name: m.name,
      contentType: m.contentType,
      schema: modelSchema(apiId, m.schema),
      ...(m.description ? { description: m.description } : {}),
    });
  }
}

/** Writes named records (authorizers, validators) keeping the id of one the API already has by that name. */
function writeNamed<T extends { id: string; name?: string }>(
  table: { list(o: { prefix: string }): { key: string; value: T }[]; put(k: string, v: T): void; delete(k: string): boolean },
  apiId: string,
  items: Omit<T, "id">[],
  mode: PutMode,
): Map<string, string> {
  const existing = byApi(table, apiId);
  if (mode === "overwrite") for (const e of existing) table.delete(e.key);
  const ids = new Map<string, string>();
  if (mode === "merge") for (const e of existing) if (e.value.name) ids.set(e.value.name, e.value.id);
  for (const item of items) {
    const name = item.name as string;
    const id = (mode === "merge" ? ids.get(name) : undefined) ?? newId(6);
    ids.set(name, id);
    table.put(`${apiId}/${id}`, { ...item, id } as T);
  }
  return ids;
}

/** Creates the resources a path needs below the root (those not there yet) and answers the path's resource. */
function ensurePath(byPath: Map<string, ResourceRec>, path: string): ResourceRec {
  const found = byPath.get(path);
  if (found) return found;
  const cut = path.lastIndexOf("/");
  const parent = ensurePath(byPath, cut <= 0 ? "/" : path.slice(0, cut));
  const rec: ResourceRec = { id: newId(6), parentId: parent.id, pathPart: path.slice(cut + 1), path, resourceMethods: {} };
  byPath.set(path, rec);
  return rec;
}

/** Writes the definition into the API (already in its table); answers the API record as it now stands. */
export function applyDefinition(ctx: HandlerContext, api: RestApiRec, def: Definition, mode: PutMode, documentation?: ImportedPart[]): RestApiRec {
  const t = tables(ctx);
  return transaction(ctx, () => {
    const apiId = api.id;
    const next: RestApiRec = { ...api };
    if (def.name) next.name = def.name;
    for (const k of ["description", "version", "binaryMediaTypes", "policy", "minimumCompressionSize"] as const) {
      if (def[k] !== undefined) (next as unknown as Json)[k] = def[k];
      else if (mode === "overwrite") delete next[k];
    }
    if (def.apiKeySource) next.apiKeySource = def.apiKeySource;
    if (def.endpointConfiguration) {
      const ec = { ...next.endpointConfiguration, ...def.endpointConfiguration };
      // A private API is dual-stack only (the control plane's rule for CreateRestApi).
      if (ec.types?.[0] === "PRIVATE") ec.ipAddressType = "dualstack";
      next.endpointConfiguration = ec;
    }
    if (def.disableExecuteApiEndpoint !== undefined) next.disableExecuteApiEndpoint = def.disableExecuteApiEndpoint;
    if (def.warnings.length) next.warnings = def.warnings;
    else delete next.warnings;
    t.apis.put(apiId, next);
    if (!apiIndex(ctx).has(apiId)) apiIndex(ctx).put(apiId, { account: ctx.account, region: ctx.region });

    writeModels(t, apiId, def.models, mode);
    const validatorIds = writeNamed(t.validators, apiId, def.validators, mode);
    const authorizerIds = writeNamed(t.authorizers, apiId, def.authorizers, mode);
    if (mode === "overwrite") for (const e of byApi(t.gatewayResponses, apiId)) t.gatewayResponses.delete(e.key);
    for (const g of def.gatewayResponses) t.gatewayResponses.put(`${apiId}/${g.responseType}`, g);

    // Resources: overwrite keeps only the root (without its methods); merge keeps everything.
    const byPath = new Map<string, ResourceRec>();
    for (const e of byApi(t.resources, apiId)) {
      if (mode === "overwrite" && e.value.id !== api.rootResourceId) t.resources.delete(e.key);
      else byPath.set(e.value.path, mode === "overwrite" ? { ...e.value, resourceMethods: {} } : e.value);
    }
    if (!byPath.has("/")) byPath.set("/", { id: api.rootResourceId, path: "/", resourceMethods: {} });
    for (const r of def.resources) {
      const rec = ensurePath(byPath, r.path);
      for (const [verb, defined] of Object.entries(r.methods)) {
        const { authorizerName, validatorName, ...method } = defined;
        const m: Method = { ...method };
        if (authorizerName) m.authorizerId = authorizerIds.get(authorizerName);
        if (validatorName) m.requestValidatorId = validatorIds.get(validatorName);
        if (m.methodIntegration && m.methodIntegration.cacheNamespace === undefined) m.methodIntegration = { ...m.methodIntegration, cacheNamespace: rec.id };
        rec.resourceMethods[verb] = m;
      }
    }
    if (documentation) writeDocumentation(t, apiId, documentation, mode);
    // A merge keeps methods pointing at authorizers and validators it kept; an overwrite dropped the old ones.
    for (const rec of byPath.values()) t.resources.put(`${apiId}/${rec.id}`, rec);
    indexAll(t, apiId, byPath.values());
    return next;
  });
}

/** A new API record for ImportRestApi, not yet written: applyDefinition writes it with its root and index entry. */
export function newApi(ctx: HandlerContext, name: string): RestApiRec {
  const t = tables(ctx);
  let id = newId(10);
  while (t.apis.has(id) || apiIndex(ctx).has(id)) id = newId(10);
  const api: RestApiRec = {
    id,
    name,
    createdDate: ctx.now(),
    apiKeySource: "HEADER",
    endpointConfiguration: { types: ["EDGE"], ipAddressType: "ipv4" },
    tags: {},
    disableExecuteApiEndpoint: false,
    rootResourceId: newId(10),
  };
  return api;
}
