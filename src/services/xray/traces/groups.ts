// X-Ray groups: a name, a filter expression (checked by the same parser GetTraceSummaries uses), insights settings.
// GetServiceGraph and GetTimeSeriesServiceStatistics with a group apply its filter; `group.name = "…"` in a filter
// expression does too. Every account and region has the Default group, which filters nothing.
import { randomBytes } from "node:crypto";
import { formatArn } from "../../../core/arn.js";
import type { HandlerContext } from "../../../core/context.js";
import { encodePageToken, decodePageToken } from "../../../core/paging.js";
import { type Group, type InsightsConfiguration, InvalidRequestException, type XrayApi } from "../api.generated.js";
import { compileFilter, type GroupLookup, type TraceFilter } from "./filter-expression.js";
import { transaction } from "../../../core/state.js";
import { checkTags, forgetTaggable, registerTaggable } from "../sampling/tags.js";
import { traceState } from "./store.js";

export interface GroupRec {
  name: string;
  arn: string;
  filter?: string;
  insights: InsightsConfiguration;
}

const DEFAULT = "Default";

const defaultGroup = (ctx: HandlerContext): GroupRec => ({
  name: DEFAULT,
  arn: formatArn({ service: "xray", region: ctx.region, account: ctx.account, resource: `group/${DEFAULT}` }),
  insights: { InsightsEnabled: false, NotificationsEnabled: false },
});

const out = (g: GroupRec): Group => ({
  GroupName: g.name,
  GroupARN: g.arn,
  ...(g.filter !== undefined ? { FilterExpression: g.filter } : {}),
  InsightsConfiguration: g.insights,
});

/** The caller's group by name or ARN (Default included); undefined when there is none. */
function find(ctx: HandlerContext, name?: string, arn?: string): GroupRec | undefined {
  const groups = traceState.of(ctx).groups;
  if (name !== undefined) return name === DEFAULT ? defaultGroup(ctx) : groups.get(name);
  if (arn !== undefined) {
    const m = /:group\/([^/]+)/.exec(arn);
    const g = m ? find(ctx, m[1]) : undefined;
    return g?.arn === arn ? g : undefined;
  }
  return undefined;
}

// unverified wording: the messages of these InvalidRequestExceptions were not found in a recorded response.
function require(ctx: HandlerContext, name?: string, arn?: string): GroupRec {
  if (name === undefined && arn === undefined) throw new InvalidRequestException("Either GroupName or GroupARN must be provided");
  const g = find(ctx, name, arn);
  if (!g) throw new InvalidRequestException("Group not found");
  return g;
}

/** `group.name = "…"` / `group.arn = "…"` in the caller's filter expressions. */
export const groupLookup =
  (ctx: HandlerContext): GroupLookup =>
  (by, value) => {
    const g = by === "name" ? find(ctx, value) : find(ctx, undefined, value);
    return g ? (g.filter ?? "") : undefined;
  };

/** The filter a GroupName/GroupARN parameter names (undefined: none, or a group without one). */
export function groupFilter(ctx: HandlerContext, name?: string, arn?: string): TraceFilter | undefined {
  if (name === undefined && arn === undefined) return undefined;
  const g = require(ctx, name, arn);
  return g.filter ? compileFilter(g.filter, groupLookup(ctx)) : undefined;
}

const insightsOf = (c: InsightsConfiguration | undefined, prev?: InsightsConfiguration): InsightsConfiguration => {
  const enabled = c?.InsightsEnabled ?? prev?.InsightsEnabled ?? false;
  return { InsightsEnabled: enabled, NotificationsEnabled: enabled && (c?.NotificationsEnabled ?? prev?.NotificationsEnabled ?? false) };
};

export const groupHandlers = {
  createGroup(input, ctx) {
    if (input.GroupName === DEFAULT || traceState.of(ctx).groups.has(input.GroupName)) {
      throw new InvalidRequestException(`Group ${input.GroupName} already exists`); // unverified wording
    }
    if (input.FilterExpression !== undefined) compileFilter(input.FilterExpression, groupLookup(ctx));
    const id = randomBytes(20)
      .toString("base64")
      .replace(/[^A-Za-z0-9]/g, "")
      .slice(0, 26)
      .toUpperCase();
    const rec: GroupRec = {
      name: input.GroupName,
      arn: formatArn({ service: "xray", region: ctx.region, account: ctx.account, resource: `group/${input.GroupName}/${id}` }),
      ...(input.FilterExpression !== undefined ? { filter: input.FilterExpression } : {}),
      insights: insightsOf(input.InsightsConfiguration),
    };
    checkTags(ctx, input.Tags);
    // The group's tags live with every taggable X-Ray resource's (sampling/tags.ts: TagResource, ListTagsForResource).
    transaction(ctx, () => {
      traceState.of(ctx).groups.put(rec.name, rec);
      registerTaggable(ctx, rec.arn, input.Tags);
    });
    return { Group: out(rec) };
  },
  getGroup(input, ctx) {
    return { Group: out(require(ctx, input.GroupName, input.GroupARN)) };
  },
  getGroups(input, ctx) {
    const all = [
      defaultGroup(ctx),
      ...traceState
        .of(ctx)
        .groups.list()
        .map((e) => e.value),
    ];
    const invalid = () => new InvalidRequestException("Invalid NextToken"); // unverified wording
    const from =
      input.NextToken === undefined ? 0 : decodePageToken<number>("GetGroups", input.NextToken, invalid, { valid: (p): p is number => typeof p === "number" });
    const page = all.slice(from, from + 100);
    return { Groups: page.map(out), ...(from + 100 < all.length ? { NextToken: encodePageToken("GetGroups", from + 100) } : {}) };
  },
  updateGroup(input, ctx) {
    const g = require(ctx, input.GroupName, input.GroupARN);
    if (g.name === DEFAULT) throw new InvalidRequestException("The Default group cannot be updated"); // unverified wording
    if (input.FilterExpression !== undefined) compileFilter(input.FilterExpression, groupLookup(ctx));
    const rec: GroupRec = {
      ...g,
      ...(input.FilterExpression !== undefined ? { filter: input.FilterExpression } : {}),
      insights: insightsOf(input.InsightsConfiguration, g.insights),
    };
    traceState.of(ctx).groups.put(rec.name, rec);
    return { Group: out(rec) };
  },
  deleteGroup(input, ctx) {
    const g = require(ctx, input.GroupName, input.GroupARN);
    if (g.name === DEFAULT) throw new InvalidRequestException("The Default group cannot be deleted"); // unverified wording
    transaction(ctx, () => {
      traceState.of(ctx).groups.delete(g.name);
      forgetTaggable(ctx, g.arn);
    });
    return {};
  },
} satisfies Partial<XrayApi>;
