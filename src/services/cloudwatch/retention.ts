// AWS's retention and roll-ups as metric data ages: data points of a minute or finer are read at any period for
// 3 hours and at whole minutes after (read-metrics.ts' period rules; raw samples stay exact), then rolled up to
// 5 minutes at 15 days and to the hour at 63 days (each bucket's few distinct values kept with their counts, else one
// statistic set: core/store/metrics.ts rollUp), and deleted at 455 days.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention
import type { ServiceHost } from "../../core/service.js";
import { metricsOf } from "./state.js";

const DAY = 24 * 3600_000;
/** How often the sweep runs (runtime clock). */
export const SWEEP_EVERY_MS = 3600_000;

export function sweepMetrics(host: ServiceHost, now: number): void {
  const store = metricsOf(host);
  store.rollUp(now - 15 * DAY, 1, 300_000);
  store.rollUp(now - 63 * DAY, 2, 3600_000);
  store.expire(now - 455 * DAY);
}
