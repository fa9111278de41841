// AWS::Events::EventBus, AWS::Events::Rule, AWS::Events::Archive and AWS::Events::EventBusPolicy for CloudFormation
// (core/resources.ts), through EventBridge's own operations. An archive's Ref is its name (GetAtt Arn); a bus
// policy's Ref is its StatementId, its physical id `<bus>|<sid>` (unverified in the reference), its statement one of
// the bus's statements (the others, other resources' or PutPermission's, kept). A bus's Ref is its name (GetAtt Arn, Name, Policy); a rule's Ref is its name on the default bus and
// `<bus>|<rule>` on another (as CloudFormation reports such a rule's physical id in aws-cdk's issue threads; unverified
// in the reference), GetAtt Arn. A rule's Targets are put with it and
// kept in step on update; a rule the template does not name gets `<stack>-<logicalId>-<RANDOM>` (64 at most).
import { isServiceError } from "../../core/errors.js";
import { tagsProperty, type ResourceProviders, type ResourceRequest } from "../../core/resources.js";
import type { Tag, Target } from "./api.generated.js";
import { busNameOf, DEFAULT_BUS } from "./state.js";

const gone = (e: unknown) => isServiceError(e) && e.code === "ResourceNotFoundException";
const text = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v));
const tagsOf = (p: Record<string, unknown>): Tag[] | undefined => (Array.isArray(p.Tags) && p.Tags.length ? (p.Tags as Tag[]) : undefined);

async function describeBus(req: { ctx: ResourceRequest["ctx"] }, name: string) {
  const b = await req.ctx.client("eventbridge").describeEventBus({ Name: name });
  return { physicalId: name, ref: name, attributes: { Arn: b.Arn, Name: name, Policy: b.Policy } };
}

async function syncBusTags(req: ResourceRequest, arn: string): Promise<void> {
  const eb = req.ctx.client("eventbridge");
  const now = tagsOf(req.properties) ?? [];
  const removed = (tagsOf(req.previous ?? {}) ?? []).map((t) => t.Key).filter((k) => !now.some((t) => t.Key === k));
  if (removed.length) await eb.untagResource({ ResourceARN: arn, TagKeys: removed });
  if (now.length) await eb.tagResource({ ResourceARN: arn, Tags: now });
}

/** A rule's physical id: its name, or `<bus>|<name>` on a bus other than the default one. */
const ruleId = (bus: string, name: string) => (bus === DEFAULT_BUS ? name : `${bus}|${name}`);
const splitRuleId = (id: string): { bus: string; name: string } => {
  const i = id.lastIndexOf("|");
  return i < 0 ? { bus: DEFAULT_BUS, name: id } : { bus: id.slice(0, i), name: id.slice(i + 1) };
};

async function putRule(req: ResourceRequest, name: string): Promise<{ physicalId: string; ref: string; attributes: Record<string, unknown> }> {
  const p = req.properties;
  const eb = req.ctx.client("eventbridge");
  const bus = busNameOf(p.EventBusName as string | undefined);
  const { RuleArn } = await eb.putRule({
    Name: name,
    EventBusName: bus,
    EventPattern: text(p.EventPattern),
    ScheduleExpression: p.ScheduleExpression as string | undefined,
    State: (p.State as "ENABLED" | "DISABLED" | undefined) ?? "ENABLED",
    Description: p.Description as string | undefined,
    RoleArn: p.RoleArn as string | undefined,
    Tags: tagsOf(p),
  });
  const targets = ((p.Targets as Target[] | undefined) ?? []).map((t) => ({ ...t, Input: text(t.Input) }));
  const keep = new Set(targets.map((t) => t.Id));
  const old = ((req.previous?.Targets as Target[] | undefined) ?? []).map((t) => t.Id).filter((id) => !keep.has(id));
  if (old.length) await eb.removeTargets({ Rule: name, EventBusName: bus, Ids: old });
  if (targets.length) {
    const r = await eb.putTargets({ Rule: name, EventBusName: bus, Targets: targets });
    const f = r.FailedEntries?.[0];
    if (f) throw new Error(`${f.ErrorCode}: ${f.ErrorMessage}`);
  }
  const id = ruleId(bus, name);
  return { physicalId: id, ref: id, attributes: { Arn: RuleArn } };
}

/** The archive's properties as CreateArchive/UpdateArchive take them. */
function archiveInput(p: Record<string, unknown>) {
  return {
    Description: p.Description as string | undefined,
    EventPattern: text(p.EventPattern),
    RetentionDays: p.RetentionDays === undefined ? undefined : Number(p.RetentionDays),
    KmsKeyIdentifier: p.KmsKeyIdentifier as string | undefined,
  };
}

async function describeArchive(req: { ctx: ResourceRequest["ctx"] }, name: string) {
  const a = await req.ctx.client("eventbridge").describeArchive({ ArchiveName: name });
  return { physicalId: name, ref: name, attributes: { Arn: a.ArchiveArn, ArchiveName: name } };
}

const splitPolicyId = (id: string): { bus: string; sid: string } => {
  const i = id.lastIndexOf("|");
  return { bus: id.slice(0, i), sid: id.slice(i + 1) };
};

/** Puts an AWS::Events::EventBusPolicy's statement on its bus: Action/Principal/Condition, or a whole Statement. */
async function putBusPolicy(req: ResourceRequest): Promise<{ physicalId: string; ref: string; attributes: Record<string, unknown> }> {
  const p = req.properties;
  const eb = req.ctx.client("eventbridge");
  const bus = busNameOf(p.EventBusName as string | undefined);
  const sid = p.StatementId as string;
  if (p.Statement !== undefined) {
    const b = await eb.describeEventBus({ Name: bus });
    const statements = b.Policy ? (JSON.parse(b.Policy) as { Statement: Record<string, unknown>[] }).Statement : [];
    const statement = { Sid: sid, Resource: b.Arn, ...(p.Statement as Record<string, unknown>) };
    await eb.putPermission({
      EventBusName: bus,
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [...statements.filter((s) => s.Sid !== sid), statement] }),
    });
  } else {
    await eb.putPermission({
      EventBusName: bus,
      StatementId: sid,
      Action: p.Action as string,
      Principal: p.Principal as string,
      Condition: p.Condition as { Type: string; Key: string; Value: string } | undefined,
    });
  }
  return { physicalId: `${bus}|${sid}`, ref: sid, attributes: {} };
}

export default {
  "AWS::Events::Archive": {
    async create(req) {
      const p = req.properties;
      const name = (p.ArchiveName as string | undefined) ?? req.generateName(48);
      await req.ctx.client("eventbridge").createArchive({ ArchiveName: name, EventSourceArn: p.SourceArn as string, ...archiveInput(p) });
      return describeArchive(req, name);
    },
    async update(req) {
      const p = req.properties;
      await req.ctx.client("eventbridge").updateArchive({
        ArchiveName: req.physicalId,
        ...archiveInput(p),
        Description: (p.Description as string | undefined) ?? "",
        RetentionDays: p.RetentionDays === undefined ? 0 : Number(p.RetentionDays),
      });
      return describeArchive(req, req.physicalId);
    },
    async read({ ctx, physicalId }) {
      try {
        const a = await ctx.client("eventbridge").describeArchive({ ArchiveName: physicalId });
        return {
          ArchiveName: a.ArchiveName,
          Arn: a.ArchiveArn,
          SourceArn: a.EventSourceArn,
          ...(a.Description ? { Description: a.Description } : {}),
          ...(a.EventPattern ? { EventPattern: JSON.parse(a.EventPattern) as unknown } : {}),
          ...(a.RetentionDays ? { RetentionDays: a.RetentionDays } : {}),
        };
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
    },
    async list(ctx) {
      const { Archives } = await ctx.client("eventbridge").listArchives({});
      return (Archives ?? []).map((a) => a.ArchiveName!);
    },
    async delete(req) {
      try {
        await req.ctx.client("eventbridge").deleteArchive({ ArchiveName: req.physicalId });
      } catch (e) {
        if (!gone(e)) throw e;
      }
    },
  },
  "AWS::Events::EventBusPolicy": {
    create: putBusPolicy,
    async update(req) {
      const { bus, sid } = splitPolicyId(req.physicalId);
      const next = { bus: busNameOf(req.properties.EventBusName as string | undefined), sid: req.properties.StatementId as string };
      if (next.bus !== bus || next.sid !== sid) await req.ctx.client("eventbridge").removePermission({ EventBusName: bus, StatementId: sid });
      return putBusPolicy(req);
    },
    async delete(req) {
      const { bus, sid } = splitPolicyId(req.physicalId);
      try {
        await req.ctx.client("eventbridge").removePermission({ EventBusName: bus, StatementId: sid });
      } catch (e) {
        if (!gone(e)) throw e;
      }
    },
  },
  "AWS::Events::EventBus": {
    async create(req) {
      const p = req.properties;
      const name = p.Name as string;
      const eb = req.ctx.client("eventbridge");
      await eb.createEventBus({
        Name: name,
        EventSourceName: p.EventSourceName as string | undefined,
        Description: p.Description as string | undefined,
        KmsKeyIdentifier: p.KmsKeyIdentifier as string | undefined,
        DeadLetterConfig: p.DeadLetterConfig as { Arn?: string } | undefined,
        Tags: tagsOf(p),
      });
      if (p.Policy !== undefined) await eb.putPermission({ EventBusName: name, Policy: text(p.Policy) });
      return describeBus(req, name);
    },
    async update(req) {
      const p = req.properties;
      const eb = req.ctx.client("eventbridge");
      const b = await eb.updateEventBus({
        Name: req.physicalId,
        Description: (p.Description as string | undefined) ?? "",
        KmsKeyIdentifier: (p.KmsKeyIdentifier as string | undefined) ?? "",
        DeadLetterConfig: (p.DeadLetterConfig as { Arn?: string } | undefined) ?? {},
      });
      if (p.Policy !== undefined) await eb.putPermission({ EventBusName: req.physicalId, Policy: text(p.Policy) });
      else if (req.previous.Policy !== undefined) await eb.removePermission({ EventBusName: req.physicalId, RemoveAllPermissions: true });
      await syncBusTags(req, b.Arn!);
      return describeBus(req, req.physicalId);
    },
    async read({ ctx, physicalId }) {
      try {
        const b = await ctx.client("eventbridge").describeEventBus({ Name: physicalId });
        const { Tags } = await ctx.client("eventbridge").listTagsForResource({ ResourceARN: b.Arn! });
        return {
          Name: b.Name,
          Arn: b.Arn,
          ...(b.Description ? { Description: b.Description } : {}),
          ...(b.Policy ? { Policy: JSON.parse(b.Policy) as unknown } : {}),
          ...tagsProperty(Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value]))),
        };
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
    },
    async list(ctx) {
      const { EventBuses } = await ctx.client("eventbridge").listEventBuses({});
      return (EventBuses ?? []).map((b) => b.Name!).filter((n) => n !== DEFAULT_BUS);
    },
    async delete(req) {
      await req.ctx.client("eventbridge").deleteEventBus({ Name: req.physicalId });
    },
  },
  "AWS::Events::Rule": {
    async create(req) {
      return putRule(req, (req.properties.Name as string | undefined) ?? req.generateName(64));
    },
    async update(req) {
      return putRule(req, splitRuleId(req.physicalId).name);
    },
    async read({ ctx, physicalId }) {
      const { bus, name } = splitRuleId(physicalId);
      try {
        const r = await ctx.client("eventbridge").describeRule({ Name: name, EventBusName: bus });
        const { Targets } = await ctx.client("eventbridge").listTargetsByRule({ Rule: name, EventBusName: bus });
        return {
          Name: r.Name,
          Arn: r.Arn,
          EventBusName: r.EventBusName,
          ...(r.EventPattern ? { EventPattern: JSON.parse(r.EventPattern) as unknown } : {}),
          State: r.State,
          ...(r.Description ? { Description: r.Description } : {}),
          ...(r.RoleArn ? { RoleArn: r.RoleArn } : {}),
          ...(Targets?.length ? { Targets } : {}),
        };
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
    },
    async delete(req) {
      const { bus, name } = splitRuleId(req.physicalId);
      const eb = req.ctx.client("eventbridge");
      try {
        const { Targets } = await eb.listTargetsByRule({ Rule: name, EventBusName: bus });
        if (Targets?.length) await eb.removeTargets({ Rule: name, EventBusName: bus, Ids: Targets.map((t) => t.Id) });
        await eb.deleteRule({ Name: name, EventBusName: bus });
      } catch (e) {
        if (!gone(e)) throw e;
      }
    },
  },
} satisfies ResourceProviders;
