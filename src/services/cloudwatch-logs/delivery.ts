// Sending a subscription's payload to its destination, and retrying what failed. CloudWatch Logs invokes a Lambda
// function asynchronously (InvocationType Event): Lambda queues the event durably before Invoke answers, and a
// function that errors or is throttled while running is retried by Lambda's own asynchronous queue (lambda/async.ts:
// two retries after a function error, backoff up to six hours after a throttle).
// When the Invoke call itself fails, AWS documents: "If the destination service returns a retryable error such as a
// throttling exception or a retryable service exception (HTTP 5xx for example), CloudWatch Logs continues to retry
// delivery for up to 24 hours. CloudWatch Logs does not try to re-deliver if the error is a non-retryable error, such
// as AccessDeniedException or ResourceNotFoundException."
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html — quoted from the user guide as
// remembered, not re-checked against the live page: unverified wording). Retryable failures are stored
// (table delivery-retries) and retried in the background — after 1 s, doubling to at most 5 minutes between attempts
// (AWS does not document its backoff) — so PutLogEvents never waits on a failing destination and a restart resumes them.
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import type { ServiceHost } from "../../core/service.js";
import { logsState, type DeliveryRetryRec } from "./state.js";

const RETRY_FOR_MS = 24 * 3_600_000;
const RETRY_TICK_MS = 1_000;
const backoffMs = (attempts: number) => Math.min(1_000 * 2 ** Math.max(0, attempts - 1), 300_000);

/** Errors AWS retries: throttling and the destination's own faults (5xx); a conflict while the function is not Active. */
function retryable(e: unknown): boolean {
  if (!isServiceError(e)) return true; // Not an answer from the destination at all (a fault in Stratus): try again.
  if (e.status >= 500) return true;
  return ["TooManyRequestsException", "ThrottlingException", "ResourceConflictException", "ServiceException"].includes(e.code);
}

async function invoke(ctx: HandlerContext, destinationArn: string, payload: string): Promise<void> {
  await ctx
    .client("lambda")
    .invoke({ FunctionName: destinationArn, InvocationType: "Event", Payload: Buffer.from(payload) }, { account: ctx.account, region: ctx.region });
}

let retrySeq = 0;
const retryKey = (at: number) => `${String(at).padStart(15, "0")}-${String(++retrySeq).padStart(9, "0")}-${process.pid}`;

/**
 * Delivers one payload to a Lambda destination. A retryable failure is queued for the background retries; a
 * non-retryable one (deleted function, revoked grant) drops the payload, as AWS does.
 */
export async function sendToLambda(ctx: HandlerContext, destinationArn: string, payload: string): Promise<void> {
  try {
    await invoke(ctx, destinationArn, payload);
  } catch (e) {
    if (!retryable(e)) return;
    const now = ctx.now();
    const rec: DeliveryRetryRec = { destinationArn, payload, firstAttempt: now, attempts: 1, nextAttempt: now + backoffMs(1) };
    logsState.of(ctx).deliveryRetries.put(retryKey(rec.nextAttempt), rec);
    // After a restart the service starts with the server, so the retries resume without waiting for a Logs call.
    ctx.startAtBoot();
  }
}

/** One pass over the due retries of every account and region. */
export async function retryDeliveries(runtime: ServiceHost): Promise<void> {
  const now = runtime.clock.now();
  for (const { account, region, tables } of logsState.all(runtime, "deliveryRetries")) {
    const table = tables.deliveryRetries;
    for (const { key, value: r } of table.list()) {
      if (r.nextAttempt > now) continue;
      const ctx = runtime.context("cloudwatch-logs", "PutLogEvents", runtime.rootIdentity(account, region));
      table.delete(key);
      try {
        await invoke(ctx, r.destinationArn, r.payload);
      } catch (e) {
        const at = runtime.clock.now();
        if (!retryable(e) || at - r.firstAttempt >= RETRY_FOR_MS) continue; // Given up, as AWS does after 24 hours.
        const next = { ...r, attempts: r.attempts + 1, nextAttempt: at + backoffMs(r.attempts + 1) };
        table.put(retryKey(next.nextAttempt), next);
      }
    }
  }
}

export function startDeliveryRetries(runtime: ServiceHost): () => void {
  let running = false;
  return runtime.scheduler.every(RETRY_TICK_MS, () => {
    if (running) return;
    running = true;
    retryDeliveries(runtime)
      .catch((e) => runtime.logger.error("could not retry subscription deliveries", e))
      .finally(() => {
        running = false;
      });
  });
}
