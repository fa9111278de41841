// Key tags: TagResource, UntagResource, ListResourceTags, and the tag rules CreateKey shares (aws: reserved, 50 per key).
import { mergeTags as merge, removeTags, type MergeTagsOptions } from "../../core/tags.js";
import type { KmsApi, Tag } from "./api.generated.js";
import { LimitExceededException, TagException } from "./api.generated.js";
import { mustNotBePendingDeletion, page, resolveKey, tables } from "./state.js";

/** Adds or replaces tags by key; AWS reserves the aws: prefix and caps a key at 50 tags. */
// A key repeated in one request is refused: TagException "Duplicate tag keys" (LocalStack's AWS-recorded
// tests/aws/services/kms/test_kms.snapshot.json, test_tag_key_with_duplicate_tag_keys_raises_error, recorded 2025-01-17).
const TAGS: MergeTagsOptions<Tag> = {
  key: (t) => t.TagKey,
  duplicates: () => new TagException("Duplicate tag keys"),
  reserved: { prefix: "aws:", ignoreCase: true, error: () => new TagException("Tags beginning with aws: are reserved") },
  max: 50,
  tooMany: () => new LimitExceededException("The number of tags exceeds the limit of 50 tags per KMS key."),
};

export const mergeTags = (existing: Tag[], added: Tag[] | undefined): Tag[] => merge(existing, added, TAGS);

/** CreateKey's tags: more than 50 is TagException "Too many tags" (the same snapshots, test_create_key_with_too_many_tags_raises_error). */
export const initialTags = (added: Tag[] | undefined): Tag[] => merge([], added, { ...TAGS, tooMany: () => new TagException("Too many tags") });

export const tags = {
  tagResource({ KeyId, Tags }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustNotBePendingDeletion(ctx, k);
    tables(ctx).keys.put(k.id, { ...k, tags: mergeTags(k.tags, Tags) });
    return {};
  },

  untagResource({ KeyId, TagKeys }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustNotBePendingDeletion(ctx, k);
    tables(ctx).keys.put(k.id, { ...k, tags: removeTags(k.tags, TagKeys, TAGS.key) });
    return {};
  },

  listResourceTags({ KeyId, Limit, Marker }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    const p = page("ListResourceTags", k.tags, Marker, Limit, 50);
    return { Tags: p.items, Truncated: p.Truncated, NextMarker: p.NextMarker };
  },
} satisfies Partial<KmsApi>;
