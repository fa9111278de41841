// Queue attributes: defaults, AWS's validation of settable values, and the read-only ones computed on read.
import type { HandlerContext } from "../../core/context.js";
import { invalidAttributeName, invalidAttributeValue, invalidParameterValue } from "./errors.js";
import type { QueueRec } from "./state.js";
import { arnOf, messagePrefix, messages, queueByArn } from "./state.js";

const RANGES: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43200],
  DelaySeconds: [0, 900],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  MaximumMessageSize: [1024, 1048576],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

const COMMON = new Set([...Object.keys(RANGES), "Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "SqsManagedSseEnabled"]);
const FIFO_ONLY = new Set(["FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]);
const READ_ONLY = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
];

export function defaultAttributes(fifo: boolean): Record<string, string> {
  const a: Record<string, string> = {
    VisibilityTimeout: "30",
    DelaySeconds: "0",
    MessageRetentionPeriod: "345600",
    ReceiveMessageWaitTimeSeconds: "0",
    MaximumMessageSize: "1048576",
    SqsManagedSseEnabled: "true",
  };
  if (fifo) Object.assign(a, { FifoQueue: "true", ContentBasedDeduplication: "false", DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" });
  return a;
}

const bool = (v: string) => v === "true" || v === "false";

/**
 * Checks attributes a caller sets (CreateQueue, SetQueueAttributes) and returns them normalized.
 *
 * A standard queue knows none of the FIFO attributes, not even FifoQueue=false: "Unknown Attribute FifoQueue." (and
 * ContentBasedDeduplication), while DeduplicationScope and FifoThroughputLimit get their own sentence; a FIFO queue
 * takes FifoQueue=true again but refuses false ("Modifying queue type is not supported."). Source: LocalStack's
 * AWS-recorded tests/aws/services/sqs/test_sqs.snapshot.json, test_create_standard_queue_with_fifo_attribute_raises_error,
 * test_set_unsupported_attribute_standard and test_set_unsupported_attribute_fifo (recorded 2024-05-14/15).
 */
export function validateAttributes(ctx: HandlerContext, given: Record<string, string>, fifo: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(given)) {
    const value = String(raw);
    if (!fifo && (name === "DeduplicationScope" || name === "FifoThroughputLimit")) {
      throw invalidAttributeName(name, `You can specify the ${name} only when FifoQueue is set to true.`);
    }
    if (!COMMON.has(name) && !(fifo && FIFO_ONLY.has(name))) throw invalidAttributeName(name);
    const range = RANGES[name];
    if (range) {
      if (!/^-?\d+$/.test(value.trim()) || Number(value) < range[0] || Number(value) > range[1]) throw invalidAttributeValue(name);
      out[name] = String(Number(value));
      continue;
    }
    switch (name) {
      case "FifoQueue": // only a FIFO queue gets here
        if (value.toLowerCase() !== "true") throw invalidAttributeValue(name, "Modifying queue type is not supported.");
        break;
      case "ContentBasedDeduplication":
      case "SqsManagedSseEnabled":
        if (!bool(value.toLowerCase())) throw invalidAttributeValue(name);
        out[name] = value.toLowerCase();
        continue;
      case "DeduplicationScope":
        if (value !== "queue" && value !== "messageGroup") throw invalidAttributeValue(name);
        break;
      case "FifoThroughputLimit":
        if (value !== "perQueue" && value !== "perMessageGroupId") throw invalidAttributeValue(name);
        break;
      case "Policy":
      case "RedriveAllowPolicy":
        if (value !== "") checkJson(name, value);
        if (name === "RedriveAllowPolicy" && value !== "") checkRedriveAllow(value);
        break;
      case "RedrivePolicy":
        if (value !== "") out[name] = checkRedrivePolicy(ctx, value, fifo);
        else out[name] = "";
        continue;
    }
    out[name] = value;
  }
  if (out.FifoThroughputLimit === "perMessageGroupId" && (out.DeduplicationScope ?? "queue") === "queue" && "DeduplicationScope" in out) {
    throw invalidAttributeValue("FifoThroughputLimit", "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.");
  }
  if (out.KmsMasterKeyId && out.SqsManagedSseEnabled === "true") {
    throw invalidAttributeValue(
      "SqsManagedSseEnabled",
      "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
    );
  }
  return out;
}

function checkJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw invalidAttributeValue(name, `Invalid JSON.`);
  }
}

function checkRedriveAllow(value: string): void {
  const p = JSON.parse(value) as { redrivePermission?: string; sourceQueueArns?: unknown };
  if (!["allowAll", "denyAll", "byQueue"].includes(p.redrivePermission ?? "")) {
    throw invalidParameterValue(
      `Value ${value} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.`,
    );
  }
}

/** RedrivePolicy as AWS stores it: maxReceiveCount a number, the dead-letter queue existing and of the same type. */
function checkRedrivePolicy(ctx: HandlerContext, value: string, fifo: boolean): string {
  const bad = (reason: string) => invalidParameterValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  let p: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    p = JSON.parse(value);
  } catch {
    throw bad("Redrive policy is not a valid JSON map.");
  }
  if (typeof p !== "object" || p === null || typeof p.deadLetterTargetArn !== "string" || p.maxReceiveCount === undefined) {
    throw bad(
      "Redrive policy does not contain mandatory attribute: " + (typeof p?.deadLetterTargetArn !== "string" ? "deadLetterTargetArn" : "maxReceiveCount") + ".",
    );
  }
  const count = Number(p.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw bad(`Invalid value for maxReceiveCount: ${String(p.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  const dlq = queueByArn(ctx, p.deadLetterTargetArn);
  if (!dlq) throw bad("Dead letter target does not exist.");
  if (dlq.fifo !== fifo) throw bad(`Dead-letter queue must be same type of queue as the source.`);
  return JSON.stringify({ deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: count });
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export function redrivePolicy(q: QueueRec): RedrivePolicy | undefined {
  const v = q.attributes.RedrivePolicy;
  return v ? (JSON.parse(v) as RedrivePolicy) : undefined;
}

export const num = (q: QueueRec, name: string) => Number(q.attributes[name] ?? defaultAttributes(q.fifo)[name] ?? 0);

/** The attributes GetQueueAttributes names; `All` means every one the queue has. Unknown names are AWS's InvalidAttributeName. */
export function readAttributes(ctx: HandlerContext, q: QueueRec, names: string[]): Record<string, string> {
  if (names.length === 0) return {};
  const all = names.includes("All");
  const wanted = all ? [...Object.keys(q.attributes), ...READ_ONLY] : names;
  for (const n of wanted) if (!COMMON.has(n) && !FIFO_ONLY.has(n) && !READ_ONLY.includes(n)) throw invalidAttributeName(n);
  const out: Record<string, string> = {};
  let counts: ReturnType<typeof countMessages> | undefined;
  for (const n of wanted) {
    switch (n) {
      case "ApproximateNumberOfMessages":
      case "ApproximateNumberOfMessagesNotVisible":
      case "ApproximateNumberOfMessagesDelayed":
        counts ??= countMessages(ctx, q);
        out[n] = String(counts[n]);
        break;
      case "CreatedTimestamp":
        out[n] = String(Math.floor(q.createdAt / 1000));
        break;
      case "LastModifiedTimestamp":
        out[n] = String(Math.floor(q.lastModifiedAt / 1000));
        break;
      case "QueueArn":
        out[n] = arnOf(q);
        break;
      default:
        if (q.attributes[n] !== undefined && q.attributes[n] !== "") out[n] = q.attributes[n];
    }
  }
  return out;
}

/** A queue's messages by state: visible, in flight, delayed (expired ones not counted). */
export function countMessages(ctx: HandlerContext, q: QueueRec) {
  const now = ctx.now();
  const retentionMs = num(q, "MessageRetentionPeriod") * 1000;
  let visible = 0,
    inflight = 0,
    delayed = 0;
  for (const { value: m } of messages(ctx).list({ prefix: messagePrefix(q) })) {
    if (m.sentAt + retentionMs <= now) continue;
    if (m.visibleAt <= now) visible++;
    else if (m.receiveCount > 0) inflight++;
    else delayed++;
  }
  return { ApproximateNumberOfMessages: visible, ApproximateNumberOfMessagesNotVisible: inflight, ApproximateNumberOfMessagesDelayed: delayed };
}
