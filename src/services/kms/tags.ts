// Key tags: TagResource, UntagResource, ListResourceTags, and the tag rules CreateKey shares (aws: reserved, 50 per key).
import type { KmsApi, Tag } from "./api.generated.js";
import { LimitExceededException, TagException } from "./api.generated.js";
import { mustNotBePendingDeletion, page, resolveKey, tables } from "./state.js";

/** Adds or replaces tags by key; AWS reserves the aws: prefix and caps a key at 50 tags. */
export function mergeTags(existing: Tag[], added: Tag[] | undefined): Tag[] {
  for (const t of added ?? []) {
    if (t.TagKey.toLowerCase().startsWith("aws:")) throw new TagException("Tags beginning with aws: are reserved");
  }
  const last = new Map((added ?? []).map((t) => [t.TagKey, t.TagValue]));
  const out = existing.filter((t) => !last.has(t.TagKey)).concat([...last].map(([TagKey, TagValue]) => ({ TagKey, TagValue })));
  if (out.length > 50) throw new LimitExceededException("The number of tags exceeds the limit of 50 tags per KMS key.");
  return out;
}

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
    tables(ctx).keys.put(k.id, { ...k, tags: k.tags.filter((t) => !TagKeys.includes(t.TagKey)) });
    return {};
  },

  listResourceTags({ KeyId, Limit, Marker }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    const p = page(k.tags, Marker, Limit, 50);
    return { Tags: p.items, Truncated: p.Truncated, NextMarker: p.NextMarker };
  },
} satisfies Partial<KmsApi>;
