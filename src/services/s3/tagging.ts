// Tag sets on objects (per version) and on buckets.
import { ServiceError } from "../../core/errors.js";
import { countedTags } from "../../core/tags.js";
import type { S3Api } from "./api.generated.js";
import { checkTags, findVersion, getObject, mustBucket } from "./common.js";
import { readableVersion } from "./objects.js";
import { notify } from "./notifications.js";
import { objKey, tables } from "./state.js";

export const tagging = {
  putObjectTagging({ Bucket, Key, VersionId, Tagging }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    const tags = checkTags(Tagging?.TagSet ?? [], 10);
    const v = readableVersion(b, Key, VersionId, ctx);
    const obj = getObject(t, Bucket, Key)!;
    t.objects.put(objKey(Bucket, Key), { versions: obj.versions.map((x) => (x.versionId === v.versionId ? { ...x, tags } : x)) });
    notify(ctx, b, "ObjectTagging:Put", { key: Key, versionId: v.versionId });
    return { VersionId: b.versioning ? v.versionId : undefined };
  },

  getObjectTagging({ Bucket, Key, VersionId }, ctx) {
    const b = mustBucket(ctx, Bucket);
    const v = readableVersion(b, Key, VersionId, ctx);
    return { TagSet: v.tags ?? [], VersionId: b.versioning ? v.versionId : undefined };
  },

  deleteObjectTagging({ Bucket, Key, VersionId }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    const v = findVersion(b, getObject(t, Bucket, Key), Key, VersionId);
    const obj = getObject(t, Bucket, Key)!;
    t.objects.put(objKey(Bucket, Key), { versions: obj.versions.map((x) => (x.versionId === v.versionId ? { ...x, tags: [] } : x)) });
    notify(ctx, b, "ObjectTagging:Delete", { key: Key, versionId: v.versionId });
    return { VersionId: b.versioning ? v.versionId : undefined };
  },

  putBucketTagging({ Bucket, Tagging }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    const tags = Tagging?.TagSet ?? [];
    if (countedTags(tags, (x) => x.Key) > 50) throw new ServiceError("BadRequest", "Bucket tag count cannot be greater than 50", 400);
    const seen = new Set<string>();
    for (const tag of tags) {
      if (seen.has(tag.Key)) throw new ServiceError("InvalidTag", "Cannot provide multiple Tags with the same key", 400, { fields: { TagKey: tag.Key } });
      seen.add(tag.Key);
    }
    t.buckets.put(Bucket, { ...b, tags: checkTags(tags, 50, ctx.invokedBy) });
    return {};
  },

  getBucketTagging({ Bucket }, ctx) {
    const b = mustBucket(ctx, Bucket);
    if (!b.tags?.length) throw new ServiceError("NoSuchTagSet", "The TagSet does not exist", 404, { fields: { BucketName: Bucket } });
    return { TagSet: b.tags };
  },

  deleteBucketTagging({ Bucket }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    t.buckets.put(Bucket, { ...b, tags: undefined });
    return {};
  },
} satisfies Partial<S3Api>;
