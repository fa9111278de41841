// Tags on buses and rules (TagResource, UntagResource, ListTagsForResource), merged by core/tags.ts.
import type { HandlerContext } from "../../core/context.js";
import { parseArn } from "../../core/arn.js";
import { mergeTags, removeTags } from "../../core/tags.js";
import { LimitExceededException, ResourceNotFoundException, type EventbridgeApi, type Tag } from "./api.generated.js";
import { DEFAULT_BUS, findBus, ruleKey, saveRule, tables, ValidationException, type BusRec, type RuleRec } from "./state.js";

const MAX_TAGS = 50;
const key = (t: Tag) => t.Key;
const opts = (invokedBy?: string) => ({
  key,
  duplicates: "last" as const,
  max: MAX_TAGS,
  tooMany: () => new LimitExceededException(`The resource can have at most ${MAX_TAGS} tags.`), // unverified wording
  reserved: { prefix: "aws:", error: () => new ValidationException("Invalid tag key: keys beginning with aws: are reserved."), invokedBy }, // unverified wording
});

/** Checks a new resource's tags as TagResource would. */
export function checkTags(tags: Tag[] | undefined, invokedBy?: string): void {
  if (tags?.length) mergeTags([], tags, opts(invokedBy));
}

type Tagged = { kind: "bus"; rec: BusRec } | { kind: "rule"; rec: RuleRec };

/** The bus or rule an ARN names, in the caller's account and region. */
function resolve(ctx: HandlerContext, arn: string): Tagged {
  const p = parseArn(arn);
  const mine = p?.service === "events" && p.account === ctx.account && p.region === ctx.region;
  const resource = p?.resource ?? arn;
  if (resource.startsWith("event-bus/")) {
    const name = resource.slice("event-bus/".length);
    const bus = mine ? findBus(tables(ctx), ctx, name) : undefined;
    if (!bus) throw new ResourceNotFoundException(`Event bus ${name} does not exist.`);
    return { kind: "bus", rec: bus };
  }
  if (resource.startsWith("rule/")) {
    const parts = resource.slice("rule/".length).split("/");
    const name = parts.pop() ?? "";
    const bus = parts.join("/") || DEFAULT_BUS;
    const rule = mine ? tables(ctx).rules.get(ruleKey(bus, name)) : undefined;
    if (!rule) throw new ResourceNotFoundException(`Rule ${name} does not exist on EventBus ${bus}.`);
    return { kind: "rule", rec: rule };
  }
  throw new ValidationException(`Parameter ResourceARN is not valid. Reason: Provided Arn is not in correct format.`); // unverified wording
}

function save(ctx: HandlerContext, r: Tagged): void {
  const t = tables(ctx);
  if (r.kind === "bus") {
    if (!r.rec.created) r.rec.created = r.rec.modified = ctx.now();
    t.buses.put(r.rec.name, r.rec);
  } else saveRule(ctx, r.rec);
}

export const tagging = {
  tagResource(input, ctx) {
    const r = resolve(ctx, input.ResourceARN);
    r.rec.tags = mergeTags(r.rec.tags, input.Tags, opts(ctx.invokedBy));
    save(ctx, r);
    return {};
  },
  untagResource(input, ctx) {
    const r = resolve(ctx, input.ResourceARN);
    r.rec.tags = removeTags(r.rec.tags, input.TagKeys, key);
    save(ctx, r);
    return {};
  },
  listTagsForResource(input, ctx) {
    return { Tags: resolve(ctx, input.ResourceARN).rec.tags };
  },
} satisfies Partial<EventbridgeApi>;
