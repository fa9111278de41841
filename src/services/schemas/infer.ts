// Schema inference from events, for discoverers and GetDiscoveredSchema. Each event becomes a type tree; trees of the
// same schema merge (AWS's "Schema discovery": a property seen in any event is in the schema; required are the ones
// every event had; a number that was ever fractional is a double; a string is a date-time only while every value
// was one), and the merged tree renders as the OpenAPI 3 document AWS writes for a discovered schema: an `AWSEvent`
// envelope with `x-amazon-events-source` / `x-amazon-events-detail-type`, the detail as a component named after the
// detail-type, and each nested object a component of its own named after its property.
export type Node =
  | { k: "string"; date: boolean }
  | { k: "number"; double: boolean }
  | { k: "boolean" }
  | { k: "null" }
  | { k: "array"; items?: Node }
  | { k: "object"; props: Record<string, Node>; required: string[] };

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

export function typeOf(v: unknown): Node {
  if (v === null || v === undefined) return { k: "null" };
  if (typeof v === "string") return { k: "string", date: DATE_TIME.test(v) };
  if (typeof v === "number") return { k: "number", double: !Number.isInteger(v) };
  if (typeof v === "boolean") return { k: "boolean" };
  if (Array.isArray(v)) {
    let items: Node | undefined;
    for (const x of v) items = items ? merge(items, typeOf(x)) : typeOf(x);
    return { k: "array", items };
  }
  const props: Record<string, Node> = {};
  for (const [key, x] of Object.entries(v as Record<string, unknown>)) props[key] = typeOf(x);
  return { k: "object", props, required: Object.keys(props) };
}

/** Two observations of one value merged (a new tree; neither is changed). */
export function merge(a: Node, b: Node): Node {
  if (a.k === "null") return b;
  if (b.k === "null") return a;
  if (a.k !== b.k) return a; // a value seen with another type keeps the type first seen
  switch (a.k) {
    case "string":
      return { k: "string", date: a.date && (b as typeof a).date };
    case "number":
      return { k: "number", double: a.double || (b as typeof a).double };
    case "array": {
      const bi = (b as typeof a).items;
      return { k: "array", items: a.items && bi ? merge(a.items, bi) : (a.items ?? bi) };
    }
    case "object": {
      const o = b as typeof a;
      const props: Record<string, Node> = { ...a.props };
      for (const [key, n] of Object.entries(o.props)) props[key] = props[key] ? merge(props[key], n) : n;
      const inB = new Set(o.required);
      return { k: "object", props, required: a.required.filter((r) => inB.has(r)) };
    }
    default:
      return a;
  }
}

/** A detail-type as a schema name: its words capitalized, everything but letters and digits removed. */
export const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

type Json = Record<string, unknown>;

class Renderer {
  readonly schemas: Record<string, Json> = {};
  private readonly used = new Set<string>();

  name(wanted: string): string {
    const base = pascal(wanted) || "Object";
    let n = base;
    for (let i = 1; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    return n;
  }

  /** An object node as a component named `name` (already reserved). */
  component(name: string, node: Extract<Node, { k: "object" }>): void {
    // Placed before the components its properties make: a parent precedes its children, as AWS lists them.
    const s: Json = { type: "object" };
    this.schemas[name] = s;
    const req = node.required.filter((r) => r in node.props).sort();
    if (req.length) s.required = req;
    const props: Json = {};
    for (const key of Object.keys(node.props).sort()) props[key] = this.schema(key, node.props[key]);
    s.properties = props;
  }

  schema(key: string, n: Node): Json {
    switch (n.k) {
      case "string":
        return n.date ? { type: "string", format: "date-time" } : { type: "string" };
      case "number":
        return n.double ? { type: "number", format: "double" } : { type: "number" };
      case "boolean":
        return { type: "boolean" };
      case "null":
        return {};
      case "array":
        return { type: "array", items: n.items ? this.schema(`${key}Item`, n.items) : { type: "object" } };
      case "object": {
        const name = this.name(key);
        this.component(name, n);
        return { $ref: `#/components/schemas/${name}` };
      }
    }
  }
}

const document = (title: string, schemas: Record<string, Json>): string =>
  JSON.stringify({ openapi: "3.0.0", info: { version: "1.0.0", title }, paths: {}, components: { schemas } });

/** An event in EventBridge's envelope: the detail's tree, with what the envelope needs. */
export interface EnvelopeTree {
  source: string;
  detailType: string;
  detail: Node;
  resources: Node;
}

export const isEnvelope = (e: Record<string, unknown>): boolean =>
  typeof e.source === "string" && typeof e["detail-type"] === "string" && typeof e.detail === "object" && e.detail !== null;

/**
 * The envelope's required members in the order AWS lists them: a discovered schema's (AWS's answer for
 * discovered-schemas/users@UserCreated in a public EventBridge tool's test fixtures), and aws.events' (the AWS CLI's
 * export-schema example for aws.ec2@EC2InstanceStateChangeNotification).
 */
export const DISCOVERED_REQUIRED = ["detail-type", "resources", "detail", "id", "source", "time", "region", "version", "account"];
export const AWS_EVENTS_REQUIRED = ["detail-type", "resources", "id", "source", "time", "detail", "region", "version", "account"];

/** The OpenAPI 3 document of a discovered event schema (`<source>@<DetailType>`). */
export function renderEnvelope(t: EnvelopeTree, required = DISCOVERED_REQUIRED): string {
  const r = new Renderer();
  r.name("AWSEvent");
  const detailName = r.name(t.detailType);
  const detail = t.detail.k === "object" ? t.detail : { k: "object" as const, props: {}, required: [] };
  const envelope: Json = {
    type: "object",
    required,
    "x-amazon-events-detail-type": t.detailType,
    "x-amazon-events-source": t.source,
    properties: {
      detail: { $ref: `#/components/schemas/${detailName}` },
      account: { type: "string" },
      "detail-type": { type: "string" },
      id: { type: "string" },
      region: { type: "string" },
      resources: r.schema("resourcesItem", t.resources.k === "array" && t.resources.items ? t.resources : { k: "array" }),
      source: { type: "string" },
      time: { type: "string", format: "date-time" },
      version: { type: "string" },
    },
  };
  const schemas: Record<string, Json> = { AWSEvent: envelope };
  r.component(detailName, detail);
  Object.assign(schemas, r.schemas);
  return document(detailName, schemas);
}

/** The OpenAPI 3 document of any JSON objects that are not events: one `Event` schema. */
export function renderPlain(tree: Node): string {
  const r = new Renderer();
  const name = r.name("Event");
  r.component(name, tree.k === "object" ? tree : { k: "object", props: {}, required: [] });
  return document(name, r.schemas);
}

export function envelopeOf(e: Record<string, unknown>): EnvelopeTree {
  return { source: e.source as string, detailType: e["detail-type"] as string, detail: typeOf(e.detail), resources: typeOf(e.resources ?? []) };
}

export function mergeEnvelope(a: EnvelopeTree, b: EnvelopeTree): EnvelopeTree {
  return { source: a.source, detailType: a.detailType, detail: merge(a.detail, b.detail), resources: merge(a.resources, b.resources) };
}

/** A discovered schema's name: `<source>@<DetailType>`. */
export const discoveredName = (source: string, detailType: string): string => `${source}@${pascal(detailType)}`;
