// Tags on registries, schemas and discoverers (TagResource, UntagResource, ListTagsForResource), by ARN.
import type { HandlerContext } from "../../core/context.js";
import { parseArn } from "../../core/arn.js";
import type { SchemasApi } from "./api.generated.js";
import { AWS_REGISTRY, badRequest, notFound, schemaKey, tables } from "./state.js";

interface Tagged {
  tags: Record<string, string>;
  save(): void;
}

/** The resource an ARN names, in the caller's account and region. */
function resolve(ctx: HandlerContext, arn: string): Tagged {
  const p = parseArn(arn);
  if (p?.service !== "schemas") throw badRequest(`Invalid ResourceArn ${arn}.`); // unverified wording
  const missing = () => notFound(`Resource ${arn} does not exist.`); // unverified wording
  if (p.account !== ctx.account || p.region !== ctx.region) throw missing();
  const [kind, ...rest] = p.resource.split("/");
  const t = tables(ctx);
  if (kind === "registry" && rest.length === 1 && rest[0] !== AWS_REGISTRY) {
    const r = t.registries.get(rest[0]);
    if (!r) throw missing();
    return { tags: r.tags, save: () => t.registries.put(r.name, r) };
  }
  if (kind === "schema" && rest.length === 2 && rest[0] !== AWS_REGISTRY) {
    const s = t.schemas.get(schemaKey(rest[0], rest[1]));
    if (!s) throw missing();
    return { tags: s.tags, save: () => t.schemas.put(schemaKey(s.registry, s.name), s) };
  }
  if (kind === "discoverer" && rest.length === 1) {
    const d = t.discoverers.get(rest[0]);
    if (!d) throw missing();
    return { tags: d.tags, save: () => t.discoverers.put(d.id, d) };
  }
  throw missing();
}

export const tagging = {
  tagResource(input, ctx) {
    const r = resolve(ctx, input.ResourceArn);
    Object.assign(r.tags, input.Tags);
    r.save();
    return {};
  },
  untagResource(input, ctx) {
    const r = resolve(ctx, input.ResourceArn);
    for (const k of input.TagKeys) delete r.tags[k];
    r.save();
    return {};
  },
  listTagsForResource(input, ctx) {
    return { Tags: resolve(ctx, input.ResourceArn).tags };
  },
} satisfies Partial<SchemasApi>;
