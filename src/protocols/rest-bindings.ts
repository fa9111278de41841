// The HTTP bindings both REST protocols share: uri labels, query string, headers, prefix headers, status code
// and the payload member; the document body itself is left to the protocol's BodyFormat (JSON or XML).
import { Readable } from "node:stream";
import { eventStream } from "./eventstream.js";
import type { ServiceError } from "../core/errors.js";
import type { MemberRef, ServiceModel, Shape } from "../core/model.js";
import { formatTimestamp, parseTimestamp, timestampFormatOf, toBuffer, type TimestampFormat } from "./shared.js";
import type { HttpRequest, HttpResponse } from "./types.js";
import { labelsOf, queryOf, routeTable } from "./rest-routing.js";

/** How a protocol reads and writes the document part of a message. */
export interface BodyFormat {
  readonly contentType: string;
  /** Malformed document or a value of the wrong type, in the protocol's wording. */
  malformed(message?: string): ServiceError;
  /** A label, query value or header that does not parse as its shape's type. */
  badValue(message: string): ServiceError;
  /** Body members of `shape` from a document body (only the non-located members are read). */
  readBody(model: ServiceModel, shape: Shape, members: [string, MemberRef][], body: Buffer, root?: RootInfo): Record<string, unknown>;
  /** A structure/union/document payload member. */
  readPayload(model: ServiceModel, name: string, ref: MemberRef, body: Buffer): unknown;
  writeBody(model: ServiceModel, shapeName: string, members: [string, MemberRef][], value: Record<string, unknown>, root?: RootInfo): string | undefined;
  writePayload(model: ServiceModel, name: string, ref: MemberRef, value: unknown): string;
}

/** The synthesized XML root element for a body (op.input.locationName / xmlNamespace). */
export interface RootInfo {
  name?: string;
  xmlNamespace?: { prefix?: string; uri: string };
}

const isBodyMember = (ref: MemberRef) => !ref.location;

/** Parses a text value (label, query value, header) of a scalar shape. */
export function readText(model: ServiceModel, ref: MemberRef, text: string, defaultTs: TimestampFormat, bad: (m: string) => ServiceError): unknown {
  const shape = model.shapes[ref.shape];
  switch (shape.type) {
    case "integer":
    case "long": {
      if (!/^[-+]?\d+$/.test(text.trim())) throw bad(`Value '${text}' could not be parsed as an integer.`);
      return Number(text);
    }
    case "float":
    case "double": {
      if (text === "NaN") return NaN;
      if (text === "Infinity") return Infinity;
      if (text === "-Infinity") return -Infinity;
      const n = Number(text);
      if (text.trim() === "" || Number.isNaN(n)) throw bad(`Value '${text}' could not be parsed as a number.`);
      return n;
    }
    case "boolean":
      if (text !== "true" && text !== "false") throw bad(`Value '${text}' could not be parsed as a boolean.`);
      return text === "true";
    case "timestamp": {
      const d = parseTimestamp(text.trim(), timestampFormatOf(ref, shape, defaultTs));
      if (!d) throw bad(`Value '${text}' could not be parsed as a timestamp.`);
      return d;
    }
    case "blob":
      return Buffer.from(text, "base64");
    default:
      if (ref.jsonvalue || shape.jsonvalue) {
        try {
          return JSON.parse(Buffer.from(text, "base64").toString("utf8"));
        } catch {
          throw bad(`Value of a JSON header is not base64-encoded JSON.`);
        }
      }
      return text;
  }
}

/** Splits a list header: "a, b, c"; quoted items keep their commas; HTTP dates are not split at their own comma. */
export function splitHeader(value: string, itemShape: Shape, itemRef: MemberRef | undefined): string[] {
  if (itemShape.type === "timestamp" && timestampFormatOf(itemRef, itemShape, "rfc822") === "rfc822") {
    const parts = value.split(",").map((s) => s.trim());
    const out: string[] = [];
    for (let i = 0; i < parts.length; i += 2) out.push(`${parts[i]}, ${parts[i + 1] ?? ""}`.trim());
    return out;
  }
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) && m[0] !== "") {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2].trim());
    if (re.lastIndex >= value.length) break;
  }
  return out;
}

/** What readRequest needs of an operation's input, worked out once per model and operation rather than per request. */
interface InputPlan {
  shape: Shape;
  /** The members bound to the URI, query string and headers, with what reading them takes. */
  bound: { name: string; ref: MemberRef; shape: Shape; location: string; key: string }[];
  /** The query keys the route's template fixes (a query map member does not see them). */
  literalKeys: Set<string>;
  /** The members left to the body, and whether one of them is a body member (not a location this file reads). */
  bodyMembers: [string, MemberRef][];
  hasBody: boolean;
}

const inputPlans = new WeakMap<ServiceModel, Map<string, InputPlan | null>>();

function inputPlan(model: ServiceModel, operation: string): InputPlan | null {
  let byOp = inputPlans.get(model);
  if (!byOp) inputPlans.set(model, (byOp = new Map()));
  let plan = byOp.get(operation);
  if (plan !== undefined) return plan;
  const op = model.operations[operation];
  if (!op.input) plan = null;
  else {
    const shape = model.shapes[op.input.shape];
    const bound: InputPlan["bound"] = [];
    const bodyMembers: [string, MemberRef][] = [];
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const key = ref.locationName ?? name;
      switch (ref.location) {
        case "uri":
        case "querystring":
          bound.push({ name, ref, shape: model.shapes[ref.shape], location: ref.location, key });
          break;
        case "header":
        case "headers":
          // Node gives header names in lower case.
          bound.push({ name, ref, shape: model.shapes[ref.shape], location: ref.location, key: key.toLowerCase() });
          break;
        case "statusCode":
          break;
        default:
          bodyMembers.push([name, ref]);
      }
    }
    const literalKeys = new Set(
      routeTable(model)
        .find((r) => r.operation === operation)
        ?.literalQuery.map(([k]) => k) ?? [],
    );
    plan = { shape, bound, literalKeys, bodyMembers, hasBody: bodyMembers.some(([, r]) => isBodyMember(r)) };
  }
  byOp.set(operation, plan);
  return plan;
}

/** HTTP request → the operation's typed input. */
export function readRequest(req: HttpRequest, model: ServiceModel, operation: string, format: BodyFormat): Record<string, unknown> {
  const plan = inputPlan(model, operation);
  if (!plan) return {};
  const { shape, literalKeys } = plan;
  const op = model.operations[operation];
  const bad = (m: string) => format.badValue(m);
  const out: Record<string, unknown> = {};
  const labels = labelsOf(req, model, operation);
  const query = queryOf(req);
  for (const { name, ref, shape: mshape, location, key } of plan.bound) {
    switch (location) {
      case "uri":
        if (labels[key] !== undefined) out[name] = readText(model, ref, labels[key], "iso8601", bad);
        break;
      case "querystring": {
        if (mshape.type === "map") {
          // A query map (httpQueryParams) sees every parameter but the template's literal ones.
          const valueShape = model.shapes[mshape.value!.shape];
          const map: Record<string, unknown> = {};
          for (const [k, v] of query) {
            if (literalKeys.has(k)) continue;
            if (valueShape.type === "list") ((map[k] ??= []) as unknown[]).push(v ?? "");
            else if (!(k in map)) map[k] = v ?? "";
          }
          if (Object.keys(map).length) out[name] = map;
          break;
        }
        // A loop, not filter().map(): most of an operation's query members are absent from most requests.
        if (mshape.type === "list") {
          let items: unknown[] | undefined;
          for (const [k, v] of query) if (k === key) (items ??= []).push(readText(model, mshape.member!, v ?? "", "iso8601", bad));
          if (items) out[name] = items;
        } else {
          for (const [k, v] of query) {
            if (k !== key) continue;
            out[name] = readText(model, ref, v ?? "", "iso8601", bad);
            break;
          }
        }
        break;
      }
      case "header": {
        const v = req.headers[key];
        if (v === undefined) break;
        if (mshape.type === "list") {
          const itemShape = model.shapes[mshape.member!.shape];
          out[name] = splitHeader(v, itemShape, mshape.member).map((s) => readText(model, mshape.member!, s, "rfc822", bad));
        } else out[name] = readText(model, ref, v, "rfc822", bad);
        break;
      }
      case "headers": {
        let map: Record<string, unknown> | undefined;
        for (const h in req.headers) if (h.startsWith(key)) (map ??= {})[h.slice(key.length)] = req.headers[h];
        if (map) out[name] = map;
        break;
      }
    }
  }
  if (shape.payload) {
    const ref = shape.members![shape.payload];
    const pshape = model.shapes[ref.shape];
    if (pshape.type === "blob") {
      // A streaming payload (S3's PutObject) arrives as the gateway's stream; everything else is buffered.
      if (req.stream) out[shape.payload] = req.stream;
      else if (req.body.length) out[shape.payload] = req.body;
    } else if (pshape.type === "string") {
      if (req.body.length) out[shape.payload] = req.body.toString("utf8");
    } else if (req.body.length) {
      const v = format.readPayload(model, shape.payload, ref, req.body);
      if (v !== undefined) out[shape.payload] = v;
    }
    return out;
  }
  if (plan.hasBody && req.body.length) {
    Object.assign(out, format.readBody(model, shape, plan.bodyMembers, req.body, { name: op.input!.locationName, xmlNamespace: op.input!.xmlNamespace }));
  }
  return out;
}

/** Text of a scalar for a header (timestamps default to HTTP dates, JSON values are base64 JSON). */
export function headerText(model: ServiceModel, ref: MemberRef, value: unknown): string {
  const shape = model.shapes[ref.shape];
  switch (shape.type) {
    case "timestamp":
      return String(formatTimestamp(value, timestampFormatOf(ref, shape, "rfc822")));
    case "blob":
      return toBuffer(value).toString("base64");
    case "float":
    case "double":
      return numberText(value);
    default:
      if (ref.jsonvalue || shape.jsonvalue) return Buffer.from(JSON.stringify(value), "utf8").toString("base64");
      return String(value);
  }
}

export function numberText(value: unknown): string {
  const n = Number(value);
  return Number.isNaN(n) ? "NaN" : n === Infinity ? "Infinity" : n === -Infinity ? "-Infinity" : String(n);
}

function listHeaderItem(text: string, shape: Shape): string {
  // Strings with commas or quotes are quoted so the list splits back the same (timestamps never are).
  if (shape.type === "string" && /[",]/.test(text)) return `"${text.replace(/(["\\])/g, "\\$1")}"`;
  return text;
}

/** What writing a structure (an output or an error) takes, worked out once per shape rather than per response. */
interface OutputPlan {
  /** Header-bound members: the header name (lower-cased), or the prefix of a prefix-headers map. */
  headers: { name: string; ref: MemberRef; shape: Shape; key: string; prefix: boolean }[];
  /** The member carrying the status code (httpResponseCode), if any. */
  status: string | undefined;
  /** Members written in the body, their uri and query bindings dropped (they mean nothing in a response). */
  bodyMembers: [string, MemberRef][];
}

const outputPlans = new WeakMap<Shape, OutputPlan>();

function outputPlan(model: ServiceModel, shape: Shape): OutputPlan {
  let plan = outputPlans.get(shape);
  if (plan) return plan;
  plan = { headers: [], status: undefined, bodyMembers: [] };
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    if (ref.location === "header" || ref.location === "headers") {
      // Lower-cased so a modeled Content-Type replaces the protocol's default rather than doubling it.
      const key = (ref.locationName ?? name).toLowerCase();
      plan.headers.push({ name, ref, shape: model.shapes[ref.shape], key, prefix: ref.location === "headers" });
    } else if (ref.location === "statusCode") plan.status = name;
    else plan.bodyMembers.push([name, Object.assign({}, ref, { location: undefined })]);
  }
  outputPlans.set(shape, plan);
  return plan;
}

/** Header-bound and prefix-header members of a structure (output or error) → response headers. */
export function writeHeaders(model: ServiceModel, shape: Shape, value: Record<string, unknown>, headers: Record<string, string>): void {
  for (const { name, ref, shape: mshape, key, prefix } of outputPlan(model, shape).headers) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (!prefix) {
      if (mshape.type === "list") {
        const itemShape = model.shapes[mshape.member!.shape];
        headers[key] = (v as unknown[]).map((i) => listHeaderItem(headerText(model, mshape.member!, i), itemShape)).join(", ");
      } else headers[key] = headerText(model, ref, v);
    } else {
      const map = v as Record<string, unknown>;
      for (const k in map) if (map[k] !== undefined && map[k] !== null) headers[key + k.toLowerCase()] = String(map[k]);
    }
  }
}

/** The operation's output → HTTP (status, headers, payload or document body). */
export function writeResponse(
  model: ServiceModel,
  operation: string,
  output: Record<string, unknown>,
  format: BodyFormat,
  baseHeaders: Record<string, string>,
): HttpResponse {
  const op = model.operations[operation];
  let status = op.http?.responseCode ?? model.wire?.responseCodes?.[operation] ?? 200;
  // Object.assign, not a spread: on Node 20's V8 a literal that begins with a spread gets a map of its own whose
  // later properties (the output's headers, then date and content-length) each make one more map, per response.
  const headers: Record<string, string> = Object.assign({}, baseHeaders);
  if (!op.output) return { status, headers, body: "" };
  const shape = model.shapes[op.output.shape];
  writeHeaders(model, shape, output, headers);
  const plan = outputPlan(model, shape);
  if (plan.status !== undefined && typeof output[plan.status] === "number") status = output[plan.status] as number;
  const { bodyMembers } = plan;
  if (shape.payload) {
    const ref = shape.members![shape.payload];
    const pshape = model.shapes[ref.shape];
    const v = output[shape.payload];
    if (v === undefined || v === null) return { status, headers, body: "" };
    if (pshape.eventstream) {
      headers["content-type"] ??= "application/vnd.amazon.eventstream";
      return { status, headers, body: "", stream: eventStream(model, pshape, v as AsyncIterable<Record<string, unknown>>) };
    }
    if (pshape.type === "blob") {
      headers["content-type"] ??= "application/octet-stream";
      // A Readable (S3's GetObject from the blob store) is piped to the socket by the gateway, never buffered.
      if (v instanceof Readable) return { status, headers, body: "", stream: v };
      return { status, headers, body: toBuffer(v) };
    }
    if (pshape.type === "string") {
      headers["content-type"] ??= "text/plain";
      return { status, headers, body: String(v) };
    }
    headers["content-type"] ??= format.contentType;
    return { status, headers, body: format.writePayload(model, shape.payload, ref, v) };
  }
  // The document's root: the output's Smithy @xmlName where the service declares it (botocore's model drops it).
  const rootName = model.wire?.outputRoots?.[op.output.shape];
  const body = format.writeBody(model, op.output.shape, bodyMembers, output, rootName ? { name: rootName } : undefined);
  if (body === undefined) return { status, headers, body: "" };
  headers["content-type"] ??= format.contentType;
  return { status, headers, body };
}
