// Drift detection: each resource's properties as the stack last set them (its record) against what its service
// reports now, read through the type's provider (core/resources.ts `read`, the same read Cloud Control's GetResource
// uses). DetectStackDrift runs in the background (DescribeStackDriftDetectionStatus polls it), DetectStackResourceDrift
// checks one resource at once; DescribeStackResourceDrifts lists the last checks. As AWS, only the properties the
// template sets are compared (write-only ones excepted); a type without a read is NOT_CHECKED. The stack's and each
// resource's DriftInformation in DescribeStacks, ListStacks and DescribeStackResource(s) / ListStackResources come
// from the last checks, laid over stacks.ts's answers.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import { pageByKey } from "../../core/paging.js";
import type {
  CloudformationApi,
  DescribeStackResourceOutput,
  DescribeStackResourcesOutput,
  DescribeStacksOutput,
  ListStackResourcesOutput,
  ListStacksOutput,
  PropertyDifference,
  StackResourceDrift,
} from "./api.generated.js";
import type { Engine } from "./engine.js";
import { stacks } from "./stacks.js";
import { cfnState, type DriftDetectionRec, type ResourceDriftRec, type ResourceRec, type StackRec } from "./state.js";
import { templateTagsOf } from "./tags.js";
import { readOnlyProperties } from "./types.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

function findStack(ctx: HandlerContext, nameOrId: string): StackRec {
  const t = cfnState.of(ctx);
  const id = nameOrId.startsWith("arn:") ? nameOrId : t.names.get(nameOrId);
  const s = id ? t.stacks.get(id) : undefined;
  if (!s || s.status === "DELETE_COMPLETE") throw validation(`Stack with id ${nameOrId} does not exist`);
  return s;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value as the comparison sees it: JSON text parsed where the other side is structured (policy documents). */
function normalize(v: unknown, other: unknown): unknown {
  if (typeof v === "string" && (isObject(other) || Array.isArray(other))) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  // Tags and other lists of {Key, Value}: an unordered set, as CloudFormation compares tags.
  if (Array.isArray(v) && keyed(v)) return [...v].sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
  return v;
}

const keyed = (v: unknown[]): v is { Key: string }[] => v.length > 0 && v.every((x) => isObject(x) && typeof x.Key === "string");

const shown = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v));
const pointerToken = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

/** The differences between an expected and an actual value, by JSON pointer (ADD, REMOVE, NOT_EQUAL). */
export function differences(expected: unknown, actual: unknown, path = ""): PropertyDifference[] {
  const e = normalize(expected, actual);
  const a = normalize(actual, expected);
  if (isObject(e) && isObject(a)) {
    const out: PropertyDifference[] = [];
    for (const k of new Set([...Object.keys(e), ...Object.keys(a)])) {
      const p = `${path}/${pointerToken(k)}`;
      if (!(k in a) || a[k] === undefined) out.push({ PropertyPath: p, ExpectedValue: shown(e[k]), ActualValue: "null", DifferenceType: "REMOVE" });
      else if (!(k in e) || e[k] === undefined) out.push({ PropertyPath: p, ExpectedValue: "null", ActualValue: shown(a[k]), DifferenceType: "ADD" });
      else out.push(...differences(e[k], a[k], p));
    }
    return out;
  }
  if (Array.isArray(e) && Array.isArray(a) && keyed(e) && keyed(a)) {
    // Tags and the like: elements matched by Key (each list in Key order).
    const out: PropertyDifference[] = [];
    e.forEach((x, i) => {
      const j = a.findIndex((y) => y.Key === x.Key);
      if (j < 0) out.push({ PropertyPath: `${path}/${i}`, ExpectedValue: shown(x), ActualValue: "null", DifferenceType: "REMOVE" });
      else out.push(...differences(x, a[j], `${path}/${i}`));
    });
    a.forEach((y, j) => {
      if (!e.some((x) => x.Key === y.Key)) out.push({ PropertyPath: `${path}/${j}`, ExpectedValue: "null", ActualValue: shown(y), DifferenceType: "ADD" });
    });
    return out;
  }
  if (Array.isArray(e) && Array.isArray(a)) {
    const out: PropertyDifference[] = [];
    for (let i = 0; i < Math.max(e.length, a.length); i++) {
      const p = `${path}/${i}`;
      if (i >= a.length) out.push({ PropertyPath: p, ExpectedValue: shown(e[i]), ActualValue: "null", DifferenceType: "REMOVE" });
      else if (i >= e.length) out.push({ PropertyPath: p, ExpectedValue: "null", ActualValue: shown(a[i]), DifferenceType: "ADD" });
      else out.push(...differences(e[i], a[i], p));
    }
    return out;
  }
  // Scalars: CloudFormation passes "5" and 5, "true" and true to the resource alike.
  const same = isObject(e) || Array.isArray(e) || isObject(a) || Array.isArray(a) ? JSON.stringify(e) === JSON.stringify(a) : String(e) === String(a);
  return same ? [] : [{ PropertyPath: path, ExpectedValue: shown(e), ActualValue: shown(a), DifferenceType: "NOT_EQUAL" }];
}

/**
 * A resource as its service reports it now, against `expected` (the properties a template gives it): the
 * properties compared (those set, less read-only and write-only ones, whose names `ignored` lists), the actual
 * values of those, and their differences. `undefined` when its type has no read (not checkable); `actual`
 * undefined when the resource is gone.
 */
export async function liveState(
  ctx: HandlerContext,
  rec: ResourceRec,
  expected: Record<string, unknown> = rec.properties,
): Promise<{ expected: Record<string, unknown>; actual?: Record<string, unknown>; differences: PropertyDifference[]; ignored: string[] } | undefined> {
  const provider = rec.physicalId ? await ctx.instance<Engine>().host.resourceProvider(rec.type) : undefined;
  if (!provider?.read || !rec.physicalId) return undefined;
  const writeOnly = new Set(provider.notRead ?? []);
  const skip = new Set([...writeOnly, ...readOnlyProperties(rec.type)]);
  const compared = Object.fromEntries(Object.entries(expected).filter(([k]) => !skip.has(k)));
  const ignored = Object.keys(expected).filter((k) => writeOnly.has(k));
  const read = await provider.read({ ctx, physicalId: rec.physicalId });
  if (!read) return { expected: compared, differences: [], ignored };
  // Tags with the reserved aws: prefix are AWS's own (aws:cloudformation:stack-name…), and the stack's the template
  // does not set are not the template's (tags.ts).
  templateTagsOf(rec, read);
  // Only what the template sets is compared (defaults the service filled in are not drift).
  const actual = Object.fromEntries(Object.keys(compared).flatMap((k) => (read[k] === undefined ? [] : [[k, read[k]]])));
  return { expected: compared, actual, differences: differences(compared, actual), ignored };
}

/** Checks one resource of a stack now: its drift record (stored). */
async function checkResource(ctx: HandlerContext, s: StackRec, logicalId: string): Promise<ResourceDriftRec> {
  const t = cfnState.of(ctx);
  const rec = t.resources.get(`${s.stackId}\u0000${logicalId}`)!;
  const drift: ResourceDriftRec = { logicalId, physicalId: rec.physicalId, type: rec.type, status: "NOT_CHECKED", timestamp: ctx.now() };
  const live = await liveState(ctx, rec);
  if (live) {
    drift.expected = live.expected;
    if (!live.actual) drift.status = "DELETED";
    else {
      drift.actual = live.actual;
      drift.differences = live.differences;
      drift.status = live.differences.length ? "MODIFIED" : "IN_SYNC";
    }
  }
  t.resourceDrift.put(`${s.stackId}\u0000${logicalId}`, drift);
  return drift;
}

function driftOut(s: StackRec, d: ResourceDriftRec): StackResourceDrift {
  return {
    StackId: s.stackId,
    LogicalResourceId: d.logicalId,
    PhysicalResourceId: d.physicalId,
    ResourceType: d.type,
    ExpectedProperties: d.expected ? JSON.stringify(d.expected) : undefined,
    ActualProperties: d.actual ? JSON.stringify(d.actual) : undefined,
    PropertyDifferences: d.differences,
    StackResourceDriftStatus: d.status,
    Timestamp: new Date(d.timestamp),
  };
}

/** Resources a drift check looks at: those that exist (created, updated, not being deleted). */
const checkable = (ctx: HandlerContext, s: StackRec) =>
  cfnState
    .of(ctx)
    .resources.list({ prefix: `${s.stackId}\u0000` })
    .map((e) => e.value)
    .filter((r) => r.physicalId && (r.status === "CREATE_COMPLETE" || r.status === "UPDATE_COMPLETE"));

// Detections running in this process, per engine (one per server); one left IN_PROGRESS by a stopped server failed.
const running = new WeakMap<Engine, Map<string, Promise<void>>>();
function track(ctx: HandlerContext, id: string, work: Promise<void>): void {
  const engine = ctx.instance<Engine>();
  let live = running.get(engine);
  if (!live) {
    const map = new Map<string, Promise<void>>();
    live = map;
    running.set(engine, map);
    // Running detections finish before the store closes.
    engine.host.onDrain(async () => {
      while (map.size) await Promise.allSettled([...map.values()]);
    });
  }
  live.set(
    id,
    work.finally(() => live.delete(id)),
  );
}
const isRunning = (ctx: HandlerContext, id: string) => running.get(ctx.instance<Engine>())?.has(id) ?? false;

const STABLE = /_COMPLETE$|_FAILED$/;

function lastCheck(ctx: HandlerContext, s: StackRec): DriftDetectionRec | undefined {
  const id = cfnState.of(ctx).stackDrift.get(s.stackId);
  return id ? cfnState.of(ctx).driftDetections.get(id) : undefined;
}

/** The stack's DriftInformation from its last completed detection. */
function stackDriftInfo(ctx: HandlerContext, stackId: string) {
  const t = cfnState.of(ctx);
  const s = t.stacks.get(stackId);
  const d = s && lastCheck(ctx, s);
  return d?.stackDriftStatus ? { StackDriftStatus: d.stackDriftStatus, LastCheckTimestamp: new Date(d.timestamp) } : undefined;
}

function resourceDriftInfo(ctx: HandlerContext, stackId: string | undefined, logicalId: string | undefined) {
  const d = stackId && logicalId ? cfnState.of(ctx).resourceDrift.get(`${stackId}\u0000${logicalId}`) : undefined;
  return d ? { StackResourceDriftStatus: d.status, LastCheckTimestamp: new Date(d.timestamp) } : undefined;
}

export const drift = {
  detectStackDrift(input, ctx) {
    const s = findStack(ctx, input.StackName);
    // unverified wording
    if (!STABLE.test(s.status) || s.status.endsWith("IN_PROGRESS"))
      throw validation(`Drift detection is not supported for stack ${s.stackName} in status ${s.status}`);
    const resources = checkable(ctx, s);
    for (const id of input.LogicalResourceIds ?? [])
      if (!resources.some((r) => r.logicalId === id)) throw validation(`Resource ${id} does not exist for stack ${s.stackName}`); // unverified wording
    const t = cfnState.of(ctx);
    const rec: DriftDetectionRec = { detectionId: uuid4(), stackId: s.stackId, status: "DETECTION_IN_PROGRESS", timestamp: ctx.now() };
    t.driftDetections.put(rec.detectionId, rec);
    const only = input.LogicalResourceIds?.length ? new Set(input.LogicalResourceIds) : undefined;
    const work = (async () => {
      await Promise.resolve();
      const failed: string[] = [];
      const results: ResourceDriftRec[] = [];
      for (const r of resources.filter((x) => !only || only.has(x.logicalId))) {
        try {
          results.push(await checkResource(ctx, s, r.logicalId));
        } catch (e) {
          ctx.instance<Engine>().host.logger.error(`cloudformation: drift check of ${s.stackName}/${r.logicalId} failed`, e);
          failed.push(r.logicalId);
        }
      }
      const drifted = results.filter((r) => r.status === "MODIFIED" || r.status === "DELETED").length;
      rec.driftedCount = drifted;
      rec.stackDriftStatus = drifted ? "DRIFTED" : results.some((r) => r.status !== "NOT_CHECKED") ? "IN_SYNC" : "NOT_CHECKED";
      rec.status = failed.length ? "DETECTION_FAILED" : "DETECTION_COMPLETE";
      // unverified wording
      if (failed.length) rec.reason = `Failed to detect drift on resources [${failed.join(", ")}]`;
      rec.timestamp = ctx.now();
      t.driftDetections.put(rec.detectionId, rec);
      t.stackDrift.put(s.stackId, rec.detectionId);
    })();
    track(ctx, rec.detectionId, work);
    return { StackDriftDetectionId: rec.detectionId };
  },

  describeStackDriftDetectionStatus(input, ctx) {
    const t = cfnState.of(ctx);
    const d = t.driftDetections.get(input.StackDriftDetectionId);
    // unverified wording
    if (!d) throw validation(`Drift detection with id ${input.StackDriftDetectionId} does not exist`);
    if (d.status === "DETECTION_IN_PROGRESS" && !isRunning(ctx, d.detectionId)) {
      Object.assign(d, { status: "DETECTION_FAILED", reason: "Stratus stopped while drift detection was in progress.", timestamp: ctx.now() });
      t.driftDetections.put(d.detectionId, d);
    }
    return {
      StackId: d.stackId,
      StackDriftDetectionId: d.detectionId,
      StackDriftStatus: d.stackDriftStatus,
      DetectionStatus: d.status,
      DetectionStatusReason: d.reason,
      DriftedStackResourceCount: d.driftedCount,
      Timestamp: new Date(d.timestamp),
    };
  },

  async detectStackResourceDrift(input, ctx) {
    const s = findStack(ctx, input.StackName);
    const r = checkable(ctx, s).find((x) => x.logicalId === input.LogicalResourceId);
    if (!r) throw validation(`Resource ${input.LogicalResourceId} does not exist for stack ${s.stackName}`); // unverified wording
    return { StackResourceDrift: driftOut(s, await checkResource(ctx, s, r.logicalId)) };
  },

  describeStackResourceDrifts(input, ctx) {
    const s = findStack(ctx, input.StackName);
    const filters = input.StackResourceDriftStatusFilters;
    const all = cfnState
      .of(ctx)
      .resourceDrift.list({ prefix: `${s.stackId}\u0000` })
      .map((e) => e.value)
      .filter((d) => !filters?.length || filters.includes(d.status))
      .sort((a, b) => (a.logicalId < b.logicalId ? -1 : a.logicalId > b.logicalId ? 1 : 0));
    const page = pageByKey(all, (d) => d.logicalId, {
      operation: "DescribeStackResourceDrifts",
      token: input.NextToken,
      max: input.MaxResults ?? 100,
      bind: s.stackId,
      invalid: () => validation("Invalid NextToken"),
    });
    return { StackResourceDrifts: page.items.map((d) => driftOut(s, d)), NextToken: page.next };
  },

  // The stack handlers that show DriftInformation, with the last checks laid over their answers.
  async describeStacks(input, ctx) {
    const out: DescribeStacksOutput = await stacks.describeStacks(input, ctx);
    for (const st of out.Stacks ?? []) st.DriftInformation = stackDriftInfo(ctx, st.StackId!) ?? st.DriftInformation;
    return out;
  },
  async listStacks(input, ctx) {
    const out: ListStacksOutput = await stacks.listStacks(input, ctx);
    for (const st of out.StackSummaries ?? []) st.DriftInformation = stackDriftInfo(ctx, st.StackId!) ?? st.DriftInformation;
    return out;
  },
  async describeStackResources(input, ctx) {
    const out: DescribeStackResourcesOutput = await stacks.describeStackResources(input, ctx);
    for (const r of out.StackResources ?? []) r.DriftInformation = resourceDriftInfo(ctx, r.StackId, r.LogicalResourceId) ?? r.DriftInformation;
    return out;
  },
  async describeStackResource(input, ctx) {
    const out: DescribeStackResourceOutput = await stacks.describeStackResource(input, ctx);
    const r = out.StackResourceDetail;
    if (r) r.DriftInformation = resourceDriftInfo(ctx, r.StackId, r.LogicalResourceId) ?? r.DriftInformation;
    return out;
  },
  async listStackResources(input, ctx) {
    const out: ListStackResourcesOutput = await stacks.listStackResources(input, ctx);
    const stackId = input.StackName.startsWith("arn:") ? input.StackName : cfnState.of(ctx).names.get(input.StackName);
    for (const r of out.StackResourceSummaries ?? []) r.DriftInformation = resourceDriftInfo(ctx, stackId, r.LogicalResourceId) ?? r.DriftInformation;
    return out;
  },
} satisfies Partial<CloudformationApi>;
