// CloudFormation's resource types, from models/cloudformation-types.json (scripts/codegen-cfn.ts imports it
// from @aws-cdk/aws-service-spec): which types AWS has, and for the services Stratus runs their properties,
// attributes, identifiers and which changes replace the resource; and the validation of a resource's resolved
// properties against them, worded as CloudFormation words its stack events.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { modelsDir } from "../../core/paths.js";

/** A property: its type string (see parseType) and only the flags that are set. */
export interface CfnProperty {
  t: string;
  required?: true;
  /** "yes": changing it replaces the resource (the registry schema's createOnlyProperties); "maybe": it may. */
  replace?: "yes" | "maybe";
  deprecated?: true;
}

export interface CfnSchema {
  props: Record<string, CfnProperty>;
  /** Complex property types by name, each its own properties. */
  defs?: Record<string, Record<string, CfnProperty>>;
  /** Fn::GetAtt names and their type strings. */
  attrs: Record<string, string>;
  /** The primary identifier's properties. */
  id: string[];
  /** The property holding the resource's tags. */
  tags?: string;
}

interface CfnTypes {
  schemas: Record<string, CfnSchema>;
  transforms: Record<string, string>;
  types: string[];
}

let data: { file: CfnTypes; names: Set<string> } | undefined;
function load() {
  if (!data) {
    const file = JSON.parse(readFileSync(join(modelsDir, "cloudformation-types.json"), "utf8")) as CfnTypes;
    data = { file, names: new Set(file.types) };
  }
  return data;
}

// A custom resource's type is "Custom::" and a name of up to 60 of these characters (AWS's
// AWS::CloudFormation::CustomResource documentation); it runs as AWS::CloudFormation::CustomResource.
const CUSTOM = /^Custom::[A-Za-z0-9_@-]{1,60}$/;
const CUSTOM_RESOURCE = "AWS::CloudFormation::CustomResource";
const isCustom = (type: string) => type === CUSTOM_RESOURCE || CUSTOM.test(type);

/** Whether AWS has the type; a template naming one it does not fails with "Unrecognized resource types: [X]". */
export function typeExists(type: string): boolean {
  return load().names.has(type) || CUSTOM.test(type);
}

/** The transform a type exists only under (SAM's AWS::Serverless::* need AWS::Serverless-2016-10-31). */
export function requiredTransform(type: string): string | undefined {
  return load().file.transforms[type];
}

/** The full schema, for the types of services Stratus runs; undefined for every other type. */
export function typeSchema(type: string): CfnSchema | undefined {
  return load().file.schemas[CUSTOM.test(type) ? CUSTOM_RESOURCE : type];
}

/** Fn::GetAtt names and their type strings; undefined for a type without a full schema. */
export function attributesOf(type: string): Record<string, string> | undefined {
  return typeSchema(type)?.attrs;
}

/** The properties whose change always replaces the resource (those that may are marked "maybe" in the schema). */
export function replacementProperties(type: string): string[] {
  const props = typeSchema(type)?.props ?? {};
  return Object.keys(props).filter((k) => props[k].replace === "yes");
}

// Type strings: primitives in lowercase (string, integer, number, boolean, json, date-time, tag, null),
// complex types by their PascalCase name, list<T>, map<T>, unions A|B.
/** A property's type string parsed (coerce.ts walks values by it too). */
export type TypeNode =
  | { kind: "prim"; name: string }
  | { kind: "def"; name: string }
  | { kind: "list" | "map"; element: TypeNode }
  | { kind: "union"; types: TypeNode[] };

const parsed = new Map<string, TypeNode>();
export function parseType(t: string): TypeNode {
  let node = parsed.get(t);
  if (node) return node;
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === "<") depth++;
    else if (t[i] === ">") depth--;
    else if (t[i] === "|" && depth === 0) {
      parts.push(t.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(t.slice(start));
  if (parts.length > 1) node = { kind: "union", types: parts.map(parseType) };
  else if (t.startsWith("list<")) node = { kind: "list", element: parseType(t.slice(5, -1)) };
  else if (t.startsWith("map<")) node = { kind: "map", element: parseType(t.slice(4, -1)) };
  else node = /^[a-z]/.test(t) ? { kind: "prim", name: t } : { kind: "def", name: t };
  parsed.set(t, node);
  return node;
}

// CloudFormation validates with the everit JSON-schema library over org.json values, so a problem reads
// "<JSON pointer>: <everit message>" and types are named as org.json's classes.
function found(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "JSONArray";
  if (typeof v === "object") return "JSONObject";
  if (typeof v === "string") return "String";
  if (typeof v === "boolean") return "Boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "Integer" : "BigDecimal"; // BigDecimal: unverified
  return typeof v;
}
const expected = (path: string, type: string, v: unknown) => `${path}: expected type: ${type}, found: ${found(v)}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
// A value the caller left unresolved (it resolves first): not this module's to judge.
const isIntrinsic = (v: unknown) => isObject(v) && Object.keys(v).length === 1 && /^(Ref|Fn::)/.test(Object.keys(v)[0]);
// CloudFormation passes numbers written as strings and "true"/"false" to the resource as the type it needs.
const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function kindMatches(node: TypeNode, v: unknown): boolean {
  if (node.kind === "list") return Array.isArray(v);
  if (node.kind === "def" || node.kind === "map") return isObject(v);
  if (node.kind === "prim" && node.name === "tag") return isObject(v);
  return false;
}

const TAG: Record<string, CfnProperty> = { Key: { t: "string", required: true }, Value: { t: "string", required: true } };

function checkValue(v: unknown, node: TypeNode, path: string, schema: CfnSchema, problems: string[]): void {
  if (isIntrinsic(v)) return;
  switch (node.kind) {
    case "list":
      if (!Array.isArray(v)) problems.push(expected(path, "JSONArray", v));
      else v.forEach((item, i) => checkValue(item, node.element, `${path}/${i}`, schema, problems));
      return;
    case "map":
      if (!isObject(v)) problems.push(expected(path, "JSONObject", v));
      else for (const [k, item] of Object.entries(v)) checkValue(item, node.element, `${path}/${k}`, schema, problems);
      return;
    case "def": {
      const def = schema.defs?.[node.name];
      if (def) checkObject(v, def, path, schema, problems, false);
      return;
    }
    case "union": {
      const tries = node.types.map((t) => {
        const p: string[] = [];
        checkValue(v, t, path, schema, p);
        return { t, p };
      });
      if (tries.some((x) => x.p.length === 0)) return;
      // A value of one branch's kind gets that branch's own problems; otherwise everit's "one of".
      const near = tries.find((x) => kindMatches(x.t, v));
      if (near) problems.push(...near.p);
      else problems.push(`${path}: expected type is one of ${node.types.map(expectedName).join(", ")}, found: ${found(v)}`);
      return;
    }
    case "prim":
      checkPrimitive(v, node.name, path, schema, problems);
  }
}

function expectedName(node: TypeNode): string {
  if (node.kind === "list") return "JSONArray";
  if (node.kind !== "prim") return "JSONObject";
  switch (node.name) {
    case "integer":
    case "number":
      return "Number";
    case "boolean":
      return "Boolean";
    case "json":
    case "tag":
      return "JSONObject";
    default:
      return "String";
  }
}

function checkPrimitive(v: unknown, name: string, path: string, schema: CfnSchema, problems: string[]): void {
  switch (name) {
    case "string":
    case "date-time":
      // A number or boolean given for a string property reaches the resource as its text.
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") problems.push(expected(path, "String", v));
      return;
    case "integer":
    case "number": {
      const n = typeof v === "number" ? v : typeof v === "string" && NUMERIC.test(v.trim()) ? Number(v) : undefined;
      if (n === undefined) problems.push(expected(path, "Number", v));
      else if (name === "integer" && !Number.isInteger(n)) problems.push(expected(path, "Integer", n));
      return;
    }
    case "boolean":
      if (typeof v !== "boolean" && v !== "true" && v !== "false") problems.push(expected(path, "Boolean", v));
      return;
    case "tag":
      checkObject(v, TAG, path, schema, problems, false);
      return;
    case "json":
      // Policy documents and the like: an object, or the same JSON as a string.
      if (!isObject(v) && typeof v !== "string") problems.push(expected(path, "JSONObject", v));
      return;
  }
}

function checkObject(v: unknown, props: Record<string, CfnProperty>, path: string, schema: CfnSchema, problems: string[], open: boolean): void {
  if (!isObject(v)) {
    problems.push(expected(path, "JSONObject", v));
    return;
  }
  for (const [k, p] of Object.entries(props)) if (p.required && v[k] == null) problems.push(`${path}: required key [${k}] not found`);
  for (const [k, item] of Object.entries(v)) {
    const p = props[k];
    if (!p) {
      if (!open) problems.push(`${path}: extraneous key [${k}] is not permitted`);
    } else if (item != null) checkValue(item, parseType(p.t), `${path}/${k}`, schema, problems);
  }
}

/**
 * Checks a resource's properties, after the caller resolved their intrinsic functions, against its type's
 * schema: the problems as CloudFormation words them (e.g. "#: required key [Y] not found", "#/Prop: expected
 * type: String, found: JSONArray"), none for a valid resource or a type without a full schema, and the stack
 * event's reason when there are any. On AWS such a problem fails the resource (CREATE_FAILED with that
 * reason), not the API call.
 * Sources: everit's messages, as quoted from CloudFormation stack events in public GitHub files ("#: required
 * key [IsLogging] not found", "#/MethodResponses/0: extraneous key [ResponseHeaders] is not permitted",
 * "#/Role: expected type: String, found: JSONArray", "#/Content: expected type: String, found: JSONObject");
 * "expected type: Number, found: String" and "expected type is one of …" are everit's own, unverified on
 * CloudFormation. The reason: recent events read "Properties validation failed for resource X with message:
 * [#/Content: expected type: String, found: JSONObject]" (older ones "…with message:\n#: required key
 * [IsLogging] not found"); several problems joined by ", " inside the brackets: unverified.
 */
export function validateProperties(logicalId: string, type: string, properties: unknown): { problems: string[]; reason?: string } {
  const schema = typeSchema(type);
  if (!schema) return { problems: [] };
  const problems: string[] = [];
  // A custom resource takes any properties beside its ServiceToken.
  checkObject(properties ?? {}, schema.props, "#", schema, problems, isCustom(type));
  if (!problems.length) return { problems };
  return { problems, reason: `Properties validation failed for resource ${logicalId} with message: [${problems.join(", ")}]` };
}

/**
 * The registry schema's readOnlyProperties at the top level (what Fn::GetAtt returns: the spec's attributes are
 * those properties), which a read returns and a desired state or a patch may not set.
 */
export function readOnlyProperties(type: string): string[] {
  const schema = typeSchema(type);
  // An attribute that is also a property (a queue's QueueName) is the property's value, not read-only.
  return Object.keys(schema?.attrs ?? {}).filter((a) => !a.includes(".") && !schema?.props[a]);
}
