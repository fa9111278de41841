// JSON Patch (RFC 6902) over JSON Pointers (RFC 6901): add, remove, replace, move, copy and test, applied to a copy
// of the document, all or nothing. Cloud Control's UpdateResource takes its changes as such a patch; no maintained
// JSON-patch package is among Stratus's dependencies, and the RFC is small. The caller words a failure its own way
// (JsonPatchError carries what went wrong).

export class JsonPatchError extends Error {}

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

type Json = unknown;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A pointer's reference tokens, `~1` and `~0` unescaped (RFC 6901 section 4); "" is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new JsonPatchError(`Invalid JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** An array index token: digits without a leading zero (RFC 6901 section 4), or "-" (past the end) where allowed. */
function arrayIndex(arr: unknown[], token: string, forInsert: boolean): number {
  if (forInsert && token === "-") return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new JsonPatchError(`Invalid array index: ${token}`);
  const i = Number(token);
  if (i > arr.length || (!forInsert && i === arr.length)) throw new JsonPatchError(`Array index out of bounds: ${token}`);
  return i;
}

function get(doc: Json, tokens: string[], pointer: string): Json {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false)];
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw new JsonPatchError(`No value at path ${pointer}`);
  }
  return cur;
}

function parentOf(doc: Json, tokens: string[], pointer: string): { parent: Json; key: string } {
  if (!tokens.length) throw new JsonPatchError(`No parent for path ${pointer}`);
  return { parent: get(doc, tokens.slice(0, -1), pointer), key: tokens[tokens.length - 1] };
}

function add(doc: Json, pointer: string, value: Json): Json {
  const tokens = parsePointer(pointer);
  if (!tokens.length) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else if (isObject(parent)) parent[key] = value;
  else throw new JsonPatchError(`No value at path ${pointer}`);
  return doc;
}

function remove(doc: Json, pointer: string): { doc: Json; removed: Json } {
  const tokens = parsePointer(pointer);
  if (!tokens.length) return { doc: undefined, removed: doc };
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) return { doc, removed: parent.splice(arrayIndex(parent, key, false), 1)[0] };
  if (isObject(parent) && Object.hasOwn(parent, key)) {
    const removed = parent[key];
    delete parent[key];
    return { doc, removed };
  }
  throw new JsonPatchError(`No value at path ${pointer}`);
}

/** Deep equality of JSON values (object member order does not matter; RFC 6902 section 4.6). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

const clone = (v: Json): Json => (v === undefined ? undefined : structuredClone(v));

/** Checks that `patch` is a JSON Patch document: an array of operations, each with the members its op needs. */
export function parsePatch(patch: unknown): PatchOperation[] {
  if (!Array.isArray(patch)) throw new JsonPatchError("A JSON Patch document must be an array of operations");
  return patch.map((o, i) => {
    if (!isObject(o) || typeof o.op !== "string" || typeof o.path !== "string") throw new JsonPatchError(`Operation ${i} needs op and path`);
    if (!["add", "remove", "replace", "move", "copy", "test"].includes(o.op)) throw new JsonPatchError(`Operation ${i}: unknown op ${o.op}`);
    if ((o.op === "add" || o.op === "replace" || o.op === "test") && !Object.hasOwn(o, "value"))
      throw new JsonPatchError(`Operation ${i} (${o.op}) needs a value`);
    if ((o.op === "move" || o.op === "copy") && typeof o.from !== "string") throw new JsonPatchError(`Operation ${i} (${o.op}) needs from`);
    return o as unknown as PatchOperation;
  });
}

/** Applies `patch` to a copy of `doc`: the new document, or JsonPatchError (and `doc` untouched). */
export function applyPatch<T = Json>(doc: T, patch: unknown): T {
  let out: Json = clone(doc);
  for (const o of parsePatch(patch)) {
    switch (o.op) {
      case "add":
        out = add(out, o.path, clone(o.value));
        break;
      case "remove":
        out = remove(out, o.path).doc;
        break;
      case "replace":
        out = add(remove(out, o.path).doc, o.path, clone(o.value));
        break;
      case "move": {
        // A location cannot be moved into one of its children (section 4.4).
        if (o.path !== o.from && o.path.startsWith(`${o.from}/`)) throw new JsonPatchError(`Cannot move ${o.from} into its own child ${o.path}`);
        const r = remove(out, o.from!);
        out = add(r.doc, o.path, r.removed);
        break;
      }
      case "copy":
        out = add(out, o.path, clone(get(out, parsePointer(o.from!), o.from!)));
        break;
      case "test":
        if (!jsonEqual(get(out, parsePointer(o.path), o.path), o.value)) throw new JsonPatchError(`Test failed at path ${o.path}`);
        break;
    }
  }
  return out as T;
}
