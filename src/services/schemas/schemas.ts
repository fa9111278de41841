// Schemas and their versions: Create/Update (a new version only when the content changes), Describe (a version, the
// latest by default), List (SchemaNamePrefix), ListSchemaVersions, Delete/DeleteSchemaVersion, SearchSchemas and
// ExportSchema.
import type { HandlerContext } from "../../core/context.js";
import type { SchemasApi, SchemaSummary, SearchSchemaSummary, Type } from "./api.generated.js";
import { checkContent, exportDraft4, sameContent } from "./content.js";
import { mustRegistry, ownRegistry } from "./registries.js";
import { addVersion, deleteSchemaRecords, findSchema, mustSchema, mustVersion, schemasOf } from "./schema-store.js";
import {
  badRequest,
  conflict,
  DISCOVERED_REGISTRY,
  page,
  schemaArn,
  tables,
  transaction,
  versionKey,
  type SchemaRec,
  type SchemasInstance,
  type VersionRec,
} from "./state.js";

const TYPES: readonly string[] = ["OpenApi3", "JSONSchemaDraft4"];
const checkType = (t: string): Type => {
  if (!TYPES.includes(t)) throw badRequest(`Invalid Type ${t}. Valid values are OpenApi3 and JSONSchemaDraft4.`); // unverified wording
  return t as Type;
};

const NAME = /^[.\-_A-Za-z@0-9]{1,385}$/;

function output(ctx: HandlerContext, s: SchemaRec, v: VersionRec) {
  return {
    Description: s.description,
    LastModified: new Date(s.lastModified),
    SchemaArn: schemaArn(ctx, s.registry, s.name),
    SchemaName: s.name,
    SchemaVersion: String(v.version),
    Tags: s.tags,
    Type: v.type,
    VersionCreatedDate: new Date(v.created),
  };
}

export const schemas = {
  createSchema(input, ctx) {
    const r = ownRegistry(ctx, input.RegistryName);
    const type = checkType(input.Type);
    if (!NAME.test(input.SchemaName)) throw badRequest("Schema name must match ^[\\.\\-_A-Za-z@0-9]+$ and be at most 385 characters."); // unverified wording
    if (findSchema(ctx, r.name, input.SchemaName)) throw conflict(`Schema with name ${input.SchemaName} already exists.`); // unverified wording
    checkContent(type, input.Content);
    const now = ctx.now();
    const s: SchemaRec = {
      registry: r.name,
      name: input.SchemaName,
      description: input.Description,
      tags: input.Tags ?? {},
      type,
      latest: 0,
      versions: [],
      lastModified: now,
    };
    const v = transaction(ctx, () => addVersion(tables(ctx), s, type, input.Content, now));
    return output(ctx, s, v);
  },
  updateSchema(input, ctx) {
    const r = ownRegistry(ctx, input.RegistryName);
    const s = mustSchema(ctx, r.name, input.SchemaName);
    const current = mustVersion(ctx, s, undefined);
    const type = input.Type === undefined ? current.type : checkType(input.Type);
    if (input.Type !== undefined && input.Content === undefined) throw badRequest("Content is required when Type is given."); // unverified wording
    const t = tables(ctx);
    const now = ctx.now();
    let v = current;
    transaction(ctx, () => {
      if (input.Description !== undefined) s.description = input.Description;
      if (input.Content !== undefined) {
        checkContent(type, input.Content);
        if (type !== current.type || !sameContent(input.Content, current.content)) v = addVersion(t, s, type, input.Content, now);
      }
      if (v === current) {
        s.lastModified = input.Description !== undefined ? now : s.lastModified;
        t.schemas.put(`${s.registry}|${s.name}`, s);
      }
    });
    return output(ctx, s, v);
  },
  describeSchema(input, ctx) {
    const s = mustSchema(ctx, mustRegistry(ctx, input.RegistryName).name, input.SchemaName);
    const v = mustVersion(ctx, s, input.SchemaVersion);
    return { ...output(ctx, s, v), Content: v.content };
  },
  listSchemas(input, ctx) {
    const r = mustRegistry(ctx, input.RegistryName);
    const prefix = input.SchemaNamePrefix ?? "";
    const all = schemasOf(ctx, r.name).filter((s) => s.name.startsWith(prefix));
    const p = page("ListSchemas", all, (s) => s.name, input, `${r.name}|${prefix}`);
    const Schemas: SchemaSummary[] = p.items.map((s) => ({
      LastModified: new Date(s.lastModified),
      SchemaArn: schemaArn(ctx, s.registry, s.name),
      SchemaName: s.name,
      Tags: s.tags,
      VersionCount: s.versions.length,
    }));
    return { Schemas, NextToken: p.next };
  },
  listSchemaVersions(input, ctx) {
    const s = mustSchema(ctx, mustRegistry(ctx, input.RegistryName).name, input.SchemaName);
    // Newest first (the AWS CLI's list-schema-versions example); the page token is the version's zero-padded number, reversed.
    const desc = [...s.versions].reverse().map((n) => ({ n, key: String(9_999_999_999 - n).padStart(10, "0") }));
    const p = page("ListSchemaVersions", desc, (x) => x.key, input, `${s.registry}|${s.name}`);
    const arn = schemaArn(ctx, s.registry, s.name);
    const types = new Map<number, Type>();
    for (const { n } of p.items) types.set(n, mustVersion(ctx, s, String(n)).type);
    return {
      SchemaVersions: p.items.map(({ n }) => ({ SchemaArn: arn, SchemaName: s.name, SchemaVersion: String(n), Type: types.get(n) })),
      NextToken: p.next,
    };
  },
  deleteSchema(input, ctx) {
    const r = ownRegistry(ctx, input.RegistryName);
    const s = mustSchema(ctx, r.name, input.SchemaName);
    transaction(ctx, () => deleteSchemaRecords(tables(ctx), s));
    if (s.registry === DISCOVERED_REGISTRY) ctx.instance<SchemasInstance | undefined>()?.forget(ctx.account, ctx.region, s.name);
    return {};
  },
  deleteSchemaVersion(input, ctx) {
    const r = ownRegistry(ctx, input.RegistryName);
    const s = mustSchema(ctx, r.name, input.SchemaName);
    const v = mustVersion(ctx, s, input.SchemaVersion);
    const t = tables(ctx);
    transaction(ctx, () => {
      if (s.versions.length === 1) return deleteSchemaRecords(t, s); // its only version: the schema goes with it
      t.versions.delete(versionKey(s.registry, s.name, v.version));
      for (const b of t.bindings.list({ prefix: `${s.registry}|${s.name}|${v.version}|` })) t.bindings.delete(b.key);
      s.versions = s.versions.filter((n) => n !== v.version);
      t.schemas.put(`${s.registry}|${s.name}`, s);
    });
    if (s.registry === DISCOVERED_REGISTRY) ctx.instance<SchemasInstance | undefined>()?.forget(ctx.account, ctx.region, s.name);
    return {};
  },
  searchSchemas(input, ctx) {
    const r = mustRegistry(ctx, input.RegistryName);
    // Any of the space-separated keywords, anywhere in the schema's name, letter case aside (the AWS CLI's
    // search-schemas example: "first second" finds first-schema and second-schema).
    const words = input.Keywords.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) throw badRequest("Keywords must not be empty."); // unverified wording
    const found = schemasOf(ctx, r.name).filter((s) => words.some((w) => s.name.toLowerCase().includes(w)));
    const p = page("SearchSchemas", found, (s) => s.name, input, `${r.name}|${words.join(" ")}`);
    const Schemas: SearchSchemaSummary[] = p.items.map((s) => ({
      RegistryName: r.name,
      SchemaArn: schemaArn(ctx, s.registry, s.name),
      SchemaName: s.name,
      SchemaVersions: [...s.versions].reverse().map((n) => {
        const v = mustVersion(ctx, s, String(n));
        return { CreatedDate: new Date(v.created), SchemaVersion: String(n), Type: v.type };
      }),
    }));
    return { Schemas, NextToken: p.next };
  },
  exportSchema(input, ctx) {
    const s = mustSchema(ctx, mustRegistry(ctx, input.RegistryName).name, input.SchemaName);
    // "You may only export a schema in JSONSchemaDraft4 format" (the AWS CLI's export-schema example).
    if (input.Type !== "JSONSchemaDraft4") throw badRequest(`Invalid Type ${input.Type}. Schemas can only be exported as JSONSchemaDraft4.`); // unverified wording
    const v = mustVersion(ctx, s, input.SchemaVersion);
    return {
      Content: exportDraft4(v.type, v.content),
      SchemaArn: schemaArn(ctx, s.registry, s.name),
      SchemaName: s.name,
      SchemaVersion: String(v.version),
      Type: "JSONSchemaDraft4",
    };
  },
} satisfies Partial<SchemasApi>;
