// Helpers every codec shares: timestamp/blob formatting, XML escaping, gzip bodies, and the model-driven document walk of json and cbor.
import type { HttpRequest, ResponseMeta } from "./types.js";
import { nodeZlib } from "../core/lazy.js";
import { CommonErrors, type ServiceError } from "../core/errors.js";
import type { MemberRef, ServiceModel, Shape } from "../core/model.js";

export type TimestampFormat = "iso8601" | "rfc822" | "unixTimestamp";

export function formatTimestamp(value: unknown, format: TimestampFormat): string | number {
  const d = toDate(value);
  switch (format) {
    case "unixTimestamp":
      return d.getTime() / 1000;
    case "rfc822":
      return d.toUTCString();
    default:
      return isoSeconds(d);
  }
}

/** ISO 8601 as AWS writes it: milliseconds only when there are some. */
export function isoSeconds(d: Date): string {
  const s = d.toISOString();
  return s.endsWith(".000Z") ? s.slice(0, -5) + "Z" : s;
}

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string") return new Date(value);
  throw new TypeError(`not a timestamp: ${String(value)}`);
}

/** Parses a timestamp in any of AWS's wire forms; undefined when it is not one. */
export function parseTimestamp(text: string, format?: TimestampFormat): Date | undefined {
  if (format === "unixTimestamp" || /^-?\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return Number.isFinite(n) ? new Date(Math.round(n * 1000)) : undefined;
  }
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function timestampFormatOf(ref: MemberRef | undefined, shape: Shape, fallback: TimestampFormat): TimestampFormat {
  return ref?.timestampFormat ?? shape.timestampFormat ?? fallback;
}

export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string") return Buffer.from(value, "utf8");
  throw new TypeError("not a blob");
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#xD;", "\n": "&#xA;" };
export function escapeXml(s: string): string {
  return /[&<>"'\r\n]/.test(s) ? s.replace(/[&<>"'\r\n]/g, (c) => XML_ESCAPES[c]) : s;
}

/** Serializes a scalar for text protocols (query, XML, headers). */
export function scalarText(value: unknown, shape: Shape, ref: MemberRef | undefined, defaultTs: TimestampFormat): string {
  switch (shape.type) {
    case "timestamp":
      return String(formatTimestamp(value, timestampFormatOf(ref, shape, defaultTs)));
    case "blob":
      return toBuffer(value).toString("base64");
    case "float":
    case "double": {
      const n = Number(value);
      return Number.isNaN(n) ? "NaN" : n === Infinity ? "Infinity" : n === -Infinity ? "-Infinity" : String(n);
    }
    default:
      return String(value);
  }
}

// ---- Document protocols (json, smithy-rpc-v2-cbor): a decoded body ↔ typed values, by the model. ----

/** How a document protocol writes the scalars that differ between JSON and CBOR. */
export interface DocumentFormat {
  /** Members are keyed by their locationName (awsJson's jsonName) rather than the member name. */
  useLocationName: boolean;
  decodeTimestamp(value: unknown, format: TimestampFormat | undefined): Date | undefined;
  decodeBlob(value: unknown): Buffer | undefined;
  encodeTimestamp(value: Date, format: TimestampFormat): unknown;
  encodeBlob(value: Buffer): unknown;
  /** JSON has no NaN/Infinity literals and writes them as strings; CBOR writes the float. */
  encodeNonFinite(value: number): unknown;
}

/** Coral's name for a wire token, as its SerializationException messages say it. */
function token(value: unknown): string {
  if (typeof value === "string") return "STRING_VALUE";
  if (typeof value === "number" || typeof value === "bigint") return "NUMBER_VALUE";
  if (value === true) return "TRUE_VALUE";
  if (value === false) return "FALSE_VALUE";
  return "VALUE";
}

function mismatch(value: unknown, target: string): ServiceError {
  if (Array.isArray(value)) return CommonErrors.serialization("Start of list found where not expected");
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    return CommonErrors.serialization("Start of structure or map found where not expected.");
  }
  return CommonErrors.serialization(
    target === "String"
      ? `${token(value)} cannot be converted to String`
      : `${token(value)} can not be converted to ${/^[AEIOU]/.test(target) ? "an" : "a"} ${target}`,
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array);

type Decoder = (value: unknown) => unknown;

interface DecodedMember {
  name: string;
  key: string;
  decode: Decoder;
}

/** Whether every key of `value` is a member's, in the members' order, with a value neither null nor undefined. */
function onlyMembersInOrder(value: Record<string, unknown>, ms: DecodedMember[]): boolean {
  let j = 0;
  for (const k in value) {
    while (j < ms.length && ms[j].key !== k) j++;
    if (j === ms.length) return false;
    const raw = value[k];
    if (raw === null || raw === undefined) return false;
    j++;
  }
  return true;
}

// One compiled decoder per (format, model, shape name): member tables, wire keys and timestamp formats worked out once,
// so a request of thousands of elements does no shape lookups or per-value allocations beyond its output.
const decoders = new WeakMap<DocumentFormat, WeakMap<ServiceModel, Map<string, Decoder>>>();

function decoderFor(model: ServiceModel, ref: MemberRef | { shape: string }, fmt: DocumentFormat): Decoder {
  let byModel = decoders.get(fmt);
  if (!byModel) decoders.set(fmt, (byModel = new WeakMap()));
  let byName = byModel.get(model);
  if (!byName) byModel.set(model, (byName = new Map()));
  const shape = model.shapes[ref.shape] as Shape | undefined;
  // A timestamp's format can come from the member that refers to it, so those decoders are kept per format.
  const tsFormat = shape?.type === "timestamp" && !shape.document ? timestampFormatOf(ref as MemberRef, shape, "unixTimestamp") : undefined;
  const key = tsFormat ? `${ref.shape}\0${tsFormat}` : ref.shape;
  let fn = byName.get(key);
  if (!fn) {
    fn = buildDecoder(model, shape, tsFormat, fmt);
    byName.set(key, fn);
  }
  return fn;
}

function buildDecoder(model: ServiceModel, shape: Shape | undefined, tsFormat: TimestampFormat | undefined, fmt: DocumentFormat): Decoder {
  if (!shape || shape.document) return (value) => value;
  switch (shape.type) {
    case "structure":
    case "union": {
      // Resolved on first use: shapes may be recursive, and this decoder is cached before it runs.
      let members: DecodedMember[] | undefined;
      // Whether a wire object can be the decoded one itself: every member under its own name, none that always
      // converts (timestamps, blobs).
      let inPlace = false;
      const resolve = () => {
        const ms = Object.entries(shape.members ?? {}).map(([name, m]) => ({
          name,
          key: fmt.useLocationName ? (m.locationName ?? name) : name,
          decode: decoderFor(model, m, fmt),
        }));
        inPlace = Object.entries(shape.members ?? {}).every(([name, m]) => {
          const t = model.shapes[m.shape];
          return (!fmt.useLocationName || (m.locationName ?? name) === name) && (!t || t.document || (t.type !== "timestamp" && t.type !== "blob"));
        });
        return ms;
      };
      return (value) => {
        if (!isRecord(value)) throw mismatch(value, "Structure");
        const ms = (members ??= resolve());
        // The wire object is returned as it is when it holds only members, in the model's order, none null, and
        // each decodes to itself: the same object a copy would be (key order included), with no allocation.
        let i = 0;
        let pending: unknown;
        let converted = false;
        if (inPlace && onlyMembersInOrder(value, ms)) {
          for (; i < ms.length; i++) {
            const raw = value[ms[i].key];
            if (raw === undefined) continue;
            pending = ms[i].decode(raw);
            if (pending !== raw) {
              converted = true;
              break;
            }
          }
          if (!converted) return value;
        }
        const out: Record<string, unknown> = {};
        // Members before the first that converted decoded to themselves; that one is decoded already.
        for (let k = 0; k < i; k++) {
          const raw = value[ms[k].key];
          if (raw !== undefined) out[ms[k].name] = raw;
        }
        if (converted) {
          if (pending !== undefined) out[ms[i].name] = pending;
          i++;
        }
        for (; i < ms.length; i++) {
          const m = ms[i];
          const raw = value[m.key];
          if (raw === null || raw === undefined) continue;
          const v = m.decode(raw);
          if (v !== undefined) out[m.name] = v;
        }
        return out;
      };
    }
    case "list": {
      const member = shape.member!;
      let decode: Decoder | undefined;
      return (value) => {
        if (!Array.isArray(value)) throw mismatch(value, "List");
        const d = (decode ??= decoderFor(model, member, fmt));
        // The wire array itself while every element decodes to itself; copied (holes kept as holes) at the first
        // that converts. Null and undefined elements stay as they are, as before.
        let out: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const v = value[i];
          if (v === null || v === undefined) continue;
          const r = d(v);
          if (r !== v) (out ??= value.slice())[i] = r;
        }
        return out ?? value;
      };
    }
    case "map": {
      const valueRef = shape.value!;
      let decode: Decoder | undefined;
      return (value) => {
        if (!isRecord(value)) throw mismatch(value, "Map");
        const d = (decode ??= decoderFor(model, valueRef, fmt));
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(value)) {
          const v = value[k];
          if (v === null) continue; // dense maps: a null value is no entry
          const decoded = v === undefined ? undefined : d(v);
          // defineProperty: a "__proto__" key is data, not the object's prototype.
          if (k === "__proto__") Object.defineProperty(out, k, { value: decoded, enumerable: true, writable: true, configurable: true });
          else out[k] = decoded;
        }
        return out;
      };
    }
    case "string":
      return (value) => {
        if (typeof value !== "string") throw mismatch(value, "String");
        return value;
      };
    case "boolean":
      return (value) => {
        if (typeof value !== "boolean") throw mismatch(value, "Boolean");
        return value;
      };
    case "integer":
    case "long": {
      const target = shape.type === "long" ? "Long" : "Integer";
      const notInteger = `NUMBER_VALUE can not be converted to ${target === "Long" ? "a Long" : "an Integer"}`;
      return (value) => {
        if (typeof value === "bigint") return Number(value);
        if (typeof value !== "number") throw mismatch(value, target);
        if (!Number.isInteger(value)) throw CommonErrors.serialization(notInteger);
        return value;
      };
    }
    case "float":
    case "double": {
      const target = shape.type === "float" ? "Float" : "Double";
      return (value) => {
        if (typeof value === "number") return value;
        if (typeof value === "bigint") return Number(value);
        if (value === "NaN") return NaN;
        if (value === "Infinity") return Infinity;
        if (value === "-Infinity") return -Infinity;
        throw mismatch(value, target);
      };
    }
    case "timestamp":
      return (value) => {
        if (isRecord(value) && !("tag" in value)) throw mismatch(value, "Timestamp");
        const d = fmt.decodeTimestamp(value, tsFormat);
        if (!d || Number.isNaN(d.getTime())) throw CommonErrors.serialization(`${token(value)} can not be converted to a Timestamp`);
        return d;
      };
    case "blob":
      return (value) => {
        const b = fmt.decodeBlob(value);
        if (!b) throw typeof value === "string" ? CommonErrors.serialization("Base64 encoded binary data is invalid") : mismatch(value, "Blob");
        return b;
      };
    default:
      return (value) => value;
  }
}

/** A decoded document value → the typed value for `ref`; wrong wire types are AWS's SerializationException. */
export function decodeDocument(model: ServiceModel, ref: MemberRef | { shape: string }, value: unknown, fmt: DocumentFormat): unknown {
  if (value === null || value === undefined) return undefined;
  return decoderFor(model, ref, fmt)(value);
}

/** A typed value → the document value a client expects for `ref` (nulls and undefined dropped). */
export function encodeDocument(model: ServiceModel, ref: MemberRef | { shape: string }, value: unknown, fmt: DocumentFormat): unknown {
  if (value === null || value === undefined) return undefined;
  const shape = model.shapes[ref.shape];
  if (!shape || shape.document) return value;
  switch (shape.type) {
    case "structure":
    case "union": {
      const out: Record<string, unknown> = {};
      const obj = value as Record<string, unknown>;
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const v = encodeDocument(model, m, obj[name], fmt);
        if (v !== undefined) out[fmt.useLocationName ? (m.locationName ?? name) : name] = v;
      }
      return out;
    }
    case "list":
      return (value as unknown[]).map((v) => (v === null || v === undefined ? null : encodeDocument(model, shape.member!, v, fmt)));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const e = encodeDocument(model, shape.value!, v, fmt);
        if (e !== undefined) out[k] = e;
      }
      return out;
    }
    case "timestamp":
      return fmt.encodeTimestamp(toDate(value), timestampFormatOf(ref as MemberRef, shape, "unixTimestamp"));
    case "blob":
      return fmt.encodeBlob(toBuffer(value));
    case "float":
    case "double": {
      const n = Number(value);
      return Number.isFinite(n) ? n : fmt.encodeNonFinite(n);
    }
    case "integer":
    case "long":
      return typeof value === "bigint" ? Number(value) : Number(value);
    default:
      return value;
  }
}

/** The error body of the document protocols: `__type`, the message under the casing the shape declares, modeled fields. */
export function errorDocument(error: ServiceError, model: ServiceModel, fmt: DocumentFormat): Record<string, unknown> {
  const shape = model.shapes[error.shapeName];
  const modeled = !!(shape?.exception || shape?.error);
  // A service that answers full shape ids names its modeled errors `<namespace>#<Shape>`; an error outside its model
  // carries whatever id the thrower gave it (e.g. Coral's `com.amazon.coral.service#InvalidParameterValueException`).
  const ns = model.wire?.errorNamespace;
  const doc: Record<string, unknown> = { __type: modeled && ns ? `${ns}#${error.shapeName}` : error.shapeName };
  const members = modeled ? (shape?.members ?? {}) : {};
  const messageKey = "message" in members ? "message" : "Message" in members ? "Message" : "message";
  if (error.message) doc[messageKey] = error.message;
  for (const [k, v] of Object.entries(error.fields ?? {})) {
    if (v === undefined || v === null || k === messageKey) continue;
    const ref = members[k];
    doc[ref && fmt.useLocationName ? (ref.locationName ?? k) : k] = ref ? encodeDocument(model, ref, v, fmt) : v;
  }
  return doc;
}

/** An error's HTTP status in a JSON or CBOR answer: the model's, unless the service answers plain RPC calls otherwise. */
export function documentErrorStatus(error: ServiceError, model: ServiceModel, meta: ResponseMeta): number {
  const plain = model.wire?.errorStatusOutsideQueryMode;
  if (plain === undefined || meta.queryMode || !error.senderFault) return error.status;
  const shape = model.shapes[error.shapeName];
  return shape?.exception || shape?.error ? plain : error.status;
}

/** awsQueryCompatible services tell query-era clients the old error code: `x-amzn-query-error: Code;Sender`. */
export function queryErrorHeaders(model: ServiceModel, error: ServiceError): Record<string, string> {
  if (!model.metadata.awsQueryCompatible) return {};
  return { "x-amzn-query-error": `${error.code};${error.senderFault ? "Sender" : "Receiver"}` };
}

/** The request body with any `Content-Encoding: gzip` undone (SDKs gzip e.g. CloudWatch PutMetricData past 10 KB). */
export function requestBody(req: HttpRequest): Buffer {
  const enc = (req.headers["content-encoding"] ?? "").toLowerCase();
  if (!enc.includes("gzip") || req.body.length === 0) return req.body;
  const cache = (req.cache ??= {});
  if (!cache.gunzipped) {
    try {
      cache.gunzipped = nodeZlib().gunzipSync(req.body);
    } catch {
      throw CommonErrors.serialization("The request body is not valid gzip data, as its Content-Encoding says.");
    }
  }
  return cache.gunzipped as Buffer;
}
