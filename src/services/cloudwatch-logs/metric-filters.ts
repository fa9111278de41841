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
import type { SelectorReader } from "./filter-syntax.js";
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

/** The group's metric filters (for ingestion: shared and frozen, kept until a filter changes). */
export const metricFiltersOf = (ctx: HandlerContext, group: string): readonly Readonly<MetricFilterRec>[] =>
  table(ctx)
    .readList(streamPrefix(group))
    .map((e) => e.value);

interface Datum {
  dims: [string, string][];
  minute: number;
  values: Map<number, number>;
}

/** A metric filter made ready for one upload's events. */
interface Plan {
  t: MetricTransformation;
  matcher: FilterMatcher;
  /** Reads the value and dimension selectors; undefined for a constant without dimensions (a match is all it needs). */
  read: SelectorReader | undefined;
  constant: number | undefined;
  /** Where the reader puts the value (-1: constant). */
  valueAt: number;
  /** Each dimension's name and where the reader puts it (-1: the spec is a constant, `spec`). */
  dims: { name: string; spec: string; at: number }[];
  data: Map<number | string, Datum>;
  matched: Set<number>;
  /** The datum the last match went to, and its key: a run of events in one minute finds it without a lookup. */
  lastKey: number | string | undefined;
  last: Datum | undefined;
  /** A constant filter's matches in the current run of one minute, counted before they go to the datum. */
  runMinute: number;
  runCount: number;
}

function planOf(f: MetricFilterRec): Plan {
  const t = f.transformation;
  const constant = isNumber(t.metricValue) ? Number(t.metricValue) : undefined;
  const selectors: string[] = [];
  const valueAt = constant === undefined ? selectors.push(t.metricValue) - 1 : -1;
  const dims = Object.entries(t.dimensions ?? {}).map(([name, spec]) => ({ name, spec, at: spec.startsWith("$") ? selectors.push(spec) - 1 : -1 }));
  const matcher = compile(f.pattern);
  const read = constant !== undefined && !dims.length ? undefined : matcher.reader(selectors);
  return {
    t,
    matcher,
    read,
    constant,
    valueAt,
    dims,
    data: new Map(),
    matched: new Set(),
    lastKey: undefined,
    last: undefined,
    runMinute: Number.NaN,
    runCount: 0,
  };
}

/**
 * Publishes the datapoints an upload's accepted events make through the group's metric filters: per filter, per
 * dimension set and minute, the values and how often each occurred; the default value for a minute with events and
 * no match. Sent to CloudWatch before PutLogEvents answers, so the metric is queryable at once — one PutMetricData
 * per namespace for all the filters (a filter's datapoints that CloudWatch refuses are then sent filter by filter, so
 * they cost no other filter its own). A failure to publish does not fail the upload (AWS's metric filters never
 * reject events).
 */
export async function publishMetrics(
  ctx: HandlerContext,
  filters: readonly Readonly<MetricFilterRec>[],
  events: { timestamp: number; message: string }[],
): Promise<void> {
  if (!filters.length || !events.length) return;
  const plans = filters.map(planOf);
  const seen = new Set<number>();
  let lastMinute = Number.NaN;
  // Event by event, every filter in turn: the patterns share one parse (or split) of each message (filter-message.ts).
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const message = e.message;
    const minute = e.timestamp - (e.timestamp % MINUTE);
    if (minute !== lastMinute) seen.add((lastMinute = minute));
    for (let f = 0; f < plans.length; f++) {
      const p = plans[f];
      if (!p.read) {
        // A constant with no dimensions: whether it matches is all that is needed.
        if (!p.matcher.matches(message)) continue;
        if (minute !== p.runMinute) {
          endRun(p);
          p.runMinute = minute;
        }
        p.runCount++;
        continue;
      }
      const got = p.read(message);
      if (!got) continue;
      const value = p.constant ?? Number(got[p.valueAt]);
      if (!Number.isFinite(value)) continue;
      let key: number | string = minute;
      let dims: [string, string][] = NO_DIMS;
      if (p.dims.length) {
        dims = [];
        key = String(minute);
        let complete = true;
        for (const { name, spec, at } of p.dims) {
          const v = at < 0 ? spec : got[at];
          if (v === undefined || v === "") complete = false;
          else {
            dims.push([name, v]);
            key += `\u0000${v}`;
          }
        }
        if (!complete) continue;
      }
      add(p, key, dims, minute, value, 1);
    }
  }
  for (const p of plans) endRun(p);
  const byNamespace = new Map<string, MetricData[]>();
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
    if (!datums.length) continue;
    let all = byNamespace.get(t.metricNamespace);
    if (!all) byNamespace.set(t.metricNamespace, (all = []));
    all.push(datums);
  }
  for (const [namespace, perFilter] of byNamespace) {
    const together = perFilter.flat();
    if (together.length <= MAX_DATUMS && (await put(ctx, namespace, together))) continue;
    for (const datums of perFilter) {
      for (let i = 0; i < datums.length; i += MAX_DATUMS) await put(ctx, namespace, datums.slice(i, i + MAX_DATUMS));
    }
  }
}

/** Counts `count` occurrences of `value` in the datum of `key`. */
function add(p: Plan, key: number | string, dims: [string, string][], minute: number, value: number, count: number): void {
  if (p.t.defaultValue !== undefined) p.matched.add(minute);
  let d = key === p.lastKey ? p.last : p.data.get(key);
  if (!d) p.data.set(key, (d = { dims, minute, values: new Map() }));
  p.lastKey = key;
  p.last = d;
  d.values.set(value, (d.values.get(value) ?? 0) + count);
}

/** A constant filter's run of matches in one minute, into its datum. */
function endRun(p: Plan): void {
  if (p.runCount) add(p, p.runMinute, NO_DIMS, p.runMinute, p.constant!, p.runCount);
  p.runCount = 0;
}

type MetricData = ReturnType<typeof metricDatums<NonNullable<MetricTransformation["unit"]>>>;

/** One PutMetricData; false when CloudWatch refused it (the events themselves stay stored). */
async function put(ctx: HandlerContext, namespace: string, data: MetricData): Promise<boolean> {
  try {
    await ctx.client("cloudwatch").putMetricData({ Namespace: namespace, MetricData: data });
    return true;
  } catch {
    return false;
  }
}

const NO_DIMS: [string, string][] = [];
