// Logs Insights QL parser: a query is commands separated by '|', each compiled to a typed command with expressions.
// Commands and functions Stratus does not run are refused at compile time with a message naming them.
import { InsightsSyntaxError, lineCol, tokenize, unexpected, type Token } from "./lexer.js";
import { AGGREGATES, FUNCTIONS } from "./functions.js";

export type Expr =
  | { k: "num"; v: number }
  | { k: "str"; v: string }
  | { k: "re"; re: RegExp }
  | { k: "dur"; ms: number; months?: number }
  | { k: "field"; name: string }
  | { k: "star" }
  | { k: "list"; items: Expr[] }
  | { k: "call"; fn: string; args: Expr[] }
  | { k: "bin"; op: string; l: Expr; r: Expr }
  | { k: "not"; e: Expr }
  | { k: "neg"; e: Expr };

export interface Named {
  expr: Expr;
  /** The output field's name: its alias, else the expression's text as written. */
  name: string;
}

/** A stats item: an expression whose aggregation calls are computed per group. */
export interface Aggregate {
  expr: Expr;
  name: string;
}

export type Command =
  | { c: "fields"; items: Named[] }
  | { c: "display"; names: string[] }
  | { c: "filter"; expr: Expr }
  | { c: "parse"; source: Expr; glob?: { parts: string[]; names: string[] }; re?: { re: RegExp; names: string[] } }
  | { c: "stats"; aggs: Aggregate[]; by: Named[] }
  | { c: "sort"; keys: { expr: Expr; desc: boolean }[] }
  | { c: "limit"; n: number }
  | { c: "dedup"; names: string[] };

// Documented commands Stratus does not run yet: refused by name rather than ignored.
const UNSUPPORTED_COMMANDS = new Set(["unnest", "lookup", "join", "anomaly", "pattern", "diff", "unmask", "filterindex", "source", "fieldsummary"]);

export const MAX_LIMIT = 10_000;

// The command tokens AWS's message lists (boto/boto3#3450); its grammar has more commands since (stats, dedup …).
const COMMAND_TOKENS = "K_PARSE, K_SEARCH, K_FIELDS, K_DISPLAY, K_FILTER, K_SORT, K_ORDER, K_HEAD, K_LIMIT, K_TAIL";

// How many arguments each aggregation takes.
const ARITY: Record<string, [number, number]> = {
  count: [0, 1],
  count_distinct: [1, 1],
  sum: [1, 1],
  avg: [1, 1],
  min: [1, 1],
  max: [1, 1],
  pct: [2, 2],
  percentile: [2, 2],
  stddev: [1, 1],
  earliest: [1, 1],
  latest: [1, 1],
  sortsfirst: [1, 1],
  sortslast: [1, 1],
};

class Parser {
  private i = 0;
  /** Parsing a stats item: aggregation calls are allowed (not inside one another). */
  private statsItem = false;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private get t(): Token {
    return this.toks[this.i];
  }
  private next(): Token {
    return this.toks[this.i++];
  }
  private isWord(w: string, t = this.t) {
    return t.kind === "ident" && !t.quoted && t.text.toLowerCase() === w;
  }
  private isOp(o: string, t = this.t) {
    return t.kind === "op" && t.text === o;
  }
  private expectOp(o: string) {
    if (!this.isOp(o)) throw unexpected(this.src, this.t);
    this.i++;
  }
  private text(from: number) {
    return this.src.slice(this.toks[from].start, this.toks[this.i - 1].end).trim();
  }
  private fieldName(): string {
    const t = this.t;
    if (t.kind !== "ident") throw unexpected(this.src, t);
    this.i++;
    return String(t.value);
  }
  private list<T>(item: () => T): T[] {
    const out = [item()];
    while (this.isOp(",")) {
      this.i++;
      out.push(item());
    }
    return out;
  }

  query(): Command[] {
    const cmds: Command[] = [];
    if (this.t.kind === "eof") throw new InsightsSyntaxError("Query string must not be empty.", 0, 0); // unverified wording
    for (;;) {
      cmds.push(this.command());
      const t = this.toks[this.i];
      if (t.kind === "eof") return cmds;
      if (t.kind !== "pipe") throw unexpected(this.src, t);
      this.i++;
    }
  }

  private command(): Command {
    const t = this.t;
    if (t.kind !== "ident" || t.quoted) throw unexpected(this.src, t);
    const word = t.text.toLowerCase();
    this.i++;
    switch (word) {
      case "fields":
        return { c: "fields", items: this.list(() => this.named()) };
      case "display":
        return { c: "display", names: this.list(() => this.fieldName()) };
      case "filter":
        return { c: "filter", expr: this.expr() };
      case "parse":
        return this.parseCommand();
      case "stats":
        return this.stats();
      case "sort":
        // `sort by x` is accepted as `sort x`.
        if (this.isWord("by")) this.i++;
        return {
          c: "sort",
          keys: this.list(() => {
            const expr = this.expr();
            let desc = false;
            if (this.isWord("desc")) {
              desc = true;
              this.i++;
            } else if (this.isWord("asc")) this.i++;
            return { expr, desc };
          }),
        };
      case "limit": {
        const n = this.t;
        if (n.kind !== "num" || !Number.isInteger(n.value) || (n.value as number) < 1) throw unexpected(this.src, n);
        this.i++;
        if ((n.value as number) > MAX_LIMIT) {
          throw new InsightsSyntaxError(`limit must be between 1 and ${MAX_LIMIT}`, n.start, n.end - 1); // unverified wording
        }
        return { c: "limit", n: n.value as number };
      }
      case "dedup":
        return { c: "dedup", names: this.list(() => this.fieldName()) };
      default: {
        if (UNSUPPORTED_COMMANDS.has(word)) {
          const { line, col } = lineCol(this.src, t.start);
          throw new InsightsSyntaxError(
            `The ${t.text} command (line ${line}, position ${col}) is not supported by Stratus's Logs Insights engine.`,
            t.start,
            t.end - 1,
          );
        }
        // A word where a command belongs: AWS's parser answers, e.g., "mismatched input 'count' expecting {K_PARSE,
        // K_SEARCH, K_FIELDS, K_DISPLAY, K_FILTER, K_SORT, K_ORDER, K_HEAD, K_LIMIT, K_TAIL}" (boto/boto3#3450).
        throw new InsightsSyntaxError(`mismatched input '${t.text}' expecting {${COMMAND_TOKENS}}`, t.start, t.end - 1);
      }
    }
  }

  private named(): Named {
    const from = this.i;
    const expr = this.expr();
    let name = expr.k === "field" ? expr.name : this.text(from);
    if (this.isWord("as")) {
      this.i++;
      name = this.fieldName();
    }
    return { expr, name };
  }

  private parseCommand(): Command {
    let source: Expr = { k: "field", name: "@message" };
    if (this.t.kind === "ident") source = { k: "field", name: this.fieldName() };
    const p = this.t;
    if (p.kind === "str") {
      this.i++;
      const parts = String(p.value).split("*");
      if (!this.isWord("as")) throw unexpected(this.src, this.t);
      this.i++;
      const names = this.list(() => this.fieldName());
      if (names.length !== parts.length - 1) {
        // unverified wording
        throw new InsightsSyntaxError(
          `The number of fields (${names.length}) does not match the number of wildcards (${parts.length - 1}) in the parse pattern.`,
          p.start,
          this.toks[this.i - 1].end - 1,
        );
      }
      return { c: "parse", source, glob: { parts, names } };
    }
    if (p.kind === "re") {
      this.i++;
      const re = this.regex(p);
      const names = [...String(p.value).matchAll(/\(\?<([A-Za-z_@$][\w@$.]*)>/g)].map((m) => m[1]);
      if (!names.length) {
        // unverified wording
        throw new InsightsSyntaxError("The parse regular expression must have at least one named capturing group.", p.start, p.end - 1);
      }
      return { c: "parse", source, re: { re, names } };
    }
    throw unexpected(this.src, p);
  }

  private checkAggregate(t: Token, fn: string, args: Expr[]): void {
    const [lo, hi] = ARITY[fn];
    const bad = args.length < lo || args.length > hi || (fn !== "count" && args.some((a) => a.k === "star"));
    const p = args[1];
    const pctBad = (fn === "pct" || fn === "percentile") && !bad && (p.k !== "num" || p.v < 0 || p.v > 100);
    if (!bad && !pctBad) return;
    const text = this.src.slice(t.start, this.toks[this.i - 1].end);
    // unverified wording
    throw new InsightsSyntaxError(
      pctBad
        ? `The second argument of ${t.text} must be a number from 0 to 100: ${text}`
        : `Wrong number of arguments for ${t.text}: ${text} (it takes ${lo === hi ? lo : `${lo} to ${hi}`}).`,
      t.start,
      this.toks[this.i - 1].end - 1,
    );
  }

  private regex(t: Token): RegExp {
    // JavaScript group names allow neither '@' nor '.': they are renamed in the compiled pattern, matched by position.
    let k = 0;
    const body = String(t.value).replace(/\(\?<([A-Za-z_@$][\w@$.]*)>/g, () => `(?<g${k++}>`);
    try {
      return new RegExp(body, t.flags);
    } catch (e) {
      throw new InsightsSyntaxError(`Invalid regular expression ${t.text}: ${(e as Error).message}`, t.start, t.end - 1); // unverified wording
    }
  }

  private stats(): Command {
    // Each item is an expression over aggregations (`count(*)`, `sum(x) / count(*) * 100`) and the names of the
    // items before it (`a - b`), evaluated per group.
    const aggs = this.list((): Aggregate => {
      const from = this.i;
      this.statsItem = true;
      const expr = this.expr();
      this.statsItem = false;
      let name = expr.k === "field" ? expr.name : this.text(from);
      if (this.isWord("as")) {
        this.i++;
        name = this.fieldName();
      }
      return { expr, name };
    });
    let by: Named[] = [];
    if (this.isWord("by")) {
      this.i++;
      by = this.list(() => this.named());
    }
    return { c: "stats", aggs, by };
  }

  // Precedence, loosest first: or, and, not, comparison, + -, * / %, ^, unary -.
  expr(): Expr {
    let l = this.and();
    while (this.isWord("or")) {
      this.i++;
      l = { k: "bin", op: "or", l, r: this.and() };
    }
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.isWord("and")) {
      this.i++;
      l = { k: "bin", op: "and", l, r: this.not() };
    }
    return l;
  }
  private not(): Expr {
    if (this.isWord("not") || this.isOp("!")) {
      this.i++;
      return { k: "not", e: this.not() };
    }
    return this.comparison();
  }
  private comparison(): Expr {
    const l = this.additive();
    const t = this.t;
    if (t.kind === "op" && ["=", "!=", "<", "<=", ">", ">=", "=~"].includes(t.text)) {
      this.i++;
      return { k: "bin", op: t.text === "=~" ? "like" : t.text, l, r: this.additive() };
    }
    let negate = false;
    if (this.isWord("not") && (this.isWord("like", this.toks[this.i + 1]) || this.isWord("in", this.toks[this.i + 1]))) {
      negate = true;
      this.i++;
    }
    if (this.isWord("like") || this.isWord("in")) {
      const op = this.next().text.toLowerCase();
      const at = this.t;
      const r = this.additive();
      if (op === "in" && r.k !== "list") {
        // unverified wording
        throw new InsightsSyntaxError(
          `in takes a list of values, [a, b, ...]: ${this.src.slice(at.start, this.toks[this.i - 1].end)}`,
          at.start,
          this.toks[this.i - 1].end - 1,
        );
      }
      const e: Expr = { k: "bin", op, l, r };
      return negate ? { k: "not", e } : e;
    }
    return l;
  }
  private additive(): Expr {
    let l = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.next().text;
      l = { k: "bin", op, l, r: this.multiplicative() };
    }
    return l;
  }
  private multiplicative(): Expr {
    let l = this.power();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = this.next().text;
      l = { k: "bin", op, l, r: this.power() };
    }
    return l;
  }
  private power(): Expr {
    const l = this.unary();
    if (this.isOp("^")) {
      this.i++;
      return { k: "bin", op: "^", l, r: this.power() };
    }
    return l;
  }
  private unary(): Expr {
    if (this.isOp("-")) {
      this.i++;
      return { k: "neg", e: this.unary() };
    }
    return this.primary();
  }
  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case "num":
        return { k: "num", v: t.value as number };
      case "str":
        return { k: "str", v: t.value as string };
      case "dur":
        return { k: "dur", ms: t.value as number, ...(t.months ? { months: t.months } : {}) };
      case "re":
        return { k: "re", re: this.regex(t) };
      case "ident": {
        if (!t.quoted && this.isOp("(")) {
          const fn = t.text.toLowerCase();
          const known = FUNCTIONS.has(fn) || AGGREGATES.has(fn);
          const aggregate = AGGREGATES.has(fn);
          if (aggregate && !this.statsItem) {
            const { line, col } = lineCol(this.src, t.start);
            // unverified wording
            throw new InsightsSyntaxError(
              `${t.text} at line ${line} and position ${col} is an aggregation function: it is only allowed in stats.`,
              t.start,
              t.end - 1,
            );
          }
          if (!known) {
            const { line, col } = lineCol(this.src, t.start);
            // unverified wording
            throw new InsightsSyntaxError(`Unrecognized function name ${t.text} at line ${line} and position ${col}`, t.start, t.end - 1);
          }
          this.i++;
          if (aggregate) this.statsItem = false;
          const args: Expr[] = [];
          if (this.isOp("*")) {
            this.i++;
            args.push({ k: "star" });
          } else if (!this.isOp(")")) args.push(...this.list(() => this.expr()));
          this.expectOp(")");
          if (aggregate) {
            this.statsItem = true;
            this.checkAggregate(t, fn, args);
          }
          return { k: "call", fn: fn === "percentile" ? "pct" : fn, args };
        }
        return { k: "field", name: String(t.value) };
      }
      case "op":
        if (t.text === "(") {
          const e = this.expr();
          this.expectOp(")");
          return e;
        }
        if (t.text === "[") {
          const items = this.isOp("]") ? [] : this.list(() => this.expr());
          this.expectOp("]");
          return { k: "list", items };
        }
        throw unexpected(this.src, t);
      default:
        throw unexpected(this.src, t);
    }
  }
}

export function parseQuery(src: string): Command[] {
  return new Parser(src, tokenize(src)).query();
}
