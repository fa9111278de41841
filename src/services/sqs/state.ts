// SQS state: queue and message records (per account+region), queue URLs and ARNs, and finding a queue from its URL.
import { regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { defineState, regional, STORE, type Located, type StateHolder } from "../../core/state.js";
import type { Table } from "../../core/store/types.js";
import { queueDoesNotExist } from "./errors.js";
import { publicBaseUrl } from "../../core/service.js";
import type { SqsInstance } from "./waiters.js";

export interface QueueRec {
  name: string;
  /** Per incarnation: messages are keyed by it, so a re-created queue never sees an old one's messages. */
  id: string;
  account: string;
  region: string;
  fifo: boolean;
  /** The settable attributes, as strings the way SQS returns them. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  lastModifiedAt: number;
  lastPurgeAt?: number;
  /** Messages sent so far: orders the message keys and is the FIFO SequenceNumber. */
  seq: number;
}

export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  /** base64 */
  BinaryValue?: string;
}

export interface MessageRec {
  id: string;
  body: string;
  md5Body: string;
  attributes?: Record<string, StoredAttribute>;
  md5Attributes?: string;
  traceHeader?: string;
  md5System?: string;
  sentAt: number;
  /** Epoch ms before which the message is invisible (a delay, or in flight after a receive). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** Changes on every receive; the receipt handle carries it. */
  receipt?: string;
  senderId: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  deadLetterSourceArn?: string;
}

export interface DedupRec {
  messageId: string;
  sequenceNumber?: string;
  at: number;
}

/** A DLQ message move task (StartMessageMoveTask), stepped on the scheduler and resumed after a restart. */
export interface TaskRec {
  taskId: string;
  handle: string;
  status: "RUNNING" | "COMPLETED" | "CANCELLED" | "FAILED";
  sourceArn: string;
  destinationArn?: string;
  rate?: number;
  moved: number;
  toMove: number;
  startedAt: number;
  failureReason?: string;
}

/** SQS's tables, all per account and region (names as stored since the first version: "dedup", "moveTasks"). */
export const sqsState = defineState("sqs", {
  queues: regional<QueueRec>(),
  messages: regional<MessageRec>(),
  dedups: regional<DedupRec>("dedup"),
  moveTasks: regional<TaskRec>(),
});

export const queues = (ctx: Located): Table<QueueRec> => sqsState.of(ctx).queues;
export const messages = (ctx: Located): Table<MessageRec> => sqsState.of(ctx).messages;
export const dedups = (ctx: Located): Table<DedupRec> => sqsState.of(ctx).dedups;

/** Runs fn atomically in the store (all of its writes commit together or none). */
export { transaction } from "../../core/state.js";

/** Message keys sort in send order within a queue. */
export const messageKey = (q: QueueRec, seq: number) => `${q.id}/${String(seq).padStart(16, "0")}`;
export const messagePrefix = (q: QueueRec) => `${q.id}/`;

export const queueArn = (region: string, account: string, name: string) => regionalArn({ region, account }, "sqs", name);

/**
 * `http://<host the client used>/<account>/<name>`. In-process callers (CloudFormation's Ref, an event source) get
 * STRATUS_PUBLIC_URL, else the URL this server listens on: a URL that resolves wherever Stratus runs (the SDK sends
 * requests to the QueueUrl's host, so a Lambda function handed the URL must reach it); LocalStack's standard form
 * only when neither is known.
 */
export function queueUrl(ctx: HandlerContext, q: Pick<QueueRec, "account" | "name" | "region">): string {
  const server = publicBaseUrl({ url: ctx.instance<SqsInstance | undefined>()?.serverUrl() });
  const base = ctx.host ? `http://${ctx.host}` : (server ?? `http://sqs.${q.region}.localhost.localstack.cloud:4566`);
  return `${base}/${q.account}/${q.name}`;
}

/**
 * The queue a QueueUrl names. Any form a client sends back is accepted — this server's URL, LocalStack's
 * host or path forms, real AWS URLs — resolved by the account and name at the end of the path.
 */
export function findQueue(ctx: HandlerContext, url: string): QueueRec {
  let path = url;
  const m = /^[a-z]+:\/\/[^/]+(\/.*)?$/i.exec(url);
  if (m) path = m[1] ?? "";
  const parts = path.split("?")[0].split("/").filter(Boolean);
  const name = parts.at(-1);
  const account = parts.length >= 2 ? parts.at(-2) : ctx.account;
  if (!name || !account) throw queueDoesNotExist();
  // Cross-account access needs queue policies, which are not evaluated: another account's queue is not found.
  if (account !== ctx.account) throw queueDoesNotExist();
  const q = queues(ctx).get(name);
  if (!q) throw queueDoesNotExist();
  return q;
}

/** The queue an ARN names, in the caller's account and region (undefined when absent). */
export function queueByArn(ctx: HandlerContext, arn: string): QueueRec | undefined {
  const m = /^arn:aws[\w-]*:sqs:([^:]+):(\d{12}):(.+)$/.exec(arn);
  if (!m || m[1] !== ctx.region || m[2] !== ctx.account) return undefined;
  return queues(ctx).get(m[3]);
}

export const arnOf = (q: QueueRec) => queueArn(q.region, q.account, q.name);
