// Subscription filter policies: SNS's dialect of the event-pattern grammar (src/core/event-pattern.ts), with
// SNS's limits and error wording, evaluated on message attributes or on the JSON body.
import { parseEventPattern, type EventPattern, type FieldValues, type PatternDialect, type PatternProblem } from "../../core/event-pattern.js";
import { InvalidParameterException } from "./api.generated.js";

export type FilterScope = "MessageAttributes" | "MessageBody";
export type CompiledPolicy = EventPattern;

/** What a message attribute looks like for filtering (MessageAttributeValue, decoded). */
export interface FilterAttribute {
  DataType: string;
  StringValue?: string;
}

const MAX_KEYS = 5;
/** SNS: no wildcard or cidr, no equals-ignore-case inside prefix/suffix/anything-but; 5 keys, 150 combinations,
 *  exact numbers within ±10^9; nested keys only in the MessageBody scope. */
const DIALECT: PatternDialect = {
  operators: ["prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists"],
  ignoreCaseModifiers: false,
  maxKeys: MAX_KEYS,
  maxCombinations: 150,
  maxNumber: 1e9,
  locations: false,
  allowEmpty: true,
};

/** SNS's words where the generic message names the pattern. */
const WORDING: Partial<Record<PatternProblem, (scope: FilterScope) => string>> = {
  json: () => "failed to parse JSON.",
  "not-object": () => "Filter policy must be a JSON object",
  or: () => "$or must be an array of at least 2 filter policies",
  nested: (scope) => `Filter policy scope ${scope} does not support nested filter policy`,
  "too-many-keys": () => `Filter policy can not have more than ${MAX_KEYS} keys`,
  "too-complex": () => "Filter policy is too complex",
};

/** Parses and validates a policy; throws InvalidParameter worded as AWS words it. An empty policy matches everything. */
export function compileFilterPolicy(text: string, scope: FilterScope = "MessageAttributes"): CompiledPolicy {
  return parseEventPattern(
    text,
    { ...DIALECT, nested: scope === "MessageBody" },
    (message, problem) => new InvalidParameterException(`Invalid parameter: FilterPolicy: ${WORDING[problem]?.(scope) ?? message}`),
  );
}

export function matchesAttributes(policy: CompiledPolicy, attributes: Record<string, FilterAttribute> | undefined): boolean {
  // Attribute names are flat: a path is one name.
  return policy.matchesFields((path) => attributeValues(attributes?.[path[0]]));
}

/** Body scope: a body that is not a JSON object has no fields (only `exists: false` holds on it). */
export function matchesBody(policy: CompiledPolicy, body: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    doc = undefined;
  }
  return policy.matches(typeof doc === "object" && doc !== null && !Array.isArray(doc) ? doc : undefined);
}

export function matches(policy: CompiledPolicy, scope: FilterScope, attributes: Record<string, FilterAttribute> | undefined, body: string): boolean {
  return scope === "MessageBody" ? matchesBody(policy, body) : matchesAttributes(policy, attributes);
}

/** An attribute's values by DataType: String.Array its scalar elements, Number a number, String a string;
 *  Binary is present (for `exists`) with no value another rule could match. */
function attributeValues(a: FilterAttribute | undefined): FieldValues {
  if (!a) return { present: false, values: [] };
  const type = a.DataType.split(".")[0];
  const s = a.StringValue ?? "";
  if (a.DataType === "String.Array") {
    try {
      const arr = JSON.parse(s);
      if (Array.isArray(arr)) return { present: true, values: arr.filter((v) => v === null || typeof v !== "object") };
    } catch {
      /* not an array: matched as a plain string below */
    }
    return { present: true, values: [s] };
  }
  if (type === "Number") {
    const n = Number(s);
    return { present: true, values: Number.isFinite(n) ? [n] : [] };
  }
  if (type === "String") return { present: true, values: [s] };
  return { present: true, values: [] }; // Binary: only exists can match it
}
