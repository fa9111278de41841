// A schema's content: checked for its type when created or updated (OpenAPI 3's structure; JSON Schema draft 4 through
// ajv-draft-04, which compiles it), compared across versions by its JSON value (a new version only when that changes),
// and exported as JSON Schema draft 4 the way AWS exports an OpenAPI 3 schema (the AWS CLI's export-schema example for
// aws.ec2@EC2InstanceStateChangeNotification): the root schema's members at the top with `$schema` and `title` (the
// document's info.title) first, the other component schemas under `definitions` with their `$ref`s pointed there, and
// every other object's keys in alphabetical order.
import Ajv04Module from "ajv-draft-04";
import type { Type } from "./api.generated.js";
import { badRequest } from "./state.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

// A CommonJS module: under Node's ESM loader its class is the default export's own "default".
const Ajv04 = ((Ajv04Module as unknown as { default?: typeof Ajv04Module }).default ?? Ajv04Module) as unknown as new (
  opts: object,
) => { compile(schema: object): unknown };

function parse(content: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch {
    throw badRequest("Invalid Schema content. The content must be valid JSON."); // unverified wording
  }
  if (!isObject(doc)) throw badRequest("Invalid Schema content. The content must be a JSON object."); // unverified wording
  return doc;
}

/** Refuses content that is not a schema of its type, with AWS's BadRequestException. */
export function checkContent(type: Type, content: string): void {
  const doc = parse(content);
  if (type === "OpenApi3") {
    const problems: string[] = [];
    if (typeof doc.openapi !== "string" || !/^3\.\d+\.\d+$/.test(doc.openapi)) problems.push("attribute openapi is missing or is not 3.x.x");
    const info = doc.info;
    if (!isObject(info)) problems.push("attribute info is missing");
    else {
      if (typeof info.title !== "string") problems.push("attribute info.title is missing");
      if (typeof info.version !== "string") problems.push("attribute info.version is missing");
    }
    if (!isObject(doc.paths)) problems.push("attribute paths is missing");
    const components = doc.components;
    if (components !== undefined && !(isObject(components) && (components.schemas === undefined || isObject(components.schemas))))
      problems.push("attribute components.schemas is not an object");
    if (problems.length) throw badRequest(`Invalid OpenApi3 Schema: ${problems.join(", ")}.`); // unverified wording
    return;
  }
  try {
    new Ajv04({ strict: false, validateFormats: false, allErrors: false }).compile(doc);
  } catch (e) {
    throw badRequest(`Invalid JSONSchemaDraft4 Schema: ${(e as Error).message}`); // unverified wording
  }
}

/** Whether two contents are the same schema (whitespace and key order aside). */
export const sameContent = (a: string, b: string): boolean => canonical(JSON.parse(a)) === canonical(JSON.parse(b));

const canonical = (v: unknown): string => JSON.stringify(sortKeys(v));

/** Every object's keys in alphabetical order (Jackson's ORDER_MAP_ENTRIES_BY_KEYS); arrays keep theirs. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

/** The component schemas of an OpenAPI 3 document and the one the others hang from (AWSEvent, else the first). */
export function components(doc: Json): { schemas: Record<string, Json>; root: string | undefined } {
  const comps = isObject(doc.components) && isObject(doc.components.schemas) ? (doc.components.schemas as Record<string, Json>) : {};
  const names = Object.keys(comps);
  return { schemas: comps, root: names.includes("AWSEvent") ? "AWSEvent" : names[0] };
}

function retarget(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(retarget);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === "$ref" && typeof x === "string" ? x.replace("#/components/schemas/", "#/definitions/") : retarget(x);
  return out;
}

/** ExportSchema: the content as JSON Schema draft 4 (an OpenAPI 3 schema converted; a draft 4 schema as it is). */
export function exportDraft4(type: Type, content: string): string {
  if (type === "JSONSchemaDraft4") return content;
  const doc = JSON.parse(content) as Json;
  const { schemas, root } = components(doc);
  const title = isObject(doc.info) && typeof doc.info.title === "string" ? doc.info.title : root;
  const definitions: Json = {};
  for (const [name, s] of Object.entries(schemas)) if (name !== root) definitions[name] = retarget(s);
  const top = root ? (sortKeys(retarget(schemas[root])) as Json) : {};
  const out: Json = { $schema: "http://json-schema.org/draft-04/schema#", title };
  if (Object.keys(definitions).length) out.definitions = sortKeys(definitions);
  return JSON.stringify(Object.assign(out, top));
}
