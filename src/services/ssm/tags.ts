// Tags on parameters (ResourceType "Parameter") and documents ("Document"); the other taggable SSM resources are not held by Stratus yet.
import type { HandlerContext } from "../../core/context.js";
import { countedTags } from "../../core/tags.js";
import { InvalidResourceId, TooManyTagsError } from "./api.generated.js";
import type { ResourceTypeForTagging, SsmApi, Tag } from "./api.generated.js";
import { findParam, params, ssmState } from "./state.js";

/** The tagged record's tags and how to store them back. */
function resourceFor(ctx: HandlerContext, type: ResourceTypeForTagging, id: string): { tags: Tag[]; save: (tags: Tag[]) => void } {
  if (type === "Parameter") {
    const p = findParam(ctx, id);
    if (p)
      return {
        tags: p.tags,
        save: (tags) => {
          p.tags = tags;
          params(ctx).put(p.name, p);
        },
      };
  }
  if (type === "Document") {
    // Only the caller's own documents: AWS's and shared ones belong to their owners.
    const table = ssmState.of(ctx).documents;
    const d = table.get(id);
    if (d)
      return {
        tags: d.tags,
        save: (tags) => {
          d.tags = tags;
          table.put(d.name, d);
        },
      };
  }
  // Windows, baselines… cannot exist here yet, so their ids are as unknown as a missing parameter's.
  throw new InvalidResourceId('The resource ID "' + id + '" is not valid. Verify the ID and try again.');
}

export const tags = {
  addTagsToResource({ ResourceType, ResourceId, Tags }, ctx) {
    const r = resourceFor(ctx, ResourceType, ResourceId);
    const byKey = new Map(r.tags.map((t) => [t.Key, t.Value]));
    for (const t of Tags) byKey.set(t.Key, t.Value);
    if (countedTags([...byKey.keys()], (k) => k) > 50)
      throw new TooManyTagsError("The Tags parameter contains more than 50 tags, or the resource already has 50 tags.");
    r.save([...byKey].map(([Key, Value]): Tag => ({ Key, Value })));
    return {};
  },

  removeTagsFromResource({ ResourceType, ResourceId, TagKeys }, ctx) {
    const r = resourceFor(ctx, ResourceType, ResourceId);
    r.save(r.tags.filter((t) => !TagKeys.includes(t.Key)));
    return {};
  },

  listTagsForResource({ ResourceType, ResourceId }, ctx) {
    return { TagList: resourceFor(ctx, ResourceType, ResourceId).tags };
  },
} satisfies Partial<SsmApi>;
