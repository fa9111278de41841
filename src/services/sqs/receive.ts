// Receiving messages: long polling, visibility timeouts, FIFO group ordering, redrive to a dead-letter queue, delete.
import { queueMetric } from "./metrics.js";
import { randomBytes } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { ChangeMessageVisibilityBatchResultEntry, DeleteMessageBatchResultEntry, BatchResultErrorEntry, Message, SqsApi } from "./api.generated.js";
import { num, redrivePolicy } from "./attributes.js";
import { invalidParameterValue, queueDoesNotExist, sqsError } from "./errors.js";
import { checkBatch, failure } from "./send.js";
import type { MessageRec, QueueRec, StoredAttribute } from "./state.js";
import { md5OfAttributes } from "./md5.js";
import { transaction, arnOf, findQueue, messageKey, messagePrefix, messages, queueByArn, queues } from "./state.js";
import { isClosing, waitForMessages, wake } from "./waiters.js";
import { SYSTEM_NAMES } from "./system-attributes.js";

// Receipt handles are opaque to clients; inside: queue incarnation, message key and the receive's nonce.
const encodeHandle = (q: QueueRec, key: string, nonce: string) => Buffer.from(`${q.id} ${key} ${nonce}`, "utf8").toString("base64");

function decodeHandle(q: QueueRec, handle: string): { key: string; nonce: string } {
  const invalid = () => sqsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`);
  const text = Buffer.from(handle, "base64").toString("utf8");
  const [id, key, nonce, extra] = text.split(" ");
  if (extra !== undefined || !nonce || encodeHandle(q, key, nonce) !== handle) throw invalid();
  // A handle from another queue (or a deleted incarnation of this one) names nothing here.
  if (id !== q.id || !key.startsWith(messagePrefix(q))) throw invalid();
  return { key, nonce };
}

/** Moves a message that was received maxReceiveCount times to the dead-letter queue (SQS does so on the next receive). */
function moveToDeadLetter(ctx: HandlerContext, source: QueueRec, key: string, m: MessageRec, dlqArn: string): boolean {
  const dlq = queueByArn(ctx, dlqArn);
  if (!dlq) return false;
  moveMessage(ctx, key, m, dlq, { deadLetterSourceArn: arnOf(source) });
  return true;
}

/** Re-enqueues a message in another queue, keeping its id, body, attributes and original send time. */
export function moveMessage(ctx: HandlerContext, key: string, m: MessageRec, target: QueueRec, extra: Partial<MessageRec> = {}): void {
  const t = queues(ctx).get(target.name)!;
  t.seq += 1;
  const moved: MessageRec = { ...m, ...extra, visibleAt: ctx.now(), receiveCount: 0, firstReceiveAt: undefined, receipt: undefined };
  if (!extra.deadLetterSourceArn) delete moved.deadLetterSourceArn;
  if (t.fifo) moved.sequenceNumber = (10n ** 19n + BigInt(t.seq)).toString();
  transaction(ctx, () => {
    messages(ctx).delete(key);
    messages(ctx).put(messageKey(t, t.seq), moved);
    queues(ctx).put(t.name, t);
  });
  wake(ctx, t);
}

interface Want {
  max: number;
  visibilityMs: number;
  system: Set<string>;
  attributeNames: string[];
}

function wantsAttribute(names: string[], name: string): boolean {
  for (const n of names) {
    if (n === "All" || n === ".*" || n === name) return true;
    if (n.endsWith(".*") && name.startsWith(n.slice(0, -1))) return true;
  }
  return false;
}

function toMessage(q: QueueRec, key: string, m: MessageRec, want: Want): Message {
  const msg: Message = { MessageId: m.id, ReceiptHandle: encodeHandle(q, key, m.receipt!), MD5OfBody: m.md5Body, Body: m.body };
  const all: Record<string, string | undefined> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: m.firstReceiveAt !== undefined ? String(m.firstReceiveAt) : undefined,
    SequenceNumber: m.sequenceNumber,
    MessageDeduplicationId: m.dedupId,
    MessageGroupId: m.groupId,
    AWSTraceHeader: m.traceHeader,
    DeadLetterQueueSourceArn: m.deadLetterSourceArn,
  };
  const attrs: Record<string, string> = {};
  for (const name of SYSTEM_NAMES) if ((want.system.has("All") || want.system.has(name)) && all[name] !== undefined) attrs[name] = all[name]!;
  if (Object.keys(attrs).length) msg.Attributes = attrs;
  if (m.attributes && want.attributeNames.length) {
    const picked: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Buffer }> = {};
    const stored: Record<string, StoredAttribute> = {};
    for (const [name, a] of Object.entries(m.attributes)) {
      if (!wantsAttribute(want.attributeNames, name)) continue;
      stored[name] = a;
      picked[name] =
        a.BinaryValue !== undefined
          ? { DataType: a.DataType, BinaryValue: Buffer.from(a.BinaryValue, "base64") }
          : { DataType: a.DataType, StringValue: a.StringValue };
    }
    if (Object.keys(picked).length) {
      msg.MessageAttributes = picked;
      // The digest covers the attributes returned (SDKs that verify it hash what they received).
      msg.MD5OfMessageAttributes = Object.keys(stored).length === Object.keys(m.attributes).length ? m.md5Attributes : md5OfAttributes(stored);
    }
  }
  return msg;
}

/** One synchronous pass over the queue: receives what is visible now, and says when the next message becomes visible. */
function receiveNow(ctx: HandlerContext, q: QueueRec, want: Want): { out: Message[]; nextVisible: number } {
  const now = ctx.now();
  const table = messages(ctx);
  const retentionMs = num(q, "MessageRetentionPeriod") * 1000;
  const policy = redrivePolicy(q);
  const blocked = new Set<string>();
  const out: Message[] = [];
  let nextVisible = Infinity;
  let after: string | undefined;
  for (;;) {
    const page = table.list({ prefix: messagePrefix(q), after, limit: 200 });
    for (const { key, value: m } of page) {
      if (m.sentAt + retentionMs <= now) {
        table.delete(key); // past the retention period: gone, as SQS deletes it
        continue;
      }
      if (m.visibleAt > now) {
        // FIFO: a group with a message in flight (or delayed) delivers nothing after it until that one is done.
        if (q.fifo && m.groupId) blocked.add(m.groupId);
        nextVisible = Math.min(nextVisible, m.visibleAt);
        continue;
      }
      if (q.fifo && m.groupId && blocked.has(m.groupId)) continue;
      if (policy && m.receiveCount >= policy.maxReceiveCount && moveToDeadLetter(ctx, q, key, m, policy.deadLetterTargetArn)) continue;
      m.receiveCount += 1;
      m.firstReceiveAt ??= now;
      m.visibleAt = now + want.visibilityMs;
      m.receipt = randomBytes(12).toString("hex");
      table.put(key, m);
      out.push(toMessage(q, key, m, want));
      if (out.length >= want.max) return { out, nextVisible };
    }
    if (page.length < 200) break;
    after = page[page.length - 1].key;
  }
  return { out, nextVisible };
}

type Batch<T> = { Successful: T[]; Failed: BatchResultErrorEntry[] };

function deleteOne(ctx: HandlerContext, q: QueueRec, handle: string): void {
  const { key, nonce } = decodeHandle(q, handle);
  const m = messages(ctx).get(key);
  // Deleting an already deleted message succeeds; a FIFO handle from an earlier receive no longer deletes.
  if (!m || (q.fifo && m.receipt !== nonce)) return;
  messages(ctx).delete(key);
  queueMetric(ctx, q, "NumberOfMessagesDeleted", 1);
}

function changeVisibility(ctx: HandlerContext, q: QueueRec, handle: string, timeout: number): void {
  if (timeout < 0 || timeout > 43200)
    throw invalidParameterValue(`Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`);
  const { key, nonce } = decodeHandle(q, handle);
  const m = messages(ctx).get(key);
  const now = ctx.now();
  if (!m || m.receiveCount === 0 || m.visibleAt <= now || m.receipt !== nonce) {
    throw sqsError("MessageNotInflight", "Message does not exist or is not available for visibility timeout change.");
  }
  m.visibleAt = now + timeout * 1000;
  messages(ctx).put(key, m);
  if (timeout === 0) wake(ctx, q);
}

export const receiveHandlers = {
  async receiveMessage(
    { QueueUrl, MaxNumberOfMessages, VisibilityTimeout, WaitTimeSeconds, AttributeNames = [], MessageSystemAttributeNames = [], MessageAttributeNames = [] },
    ctx,
  ) {
    const q = findQueue(ctx, QueueUrl);
    if (MaxNumberOfMessages !== undefined && (MaxNumberOfMessages < 1 || MaxNumberOfMessages > 10)) {
      throw invalidParameterValue(`Value ${MaxNumberOfMessages} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
    }
    if (WaitTimeSeconds !== undefined && (WaitTimeSeconds < 0 || WaitTimeSeconds > 20)) {
      throw invalidParameterValue(`Value ${WaitTimeSeconds} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
    }
    if (VisibilityTimeout !== undefined && (VisibilityTimeout < 0 || VisibilityTimeout > 43200)) {
      throw invalidParameterValue(`Value ${VisibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`);
    }
    const want: Want = {
      max: MaxNumberOfMessages ?? 1,
      visibilityMs: (VisibilityTimeout ?? num(q, "VisibilityTimeout")) * 1000,
      system: new Set<string>([...AttributeNames, ...MessageSystemAttributeNames]),
      attributeNames: MessageAttributeNames,
    };
    const deadline = ctx.now() + (WaitTimeSeconds ?? num(q, "ReceiveMessageWaitTimeSeconds")) * 1000;
    for (;;) {
      const current = queues(ctx).get(q.name);
      if (!current || current.id !== q.id) throw queueDoesNotExist(); // deleted while we waited
      const { out, nextVisible } = receiveNow(ctx, current, want);
      if (out.length || ctx.now() >= deadline || isClosing(ctx)) {
        if (out.length) queueMetric(ctx, current, "NumberOfMessagesReceived", out.length);
        else queueMetric(ctx, current, "NumberOfEmptyReceives", 1);
        return out.length ? { Messages: out } : {};
      }
      await waitForMessages(ctx, current, Math.min(deadline, nextVisible));
    }
  },

  deleteMessage({ QueueUrl, ReceiptHandle }, ctx) {
    deleteOne(ctx, findQueue(ctx, QueueUrl), ReceiptHandle);
    return {};
  },

  deleteMessageBatch({ QueueUrl, Entries }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    checkBatch(Entries, "DeleteMessageBatchRequestEntry");
    const res: Batch<DeleteMessageBatchResultEntry> = { Successful: [], Failed: [] };
    transaction(ctx, () => {
      for (const e of Entries) {
        try {
          deleteOne(ctx, q, e.ReceiptHandle);
          res.Successful.push({ Id: e.Id });
        } catch (err) {
          res.Failed.push(failure(e.Id, err));
        }
      }
    });
    return res;
  },

  changeMessageVisibility({ QueueUrl, ReceiptHandle, VisibilityTimeout }, ctx) {
    changeVisibility(ctx, findQueue(ctx, QueueUrl), ReceiptHandle, VisibilityTimeout);
    return {};
  },

  changeMessageVisibilityBatch({ QueueUrl, Entries }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    checkBatch(Entries, "ChangeMessageVisibilityBatchRequestEntry");
    const res: Batch<ChangeMessageVisibilityBatchResultEntry> = { Successful: [], Failed: [] };
    for (const e of Entries) {
      try {
        changeVisibility(ctx, q, e.ReceiptHandle, e.VisibilityTimeout ?? 0);
        res.Successful.push({ Id: e.Id });
      } catch (err) {
        res.Failed.push(failure(e.Id, err));
      }
    }
    return res;
  },
} satisfies Partial<SqsApi>;
