// Bucket event notifications: the configuration (validated against real destinations, with s3:TestEvent as
// AWS sends it) and delivery of S3's event JSON to SQS queues, SNS topics and Lambda functions after a write.
import { randomBytes, randomUUID } from "node:crypto";
import type { ServiceHost } from "../../core/service.js";
import { parseArn, regionalArn } from "../../core/arn.js";
import { lambdaPermits } from "../lambda/internal.js";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { NotificationConfiguration, NotificationConfigurationFilter, S3Api } from "./api.generated.js";
import { bucketArn, mustBucket, urlEncode } from "./common.js";
import { eventBridgeEntry, sendToEventBridge } from "./eventbridge-events.js";
import { s3State, tables, type BucketRec } from "./state.js";

export interface Destination {
  /** "eventbridge": the bucket's default bus (EventBridgeConfiguration), its body a PutEvents entry. */
  kind: "queue" | "topic" | "function" | "eventbridge";
  arn: string;
  id: string;
  events: string[];
  filter?: NotificationConfigurationFilter;
}

function destinations(conf: NotificationConfiguration | undefined): Destination[] {
  if (!conf) return [];
  return [
    ...(conf.QueueConfigurations ?? []).map((c) => ({ kind: "queue" as const, arn: c.QueueArn, id: c.Id!, events: c.Events, filter: c.Filter })),
    ...(conf.TopicConfigurations ?? []).map((c) => ({ kind: "topic" as const, arn: c.TopicArn, id: c.Id!, events: c.Events, filter: c.Filter })),
    ...(conf.LambdaFunctionConfigurations ?? []).map((c) => ({
      kind: "function" as const,
      arn: c.LambdaFunctionArn,
      id: c.Id!,
      events: c.Events,
      filter: c.Filter,
    })),
  ];
}

const arnParts = (arn: string) => {
  const { region = "", account = "", resource: name = "" } = parseArn(arn) ?? {};
  return { region, account, name };
};

/**
 * Sends one message body to a destination, as the destination's owner (S3 is the sender, not the caller).
 * `check` is the configuration-time validation: queues and topics get the s3:TestEvent, while a function is
 * only checked (a DryRun Invoke: it exists and may be invoked) and never runs the test event, as on AWS.
 */
async function send(ctx: HandlerContext, d: Destination, body: string, check = false, bucketArn = bucketOf(body)): Promise<void> {
  const { region, account, name } = arnParts(d.arn);
  const who = { account, region };
  if (d.kind === "eventbridge") return sendToEventBridge(ctx, body, who);
  if (d.kind === "queue") {
    const { QueueUrl } = await ctx.client("sqs").getQueueUrl({ QueueName: name, QueueOwnerAWSAccountId: account }, who);
    await ctx.client("sqs").sendMessage({ QueueUrl: QueueUrl!, MessageBody: body }, who);
  } else if (d.kind === "topic") {
    await ctx.client("sns").publish({ TopicArn: d.arn, Message: body, Subject: "Amazon S3 Notification" }, who);
  } else {
    // The function's resource policy must let S3 invoke it for this bucket (lambda add-permission).
    if (!lambdaPermits(ctx, d.arn, "s3.amazonaws.com", bucketArn, ctx.account)) throw new Error(`S3 may not invoke ${d.arn}`);
    await ctx.client("lambda").invoke({ FunctionName: d.arn, InvocationType: check ? "DryRun" : "Event", Payload: Buffer.from(body) }, who);
  }
}

/** The bucket ARN an event record names (the source S3 presents to Lambda). */
function bucketOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { Records?: { s3?: { bucket?: { arn?: string } } }[] }).Records?.[0]?.s3?.bucket?.arn;
  } catch {
    return undefined;
  }
}

const ruleValue = (f: NotificationConfigurationFilter | undefined, name: string) => f?.Key?.FilterRules?.find((r) => r.Name?.toLowerCase() === name)?.Value;

function matches(d: Destination, eventName: string, key: string): boolean {
  const [family] = eventName.split(":");
  if (!d.events.some((e) => e === `s3:${eventName}` || e === `s3:${family}:*`)) return false;
  const prefix = ruleValue(d.filter, "prefix");
  const suffix = ruleValue(d.filter, "suffix");
  return (!prefix || key.startsWith(prefix)) && (!suffix || key.endsWith(suffix));
}

let seq = 0;
/** S3's sequencer: hex that grows with every event on a key (time, then a counter). */
const sequencer = (now: number) => (now.toString(16) + (seq++ % 0x10000).toString(16).padStart(4, "0")).toUpperCase().padStart(18, "0");

export interface EventObject {
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
  /** Restores (EventBridge's detail only): the object's storage class, when its restored copy expires. */
  storageClass?: string;
  restoreExpiry?: number;
}

/** Delivers `eventName` (e.g. "ObjectCreated:Put") for a key to every matching destination, after the response. */
export function notify(ctx: HandlerContext, b: BucketRec, eventName: string, o: EventObject): void {
  if (!b.notification) return;
  const targets = destinations(b.notification).filter((d) => matches(d, eventName, o.key));
  const now = ctx.now();
  const seqText = sequencer(now);
  const entry = eventBridgeEntry(ctx, b, eventName, o, seqText);
  if (entry) store(ctx, { kind: "eventbridge", arn: regionalArn(b, "events", "event-bus/default"), id: "", events: [] }, entry);
  if (!targets.length) return;
  const hostId = randomBytes(48).toString("base64");
  for (const d of targets) {
    const record = {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: b.region,
      eventTime: new Date(now).toISOString(),
      eventName,
      userIdentity: { principalId: `AWS:${ctx.principal.principalId}` },
      requestParameters: { sourceIPAddress: ctx.sourceIp },
      responseElements: { "x-amz-request-id": ctx.requestId, "x-amz-id-2": hostId },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: d.id,
        bucket: { name: b.name, ownerIdentity: { principalId: b.account }, arn: bucketArn(b.name, b.region) },
        object: {
          // Keys are form-encoded in events: spaces become "+".
          key: urlEncode(o.key).replace(/%20/g, "+"),
          ...(o.size !== undefined ? { size: o.size } : {}),
          ...(o.etag ? { eTag: o.etag.replace(/"/g, "") } : {}),
          ...(o.versionId && o.versionId !== "null" ? { versionId: o.versionId } : {}),
          sequencer: seqText,
        },
      },
    };
    store(ctx, d, JSON.stringify({ Records: [record] }));
  }
}

/** Stored before the write's response, delivered after it: a restart (or kill -9) resumes what is pending. */
function store(ctx: HandlerContext, destination: Destination, body: string): void {
  const id = randomUUID();
  pendingEvents(ctx).put(id, { destination, body, attempts: 0 });
  ctx.startAtBoot();
  deliverLater(ctx, id, 0);
}

export interface PendingEvent {
  destination: Destination;
  body: string;
  attempts: number;
}

const pendingEvents = (ctx: HandlerContext) => s3State.of(ctx).pendingEvents;
const RETRIES = 3;
const RETRY_MS = 1000;

function deliverLater(ctx: HandlerContext, id: string, delayMs: number): void {
  ctx.scheduler.after(delayMs, () => void deliver(ctx, id));
}

// Delivery is asynchronous in AWS too; an event whose destination stays unreachable (deleted queue, topic or
// function) is dropped after a few tries, as AWS drops it.
async function deliver(ctx: HandlerContext, id: string): Promise<void> {
  const table = pendingEvents(ctx);
  const p = table.get(id);
  if (!p) return;
  try {
    await send(ctx, p.destination, p.body);
    table.delete(id);
  } catch {
    if (p.attempts + 1 >= RETRIES) table.delete(id);
    else {
      table.put(id, { ...p, attempts: p.attempts + 1 });
      deliverLater(ctx, id, RETRY_MS);
    }
  }
}

/** Re-arms the event deliveries still pending after a restart, in every account and region. */
export function resumePendingEvents(runtime: ServiceHost): void {
  for (const { account, region, tables: t } of s3State.all(runtime, "pendingEvents")) {
    const ctx = runtime.context("s3", "PutObject", runtime.rootIdentity(account, region));
    for (const { key } of t.pendingEvents.list()) deliverLater(ctx, key, 0);
  }
}

const VALID_EVENTS = new Set([
  "s3:ReducedRedundancyLostObject",
  "s3:ObjectCreated:*",
  "s3:ObjectCreated:Put",
  "s3:ObjectCreated:Post",
  "s3:ObjectCreated:Copy",
  "s3:ObjectCreated:CompleteMultipartUpload",
  "s3:ObjectRemoved:*",
  "s3:ObjectRemoved:Delete",
  "s3:ObjectRemoved:DeleteMarkerCreated",
  "s3:ObjectRestore:*",
  "s3:ObjectRestore:Post",
  "s3:ObjectRestore:Completed",
  "s3:ObjectRestore:Delete",
  "s3:Replication:*",
  "s3:Replication:OperationFailedReplication",
  "s3:Replication:OperationNotTracked",
  "s3:Replication:OperationMissedThreshold",
  "s3:Replication:OperationReplicatedAfterThreshold",
  "s3:LifecycleTransition",
  "s3:IntelligentTiering",
  "s3:ObjectAcl:Put",
  "s3:LifecycleExpiration:*",
  "s3:LifecycleExpiration:Delete",
  "s3:LifecycleExpiration:DeleteMarkerCreated",
  "s3:ObjectTagging:*",
  "s3:ObjectTagging:Put",
  "s3:ObjectTagging:Delete",
]);

export const notificationConfig = {
  async putBucketNotificationConfiguration({ Bucket: name, NotificationConfiguration: conf, SkipDestinationValidation }, ctx) {
    mustBucket(ctx, name);
    const clean: NotificationConfiguration = {};
    const withIds = <T extends { Id?: string; Events: string[]; Filter?: NotificationConfigurationFilter }>(list: T[] | undefined) =>
      list?.map((c) => {
        for (const e of c.Events)
          if (!VALID_EVENTS.has(e))
            throw new ServiceError("InvalidArgument", "The event is not supported for notifications", 400, { fields: { ArgumentName: e, ArgumentValue: e } });
        for (const r of c.Filter?.Key?.FilterRules ?? []) {
          const n = r.Name?.toLowerCase();
          if (n !== "prefix" && n !== "suffix")
            throw new ServiceError("InvalidArgument", "filter rule name must be either prefix or suffix", 400, {
              fields: { ArgumentName: "FilterRule.Name", ArgumentValue: r.Name },
            });
        }
        return { ...c, Id: c.Id ?? randomBytes(24).toString("base64url") };
      });
    if (conf?.QueueConfigurations?.length) clean.QueueConfigurations = withIds(conf.QueueConfigurations);
    if (conf?.TopicConfigurations?.length) clean.TopicConfigurations = withIds(conf.TopicConfigurations);
    if (conf?.LambdaFunctionConfigurations?.length) clean.LambdaFunctionConfigurations = withIds(conf.LambdaFunctionConfigurations);
    if (conf?.EventBridgeConfiguration) clean.EventBridgeConfiguration = {};
    // AWS checks each destination (an s3:TestEvent to queues and topics, an invoke check for functions); one
    // it cannot reach fails the whole call.
    const failed: Destination[] = [];
    if (!SkipDestinationValidation) {
      const test = JSON.stringify({
        Service: "Amazon S3",
        Event: "s3:TestEvent",
        Time: new Date(ctx.now()).toISOString(),
        Bucket: name,
        RequestId: ctx.requestId,
        HostId: randomBytes(48).toString("base64"),
      });
      for (const d of destinations(clean)) {
        try {
          await send(ctx, d, test, true, bucketArn(name, ctx.region));
        } catch {
          failed.push(d);
        }
      }
    }
    if (failed.length) {
      throw new ServiceError("InvalidArgument", "Unable to validate the following destination configurations", 400, {
        fields: {
          ArgumentName: failed[0]!.arn,
          ArgumentValue:
            failed[0]!.kind === "function"
              ? `Not authorized to invoke function [${failed[0]!.arn}]`
              : `Permissions on the destination ${failed[0]!.kind} do not allow S3 to publish notifications from this bucket`,
        },
      });
    }
    const t = tables(ctx);
    const b = mustBucket(ctx, name, t);
    t.buckets.put(name, { ...b, notification: Object.keys(clean).length ? clean : undefined });
    return {};
  },

  getBucketNotificationConfiguration({ Bucket: name }, ctx) {
    return mustBucket(ctx, name).notification ?? {};
  },
} satisfies Partial<S3Api>;
