// Tags on projects, features, launches, experiments and segments (TagResource, UntagResource,
// ListTagsForResource, and the tags of the Create calls): a map of at most 50, keys `aws:` reserved (the model's
// key pattern refuses them before a handler runs).
import type { HandlerContext } from "../../core/context.js";
import { parseArn } from "../../core/arn.js";
import { ServiceQuotaExceededException, ValidationException, type EvidentlyApi } from "./api.generated.js";
import { childKey, notFound, tables, type Tables } from "./state.js";

const MAX_TAGS = 50;

export function checkTagMap(tags: Record<string, string> | undefined): void {
  if (tags && Object.keys(tags).length > MAX_TAGS)
    throw new ServiceQuotaExceededException(`A resource can have at most ${MAX_TAGS} tags.`, { quotaCode: "tags", serviceCode: "evidently" }); // unverified wording
}

type Tagged = { table: keyof Pick<Tables, "projects" | "features" | "launches" | "experiments" | "segments">; key: string; type: string; id: string };

function resolve(ctx: HandlerContext, arn: string): Tagged {
  const a = parseArn(arn);
  if (a?.service !== "evidently") throw new ValidationException(`Invalid resource ARN: ${arn}`); // unverified wording
  const parts = a.resource.split("/");
  let r: Tagged | undefined;
  if (parts.length === 2 && parts[0] === "project") r = { table: "projects", key: parts[1]!, type: "project", id: parts[1]! };
  else if (parts.length === 2 && parts[0] === "segment") r = { table: "segments", key: parts[1]!, type: "segment", id: parts[1]! };
  else if (parts.length === 4 && parts[0] === "project") {
    const table = ({ feature: "features", launch: "launches", experiment: "experiments" } as const)[parts[2] as "feature"];
    if (table) r = { table, key: childKey(parts[1]!, parts[3]!), type: parts[2]!, id: parts[3]! };
  }
  if (!r) throw new ValidationException(`Invalid resource ARN: ${arn}`); // unverified wording
  if (a.account !== ctx.account || a.region !== ctx.region || !tables(ctx)[r.table].has(r.key)) throw notFound(r.type, r.id);
  return r;
}

function update(ctx: HandlerContext, arn: string, change: (tags: Record<string, string>) => void): void {
  const r = resolve(ctx, arn);
  const table = tables(ctx)[r.table] as unknown as { get(k: string): { tags: Record<string, string> }; put(k: string, v: unknown): void };
  const rec = table.get(r.key);
  change(rec.tags);
  checkTagMap(rec.tags);
  table.put(r.key, rec);
}

export const tagging = {
  tagResource(input, ctx) {
    update(ctx, input.resourceArn, (tags) => Object.assign(tags, input.tags));
    return {};
  },
  untagResource(input, ctx) {
    update(ctx, input.resourceArn, (tags) => {
      for (const k of input.tagKeys) delete tags[k];
    });
    return {};
  },
  listTagsForResource(input, ctx) {
    const r = resolve(ctx, input.resourceArn);
    const rec = (tables(ctx)[r.table] as unknown as { get(k: string): { tags: Record<string, string> } }).get(r.key);
    return { tags: rec.tags };
  },
} satisfies Partial<EvidentlyApi>;
