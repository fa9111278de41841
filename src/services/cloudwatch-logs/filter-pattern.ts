// CloudWatch Logs filter patterns: terms, quoted phrases, -exclusions, ?alternatives, %regex%, JSON
// `{ $.a = "x" && $.b > 1 }` and space-delimited `[ip, user, ..., status = 5*]`; compiled once, matched per event
// against filter-message.ts's views of it.

import { parseLast, splitFields } from "./filter-message.js";

export class FilterPatternError extends Error {}

export interface FilterMatcher {
  matches(message: string): boolean;
  /**
   * For a matching message, the values the pattern names (TestMetricFilter's extractedValues: `$.path` of a JSON
   * pattern's selectors, `$field` of a space-delimited pattern's named fields) and a lookup of any selector of the
   * pattern's kind (a metric filter's metricValue and dimensions); undefined when the message does not match.
   */
  extract(message: string): Extraction | undefined;
  /** Which of the three syntaxes the pattern is (metric filter dimensions need a JSON or space-delimited one). */
  kind: "terms" | "json" | "delimited";
  /**
   * Substrings every matching message contains (case-sensitive), so a store can skip most events
   * without running the matcher; empty when the pattern names none for certain.
   */
  requiredSubstrings: string[];
}

export interface Extraction {
  values: Record<string, string>;
  get(selector: string): string | undefined;
}

type Pred = (message: string) => boolean;

const nothingExtracted: Extraction = { values: {}, get: () => undefined };

const matchAll: FilterMatcher = { matches: () => true, extract: () => nothingExtracted, kind: "terms", requiredSubstrings: [] };

/** A value as extracted values show it: strings as they are, other JSON values as JSON text. */
const asText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

export function compileFilterPattern(pattern: string | undefined): FilterMatcher {
  const p = (pattern ?? "").trim();
  if (!p || p === '""') return matchAll;
  if (p.startsWith("{")) return compileJson(p);
  if (p.startsWith("[")) return compileDelimited(p);
  return compileTerms(p);
}

// ---------- unstructured terms ----------

interface Term {
  mode: "all" | "not" | "any";
  test: Pred;
  literal?: string;
}

function compileTerms(p: string): FilterMatcher {
  const terms: Term[] = [];
  let i = 0;
  while (i < p.length) {
    if (/\s/.test(p[i])) {
      i++;
      continue;
    }
    let mode: Term["mode"] = "all";
    if (p[i] === "-" || p[i] === "?") {
      mode = p[i] === "-" ? "not" : "any";
      i++;
    }
    if (p[i] === '"') {
      const [text, next] = readQuoted(p, i);
      i = next;
      terms.push({ mode, test: (m) => m.includes(text), literal: text });
    } else if (p[i] === "%") {
      const close = p.indexOf("%", i + 1);
      if (close < 0) throw new FilterPatternError("Invalid regex: missing closing %");
      const re = regexOf(p.slice(i + 1, close));
      i = close + 1;
      terms.push({ mode, test: (m) => re.test(m) });
    } else {
      let j = i;
      while (j < p.length && !/\s/.test(p[j])) j++;
      const text = p.slice(i, j);
      i = j;
      if (!text) throw new FilterPatternError("Invalid filter pattern: empty term");
      terms.push({ mode, test: (m) => m.includes(text), literal: text });
    }
  }
  const all = terms.filter((t) => t.mode === "all");
  const not = terms.filter((t) => t.mode === "not");
  const any = terms.filter((t) => t.mode === "any");
  const matches = (m: string) => all.every((t) => t.test(m)) && !not.some((t) => t.test(m)) && (!any.length || any.some((t) => t.test(m)));
  return {
    matches,
    // Terms name no values.
    extract: (m) => (matches(m) ? nothingExtracted : undefined),
    kind: "terms",
    requiredSubstrings: all.flatMap((t) => (t.literal ? [t.literal] : [])),
  };
}

function readQuoted(p: string, i: number): [string, number] {
  let out = "";
  let j = i + 1;
  while (j < p.length && p[j] !== '"') {
    if (p[j] === "\\" && j + 1 < p.length) j++;
    out += p[j++];
  }
  if (j >= p.length) throw new FilterPatternError("Invalid filter pattern: unterminated quoted string");
  return [out, j + 1];
}

function regexOf(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw new FilterPatternError(`Invalid regex: ${source}`);
  }
}

// ---------- values and comparisons shared by JSON and space-delimited patterns ----------

type Op = "=" | "!=" | "<" | "<=" | ">" | ">=";
type Literal =
  | { kind: "string"; text: string; wildcard?: RegExp }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "null" }
  | { kind: "regex"; re: RegExp };

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function literalOf(raw: string, quoted: boolean): Literal {
  if (!quoted) {
    if (NUMBER.test(raw)) return { kind: "number", value: Number(raw) };
    if (raw === "true" || raw === "false") return { kind: "bool", value: raw === "true" };
    if (raw === "null") return { kind: "null" };
    if (raw.length > 1 && raw.startsWith("%") && raw.endsWith("%")) return { kind: "regex", re: regexOf(raw.slice(1, -1)) };
  }
  return raw.includes("*") ? { kind: "string", text: raw, wildcard: wildcardOf(raw) } : { kind: "string", text: raw };
}

const wildcardOf = (s: string) =>
  new RegExp(
    `^${s
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "s",
  );

function compare(op: Op, field: unknown, lit: Literal, fieldIsText: boolean): boolean {
  if (field === undefined) return false;
  if (lit.kind === "number") {
    const n = typeof field === "number" ? field : fieldIsText && typeof field === "string" && NUMBER.test(field) ? Number(field) : NaN;
    if (Number.isNaN(n)) return false;
    switch (op) {
      case "=":
        return n === lit.value;
      case "!=":
        return n !== lit.value;
      case "<":
        return n < lit.value;
      case "<=":
        return n <= lit.value;
      case ">":
        return n > lit.value;
      case ">=":
        return n >= lit.value;
    }
  }
  if (op !== "=" && op !== "!=") throw new FilterPatternError(`Invalid filter pattern: ${op} needs a number`);
  let eq: boolean;
  if (lit.kind === "bool") eq = field === lit.value || (fieldIsText && field === String(lit.value));
  else if (lit.kind === "null") eq = field === null;
  // A wildcard matches a number or boolean by its text: `{ $.latency = * }` is how a metric filter names a numeric
  // field to take its value from (the CDK's MetricFilter documents "if only as '$.fieldName = *'").
  else if (lit.kind === "string" && lit.wildcard && (typeof field === "number" || typeof field === "boolean")) eq = lit.wildcard.test(String(field));
  else if (typeof field !== "string") return false;
  else if (lit.kind === "regex") eq = lit.re.test(field);
  else eq = lit.wildcard ? lit.wildcard.test(field) : field === lit.text;
  return op === "=" ? eq : !eq;
}

/** The pieces of a string literal a matching raw message must contain (a JSON value appears verbatim). */
function literalPieces(lit: Literal): string[] {
  if (lit.kind !== "string") return [];
  // JSON writers may escape quotes, backslashes and non-ASCII; only plain printable ASCII is certain to appear as-is.
  return lit.text.split("*").filter((s) => s.length > 0 && /^[\x20-\x7e]+$/.test(s) && !/["\\/]/.test(s));
}

// ---------- a small tokenizer for the structured forms ----------

interface Tok {
  t: "sel" | "op" | "str" | "word" | "(" | ")" | "&&" | "||" | ",";
  v: string;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c, v: c });
      i++;
      continue;
    }
    if (src.startsWith("&&", i) || src.startsWith("||", i)) {
      out.push({ t: src.slice(i, i + 2) as "&&", v: src.slice(i, i + 2) });
      i += 2;
      continue;
    }
    const op = /^(!=|<=|>=|=|<|>)/.exec(src.slice(i));
    if (op) {
      out.push({ t: "op", v: op[1] });
      i += op[1].length;
      continue;
    }
    if (c === '"') {
      const [text, next] = readQuoted(src, i);
      out.push({ t: "str", v: text });
      i = next;
      continue;
    }
    if (c === "%") {
      const close = src.indexOf("%", i + 1);
      if (close < 0) throw new FilterPatternError("Invalid regex: missing closing %");
      out.push({ t: "word", v: src.slice(i, close + 1) });
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < src.length && !/[\s()=!<>,&|"]/.test(src[j])) j++;
    if (j === i) throw new FilterPatternError(`Invalid filter pattern: unexpected '${c}'`);
    const word = src.slice(i, j);
    out.push({ t: word.startsWith("$") ? "sel" : "word", v: word });
    i = j;
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw new FilterPatternError("Invalid filter pattern: unexpected end");
    return t;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
  word(v: string): boolean {
    const t = this.peek();
    if (t?.t === "word" && t.v.toUpperCase() === v) {
      this.i++;
      return true;
    }
    return false;
  }
}

/** Boolean expressions over conditions: `a || b && (c)`, && binding tighter, as AWS evaluates them. */
interface Node<C> {
  and?: Node<C>[];
  or?: Node<C>[];
  leaf?: C;
}

function parseExpr<C>(ps: Parser, leaf: () => C): Node<C> {
  const ors: Node<C>[] = [parseAnd(ps, leaf)];
  while (ps.peek()?.t === "||") {
    ps.next();
    ors.push(parseAnd(ps, leaf));
  }
  return ors.length === 1 ? ors[0] : { or: ors };
}

function parseAnd<C>(ps: Parser, leaf: () => C): Node<C> {
  const ands: Node<C>[] = [parseUnary(ps, leaf)];
  while (ps.peek()?.t === "&&") {
    ps.next();
    ands.push(parseUnary(ps, leaf));
  }
  return ands.length === 1 ? ands[0] : { and: ands };
}

function parseUnary<C>(ps: Parser, leaf: () => C): Node<C> {
  if (ps.peek()?.t === "(") {
    ps.next();
    const e = parseExpr(ps, leaf);
    if (ps.next().t !== ")") throw new FilterPatternError("Invalid filter pattern: expected )");
    return e;
  }
  return { leaf: leaf() };
}

function evaluate<C>(n: Node<C>, test: (c: C) => boolean): boolean {
  if (n.leaf !== undefined) return test(n.leaf);
  if (n.and) return n.and.every((x) => evaluate(x, test));
  return n.or!.some((x) => evaluate(x, test));
}

function firstLeaf<C>(n: Node<C>): C {
  return n.leaf !== undefined ? n.leaf : firstLeaf((n.and ?? n.or)![0]);
}

/** Every leaf of the expression. */
function leaves<C>(n: Node<C>): C[] {
  if (n.leaf !== undefined) return [n.leaf];
  return (n.and ?? n.or ?? []).flatMap((x) => leaves(x));
}

/** Leaves every match must satisfy: those reachable through && alone. */
function requiredLeaves<C>(n: Node<C>): C[] {
  if (n.leaf !== undefined) return [n.leaf];
  if (n.and) return n.and.flatMap((x) => requiredLeaves(x));
  return [];
}

// ---------- JSON patterns ----------

type Step = string | number | "*";
interface JsonCond {
  /** The selector as written (`$.a.b`), which extracted values are keyed by. */
  selector: string;
  path: Step[];
  test: "cmp" | "exists" | "notExists" | "isNull" | "isTrue" | "isFalse";
  op?: Op;
  lit?: Literal;
}

function compileJson(p: string): FilterMatcher {
  if (!p.endsWith("}")) throw new FilterPatternError("Invalid filter pattern: missing closing }");
  const ps = new Parser(tokenize(p.slice(1, -1)));
  const tree = parseExpr(ps, () => jsonCond(ps));
  if (!ps.done()) throw new FilterPatternError(`Invalid filter pattern: unexpected '${ps.peek()!.v}'`);
  const selectors = [...new Set(leaves(tree).map((c) => c.selector))];
  const parse = parseLast;
  const get = (doc: unknown, selector: string): string | undefined => {
    let path: Step[];
    try {
      path = selectorPath(selector);
    } catch {
      return undefined;
    }
    const [v] = resolve(doc, path);
    return v === undefined ? undefined : asText(v);
  };
  return {
    matches(message) {
      const parsed = parse(message);
      return parsed !== undefined && evaluate(tree, (cond) => testJson(cond, parsed.doc));
    },
    extract(message) {
      const parsed = parse(message);
      if (!parsed || !evaluate(tree, (cond) => testJson(cond, parsed.doc))) return undefined;
      return {
        // Built when asked for (TestMetricFilter); ingestion only looks values up.
        get values() {
          const values: Record<string, string> = {};
          for (const sel of selectors) {
            const v = get(parsed.doc, sel);
            if (v !== undefined) values[sel] = v;
          }
          return values;
        },
        get: (sel) => get(parsed.doc, sel),
      };
    },
    kind: "json",
    requiredSubstrings: requiredLeaves(tree).flatMap((c) => (c.test === "cmp" && c.op === "=" && c.lit ? literalPieces(c.lit) : [])),
  };
}

function jsonCond(ps: Parser): JsonCond {
  const sel = ps.next();
  if (sel.t !== "sel") throw new FilterPatternError(`Invalid filter pattern: expected a $ selector, found '${sel.v}'`);
  const path = selectorPath(sel.v);
  if (ps.word("IS")) {
    if (ps.word("NULL")) return { selector: sel.v, path, test: "isNull" };
    if (ps.word("TRUE")) return { selector: sel.v, path, test: "isTrue" };
    if (ps.word("FALSE")) return { selector: sel.v, path, test: "isFalse" };
    throw new FilterPatternError("Invalid filter pattern: IS must be followed by NULL, TRUE or FALSE");
  }
  if (ps.word("NOT")) {
    if (!ps.word("EXISTS")) throw new FilterPatternError("Invalid filter pattern: NOT must be followed by EXISTS");
    return { selector: sel.v, path, test: "notExists" };
  }
  if (ps.word("EXISTS")) return { selector: sel.v, path, test: "exists" };
  const op = ps.next();
  if (op.t !== "op") throw new FilterPatternError(`Invalid filter pattern: expected an operator after ${sel.v}`);
  const v = ps.next();
  if (v.t !== "str" && v.t !== "word") throw new FilterPatternError(`Invalid filter pattern: expected a value after ${op.v}`);
  const lit = literalOf(v.v, v.t === "str");
  if (op.v !== "=" && op.v !== "!=" && lit.kind !== "number") throw new FilterPatternError(`Invalid filter pattern: ${op.v} needs a number`);
  return { selector: sel.v, path, test: "cmp", op: op.v as Op, lit };
}

function selectorPath(sel: string): Step[] {
  const path: Step[] = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*)\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < sel.length) {
    const start = re.lastIndex;
    const m = re.exec(sel);
    if (!m || m.index !== start) throw new FilterPatternError(`Invalid selector: ${sel}`);
    path.push(m[1] !== undefined ? (m[1] === "*" ? "*" : m[1]) : m[2] === "*" ? "*" : Number(m[2]));
  }
  return path;
}

/** Every value the path reaches (wildcards reach several); none when it leads nowhere. */
function resolve(doc: unknown, path: Step[], i = 0): unknown[] {
  if (i === path.length) return [doc];
  if (doc === null || typeof doc !== "object") return [];
  const step = path[i];
  if (step === "*") return Object.values(doc as object).flatMap((v) => resolve(v, path, i + 1));
  if (typeof step === "number") return Array.isArray(doc) && step < doc.length ? resolve(doc[step], path, i + 1) : [];
  if (Array.isArray(doc) || !Object.hasOwn(doc, step)) return [];
  return resolve((doc as Record<string, unknown>)[step], path, i + 1);
}

function testJson(c: JsonCond, doc: unknown): boolean {
  const values = resolve(doc, c.path);
  switch (c.test) {
    case "exists":
      return values.length > 0;
    case "notExists":
      return values.length === 0;
    case "isNull":
      return values.some((v) => v === null);
    case "isTrue":
      return values.some((v) => v === true);
    case "isFalse":
      return values.some((v) => v === false);
    case "cmp":
      return values.some((v) => compare(c.op!, v, c.lit!, false));
  }
}

// ---------- space-delimited patterns ----------

interface FieldCond {
  name: string;
  op: Op;
  lit: Literal;
}
type Item = { kind: "ellipsis" } | { kind: "field"; name: string; cond?: Node<FieldCond> } | { kind: "literal"; lit: Literal };

function compileDelimited(p: string): FilterMatcher {
  if (!p.endsWith("]")) throw new FilterPatternError("Invalid filter pattern: missing closing ]");
  const toks = tokenize(p.slice(1, -1));
  const items: Item[] = [];
  const groups: Tok[][] = [[]];
  for (const t of toks) {
    if (t.t === ",") groups.push([]);
    else groups[groups.length - 1].push(t);
  }
  if (groups.length === 1 && groups[0].length === 0) return matchAll;
  for (const g of groups) {
    if (g.length === 0) throw new FilterPatternError("Invalid filter pattern: empty field");
    if (g.length === 1 && g[0].v === "...") items.push({ kind: "ellipsis" });
    else if (g.length === 1 && g[0].t === "str") items.push({ kind: "literal", lit: literalOf(g[0].v, true) });
    else if (g.length === 1 && (g[0].t === "word" || g[0].t === "sel")) items.push({ kind: "field", name: g[0].v });
    else {
      const ps = new Parser(g);
      const cond = parseExpr(ps, (): FieldCond => {
        const name = ps.next();
        const op = ps.next();
        const v = ps.next();
        if ((name.t !== "word" && name.t !== "sel") || op.t !== "op" || (v.t !== "str" && v.t !== "word")) {
          throw new FilterPatternError("Invalid filter pattern: expected `field op value`");
        }
        const lit = literalOf(v.v, v.t === "str");
        if (op.v !== "=" && op.v !== "!=" && lit.kind !== "number") throw new FilterPatternError(`Invalid filter pattern: ${op.v} needs a number`);
        return { name: name.v, op: op.v as Op, lit };
      });
      if (!ps.done()) throw new FilterPatternError(`Invalid filter pattern: unexpected '${ps.peek()!.v}'`);
      items.push({ kind: "field", name: firstLeaf(cond).name, cond });
    }
  }
  const fixed = items.filter((i) => i.kind !== "ellipsis").length;
  const hasEllipsis = fixed < items.length;
  const required = items.flatMap((it) =>
    it.kind === "literal"
      ? literalPieces(it.lit)
      : it.kind === "field" && it.cond
        ? requiredLeaves(it.cond).flatMap((c) => (c.op === "=" && !(c.lit.kind === "string" && NUMBER.test(c.lit.text)) ? literalPieces(c.lit) : []))
        : [],
  );
  // Without `...`, item i takes field i: a name's value is the field at its (last) position.
  const position = new Map<string, number>();
  items.forEach((it, i) => {
    if (it.kind === "field" && it.name) position.set(it.name, i);
  });
  /** The named fields' values of a matching message, as a lookup; undefined when it does not match. */
  const bound = (message: string): ((name: string) => string | undefined) | undefined => {
    const fields = splitFields(message);
    if (hasEllipsis ? fields.length < fixed : fields.length !== fixed) return undefined;
    if (!hasEllipsis) {
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (it.kind === "literal" && !compare("=", fields[i], it.lit, true)) return undefined;
      }
      const lookup = (name: string) => {
        const i = position.get(name);
        return i === undefined ? undefined : fields[i];
      };
      return checkConds(items, lookup) ? lookup : undefined;
    }
    const out = new Map<string, string>();
    return bind(items, 0, fields, 0, new Map(), out) ? (name) => out.get(name) : undefined;
  };
  const names = [...new Set(items.flatMap((it) => (it.kind === "field" && it.name ? [it.name] : [])))];
  return {
    matches: (message) => bound(message) !== undefined,
    extract(message) {
      const lookup = bound(message);
      if (!lookup) return undefined;
      return {
        get values() {
          const values: Record<string, string> = {};
          for (const n of names) {
            const v = lookup(n);
            if (v !== undefined) values[`$${n}`] = v;
          }
          return values;
        },
        get: (sel) => (sel.startsWith("$") ? lookup(sel.slice(1)) : undefined),
      };
    },
    kind: "delimited",
    requiredSubstrings: required,
  };
}

/** Binds fields to items (`...` taking any number); on success `out`, if given, receives the named fields' values. */
function bind(items: Item[], ii: number, fields: string[], fi: number, named: Map<string, string>, out?: Map<string, string>): boolean {
  if (ii === items.length) {
    const ok = fi === fields.length && checkConds(items, (name) => named.get(name));
    if (ok && out) for (const [k, v] of named) out.set(k, v);
    return ok;
  }
  const it = items[ii];
  if (it.kind === "ellipsis") {
    for (let k = fi; k <= fields.length; k++) if (bind(items, ii + 1, fields, k, named, out)) return true;
    return false;
  }
  if (fi >= fields.length) return false;
  if (it.kind === "literal") return compare("=", fields[fi], it.lit, true) && bind(items, ii + 1, fields, fi + 1, named, out);
  const had = named.get(it.name);
  if (it.name) named.set(it.name, fields[fi]);
  const ok = bind(items, ii + 1, fields, fi + 1, named, out);
  if (it.name) {
    if (had === undefined) named.delete(it.name);
    else named.set(it.name, had);
  }
  return ok;
}

function checkConds(items: Item[], named: (name: string) => string | undefined): boolean {
  for (const it of items) {
    if (it.kind === "field" && it.cond && !evaluate(it.cond, (c) => compare(c.op, named(c.name), c.lit, true))) return false;
  }
  return true;
}
