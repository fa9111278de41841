// CloudWatch Logs filter patterns: terms, quoted phrases, -exclusions, ?alternatives, %regex%, JSON
// `{ $.a = "x" && $.b > 1 }` and space-delimited `[ip, user, ..., status = 5*]`; compiled once, matched per event
// against filter-message.ts's views of it (space-delimited ones in filter-delimited.ts, the shared syntax in
// filter-syntax.ts).

import { parseLast } from "./filter-message.js";
import { compileDelimited } from "./filter-delimited.js";
import {
  compare,
  compileNode,
  extractingReader,
  type FilterMatcher,
  FilterPatternError,
  leaves,
  type Literal,
  literalOf,
  literalPieces,
  matchAll,
  nothingExtracted,
  type Op,
  Parser,
  parseExpr,
  type Pred,
  readQuoted,
  regexOf,
  requiredLeaves,
  tokenize,
} from "./filter-syntax.js";

export { type Extraction, type FilterMatcher, FilterPatternError } from "./filter-syntax.js";

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
  const all = terms.filter((t) => t.mode === "all").map((t) => t.test);
  const not = terms.filter((t) => t.mode === "not").map((t) => t.test);
  const any = terms.filter((t) => t.mode === "any").map((t) => t.test);
  // Every term must occur, none of the excluded ones, and one of the alternatives if there are any.
  const matches: Pred =
    all.length === 1 && !not.length && !any.length
      ? all[0]
      : (m) => {
          for (let i = 0; i < all.length; i++) if (!all[i](m)) return false;
          for (let i = 0; i < not.length; i++) if (not[i](m)) return false;
          if (!any.length) return true;
          for (let i = 0; i < any.length; i++) if (any[i](m)) return true;
          return false;
        };
  // Terms name no values.
  const extract = (m: string) => (matches(m) ? nothingExtracted : undefined);
  return {
    matches,
    extract,
    reader: extractingReader(extract),
    kind: "terms",
    requiredSubstrings: terms.flatMap((t) => (t.mode === "all" && t.literal ? [t.literal] : [])),
  };
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
  // One test per condition, made once; each walks its path straight to the value unless the path has a wildcard.
  const test = compileNode(tree, (c: JsonCond) => jsonTest(c));
  const matching = (message: string): unknown => {
    const parsed = parseLast(message);
    return parsed !== undefined && test(parsed.doc, undefined) ? parsed.doc : ABSENT;
  };
  return {
    matches: (message) => matching(message) !== ABSENT,
    extract(message) {
      const doc = matching(message);
      if (doc === ABSENT) return undefined;
      return {
        // Built when asked for (TestMetricFilter); ingestion only looks values up.
        get values() {
          const values: Record<string, string> = {};
          for (const sel of selectors) {
            const v = valueAt(doc, pathOf(sel));
            if (v !== undefined) values[sel] = v;
          }
          return values;
        },
        get: (sel) => valueAt(doc, pathOf(sel)),
      };
    },
    reader(wanted) {
      const paths = wanted.map(pathOf);
      const out = new Array<string | undefined>(wanted.length).fill(undefined);
      return (message) => {
        const doc = matching(message);
        if (doc === ABSENT) return undefined;
        for (let i = 0; i < paths.length; i++) out[i] = valueAt(doc, paths[i]);
        return out;
      };
    },
    kind: "json",
    requiredSubstrings: requiredLeaves(tree).flatMap((c) => (c.test === "cmp" && c.op === "=" && c.lit ? literalPieces(c.lit) : [])),
  };
}

/** What a path reaches no value at (or a message that is not JSON, or does not match). */
const ABSENT: unique symbol = Symbol("absent");

/** A selector's path; undefined for one that is not a valid selector (it reaches nothing). */
function pathOf(selector: string): Step[] | undefined {
  try {
    return selectorPath(selector);
  } catch {
    return undefined;
  }
}

/** The first value a path reaches, as extracted values show it. */
function valueAt(doc: unknown, path: Step[] | undefined): string | undefined {
  if (!path) return undefined;
  let v: unknown;
  if (path.includes("*")) {
    const all = resolve(doc, path);
    v = all.length ? all[0] : ABSENT;
  } else v = walk(doc, path);
  return v === ABSENT ? undefined : asText(v);
}

/** The one value a path without wildcards reaches (resolve's, without its arrays). */
function walk(doc: unknown, path: Step[]): unknown {
  let v = doc;
  for (let i = 0; i < path.length; i++) {
    if (v === null || typeof v !== "object") return ABSENT;
    const step = path[i];
    if (typeof step === "number") {
      if (!Array.isArray(v) || step >= v.length) return ABSENT;
      v = v[step];
    } else {
      if (Array.isArray(v) || !Object.hasOwn(v, step)) return ABSENT;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}

/** testJson for one condition; a path without wildcards reaches at most one value, so no list is made. */
function jsonTest(c: JsonCond): (doc: unknown, _: unknown) => boolean {
  if (c.path.includes("*")) return (doc) => testJson(c, doc);
  const { path, op, lit } = c;
  switch (c.test) {
    case "exists":
      return (doc) => walk(doc, path) !== ABSENT;
    case "notExists":
      return (doc) => walk(doc, path) === ABSENT;
    case "isNull":
      return (doc) => walk(doc, path) === null;
    case "isTrue":
      return (doc) => walk(doc, path) === true;
    case "isFalse":
      return (doc) => walk(doc, path) === false;
    case "cmp":
      return (doc) => {
        const v = walk(doc, path);
        return v !== ABSENT && compare(op!, v, lit!, false);
      };
  }
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
