// AWS/Lambda's metrics (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html), published
// through core/service-metrics.ts:
// - invocation metrics: Invocations, Errors (1 for a function error or timeout, else 0) and Duration as an
//   invocation ends; Throttles when one is refused with TooManyRequestsException (a throttled request is neither an
//   Invocation nor an Error);
// - concurrency: ConcurrentExecutions (the minute's peak of executions in flight) and, for the account,
//   UnreservedConcurrentExecutions (those of functions without reserved concurrency);
// - asynchronous invocation (async.ts): AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped, DeadLetterErrors and
//   DestinationDeliveryFailures.
// Dimensions, as "Viewing metrics for Lambda functions" lists them
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-view.html): none (across all functions),
// FunctionName, FunctionName + Resource (`name:qualifier`, for an invocation of a version or alias), and for an
// alias invocation FunctionName + Resource + ExecutedVersion (the version the alias ran). Units as the metrics-types
// page gives them: Count, Milliseconds.
import type { ServiceHost } from "../../../core/service.js";
import { type MetricDimension, type MetricSeries, serviceMetrics } from "../../../core/service-metrics.js";

const NS = "AWS/Lambda";

/** Who an invocation was for: the function, the qualifier the caller named, the version that ran. */
export interface MetricTarget {
  account: string;
  region: string;
  functionName: string;
  /** The version or alias the caller named (absent for the unqualified function). */
  qualifier?: string;
  /** The version that ran, when the caller named an alias. */
  executedVersion?: string;
}

interface InvocationSeries {
  invocations: MetricSeries[];
  errors: MetricSeries[];
  duration: MetricSeries[];
  throttles: MetricSeries[];
  concurrent: MetricSeries[];
}

const isAlias = (q: string | undefined): q is string => q !== undefined && q !== "$LATEST" && !/^\d+$/.test(q);

/** The dimension sets a metric of this target is published under: the account's, the function's, and so on. */
export function dimensionSets(t: MetricTarget, withExecutedVersion: boolean): MetricDimension[][] {
  const fn = { Name: "FunctionName", Value: t.functionName };
  const sets: MetricDimension[][] = [[], [fn]];
  if (t.qualifier === undefined) return sets;
  const resource = { Name: "Resource", Value: `${t.functionName}:${t.qualifier}` };
  sets.push([fn, resource]);
  if (withExecutedVersion && isAlias(t.qualifier) && t.executedVersion) sets.push([fn, resource, { Name: "ExecutedVersion", Value: t.executedVersion }]);
  return sets;
}

/** Each invocation target's series, kept so an invocation adds its values without building names. */
export class LambdaMetrics {
  private readonly series = new Map<string, InvocationSeries>();
  private readonly unreserved = new Map<string, MetricSeries>();

  constructor(private readonly host: ServiceHost) {}

  private of(t: MetricTarget): InvocationSeries {
    const key = `${t.account}/${t.region}/${t.functionName}/${t.qualifier ?? ""}/${t.executedVersion ?? ""}`;
    let s = this.series.get(key);
    if (!s) {
      const m = serviceMetrics(this.host, "lambda");
      const sets = dimensionSets(t, true);
      const of = (name: string, unit: string) => sets.map((dims) => m.of(t.account, t.region, NS, name, dims, unit));
      s = {
        invocations: of("Invocations", "Count"),
        errors: of("Errors", "Count"),
        duration: of("Duration", "Milliseconds"),
        throttles: of("Throttles", "Count"),
        concurrent: of("ConcurrentExecutions", "Count"),
      };
      if (this.series.size > 10_000) this.series.clear();
      this.series.set(key, s);
    }
    return s;
  }

  /** An invocation ended: Invocations, Errors, Duration. */
  invoked(t: MetricTarget, durationMs: number, failed: boolean, at: number): void {
    const s = this.of(t);
    const duration = Math.round(durationMs * 100) / 100;
    for (let i = 0; i < s.invocations.length; i++) {
      s.invocations[i].add(1, at);
      s.errors[i].add(failed ? 1 : 0, at);
      s.duration[i].add(duration, at);
    }
  }

  /** An invocation was refused with TooManyRequestsException. */
  throttled(t: MetricTarget, at: number): void {
    for (const series of this.of(t).throttles) series.add(1, at);
  }

  /**
   * An invocation was admitted: the executions now in flight in the account's region, of its function, of the
   * version or alias it named, and (when the function has no reserved concurrency) of every such function.
   */
  admitted(t: MetricTarget, n: { region: number; fn: number; resource: number; unreserved?: number }, at: number): void {
    const s = this.of(t).concurrent;
    s[0].peak(n.region, at);
    s[1].peak(n.fn, at);
    for (let i = 2; i < s.length; i++) s[i].peak(n.resource, at);
    const unreservedInFlight = n.unreserved;
    if (unreservedInFlight === undefined) return;
    const key = `${t.account}/${t.region}`;
    let u = this.unreserved.get(key);
    if (!u) {
      if (this.unreserved.size > 10_000) this.unreserved.clear();
      u = serviceMetrics(this.host, "lambda").of(t.account, t.region, NS, "UnreservedConcurrentExecutions", [], "Count");
      this.unreserved.set(key, u);
    }
    u.peak(unreservedInFlight, at);
  }
}

/** Records one of the asynchronous invocation metrics (async.ts) under the target's dimension sets. */
export function recordAsync(host: ServiceHost, t: MetricTarget, name: string, value: number, unit: "Count" | "Milliseconds", at: number): void {
  const m = serviceMetrics(host, "lambda");
  for (const dims of dimensionSets(t, false)) m.record(t.account, t.region, NS, name, dims, value, unit, at);
}
