// A schema and its versions as the handlers and the discoverers read and write them: aws.events' schemas synthesized
// from aws-events.generated.ts (version 1 of each, read-only), everyone else's from the store.
import type { HandlerContext } from "../../core/context.js";
import type { Type } from "./api.generated.js";
import { AWS_EVENT_SCHEMAS } from "./aws-events.generated.js";
import { AWS_REGISTRY, DISCOVERED_REGISTRY, notFound, schemaKey, tables, type SchemaRec, type Tables, type VersionRec, versionKey } from "./state.js";

/** When AWS published its event schemas; their one version's date. */
const AWS_SCHEMAS_DATE = Date.UTC(2019, 11, 1);

function awsSchema(name: string): SchemaRec | undefined {
  if (!Object.hasOwn(AWS_EVENT_SCHEMAS, name)) return undefined;
  return { registry: AWS_REGISTRY, name, tags: {}, type: "OpenApi3", latest: 1, versions: [1], lastModified: AWS_SCHEMAS_DATE };
}

export const awsSchemaNames = (): string[] => Object.keys(AWS_EVENT_SCHEMAS).sort();

export function findSchema(ctx: HandlerContext, registry: string, name: string): SchemaRec | undefined {
  return registry === AWS_REGISTRY ? awsSchema(name) : tables(ctx).schemas.get(schemaKey(registry, name));
}

/** Every schema of a registry, by name. */
export function schemasOf(ctx: HandlerContext, registry: string): SchemaRec[] {
  if (registry === AWS_REGISTRY) return awsSchemaNames().map((n) => awsSchema(n) as SchemaRec);
  return tables(ctx)
    .schemas.list({ prefix: `${registry}|` })
    .map((e) => e.value);
}

export function mustSchema(ctx: HandlerContext, registry: string, name: string): SchemaRec {
  const s = findSchema(ctx, registry, name);
  if (!s) throw notFound(`Schema with name ${name} does not exist in registry ${registry}.`); // unverified wording
  return s;
}

export const latestVersion = (s: SchemaRec): number => s.versions[s.versions.length - 1];

/** A version of the schema (the latest when none is asked for). */
export function mustVersion(ctx: HandlerContext, s: SchemaRec, asked: string | undefined): VersionRec {
  const n = asked === undefined ? latestVersion(s) : /^\d+$/.test(asked) ? Number(asked) : Number.NaN;
  const v = s.versions.includes(n) ? readVersion(ctx, s, n) : undefined;
  if (!v) throw notFound(`Schema version ${asked} of schema ${s.name} does not exist.`); // unverified wording
  return v;
}

function readVersion(ctx: HandlerContext, s: SchemaRec, n: number): VersionRec | undefined {
  if (s.registry === AWS_REGISTRY) return { version: 1, type: "OpenApi3", content: AWS_EVENT_SCHEMAS[s.name], created: s.lastModified };
  return tables(ctx).versions.get(versionKey(s.registry, s.name, n));
}

/** Adds the next version of a schema (a new schema when it has none) and writes both records. */
export function addVersion(t: Tables, s: SchemaRec, type: Type, content: string, now: number): VersionRec {
  const v: VersionRec = { version: s.latest + 1, type, content, created: now };
  s.latest = v.version;
  s.versions.push(v.version);
  s.type = type;
  s.lastModified = now;
  t.versions.put(versionKey(s.registry, s.name, v.version), v);
  t.schemas.put(schemaKey(s.registry, s.name), s);
  return v;
}

/** Deletes a schema's record, its versions and its code bindings. */
export function deleteSchemaRecords(t: Tables, s: SchemaRec): void {
  for (const v of s.versions) t.versions.delete(versionKey(s.registry, s.name, v));
  for (const b of t.bindings.list({ prefix: `${s.registry}|${s.name}|` })) t.bindings.delete(b.key);
  t.schemas.delete(schemaKey(s.registry, s.name));
  if (s.registry === DISCOVERED_REGISTRY) t.trees.delete(s.name);
}
