// The pieces of the filter-pattern language that its three forms share (filter-pattern.ts, filter-delimited.ts): the
// matcher's interface, quoted strings and regexes, literals and how a value compares with one, a small tokenizer for
// the structured forms, and boolean expressions over their conditions.

export class FilterPatternError extends Error {}

export interface FilterMatcher {
  matches(message: string): boolean;
  /**
   * For a matching message, the values the pattern names (TestMetricFilter's extractedValues: `$.path` of a JSON
   * pattern's selectors, `$field` of a space-delimited pattern's named fields) and a lookup of any selector of the
   * pattern's kind (a metric filter's metricValue and dimensions); undefined when the message does not match.
   */
  extract(message: string): Extraction | undefined;
  /**
   * For ingestion, which runs a metric filter over every event: a reader of these selectors (of the pattern's kind),
   * made once. For a message it gives undefined when the message does not match, else the selectors' values in
   * order (undefined where absent) — `extract(message)?.get(selector)` for each, in an array reused from call to call.
   */
  reader(selectors: readonly string[]): SelectorReader;
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

export type SelectorReader = (message: string) => readonly (string | undefined)[] | undefined;

export type Pred = (message: string) => boolean;

/** A reader by way of `extract`, for patterns whose extraction is cheap or rare. */
export function extractingReader(extract: FilterMatcher["extract"]): FilterMatcher["reader"] {
  return (selectors) => {
    const out = new Array<string | undefined>(selectors.length).fill(undefined);
    return (message) => {
      const ex = extract(message);
      if (!ex) return undefined;
      for (let i = 0; i < selectors.length; i++) out[i] = ex.get(selectors[i]);
      return out;
    };
  };
}

export const nothingExtracted: Extraction = { values: {}, get: () => undefined };

export const matchAll: FilterMatcher = {
  matches: () => true,
  extract: () => nothingExtracted,
  reader: extractingReader(() => nothingExtracted),
  kind: "terms",
  requiredSubstrings: [],
};

export function readQuoted(p: string, i: number): [string, number] {
  let out = "";
  let j = i + 1;
  while (j < p.length && p[j] !== '"') {
    if (p[j] === "\\" && j + 1 < p.length) j++;
    out += p[j++];
  }
  if (j >= p.length) throw new FilterPatternError("Invalid filter pattern: unterminated quoted string");
  return [out, j + 1];
}

export function regexOf(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw new FilterPatternError(`Invalid regex: ${source}`);
  }
}

// ---------- values and comparisons shared by JSON and space-delimited patterns ----------

export type Op = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type Literal =
  | { kind: "string"; text: string; wildcard?: RegExp }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "null" }
  | { kind: "regex"; re: RegExp };

export const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

export function literalOf(raw: string, quoted: boolean): Literal {
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

export function compare(op: Op, field: unknown, lit: Literal, fieldIsText: boolean): boolean {
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
export function literalPieces(lit: Literal): string[] {
  if (lit.kind !== "string") return [];
  // JSON writers may escape quotes, backslashes and non-ASCII; only plain printable ASCII is certain to appear as-is.
  return lit.text.split("*").filter((s) => s.length > 0 && /^[\x20-\x7e]+$/.test(s) && !/["\\/]/.test(s));
}

// ---------- a small tokenizer for the structured forms ----------

export interface Tok {
  t: "sel" | "op" | "str" | "word" | "(" | ")" | "&&" | "||" | ",";
  v: string;
}

export function tokenize(src: string): Tok[] {
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

export class Parser {
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
export interface Node<C> {
  and?: Node<C>[];
  or?: Node<C>[];
  leaf?: C;
}

export function parseExpr<C>(ps: Parser, leaf: () => C): Node<C> {
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

export function evaluate<C>(n: Node<C>, test: (c: C) => boolean): boolean {
  if (n.leaf !== undefined) return test(n.leaf);
  if (n.and) return n.and.every((x) => evaluate(x, test));
  return n.or!.some((x) => evaluate(x, test));
}

/** The expression as one function: a test per leaf (made once), combined as the expression combines them. */
export function compileNode<C, A, B>(n: Node<C>, leaf: (c: C) => (a: A, b: B) => boolean): (a: A, b: B) => boolean {
  if (n.leaf !== undefined) return leaf(n.leaf);
  const parts = (n.and ?? n.or ?? []).map((x) => compileNode(x, leaf));
  if (n.and) {
    return (a, b) => {
      for (let i = 0; i < parts.length; i++) if (!parts[i](a, b)) return false;
      return true;
    };
  }
  return (a, b) => {
    for (let i = 0; i < parts.length; i++) if (parts[i](a, b)) return true;
    return false;
  };
}

export function firstLeaf<C>(n: Node<C>): C {
  return n.leaf !== undefined ? n.leaf : firstLeaf((n.and ?? n.or)![0]);
}

/** Every leaf of the expression. */
export function leaves<C>(n: Node<C>): C[] {
  if (n.leaf !== undefined) return [n.leaf];
  return (n.and ?? n.or ?? []).flatMap((x) => leaves(x));
}

/** Leaves every match must satisfy: those reachable through && alone. */
export function requiredLeaves<C>(n: Node<C>): C[] {
  if (n.leaf !== undefined) return [n.leaf];
  if (n.and) return n.and.flatMap((x) => requiredLeaves(x));
  return [];
}
