// Anomaly detectors: PutAnomalyDetector (a single metric and statistic — given as SingleMetricAnomalyDetector or the
// deprecated top-level Namespace/MetricName/Dimensions/Stat — or metric math), DescribeAnomalyDetectors (filters,
// paging) and DeleteAnomalyDetector. A detector's Configuration (ExcludedTimeRanges, MetricTimezone) shapes the band
// ANOMALY_DETECTION_BAND computes over its metric (metric-math/anomaly-band.ts: Stratus's documented model); its
// StateValue is worked out from the metric's history against that model's training rule.
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import { defineState, regional, transaction } from "../../core/state.js";
import {
  type AnomalyDetector,
  type AnomalyDetectorConfiguration,
  type AnomalyDetectorStateValue,
  type CloudwatchApi,
  type DeleteAnomalyDetectorInput,
  type DescribeAnomalyDetectorsInput,
  type Dimension,
  InvalidNextToken,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  type MetricMathAnomalyDetector,
  MissingRequiredParameterException,
  type PutAnomalyDetectorInput,
  ResourceNotFoundException,
  type SingleMetricAnomalyDetector,
} from "./api.generated.js";
import { MIN_TRAINING_POINTS, MIN_TRAINING_SPAN_MS, TRAINING_WINDOW_MS } from "./metric-math/anomaly-band.js";
import { dimsKey, metricKey } from "./metric-keys.js";
import { parseStatistic } from "./statistics.js";
import { metricsOf } from "./state.js";

export interface DetectorRec {
  single?: SingleMetricAnomalyDetector;
  math?: MetricMathAnomalyDetector;
  configuration?: AnomalyDetectorConfiguration;
}

export const detectorState = defineState("cloudwatch", {
  /** detectorKey → the detector. */
  anomalyDetectors: regional<DetectorRec>(),
});

/** A single-metric detector's key: its metric and statistic. */
export const singleKey = (namespace: string, name: string, dims: Dimension[] | undefined, stat: string): string =>
  JSON.stringify(["S", namespace, name, dimsKey(dims), stat]);
const keyOf = (d: DetectorRec): string =>
  d.single ? singleKey(d.single.Namespace!, d.single.MetricName!, d.single.Dimensions, d.single.Stat!) : JSON.stringify(["M", d.math?.MetricDataQueries ?? []]);

/** The detector the request names (SingleMetricAnomalyDetector, the legacy fields, or MetricMathAnomalyDetector). */
function detectorOf(input: PutAnomalyDetectorInput | DeleteAnomalyDetectorInput): DetectorRec {
  const legacy = input.Namespace !== undefined || input.MetricName !== undefined || input.Dimensions !== undefined || input.Stat !== undefined;
  const given = [legacy, input.SingleMetricAnomalyDetector !== undefined, input.MetricMathAnomalyDetector !== undefined].filter(Boolean).length;
  // unverified wordings in this function, in AWS's usual forms
  if (given > 1)
    throw new InvalidParameterCombinationException(
      "The parameters SingleMetricAnomalyDetector, MetricMathAnomalyDetector and Namespace, MetricName, Dimensions, Stat are mutually exclusive.",
    );
  if (input.MetricMathAnomalyDetector) {
    const queries = input.MetricMathAnomalyDetector.MetricDataQueries ?? [];
    if (!queries.length) throw new MissingRequiredParameterException("The parameter MetricMathAnomalyDetector.MetricDataQueries is required.");
    if (queries.filter((q) => q.ReturnData !== false).length !== 1)
      throw new InvalidParameterValueException("Exactly one element of the metrics list should return data.");
    return { math: { MetricDataQueries: queries } };
  }
  const s: SingleMetricAnomalyDetector = input.SingleMetricAnomalyDetector ?? {
    Namespace: input.Namespace,
    MetricName: input.MetricName,
    Dimensions: input.Dimensions,
    Stat: input.Stat,
  };
  for (const f of ["Namespace", "MetricName", "Stat"] as const)
    if (!s[f])
      throw new MissingRequiredParameterException(`The parameter ${input.SingleMetricAnomalyDetector ? "SingleMetricAnomalyDetector." : ""}${f} is required.`);
  if (!parseStatistic(s.Stat!)) throw new InvalidParameterValueException(`The value ${s.Stat} for parameter Stat is not a valid statistic.`);
  return { single: { ...s, Dimensions: s.Dimensions ?? [] } };
}

function checkConfiguration(c: AnomalyDetectorConfiguration | undefined): void {
  for (const [i, r] of (c?.ExcludedTimeRanges ?? []).entries())
    if (!(r.StartTime.getTime() < r.EndTime.getTime()))
      throw new InvalidParameterValueException(`The StartTime of ExcludedTimeRanges.member.${i + 1} must be before its EndTime.`); // unverified wording
  if (c?.MetricTimezone !== undefined && tzOffsetMinutes(c.MetricTimezone, 0) === undefined)
    throw new InvalidParameterValueException(`The value ${c.MetricTimezone} for parameter Configuration.MetricTimezone is not a valid time zone.`); // unverified wording
}

/** A time zone's offset east of UTC (minutes) at `at`, from the IANA database; undefined for an unknown zone. */
export function tzOffsetMinutes(zone: string, at: number): number | undefined {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(new Date(at));
    const m = /GMT([+-])(\d\d):(\d\d)/.exec(parts.find((p) => p.type === "timeZoneName")?.value ?? "");
    return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  } catch {
    return undefined;
  }
}

/** The detector of a metric and statistic, if there is one (its Configuration shapes the band). */
export function detectorFor(ctx: HandlerContext, namespace: string, name: string, dims: Dimension[] | undefined, stat: string): DetectorRec | undefined {
  return detectorState.of(ctx).anomalyDetectors.get(singleKey(namespace, name, dims, stat));
}

/** The detector's state against the band's training rule: no data, too little, or enough in the last two weeks. */
function stateOf(ctx: HandlerContext, d: DetectorRec): AnomalyDetectorStateValue {
  const m = d.single ?? d.math?.MetricDataQueries?.find((q) => q.MetricStat)?.MetricStat?.Metric;
  if (!m?.Namespace || !m.MetricName) return "PENDING_TRAINING";
  const store = metricsOf(ctx);
  const id = store.find(metricKey(ctx, m.Namespace, m.MetricName, m.Dimensions));
  const now = ctx.now();
  const blocks = id === undefined ? [] : store.read(id, now - TRAINING_WINDOW_MS, now + 1);
  let n = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const b of blocks)
    for (let i = 0; i < b.n; i++) {
      n++;
      first = Math.min(first, b.ts[i]);
      last = Math.max(last, b.ts[i]);
    }
  if (!n) return "PENDING_TRAINING";
  return n >= MIN_TRAINING_POINTS && last - first >= MIN_TRAINING_SPAN_MS ? "TRAINED" : "TRAINED_INSUFFICIENT_DATA";
}

function toDetector(ctx: HandlerContext, d: DetectorRec): AnomalyDetector {
  const out: AnomalyDetector = {};
  if (d.single) {
    // The deprecated top-level fields are answered too (AWS fills both forms for a single-metric detector).
    Object.assign(out, { Namespace: d.single.Namespace, MetricName: d.single.MetricName, Dimensions: d.single.Dimensions, Stat: d.single.Stat });
    out.SingleMetricAnomalyDetector = d.single;
  } else out.MetricMathAnomalyDetector = d.math;
  out.Configuration = d.configuration ?? { ExcludedTimeRanges: [] };
  out.StateValue = stateOf(ctx, d);
  return out;
}

export const anomalyDetectors = {
  putAnomalyDetector(input: PutAnomalyDetectorInput, ctx: HandlerContext) {
    const d = detectorOf(input);
    checkConfiguration(input.Configuration);
    if (input.Configuration) d.configuration = input.Configuration;
    transaction(ctx, () => detectorState.of(ctx).anomalyDetectors.put(keyOf(d), d));
    return {};
  },

  describeAnomalyDetectors(input: DescribeAnomalyDetectorsInput, ctx: HandlerContext) {
    const types = input.AnomalyDetectorTypes ?? ["SINGLE_METRIC", "METRIC_MATH"];
    const wantDims = input.Dimensions && dimsKey(input.Dimensions);
    const list = detectorState
      .of(ctx)
      .anomalyDetectors.list()
      .filter(({ value: d }) => {
        if (!types.includes(d.single ? "SINGLE_METRIC" : "METRIC_MATH")) return false;
        if (input.Namespace === undefined && input.MetricName === undefined && wantDims === undefined) return true;
        const s = d.single;
        return (
          !!s &&
          (input.Namespace === undefined || s.Namespace === input.Namespace) &&
          (input.MetricName === undefined || s.MetricName === input.MetricName) &&
          (wantDims === undefined || dimsKey(s.Dimensions) === wantDims)
        );
      });
    const page = pageByKey(list, (e) => e.key, {
      operation: "DescribeAnomalyDetectors",
      token: input.NextToken,
      max: input.MaxResults ?? 100,
      invalid: () => new InvalidNextToken("The service cannot process the NextToken."), // unverified wording
    });
    const out: { AnomalyDetectors: AnomalyDetector[]; NextToken?: string } = { AnomalyDetectors: page.items.map((e) => toDetector(ctx, e.value)) };
    if (page.next) out.NextToken = page.next;
    return out;
  },

  deleteAnomalyDetector(input: DeleteAnomalyDetectorInput, ctx: HandlerContext) {
    const key = keyOf(detectorOf(input));
    const t = detectorState.of(ctx).anomalyDetectors;
    if (!t.has(key)) throw new ResourceNotFoundException("No anomaly detection model found", { ResourceType: "AnomalyDetector" }); // unverified wording
    transaction(ctx, () => t.delete(key));
    return {};
  },
} satisfies Partial<CloudwatchApi>;
