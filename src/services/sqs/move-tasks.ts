// Dead-letter queues: which queues redrive into one, and message move tasks that really move DLQ messages back on the scheduler.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { ServiceHost } from "../../core/service.js";
import type { ListMessageMoveTasksResultEntry, SqsApi } from "./api.generated.js";
import { num, redrivePolicy } from "./attributes.js";
import { invalidParameterValue, sqsError } from "./errors.js";
import type { QueueRec, TaskRec } from "./state.js";
import { sqsState, arnOf, findQueue, messagePrefix, messages, queueByArn, queues, queueUrl } from "./state.js";
import { moveMessage } from "./receive.js";

const tasks = (ctx: HandlerContext) => sqsState.of(ctx).moveTasks;

function sourcesOf(ctx: HandlerContext, dlqArn: string): QueueRec[] {
  return queues(ctx)
    .list()
    .map((e) => e.value)
    .filter((q) => redrivePolicy(q)?.deadLetterTargetArn === dlqArn);
}

/** One second's worth of moving (MaxNumberOfMessagesPerSecond, default 500); reschedules itself until done. */
function step(ctx: HandlerContext, taskId: string): void {
  const t = tasks(ctx).get(taskId);
  if (!t || t.status !== "RUNNING") return;
  const source = queueByArn(ctx, t.sourceArn);
  const fail = (reason: string) => {
    t.status = "FAILED";
    t.failureReason = reason;
    tasks(ctx).put(taskId, t);
  };
  if (!source) return fail("AWS.SimpleQueueService.NonExistentQueue");
  const now = ctx.now();
  const budget = Math.min(t.rate ?? 500, t.toMove - t.moved);
  let movedNow = 0;
  const retentionMs = num(source, "MessageRetentionPeriod") * 1000;
  for (const { key, value: m } of messages(ctx).list({ prefix: messagePrefix(source) })) {
    if (movedNow >= budget) break;
    if (m.visibleAt > now || m.sentAt + retentionMs <= now) continue;
    const destArn = t.destinationArn ?? m.deadLetterSourceArn;
    const dest = destArn ? queueByArn(ctx, destArn) : undefined;
    if (!dest) return fail(destArn ? "AWS.SimpleQueueService.NonExistentQueue" : "Message has no original source queue to return to.");
    moveMessage(ctx, key, m, dest);
    movedNow++;
  }
  t.moved += movedNow;
  if (t.moved >= t.toMove || movedNow === 0) t.status = "COMPLETED";
  tasks(ctx).put(taskId, t);
  if (t.status === "RUNNING") ctx.scheduler.after(1000, () => step(ctx, taskId));
}

/** Resumes the tasks that were running when the server stopped. */
export function resumeMoveTasks(runtime: ServiceHost): void {
  for (const { account, region, tables } of sqsState.all(runtime, "moveTasks")) {
    const running = tables.moveTasks.list().filter((e) => e.value.status === "RUNNING");
    if (!running.length) continue;
    const ctx = runtime.context("sqs", "StartMessageMoveTask", runtime.rootIdentity(account, region));
    for (const { key } of running) ctx.scheduler.after(0, () => step(ctx, key));
  }
}

function toEntry(t: TaskRec): ListMessageMoveTasksResultEntry {
  const e: ListMessageMoveTasksResultEntry = {
    Status: t.status,
    SourceArn: t.sourceArn,
    ApproximateNumberOfMessagesMoved: t.moved,
    ApproximateNumberOfMessagesToMove: t.toMove,
    StartedTimestamp: t.startedAt,
  };
  if (t.status === "RUNNING") e.TaskHandle = t.handle;
  if (t.destinationArn) e.DestinationArn = t.destinationArn;
  if (t.rate !== undefined) e.MaxNumberOfMessagesPerSecond = t.rate;
  if (t.failureReason) e.FailureReason = t.failureReason;
  return e;
}

export const moveTaskHandlers = {
  listDeadLetterSourceQueues({ QueueUrl, MaxResults, NextToken }, ctx) {
    const dlq = findQueue(ctx, QueueUrl);
    let sources = sourcesOf(ctx, arnOf(dlq));
    if (NextToken) {
      const after = Buffer.from(NextToken, "base64").toString("utf8");
      sources = sources.filter((q) => q.name > after);
    }
    const limit = MaxResults ?? 1000;
    const page = sources.slice(0, limit);
    const out: { queueUrls: string[]; NextToken?: string } = { queueUrls: page.map((q) => queueUrl(ctx, q)) };
    if (MaxResults !== undefined && sources.length > limit) out.NextToken = Buffer.from(page[page.length - 1].name, "utf8").toString("base64");
    return out;
  },

  startMessageMoveTask({ SourceArn, DestinationArn, MaxNumberOfMessagesPerSecond }, ctx) {
    const source = queueByArn(ctx, SourceArn);
    if (!source) throw sqsError("ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.");
    if (sourcesOf(ctx, SourceArn).length === 0) throw invalidParameterValue("Source queue must be configured as a Dead Letter Queue.");
    if (DestinationArn && !queueByArn(ctx, DestinationArn))
      throw sqsError("ResourceNotFoundException", "The resource that you specified for the DestinationArn parameter doesn't exist.");
    if (MaxNumberOfMessagesPerSecond !== undefined && (MaxNumberOfMessagesPerSecond < 1 || MaxNumberOfMessagesPerSecond > 500)) {
      throw invalidParameterValue(
        `Value ${MaxNumberOfMessagesPerSecond} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`,
      );
    }
    if (
      tasks(ctx)
        .list()
        .some((e) => e.value.sourceArn === SourceArn && e.value.status === "RUNNING")
    ) {
      throw sqsError("UnsupportedOperation", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
    }
    const taskId = randomUUID();
    const handle = Buffer.from(JSON.stringify({ taskId, sourceArn: SourceArn }), "utf8").toString("base64");
    const now = ctx.now();
    const toMove = messages(ctx).count(messagePrefix(source));
    const t: TaskRec = { taskId, handle, status: "RUNNING", sourceArn: SourceArn, moved: 0, toMove, startedAt: now };
    if (DestinationArn) t.destinationArn = DestinationArn;
    if (MaxNumberOfMessagesPerSecond !== undefined) t.rate = MaxNumberOfMessagesPerSecond;
    tasks(ctx).put(taskId, t);
    ctx.scheduler.at(now, () => step(ctx, taskId));
    return { TaskHandle: handle };
  },

  cancelMessageMoveTask({ TaskHandle }, ctx) {
    let taskId: string | undefined;
    try {
      taskId = (JSON.parse(Buffer.from(TaskHandle, "base64").toString("utf8")) as { taskId?: string }).taskId;
    } catch {
      // not a handle of ours
    }
    const t = taskId ? tasks(ctx).get(taskId) : undefined;
    if (!t) throw sqsError("ResourceNotFoundException", "Task does not exist.");
    if (t.status !== "RUNNING") throw sqsError("ResourceNotFoundException", "Only active tasks can be cancelled.");
    t.status = "CANCELLED";
    tasks(ctx).put(t.taskId, t);
    return { ApproximateNumberOfMessagesMoved: t.moved };
  },

  listMessageMoveTasks({ SourceArn, MaxResults }, ctx) {
    if (!queueByArn(ctx, SourceArn)) throw sqsError("ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.");
    if (MaxResults !== undefined && (MaxResults < 1 || MaxResults > 10)) {
      throw invalidParameterValue(`Value ${MaxResults} for parameter MaxResults is invalid. Reason: You must enter a number that's between 1 and 10.`);
    }
    const list = tasks(ctx)
      .list()
      .map((e) => e.value)
      .filter((t) => t.sourceArn === SourceArn)
      .sort((a, b) => b.startedAt - a.startedAt);
    return { Results: list.slice(0, MaxResults ?? 1).map(toEntry) };
  },
} satisfies Partial<SqsApi>;
