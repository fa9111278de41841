// SQS: queues (standard and FIFO), messages with visibility, delays, long polling and redrive, and DLQ move tasks.
import { defineService } from "../../core/service.js";
import { sqsResourcePolicy } from "./access.js";
import type { SqsApi } from "./api.generated.js";
import { queueHandlers } from "./queues.js";
import { sendHandlers } from "./send.js";
import { receiveHandlers } from "./receive.js";
import { moveTaskHandlers, resumeMoveTasks } from "./move-tasks.js";
import { Waiters, type SqsInstance } from "./waiters.js";
import { serviceMetrics } from "../../core/service-metrics.js";
import { startQueueSampling } from "./metrics.js";

const handlers = { ...queueHandlers, ...sendHandlers, ...receiveHandlers, ...moveTaskHandlers } satisfies Partial<SqsApi>;

export default defineService({
  name: "sqs",
  handlers,
  resourcePolicy: sqsResourcePolicy,
  // The running instance holds the long polls waiting in this server; move tasks running at the last stop resume.
  start(runtime) {
    const instance: SqsInstance = { waiters: new Waiters(), serverUrl: () => runtime.url, metrics: serviceMetrics(runtime, "sqs") };
    resumeMoveTasks(runtime);
    const stopSampling = startQueueSampling(runtime);
    // Long polls answer as the server starts closing instead of holding the close for up to 20 seconds.
    runtime.onClosing(() => instance.waiters.endAll());
    return { instance, stop: stopSampling };
  },
});
