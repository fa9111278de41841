// Dynamic labels: `${…}` values in a query's Label replaced from the returned series — its statistics over the range,
// the times of its first, last, minimum and maximum datapoints (in LabelOptions.Timezone), and the metric's properties.
// The values AWS documents: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/graph-dynamic-labels.html
import type { Series } from "./metric-math/evaluate.js";

/** `+HHMM` / `-HHMM` as minutes east of UTC, or undefined when malformed (LabelOptions.Timezone's documented format). */
export function timezoneMinutes(tz: string | undefined): number | undefined {
  if (tz === undefined) return 0;
  const m = /^([+-])([01]\d|2[0-3])([0-5]\d)$/.exec(tz);
  if (!m) return undefined;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A time as `YYYY-MM-DD HH:mm` in the zone (unverified: the console's format for time-based dynamic labels). */
function formatTime(ms: number, tzMinutes: number): string {
  const d = new Date(ms + tzMinutes * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A duration as AWS's console words ranges (unverified): whole units, largest first. */
function formatRange(ms: number): string {
  const parts: string[] = [];
  let s = Math.round(ms / 1000);
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join(" ") || "0s";
}

export interface LabelContext {
  /** What ${LABEL} stands for: the label AWS would generate. */
  defaultLabel: string;
  props: Record<string, string>;
  tzMinutes: number;
}

/** The label with every known `${…}` replaced; unknown ones are left as written. */
export function expandLabel(template: string, s: Series, c: LabelContext): string {
  if (!template.includes("${")) return template;
  const n = s.vals.length;
  let iMin = 0;
  let iMax = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += s.vals[i];
    if (s.vals[i] < s.vals[iMin]) iMin = i;
    if (s.vals[i] > s.vals[iMax]) iMax = i;
  }
  const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "" : String(v));
  const time = (i: number) => (n ? formatTime(s.ts[i], c.tzMinutes) : "");
  const values: Record<string, () => string> = {
    AVG: () => num(n ? sum / n : undefined),
    SUM: () => num(n ? sum : undefined),
    MIN: () => num(s.vals[iMin]),
    MAX: () => num(s.vals[iMax]),
    FIRST: () => num(s.vals[0]),
    LAST: () => num(s.vals[n - 1]),
    DATAPOINT_COUNT: () => String(n),
    FIRST_LAST_RANGE: () => num(n ? s.vals[n - 1] - s.vals[0] : undefined),
    MAX_MIN_RANGE: () => num(n ? s.vals[iMax] - s.vals[iMin] : undefined),
    FIRST_TIME: () => time(0),
    LAST_TIME: () => time(n - 1),
    MIN_TIME: () => time(iMin),
    MAX_TIME: () => time(iMax),
    FIRST_LAST_TIME_RANGE: () => (n ? formatRange(s.ts[n - 1] - s.ts[0]) : ""),
    MAX_MIN_TIME_RANGE: () => (n ? formatRange(Math.abs(s.ts[iMax] - s.ts[iMin])) : ""),
    LABEL: () => c.defaultLabel,
  };
  return template.replace(/\$\{\s*(?:PROP\(\s*['"]([^'"]+)['"]\s*\)|([A-Z_]+))\s*\}/g, (whole, prop: string | undefined, name: string | undefined) => {
    if (prop !== undefined) return c.props[prop] ?? whole;
    const f = values[name!];
    return f ? f() : whole;
  });
}
