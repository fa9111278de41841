// AWS::Scheduler::Schedule and AWS::Scheduler::ScheduleGroup for CloudFormation (core/resources.ts), through
// Scheduler's own operations. Both take their name as Ref (GetAtt Arn; a group also CreationDate,
// LastModificationDate, State); a schedule outside the default group has the physical id `<group>|<name>`. A resource
// the template does not name gets `<stack>-<logicalId>-<RANDOM>` (64 at most).
import { isServiceError } from "../../core/errors.js";
import { tagsProperty, type ResourceProviders, type ResourceRequest } from "../../core/resources.js";
import type { CreateScheduleInput, FlexibleTimeWindow, Tag, Target } from "./api.generated.js";
import { DEFAULT_GROUP } from "./state.js";

const gone = (e: unknown) => isServiceError(e) && e.code === "ResourceNotFoundException";
const dateOf = (v: unknown): Date | undefined => (v === undefined || v === null || v === "" ? undefined : new Date(String(v)));
const split = (id: string): { group: string; name: string } => {
  const i = id.lastIndexOf("|");
  return i < 0 ? { group: DEFAULT_GROUP, name: id } : { group: id.slice(0, i), name: id.slice(i + 1) };
};

function scheduleInput(p: Record<string, unknown>, name: string): CreateScheduleInput {
  const target = p.Target as Target;
  return {
    Name: name,
    GroupName: (p.GroupName as string | undefined) ?? DEFAULT_GROUP,
    ScheduleExpression: p.ScheduleExpression as string,
    ScheduleExpressionTimezone: p.ScheduleExpressionTimezone as string | undefined,
    StartDate: dateOf(p.StartDate),
    EndDate: dateOf(p.EndDate),
    Description: p.Description as string | undefined,
    FlexibleTimeWindow: p.FlexibleTimeWindow as FlexibleTimeWindow,
    State: p.State as "ENABLED" | "DISABLED" | undefined,
    KmsKeyArn: p.KmsKeyArn as string | undefined,
    Target: { ...target, ...(target.Input !== undefined && typeof target.Input !== "string" ? { Input: JSON.stringify(target.Input) } : {}) },
  };
}

async function putSchedule(req: ResourceRequest, name: string, update: boolean) {
  const input = scheduleInput(req.properties, name);
  const sch = req.ctx.client("scheduler");
  const { ScheduleArn } = update ? await sch.updateSchedule(input) : await sch.createSchedule(input);
  const id = input.GroupName === DEFAULT_GROUP ? name : `${input.GroupName}|${name}`;
  return { physicalId: id, ref: name, attributes: { Arn: ScheduleArn } };
}

async function describeGroup(req: { ctx: ResourceRequest["ctx"] }, name: string) {
  const g = await req.ctx.client("scheduler").getScheduleGroup({ Name: name });
  return {
    physicalId: name,
    ref: name,
    attributes: { Arn: g.Arn, CreationDate: g.CreationDate?.toISOString(), LastModificationDate: g.LastModificationDate?.toISOString(), State: g.State },
  };
}

const tagsOf = (p: Record<string, unknown> | undefined): Tag[] => (Array.isArray(p?.Tags) ? (p.Tags as Tag[]) : []);

export default {
  "AWS::Scheduler::Schedule": {
    create: (req) => putSchedule(req, (req.properties.Name as string | undefined) ?? req.generateName(64), false),
    update: (req) => putSchedule(req, split(req.physicalId).name, true),
    async read({ ctx, physicalId }) {
      const { group, name } = split(physicalId);
      try {
        const s = await ctx.client("scheduler").getSchedule({ Name: name, GroupName: group });
        return {
          Name: s.Name,
          Arn: s.Arn,
          GroupName: s.GroupName,
          ScheduleExpression: s.ScheduleExpression,
          ScheduleExpressionTimezone: s.ScheduleExpressionTimezone,
          FlexibleTimeWindow: s.FlexibleTimeWindow,
          State: s.State,
          Target: s.Target,
          ...(s.Description ? { Description: s.Description } : {}),
          ...(s.StartDate ? { StartDate: s.StartDate.toISOString() } : {}),
          ...(s.EndDate ? { EndDate: s.EndDate.toISOString() } : {}),
        };
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
    },
    async list(ctx) {
      const out: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ctx.client("scheduler").listSchedules({ NextToken });
        for (const s of page.Schedules) out.push(s.GroupName === DEFAULT_GROUP ? s.Name! : `${s.GroupName}|${s.Name}`);
        NextToken = page.NextToken;
      } while (NextToken);
      return out;
    },
    async delete(req) {
      const { group, name } = split(req.physicalId);
      try {
        await req.ctx.client("scheduler").deleteSchedule({ Name: name, GroupName: group });
      } catch (e) {
        if (!gone(e)) throw e;
      }
    },
  },
  "AWS::Scheduler::ScheduleGroup": {
    async create(req) {
      const name = (req.properties.Name as string | undefined) ?? req.generateName(64);
      const tags = tagsOf(req.properties);
      await req.ctx.client("scheduler").createScheduleGroup({ Name: name, ...(tags.length ? { Tags: tags } : {}) });
      return describeGroup(req, name);
    },
    async update(req) {
      const g = await describeGroup(req, req.physicalId);
      const sch = req.ctx.client("scheduler");
      const now = tagsOf(req.properties);
      const removed = tagsOf(req.previous)
        .map((t) => t.Key)
        .filter((k) => !now.some((t) => t.Key === k));
      if (removed.length) await sch.untagResource({ ResourceArn: g.attributes.Arn!, TagKeys: removed });
      if (now.length) await sch.tagResource({ ResourceArn: g.attributes.Arn!, Tags: now });
      return g;
    },
    async read({ ctx, physicalId }) {
      try {
        const g = await ctx.client("scheduler").getScheduleGroup({ Name: physicalId });
        const { Tags } = await ctx.client("scheduler").listTagsForResource({ ResourceArn: g.Arn! });
        return { Name: g.Name, Arn: g.Arn, State: g.State, ...tagsProperty(Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value]))) };
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
    },
    async list(ctx) {
      const { ScheduleGroups } = await ctx.client("scheduler").listScheduleGroups({});
      return ScheduleGroups.map((g) => g.Name!).filter((n) => n !== DEFAULT_GROUP);
    },
    async delete(req) {
      try {
        await req.ctx.client("scheduler").deleteScheduleGroup({ Name: req.physicalId });
      } catch (e) {
        if (!gone(e)) throw e;
      }
    },
  },
} satisfies ResourceProviders;
