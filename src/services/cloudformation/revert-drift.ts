// Drift-aware change sets (CreateChangeSet's DeploymentMode REVERT_DRIFT, what `cdk deploy --revert-drift` asks
// for): a three-way comparison of each resource's actual state (read through its provider, as drift detection reads
// it, drift.ts), its previous deployment (the stack's record) and the new template. A resource whose actual state
// differs from the template is modified back to the template even where the template did not change; one whose new
// template now matches what it actually is only has its record brought in line (SyncWithActual); one deleted outside
// the stack is created again. Each change carries the resource's drift status and, per property, where its before
// and after values come from. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/drift-aware-change-sets.html
import type { HandlerContext } from "../../core/context.js";
import type { PropertyDifference, ResourceChange, ResourceChangeDetail, StackDriftStatus } from "./api.generated.js";
import { sameDynamic } from "./dynamic.js";
import { differences, liveState } from "./drift.js";
import type { Engine, Tables } from "./engine.js";
import type { ResourceRec, StackRec } from "./state.js";
import { runTemplate } from "./source.js";
import { evaluate } from "./template/index.js";
import { replacementProperties } from "./types.js";

/** What a drift-aware change set's execution does to a resource beyond an ordinary update (update.ts). */
export type RevertAction = "revert" | "sync" | "recreate";

export interface DriftPlan {
  changes: ResourceChange[];
  reverts: Record<string, RevertAction>;
  stackDriftStatus: StackDriftStatus;
}

/** The value at a JSON pointer ("/A/0/B") in `v`, as drift detection shows values; "null" when absent. */
function at(v: unknown, pointer: string): string {
  let cur: unknown = v;
  for (const raw of pointer.split("/").slice(1)) {
    const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined;
  }
  return cur === undefined ? "null" : typeof cur === "string" ? cur : JSON.stringify(cur);
}

/** drift.ts's differences are expected (the template) against actual: what applying the template does to each. */
const CHANGE_TYPE = { ADD: "Remove", REMOVE: "Add", NOT_EQUAL: "Modify" } as const;

function detail(d: PropertyDifference, previous: Record<string, unknown>, recreate: Set<string>, now: Date): ResourceChangeDetail {
  const name = (d.PropertyPath ?? "").split("/")[1] ?? "";
  return {
    Target: {
      Attribute: "Properties",
      Name: name,
      Path: `/Properties${d.PropertyPath}`,
      RequiresRecreation: recreate.has(name) ? "Always" : "Never",
      BeforeValue: d.ActualValue,
      AfterValue: d.ExpectedValue,
      BeforeValueFrom: "ACTUAL_STATE",
      AfterValueFrom: "TEMPLATE",
      AttributeChangeType: CHANGE_TYPE[d.DifferenceType ?? "NOT_EQUAL"],
      Drift: { PreviousValue: at(previous, d.PropertyPath ?? ""), ActualValue: d.ActualValue, DriftDetectionTimestamp: now },
    },
    Evaluation: "Static",
    ChangeSource: "DirectModification",
  };
}

/**
 * The drift-aware plan of `proposed` (the stack carrying the new template), from the ordinary plan (`changes`,
 * update.ts planChanges): each existing resource read now and compared.
 */
export async function planRevertDrift(ctx: HandlerContext, engine: Engine, t: Tables, proposed: StackRec, changes: ResourceChange[]): Promise<DriftPlan> {
  const template = runTemplate(proposed);
  const env = engine.env(t, proposed, template);
  const byId = new Map(changes.map((c) => [c.LogicalResourceId, c]));
  const out = new Map(changes.map((c) => [c.LogicalResourceId, { ...c }]));
  const reverts: Record<string, RevertAction> = {};
  let drifted = false;
  const now = new Date(ctx.now());
  for (const { value: rec } of t.resources.list({ prefix: `${proposed.stackId}\u0000` })) {
    const decl = template.Resources[rec.logicalId];
    const change = byId.get(rec.logicalId);
    if (!decl || decl.Type !== rec.type || change?.Action === "Remove" || change?.Replacement === "Conditional") continue;
    if (rec.status !== "CREATE_COMPLETE" && rec.status !== "UPDATE_COMPLETE") continue;
    let desired: Record<string, unknown>;
    try {
      desired = sameDynamic((evaluate(decl.Properties ?? {}, env) ?? {}) as Record<string, unknown>, rec);
    } catch {
      continue;
    }
    const live = await liveState(ctx, rec, desired);
    const recreate = new Set(replacementProperties(rec.type));
    if (!live) {
      if (change) out.set(rec.logicalId, { ...change, ResourceDriftStatus: "UNSUPPORTED" });
      continue;
    }
    const ignored = live.ignored.map((k) => ({ Path: `/Properties/${k}`, Reason: "WRITE_ONLY_PROPERTY" as const }));
    const base = {
      LogicalResourceId: rec.logicalId,
      PhysicalResourceId: rec.physicalId,
      ResourceType: rec.type,
      ...(ignored.length ? { ResourceDriftIgnoredAttributes: ignored } : {}),
    };
    if (!live.actual) {
      // Deleted outside the stack: created again from the template.
      drifted = true;
      reverts[rec.logicalId] = "recreate";
      out.set(rec.logicalId, { ...base, Action: "Modify", Replacement: "True", Scope: ["Properties"], Details: [], ResourceDriftStatus: "DELETED" });
      continue;
    }
    // Drifted: the actual state differs from the previous deployment's, on the properties both set.
    const previous = Object.fromEntries(
      Object.keys(live.actual)
        .filter((k) => k in rec.properties)
        .map((k) => [k, rec.properties[k]]),
    );
    const actualOfPrevious = Object.fromEntries(Object.keys(previous).map((k) => [k, live.actual![k]]));
    const status = differences(previous, actualOfPrevious).length ? "MODIFIED" : "IN_SYNC";
    if (status === "MODIFIED") drifted = true;
    if (!live.differences.length) {
      // The template matches what the resource is: where the template changed only on properties compared here,
      // the resource is left as it is and only its record changes.
      const templateOnly = change?.Details?.every((d) => d.Target?.Attribute === "Properties" && d.Target.Name && d.Target.Name in live.expected);
      if (change && templateOnly && change.Details?.length) {
        reverts[rec.logicalId] = "sync";
        out.set(rec.logicalId, {
          ...base,
          Action: "SyncWithActual",
          Scope: ["Properties"],
          ResourceDriftStatus: status,
          Details: (change.Details ?? []).map((d) => ({
            ...d,
            Target: {
              ...d.Target,
              Path: `/Properties/${d.Target?.Name}`,
              BeforeValue: at(live.actual, `/${d.Target?.Name}`),
              AfterValue: at(live.expected, `/${d.Target?.Name}`),
              BeforeValueFrom: "ACTUAL_STATE",
              AfterValueFrom: "TEMPLATE",
              AttributeChangeType: "SyncWithActual",
              RequiresRecreation: "Never",
            },
          })),
        });
      } else if (change) out.set(rec.logicalId, { ...change, ResourceDriftStatus: status });
      continue;
    }
    // The actual state differs from the template: modified back to it, with whatever else the template changes.
    reverts[rec.logicalId] = "revert";
    const details = live.differences.map((d) => detail(d, rec.properties, recreate, now));
    const covered = new Set(details.map((d) => d.Target?.Name));
    const others = (change?.Details ?? []).filter((d) => !(d.Target?.Attribute === "Properties" && covered.has(d.Target.Name)));
    const all = [...details, ...others];
    out.set(rec.logicalId, {
      ...base,
      Action: "Modify",
      Replacement: all.some((d) => d.Target?.RequiresRecreation === "Always") ? "True" : "False",
      Scope: [...new Set(all.flatMap((d) => (d.Target?.Attribute ? [d.Target.Attribute] : [])))],
      Details: all,
      ResourceDriftStatus: status,
    });
  }
  // Changes in the ordinary plan's order, then the resources only drift changes.
  const ordered = [...changes.map((c) => out.get(c.LogicalResourceId)!), ...[...out.values()].filter((c) => !byId.has(c.LogicalResourceId))];
  return { changes: ordered, reverts, stackDriftStatus: drifted ? "DRIFTED" : "IN_SYNC" };
}

/** What a resource actually is now, on the properties `expected` sets and its type reads (nothing if it cannot say). */
export async function actualProperties(ctx: HandlerContext, rec: ResourceRec, expected: Record<string, unknown>): Promise<Record<string, unknown>> {
  try {
    return (await liveState(ctx, rec, expected))?.actual ?? {};
  } catch {
    return {};
  }
}

/**
 * After a drift-aware update completes: the resources it reverted, re-created or re-recorded are as their template
 * says, so their last drift checks say IN_SYNC, and the stack's last detection counts only what is still drifted.
 */
export function reverted(t: Tables, s: StackRec, ids: string[], now: number): void {
  for (const id of ids) {
    const key = `${s.stackId}\u0000${id}`;
    const check = t.resourceDrift.get(key);
    const rec = t.resources.get(key);
    if (!check || !rec) continue;
    const asTemplate = Object.fromEntries(Object.keys(check.expected ?? {}).flatMap((k) => (k in rec.properties ? [[k, rec.properties[k]]] : [])));
    t.resourceDrift.put(key, {
      ...check,
      physicalId: rec.physicalId,
      status: "IN_SYNC",
      expected: asTemplate,
      actual: asTemplate,
      differences: [],
      timestamp: now,
    });
  }
  const detectionId = t.stackDrift.get(s.stackId);
  const detection = detectionId ? t.driftDetections.get(detectionId) : undefined;
  if (!detection?.stackDriftStatus) return;
  const still = t.resourceDrift.list({ prefix: `${s.stackId}\u0000` }).filter((e) => e.value.status === "MODIFIED" || e.value.status === "DELETED").length;
  t.driftDetections.put(detection.detectionId, { ...detection, driftedCount: still, stackDriftStatus: still ? "DRIFTED" : "IN_SYNC", timestamp: now });
}
