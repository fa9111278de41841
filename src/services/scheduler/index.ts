// EventBridge Scheduler: the service at a glance — schedule groups (the default one in every account and region) with
// tags; schedules (at(), rate(), cron() in a time zone, start and end dates, flexible windows) firing from their stored
// next firing, delivered durably off the request's path to templated targets (SQS, SNS, Lambda, EventBridge) and
// universal targets (any operation of a service Stratus runs), with retries and dead-letter queues; AWS/Scheduler metrics.
import { defineService } from "../../core/service.js";
import type { SchedulerApi } from "./api.generated.js";
import { ScheduleTimers } from "./firing.js";
import { groups, resumeGroupDeletions } from "./groups.js";
import { schedules } from "./schedules.js";
import type { SchedulerInstance } from "./state.js";

const handlers = { ...groups, ...schedules } satisfies SchedulerApi;

export default defineService({
  name: "scheduler",
  handlers,
  start(host) {
    const instance: SchedulerInstance = { host, timers: new ScheduleTimers(host) };
    resumeGroupDeletions(host);
    instance.timers.resume();
    return { instance, stop: () => instance.timers.stop() };
  },
});
