// Metric filters: a log group's events turned into CloudWatch metrics as they are ingested. Each filter's pattern
// (filter-pattern.ts, the syntax FilterLogEvents and subscription filters use) selects events; its one metric
// transformation gives the value (a number, or `$.path` of a JSON pattern / `$field` of a space-delimited one), up to
// three dimensions from the event, a unit, and a default value for the minutes in which events arrived and none
// matched. The datapoints go to CloudWatch (PutMetricData, in-process) with the events' timestamps, aggregated per
// minute as values and counts, so every statistic of the metric stays exact. TestMetricFilter runs a pattern over
// sample messages. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringLogData.html
//
// AWS-recorded answers (LocalStack tests/aws/services/logs/test_logs_metric_filters.snapshot.json): DescribeMetricFilters
// shows applyOnTransformedLogs false and defaultValue only when one was set, and filterNamePrefix alone searches every
// log group. AWS's messages for dimensions: "The specified filter pattern does not support dimensions" (a term pattern,
// terraform-provider-aws#22105) and "Invalid metric transformation: dimensions and default value are mutually exclusive
// properties" (reported from a deployment, guidance-for-claude-code-with-amazon-bedrock#632).
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import { metricDatums } from "../../core/service-metrics.js";
import {
  InvalidParameterException,
  LimitExceededException,
  ResourceNotFoundException,
  type CloudwatchLogsApi,
  type MetricFilter,
  type MetricTransformation,
} from "./api.generated.js";
import { compileFilterPattern, FilterPatternError, type FilterMatcher } from "./filter-pattern.js";
import { invalidToken, logsState, mustGroup, streamPrefix } from "./state.js";

/** "You can have up to 100 metric filters per log group" (CloudWatch Logs quotas); a 101st is refused as AWS refuses a limit. */
const MAX_FILTERS_PER_GROUP = 100;
const MAX_DIMENSIONS = 3;
/** PutMetricData's limit of datums per call. */
const MAX_DATUMS = 1000;
const MINUTE = 60_000;

/** A metric filter of a log group (keyed `<group>:<filter>`). */
export interface MetricFilterRec {
  group: string;
  name: string;
  pattern: string;
  transformation: MetricTransformation;
  creationTime: number;
}

const table = (ctx: HandlerContext) => logsState.of(ctx).metricFilters;

// Compiled patterns, shared by every filter with the same text (ingestion compiles each once).
const compiled = new Map<string, FilterMatcher>();
function compile(pattern: string): FilterMatcher {
  let m = compiled.get(pattern);
  if (!m) {
    try {
      m = compileFilterPattern(pattern);
    } catch (e) {
      if (e instanceof FilterPatternError) throw new InvalidParameterException(e.message);
      throw e;
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, m);
  }
  return m;
}

const isNumber = (v: string) => v.trim() !== "" && Number.isFinite(Number(v));

function checkTransformation(t: MetricTransformation, matcher: FilterMatcher): void {
  const dims = Object.entries(t.dimensions ?? {});
  if (dims.length && t.defaultValue !== undefined) {
    throw new InvalidParameterException("Invalid metric transformation: dimensions and default value are mutually exclusive properties");
  }
  if (dims.length && matcher.kind === "terms") throw new InvalidParameterException("The specified filter pattern does not support dimensions");
  if (dims.length > MAX_DIMENSIONS) {
    throw new InvalidParameterException(`Invalid metric transformation: at most ${MAX_DIMENSIONS} dimensions are allowed`); // unverified wording
  }
  // The value is a number or a selector of the pattern's kind ($.path of a JSON pattern, $field of a space-delimited one).
  const v = t.metricValue;
  const selector = matcher.kind === "json" ? /^\$\./.test(v) : matcher.kind === "delimited" ? /^\$[^.]/.test(v) : false;
  if (!isNumber(v) && !selector) throw new InvalidParameterException(`Invalid metric value: ${v}`); // unverified wording
}

function describe(r: MetricFilterRec): MetricFilter {
  return {
    filterName: r.name,
    filterPattern: r.pattern,
    metricTransformations: [r.transformation],
    creationTime: r.creationTime,
    logGroupName: r.group,
    applyOnTransformedLogs: false,
  };
}

export const metricFilters = {
  putMetricFilter(input, ctx) {
    const g = mustGroup(ctx, input.logGroupName);
    // Log transformers and system fields are not run by Stratus: a filter that relies on them is refused, not stored.
    if (input.applyOnTransformedLogs) {
      throw new InvalidParameterException("applyOnTransformedLogs needs a log transformer, which Stratus does not run yet."); // Stratus's own
    }
    if (input.fieldSelectionCriteria !== undefined || input.emitSystemFieldDimensions?.length) {
      throw new InvalidParameterException("fieldSelectionCriteria and emitSystemFieldDimensions are not supported by Stratus yet."); // Stratus's own
    }
    const matcher = compile(input.filterPattern);
    const [t] = input.metricTransformations;
    checkTransformation(t, matcher);
    const key = `${streamPrefix(g.name)}${input.filterName}`;
    const before = table(ctx).get(key);
    if (!before && table(ctx).count(streamPrefix(g.name)) >= MAX_FILTERS_PER_GROUP) throw new LimitExceededException("Resource limit exceeded.");
    const transformation: MetricTransformation = {
      metricName: t.metricName,
      metricNamespace: t.metricNamespace,
      metricValue: t.metricValue,
      ...(t.defaultValue !== undefined ? { defaultValue: t.defaultValue } : {}),
      ...(t.dimensions && Object.keys(t.dimensions).length ? { dimensions: t.dimensions } : {}),
      ...(t.unit !== undefined ? { unit: t.unit } : {}),
    };
    const rec: MetricFilterRec = {
      group: g.name,
      name: input.filterName,
      pattern: input.filterPattern,
      transformation,
      creationTime: before?.creationTime ?? ctx.now(),
    };
    table(ctx).put(key, rec);
    return {};
  },

  describeMetricFilters({ logGroupName, filterNamePrefix, nextToken, limit, metricName, metricNamespace }, ctx) {
    if ((metricName === undefined) !== (metricNamespace === undefined)) {
      throw new InvalidParameterException("metricName and metricNamespace must be specified together."); // unverified wording
    }
    if (logGroupName !== undefined) mustGroup(ctx, logGroupName);
    const prefix = logGroupName !== undefined ? streamPrefix(logGroupName) + (filterNamePrefix ?? "") : undefined;
    const all = table(ctx)
      .list(prefix !== undefined ? { prefix } : {})
      .filter((e) => {
        const r = e.value;
        if (prefix === undefined && filterNamePrefix !== undefined && !r.name.startsWith(filterNamePrefix)) return false;
        return metricName === undefined || (r.transformation.metricName === metricName && r.transformation.metricNamespace === metricNamespace);
      });
    const page = pageByKey(all, (e) => e.key, {
      operation: "DescribeMetricFilters",
      token: nextToken,
      max: limit ?? 50,
      bind: JSON.stringify([logGroupName, filterNamePrefix, metricName, metricNamespace]),
      invalid: invalidToken,
    });
    return { metricFilters: page.items.map((e) => describe(e.value)), ...(page.next ? { nextToken: page.next } : {}) };
  },

  deleteMetricFilter({ logGroupName, filterName }, ctx) {
    const g = mustGroup(ctx, logGroupName);
    if (!table(ctx).delete(`${streamPrefix(g.name)}${filterName}`)) {
      throw new ResourceNotFoundException("The specified metric filter does not exist."); // unverified wording, as the subscription filter's
    }
    return {};
  },

  testMetricFilter({ filterPattern, logEventMessages }, ctx) {
    void ctx;
    const matcher = compile(filterPattern);
    const matches = logEventMessages.flatMap((eventMessage, i) => {
      const ex = matcher.extract(eventMessage);
      return ex ? [{ eventNumber: i + 1, eventMessage, extractedValues: ex.values }] : [];
    });
    return { matches };
  },
} satisfies Partial<CloudwatchLogsApi>;

/** The group's metric filters (for ingestion). */
export const metricFiltersOf = (ctx: HandlerContext, group: string): MetricFilterRec[] =>
  table(ctx)
    .list({ prefix: streamPrefix(group) })
    .map((e) => e.value);

interface Datum {
  dims: [string, string][];
  minute: number;
  values: Map<number, number>;
}

/**
 * Publishes the datapoints an upload's accepted events make through the group's metric filters: per filter, per
 * dimension set and minute, the values and how often each occurred; the default value for a minute with events and
 * no match. Sent to CloudWatch before PutLogEvents answers, so the metric is queryable at once. A failure to publish
 * does not fail the upload (AWS's metric filters never reject events).
 */
export async function publishMetrics(ctx: HandlerContext, filters: MetricFilterRec[], events: { timestamp: number; message: string }[]): Promise<void> {
  if (!filters.length || !events.length) return;
  const plans = filters.map((f) => {
    const t = f.transformation;
    return {
      t,
      matcher: compile(f.pattern),
      constant: isNumber(t.metricValue) ? Number(t.metricValue) : undefined,
      dimSpecs: Object.entries(t.dimensions ?? {}),
      data: new Map<number | string, Datum>(),
      matched: new Set<number>(),
    };
  });
  const seen = new Set<number>();
  // Event by event, every filter in turn: the patterns share one parse (or split) of each message (filter-pattern.ts).
  for (const e of events) {
    const minute = e.timestamp - (e.timestamp % MINUTE);
    seen.add(minute);
    for (const p of plans) {
      let value: number;
      let key: number | string = minute;
      let dims: [string, string][] = NO_DIMS;
      if (p.constant !== undefined && !p.dimSpecs.length) {
        // A count (or any constant) with no dimensions: whether it matches is all that is needed.
        if (!p.matcher.matches(e.message)) continue;
        value = p.constant;
      } else {
        const ex = p.matcher.extract(e.message);
        if (!ex) continue;
        value = p.constant ?? Number(ex.get(p.t.metricValue));
        if (!Number.isFinite(value)) continue;
        if (p.dimSpecs.length) {
          dims = [];
          key = String(minute);
          let complete = true;
          for (const [name, spec] of p.dimSpecs) {
            const v = spec.startsWith("$") ? ex.get(spec) : spec;
            if (v === undefined || v === "") complete = false;
            else {
              dims.push([name, v]);
              key += `\u0000${v}`;
            }
          }
          if (!complete) continue;
        }
      }
      p.matched.add(minute);
      let d = p.data.get(key);
      if (!d) p.data.set(key, (d = { dims, minute, values: new Map() }));
      d.values.set(value, (d.values.get(value) ?? 0) + 1);
    }
  }
  for (const p of plans) {
    const t = p.t;
    if (t.defaultValue !== undefined) {
      for (const minute of seen) {
        if (!p.matched.has(minute)) p.data.set(`default:${minute}`, { dims: NO_DIMS, minute, values: new Map([[t.defaultValue, 1]]) });
      }
    }
    const datums = [...p.data.values()].flatMap((d) =>
      metricDatums(
        t.metricName,
        d.dims.map(([Name, Value]) => ({ Name, Value })),
        t.unit,
        d.minute,
        d.values,
      ),
    );
    for (let i = 0; i < datums.length; i += MAX_DATUMS) {
      try {
        await ctx.client("cloudwatch").putMetricData({ Namespace: t.metricNamespace, MetricData: datums.slice(i, i + MAX_DATUMS) });
      } catch {
        // Not published (CloudWatch refused the datapoints); the events themselves stay stored.
      }
    }
  }
}

const NO_DIMS: [string, string][] = [];
