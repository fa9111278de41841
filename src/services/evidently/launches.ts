// Launches: Create/Get/List/Update/Delete/Start/StopLaunch. Groups each serve one feature's variation; the
// ScheduledSplitsConfig steps say from when which share of the audience (GroupWeights, thousandths of a percent)
// each group gets, with SegmentOverrides giving other weights to the entities of a segment. Without steps the groups
// share the whole audience equally while the launch runs (Stratus's choice: AWS's console always writes steps).
// Status CREATED → RUNNING (StartLaunch) → COMPLETED or CANCELLED (StopLaunch). RandomizationSalt defaults to the
// launch's name, as AWS documents.
import type { HandlerContext } from "../../core/context.js";
import { parseEventPattern } from "../../core/event-pattern.js";
import {
  ConflictException,
  ValidationException,
  type EvidentlyApi,
  type Launch,
  type LaunchGroupConfig,
  type MetricDefinitionConfig,
  type ScheduledSplitConfig,
} from "./api.generated.js";
import { page } from "./projects.js";
import { checkTagMap } from "./tags.js";
import {
  childArn,
  childKey,
  childrenOf,
  date,
  findFeature,
  findProject,
  findSegment,
  notFound,
  projectArn,
  tables,
  type LaunchRec,
  type StepRec,
  insertNew,
} from "./state.js";

export const TOTAL = 100_000;

/** Checks a launch's or experiment's metric definitions: an eventPattern is an EventBridge pattern over the event's data. */
export function checkMetrics(defs: MetricDefinitionConfig[]): MetricDefinitionConfig[] {
  for (const d of defs) if (d.eventPattern !== undefined) metricPattern(d.eventPattern);
  return defs.map((d) => ({ ...d }));
}

/** A metric's event pattern, compiled (`{}` matches every event); refused with event-ruler's reason. */
export const metricPattern = (text: string) =>
  parseEventPattern(text, { allowEmpty: true }, (message) => new ValidationException(`Invalid metric event pattern: ${message}`)); // unverified wording

/** The variation a group or treatment names, checked against its feature. */
export function checkVariation(ctx: HandlerContext, project: string, x: { feature: string; variation: string }): void {
  const f = findFeature(ctx, project, x.feature);
  if (!f.variations.some((v) => v.name === x.variation)) throw notFound("variation", x.variation);
}

function groupsOf(ctx: HandlerContext, project: string, groups: LaunchGroupConfig[]): LaunchRec["groups"] {
  const names = new Set(groups.map((g) => g.name));
  if (names.size !== groups.length) throw new ValidationException("Launch group names must be unique."); // unverified wording
  for (const g of groups) checkVariation(ctx, project, g);
  return groups.map((g) => ({
    name: g.name,
    feature: g.feature,
    variation: g.variation,
    ...(g.description !== undefined ? { description: g.description } : {}),
  }));
}

function stepsOf(ctx: HandlerContext, groups: LaunchRec["groups"], steps: ScheduledSplitConfig[] | undefined): StepRec[] | undefined {
  if (!steps) return undefined;
  const names = new Set(groups.map((g) => g.name));
  const checkWeights = (w: Record<string, number>) => {
    let sum = 0;
    for (const [g, n] of Object.entries(w)) {
      if (!names.has(g)) throw new ValidationException(`Group ${g} in groupWeights is not a group of the launch.`); // unverified wording
      sum += n;
    }
    if (sum > TOTAL) throw new ValidationException("The sum of the group weights must not exceed 100000."); // unverified wording
  };
  return steps
    .map((s) => {
      checkWeights(s.groupWeights);
      for (const o of s.segmentOverrides ?? []) {
        findSegment(ctx, o.segment);
        checkWeights(o.weights);
      }
      return { startTime: s.startTime.getTime(), groupWeights: s.groupWeights, ...(s.segmentOverrides ? { segmentOverrides: s.segmentOverrides } : {}) };
    })
    .sort((a, b) => a.startTime - b.startTime);
}

export const execution = (r: { started?: number; ended?: number }) =>
  r.started === undefined ? undefined : { startedTime: date(r.started), ...(r.ended !== undefined ? { endedTime: date(r.ended) } : {}) };

export function launchOut(ctx: HandlerContext, l: LaunchRec): Launch {
  return {
    arn: l.arn,
    name: l.name,
    project: projectArn(ctx, l.project),
    status: l.status,
    ...(l.statusReason !== undefined ? { statusReason: l.statusReason } : {}),
    ...(l.description !== undefined ? { description: l.description } : {}),
    createdTime: new Date(l.created),
    lastUpdatedTime: new Date(l.modified),
    ...(execution(l) ? { execution: execution(l) } : {}),
    groups: l.groups.map((g) => ({
      name: g.name,
      featureVariations: { [g.feature]: g.variation },
      ...(g.description !== undefined ? { description: g.description } : {}),
    })),
    metricMonitors: l.metricMonitors.map((metricDefinition) => ({ metricDefinition })),
    randomizationSalt: l.randomizationSalt,
    ...(l.steps
      ? {
          scheduledSplitsDefinition: {
            steps: l.steps.map((s) => ({
              startTime: new Date(s.startTime),
              groupWeights: s.groupWeights,
              ...(s.segmentOverrides ? { segmentOverrides: s.segmentOverrides } : {}),
            })),
          },
        }
      : {}),
    type: "aws.evidently.splits",
    ...(Object.keys(l.tags).length ? { tags: l.tags } : {}),
  };
}

function findLaunch(ctx: HandlerContext, project: string, name: string): LaunchRec {
  const l = tables(ctx).launches.get(childKey(project, name));
  if (!l) throw notFound("launch", name);
  return l;
}

const conflict = (l: LaunchRec, what: string) =>
  new ConflictException(`Launch ${l.name} is ${l.status} and cannot be ${what}.`, { resourceId: l.name, resourceType: "launch" }); // unverified wording

function save(ctx: HandlerContext, l: LaunchRec): { launch: Launch } {
  l.modified = ctx.now();
  tables(ctx).launches.put(childKey(l.project, l.name), l);
  return { launch: launchOut(ctx, l) };
}

export const launches = {
  createLaunch(input, ctx) {
    const p = findProject(ctx, input.project);
    checkTagMap(input.tags);
    const groups = groupsOf(ctx, p.name, input.groups);
    const now = ctx.now();
    const rec: LaunchRec = {
      project: p.name,
      name: input.name,
      arn: childArn(ctx, p.name, "launch", input.name),
      ...(input.description !== undefined ? { description: input.description } : {}),
      groups,
      metricMonitors: checkMetrics((input.metricMonitors ?? []).map((m) => m.metricDefinition)),
      randomizationSalt: input.randomizationSalt ?? input.name,
      steps: stepsOf(ctx, groups, input.scheduledSplitsConfig?.steps),
      status: "CREATED",
      tags: input.tags ?? {},
      created: now,
      modified: now,
    };
    if (!rec.steps) delete rec.steps;
    insertNew(tables(ctx).launches, childKey(p.name, input.name), rec, "launch", input.name, p.name);
    return { launch: launchOut(ctx, rec) };
  },
  getLaunch(input, ctx) {
    const p = findProject(ctx, input.project);
    return { launch: launchOut(ctx, findLaunch(ctx, p.name, input.launch)) };
  },
  listLaunches(input, ctx) {
    const p = findProject(ctx, input.project);
    const all = childrenOf(tables(ctx).launches, p.name).filter((l) => !input.status || l.status === input.status);
    const r = page("ListLaunches", all, (l) => l.name, input, `${p.name}|${input.status ?? ""}`);
    return { launches: r.items.map((l) => launchOut(ctx, l)), ...(r.next ? { nextToken: r.next } : {}) };
  },
  updateLaunch(input, ctx) {
    const p = findProject(ctx, input.project);
    const l = findLaunch(ctx, p.name, input.launch);
    if (l.status === "COMPLETED" || l.status === "CANCELLED") throw conflict(l, "updated");
    if (input.groups) l.groups = groupsOf(ctx, p.name, input.groups);
    if (input.scheduledSplitsConfig) l.steps = stepsOf(ctx, l.groups, input.scheduledSplitsConfig.steps);
    else if (input.groups && l.steps)
      stepsOf(
        ctx,
        l.groups,
        l.steps.map((s) => ({ ...s, startTime: new Date(s.startTime) })),
      );
    if (input.metricMonitors) l.metricMonitors = checkMetrics(input.metricMonitors.map((m) => m.metricDefinition));
    if (input.randomizationSalt !== undefined) l.randomizationSalt = input.randomizationSalt;
    if (input.description !== undefined) l.description = input.description;
    return save(ctx, l);
  },
  deleteLaunch(input, ctx) {
    const p = findProject(ctx, input.project);
    const l = findLaunch(ctx, p.name, input.launch);
    tables(ctx).launches.delete(childKey(p.name, l.name));
    return {};
  },
  startLaunch(input, ctx) {
    const p = findProject(ctx, input.project);
    const l = findLaunch(ctx, p.name, input.launch);
    if (l.status !== "CREATED") throw conflict(l, "started");
    l.status = "RUNNING";
    l.started = ctx.now();
    return save(ctx, l);
  },
  stopLaunch(input, ctx) {
    const p = findProject(ctx, input.project);
    const l = findLaunch(ctx, p.name, input.launch);
    if (l.status !== "RUNNING") throw conflict(l, "stopped");
    l.status = input.desiredState ?? "COMPLETED";
    if (input.reason !== undefined) l.statusReason = input.reason;
    l.ended = ctx.now();
    save(ctx, l);
    return { endedTime: new Date(l.ended) };
  },
} satisfies Partial<EvidentlyApi>;
