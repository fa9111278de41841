// Space-delimited filter patterns: `[ip, user, ..., status = 5*]`. A pattern without `...` (item i is field i) is
// compiled into one test per literal and condition that reads the message's field spans (filter-message.ts) in
// place — no per-event strings or lookups, as ingestion runs it over every event; with `...` the fields are bound by
// a search. Extraction (TestMetricFilter) goes through the general binding either way.
import { fieldSpans, splitFields, type FieldSpans } from "./filter-message.js";
import {
  compare,
  compileNode,
  evaluate,
  type FilterMatcher,
  FilterPatternError,
  firstLeaf,
  type Literal,
  literalOf,
  literalPieces,
  matchAll,
  type Node,
  NUMBER,
  type Op,
  Parser,
  parseExpr,
  requiredLeaves,
  type Tok,
  tokenize,
} from "./filter-syntax.js";

interface FieldCond {
  name: string;
  op: Op;
  lit: Literal;
}
type Item = { kind: "ellipsis" } | { kind: "field"; name: string; cond?: Node<FieldCond> } | { kind: "literal"; lit: Literal };

export function compileDelimited(p: string): FilterMatcher {
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
  // Without `...`: the field count, then each literal and condition over the spans.
  const tests: SpanTest[] = [];
  items.forEach((it, i) => {
    if (it.kind === "literal") tests.push(spanTest({ name: "", op: "=", lit: it.lit }, i));
    else if (it.kind === "field" && it.cond) tests.push(compileNode(it.cond, (c) => spanTest(c, position.get(c.name))));
  });
  const fast = (message: string): FieldSpans | undefined => {
    const f = fieldSpans(message);
    if (f.n !== fixed) return undefined;
    for (let t = 0; t < tests.length; t++) if (!tests[t](message, f)) return undefined;
    return f;
  };
  return {
    matches: hasEllipsis ? (message) => bound(message) !== undefined : (message) => fast(message) !== undefined,
    reader(selectors) {
      const out = new Array<string | undefined>(selectors.length).fill(undefined);
      if (hasEllipsis) {
        return (message) => {
          const lookup = bound(message);
          if (!lookup) return undefined;
          for (let i = 0; i < selectors.length; i++) out[i] = selectors[i].startsWith("$") ? lookup(selectors[i].slice(1)) : undefined;
          return out;
        };
      }
      const at = selectors.map((sel) => (sel.startsWith("$") ? position.get(sel.slice(1)) : undefined));
      return (message) => {
        const f = fast(message);
        if (!f) return undefined;
        for (let i = 0; i < at.length; i++) {
          const k = at[i];
          out[i] = k === undefined ? undefined : message.slice(f.start[k], f.end[k]);
        }
        return out;
      };
    },
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

/** A literal or condition of a pattern without `...`, over the message's field spans. */
type SpanTest = (message: string, f: FieldSpans) => boolean;

/** `compare(c.op, field k, c.lit, true)` without taking the field out of the message (no field k: never). */
function spanTest(c: FieldCond, k: number | undefined): SpanTest {
  if (k === undefined) return () => false;
  const { op, lit } = c;
  if (lit.kind === "number") {
    const v = lit.value;
    const holds = numberTest(op, v);
    return (m, f) => {
      const n = numberIn(m, f.start[k], f.end[k]);
      return !Number.isNaN(n) && holds(n);
    };
  }
  if (lit.kind === "string" && !lit.wildcard) {
    const { text } = lit;
    const eq = op === "=";
    return (m, f) => (f.end[k] - f.start[k] === text.length && m.startsWith(text, f.start[k])) === eq;
  }
  return (m, f) => compare(op, m.slice(f.start[k], f.end[k]), lit, true);
}

function numberTest(op: Op, v: number): (n: number) => boolean {
  switch (op) {
    case "=":
      return (n) => n === v;
    case "!=":
      return (n) => n !== v;
    case "<":
      return (n) => n < v;
    case "<=":
      return (n) => n <= v;
    case ">":
      return (n) => n > v;
    case ">=":
      return (n) => n >= v;
  }
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/** message[s, e) as a number when it is one by NUMBER's grammar (as compare reads a field), else NaN. */
function numberIn(m: string, s: number, e: number): number {
  let i = s;
  const negative = i < e && m.charCodeAt(i) === 45;
  if (negative) i++;
  const digits = i;
  let int = 0;
  while (i < e && isDigit(m.charCodeAt(i))) int = int * 10 + (m.charCodeAt(i++) - 48);
  if (i === digits) return Number.NaN;
  // Up to 15 digits an integer is exact as summed; longer ones, fractions and exponents are Number's to read.
  if (i === e && i - digits <= 15) return negative ? -int : int;
  if (i < e && m.charCodeAt(i) === 46) {
    const from = ++i;
    while (i < e && isDigit(m.charCodeAt(i))) i++;
    if (i === from) return Number.NaN;
  }
  if (i < e && (m.charCodeAt(i) === 101 || m.charCodeAt(i) === 69)) {
    i++;
    if (i < e && (m.charCodeAt(i) === 43 || m.charCodeAt(i) === 45)) i++;
    const from = i;
    while (i < e && isDigit(m.charCodeAt(i))) i++;
    if (i === from) return Number.NaN;
  }
  return i === e ? Number(m.slice(s, e)) : Number.NaN;
}
