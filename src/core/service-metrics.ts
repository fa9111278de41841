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

interface Pending {
  account: string;
  region: string;
  namespace: string;
  name: string;
  dimensions: MetricDimension[];
  unit: string;
  minute: number;
  values: Map<number, number>;
}

const FLUSH_EVERY_MS = 1000;
const MINUTE = 60_000;
/** PutMetricData's limits: values per datum, datums per call. */
const MAX_VALUES = 150;
const MAX_DATUMS = 1000;

export class ServiceMetrics {
  private pending = new Map<string, Pending>();
  private timer: (() => void) | undefined;

  constructor(
    private readonly host: ServiceHost,
    private readonly service: string,
  ) {
    host.onDrain(() => this.flush());
  }

  record(account: string, region: string, namespace: string, name: string, dimensions: MetricDimension[], value: number, unit: string, at: number): void {
    const minute = Math.floor(at / MINUTE) * MINUTE;
    const key = `${account}\u0000${region}\u0000${namespace}\u0000${name}\u0000${unit}\u0000${minute}\u0000${dimensions.map((d) => `${d.Name}=${d.Value}`).join("\u0001")}`;
    let p = this.pending.get(key);
    if (!p) {
      p = { account, region, namespace, name, dimensions, unit, minute, values: new Map() };
      this.pending.set(key, p);
    }
    p.values.set(value, (p.values.get(value) ?? 0) + 1);
    this.timer ??= this.host.scheduler.after(FLUSH_EVERY_MS, () => {
      this.timer = undefined;
      void this.flush();
    });
  }

  async flush(): Promise<void> {
    if (!this.pending.size) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    const calls = new Map<string, { account: string; region: string; namespace: string; data: Record<string, unknown>[] }>();
    for (const p of batch) {
      const key = `${p.account}\u0000${p.region}\u0000${p.namespace}`;
      let c = calls.get(key);
      if (!c) calls.set(key, (c = { account: p.account, region: p.region, namespace: p.namespace, data: [] }));
      const pairs = [...p.values];
      for (let i = 0; i < pairs.length; i += MAX_VALUES) {
        const chunk = pairs.slice(i, i + MAX_VALUES);
        c.data.push({
          MetricName: p.name,
          Dimensions: p.dimensions,
          Timestamp: new Date(p.minute),
          Values: chunk.map(([v]) => v),
          Counts: chunk.map(([, n]) => n),
          Unit: p.unit,
        });
      }
    }
    for (const c of calls.values()) {
      const who = { ...this.host.rootIdentity(c.account, c.region), invokedBy: this.service };
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

const byHost = new WeakMap<ServiceHost, Map<string, ServiceMetrics>>();

/** The publisher of `service`'s own metrics on this server. */
export function serviceMetrics(host: ServiceHost, service: string): ServiceMetrics {
  let services = byHost.get(host);
  if (!services) byHost.set(host, (services = new Map()));
  let m = services.get(service);
  if (!m) services.set(service, (m = new ServiceMetrics(host, service)));
  return m;
}
