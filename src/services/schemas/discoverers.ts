// Discoverers on an event bus (SourceArn): Create (STARTED, and discovered-schemas made), Describe, List (prefixes,
// paging), Update (Description, CrossAccount), Delete, Start, Stop; and GetDiscoveredSchema, the inference applied to
// the events given.
import type { HandlerContext } from "../../core/context.js";
import { parseArn } from "../../core/arn.js";
import type { SchemasApi } from "./api.generated.js";
import { exportDraft4 } from "./content.js";
import { envelopeOf, isEnvelope, merge, mergeEnvelope, renderEnvelope, renderPlain, typeOf, type EnvelopeTree, type Node } from "./infer.js";
import { ensureDiscoveredRegistry } from "./registries.js";
import { badRequest, conflict, discovererArn, notFound, page, tables, transaction, type DiscovererRec, type SchemasInstance } from "./state.js";

function output(ctx: HandlerContext, d: DiscovererRec) {
  return {
    Description: d.description,
    DiscovererArn: discovererArn(ctx, d.id),
    DiscovererId: d.id,
    SourceArn: d.sourceArn,
    State: d.state,
    CrossAccount: d.crossAccount,
    Tags: d.tags,
  };
}

function mustDiscoverer(ctx: HandlerContext, id: string): DiscovererRec {
  const d = tables(ctx).discoverers.get(id);
  if (!d) throw notFound(`Discoverer with id ${id} does not exist.`); // unverified wording
  return d;
}

/** Writes a discoverer and tells the running instance which buses are watched now. */
function save(ctx: HandlerContext, d: DiscovererRec): void {
  tables(ctx).discoverers.put(d.id, d);
  // Discovery must go on after a restart, before anyone calls Schemas again.
  ctx.startAtBoot();
  ctx.instance<SchemasInstance | undefined>()?.refresh(ctx.account, ctx.region);
}

function setState(ctx: HandlerContext, id: string, state: DiscovererRec["state"]) {
  const d = mustDiscoverer(ctx, id);
  d.state = state;
  save(ctx, d);
  return { DiscovererId: d.id, State: d.state };
}

export const discoverers = {
  async createDiscoverer(input, ctx) {
    const p = parseArn(input.SourceArn);
    const bus = p?.service === "events" && p.resource.startsWith("event-bus/") ? p.resource.slice("event-bus/".length) : undefined;
    if (!p || !bus) throw badRequest(`Invalid SourceArn ${input.SourceArn}. It must be the ARN of an event bus.`); // unverified wording
    if (p.account !== ctx.account || p.region !== ctx.region) throw badRequest(`Event bus ${input.SourceArn} is not in this account and region.`); // unverified wording
    try {
      await ctx.client("eventbridge").describeEventBus({ Name: bus });
    } catch {
      throw badRequest(`Event bus ${bus} does not exist.`); // unverified wording
    }
    // AWS names a bus's discoverer after it (the AWS CLI's start-discoverer example: events-event-bus-default).
    const id = `events-event-bus-${bus}`;
    if (tables(ctx).discoverers.get(id)) throw conflict(`Discoverer for event bus ${bus} already exists.`); // unverified wording
    const d: DiscovererRec = {
      id,
      sourceArn: input.SourceArn,
      description: input.Description,
      state: "STARTED",
      crossAccount: input.CrossAccount ?? true,
      tags: input.Tags ?? {},
    };
    transaction(ctx, () => {
      ensureDiscoveredRegistry(tables(ctx), ctx.now());
      save(ctx, d);
    });
    return output(ctx, d);
  },
  describeDiscoverer(input, ctx) {
    return output(ctx, mustDiscoverer(ctx, input.DiscovererId));
  },
  updateDiscoverer(input, ctx) {
    const d = mustDiscoverer(ctx, input.DiscovererId);
    if (input.Description !== undefined) d.description = input.Description;
    if (input.CrossAccount !== undefined) d.crossAccount = input.CrossAccount;
    save(ctx, d);
    return output(ctx, d);
  },
  deleteDiscoverer(input, ctx) {
    mustDiscoverer(ctx, input.DiscovererId);
    tables(ctx).discoverers.delete(input.DiscovererId);
    ctx.instance<SchemasInstance | undefined>()?.refresh(ctx.account, ctx.region);
    return {};
  },
  startDiscoverer: (input, ctx) => setState(ctx, input.DiscovererId, "STARTED"),
  stopDiscoverer: (input, ctx) => setState(ctx, input.DiscovererId, "STOPPED"),
  listDiscoverers(input, ctx) {
    const idPrefix = input.DiscovererIdPrefix ?? "";
    const arnPrefix = input.SourceArnPrefix ?? "";
    const all = tables(ctx)
      .discoverers.list({ prefix: idPrefix })
      .map((e) => e.value)
      .filter((d) => d.sourceArn.startsWith(arnPrefix));
    const p = page("ListDiscoverers", all, (d) => d.id, input, `${idPrefix}|${arnPrefix}`);
    return {
      Discoverers: p.items.map((d) => {
        const { Description: _, ...summary } = output(ctx, d);
        return summary;
      }),
      NextToken: p.next,
    };
  },

  getDiscoveredSchema(input) {
    const events = input.Events.map((text) => {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        v = undefined;
      }
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw badRequest("Events must be JSON objects."); // unverified wording
      return v as Record<string, unknown>;
    });
    let content: string;
    if (events.every(isEnvelope)) {
      const trees = events.map(envelopeOf);
      const first = trees[0];
      const same = trees.filter((t) => t.source === first.source && t.detailType === first.detailType);
      content = renderEnvelope(same.reduce((a: EnvelopeTree, b) => mergeEnvelope(a, b)));
    } else content = renderPlain(events.map(typeOf).reduce((a: Node, b) => merge(a, b)));
    return { Content: input.Type === "JSONSchemaDraft4" ? exportDraft4("OpenApi3", content) : content };
  },
} satisfies Partial<SchemasApi>;
