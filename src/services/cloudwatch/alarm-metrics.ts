// Alarms given as Metrics with metric math ("Create a CloudWatch alarm based on a metric math expression" in the
// CloudWatch user guide): PutMetricAlarm's checks for them, the metrics they read (so a datapoint's arrival wakes them),
// and their values over an evaluation range — computed by GetMetricData's own evaluator (get-metric-data.ts,
// metric-math/), so an alarm sees exactly what GetMetricData answers for the same queries.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { Dimension, PutMetricAlarmInput } from "./api.generated.js";
import type { AlarmRec } from "./alarm-state.js";
import { evaluateMetricDataQueries } from "./get-metric-data.js";
import { dimsKey, metricKey } from "./metric-keys.js";
import { metricsOf } from "./state.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

/** What PutMetricAlarm's single-metric form gives and Metrics replaces. */
const SINGLE_METRIC_FIELDS = ["MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit"] as const;

/** An alarm period AWS accepts: 10, 20, 30 or a multiple of 60 seconds. */
export const alarmPeriod = (p: number): boolean => [10, 20, 30].includes(p) || (p > 0 && p % 60 === 0);

export interface MathAlarm {
  /** The query the alarm watches. */
  returnId: string;
  /** Its period (seconds): its MetricStat's, its own Period, or the shortest of the MetricStat queries'. */
  period: number;
  /** The ANOMALY_DETECTION_BAND query an anomaly detection alarm compares with. */
  thresholdMetricId?: string;
}

/**
 * PutMetricAlarm's checks for an alarm given as Metrics with math (or several queries). AWS's wordings, as AWS returned
 * them (ValidationError): "Exactly one element of the metrics list should return data." (hashicorp/terraform-provider-aws
 * #29894), "Exactly two elements of the metrics list should return data." and "Metrics list must contain exactly one
 * metric matching the ThresholdMetricId parameter" (#42504), "Threshold and ThresholdMetricId cannot both be set" and
 * "Unit should not be set if list of Metrics is set." (aws-cloudformation/cfn-lint#1306), "Statistic should not be set
 * if list of Metrics is set." (cloudtools/troposphere#1276).
 */
export function checkMathAlarm(input: PutMetricAlarmInput): MathAlarm {
  const metrics = input.Metrics ?? [];
  for (const f of SINGLE_METRIC_FIELDS) {
    const v = input[f];
    // The same form for the fields other than Statistic and Unit: unverified wording.
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) throw validation(`${f} should not be set if list of Metrics is set.`);
  }
  const returning = metrics.filter((q) => q.ReturnData !== false);
  const band = input.ThresholdMetricId;
  if (band !== undefined) {
    if (input.Threshold !== undefined) throw validation("Threshold and ThresholdMetricId cannot both be set");
    if (returning.length !== 2) throw validation("Exactly two elements of the metrics list should return data.");
    if (returning.filter((q) => q.Id === band).length !== 1)
      throw validation("Metrics list must contain exactly one metric matching the ThresholdMetricId parameter");
    const bq = returning.find((q) => q.Id === band)!;
    if (!bq.Expression || !/^\s*ANOMALY_DETECTION_BAND\s*\(/i.test(bq.Expression))
      throw validation(`The metric matching the ThresholdMetricId parameter must be an ANOMALY_DETECTION_BAND expression.`); // unverified wording
  } else if (returning.length !== 1) throw validation("Exactly one element of the metrics list should return data.");
  const ret = returning.find((q) => q.Id !== band)!;
  metrics.forEach((q, i) => {
    const p = q.MetricStat?.Period ?? q.Period;
    // unverified wordings, in the form of PutMetricAlarm's Period checks
    if (q.MetricStat && q.MetricStat.Period === undefined) throw validation(`The parameter Metrics.member.${i + 1}.MetricStat.Period is required.`);
    if (p !== undefined && !alarmPeriod(p)) throw validation(`The parameter Metrics.member.${i + 1} Period must be 10, 20, 30 or a multiple of 60.`);
  });
  const statPeriods = metrics.flatMap((q) => (q.MetricStat ? [q.MetricStat.Period] : []));
  const period = ret.MetricStat?.Period ?? ret.Period ?? (statPeriods.length ? Math.min(...statPeriods) : 60);
  return { returnId: ret.Id, period, thresholdMetricId: band };
}

/** The metrics (namespace, name, dimensions) an alarm's MetricStat queries read. */
export function metricsRead(a: Pick<AlarmRec, "metrics">): { namespace: string; name: string; dims: string; dimensions?: Dimension[] }[] {
  return (a.metrics ?? []).flatMap((q) => {
    const m = q.MetricStat?.Metric;
    return m?.Namespace && m.MetricName ? [{ namespace: m.Namespace, name: m.MetricName, dims: dimsKey(m.Dimensions), dimensions: m.Dimensions }] : [];
  });
}

/** Whether any metric the alarm reads holds data in [from, to). */
export function mathHasData(ctx: HandlerContext, a: AlarmRec, from: number, to: number): boolean {
  const store = metricsOf(ctx);
  return metricsRead(a).some((m) => {
    const id = store.find(metricKey(ctx, m.namespace, m.name, m.dimensions));
    return id !== undefined && store.read(id, from, to).length > 0;
  });
}

export interface MathValues {
  /** The watched query's values by timestamp. */
  values: Map<number, number>;
  /** An anomaly detection alarm's band by timestamp. */
  band?: { upper: Map<number, number>; lower: Map<number, number> };
}

const byTime = (ts: number[], vals: number[]) => new Map(ts.map((t, i) => [t, vals[i]]));

/** The alarm's returned series over [from, end), as GetMetricData computes it (its ValidationError when it cannot). */
export function mathValues(ctx: HandlerContext, a: AlarmRec, from: number, end: number): MathValues {
  const results = evaluateMetricDataQueries(ctx, a.metrics ?? [], new Date(from), new Date(end));
  const watched = results.filter((r) => r.id === a.returnId);
  // unverified wording
  if (watched.length > 1) throw validation(`The expression ${a.returnId} of an alarm must return a single time series.`);
  const out: MathValues = { values: watched.length ? byTime(watched[0].timestamps, watched[0].values) : new Map() };
  if (a.thresholdMetricId) {
    const band = results.filter((r) => r.id === a.thresholdMetricId);
    const [upper, lower] = band.length === 2 ? band : [undefined, undefined];
    out.band = {
      upper: upper ? byTime(upper.timestamps, upper.values) : new Map(),
      lower: lower ? byTime(lower.timestamps, lower.values) : new Map(),
    };
  }
  return out;
}
