// Cloudtrail: the service at a glance — Event history (LookupEvents) over the audit trail every call writes.
import { defineService } from "../../core/service.js";
import type { CloudtrailApi } from "./api.generated.js";
import { lookupEventsHandlers } from "./lookup-events.js";
import { AuditTrail } from "../../core/audit.js";

const SWEEP_EVERY_MS = 60 * 60 * 1000;

const handlers = {
  ...lookupEventsHandlers,
} satisfies Partial<CloudtrailApi>;

export default defineService({
  name: "cloudtrail",
  handlers,
  // Events past 90 days are deleted on start and hourly (LookupEvents never returns them either way). The running
  // instance is the server's audit trail, which LookupEvents flushes before it reads.
  start(runtime) {
    const trail = runtime.audit;
    if (!(trail instanceof AuditTrail)) throw new Error("CloudTrail needs the server's audit trail");
    const sweep = () => {
      try {
        trail.sweep();
      } catch (e) {
        runtime.logger.error("could not sweep expired audit events", e);
      }
    };
    sweep();
    return { instance: trail, stop: runtime.scheduler.every(SWEEP_EVERY_MS, sweep) };
  },
});
