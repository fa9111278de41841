// Schedule groups: CreateScheduleGroup, GetScheduleGroup, ListScheduleGroups, DeleteScheduleGroup (the group turns
// DELETING, then its schedules and itself are deleted in the background — resumed at boot if interrupted; the default
// group cannot be deleted), and tags on groups (schedules have none, as on AWS).
import type { HandlerContext } from "../../core/context.js";
import { parseArn } from "../../core/arn.js";
import { pageByKey } from "../../core/paging.js";
import type { ServiceHost } from "../../core/service.js";
import { mergeTags, removeTags } from "../../core/tags.js";
import { ConflictException, ResourceNotFoundException, type SchedulerApi, type Tag, ValidationException } from "./api.generated.js";
import { DEFAULT_GROUP, defaultGroup, findGroup, type GroupRec, groupArn, type SchedulerInstance, schedulerState, tables, transaction } from "./state.js";

/** How long a deleted group stays DELETING before it and its schedules are gone. */
const DELETE_AFTER_MS = 1_000;

const tagOpts = (invokedBy?: string) => ({
  key: (t: Tag) => t.Key,
  duplicates: "last" as const,
  reserved: { prefix: "aws:", error: () => new ValidationException("Invalid tag key: keys beginning with aws: are reserved."), invokedBy }, // unverified wording
});

const summary = (g: GroupRec) => ({
  Arn: g.arn,
  CreationDate: new Date(g.created),
  LastModificationDate: new Date(g.modified),
  Name: g.name,
  State: g.state,
});

/** The group a TagResource/UntagResource/ListTagsForResource ARN names, in the caller's account and region. */
function tagged(ctx: HandlerContext, arn: string): GroupRec {
  const p = parseArn(arn);
  if (p?.service !== "scheduler" || !p.resource.startsWith("schedule-group/"))
    throw new ValidationException(`Invalid ResourceArn ${arn}: only schedule groups take tags.`); // unverified wording
  const name = p.resource.slice("schedule-group/".length);
  const g = p.account === ctx.account && p.region === ctx.region ? findGroup(tables(ctx), ctx, name) : undefined;
  if (!g) throw new ResourceNotFoundException(`Schedule group ${name} does not exist.`); // unverified wording
  return g;
}

function saveGroup(ctx: HandlerContext, g: GroupRec): void {
  const now = ctx.now();
  if (!g.created) g.created = now;
  g.modified = now;
  tables(ctx).groups.put(g.name, g);
}

/** Deletes a DELETING group's schedules (their timers too) and then the group. */
export function finishGroupDeletion(host: ServiceHost, account: string, region: string, name: string): void {
  const t = schedulerState.at(host, account, region);
  const timers = host.instance<SchedulerInstance>("scheduler")?.timers;
  transaction(host, () => {
    for (const { key } of t.schedules.list({ prefix: `${name}|` })) {
      t.schedules.delete(key);
      timers?.sync(account, region, key, undefined);
    }
    t.groups.delete(name);
  });
}

/** At boot: groups left DELETING by a stop finish their deletion. */
export function resumeGroupDeletions(host: ServiceHost): void {
  for (const { account, region, tables: t } of schedulerState.all(host, "groups"))
    for (const { value } of t.groups.list()) if (value.state === "DELETING") finishGroupDeletion(host, account, region, value.name);
}

export const groups = {
  createScheduleGroup(input, ctx) {
    const t = tables(ctx);
    const old = findGroup(t, ctx, input.Name);
    if (old) {
      if (input.ClientToken !== undefined && old.clientToken === input.ClientToken) return { ScheduleGroupArn: old.arn };
      throw new ConflictException(`Schedule group ${input.Name} already exists.`); // unverified wording
    }
    const g: GroupRec = {
      name: input.Name,
      arn: groupArn(ctx, input.Name),
      state: "ACTIVE",
      tags: mergeTags([], input.Tags, tagOpts(ctx.invokedBy)),
      created: 0,
      modified: 0,
      ...(input.ClientToken !== undefined ? { clientToken: input.ClientToken } : {}),
    };
    saveGroup(ctx, g);
    return { ScheduleGroupArn: g.arn };
  },

  getScheduleGroup(input, ctx) {
    const g = findGroup(tables(ctx), ctx, input.Name);
    if (!g) throw new ResourceNotFoundException(`Schedule group ${input.Name} does not exist.`); // unverified wording
    return summary(g);
  },

  listScheduleGroups(input, ctx) {
    const stored = tables(ctx)
      .groups.list(input.NamePrefix ? { prefix: input.NamePrefix } : undefined)
      .map((e) => e.value);
    const all = stored.some((g) => g.name === DEFAULT_GROUP) || !DEFAULT_GROUP.startsWith(input.NamePrefix ?? "") ? stored : [defaultGroup(ctx), ...stored];
    all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = pageByKey(all, (g) => g.name, {
      operation: "ListScheduleGroups",
      token: input.NextToken,
      max: input.MaxResults ?? 100,
      invalid: () => new ValidationException("Invalid NextToken."), // unverified wording
      bind: input.NamePrefix ?? "",
    });
    return { ScheduleGroups: page.items.map(summary), ...(page.next ? { NextToken: page.next } : {}) };
  },

  deleteScheduleGroup(input, ctx) {
    if (input.Name === DEFAULT_GROUP) throw new ValidationException("Cannot delete the default schedule group."); // unverified wording
    const g = findGroup(tables(ctx), ctx, input.Name);
    if (!g) throw new ResourceNotFoundException(`Schedule group ${input.Name} does not exist.`); // unverified wording
    if (g.state === "DELETING") return {};
    g.state = "DELETING";
    saveGroup(ctx, g);
    ctx.startAtBoot();
    const host = ctx.instance<SchedulerInstance | undefined>()?.host;
    const { account, region } = ctx;
    if (host) ctx.scheduler.after(DELETE_AFTER_MS, () => finishGroupDeletion(host, account, region, g.name));
    return {};
  },

  tagResource(input, ctx) {
    const g = tagged(ctx, input.ResourceArn);
    g.tags = mergeTags(g.tags, input.Tags, tagOpts(ctx.invokedBy));
    saveGroup(ctx, g);
    return {};
  },

  untagResource(input, ctx) {
    const g = tagged(ctx, input.ResourceArn);
    g.tags = removeTags(g.tags, input.TagKeys, (t) => t.Key);
    saveGroup(ctx, g);
    return {};
  },

  listTagsForResource(input, ctx) {
    return { Tags: tagged(ctx, input.ResourceArn).tags };
  },
} satisfies Partial<SchedulerApi>;
