// Change sets for nested stacks (CreateChangeSet's IncludeNestedStacks; AWS CloudFormation User Guide, "Change sets
// for nested stacks"): each nested stack the root change set modifies gets its own change set, on the child stack,
// against the child's new template (its TemplateURL) and the parameters the parent would pass, recursively. The
// parent's ResourceChange carries the child change set's id; a child's ParentChangeSetId / RootChangeSetId name its
// place in the hierarchy. Only the root is executed or deleted: executing it updates the tree as UpdateStack does.
import type { HandlerContext } from "../../core/context.js";
import { prepareParameters } from "./preflight.js";
import { uuid4 } from "../../core/ids.js";
import { regionalArn } from "../../core/arn.js";
import type { ResourceChange } from "./api.generated.js";
import type { Engine, Tables } from "./engine.js";
import { planChanges } from "./update.js";
import { templateOf } from "./source.js";
import { checkCapabilities } from "./stacks.js";
import type { ChangeSetRec, StackRec } from "./state.js";
import { evaluate, type Template } from "./template/index.js";

const NESTED_STACK = "AWS::CloudFormation::Stack";

/** AWS's reason on a root change set whose nested change set failed (users' reports of AWS's answer; unverified wording). */
const nestedFailed = (id: string) => `Nested change set ${id} was not successfully created: Currently in FAILED.`;

export interface NestedPlan {
  /** The nested change sets to store with the root, depth first. */
  records: ChangeSetRec[];
  /** Set when one of them failed: the parent's reason. */
  failure?: string;
}

/**
 * The nested change sets of one change set: `proposed` is its stack with the new template and parameters, `changes`
 * its planned changes (each nested stack's one gets its `ChangeSetId`), `self` its id, `root` the root's.
 */
export async function nestedChangeSets(
  ctx: HandlerContext,
  engine: Engine,
  t: Tables,
  at: { proposed: StackRec; template: Template; changes: ResourceChange[]; name: string; self: string; root: string; capabilities: string[] },
): Promise<NestedPlan> {
  const out: NestedPlan = { records: [] };
  const env = engine.env(t, at.proposed, at.template);
  for (const change of at.changes) {
    if (change.ResourceType !== NESTED_STACK || change.Action !== "Modify" || !change.PhysicalResourceId) continue;
    const child = t.stacks.get(change.PhysicalResourceId);
    const decl = at.template.Resources[change.LogicalResourceId!];
    if (!child || !decl) continue;
    // What the parent would pass: each property that can be evaluated now; a parameter that reads what the same
    // update changes keeps the child's current value.
    const props = (decl.Properties ?? {}) as Record<string, unknown>;
    const tryEval = (v: unknown) => {
      try {
        return { value: evaluate(v, env) };
      } catch {
        return undefined;
      }
    };
    const url = tryEval(props.TemplateURL)?.value;
    const given = (tryEval(props.Parameters)?.value ?? undefined) as Record<string, unknown> | undefined;
    const rawParams = (props.Parameters ?? {}) as Record<string, unknown>;
    const parameters = Object.keys(rawParams).map((k) => {
      const v = given ? given[k] : tryEval(rawParams[k])?.value;
      if (v === undefined) return { ParameterKey: k, UsePreviousValue: true };
      return { ParameterKey: k, ParameterValue: Array.isArray(v) ? v.join(",") : String(v) };
    });
    // AWS's nested change set names: `<root change set>-<logical id>-<random>` (unverified).
    const name = `${at.name}-${change.LogicalResourceId}-${uuid4().replace(/-/g, "").slice(0, 12).toUpperCase()}`.slice(0, 128);
    const changeSetId = regionalArn(ctx, "cloudformation", `changeSet/${name}/${uuid4()}`);
    change.ChangeSetId = changeSetId;
    const base: ChangeSetRec = {
      changeSetId,
      name,
      stackId: child.stackId,
      stackName: child.stackName,
      type: "UPDATE",
      status: "CREATE_COMPLETE",
      executionStatus: "AVAILABLE",
      creationTime: ctx.now(),
      templateBody: child.templateBody,
      processedBody: child.processedBody,
      parameters: child.parameters,
      capabilities: at.capabilities,
      tags: child.tags,
      notificationArns: child.notificationArns,
      changes: [],
      includeNestedStacks: true,
      parentChangeSetId: at.self,
      rootChangeSetId: at.root,
    };
    try {
      if (typeof url !== "string") throw new Error(`Template URL of nested stack ${change.LogicalResourceId} could not be evaluated`); // unverified wording
      const source = await templateOf({ TemplateURL: url, Parameters: parameters.filter((p) => p.ParameterValue !== undefined) }, ctx);
      const template = source.template;
      if (!template) throw new Error(`Template of nested stack ${change.LogicalResourceId} could not be read`); // unverified wording
      // The root's capabilities are the tree's (nested.ts passes the parent's to each child).
      checkCapabilities(template, at.capabilities);
      const resolved = await prepareParameters(template, parameters, child.parameters, ctx, child.stackName);
      const proposed: StackRec = { ...child, templateBody: source.body, processedBody: source.processedBody, parameters: resolved };
      const changes = planChanges(engine, t, proposed);
      Object.assign(base, { templateBody: source.body, processedBody: source.processedBody, parameters: resolved, changes });
      const deeper = await nestedChangeSets(ctx, engine, t, { ...at, proposed, template, changes, self: changeSetId });
      out.records.push(base, ...deeper.records);
      if (deeper.failure) Object.assign(base, { status: "FAILED", executionStatus: "UNAVAILABLE", statusReason: deeper.failure });
    } catch (e) {
      Object.assign(base, { status: "FAILED", executionStatus: "UNAVAILABLE", statusReason: e instanceof Error ? e.message : String(e) });
      out.records.push(base);
    }
    if (base.status === "FAILED") out.failure ??= nestedFailed(changeSetId);
  }
  return out;
}

/** The change sets of a root's hierarchy (itself excluded). */
export function descendants(t: Tables, rootId: string): ChangeSetRec[] {
  return t.changeSets
    .list()
    .map((e) => e.value)
    .filter((c) => c.rootChangeSetId === rootId && c.changeSetId !== rootId);
}
