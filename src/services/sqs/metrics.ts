// AWS/SQS's metrics (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html),
// by QueueName: what each call did (NumberOfMessagesSent, SentMessageSize, NumberOfMessagesReceived,
// NumberOfEmptyReceives, NumberOfMessagesDeleted) as it happens, and once a minute each queue's depth
// (ApproximateNumberOfMessagesVisible, …NotVisible, …Delayed) and ApproximateAgeOfOldestMessage, sampled as SQS does.
// Published through core/service-metrics.ts.
import type { HandlerContext } from "../../core/context.js";
import type { ServiceHost } from "../../core/service.js";
import { serviceMetrics } from "../../core/service-metrics.js";
import { countMessages, num } from "./attributes.js";
import { messagePrefix, messages, sqsState, type QueueRec } from "./state.js";
import type { SqsInstance } from "./waiters.js";

const NS = "AWS/SQS";
const SAMPLE_EVERY_MS = 60_000;

/** Records one of a queue's call metrics (Count unless given) now. */
export function queueMetric(ctx: HandlerContext, q: QueueRec, name: string, value: number, unit = "Count"): void {
  ctx.instance<SqsInstance>().metrics.record(q.account, q.region, NS, name, [{ Name: "QueueName", Value: q.name }], value, unit, ctx.now());
}

/** Samples every queue's depth and oldest message once a minute; returns the stop function. */
export function startQueueSampling(host: ServiceHost): () => void {
  const metrics = serviceMetrics(host, "sqs");
  const sample = () => {
    try {
      for (const { account, region, tables } of sqsState.all(host, "queues")) {
        const ctx = host.context("sqs", "Sample", host.rootIdentity(account, region));
        const now = host.clock.now();
        for (const { value: q } of tables.queues.list()) {
          const dims = [{ Name: "QueueName", Value: q.name }];
          const c = countMessages(ctx, q);
          metrics.record(account, region, NS, "ApproximateNumberOfMessagesVisible", dims, c.ApproximateNumberOfMessages, "Count", now);
          metrics.record(account, region, NS, "ApproximateNumberOfMessagesNotVisible", dims, c.ApproximateNumberOfMessagesNotVisible, "Count", now);
          metrics.record(account, region, NS, "ApproximateNumberOfMessagesDelayed", dims, c.ApproximateNumberOfMessagesDelayed, "Count", now);
          const [oldest] = messages(ctx).list({ prefix: messagePrefix(q), limit: 1 });
          const retentionMs = num(q, "MessageRetentionPeriod") * 1000;
          const age = oldest && oldest.value.sentAt + retentionMs > now ? Math.floor((now - oldest.value.sentAt) / 1000) : 0;
          metrics.record(account, region, NS, "ApproximateAgeOfOldestMessage", dims, age, "Seconds", now);
        }
      }
    } catch (e) {
      host.logger.error("sqs: could not sample the queues' metrics", e);
    }
  };
  return host.scheduler.every(SAMPLE_EVERY_MS, sample);
}
