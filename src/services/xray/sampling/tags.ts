// Tags of X-Ray's taggable resources — sampling rules and groups — in one table keyed by the resource's ARN
// (state.ts `tags`). A resource has a record from its creation to its deletion, which is how TagResource knows it
// exists: the code that creates a sampling rule or a group calls registerTaggable, and the code that deletes it
// forgetTaggable (the groups code in traces/ uses the same two functions).
//
// Limits from the API reference (CreateSamplingRule, CreateGroup, TagResource): at most 50 user-applied tags per
// resource, keys may not start with the reserved `aws:` prefix. The error texts are unverified wording.
import type { HandlerContext } from "../../../core/context.js";
import { encodePageToken, decodePageToken } from "../../../core/paging.js";
import { mergeTags, removeTags } from "../../../core/tags.js";
import { InvalidRequestException, ResourceNotFoundException, TooManyTagsException, type Tag, type XrayApi } from "../api.generated.js";
import { DEFAULT_RULE, ruleArn, samplingState } from "./state.js";

const MAX_TAGS = 50;
const PAGE = 100;

const tagOptions = (ctx: HandlerContext) => ({
  key: (t: Tag) => t.Key,
  duplicates: "last" as const,
  reserved: {
    prefix: "aws:",
    ignoreCase: true,
    invokedBy: ctx.invokedBy,
    error: () => new InvalidRequestException("Tag keys starting with 'aws:' are reserved for AWS use."), // unverified wording
  },
  max: MAX_TAGS,
  tooMany: () => new TooManyTagsException(`A resource can have at most ${MAX_TAGS} tags.`), // unverified wording
});

/** Makes a new resource taggable, with its initial tags (checked against the limits). In the caller's transaction. */
export function registerTaggable(ctx: HandlerContext, arn: string, tags: Tag[] | undefined): void {
  samplingState.of(ctx).tags.put(arn, { tags: mergeTags([], tags, tagOptions(ctx)) });
}

/** Checks tags for a resource about to be created, before anything is written. */
export function checkTags(ctx: HandlerContext, tags: Tag[] | undefined): void {
  mergeTags([], tags, tagOptions(ctx));
}

export function forgetTaggable(ctx: HandlerContext, arn: string): void {
  samplingState.of(ctx).tags.delete(arn);
}

export const tagsOf = (ctx: HandlerContext, arn: string): Tag[] => samplingState.of(ctx).tags.read(arn)?.tags.slice() ?? [];

/** The resource's tag record; the region's Default sampling rule is taggable without having been created. */
function mustExist(ctx: HandlerContext, arn: string): Tag[] {
  const rec = samplingState.of(ctx).tags.get(arn);
  if (rec) return rec.tags;
  if (arn === ruleArn(ctx, DEFAULT_RULE)) return [];
  throw new ResourceNotFoundException(`Resource ${arn} not found.`, { ResourceName: arn }); // unverified wording
}

export const tagHandlers = {
  tagResource({ ResourceARN, Tags }, ctx) {
    const merged = mergeTags(mustExist(ctx, ResourceARN), Tags, tagOptions(ctx));
    samplingState.of(ctx).tags.put(ResourceARN, { tags: merged });
    return {};
  },
  untagResource({ ResourceARN, TagKeys }, ctx) {
    const left = removeTags(mustExist(ctx, ResourceARN), TagKeys, (t) => t.Key);
    samplingState.of(ctx).tags.put(ResourceARN, { tags: left });
    return {};
  },
  listTagsForResource({ ResourceARN, NextToken }, ctx) {
    const tags = mustExist(ctx, ResourceARN);
    const invalid = () => new InvalidRequestException("Invalid NextToken"); // unverified wording
    const from = NextToken === undefined ? 0 : Number(decodePageToken<string>("ListTagsForResource", NextToken, invalid, { bind: ResourceARN }));
    const page = tags.slice(from, from + PAGE);
    const more = from + PAGE < tags.length;
    return { Tags: page, ...(more ? { NextToken: encodePageToken("ListTagsForResource", String(from + PAGE), ResourceARN) } : {}) };
  },
} satisfies Partial<XrayApi>;
