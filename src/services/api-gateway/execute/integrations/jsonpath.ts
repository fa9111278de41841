// The JSONPath API Gateway's mapping templates take ($input.path, $input.json, body mappings such as
// integration.response.body.a.b): Goessner's syntax as AWS documents it — `$`, `.name`, `['name']`, `[n]` (negative
// counts from the end), `[*]` and `.*`, `..name` (recursive descent), unions `[0,2]` / `['a','b']` and slices
// `[1:3]`. Filters (`[?(...)]`) and scripts are not supported: such a path matches nothing.
// No JSONPath library is installed, so this is a small evaluator over already-parsed JSON.

type Step =
  | { kind: "name"; names: string[] }
  | { kind: "index"; indexes: number[] }
  | { kind: "slice"; start?: number; end?: number; step: number }
  | { kind: "wild" }
  | { kind: "descend"; then: Step }
  | { kind: "never" };

interface Compiled {
  steps: Step[];
  /** Whether the path can match several values (wildcards, descent, unions, slices): the answer is then a list. */
  indefinite: boolean;
}

const cache = new Map<string, Compiled>();

function compile(path: string): Compiled {
  let c = cache.get(path);
  if (c) return c;
  c = parse(path.trim());
  if (cache.size > 1000) cache.clear();
  cache.set(path, c);
  return c;
}

function parse(path: string): Compiled {
  const steps: Step[] = [];
  let i = path.startsWith("$") ? 1 : 0;
  let indefinite = false;
  const never = (): Compiled => ({ steps: [{ kind: "never" }], indefinite: false });
  // A path without "$" (integration.response.body.a.b style) reads as if it began "$.".
  if (i === 0 && path && path[0] !== "." && path[0] !== "[") path = `.${path}`;
  while (i < path.length) {
    const ch = path[i];
    if (ch === ".") {
      const descend = path[i + 1] === ".";
      i += descend ? 2 : 1;
      let step: Step;
      if (path[i] === "*") {
        step = { kind: "wild" };
        i++;
      } else if (path[i] === "[" && descend) {
        const r = bracket(path, i);
        if (!r) return never();
        step = r.step;
        i = r.next;
      } else {
        const m = /^[^.[\]]+/.exec(path.slice(i));
        if (!m) return never();
        step = { kind: "name", names: [m[0]] };
        i += m[0].length;
      }
      if (descend) {
        steps.push({ kind: "descend", then: step });
        indefinite = true;
      } else {
        if (step.kind === "wild") indefinite = true;
        steps.push(step);
      }
    } else if (ch === "[") {
      const r = bracket(path, i);
      if (!r) return never();
      if (
        r.step.kind === "wild" ||
        r.step.kind === "slice" ||
        (r.step.kind === "name" && r.step.names.length > 1) ||
        (r.step.kind === "index" && r.step.indexes.length > 1)
      )
        indefinite = true;
      steps.push(r.step);
      i = r.next;
    } else {
      return never();
    }
  }
  return { steps, indefinite };
}

function bracket(path: string, open: number): { step: Step; next: number } | undefined {
  // Find the closing bracket outside quotes.
  let i = open + 1;
  let quote: string | undefined;
  for (; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "]") break;
  }
  if (i >= path.length) return undefined;
  const inner = path.slice(open + 1, i).trim();
  const next = i + 1;
  if (inner === "*") return { step: { kind: "wild" }, next };
  if (inner.startsWith("?") || inner.startsWith("(")) return { step: { kind: "never" }, next };
  const slice = /^(-?\d*)\s*:\s*(-?\d*)(?:\s*:\s*(-?\d+))?$/.exec(inner);
  if (slice) {
    return {
      step: {
        kind: "slice",
        start: slice[1] ? Number(slice[1]) : undefined,
        end: slice[2] ? Number(slice[2]) : undefined,
        step: slice[3] ? Number(slice[3]) : 1,
      },
      next,
    };
  }
  const parts = splitUnion(inner);
  if (parts.every((p) => /^-?\d+$/.test(p))) return { step: { kind: "index", indexes: parts.map(Number) }, next };
  const names: string[] = [];
  for (const p of parts) {
    const q = /^(['"])(.*)\1$/s.exec(p);
    names.push(q ? q[2]!.replace(/\\(.)/g, "$1") : p);
  }
  return { step: { kind: "name", names }, next };
}

function splitUnion(inner: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      cur += c;
      if (c === "\\") cur += inner[++i] ?? "";
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  return [];
}

function apply(step: Step, values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    switch (step.kind) {
      case "name":
        if (isObject(v)) for (const n of step.names) if (Object.hasOwn(v, n)) out.push(v[n]);
        break;
      case "index":
        if (Array.isArray(v)) {
          for (const n of step.indexes) {
            const at = n < 0 ? v.length + n : n;
            if (at >= 0 && at < v.length) out.push(v[at]);
          }
        }
        break;
      case "slice":
        if (Array.isArray(v)) {
          const norm = (n: number) => (n < 0 ? Math.max(0, v.length + n) : Math.min(n, v.length));
          const start = norm(step.start ?? 0);
          const end = norm(step.end ?? v.length);
          for (let k = start; k < end; k += Math.max(1, step.step)) out.push(v[k]);
        }
        break;
      case "wild":
        out.push(...children(v));
        break;
      case "descend": {
        const all: unknown[] = [];
        const walk = (x: unknown) => {
          all.push(x);
          for (const c of children(x)) walk(c);
        };
        walk(v);
        out.push(...apply(step.then, all));
        break;
      }
      case "never":
        break;
    }
  }
  return out;
}

/**
 * The value `path` selects in `doc`: one value (undefined when nothing matches) for a definite path, the list of
 * matches for a path with wildcards, descent, unions or slices.
 */
export function jsonPath(doc: unknown, path: string): unknown {
  const { steps, indefinite } = compile(path);
  let values: unknown[] = [doc];
  for (const s of steps) values = apply(s, values);
  return indefinite ? values : values[0];
}
