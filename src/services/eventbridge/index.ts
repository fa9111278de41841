// EventBridge: the service at a glance — event buses (the default one in every account and region), rules with
// event patterns, targets (SQS, SNS, Lambda, event buses) with input transformation, retries and dead-letter
// queues, delivered durably off the request's path; PutEvents; archives and replays; tags; AWS/Events metrics.
import { defineService } from "../../core/service.js";
import { ebResourcePolicy } from "./access.js";
import type { EventbridgeApi } from "./api.generated.js";
import { sweepArchives, sweepEveryMs } from "./archive-store.js";
import { archives } from "./archives.js";
import { buses } from "./buses.js";
import { resumePending } from "./delivery.js";
import { BusMatchers } from "./matcher.js";
import { putEvents } from "./put-events.js";
import { replays, resumeReplays } from "./replays.js";
import { rules } from "./rules.js";
import { RuleSchedules } from "./schedules.js";
import type { EbInstance } from "./state.js";
import { tagging } from "./tags.js";
import { targets } from "./targets.js";

const handlers = {
  ...buses,
  ...rules,
  ...targets,
  ...putEvents,
  ...tagging,
  ...archives,
  ...replays,
} satisfies Partial<EventbridgeApi>;

export default defineService({
  name: "eventbridge",
  handlers,
  resourcePolicy: ebResourcePolicy,
  start(host) {
    const instance: EbInstance = { host, schedules: new RuleSchedules(host), matchers: new BusMatchers(), replaying: new Set() };
    // Deliveries acknowledged before a restart (or kill -9) and not yet done go out now; scheduled rules tick again;
    // replays not ended go on from their last batch; archives drop what their retention no longer keeps.
    resumePending(host);
    instance.schedules.resume();
    resumeReplays(instance);
    const sweep = () => {
      try {
        sweepArchives(host);
      } catch {
        /* the store closed with the server */
      }
    };
    sweep();
    const stopSweep = host.scheduler.every(sweepEveryMs(), sweep);
    return {
      instance,
      stop: () => {
        instance.schedules.stop();
        stopSweep();
      },
    };
  },
});
