// GetMetricStatistics and ListMetrics over the metric store.
import type { HandlerContext } from "../../core/context.js";
import { decodePageToken, encodePageToken, fingerprint } from "../../core/paging.js";
import {
  type CloudwatchApi,
  type Datapoint,
  type GetMetricStatisticsInput,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  type ListMetricsInput,
  type Metric,
  MissingRequiredParameterException,
} from "./api.generated.js";
import { dimsOf, metricKey, UNITS, unitCode } from "./metric-keys.js";
import { aggregate, type ExtendedSpec, parseExtendedStatistic } from "./statistics.js";
import { metricsOf } from "./state.js";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const MAX_DATAPOINTS = 1440;
const LIST_PAGE = 500;

/** Periods CloudWatch takes: 1, 5, 10, 20, 30, 60 or any multiple of 60 seconds. */
export const validPeriod = (p: number): boolean => [1, 5, 10, 20, 30].includes(p) || (p > 0 && p % 60 === 0);

/**
 * Where a query's buckets start: StartTime rounded down as AWS documents for GetMetricStatistics — to the period
 * within the minute for sub-minute periods, else to the minute (start within 15 days), 5 minutes (15 to 63 days) or
 * the hour (older).
 */
export function alignStart(start: number, periodS: number, now: number): number {
  const age = now - start;
  const unit = periodS < 60 ? periodS * 1000 : age > 63 * DAY ? HOUR : age > 15 * DAY ? 300_000 : 60_000;
  return start - (((start % unit) + unit) % unit);
}

/**
 * Whether data this old can be read at this period (AWS returns no datapoints otherwise): sub-minute data is kept
 * 3 hours, then minutes for 15 days, 5 minutes for 63 days, hours for 455 days.
 */
export function periodFitsAge(periodS: number, start: number, now: number): boolean {
  const age = now - start;
  if (age > 63 * DAY) return periodS % 3600 === 0;
  if (age > 15 * DAY) return periodS % 300 === 0;
  if (age > 3 * HOUR) return periodS % 60 === 0;
  return true;
}

export const readMetrics = {
  getMetricStatistics(input: GetMetricStatisticsInput, ctx: HandlerContext) {
    const start = input.StartTime.getTime();
    const end = input.EndTime.getTime();
    const period = input.Period;
    const stats = input.Statistics ?? [];
    const ext = input.ExtendedStatistics ?? [];
    // unverified wording for the two below (moto's); the others are AWS's as LocalStack recorded them.
    if (!stats.length && !ext.length) throw new MissingRequiredParameterException("Must specify either Statistics or ExtendedStatistics.");
    if (stats.length && ext.length)
      throw new InvalidParameterCombinationException("The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.");
    const specs: [string, ExtendedSpec][] = ext.map((name, i) => {
      const spec = parseExtendedStatistic(name);
      if (!spec) throw new InvalidParameterValueException(`The value ${name} for parameter ExtendedStatistics.member.${i + 1} is not supported.`); // unverified wording
      return [name, spec];
    });
    if (!validPeriod(period)) throw new InvalidParameterValueException("The parameter Period must be 1, 5, 10, 20, 30, 60, or any multiple of 60."); // unverified wording
    if (!(start < end)) throw new InvalidParameterValueException("The parameter StartTime must be less than the parameter EndTime.");
    const requested = Math.floor((end - start) / 1000 / period);
    if (requested > MAX_DATAPOINTS)
      throw new InvalidParameterCombinationException(
        `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
      );
    const label = input.MetricName;
    const now = ctx.now();
    const store = metricsOf(ctx);
    const id = store.find(metricKey(ctx, input.Namespace, input.MetricName, input.Dimensions));
    if (id === undefined || !periodFitsAge(period, start, now)) return { Label: label, Datapoints: [] };
    const from = alignStart(start, period, now);
    const buckets = aggregate(store.read(id, from, end), from, end, period * 1000, {
      unit: input.Unit ? unitCode(input.Unit) : undefined,
      keepValues: specs.length > 0,
    });
    const points: Datapoint[] = [];
    for (const at of [...buckets.keys()].sort((a, b) => a - b)) {
      // One datapoint per unit: CloudWatch never converts between units.
      for (const [unit, b] of buckets.get(at)!) {
        const p: Datapoint = { Timestamp: new Date(at), Unit: UNITS[unit] };
        for (const s of stats) p[s] = b.basic(s);
        if (specs.length) {
          const values: Record<string, number> = {};
          for (const [name, spec] of specs) {
            const v = b.extended(spec);
            if (v !== undefined) values[name] = v;
          }
          p.ExtendedStatistics = values;
        }
        points.push(p);
      }
    }
    return { Label: label, Datapoints: points };
  },

  listMetrics(input: ListMetricsInput, ctx: HandlerContext) {
    const now = ctx.now();
    const bind = fingerprint([ctx.account, ctx.region, input.Namespace, input.MetricName, input.Dimensions, input.RecentlyActive]);
    const after =
      input.NextToken === undefined
        ? 0
        : decodePageToken<number>("ListMetrics", input.NextToken, () => new InvalidParameterValueException("The service cannot process the NextToken."), {
            // unverified wording
            bind,
            valid: (p): p is number => typeof p === "number",
          });
    // Metrics with no new data for two weeks drop out of ListMetrics; RecentlyActive=PT3H keeps the last three hours'.
    const since = input.RecentlyActive === "PT3H" ? now - 3 * HOUR : now - 14 * DAY;
    const filters = input.Dimensions ?? [];
    const store = metricsOf(ctx);
    const out: Metric[] = [];
    let cursor = after;
    let more = false;
    for (;;) {
      const batch = store.list({
        scope: `${ctx.account}/${ctx.region}`,
        namespace: input.Namespace,
        name: input.MetricName,
        since,
        afterId: cursor,
        limit: 1000,
      });
      for (const m of batch) {
        const dims = dimsOf(m.dims);
        if (!filters.every((f) => dims.some((d) => d.Name === f.Name && (f.Value === undefined || f.Value === null || d.Value === f.Value)))) {
          cursor = m.id;
          continue;
        }
        if (out.length === LIST_PAGE) {
          more = true;
          break;
        }
        out.push({ Namespace: m.namespace, MetricName: m.name, Dimensions: dims });
        cursor = m.id;
      }
      if (more || batch.length < 1000) break;
    }
    const result: { Metrics: Metric[]; NextToken?: string; OwningAccounts?: string[] } = { Metrics: out };
    if (more) result.NextToken = encodePageToken("ListMetrics", cursor, bind);
    if (input.IncludeLinkedAccounts) result.OwningAccounts = out.map(() => ctx.account);
    return result;
  },
} satisfies Partial<CloudwatchApi>;
