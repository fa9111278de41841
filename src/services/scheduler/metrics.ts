// AWS/Scheduler metrics (https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html):
// InvocationAttemptCount per attempt to invoke a target, TargetErrorCount per attempt the target refused,
// TargetErrorThrottledCount when it was throttling, InvocationDroppedCount when a firing is finally given up with no
// dead-letter queue, InvocationsSentToDeadLetterCount / InvocationsFailedToBeSentToDeadLetterCount for the DLQ — each a
// Count for the account and by ScheduleGroup. Published through core/service-metrics.ts.
import { serviceMetrics } from "../../core/service-metrics.js";
import type { ServiceHost } from "../../core/service.js";

export type SchedulerMetric =
  | "InvocationAttemptCount"
  | "TargetErrorCount"
  | "TargetErrorThrottledCount"
  | "InvocationDroppedCount"
  | "InvocationsSentToDeadLetterCount"
  | "InvocationsFailedToBeSentToDeadLetterCount";

export function schedulerMetric(host: ServiceHost, account: string, region: string, name: SchedulerMetric, group: string, at: number): void {
  const m = serviceMetrics(host, "scheduler");
  m.record(account, region, "AWS/Scheduler", name, [], 1, "Count", at);
  m.record(account, region, "AWS/Scheduler", name, [{ Name: "ScheduleGroup", Value: group }], 1, "Count", at);
}
