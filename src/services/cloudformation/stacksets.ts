// StackSets with self-managed permissions: a stack set is a template and parameters in the administrator account;
// its stack instances are real stacks (`StackSet-<name>-<uuid>`) in target accounts and regions of this Stratus, made
// by the stack engine as they would be by CreateStack there. Operations run in the background (the API answers with
// an OperationId; DescribeStackSetOperation shows progress), one at a time per stack set, region by region (or all
// regions at once) in RegionOrder, at most MaxConcurrentCount accounts at once in a region, stopping once failures in
// a region exceed the failure tolerance. Before deploying to an account, the operation checks the roles as AWS
// does: the administration role exists in the administrator account and trusts CloudFormation, and the execution role
// exists in the target account and trusts the administration role; otherwise that instance FAILS with AWS's reason.
// Every transition is stored before the next step; a server stopped mid-operation resumes it when it starts again
// (an instance whose stack was being created is read back as the engine rolled it back: FAILED).
import { regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { uuid4 } from "../../core/ids.js";
import { pageByKey } from "../../core/paging.js";
import type {
  CloudformationApi,
  Parameter,
  StackInstanceSummary,
  StackSet,
  StackSetOperation,
  StackSetOperationAction,
  StackSetOperationPreferences,
  StackSetOperationSummary,
} from "./api.generated.js";
import {
  InvalidOperationException,
  NameAlreadyExistsException,
  OperationIdAlreadyExistsException,
  OperationInProgressException,
  OperationNotFoundException,
  StackInstanceNotFoundException,
  StackSetNotEmptyException,
} from "./api.generated.js";
import { templateOf } from "./source.js";
import {
  findStackSet,
  instanceKey,
  type OperationRec,
  type OperationResultRec,
  operationKey,
  type SetTables,
  type StackInstanceRec,
  type StackSetRec,
  setState,
} from "./stackset-state.js";
import { checkCapabilities } from "./stacks.js";
import { parseTemplate, type Template } from "./template/index.js";

import { ACTIVE_OPERATION, date, DEFAULT_EXECUTION_ROLE, defaultAdministrationRole, runnerOf, validation } from "./stackset-runner.js";
export { startStackSets } from "./stackset-runner.js";

/** Stratus runs no AWS Organizations: service-managed stack sets and delegated administrators cannot work here. */
function selfManagedOnly(input: {
  PermissionModel?: string;
  CallAs?: string;
  DeploymentTargets?: { OrganizationalUnitIds?: string[] };
  AutoDeployment?: { Enabled?: boolean };
}): void {
  if (
    input.PermissionModel === "SERVICE_MANAGED" ||
    input.CallAs === "DELEGATED_ADMIN" ||
    input.DeploymentTargets?.OrganizationalUnitIds?.length ||
    input.AutoDeployment?.Enabled
  ) {
    throw validation(
      "Stratus does not run AWS Organizations: SERVICE_MANAGED stack sets, organizational unit targets, automatic deployment and delegated administrators are not supported; use the SELF_MANAGED permission model with account ids.",
    );
  }
}

function checkParameterKeys(template: Template, given: Parameter[] = []): void {
  const decls = template.Parameters ?? {};
  const unknown = given.map((g) => g.ParameterKey ?? "").filter((k) => !(k in decls));
  if (unknown.length) throw validation(`Parameters: [${unknown.join(", ")}] do not exist in the template`);
}

function stackSetOut(s: StackSetRec, instances: StackInstanceRec[]): StackSet {
  return {
    StackSetName: s.name,
    StackSetId: s.stackSetId,
    Description: s.description,
    Status: s.status,
    TemplateBody: s.templateBody,
    Parameters: s.parameters,
    Capabilities: s.capabilities as StackSet["Capabilities"],
    Tags: s.tags,
    StackSetARN: s.arn,
    AdministrationRoleARN: s.administrationRoleArn,
    ExecutionRoleName: s.executionRoleName,
    StackSetDriftDetectionDetails: { DriftStatus: "NOT_CHECKED", TotalStackInstancesCount: 0 },
    PermissionModel: "SELF_MANAGED",
    ManagedExecution: s.managedExecution ?? { Active: false },
    Regions: [...new Set(instances.map((i) => i.region))].sort(),
  };
}

function operationOut(o: OperationRec): StackSetOperation & StackSetOperationSummary {
  const failed = o.results.filter((r) => r.status === "FAILED").length;
  return {
    OperationId: o.operationId,
    StackSetId: o.stackSetId,
    Action: o.action,
    Status: o.status,
    OperationPreferences: o.preferences,
    RetainStacks: o.action === "DELETE" ? o.retainStacks : undefined,
    AdministrationRoleARN: o.administrationRoleArn,
    ExecutionRoleName: o.executionRoleName,
    CreationTimestamp: new Date(o.creationTime),
    EndTimestamp: date(o.endTime),
    StatusReason: o.statusReason,
    StatusDetails: { FailedStackInstancesCount: failed },
  };
}

function instanceOut(set: StackSetRec, i: StackInstanceRec) {
  return {
    StackSetId: set.stackSetId,
    Region: i.region,
    Account: i.account,
    StackId: i.stackId,
    Status: i.status,
    StatusReason: i.statusReason,
    StackInstanceStatus: { DetailedStatus: i.detailedStatus },
    DriftStatus: "NOT_CHECKED" as const,
    LastOperationId: i.lastOperationId,
  };
}

const instancesOf = (t: SetTables, set: StackSetRec) => t.instances.list({ prefix: `${set.stackSetId}\u0000` }).map((e) => e.value);
const operationsOf = (t: SetTables, set: StackSetRec) => t.operations.list({ prefix: `${set.stackSetId}\u0000` }).map((e) => e.value);

/**
 * One operation at a time per stack set: AWS's error while another runs, unless the stack set has managed execution
 * (`queue`), where the new operation is QUEUED behind the running one (Stratus runs them one after the other).
 */
function checkIdle(t: SetTables, set: StackSetRec, operationId?: string, queue = false): void {
  // Wording as AWS answers (ansible-collections/community.aws#103, hashicorp/terraform-provider-aws#11726).
  if (!(queue && set.managedExecution?.Active) && operationsOf(t, set).some((o) => ACTIVE_OPERATION.has(o.status)))
    throw new OperationInProgressException(`Another Operation on StackSet ${set.arn} is in progress`);
  if (operationId !== undefined && t.operations.has(operationKey(set.stackSetId, operationId))) {
    throw new OperationIdAlreadyExistsException(`The operation id ${operationId} already exists`); // unverified wording
  }
}

/** Records an operation over `targets` (every account × region given), marks its instances, and starts it. */
function startOperation(
  ctx: HandlerContext,
  t: SetTables,
  set: StackSetRec,
  action: StackSetOperationAction,
  accounts: string[],
  regions: string[],
  input: { OperationId?: string; OperationPreferences?: StackSetOperationPreferences; RetainStacks?: boolean },
  exists: (account: string, region: string) => boolean = () => true,
): string {
  const prefs = input.OperationPreferences ?? {};
  if (prefs.FailureToleranceCount !== undefined && prefs.FailureTolerancePercentage !== undefined) {
    throw validation("You can specify either FailureToleranceCount or FailureTolerancePercentage, but not both."); // unverified wording
  }
  if (prefs.MaxConcurrentCount !== undefined && prefs.MaxConcurrentPercentage !== undefined) {
    throw validation("You can specify either MaxConcurrentCount or MaxConcurrentPercentage, but not both."); // unverified wording
  }
  const order = prefs.RegionOrder ?? [];
  const ordered = [...new Set([...order.filter((r) => regions.includes(r)), ...regions])];
  const operationId = input.OperationId ?? uuid4();
  const queued = operationsOf(t, set).some((o) => ACTIVE_OPERATION.has(o.status));
  const results: OperationResultRec[] = [];
  for (const region of ordered) {
    for (const account of [...new Set(accounts)]) if (exists(account, region)) results.push({ account, region, status: "PENDING" });
  }
  const op: OperationRec = {
    operationId,
    stackSetId: set.stackSetId,
    action,
    status: queued ? "QUEUED" : "RUNNING",
    preferences: prefs,
    retainStacks: input.RetainStacks,
    administrationRoleArn: set.administrationRoleArn,
    executionRoleName: set.executionRoleName,
    creationTime: ctx.now(),
    accounts: [...new Set(accounts)],
    regions: ordered,
    results,
    seq: operationsOf(t, set).length,
  };
  for (const r of results) {
    const ik = instanceKey(set.stackSetId, r.account, r.region);
    const inst = t.instances.get(ik);
    if (inst && !queued) t.instances.put(ik, { ...inst, status: "OUTDATED", detailedStatus: "PENDING", statusReason: undefined, lastOperationId: operationId });
  }
  const key = operationKey(set.stackSetId, operationId);
  t.operations.put(key, op);
  ctx.startAtBoot();
  if (!queued) runnerOf(ctx).start(ctx.account, ctx.region, key);
  return operationId;
}

function accountsOf(input: { Accounts?: string[]; DeploymentTargets?: { Accounts?: string[] } }): string[] {
  if (input.Accounts?.length && input.DeploymentTargets) throw validation("Accounts and DeploymentTargets cannot be specified at the same time"); // unverified wording
  const accounts = input.Accounts ?? input.DeploymentTargets?.Accounts ?? [];
  if (!accounts.length) throw validation("Either Accounts or DeploymentTargets should be specified"); // unverified wording
  return accounts;
}

function findOperation(t: SetTables, set: StackSetRec, operationId: string): OperationRec {
  const op = t.operations.get(operationKey(set.stackSetId, operationId));
  if (!op) throw new OperationNotFoundException(`Operation ${operationId} not found`); // unverified wording
  return op;
}

const page = <T>(items: T[], key: (x: T) => string, operation: string, token: string | undefined, max: number | undefined) =>
  pageByKey(items, key, { operation, token, max: max ?? 100, invalid: () => validation("Invalid NextToken") });

export const stackSets = {
  async createStackSet(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    // unverified wording
    if (t.setNames.has(input.StackSetName)) throw new NameAlreadyExistsException(`StackSet ${input.StackSetName} already exists`);
    if (input.StackId !== undefined)
      throw validation("Creating a stack set from an existing stack (StackId) is not supported by Stratus yet: pass TemplateBody.");
    const { body, template } = await templateOf(input, ctx);
    checkCapabilities(template, input.Capabilities);
    checkParameterKeys(template, input.Parameters);
    if (t.setNames.has(input.StackSetName)) throw new NameAlreadyExistsException(`StackSet ${input.StackSetName} already exists`);
    const stackSetId = `${input.StackSetName}:${uuid4()}`;
    const s: StackSetRec = {
      stackSetId,
      name: input.StackSetName,
      arn: regionalArn(ctx, "cloudformation", `stackset/${stackSetId}`),
      status: "ACTIVE",
      description: input.Description,
      templateBody: body,
      parameters: (input.Parameters ?? []).map((p) => ({ ParameterKey: p.ParameterKey, ParameterValue: p.ParameterValue })),
      capabilities: input.Capabilities ?? [],
      tags: (input.Tags ?? []) as StackSetRec["tags"],
      administrationRoleArn: input.AdministrationRoleARN ?? defaultAdministrationRole(ctx),
      executionRoleName: input.ExecutionRoleName ?? DEFAULT_EXECUTION_ROLE,
      autoDeployment: input.AutoDeployment,
      managedExecution: input.ManagedExecution,
      creationTime: ctx.now(),
    };
    t.stackSets.put(stackSetId, s);
    t.setNames.put(s.name, stackSetId);
    return { StackSetId: stackSetId };
  },

  describeStackSet(input, ctx) {
    selfManagedOnly(input);
    const set = findStackSet(ctx, input.StackSetName);
    return { StackSet: stackSetOut(set, instancesOf(setState.of(ctx), set)) };
  },

  listStackSets(input, ctx) {
    selfManagedOnly(input);
    const all = setState
      .of(ctx)
      .stackSets.list()
      .map((e) => e.value)
      .filter((s) => !input.Status || s.status === input.Status)
      .sort((a, b) => a.stackSetId.localeCompare(b.stackSetId));
    const p = page(all, (s) => s.stackSetId, "ListStackSets", input.NextToken, input.MaxResults);
    return {
      Summaries: p.items.map((s) => ({
        StackSetName: s.name,
        StackSetId: s.stackSetId,
        Description: s.description,
        Status: s.status,
        PermissionModel: "SELF_MANAGED" as const,
        DriftStatus: "NOT_CHECKED" as const,
        ManagedExecution: s.managedExecution ?? { Active: false },
      })),
      NextToken: p.next,
    };
  },

  async updateStackSet(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName, { live: true });
    checkIdle(t, set, input.OperationId, true);
    if (input.UsePreviousTemplate && (input.TemplateBody !== undefined || input.TemplateURL !== undefined)) {
      throw validation("You cannot specify both usePreviousTemplate and Template Body/Template URL"); // unverified wording
    }
    // A template is needed, as for UpdateStack: the previous one, or a new body or URL (templateOf's error otherwise).
    const { body, template } = await templateOf(input, ctx, { previousBody: input.UsePreviousTemplate ? set.templateBody : undefined });
    const capabilities = input.Capabilities ?? set.capabilities;
    checkCapabilities(template, capabilities);
    let parameters = set.parameters;
    if (input.Parameters) {
      checkParameterKeys(template, input.Parameters);
      parameters = input.Parameters.map((p) => ({
        ParameterKey: p.ParameterKey,
        ParameterValue: p.UsePreviousValue ? set.parameters.find((q) => q.ParameterKey === p.ParameterKey)?.ParameterValue : p.ParameterValue,
      }));
    }
    const instances = instancesOf(t, set);
    const accounts = input.Accounts ?? input.DeploymentTargets?.Accounts ?? [...new Set(instances.map((i) => i.account))];
    const regions = input.Regions ?? [...new Set(instances.map((i) => i.region))];
    const present = (a: string, r: string) => t.instances.has(instanceKey(set.stackSetId, a, r));
    if (input.Accounts || input.Regions || input.DeploymentTargets) {
      const missing = accounts.flatMap((a) => regions.filter((r) => !present(a, r)).map((r) => [a, r]));
      if (missing.length) {
        const [a, r] = missing[0];
        throw new StackInstanceNotFoundException(`Stack instance [${a}, ${r}] not found in StackSet ${set.name}`); // unverified wording
      }
    }
    Object.assign(set, {
      templateBody: body,
      description: input.Description ?? set.description,
      parameters,
      capabilities,
      tags: (input.Tags ?? set.tags) as StackSetRec["tags"],
      administrationRoleArn: input.AdministrationRoleARN ?? set.administrationRoleArn,
      executionRoleName: input.ExecutionRoleName ?? set.executionRoleName,
      managedExecution: input.ManagedExecution ?? set.managedExecution,
    });
    t.stackSets.put(set.stackSetId, set);
    // Instances the update does not deploy to are out of date with the stack set now.
    for (const i of instances) {
      if (!accounts.includes(i.account) || !regions.includes(i.region))
        t.instances.put(instanceKey(set.stackSetId, i.account, i.region), { ...i, status: "OUTDATED" });
    }
    return { OperationId: startOperation(ctx, t, set, "UPDATE", accounts, regions, input, present) };
  },

  deleteStackSet(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName, { live: true });
    checkIdle(t, set);
    // AWS's wording (as the AWS CLI shows it: "… when calling the DeleteStackSet operation: StackSet is not empty").
    if (instancesOf(t, set).length) throw new StackSetNotEmptyException("StackSet is not empty");
    set.status = "DELETED";
    t.stackSets.put(set.stackSetId, set);
    t.setNames.delete(set.name);
    return {};
  },

  createStackInstances(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName, { live: true });
    const accounts = accountsOf(input);
    checkIdle(t, set, input.OperationId, true);
    checkParameterKeys(parseTemplate(set.templateBody), input.ParameterOverrides);
    for (const account of accounts) {
      for (const region of input.Regions) {
        const ik = instanceKey(set.stackSetId, account, region);
        const inst = t.instances.get(ik);
        t.instances.put(ik, {
          account,
          region,
          stackId: inst?.stackId,
          parameterOverrides: input.ParameterOverrides ?? inst?.parameterOverrides ?? [],
          status: "OUTDATED",
          detailedStatus: "PENDING",
        });
      }
    }
    return { OperationId: startOperation(ctx, t, set, "CREATE", accounts, input.Regions, input) };
  },

  updateStackInstances(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName, { live: true });
    const accounts = accountsOf(input);
    checkIdle(t, set, input.OperationId, true);
    checkParameterKeys(parseTemplate(set.templateBody), input.ParameterOverrides);
    const targets: [string, StackInstanceRec][] = [];
    for (const account of accounts) {
      for (const region of input.Regions) {
        const ik = instanceKey(set.stackSetId, account, region);
        const inst = t.instances.get(ik);
        // unverified wording
        if (!inst) throw new StackInstanceNotFoundException(`Stack instance [${account}, ${region}] not found in StackSet ${set.name}`);
        targets.push([ik, inst]);
      }
    }
    // Overrides given replace the instance's overrides: UsePreviousValue keeps one, a key left out goes back to the
    // stack set's value; no ParameterOverrides at all leaves them as they are (UpdateStackInstances' reference).
    if (input.ParameterOverrides) {
      for (const [ik, inst] of targets) {
        inst.parameterOverrides = input.ParameterOverrides.flatMap((p) => {
          if (!p.UsePreviousValue) return [{ ParameterKey: p.ParameterKey, ParameterValue: p.ParameterValue }];
          return inst.parameterOverrides.filter((q) => q.ParameterKey === p.ParameterKey);
        });
        t.instances.put(ik, inst);
      }
    }
    return { OperationId: startOperation(ctx, t, set, "UPDATE", accounts, input.Regions, input) };
  },

  deleteStackInstances(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName, { live: true });
    const accounts = accountsOf(input);
    checkIdle(t, set, input.OperationId, true);
    const present = (a: string, r: string) => t.instances.has(instanceKey(set.stackSetId, a, r));
    return { OperationId: startOperation(ctx, t, set, "DELETE", accounts, input.Regions, input, present) };
  },

  describeStackInstance(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName);
    const inst = t.instances.get(instanceKey(set.stackSetId, input.StackInstanceAccount, input.StackInstanceRegion));
    if (!inst) {
      // unverified wording
      throw new StackInstanceNotFoundException(
        `Stack instance [${input.StackInstanceAccount}, ${input.StackInstanceRegion}] not found in StackSet ${set.name}`,
      );
    }
    return { StackInstance: { ...instanceOut(set, inst), ParameterOverrides: inst.parameterOverrides } };
  },

  listStackInstances(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName);
    const matches = (i: StackInstanceRec) =>
      (input.Filters ?? []).every((f) =>
        f.Name === "DETAILED_STATUS"
          ? i.detailedStatus === f.Values
          : f.Name === "LAST_OPERATION_ID"
            ? i.lastOperationId === f.Values
            : f.Name === "DRIFT_STATUS"
              ? f.Values === "NOT_CHECKED"
              : true,
      );
    const all = instancesOf(t, set)
      .filter(
        (i) =>
          (!input.StackInstanceAccount || i.account === input.StackInstanceAccount) && (!input.StackInstanceRegion || i.region === input.StackInstanceRegion),
      )
      .filter(matches);
    const p = page(all, (i) => `${i.account}\u0000${i.region}`, "ListStackInstances", input.NextToken, input.MaxResults);
    return { Summaries: p.items.map((i): StackInstanceSummary => instanceOut(set, i)), NextToken: p.next };
  },

  describeStackSetOperation(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName);
    const o = operationOut(findOperation(t, set, input.OperationId));
    return { StackSetOperation: { ...o, OperationPreferences: o.OperationPreferences } };
  },

  listStackSetOperations(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName);
    // Newest first.
    const all = operationsOf(t, set).sort((a, b) => b.seq - a.seq);
    const key = (o: OperationRec) => String(1e9 - o.seq).padStart(10, "0");
    const p = page(all, key, "ListStackSetOperations", input.NextToken, input.MaxResults);
    return {
      Summaries: p.items.map((o) => {
        const { OperationId, Action, Status, CreationTimestamp, EndTimestamp, StatusReason, StatusDetails, OperationPreferences } = operationOut(o);
        return { OperationId, Action, Status, CreationTimestamp, EndTimestamp, StatusReason, StatusDetails, OperationPreferences };
      }),
      NextToken: p.next,
    };
  },

  listStackSetOperationResults(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName);
    const op = findOperation(t, set, input.OperationId);
    const wanted = (input.Filters ?? []).filter((f) => f.Name === "OPERATION_RESULT_STATUS").map((f) => f.Values);
    const all = op.results.map((r, i) => ({ r, i })).filter(({ r }) => !wanted.length || wanted.includes(r.status));
    const p = page(all, ({ i }) => String(i).padStart(8, "0"), "ListStackSetOperationResults", input.NextToken, input.MaxResults);
    return {
      Summaries: p.items.map(({ r }) => ({
        Account: r.account,
        Region: r.region,
        Status: r.status,
        StatusReason: r.statusReason,
        AccountGateResult: r.accountGate ? { Status: r.accountGate.status, StatusReason: r.accountGate.statusReason } : undefined,
      })),
      NextToken: p.next,
    };
  },

  stopStackSetOperation(input, ctx) {
    selfManagedOnly(input);
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName);
    const op = findOperation(t, set, input.OperationId);
    if (op.status === "STOPPING") return {};
    // unverified wording
    if (!ACTIVE_OPERATION.has(op.status)) throw new InvalidOperationException(`Operation ${op.operationId} is not in progress and cannot be stopped`);
    runnerOf(ctx).stop(t, operationKey(set.stackSetId, op.operationId), op);
    return {};
  },

  listStackInstanceResourceDrifts(input, ctx) {
    selfManagedOnly(input);
    // No drift detection runs here, so no operation has drift results: an operation that exists has none.
    const t = setState.of(ctx);
    const set = findStackSet(ctx, input.StackSetName);
    findOperation(t, set, input.OperationId);
    return { Summaries: [] };
  },
} satisfies Partial<CloudformationApi>;
