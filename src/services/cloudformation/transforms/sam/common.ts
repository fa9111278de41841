// Shared pieces of the SAM transform: its errors (worded as the SAM translator words them — samtranslator/model/
// exceptions.py), the stable hashes it puts in logical ids (samtranslator/translator/logical_id_generator.py: SHA-1 of
// Python's `json.dumps(data, separators=(",", ":"), sort_keys=True)`, first 10 hex digits), and small value helpers.
import { createHash } from "node:crypto";

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** One of the causes an "Invalid Serverless Application Specification document" lists; `id` orders them. */
export class SamError extends Error {
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

/** "Resource with id [X] is invalid. …" (InvalidResourceException). */
export const invalidResource = (id: string, message: string) => new SamError(id, `Resource with id [${id}] is invalid. ${message}`);
/** "Resource with id [F] is invalid. Event with id [E] is invalid. …" (InvalidEventException raised under a resource). */
export const invalidEvent = (fn: string, event: string, message: string) =>
  new SamError(fn, `Resource with id [${fn}] is invalid. Event with id [${event}] is invalid. ${message}`);
/** "'Globals' section is invalid. …" (InvalidGlobalsSectionException). */
export const invalidGlobals = (message: string) => new SamError("Globals", `'Globals' section is invalid. ${message}`);

/** A Python list's repr, as SAM's messages print lists: ['a', 'b']. */
export const pyList = (items: readonly string[]) => `[${items.map((x) => `'${x}'`).join(", ")}]`;

/** Python's json.dumps(data, separators=(",", ":"), sort_keys=True) with its default ensure_ascii. */
export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (typeof v === "number" || typeof v === "boolean") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(",")}]`;
  const o = v as Obj;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${pyJson(k)}:${pyJson(o[k])}`)
    .join(",")}}`;
}

/** Python's repr() of a JSON-like value (SAM hashes `str(swagger)` for an API's deployment id). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  return `{${Object.entries(v as Obj)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
    .join(", ")}}`;
}

/** SHA-1 hex of a string or of a value's stable JSON (LogicalIdGenerator). */
export const sha1 = (data: unknown) =>
  createHash("sha1")
    .update(typeof data === "string" ? data : pyJson(data), "utf8")
    .digest("hex");
/** The 10-digit suffix SAM appends to a logical id ("" for no data, as LogicalIdGenerator gives). */
export const idHash = (data: unknown) =>
  data === undefined || data === null || data === "" || (isObj(data) && !Object.keys(data).length) ? "" : sha1(data).slice(0, 10);

/** An intrinsic function: a one-key object whose key is Ref, Condition or Fn::… */
export const isIntrinsic = (v: unknown): v is Obj => isObj(v) && Object.keys(v).length === 1 && /^(Ref|Condition|Fn::.+)$/.test(Object.keys(v)[0]);

/** A map of tags as CloudFormation's list of Key/Value, SAM's own tag first (lambda:createdBy: SAM). */
export function tagList(tags: unknown, own?: [string, string]): { Key: string; Value: unknown }[] {
  const out: { Key: string; Value: unknown }[] = own ? [{ Key: own[0], Value: own[1] }] : [];
  if (isObj(tags)) for (const [Key, Value] of Object.entries(tags)) out.push({ Key, Value });
  return out;
}

/** Copies the defined entries of `from` named in `keys` into `to` (optionally renamed: [from, to]). */
export function copyProps(to: Obj, from: Obj, keys: readonly (string | [string, string])[]): Obj {
  for (const k of keys) {
    const [src, dst] = typeof k === "string" ? [k, k] : k;
    if (from[src] !== undefined) to[dst] = from[src];
  }
  return to;
}

/** Replaces every Ref/GetAtt/Sub reference to a renamed logical id (a layer's hashed id, `Fn.Alias`). */
export function renameRefs(v: unknown, rename: (name: string) => string | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => renameRefs(x, rename));
  if (!isObj(v)) return v;
  if (typeof v.Ref === "string" && Object.keys(v).length === 1) return { Ref: rename(v.Ref) ?? v.Ref };
  const getAtt = v["Fn::GetAtt"];
  if (getAtt !== undefined && Object.keys(v).length === 1) {
    if (Array.isArray(getAtt) && typeof getAtt[0] === "string") return { "Fn::GetAtt": [rename(getAtt[0]) ?? getAtt[0], ...getAtt.slice(1)] };
    if (typeof getAtt === "string") {
      const [id, ...rest] = getAtt.split(".");
      const to = rename(id);
      if (to) return { "Fn::GetAtt": [to, rest.join(".")] };
    }
  }
  const sub = v["Fn::Sub"];
  if (sub !== undefined && Object.keys(v).length === 1) {
    const subst = (s: string) => s.replace(/\$\{([^!}][^}]*)\}/g, (m, name: string) => (rename(name) ? `\${${rename(name)}}` : m));
    if (typeof sub === "string") return { "Fn::Sub": subst(sub) };
    if (Array.isArray(sub) && typeof sub[0] === "string") return { "Fn::Sub": [subst(sub[0]), renameRefs(sub[1], rename)] };
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renameRefs(x, rename)]));
}

/** Replaces Ref to a template parameter by its default (SAM resolves parameter refs before hashing a version). */
export function resolveParameterRefs(v: unknown, params: Record<string, unknown>): unknown {
  if (Array.isArray(v)) return v.map((x) => resolveParameterRefs(x, params));
  if (!isObj(v)) return v;
  if (typeof v.Ref === "string" && Object.keys(v).length === 1 && params[v.Ref] !== undefined) return params[v.Ref];
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveParameterRefs(x, params)]));
}

/** An S3 location from a SAM `CodeUri`/`ContentUri`/`DefinitionUri` (s3_utils/uri_parser.py's wording). */
export function s3Location(uri: unknown, id: string, prop: string, keys: [bucket: string, key: string, version: string]): Obj {
  let p: { Bucket: unknown; Key: unknown; Version?: unknown };
  if (isObj(uri)) {
    if (!uri.Bucket || !uri.Key) throw invalidResource(id, `'${prop}' requires Bucket and Key properties to be specified.`);
    p = { Bucket: uri.Bucket, Key: uri.Key, Version: uri.Version };
  } else if (typeof uri === "string") {
    const m = /^s3:\/\/([^/?#]+)\/([^?#]*)(?:\?([^#]*))?/.exec(uri);
    if (!m?.[2]) {
      throw invalidResource(id, `'${prop}' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.`);
    }
    const version = new URLSearchParams(m[3] ?? "").getAll("versionId");
    p = { Bucket: m[1], Key: m[2], Version: version.length === 1 ? version[0] : undefined };
  } else {
    throw invalidResource(id, `'${prop}' must be of type dict or string.`);
  }
  const out: Obj = { [keys[0]]: p.Bucket, [keys[1]]: p.Key };
  if (p.Version !== undefined) out[keys[2]] = p.Version;
  return out;
}
