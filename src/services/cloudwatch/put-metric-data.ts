// PutMetricData: every datum checked as CloudWatch checks it (its codes and texts), then each metric's samples stored
// raw in one transaction — a value seen n times, or a statistic set — so every statistic read later is exact.
import type { HandlerContext } from "../../core/context.js";
import { emptyBlock, type MetricKey, type SampleBlock } from "../../core/store/metrics.js";
import { transaction } from "../../core/state.js";
import {
  type CloudwatchApi,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  MissingRequiredParameterException,
  type MetricDatum,
  type PutMetricDataInput,
} from "./api.generated.js";
import { alarmsOnData } from "./alarm-scheduler.js";
import { HIGH_RESOLUTION, metricKey, unitCode } from "./metric-keys.js";
import { metricsOf } from "./state.js";

const MAX_DATUMS = 1000;
const MAX_VALUES = 150;
const TWO_WEEKS_MS = 14 * 24 * 3600_000;
const TWO_HOURS_MS = 2 * 3600_000;
// Values must lie within ±2^360, and non-zero ones at least 2^-360 in magnitude (MetricDatum.Value in the API reference).
const HUGE = 2 ** 360;
const TINY = 2 ** -360;

/** A double as Java prints it (AWS's messages quote rejected values that way): NaN, Infinity, 1.0E200, 0.5. */
export function javaDouble(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  const a = Math.abs(v);
  if (a === 0 || (a >= 1e-3 && a < 1e7)) return Number.isInteger(v) ? `${v}.0` : String(v);
  const [m, e] = v.toExponential().split("e");
  return `${m.includes(".") ? m : `${m}.0`}E${e.startsWith("+") ? e.slice(1) : e}`;
}

const invalidValue = (v: number, param: string) => new InvalidParameterValueException(`The value ${javaDouble(v)} for parameter ${param} is invalid.`);

function checkValue(v: number, param: string): void {
  const a = Math.abs(v);
  if (!Number.isFinite(v) || a > HUGE || (a !== 0 && a < TINY)) throw invalidValue(v, param);
}

const exclusive = (p: string, a: string, b: string) =>
  new InvalidParameterCombinationException(`The parameters ${p}.${a} and ${p}.${b} are mutually exclusive and you have specified both.`);

/**
 * Checks one datum; `p` is its parameter path, e.g. MetricData.member.3. A timestamp out of range is not thrown but
 * returned: AWS names every such datum, one line each (putMetricData).
 */
function checkDatum(d: MetricDatum, p: string, now: number): string | undefined {
  const hasValue = d.Value !== undefined && d.Value !== null;
  const hasValues = d.Values !== undefined && d.Values !== null;
  const hasStats = d.StatisticValues !== undefined && d.StatisticValues !== null;
  // Source of the three wordings: LocalStack's recorded AWS snapshots (test_cloudwatch.snapshot.json, put_metric_data_validation).
  if (hasValue && hasValues) throw exclusive(p, "Value", "Values");
  if (hasValue && hasStats) throw exclusive(p, "Value", "StatisticValues");
  if (hasValues && hasStats) throw exclusive(p, "Values", "StatisticValues"); // unverified wording (same pattern)
  if (hasValue) checkValue(d.Value!, `${p}.Value`);
  if (hasValues) {
    if (d.Values!.length > MAX_VALUES) throw new InvalidParameterValueException(`The collection ${p}.Values must not have a size greater than ${MAX_VALUES}.`); // unverified wording
    if (d.Counts && d.Counts.length !== d.Values!.length)
      throw new InvalidParameterValueException(`The parameters ${p}.Values and ${p}.Counts must be of the same size.`);
    for (const v of d.Values!) checkValue(v, `${p}.Values`);
    for (const c of d.Counts ?? []) if (!Number.isFinite(c) || c < 0) throw invalidValue(c, `${p}.Counts`); // unverified wording
  } else if (d.Counts) throw new InvalidParameterCombinationException(`The parameter ${p}.Counts must be specified with ${p}.Values.`); // unverified wording
  if (hasStats) {
    const s = d.StatisticValues!;
    for (const k of ["SampleCount", "Sum", "Minimum", "Maximum"] as const) checkValue(s[k], `${p}.StatisticValues.${k}`);
    // unverified wording for the two below (Eucalyptus's CloudWatch clone words them so)
    if (s.SampleCount <= 0) throw new InvalidParameterValueException(`The parameter ${p}.StatisticValues.SampleCount must be greater than 0.`);
    if (s.Maximum < s.Minimum)
      throw new InvalidParameterValueException(`The parameter ${p}.StatisticValues.Maximum must be greater than ${p}.StatisticValues.Minimum.`);
  }
  if (!hasValue && !hasValues && !hasStats)
    throw new MissingRequiredParameterException(`At least one of the parameters ${p}.Value, ${p}.Values or ${p}.StatisticValues must be specified.`); // unverified wording
  if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60)
    throw new InvalidParameterValueException(`The value ${d.StorageResolution} for parameter ${p}.StorageResolution is invalid.`); // unverified wording
  if (d.Timestamp) {
    const t = d.Timestamp.getTime();
    if (t < now - TWO_WEEKS_MS) return `The parameter ${p}.Timestamp must specify a time within the past two weeks.`;
    if (t > now + TWO_HOURS_MS) return `The parameter ${p}.Timestamp must specify a time no more than two hours in the future.`; // unverified wording
  }
  return undefined;
}

/** Appends the datum's samples to `out` (sized for them). */
function addSamples(out: SampleBlock, d: MetricDatum, now: number): void {
  const high = d.StorageResolution === 1;
  const raw = d.Timestamp ? d.Timestamp.getTime() : now;
  // High-resolution data keeps the second, standard resolution the minute (its granularity on AWS).
  const ts = high ? raw - (((raw % 1000) + 1000) % 1000) : raw - (((raw % 60_000) + 60_000) % 60_000);
  const flags = unitCode(d.Unit) | (high ? HIGH_RESOLUTION : 0);
  const push = (count: number, sum: number, min: number, max: number) => {
    const k = out.n++;
    out.ts[k] = ts;
    out.flags[k] = flags;
    out.count[k] = count;
    out.sum[k] = sum;
    out.min[k] = min;
    out.max[k] = max;
  };
  if (d.Value !== undefined && d.Value !== null) push(1, d.Value, d.Value, d.Value);
  else if (d.Values) {
    d.Values.forEach((v, i) => {
      const c = d.Counts ? d.Counts[i] : 1;
      if (c > 0) push(c, v * c, v, v);
    });
  } else if (d.StatisticValues) {
    const s = d.StatisticValues;
    push(s.SampleCount, s.Sum, s.Minimum, s.Maximum);
  }
}

export const putMetricData = {
  putMetricData(input: PutMetricDataInput, ctx: HandlerContext) {
    const now = ctx.now();
    const data: [MetricDatum, string][] = (input.MetricData ?? []).map((d, i) => [d, `MetricData.member.${i + 1}`]);
    (input.EntityMetricData ?? []).forEach((e, i) =>
      (e.MetricData ?? []).forEach((d, j) => data.push([d, `EntityMetricData.member.${i + 1}.MetricData.member.${j + 1}`])),
    );
    if (input.MetricData && input.MetricData.length > MAX_DATUMS)
      throw new InvalidParameterValueException(`The collection MetricData must not have a size greater than ${MAX_DATUMS}.`);
    if (!data.length) throw new MissingRequiredParameterException("The parameter MetricData is required."); // unverified wording
    // The AWS/ namespaces are CloudWatch's own services'. unverified wording
    // (A Stratus service publishing its own metrics, core/service-metrics.ts, calls in-process as itself: invokedBy.)
    if (input.Namespace.startsWith("AWS/") && !ctx.invokedBy)
      throw new InvalidParameterValueException(`The value ${input.Namespace} for parameter Namespace is invalid.`);
    // Every datum whose timestamp is out of range is named, one line each joined by newlines (AWS's answer as
    // aws-robotics/cloudwatchmetrics-ros1#46 logs it: "The parameter MetricData.member.1.Timestamp must specify a
    // time within the past two weeks.\nThe parameter MetricData.member.2.Timestamp ...").
    const late: string[] = [];
    for (const [d, p] of data) {
      const line = checkDatum(d, p, now);
      if (line) late.push(line);
    }
    if (late.length) throw new InvalidParameterValueException(late.join("\n"));

    // One block per metric; the metric store appends each as one row.
    const groups = new Map<string, { key: MetricKey; datums: MetricDatum[]; samples: number }>();
    for (const [d] of data) {
      const key = metricKey(ctx, input.Namespace, d.MetricName, d.Dimensions);
      const id = `${d.MetricName}\u0000${key.dims}`;
      const g = groups.get(id);
      const samples = d.Values?.length ?? 1;
      if (g) {
        g.datums.push(d);
        g.samples += samples;
      } else groups.set(id, { key, datums: [d], samples });
    }
    const store = metricsOf(ctx);
    transaction(ctx, () => {
      for (const g of groups.values()) {
        const block = emptyBlock(g.samples);
        for (const d of g.datums) addSamples(block, d, now);
        store.append(store.touch(g.key, now), block);
      }
    });
    // Alarms on these metrics evaluate as the datapoints arrive.
    alarmsOnData(
      ctx,
      [...groups.values()].map((g) => g.key),
    );
    return {};
  },
} satisfies Partial<CloudwatchApi>;
