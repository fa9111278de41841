// CloudWatch Logs: the service at a glance — groups, streams, events (own indexed table), filter patterns, retention, resource policies, subscription filters (Lambda delivery).
import { defineService } from "../../core/service.js";
import type { CloudwatchLogsApi } from "./api.generated.js";
import { logGroups } from "./log-groups.js";
import { logStreams } from "./log-streams.js";
import { logEvents } from "./events.js";
import { filterHandlers } from "./filter.js";
import { resourcePolicies } from "./resource-policies.js";
import { subscriptions } from "./subscriptions.js";
import { exportHandlers } from "./exports.js";
import { startLogs } from "./start.js";

const handlers = {
  ...logGroups,
  ...logStreams,
  ...logEvents,
  ...filterHandlers,
  ...resourcePolicies,
  ...subscriptions,
  ...exportHandlers,
} satisfies Partial<CloudwatchLogsApi>;

export default defineService({ name: "cloudwatch-logs", handlers, start: startLogs });
