// CloudWatch Logs: the service at a glance — groups, streams, events (own indexed table), filter patterns, retention, resource policies, subscription filters (Lambda delivery).
import { defineService } from "../../core/service.js";
import type { CloudwatchLogsApi } from "./api.generated.js";
import { logGroups } from "./log-groups.js";
import { logStreams } from "./log-streams.js";
import { logEvents } from "./events.js";
import { filterHandlers } from "./filter.js";
import { resourcePolicies } from "./resource-policies.js";
import { subscriptions } from "./subscriptions.js";
import { startRetentionSweep } from "./retention.js";
import { failInterruptedQueries, queryHandlers } from "./insights/queries.js";
import { definitionHandlers } from "./insights/definitions.js";

const handlers = {
  ...logGroups,
  ...logStreams,
  ...logEvents,
  ...filterHandlers,
  ...resourcePolicies,
  ...subscriptions,
  ...queryHandlers,
  ...definitionHandlers,
} satisfies Partial<CloudwatchLogsApi>;

export default defineService({
  name: "cloudwatch-logs",
  handlers,
  start: (host) => {
    failInterruptedQueries(host);
    return startRetentionSweep(host);
  },
});
