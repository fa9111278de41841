// Tags on parameters (ResourceType "Parameter"); the other taggable SSM resources are not held by Stratus yet.
import type { HandlerContext } from "../../core/context.js";
import { InvalidResourceId, TooManyTagsError } from "./api.generated.js";
import type { ResourceTypeForTagging, SsmApi, Tag } from "./api.generated.js";
import { findParam, params } from "./state.js";

function parameterFor(ctx: HandlerContext, type: ResourceTypeForTagging, id: string) {
  // Documents, windows, baselines… cannot exist here yet, so their ids are as unknown as a missing parameter's.
  const p = type === "Parameter" ? findParam(ctx, id) : undefined;
  if (!p) throw new InvalidResourceId('The resource ID "' + id + '" is not valid. Verify the ID and try again.');
  return p;
}

export const tags = {
  addTagsToResource({ ResourceType, ResourceId, Tags }, ctx) {
    const p = parameterFor(ctx, ResourceType, ResourceId);
    const byKey = new Map(p.tags.map((t) => [t.Key, t.Value]));
    for (const t of Tags) byKey.set(t.Key, t.Value);
    if (byKey.size > 50) throw new TooManyTagsError("The Tags parameter contains more than 50 tags, or the resource already has 50 tags.");
    p.tags = [...byKey].map(([Key, Value]): Tag => ({ Key, Value }));
    params(ctx).put(p.name, p);
    return {};
  },

  removeTagsFromResource({ ResourceType, ResourceId, TagKeys }, ctx) {
    const p = parameterFor(ctx, ResourceType, ResourceId);
    p.tags = p.tags.filter((t) => !TagKeys.includes(t.Key));
    params(ctx).put(p.name, p);
    return {};
  },

  listTagsForResource({ ResourceType, ResourceId }, ctx) {
    return { TagList: parameterFor(ctx, ResourceType, ResourceId).tags };
  },
} satisfies Partial<SsmApi>;
