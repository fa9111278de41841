// Key tags: TagResource, UntagResource, ListResourceTags, and the tag rules CreateKey shares (aws: reserved, 50 per key).
import type { HandlerContext } from "../../core/context.js";
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

// CloudFormation's own aws:cloudformation:* tags go through when it makes the call (core/tags.ts's system tags).
const rules = (ctx: HandlerContext, tooMany = TAGS.tooMany!): MergeTagsOptions<Tag> => ({
  ...TAGS,
  reserved: { ...TAGS.reserved!, invokedBy: ctx.invokedBy },
  max: 50,
  tooMany,
});

export const mergeTags = (ctx: HandlerContext, existing: Tag[], added: Tag[] | undefined): Tag[] => merge(existing, added, rules(ctx));

/** CreateKey's tags: more than 50 is TagException "Too many tags" (the same snapshots, test_create_key_with_too_many_tags_raises_error). */
export const initialTags = (ctx: HandlerContext, added: Tag[] | undefined): Tag[] =>
  merge(
    [],
    added,
    rules(ctx, () => new TagException("Too many tags")),
  );

export const tags = {
  tagResource({ KeyId, Tags }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustNotBePendingDeletion(ctx, k);
    tables(ctx).keys.put(k.id, { ...k, tags: mergeTags(ctx, k.tags, Tags) });
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
