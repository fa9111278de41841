// Asynchronous invocation (InvocationType Event), as Lambda's internal event queue does it: the event is
// stored before Invoke answers 202 and runs in the background through the engine (so under concurrency).
// A function error or a platform error (timeout, crash) is retried up to MaximumRetryAttempts (default 2)
// after 1 then 2 minutes; a throttle or system error goes back on the queue with exponential backoff
// (1 s doubling to 5 min) until MaximumEventAgeInSeconds (default 6 h). The outcome goes to the
// OnSuccess / OnFailure destinations of the event invoke config and, on failure, to the function's
// dead-letter queue. Events are durable: a restart resumes them (the start hook calls startAsyncQueue).
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import type { ServiceHost } from "../../core/service.js";
import { embed, sendDeadLetter, sendRecord, type Condition, type InvocationRecord } from "./destinations.js";
import type { InvokeResult } from "./engine/index.js";
import { checkRunnable, runNow } from "./invoke.js";
import { invokeConfigFor } from "./invoke-configs.js";
import type { EventInvokeConfigRec, Resolved } from "./state.js";
import { LATEST, functionArn, lambdaState, resolveFunction } from "./state.js";
import { running } from "./running.js";
import { recordAsync, type MetricTarget } from "./engine/metrics.js";

const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE_SECONDS = 21_600;
/** Waits before the retries that follow a function error: 1 minute, then 2 minutes. */
const retryDelayMs = (retry: number) => retry * 60_000;
/** Backoff after a throttle or system error: 1 s after the first, doubling, at most 5 minutes. */
const backoffMs = (throttles: number) => Math.min(1000 * 2 ** Math.max(0, throttles - 1), 300_000);

interface LastResponse {
  statusCode: number;
  executedVersion?: string;
  functionError?: string;
  /** The answer or the error document, as text. */
  payload: string;
}

/** One queued event (table "async-events", per account+region, key time-ordered). */
export interface AsyncEventRec {
  requestId: string;
  functionName: string;
  qualifier?: string;
  /** The function the event was queued for: one deleted and created again under its name does not get it. */
  fnCreatedAt: number;
  payload: string;
  enqueuedAt: number;
  dueAt: number;
  /** Invocations that reached the function (approximateInvokeCount). */
  attempts: number;
  /** Retries used after function errors. */
  retries: number;
  /** Throttles and system errors in a row (the backoff exponent). */
  throttles: number;
  last?: LastResponse;
}

const events = (ctx: HandlerContext) => lambdaState.of(ctx).asyncEvents;

/** What an event's AWS/Lambda metrics are published under (engine/metrics.ts). */
const target = (ctx: HandlerContext, rec: AsyncEventRec): MetricTarget => ({
  account: ctx.account,
  region: ctx.region,
  functionName: rec.functionName,
  ...(rec.qualifier !== undefined ? { qualifier: rec.qualifier } : {}),
});

/** This server's queue: part of Lambda's running instance. */
export interface AsyncQueue {
  runtime: ServiceHost;
  stopped: boolean;
  /** Events being attempted now (scope/id), so a duplicate timer never runs one twice at once. */
  running: Set<string>;
  stop(): void;
}
type Queue = AsyncQueue;

let seq = 0;

/** A key that sorts in enqueue order. */
const eventId = (now: number) => `${String(now).padStart(15, "0")}-${String(seq++ % 1e6).padStart(6, "0")}-${randomUUID()}`;

/** Stores the event (before Invoke answers 202) and schedules its first attempt. */
export function enqueue(ctx: HandlerContext, r: Resolved, payload: Buffer): void {
  const now = ctx.now();
  const id = eventId(now);
  const rec: AsyncEventRec = {
    requestId: ctx.requestId ?? randomUUID(),
    functionName: r.fn.name,
    ...(r.qualifier !== undefined ? { qualifier: r.qualifier } : {}),
    fnCreatedAt: r.fn.createdAt,
    payload: payload.toString("utf8"),
    enqueuedAt: now,
    dueAt: now,
    attempts: 0,
    retries: 0,
    throttles: 0,
  };
  events(ctx).put(id, rec);
  ctx.startAtBoot();
  const host = running(ctx)?.queue?.runtime;
  if (host) recordAsync(host, target(ctx, rec), "AsyncEventsReceived", 1, "Count", now);
  const q = running(ctx)?.queue;
  if (q && !q.stopped) arm(q, ctx.account, ctx.region, id, now);
}

/** Starts this server's queue (from Lambda's start hook): resumes every event still pending. */
export function startAsyncQueue(runtime: ServiceHost): AsyncQueue {
  const q: Queue = {
    runtime,
    stopped: false,
    running: new Set(),
    stop: () => void (q.stopped = true),
  };
  for (const { account, region, tables } of lambdaState.all(runtime, "asyncEvents")) {
    for (const { key, value } of tables.asyncEvents.list()) arm(q, account, region, key, value.dueAt);
  }
  return q;
}

function arm(q: Queue, account: string, region: string, id: string, at: number): void {
  q.runtime.scheduler.at(at, () => {
    attempt(q, account, region, id).catch((e: unknown) => {
      if (!q.stopped) q.runtime.logger.error(`lambda: asynchronous event ${id} failed unexpectedly`, e);
    });
  });
}

function backgroundContext(q: Queue, account: string, region: string, requestId: string): HandlerContext {
  return q.runtime.context("lambda", "Invoke", { ...q.runtime.rootIdentity(account, region), requestId });
}

async function attempt(q: Queue, account: string, region: string, id: string): Promise<void> {
  const key = `${account}/${region}/${id}`;
  if (q.stopped || q.running.has(key)) return;
  const probe = lambdaState.at(q.runtime, account, region).asyncEvents.get(id);
  if (!probe) return; // done already
  const ctx = backgroundContext(q, account, region, probe.requestId);
  const t = events(ctx);
  let r: Resolved | undefined;
  try {
    r = resolveFunction(ctx, probe.functionName, probe.qualifier);
  } catch {
    r = undefined;
  }
  if (!r || r.fn.createdAt !== probe.fnCreatedAt) {
    // The function (or the version or alias it named) was deleted: its pending events go with it.
    t.delete(id);
    recordAsync(q.runtime, target(ctx, probe), "AsyncEventsDropped", 1, "Count", ctx.now());
    q.runtime.logger.debug(`lambda: dropped asynchronous event ${probe.requestId}: ${functionArn(ctx, probe.functionName, probe.qualifier)} no longer exists`);
    return;
  }
  const rec = { ...probe };
  const cfg = invokeConfigFor(ctx, rec.functionName, rec.qualifier);
  const maxRetries = cfg?.MaximumRetryAttempts ?? DEFAULT_RETRIES;
  const maxAgeMs = (cfg?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
  if (ctx.now() - rec.enqueuedAt >= maxAgeMs) return finish(q, ctx, id, rec, r, cfg, "EventAgeExceeded");
  // Reserved concurrency 0: Lambda sends new events to the failure destinations at once, without retries.
  if (r.fn.reservedConcurrency === 0) {
    rec.last = throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
    recordAsync(q.runtime, target(ctx, rec), "Throttles", 1, "Count", ctx.now());
    return finish(q, ctx, id, rec, r, cfg, "RetriesExhausted");
  }

  q.running.add(key);
  // AsyncEventAge: from when the event was queued to this attempt to invoke the function.
  recordAsync(q.runtime, target(ctx, rec), "AsyncEventAge", ctx.now() - rec.enqueuedAt, "Milliseconds", ctx.now());
  let out: InvokeResult | undefined;
  let error: unknown;
  try {
    checkRunnable(r);
    out = await runNow(ctx, r, Buffer.from(rec.payload, "utf8"), { requestId: rec.requestId, queued: true });
  } catch (e) {
    error = e;
  } finally {
    q.running.delete(key);
  }
  // Stopping: the event stays as it is and runs again after the restart.
  if (q.stopped) return;

  if (out) {
    rec.attempts++;
    rec.throttles = 0;
    rec.last = {
      statusCode: 200,
      executedVersion: out.executedVersion,
      ...(out.functionError ? { functionError: out.functionError } : {}),
      payload: out.payload.toString("utf8"),
    };
    if (!out.functionError) return finish(q, ctx, id, rec, r, cfg, "Success");
    if (rec.retries >= maxRetries) return finish(q, ctx, id, rec, r, cfg, "RetriesExhausted");
    rec.retries++;
    return reschedule(q, ctx, id, rec, ctx.now() + retryDelayMs(rec.retries), r, cfg, maxAgeMs);
  }

  // Throttled (429), not yet runnable (Pending), or a system error: back on the queue with backoff, until the
  // event is too old. Other invocation errors (an unusable runtime, say) count as failed attempts.
  const status = isServiceError(error) ? error.status : 500;
  const code = isServiceError(error) ? error.code : "ServiceException";
  const message = error instanceof Error ? error.message : String(error);
  if (status === 429 || status >= 500 || code === "ResourceConflictException") {
    rec.throttles++;
    rec.last = { statusCode: status, payload: JSON.stringify({ errorMessage: message, errorType: code }) };
    return reschedule(q, ctx, id, rec, ctx.now() + backoffMs(rec.throttles), r, cfg, maxAgeMs);
  }
  rec.attempts++;
  rec.last = { statusCode: status, functionError: "Unhandled", payload: JSON.stringify({ errorMessage: message, errorType: code }) };
  if (rec.retries >= maxRetries) return finish(q, ctx, id, rec, r, cfg, "RetriesExhausted");
  rec.retries++;
  return reschedule(q, ctx, id, rec, ctx.now() + retryDelayMs(rec.retries), r, cfg, maxAgeMs);
}

function throttled(reason: string): LastResponse {
  return { statusCode: 429, payload: JSON.stringify({ errorMessage: "Rate Exceeded.", errorType: "TooManyRequestsException", Reason: reason }) };
}

/** Puts the event back on the queue for `at`, or gives it up when it would be too old by then. */
async function reschedule(
  q: Queue,
  ctx: HandlerContext,
  id: string,
  rec: AsyncEventRec,
  at: number,
  r: Resolved,
  cfg: EventInvokeConfigRec | undefined,
  maxAgeMs: number,
): Promise<void> {
  if (at - rec.enqueuedAt > maxAgeMs) return finish(q, ctx, id, rec, r, cfg, "EventAgeExceeded");
  rec.dueAt = at;
  events(ctx).put(id, rec);
  arm(q, ctx.account, ctx.region, id, at);
}

/** The event is done: its record to the matching destination, on failure the event to the dead-letter queue. */
async function finish(
  q: Queue,
  ctx: HandlerContext,
  id: string,
  rec: AsyncEventRec,
  r: Resolved,
  cfg: EventInvokeConfigRec | undefined,
  condition: Condition,
): Promise<void> {
  const success = condition === "Success";
  const destination = success ? cfg?.DestinationConfig?.OnSuccess?.Destination : cfg?.DestinationConfig?.OnFailure?.Destination;
  const arn = functionArn(ctx, rec.functionName, rec.qualifier ?? LATEST);
  if (destination) {
    const record: InvocationRecord = {
      version: "1.0",
      timestamp: new Date(ctx.now()).toISOString(),
      requestContext: { requestId: rec.requestId, functionArn: arn, condition, approximateInvokeCount: rec.attempts },
      requestPayload: embed(rec.payload),
      ...(rec.last
        ? {
            responseContext: {
              statusCode: rec.last.statusCode,
              ...(rec.last.executedVersion ? { executedVersion: rec.last.executedVersion } : {}),
              ...(rec.last.functionError ? { functionError: rec.last.functionError } : {}),
            },
            responsePayload: embed(rec.last.payload),
          }
        : {}),
    };
    await sendRecord(ctx, destination, record).catch((e: unknown) => {
      recordAsync(q.runtime, target(ctx, rec), "DestinationDeliveryFailures", 1, "Count", ctx.now());
      q.runtime.logger.warn(
        `lambda: could not send the ${condition} record of ${arn} request ${rec.requestId} to ${destination}: ${(e as Error).message ?? e}`,
      );
    });
  }
  const dlq = success ? undefined : r.version.config.DeadLetterConfig?.TargetArn;
  if (dlq) {
    await sendDeadLetter(ctx, dlq, rec.payload, {
      requestId: rec.requestId,
      errorCode: rec.last?.statusCode ?? 200,
      errorMessage: errorMessageOf(rec.last, condition),
    }).catch((e: unknown) => {
      recordAsync(q.runtime, target(ctx, rec), "DeadLetterErrors", 1, "Count", ctx.now());
      q.runtime.logger.warn(`lambda: could not send request ${rec.requestId} of ${arn} to its dead-letter queue ${dlq}: ${(e as Error).message ?? e}`);
    });
  }
  if (q.stopped) return;
  events(ctx).delete(id);
  // An event that never ran successfully is dropped (after going to the DLQ or OnFailure destination, if any).
  if (!success) recordAsync(q.runtime, target(ctx, rec), "AsyncEventsDropped", 1, "Count", ctx.now());
}

function errorMessageOf(last: LastResponse | undefined, condition: Condition): string {
  if (!last) return condition === "EventAgeExceeded" ? "Event age exceeded" : "Unknown error";
  const doc = embed(last.payload);
  if (doc && typeof doc === "object" && typeof (doc as { errorMessage?: unknown }).errorMessage === "string")
    return (doc as { errorMessage: string }).errorMessage;
  return last.payload;
}
