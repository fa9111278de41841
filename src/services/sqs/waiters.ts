// Long polling: receives waiting on an empty queue, woken by sends (or a message becoming visible) or their wait's end.
import type { HandlerContext } from "../../core/context.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import type { QueueRec } from "./state.js";

/**
 * The receives waiting in this server, by queue id. In memory on purpose: a waiter is one open HTTP request, which
 * does not outlive the process. One per running SQS (the service's instance), so two servers in one process (tests
 * restarting on the same data dir) never wake each other's receives.
 */
export class Waiters {
  private readonly byQueue = new Map<string, Set<() => void>>();
  private closing = false;

  /** The server is closing: long polls answer now (with what they have), so they do not hold the close. */
  endAll(): void {
    this.closing = true;
    for (const set of this.byQueue.values()) for (const w of [...set]) w();
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Resolves when the queue may have a message for the caller, or at `until` (runtime clock), whichever is first. */
  waitFor(ctx: HandlerContext, q: QueueRec, until: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    const waiting = this.byQueue;
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
  wake(q: QueueRec): void {
    const set = this.byQueue.get(q.id);
    if (!set) return;
    for (const w of [...set]) w();
  }
}

/** What SQS's start hook returns: the running service's state that is not in the store. */
export interface SqsInstance {
  waiters: Waiters;
  /** AWS/SQS's metrics (metrics.ts). */
  metrics: ServiceMetrics;
  /** The URL this server listens on (for queue URLs handed to in-process callers, e.g. CloudFormation's Ref). */
  serverUrl(): string | undefined;
}

const waitersOf = (ctx: HandlerContext): Waiters => ctx.instance<SqsInstance>().waiters;

export const isClosing = (ctx: HandlerContext): boolean => waitersOf(ctx).isClosing;

/** Resolves when the queue may have a message for the caller, or at `until` (runtime clock), whichever is first. */
export const waitForMessages = (ctx: HandlerContext, q: QueueRec, until: number): Promise<void> => waitersOf(ctx).waitFor(ctx, q, until);

/** Wakes every receive waiting on this queue (they re-check; those that find nothing wait again). */
export const wake = (ctx: HandlerContext, q: QueueRec): void => waitersOf(ctx).wake(q);
