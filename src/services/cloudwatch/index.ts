// CloudWatch: the service at a glance — metrics (PutMetricData stored raw in the metric store, GetMetricStatistics,
// ListMetrics, GetMetricData with metric math), dashboards and metric alarms evaluated on schedule and on arrival, over
// all three of its protocols (CBOR, JSON 1.0, query); retention swept hourly.
import { defineService } from "../../core/service.js";
import type { CloudwatchApi } from "./api.generated.js";
import { describeAlarmHistory } from "./alarm-history.js";
import { startAlarmEvaluation } from "./alarm-scheduler.js";
import { alarmTags } from "./alarm-tags.js";
import { alarms } from "./alarms.js";
import { anomalyDetectors } from "./anomaly-detectors.js";
import { compositeAlarms } from "./composite-alarms.js";
import { runDueActions } from "./composite-evaluation.js";
import { dashboards } from "./dashboards.js";
import { getMetricData } from "./get-metric-data.js";
import { putMetricData } from "./put-metric-data.js";
import { readMetrics } from "./read-metrics.js";
import { SWEEP_EVERY_MS, sweepMetrics } from "./retention.js";

const handlers = {
  ...putMetricData,
  ...readMetrics,
  ...getMetricData,
  ...anomalyDetectors,
  ...dashboards,
  ...alarms,
  // Composite alarms' handlers see both kinds of alarm (DescribeAlarms, DeleteAlarms, SetAlarmState…) and hand metric
  // alarms to alarms.ts: they come after it.
  ...compositeAlarms,
  ...alarmTags,
  describeAlarmHistory,
} satisfies Partial<CloudwatchApi>;

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
    const stopSweep = host.scheduler.every(SWEEP_EVERY_MS, sweep);
    const stopAlarms = startAlarmEvaluation(host);
    // Composite alarms' actions held back by a suppressor's wait or extension period run when it ends.
    const due = () => {
      try {
        runDueActions(host, host.clock.now());
      } catch (e) {
        host.logger.error("cloudwatch: composite alarm actions failed", e);
      }
    };
    due();
    const stopSuppressed = host.scheduler.every(1000, due);
    return () => {
      stopSweep();
      stopAlarms();
      stopSuppressed();
    };
  },
});
