// Tags on functions (TagResource, UntagResource, ListTags), addressed by the function's ARN. CreateFunction's Tags
// land in the same place (FunctionRec.tags).
import type { HandlerContext } from "../../core/context.js";
import { countedTags } from "../../core/tags.js";
import type { LambdaApi } from "./api.generated.js";
import { InvalidParameterValueException, ResourceNotFoundException } from "./api.generated.js";
import type { FunctionRec } from "./state.js";
import { functionArn, tables, transaction } from "./state.js";

const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?$/;
const MAX_TAGS = 50;

/** The function an ARN names (tags belong to the function, never to one of its versions or aliases). */
function taggedFunction(ctx: HandlerContext, arn: string): FunctionRec {
  const m = FUNCTION_ARN.exec(arn);
  if (!m) {
    // Event source mappings, code signing configs and capacity providers are not taggable here yet.
    throw new ResourceNotFoundException("The resource you requested does not exist.", { Type: "User" });
  }
  if (m[4] !== undefined)
    throw new InvalidParameterValueException("Tags on function aliases and versions are not supported. Please specify a function ARN.", { Type: "User" });
  const fn = m[1] === ctx.region && m[2] === ctx.account ? tables(ctx).functions.get(m[3]!) : undefined;
  if (!fn)
    throw new ResourceNotFoundException(`Function not found: ${m[1] === ctx.region && m[2] === ctx.account ? functionArn(ctx, m[3]!) : arn}`, { Type: "User" });
  return fn;
}

export const tags = {
  tagResource(input, ctx) {
    transaction(ctx, () => {
      const fn = taggedFunction(ctx, input.Resource);
      const next = { ...fn.tags, ...input.Tags };
      if (countedTags(Object.keys(next), (k) => k) > MAX_TAGS)
        throw new InvalidParameterValueException(`Number of tags exceeds resource tag limit.`, { Type: "User" });
      fn.tags = next;
      tables(ctx).functions.put(fn.name, fn);
    });
    return {};
  },

  untagResource(input, ctx) {
    transaction(ctx, () => {
      const fn = taggedFunction(ctx, input.Resource);
      for (const k of input.TagKeys) delete fn.tags[k];
      tables(ctx).functions.put(fn.name, fn);
    });
    return {};
  },

  listTags(input, ctx) {
    return { Tags: { ...taggedFunction(ctx, input.Resource).tags } };
  },
} satisfies Partial<LambdaApi>;
