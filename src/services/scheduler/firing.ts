// Firing: every enabled schedule's next firing is kept in its record (`next`, in SQLite) and armed as one timer on
// the runtime scheduler — no tick scans the schedules. When it fires, one transaction stores the invocation (keyed by
// the firing's instant, so it is made once) and moves the schedule to its next firing; the invocation is then
// delivered off the request's path, retried with exponential backoff within the RetryPolicy (AWS's defaults: 185
// retries, 24 hours), and finally sent to the dead-letter queue with AWS's X-Amz-Scheduler-* attributes. At boot,
// invocations still stored resume; a firing that fell due while the server was down is not made up (as rules behave).
import { createHash } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { Cancel } from "../../core/scheduler.js";
import type { ServiceHost } from "../../core/service.js";
import { nextFiring } from "./expression.js";
import { schedulerMetric } from "./metrics.js";
import { type InvocationRec, type ScheduleRec, schedulerState, scheduleKey, transaction } from "./state.js";
import { classify, type DeliveryFailure, deliver, payloadOf, sendToQueue } from "./targets.js";

const DEFAULT_RETRIES = 185;
const DEFAULT_MAX_AGE_S = 86_400;
const MAX_BACKOFF_MS = 60_000;

const bg = (host: ServiceHost, account: string, region: string): HandlerContext =>
  host.context("scheduler", "InvokeTarget", { ...host.rootIdentity(account, region), invokedBy: "scheduler" });

/** The armed timers: one per enabled schedule with a next firing, one per invocation waiting for its attempt. */
export class ScheduleTimers {
  private readonly timers = new Map<string, Cancel>();
  constructor(private readonly host: ServiceHost) {}

  /** Arms (or re-arms, or cancels) the schedule's next firing as its record now says. */
  sync(account: string, region: string, key: string, rec: ScheduleRec | undefined): void {
    const id = `s|${account}/${region}/${key}`;
    this.timers.get(id)?.();
    this.timers.delete(id);
    if (!rec?.next || rec.state !== "ENABLED") return;
    const { nominal, due } = rec.next;
    this.timers.set(
      id,
      this.host.scheduler.at(due, () => {
        this.timers.delete(id);
        this.fire(account, region, key, nominal);
      }),
    );
  }

  private fire(account: string, region: string, key: string, nominal: number): void {
    const t = schedulerState.at(this.host, account, region);
    const rec = t.schedules.get(key);
    if (!rec || rec.state !== "ENABLED" || rec.next?.nominal !== nominal) return;
    // Firings that fell behind (a busy or stopped server) are not replayed: the next one is after now.
    const next = nextFiring(rec, Math.max(nominal, this.host.clock.now()));
    const invId = `${key}|${nominal}`;
    const inv: InvocationRec = {
      schedule: rec.name,
      group: rec.group,
      scheduleArn: rec.arn,
      target: rec.target,
      nominal,
      attempts: 0,
      dueAt: this.host.clock.now(),
      ...(next === undefined && rec.actionAfterCompletion === "DELETE" ? { deleteAfter: true } : {}),
    };
    transaction(this.host, () => {
      t.invocations.put(invId, inv);
      if (next) rec.next = next;
      else delete rec.next;
      t.schedules.put(key, rec);
    });
    this.sync(account, region, key, rec);
    this.armInvocation(account, region, invId, inv.dueAt);
  }

  private armInvocation(account: string, region: string, id: string, at: number): void {
    const tid = `i|${account}/${region}/${id}`;
    this.timers.set(
      tid,
      this.host.scheduler.at(at, () => {
        this.timers.delete(tid);
        this.attempt(account, region, id).catch((e) => this.host.logger.debug(`scheduler: invocation ${id} left pending (${String(e)})`));
      }),
    );
  }

  private async attempt(account: string, region: string, id: string): Promise<void> {
    const t = schedulerState.at(this.host, account, region);
    const inv = t.invocations.get(id);
    if (!inv) return;
    const ctx = bg(this.host, account, region);
    inv.attempts++;
    schedulerMetric(this.host, account, region, "InvocationAttemptCount", inv.group, ctx.now());
    try {
      await deliver(ctx, inv.target, createHash("sha256").update(id).digest("hex"));
      this.finish(account, region, id, inv);
    } catch (e) {
      const f = classify(e);
      const now = ctx.now();
      schedulerMetric(this.host, account, region, /Throttl/i.test(f.code) ? "TargetErrorThrottledCount" : "TargetErrorCount", inv.group, now);
      const retry = inv.target.RetryPolicy;
      const maxAttempts = 1 + (retry?.MaximumRetryAttempts ?? DEFAULT_RETRIES);
      const deadline = inv.nominal + (retry?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (inv.attempts - 1));
      if (f.retry && inv.attempts < maxAttempts && now + delay <= deadline) {
        inv.dueAt = now + delay;
        t.invocations.put(id, inv);
        this.armInvocation(account, region, id, inv.dueAt);
        return;
      }
      await this.deadLetter(ctx, inv, f);
      this.finish(account, region, id, inv);
    }
  }

  /** The invocation is done: forget it, and delete a completed schedule whose ActionAfterCompletion is DELETE. */
  private finish(account: string, region: string, id: string, inv: InvocationRec): void {
    const t = schedulerState.at(this.host, account, region);
    transaction(this.host, () => {
      t.invocations.delete(id);
      if (!inv.deleteAfter) return;
      const key = scheduleKey(inv.group, inv.schedule);
      const rec = t.schedules.get(key);
      if (rec && !rec.next) t.schedules.delete(key);
    });
  }

  /** The firing's payload and why it failed to the target's dead-letter queue (AWS's attributes), or dropped. */
  private async deadLetter(ctx: HandlerContext, inv: InvocationRec, f: DeliveryFailure): Promise<void> {
    const dlq = inv.target.DeadLetterConfig?.Arn;
    if (!dlq) {
      schedulerMetric(this.host, ctx.account, ctx.region, "InvocationDroppedCount", inv.group, ctx.now());
      return;
    }
    // "Retrieve the dead-letter event" (Configuring a dead-letter queue for EventBridge Scheduler): the message
    // attributes of a dead-letter event.
    const s = (v: string) => ({ DataType: "String", StringValue: v });
    try {
      await sendToQueue(ctx, dlq, payloadOf(inv.target), {
        attributes: {
          "X-Amz-Scheduler-Attempt": s(String(inv.attempts)),
          "X-Amz-Scheduler-Error-Code": s(f.code),
          "X-Amz-Scheduler-Error-Message": s(f.message.slice(0, 1000) || f.code),
          "X-Amz-Scheduler-Group": s(inv.group),
          "X-Amz-Scheduler-Schedule": s(inv.schedule),
          "X-Amz-Scheduler-Schedule-Arn": s(inv.scheduleArn),
          "X-Amz-Scheduler-Target-Arn": s(inv.target.Arn),
        },
      });
      schedulerMetric(this.host, ctx.account, ctx.region, "InvocationsSentToDeadLetterCount", inv.group, ctx.now());
    } catch {
      schedulerMetric(this.host, ctx.account, ctx.region, "InvocationsFailedToBeSentToDeadLetterCount", inv.group, ctx.now());
    }
  }

  /**
   * The service's start: every stored invocation is attempted again, and every enabled schedule armed for its next
   * firing — one that fell due while the server was down moves on to the first firing after now.
   */
  resume(): void {
    const now = this.host.clock.now();
    for (const { account, region, tables } of schedulerState.all(this.host, "invocations"))
      for (const { key, value } of tables.invocations.list()) this.armInvocation(account, region, key, value.dueAt);
    for (const { account, region, tables } of schedulerState.all(this.host, "schedules"))
      for (const { key, value } of tables.schedules.list()) {
        if (value.next && value.next.due < now) {
          value.next = nextFiring(value, now);
          if (!value.next) delete value.next;
          tables.schedules.put(key, value);
        }
        this.sync(account, region, key, value);
      }
  }

  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }
}
