// Reads a pattern's JSON text the way event-ruler's JsonRuleCompiler does (github.com/aws/event-ruler,
// src/main/software/amazon/event/ruler/JsonRuleCompiler.java): token by token, checking each rule in the same
// order and refusing with the same words at the same position, so the first problem AWS reports is the one
// reported here. The result is the pattern's alternatives (`$or` expanded): for each, the field names (dotted
// paths) and their rule lists, compiled into tests and, where a rule is a hashable or ordered form, an index key
// the many-rule matcher (event-pattern-rules.ts) files it under.
import { JsonCursor, PatternSyntaxError, type TokenKind } from "./event-pattern-json.js";
import {
  cidrRange,
  comparable,
  comparableOrFail,
  compareNumbers,
  inCidr,
  ipKey,
  numberKey,
  TOO_COMPLEX,
  tooComplex,
  ValueError,
  wildcardRegExp,
} from "./event-pattern-values.js";
import type { Condition, IndexKey, Operator, PatternProblem, ResolvedDialect, Scalar, Test } from "./event-pattern-types.js";

/** A refusal with the check that failed. */
export class PatternFailure extends Error {
  constructor(
    message: string,
    readonly problem: PatternProblem,
  ) {
    super(message);
  }
}

/** The key under which two scalars are the same value for exact matching. Strings that are IP addresses meet by
 *  address (event-ruler turns such a rule string into the address's range); numbers by their double. */
export function valueKey(v: Scalar): string {
  if (typeof v === "string") return ipKey(v) ?? `s:${v}`;
  if (typeof v === "number") return numberKey(v);
  return `l:${v}`;
}

/** anything-but's value keys: strings as written (no IP reading), numbers by their double. */
const rawKey = (v: Scalar): string => (typeof v === "string" ? `s:${v}` : typeof v === "number" ? numberKey(v) : `l:${v}`);

const RESERVED_IN_OR = new Set([
  "exactly",
  "equals-ignore-case",
  "prefix",
  "suffix",
  "anything-but",
  "exists",
  "wildcard",
  "numeric",
  "cidr",
  "=",
  "<",
  "<=",
  ">",
  ">=",
  "regex",
  "not-wildcard",
  "not-equals-ignore-case",
  "date-after",
  "date-on-or-after",
  "date-before",
  "date-on-or-before",
  "in-date-range",
  "ip-address-in-range",
  "ip-address-not-in-range",
]);

type Alt = Map<string, Condition>;
const isNumberToken = (k: TokenKind) => k === "number";

export function compilePatternText(text: string, d: ResolvedDialect): Condition[][] {
  const c = new JsonCursor(text);
  let complex = false;
  const bad = (problem: PatternProblem, message: string): never => {
    throw new PatternFailure(d.locations ? message + c.location() : message, problem);
  };
  const rule = (message: string): never => bad("rule", message);
  /** A failure inside one of event-ruler's try blocks gets the position suffix a second time. */
  const again = (e: unknown): never => {
    if (e instanceof PatternFailure) throw new PatternFailure(d.locations ? e.message + c.location() : e.message, e.problem);
    if (e instanceof ValueError) return rule(e.message);
    throw e;
  };

  try {
    if (c.next() !== "{") bad("not-object", "Filter is not an object");
    const rules: Alt[] = [];
    parseObject(rules, [], false, true);
    // event-ruler measures a rule's wildcards once it is compiled, when adding it to a machine: no position.
    if (complex) throw new PatternFailure(TOO_COMPLEX, "rule");
    return rules.length ? rules.map((m) => [...m.values()]) : [[]];
  } catch (e) {
    if (e instanceof PatternSyntaxError) throw new PatternFailure(d.locations ? e.message : e.message.split("\n")[0], "json");
    if (e instanceof ValueError) throw new PatternFailure(e.message, "rule");
    throw e;
  }

  function parseObject(rules: Alt[], path: string[], insideOr: boolean, root = false): void {
    let fields = false;
    while (c.next() !== "}") {
      fields = true;
      const step = c.text();
      if (step === "$or" && d.or) {
        parseOr(rules, path);
        continue;
      }
      if (insideOr && RESERVED_IN_OR.has(step)) bad("or", `${step} is Ruler reserved fieldName which cannot be used inside $or.`);
      const kind = c.next();
      if (kind === "{") {
        if (!d.nested) bad("nested", "Nested patterns are not supported");
        parseObject(rules, [...path, step], insideOr);
      } else if (kind === "[") writeRules(rules, [...path, step]);
      else bad("value", `"${step}" must be an object or an array`);
    }
    if (!fields && !(root && d.allowEmpty)) bad("value", "Empty objects are not allowed");
  }

  function parseOr(rules: Alt[], path: string[]): void {
    const current = rules.map((m) => new Map(m));
    rules.length = 0;
    if (c.next() !== "[") bad("or", "It must be an Array followed with $or.");
    let count = 0;
    for (let k = c.next(); k !== "]"; k = c.next()) {
      count++;
      if (k !== "{") bad("or", "Only JSON object is allowed in array of $or relationship.");
      const fresh = current.map((m) => new Map(m));
      if (!fresh.length) fresh.push(new Map());
      parseObject(fresh, path, true);
      rules.push(...fresh);
    }
    if (count < 2) bad("or", "There must have at least 2 Objects in $or relationship.");
  }

  function writeRules(rules: Alt[], path: string[]): void {
    const tests: Test[] = [];
    const written: unknown[] = [];
    for (let k = c.next(); k !== "]"; k = c.next()) {
      if (k === "{") {
        const [t, w] = matchExpression();
        tests.push(t);
        written.push(w);
      } else if (k === "string") {
        const s = c.text();
        tests.push(exact(valueKey(s), s));
        written.push(s);
      } else if (k === "number") {
        const n = Number(c.text());
        if (d.maxNumber !== undefined && !(Math.abs(n) < d.maxNumber)) rule(`Value of = must be numeric and within ±10^${Math.round(Math.log10(d.maxNumber))}`);
        tests.push(exactNumber(c.text()));
        written.push(n);
      } else if (k === "true" || k === "false" || k === "null") {
        const v = k === "null" ? null : k === "true";
        tests.push(exact(valueKey(v), v));
        written.push(v);
      } else bad("rule", "Match value must be String, number, true, false, or null");
    }
    if (!tests.length) bad("value", "Empty arrays are not allowed");
    if (!rules.length) rules.push(new Map());
    const name = path.join(".");
    for (const alt of rules) alt.set(name, { path, name, rules: written, tests });
  }

  /** One `{ "<operator>": … }` rule; the cursor is on its `{`. */
  function matchExpression(): [Test, unknown] {
    if (c.next() !== "field") rule("Match expression name not found");
    const op = c.text();
    if (isOperator(op) ? !d.operators.has(op) : op !== "exactly" || !d.exactly) rule(`Unrecognized match type ${op}`);
    const k = c.next();
    const end = (w: unknown, t: Test, message = "Only one key allowed in match expression"): [Test, unknown] => {
      if (c.next() !== "}") rule(message);
      return [t, { [op]: w }];
    };
    switch (op) {
      case "exactly": {
        if (k !== "string") rule("exact match pattern must be a string");
        const s = c.text();
        return end(s, { test: (x) => x === s, index: { kind: "exact", key: `s:${s}` } });
      }
      case "prefix":
      case "suffix": {
        if (k === "{" && d.ignoreCase) return foldedEnds(op);
        if (k !== "string") rule(`${op} match pattern must be a string`);
        const s = c.text();
        return end(s, ends(op, s, false));
      }
      case "numeric": {
        if (k !== "[") rule("Value of numeric must be an array.");
        const t = d.strictNumeric ? numeric() : lenientNumeric();
        return end(t.written, t.test, "Too many elements in numeric expression");
      }
      case "anything-but": {
        if (d.strictAnythingBut) return anythingBut(k);
        const arg = readJson(k);
        return end(arg, lenientAnythingBut(arg));
      }
      case "exists": {
        if (k !== "true" && k !== "false") rule("exists match pattern must be either true or false.");
        return end(k === "true", { exists: k === "true" });
      }
      case "cidr": {
        if (k !== "string") rule("prefix match pattern must be a string");
        const s = c.text();
        const range = cidrRange(s);
        return end(s, { test: (v) => typeof v === "string" && inCidr(v, range) });
      }
      case "equals-ignore-case": {
        if (k !== "string") rule("equals-ignore-case match pattern must be a string");
        const s = c.text();
        const lower = s.toLowerCase();
        return end(s, { test: (v) => typeof v === "string" && v.toLowerCase() === lower, index: { kind: "eic", value: lower } });
      }
      case "wildcard": {
        if (k !== "string") rule("wildcard match pattern must be a string");
        const s = c.text();
        let re: RegExp;
        try {
          re = wildcardRegExp(s);
        } catch (e) {
          return again(e);
        }
        if (tooComplex(s)) complex = true;
        return end(s, { test: (v) => typeof v === "string" && re.test(v) });
      }
    }
    return rule(`Unrecognized match type ${op}`);
  }

  function foldedEnds(op: "prefix" | "suffix"): [Test, unknown] {
    const Op = op === "prefix" ? "Prefix" : "Suffix";
    if (c.next() !== "field") rule(`${Op} expression name not found`);
    const inner = c.text();
    if (inner !== "equals-ignore-case") rule(`Unsupported ${op} pattern: ${inner}`);
    if (c.next() !== "string") rule("equals-ignore-case match pattern must be a string");
    const s = c.text();
    if (c.next() !== "}") rule("Only one key allowed in match expression");
    if (c.next() !== "}") rule("Only one key allowed in match expression");
    return [ends(op, s, true), { [op]: { "equals-ignore-case": s } }];
  }

  /** numeric: [op, n] or a lower then an upper bound, event-ruler's grammar and words. */
  function numeric(): { test: Test; written: unknown[] } {
    if (c.next() !== "string") rule(`Invalid member in numeric match: ${c.text()}`);
    const op = c.text();
    const written: unknown[] = [op];
    const value = (message: string): string => {
      if (!isNumberToken(c.next())) rule(message);
      written.push(Number(c.text()));
      return c.text();
    };
    const closed = (v: string) => {
      if (c.next() !== "]") rule("Too many elements in numeric expression");
      return v;
    };
    const at = (text: string): number => {
      try {
        return comparableOrFail(text);
      } catch (e) {
        return again(e);
      }
    };
    let lo = Number.NEGATIVE_INFINITY;
    let hi = Number.POSITIVE_INFINITY;
    let loOpen = false;
    let hiOpen = false;
    if (op === "=") {
      const n = at(closed(value("Value of equals must be numeric")));
      return { test: exactNumberTest(n), written };
    }
    if (op === "<" || op === "<=") {
      hi = at(closed(value(`Value of ${op} must be numeric`)));
      hiOpen = op === "<";
    } else if (op === ">" || op === ">=") {
      const bottom = value(`Value of ${op} must be numeric`);
      loOpen = op === ">";
      const k = c.next();
      if (k === "]") lo = at(bottom);
      else {
        if (k !== "string") rule(`Bad value in numeric range: ${c.text()}`);
        const top = c.text();
        if (top !== "<" && top !== "<=") rule(`Bad numeric range operator: ${top}`);
        written.push(top);
        const topText = value(`Value of ${top} must be numeric`);
        if (c.next() !== "]") rule("Too many terms in numeric range expression");
        lo = at(bottom);
        hi = at(topText);
        hiOpen = top === "<";
        if (compareNumbers(lo, hi) >= 0) rule("Bottom must be less than top");
      }
    } else rule(`Unrecognized numeric range operator: ${op}`);
    const range = { kind: "range" as const, lo, loOpen, hi, hiOpen };
    return { test: { test: (v) => typeof v === "number" && inRange(v, range), index: range }, written };
  }

  /** Lambda's reading: any number of operator/value pairs, all of which must hold. */
  function lenientNumeric(): { test: Test; written: unknown[] } {
    const written: unknown[] = [];
    const pairs: [string, number][] = [];
    for (let k = c.next(); k !== "]"; k = c.next()) {
      const op = c.text();
      if (k !== "string" || !["=", "<", "<=", ">", ">="].includes(op)) rule(`Unrecognized numeric range operator: ${op}`);
      if (!isNumberToken(c.next())) rule(`Value of ${op} must be numeric`);
      const n = Number(c.text());
      written.push(op, n);
      pairs.push([op, n]);
    }
    if (!pairs.length) rule("Value of numeric must be an array.");
    const holds = (v: number) => pairs.every(([op, n]) => (op === "=" ? v === n : op === "<" ? v < n : op === "<=" ? v <= n : op === ">" ? v > n : v >= n));
    return { test: { test: (v) => typeof v === "number" && holds(v) }, written };
  }

  /** anything-but, event-ruler's forms: a string or number, a list of one kind, or one of prefix, suffix,
   *  equals-ignore-case, wildcard with a string or a list of strings. It matches every value that is not
   *  excluded, null and booleans included; a missing field matches nothing. */
  function anythingBut(first: TokenKind): [Test, unknown] {
    let k = first;
    let inner: string | undefined;
    if (k === "{") {
      if (c.next() !== "field") rule("Anything-But expression name not found");
      inner = c.text();
      const allowed =
        inner === "prefix" || inner === "suffix" || (inner === "equals-ignore-case" && d.ignoreCase) || (inner === "wildcard" && d.operators.has("wildcard"));
      if (!allowed) rule(`Unsupported anything-but pattern: ${inner}`);
      k = c.next();
    }
    if (k !== "[" && k !== "string" && k !== "number") rule("Value of anything-but must be an array or single string/number value.");
    let test: (v: Scalar) => boolean;
    let written: unknown;
    if (inner === undefined) {
      const values: Scalar[] = [];
      if (k === "[") {
        let numbers = false;
        let strings = false;
        try {
          for (let e = c.next(); e !== "]"; e = c.next()) {
            if (e !== "string" && e !== "number") rule("Inside anything but list, start|null|boolean is not supported.");
            if (e === "number") comparableOrFail(c.text());
            strings ||= e === "string";
            numbers ||= e === "number";
            values.push(e === "number" ? Number(c.text()) : c.text());
          }
        } catch (e) {
          again(e);
        }
        if (numbers === strings) rule("Inside anything but list, either all values are number or string, mixed type is not supported");
        written = values;
      } else {
        if (k === "number") comparableOrFail(c.text());
        values.push(k === "number" ? Number(c.text()) : c.text());
        written = values[0];
      }
      const excluded = new Set(values.map(rawKey));
      test = (v) => !excluded.has(rawKey(v));
    } else {
      const texts: string[] = [];
      const one = (e: TokenKind) => {
        if (e !== "string") {
          if (inner === "equals-ignore-case") rule("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.");
          rule(inner === "wildcard" ? "wildcard match pattern must be a string" : "prefix/suffix match pattern must be a string");
        }
        const s = c.text();
        if ((inner === "prefix" || inner === "suffix") && s === "") rule("Null prefix/suffix not allowed");
        texts.push(s);
      };
      if (k === "[") {
        try {
          for (let e = c.next(); e !== "]"; e = c.next()) one(e);
        } catch (e) {
          again(e);
        }
      } else one(k);
      written = { [inner]: k === "[" ? texts : texts[0] };
      test = excluding(inner, texts, again);
      if (inner === "wildcard" && texts.some(tooComplex)) complex = true;
    }
    if (c.next() !== "}") rule("Too many elements in numeric expression");
    if (inner !== undefined && c.next() !== "}") rule("Too many elements in numeric expression");
    return [{ test }, { "anything-but": written }];
  }

  /** The current token's whole value (Lambda's lenient anything-but takes any). */
  function readJson(k: TokenKind): unknown {
    if (k === "string") return c.text();
    if (k === "number") return Number(c.text());
    if (k === "true" || k === "false") return k === "true";
    if (k === "null") return null;
    if (k === "[") {
      const out: unknown[] = [];
      for (let e = c.next(); e !== "]"; e = c.next()) out.push(readJson(e));
      return out;
    }
    const out: Record<string, unknown> = {};
    while (c.next() !== "}") {
      const key = c.text();
      out[key] = readJson(c.next());
    }
    return out;
  }
}

const OPERATORS = new Set<string>(["prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "wildcard", "cidr"]);
const isOperator = (s: string): s is Operator => OPERATORS.has(s);

function exact(key: string, v: Scalar): Test {
  const index: IndexKey = { kind: "exact", key };
  // A rule string that is an IP address matches the same address however written; any other only itself.
  if (key.startsWith("ip:")) return { test: (x) => x === v || (typeof x === "string" && ipKey(x) === key), index };
  return { test: (x) => x === v, index };
}

/** An exact number: by its double when event-ruler can compare it, else by its text as written. */
function exactNumber(text: string): Test {
  const n = comparable(text);
  if (n !== undefined) return exactNumberTest(n);
  return { test: (v) => typeof v === "number" && String(v) === text };
}

function exactNumberTest(n: number): Test {
  // -0 and 0 are different values to event-ruler (their comparable encodings differ).
  return { test: (v) => v === n && (n !== 0 || Object.is(v, n)), index: { kind: "exact", key: numberKey(n) } };
}

function ends(op: "prefix" | "suffix", s: string, fold: boolean): Test {
  const want = fold ? s.toLowerCase() : s;
  const index: IndexKey = { kind: op, value: want, fold };
  if (op === "prefix") return { test: (v) => typeof v === "string" && (fold ? v.toLowerCase() : v).startsWith(want), index };
  return { test: (v) => typeof v === "string" && (fold ? v.toLowerCase() : v).endsWith(want), index };
}

export function inRange(v: number, r: { lo: number; loOpen: boolean; hi: number; hiOpen: boolean }): boolean {
  const lo = compareNumbers(v, r.lo);
  const hi = compareNumbers(v, r.hi);
  return (r.loOpen ? lo > 0 : lo >= 0) && (r.hiOpen ? hi < 0 : hi <= 0);
}

/** anything-but over prefix/suffix/equals-ignore-case/wildcard: values that are not strings are never excluded. */
function excluding(inner: string, texts: string[], again: (e: unknown) => never): (v: Scalar) => boolean {
  switch (inner) {
    case "prefix":
      return (v) => typeof v !== "string" || !texts.some((t) => v.startsWith(t));
    case "suffix":
      return (v) => typeof v !== "string" || !texts.some((t) => v.endsWith(t));
    case "equals-ignore-case": {
      const lower = new Set(texts.map((t) => t.toLowerCase()));
      return (v) => typeof v !== "string" || !lower.has(v.toLowerCase());
    }
    default: {
      let res: RegExp[] = [];
      try {
        res = texts.map(wildcardRegExp);
      } catch (e) {
        again(e);
      }
      return (v) => typeof v !== "string" || !res.some((re) => re.test(v));
    }
  }
}

/** Lambda's anything-but, whose argument was not checked: the forms that mean something, else nothing excluded. */
function lenientAnythingBut(arg: unknown): Test {
  if (Array.isArray(arg)) return { test: (v) => !arg.includes(v) };
  if (typeof arg !== "object" || arg === null) return { test: (v) => v !== arg };
  const [inner, x] = Object.entries(arg)[0] ?? [];
  const list = (Array.isArray(x) ? x : [x]).map(String);
  if (inner === "prefix" || inner === "suffix" || inner === "equals-ignore-case") {
    const f = excluding(inner, list, (e) => {
      throw e;
    });
    return { test: (v) => typeof v === "string" && f(v) };
  }
  if (inner === "wildcard") {
    try {
      const f = excluding(inner, list, (e) => {
        throw e;
      });
      return { test: (v) => typeof v === "string" && f(v) };
    } catch {
      return { test: () => true };
    }
  }
  return { test: () => true };
}
