// Property values as the resource's service expects them. CloudFormation accepts "45" for an integer property,
// "true" for a boolean and 45 for a string (types.ts's validation lets them through, as AWS does) and hands the
// resource the type its schema declares; this does the same once, in the engine, so that no provider has to:
// numbers and booleans written as strings become numbers and booleans, numbers and booleans given for a string
// become their text. Values of a type without a full schema, custom resources and unions that are not plain are
// passed as they are.
import { parseType, type TypeNode, typeSchema } from "./types.js";

type Defs = Record<string, Record<string, { t: string }>> | undefined;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** The properties with each value converted to its declared type (a new object; the input is not changed). */
export function coerceProperties(type: string, properties: Record<string, unknown>): Record<string, unknown> {
  if (type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource") return properties;
  const schema = typeSchema(type);
  if (!schema) return properties;
  return object(properties, schema.props, schema.defs) as Record<string, unknown>;
}

function object(v: unknown, props: Record<string, { t: string }>, defs: Defs): unknown {
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(v)) out[k] = props[k] && item != null ? value(item, parseType(props[k].t), defs) : item;
  return out;
}

function value(v: unknown, node: TypeNode, defs: Defs): unknown {
  switch (node.kind) {
    case "list":
      return Array.isArray(v) ? v.map((x) => value(x, node.element, defs)) : v;
    case "map":
      return isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x, node.element, defs)])) : v;
    case "def":
      return defs?.[node.name] ? object(v, defs[node.name], defs) : v;
    case "union": {
      // Only where the value's shape picks one branch (a list, an object): a scalar stays as given.
      const branch = node.types.filter((t) => (Array.isArray(v) ? t.kind === "list" : isObject(v) ? t.kind === "def" || t.kind === "map" : false));
      return branch.length === 1 ? value(v, branch[0], defs) : v;
    }
    case "prim":
      return primitive(v, node.name);
  }
}

function primitive(v: unknown, name: string): unknown {
  switch (name) {
    case "string":
    case "date-time":
      return typeof v === "number" || typeof v === "boolean" ? String(v) : v;
    case "integer":
    case "number":
      return typeof v === "string" && NUMERIC.test(v.trim()) ? Number(v) : v;
    case "boolean":
      return v === "true" ? true : v === "false" ? false : v;
    case "tag":
      return isObject(v) ? { ...v, Key: primitive(v.Key, "string"), Value: primitive(v.Value, "string") } : v;
    default:
      return v;
  }
}
