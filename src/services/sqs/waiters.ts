// Long polling: receives waiting on an empty queue, woken by sends (or a message becoming visible) or their wait's end.
import type { HandlerContext } from "../../core/context.js";
import type { QueueRec } from "./state.js";

// In memory on purpose: a waiter is one open HTTP request, which does not outlive the process. Kept per store, so
// two servers in one process (tests restarting on the same data dir) never wake each other's receives.
const byStore = new WeakMap<object, Map<string, Set<() => void>>>();
const waitersOf = (ctx: HandlerContext) => {
  let m = byStore.get(ctx.store);
  if (!m) byStore.set(ctx.store, (m = new Map()));
  return m;
};

const closing = new WeakSet<object>();

/** The server is closing: long polls answer now (with what they have), so they do not hold the close. */
export function endWaits(store: object): void {
  closing.add(store);
  for (const set of byStore.get(store)?.values() ?? []) for (const w of [...set]) w();
}

export const isClosing = (ctx: HandlerContext): boolean => closing.has(ctx.store);

/** Resolves when the queue may have a message for the caller, or at `until` (runtime clock), whichever is first. */
export function waitForMessages(ctx: HandlerContext, q: QueueRec, until: number): Promise<void> {
  const waiting = waitersOf(ctx);
  if (closing.has(ctx.store)) return Promise.resolve();
  return new Promise((resolve) => {
    let set = waiting.get(q.id);
    if (!set) waiting.set(q.id, (set = new Set()));
    const done = () => {
      cancel();
      set!.delete(done);
      if (set!.size === 0) waiting.delete(q.id);
      resolve();
    };
    const cancel = ctx.scheduler.at(until, done);
    set.add(done);
  });
}

/** Wakes every receive waiting on this queue (they re-check; those that find nothing wait again). */
export function wake(ctx: HandlerContext, q: QueueRec): void {
  const set = waitersOf(ctx).get(q.id);
  if (!set) return;
  for (const w of [...set]) w();
}
