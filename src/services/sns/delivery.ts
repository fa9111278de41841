// Delivery: fan-out to confirmed subscriptions that pass their filter, one send per protocol, retries on the
// scheduler as the delivery policy says, then the subscription's dead-letter queue and a recorded failure.
import { topicMetric } from "./metrics.js";
import type { SendMessageRequest } from "../sqs/api.generated.js";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { randomUUID } from "node:crypto";
import { lambdaPermits } from "../lambda/internal.js";
import type { HandlerContext } from "../../core/context.js";
import { compileFilterPolicy, matches, type FilterScope } from "./filter-policy.js";
import { retryDelaySeconds, retryPolicyFor, type RetryPolicy } from "./delivery-policy.js";
import { bodyFor, confirmation, notification, type Confirmation, type PublishedMessage } from "./messages.js";
import { parseArn, signingOf, snsState, tables, type SubRec, type TopicRec } from "./state.js";
import type { ServiceHost } from "../../core/service.js";

export type Job = { kind: "notification"; message: PublishedMessage; base: string } | { kind: "confirmation"; confirmation: Confirmation; base: string };

// SQS and Lambda are AWS-internal hops: AWS retries them for days; a local run retries briefly, then records.
const INTERNAL_RETRY: RetryPolicy = {
  minDelayTarget: 1,
  maxDelayTarget: 1,
  numRetries: 2,
  numNoDelayRetries: 2,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  backoffFunction: "linear",
};
const HTTP_TIMEOUT_MS = 15_000;

export const isRaw = (sub: SubRec) => sub.attributes.RawMessageDelivery === "true";

export function passesFilter(sub: SubRec, m: PublishedMessage): boolean {
  const policy = sub.attributes.FilterPolicy;
  if (!policy) return true;
  const scope = (sub.attributes.FilterPolicyScope ?? "MessageAttributes") as FilterScope;
  return matches(compileFilterPolicy(policy, scope), scope, m.attributes, bodyFor(m, sub.protocol));
}

/** Schedules delivery of a published message to every confirmed subscription its filter lets through. */
export function fanOut(ctx: HandlerContext, topic: TopicRec, m: PublishedMessage, base: string): number {
  let n = 0;
  for (const { key, value: sub } of tables(ctx).subs.list({ prefix: `${topic.name}:` })) {
    if (sub.pending || !passesFilter(sub, m)) continue;
    n++;
    schedule(ctx, key, { kind: "notification", message: m, base }, 0, 1);
  }
  return n;
}

/**
 * Schedules one delivery attempt. The pending delivery is written to the store first (in the Publish or
 * Subscribe call, before its response), so an acknowledged publish survives a restart or kill -9: the
 * service's start hook re-arms whatever is still pending.
 */
export function schedule(ctx: HandlerContext, subKey: string, job: Job, delayMs: number, attemptNo: number, id: string = randomUUID()): void {
  const dueAt = ctx.now() + delayMs;
  tables(ctx).pending.put(id, { subKey, job, attempt: attemptNo, dueAt });
  ctx.startAtBoot();
  arm(ctx, id, dueAt);
}

function arm(ctx: HandlerContext, id: string, dueAt: number): void {
  ctx.scheduler.at(dueAt, () => {
    attempt(ctx, id).catch(() => {
      /* attempt records its own failures; nothing may escape a timer */
    });
  });
}

/** Re-arms every delivery still pending in the store (all accounts and regions), after a restart. */
export function resumePending(runtime: ServiceHost): void {
  for (const { account, region, tables: t } of snsState.all(runtime, "pending")) {
    const ctx = runtime.context("sns", "Publish", runtime.rootIdentity(account, region));
    for (const { key, value } of t.pending.list()) arm(ctx, key, value.dueAt);
  }
}

async function attempt(ctx: HandlerContext, id: string): Promise<void> {
  const t = tables(ctx);
  const rec = t.pending.get(id);
  if (!rec) return; // delivered or abandoned already
  const { subKey, job, attempt: n } = rec;
  const sub = t.subs.get(subKey);
  if (!sub) {
    t.pending.delete(id); // unsubscribed meanwhile
    return;
  }
  const topicName = subKey.split(":")[0];
  try {
    await send(ctx, sub, job);
    t.pending.delete(id);
    if (job.kind === "notification") topicMetric(ctx, topicName, "NumberOfNotificationsDelivered", 1);
  } catch (e) {
    const topic = t.topics.get(topicName);
    const http = sub.protocol === "http" || sub.protocol === "https";
    const policy = http ? retryPolicyFor(topic?.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy) : INTERNAL_RETRY;
    if (n <= policy.numRetries) {
      schedule(ctx, subKey, job, retryDelaySeconds(policy, n) * 1000, n + 1, id);
      return;
    }
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    let dlq = "";
    if (job.kind === "notification")
      dlq = await deadLetter(ctx, sub, job.message, job.base).catch((d: Error) => `; dead-letter queue failed too: ${d.message}`);
    const messageId = job.kind === "notification" ? job.message.messageId : job.confirmation.messageId;
    t.failures.put(`${subKey}:${ctx.now()}:${randomUUID()}`, {
      subscriptionArn: sub.arn,
      messageId,
      protocol: sub.protocol,
      endpoint: sub.endpoint,
      error: error + dlq,
      attempts: n,
      at: ctx.now(),
    });
    t.pending.delete(id);
    if (job.kind === "notification") topicMetric(ctx, topicName, "NumberOfNotificationsFailed", 1);
  }
}

/** On final failure AWS moves the message to the subscription's redrive queue, if it has one. */
async function deadLetter(ctx: HandlerContext, sub: SubRec, m: PublishedMessage, base: string): Promise<string> {
  const target = sub.attributes.RedrivePolicy ? (JSON.parse(sub.attributes.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn : undefined;
  if (!target) return "";
  await sendToQueue(ctx, target, JSON.stringify(notification(signingOf(ctx), m, "sqs", sub.arn, base)), m, false);
  return "; moved to the dead-letter queue";
}

async function send(ctx: HandlerContext, sub: SubRec, job: Job): Promise<void> {
  switch (sub.protocol) {
    case "sqs": {
      if (job.kind !== "notification") return;
      const m = job.message;
      const raw = isRaw(sub);
      const body = raw ? bodyFor(m, "sqs") : JSON.stringify(notification(signingOf(ctx), m, "sqs", sub.arn, job.base));
      return sendToQueue(ctx, sub.endpoint, body, m, raw);
    }
    case "http":
    case "https":
      return postHttp(ctx, sub, job);
    case "lambda": {
      if (job.kind !== "notification") return;
      const p = parseArn(sub.endpoint)!;
      const env = notification(signingOf(ctx), job.message, "lambda", sub.arn, job.base);
      const event = {
        Records: [
          {
            EventSource: "aws:sns",
            EventVersion: "1.0",
            EventSubscriptionArn: sub.arn,
            // In AWS's order. Lambda's event spells the two URLs "Url", unlike the HTTP/SQS envelope; a message
            // without a subject has "Subject": null, and one without attributes an empty MessageAttributes.
            Sns: {
              Type: env.Type,
              MessageId: env.MessageId,
              ...(env.SequenceNumber !== undefined ? { SequenceNumber: env.SequenceNumber } : {}),
              TopicArn: env.TopicArn,
              Subject: env.Subject ?? null,
              Message: env.Message,
              Timestamp: env.Timestamp,
              SignatureVersion: env.SignatureVersion,
              Signature: env.Signature,
              SigningCertUrl: env.SigningCertURL,
              UnsubscribeUrl: env.UnsubscribeURL,
              MessageAttributes: env.MessageAttributes ?? {},
            },
          },
        ],
      };
      // The function's resource policy must let SNS invoke it for this topic (lambda add-permission).
      if (!lambdaPermits(ctx, sub.endpoint, "sns.amazonaws.com", sub.topicArn, ctx.account)) throw new Error(`SNS may not invoke ${sub.endpoint}`);
      await ctx
        .client("lambda")
        .invoke({ FunctionName: sub.endpoint, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) }, { account: p.account, region: p.region });
      return;
    }
    default: {
      // email, email-json, sms: nothing leaves the machine; the message is recorded where it can be inspected.
      if (job.kind !== "notification") return;
      const m = job.message;
      const message =
        sub.protocol === "email-json" ? JSON.stringify(notification(signingOf(ctx), m, "email-json", sub.arn, job.base)) : bodyFor(m, sub.protocol);
      tables(ctx).recorded.put(`${ctx.now()}:${randomUUID()}`, {
        subscriptionArn: sub.arn,
        protocol: sub.protocol,
        endpoint: sub.endpoint,
        messageId: m.messageId,
        message,
        subject: m.subject,
        at: ctx.now(),
      });
    }
  }
}

async function sendToQueue(ctx: HandlerContext, queueArn: string, body: string, m: PublishedMessage, raw: boolean): Promise<void> {
  const p = parseArn(queueArn);
  if (!p) throw new Error(`not an SQS queue ARN: ${queueArn}`);
  const where = { account: p.account, region: p.region };
  const { QueueUrl } = await ctx.client("sqs").getQueueUrl({ QueueName: p.resource, QueueOwnerAWSAccountId: p.account }, where);
  const input: SendMessageRequest = { QueueUrl: QueueUrl!, MessageBody: body };
  if (raw && Object.keys(m.attributes).length) {
    input.MessageAttributes = Object.fromEntries(
      Object.entries(m.attributes).map(([k, v]) => [
        k,
        v.BinaryValue !== undefined
          ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue, "base64") }
          : { DataType: v.DataType, StringValue: v.StringValue },
      ]),
    );
  }
  if (p.resource.endsWith(".fifo")) {
    if (m.groupId) input.MessageGroupId = m.groupId;
    if (m.dedupId) input.MessageDeduplicationId = m.dedupId;
  }
  await ctx.client("sqs").sendMessage(input, where);
}

function postHttp(ctx: HandlerContext, sub: SubRec, job: Job): Promise<void> {
  let body: string;
  const headers: Record<string, string> = { "content-type": "text/plain; charset=UTF-8", "user-agent": "Amazon Simple Notification Service Agent" };
  if (job.kind === "confirmation") {
    const c = job.confirmation;
    body = JSON.stringify(confirmation(signingOf(ctx), c, job.base));
    Object.assign(headers, { "x-amz-sns-message-type": c.type, "x-amz-sns-message-id": c.messageId, "x-amz-sns-topic-arn": c.topicArn });
    if (c.type === "UnsubscribeConfirmation") headers["x-amz-sns-subscription-arn"] = c.subscriptionArn;
  } else {
    const m = job.message;
    const raw = isRaw(sub);
    body = raw ? bodyFor(m, sub.protocol) : JSON.stringify(notification(signingOf(ctx), m, sub.protocol, sub.arn, job.base));
    Object.assign(headers, {
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": m.messageId,
      "x-amz-sns-topic-arn": m.topicArn,
      "x-amz-sns-subscription-arn": sub.arn,
    });
    if (raw) headers["x-amz-sns-rawdelivery"] = "true";
  }
  const url = new URL(sub.endpoint);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, timeout: HTTP_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          // AWS counts 2xx as delivered; anything else (including redirects) is retried.
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`HTTP ${status} from ${sub.endpoint}`));
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no response from ${sub.endpoint} within ${HTTP_TIMEOUT_MS / 1000} s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** One attempt with a captured subscription (the UnsubscribeConfirmation after the record is gone); never retried. */
export function sendOnce(ctx: HandlerContext, sub: SubRec, job: Job): void {
  ctx.scheduler.after(0, () => {
    send(ctx, sub, job).catch(() => {
      /* AWS sends it best-effort too */
    });
  });
}
