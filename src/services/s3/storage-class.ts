// S3 storage classes: which ones a general purpose bucket takes, which are archived (unreadable until restored),
// and RestoreObject — a real restore on a shortened clock.
//
// Restores are computed from stored timestamps on the runtime clock, never from timers: a restore requested at T is
// in progress until T + STRATUS_S3_RESTORE_SECONDS (default 5 s instead of AWS's minutes to hours), then the
// restored copy is readable until its expiry date, after which the object is archived again. State that matters
// after a restart is therefore only the version record's `restore` (requested, ready, expires), and a test on a
// ManualClock moves the clock instead of sleeping.
import type { HandlerContext } from "../../core/context.js";
import type { ServiceHost } from "../../core/service.js";
import { ServiceError } from "../../core/errors.js";
import type { S3Api } from "./api.generated.js";
import { InvalidObjectState } from "./api.generated.js";
import { mustBucket } from "./common.js";
import { notify } from "./notifications.js";
import { readableVersion } from "./objects.js";
import { objKey, s3State, storeTables, tables, transaction, type VersionRec } from "./state.js";

const DAY = 86_400_000;

/** How long a restore takes here (AWS: 1–5 minutes Expedited … 48 hours Bulk), in seconds. */
export const RESTORE_MS = Math.max(0, Number(process.env.STRATUS_S3_RESTORE_SECONDS ?? 5)) * 1000;

// The classes PutObject, CopyObject and CreateMultipartUpload take for a general purpose bucket. OUTPOSTS and
// unknown names are InvalidStorageClass with StorageClassRequested, as recorded from AWS in LocalStack's
// tests/aws/services/s3/test_s3.snapshot.json (test_put_object_storage_class_outposts,
// TestS3PresignedPost::test_post_object_with_storage_class). SNOW, EXPRESS_ONEZONE (directory buckets only) and the
// FSX_* classes (FSx access points) are refused the same way: unverified against AWS for general purpose buckets.
const VALID = new Set(["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"]);

/**
 * Classes whose objects must be restored before GET or COPY (S3 User Guide, "Working with archived objects":
 * GLACIER — S3 Glacier Flexible Retrieval — and DEEP_ARCHIVE; GLACIER_IR is readable at once). INTELLIGENT_TIERING's
 * archive access tiers would be too, but Stratus never moves objects into them (no Intelligent-Tiering archive
 * configuration), so its objects stay in the readable tiers.
 */
export const ARCHIVED = new Set(["GLACIER", "DEEP_ARCHIVE"]);

/** The storage class a write names, checked; undefined when it names none. */
export function checkStorageClass(sc: string | undefined): string | undefined {
  if (sc === undefined) return undefined;
  if (!VALID.has(sc))
    throw new ServiceError("InvalidStorageClass", "The storage class you specified is not valid", 400, { fields: { StorageClassRequested: sc } });
  return sc;
}

export type RestoreState = "none" | "ongoing" | "restored";

/** Where a version's restore stands at `now` (an expired restored copy is "none" again). */
export function restoreState(v: VersionRec, now: number): RestoreState {
  const r = v.restore;
  if (!r || now >= r.expiresAt) return "none";
  return now < r.readyAt ? "ongoing" : "restored";
}

/** HeadObject's and GetObject's x-amz-restore header, or undefined. */
export function restoreHeader(v: VersionRec, now: number): string | undefined {
  const s = restoreState(v, now);
  if (s === "ongoing") return 'ongoing-request="true"';
  if (s === "restored") return `ongoing-request="false", expiry-date="${new Date(v.restore!.expiresAt).toUTCString()}"`;
  return undefined;
}

/** ListObjects' RestoreStatus (asked for with x-amz-optional-object-attributes: RestoreStatus). */
export function restoreStatus(v: VersionRec, now: number) {
  const s = restoreState(v, now);
  if (s === "none") return undefined;
  return s === "ongoing" ? { IsRestoreInProgress: true } : { IsRestoreInProgress: false, RestoreExpiryDate: new Date(v.restore!.expiresAt) };
}

/**
 * GetObject of an archived object that is not restored (still in progress included): InvalidObjectState, 403, with
 * the StorageClass element — AWS's words, recorded in LocalStack's test_s3.snapshot.json
 * (test_put_object_storage_class[GLACIER-False], TestS3DeepArchive::test_s3_get_deep_archive_object_restore).
 */
export function checkReadable(v: VersionRec, now: number): void {
  if (v.storageClass && ARCHIVED.has(v.storageClass) && restoreState(v, now) !== "restored")
    throw new InvalidObjectState("The operation is not valid for the object's storage class", { StorageClass: v.storageClass });
}

/** A copy (CopyObject, UploadPartCopy) from an archived source that is not restored (LocalStack's provider.py wording). */
export function checkCopyable(v: VersionRec, now: number): void {
  if (v.storageClass && ARCHIVED.has(v.storageClass) && restoreState(v, now) !== "restored")
    throw new InvalidObjectState("Operation is not valid for the source object's storage class", { StorageClass: v.storageClass });
}

/** A restore whose ObjectRestore:Completed event is due at readyAt. */
export interface PendingRestore {
  bucket: string;
  key: string;
  versionId: string;
  readyAt: number;
}

function completeLater(holder: HandlerContext | ServiceHost, account: string, region: string, id: string, at: number): void {
  holder.scheduler.at(at, () => {
    const pending = s3State.at(holder, account, region).pendingRestores;
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    const t = storeTables(holder);
    const b = t.buckets.get(p.bucket);
    const v = t.objects.get(objKey(p.bucket, p.key))?.versions.find((x) => x.versionId === p.versionId);
    // Only for the restore that is still the version's (not a deleted object, not one superseded).
    if (!b || !v || v.restore?.readyAt !== p.readyAt) return;
    const ctx = "rootIdentity" in holder ? holder.context("s3", "RestoreObject", holder.rootIdentity(account, region)) : holder;
    notify(ctx, b, "ObjectRestore:Completed", {
      key: p.key,
      size: v.size,
      etag: v.etag,
      versionId: v.versionId,
      storageClass: v.storageClass,
      restoreExpiry: v.restore?.expiresAt,
    });
  });
}

/** Re-arms the ObjectRestore:Completed events still due after a restart (the S3 start hook). */
export function resumePendingRestores(host: ServiceHost): void {
  for (const { account, region, tables: t } of s3State.all(host, "pendingRestores")) {
    for (const { key, value } of t.pendingRestores.list()) completeLater(host, account, region, key, value.readyAt);
  }
}

/** The output key whose value overrides the operation's success status (RestoreObject's 200 for a repeat). */
export const S3_STATUS = Symbol.for("stratus.s3.status");

export const restore = {
  restoreObject({ Bucket, Key, VersionId, RestoreRequest: req }, ctx: HandlerContext) {
    const b = mustBucket(ctx, Bucket);
    const v = readableVersion(b, Key, VersionId, ctx);
    // AWS's words for a class that has nothing to restore: moto issue/PR getmoto/moto#4670 and s3tools/s3cmd#1375
    // quote S3's "Restore is not allowed for the object's current storage class" (403).
    if (!v.storageClass || !ARCHIVED.has(v.storageClass))
      throw new InvalidObjectState("Restore is not allowed for the object's current storage class", { StorageClass: v.storageClass ?? "STANDARD" });
    if (req?.Type === "SELECT" || req?.SelectParameters || req?.OutputLocation)
      throw new ServiceError("NotImplemented", "Stratus does not run S3 Select restore requests (RestoreRequest Type SELECT).", 501);
    const days = req?.Days;
    // Days is required to restore a GLACIER or DEEP_ARCHIVE object (the API reference's RestoreRequest "Days");
    // the wording of S3's refusal is unverified.
    if (days === undefined || days < 1)
      throw new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
    const now = ctx.now();
    const state = restoreState(v, now);
    // S3 API Reference, RestoreObject errors: RestoreAlreadyInProgress, "Object restore is already in progress", 409.
    if (state === "ongoing") throw new ServiceError("RestoreAlreadyInProgress", "Object restore is already in progress", 409);
    // The expiry is the completion time plus Days, rounded up to the next midnight UTC (S3 User Guide, "Restoring an
    // archived object": "… and then rounding to the next day at midnight UTC"). A repeat while restored only moves
    // the expiry, and answers 200 instead of 202 (API reference, RestoreObject: "202 Accepted" / "200 OK").
    const readyAt = state === "restored" ? v.restore!.readyAt : now + RESTORE_MS;
    const from = state === "restored" ? now : readyAt;
    const expiresAt = Math.ceil((from + days * DAY) / DAY) * DAY;
    const t = tables(ctx);
    transaction(ctx, () => {
      const obj = t.objects.get(objKey(b.name, Key));
      const cur = obj?.versions.find((x) => x.versionId === v.versionId);
      if (!obj || !cur) return;
      cur.restore = { requestedAt: now, readyAt, expiresAt, days, tier: req?.GlacierJobParameters?.Tier ?? req?.Tier ?? "Standard" };
      t.objects.put(objKey(b.name, Key), obj);
    });
    if (state !== "restored") {
      notify(ctx, b, "ObjectRestore:Post", { key: Key, size: v.size, etag: v.etag, versionId: v.versionId, storageClass: v.storageClass });
      // ObjectRestore:Completed follows when the copy is ready, from a durable record (resumed after a restart).
      const id = `${b.name}/${Key}\u0000${v.versionId}`;
      s3State.at(ctx, b.account, b.region).pendingRestores.put(id, { bucket: b.name, key: Key, versionId: v.versionId, readyAt });
      ctx.startAtBoot();
      completeLater(ctx, b.account, b.region, id, readyAt);
    }
    return { [S3_STATUS]: state === "restored" ? 200 : 202 } as object;
  },
} satisfies Partial<S3Api>;
