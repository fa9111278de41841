// What the code bindings are generated from: a schema version's component schemas (OpenAPI 3) or definitions and root
// (JSON Schema draft 4) as classes with typed fields, and the package they go in. AWS lays a binding out by the event's
// source and detail-type — `schema/<source, a folder per dotted part>/<detail type, lower case>/` (the package a
// handler imports in AWS's SAM EventBridge templates: `from schema.aws.ec2.ec2instancestatechangenotification import
// Marshaller, AWSEvent, EC2InstanceStateChangeNotification`); a schema that is not an event goes under
// `schema/<schema name, lower case>/`.
import { components } from "../content.js";

export type FieldType =
  | { k: "string" }
  | { k: "date" }
  | { k: "number"; integer: boolean }
  | { k: "boolean" }
  | { k: "any" }
  | { k: "ref"; name: string }
  | { k: "array"; of: FieldType }
  | { k: "map"; of: FieldType };

/** How one language spells each kind of field type. */
export interface TypeNames {
  string: string;
  date: string;
  integer: string;
  double: string;
  boolean: string;
  any: string;
  array(of: string): string;
  map(of: string): string;
}

/** A field type in a language's spelling. */
export function typeName(t: FieldType, n: TypeNames): string {
  switch (t.k) {
    case "number":
      return t.integer ? n.integer : n.double;
    case "ref":
      return t.name;
    case "array":
      return n.array(typeName(t.of, n));
    case "map":
      return n.map(typeName(t.of, n));
    default:
      return n[t.k];
  }
}

export interface Field {
  /** The property's name in JSON. */
  json: string;
  type: FieldType;
  required: boolean;
}

export interface Klass {
  name: string;
  fields: Field[];
}

export interface BindingModel {
  /** Package folders from the zip's root, e.g. ["schema", "aws", "ec2", "ec2instancestatechangenotification"]. */
  path: string[];
  classes: Klass[];
  /** The class a whole document unmarshals to: AWSEvent for an event, else the root schema's class. */
  root: string;
  /** The detail's class, for an event. */
  detail?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A name usable as a class name in every language generated. */
export const className = (s: string): string => {
  const n = s.replace(/[^A-Za-z0-9_]/g, "");
  return /^[A-Za-z]/.test(n) ? n : `C${n}`;
};
const folder = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, "") || "x";

function fieldType(s: unknown, refBase: string): FieldType {
  if (!isObject(s)) return { k: "any" };
  if (typeof s.$ref === "string") return s.$ref.startsWith(refBase) ? { k: "ref", name: className(s.$ref.slice(refBase.length)) } : { k: "any" };
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "string":
      return s.format === "date-time" ? { k: "date" } : { k: "string" };
    case "integer":
      return { k: "number", integer: true };
    case "number":
      return { k: "number", integer: s.format === "int32" || s.format === "int64" };
    case "boolean":
      return { k: "boolean" };
    case "array":
      return { k: "array", of: fieldType(s.items, refBase) };
    case "object":
      return isObject(s.additionalProperties) ? { k: "map", of: fieldType(s.additionalProperties, refBase) } : { k: "map", of: { k: "any" } };
    default:
      return { k: "any" };
  }
}

function klass(name: string, s: Json, refBase: string): Klass {
  const props = isObject(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  return { name: className(name), fields: Object.entries(props).map(([json, p]) => ({ json, type: fieldType(p, refBase), required: required.has(json) })) };
}

export function bindingModel(type: string, content: string, schemaName: string): BindingModel {
  const doc = JSON.parse(content) as Json;
  const classes: Klass[] = [];
  let root: string;
  let envelope: Json | undefined;
  if (type === "OpenApi3") {
    const { schemas, root: r } = components(doc);
    for (const [n, s] of Object.entries(schemas)) if (isObject(s)) classes.push(klass(n, s, "#/components/schemas/"));
    root = className(r ?? schemaName);
    envelope = r ? schemas[r] : undefined;
  } else {
    const defs = isObject(doc.definitions) ? doc.definitions : {};
    for (const [n, s] of Object.entries(defs)) if (isObject(s)) classes.push(klass(n, s, "#/definitions/"));
    const title = typeof doc.title === "string" ? doc.title : schemaName;
    const isEvent = typeof doc["x-amazon-events-source"] === "string";
    root = className(isEvent ? "AWSEvent" : title);
    classes.unshift(klass(root, doc, "#/definitions/"));
    envelope = doc;
  }
  if (!classes.some((c) => c.name === root)) classes.unshift({ name: root, fields: [] });
  const source = envelope?.["x-amazon-events-source"];
  const detailType = envelope?.["x-amazon-events-detail-type"];
  if (typeof source === "string" && typeof detailType === "string") {
    const detailField = classes.find((c) => c.name === root)?.fields.find((f) => f.json === "detail");
    const detail = detailField?.type.k === "ref" ? detailField.type.name : undefined;
    return { path: ["schema", ...source.split(".").map(folder), folder(detail ?? detailType)], classes, root, detail };
  }
  return { path: ["schema", folder(schemaName)], classes, root };
}

/** Words of a JSON property name: "instance-id" → ["instance", "id"], "alarmName" → ["alarm", "name"]. */
export const words = (s: string): string[] =>
  s
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());

export const camel = (s: string, reserved: ReadonlySet<string>): string => {
  const w = words(s);
  let n = w.map((x, i) => (i ? x.charAt(0).toUpperCase() + x.slice(1) : x)).join("") || "value";
  if (/^[0-9]/.test(n)) n = `_${n}`;
  return reserved.has(n) ? `${n}_` : n;
};

export const snake = (s: string, reserved: ReadonlySet<string>): string => {
  let n = words(s).join("_") || "value";
  if (/^[0-9]/.test(n)) n = `_${n}`;
  return reserved.has(n) ? `${n}_` : n;
};
