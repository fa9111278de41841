// CloudWatch Logs: the service at a glance — groups, streams, events (own indexed table), filter patterns, retention, resource policies, subscription filters (Lambda delivery, retries), logical destinations, account-level subscription policies, metric filters, Live Tail sessions, export tasks, KMS encryption (start.ts: what runs beside the handlers).
import { defineService } from "../../core/service.js";
import type { CloudwatchLogsApi } from "./api.generated.js";
import { logGroups } from "./log-groups.js";
import { listLogGroupsHandlers } from "./list-log-groups.js";
import { logStreams } from "./log-streams.js";
import { logEvents } from "./events.js";
import { filterHandlers } from "./filter.js";
import { resourcePolicies } from "./resource-policies.js";
import { subscriptions } from "./subscriptions.js";
import { metricFilters } from "./metric-filters.js";
import { liveTailHandlers } from "./live-tail.js";
import { destinations } from "./destinations.js";
import { accountPolicies } from "./account-policies.js";
import { exportHandlers } from "./exports.js";
import { startLogs } from "./start.js";
import { queryHandlers } from "./insights/queries.js";
import { definitionHandlers } from "./insights/definitions.js";

const handlers = {
  ...logGroups,
  ...listLogGroupsHandlers,
  ...logStreams,
  ...logEvents,
  ...filterHandlers,
  ...resourcePolicies,
  ...subscriptions,
  ...destinations,
  ...accountPolicies,
  ...metricFilters,
  ...liveTailHandlers,
  ...exportHandlers,
  ...queryHandlers,
  ...definitionHandlers,
} satisfies Partial<CloudwatchLogsApi>;

export default defineService({ name: "cloudwatch-logs", handlers, start: startLogs });
