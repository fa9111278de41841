// HTTP API route selection, as AWS documents it ("Routing API requests",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html): a full match of
// route and method first (literal segments before {param} ones, a method before ANY), then a route with a greedy
// {proxy+} variable (the deepest one), then the $default route; nothing → 404 {"message":"Not Found"}.
// A route table is compiled once per deployment into a segment tree, so matching costs the path's length, not the
// number of routes.

export interface RouteMatch<R> {
  route: R;
  /** The route key's path variables, decoded ({proxy+} under its name without the "+"). */
  pathParameters: Record<string, string>;
}

interface Node<R> {
  literal: Map<string, Node<R>>;
  param?: { name: string; node: Node<R> };
  /** {name+}: the rest of the path (one segment or more), by method. */
  greedy?: { name: string; methods: Map<string, R> };
  methods: Map<string, R>;
}

const newNode = <R>(): Node<R> => ({ literal: new Map(), methods: new Map() });

export interface RouteTable<R> {
  match(method: string, path: string): RouteMatch<R> | undefined;
}

/** Splits a request or route path into segments; empty segments (a trailing "/", "//") are dropped. */
function segments(path: string): string[] {
  const out: string[] = [];
  for (const s of path.split("/")) if (s.length) out.push(s);
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Compiles routes (`"GET /items/{id}"`, `"ANY /{proxy+}"`, `"$default"`) into a table. Route keys that are not of
 * that form (a WebSocket API's) are ignored.
 */
export function compileRoutes<R>(routes: Iterable<R>, keyOf: (r: R) => string): RouteTable<R> {
  const root = newNode<R>();
  let fallback: R | undefined;
  for (const r of routes) {
    const key = keyOf(r).trim();
    if (key === "$default") {
      fallback = r;
      continue;
    }
    const sp = key.indexOf(" ");
    if (sp < 0) continue;
    const method = key.slice(0, sp).toUpperCase();
    const segs = segments(key.slice(sp + 1).trim());
    let node = root;
    let placed = false;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      const v = /^\{([^{}]+)\}$/.exec(s);
      if (v && v[1]!.endsWith("+")) {
        if (i !== segs.length - 1) break; // a greedy variable must end the path (CreateRoute refuses otherwise)
        node.greedy ??= { name: v[1]!.slice(0, -1), methods: new Map() };
        if (!node.greedy.methods.has(method)) node.greedy.methods.set(method, r);
        placed = true;
        break;
      }
      if (v) {
        node.param ??= { name: v[1]!, node: newNode() };
        node = node.param.node;
      } else {
        let next = node.literal.get(s);
        if (!next) node.literal.set(s, (next = newNode()));
        node = next;
      }
    }
    if (!placed && !node.methods.has(method)) node.methods.set(method, r);
  }
  return {
    match(method, path) {
      const segs = segments(path);
      const m = method.toUpperCase();
      const full = matchFull(root, segs, m);
      if (full) return full;
      const greedy = matchGreedy(root, segs, m);
      if (greedy) return greedy;
      return fallback === undefined ? undefined : { route: fallback, pathParameters: {} };
    },
  };
}

function byMethod<R>(methods: Map<string, R>, method: string): R | undefined {
  return methods.get(method) ?? methods.get("ANY");
}

/** The names of the {param} variables along the walk, paired with their values. */
function paramsOf<R>(root: Node<R>, segs: string[], values: (string | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  let node: Node<R> | undefined = root;
  for (let i = 0; i < values.length && node; i++) {
    const v = values[i];
    if (v === undefined) node = node.literal.get(segs[i]!);
    else {
      out[node.param!.name] = decode(v);
      node = node.param!.node;
    }
  }
  return out;
}

/** Every segment matched by a literal or a {param}; literal first, backtracking to the {param} branch. */
function matchFull<R>(root: Node<R>, segs: string[], method: string): RouteMatch<R> | undefined {
  // values[i]: undefined where segment i went down a literal branch, the raw segment where it went down {param}.
  const values: (string | undefined)[] = [];
  const walk = (node: Node<R>, i: number): R | undefined => {
    if (i === segs.length) return byMethod(node.methods, method);
    const s = segs[i]!;
    const lit = node.literal.get(s);
    if (lit) {
      values[i] = undefined;
      const r = walk(lit, i + 1);
      if (r !== undefined) return r;
    }
    if (node.param) {
      values[i] = s;
      const r = walk(node.param.node, i + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  };
  const route = walk(root, 0);
  if (route === undefined) return undefined;
  return { route, pathParameters: paramsOf(root, segs, values.slice(0, segs.length)) };
}

/** A {proxy+} route taking the rest of the path: the deepest one along literal-first paths. */
function matchGreedy<R>(root: Node<R>, segs: string[], method: string): RouteMatch<R> | undefined {
  const values: (string | undefined)[] = [];
  let found: { route: R; at: number; name: string } | undefined;
  const walk = (node: Node<R>, i: number): boolean => {
    if (i < segs.length) {
      const s = segs[i]!;
      const lit = node.literal.get(s);
      if (lit) {
        values[i] = undefined;
        if (walk(lit, i + 1)) return true;
      }
      if (node.param) {
        values[i] = s;
        if (walk(node.param.node, i + 1)) return true;
      }
      const g = node.greedy && byMethod(node.greedy.methods, method);
      if (g !== undefined) {
        found = { route: g, at: i, name: node.greedy!.name };
        return true;
      }
    }
    return false;
  };
  if (!walk(root, 0) || !found) return undefined;
  const pathParameters = paramsOf(root, segs, values.slice(0, found.at));
  pathParameters[found.name] = decode(segs.slice(found.at).join("/"));
  return { route: found.route, pathParameters };
}
