// EventBridge-style event patterns, parsed and checked once for every service that filters with them: SNS
// subscription filter policies, Lambda event source mapping FilterCriteria, and (later) EventBridge rules and
// Pipes. Semantics follow EventBridge ("Content filtering in Amazon EventBridge event patterns",
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html, and
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
// - a pattern is a JSON object; a key holds either a nested pattern or a non-empty list of rules, and the list
//   matches when any rule does; every key of a pattern must match (AND); `$or` lists alternative sub-patterns;
// - rules: exact values (string, number, true/false, null), prefix, suffix (each optionally
//   `{"equals-ignore-case": …}`), equals-ignore-case, anything-but (value, list, prefix, suffix,
//   equals-ignore-case, wildcard), numeric ranges, exists, wildcard, cidr;
// - an array in the event matches when any of its elements does (arrays of objects are walked into);
// - rules test leaf values only: a key whose value is an object or an empty array does not "exist";
//   `exists: false` holds for a missing key, and a missing key matches no other rule (not even anything-but).
// What each service accepts differs; the `PatternDialect` options select it (defaults are EventBridge's), and
// every failure goes through the caller's `error(message, problem)`, so the caller decides code and wording.

export type Scalar = string | number | boolean | null;

/** Operators besides exact values. */
export type Operator = "prefix" | "suffix" | "equals-ignore-case" | "anything-but" | "numeric" | "exists" | "wildcard" | "cidr";

const ALL_OPERATORS: readonly Operator[] = ["prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "wildcard", "cidr"];
const RANGE_OPS = new Set(["=", "<", "<=", ">", ">="]);

/** Which grammar a service accepts. Every option defaults to EventBridge's behaviour. */
export interface PatternDialect {
  /** Operators accepted. SNS: no `wildcard`, no `cidr` ("Unrecognized match type …"). */
  operators?: readonly Operator[];
  /** `$or` (default true). Lambda FilterCriteria here: false — `$or` is then an ordinary key, and a list of
   *  sub-patterns under it is refused as rules of unknown type. */
  or?: boolean;
  /** Nested objects (default true). SNS's MessageAttributes scope: false (attribute names are flat). */
  nested?: boolean;
  /** Most keys (leaf paths) one `$or` alternative may test. SNS: 5. Default: no limit. */
  maxKeys?: number;
  /** Most combinations: summed over `$or` alternatives, the product of their rule-list lengths. SNS: 150. */
  maxCombinations?: number;
  /** Exact number values must lie strictly within ±maxNumber. SNS: 1e9. Default: no limit. */
  maxNumber?: number;
  /** EventBridge's numeric range checks (default true): at most a lower then an upper bound, bottom < top.
   *  Lambda here: false — any number of well-formed operator/value pairs. */
  strictNumeric?: boolean;
  /** Check anything-but's argument (default true): a string, a number, a non-empty list of either, or one of
   *  prefix/suffix (+ equals-ignore-case, wildcard where enabled). Lambda here: false — anything accepted. */
  strictAnythingBut?: boolean;
  /** `{"equals-ignore-case": …}` as the argument of prefix, suffix and anything-but (default true). SNS: false. */
  ignoreCaseModifiers?: boolean;
}

/** Which check failed; a caller that words some failures its own way switches on this. */
export type PatternProblem = "json" | "not-object" | "or" | "nested" | "value" | "rule" | "too-many-keys" | "too-complex";

/** Builds the caller's error for a failed check; the parser throws what it returns. `message` is worded as
 *  AWS's event-ruler words it (SNS passes it through); `problem` says which check failed. */
export type PatternError = (message: string, problem: PatternProblem) => Error;

/** The values found at a field path: `present` when the field exists as a leaf (what `exists` tests). */
export interface FieldValues {
  present: boolean;
  values: Scalar[];
}

export type Test = { exists: boolean } | { test: (v: Scalar) => boolean };

/** One key of an alternative: the field path and its rules (as written); it holds when any rule does. */
export interface Condition {
  readonly path: readonly string[];
  readonly rules: readonly unknown[];
  readonly tests: readonly Test[];
}

export interface EventPattern {
  /** Each way to satisfy the pattern (`$or` expands into several); an alternative holds when all its
   *  conditions do. `{}` is one empty alternative, which matches everything. */
  readonly alternatives: readonly (readonly Condition[])[];
  /** True when the JSON event matches. */
  matches(event: unknown): boolean;
  /** True when the fields `lookup` reports match: for events that are not one JSON document (SNS message
   *  attributes, each typed and some without a matchable value). */
  matchesFields(lookup: (path: readonly string[]) => FieldValues): boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** Parses, checks and compiles a pattern written as JSON text. */
export function parseEventPattern(text: string, dialect: PatternDialect, error: PatternError): EventPattern {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw error("failed to parse JSON.", "json");
  }
  return compileEventPattern(doc, dialect, error);
}

/** Checks and compiles an already parsed pattern. */
export function compileEventPattern(doc: unknown, dialect: PatternDialect, error: PatternError): EventPattern {
  const d = {
    operators: new Set(dialect.operators ?? ALL_OPERATORS),
    or: dialect.or ?? true,
    nested: dialect.nested ?? true,
    maxNumber: dialect.maxNumber,
    strictNumeric: dialect.strictNumeric ?? true,
    strictAnythingBut: dialect.strictAnythingBut ?? true,
    ignoreCase: dialect.ignoreCaseModifiers ?? true,
  };
  const bad = (problem: PatternProblem, message: string): never => {
    throw error(message, problem);
  };
  const rule = (message: string): never => bad("rule", message);

  function expand(obj: Record<string, unknown>, at: string[]): Condition[][] {
    let alts: Condition[][] = [[]];
    const cross = (options: Condition[][]) => (alts = alts.flatMap((a) => options.map((o) => [...a, ...o])));
    for (const [key, value] of Object.entries(obj)) {
      if (key === "$or" && d.or) {
        if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) bad("or", "$or must be an array of at least 2 patterns");
        cross((value as Record<string, unknown>[]).flatMap((v) => expand(v, at)));
      } else if (Array.isArray(value)) {
        if (!value.length) bad("value", "Empty arrays are not allowed");
        cross([[{ path: [...at, key], rules: value, tests: value.map(compileRule) }]]);
      } else if (isObject(value)) {
        if (!d.nested) bad("nested", "Nested patterns are not supported");
        cross(expand(value, [...at, key]));
      } else {
        bad("value", `"${key}" must be an object or an array`);
      }
    }
    return alts;
  }

  function compileRule(r: unknown): Test {
    if (r === null || typeof r === "string" || typeof r === "boolean") return { test: (v) => v === r };
    if (typeof r === "number") {
      if (!Number.isFinite(r) || (d.maxNumber !== undefined && Math.abs(r) >= d.maxNumber))
        rule(`Value of = must be numeric and within ±10^${Math.round(Math.log10(d.maxNumber ?? 1e9))}`);
      return { test: (v) => v === r };
    }
    if (!isObject(r)) return rule("Match value must be String, number, true, false, or null");
    const keys = Object.keys(r);
    if (keys.length !== 1) rule("Only one key allowed in match expression");
    const op = keys[0] as Operator;
    const arg = r[op];
    if (!d.operators.has(op)) rule(`Unrecognized match type ${op}`);
    switch (op) {
      case "exists":
        if (typeof arg !== "boolean") rule("exists match pattern must be either true or false.");
        return { exists: arg as boolean };
      case "prefix":
      case "suffix": {
        const ends = op === "prefix" ? (v: string, s: string) => v.startsWith(s) : (v: string, s: string) => v.endsWith(s);
        if (typeof arg === "string") return { test: (v) => typeof v === "string" && ends(v, arg) };
        const folded = d.ignoreCase && isObject(arg) ? arg["equals-ignore-case"] : undefined;
        if (typeof folded !== "string") return rule(`${op} match pattern must be a string`);
        const lower = folded.toLowerCase();
        return { test: (v) => typeof v === "string" && ends(v.toLowerCase(), lower) };
      }
      case "equals-ignore-case": {
        if (typeof arg !== "string") rule(`${op} match pattern must be a string`);
        const lower = (arg as string).toLowerCase();
        return { test: (v) => typeof v === "string" && v.toLowerCase() === lower };
      }
      case "wildcard": {
        if (typeof arg !== "string") rule(`${op} match pattern must be a string`);
        const re = wildcard(arg as string);
        return { test: (v) => typeof v === "string" && re.test(v) };
      }
      case "cidr": {
        // IPv4 only, and the block itself is not checked (Lambda's behaviour so far); EventBridge also takes IPv6.
        if (typeof arg !== "string") rule(`${op} match pattern must be a string`);
        return { test: (v) => typeof v === "string" && inCidr(v, arg as string) };
      }
      case "numeric": {
        const range = checkNumeric(arg);
        return { test: (v) => typeof v === "number" && range.every(([cmp, n]) => compare(cmp, v, n)) };
      }
      case "anything-but":
        if (d.strictAnythingBut) checkAnythingBut(arg);
        return { test: anythingBut(arg) };
    }
    return rule(`Unrecognized match type ${String(op)}`);
  }

  function checkNumeric(arg: unknown): [string, number][] {
    if (!Array.isArray(arg) || !arg.length) rule("Value of numeric must be an array.");
    const a = arg as unknown[];
    if (d.strictNumeric && a.length > 4) rule("Too many elements in numeric expression");
    const out: [string, number][] = [];
    for (let i = 0; i < a.length; i += 2) {
      const op = a[i];
      if (typeof op !== "string" || !RANGE_OPS.has(op)) rule(`Unrecognized numeric range operator: ${String(op)}`);
      if (typeof a[i + 1] !== "number") rule(`Value of ${String(op)} must be numeric`);
      out.push([op as string, a[i + 1] as number]);
    }
    if (d.strictNumeric && a.length === 4) {
      if (a[0] !== ">" && a[0] !== ">=") rule("Too many elements in numeric expression");
      if (a[2] !== "<" && a[2] !== "<=") rule(`Bad numeric range operator: ${String(a[2])}`);
      if ((a[1] as number) >= (a[3] as number)) rule("Bottom must be less than top");
    }
    return out;
  }

  function checkAnythingBut(arg: unknown): void {
    if (typeof arg === "string" || typeof arg === "number") return;
    if (Array.isArray(arg)) {
      if (!arg.length) bad("value", "Empty arrays are not allowed");
      for (const v of arg)
        if (typeof v !== "string" && typeof v !== "number")
          rule(`Inside anything but list, ${v === null ? "null" : typeof v === "boolean" ? "boolean" : "start"} is not supported.`);
      return;
    }
    if (isObject(arg)) {
      const [op, ...rest] = Object.keys(arg);
      const allowed = op === "prefix" || op === "suffix" || (op === "equals-ignore-case" && d.ignoreCase) || (op === "wildcard" && d.operators.has("wildcard"));
      if (rest.length || !allowed) rule(`Unsupported anything-but pattern: ${op ?? "{}"}`);
      const inner = arg[op];
      // equals-ignore-case may also list several strings.
      const listOk = op === "equals-ignore-case" && Array.isArray(inner) && inner.length > 0 && inner.every((s) => typeof s === "string");
      if (typeof inner !== "string" && !listOk) rule(`${op} match pattern must be a string`);
      return;
    }
    rule("Value of anything-but must be an array or single string/number value.");
  }

  if (!isObject(doc)) bad("not-object", "Pattern must be a JSON object");
  const alternatives = expand(doc as Record<string, unknown>, []);
  let combinations = 0;
  for (const alt of alternatives) {
    if (dialect.maxKeys !== undefined && alt.length > dialect.maxKeys) bad("too-many-keys", `Pattern can not have more than ${dialect.maxKeys} keys`);
    combinations += alt.reduce((n, c) => n * c.rules.length, 1);
  }
  if (dialect.maxCombinations !== undefined && combinations > dialect.maxCombinations) bad("too-complex", "Pattern is too complex");

  const matchesFields = (lookup: (path: readonly string[]) => FieldValues) =>
    alternatives.some((alt) =>
      alt.every(({ path, tests }) => {
        const found = lookup(path);
        return tests.some((t) => ("exists" in t ? t.exists === found.present : found.present && found.values.some(t.test)));
      }),
    );
  return { alternatives, matchesFields, matches: (event) => matchesFields((path) => fieldValues(event, path)) };
}

/** The leaf values at `path` in a JSON document, walking into every array on the way and at the end. */
export function fieldValues(event: unknown, path: readonly string[]): FieldValues {
  const values: Scalar[] = [];
  const walk = (node: unknown, i: number): void => {
    if (Array.isArray(node)) for (const n of node) walk(n, i);
    else if (i === path.length) {
      if (isScalar(node)) values.push(node);
    } else if (isObject(node) && Object.hasOwn(node, path[i])) walk(node[path[i]], i + 1);
  };
  walk(event, 0);
  return { present: values.length > 0, values };
}

function compare(op: string, v: number, n: number): boolean {
  switch (op) {
    case "=":
      return v === n;
    case "<":
      return v < n;
    case "<=":
      return v <= n;
    case ">":
      return v > n;
    default:
      return v >= n;
  }
}

/** A string of `*` wildcards, each standing for any run of characters (including none). */
function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "s",
  );
}

/** anything-but: a value, a list of values, or the negation of prefix/suffix/equals-ignore-case/wildcard
 *  (these match strings only). A form the dialect let through unchecked and that has no meaning here
 *  (Lambda's lenient check) matches every value. */
function anythingBut(arg: unknown): (v: Scalar) => boolean {
  if (Array.isArray(arg)) return (v) => !arg.includes(v);
  if (!isObject(arg)) return (v) => v !== arg;
  const [inner, x] = Object.entries(arg)[0] ?? [];
  switch (inner) {
    case "prefix":
      return (v) => typeof v === "string" && !v.startsWith(String(x));
    case "suffix":
      return (v) => typeof v === "string" && !v.endsWith(String(x));
    case "equals-ignore-case": {
      const lower = (Array.isArray(x) ? x : [x]).map((s) => String(s).toLowerCase());
      return (v) => typeof v === "string" && !lower.includes(v.toLowerCase());
    }
    case "wildcard": {
      const re = wildcard(String(x));
      return (v) => typeof v === "string" && !re.test(v);
    }
    default:
      return () => true;
  }
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const toInt = (s: string) => s.split(".").reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !base || !/^\d+\.\d+\.\d+\.\d+$/.test(base)) return false;
  const bits = Number(bitsText ?? 32);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}
