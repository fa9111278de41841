// CloudwatchLogs: the service at a glance.
import { defineService } from "../types.js";
import type { CloudwatchLogsApi } from "./api.generated.js";

const handlers = {} satisfies Partial<CloudwatchLogsApi>;

export default defineService({ name: "cloudwatch-logs", handlers });
