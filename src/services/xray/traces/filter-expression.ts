// X-Ray's filter expressions (AWS docs, "Using filter expressions":
// https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html), parsed once and compiled to a
// predicate over a trace's record (assemble.ts) — no document is read while filtering.
//
//   expr      := or
//   or        := and (("OR" | "||") and)*
//   and       := not (("AND" | "&&") not)*
//   not       := ("NOT" | "!") not | "(" or ")" | condition
//   condition := boolean keyword [("=" | "!=") true|false]   ok error fault throttle partial inferred (remote root)
//              | number keyword op number                     responsetime duration http.status (coverage)
//              | string keyword strop string                  http.url http.method http.useragent http.clientip
//                                                             user name type (message)
//              | annotation.<key> [op value] | annotation[<key>] [op value]
//              | service([name | id(...)]) [{ expr }] | edge(a, b) [{ expr }] | id(...) [{ expr }]
//              | group.name = "…" | group.arn = "…"
//              | rootcause.(fault|error|responsetime).(service|entity|exception) { expr }
//   op        := = != < <= > >=        strop := = != CONTAINS BEGINSWITH ENDSWITH
//
// Inside service(){…} the keywords are a request to that service's (any request of the trace that matches), inside
// edge(){…} a call along that edge, inside rootcause…{…} the root cause's service, entities or exceptions.
import { InvalidRequestException } from "../api.generated.js";
import { annotationValues, type CauseEntity, causesOf, type EdgeRec, edgesOf, type RequestRec, requestsOf, type TraceRec } from "./assemble.js";

export type TraceFilter = (t: TraceRec) => boolean;

/** Resolves `group.name` / `group.arn` to that group's filter expression (undefined: no such group). */
export type GroupLookup = (by: "name" | "arn", value: string) => string | undefined;

type Tok = { k: "str" | "num" | "id" | "op" | "end"; v: string; at: number };

// unverified wording: AWS answers an invalid expression with InvalidRequestException; its text was not found in a
// recorded response.
const invalid = (why: string) => new InvalidRequestException(`Invalid filter expression: ${why}`);

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let v = "";
      let j = i + 1;
      for (; j < src.length && src[j] !== c; j++) v += src[j] === "\\" && j + 1 < src.length ? src[++j] : src[j];
      if (j >= src.length) throw invalid(`unterminated string at position ${i}`);
      out.push({ k: "str", v, at: i });
      i = j + 1;
      continue;
    }
    const num = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num && (c !== "-" || /[\d.]/.test(src[i + 1] ?? ""))) {
      out.push({ k: "num", v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: "id", v: id[0], at: i });
      i += id[0].length;
      continue;
    }
    const op = /^(?:!=|<=|>=|&&|\|\||[=<>!(){}[\],:])/.exec(src.slice(i));
    if (!op) throw invalid(`unexpected character '${c}' at position ${i}`);
    out.push({ k: "op", v: op[0], at: i });
    i += op[0].length;
  }
  out.push({ k: "end", v: "", at: src.length });
  return out;
}

/** What a keyword reads in one scope: the value(s) of the item being tested. */
type Scalar = string | number | boolean | undefined;
type Getter<X> = (x: X, t: TraceRec) => Scalar | Scalar[];
interface Scope<X> {
  name: string;
  keywords: Record<string, { type: "bool" | "num" | "str"; get: Getter<X> }>;
  /** The annotations visible from an item of this scope. */
  annotations?: (x: X, t: TraceRec, key: string) => Scalar[];
}

const secs = (r: { start: number; end: number }) => r.end - r.start;
const svcName = (t: TraceRec, s: number) => t.services[s]?.Name;
const svcType = (t: TraceRec, s: number) => t.services[s]?.Type;
const requestLike = <X extends { error: boolean; fault: boolean; throttle: boolean; start: number; end: number }>() => ({
  ok: { type: "bool" as const, get: (r: X) => !r.error && !r.fault && !r.throttle },
  error: { type: "bool" as const, get: (r: X) => r.error && !r.throttle },
  fault: { type: "bool" as const, get: (r: X) => r.fault },
  throttle: { type: "bool" as const, get: (r: X) => r.throttle },
  responsetime: { type: "num" as const, get: (r: X) => secs(r) },
  duration: { type: "num" as const, get: (r: X) => secs(r) },
});

const TRACE: Scope<TraceRec> = {
  name: "trace",
  keywords: {
    ok: { type: "bool", get: (t) => !t.error && !t.fault && !t.throttle },
    error: { type: "bool", get: (t) => t.error && !t.throttle },
    fault: { type: "bool", get: (t) => t.fault },
    throttle: { type: "bool", get: (t) => t.throttle },
    partial: { type: "bool", get: (t) => t.partial },
    inferred: { type: "bool", get: (t) => t.inferred },
    responsetime: { type: "num", get: (t) => t.responseTime },
    duration: { type: "num", get: (t) => t.duration },
    "http.status": { type: "num", get: (t) => t.http?.status },
    "http.url": { type: "str", get: (t) => t.http?.url },
    "http.method": { type: "str", get: (t) => t.http?.method },
    "http.useragent": { type: "str", get: (t) => t.http?.ua },
    "http.clientip": { type: "str", get: (t) => t.http?.ip },
    user: { type: "str", get: (t) => t.users.map((u) => u.n) },
    name: { type: "str", get: (t) => t.services.map((s) => s.Name) },
    type: { type: "str", get: (t) => t.services.map((s) => s.Type) },
  },
  annotations: (t, _t, key) => annotationValues(t, key),
};

const SERVICE: Scope<RequestRec> = {
  name: "service",
  keywords: {
    ...requestLike<RequestRec>(),
    inferred: { type: "bool", get: (r, t) => t.services[r.s]?.Inferred === true },
    root: { type: "bool", get: (r, t) => r.s === t.entry },
    "http.status": { type: "num", get: (r) => r.status },
    name: { type: "str", get: (r, t) => svcName(t, r.s) },
    type: { type: "str", get: (r, t) => svcType(t, r.s) },
  },
  annotations: (r, t, key) => annotationValues(t, key, r.s),
};

const EDGE: Scope<EdgeRec> = { name: "edge", keywords: requestLike<EdgeRec>() };

interface CauseItem {
  s: number;
  entity?: CauseEntity;
  exception?: { Name?: string; Message?: string };
}
const CAUSE: Scope<CauseItem> = {
  name: "rootcause",
  keywords: {
    name: { type: "str", get: (c, t) => c.exception?.Name ?? c.entity?.Name ?? svcName(t, c.s) },
    type: { type: "str", get: (c, t) => svcType(t, c.s) },
    message: { type: "str", get: (c) => c.exception?.Message },
    remote: { type: "bool", get: (c) => c.entity?.Remote === true },
    inferred: { type: "bool", get: (c, t) => t.services[c.s]?.Inferred === true },
    coverage: { type: "num", get: (c) => c.entity?.Coverage },
  },
};

type Pred<X> = (x: X, t: TraceRec) => boolean;
interface IdMatch {
  name?: string;
  type?: string;
  account?: string;
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly groups: GroupLookup | undefined,
    private readonly depth: number,
  ) {}

  private peek(): Tok {
    return this.toks[this.i];
  }
  private next(): Tok {
    return this.toks[this.i++];
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t.k === "id" && t.v.toUpperCase() === w;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === "op" && t.v === v;
  }
  private expect(v: string): void {
    const t = this.next();
    if (t.k !== "op" || t.v !== v) throw invalid(`expected '${v}' at position ${t.at}`);
  }
  private string(): string {
    const t = this.next();
    if (t.k !== "str") throw invalid(`expected a string at position ${t.at}`);
    return t.v;
  }

  parse<X>(scope: Scope<X>): Pred<X> {
    const p = this.or(scope);
    const t = this.peek();
    if (t.k !== "end") throw invalid(`unexpected '${t.v}' at position ${t.at}`);
    return p;
  }

  private or<X>(scope: Scope<X>): Pred<X> {
    let left = this.and(scope);
    while (this.isWord("OR") || this.isOp("||")) {
      this.next();
      const a = left;
      const b = this.and(scope);
      left = (x, t) => a(x, t) || b(x, t);
    }
    return left;
  }

  private and<X>(scope: Scope<X>): Pred<X> {
    let left = this.not(scope);
    while (this.isWord("AND") || this.isOp("&&")) {
      this.next();
      const a = left;
      const b = this.not(scope);
      left = (x, t) => a(x, t) && b(x, t);
    }
    return left;
  }

  private not<X>(scope: Scope<X>): Pred<X> {
    if (this.isWord("NOT") || this.isOp("!")) {
      this.next();
      const inner = this.not(scope);
      return (x, t) => !inner(x, t);
    }
    if (this.isOp("(")) {
      this.next();
      const inner = this.or(scope);
      this.expect(")");
      return inner;
    }
    return this.condition(scope);
  }

  private condition<X>(scope: Scope<X>): Pred<X> {
    const tok = this.next();
    if (tok.k !== "id") throw invalid(tok.k === "end" ? "unexpected end of expression" : `unexpected '${tok.v}' at position ${tok.at}`);
    const word = tok.v.toLowerCase();
    if (scope === (TRACE as unknown)) {
      const top = this.topLevel(word, tok) as Pred<X> | undefined;
      if (top) return top;
    }
    if (word === "annotation" || word.startsWith("annotation.")) {
      if (!scope.annotations) throw invalid(`annotation is not available inside ${scope.name}`);
      let key = tok.v.slice("annotation.".length);
      if (word === "annotation") {
        this.expect("[");
        const k = this.next();
        if (k.k !== "id" && k.k !== "str") throw invalid(`expected an annotation key at position ${k.at}`);
        key = k.v;
        this.expect("]");
      }
      const values = scope.annotations;
      return this.compare((x: X, t) => values(x, t, key), "any");
    }
    const kw = scope.keywords[word];
    if (!kw) throw invalid(`unknown keyword '${tok.v}' at position ${tok.at}`);
    return this.compare(kw.get, kw.type);
  }

  /** A comparison after a keyword (or none, for a boolean one). */
  private compare<X>(get: Getter<X>, type: "bool" | "num" | "str" | "any"): Pred<X> {
    const op = this.peek();
    const isCmp = op.k === "op" && ["=", "!=", "<", "<=", ">", ">="].includes(op.v);
    const isStrOp = op.k === "id" && ["CONTAINS", "BEGINSWITH", "ENDSWITH"].includes(op.v.toUpperCase());
    if (!isCmp && !isStrOp) {
      if (type === "num" || type === "str") throw invalid(`expected an operator at position ${op.at}`);
      return (x, t) => some(get(x, t), (v) => v === true);
    }
    this.next();
    const opName = op.k === "op" ? op.v : op.v.toUpperCase();
    const vt = this.next();
    let value: Scalar;
    if (vt.k === "str") value = vt.v;
    else if (vt.k === "num") value = Number(vt.v);
    else if (vt.k === "id" && /^(true|false)$/i.test(vt.v)) value = vt.v.toLowerCase() === "true";
    else throw invalid(`expected a value at position ${vt.at}`);
    if (type === "bool" && (typeof value !== "boolean" || !["=", "!="].includes(opName)))
      throw invalid(`a boolean keyword takes = or != true|false (position ${op.at})`);
    if (type === "num" && (typeof value !== "number" || isStrOp)) throw invalid(`a number keyword takes a number (position ${vt.at})`);
    if (type === "str" && (typeof value !== "string" || ["<", "<=", ">", ">="].includes(opName)))
      throw invalid(`a string keyword takes =, !=, CONTAINS, BEGINSWITH or ENDSWITH and a string (position ${op.at})`);
    const test = comparator(opName, value);
    if (opName === "!=") {
      // A value is there and none equals: a trace without the field (or annotation) does not match.
      const eq = comparator("=", value);
      return (x, t) => {
        const v = get(x, t);
        return some(v, (one) => one !== undefined) && !some(v, eq);
      };
    }
    return (x, t) => some(get(x, t), test);
  }

  /** The conditions only a whole trace has: services, edges, groups, root causes. */
  private topLevel(word: string, tok: Tok): Pred<TraceRec> | undefined {
    if (word === "service" || word === "id") {
      let m: IdMatch | undefined;
      if (word === "id") m = this.idArgs();
      else {
        this.expect("(");
        if (this.isOp(")")) m = undefined;
        else if (this.peek().k === "id" && this.peek().v.toLowerCase() === "id") {
          this.next();
          m = this.idArgs();
        } else m = { name: this.string() };
        this.expect(")");
      }
      const inner = this.braces(SERVICE);
      const match = m;
      return (t) => requestsOf(t).some((r) => matchesId(t, r.s, match) && (!inner || inner(r, t)));
    }
    if (word === "edge") {
      this.expect("(");
      const a = this.edgeEnd();
      this.expect(",");
      const b = this.edgeEnd();
      this.expect(")");
      const inner = this.braces(EDGE);
      return (t) => edgesOf(t).some((e) => e.f >= 0 && matchesId(t, e.f, a) && matchesId(t, e.t, b) && (!inner || inner(e, t)));
    }
    if (word === "group.name" || word === "group.arn") {
      this.expect("=");
      const v = this.string();
      const expr = this.groups?.(word === "group.name" ? "name" : "arn", v);
      if (expr === undefined) throw invalid(`no group ${word === "group.name" ? "named" : "with ARN"} '${v}'`);
      if (this.depth > 4) throw invalid("groups refer to each other too deeply");
      return expr ? compileWith(expr, this.groups, this.depth + 1) : () => true;
    }
    const rc = /^rootcause\.(fault|error|responsetime)\.(service|entity|exception)$/.exec(word);
    if (rc) {
      const kind = rc[1] as "fault" | "error" | "responsetime";
      const what = rc[2];
      const inner = this.braces(CAUSE);
      if (!inner) throw invalid(`expected '{' after ${tok.v} at position ${this.peek().at}`);
      return (t) =>
        causesOf(t).some((c) => {
          if (c.kind !== kind) return false;
          const last = c.services[c.services.length - 1];
          if (!last) return false;
          if (what === "service") return inner({ s: last.s }, t);
          if (what === "entity") return last.path.some((entity) => inner({ s: last.s, entity }, t));
          return last.path.some((entity) => (entity.Exceptions ?? []).some((exception) => inner({ s: last.s, entity, exception }, t)));
        });
    }
    if (word.startsWith("rootcause.")) throw invalid(`unknown keyword '${tok.v}' at position ${tok.at}`);
    return undefined;
  }

  private edgeEnd(): IdMatch {
    if (this.peek().k === "id" && this.peek().v.toLowerCase() === "id") {
      this.next();
      return this.idArgs();
    }
    return { name: this.string() };
  }

  /** id(name: "x", type: "AWS::Lambda::Function", account.id: "123456789012"). */
  private idArgs(): IdMatch {
    this.expect("(");
    const m: IdMatch = {};
    while (!this.isOp(")")) {
      const k = this.next();
      if (k.k !== "id") throw invalid(`expected name, type or account.id at position ${k.at}`);
      this.expect(":");
      const v = this.string();
      const key = k.v.toLowerCase();
      if (key === "name") m.name = v;
      else if (key === "type") m.type = v;
      else if (key === "account.id") m.account = v;
      else throw invalid(`unknown id field '${k.v}' at position ${k.at}`);
      if (this.isOp(",")) this.next();
    }
    this.expect(")");
    return m;
  }

  private braces<X>(scope: Scope<X>): Pred<X> | undefined {
    if (!this.isOp("{")) return undefined;
    this.next();
    const inner = this.or(scope);
    this.expect("}");
    return inner;
  }
}

function matchesId(t: TraceRec, s: number, m: IdMatch | undefined): boolean {
  if (!m) return true;
  const svc = t.services[s];
  return (
    !!svc &&
    (m.name === undefined || svc.Name === m.name) &&
    (m.type === undefined || svc.Type === m.type) &&
    (m.account === undefined || svc.AccountId === m.account)
  );
}

function some(v: Scalar | Scalar[], test: (v: Scalar) => boolean): boolean {
  if (Array.isArray(v)) return v.some(test);
  return test(v);
}

function comparator(op: string, value: Scalar): (v: Scalar) => boolean {
  switch (op) {
    case "=":
      return (v) => v === value;
    case "!=":
      return (v) => v !== undefined && v !== value;
    case "<":
      return (v) => typeof v === "number" && v < (value as number);
    case "<=":
      return (v) => typeof v === "number" && v <= (value as number);
    case ">":
      return (v) => typeof v === "number" && v > (value as number);
    case ">=":
      return (v) => typeof v === "number" && v >= (value as number);
    case "CONTAINS":
      return (v) => typeof v === "string" && v.includes(value as string);
    case "BEGINSWITH":
      return (v) => typeof v === "string" && v.startsWith(value as string);
    default:
      return (v) => typeof v === "string" && v.endsWith(value as string);
  }
}

function compileWith(expr: string, groups: GroupLookup | undefined, depth: number): TraceFilter {
  const pred = new Parser(lex(expr), groups, depth).parse(TRACE);
  return (t) => pred(t, t);
}

/** The expression compiled to a predicate over traces; InvalidRequestException when it is not valid. */
export function compileFilter(expr: string, groups?: GroupLookup): TraceFilter {
  if (!expr.trim()) throw invalid("the expression is empty");
  return compileWith(expr, groups, 0);
}
