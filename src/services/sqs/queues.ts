// SQS queues: create (standard and FIFO), URL lookup, listing, attributes, tags, purge and delete.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import { countedTags } from "../../core/tags.js";
import type { SqsApi } from "./api.generated.js";
import { defaultAttributes, readAttributes, validateAttributes } from "./attributes.js";
import { invalidParameterValue, missingParameter, queueDoesNotExist, sqsError } from "./errors.js";
import type { QueueRec } from "./state.js";
import { transaction, arnOf, dedups, findQueue, messagePrefix, messages, queues, queueUrl } from "./state.js";
import { wake } from "./waiters.js";

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

function checkTags(tags: Record<string, string>): void {
  for (const [k, v] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128) throw invalidParameterValue(`Tag keys must be between 1 and 128 characters in length.`);
    if (v.length > 256) throw invalidParameterValue(`Tag values must be less than 256 characters in length.`);
  }
}

// ListQueues' NextToken (core/paging's): opaque outside, the last queue name returned inside.
const decodeToken = (token: string): string => decodePageToken("ListQueues", token, () => invalidParameterValue("Invalid NextToken value."));

export function deleteMessagesOf(ctx: HandlerContext, q: QueueRec, before = Infinity): void {
  const table = messages(ctx);
  for (const { key, value } of table.list({ prefix: messagePrefix(q) })) if (value.sentAt < before) table.delete(key);
}

export const queueHandlers = {
  createQueue({ QueueName, Attributes = {}, tags = {} }, ctx) {
    const fifoAttr = Attributes.FifoQueue?.toLowerCase() === "true";
    const fifo = QueueName.endsWith(".fifo");
    if (fifo ? !FIFO_NAME.test(QueueName) : !NAME.test(QueueName)) {
      throw invalidParameterValue(
        fifo
          ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
          : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
      );
    }
    if (fifo && !fifoAttr) {
      throw invalidParameterValue(
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
      );
    }
    if (!fifo && fifoAttr)
      throw invalidParameterValue(
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
      );
    const given = validateAttributes(ctx, Attributes, fifo);
    checkTags(tags);
    const table = queues(ctx);
    const existing = table.get(QueueName);
    if (existing) {
      // Idempotent when every attribute given matches the queue's current value; else QueueAlreadyExists.
      const current = { ...existing.attributes };
      for (const [k, v] of Object.entries(given)) {
        if (k === "FifoQueue") continue;
        if ((current[k] ?? "") !== v) throw sqsError("QueueNameExists", "A queue already exists with the same name and a different value for attribute " + k);
      }
      return { QueueUrl: queueUrl(ctx, existing) };
    }
    const now = ctx.now();
    delete given.FifoQueue;
    const q: QueueRec = {
      name: QueueName,
      id: randomUUID(),
      account: ctx.account,
      region: ctx.region,
      fifo,
      attributes: { ...defaultAttributes(fifo), ...given },
      tags: { ...tags },
      createdAt: now,
      lastModifiedAt: now,
      seq: 0,
    };
    if (q.attributes.KmsMasterKeyId) q.attributes.SqsManagedSseEnabled = "false";
    table.put(QueueName, q);
    return { QueueUrl: queueUrl(ctx, q) };
  },

  getQueueUrl({ QueueName, QueueOwnerAWSAccountId }, ctx) {
    if (QueueOwnerAWSAccountId && QueueOwnerAWSAccountId !== ctx.account) throw queueDoesNotExist();
    const q = queues(ctx).get(QueueName);
    if (!q) throw queueDoesNotExist();
    return { QueueUrl: queueUrl(ctx, q) };
  },

  listQueues({ QueueNamePrefix, MaxResults, NextToken }, ctx) {
    if (MaxResults !== undefined && (MaxResults < 1 || MaxResults > 1000)) {
      throw invalidParameterValue("Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.");
    }
    if (NextToken && MaxResults === undefined) throw invalidParameterValue("MaxResults is a mandatory parameter when you provide a value for NextToken.");
    const after = NextToken ? decodeToken(NextToken) : undefined;
    const limit = MaxResults ?? 1000;
    const page = queues(ctx).list({ prefix: QueueNamePrefix, after, limit: limit + 1 });
    const items = page.slice(0, limit);
    const out: { QueueUrls?: string[]; NextToken?: string } = {};
    // AWS omits QueueUrls entirely when there are none.
    if (items.length) out.QueueUrls = items.map((e) => queueUrl(ctx, e.value));
    if (MaxResults !== undefined && page.length > limit) out.NextToken = encodePageToken("ListQueues", items[items.length - 1].key);
    return out;
  },

  deleteQueue({ QueueUrl }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    transaction(ctx, () => {
      deleteMessagesOf(ctx, q);
      const d = dedups(ctx);
      for (const { key } of d.list({ prefix: messagePrefix(q) })) d.delete(key);
      queues(ctx).delete(q.name);
    });
    wake(ctx, q);
    return {};
  },

  getQueueAttributes({ QueueUrl, AttributeNames = [] }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    const Attributes = readAttributes(ctx, q, AttributeNames);
    return Object.keys(Attributes).length ? { Attributes } : {};
  },

  setQueueAttributes({ QueueUrl, Attributes }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    const given = validateAttributes(ctx, Attributes, q.fifo);
    delete given.FifoQueue;
    for (const [k, v] of Object.entries(given)) {
      if (v === "" && (k === "RedrivePolicy" || k === "Policy" || k === "RedriveAllowPolicy" || k === "KmsMasterKeyId")) delete q.attributes[k];
      else q.attributes[k] = v;
    }
    if (given.KmsMasterKeyId) q.attributes.SqsManagedSseEnabled = "false";
    if (given.SqsManagedSseEnabled === "true") delete q.attributes.KmsMasterKeyId;
    q.lastModifiedAt = ctx.now();
    queues(ctx).put(q.name, q);
    return {};
  },

  tagQueue({ QueueUrl, Tags }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    // Unverified against AWS: moto's wording (moto/sqs/models.py tag_queue, MissingParameter("Tags")).
    if (Object.keys(Tags).length === 0) throw missingParameter("The request must contain the parameter Tags.");
    checkTags(Tags);
    Object.assign(q.tags, Tags);
    if (countedTags(Object.keys(q.tags), (k) => k) > 50) throw invalidParameterValue("Too many tags added for queue " + q.name + ".");
    queues(ctx).put(q.name, q);
    return {};
  },

  untagQueue({ QueueUrl, TagKeys }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    // Unverified against AWS: moto's wording (moto/sqs/models.py untag_queue).
    if (TagKeys.length === 0) throw invalidParameterValue("Tag keys must be between 1 and 128 characters in length.");
    for (const k of TagKeys) delete q.tags[k];
    queues(ctx).put(q.name, q);
    return {};
  },

  listQueueTags({ QueueUrl }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    return Object.keys(q.tags).length ? { Tags: { ...q.tags } } : {};
  },

  purgeQueue({ QueueUrl }, ctx) {
    const q = findQueue(ctx, QueueUrl);
    const now = ctx.now();
    if (q.lastPurgeAt !== undefined && now - q.lastPurgeAt < 60_000) {
      throw sqsError("PurgeQueueInProgress", `Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`);
    }
    transaction(ctx, () => {
      // Messages sent before the purge are deleted; the purge takes effect immediately here.
      deleteMessagesOf(ctx, q, now + 1);
      q.lastPurgeAt = now;
      queues(ctx).put(q.name, q);
    });
    return {};
  },
} satisfies Partial<SqsApi>;

export { arnOf };
