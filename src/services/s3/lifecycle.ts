// Lifecycle: the bucket configuration, and the sweep that applies its expiration actions (current versions
// by Days/Date, noncurrent versions, expired delete markers, incomplete multipart uploads) on the scheduler.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { ServiceHost } from "../../core/service.js";
import type { LifecycleRule, LifecycleRuleFilter, S3Api } from "./api.generated.js";
import { mustBucket } from "./common.js";
import { notify } from "./notifications.js";
import { storeTables, tables, type BucketRec, type VersionRec } from "./state.js";
import { isLocked } from "./object-lock.js";
import { commit, deleteCurrent, deleteVersion } from "./versions.js";

const DAY = 86_400_000;
/** How often the sweep runs; AWS applies lifecycle roughly once a day, Stratus checks hourly. */
export const SWEEP_INTERVAL = 3_600_000;

const invalid = (m: string) => new ServiceError("InvalidArgument", m, 400);

function checkRules(rules: LifecycleRule[]): void {
  if (!rules.length || rules.length > 1000)
    throw new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
  const ids = new Set<string>();
  for (const r of rules) {
    if (r.ID !== undefined) {
      if (r.ID.length > 255) throw invalid("ID length should not exceed allowed limit of 255");
      if (ids.has(r.ID)) throw invalid("Rule ID must be unique. Found same ID for more than one rule");
      ids.add(r.ID);
    }
    if (r.Status !== "Enabled" && r.Status !== "Disabled")
      throw new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
    if (r.Filter !== undefined && r.Prefix !== undefined)
      throw new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
    const e = r.Expiration;
    if (!e && !r.NoncurrentVersionExpiration && !r.AbortIncompleteMultipartUpload && !r.Transitions?.length && !r.NoncurrentVersionTransitions?.length) {
      throw new ServiceError("InvalidRequest", "At least one action needs to be specified in a rule", 400);
    }
    if (e?.Days !== undefined && e.Days <= 0) throw invalid("'Days' for Expiration action must be a positive integer");
    if (e?.Date !== undefined && e.Date.getTime() % DAY !== 0) throw invalid("'Date' must be at midnight GMT");
    if (e && [e.Days, e.Date, e.ExpiredObjectDeleteMarker].filter((x) => x !== undefined).length > 1) {
      throw new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
    }
    if (r.NoncurrentVersionExpiration?.NoncurrentDays !== undefined && r.NoncurrentVersionExpiration.NoncurrentDays <= 0) {
      throw invalid("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
    }
    if (r.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined && r.AbortIncompleteMultipartUpload.DaysAfterInitiation <= 0) {
      throw invalid("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
    }
  }
}

export const lifecycle = {
  putBucketLifecycleConfiguration({ Bucket, LifecycleConfiguration, TransitionDefaultMinimumObjectSize }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    const rules = LifecycleConfiguration?.Rules ?? [];
    checkRules(rules);
    // The header's value is kept and answered back; absent, S3's default (all_storage_classes_128K).
    t.buckets.put(Bucket, { ...b, lifecycle: rules, lifecycleMinSize: TransitionDefaultMinimumObjectSize });
    return { TransitionDefaultMinimumObjectSize: TransitionDefaultMinimumObjectSize ?? "all_storage_classes_128K" };
  },

  getBucketLifecycleConfiguration({ Bucket }, ctx) {
    const b = mustBucket(ctx, Bucket);
    if (!b.lifecycle?.length)
      throw new ServiceError("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", 404, { fields: { BucketName: Bucket } });
    return { Rules: b.lifecycle, TransitionDefaultMinimumObjectSize: b.lifecycleMinSize ?? "all_storage_classes_128K" };
  },

  deleteBucketLifecycle({ Bucket }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    t.buckets.put(Bucket, { ...b, lifecycle: undefined, lifecycleMinSize: undefined });
    return {};
  },
} satisfies Partial<S3Api>;

/** Days after `from`, rounded up to the next midnight UTC, as S3 counts lifecycle days. */
const dueAfterDays = (from: number, days: number) => Math.ceil((from + days * DAY) / DAY) * DAY;

function filterMatches(rule: LifecycleRule, key: string, v: VersionRec): boolean {
  const f: LifecycleRuleFilter | undefined = rule.Filter;
  const prefix = rule.Prefix ?? f?.Prefix ?? f?.And?.Prefix ?? "";
  if (!key.startsWith(prefix)) return false;
  const tags = [...(f?.Tag ? [f.Tag] : []), ...(f?.And?.Tags ?? [])];
  if (!tags.every((t) => v.tags?.some((x) => x.Key === t.Key && x.Value === t.Value))) return false;
  const gt = f?.ObjectSizeGreaterThan ?? f?.And?.ObjectSizeGreaterThan;
  const lt = f?.ObjectSizeLessThan ?? f?.And?.ObjectSizeLessThan;
  if (gt !== undefined && !(v.size > gt)) return false;
  if (lt !== undefined && !(v.size < lt)) return false;
  return true;
}

/** Applies every bucket's enabled expiration rules as of now. */
export function sweep(runtime: ServiceHost): void {
  const t = storeTables(runtime);
  const now = runtime.clock.now();
  for (const { value: b } of t.buckets.list()) {
    const rules = (b.lifecycle ?? []).filter((r) => r.Status === "Enabled");
    if (!rules.length) continue;
    const ctx = runtime.context("s3", "LifecycleExpiration", { ...runtime.rootIdentity(b.account, b.region), sourceIp: "s3.amazonaws.com" });
    sweepObjects(ctx, b, rules, now);
    sweepUploads(ctx, b, rules, now);
  }
}

function sweepObjects(ctx: HandlerContext, b: BucketRec, rules: LifecycleRule[], now: number): void {
  const t = tables(ctx);
  for (const { key: full, value: obj } of t.objects.list({ prefix: `${b.name}/` })) {
    const key = full.slice(b.name.length + 1);
    const cur = obj.versions[0];
    for (const r of rules) {
      const e = r.Expiration;
      // Current version: expire it (a delete marker stacks on top in a versioned bucket).
      if (cur && !cur.deleteMarker && e && (e.Days !== undefined || e.Date !== undefined) && filterMatches(r, key, cur)) {
        const due = e.Days !== undefined ? dueAfterDays(cur.lastModified, e.Days) : e.Date!.getTime();
        if (now >= due) {
          const c = commit(ctx, ctx.blobs, () => deleteCurrent(t, b, key, now, b.account));
          notify(ctx, b, c.deleteMarker ? "LifecycleExpiration:DeleteMarkerCreated" : "LifecycleExpiration:Delete", {
            key,
            versionId: c.deleteMarker ? c.versionId : undefined,
          });
          break;
        }
      }
      // Noncurrent versions: each became noncurrent when the version above it was written.
      const nve = r.NoncurrentVersionExpiration;
      if (nve?.NoncurrentDays !== undefined) {
        const keep = nve.NewerNoncurrentVersions ?? 0;
        const fresh = t.objects.get(full);
        let seen = 0;
        (fresh?.versions ?? []).forEach((v, n, all) => {
          if (n === 0 || !filterMatches(r, key, v)) return;
          if (!v.deleteMarker && seen++ < keep) return;
          // Object Lock protects a version from lifecycle expiration too.
          if (now >= dueAfterDays(all[n - 1].lastModified, nve.NoncurrentDays!) && !isLocked(v, now, false)) {
            commit(ctx, ctx.blobs, () => deleteVersion(t, b, key, v.versionId));
            notify(ctx, b, "LifecycleExpiration:Delete", { key, versionId: v.versionId });
          }
        });
      }
      // A delete marker that is the only version left is removed.
      const after = t.objects.get(full);
      if (e?.ExpiredObjectDeleteMarker && after?.versions.length === 1 && after.versions[0].deleteMarker && filterMatches(r, key, after.versions[0])) {
        commit(ctx, ctx.blobs, () => deleteVersion(t, b, key, after.versions[0].versionId));
      }
    }
  }
}

function sweepUploads(ctx: HandlerContext, b: BucketRec, rules: LifecycleRule[], now: number): void {
  const t = tables(ctx);
  for (const { key: k, value: u } of t.uploads.list({ prefix: `${b.name}/` })) {
    const r = rules.find(
      (r) =>
        r.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined && u.key.startsWith(r.Prefix ?? r.Filter?.Prefix ?? r.Filter?.And?.Prefix ?? ""),
    );
    if (r && now >= dueAfterDays(u.initiated, r.AbortIncompleteMultipartUpload!.DaysAfterInitiation!)) {
      t.uploads.delete(k);
      for (const p of Object.values(u.parts)) ctx.blobs.delete(p.blob);
    }
  }
}

/** The service start hook: sweep now and then every SWEEP_INTERVAL (on the runtime clock). */
export function startLifecycle(runtime: ServiceHost): () => void {
  const run = () => {
    try {
      sweep(runtime);
    } catch (e) {
      runtime.logger.error("S3 lifecycle sweep failed", e);
    }
  };
  return runtime.scheduler.every(SWEEP_INTERVAL, run);
}
