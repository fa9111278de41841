// REST operation routing: each model's http.method + requestUri templates compiled once into a route table,
// tried most specific first (literal segments beat labels, greedy labels last, more query/header constraints first).
import { ServiceError } from "../core/errors.js";
import type { ServiceModel } from "../core/model.js";
import type { HttpRequest } from "./types.js";

interface Route {
  operation: string;
  method: string;
  pattern: RegExp;
  labels: { name: string; greedy: boolean }[];
  /** Query keys the template names (`?uploads`, `?list-type=2`): key → required value, or undefined for presence only. */
  literalQuery: [string, string | undefined][];
  /** Query keys of required querystring members: the request must carry them. */
  requiredQuery: string[];
  /** Header names (lower-cased) of required header members (S3's CopyObject: x-amz-copy-source). */
  requiredHeaders: string[];
  /** Compared lexicographically, higher first. */
  score: number[];
}

export interface RouteMatch {
  operation: string;
  /** URI label values, percent-decoded (greedy labels keep their slashes). */
  labels: Record<string, string>;
}

const tables = new WeakMap<ServiceModel, Route[]>();

export function routeTable(model: ServiceModel): Route[] {
  let table = tables.get(model);
  if (!table) {
    table = Object.values(model.operations)
      .filter((op) => op.http)
      .map((op) => compileRoute(model, op.name, op.http!.method, op.http!.requestUri, op.input?.shape));
    // Two operations on one route (S3's GetBucketLifecycle / GetBucketLifecycleConfiguration): the current one
    // wins over the deprecated one, which is what today's SDKs mean.
    const dep = (r: Route) => (model.operations[r.operation].deprecated ? 1 : 0);
    table.sort((a, b) => compareScores(b.score, a.score) || dep(a) - dep(b));
    tables.set(model, table);
  }
  return table;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function compileRoute(model: ServiceModel, operation: string, method: string, requestUri: string, inputShape?: string): Route {
  const q = requestUri.indexOf("?");
  let path = q < 0 ? requestUri : requestUri.slice(0, q);
  const literalQuery: [string, string | undefined][] = [];
  if (q >= 0) {
    for (const part of requestUri.slice(q + 1).split("&")) {
      if (!part) continue;
      const eq = part.indexOf("=");
      literalQuery.push(eq < 0 ? [decodeURIComponent(part), undefined] : [decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))]);
    }
  }
  // A trailing slash in a template is optional on the wire: Lambda's ListFunctions is "/2015-03-31/functions/".
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  const labels: Route["labels"] = [];
  let literalSegments = 0;
  let literalChars = 0;
  let greedy = false;
  const segments = path
    .split("/")
    .slice(1)
    .map((seg) => {
      if (!seg.includes("{")) {
        literalSegments++;
        literalChars += seg.length;
        return escapeRe(seg);
      }
      return seg
        .split(/(\{[^}]+\})/)
        .map((piece) => {
          const m = /^\{([^}+]+)(\+)?\}$/.exec(piece);
          if (!m) {
            literalChars += piece.length;
            return escapeRe(piece);
          }
          labels.push({ name: m[1], greedy: !!m[2] });
          if (m[2]) greedy = true;
          return m[2] ? "(.+)" : "([^/]+)";
        })
        .join("");
    });
  const pattern = new RegExp(path === "/" ? "^/?$" : `^/${segments.join("/")}/?$`);

  const requiredQuery: string[] = [];
  const requiredHeaders: string[] = [];
  const input = inputShape ? model.shapes[inputShape] : undefined;
  for (const name of input?.required ?? []) {
    const ref = input!.members?.[name];
    if (!ref) continue;
    if (ref.location === "querystring" && model.shapes[ref.shape]?.type !== "map") requiredQuery.push(ref.locationName ?? name);
    if (ref.location === "header") requiredHeaders.push((ref.locationName ?? name).toLowerCase());
  }
  const score = [literalSegments, greedy ? 0 : 1, literalQuery.length + requiredQuery.length, requiredHeaders.length, literalChars];
  return { operation, method: method.toUpperCase(), pattern, labels, literalQuery, requiredQuery, requiredHeaders, score };
}

/** The raw query string as decoded (key, value) pairs; a key without "=" has value undefined (`?uploads`). */
export function parseQuery(query: string): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  if (!query) return out;
  for (const part of query.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    out.push(eq < 0 ? [decode(part), undefined] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))]);
  }
  return out;
}

export function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ServiceError("InvalidURI", "Couldn't parse the specified URI.", 400);
  }
}

export type RouteResult = RouteMatch | { pathMatched: boolean };

const byMethod = new WeakMap<ServiceModel, Map<string, Route[]>>();

/** The route table's routes for one method, in the table's order. */
function routesFor(model: ServiceModel, method: string): Route[] {
  let m = byMethod.get(model);
  if (!m) {
    m = new Map();
    for (const r of routeTable(model)) {
      const list = m.get(r.method);
      if (list) list.push(r);
      else m.set(r.method, [r]);
    }
    byMethod.set(model, m);
  }
  return m.get(method) ?? [];
}

/**
 * The most specific route for the request; `pathMatched` tells a wrong method (405) from no route at all. Only the
 * method's routes are tried, each pattern only once its query and header constraints hold (cheap lookups): an S3
 * PutObject tried ~90 patterns before, a few now. The other methods' patterns are tried only when nothing matched.
 */
export function matchRoute(req: HttpRequest, model: ServiceModel): RouteResult {
  const method = req.method.toUpperCase();
  const query = queryOf(req);
  const keys = new Map<string, (string | undefined)[]>();
  for (const [k, v] of query) {
    const values = keys.get(k);
    if (values) values.push(v);
    else keys.set(k, [v]);
  }
  // Plain loops: a callback per route and constraint (every(), forEach()) allocated ~4 KB per S3 request, garbage
  // that under load makes the young generation's collections more frequent.
  for (const route of routesFor(model, method)) {
    if (!constraintsHold(route, keys, req.headers)) continue;
    const m = route.pattern.exec(req.path);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (let i = 0; i < route.labels.length; i++) labels[route.labels[i].name] = decode(m[i + 1]);
    return { operation: route.operation, labels };
  }
  return { pathMatched: routeTable(model).some((r) => r.pattern.test(req.path)) };
}

/** Whether the request carries the route's literal query keys (and values), required query keys and headers. */
function constraintsHold(route: Route, keys: Map<string, (string | undefined)[]>, headers: Record<string, string>): boolean {
  for (const [k, v] of route.literalQuery) {
    const values = keys.get(k);
    if (!values || (v !== undefined && !values.includes(v))) return false;
  }
  for (const k of route.requiredQuery) if (!keys.has(k)) return false;
  for (const h of route.requiredHeaders) if (headers[h] === undefined) return false;
  return true;
}

/** The decoded query pairs, parsed once per request. */
export function queryOf(req: HttpRequest): [string, string | undefined][] {
  const cache = (req.cache ??= {});
  return (cache.restQuery ??= parseQuery(req.query)) as [string, string | undefined][];
}

/** The labels of the route this request matched (resolveOperation keeps them; parseInput reads them). */
export function labelsOf(req: HttpRequest, model: ServiceModel, operation: string): Record<string, string> {
  const cache = (req.cache ??= {});
  if (cache.restOperation === operation && cache.restLabels) return cache.restLabels as Record<string, string>;
  const route = routeTable(model).find((r) => r.operation === operation);
  const m = route?.pattern.exec(req.path);
  const labels: Record<string, string> = {};
  if (route && m) route.labels.forEach((l, i) => (labels[l.name] = decode(m[i + 1])));
  return labels;
}

/** Routes the request, remembering its labels for parseInput; throws the codec's own no-route error. */
export function resolveRestOperation(req: HttpRequest, model: ServiceModel, noRoute: (pathMatched: boolean) => ServiceError): string {
  const r = matchRoute(req, model);
  if (!("operation" in r)) throw noRoute(r.pathMatched);
  const cache = (req.cache ??= {});
  cache.restOperation = r.operation;
  cache.restLabels = r.labels;
  return r.operation;
}
