// Groups (CreateGroup, GetGroup, DeleteGroup, ListGroups, AssociateResource, DisassociateResource,
// ListGroupResources, ListAssociatedGroups) and tags on canaries and groups (TagResource, UntagResource,
// ListTagsForResource). AWS's quotas (CloudWatch_Synthetics_Groups.html): 20 groups per account, 10 canaries per group.
import { randomBytes } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { parseArn } from "../../core/arn.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import { ConflictException, ResourceNotFoundException, ServiceQuotaExceededException, type SyntheticsApi, ValidationException } from "./api.generated.js";
import { type GroupRec, groupArn, synState, tables } from "./state.js";

const MAX_GROUPS = 20;
const MAX_PER_GROUP = 10;
const MAX_TAGS = 50;
const invalidToken = () => new ValidationException("The specified NextToken is not valid."); // unverified wording

/** A group by name (any case) or id or ARN. */
function findGroup(ctx: HandlerContext, ident: string): { key: string; value: GroupRec } | undefined {
  const t = tables(ctx);
  const byName = t.groups.get(ident.toLowerCase());
  if (byName) return { key: ident.toLowerCase(), value: byName };
  const id = ident.startsWith("arn:") ? (parseArn(ident)?.resource.replace(/^group:/, "") ?? ident) : ident;
  return t.groups.list().find((e) => e.value.id === id);
}

function mustGroup(ctx: HandlerContext, ident: string): { key: string; value: GroupRec } {
  const g = findGroup(ctx, ident);
  if (!g) throw new ResourceNotFoundException(`Group ${ident} not found.`); // unverified wording
  return g;
}

function page<T>(op: string, items: T[], key: (t: T) => string, token: string | undefined, max: number, bind?: string) {
  const after = token === undefined ? undefined : decodePageToken<string>(op, token, invalidToken, { bind });
  const rest = after === undefined ? items : items.filter((i) => key(i) > after);
  const out = rest.slice(0, max);
  return { out, next: rest.length > max ? encodePageToken(op, key(out[out.length - 1]!), bind) : undefined };
}

/** The canary an ARN names, wherever it is (a group may hold canaries of other regions). */
function canaryOfArn(ctx: HandlerContext, arn: string) {
  const p = parseArn(arn);
  const name = p?.resource.startsWith("canary:") ? p.resource.slice("canary:".length) : undefined;
  if (p?.service !== "synthetics" || !name) throw new ValidationException(`Invalid canary ARN: ${arn}`); // unverified wording
  const c = p.account === ctx.account ? synState.at(ctx, p.account, p.region).canaries.get(name) : undefined;
  if (!c) throw new ResourceNotFoundException(`Canary ${name} not found.`); // unverified wording
  return { p, c, name };
}

function tagged(ctx: HandlerContext, arn: string): { tags: Record<string, string>; save: (tags: Record<string, string>) => void } {
  const p = parseArn(arn);
  if (p?.resource.startsWith("group:")) {
    const g = mustGroup(ctx, p.resource.slice("group:".length));
    return { tags: g.value.tags, save: (tags) => tables(ctx).groups.put(g.key, { ...g.value, tags, lastModified: ctx.now() }) };
  }
  const { p: cp, c } = canaryOfArn(ctx, arn);
  return { tags: c.tags, save: (tags) => synState.at(ctx, cp.account, cp.region).canaries.put(c.name, { ...c, tags }) };
}

const summary = (g: GroupRec) => ({ Id: g.id, Name: g.name, Arn: g.arn });

export const groups = {
  createGroup(input, ctx) {
    const t = tables(ctx);
    if (t.groups.get(input.Name.toLowerCase())) throw new ConflictException(`A group with the name ${input.Name} already exists.`); // unverified wording
    if (t.groups.count() >= MAX_GROUPS) throw new ServiceQuotaExceededException(`You have reached the maximum of ${MAX_GROUPS} groups.`); // unverified wording
    const id = randomBytes(8).toString("hex").slice(0, 14);
    const now = ctx.now();
    const g: GroupRec = { id, name: input.Name, arn: groupArn(ctx, id), tags: input.Tags ?? {}, created: now, lastModified: now, resources: [] };
    t.groups.put(input.Name.toLowerCase(), g);
    return { Group: { ...summary(g), Tags: g.tags, CreatedTime: new Date(now), LastModifiedTime: new Date(now) } };
  },

  getGroup(input, ctx) {
    const g = mustGroup(ctx, input.GroupIdentifier).value;
    return { Group: { ...summary(g), Tags: g.tags, CreatedTime: new Date(g.created), LastModifiedTime: new Date(g.lastModified) } };
  },

  deleteGroup(input, ctx) {
    tables(ctx).groups.delete(mustGroup(ctx, input.GroupIdentifier).key);
    return {};
  },

  listGroups(input, ctx) {
    const all = tables(ctx)
      .groups.list()
      .map((e) => e.value);
    const { out, next } = page("ListGroups", all, (g) => g.name.toLowerCase(), input.NextToken, input.MaxResults ?? 20);
    return { Groups: out.map(summary), ...(next ? { NextToken: next } : {}) };
  },

  associateResource(input, ctx) {
    const g = mustGroup(ctx, input.GroupIdentifier);
    canaryOfArn(ctx, input.ResourceArn);
    if (g.value.resources.includes(input.ResourceArn)) return {};
    if (g.value.resources.length >= MAX_PER_GROUP) throw new ServiceQuotaExceededException(`A group can contain at most ${MAX_PER_GROUP} canaries.`); // unverified wording
    tables(ctx).groups.put(g.key, { ...g.value, resources: [...g.value.resources, input.ResourceArn], lastModified: ctx.now() });
    return {};
  },

  disassociateResource(input, ctx) {
    const g = mustGroup(ctx, input.GroupIdentifier);
    if (!g.value.resources.includes(input.ResourceArn))
      throw new ResourceNotFoundException(`Resource ${input.ResourceArn} is not associated with group ${input.GroupIdentifier}.`); // unverified wording
    tables(ctx).groups.put(g.key, { ...g.value, resources: g.value.resources.filter((r) => r !== input.ResourceArn), lastModified: ctx.now() });
    return {};
  },

  listGroupResources(input, ctx) {
    const g = mustGroup(ctx, input.GroupIdentifier).value;
    const { out, next } = page("ListGroupResources", [...g.resources].sort(), (r) => r, input.NextToken, input.MaxResults ?? 20, g.id);
    return { Resources: out, ...(next ? { NextToken: next } : {}) };
  },

  listAssociatedGroups(input, ctx) {
    canaryOfArn(ctx, input.ResourceArn);
    const all = tables(ctx)
      .groups.list()
      .map((e) => e.value)
      .filter((g) => g.resources.includes(input.ResourceArn));
    const { out, next } = page("ListAssociatedGroups", all, (g) => g.name.toLowerCase(), input.NextToken, input.MaxResults ?? 20, input.ResourceArn);
    return { Groups: out.map(summary), ...(next ? { NextToken: next } : {}) };
  },

  tagResource(input, ctx) {
    const r = tagged(ctx, input.ResourceArn);
    const tags = { ...r.tags, ...input.Tags };
    if (Object.keys(tags).length > MAX_TAGS) throw new ValidationException(`A resource can have at most ${MAX_TAGS} tags.`); // unverified wording
    r.save(tags);
    return {};
  },

  untagResource(input, ctx) {
    const r = tagged(ctx, input.ResourceArn);
    const tags = { ...r.tags };
    for (const k of input.TagKeys) delete tags[k];
    r.save(tags);
    return {};
  },

  listTagsForResource(input, ctx) {
    return { Tags: tagged(ctx, input.ResourceArn).tags };
  },
} satisfies Partial<SyntheticsApi>;
