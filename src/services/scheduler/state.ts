// EventBridge Scheduler's records and tables (per account and region): schedule groups (the default one synthesized
// until stored), schedules with their next firing, and the invocations fired and not yet done; ARNs; the running
// instance; AWS's not-found and conflict errors.
import type { HandlerContext } from "../../core/context.js";
import { regionalArn, type ArnScope } from "../../core/arn.js";
import type { ServiceHost } from "../../core/service.js";
import { defineState, regional, type TablesOf } from "../../core/state.js";
import { type ActionAfterCompletion, type FlexibleTimeWindow, ResourceNotFoundException, type ScheduleState, type Tag, type Target } from "./api.generated.js";

export interface GroupRec {
  name: string;
  arn: string;
  state: "ACTIVE" | "DELETING";
  tags: Tag[];
  created: number;
  modified: number;
  clientToken?: string;
}

export interface ScheduleRec {
  name: string;
  group: string;
  arn: string;
  expression: string;
  timezone?: string;
  startDate?: number;
  endDate?: number;
  description?: string;
  state: ScheduleState;
  flexible: FlexibleTimeWindow;
  target: Target;
  actionAfterCompletion?: ActionAfterCompletion;
  kmsKeyArn?: string;
  created: number;
  modified: number;
  clientToken?: string;
  /** The next firing: its instant on the schedule (`nominal`) and when it fires, drawn within the flexible window. */
  next?: { nominal: number; due: number };
}

/** A firing not yet delivered: kept until its target took it or it finally failed, so a restart resumes it. */
export interface InvocationRec {
  schedule: string;
  group: string;
  scheduleArn: string;
  target: Target;
  /** The schedule's instant this firing is for (`<aws.scheduler.scheduled-time>`); its age counts from it. */
  nominal: number;
  attempts: number;
  dueAt: number;
  /** Delete the schedule once this invocation is done (ActionAfterCompletion DELETE on its last firing). */
  deleteAfter?: boolean;
}

const specs = {
  groups: regional<GroupRec>("groups"),
  /** Keyed `<group>|<name>`: a group's schedules share a prefix. */
  schedules: regional<ScheduleRec>("schedules"),
  /** Keyed `<group>|<name>|<nominal>`: one per firing, so a firing resumed after a restart is not made twice. */
  invocations: regional<InvocationRec>("invocations"),
};
export const schedulerState = defineState("scheduler", specs);
export type Tables = TablesOf<typeof specs>;
export const tables = (ctx: HandlerContext): Tables => schedulerState.of(ctx);
export { transaction } from "../../core/state.js";

export const DEFAULT_GROUP = "default";
export const scheduleKey = (group: string, name: string): string => `${group}|${name}`;
export const groupArn = (where: ArnScope, name: string): string => regionalArn(where, "scheduler", `schedule-group/${name}`);
export const scheduleArn = (where: ArnScope, group: string, name: string): string => regionalArn(where, "scheduler", `schedule/${group}/${name}`);

/** The default group exists in every account and region without being created; its record is written on first change. */
export function defaultGroup(where: ArnScope): GroupRec {
  return { name: DEFAULT_GROUP, arn: groupArn(where, DEFAULT_GROUP), state: "ACTIVE", tags: [], created: 0, modified: 0 };
}

export function findGroup(t: Tables, where: ArnScope, name: string): GroupRec | undefined {
  return t.groups.get(name) ?? (name === DEFAULT_GROUP ? defaultGroup(where) : undefined);
}

/** A group that exists and is not being deleted. */
export function mustGroup(ctx: HandlerContext, name = DEFAULT_GROUP): GroupRec {
  const g = findGroup(tables(ctx), ctx, name);
  if (!g || g.state === "DELETING") throw new ResourceNotFoundException(`Schedule group ${name} does not exist.`); // unverified wording
  return g;
}

/** `Schedule x does not exist.` (moto's AWS-recorded wording, tests/test_scheduler/test_scheduler.py). */
export function mustSchedule(ctx: HandlerContext, name: string, group = DEFAULT_GROUP): ScheduleRec {
  mustGroup(ctx, group);
  const s = tables(ctx).schedules.get(scheduleKey(group, name));
  if (!s) throw new ResourceNotFoundException(`Schedule ${name} does not exist.`);
  return s;
}

/** What Scheduler's start hook returns: the server it fires from, and the armed timers of the next firings. */
export interface SchedulerInstance {
  host: ServiceHost;
  timers: import("./firing.js").ScheduleTimers;
}
