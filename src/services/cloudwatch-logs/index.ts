// CloudWatch Logs: the service at a glance — groups, streams, events (own indexed table), filter patterns, retention, resource policies, subscription filters (Lambda delivery, retries), logical destinations, account-level subscription policies, metric filters, Live Tail sessions.
import { defineService, type ServiceHost } from "../../core/service.js";
import type { CloudwatchLogsApi } from "./api.generated.js";
import { logGroups } from "./log-groups.js";
import { logStreams } from "./log-streams.js";
import { logEvents } from "./events.js";
import { filterHandlers } from "./filter.js";
import { resourcePolicies } from "./resource-policies.js";
import { subscriptions } from "./subscriptions.js";
import { metricFilters } from "./metric-filters.js";
import { startRetentionSweep } from "./retention.js";
import { liveTailHandlers, startLiveTail } from "./live-tail.js";
import { destinations } from "./destinations.js";
import { accountPolicies } from "./account-policies.js";
import { startDeliveryRetries } from "./delivery.js";
import { serviceMetrics } from "../../core/service-metrics.js";
import type { LogsInstance } from "./state.js";

const handlers = {
  ...logGroups,
  ...logStreams,
  ...logEvents,
  ...filterHandlers,
  ...resourcePolicies,
  ...subscriptions,
  ...destinations,
  ...accountPolicies,
  ...metricFilters,
  ...liveTailHandlers,
} satisfies Partial<CloudwatchLogsApi>;

function start(host: ServiceHost): { instance: LogsInstance; stop(): void } {
  startLiveTail(host);
  const stops = [startRetentionSweep(host), startDeliveryRetries(host)];
  return { instance: { metrics: serviceMetrics(host, "cloudwatch-logs") }, stop: () => stops.forEach((stop) => stop()) };
}

export default defineService({ name: "cloudwatch-logs", handlers, start });
