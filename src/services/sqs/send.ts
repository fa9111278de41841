// Sending messages: SendMessage and SendMessageBatch — size and content checks, attributes and their MD5s, delays, FIFO dedup.
import { queueMetric } from "./metrics.js";
import { createHash, randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { isServiceError, type ServiceError } from "../../core/errors.js";
import type {
  MessageAttributeValue,
  MessageSystemAttributeValue,
  SendMessageBatchResultEntry,
  SendMessageRequest,
  BatchResultErrorEntry,
  SqsApi,
} from "./api.generated.js";
import { num } from "./attributes.js";
import { invalidParameterValue, missingParameter, sqsError } from "./errors.js";
import { md5, md5OfAttributes } from "./md5.js";
import type { MessageRec, QueueRec, StoredAttribute } from "./state.js";
import { transaction, dedups, findQueue, messageKey, messages, queues } from "./state.js";
import { wake } from "./waiters.js";

const DEDUP_WINDOW_MS = 5 * 60_000;
// XML 1.0's characters, the set SQS accepts in bodies and attribute values.
const INVALID_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;

/** One message to send, as SendMessage and each SendMessageBatch entry carry it. */
export type SendInput = Omit<SendMessageRequest, "QueueUrl">;

export interface SendOutcome {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

function storedAttributes(
  attrs: Record<string, MessageAttributeValue | MessageSystemAttributeValue>,
  param: string,
): { stored: Record<string, StoredAttribute>; size: number } {
  const names = Object.keys(attrs);
  if (names.length > 10) throw invalidParameterValue(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
  const stored: Record<string, StoredAttribute> = {};
  let size = 0;
  for (const name of names) {
    const a = attrs[name];
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..") || /^(aws\.|amazon\.)/i.test(name)) {
      throw invalidParameterValue(`Message (user) attribute '${name}' has an invalid name.`);
    }
    if (!a.DataType) throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    const type = DATA_TYPE.exec(a.DataType);
    if (!type)
      throw invalidParameterValue(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    const s: StoredAttribute = { DataType: a.DataType };
    if (type[1] === "Binary") {
      if (!a.BinaryValue || a.BinaryValue.length === 0)
        throw invalidParameterValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      s.BinaryValue = Buffer.from(a.BinaryValue).toString("base64");
      size += a.BinaryValue.length;
    } else {
      if (a.StringValue === undefined || a.StringValue === "") {
        throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type[1]}'.`);
      }
      if (type[1] === "Number" && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(a.StringValue)) {
        throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      if (INVALID_CHARS.test(a.StringValue)) throw sqsError("InvalidMessageContents", `${param} '${name}' contains invalid characters.`);
      s.StringValue = a.StringValue;
      size += Buffer.byteLength(a.StringValue);
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType);
    stored[name] = s;
  }
  return { stored, size };
}

const sequenceNumber = (seq: number) => (10n ** 19n + BigInt(seq)).toString();

/** Sends one message; throws the error AWS gives for this entry (SendMessageBatch reports it per entry). */
export function sendOne(ctx: HandlerContext, queue: QueueRec, input: SendInput): SendOutcome {
  const body = input.MessageBody;
  if (body === undefined || body === "") throw missingParameter("The request must contain the parameter MessageBody.");
  if (INVALID_CHARS.test(body)) {
    throw sqsError(
      "InvalidMessageContents",
      "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
    );
  }
  const user = input.MessageAttributes ? storedAttributes(input.MessageAttributes, "Message (user) attribute") : undefined;
  const system = input.MessageSystemAttributes ? storedAttributes(input.MessageSystemAttributes, "Message system attribute") : undefined;
  if (system) {
    for (const name of Object.keys(system.stored)) {
      if (name !== "AWSTraceHeader") throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
      if (system.stored[name].DataType !== "String") throw invalidParameterValue(`Message system attribute '${name}' must be of type String.`);
    }
  }
  const max = num(queue, "MaximumMessageSize");
  const size = Buffer.byteLength(body) + (user?.size ?? 0);
  if (size > max) throw invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
  if (input.DelaySeconds !== undefined) {
    if (queue.fifo)
      throw invalidParameterValue(
        `Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    if (input.DelaySeconds < 0 || input.DelaySeconds > 900)
      throw invalidParameterValue(`Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
  }

  const now = ctx.now();
  let dedupId = input.MessageDeduplicationId;
  if (queue.fifo) {
    if (!input.MessageGroupId) throw missingParameter("The request must contain the parameter MessageGroupId.");
    if (!dedupId) {
      if (queue.attributes.ContentBasedDeduplication !== "true") {
        throw invalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
      }
      // Content-based deduplication hashes the body only (not the attributes).
      dedupId = createHash("sha256").update(body).digest("hex");
    }
  } else if (dedupId) {
    throw invalidParameterValue(
      `Value ${dedupId} for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.`,
    );
  }

  const out: SendOutcome = { MessageId: randomUUID(), MD5OfMessageBody: md5(body) };
  if (user && Object.keys(user.stored).length) out.MD5OfMessageAttributes = md5OfAttributes(user.stored);
  if (system && Object.keys(system.stored).length) out.MD5OfMessageSystemAttributes = md5OfAttributes(system.stored);

  const q = queues(ctx).get(queue.name)!; // fresh: seq may have moved since the caller read it
  let dedupKey: string | undefined;
  if (q.fifo) {
    const scope = q.attributes.DeduplicationScope === "messageGroup" ? input.MessageGroupId! : "";
    dedupKey = `${q.id}/${scope}/${dedupId}`;
    const seen = dedups(ctx).get(dedupKey);
    // A duplicate within the window is accepted and answered as the original, but not enqueued again.
    if (seen && seen.at + DEDUP_WINDOW_MS > now) return { ...out, MessageId: seen.messageId, SequenceNumber: seen.sequenceNumber };
  }
  q.seq += 1;
  const delay = q.fifo ? num(q, "DelaySeconds") : (input.DelaySeconds ?? num(q, "DelaySeconds"));
  const rec: MessageRec = {
    id: out.MessageId,
    body,
    md5Body: out.MD5OfMessageBody,
    sentAt: now,
    visibleAt: now + delay * 1000,
    receiveCount: 0,
    senderId: ctx.principal.principalId,
  };
  if (user && Object.keys(user.stored).length) {
    rec.attributes = user.stored;
    rec.md5Attributes = out.MD5OfMessageAttributes;
  }
  if (system?.stored.AWSTraceHeader) rec.traceHeader = system.stored.AWSTraceHeader.StringValue;
  if (input.MessageGroupId) rec.groupId = input.MessageGroupId;
  if (q.fifo) {
    rec.dedupId = dedupId;
    rec.sequenceNumber = out.SequenceNumber = sequenceNumber(q.seq);
  }
  transaction(ctx, () => {
    messages(ctx).put(messageKey(q, q.seq), rec);
    queues(ctx).put(q.name, q);
    if (dedupKey) dedups(ctx).put(dedupKey, { messageId: rec.id, sequenceNumber: rec.sequenceNumber, at: now });
  });
  if (rec.visibleAt <= now) wake(ctx, q);
  queueMetric(ctx, q, "NumberOfMessagesSent", 1);
  queueMetric(ctx, q, "SentMessageSize", Buffer.byteLength(body), "Bytes");
  return out;
}

/** Batch ids: distinct, at most 80 of [A-Za-z0-9_-]; 1 to 10 entries. */
export function checkBatch(entries: { Id: string }[], entryShape: string): void {
  if (entries.length === 0) throw sqsError("EmptyBatchRequest", `There should be at least one ${entryShape} in the request.`);
  if (entries.length > 10) throw sqsError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.Id)) throw sqsError("BatchEntryIdsNotDistinct", `Id ${e.Id} repeated.`);
    seen.add(e.Id);
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(e.Id)) {
      throw sqsError(
        "InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
      );
    }
  }
}

export function failure(id: string, e: unknown): BatchResultErrorEntry {
  if (!isServiceError(e)) throw e;
  return { Id: id, SenderFault: (e as ServiceError).senderFault, Code: e.code, Message: e.message };
}

export const sendHandlers = {
  sendMessage(input, ctx) {
    const q = findQueue(ctx, input.QueueUrl);
    return sendOne(ctx, q, input);
  },

  sendMessageBatch({ QueueUrl, Entries }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    checkBatch(Entries, "SendMessageBatchRequestEntry");
    let total = 0;
    for (const e of Entries) {
      total += Buffer.byteLength(e.MessageBody ?? "");
      for (const [name, a] of Object.entries(e.MessageAttributes ?? {})) {
        total +=
          Buffer.byteLength(name) +
          Buffer.byteLength(a.DataType ?? "") +
          (a.StringValue !== undefined ? Buffer.byteLength(a.StringValue) : (a.BinaryValue?.length ?? 0));
      }
    }
    const max = 1048576;
    if (total > max) throw sqsError("BatchRequestTooLong", `Batch requests cannot be longer than ${max} bytes. You have sent ${total} bytes.`);
    // On a FIFO queue an entry without MessageGroupId, or without MessageDeduplicationId when the queue has no
    // content-based deduplication, fails the whole request (InvalidParameterValue), not that entry. Source: LocalStack's
    // AWS-recorded test_sqs.snapshot.json, test_send_batch_missing_message_group_id_for_fifo_queue and
    // test_send_batch_missing_deduplication_id_for_fifo_queue (recorded 2024-04-30).
    if (q.fifo) {
      for (const e of Entries) {
        if (!e.MessageGroupId) throw invalidParameterValue("The request must contain the parameter MessageGroupId.");
        if (!e.MessageDeduplicationId && q.attributes.ContentBasedDeduplication !== "true") {
          throw invalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
        }
      }
    }
    const Successful: SendMessageBatchResultEntry[] = [];
    const Failed: BatchResultErrorEntry[] = [];
    for (const e of Entries) {
      try {
        Successful.push({ Id: e.Id, ...sendOne(ctx, q, e) });
      } catch (err) {
        Failed.push(failure(e.Id, err));
      }
    }
    return { Successful, Failed };
  },
} satisfies Partial<SqsApi>;
