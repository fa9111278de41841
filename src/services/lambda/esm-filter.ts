// Event filtering for event source mappings (FilterCriteria): EventBridge-style patterns matched against each
// record as the function would see it (an SQS record's `body` as parsed JSON when it is JSON). A record passes
// when any filter matches; within a pattern every key must match, and a list of rules matches when any does.

type Rule = unknown;
export type Pattern = { [key: string]: Pattern | Rule[] };

export class InvalidPattern extends Error {}

const OPS = new Set(["prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr", "wildcard"]);

/** Parses and checks one Filter's Pattern; throws InvalidPattern for anything Lambda would refuse. */
export function parsePattern(text: string): Pattern {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    throw new InvalidPattern(text);
  }
  check(p);
  return p as Pattern;
}

function check(p: unknown): void {
  if (!p || typeof p !== "object" || Array.isArray(p)) throw new InvalidPattern();
  for (const v of Object.values(p)) {
    if (Array.isArray(v)) {
      if (v.length === 0) throw new InvalidPattern();
      for (const r of v) checkRule(r);
    } else {
      check(v);
    }
  }
}

function checkRule(r: unknown): void {
  if (r === null || typeof r === "string" || typeof r === "number" || typeof r === "boolean") return;
  if (typeof r !== "object" || Array.isArray(r)) throw new InvalidPattern();
  const keys = Object.keys(r);
  if (keys.length !== 1 || !OPS.has(keys[0]!)) throw new InvalidPattern();
  const [op, arg] = Object.entries(r)[0]!;
  switch (op) {
    case "prefix":
    case "suffix":
      if (typeof arg !== "string" && !(arg && typeof arg === "object" && typeof (arg as Record<string, unknown>)["equals-ignore-case"] === "string")) throw new InvalidPattern();
      return;
    case "equals-ignore-case":
    case "wildcard":
    case "cidr":
      if (typeof arg !== "string") throw new InvalidPattern();
      return;
    case "exists":
      if (typeof arg !== "boolean") throw new InvalidPattern();
      return;
    case "numeric": {
      if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2) throw new InvalidPattern();
      for (let i = 0; i < arg.length; i += 2) {
        if (!["<", "<=", "=", ">", ">="].includes(arg[i] as string) || typeof arg[i + 1] !== "number") throw new InvalidPattern();
      }
      return;
    }
    case "anything-but":
      return;
  }
}

/** True when the event matches the pattern. */
export function matches(pattern: Pattern, event: unknown): boolean {
  if (!event || typeof event !== "object" || Array.isArray(event)) {
    // Only `exists: false` rules can hold on a value that has no fields.
    return Object.values(pattern).every((v) => Array.isArray(v) && v.some((r) => isExists(r, false)));
  }
  const obj = event as Record<string, unknown>;
  for (const [key, sub] of Object.entries(pattern)) {
    const present = Object.prototype.hasOwnProperty.call(obj, key);
    const value = obj[key];
    if (Array.isArray(sub)) {
      if (!sub.some((r) => matchRule(r, present, value))) return false;
    } else if (!present || !matches(sub, value)) {
      return false;
    }
  }
  return true;
}

const isExists = (r: Rule, want: boolean) => !!r && typeof r === "object" && (r as Record<string, unknown>).exists === want;

function matchRule(rule: Rule, present: boolean, value: unknown): boolean {
  if (rule && typeof rule === "object" && "exists" in rule) {
    const has = present && value !== undefined && !(value && typeof value === "object" && !Array.isArray(value));
    return (rule as { exists: boolean }).exists ? has : !has;
  }
  if (!present) return false;
  // An array in the event matches when any of its elements does.
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => matchScalar(rule, v));
}

function matchScalar(rule: Rule, v: unknown): boolean {
  if (rule === null || typeof rule !== "object") return rule === v;
  const [op, arg] = Object.entries(rule as Record<string, unknown>)[0]!;
  switch (op) {
    case "prefix":
      if (typeof v !== "string") return false;
      return typeof arg === "string" ? v.startsWith(arg) : v.toLowerCase().startsWith(String((arg as Record<string, string>)["equals-ignore-case"]).toLowerCase());
    case "suffix":
      if (typeof v !== "string") return false;
      return typeof arg === "string" ? v.endsWith(arg) : v.toLowerCase().endsWith(String((arg as Record<string, string>)["equals-ignore-case"]).toLowerCase());
    case "equals-ignore-case":
      return typeof v === "string" && v.toLowerCase() === String(arg).toLowerCase();
    case "wildcard": {
      if (typeof v !== "string") return false;
      const re = new RegExp(`^${String(arg).split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
      return re.test(v);
    }
    case "numeric": {
      if (typeof v !== "number") return false;
      const a = arg as (string | number)[];
      for (let i = 0; i < a.length; i += 2) {
        const n = a[i + 1] as number;
        const ok = a[i] === "<" ? v < n : a[i] === "<=" ? v <= n : a[i] === "=" ? v === n : a[i] === ">" ? v > n : v >= n;
        if (!ok) return false;
      }
      return true;
    }
    case "anything-but": {
      if (Array.isArray(arg)) return !arg.includes(v);
      if (arg && typeof arg === "object") {
        const [inner, x] = Object.entries(arg)[0] ?? [];
        if (inner === "prefix") return typeof v === "string" && !v.startsWith(String(x));
        if (inner === "suffix") return typeof v === "string" && !v.endsWith(String(x));
        if (inner === "equals-ignore-case") return typeof v === "string" && (Array.isArray(x) ? !x.some((s) => String(s).toLowerCase() === v.toLowerCase()) : v.toLowerCase() !== String(x).toLowerCase());
        return true;
      }
      return v !== arg;
    }
    case "cidr":
      return typeof v === "string" && inCidr(v, String(arg));
  }
  return false;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const toInt = (s: string) => s.split(".").reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !base || !/^\d+\.\d+\.\d+\.\d+$/.test(base)) return false;
  const bits = Number(bitsText ?? 32);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}
