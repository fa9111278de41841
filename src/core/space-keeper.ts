// Gives the store's freed space back to the file system without a stop: every few seconds (on the runtime's scheduler)
// the store is asked for one bounded step (Store.reclaimSpace, ~1 ms), and while free pages are left, for the next one
// on a later turn of the event loop, so requests run between steps. Deleted SQS messages, CloudWatch Logs events past
// retention, audit events past 90 days and X-Ray's expired segments all end up here as free pages.
import type { Logger } from "./log.js";
import type { Scheduler, Cancel } from "./scheduler.js";
import type { Store } from "./store/types.js";

/** How often the keeper looks (ms); STRATUS_SPACE_INTERVAL_MS overrides (tests use a short one). */
export const SPACE_INTERVAL_MS = 10_000;

export function keepSpace(store: Store, scheduler: Scheduler, logger: Logger, everyMs = SPACE_INTERVAL_MS): Cancel {
  let running = false;
  let stopped = false;
  let given = 0;
  const step = () => {
    if (stopped) return void (running = false);
    try {
      const r = store.reclaimSpace();
      given += r.pages;
      if (r.pages > 0) return void setImmediate(step);
      if (given) logger.debug(`store: gave back ${given} free pages (${r.free} kept for reuse)`);
    } catch (e) {
      logger.warn(`store: giving back free space failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    given = 0;
    running = false;
  };
  const cancel = scheduler.every(everyMs, () => {
    if (running) return;
    running = true;
    step();
  });
  return () => {
    stopped = true;
    cancel();
  };
}
