// A deployment's resource tree compiled once into a segment trie, so that matching a request costs the depth of
// its path, never the number of resources. Matching is AWS's "most specific first": at each segment a literal
// child, then a {param} child, then a greedy {proxy+} child (which takes one or more remaining segments); the
// method is the request's verb, else ANY. A resource that matches the path but has neither verb lets the search
// go on to a less specific one (a {proxy+} ANY beside a GET-only resource answers its other verbs).
// // unverified: whether AWS falls back to a less specific resource for a verb the specific one lacks.
import type { Method } from "../api.generated.js";
import type { ApiSnapshot, ResourceRec } from "../state.js";

interface Node {
  literals: Map<string, Node>;
  param?: { name: string; node: Node };
  greedy?: { name: string; node: Node };
  resource?: ResourceRec;
}

export interface CompiledApi {
  snapshot: ApiSnapshot;
  root: Node;
  /** binaryMediaTypes as matchers (type/subtype with * wildcards). */
  binary: RegExp[];
}

export interface RouteMatch {
  resource: ResourceRec;
  method: Method;
  methodKey: string;
  pathParameters: Record<string, string>;
}

const newNode = (): Node => ({ literals: new Map() });

export function compile(snapshot: ApiSnapshot): CompiledApi {
  const root = newNode();
  for (const r of snapshot.resources) {
    let node = root;
    for (const part of r.path.split("/")) {
      if (!part) continue;
      const greedy = /^\{(.+)\+\}$/.exec(part);
      const param = greedy ? null : /^\{(.+)\}$/.exec(part);
      if (greedy) {
        node.greedy ??= { name: greedy[1]!, node: newNode() };
        node = node.greedy.node;
      } else if (param) {
        node.param ??= { name: param[1]!, node: newNode() };
        node = node.param.node;
      } else {
        let next = node.literals.get(part);
        if (!next) node.literals.set(part, (next = newNode()));
        node = next;
      }
    }
    node.resource = r;
  }
  return { snapshot, root, binary: (snapshot.api.binaryMediaTypes ?? []).map(mediaTypeMatcher) };
}

/** A binary media type as API Gateway reads it: "image/png", "image/*", "*\/*" (the API stores "~1" for "/"). */
export function mediaTypeMatcher(type: string): RegExp {
  const t = type.replace(/~1/g, "/").trim().toLowerCase();
  const esc = t.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*");
  return new RegExp(`^${esc}$`);
}

export function isBinaryType(api: CompiledApi, contentType: string | undefined): boolean {
  if (!contentType || !api.binary.length) return false;
  const t = contentType.split(";")[0]!.trim().toLowerCase();
  return api.binary.some((m) => m.test(t));
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The resource and method for a request's path (below the stage, raw) and verb; undefined when none. */
export function match(api: CompiledApi, rawPath: string, verb: string): RouteMatch | undefined {
  const segments: string[] = [];
  for (const s of rawPath.split("/")) if (s) segments.push(decode(s));
  const params: [string, string][] = [];
  const found = walk(api.root, segments, 0, verb, params);
  if (!found) return undefined;
  const pathParameters: Record<string, string> = {};
  for (const [k, v] of found.params) pathParameters[k] = v;
  return { resource: found.resource, method: found.method, methodKey: found.methodKey, pathParameters };
}

interface Walked {
  resource: ResourceRec;
  method: Method;
  methodKey: string;
  params: [string, string][];
}

function methodOf(r: ResourceRec | undefined, verb: string): [Method, string] | undefined {
  if (!r) return undefined;
  const exact = r.resourceMethods[verb];
  if (exact) return [exact, verb];
  const any = r.resourceMethods.ANY;
  return any ? [any, "ANY"] : undefined;
}

function walk(node: Node, segs: string[], i: number, verb: string, params: [string, string][]): Walked | undefined {
  if (i === segs.length) {
    const m = methodOf(node.resource, verb);
    return m ? { resource: node.resource!, method: m[0], methodKey: m[1], params: [...params] } : undefined;
  }
  const seg = segs[i]!;
  const lit = node.literals.get(seg);
  if (lit) {
    const w = walk(lit, segs, i + 1, verb, params);
    if (w) return w;
  }
  if (node.param) {
    params.push([node.param.name, seg]);
    const w = walk(node.param.node, segs, i + 1, verb, params);
    params.pop();
    if (w) return w;
  }
  if (node.greedy) {
    const m = methodOf(node.greedy.node.resource, verb);
    if (m) return { resource: node.greedy.node.resource!, method: m[0], methodKey: m[1], params: [...params, [node.greedy.name, segs.slice(i).join("/")]] };
  }
  return undefined;
}

/** Compiled deployments, by "<apiId>/<deploymentId>" (a deployment never changes), the least recently used dropped first. */
const MAX_CACHED = 256;
const cache = new Map<string, CompiledApi>();

export function compiledFor(apiId: string, deploymentId: string, load: () => ApiSnapshot | undefined): CompiledApi | undefined {
  const key = `${apiId}/${deploymentId}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const snapshot = load();
  if (!snapshot) return undefined;
  const compiled = compile(snapshot);
  cache.set(key, compiled);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return compiled;
}
