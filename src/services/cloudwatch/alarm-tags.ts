// Tags on alarms: TagResource, UntagResource, ListTagsForResource by the alarm's ARN (core/tags.ts's rules).
import { parseArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { mergeTags, removeTags } from "../../core/tags.js";
import {
  type CloudwatchApi,
  InvalidParameterValueException,
  type ListTagsForResourceInput,
  ResourceNotFoundException,
  type TagResourceInput,
  type UntagResourceInput,
} from "./api.generated.js";
import { type AlarmRec, alarmState } from "./alarm-state.js";
import { type CompositeRec, compositeState } from "./composite-state.js";

const MAX_TAGS = 50;

/** The alarm an ARN names in the caller's account and region, or AWS's ResourceNotFoundException. */
function alarmOf(ctx: HandlerContext, arn: string): AlarmRec | CompositeRec {
  const a = parseArn(arn);
  if (a?.service !== "cloudwatch") throw new InvalidParameterValueException(`Invalid arn syntax: ${arn}`); // unverified wording
  const m = /^alarm:(.+)$/.exec(a.resource);
  const here = m && a.account === ctx.account && a.region === ctx.region;
  // A metric alarm or a composite one (composite-state.ts).
  const rec = here ? (alarmState.of(ctx).alarms.get(m[1]) ?? compositeState.of(ctx).composites.get(m[1])) : undefined;
  // unverified wording
  if (!rec) throw new ResourceNotFoundException(m ? `Alarm ${m[1]} not found` : `The resource ${arn} does not exist or cannot be tagged.`);
  return rec;
}

const save = (ctx: HandlerContext, a: AlarmRec | CompositeRec) =>
  "rule" in a ? compositeState.of(ctx).composites.put(a.name, a) : alarmState.of(ctx).alarms.put(a.name, a);

export const alarmTags = {
  tagResource(input: TagResourceInput, ctx: HandlerContext) {
    const a = alarmOf(ctx, input.ResourceARN);
    a.tags = mergeTags(a.tags, input.Tags, {
      key: (t) => t.Key,
      duplicates: "last",
      reserved: {
        prefix: "aws:",
        error: () => new InvalidParameterValueException("Invalid tag key: tag keys must not start with 'aws:'."),
        invokedBy: ctx.invokedBy,
      }, // unverified wording
      max: MAX_TAGS,
      tooMany: () => new InvalidParameterValueException(`The resource can have at most ${MAX_TAGS} tags.`), // unverified wording
    });
    save(ctx, a);
    return {};
  },

  untagResource(input: UntagResourceInput, ctx: HandlerContext) {
    const a = alarmOf(ctx, input.ResourceARN);
    a.tags = removeTags(a.tags, input.TagKeys, (t) => t.Key);
    save(ctx, a);
    return {};
  },

  listTagsForResource(input: ListTagsForResourceInput, ctx: HandlerContext) {
    return { Tags: alarmOf(ctx, input.ResourceARN).tags };
  },
} satisfies Partial<CloudwatchApi>;
