// Logs Insights values: strings, numbers, booleans and datetimes (TimeVal, printed as AWS prints @timestamp), with
// the coercions comparisons and arithmetic use (numeric when both sides are numbers, text otherwise).

export class TimeVal {
  constructor(readonly ms: number) {}
}

export type Value = string | number | boolean | TimeVal | null | undefined;

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

export function toNum(v: Value): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (v instanceof TimeVal) return v.ms;
  if (typeof v === "string" && NUMERIC.test(v)) return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

export const present = (v: Value) => v !== undefined && v !== null;

export function truthy(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  return true;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** AWS's datetime text in results: `2024-01-15 10:30:00.000` (UTC). */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export function toText(v: Value): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatNumber(v);
  if (v instanceof TimeVal) return formatTime(v.ms);
  // A comparison's or a predicate's result prints as 1 or 0 (strcontains is documented to return 1 or 0). // unverified for the others
  return v ? "1" : "0";
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // Binary fractions print without float noise (0.1 + 0.2 is 0.3).
  return String(Number(n.toPrecision(15)));
}

/** Equality and ordering as Logs Insights compares: numerically when both are numbers, else as text. */
export function compare(a: Value, b: Value): number | undefined {
  if (!present(a) || !present(b)) return undefined;
  const x = toNum(a);
  const y = toNum(b);
  if (x !== undefined && y !== undefined) return x - y;
  const s = toText(a)!;
  const t = toText(b)!;
  return s < t ? -1 : s > t ? 1 : 0;
}

// AWS's natural sort (CWL_QuerySyntax-Sort): non-numbers before numbers; within text, runs of digits compare by
// length then value, other runs by Unicode order. Missing values sort first in ascending order. // unverified: missing values' place
export function sortCompare(a: Value, b: Value): number {
  const pa = present(a);
  const pb = present(b);
  if (!pa || !pb) return pa === pb ? 0 : pa ? 1 : -1;
  const x = a instanceof TimeVal || typeof a === "number" ? toNum(a) : typeof a === "string" && NUMERIC.test(a) ? Number(a) : undefined;
  const y = b instanceof TimeVal || typeof b === "number" ? toNum(b) : typeof b === "string" && NUMERIC.test(b) ? Number(b) : undefined;
  if (x !== undefined && y !== undefined) return x - y;
  if (x !== undefined) return 1;
  if (y !== undefined) return -1;
  const ca = chunks(toText(a)!);
  const cb = chunks(toText(b)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const u = ca[i];
    const v = cb[i];
    const du = /^\d/.test(u);
    const dv = /^\d/.test(v);
    if (du && dv) {
      if (u.length !== v.length) return u.length - v.length;
      if (u !== v) return u < v ? -1 : 1;
      continue;
    }
    if (u !== v) return u < v ? -1 : 1;
  }
  return ca.length - cb.length;
}

function chunks(s: string): string[] {
  return s.match(/\d+|\D+/g) ?? [];
}
