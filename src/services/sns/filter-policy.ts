// Subscription filter policies: validated as AWS validates them, evaluated on message attributes or the JSON body.
import { InvalidParameterException } from "./api.generated.js";

export type FilterScope = "MessageAttributes" | "MessageBody";
type Scalar = string | number | boolean | null;
type Rule = Scalar | Record<string, unknown>;
/** One way to satisfy the policy ($or expands into several): every path must match one of its rules. */
type Alternative = { path: string[]; rules: Rule[] }[];

export interface CompiledPolicy {
  alternatives: Alternative[];
}

/** What a message attribute looks like for filtering (MessageAttributeValue, decoded). */
export interface FilterAttribute {
  DataType: string;
  StringValue?: string;
}

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
const RANGE_OPS = new Set(["=", "<", "<=", ">", ">="]);

const bad = (why: string): never => {
  throw new InvalidParameterException(`Invalid parameter: FilterPolicy: ${why}`);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses and validates a policy; throws InvalidParameter worded as AWS words it. An empty policy matches everything. */
export function compileFilterPolicy(text: string, scope: FilterScope = "MessageAttributes"): CompiledPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    bad("failed to parse JSON.");
  }
  if (!isObject(doc)) bad("Filter policy must be a JSON object");
  const alternatives = expand(doc as Record<string, unknown>, [], scope, 0);
  let combinations = 0;
  for (const alt of alternatives) {
    if (alt.length > MAX_KEYS) bad(`Filter policy can not have more than ${MAX_KEYS} keys`);
    combinations += alt.reduce((n, c) => n * c.rules.length, 1);
  }
  if (combinations > MAX_COMBINATIONS) bad("Filter policy is too complex");
  return { alternatives };
}

function expand(obj: Record<string, unknown>, at: string[], scope: FilterScope, depth: number): Alternative[] {
  let alts: Alternative[] = [[]];
  const cross = (options: Alternative[]) => (alts = alts.flatMap((a) => options.map((o) => [...a, ...o])));
  for (const [key, value] of Object.entries(obj)) {
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) bad("$or must be an array of at least 2 filter policies");
      cross((value as Record<string, unknown>[]).flatMap((v) => expand(v, at, scope, depth)));
    } else if (Array.isArray(value)) {
      if (!value.length) bad("Empty arrays are not allowed");
      for (const r of value) validateRule(r as Rule);
      cross([[{ path: [...at, key], rules: value as Rule[] }]]);
    } else if (isObject(value)) {
      // Attribute names are flat; only a JSON body has nested keys.
      if (scope === "MessageAttributes") bad("Filter policy scope MessageAttributes does not support nested filter policy");
      cross(expand(value, [...at, key], scope, depth + 1));
    } else {
      bad(`"${key}" must be an object or an array`);
    }
  }
  return alts;
}

function validateRule(rule: Rule): void {
  if (rule === null || typeof rule === "string" || typeof rule === "boolean") return;
  if (typeof rule === "number") {
    if (!Number.isFinite(rule) || Math.abs(rule) >= 1e9) bad("Value of = must be numeric and within ±10^9");
    return;
  }
  if (!isObject(rule)) bad("Match value must be String, number, true, false, or null");
  const keys = Object.keys(rule as object);
  if (keys.length !== 1) bad("Only one key allowed in match expression");
  const [op] = keys;
  const arg = (rule as Record<string, unknown>)[op];
  switch (op) {
    case "exists":
      if (typeof arg !== "boolean") bad("exists match pattern must be either true or false.");
      return;
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
      if (typeof arg !== "string") bad(`${op} match pattern must be a string`);
      return;
    case "numeric":
      return validateNumeric(arg);
    case "anything-but":
      return validateAnythingBut(arg);
    default:
      bad(`Unrecognized match type ${op}`);
  }
}

function validateNumeric(arg: unknown): void {
  if (!Array.isArray(arg) || !arg.length) bad("Value of numeric must be an array.");
  const a = arg as unknown[];
  if (a.length > 4) bad("Too many elements in numeric expression");
  for (let i = 0; i < a.length; i += 2) {
    const op = a[i];
    if (typeof op !== "string" || !RANGE_OPS.has(op)) bad(`Unrecognized numeric range operator: ${String(op)}`);
    if (typeof a[i + 1] !== "number") bad(`Value of ${String(op)} must be numeric`);
  }
  if (a.length === 4) {
    if (a[0] !== ">" && a[0] !== ">=") bad(`Too many elements in numeric expression`);
    if (a[2] !== "<" && a[2] !== "<=") bad(`Bad numeric range operator: ${String(a[2])}`);
    if ((a[1] as number) >= (a[3] as number)) bad("Bottom must be less than top");
  }
}

function validateAnythingBut(arg: unknown): void {
  if (typeof arg === "string" || typeof arg === "number") return;
  if (Array.isArray(arg)) {
    if (!arg.length) bad("Empty arrays are not allowed");
    for (const v of arg) if (typeof v !== "string" && typeof v !== "number") bad(`Inside anything but list, ${v === null ? "null" : typeof v === "boolean" ? "boolean" : "start"} is not supported.`);
    return;
  }
  if (isObject(arg)) {
    const [op, ...rest] = Object.keys(arg);
    if (rest.length || (op !== "prefix" && op !== "suffix")) bad(`Unsupported anything-but pattern: ${op ?? "{}"}`);
    if (typeof arg[op] !== "string") bad(`${op} match pattern must be a string`);
    return;
  }
  bad("Value of anything-but must be an array or single string/number value.");
}

// --- evaluation ---

interface Found {
  present: boolean;
  values: Scalar[];
}

export function matchesAttributes(policy: CompiledPolicy, attributes: Record<string, FilterAttribute> | undefined): boolean {
  return evaluate(policy, (path) => attributeValues(attributes?.[path[0]]));
}

/** Body scope: a body that is not a JSON object matches no policy with conditions. */
export function matchesBody(policy: CompiledPolicy, body: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    doc = undefined;
  }
  return evaluate(policy, (path) => (isObject(doc) ? bodyValues(doc, path) : { present: false, values: [] }));
}

export function matches(policy: CompiledPolicy, scope: FilterScope, attributes: Record<string, FilterAttribute> | undefined, body: string): boolean {
  return scope === "MessageBody" ? matchesBody(policy, body) : matchesAttributes(policy, attributes);
}

function evaluate(policy: CompiledPolicy, lookup: (path: string[]) => Found): boolean {
  if (!policy.alternatives.length) return true;
  return policy.alternatives.some((alt) =>
    alt.every(({ path, rules }) => {
      const found = lookup(path);
      return rules.some((r) => (isObject(r) && "exists" in r ? r.exists === found.present : found.present && found.values.some((v) => matchRule(r, v))));
    }),
  );
}

function attributeValues(a: FilterAttribute | undefined): Found {
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

function bodyValues(node: unknown, path: string[]): Found {
  if (Array.isArray(node)) {
    const parts = node.map((n) => bodyValues(n, path));
    return { present: parts.some((p) => p.present), values: parts.flatMap((p) => p.values) };
  }
  if (!path.length) return { present: true, values: scalars(node) };
  if (!isObject(node) || !(path[0] in node)) return { present: false, values: [] };
  return bodyValues(node[path[0]], path.slice(1));
}

const scalars = (v: unknown): Scalar[] =>
  Array.isArray(v) ? v.flatMap(scalars) : v === null || ["string", "number", "boolean"].includes(typeof v) ? [v as Scalar] : [];

function matchRule(rule: Rule, v: Scalar): boolean {
  if (!isObject(rule)) return rule === v;
  const [op] = Object.keys(rule);
  const arg = rule[op];
  switch (op) {
    case "prefix":
      return typeof v === "string" && v.startsWith(arg as string);
    case "suffix":
      return typeof v === "string" && v.endsWith(arg as string);
    case "equals-ignore-case":
      return typeof v === "string" && v.toLowerCase() === (arg as string).toLowerCase();
    case "numeric":
      return typeof v === "number" && numericMatch(arg as (string | number)[], v);
    case "anything-but":
      return anythingBut(arg, v);
    default:
      return false;
  }
}

function numericMatch(expr: (string | number)[], v: number): boolean {
  for (let i = 0; i < expr.length; i += 2) {
    const n = expr[i + 1] as number;
    const ok = { "=": v === n, "<": v < n, "<=": v <= n, ">": v > n, ">=": v >= n }[expr[i] as "="];
    if (!ok) return false;
  }
  return true;
}

function anythingBut(arg: unknown, v: Scalar): boolean {
  if (isObject(arg)) {
    if (typeof v !== "string") return false;
    return "prefix" in arg ? !v.startsWith(arg.prefix as string) : !v.endsWith(arg.suffix as string);
  }
  const list = Array.isArray(arg) ? arg : [arg];
  return !list.includes(v);
}
