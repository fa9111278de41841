// The event-pattern grammar's shared types (re-exported by event-pattern.ts, which documents the semantics).

export type Scalar = string | number | boolean | null;

/** Operators besides exact values. */
export type Operator = "prefix" | "suffix" | "equals-ignore-case" | "anything-but" | "numeric" | "exists" | "wildcard" | "cidr";

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
  /** Append Jackson's position suffix (`\n at [Source: (String)"…"; line: 1, column: N]`) to a refusal where
   *  event-ruler's has one (default true). */
  locations?: boolean;
  /** Accept `{}` (matching every event) instead of event-ruler's "Empty objects are not allowed" (default false). */
  allowEmpty?: boolean;
}

/** Which check failed; a caller that words some failures its own way switches on this. */
export type PatternProblem = "json" | "not-object" | "or" | "nested" | "value" | "rule" | "too-many-keys" | "too-complex";

/** Builds the caller's error for a failed check; the parser throws what it returns. `message` is worded as
 *  AWS's event-ruler words it (with its position suffix unless the dialect turns it off); `problem` says which
 *  check failed. */
export type PatternError = (message: string, problem: PatternProblem) => Error;

/** The values found at a field path: `present` when the field exists as a leaf (what `exists` tests). */
export interface FieldValues {
  present: boolean;
  values: Scalar[];
}

/** How the many-rule matcher files a rule: exact values by key, prefixes and suffixes by their text (lowercased
 *  when `fold`), equals-ignore-case by the lowercased text, numeric ranges by their bounds. Rules without one
 *  (anything-but, wildcard, cidr, numbers compared by text) are tested value by value. */
export type IndexKey =
  | { kind: "exact"; key: string }
  | { kind: "prefix" | "suffix"; value: string; fold: boolean }
  | { kind: "eic"; value: string }
  | { kind: "range"; lo: number; loOpen: boolean; hi: number; hiOpen: boolean };

export type Test = { exists: boolean } | { test: (v: Scalar) => boolean; index?: IndexKey };

/** One key of an alternative: the field path and its rules (as written); it holds when any rule does. */
export interface Condition {
  readonly path: readonly string[];
  /** The path joined with dots: the field's name, as event-ruler names it (`{"a":{"b":…}}` and `{"a.b":…}` alike). */
  readonly name: string;
  readonly rules: readonly unknown[];
  readonly tests: readonly Test[];
}

export interface ResolvedDialect {
  operators: Set<string>;
  or: boolean;
  nested: boolean;
  maxNumber: number | undefined;
  strictNumeric: boolean;
  strictAnythingBut: boolean;
  ignoreCase: boolean;
  locations: boolean;
  allowEmpty: boolean;
  /** event-ruler's undocumented `{"exactly": "…"}`: only with the full (EventBridge) operator set. */
  exactly: boolean;
}
