// Matched events to their targets, off the request's path but durably: PutEvents stores one pending delivery per
// (event, target) before it answers, and the scheduler runs them; a restart re-arms what is still pending. A failed
// invocation is retried with exponential backoff while the target's RetryPolicy allows (AWS's defaults: 185
// attempts, 24 hours); a missing target or missing permission is not retried (AWS: "Using dead-letter queues to
// process undelivered events"). Then the event goes to the target's dead-letter queue, if it has one.
import { randomUUID } from "node:crypto";
import { parseArn, partitionOf } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import type { ServiceHost } from "../../core/service.js";
import { lambdaPermits } from "../lambda/internal.js";
import { topicPermits } from "../sns/internal.js";
import type { SendMessageRequest } from "../sqs/api.generated.js";
import { queuePermits } from "../sqs/internal.js";
import type { Target } from "./api.generated.js";
import { ARCHIVE_MANAGER, archiveEvent } from "./archive-store.js";
import { accountRoot, mayPutEvents, resolveBus } from "./cross-account.js";
import { matchingRules } from "./matcher.js";
import { eventsMetric } from "./metrics.js";
import { busNameOf, ebState, type PendingRec, type RuleRec } from "./state.js";
import { targetKind } from "./targets.js";
import { payloadFor } from "./transform.js";

const DEFAULT_RETRIES = 185;
const DEFAULT_MAX_AGE_S = 86_400;
const MAX_BACKOFF_MS = 60_000;
/** The service principal a function's resource policy must allow (AWS: "Amazon EventBridge resource-based policies"). */
export const EVENTS_PRINCIPAL = "events.amazonaws.com";

/** Why an invocation failed: ERROR_CODE / ERROR_MESSAGE of the dead-letter message, and whether to retry. */
class DeliveryFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

const at = (host: ServiceHost, account: string, region: string): HandlerContext => host.context("eventbridge", "PutEvents", host.rootIdentity(account, region));

/**
 * Matches an event against the enabled rules of `bus` in (account, region) and stores a pending delivery for each of
 * their targets, armed on the scheduler. Returns the rules matched. Runs inside the caller's request (PutEvents)
 * or delivery (a bus target), so what it stores commits before that answers.
 */
export function ingest(
  host: ServiceHost,
  account: string,
  region: string,
  bus: string,
  event: Record<string, unknown>,
  ingested: number,
  only?: ReadonlySet<string>,
): RuleRec[] {
  const t = ebState.at(host, account, region);
  let matched = matchingRules(host, t, account, region, bus, event);
  // A replay with FilterArns goes to those rules only.
  if (only) matched = matched.filter((r) => only.has(r.arn));
  for (const rule of matched) eventsMetric(host, account, region, "TriggeredRules", rule.name, ingested);
  if (!matched.length) return matched;
  eventsMetric(host, account, region, "MatchedEvents", undefined, ingested);
  for (const rule of matched) deliverToTargets(host, account, region, rule, event, ingested);
  return matched;
}

/** Stores a pending delivery of the event to each of the rule's targets and arms them (a matched event, a schedule's tick). */
export function deliverToTargets(host: ServiceHost, account: string, region: string, rule: RuleRec, event: Record<string, unknown>, ingested: number): void {
  if (!rule.targets.length) return;
  const t = ebState.at(host, account, region);
  // An archive's managed rule: the event is stored in the archive now, in the caller's transaction.
  if (rule.managedBy === ARCHIVE_MANAGER) return archiveEvent(t, rule, event, ingested);
  const ctx = at(host, account, region);
  for (const target of rule.targets) {
    const id = randomUUID();
    t.pending.put(id, { event, ruleArn: rule.arn, ruleName: rule.name, target, ingested, attempts: 0, dueAt: ingested });
    arm(host, ctx, id, ingested);
  }
  ctx.startAtBoot();
}

function arm(host: ServiceHost, ctx: HandlerContext, id: string, dueAt: number): void {
  ctx.scheduler.at(dueAt, () => {
    attempt(host, ctx, id).catch(() => {
      /* the store closed with the server: the delivery stays pending for the next start */
    });
  });
}

/** Re-arms every delivery still pending in the store (all accounts and regions), after a restart. */
export function resumePending(host: ServiceHost): void {
  for (const { account, region, tables } of ebState.all(host, "pending")) {
    const ctx = at(host, account, region);
    for (const { key, value } of tables.pending.list()) arm(host, ctx, key, value.dueAt);
  }
}

async function attempt(host: ServiceHost, ctx: HandlerContext, id: string): Promise<void> {
  const t = ebState.of(ctx);
  const rec = t.pending.get(id);
  if (!rec) return;
  rec.attempts++;
  try {
    await invoke(ctx, host, rec);
    t.pending.delete(id);
    eventsMetric(host, ctx.account, ctx.region, "Invocations", rec.ruleName, ctx.now());
  } catch (e) {
    const f = e instanceof DeliveryFailure ? e : classify(e);
    const retry = rec.target.RetryPolicy;
    const maxAttempts = 1 + (retry?.MaximumRetryAttempts ?? DEFAULT_RETRIES);
    const deadline = rec.ingested + (retry?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (rec.attempts - 1));
    const now = ctx.now();
    if (f.retry && rec.attempts < maxAttempts && now + delay <= deadline) {
      rec.dueAt = now + delay;
      t.pending.put(id, rec);
      arm(host, ctx, id, rec.dueAt);
      return;
    }
    eventsMetric(host, ctx.account, ctx.region, "FailedInvocations", rec.ruleName, now);
    const exhausted = !f.retry ? undefined : rec.attempts >= maxAttempts ? "MaximumRetryAttempts" : "MaximumEventAgeInSeconds";
    try {
      if (rec.target.DeadLetterConfig?.Arn) {
        await deadLetter(ctx, rec, f, exhausted);
        eventsMetric(host, ctx.account, ctx.region, "DeadLetterInvocations", rec.ruleName, now);
      }
    } finally {
      t.pending.delete(id);
    }
  }
}

/**
 * Any other error from a target's service: a missing resource is not retried, anything else is. The codes are those
 * AWS lists for a dead-letter message's ERROR_CODE (NO_RESOURCE, NO_PERMISSIONS, SDK_CLIENT_ERROR, THROTTLING,
 * INTERNAL_ERROR …: "Using dead-letter queues to process undelivered events",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html); which one AWS picks for each of a
 * target service's errors is Stratus's reading.
 */
function classify(e: unknown): DeliveryFailure {
  const message = e instanceof Error ? e.message : String(e);
  if (isServiceError(e)) {
    if (/NotFound|NonExistent|DoesNotExist/i.test(e.code)) return new DeliveryFailure("NO_RESOURCE", message, false);
    if (/AccessDenied|AuthorizationError|NotAuthorized/i.test(e.code)) return new DeliveryFailure("NO_PERMISSIONS", message, false);
    if (e.status < 500 && !/Throttl|TooMany/i.test(e.code)) return new DeliveryFailure("SDK_CLIENT_ERROR", `${e.code}: ${message}`, false);
    return new DeliveryFailure("THROTTLING", `${e.code}: ${message}`, true);
  }
  return new DeliveryFailure("INTERNAL_ERROR", message, true);
}

/** A target whose resource policy does not let EventBridge in: not retried, as AWS does not retry a permission failure. */
const denied = (arn: string, ruleArn: string, kind: string) =>
  new DeliveryFailure("NO_PERMISSIONS", `The ${kind} policy of ${arn} does not allow ${EVENTS_PRINCIPAL} to deliver events for ${ruleArn}.`, false); // unverified wording

async function invoke(ctx: HandlerContext, host: ServiceHost, rec: PendingRec): Promise<void> {
  const target = rec.target;
  const p = parseArn(target.Arn);
  if (!p) throw new DeliveryFailure("NO_RESOURCE", `not an ARN: ${target.Arn}`, false);
  const where = { account: p.account, region: p.region };
  const payload = payloadFor(target, rec);
  switch (targetKind(target.Arn)) {
    case "sqs":
      // The queue's policy must let EventBridge send for this rule (AWS: "Amazon SQS permissions").
      if (!queuePermits(ctx, target.Arn, EVENTS_PRINCIPAL, rec.ruleArn, ctx.account)) throw denied(target.Arn, rec.ruleArn, "queue");
      return sendToQueue(ctx, target.Arn, payload, target, String(rec.event.id));
    case "sns":
      // The topic's policy must let EventBridge publish for this rule (AWS: "Amazon SNS permissions").
      if (!topicPermits(ctx, target.Arn, EVENTS_PRINCIPAL, rec.ruleArn, ctx.account)) throw denied(target.Arn, rec.ruleArn, "topic");
      await ctx.client("sns").publish({ TopicArn: target.Arn, Message: payload }, where);
      return;
    case "lambda":
      // The function's resource policy must let EventBridge invoke it for this rule (lambda add-permission).
      if (!lambdaPermits(ctx, target.Arn, EVENTS_PRINCIPAL, rec.ruleArn, ctx.account))
        throw new DeliveryFailure(
          "NO_PERMISSIONS",
          `The resource-based policy of ${target.Arn} does not allow ${EVENTS_PRINCIPAL} to invoke it for ${rec.ruleArn}.`, // unverified wording
          false,
        );
      await ctx.client("lambda").invoke({ FunctionName: target.Arn, InvocationType: "Event", Payload: Buffer.from(payload) }, where);
      return;
    case "bus": {
      const to = resolveBus(host, ctx.account, ctx.region, target.Arn);
      if (!to) throw new DeliveryFailure("NO_RESOURCE", `Event bus ${busNameOf(target.Arn)} does not exist.`, false);
      if (!mayPutEvents(to, accountRoot(ctx.account, partitionOf(ctx.region))))
        throw new DeliveryFailure("NO_PERMISSIONS", `The policy of ${to.bus.arn} does not allow ${ctx.account} to put events on it.`, false); // unverified wording
      // The same event, its id and account kept, goes through the other bus's rules.
      ingest(host, to.account, to.region, to.bus.name, rec.event, ctx.now());
      return;
    }
    default:
      throw new DeliveryFailure("SDK_CLIENT_ERROR", `Stratus does not deliver to ${target.Arn}.`, false);
  }
}

async function sendToQueue(
  ctx: HandlerContext,
  queueArn: string,
  body: string,
  target: Target | undefined,
  eventId: string,
  attributes?: SendMessageRequest["MessageAttributes"],
): Promise<void> {
  const p = parseArn(queueArn)!;
  const where = { account: p.account, region: p.region };
  const { QueueUrl } = await ctx.client("sqs").getQueueUrl({ QueueName: p.resource, QueueOwnerAWSAccountId: p.account }, where);
  const input: SendMessageRequest = { QueueUrl: QueueUrl!, MessageBody: body, ...(attributes ? { MessageAttributes: attributes } : {}) };
  if (p.resource.endsWith(".fifo")) {
    input.MessageGroupId = target?.SqsParameters?.MessageGroupId;
    input.MessageDeduplicationId = eventId; // the event's id, so a retried delivery is not queued twice
  }
  await ctx.client("sqs").sendMessage(input, where);
}

/** The event and why it failed, to the target's dead-letter queue (AWS's message attributes). */
async function deadLetter(ctx: HandlerContext, rec: PendingRec, f: DeliveryFailure, exhausted: string | undefined): Promise<void> {
  const s = (v: string) => ({ DataType: "String", StringValue: v });
  await sendToQueue(ctx, rec.target.DeadLetterConfig!.Arn!, JSON.stringify(rec.event), undefined, String(rec.event.id), {
    RULE_ARN: s(rec.ruleArn),
    TARGET_ARN: s(rec.target.Arn),
    ERROR_CODE: s(f.code),
    ERROR_MESSAGE: s(f.message),
    ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: s(exhausted) } : {}),
    RETRY_ATTEMPTS: s(String(rec.attempts - 1)),
  });
}
