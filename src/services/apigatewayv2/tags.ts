// Tags on APIs (arn:aws:apigateway:<region>::/apis/<apiId>) and stages (…/apis/<apiId>/stages/<stageName>):
// TagResource, UntagResource, GetTags. The records keep them as a map, as CreateApi and CreateStage take them.
import type { HandlerContext } from "../../core/context.js";
import { mergeTags } from "../../core/tags.js";
import type { Apigatewayv2Api } from "./api.generated.js";
import { apiNotFound, badRequest, notFound } from "./common.js";
import { tables } from "./state.js";

const MAX_TAGS = 50;

/**
 * `added` merged over a resource's tags, as TagResource, CreateApi and ImportApi take them: no `aws:` key, except the
 * system tags of the AWS service making the call (CloudFormation's aws:cloudformation:*, which count toward no limit).
 */
export function mergeApiTags(ctx: HandlerContext, existing: Record<string, string>, added: Record<string, string> | undefined): Record<string, string> {
  const merged = mergeTags(Object.entries(existing), Object.entries(added ?? {}), {
    key: (t) => t[0],
    duplicates: "last",
    reserved: { prefix: "aws:", ignoreCase: true, error: () => badRequest("Tag keys may not start with 'aws:'"), invokedBy: ctx.invokedBy }, // unverified wording
    max: MAX_TAGS,
    tooMany: () => badRequest(`A resource may have at most ${MAX_TAGS} tags`), // unverified wording
  });
  return Object.fromEntries(merged);
}

interface Tagged {
  get(): Record<string, string>;
  set(tags: Record<string, string>): void;
}

/** The API or stage an ARN names, in the caller's account and region. */
function resolve(ctx: HandlerContext, arn: string): Tagged {
  const m = /^arn:aws[a-z-]*:apigateway:([^:]+)::\/apis\/([^/]+)(?:\/stages\/([^/]+))?$/.exec(arn);
  // AWS's refusal of an ARN it cannot resolve. // unverified wording
  if (!m) throw badRequest(`Invalid resource ARN specified ${arn}`);
  const [, region, apiId, stageName] = m;
  const t = tables(ctx);
  const api = region === ctx.region ? t.apis.get(apiId) : undefined;
  if (!api) throw apiNotFound(ctx, apiId);
  if (stageName === undefined) {
    return { get: () => api.tags, set: (tags) => t.apis.put(apiId, { ...api, tags }) };
  }
  const key = `${apiId}/${stageName}`;
  const stage = t.stages.get(key);
  if (!stage) throw notFound("Stage", stageName);
  return { get: () => stage.tags, set: (tags) => t.stages.put(key, { ...stage, tags }) };
}

export const tags = {
  tagResource(input, ctx) {
    const r = resolve(ctx, input.ResourceArn);
    r.set(mergeApiTags(ctx, r.get(), input.Tags));
    return {};
  },

  untagResource(input, ctx) {
    const r = resolve(ctx, input.ResourceArn);
    const next = { ...r.get() };
    for (const k of input.TagKeys ?? []) delete next[k];
    r.set(next);
    return {};
  },

  getTags(input, ctx) {
    return { Tags: resolve(ctx, input.ResourceArn).get() };
  },
} satisfies Partial<Apigatewayv2Api>;
