// GetMetricData: up to 500 queries — MetricStat reads of stored metrics at any statistic, and metric math expressions
// over them (metric-math/) — answered as AWS answers: generated labels, ScanBy order, 100,800 datapoints a page with
// NextToken, StatusCode Complete/PartialData, MultipleUnits messages, and AWS's ValidationError for bad queries.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { decodePageToken, encodePageToken, fingerprint } from "../../core/paging.js";
import {
  type CloudwatchApi,
  type GetMetricDataInput,
  type GetMetricDataOutput,
  InvalidNextToken,
  InvalidParameterValueException,
  type MessageData,
  type MetricDataQuery,
  type MetricDataResult,
} from "./api.generated.js";
import { type DetectorRec, detectorFor, tzOffsetMinutes } from "./anomaly-detectors.js";
import { anomalyBand, TRAINING_WINDOW_MS } from "./metric-math/anomaly-band.js";
import { Evaluator, type MathContext, type Series, type Value } from "./metric-math/evaluate.js";
import { ExpressionError, type Node, parseExpression } from "./metric-math/parse.js";
import { type BucketCache, metricProps, readStat, searchMetrics } from "./metric-series.js";
import { expandLabel, timezoneMinutes } from "./dynamic-labels.js";
import { alignStart, validPeriod } from "./read-metrics.js";
import { parseStatistic, type StatisticSpec } from "./statistics.js";

const MAX_QUERIES = 500;
const MAX_POINTS = 100_800;
const ID_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;

/**
 * AWS's ValidationError for GetMetricData: one line per problem, each ending in a newline (as AWS sends it: moto's
 * get_metric_data notes the trailing empty line; telegraf issue #5420 quotes several lines in one message).
 */
const validationError = (lines: string[]) => new ServiceError("ValidationError", lines.map((l) => `${l}\n`).join(""), 400);

interface Prepared {
  q: MetricDataQuery;
  index: number;
  stat?: StatisticSpec;
  expr?: Node;
}

function prepare(input: GetMetricDataInput): Prepared[] {
  const queries = input.MetricDataQueries ?? [];
  if (queries.length > MAX_QUERIES)
    throw new InvalidParameterValueException(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`); // unverified wording (PutMetricData's)
  const errors: string[] = [];
  const seen = new Set<string>();
  const out = queries.map((q, i): Prepared => {
    const p = `MetricDataQueries.member.${i + 1}`;
    const prepared: Prepared = { q, index: i };
    // Source: telegraf issue #5420 quotes AWS's message.
    if (!ID_PATTERN.test(q.Id)) errors.push(`The value ${q.Id} for parameter ${p}.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.`);
    else if (seen.has(q.Id)) errors.push(`The values for parameter id in MetricDataQueries are not unique.`); // unverified wording
    seen.add(q.Id);
    if (q.MetricStat && q.Expression)
      errors.push(`The parameters ${p}.MetricStat and ${p}.Expression are mutually exclusive and you have specified both.`); // unverified wording
    else if (!q.MetricStat && !q.Expression)
      errors.push(`The parameter ${p}.MetricStat is required.`); // moto's wording, which it takes from AWS
    else if (q.MetricStat) {
      const ms = q.MetricStat;
      // Worded as AWS words its other missing parameters here (unverified for these two members).
      if (!ms.Metric?.Namespace) errors.push(`The parameter ${p}.MetricStat.Metric.Namespace is required.`);
      if (!ms.Metric?.MetricName) errors.push(`The parameter ${p}.MetricStat.Metric.MetricName is required.`);
      prepared.stat = parseStatistic(ms.Stat);
      // AWS's wording, one line per query (prometheus-community/yet-another-cloudwatch-exporter#385 quotes it).
      if (!prepared.stat) errors.push(`The value ${ms.Stat} for parameter ${p}.MetricStat.Stat is not a valid statistic.`);
      if (!validPeriod(ms.Period)) errors.push(`The parameter ${p}.MetricStat.Period must be 1, 5, 10, 20, 30, 60, or any multiple of 60.`); // unverified wording
    } else {
      if (q.Period !== undefined && !validPeriod(q.Period)) errors.push(`The parameter ${p}.Period must be 1, 5, 10, 20, 30, 60, or any multiple of 60.`); // unverified wording
      if (/^\s*SELECT\b/i.test(q.Expression!)) {
        // Metrics Insights (SQL) queries need a query engine Stratus does not have: refused, never answered empty.
        errors.push(`Error in expression ${q.Id}: Metrics Insights queries (SELECT …) are not supported by Stratus`);
        return prepared;
      }
      try {
        prepared.expr = parseExpression(q.Expression!);
      } catch (e) {
        if (!(e instanceof ExpressionError)) throw e;
        errors.push(`Error in expression ${q.Id}: ${e.message}`); // unverified wording
      }
    }
    return prepared;
  });
  if (errors.length) throw validationError(errors);
  return out;
}

/**
 * Labels AWS generates for MetricStat queries without one: the metric name, then the statistic when the request's
 * MetricStat queries use more than one, then the period when they use more than one (LocalStack's AWS-recorded
 * snapshots, test_label_generation and test_get_metric_data_with_zero_and_labels).
 */
function metricLabels(prepared: Prepared[]): Map<string, string> {
  const stats = prepared.filter((p) => p.q.MetricStat);
  const statsDiffer = new Set(stats.map((p) => p.q.MetricStat!.Stat)).size > 1;
  const periodsDiffer = new Set(stats.map((p) => p.q.MetricStat!.Period)).size > 1;
  const out = new Map<string, string>();
  for (const p of stats) {
    const ms = p.q.MetricStat!;
    out.set(p.q.Id, [ms.Metric.MetricName, statsDiffer ? ms.Stat : "", periodsDiffer ? String(ms.Period) : ""].filter(Boolean).join(" "));
  }
  return out;
}

interface Computed {
  id: string;
  label: string;
  series: Series;
  messages?: MessageData[];
}

function evaluateAll(input: GetMetricDataInput, ctx: HandlerContext, prepared: Prepared[], tzMinutes: number): Computed[] {
  const start = input.StartTime.getTime();
  const end = input.EndTime.getTime();
  const now = ctx.now();
  const labels = metricLabels(prepared);
  const byId = new Map(prepared.map((p) => [p.q.Id, p]));
  const values = new Map<string, Value>();
  const units = new Map<string, string[]>();
  const arithmetic = new Set<string>();
  const evaluating = new Set<string>();
  const cache: BucketCache = new Map();
  const metricPeriods = prepared.filter((p) => p.q.MetricStat).map((p) => p.q.MetricStat!.Period);
  const grid = (period: number): number[] => {
    const out: number[] = [];
    for (let t = alignStart(start, period, now); t < end; t += period * 1000) out.push(t);
    return out;
  };

  const resolve = (p: Prepared): Value => {
    const id = p.q.Id;
    const known = values.get(id);
    if (known) return known;
    let v: Value;
    if (p.q.MetricStat) {
      const ms = p.q.MetricStat;
      const r = readStat(
        ctx,
        { namespace: ms.Metric.Namespace!, name: ms.Metric.MetricName!, dims: ms.Metric.Dimensions, stat: p.stat!, periodS: ms.Period, unit: ms.Unit },
        start,
        end,
        labels.get(id)!,
        cache,
      );
      if (r.multipleUnits) units.set(id, r.multipleUnits);
      r.series.props = metricProps(ctx, ms.Metric.Namespace!, ms.Metric.MetricName!, ms.Metric.Dimensions, ms.Stat, ms.Period);
      v = { k: "ser", s: r.series };
    } else {
      if (evaluating.has(id)) throw new ExpressionError(`Circular reference to ${id}`); // unverified wording
      evaluating.add(id);
      const defaultPeriod = p.q.Period ?? (metricPeriods.length ? metricPeriods.reduce((a, b) => Math.min(a, b)) : 60);
      const mc: MathContext = {
        ref: (other) => {
          const o = byId.get(other);
          return o && resolve(o);
        },
        metrics: (filter) =>
          prepared.filter((o) => o.q.MetricStat && (filter === undefined || o.q.Id.includes(filter))).map((o) => (resolve(o) as { s: Series }).s),
        search: (q, stat, period) => {
          const spec = parseStatistic(stat);
          if (!spec) throw new ExpressionError(`Invalid statistic in SEARCH: ${stat}`); // unverified wording
          if (!validPeriod(period)) throw new ExpressionError(`Invalid period in SEARCH: ${period}`); // unverified wording
          return searchMetrics(ctx, q, stat, spec, period, start, end);
        },
        grid,
        defaultPeriod,
        band: (ref, k) => bandOf(ref, k),
      };
      const evaluator = new Evaluator(mc);
      try {
        v = evaluator.eval(p.expr!);
      } finally {
        evaluating.delete(id);
      }
      if (evaluator.arithmeticError) arithmetic.add(id);
    }
    values.set(id, v);
    return v;
  };

  /**
   * ANOMALY_DETECTION_BAND over a query: its history two weeks back (a metric re-read; an expression re-evaluated over
   * the longer range — a metric math detector's band), the band at its datapoints in range.
   */
  const bandOf = (ref: string, k: number): Series[] => {
    const o = byId.get(ref);
    const ms = o?.q.MetricStat;
    const v = o && resolve(o);
    if (!o || v?.k !== "ser") throw new ExpressionError(`ANOMALY_DETECTION_BAND needs a single time series, and ${ref} is not one`); // unverified wording
    const inRange = v.s;
    let history: { ts: number[]; vals: number[] };
    let d: DetectorRec | undefined;
    if (ms) {
      const q = { namespace: ms.Metric.Namespace!, name: ms.Metric.MetricName!, dims: ms.Metric.Dimensions, stat: o.stat!, periodS: ms.Period, unit: ms.Unit };
      history = readStat(ctx, q, start - TRAINING_WINDOW_MS, end, inRange.label).series;
      d = detectorFor(ctx, q.namespace, q.name, q.dims, ms.Stat);
    } else {
      const queries = (input.MetricDataQueries ?? [])
        .filter((q) => !/ANOMALY_DETECTION_BAND/i.test(q.Expression ?? ""))
        .map((q) => ({ ...q, ReturnData: q.Id === ref }));
      const [h] = evaluateMetricDataQueries(ctx, queries, new Date(start - TRAINING_WINDOW_MS), new Date(end));
      history = { ts: h?.timestamps ?? [], vals: h?.values ?? [] };
    }
    const excluded = d?.configuration?.ExcludedTimeRanges?.map((r) => ({ start: r.StartTime.getTime(), end: r.EndTime.getTime() }));
    const tz = d?.configuration?.MetricTimezone;
    const b = anomalyBand(history, inRange.ts, { k, excluded, tzMinutes: tz ? tzOffsetMinutes(tz, now) : 0 });
    // Two series, upper then lower, labelled after the metric (unverified: AWS's labels for the band's two lines).
    return [
      { label: `${inRange.label} Upper`, ts: b.ts, vals: b.upper, period: inRange.period },
      { label: `${inRange.label} Lower`, ts: b.ts, vals: b.lower, period: inRange.period },
    ];
  };

  const out: Computed[] = [];
  const errors: string[] = [];
  for (const p of prepared) {
    if (p.q.ReturnData === false) continue;
    let v: Value;
    try {
      v = resolve(p);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      errors.push(`Error in expression ${p.q.Id}: ${e.message}`); // unverified wording
      continue;
    }
    const id = p.q.Id;
    const label = p.q.Label;
    const messages = units.has(id) ? [multipleUnits(units.get(id)!)] : arithmetic.has(id) ? [ARITHMETIC_ERROR] : undefined;
    const dynamic = (s: Series, generated: string) =>
      label === undefined ? generated : expandLabel(label, s, { defaultLabel: generated, props: s.props ?? {}, tzMinutes });
    if (v.k === "ser")
      out.push({
        id,
        label: dynamic(v.s, p.q.MetricStat ? v.s.label : id),
        series: v.s,
        messages,
      });
    else if (v.k === "arr")
      for (const s of v.a)
        out.push({ id, label: label === undefined ? s.label : label.includes("${") ? dynamic(s, s.label) : `${label} ${s.label}`, series: s, messages });
    else if (v.k === "num") {
      // A scalar result: that value at every period of the range (unverified: what AWS returns for a bare scalar).
      const period = p.q.Period ?? (metricPeriods.length ? metricPeriods.reduce((a, b) => Math.min(a, b)) : 60);
      const ts = grid(period);
      const s: Series = { label: id, ts, vals: ts.map(() => v.v), period };
      out.push({ id, label: dynamic(s, id), series: s });
    } else errors.push(`Error in expression ${id}: The expression does not evaluate to a time series`); // unverified wording
  }
  if (errors.length) throw validationError(errors);
  return out;
}

/** Datapoints an expression dropped for NaN or ±Infinity (AWS's message as Grafana's recorded responses hold it). */
const ARITHMETIC_ERROR: MessageData = {
  Code: "ArithmeticError",
  Value: "One or more data-points have been dropped due to non-numeric values (NaN, -Infinite, +Infinite)",
};

// Source: LocalStack's AWS-recorded snapshot (test_get_metric_data_different_units_no_unit_in_query).
const multipleUnits = (units: string[]): MessageData => ({ Code: "MultipleUnits", Value: `Multiple units returned: '[${units.join(", ")}]'` });

interface PagePosition {
  r: number;
  o: number;
}

/**
 * The queries' returned series, ascending, as GetMetricData computes them — for other readers of metrics (alarms on a
 * metric math expression). Throws GetMetricData's ValidationError for bad queries or expressions.
 */
export function evaluateMetricDataQueries(
  ctx: HandlerContext,
  queries: MetricDataQuery[],
  start: Date,
  end: Date,
): { id: string; label: string; timestamps: number[]; values: number[]; messages?: MessageData[] }[] {
  const input: GetMetricDataInput = { MetricDataQueries: queries, StartTime: start, EndTime: end };
  return evaluateAll(input, ctx, prepare(input), 0).map((c) => ({
    id: c.id,
    label: c.label,
    timestamps: c.series.ts,
    values: c.series.vals,
    messages: c.messages,
  }));
}

export const getMetricData = {
  getMetricData(input: GetMetricDataInput, ctx: HandlerContext): GetMetricDataOutput {
    const start = input.StartTime.getTime();
    const end = input.EndTime.getTime();
    if (!(start < end)) throw new InvalidParameterValueException("The parameter StartTime must be less than the parameter EndTime.");
    if (input.MaxDatapoints !== undefined && input.MaxDatapoints < 1)
      throw new InvalidParameterValueException(`The parameter MaxDatapoints must be greater than 0.`); // unverified wording
    const tz = input.LabelOptions?.Timezone;
    const tzMinutes = timezoneMinutes(tz);
    if (tzMinutes === undefined) throw validationError([`The value ${tz} for parameter LabelOptions.Timezone is invalid.`]); // unverified wording
    const prepared = prepare(input);
    const bind = fingerprint([ctx.account, ctx.region, input.MetricDataQueries, start, end, input.ScanBy, input.MaxDatapoints, tz]);
    const pos: PagePosition =
      input.NextToken === undefined
        ? { r: 0, o: 0 }
        : decodePageToken<PagePosition>("GetMetricData", input.NextToken, () => new InvalidNextToken("The service cannot process the NextToken."), {
            // unverified wording
            bind,
            valid: (p): p is PagePosition =>
              typeof p === "object" && p !== null && typeof (p as PagePosition).r === "number" && typeof (p as PagePosition).o === "number",
          });
    const computed = evaluateAll(input, ctx, prepared, tzMinutes);
    const ascending = input.ScanBy === "TimestampAscending";
    const budget = Math.min(input.MaxDatapoints ?? MAX_POINTS, MAX_POINTS);
    let left = budget;
    const results: MetricDataResult[] = [];
    // With a math expression AWS pages nothing: each result is cut at the datapoint limit and marked PartialData,
    // without a NextToken (MetricDataResult's StatusCode in the API reference: "NextToken is not returned if you are
    // performing a math expression").
    const paged = !prepared.some((p) => p.expr);
    let next: PagePosition | undefined;
    for (let r = pos.r; r < computed.length; r++) {
      const c = computed[r];
      const n = c.series.ts.length;
      const from = r === pos.r ? pos.o : 0;
      const take = Math.min(n - from, left);
      const ts: Date[] = new Array(take);
      const vals: number[] = new Array(take);
      for (let k = 0; k < take; k++) {
        const i = ascending ? from + k : n - 1 - from - k;
        ts[k] = new Date(c.series.ts[i]);
        vals[k] = c.series.vals[i];
      }
      left -= take;
      const partial = from + take < n;
      const res: MetricDataResult = { Id: c.id, Label: c.label, Timestamps: ts, Values: vals, StatusCode: partial ? "PartialData" : "Complete" };
      if (c.messages) res.Messages = c.messages;
      results.push(res);
      if (!paged) continue;
      if (partial) {
        next = { r, o: from + take };
        break;
      }
      if (left === 0 && r + 1 < computed.length) {
        next = { r: r + 1, o: 0 };
        break;
      }
    }
    const out: GetMetricDataOutput = { MetricDataResults: results, Messages: [] };
    if (next) out.NextToken = encodePageToken("GetMetricData", next, bind);
    return out;
  },
} satisfies Partial<CloudwatchApi>;
