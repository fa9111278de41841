// The metrics AWS's services publish about themselves (AWS/Lambda Invocations, Errors, Duration; AWS/SQS …), so
// alarms and dashboards on them work as on AWS. A service records a value where the thing happens; values are
// aggregated per metric and minute (each distinct value with how often it occurred, so every statistic stays exact)
// and sent to CloudWatch's PutMetricData in-process about once a second, as the service (invokedBy), without an audit
// record (AWS's own publishing is not a CloudTrail event). Recording is a map update: nothing on a request's path waits
// for CloudWatch. What is pending is flushed when the server stops.
import type { ServiceHost } from "./service.js";

export interface MetricDimension {
  Name: string;
  Value: string;
}

/** One metric (namespace, name, dimensions, unit) of one account and region; `add` records a value. */
export interface MetricSeries {
  add(value: number, at: number): void;
  /**
   * A gauge's sample (ConcurrentExecutions): recorded only when above what its minute has seen so far, so the
   * minute's Maximum is the gauge's peak without a datapoint per sample.
   */
  peak(value: number, at: number): void;
}

const FLUSH_EVERY_MS = 1000;
const MINUTE = 60_000;
/** PutMetricData's limits: values per datum, datums per call. */
const MAX_VALUES = 150;
const MAX_DATUMS = 1000;
/** Series kept for reuse; past this many the cache starts over (a series is cheap to make again). */
const MAX_SERIES = 10_000;

class Series implements MetricSeries {
  /** Per minute: each value and how often it occurred. */
  readonly minutes = new Map<number, Map<number, number>>();
  private peakMinute = -1;
  private peakValue = 0;

  constructor(
    private readonly owner: ServiceMetrics,
    readonly account: string,
    readonly region: string,
    readonly namespace: string,
    readonly name: string,
    readonly dimensions: MetricDimension[],
    readonly unit: string,
  ) {}

  add(value: number, at: number): void {
    const minute = at - (at % MINUTE);
    let values = this.minutes.get(minute);
    if (!values) this.minutes.set(minute, (values = new Map()));
    values.set(value, (values.get(value) ?? 0) + 1);
    this.owner.touched(this);
  }

  peak(value: number, at: number): void {
    const minute = at - (at % MINUTE);
    if (minute === this.peakMinute && value <= this.peakValue) return;
    this.peakMinute = minute;
    this.peakValue = value;
    this.add(value, at);
  }
}

export class ServiceMetrics {
  private readonly series = new Map<string, Series>();
  private readonly dirty = new Set<Series>();
  private timer: (() => void) | undefined;

  constructor(
    private readonly host: ServiceHost,
    private readonly service: string,
  ) {
    host.onDrain(() => this.flush());
  }

  /** The series of a metric, to keep and `add` to (cheaper than `record` on a hot path). */
  of(account: string, region: string, namespace: string, name: string, dimensions: MetricDimension[], unit: string): MetricSeries {
    const key = `${account}\u0000${region}\u0000${namespace}\u0000${name}\u0000${unit}\u0000${dimensions.map((d) => `${d.Name}=${d.Value}`).join("\u0001")}`;
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= MAX_SERIES) this.series.clear();
      s = new Series(this, account, region, namespace, name, dimensions, unit);
      this.series.set(key, s);
    }
    return s;
  }

  record(account: string, region: string, namespace: string, name: string, dimensions: MetricDimension[], value: number, unit: string, at: number): void {
    this.of(account, region, namespace, name, dimensions, unit).add(value, at);
  }

  /** A series got a value: flush within a second. */
  touched(s: Series): void {
    this.dirty.add(s);
    this.timer ??= this.host.scheduler.after(FLUSH_EVERY_MS, () => {
      this.timer = undefined;
      void this.flush();
    });
  }

  async flush(): Promise<void> {
    if (!this.dirty.size) return;
    const batch = [...this.dirty];
    this.dirty.clear();
    const calls = new Map<string, { account: string; region: string; namespace: string; data: Record<string, unknown>[] }>();
    for (const s of batch) {
      const key = `${s.account}\u0000${s.region}\u0000${s.namespace}`;
      let c = calls.get(key);
      if (!c) calls.set(key, (c = { account: s.account, region: s.region, namespace: s.namespace, data: [] }));
      for (const [minute, values] of s.minutes) c.data.push(...metricDatums(s.name, s.dimensions, s.unit, minute, values));
      s.minutes.clear();
    }
    for (const c of calls.values()) {
      const who = Object.assign({}, this.host.rootIdentity(c.account, c.region), { invokedBy: this.service });
      for (let i = 0; i < c.data.length; i += MAX_DATUMS) {
        try {
          await this.host.call("cloudwatch", "PutMetricData", { Namespace: c.namespace, MetricData: c.data.slice(i, i + MAX_DATUMS) }, who, { audit: false });
        } catch (e) {
          this.host.logger.warn(`${this.service}: could not publish its ${c.namespace} metrics: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }
}

/**
 * A minute's values of one metric as PutMetricData datums: Values with their Counts, at most 150 to a datum
 * (PutMetricData's limit), so a statistic over them is what it would be over every single value.
 */
export function metricDatums<U extends string>(
  name: string,
  dimensions: MetricDimension[],
  unit: U | undefined,
  minute: number,
  values: Map<number, number>,
): { MetricName: string; Dimensions: MetricDimension[]; Timestamp: Date; Values: number[]; Counts: number[]; Unit?: U }[] {
  const pairs = [...values];
  const out = [];
  for (let i = 0; i < pairs.length; i += MAX_VALUES) {
    const chunk = pairs.slice(i, i + MAX_VALUES);
    out.push({
      MetricName: name,
      Dimensions: dimensions,
      Timestamp: new Date(minute),
      Values: chunk.map(([v]) => v),
      Counts: chunk.map(([, n]) => n),
      ...(unit !== undefined ? { Unit: unit } : {}),
    });
  }
  return out;
}

const byHost = new WeakMap<ServiceHost, Map<string, ServiceMetrics>>();

/** The publisher of `service`'s own metrics on this server. */
export function serviceMetrics(host: ServiceHost, service: string): ServiceMetrics {
  let services = byHost.get(host);
  if (!services) byHost.set(host, (services = new Map()));
  let m = services.get(service);
  if (!m) services.set(service, (m = new ServiceMetrics(host, service)));
  return m;
}
