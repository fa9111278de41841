// Tags on functions and event source mappings (TagResource, UntagResource, ListTags), addressed by their ARNs.
// CreateFunction's and CreateEventSourceMapping's Tags land in the same place (FunctionRec.tags, EsmRec.tags).
import type { HandlerContext } from "../../core/context.js";
import { countedTags } from "../../core/tags.js";
import type { LambdaApi } from "./api.generated.js";
import { InvalidParameterValueException, ResourceNotFoundException } from "./api.generated.js";
import type { FunctionRec } from "./state.js";
import { esmTable } from "./esm-poller.js";
import { functionArn, tables, transaction } from "./state.js";

const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?$/;
const ESM_ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):event-source-mapping:([0-9a-f-]{36})$/;
const MAX_TAGS = 50;

/** The function an ARN names (tags belong to the function, never to one of its versions or aliases). */
function taggedFunction(ctx: HandlerContext, arn: string): FunctionRec {
  const m = FUNCTION_ARN.exec(arn);
  if (!m) throw notTaggable();
  if (m[4] !== undefined)
    throw new InvalidParameterValueException("Tags on function aliases and versions are not supported. Please specify a function ARN.", { Type: "User" });
  const fn = m[1] === ctx.region && m[2] === ctx.account ? tables(ctx).functions.get(m[3]!) : undefined;
  if (!fn)
    throw new ResourceNotFoundException(`Function not found: ${m[1] === ctx.region && m[2] === ctx.account ? functionArn(ctx, m[3]!) : arn}`, { Type: "User" });
  return fn;
}

// Code signing configs and capacity providers are not taggable here yet.
const notTaggable = () => new ResourceNotFoundException("The resource you requested does not exist.", { Type: "User" });

/** A taggable resource an ARN names: a function, or an event source mapping (its tags kept on its record). */
function tagged(ctx: HandlerContext, arn: string): { tags: Record<string, string>; save(tags: Record<string, string>): void } {
  const esm = ESM_ARN.exec(arn);
  if (esm) {
    const rec = esm[1] === ctx.region && esm[2] === ctx.account ? esmTable(ctx).get(esm[3]!) : undefined;
    if (!rec) throw notTaggable();
    return { tags: rec.tags ?? {}, save: (tags) => esmTable(ctx).put(rec.uuid, { ...rec, tags }) };
  }
  const fn = taggedFunction(ctx, arn);
  return {
    tags: fn.tags,
    save: (tags) => {
      fn.tags = tags;
      tables(ctx).functions.put(fn.name, fn);
    },
  };
}

export const tags = {
  tagResource(input, ctx) {
    transaction(ctx, () => {
      const r = tagged(ctx, input.Resource);
      const next = { ...r.tags, ...input.Tags };
      if (countedTags(Object.keys(next), (k) => k) > MAX_TAGS)
        throw new InvalidParameterValueException(`Number of tags exceeds resource tag limit.`, { Type: "User" });
      r.save(next);
    });
    return {};
  },

  untagResource(input, ctx) {
    transaction(ctx, () => {
      const r = tagged(ctx, input.Resource);
      const next = { ...r.tags };
      for (const k of input.TagKeys) delete next[k];
      r.save(next);
    });
    return {};
  },

  listTags(input, ctx) {
    return { Tags: { ...tagged(ctx, input.Resource).tags } };
  },
} satisfies Partial<LambdaApi>;
