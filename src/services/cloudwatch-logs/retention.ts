// The retention sweep: events past a group's retention are deleted hourly on the runtime's scheduler
// (queries already hide them, so the sweep only reclaims space and keeps storedBytes honest).
import type { ServiceHost } from "../../core/service.js";
import { eventStore, logsState, retentionFloor, transaction } from "./state.js";

export const SWEEP_EVERY_MS = 60 * 60 * 1000;

export function sweepExpiredEvents(runtime: ServiceHost): number {
  const events = eventStore(runtime);
  const now = runtime.clock.now();
  let deleted = 0;
  for (const { tables } of logsState.all(runtime, "groups")) {
    const table = tables.groups;
    for (const { key, value: g } of table.list()) {
      if (!g.retentionInDays) continue;
      transaction(runtime, () => {
        const { count, bytes } = events.deleteBefore(g.id, retentionFloor(g, now));
        if (!count) return;
        deleted += count;
        // Re-read inside the transaction: a PutLogEvents may have moved storedBytes since the list.
        const current = table.get(key);
        if (current && current.id === g.id) table.put(key, { ...current, storedBytes: Math.max(0, current.storedBytes - bytes) });
      });
    }
  }
  return deleted;
}

export function startRetentionSweep(runtime: ServiceHost): () => void {
  const sweep = () => {
    try {
      sweepExpiredEvents(runtime);
    } catch (e) {
      runtime.logger.error("could not sweep expired log events", e);
    }
  };
  sweep();
  return runtime.scheduler.every(SWEEP_EVERY_MS, sweep);
}
