// Cloudtrail: the service at a glance — Event history (LookupEvents) over the audit trail every call writes; trails
// delivering the calls they select to S3, CloudWatch Logs and SNS, with digests and Insights (engine.ts); management
// calls as EventBridge events.
import { defineService } from "../../core/service.js";
import type { CloudtrailApi } from "./api.generated.js";
import { lookupEventsHandlers } from "./lookup-events.js";
import { AuditTrail } from "../../core/audit.js";
import { trailHandlers } from "./trails.js";
import { selectorHandlers } from "./selector-handlers.js";
import { publicKeyHandlers } from "./digest.js";
import { TrailEngine } from "./engine.js";

const SWEEP_EVERY_MS = 60 * 60 * 1000;

const handlers = {
  ...lookupEventsHandlers,
  ...trailHandlers,
  ...selectorHandlers,
  ...publicKeyHandlers,
} satisfies Partial<CloudtrailApi>;

export default defineService({
  name: "cloudtrail",
  handlers,
  // Events past 90 days are deleted on start and hourly (LookupEvents never returns them either way). The running
  // instance is the trail engine over the server's audit trail, which LookupEvents flushes before it reads. Once
  // started, CloudTrail starts with the server (its trails deliver, its EventBridge events flow, after a restart).
  start(runtime) {
    const trail = runtime.audit;
    if (!(trail instanceof AuditTrail)) throw new Error("CloudTrail needs the server's audit trail");
    runtime.context("cloudtrail", "Start", runtime.rootIdentity()).startAtBoot();
    const sweep = () => {
      try {
        trail.sweep();
      } catch (e) {
        runtime.logger.error("could not sweep expired audit events", e);
      }
    };
    sweep();
    const engine = new TrailEngine(runtime, trail);
    const stopEngine = engine.start();
    const stopSweep = runtime.scheduler.every(SWEEP_EVERY_MS, sweep);
    return {
      instance: engine,
      stop: () => {
        stopEngine();
        stopSweep();
      },
    };
  },
});
