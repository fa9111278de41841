// CloudWatch: the service at a glance — metrics (PutMetricData stored raw in the metric store, GetMetricStatistics,
// ListMetrics) and dashboards, over all three of its protocols (CBOR, JSON 1.0, query); retention swept hourly.
import { defineService } from "../../core/service.js";
import type { CloudwatchApi } from "./api.generated.js";
import { dashboards } from "./dashboards.js";
import { getMetricData } from "./get-metric-data.js";
import { putMetricData } from "./put-metric-data.js";
import { readMetrics } from "./read-metrics.js";
import { SWEEP_EVERY_MS, sweepMetrics } from "./retention.js";

const handlers = { ...putMetricData, ...readMetrics, ...getMetricData, ...dashboards } satisfies Partial<CloudwatchApi>;

export default defineService({
  name: "cloudwatch",
  handlers,
  start(host) {
    const sweep = () => {
      try {
        sweepMetrics(host, host.clock.now());
      } catch (e) {
        host.logger.error("cloudwatch: metric retention sweep failed", e);
      }
    };
    sweep();
    return host.scheduler.every(SWEEP_EVERY_MS, sweep);
  },
});
