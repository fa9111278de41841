// S3's events for EventBridge (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html and
// "EventBridge event message structure", ev-events.html): with `EventBridgeConfiguration: {}` in a bucket's
// notification configuration, every object event goes to the default bus of the bucket's account and region as
// source `aws.s3`, the bucket's ARN its resource, detail-type and detail as AWS documents them. Built only when the
// bus has a rule (eventbridge/internal.ts busHasRules: one key lookup), stored with the other pending notifications
// and sent as an in-process PutEvents.
import type { HandlerContext } from "../../core/context.js";
import { busHasRules } from "../eventbridge/internal.js";
import { bucketArn } from "./common.js";
import type { EventObject } from "./notifications.js";
import type { BucketRec } from "./state.js";

/** Per S3 event name: EventBridge's detail-type, the detail's reason, and for deletions their deletion-type. */
const TYPES: Record<string, { type: string; reason?: string; deletion?: string }> = {
  "ObjectCreated:Put": { type: "Object Created", reason: "PutObject" },
  "ObjectCreated:Post": { type: "Object Created", reason: "POST Object" },
  "ObjectCreated:Copy": { type: "Object Created", reason: "CopyObject" },
  "ObjectCreated:CompleteMultipartUpload": { type: "Object Created", reason: "CompleteMultipartUpload" },
  "ObjectRemoved:Delete": { type: "Object Deleted", reason: "DeleteObject", deletion: "Permanently Deleted" },
  "ObjectRemoved:DeleteMarkerCreated": { type: "Object Deleted", reason: "DeleteObject", deletion: "Delete Marker Created" },
  "LifecycleExpiration:Delete": { type: "Object Deleted", reason: "Lifecycle Expiration", deletion: "Permanently Deleted" },
  "LifecycleExpiration:DeleteMarkerCreated": { type: "Object Deleted", reason: "Lifecycle Expiration", deletion: "Delete Marker Created" },
  "ObjectRestore:Post": { type: "Object Restore Initiated" },
  "ObjectRestore:Completed": { type: "Object Restore Completed" },
  "ObjectTagging:Put": { type: "Object Tags Added" },
  "ObjectTagging:Delete": { type: "Object Tags Deleted" },
  "ObjectAcl:Put": { type: "Object ACL Updated" },
};

/** The PutEvents entry (as JSON, for the pending-notification record) for an S3 event, or undefined if none goes out. */
export function eventBridgeEntry(ctx: HandlerContext, b: BucketRec, eventName: string, o: EventObject, sequencer: string): string | undefined {
  if (!b.notification?.EventBridgeConfiguration) return undefined;
  const t = TYPES[eventName];
  if (!t || !busHasRules(ctx, b.account, b.region)) return undefined;
  const created = t.type === "Object Created";
  const detail = {
    version: "0",
    bucket: { name: b.name },
    object: {
      key: o.key,
      ...(o.size !== undefined && t.type !== "Object Deleted" ? { size: o.size } : {}),
      ...(o.etag ? { etag: o.etag.replace(/"/g, "") } : {}),
      ...(o.versionId && o.versionId !== "null" ? { "version-id": o.versionId } : {}),
      ...(created || t.type === "Object Deleted" ? { sequencer } : {}),
    },
    "request-id": ctx.requestId,
    requester: ctx.principal.accountId,
    ...(ctx.sourceIp ? { "source-ip-address": ctx.sourceIp } : {}),
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.deletion ? { "deletion-type": t.deletion } : {}),
    ...(t.type.startsWith("Object Restore") && o.storageClass ? { "source-storage-class": o.storageClass } : {}),
    ...(o.restoreExpiry !== undefined ? { "restore-expiry-time": new Date(o.restoreExpiry).toISOString() } : {}),
  };
  const entry = { Source: "aws.s3", DetailType: t.type, Detail: JSON.stringify(detail), Resources: [bucketArn(b.name, b.region)], Time: ctx.now() };
  return JSON.stringify(entry);
}

/** Sends a stored entry to the bucket's default bus (as S3: its aws.s3 source is allowed in-process only). */
export async function sendToEventBridge(ctx: HandlerContext, body: string, who: { account: string; region: string }): Promise<void> {
  const { Time, ...entry } = JSON.parse(body) as { Source: string; DetailType: string; Detail: string; Resources: string[]; Time: number };
  const r = await ctx.client("eventbridge").putEvents({ Entries: [{ ...entry, Time: new Date(Time) }] }, who);
  if (r.FailedEntryCount) throw new Error(`${r.Entries?.[0]?.ErrorCode}: ${r.Entries?.[0]?.ErrorMessage}`);
}
