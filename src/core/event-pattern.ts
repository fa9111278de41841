// EventBridge-style event patterns, parsed and checked once for every service that filters with them: SNS
// subscription filter policies, Lambda event source mapping FilterCriteria, EventBridge rules and Pipes.
// EventBridge evaluates patterns with event-ruler (github.com/aws/event-ruler); this module follows its source:
// - a pattern is a JSON object; a key holds either a nested pattern or a non-empty list of rules, and the list
//   matches when any rule does; every key of a pattern must match (AND); `$or` lists alternative sub-patterns;
//   a field is named by its dotted path, so `{"a":{"b":…}}` and `{"a.b":…}` are the same field, in the pattern
//   and in the event alike, and a key given twice keeps its last rules (JsonRuleCompiler, withOverriding);
// - rules (event-pattern-compile.ts): exact values (strings; numbers compared as IEEE-754 doubles, `5` = `5.0`;
//   true/false/null; strings that are IP addresses compared as addresses), prefix, suffix (each optionally
//   `{"equals-ignore-case": …}`), equals-ignore-case, anything-but (value, list, prefix, suffix,
//   equals-ignore-case, wildcard), numeric ranges, exists, wildcard, cidr (IPv4 and IPv6);
// - an array in the event matches when any of its elements does; for arrays of objects, the fields one
//   alternative matches must come from the same element (event-ruler's ArrayMembership: `{"a":[{"b":1,"c":2},
//   {"b":3,"c":4}]}` does not match `{"a":{"b":[1],"c":[4]}}`);
// - rules test leaf values only: a key whose value is an object or an empty array does not "exist";
//   `exists: false` holds for a missing key; anything-but matches null and any value of another type, but a
//   missing key matches no rule but `exists: false`.
// What each service accepts differs; the `PatternDialect` options select it (defaults are EventBridge's), and
// every failure goes through the caller's `error(message, problem)`, so the caller decides code and wording.
// Many patterns against one event: `compileRules` (event-pattern-rules.ts).
import { compilePatternText, PatternFailure } from "./event-pattern-compile.js";
import type { Condition, FieldValues, PatternDialect, PatternError, ResolvedDialect, Scalar } from "./event-pattern-types.js";

export type { Condition, FieldValues, IndexKey, Operator, PatternDialect, PatternError, PatternProblem, Scalar, Test } from "./event-pattern-types.js";

const ALL_OPERATORS = ["prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "wildcard", "cidr"];

export interface EventPattern {
  /** Each way to satisfy the pattern (`$or` expands into several); an alternative holds when all its
   *  conditions do. An allowed `{}` is one empty alternative, which matches everything. */
  readonly alternatives: readonly (readonly Condition[])[];
  /** True when the JSON event matches. */
  matches(event: unknown): boolean;
  /** True when the fields `lookup` reports match: for events that are not one JSON document (SNS message
   *  attributes, each typed and some without a matchable value). */
  matchesFields(lookup: (path: readonly string[]) => FieldValues): boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";

export function resolveDialect(dialect: PatternDialect): ResolvedDialect {
  return {
    operators: new Set(dialect.operators ?? ALL_OPERATORS),
    or: dialect.or ?? true,
    nested: dialect.nested ?? true,
    maxNumber: dialect.maxNumber,
    strictNumeric: dialect.strictNumeric ?? true,
    strictAnythingBut: dialect.strictAnythingBut ?? true,
    ignoreCase: dialect.ignoreCaseModifiers ?? true,
    locations: dialect.locations ?? true,
    allowEmpty: dialect.allowEmpty ?? false,
    exactly: dialect.operators === undefined,
  };
}

/** Parses, checks and compiles a pattern written as JSON text. */
export function parseEventPattern(text: string, dialect: PatternDialect, error: PatternError): EventPattern {
  return patternOf(checkedAlternatives(text, dialect, error));
}

/** Checks and compiles an already parsed pattern (checked as its JSON text, so positions refer to that). */
export function compileEventPattern(doc: unknown, dialect: PatternDialect, error: PatternError): EventPattern {
  return parseEventPattern(JSON.stringify(doc) ?? "null", dialect, error);
}

/** The pattern's alternatives, with the dialect's limits checked. */
export function checkedAlternatives(text: string, dialect: PatternDialect, error: PatternError): Condition[][] {
  let alternatives: Condition[][];
  try {
    alternatives = compilePatternText(text, resolveDialect(dialect));
  } catch (e) {
    if (e instanceof PatternFailure) throw error(e.message, e.problem);
    throw e;
  }
  let combinations = 0;
  for (const alt of alternatives) {
    if (dialect.maxKeys !== undefined && alt.length > dialect.maxKeys) throw error(`Pattern can not have more than ${dialect.maxKeys} keys`, "too-many-keys");
    combinations += alt.reduce((n, c) => n * c.rules.length, 1);
  }
  if (dialect.maxCombinations !== undefined && combinations > dialect.maxCombinations) throw error("Pattern is too complex", "too-complex");
  return alternatives;
}

function patternOf(alternatives: Condition[][]): EventPattern {
  const used = usedNames(alternatives.flat());
  const matchesFields = (lookup: (path: readonly string[]) => FieldValues) =>
    alternatives.some((alt) =>
      alt.every(({ path, tests }) => {
        const found = lookup(path);
        return tests.some((t) => ("exists" in t ? t.exists === found.present : found.present && found.values.some(t.test)));
      }),
    );
  return {
    alternatives,
    matchesFields,
    matches: (event) => {
      const fields = flattenEvent(event, used);
      return alternatives.some((alt) => matchAlternative(alt, fields));
    },
  };
}

/** Every dotted prefix of the conditions' field names: the event's fields worth reading. */
export function usedNames(conditions: readonly Condition[]): Set<string> {
  const used = new Set<string>();
  for (const { name } of conditions) {
    let i = name.indexOf(".");
    while (i >= 0) {
      used.add(name.slice(0, i));
      i = name.indexOf(".", i + 1);
    }
    used.add(name);
  }
  return used;
}

/** A leaf value of the event and the array elements it sits in: pairs of (array number, element index), for
 *  arrays whose elements are objects or arrays (event-ruler's ArrayMembership). */
export interface FlatValue {
  readonly v: Scalar;
  readonly m: readonly number[] | undefined;
}

/** The event's leaf values by dotted field name, reading only the fields `used` names (all when omitted). */
export function flattenEvent(event: unknown, used?: { has(name: string): boolean }): Map<string, FlatValue[]> {
  const out = new Map<string, FlatValue[]>();
  let arrays = 0;
  const add = (name: string, v: Scalar, m: readonly number[] | undefined) => {
    const list = out.get(name);
    if (list) list.push({ v, m });
    else out.set(name, [{ v, m }]);
  };
  const node = (value: unknown, name: string, m: readonly number[] | undefined): void => {
    if (Array.isArray(value)) {
      const id = arrays++;
      for (let i = 0; i < value.length; i++) {
        const el = value[i];
        if (typeof el === "object" && el !== null) node(el, name, m ? [...m, id, i] : [id, i]);
        else if (isScalar(el)) add(name, el, m);
      }
    } else if (isObject(value)) object(value, `${name}.`, m);
    else if (isScalar(value)) add(name, value, m);
  };
  const object = (obj: Record<string, unknown>, prefix: string, m: readonly number[] | undefined): void => {
    for (const key in obj) {
      if (!Object.hasOwn(obj, key)) continue;
      const name = prefix + key;
      if (used && !used.has(name)) continue;
      node(obj[key], name, m);
    }
  };
  if (isObject(event)) object(event, "", undefined);
  return out;
}

/** Whether two values can come from one event element: no array they both sit in has them at different indexes. */
export function consistent(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (!a || !b) return true;
  for (let i = 0; i < a.length; i += 2) for (let j = 0; j < b.length; j += 2) if (a[i] === b[j] && a[i + 1] !== b[j + 1]) return false;
  return true;
}

/** True when every condition holds, with the values they match drawn consistently from array elements. */
export function matchAlternative(alt: readonly Condition[], fields: ReadonlyMap<string, readonly FlatValue[]>): boolean {
  const choices: FlatValue[][] = [];
  for (const { name, tests } of alt) {
    const values = fields.get(name);
    if (!values) {
      if (tests.some((t) => "exists" in t && !t.exists)) continue;
      return false;
    }
    const hits = values.filter(({ v }) => tests.some((t) => ("exists" in t ? t.exists : t.test(v))));
    if (!hits.length) return false;
    if (!hits.some((h) => !h.m)) choices.push(hits); // a value outside arrays of objects goes with any other
  }
  if (choices.length < 2) return true;
  const chosen: (readonly number[] | undefined)[] = [];
  const pick = (i: number): boolean => {
    if (i === choices.length) return true;
    for (const { m } of choices[i])
      if (chosen.every((c) => consistent(c, m))) {
        chosen.push(m);
        if (pick(i + 1)) return true;
        chosen.pop();
      }
    return false;
  };
  return pick(0);
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
