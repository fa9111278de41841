// Change sets: what an update (or a create) would do, reviewed before it runs — what `aws cloudformation deploy`
// and the CDK use. A CREATE change set makes the stack in REVIEW_IN_PROGRESS, as AWS does; executing one runs the
// engine's create or update with the change set's template and parameters. A drift-aware one (DeploymentMode
// REVERT_DRIFT) also compares with what the stack's resources actually are (revert-drift.ts).
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import { regionalArn } from "../../core/arn.js";
import type { CloudformationApi } from "./api.generated.js";
import { AlreadyExistsException, ChangeSetNotFoundException, InvalidChangeSetStatusException } from "./api.generated.js";
import type { Engine } from "./engine.js";
import { planChanges } from "./update.js";
import { planRevertDrift } from "./revert-drift.js";
import { changeSetImports } from "./import.js";
import { runTemplate, templateOf } from "./source.js";
import { checkCapabilities, parametersOut, UPDATABLE } from "./stacks.js";
import { prepareParameters } from "./preflight.js";
import { cfnState, stableState, type ChangeSetRec, type StackRec } from "./state.js";
import type { Template } from "./template/index.js";
import { TransformFailure } from "./transforms/index.js";
import { remember, retried } from "./tokens.js";
import { pageByKey } from "../../core/paging.js";
import { descendants, nestedChangeSets, type NestedPlan } from "./nested-changesets.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

/** AWS's reason for a change set that changes nothing (the AWS CLI's deploy reads it to say "No changes to deploy"). */
const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set.";

function findChangeSet(ctx: HandlerContext, nameOrId: string, stackName?: string): ChangeSetRec {
  const t = cfnState.of(ctx);
  if (nameOrId.startsWith("arn:")) {
    const c = t.changeSets.get(nameOrId);
    if (c) return c;
  } else {
    if (!stackName) throw validation("StackName must be specified if ChangeSetName is not specified as an ARN.");
    const stackId = stackName.startsWith("arn:") ? stackName : t.names.get(stackName);
    const c = t.changeSets
      .list()
      .map((e) => e.value)
      .find((x) => x.name === nameOrId && x.stackId === stackId);
    if (c) return c;
  }
  throw new ChangeSetNotFoundException(`ChangeSet [${nameOrId}] does not exist`);
}

export const changeSets = {
  async createChangeSet(input, ctx) {
    const t = cfnState.of(ctx);
    const type = input.ChangeSetType ?? "UPDATE";
    const liveId = input.StackName.startsWith("arn:") ? input.StackName : t.names.get(input.StackName);
    let s = liveId ? t.stacks.get(liveId) : undefined;
    if (type === "CREATE" && s && s.status !== "REVIEW_IN_PROGRESS") {
      throw new AlreadyExistsException(`Stack [${input.StackName}] already exists and cannot be created again with the changeSet [${input.ChangeSetName}].`);
    }
    if (type === "UPDATE") {
      if (!s || s.status === "REVIEW_IN_PROGRESS" || s.status === "DELETE_COMPLETE") throw validation(`Stack [${input.StackName}] does not exist`);
      if (!UPDATABLE.has(s.status)) throw validation(`Stack:${s.stackId} is in ${s.status} state and can not be updated.`);
    }
    // An IMPORT change set imports into the stack if it exists, else into a new one (import.ts).
    if (type === "IMPORT" && s && s.status !== "REVIEW_IN_PROGRESS" && !UPDATABLE.has(s.status)) {
      throw validation(`Stack:${s.stackId} is in ${s.status} state and can not be updated.`);
    }
    // A drift-aware change set (revert-drift.ts) compares with what an existing stack's resources are: an IMPORT
    // change set brings in resources the stack has never had.
    if (input.DeploymentMode === "REVERT_DRIFT" && type === "IMPORT") {
      throw validation("DeploymentMode REVERT_DRIFT cannot be used with an IMPORT change set."); // unverified wording
    }
    // A transform that fails does not fail the call: the change set is created FAILED, its reason the transform's.
    let transformFailed: TransformFailure | undefined;
    const previousBody = input.UsePreviousTemplate && s?.templateBody ? s.templateBody : undefined;
    const source: { body: string; template?: Template; processedBody?: string } = await templateOf(input, ctx, { previousBody }).catch((e: unknown) => {
      if (!(e instanceof TransformFailure)) throw e;
      transformFailed = e;
      return { body: e.body, template: undefined, processedBody: undefined };
    });
    const { body, template, processedBody } = source;
    if (template) checkCapabilities(template, input.Capabilities);
    const parameters = template ? await prepareParameters(template, input.Parameters, s?.parameters, ctx, input.StackName) : {};
    const engine = ctx.instance<Engine>();
    const isNew = !s;
    if (!s) {
      // A CREATE change set makes the stack, empty, in REVIEW_IN_PROGRESS until it is executed (stored once the
      // change set is accepted).
      const stackId = regionalArn(ctx, "cloudformation", `stack/${input.StackName}/${uuid4()}`);
      s = {
        stackId,
        stackName: input.StackName,
        status: "REVIEW_IN_PROGRESS",
        creationTime: ctx.now(),
        templateBody: "",
        parameters: {},
        capabilities: [],
        tags: [],
        disableRollback: false,
        onFailure: "ROLLBACK",
        terminationProtection: false,
        notificationArns: [],
        principalArn: ctx.principal.arn,
        principalId: ctx.principal.principalId,
      };
    }
    const stack = s;
    const name = input.ChangeSetName;
    if (t.changeSets.list().some((e) => e.value.stackId === stack.stackId && e.value.name === name)) {
      throw new AlreadyExistsException(`ChangeSet [${name}] already exists`); // unverified wording
    }
    const tags = (input.Tags ?? stack.tags) as ChangeSetRec["tags"];
    const proposed = { ...stack, templateBody: body, processedBody, parameters, tags };
    // Resource import (an IMPORT change set, ImportExistingResources): import.ts.
    const planned: Awaited<ReturnType<typeof changeSetImports>> = template
      ? await changeSetImports(ctx, engine, t, input, proposed, template, stack.templateBody ? runTemplate(stack) : undefined, planChanges(engine, t, proposed))
      : { changes: [] };
    let changes = planned.changes;
    // DeploymentMode REVERT_DRIFT: the plan compared with each resource's actual state (revert-drift.ts).
    const drift =
      input.DeploymentMode === "REVERT_DRIFT" && !isNew && template && !planned.failure ? await planRevertDrift(ctx, engine, t, proposed, changes) : undefined;
    if (drift) changes = drift.changes;
    if (isNew) {
      t.stacks.put(stack.stackId, stack);
      t.names.put(stack.stackName, stack.stackId);
      engine.setStatus(t, stack, "REVIEW_IN_PROGRESS", "User Initiated");
    }
    const unchanged =
      !transformFailed &&
      type === "UPDATE" &&
      changes.length === 0 &&
      body === stack.templateBody &&
      JSON.stringify(Object.entries(parameters).map(([k, p]) => [k, p.resolvedValue ?? p.value])) ===
        JSON.stringify(Object.entries(stack.parameters).map(([k, p]) => [k, p.resolvedValue ?? p.value]));
    const changeSetId = regionalArn(ctx, "cloudformation", `changeSet/${name}/${uuid4()}`);
    // IncludeNestedStacks: a change set on each nested stack the update modifies (nested-changesets.ts).
    const nested: NestedPlan =
      input.IncludeNestedStacks && template && !transformFailed && !planned.failure
        ? await nestedChangeSets(ctx, engine, t, {
            proposed,
            template,
            changes,
            name,
            self: changeSetId,
            root: changeSetId,
            capabilities: input.Capabilities ?? [],
          })
        : { records: [] };
    if (nested.failure) planned.failure = nested.failure;
    t.changeSets.put(changeSetId, {
      changeSetId,
      name,
      stackId: stack.stackId,
      stackName: stack.stackName,
      type,
      status: unchanged || transformFailed || planned.failure ? "FAILED" : "CREATE_COMPLETE",
      executionStatus: unchanged || transformFailed || planned.failure ? "UNAVAILABLE" : "AVAILABLE",
      statusReason: transformFailed?.message ?? (unchanged ? NO_CHANGES : (planned.failure ?? planned.reason)),
      creationTime: ctx.now(),
      description: input.Description,
      templateBody: body,
      processedBody,
      parameters,
      capabilities: input.Capabilities ?? [],
      tags,
      notificationArns: input.NotificationARNs ?? stack.notificationArns,
      roleArn: input.RoleARN ?? stack.roleArn,
      changes,
      imports: planned.imports?.length ? planned.imports : undefined,
      importExistingResources: input.ImportExistingResources,
      includeNestedStacks: input.IncludeNestedStacks || undefined,
      deploymentMode: input.DeploymentMode,
      reverts: drift && Object.keys(drift.reverts).length ? drift.reverts : undefined,
      stackDriftStatus: drift?.stackDriftStatus,
    });
    // A nested change set's status follows its root's.
    for (const rec of nested.records) t.changeSets.put(rec.changeSetId, nested.failure ? { ...rec, status: "FAILED", executionStatus: "UNAVAILABLE" } : rec);
    ctx.startAtBoot();
    return { Id: changeSetId, StackId: stack.stackId };
  },

  describeChangeSet(input, ctx) {
    const c = findChangeSet(ctx, input.ChangeSetName, input.StackName);
    return {
      ChangeSetName: c.name,
      ChangeSetId: c.changeSetId,
      StackId: c.stackId,
      StackName: c.stackName,
      Description: c.description,
      Parameters: parametersOut(c),
      CreationTime: new Date(c.creationTime),
      ExecutionStatus: c.executionStatus,
      Status: c.status,
      StatusReason: c.statusReason,
      NotificationARNs: c.notificationArns,
      Capabilities: c.capabilities as ChangeSetRec["capabilities"] as never,
      Tags: c.tags,
      Changes: c.changes.map((ResourceChange) => ({ Type: "Resource", ResourceChange })),
      IncludeNestedStacks: c.includeNestedStacks ?? false,
      ParentChangeSetId: c.parentChangeSetId,
      RootChangeSetId: c.rootChangeSetId,
      ImportExistingResources: c.importExistingResources,
      DeploymentMode: c.deploymentMode,
      StackDriftStatus: c.stackDriftStatus,
    };
  },

  listChangeSets(input, ctx) {
    const t = cfnState.of(ctx);
    const stackId = input.StackName.startsWith("arn:") ? input.StackName : t.names.get(input.StackName);
    if (!stackId || !t.stacks.get(stackId)) throw validation(`Stack [${input.StackName}] does not exist`);
    // 100 a page (unverified against the API reference), by change set id.
    const page = pageByKey(
      t.changeSets
        .list()
        .map((e) => e.value)
        .filter((c) => c.stackId === stackId),
      (c) => c.changeSetId,
      { operation: "ListChangeSets", token: input.NextToken, max: 100, bind: stackId, invalid: () => validation("Invalid NextToken") },
    );
    return {
      NextToken: page.next,
      Summaries: page.items.map((c) => ({
        StackId: c.stackId,
        StackName: c.stackName,
        ChangeSetId: c.changeSetId,
        ChangeSetName: c.name,
        ExecutionStatus: c.executionStatus,
        Status: c.status,
        StatusReason: c.statusReason,
        CreationTime: new Date(c.creationTime),
        Description: c.description,
        IncludeNestedStacks: c.includeNestedStacks ?? false,
        ParentChangeSetId: c.parentChangeSetId,
        RootChangeSetId: c.rootChangeSetId,
      })),
    };
  },

  deleteChangeSet(input, ctx) {
    const t = cfnState.of(ctx);
    // A change set named on a stack that exists but has no change set of that name: AWS answers with success and no
    // output (the CDK CLI's no-op deploy deletes "cdk-deploy-change-set" unconditionally); only a stack that does not
    // exist is a ValidationError. The API reference lists InvalidChangeSetStatus as this operation's only error.
    if (!input.ChangeSetName.startsWith("arn:") && input.StackName) {
      const stackId = input.StackName.startsWith("arn:") ? input.StackName : t.names.get(input.StackName);
      const s = stackId ? t.stacks.get(stackId) : undefined;
      if (!s || (s.status === "DELETE_COMPLETE" && !input.StackName.startsWith("arn:"))) {
        throw validation(`Stack [${input.StackName}] does not exist`);
      }
      const named = t.changeSets.list().some((e) => e.value.name === input.ChangeSetName && e.value.stackId === s.stackId);
      if (!named) return {};
    }
    const c = findChangeSet(ctx, input.ChangeSetName, input.StackName);
    // "You must execute or delete nested stack change sets from the root change set" (User Guide, "Change sets for
    // nested stacks"); the refusal's wording is unverified.
    if (c.parentChangeSetId) throw validation(`Cannot delete a nested change set. Delete the root change set [${c.rootChangeSetId}] instead.`);
    for (const d of descendants(t, c.changeSetId)) t.changeSets.delete(d.changeSetId);
    t.changeSets.delete(c.changeSetId);
    return {};
  },

  async executeChangeSet(input, ctx) {
    const t = cfnState.of(ctx);
    // A retry after the first call ran it (and so removed it) is answered as that call was.
    const again = retried<Record<string, never>>(ctx, "ExecuteChangeSet", input.StackName ?? input.ChangeSetName, input);
    if (again) return again;
    const c = findChangeSet(ctx, input.ChangeSetName, input.StackName);
    if (c.parentChangeSetId) throw validation(`Cannot execute a nested change set. Execute the root change set [${c.rootChangeSetId}] instead.`); // unverified wording
    const s = t.stacks.get(c.stackId);
    if (!s || c.status !== "CREATE_COMPLETE" || c.executionStatus !== "AVAILABLE") {
      throw new InvalidChangeSetStatusException(`ChangeSet [${c.changeSetId}] cannot be executed in its current status of [${c.status}]`);
    }
    const template = runTemplate(c);
    const engine = ctx.instance<Engine>();
    if (c.type !== "CREATE") s.previous = stableState(s);
    Object.assign(s, {
      templateBody: c.templateBody,
      processedBody: c.processedBody,
      parameters: c.parameters,
      description: template.Description,
      capabilities: c.capabilities,
      tags: c.tags,
      notificationArns: c.notificationArns,
      roleArn: c.roleArn,
      statusReason: undefined,
      // An update's DisableRollback is its own (a failure leaves UPDATE_FAILED); a create's is the stack's OnFailure.
      ...(c.type === "UPDATE"
        ? { disableRollback: input.DisableRollback ?? false }
        : input.DisableRollback
          ? { disableRollback: true, onFailure: "DO_NOTHING" }
          : {}),
      // A change set's execution is decided by the stack policy: it has no override.
      updatePolicy: s.stackPolicy,
      retainExceptOnCreate: input.RetainExceptOnCreate,
      clientRequestToken: input.ClientRequestToken,
      // What this execution imports instead of creating (import.ts).
      importing: c.imports,
      // What a drift-aware change set does to drifted resources (revert-drift.ts).
      reverting: c.reverts,
    } satisfies Partial<StackRec>);
    t.stacks.put(s.stackId, s);
    // "CloudFormation retains all change sets until you update the stack" (AWS CloudFormation User Guide, "Delete a
    // change set"): executing one removes the stack's change sets, this one included.
    // Each one's nested change sets go with it (this one's children are updated as the parent's update runs them).
    for (const { value: other } of t.changeSets.list()) {
      if (other.stackId !== s.stackId) continue;
      for (const d of descendants(t, other.changeSetId)) t.changeSets.delete(d.changeSetId);
      t.changeSets.delete(other.changeSetId);
    }
    ctx.startAtBoot();
    if (c.type === "IMPORT") {
      engine.setStatus(t, s, "IMPORT_IN_PROGRESS", "User Initiated");
      engine.importResources(ctx.account, ctx.region, s.stackId);
    } else if (c.type === "CREATE") {
      engine.setStatus(t, s, "CREATE_IN_PROGRESS", "User Initiated");
      engine.create(ctx.account, ctx.region, s.stackId);
    } else {
      engine.setStatus(t, s, "UPDATE_IN_PROGRESS", "User Initiated");
      engine.update(ctx.account, ctx.region, s.stackId);
    }
    const out = remember(ctx, "ExecuteChangeSet", input.StackName ?? input.ChangeSetName, input, {});
    await engine.settled(s.stackId);
    return out;
  },
} satisfies Partial<CloudformationApi>;
