// One metric read as a time series at a statistic and period (what a MetricStat query and SEARCH return), and
// SEARCH's matching of stored metrics.
import type { HandlerContext } from "../../core/context.js";
import type { Dimension, StandardUnit } from "./api.generated.js";
import type { Series } from "./metric-math/evaluate.js";
import { ExpressionError } from "./metric-math/parse.js";
import { dimsOf, metricKey, UNITS, unitCode } from "./metric-keys.js";
import { alignStart, periodFitsAge } from "./read-metrics.js";
import { aggregate, type StatisticSpec } from "./statistics.js";
import { metricsOf } from "./state.js";

/**
 * Which unit a statistic is computed over when data of several units was stored and the query names none: AWS takes
 * the first present in this order (observed by LocalStack's AWS-recorded snapshot
 * test_get_metric_data_different_units_no_unit_in_query: Milliseconds over Seconds, Count over both).
 */
const UNIT_PRIORITY: StandardUnit[] = [
  "Megabits",
  "Terabits",
  "Gigabits",
  "Count",
  "Bytes",
  "Gigabytes",
  "Gigabytes/Second",
  "Kilobytes",
  "Kilobits/Second",
  "Terabytes",
  "Terabits/Second",
  "Bytes/Second",
  "Percent",
  "Megabytes",
  "Megabits/Second",
  "Milliseconds",
  "Microseconds",
  "Kilobytes/Second",
  "Gigabits/Second",
  "Megabytes/Second",
  "Bits",
  "Bits/Second",
  "Count/Second",
  "Seconds",
  "Kilobits",
  "Terabytes/Second",
  "None",
];
const PRIORITY = new Map(UNIT_PRIORITY.map((u, i) => [unitCode(u), i]));

export interface StatRead {
  series: Series;
  /** The units seen in range (names), when more than one and the query named none. */
  multipleUnits?: string[];
}

export interface StatQuery {
  namespace: string;
  name: string;
  dims?: Dimension[];
  stat: StatisticSpec;
  periodS: number;
  unit?: StandardUnit;
}

/** The metric's datapoints in [start, end) at the statistic and period (ascending), labelled `label`. */
/** Aggregated buckets a request reuses: several statistics of one metric at one period and unit read it once. */
export type BucketCache = Map<string, ReturnType<typeof aggregate>>;

export function readStat(ctx: HandlerContext, q: StatQuery, start: number, end: number, label: string, cache?: BucketCache): StatRead {
  const series: Series = { label, ts: [], vals: [], period: q.periodS };
  const now = ctx.now();
  const store = metricsOf(ctx);
  const id = store.find(metricKey(ctx, q.namespace, q.name, q.dims));
  if (id === undefined || !periodFitsAge(q.periodS, start, now)) return { series };
  return readStatById(store.read.bind(store), id, q, start, end, now, label, cache);
}

function readStatById(
  read: (id: number, from: number, to: number) => ReturnType<ReturnType<typeof metricsOf>["read"]>,
  id: number,
  q: StatQuery,
  start: number,
  end: number,
  now: number,
  label: string,
  cache?: BucketCache,
): StatRead {
  const series: Series = { label, ts: [], vals: [], period: q.periodS };
  const from = alignStart(start, q.periodS, now);
  const keepValues = q.stat.kind !== "basic";
  const key = `${id}|${q.periodS}|${q.unit ?? ""}|`;
  let buckets = cache?.get(`${key}values`) ?? (keepValues ? undefined : cache?.get(`${key}basic`));
  if (!buckets) {
    buckets = aggregate(read(id, from, end), from, end, q.periodS * 1000, { unit: q.unit ? unitCode(q.unit) : undefined, keepValues });
    cache?.set(`${key}${keepValues ? "values" : "basic"}`, buckets);
  }
  const seen = new Set<number>();
  for (const byUnit of buckets.values()) for (const u of byUnit.keys()) seen.add(u);
  let chosen = q.unit ? unitCode(q.unit) : -1;
  if (!q.unit) for (const u of seen) if (chosen < 0 || (PRIORITY.get(u) ?? 99) < (PRIORITY.get(chosen) ?? 99)) chosen = u;
  for (const at of [...buckets.keys()].sort((a, b) => a - b)) {
    const b = buckets.get(at)!.get(chosen);
    const v = b?.value(q.stat);
    if (v === undefined) continue;
    series.ts.push(at);
    series.vals.push(v);
  }
  const out: StatRead = { series };
  if (!q.unit && seen.size > 1) out.multipleUnits = [...seen].map((u) => UNITS[u]).sort();
  return out;
}

const MAX_SEARCH_RESULTS = 500;

/**
 * SEARCH('{Namespace,DimName…} MetricName="x" term', stat, period) over the stored metrics: the schema in braces keeps
 * metrics of that namespace with exactly those dimension names; `Key="value"` / `Key=value` terms match a property
 * (Namespace, MetricName or a dimension name) exactly; a bare term matches any part of the namespace, the metric name
 * or a dimension's name or value. Syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
 */
export function searchMetrics(
  ctx: HandlerContext,
  query: string,
  statName: string,
  stat: StatisticSpec,
  periodS: number,
  start: number,
  end: number,
): Series[] {
  let rest = query.trim();
  let schema: string[] | undefined;
  const braces = /^\{([^}]*)\}/.exec(rest);
  if (braces) {
    schema = braces[1].split(",").map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
    rest = rest.slice(braces[0].length);
  }
  const exact: [string, string][] = [];
  const partial: string[] = [];
  const term = /\s*(?:([A-Za-z0-9_.\-/:]+|"[^"]*")\s*=\s*("[^"]*"|[^\s"]+)|("[^"]*"|[^\s"]+))/y;
  for (let m = term.exec(rest); m; m = term.exec(rest)) {
    const unq = (s: string) => s.replace(/^"(.*)"$/, "$1");
    if (m[1] !== undefined) exact.push([unq(m[1]), unq(m[2])]);
    else if (m[3] !== undefined) {
      if (["AND", "OR", "NOT"].includes(m[3])) throw new ExpressionError(`SEARCH's ${m[3]} operator is not supported by Stratus`);
      partial.push(unq(m[3]).toLowerCase());
    }
  }
  const now = ctx.now();
  const store = metricsOf(ctx);
  const out: Series[] = [];
  let after = 0;
  for (;;) {
    const batch = store.list({ scope: `${ctx.account}/${ctx.region}`, namespace: schema?.[0], since: now - 14 * 24 * 3600_000, afterId: after, limit: 1000 });
    for (const m of batch) {
      after = m.id;
      const dims = dimsOf(m.dims);
      if (schema) {
        const names = schema.slice(1);
        if (names.length !== dims.length || !names.every((n) => dims.some((d) => d.Name === n))) continue;
      }
      const prop = (k: string) => (k === "Namespace" ? m.namespace : k === "MetricName" ? m.name : dims.find((d) => d.Name === k)?.Value);
      if (!exact.every(([k, v]) => prop(k) === v)) continue;
      const hay = [m.namespace, m.name, ...dims.flatMap((d) => [d.Name, d.Value])].map((s) => s.toLowerCase());
      if (!partial.every((p) => hay.some((h) => h.includes(p)))) continue;
      if (!periodFitsAge(periodS, start, now)) continue;
      // A found metric's label: its dimension values then its name (unverified: AWS's console labels search results so).
      const label = [...dims.map((d) => d.Value), m.name].join(" ");
      const r = readStatById(store.read.bind(store), m.id, { namespace: m.namespace, name: m.name, dims, stat, periodS }, start, end, now, label);
      r.series.props = metricProps(ctx, m.namespace, m.name, dims, statName, periodS);
      out.push(r.series);
      if (out.length === MAX_SEARCH_RESULTS) return out;
    }
    if (batch.length < 1000) return out;
  }
}

/** A metric's properties as dynamic labels' ${PROP('…')} names them. */
export function metricProps(
  ctx: HandlerContext,
  namespace: string,
  name: string,
  dims: readonly Dimension[] | undefined,
  stat: string,
  periodS: number,
): Record<string, string> {
  const props: Record<string, string> = {
    MetricName: name,
    Namespace: namespace,
    Stat: stat,
    Period: String(periodS),
    Region: ctx.region,
    AccountId: ctx.account,
  };
  for (const d of dims ?? []) props[`Dim.${d.Name}`] = d.Value;
  return props;
}
