// Stack updates (engine.ts runs them): the diff an update applies, its cleanup phase, its rollback, and the plan
// a change set shows. Functions over the engine, whose events, statuses, evaluation and resource creation they use.
import { isDeepStrictEqual } from "node:util";
import type { ResourceProvider } from "../../core/resources.js";
import type { ServiceHost } from "../../core/service.js";
import type { ResourceChange, ResourceChangeDetail } from "./api.generated.js";
import { resolveDynamic, sameDynamic } from "./dynamic.js";
import { type Engine, generatedName, handlerFailure, type Tables } from "./engine.js";
import { type ResourceRec, restoreStable, type StackRec } from "./state.js";
import { runTemplate } from "./source.js";
import { policyDenies } from "./policy.js";
import { type EvalContext, evaluate, type Template, waves } from "./template/index.js";
import { appliedStackTags, stackTagsChanged, taggedProperties, tagsChange } from "./tags.js";
import { replacementProperties, validateProperties } from "./types.js";
import { propertiesJson } from "./events.js";
import { actualProperties, reverted } from "./revert-drift.js";

const NESTED_STACK = "AWS::CloudFormation::Stack";

/**
 * An update as a diff: resources new to the template are created; changed ones are updated in place, or replaced
 * (the new one created now, the old deleted in the cleanup phase) when a changed property requires it (AWS's
 * resource specification) or the type has no in-place update; unchanged ones are left alone; those gone from
 * the template are deleted in the cleanup phase. Each change to an existing resource is first decided by the stack
 * policy (policy.ts). A failure rolls the update back, or with DisableRollback leaves it UPDATE_FAILED; a
 * CancelUpdateStack stops it before its next wave and rolls it back.
 */
export async function runUpdate(engine: Engine, t: Tables, s: StackRec): Promise<void> {
  const template = runTemplate(s);
  // Re-recorded as this update evaluates its template; a rollback puts the previous list back (an update resuming one
  // left UPDATE_FAILED keeps the last stable state's).
  if (s.previous && s.previous.imports === undefined) s.previous.imports = s.imports;
  s.imports = [];
  for (const { key, value: rec } of t.resources.list({ prefix: `${s.stackId}\u0000` })) {
    if (rec.pending === "removed") t.resources.put(key, { ...rec, pending: undefined });
  }
  const ctx = engine.host.context("cloudformation", "UpdateStack", engine.who(s));
  const failed: string[] = [];
  let created = false;
  let env: EvalContext;
  try {
    env = engine.env(t, s, template);
  } catch (e) {
    return failUpdate(engine, t, s, e instanceof Error ? e.message : String(e));
  }
  const wanted = (id: string) => !template.Resources[id].Condition || env.conditions?.[template.Resources[id].Condition!];
  for (const wave of waves(template)) {
    // CancelUpdateStack: what is under way finishes, nothing more starts, and the update rolls back.
    // "Stack update cancelled" is unverified wording.
    if (engine.cancelled.has(s.stackId)) return rollbackUpdate(engine, t, s, "Stack update cancelled");
    await Promise.all(
      wave.filter(wanted).map(async (id) => {
        const key = `${s.stackId}\u0000${id}`;
        const rec = t.resources.get(key);
        // New, or created by an update left UPDATE_FAILED whose create failed: created (again).
        if (!rec || rec.status === "DELETE_COMPLETE" || (rec.pending === "created" && !rec.physicalId)) {
          try {
            await engine.createResource(t, s, template, id, ctx);
            const made = t.resources.get(key)!;
            made.pending = "created";
            t.resources.put(key, made);
          } catch {
            created = true;
            failed.push(id);
            const made = t.resources.get(key);
            if (made) t.resources.put(key, { ...made, pending: "created" });
          }
          return;
        }
        if (!(await updateResource(engine, t, s, template, id, rec, ctx))) failed.push(id);
      }),
    );
    if (failed.length) break;
  }
  if (engine.cancelled.has(s.stackId)) return rollbackUpdate(engine, t, s, "Stack update cancelled");
  if (!failed.length) {
    // What the new template no longer has (or whose condition is now false) goes in the cleanup phase, if the stack
    // policy lets the update delete it.
    for (const { key, value: rec } of t.resources.list({ prefix: `${s.stackId}\u0000` })) {
      if (rec.status === "DELETE_COMPLETE") continue;
      if (template.Resources[rec.logicalId] && wanted(rec.logicalId)) continue;
      const denied = policyDenies(s.updatePolicy, "Update:Delete", rec.logicalId, rec.type);
      if (denied) {
        failed.push(rec.logicalId);
        t.resources.put(key, { ...rec, status: "UPDATE_FAILED", statusReason: denied, timestamp: engine.host.clock.now() });
        engine.event(t, s, { logicalId: rec.logicalId, physicalId: rec.physicalId, type: rec.type, status: "UPDATE_FAILED", reason: denied });
      } else t.resources.put(key, { ...rec, pending: "removed" });
    }
  }
  if (!failed.length) {
    try {
      s.outputs = engine.outputs(t, s, template);
    } catch (e) {
      return failUpdate(engine, t, s, e instanceof Error ? e.message : String(e));
    }
    // An export another stack imports may be neither removed nor changed.
    const before = new Map((s.previous?.outputs ?? []).filter((o) => o.ExportName).map((o) => [o.ExportName!, o.OutputValue]));
    const after = new Map(s.outputs.filter((o) => o.ExportName).map((o) => [o.ExportName!, o.OutputValue]));
    const gone = [...before.keys()].filter((n) => !after.has(n));
    const changed = [...before.keys()].filter((n) => after.has(n) && after.get(n) !== before.get(n));
    const blocked = engine.exportInUse(t, s, gone, "deleted") ?? engine.exportInUse(t, s, changed, "updated");
    if (blocked) return failUpdate(engine, t, s, blocked);
    s.lastUpdatedTime = engine.host.clock.now();
    engine.setStatus(t, s, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
    return finishUpdate(engine, t, s);
  }
  await failUpdate(engine, t, s, `The following resource(s) failed to ${created ? "create" : "update"}: [${failed.sort().join(", ")}]. `);
}

/** A failed update: rolled back, or with DisableRollback left as it is, UPDATE_FAILED (RollbackStack or an update takes it on). */
async function failUpdate(engine: Engine, t: Tables, s: StackRec, reason: string): Promise<void> {
  if (!s.disableRollback) return rollbackUpdate(engine, t, s, reason);
  engine.setStatus(t, s, "UPDATE_FAILED", reason);
}

/** One existing resource against the new template; false when it failed (its UPDATE_FAILED event is written). */
async function updateResource(
  engine: Engine,
  t: Tables,
  s: StackRec,
  template: Template,
  id: string,
  rec: ResourceRec,
  ctx: ReturnType<ServiceHost["context"]>,
): Promise<boolean> {
  const key = `${s.stackId}\u0000${id}`;
  const decl = template.Resources[id];
  const fail = (reason: string) => {
    t.resources.put(key, { ...t.resources.get(key)!, status: "UPDATE_FAILED", statusReason: reason, timestamp: engine.host.clock.now() });
    engine.event(t, s, { logicalId: id, physicalId: rec.physicalId, type: decl.Type, status: "UPDATE_FAILED", reason });
    return false;
  };
  let properties: Record<string, unknown>;
  let provider: ResourceProvider | undefined;
  try {
    properties = (evaluate(decl.Properties ?? {}, engine.env(t, s, template)) ?? {}) as Record<string, unknown>;
    properties = await resolveDynamic(properties, ctx, rec);
    provider = await engine.host.resourceProvider(decl.Type);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  rec.deletionPolicy = typeof decl.DeletionPolicy === "string" ? decl.DeletionPolicy : undefined;
  rec.updateReplacePolicy = typeof decl.UpdateReplacePolicy === "string" ? decl.UpdateReplacePolicy : undefined;
  // A drift-aware change set (revert-drift.ts) reverts, re-creates or only re-records what it found drifted.
  const reverting = s.reverting?.[id];
  if (reverting === "sync") {
    Object.assign(rec, { properties, status: "UPDATE_COMPLETE", statusReason: undefined, timestamp: engine.host.clock.now() });
    t.resources.put(key, rec);
    return true;
  }
  // A nested stack is updated with its parent even when its properties are the same: its template may have changed.
  if (
    !reverting &&
    decl.Type === rec.type &&
    isDeepStrictEqual(properties, rec.properties) &&
    decl.Type !== NESTED_STACK &&
    !stackTagsChanged(decl.Type, rec, s)
  ) {
    // Unchanged (one a failed update left UPDATE_FAILED is as it was before it).
    if (rec.status === "UPDATE_FAILED") Object.assign(rec, { status: "UPDATE_COMPLETE", statusReason: undefined });
    t.resources.put(key, rec);
    return true;
  }
  if (!provider) return fail(`Resource type ${decl.Type} is not supported by Stratus yet: no service here runs it.`);
  const checked = validateProperties(id, decl.Type, properties);
  if (checked.reason) return fail(checked.reason);
  const changed = [...new Set([...Object.keys(properties), ...Object.keys(rec.properties)])].filter(
    (k) => !isDeepStrictEqual(properties[k], rec.properties[k]),
  );
  const replaces =
    reverting === "recreate" ||
    decl.Type !== rec.type ||
    !provider.update ||
    (!provider.replacesItself && changed.some((k) => replacementProperties(decl.Type).includes(k)));
  const denied = policyDenies(s.updatePolicy, replaces ? "Update:Replace" : "Update:Modify", id, decl.Type);
  if (denied) return fail(denied);
  // A resource deleted outside the stack has no physical resource left to restore or clean up.
  const current = {
    physicalId: reverting === "recreate" ? undefined : rec.physicalId,
    properties: rec.properties,
    ref: rec.ref,
    attributes: rec.attributes,
    stackTags: rec.stackTags,
  };
  // A resource an update left UPDATE_FAILED already changed (DisableRollback) keeps what a rollback goes back to: its
  // last stable state, or nothing when that update created it. A physical resource only that update made and this
  // one replaces is deleted at once.
  const was = { pending: rec.pending, previous: rec.previous };
  const stable = (rec.pending === "updated" || rec.pending === "replaced") && rec.previous ? rec.previous : undefined;
  const previous = rec.pending === "created" ? undefined : (stable ?? current);
  const intermediate = replaces && (rec.pending === "created" || (rec.pending === "replaced" && stable)) ? current : undefined;
  // The provider is given the stack's tags with the template's (tags.ts); the record keeps the template's properties.
  const stackTags = appliedStackTags(decl.Type, s);
  const tagged = taggedProperties(s, { type: decl.Type, logicalId: id, stackTags }, properties);
  const base = { ctx, stackName: s.stackName, stackId: s.stackId, logicalId: id, type: decl.Type, properties: tagged };
  try {
    if (replaces) {
      engine.event(t, s, {
        logicalId: id,
        physicalId: rec.physicalId,
        type: decl.Type,
        status: "UPDATE_IN_PROGRESS",
        reason: "Requested update requires the creation of a new physical resource; hence creating one.",
        properties: propertiesJson(properties),
      });
      const out = await provider.create({ ...base, generateName: (max, opts) => generatedName(s.stackName, id, max, opts) });
      Object.assign(rec, {
        type: decl.Type,
        physicalId: out.physicalId,
        ref: out.ref,
        attributes: out.attributes,
        noEcho: out.noEcho,
        attributeError: out.attributeError,
        pending: was.pending === "created" ? "created" : "replaced",
      });
    } else {
      engine.event(t, s, { logicalId: id, physicalId: rec.physicalId, type: decl.Type, status: "UPDATE_IN_PROGRESS", properties: propertiesJson(properties) });
      // Reverting drift: the provider changes what the resource actually is (read now) to the template.
      const actual = reverting === "revert" ? await actualProperties(ctx, rec, properties) : undefined;
      const out = await provider.update!({
        ...base,
        physicalId: rec.physicalId!,
        previous: taggedProperties(s, rec, { ...rec.properties, ...actual }),
        generateName: () => rec.physicalId!,
      });
      // A provider that answers an update with a new physical id replaced the resource (a custom resource's
      // PhysicalResourceId): the old one is deleted in the cleanup phase, as a replacement's is.
      const pending = out.physicalId === rec.physicalId ? (was.pending ?? "updated") : was.pending === "created" ? "created" : "replaced";
      Object.assign(rec, {
        physicalId: out.physicalId,
        ref: out.ref,
        attributes: out.attributes,
        noEcho: out.noEcho,
        attributeError: out.attributeError,
        pending,
      });
    }
  } catch (e) {
    t.resources.put(key, was.pending ? { ...rec, ...was } : { ...rec, pending: replaces ? undefined : "updated", previous });
    return fail(handlerFailure(e, decl.Type.split("::")[1] ?? "Unknown"));
  }
  if (intermediate?.physicalId) await deletePhysical(engine, t, s, ctx, rec, intermediate.physicalId, intermediate.properties);
  Object.assign(rec, { properties, stackTags, previous, status: "UPDATE_COMPLETE", statusReason: undefined, timestamp: engine.host.clock.now() });
  t.resources.put(key, rec);
  engine.event(t, s, { logicalId: id, physicalId: rec.physicalId, type: decl.Type, status: "UPDATE_COMPLETE" });
  return true;
}

/**
 * What running `s` (a stack record carrying the new template and parameters) as an update would do to each
 * resource: a change set's Changes. Properties that cannot be evaluated yet (they read a resource the same update
 * changes) make the change Conditional, as AWS reports it.
 */
export function planChanges(engine: Engine, t: Tables, s: StackRec): ResourceChange[] {
  const template = runTemplate(s);
  const env = engine.env(t, s, template);
  const wanted = (id: string) => !template.Resources[id].Condition || env.conditions?.[template.Resources[id].Condition!];
  const existing = new Map(
    t.resources
      .list({ prefix: `${s.stackId}\u0000` })
      .filter((e) => e.value.status !== "DELETE_COMPLETE")
      .map((e) => [e.value.logicalId, e.value]),
  );
  const out: ResourceChange[] = [];
  for (const [id, decl] of Object.entries(template.Resources)) {
    if (!wanted(id)) continue;
    const rec = existing.get(id);
    if (!rec) {
      out.push({ Action: "Add", LogicalResourceId: id, ResourceType: decl.Type, Scope: [], Details: [] });
      continue;
    }
    const modify = (replacement: "True" | "False" | "Conditional", details: ResourceChange["Details"] = []) =>
      out.push({
        Action: "Modify",
        LogicalResourceId: id,
        PhysicalResourceId: rec.physicalId,
        ResourceType: decl.Type,
        Replacement: replacement,
        Scope: [...new Set(details.flatMap((d) => (d.Target?.Attribute ? [d.Target.Attribute] : [])))],
        Details: details,
      });
    if (decl.Type !== rec.type) {
      modify("True");
      continue;
    }
    let properties: Record<string, unknown>;
    try {
      properties = sameDynamic((evaluate(decl.Properties ?? {}, env) ?? {}) as Record<string, unknown>, rec);
    } catch {
      modify("Conditional");
      continue;
    }
    const changed = [...new Set([...Object.keys(properties), ...Object.keys(rec.properties)])].filter(
      (k) => !isDeepStrictEqual(properties[k], rec.properties[k]),
    );
    const tags = tagsChange(decl.Type, rec, s);
    // AWS's ResourceChangeDetail: a nested stack is updated with its parent whatever else changed, ChangeSource
    // "Automatic", "because the nested stack's template might have changed".
    const automatic: ResourceChangeDetail[] = decl.Type === NESTED_STACK ? [{ Evaluation: "Dynamic", ChangeSource: "Automatic" }] : [];
    if (!changed.length && !tags) {
      if (automatic.length) modify("False", automatic);
      continue;
    }
    const recreate = new Set(replacementProperties(decl.Type));
    modify(changed.some((k) => recreate.has(k)) ? "True" : "False", [
      ...changed.map(
        (k): ResourceChangeDetail => ({
          Target: { Attribute: "Properties", Name: k, RequiresRecreation: recreate.has(k) ? "Always" : "Never" },
          Evaluation: "Static",
          ChangeSource: "DirectModification",
        }),
      ),
      ...(tags ? [tags] : []),
      ...automatic,
    ]);
  }
  for (const [id, rec] of existing) {
    if (!template.Resources[id] || !wanted(id)) {
      out.push({ Action: "Remove", LogicalResourceId: id, PhysicalResourceId: rec.physicalId, ResourceType: rec.type, Scope: [], Details: [] });
    }
  }
  return out;
}

/** The cleanup phase: replaced resources' old physical resources and removed resources are deleted. */
export async function finishUpdate(engine: Engine, t: Tables, s: StackRec): Promise<void> {
  const ctx = engine.host.context("cloudformation", "UpdateStack", engine.who(s));
  for (const { key, value: rec } of t.resources.list({ prefix: `${s.stackId}\u0000` }).reverse()) {
    if (rec.pending === "replaced" && rec.previous?.physicalId) {
      // UpdateReplacePolicy: Retain keeps the old physical resource (out of the stack); Snapshot is refused up front.
      if (rec.updateReplacePolicy === "Retain")
        engine.event(t, s, { logicalId: rec.logicalId, physicalId: rec.previous.physicalId, type: rec.type, status: "DELETE_SKIPPED" });
      else await deletePhysical(engine, t, s, ctx, rec, rec.previous.physicalId, rec.previous.properties);
    } else if (rec.pending === "removed" && rec.physicalId) {
      if (engine.keeps(s, rec, false)) engine.event(t, s, { logicalId: rec.logicalId, physicalId: rec.physicalId, type: rec.type, status: "DELETE_SKIPPED" });
      else await deletePhysical(engine, t, s, ctx, rec, rec.physicalId, rec.properties);
      t.resources.delete(key);
      continue;
    }
    const now = t.resources.get(key);
    if (now && (now.pending || now.previous)) t.resources.put(key, { ...now, pending: undefined, previous: undefined });
  }
  if (s.reverting) reverted(t, s, Object.keys(s.reverting), engine.host.clock.now());
  Object.assign(s, { previous: undefined, updatePolicy: undefined, retainExceptOnCreate: undefined, reverting: undefined });
  engine.setStatus(t, s, "UPDATE_COMPLETE");
}

/** Restores what the update changed, then deletes what it created (its own cleanup phase). */
export async function rollbackUpdate(engine: Engine, t: Tables, s: StackRec, reason: string): Promise<void> {
  if (s.status !== "UPDATE_ROLLBACK_IN_PROGRESS") engine.setStatus(t, s, "UPDATE_ROLLBACK_IN_PROGRESS", reason);
  const ctx = engine.host.context("cloudformation", "UpdateStack", engine.who(s));
  let ok = true;
  for (const { key, value: rec } of t.resources.list({ prefix: `${s.stackId}\u0000` }).reverse()) {
    if ((rec.pending !== "updated" && rec.pending !== "replaced") || !rec.previous) continue;
    engine.event(t, s, { logicalId: rec.logicalId, physicalId: rec.previous.physicalId, type: rec.type, status: "UPDATE_IN_PROGRESS" });
    try {
      if (rec.pending === "updated") {
        const provider = await engine.host.resourceProvider(rec.type);
        await provider?.update?.({
          ctx,
          stackName: s.stackName,
          stackId: s.stackId,
          logicalId: rec.logicalId,
          type: rec.type,
          physicalId: rec.previous.physicalId!,
          properties: taggedProperties(s, { ...rec, stackTags: rec.previous.stackTags }, rec.previous.properties),
          previous: taggedProperties(s, rec, rec.properties),
          generateName: () => rec.previous!.physicalId!,
        });
      }
      // A replacement keeps its new physical resource to delete in the cleanup below.
      const replacement = rec.pending === "replaced" ? { physicalId: rec.physicalId, properties: rec.properties, stackTags: rec.stackTags } : undefined;
      Object.assign(rec, {
        physicalId: rec.previous.physicalId,
        properties: rec.previous.properties,
        stackTags: rec.previous.stackTags,
        ref: rec.previous.ref,
        attributes: rec.previous.attributes,
        previous: replacement,
        pending: replacement ? "replaced" : undefined,
        status: "UPDATE_COMPLETE",
        statusReason: undefined,
      });
      t.resources.put(key, rec);
      engine.event(t, s, { logicalId: rec.logicalId, physicalId: rec.physicalId, type: rec.type, status: "UPDATE_COMPLETE" });
    } catch (e) {
      ok = false;
      const why = handlerFailure(e, rec.type.split("::")[1] ?? "Unknown");
      t.resources.put(key, { ...rec, status: "UPDATE_FAILED", statusReason: why });
      engine.event(t, s, { logicalId: rec.logicalId, physicalId: rec.previous.physicalId, type: rec.type, status: "UPDATE_FAILED", reason: why });
    }
  }
  restoreStable(s);
  if (!ok) return engine.setStatus(t, s, "UPDATE_ROLLBACK_FAILED", "The following resource(s) failed to roll back: see the stack's events.");
  engine.setStatus(t, s, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS");
  await finishRollback(engine, t, s);
}

/** The rollback's cleanup: what the update created, and the replacements it made, are deleted. */
export async function finishRollback(engine: Engine, t: Tables, s: StackRec): Promise<void> {
  const ctx = engine.host.context("cloudformation", "UpdateStack", engine.who(s));
  for (const { key, value: rec } of t.resources.list({ prefix: `${s.stackId}\u0000` }).reverse()) {
    // A resource the update was still creating when the server was killed has no mark yet: the last stable state
    // has none that is not complete, so it is this update's too.
    const interrupted = !rec.pending && !rec.previous && (rec.status === "CREATE_IN_PROGRESS" || rec.status === "CREATE_FAILED");
    if (rec.pending === "created" || interrupted) {
      // The rollback of the operation that created it: RetainExceptOnCreate deletes it, Retain keeps it.
      if (rec.physicalId && engine.keeps(s, rec, true))
        engine.event(t, s, { logicalId: rec.logicalId, physicalId: rec.physicalId, type: rec.type, status: "DELETE_SKIPPED" });
      else if (rec.physicalId) await deletePhysical(engine, t, s, ctx, rec, rec.physicalId, rec.properties);
      t.resources.delete(key);
    } else if (rec.pending === "replaced" && rec.previous?.physicalId) {
      await deletePhysical(engine, t, s, ctx, rec, rec.previous.physicalId, rec.previous.properties);
      t.resources.put(key, { ...rec, pending: undefined, previous: undefined });
    } else if (rec.pending || rec.previous) t.resources.put(key, { ...rec, pending: undefined, previous: undefined });
  }
  Object.assign(s, { previous: undefined, updatePolicy: undefined, retainExceptOnCreate: undefined, reverting: undefined });
  engine.setStatus(t, s, "UPDATE_ROLLBACK_COMPLETE");
}

/** Deletes one physical resource during an update's cleanup, with its events; a failure is logged, not fatal. */
async function deletePhysical(
  engine: Engine,
  t: Tables,
  s: StackRec,
  ctx: ReturnType<ServiceHost["context"]>,
  rec: ResourceRec,
  physicalId: string,
  properties: Record<string, unknown>,
): Promise<void> {
  engine.event(t, s, { logicalId: rec.logicalId, physicalId, type: rec.type, status: "DELETE_IN_PROGRESS" });
  try {
    const provider = await engine.host.resourceProvider(rec.type);
    await provider?.delete({
      ctx,
      stackName: s.stackName,
      stackId: s.stackId,
      logicalId: rec.logicalId,
      type: rec.type,
      physicalId,
      properties,
      generateName: () => physicalId,
    });
    engine.event(t, s, { logicalId: rec.logicalId, physicalId, type: rec.type, status: "DELETE_COMPLETE" });
  } catch (e) {
    // AWS leaves a resource it could not clean up and completes the update; the event says so.
    engine.event(t, s, {
      logicalId: rec.logicalId,
      physicalId,
      type: rec.type,
      status: "DELETE_FAILED",
      reason: handlerFailure(e, rec.type.split("::")[1] ?? "Unknown"),
    });
  }
}
