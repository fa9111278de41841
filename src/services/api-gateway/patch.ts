// API Gateway's PatchOperations (https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html): every
// Update* operation takes a list of { op, path, value, from } with op one of add/remove/replace/move/copy/test and
// a path in JSON Pointer form ("/name", "/binaryMediaTypes/image~1png", where "~1" is "/" and "~0" is "~"), values
// always strings. Each resource declares which paths it takes and of what kind (PatchSpec); `applyPatch` applies
// the operations to a copy of its record in order, converting values, and refuses the rest with AWS's wording.
import { BadRequestException, type Op, type PatchOperation } from "./api.generated.js";

/** A path's segments, decoded: "/binaryMediaTypes/image~1png" → ["binaryMediaTypes", "image/png"]. */
export function decodePath(path: string): string[] {
  return path
    .replace(/^\//, "")
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** One segment encoded for a path: "image/png" → "image~1png". */
export const encodeSegment = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** The kinds of value a patchable path holds. */
export type FieldKind =
  /** A scalar at exactly the path. */
  | "string"
  | "boolean"
  | "integer"
  | "number"
  /** A list of strings: "/field/<item>" adds or removes an item; replace "/field/<item>" swaps it for the value. */
  | "list"
  /** A map of strings: "/field/<key>" sets or removes one key. */
  | "map"
  /** A map of booleans (a method's requestParameters): "/field/<key>" with "true"/"false" (add defaults to false). */
  | "booleanMap";

export interface FieldSpec {
  kind: FieldKind;
  /** The operations this path accepts (default: add, remove, replace, and move/copy/test through them). */
  ops?: readonly Op[];
  /** Checks (and may normalise) a converted value before it is set. */
  check?: (value: unknown) => unknown;
  /** The error for a value that does not convert to the kind (default: a generic BadRequest). */
  invalid?: (value: string | undefined) => Error;
}

/** Paths a resource accepts, keyed by their segments joined with "/" (e.g. "name", "endpointConfiguration/types"). */
export type PatchSpec = Record<string, FieldKind | FieldSpec>;

export interface PatchOptions {
  /** The error for a path the resource does not have (default AWS's "Invalid patch path <path>"). */
  invalidPath?: (op: PatchOperation) => Error;
  /** The error for an op the path does not accept (default AWS's "Invalid patch operation specified. Must be one of: [..]"). */
  invalidOp?: (op: PatchOperation, allowed: readonly Op[]) => Error;
}

// "Invalid patch path /binaryMediaTypes", "Invalid patch path null" (recorded against AWS in LocalStack's
// test_apigateway_api snapshots).
export const invalidPatchPath = (op: PatchOperation): Error => new BadRequestException(`Invalid patch path ${op.path ?? "null"}`);
// "Invalid patch operation specified. Must be one of: [replace]" (same source).
export const invalidPatchOp = (_op: PatchOperation, allowed: readonly Op[]): Error =>
  new BadRequestException(`Invalid patch operation specified. Must be one of: [${allowed.join(", ")}]`);
/** The wording AWS uses for resources and validators: "Invalid patch path  '/pathPart' specified for op 'remove'. Please choose supported operations". */
export const unsupportedPatchOp = (op: PatchOperation): Error =>
  new BadRequestException(`Invalid patch path  '${op.path}' specified for op '${op.op}'. Please choose supported operations`);

const DEFAULT_OPS: readonly Op[] = ["add", "remove", "replace", "move", "copy", "test"];

/** AWS's boolean values in patches: "true"/"false", any case. */
export function toBoolean(value: string | undefined, path: string): boolean {
  const v = value?.toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw new BadRequestException(`Invalid boolean value ${value ?? "null"} for path ${path}`); // unverified wording
}

function convert(kind: FieldKind, value: string | undefined, path: string, invalid?: (value: string | undefined) => Error): unknown {
  if (invalid) {
    try {
      return convert(kind, value, path);
    } catch {
      throw invalid(value);
    }
  }
  switch (kind) {
    case "boolean":
    case "booleanMap":
      return toBoolean(value, path);
    case "integer":
    case "number": {
      const n = value === undefined || value.trim() === "" ? Number.NaN : Number(value);
      if (!Number.isFinite(n) || (kind === "integer" && !Number.isInteger(n)))
        throw new BadRequestException(`Invalid ${kind === "integer" ? "integer" : "number"} value ${value ?? "null"} for path ${path}`); // unverified wording
      return n;
    }
    default:
      return value;
  }
}

type Obj = Record<string, unknown>;

function parentOf(rec: Obj, keys: string[], create: boolean): Obj | undefined {
  let o: Obj = rec;
  for (const k of keys.slice(0, -1)) {
    let next = o[k];
    if (next === undefined || next === null || typeof next !== "object") {
      if (!create) return undefined;
      next = {};
      o[k] = next;
    }
    o = next as Obj;
  }
  return o;
}

interface Resolved {
  spec: FieldSpec;
  keys: string[];
  /** The segment after the field (list item, map key), if any. */
  sub?: string;
}

function resolve(spec: PatchSpec, path: string | undefined): Resolved | undefined {
  if (path === undefined || !path.startsWith("/")) return undefined;
  const segs = decodePath(path);
  // The longest declared field that the path starts with.
  for (let n = segs.length; n >= 1; n--) {
    const key = segs.slice(0, n).join("/");
    const raw = spec[key];
    if (!raw) continue;
    const s = typeof raw === "string" ? { kind: raw } : raw;
    const rest = segs.slice(n);
    const collection = s.kind === "list" || s.kind === "map" || s.kind === "booleanMap";
    if (!collection && rest.length) return undefined;
    if (collection && rest.length > 1) return { spec: s, keys: segs.slice(0, n), sub: rest.join("/") };
    return { spec: s, keys: segs.slice(0, n), sub: rest[0] };
  }
  return undefined;
}

function read(rec: Obj, r: Resolved): string | undefined {
  const holder = parentOf(rec, r.keys, false);
  const v = holder?.[r.keys[r.keys.length - 1]];
  if (r.sub === undefined) return v === undefined || v === null ? undefined : typeof v === "object" ? JSON.stringify(v) : String(v);
  if (Array.isArray(v)) return v.includes(r.sub) ? r.sub : undefined;
  if (v && typeof v === "object") {
    const x = (v as Obj)[r.sub];
    return x === undefined ? undefined : String(x);
  }
  return undefined;
}

function write(rec: Obj, r: Resolved, op: "add" | "replace" | "remove", value: string | undefined, path: string): void {
  const { kind, check, invalid } = r.spec;
  const last = r.keys[r.keys.length - 1];
  const holder = parentOf(rec, r.keys, op !== "remove");
  if (!holder) return;
  if (kind === "list") {
    const list = Array.isArray(holder[last]) ? [...(holder[last] as string[])] : [];
    if (r.sub === undefined) throw invalidPatchPath({ op, path });
    const item = r.sub;
    const i = list.indexOf(item);
    if (op === "remove") {
      if (i >= 0) list.splice(i, 1);
    } else if (op === "add") {
      const v = (check ? check(item) : item) as string;
      if (!list.includes(v)) list.push(v);
    } else {
      const v = (check ? check(value) : value) as string;
      if (i >= 0) list[i] = v;
      else list.push(v);
    }
    holder[last] = list;
    return;
  }
  if (kind === "map" || kind === "booleanMap") {
    const map = { ...((holder[last] as Obj | undefined) ?? {}) };
    if (r.sub === undefined) throw invalidPatchPath({ op, path });
    if (op === "remove") delete map[r.sub];
    else {
      const v = kind === "booleanMap" && value === undefined && op === "add" ? false : convert(kind, value, path, invalid);
      map[r.sub] = check ? check(v) : v;
    }
    holder[last] = map;
    return;
  }
  if (op === "remove" || value === undefined) {
    delete holder[last];
    return;
  }
  const v = convert(kind, value, path, invalid);
  holder[last] = check ? check(v) : v;
}

/**
 * Applies `ops` to a deep copy of `rec` (which the caller stores only if every operation succeeded): each path
 * must be declared in `spec` and its op allowed there. move/copy read the value at `from` (a declared path) and
 * add it at `path`; test compares the value at `path` with `value`.
 */
export function applyPatch<T extends object>(rec: T, ops: readonly PatchOperation[] | undefined, spec: PatchSpec, opts: PatchOptions = {}): T {
  const out = structuredClone(rec) as Obj;
  const badPath = opts.invalidPath ?? invalidPatchPath;
  const badOp = opts.invalidOp ?? invalidPatchOp;
  for (const op of ops ?? []) {
    const r = resolve(spec, op.path);
    if (!r) throw badPath(op);
    const allowed = r.spec.ops ?? DEFAULT_OPS;
    if (!op.op || !allowed.includes(op.op)) throw badOp(op, allowed);
    const path = op.path as string;
    switch (op.op) {
      case "add":
      case "replace":
      case "remove":
        write(out, r, op.op, op.value, path);
        break;
      case "copy":
      case "move": {
        const from = resolve(spec, op.from);
        if (!from) throw badPath({ ...op, path: op.from });
        const v = read(out, from);
        if (op.op === "move") write(out, from, "remove", undefined, op.from as string);
        write(out, r, "add", v, path);
        break;
      }
      case "test": {
        const v = read(out, r);
        if (v !== op.value) throw new BadRequestException(`Test operation failed: the value at ${path} is not ${op.value ?? "null"}`); // unverified wording
        break;
      }
    }
  }
  return out as T;
}
