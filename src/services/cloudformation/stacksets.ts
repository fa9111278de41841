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
import { partitionOf, regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import type { Principal } from "../../core/identity.js";
import { pageByKey } from "../../core/paging.js";
import { evaluatePolicy } from "../../core/policy/evaluate.js";
import type { Identity, ServiceHost } from "../../core/service.js";
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
import type { Engine } from "./engine.js";
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
import { cfnState, type StackRec } from "./state.js";
import { parseTemplate, type Template } from "./template/index.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);
const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
const ACTIVE_OPERATION = new Set(["RUNNING", "STOPPING", "QUEUED"]);
const DEFAULT_EXECUTION_ROLE = "AWSCloudFormationStackSetExecutionRole";
const defaultAdministrationRole = (ctx: HandlerContext) =>
  `arn:${partitionOf(ctx.region)}:iam::${ctx.account}:role/AWSCloudFormationStackSetAdministrationRole`;
// AWS's result when no AWSCloudFormationStackSetAccountGate function is in the target account (the API Reference's
// ListStackSetOperationResults example).
const ACCOUNT_GATE = "AWSCloudFormationStackSetAccountGate";
const NO_ACCOUNT_GATE = { status: "SKIPPED" as const, statusReason: `${ACCOUNT_GATE} function not found` };
// The API Reference's ListStackSetOperationResults example.
const TOLERANCE_EXCEEDED = "Cancelled since failure tolerance has exceeded";

/** The running stack set operations of one server, beside its stack engine. */
export class StackSetRunner {
  private readonly running = new Map<string, { op: OperationRec; done: Promise<void> }>();
  private closing = false;

  constructor(
    readonly host: ServiceHost,
    readonly engine: Engine,
  ) {}

  /** Carries on every operation a previous run left in progress (after the engine resumed the stacks). */
  resume(): void {
    for (const { account, region, tables } of setState.all(this.host, "operations")) {
      const ops = tables.operations.list();
      for (const { key, value: op } of ops) if (op.status === "RUNNING" || op.status === "STOPPING") this.start(account, region, key);
      // A stack set whose running operation had just ended: its next queued one.
      for (const id of new Set(ops.filter((o) => o.value.status === "QUEUED").map((o) => o.value.stackSetId))) {
        if (!ops.some((o) => o.value.stackSetId === id && (o.value.status === "RUNNING" || o.value.status === "STOPPING")))
          this.next(account, region, tables, id);
      }
    }
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()].map((r) => r.done));
    // A stack an instance started meanwhile finishes its step too.
    await this.engine.drain();
  }

  close(): void {
    this.closing = true;
  }

  start(account: string, region: string, key: string): void {
    const t = setState.at(this.host, account, region);
    const op = t.operations.get(key);
    if (!op || this.running.has(key)) return;
    const done = (async () => {
      await Promise.resolve();
      try {
        await this.run(account, region, t, op);
      } catch (e) {
        this.host.logger.error(`cloudformation: stack set operation ${op.operationId} failed`, e);
      }
    })().finally(() => this.running.delete(key));
    this.running.set(key, { op, done });
  }

  /** StopStackSetOperation: no further instance starts; the running ones finish; the rest are CANCELLED. */
  stop(t: SetTables, key: string, op: OperationRec): void {
    if (op.status === "QUEUED") {
      // A queued operation never starts: every result CANCELLED.
      for (const r of op.results) Object.assign(r, { status: "CANCELLED", statusReason: "Cancelled since the operation was stopped" }); // unverified wording
      Object.assign(op, { status: "STOPPED", endTime: this.host.clock.now() });
      t.operations.put(key, op);
      return;
    }
    const live = this.running.get(key)?.op ?? op;
    live.status = "STOPPING";
    t.operations.put(key, live);
  }

  private save(t: SetTables, op: OperationRec): void {
    t.operations.put(operationKey(op.stackSetId, op.operationId), op);
  }

  private async run(adminAccount: string, adminRegion: string, t: SetTables, op: OperationRec): Promise<void> {
    const set = t.stackSets.get(op.stackSetId);
    if (!set) return;
    const admin = this.host.context("cloudformation", "StackSetOperation", {
      ...this.host.rootIdentity(adminAccount, adminRegion),
      invokedBy: "cloudformation",
    });
    // Instances a stopped server left RUNNING are deployed again, once their stack's own operation (which the engine
    // resumed: a create rolled back, a delete or update carried on) is over: a stack already as the operation wants
    // it is "No updates", a rolled-back one is replaced, a deleted one stays deleted. A stack whose CreateStack was
    // under way is found by the name recorded before the call.
    for (const r of op.results.filter((x) => x.status === "RUNNING")) {
      const inst = t.instances.get(instanceKey(set.stackSetId, r.account, r.region));
      if (inst && !inst.stackId && inst.pendingStackName) {
        const stackId = cfnState.at(this.host, r.account, r.region).names.get(inst.pendingStackName);
        if (stackId) this.patch(t, op, r, { stackId, pendingStackName: undefined });
      }
      const stackId = t.instances.get(instanceKey(set.stackSetId, r.account, r.region))?.stackId;
      if (stackId) await this.engine.idle(stackId);
      r.status = "PENDING";
    }
    if (op.status === "QUEUED") op.status = "RUNNING";
    this.save(t, op);
    const p = op.preferences;
    const groups = p.RegionConcurrencyType === "PARALLEL" ? [op.regions] : op.regions.map((r) => [r]);
    let exceeded = false;
    for (const group of groups) {
      if (this.closing) return;
      const outcomes = await Promise.all(group.map((region) => this.runRegion(admin, t, set, op, region)));
      if (this.closing) return;
      if (outcomes.some(Boolean)) {
        exceeded = true;
        break;
      }
      if (op.status === "STOPPING") break;
    }
    const stopped = op.status === "STOPPING";
    for (const r of op.results) {
      if (r.status !== "PENDING") continue;
      r.status = "CANCELLED";
      r.statusReason = stopped ? "Cancelled since the operation was stopped" /* unverified wording */ : TOLERANCE_EXCEEDED;
      this.patch(t, op, r, { detailedStatus: "CANCELLED", statusReason: r.statusReason });
    }
    op.status = stopped ? "STOPPED" : exceeded ? "FAILED" : "SUCCEEDED";
    op.endTime = this.host.clock.now();
    this.save(t, op);
    this.host.logger.info(`cloudformation stack set ${set.name}: operation ${op.operationId} ${op.status}`);
    this.next(adminAccount, adminRegion, t, set.stackSetId);
  }

  /** Starts a stack set's oldest QUEUED operation (managed execution), marking its instances PENDING. */
  private next(account: string, region: string, t: SetTables, stackSetId: string): void {
    const queued = t.operations
      .list({ prefix: `${stackSetId}\u0000` })
      .map((e) => e.value)
      .filter((o) => o.status === "QUEUED")
      .sort((a, b) => a.seq - b.seq)[0];
    if (!queued) return;
    for (const r of queued.results)
      this.patch(t, queued, r, { status: "OUTDATED", detailedStatus: "PENDING", statusReason: undefined, lastOperationId: queued.operationId });
    queued.status = "RUNNING";
    this.save(t, queued);
    this.start(account, region, operationKey(stackSetId, queued.operationId));
  }

  /** One region's instances, MaxConcurrent at a time; true when its failures exceeded the failure tolerance. */
  private async runRegion(admin: HandlerContext, t: SetTables, set: StackSetRec, op: OperationRec, region: string): Promise<boolean> {
    const p = op.preferences;
    const all = op.results.filter((r) => r.region === region);
    const n = all.length;
    const tolerance = p.FailureToleranceCount ?? (p.FailureTolerancePercentage !== undefined ? Math.floor((p.FailureTolerancePercentage * n) / 100) : 0);
    const concurrency = Math.max(1, p.MaxConcurrentCount ?? (p.MaxConcurrentPercentage !== undefined ? Math.floor((p.MaxConcurrentPercentage * n) / 100) : 1));
    const queue = all.filter((r) => r.status === "PENDING");
    let failed = all.filter((r) => r.status === "FAILED").length;
    // STRICT_FAILURE_TOLERANCE (the default) lowers concurrency as failures occur: never more instances running
    // than failures the tolerance has left, plus one; SOFT_FAILURE_TOLERANCE keeps MaxConcurrent (the API Reference).
    const strict = p.ConcurrencyMode !== "SOFT_FAILURE_TOLERANCE";
    const inflight = new Set<Promise<void>>();
    for (;;) {
      const limit = strict ? Math.min(concurrency, tolerance + 1 - failed) : concurrency;
      while (queue.length && failed <= tolerance && op.status !== "STOPPING" && !this.closing && inflight.size < limit) {
        const r = queue.shift()!;
        const run: Promise<void> = this.runInstance(admin, t, set, op, r).then(() => {
          inflight.delete(run);
          if (r.status === "FAILED") failed++;
        });
        inflight.add(run);
      }
      if (!inflight.size) break;
      await Promise.race(inflight);
    }
    return failed > tolerance;
  }

  private finish(t: SetTables, op: OperationRec, r: OperationResultRec, inst: StackInstanceRec | undefined, status: "SUCCEEDED" | "FAILED", reason?: string) {
    r.status = status;
    r.statusReason = reason;
    r.accountGate ??= NO_ACCOUNT_GATE;
    if (inst) {
      // A failed DeleteStackInstances leaves the instance INOPERABLE (the User Guide's stack instance status codes).
      const after = status === "SUCCEEDED" ? "CURRENT" : op.action === "DELETE" ? "INOPERABLE" : "OUTDATED";
      this.patch(t, op, r, { detailedStatus: status, status: after, statusReason: reason });
    }
    this.save(t, op);
  }

  /**
   * Changes some of an instance's fields over its current record (a queued operation may have changed its parameter
   * overrides meanwhile).
   */
  private patch(t: SetTables, op: OperationRec, r: OperationResultRec, fields: Partial<StackInstanceRec>): void {
    const ik = instanceKey(op.stackSetId, r.account, r.region);
    const current = t.instances.get(ik);
    if (current) t.instances.put(ik, { ...current, ...fields });
  }

  /** An instance's stack settled: the result from its status (a DELETE's instance record goes once its stack is gone). */
  private settle(t: SetTables, set: StackSetRec, op: OperationRec, r: OperationResultRec, inst: StackInstanceRec): void {
    const s = cfnState.at(this.host, r.account, r.region).stacks.get(inst.stackId!);
    const ok = op.action === "DELETE" ? !s || s.status === "DELETE_COMPLETE" : s?.status === "CREATE_COMPLETE" || s?.status === "UPDATE_COMPLETE";
    if (!ok) return this.finish(t, op, r, inst, "FAILED", s ? this.stackFailure(op, r, s) : `Stack ${inst.stackId} does not exist`);
    if (op.action === "DELETE") {
      t.instances.delete(instanceKey(set.stackSetId, r.account, r.region));
      return this.finish(t, op, r, undefined, "SUCCEEDED");
    }
    this.finish(t, op, r, inst, "SUCCEEDED");
  }

  /**
   * Why an instance's stack failed, as AWS words it on the instance: the first resource that failed in this operation
   * (the AWS CLI's list-stack-instances example: "ResourceLogicalId:…, ResourceType:…, ResourceStatusReason:…."),
   * else the stack's own reason.
   */
  private stackFailure(op: OperationRec, r: OperationResultRec, s: StackRec): string {
    const events = cfnState.at(this.host, r.account, r.region).events.list({ prefix: `${s.stackId}\u0000` });
    const failed = events
      .map((e) => e.value)
      .find((e) => e.timestamp >= op.creationTime && e.status.endsWith("_FAILED") && e.type !== "AWS::CloudFormation::Stack");
    if (failed) return `ResourceLogicalId:${failed.logicalId}, ResourceType:${failed.type}, ResourceStatusReason:${failed.reason ?? ""}.`;
    return s.statusReason ?? `Stack ${s.stackName} is in ${s.status} state`; // unverified wording
  }

  private async runInstance(admin: HandlerContext, t: SetTables, set: StackSetRec, op: OperationRec, r: OperationResultRec): Promise<void> {
    // Each instance starts on a turn of the event loop of its own: requests (a StopStackSetOperation) are served
    // between instances, not after the whole operation.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (op.status === "STOPPING" || this.closing) {
      // Stopped meanwhile: this one never starts (CANCELLED with the rest).
      return;
    }
    const ik = instanceKey(set.stackSetId, r.account, r.region);
    const inst = t.instances.get(ik);
    r.status = "RUNNING";
    this.save(t, op);
    if (!inst) return this.finish(t, op, r, undefined, op.action === "DELETE" ? "SUCCEEDED" : "FAILED", "The stack instance no longer exists."); // unverified wording
    this.patch(t, op, r, { detailedStatus: "RUNNING", lastOperationId: op.operationId });
    if (op.action === "DELETE" && (op.retainStacks || !inst.stackId)) {
      // RetainStacks: the instance leaves the stack set, its stack stays as it is.
      t.instances.delete(ik);
      return this.finish(t, op, r, undefined, "SUCCEEDED");
    }
    const roles = await this.checkRoles(admin, op, r.account);
    if ("failure" in roles) {
      if (roles.gate) r.accountGate = { status: "FAILED", statusReason: roles.failure };
      return this.finish(t, op, r, inst, "FAILED", roles.failure);
    }
    const who: Identity = { account: r.account, region: r.region, principal: roles.principal, invokedBy: "cloudformation" };
    // The target account's gate, when it has one: FAILED stops this instance (and counts toward the tolerance).
    r.accountGate = await this.accountGate(who);
    if (r.accountGate.status === "FAILED") return this.finish(t, op, r, inst, "FAILED", r.accountGate.statusReason);
    const target = this.host.context("cloudformation", op.action === "DELETE" ? "DeleteStack" : "CreateStack", who);
    const cfn = target.client("cloudformation");
    try {
      const stacks = cfnState.at(this.host, r.account, r.region).stacks;
      let current = inst.stackId ? stacks.get(inst.stackId) : undefined;
      if (op.action === "DELETE") {
        await cfn.deleteStack({ StackName: inst.stackId! });
      } else {
        // A stack whose create failed (rolled back) is replaced by a new one, as a stack that is gone is.
        if (current?.status === "ROLLBACK_COMPLETE") {
          await cfn.deleteStack({ StackName: current.stackId });
          await this.engine.idle(current.stackId);
          current = undefined;
        }
        const parameters = mergeParameters(set.parameters, inst.parameterOverrides);
        if (current && current.status !== "DELETE_COMPLETE") {
          try {
            await cfn.updateStack({
              StackName: current.stackId,
              TemplateBody: set.templateBody,
              Parameters: parameters,
              Capabilities: set.capabilities as never,
              Tags: set.tags,
            });
          } catch (e) {
            if (!(e instanceof ServiceError && e.message === "No updates are to be performed.")) throw e;
            return this.finish(t, op, r, inst, "SUCCEEDED");
          }
        } else {
          const stackName = `StackSet-${set.name}-${uuid4()}`;
          this.patch(t, op, r, { pendingStackName: stackName });
          const { StackId } = await cfn.createStack({
            StackName: stackName,
            TemplateBody: set.templateBody,
            Parameters: parameters,
            Capabilities: set.capabilities as never,
            Tags: set.tags,
          });
          inst.stackId = StackId;
          this.patch(t, op, r, { stackId: StackId, pendingStackName: undefined });
        }
      }
      await this.engine.idle(inst.stackId!);
      this.settle(t, set, op, r, inst);
    } catch (e) {
      this.finish(t, op, r, inst, "FAILED", e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * The target account gate (the User Guide's "Prevent failed StackSets deployments using target account gates"): a
   * Lambda function named AWSCloudFormationStackSetAccountGate in the target account and Region, invoked as the
   * execution role, whose answer `{"Status": "SUCCEEDED"}` lets the operation proceed there; any other answer, or
   * an error, fails it. No such function: SKIPPED, and the operation proceeds.
   */
  private async accountGate(who: Identity): Promise<NonNullable<OperationResultRec["accountGate"]>> {
    const lambda = this.host.context("cloudformation", "AccountGate", who).client("lambda");
    let out: Awaited<ReturnType<typeof lambda.invoke>>;
    try {
      out = await lambda.invoke({ FunctionName: ACCOUNT_GATE, Payload: new TextEncoder().encode("{}") });
    } catch (e) {
      if (e instanceof ServiceError && e.code === "ResourceNotFoundException") return NO_ACCOUNT_GATE;
      return { status: "FAILED", statusReason: `${ACCOUNT_GATE} could not be invoked: ${e instanceof Error ? e.message : String(e)}` }; // unverified wording
    }
    let status: unknown;
    try {
      status = (JSON.parse(new TextDecoder().decode(out.Payload ?? new Uint8Array())) as { Status?: unknown } | null)?.Status;
    } catch {
      status = undefined;
    }
    if (!out.FunctionError && status === "SUCCEEDED") return { status: "SUCCEEDED" };
    // Unverified wording: AWS's reason for a gate that did not succeed is not recorded in a public source.
    return {
      status: "FAILED",
      statusReason: `${ACCOUNT_GATE} returned ${out.FunctionError ? `an error (${out.FunctionError})` : `status ${JSON.stringify(status ?? null)}`}`,
    };
  }

  /**
   * The roles of self-managed permissions, as AWS checks them before it deploys to an account: the administration
   * role in its account, trusting cloudformation.amazonaws.com, then the execution role in the target account,
   * trusting the administration role (its account or its ARN). The principal the stack is deployed as is a
   * session of the execution role.
   */
  private async checkRoles(admin: HandlerContext, op: OperationRec, account: string): Promise<{ principal: Principal } | { failure: string; gate: boolean }> {
    const adminArn = op.administrationRoleArn;
    const [, partition = "aws", , , adminAccount = admin.account, resource = ""] = adminArn.split(":");
    const adminPath = resource.replace(/^role\//, "");
    const adminName = adminPath.split("/").pop() ?? adminPath;
    // AWS's reasons (API Reference's ListStackSetOperationResults example; Control Tower's for the execution role).
    const adminFailure = { failure: `Account ${adminAccount} should have '${adminName}' role with trust relationship to CloudFormation service.`, gate: true };
    const execFailure = {
      failure: `Account ${account} should have '${op.executionRoleName}' role with trust relationship to Role '${adminPath}'.`,
      gate: false,
    };
    const iam = admin.client("iam");
    const role = async (name: string, inAccount: string) => {
      try {
        return (await iam.getRole({ RoleName: name }, { account: inAccount })).Role;
      } catch {
        return undefined;
      }
    };
    const adminRole = await role(adminName, adminAccount);
    if (!adminRole || adminRole.Arn !== adminArn) return adminFailure;
    const trusts = (doc: string, caller: Parameters<typeof evaluatePolicy>[1]["caller"], arn: string) =>
      evaluatePolicy(decodeURIComponent(doc), { caller, action: "sts:AssumeRole", resource: arn }) === "Allow";
    if (!trusts(adminRole.AssumeRolePolicyDocument ?? "", { type: "service", service: "cloudformation.amazonaws.com" }, adminRole.Arn)) return adminFailure;
    const now = new Date(this.host.clock.now()).toISOString();
    const adminSession: Principal = {
      type: "AssumedRole",
      accountId: adminAccount,
      arn: `arn:${partition}:sts::${adminAccount}:assumed-role/${adminName}/${op.operationId}`,
      principalId: `${adminRole.RoleId}:${op.operationId}`,
      session: { issuerType: "Role", issuerArn: adminRole.Arn, issuerPrincipalId: adminRole.RoleId, creationDate: now, mfaAuthenticated: false },
    };
    const execRole = await role(op.executionRoleName, account);
    if (!execRole || !trusts(execRole.AssumeRolePolicyDocument ?? "", { type: "iam", principal: adminSession }, execRole.Arn)) return execFailure;
    const session = `stacksets-exec-${op.operationId}`.slice(0, 64);
    return {
      principal: {
        type: "AssumedRole",
        accountId: account,
        arn: `arn:${partition}:sts::${account}:assumed-role/${op.executionRoleName}/${session}`,
        principalId: `${execRole.RoleId}:${session}`,
        session: { issuerType: "Role", issuerArn: execRole.Arn, issuerPrincipalId: execRole.RoleId, creationDate: now, mfaAuthenticated: false },
      },
    };
  }
}

/** The runner beside each server's engine (its running instance), made by the service's start hook. */
const runners = new WeakMap<Engine, StackSetRunner>();

/** Starts stack sets in a server: resumes what a previous run left in progress, drains at close. */
export function startStackSets(host: ServiceHost, engine: Engine): void {
  const runner = new StackSetRunner(host, engine);
  runners.set(engine, runner);
  runner.resume();
  host.onClosing(() => runner.close());
  host.onDrain(() => runner.drain());
}

const runnerOf = (ctx: HandlerContext): StackSetRunner => {
  const r = runners.get(ctx.instance<Engine>());
  if (!r) throw new ServiceError("InternalFailure", "Stack sets are not started in this server.", 500);
  return r;
};

/** The stack set's values with an instance's overrides on top. */
function mergeParameters(base: Parameter[], overrides: Parameter[]): Parameter[] {
  const out = new Map(base.map((p) => [p.ParameterKey ?? "", p.ParameterValue ?? ""]));
  for (const o of overrides) out.set(o.ParameterKey ?? "", o.ParameterValue ?? "");
  return [...out].map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

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
