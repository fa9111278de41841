// Resource import (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html): existing
// resources brought under a stack's management without being created. An IMPORT change set names them
// (ResourcesToImport: type, logical id, and the type's primary identifier — typeSchema(type).id — as a map); a CREATE
// or UPDATE change set with ImportExistingResources finds them itself (a template resource whose primary identifier
// the template sets to a literal and that exists). CreateChangeSet validates them here with AWS's wording; executing
// an IMPORT change set runs `runImport` (IMPORT_IN_PROGRESS → IMPORT_COMPLETE, or IMPORT_ROLLBACK_* on failure), and a
// create or update imports its found resources through `importResource`, the engine's hook in createResource. An
// import reads the resource through its provider's `read` (core/resources.ts): a type without one cannot be imported.
import type { HandlerContext } from "../../core/context.js";
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { ServiceHost } from "../../core/service.js";
import type { ResourceChange, ResourceToImport } from "./api.generated.js";
import { type Engine, handlerFailure, type Tables } from "./engine.js";
import { runTemplate } from "./source.js";
import { type ImportRec, type ResourceRec, restoreStable, type StackRec } from "./state.js";
import { evaluate, type Template, waves } from "./template/index.js";
import { readOnlyProperties, typeSchema, validateProperties } from "./types.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

/**
 * An IMPORT change set's StatusReason once it is created, as AWS answers DescribeChangeSet for one (recorded in
 * aws-cloudformation/rain pull request 646's output).
 */
export const IMPORT_CHANGE_SET_REASON =
  "Verify that resources and their properties defined in the template match the intended configuration of the resource import to avoid unexpected changes.";

/** A resource's physical id from its primary identifier's values: one value, or several joined with "|" (Cloud Control's form). */
const physicalIdOf = (keys: string[], identifier: Record<string, string>) => keys.map((k) => identifier[k]).join("|");

/** The resource a change imports, as DescribeChangeSet shows it. */
const importChange = (i: ImportRec): ResourceChange => ({
  Action: "Import",
  LogicalResourceId: i.logicalId,
  PhysicalResourceId: i.physicalId,
  ResourceType: i.type,
  Scope: [],
  Details: [],
});

/** The stack (live, in this account and region) whose resources already hold this physical resource, if one does. */
function owner(t: Tables, type: string, physicalId: string, except?: string): StackRec | undefined {
  for (const { value: s } of t.stacks.list()) {
    if (s.status === "DELETE_COMPLETE" || s.stackId === except) continue;
    const held = t.resources
      .list({ prefix: `${s.stackId}\u0000` })
      .some((e) => e.value.type === type && e.value.physicalId === physicalId && e.value.status !== "DELETE_COMPLETE");
    if (held) return s;
  }
  return undefined;
}

/** A resource's properties as the template sets them, or undefined when they read what does not exist yet. */
function propertiesOf(engine: Engine, t: Tables, s: StackRec, template: Template, id: string): Record<string, unknown> | undefined {
  try {
    return (evaluate(template.Resources[id].Properties ?? {}, engine.env(t, s, template)) ?? {}) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * An IMPORT change set's plan: the validations CreateChangeSet makes (each a ValidationError, AWS's wording where it
 * is known) and the changes it shows — one "Import" per resource. `s` is the stack with the change set's template and
 * parameters (not stored: a refused change set leaves no stack behind); `changes` what the template changes besides.
 */
export async function planImport(
  ctx: HandlerContext,
  engine: Engine,
  t: Tables,
  s: StackRec,
  template: Template,
  previous: Template | undefined,
  toImport: ResourceToImport[] | undefined,
  changes: ResourceChange[],
): Promise<{ imports: ImportRec[]; changes: ResourceChange[] }> {
  if (!toImport?.length) throw validation("ResourcesToImport must be specified for a change set of type IMPORT."); // unverified wording
  const missing = toImport.filter((r) => !template.Resources[r.LogicalResourceId]).map((r) => r.LogicalResourceId);
  // AWS's wording as the console and API show it (aws-samples/guardduty-malware-protection issue 9).
  if (missing.length) throw validation(`The logical resource ids [${missing.join(", ")}] provided in ResourceToImport do not exist in the template.`);
  const mistyped = toImport.filter((r) => template.Resources[r.LogicalResourceId].Type !== r.ResourceType).map((r) => r.LogicalResourceId);
  if (mistyped.length) {
    throw validation(`The ResourceType of the resources to import [${mistyped.join(", ")}] does not match the template.`); // unverified wording
  }
  // A type can be imported when Stratus can read it (its provider's `read`) and knows its primary identifier.
  const unsupported: string[] = [];
  for (const type of new Set(toImport.map((r) => r.ResourceType))) {
    const provider = await engine.host.resourceProvider(type);
    if (!provider?.read || !typeSchema(type)?.id.length) unsupported.push(type);
  }
  // AWS's wording (aws-cloudformation/cloudformation-coverage-roadmap issues 1442 and 2339).
  if (unsupported.length) throw validation(`ResourceTypes [${unsupported.join(", ")}] are not supported for Import`);
  const unprotected = toImport.filter((r) => typeof template.Resources[r.LogicalResourceId].DeletionPolicy !== "string").map((r) => r.LogicalResourceId);
  // AWS's wording (awsdocs/elastic-beanstalk-samples issue 168, aws-quickstart/quickstart-awx issue 38).
  if (unprotected.length) {
    throw validation(`The following resources to import [${unprotected.join(", ")}] must have DeletionPolicy attribute specified in the template.`);
  }
  // An import only adds the resources it imports: nothing else in the template may change, its Outputs included
  // (AWS's "As part of the import operation, you cannot modify or add [Outputs]", awslabs/aws-security-assessment-solution
  // issue 6; the same sentence naming resources is unverified wording).
  const importing = new Set(toImport.map((r) => r.LogicalResourceId));
  const other = changes.filter((c) => !(c.Action === "Add" && importing.has(c.LogicalResourceId!))).map((c) => c.LogicalResourceId!);
  if (JSON.stringify(template.Outputs ?? {}) !== JSON.stringify(previous?.Outputs ?? {})) other.push("Outputs");
  if (other.length) throw validation(`As part of the import operation, you cannot modify or add [${other.join(", ")}]`);
  const imports: ImportRec[] = [];
  for (const r of toImport) {
    const keys = typeSchema(r.ResourceType)!.id;
    const given = Object.keys(r.ResourceIdentifier ?? {});
    if (given.length !== keys.length || !keys.every((k) => typeof r.ResourceIdentifier[k] === "string")) {
      throw validation(
        `Invalid ResourceIdentifier for resource [${r.LogicalResourceId}] of type ${r.ResourceType}: expected the properties [${keys.join(", ")}]`, // unverified wording
      );
    }
    // Where the template sets an identifier property, it must be the resource being imported.
    const properties = propertiesOf(engine, t, s, template, r.LogicalResourceId);
    const differs = keys.filter((k) => properties?.[k] !== undefined && String(properties[k]) !== r.ResourceIdentifier[k]);
    if (differs.length) {
      throw validation(
        `The values of the identifier properties [${differs.join(", ")}] of resource [${r.LogicalResourceId}] in ResourceToImport do not match the template.`, // unverified wording
      );
    }
    const physicalId = physicalIdOf(keys, r.ResourceIdentifier);
    const provider = (await engine.host.resourceProvider(r.ResourceType))!;
    // The resource handler's NotFound wording (cloudformation-cli's exceptions/CfnNotFoundException), as Cloud Control
    // answers it; as CreateChangeSet's error, unverified.
    if (!(await provider.read!({ ctx, physicalId }))) {
      throw validation(`Resource of type '${r.ResourceType}' with identifier '${physicalId}' was not found.`);
    }
    // AWS's wording for a physical resource another stack holds ("<id> already exists in stack <stack ARN>").
    const held = owner(t, r.ResourceType, physicalId);
    if (held) throw validation(`${physicalId} already exists in stack ${held.stackId}`);
    if (imports.some((i) => i.type === r.ResourceType && i.physicalId === physicalId)) {
      throw validation(`The resource ${physicalId} is imported more than once.`); // unverified wording
    }
    imports.push({ logicalId: r.LogicalResourceId, type: r.ResourceType, physicalId });
  }
  return { imports, changes: imports.map(importChange) };
}

/**
 * ImportExistingResources on a CREATE or UPDATE change set: which resources the template adds that already exist, as
 * AWS documents it (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/import-resources-automatically.html):
 * a type that supports import whose primary identifier the template sets to a literal ("Dynamic names … are not
 * currently supported"; "Primary IDs with read only properties aren't supported" — a queue, identified by its URL, is
 * created, not imported), held by no other stack. Each must have a DeletionPolicy of Retain or RetainExceptOnCreate,
 * else the change set fails with `failure`. `changes` come back with those resources' Action "Import".
 */
export async function planExistingImports(
  ctx: HandlerContext,
  engine: Engine,
  t: Tables,
  s: StackRec,
  template: Template,
  changes: ResourceChange[],
): Promise<{ imports: ImportRec[]; changes: ResourceChange[]; failure?: string }> {
  const imports: ImportRec[] = [];
  const unprotected: string[] = [];
  for (const c of changes) {
    if (c.Action !== "Add") continue;
    const id = c.LogicalResourceId!;
    const decl = template.Resources[id];
    const keys = typeSchema(decl.Type)?.id ?? [];
    const readOnly = new Set(readOnlyProperties(decl.Type));
    const raw = (decl.Properties ?? {}) as Record<string, unknown>;
    if (!keys.length || keys.some((k) => readOnly.has(k) || typeof raw[k] !== "string")) continue;
    const provider = await engine.host.resourceProvider(decl.Type);
    if (!provider?.read) continue;
    const identifier = Object.fromEntries(keys.map((k) => [k, raw[k] as string]));
    const physicalId = physicalIdOf(keys, identifier);
    if (!(await provider.read({ ctx, physicalId })) || owner(t, decl.Type, physicalId, s.stackId)) continue;
    if (decl.DeletionPolicy !== "Retain" && decl.DeletionPolicy !== "RetainExceptOnCreate") {
      unprotected.push(`${id} ({${keys.map((k) => `${k}=${identifier[k]}`).join(", ")}})`);
      continue;
    }
    imports.push({ logicalId: id, type: decl.Type, physicalId });
  }
  // AWS's StatusReason (as aws/aws-cdk-cli pull request 1367 quotes it); the separator between several is unverified.
  const failure = unprotected.length
    ? `CloudFormation is attempting to import some resources because they already exist in your account. The resources must have the DeletionPolicy attribute set to 'Retain' or 'RetainExceptOnCreate' in the template for successful import. The affected resources are ${unprotected.join(", ")}`
    : undefined;
  const found = new Map(imports.map((i) => [i.logicalId, i]));
  return { imports, failure, changes: changes.map((c) => (found.has(c.LogicalResourceId!) ? importChange(found.get(c.LogicalResourceId!)!) : c)) };
}

/**
 * Imports one resource into the stack: its IMPORT_IN_PROGRESS and IMPORT_COMPLETE events, its record with the
 * template's properties (what later updates diff against), Ref as its physical id (the primary identifier, which is
 * what Ref returns for every type that can be imported here) and Fn::GetAtt's values from the provider's read. A
 * resource no longer there, or whose template properties are invalid, fails (IMPORT_FAILED) and this throws.
 */
export async function importResource(
  engine: Engine,
  t: Tables,
  s: StackRec,
  template: Template,
  id: string,
  physicalId: string,
  ctx: ReturnType<ServiceHost["context"]>,
): Promise<void> {
  const decl = template.Resources[id];
  const key = `${s.stackId}\u0000${id}`;
  const rec: ResourceRec = {
    logicalId: id,
    type: decl.Type,
    physicalId,
    status: "IMPORT_IN_PROGRESS",
    timestamp: engine.host.clock.now(),
    properties: {},
    deletionPolicy: typeof decl.DeletionPolicy === "string" ? decl.DeletionPolicy : undefined,
    updateReplacePolicy: typeof decl.UpdateReplacePolicy === "string" ? decl.UpdateReplacePolicy : undefined,
    imported: true,
  };
  t.resources.put(key, rec);
  engine.event(t, s, { logicalId: id, physicalId, type: decl.Type, status: "IMPORT_IN_PROGRESS" });
  const fail = (reason: string): never => {
    Object.assign(rec, { status: "IMPORT_FAILED", statusReason: reason, timestamp: engine.host.clock.now() });
    t.resources.put(key, rec);
    engine.event(t, s, { logicalId: id, physicalId, type: decl.Type, status: "IMPORT_FAILED", reason });
    throw new Error(reason);
  };
  let model: Record<string, unknown> | undefined;
  let problem: string | undefined;
  try {
    rec.properties = (evaluate(decl.Properties ?? {}, engine.env(t, s, template)) ?? {}) as Record<string, unknown>;
    problem = validateProperties(id, decl.Type, rec.properties).reason;
    const provider = problem ? undefined : await engine.host.resourceProvider(decl.Type);
    if (!problem && !provider?.read) problem = `ResourceTypes [${decl.Type}] are not supported for Import`;
    if (!problem) model = await provider!.read!({ ctx, physicalId });
  } catch (e) {
    problem = isServiceError(e) || !(e instanceof Error) ? handlerFailure(e, decl.Type.split("::")[1] ?? "Unknown") : e.message;
  }
  if (problem) return fail(problem);
  // The handler's NotFound, as a create's failure reads (engine.ts handlerFailure's form).
  if (!model) return fail(`Resource of type '${decl.Type}' with identifier '${physicalId}' was not found.`);
  const attributes: Record<string, unknown> = {};
  for (const name of Object.keys(typeSchema(decl.Type)?.attrs ?? {})) {
    let v: unknown = model;
    for (const part of name.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
    if (v !== undefined) attributes[name] = v;
  }
  Object.assign(rec, { ref: physicalId, attributes, status: "IMPORT_COMPLETE", statusReason: undefined, timestamp: engine.host.clock.now() });
  t.resources.put(key, rec);
  engine.event(t, s, { logicalId: id, physicalId, type: decl.Type, status: "IMPORT_COMPLETE" });
}

/** An IMPORT change set's execution: its resources imported in dependency order, then the outputs; IMPORT_COMPLETE. */
export async function runImport(engine: Engine, t: Tables, s: StackRec): Promise<void> {
  const template = runTemplate(s);
  const ctx = engine.host.context("cloudformation", "ExecuteChangeSet", engine.who(s));
  const importing = new Map((s.importing ?? []).map((i) => [i.logicalId, i]));
  s.imports = [];
  const failed: string[] = [];
  for (const wave of waves(template)) {
    const mine = wave.filter((id) => importing.has(id));
    await Promise.all(mine.map((id) => importResource(engine, t, s, template, id, importing.get(id)!.physicalId, ctx).catch(() => failed.push(id))));
    if (failed.length) break;
  }
  let reason = `The following resource(s) failed to import: [${failed.sort().join(", ")}]. `; // unverified wording, as a create's reads
  if (!failed.length) {
    try {
      s.outputs = engine.outputs(t, s, template);
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
      failed.push("Outputs");
    }
  }
  if (failed.length) return rollbackImport(engine, t, s, reason);
  if (s.previous?.templateBody) s.lastUpdatedTime = engine.host.clock.now();
  Object.assign(s, { importing: undefined, previous: undefined });
  engine.setStatus(t, s, "IMPORT_COMPLETE");
}

/**
 * A failed (or interrupted) import rolls back: the resources it imported leave the stack — never deleted, they were
 * not the stack's — and the previous template, parameters and outputs come back; IMPORT_ROLLBACK_COMPLETE.
 */
export async function rollbackImport(engine: Engine, t: Tables, s: StackRec, reason: string): Promise<void> {
  if (s.status !== "IMPORT_ROLLBACK_IN_PROGRESS") engine.setStatus(t, s, "IMPORT_ROLLBACK_IN_PROGRESS", reason);
  for (const i of s.importing ?? []) {
    const key = `${s.stackId}\u0000${i.logicalId}`;
    const rec = t.resources.get(key);
    if (!rec?.imported) continue;
    t.resources.delete(key);
    engine.event(t, s, { logicalId: i.logicalId, physicalId: i.physicalId, type: i.type, status: "IMPORT_ROLLBACK_COMPLETE" });
  }
  restoreStable(s);
  Object.assign(s, { importing: undefined, previous: undefined });
  engine.setStatus(t, s, "IMPORT_ROLLBACK_COMPLETE");
}

/**
 * CreateChangeSet's hook: an IMPORT change set's plan (`planImport`, with its StatusReason) or ImportExistingResources'
 * (`planExistingImports`); otherwise the changes as they are. `previous` is the stack's current template, if any.
 */
export async function changeSetImports(
  ctx: HandlerContext,
  engine: Engine,
  t: Tables,
  input: { ChangeSetType?: string; ResourcesToImport?: ResourceToImport[]; ImportExistingResources?: boolean },
  s: StackRec,
  template: Template,
  previous: Template | undefined,
  changes: ResourceChange[],
): Promise<{ changes: ResourceChange[]; imports?: ImportRec[]; failure?: string; reason?: string }> {
  if (input.ChangeSetType === "IMPORT") {
    return { ...(await planImport(ctx, engine, t, s, template, previous, input.ResourcesToImport, changes)), reason: IMPORT_CHANGE_SET_REASON };
  }
  if (input.ImportExistingResources) return planExistingImports(ctx, engine, t, s, template, changes);
  return { changes };
}
