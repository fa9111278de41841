// CloudWatch Logs: the service at a glance — groups, streams, events (own indexed table), filter patterns, retention, resource policies, subscription filters (Lambda delivery), metric filters, Live Tail sessions.
import { defineService } from "../../core/service.js";
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

const handlers = {
  ...logGroups,
  ...logStreams,
  ...logEvents,
  ...filterHandlers,
  ...resourcePolicies,
  ...subscriptions,
  ...metricFilters,
  ...liveTailHandlers,
} satisfies Partial<CloudwatchLogsApi>;

export default defineService({
  name: "cloudwatch-logs",
  handlers,
  start: (host) => {
    startLiveTail(host);
    return startRetentionSweep(host);
  },
});
