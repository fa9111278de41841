// Publish and PublishBatch: validation as AWS words it, MessageStructure=json, FIFO groups and deduplication, fan-out.
import { topicMetric } from "./metrics.js";
import { createHash, randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { BatchResultErrorEntry, MessageAttributeValue, PublishBatchResultEntry, PublishInput, SnsApi } from "./api.generated.js";
import {
  BatchEntryIdsNotDistinctException,
  BatchRequestTooLongException,
  EmptyBatchRequestException,
  InvalidBatchEntryIdException,
  InvalidParameterException,
  InvalidParameterValueException,
  NotFoundException,
  TooManyEntriesInBatchRequestException,
} from "./api.generated.js";
import { isServiceError } from "../../core/errors.js";
import { fanOut } from "./delivery.js";
import type { PublishedMessage } from "./messages.js";
import { transaction, baseUrl, invalidArn, isFifo, mustTopic, parseArn, tables, type TopicRec } from "./state.js";

const MAX_BYTES = 262_144;
const DEDUP_WINDOW_MS = 5 * 60 * 1000;
const invalid = (msg: string) => new InvalidParameterException(`Invalid parameter: ${msg}`);

/** What Publish and each PublishBatch entry carry, less where it goes. */
type PublishRequest = Omit<PublishInput, "TopicArn" | "TargetArn" | "PhoneNumber">;

function checkAttributes(attrs: Record<string, MessageAttributeValue> | undefined): { out: PublishedMessage["attributes"]; bytes: number } {
  const out: PublishedMessage["attributes"] = {};
  let bytes = 0;
  for (const [name, a] of Object.entries(attrs ?? {})) {
    const type = a.DataType ?? "";
    const base = type.split(".")[0];
    if (!["String", "Number", "Binary"].includes(base))
      throw new InvalidParameterValueException(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..") || /^(aws|amazon)\./i.test(name))
      throw new InvalidParameterValueException(`The message attribute name '${name}' is invalid.`);
    if (base === "Binary") {
      if (!a.BinaryValue?.length)
        throw new InvalidParameterValueException(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
        );
      out[name] = { DataType: type, BinaryValue: Buffer.from(a.BinaryValue).toString("base64") };
      bytes += name.length + type.length + a.BinaryValue.length;
      continue;
    }
    const v = a.StringValue;
    if (v === undefined || v === "")
      throw new InvalidParameterValueException(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
      );
    if (base === "Number" && !Number.isFinite(Number(v)))
      throw new InvalidParameterValueException(`Could not cast message attribute '${name}' value to number.`);
    if (type === "String.Array") {
      let arr: unknown;
      try {
        arr = JSON.parse(v);
      } catch {
        /* worded below */
      }
      if (!Array.isArray(arr))
        throw new InvalidParameterValueException(
          `The message attribute '${name}' with type 'String.Array' must be a JSON array of strings, numbers, true, false or null.`,
        );
    }
    out[name] = { DataType: type, StringValue: v };
    bytes += Buffer.byteLength(name) + Buffer.byteLength(type) + Buffer.byteLength(v);
  }
  return { out, bytes };
}

function perProtocol(message: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    throw invalid("Message Structure - JSON message body failed to parse");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalid("Message Structure - JSON message body failed to parse");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) if (typeof v === "string") out[k] = v;
  if (out.default === undefined) throw invalid("Message Structure - No default entry in JSON message body");
  return out;
}

/** Checks a request and builds the message; throws as AWS does. No state changes. */
function build(ctx: HandlerContext, topic: TopicRec | undefined, topicArn: string, r: PublishRequest): PublishedMessage {
  if (!r.Message) throw invalid("Empty message");
  if (r.Subject !== undefined && (!r.Subject || r.Subject.length > 100 || /[\x00-\x1f]/.test(r.Subject) || !/^[\x20-\x7e]+$/.test(r.Subject)))
    throw invalid("Subject");
  if (r.MessageStructure !== undefined && r.MessageStructure !== "json") throw invalid("MessageStructure");
  const per = r.MessageStructure === "json" ? perProtocol(r.Message) : undefined;
  const { out: attributes, bytes } = checkAttributes(r.MessageAttributes);
  if (Buffer.byteLength(r.Message) + bytes > MAX_BYTES) throw invalid("Message too long");
  const fifo = topic ? isFifo(topic) : false;
  let dedupId: string | undefined;
  if (fifo) {
    if (!r.MessageGroupId) throw invalid("The MessageGroupId parameter is required for FIFO topics");
    dedupId = r.MessageDeduplicationId;
    if (!dedupId) {
      if (topic!.attributes.ContentBasedDeduplication !== "true")
        throw invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
      dedupId = createHash("sha256").update(r.Message).digest("hex");
    }
  } else {
    if (r.MessageGroupId !== undefined)
      throw invalid("MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type");
    if (r.MessageDeduplicationId !== undefined)
      throw invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
  }
  return {
    messageId: randomUUID(),
    topicArn,
    message: r.Message,
    perProtocol: per,
    subject: r.Subject,
    attributes,
    timestamp: ctx.now(),
    groupId: fifo ? r.MessageGroupId : undefined,
    dedupId,
    signatureVersion: topic?.attributes.SignatureVersion === "2" ? "2" : "1",
  };
}

/** Accepts a built message on a topic: FIFO deduplication and sequence numbers, then fan-out. Synchronous. */
function accept(ctx: HandlerContext, topic: TopicRec, m: PublishedMessage): { MessageId: string; SequenceNumber?: string } {
  const t = tables(ctx);
  topicMetric(ctx, topic.name, "NumberOfMessagesPublished", 1);
  topicMetric(ctx, topic.name, "PublishSize", Buffer.byteLength(m.message), "Bytes");
  if (!isFifo(topic)) {
    fanOut(ctx, topic, m, baseUrl(ctx));
    return { MessageId: m.messageId };
  }
  const now = ctx.now();
  const dkey = `${topic.name}\n${m.dedupId}`;
  const seen = t.dedup.get(dkey);
  // Within five minutes a repeated deduplication id is acknowledged again and delivered no more.
  if (seen && seen.expiresAt > now) return { MessageId: seen.messageId, SequenceNumber: seen.sequenceNumber };
  const current = t.topics.get(topic.name) ?? topic;
  const seq = current.seq + 1;
  m.sequenceNumber = (10n ** 19n + BigInt(seq)).toString();
  transaction(ctx, () => {
    t.topics.put(topic.name, { ...current, seq });
    t.dedup.put(dkey, { messageId: m.messageId, sequenceNumber: m.sequenceNumber!, expiresAt: now + DEDUP_WINDOW_MS });
    for (const d of t.dedup.list({ prefix: `${topic.name}\n` })) if (d.value.expiresAt <= now) t.dedup.delete(d.key);
  });
  fanOut(ctx, topic, m, baseUrl(ctx));
  return { MessageId: m.messageId, SequenceNumber: m.sequenceNumber };
}

function publishToPhone(ctx: HandlerContext, phone: string, r: PublishRequest) {
  const n = phone.replace(/[\s().-]/g, "");
  if (!/^\+[0-9]{5,15}$/.test(n)) throw invalid(`PhoneNumber Reason: ${phone} is not valid to publish to`);
  const m = build(ctx, undefined, "", r);
  // No SMS leaves the machine: the message is recorded where it can be inspected.
  tables(ctx).recorded.put(`${ctx.now()}:${m.messageId}`, {
    protocol: "sms",
    endpoint: n,
    messageId: m.messageId,
    message: m.perProtocol?.sms ?? m.message,
    at: ctx.now(),
  });
  return { MessageId: m.messageId };
}

export const publishing = {
  publish(input, ctx) {
    const targets = [input.TopicArn, input.TargetArn, input.PhoneNumber].filter((v) => v !== undefined && v !== "");
    if (!targets.length) {
      // A TopicArn sent empty is read as an ARN of one element (LocalStack's AWS-recorded test_sns.snapshot.json,
      // TestSNSPublishCrud::test_publish_wrong_arn_format, empty-topic).
      if (input.TopicArn === "") throw invalidArn("TopicArn", "");
      throw invalid("TopicArn or TargetArn Reason: no value for required parameter");
    }
    if (targets.length > 1) throw invalid("TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified");
    if (input.PhoneNumber) return publishToPhone(ctx, input.PhoneNumber, input);
    const arn = (input.TopicArn ?? input.TargetArn)!;
    if (input.TargetArn && parseArn(arn)?.resource.startsWith("endpoint/")) throw new NotFoundException("Endpoint does not exist");
    const topic = mustTopic(ctx, arn, input.TopicArn ? "TopicArn" : "TargetArn");
    return accept(ctx, topic, build(ctx, topic, topic.arn, input));
  },

  publishBatch({ TopicArn, PublishBatchRequestEntries: entries }, ctx) {
    const topic = mustTopic(ctx, TopicArn);
    if (!entries.length) throw new EmptyBatchRequestException("The batch request doesn't contain any entries");
    if (entries.length > 10) throw new TooManyEntriesInBatchRequestException("The batch request contains more entries than permissible.");
    if (new Set(entries.map((e) => e.Id)).size !== entries.length)
      throw new BatchEntryIdsNotDistinctException("Two or more batch entries in the request have the same Id.");
    for (const e of entries)
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(e.Id))
        throw new InvalidBatchEntryIdException(
          "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
        );
    const total = entries.reduce((n, e) => n + Buffer.byteLength(e.Message ?? "") + checkSize(e.MessageAttributes), 0);
    if (total > MAX_BYTES) throw new BatchRequestTooLongException("The length of all the messages put together is more than the limit.");
    const Successful: PublishBatchResultEntry[] = [];
    const Failed: BatchResultErrorEntry[] = [];
    for (const e of entries) {
      try {
        Successful.push({ Id: e.Id, ...accept(ctx, topic, build(ctx, topic, topic.arn, e)) });
      } catch (err) {
        if (!isServiceError(err)) throw err;
        Failed.push({ Id: e.Id, Code: err.code, Message: err.message, SenderFault: err.senderFault });
      }
    }
    return { Successful, Failed };
  },
} satisfies Partial<SnsApi>;

function checkSize(attrs: Record<string, MessageAttributeValue> | undefined): number {
  let n = 0;
  for (const [k, a] of Object.entries(attrs ?? {}))
    n += Buffer.byteLength(k) + Buffer.byteLength(a.DataType ?? "") + (a.BinaryValue?.length ?? Buffer.byteLength(a.StringValue ?? ""));
  return n;
}
