// One metric alarm's evaluation, as AWS documents it (AlarmThatSendsEmail.html, "Configuring how CloudWatch alarms treat
// missing data" and "Avoiding premature transitions to alarm state"): the alarm reads its metric's datapoints over an
// evaluation range longer than EvaluationPeriods, evaluates the most recent N real datapoints when there are that many,
// else fills missing ones as TreatMissingData says (as few times as possible), with the premature-alarm rule for
// `missing` and `ignore`. The state reason and StateReasonData are written as AWS writes them (quoted in comments).
import type { HandlerContext } from "../../core/context.js";
import type { ComparisonOperator, StateValue } from "./api.generated.js";
import { mathHasData, mathValues } from "./alarm-metrics.js";
import type { AlarmRec } from "./alarm-state.js";
import { metricKey, unitCode } from "./metric-keys.js";
import { javaDouble } from "./put-metric-data.js";
import { alignStart } from "./read-metrics.js";
import { aggregate, parseExtendedStatistic } from "./statistics.js";
import { metricsOf } from "./state.js";

/** The state an evaluation finds; its reason and data are worked out only when read (on a change of state). */
export interface Outcome {
  state: StateValue;
  reason: string;
  reasonData: string;
}

interface Point {
  at: number;
  value?: number;
  count?: number;
  /** An anomaly detection alarm's band at this time. */
  upper?: number;
  lower?: number;
}

/** A double inside AWS's JSON (Java's form: 21.0, not 21). */
export class Double {
  constructor(readonly v: number) {}
}
/** JSON text to embed as it is (a StateReasonData inside history data keeps its doubles). */
export class RawJson {
  constructor(readonly text: string) {}
}
const MARK = "\u0000aws:";
/** JSON.stringify, writing Double values as Java prints doubles (AWS's alarm JSON: "threshold":21.0) and RawJson as is. */
export function awsJson(value: unknown): string {
  const raws: string[] = [];
  const s = JSON.stringify(value, (_k, v) =>
    v instanceof Double ? `${MARK}${javaDouble(v.v)}` : v instanceof RawJson ? `${MARK}#${raws.push(v.text) - 1}` : v,
  );
  return s.replace(/"\\u0000aws:([^"]+)"/g, (_m, x: string) => (x.startsWith("#") ? raws[Number(x.slice(1))] : x));
}

/** AWS's timestamps in alarm JSON: 2021-05-03T12:43:12.918+0000. */
export const awsTime = (t: number): string => new Date(t).toISOString().replace("Z", "+0000");

/** A datapoint's time in a state reason: dd/MM/yy HH:mm:ss (UTC), as in `21.5 (26/11/26 08:01:00)`. */
function reasonTime(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

const OPERATOR_TEXT: Partial<Record<ComparisonOperator, string>> = {
  GreaterThanThreshold: "greater than",
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

export function breaches(op: ComparisonOperator, v: number, t: number): boolean {
  switch (op) {
    case "GreaterThanThreshold":
      return v > t;
    case "GreaterThanOrEqualToThreshold":
      return v >= t;
    case "LessThanThreshold":
      return v < t;
    case "LessThanOrEqualToThreshold":
      return v <= t;
    default:
      return false;
  }
}

/**
 * How many periods an alarm reads: more than EvaluationPeriods, as AWS documents ("CloudWatch attempts to retrieve a
 * higher number of data points than the number specified as Evaluation Periods"); AWS does not publish the number —
 * Stratus reads twice EvaluationPeriods (at least N + 1). unverified
 */
export const rangeLength = (n: number): number => Math.max(2 * n, n + 1);

/** The alarm's datapoints over its evaluation range, oldest first (value undefined: missing). */
function readPoints(ctx: HandlerContext, a: AlarmRec, now: number): { points: Point[]; lowSample: boolean } {
  const p = a.period * 1000;
  // AWS evaluates every minute (every 10 s for sub-minute periods) over periods that end at that moment: a 5-minute
  // alarm evaluated at the end of minute 6 reads minutes 2 to 6 ("Alarm evaluation" in the CloudWatch user guide).
  const step = a.period < 60 ? 10_000 : 60_000;
  const slot = now - (((now % step) + step) % step);
  const r = rangeLength(a.evaluationPeriods);
  if (a.returnId) return { points: readMathPoints(ctx, a, now, slot, step, r), lowSample: false };
  const store = metricsOf(ctx);
  const id = store.find(metricKey(ctx, a.namespace, a.metricName, a.dimensions));
  const spec = a.extendedStatistic ? parseExtendedStatistic(a.extendedStatistic) : undefined;
  const unit = a.unit ? unitCode(a.unit) : undefined;
  const blocks = id === undefined ? [] : store.read(id, slot + step - r * p, slot + step);
  // The minute (10 s) in progress counts once it holds data — a datapoint is evaluated as it arrives; otherwise the
  // range ends where it starts.
  const live = blocks.length > 0 && aggregate(blocks, slot, slot + step, step, { unit, keepValues: false }).size > 0;
  const end = live ? slot + step : slot;
  const from = end - r * p;
  const buckets = aggregate(blocks, from, end, p, { unit, keepValues: !!spec });
  const pointAt = (at: number): { value?: number; count?: number } => {
    const byUnit = buckets.get(at);
    if (!byUnit?.size) return {};
    // Without a Unit, the unit most samples carry (AWS leaves an alarm on a multi-unit metric undefined).
    const b = [...byUnit.values()].sort((x, y) => y.count - x.count)[0];
    const value = spec ? b.extended(spec) : b.basic(a.statistic ?? "Average");
    return value === undefined ? { count: b.count } : { value, count: b.count };
  };
  const points: Point[] = [];
  for (let i = 0; i < r; i++) {
    const at = from + i * p;
    points.push({ at, ...pointAt(at) });
  }
  let lowSample = false;
  if (spec && spec.kind === "p" && a.evaluateLowSampleCountPercentile === "ignore") {
    // "ignore": the alarm keeps its state while the newest datapoint has too few samples for the percentile to be
    // statistically significant — AWS: fewer than 10/(1-percentile) samples.
    const last = points[points.length - 1];
    lowSample = last.count !== undefined && last.count < 10 / (1 - spec.p / 100);
  }
  return { points, lowSample };
}

/**
 * A metric math alarm's datapoints: the same range as a single-metric alarm's, its values GetMetricData's for the
 * alarm's queries (an anomaly detection alarm's points carry the band's bounds at their time).
 */
function readMathPoints(ctx: HandlerContext, a: AlarmRec, now: number, slot: number, step: number, r: number): Point[] {
  const p = a.period * 1000;
  const end = mathHasData(ctx, a, slot, slot + step) ? slot + step : slot;
  const from = alignStart(end - r * p, a.period, now);
  const { values, band } = mathValues(ctx, a, from, end);
  const points: Point[] = [];
  for (let at = from; at < end; at += p) {
    const point: Point = { at, value: values.get(at) };
    if (band) {
      point.upper = band.upper.get(at);
      point.lower = band.lower.get(at);
      // No band at that time (the model still training): the datapoint cannot be evaluated — it counts as missing.
      if (point.upper === undefined) point.value = undefined;
    }
    points.push(point);
  }
  return points.slice(-r);
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
const listed = (ps: Point[]) => ps.map((x) => `${javaDouble(x.value!)} (${reasonTime(x.at)})`).join(", ");

/** AWS's StateReasonData: {"version":"1.0","queryDate":…,"startDate":…,"statistic":…,"period":…,"recentDatapoints":[…],"threshold":…,"evaluatedDatapoints":[…]}. */
function reasonData(a: AlarmRec, now: number, window: Point[], evaluated: Point[]): string {
  const data: Record<string, unknown> = { version: "1.0", queryDate: awsTime(now) };
  if (window.length) data.startDate = awsTime(window[0].at);
  if (a.unit) data.unit = a.unit; // unverified field placement
  data.statistic = a.statistic ?? a.extendedStatistic;
  data.period = a.period;
  data.recentDatapoints = window.filter((x) => x.value !== undefined).map((x) => new Double(x.value!));
  if (!a.thresholdMetricId) data.threshold = new Double(a.threshold);
  data.evaluatedDatapoints = [...evaluated]
    .sort((x, y) => y.at - x.at)
    .map((x) =>
      x.value === undefined
        ? { timestamp: awsTime(x.at) }
        : // a metric math alarm's datapoints have no sample count (unverified)
          x.count === undefined
          ? { timestamp: awsTime(x.at), value: new Double(x.value) }
          : { timestamp: awsTime(x.at), sampleCount: new Double(x.count), value: new Double(x.value) },
    );
  return awsJson(data);
}

/**
 * The reason for a threshold decision. AWS's wordings: without DatapointsToAlarm
 * `Threshold Crossed: 1 datapoint [21.5 (26/11/26 08:01:00)] was greater than the threshold (21.0).`; with it
 * `Threshold Crossed: 1 out of the last 1 datapoints [80.5 (20/05/24 10:05:00)] was greater than or equal to the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).`
 * and, for several, `Threshold Crossed: 5 out of the last 5 datapoints were less than the threshold (65.0). The most
 * recent datapoints which crossed the threshold: [0.0 (29/04/20 23:32:00), …] (minimum 5 datapoints for OK -> ALARM transition).`
 * (SNS messages AWS sent, quoted in public code). The OK side uses "not <operator>" — unverified wording.
 */
function thresholdReason(a: AlarmRec, from: StateValue, to: StateValue, n: number, shown: Point[], minimum: number): string {
  if (a.thresholdMetricId) return bandReason(a, from, to, n, shown, minimum);
  const op = `${to === "OK" ? "not " : ""}${OPERATOR_TEXT[a.comparisonOperator]}`;
  const t = javaDouble(a.threshold);
  const k = shown.length;
  if (a.datapointsToAlarm === undefined)
    return `Threshold Crossed: ${k} ${plural(k, "datapoint", "datapoints")} [${listed(shown)}] ${plural(k, "was", "were")} ${op} the threshold (${t}).`;
  const min = `(minimum ${minimum} ${plural(minimum, "datapoint", "datapoints")} for ${from} -> ${to} transition)`;
  if (k === 1) return `Threshold Crossed: 1 out of the last ${n} datapoints [${listed(shown)}] was ${op} the threshold (${t}) ${min}.`;
  return `Threshold Crossed: ${k} out of the last ${n} datapoints were ${op} the threshold (${t}). The most recent datapoints which crossed the threshold: [${listed(shown)}] ${min}.`;
}

const BAND_TEXT: Partial<Record<ComparisonOperator, (lower: string, upper: string) => string>> = {
  LessThanLowerOrGreaterThanUpperThreshold: (l, u) => `less than the lower thresholds [${l}] or greater than the upper thresholds [${u}]`,
  LessThanLowerThreshold: (l) => `less than the lower thresholds [${l}]`,
  GreaterThanUpperThreshold: (_l, u) => `greater than the upper thresholds [${u}]`,
};

/**
 * The reason for an anomaly detection alarm's decision, the band's bounds at the datapoints shown:
 * `Thresholds Crossed: 1 out of the last 1 datapoints [12.0 (05/12/26 10:00:00)] was less than the lower thresholds
 * [3.1] or greater than the upper thresholds [5.2] (minimum 1 datapoint for OK -> ALARM transition).` unverified wording
 */
function bandReason(a: AlarmRec, from: StateValue, to: StateValue, n: number, shown: Point[], minimum: number): string {
  const bounds = (f: (x: Point) => number | undefined) => shown.map((x) => javaDouble(f(x) ?? Number.NaN)).join(", ");
  const op = `${to === "OK" ? "not " : ""}${BAND_TEXT[a.comparisonOperator]!(
    bounds((x) => x.lower),
    bounds((x) => x.upper),
  )}`;
  const k = shown.length;
  const min = `(minimum ${minimum} ${plural(minimum, "datapoint", "datapoints")} for ${from} -> ${to} transition)`;
  return `Thresholds Crossed: ${k} out of the last ${n} datapoints [${listed(shown)}] ${plural(k, "was", "were")} ${op} ${min}.`;
}

/** Whether a datapoint breaches: against the threshold, or an anomaly detection alarm's band at its time. */
function breaching(a: AlarmRec, x: Point): boolean {
  if (!a.thresholdMetricId) return breaches(a.comparisonOperator, x.value!, a.threshold);
  const v = x.value!;
  const low = x.lower !== undefined && v < x.lower;
  const high = x.upper !== undefined && v > x.upper;
  return a.comparisonOperator === "LessThanLowerThreshold" ? low : a.comparisonOperator === "GreaterThanUpperThreshold" ? high : low || high;
}

/** The alarm's state now, or undefined when it keeps its state (`ignore` with no data, a low sample count). */
export function evaluate(ctx: HandlerContext, a: AlarmRec, now: number): Outcome | undefined {
  const { points, lowSample } = readPoints(ctx, a, now);
  if (lowSample) return undefined;
  const n = a.evaluationPeriods;
  const m = a.datapointsToAlarm ?? n;
  const treat = a.treatMissingData ?? "missing";
  const real = points.filter((x) => x.value !== undefined);
  const window = points.slice(-n);
  const isBreaching = (x: Point) => breaching(a, x);
  const decide = (alarm: boolean, evaluated: Point[]): Outcome => {
    const to: StateValue = alarm ? "ALARM" : "OK";
    const ordered = [...evaluated].filter((x) => x.value !== undefined).sort((x, y) => y.at - x.at);
    const shown = ordered.filter((x) => isBreaching(x) === alarm);
    const minimum = alarm ? m : n - m + 1;
    return {
      state: to,
      get reason() {
        return thresholdReason(a, a.state, to, n, shown, minimum);
      },
      get reasonData() {
        return reasonData(a, now, window, evaluated);
      },
    };
  };

  if (real.length >= n) {
    // Enough real datapoints in the range: the most recent N of them decide; missing data is not needed.
    const evaluated = real.slice(-n);
    return decide(evaluated.filter(isBreaching).length >= m, evaluated);
  }
  if (real.length === 0) {
    switch (treat) {
      case "ignore":
        return undefined;
      case "breaching":
      case "notBreaching": {
        const as = treat === "breaching" ? "Breaching" : "NonBreaching"; // NonBreaching: unverified wording
        const alarm = treat === "breaching" ? m <= n : false;
        return {
          state: alarm ? "ALARM" : "OK",
          reason: `Threshold Crossed: no datapoints were received for ${n} ${plural(n, "period", "periods")} and ${n} missing ${plural(n, "datapoint was", "datapoints were")} treated as [${as}].`,
          get reasonData() {
            return reasonData(a, now, window, window);
          },
        };
      }
      default:
        // AWS: `Insufficient Data: 1 datapoint was unknown.` (its initial-evaluation reason; plural unverified).
        return {
          state: "INSUFFICIENT_DATA",
          reason: `Insufficient Data: ${n} ${plural(n, "datapoint was", "datapoints were")} unknown.`,
          get reasonData() {
            return reasonData(a, now, window, window);
          },
        };
    }
  }
  // Fewer real datapoints than N: every real one counts, and missing ones fill the rest as TreatMissingData says.
  const fills = n - real.length;
  if (treat === "breaching" || treat === "notBreaching") {
    const breaching = real.filter(isBreaching).length + (treat === "breaching" ? fills : 0);
    return decide(breaching >= m, window);
  }
  // missing / ignore: missing datapoints count for neither side. Premature-alarm rule: the alarm goes to ALARM when the
  // oldest breaching datapoint of the last N periods is at least M periods old and every more recent datapoint is
  // breaching or missing, even with fewer than M datapoints.
  const breachingReal = real.filter(isBreaching).length;
  if (breachingReal >= m) return decide(true, real);
  const oldest = window.findIndex((x) => x.value !== undefined && isBreaching(x));
  if (oldest >= 0 && n - oldest >= m && window.slice(oldest).every((x) => x.value === undefined || isBreaching(x))) return decide(true, window);
  // Only breaching datapoints, too few and too recent for ALARM: the alarm waits for more data in its state.
  if (breachingReal === real.length) return undefined;
  return decide(false, real);
}
