// Schedules: CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules. A schedule keeps every field
// AWS keeps (GetSchedule answers them back, RetryPolicy with AWS's defaults filled in as moto's AWS-recorded tests
// show); ClientToken makes a repeated CreateSchedule answer the same schedule. Each write re-arms its next firing.
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import { ConflictException, type CreateScheduleInput, type GetScheduleOutput, type SchedulerApi, type Target, ValidationException } from "./api.generated.js";
import { checkTiming, nextFiring } from "./expression.js";
import { DEFAULT_GROUP, mustGroup, mustSchedule, type ScheduleRec, type SchedulerInstance, scheduleArn, scheduleKey, tables } from "./state.js";
import { checkTarget } from "./targets.js";

const invalidToken = () => new ValidationException("Invalid NextToken."); // unverified wording

/** The target as GetSchedule answers it: RetryPolicy always present, AWS's defaults where not given. */
function withDefaults(t: Target): Target {
  return { ...t, RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185, ...t.RetryPolicy } };
}

export function view(r: ScheduleRec): GetScheduleOutput {
  return {
    ActionAfterCompletion: r.actionAfterCompletion ?? "NONE",
    Arn: r.arn,
    CreationDate: new Date(r.created),
    ...(r.description !== undefined ? { Description: r.description } : {}),
    ...(r.endDate !== undefined ? { EndDate: new Date(r.endDate) } : {}),
    FlexibleTimeWindow: r.flexible,
    GroupName: r.group,
    ...(r.kmsKeyArn !== undefined ? { KmsKeyArn: r.kmsKeyArn } : {}),
    LastModificationDate: new Date(r.modified),
    Name: r.name,
    ScheduleExpression: r.expression,
    ScheduleExpressionTimezone: r.timezone ?? "UTC",
    ...(r.startDate !== undefined ? { StartDate: new Date(r.startDate) } : {}),
    State: r.state,
    Target: withDefaults(r.target),
  };
}

/** Arms, re-arms or cancels the schedule's next firing; a schedule makes Scheduler start with the server. */
function arm(ctx: HandlerContext, key: string, rec: ScheduleRec | undefined): void {
  if (rec) ctx.startAtBoot();
  ctx.instance<SchedulerInstance | undefined>()?.timers.sync(ctx.account, ctx.region, key, rec);
}

type Fields = Omit<CreateScheduleInput, "ClientToken">;

/** Builds the record CreateSchedule/UpdateSchedule write, after every check. */
function record(ctx: HandlerContext, input: Fields, old?: ScheduleRec): ScheduleRec {
  const group = input.GroupName ?? DEFAULT_GROUP;
  const now = ctx.now();
  checkTiming(
    {
      expression: input.ScheduleExpression,
      timezone: input.ScheduleExpressionTimezone,
      startDate: input.StartDate?.getTime(),
      endDate: input.EndDate?.getTime(),
      flexible: input.FlexibleTimeWindow,
    },
    now,
  );
  checkTarget(input.Target);
  const rec: ScheduleRec = {
    name: input.Name,
    group,
    arn: scheduleArn(ctx, group, input.Name),
    expression: input.ScheduleExpression,
    ...(input.ScheduleExpressionTimezone !== undefined ? { timezone: input.ScheduleExpressionTimezone } : {}),
    ...(input.StartDate ? { startDate: input.StartDate.getTime() } : {}),
    ...(input.EndDate ? { endDate: input.EndDate.getTime() } : {}),
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    state: input.State ?? "ENABLED",
    flexible: input.FlexibleTimeWindow,
    target: input.Target,
    ...(input.ActionAfterCompletion !== undefined ? { actionAfterCompletion: input.ActionAfterCompletion } : {}),
    ...(input.KmsKeyArn !== undefined ? { kmsKeyArn: input.KmsKeyArn } : {}),
    created: old?.created ?? now,
    modified: now,
    ...(old?.clientToken ? { clientToken: old.clientToken } : {}),
  };
  const next = nextFiring(rec, now);
  if (next) rec.next = next;
  return rec;
}

export const schedules = {
  createSchedule(input, ctx) {
    const group = input.GroupName ?? DEFAULT_GROUP;
    mustGroup(ctx, group);
    const key = scheduleKey(group, input.Name);
    const t = tables(ctx);
    const old = t.schedules.get(key);
    if (old) {
      // The same request again (its ClientToken) is answered as the first was.
      if (input.ClientToken !== undefined && old.clientToken === input.ClientToken) return { ScheduleArn: old.arn };
      throw new ConflictException(`Schedule ${input.Name} already exists.`); // moto's AWS-recorded wording
    }
    const rec = record(ctx, input);
    if (input.ClientToken !== undefined) rec.clientToken = input.ClientToken;
    t.schedules.put(key, rec);
    arm(ctx, key, rec);
    return { ScheduleArn: rec.arn };
  },

  getSchedule(input, ctx) {
    return view(mustSchedule(ctx, input.Name, input.GroupName));
  },

  updateSchedule(input, ctx) {
    const old = mustSchedule(ctx, input.Name, input.GroupName);
    // UpdateSchedule replaces every field: what is not given goes back to its default (API reference).
    const rec = record(ctx, input, old);
    const key = scheduleKey(rec.group, rec.name);
    tables(ctx).schedules.put(key, rec);
    arm(ctx, key, rec);
    return { ScheduleArn: rec.arn };
  },

  deleteSchedule(input, ctx) {
    const rec = mustSchedule(ctx, input.Name, input.GroupName);
    const key = scheduleKey(rec.group, rec.name);
    tables(ctx).schedules.delete(key);
    arm(ctx, key, undefined);
    return {};
  },

  listSchedules(input, ctx) {
    if (input.GroupName !== undefined) mustGroup(ctx, input.GroupName);
    const prefix = input.GroupName !== undefined ? `${input.GroupName}|` : "";
    const all = tables(ctx)
      .schedules.list(prefix ? { prefix } : undefined)
      .map((e) => e.value)
      .filter((s) => (!input.NamePrefix || s.name.startsWith(input.NamePrefix)) && (!input.State || s.state === input.State));
    const page = pageByKey(all, (s) => scheduleKey(s.group, s.name), {
      operation: "ListSchedules",
      token: input.NextToken,
      max: input.MaxResults ?? 100,
      invalid: invalidToken,
      bind: `${input.GroupName ?? ""}|${input.NamePrefix ?? ""}|${input.State ?? ""}`,
    });
    return {
      Schedules: page.items.map((s) => ({
        Arn: s.arn,
        CreationDate: new Date(s.created),
        GroupName: s.group,
        LastModificationDate: new Date(s.modified),
        Name: s.name,
        State: s.state,
        Target: { Arn: s.target.Arn },
      })),
      ...(page.next ? { NextToken: page.next } : {}),
    };
  },
} satisfies Partial<SchedulerApi>;
