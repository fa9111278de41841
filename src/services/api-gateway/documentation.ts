// Documentation parts and versions of a REST API, kept as data: CreateDocumentationPart and its Get/Update/Delete,
// ImportDocumentationParts (an OpenAPI body's x-amazon-apigateway-documentation, merge or overwrite), and
// documentation versions (a snapshot of the parts, optionally tied to a stage's documentationVersion).
import type { HandlerContext } from "../../core/context.js";
import {
  type ApiGatewayApi,
  BadRequestException,
  ConflictException,
  type DocumentationPart,
  type DocumentationPartLocation,
  NotFoundException,
} from "./api.generated.js";
import { requireApi } from "./common.js";
import { applyPatches, page, replaceOnly } from "./data-patch.js";
import { isObj, readDefinition } from "./openapi/read.js";
import { type ApiGatewayTables, type DocumentationPartRec, newId, tables, transaction } from "./state.js";

const TYPES = new Set([
  "API",
  "AUTHORIZER",
  "MODEL",
  "RESOURCE",
  "METHOD",
  "PATH_PARAMETER",
  "QUERY_PARAMETER",
  "REQUEST_HEADER",
  "REQUEST_BODY",
  "RESPONSE",
  "RESPONSE_HEADER",
  "RESPONSE_BODY",
]);
/** The location fields each type takes (AWS's DocumentationPartLocation reference); `name` is required where listed. */
const FIELDS: Record<string, { path?: true; method?: true; statusCode?: true; name?: true }> = {
  API: {},
  AUTHORIZER: { name: true },
  MODEL: { name: true },
  RESOURCE: { path: true },
  METHOD: { path: true, method: true },
  PATH_PARAMETER: { path: true, method: true, name: true },
  QUERY_PARAMETER: { path: true, method: true, name: true },
  REQUEST_HEADER: { path: true, method: true, name: true },
  REQUEST_BODY: { path: true, method: true },
  RESPONSE: { path: true, method: true, statusCode: true },
  RESPONSE_HEADER: { path: true, method: true, statusCode: true, name: true },
  RESPONSE_BODY: { path: true, method: true, statusCode: true },
};

/** A location as AWS keeps it: the type's fields only, path "/" and method/statusCode "*" by default. */
function normalise(loc: DocumentationPartLocation | undefined): DocumentationPartLocation {
  const type = loc?.type;
  if (!type || !TYPES.has(type)) throw new BadRequestException(`Invalid documentation part location type: ${type ?? "null"}`); // unverified wording
  const f = FIELDS[type];
  for (const k of ["path", "method", "statusCode", "name"] as const)
    if (loc[k] !== undefined && !f[k]) throw new BadRequestException(`Invalid location: ${k} is not applicable to type ${type}`); // unverified wording
  if (f.name && !loc.name) throw new BadRequestException(`Invalid location: name must be specified for type ${type}`); // unverified wording
  return {
    type,
    ...(f.path ? { path: loc.path ?? "/" } : {}),
    ...(f.method ? { method: loc.method ?? "*" } : {}),
    ...(f.statusCode ? { statusCode: loc.statusCode ?? "*" } : {}),
    ...(f.name ? { name: loc.name } : {}),
  };
}

const sameLocation = (a: DocumentationPartLocation, b: DocumentationPartLocation) =>
  a.type === b.type && a.path === b.path && a.method === b.method && a.statusCode === b.statusCode && a.name === b.name;

function checkProperties(properties: string | undefined): string {
  if (!properties) throw new BadRequestException("Documentation part properties must be non-empty"); // wording as LocalStack's parity tests
  try {
    if (!isObj(JSON.parse(properties))) throw new Error("not an object");
  } catch {
    throw new BadRequestException("Documentation part properties must be a valid JSON object"); // unverified wording
  }
  return properties;
}

const partsOf = (t: ApiGatewayTables, apiId: string) => t.docParts.list({ prefix: `${apiId}/` }).map((e) => e.value);
const partOut = (p: DocumentationPartRec): DocumentationPart => ({ id: p.id, location: p.location, properties: p.properties });

function getPart(ctx: HandlerContext, t: ApiGatewayTables, restApiId: string, id: string): DocumentationPartRec {
  requireApi(ctx, restApiId);
  const p = t.docParts.get(`${restApiId}/${id}`);
  if (!p) throw new NotFoundException("Invalid Documentation part identifier specified");
  return p;
}

function getVersion(ctx: HandlerContext, t: ApiGatewayTables, restApiId: string, version: string) {
  requireApi(ctx, restApiId);
  const v = t.docVersions.get(`${restApiId}/${version}`);
  if (!v) throw new NotFoundException("Invalid Documentation version identifier specified"); // unverified wording
  return v;
}

const versionOut = (v: { version: string; createdDate: number; description?: string }) => ({
  version: v.version,
  createdDate: new Date(v.createdDate),
  ...(v.description ? { description: v.description } : {}),
});

export type ImportedPart = Omit<DocumentationPartRec, "id">;

/** An x-amazon-apigateway-documentation's parts, checked as CreateDocumentationPart checks them; a bad one is a warning. */
export function documentationOf(raw: unknown[]): { parts: ImportedPart[]; warnings: string[] } {
  const warnings: string[] = [];
  const parts: ImportedPart[] = [];
  for (const [i, r] of raw.entries()) {
    try {
      if (!isObj(r)) throw new BadRequestException("not an object");
      const properties = typeof r.properties === "string" ? r.properties : JSON.stringify(r.properties ?? {});
      parts.push({ location: normalise(r.location as DocumentationPartLocation), properties: checkProperties(properties) });
    } catch (e) {
      warnings.push(`Documentation part ${i} skipped: ${(e as Error).message}`); // unverified wording
    }
  }
  return { parts, warnings };
}

/** Writes imported parts (inside the caller's transaction): overwrite replaces all, merge replaces by location. */
export function writeDocumentation(t: ApiGatewayTables, apiId: string, parts: ImportedPart[], mode: "merge" | "overwrite"): string[] {
  const existing = partsOf(t, apiId);
  if (mode === "overwrite") for (const p of existing) t.docParts.delete(`${apiId}/${p.id}`);
  return parts.map((p) => {
    const same = mode === "merge" ? existing.find((e) => sameLocation(e.location, p.location)) : undefined;
    const rec: DocumentationPartRec = { id: same?.id ?? newId(6), ...p };
    t.docParts.put(`${apiId}/${rec.id}`, rec);
    return rec.id;
  });
}

export const documentation = {
  createDocumentationPart(input, ctx) {
    const t = tables(ctx);
    requireApi(ctx, input.restApiId);
    const location = normalise(input.location);
    const properties = checkProperties(input.properties);
    if (partsOf(t, input.restApiId).some((p) => sameLocation(p.location, location)))
      // unverified wording
      throw new ConflictException(
        `Documentation part already exists for the specified location: ${(["type", "path", "method", "statusCode", "name"] as const)
          .filter((k) => location[k] !== undefined)
          .map((k) => `${k} '${location[k]}'`)
          .join(", ")}.`,
      );
    const rec: DocumentationPartRec = { id: newId(6), location, properties };
    t.docParts.put(`${input.restApiId}/${rec.id}`, rec);
    return partOut(rec);
  },

  getDocumentationPart(input, ctx) {
    return partOut(getPart(ctx, tables(ctx), input.restApiId, input.documentationPartId));
  },

  getDocumentationParts(input, ctx) {
    const t = tables(ctx);
    requireApi(ctx, input.restApiId);
    const q = input.nameQuery?.toLowerCase();
    const items = partsOf(t, input.restApiId).filter(
      (p) =>
        (!input.type || p.location.type === input.type) &&
        (!input.path || p.location.path === input.path) &&
        (q === undefined || (p.location.name ?? "").toLowerCase().includes(q)),
    );
    const out = page("GetDocumentationParts", items, (p) => p.id, input.position, input.limit);
    return { ...out, items: out.items.map(partOut) };
  },

  updateDocumentationPart(input, ctx) {
    const t = tables(ctx);
    const p = { ...getPart(ctx, t, input.restApiId, input.documentationPartId) };
    applyPatches(input.patchOperations, { "/properties": replaceOnly("/properties", (v) => (p.properties = checkProperties(v))) });
    t.docParts.put(`${input.restApiId}/${p.id}`, p);
    return partOut(p);
  },

  deleteDocumentationPart(input, ctx) {
    const t = tables(ctx);
    getPart(ctx, t, input.restApiId, input.documentationPartId);
    t.docParts.delete(`${input.restApiId}/${input.documentationPartId}`);
    return {};
  },

  importDocumentationParts(input, ctx) {
    const t = tables(ctx);
    requireApi(ctx, input.restApiId);
    const mode = input.mode ?? "merge";
    if (mode !== "merge" && mode !== "overwrite") throw new BadRequestException('Enumeration value of OpenAPI import mode must be "overwrite" or "merge"');
    const { doc } = readDefinition(input.body);
    const ext = doc["x-amazon-apigateway-documentation"];
    const { parts, warnings } = documentationOf(isObj(ext) && Array.isArray(ext.documentationParts) ? ext.documentationParts : []);
    if (input.failOnWarnings && warnings.length) throw new BadRequestException(`Warnings found during import:\n\t${warnings.join("\n\t")}`);
    const ids = transaction(ctx, () => writeDocumentation(t, input.restApiId, parts, mode));
    return { ids, ...(warnings.length ? { warnings } : {}) };
  },

  createDocumentationVersion(input, ctx) {
    const t = tables(ctx);
    requireApi(ctx, input.restApiId);
    const key = `${input.restApiId}/${input.documentationVersion}`;
    if (!input.documentationVersion) throw new BadRequestException("Documentation version must be non-empty"); // unverified wording
    if (t.docVersions.has(key)) throw new ConflictException("Documentation version already exists"); // unverified wording
    const stageKey = input.stageName ? `${input.restApiId}/${input.stageName}` : undefined;
    const stage = stageKey ? t.stages.get(stageKey) : undefined;
    if (stageKey && !stage) throw new NotFoundException("Invalid Stage identifier specified");
    const rec = {
      version: input.documentationVersion,
      createdDate: ctx.now(),
      ...(input.description ? { description: input.description } : {}),
      parts: partsOf(t, input.restApiId),
    };
    transaction(ctx, () => {
      t.docVersions.put(key, rec);
      if (stageKey && stage) t.stages.put(stageKey, { ...stage, documentationVersion: rec.version, lastUpdatedDate: ctx.now() });
    });
    return versionOut(rec);
  },

  getDocumentationVersion(input, ctx) {
    return versionOut(getVersion(ctx, tables(ctx), input.restApiId, input.documentationVersion));
  },

  getDocumentationVersions(input, ctx) {
    const t = tables(ctx);
    requireApi(ctx, input.restApiId);
    const all = t.docVersions.list({ prefix: `${input.restApiId}/` }).map((e) => e.value);
    const out = page("GetDocumentationVersions", all, (v) => v.version, input.position, input.limit);
    return { ...out, items: out.items.map(versionOut) };
  },

  updateDocumentationVersion(input, ctx) {
    const t = tables(ctx);
    const v = { ...getVersion(ctx, t, input.restApiId, input.documentationVersion) };
    applyPatches(input.patchOperations, {
      "/description": replaceOnly("/description", (d) => {
        if (d) v.description = d;
        else delete v.description;
      }),
    });
    t.docVersions.put(`${input.restApiId}/${v.version}`, v);
    return versionOut(v);
  },

  deleteDocumentationVersion(input, ctx) {
    const t = tables(ctx);
    getVersion(ctx, t, input.restApiId, input.documentationVersion);
    t.docVersions.delete(`${input.restApiId}/${input.documentationVersion}`);
    return {};
  },
} satisfies Partial<ApiGatewayApi>;
