// Stack set operations as they run: in the background, one at a time per stack set, deploying each instance as a
// real stack through the engine after the roles (and the account gate) are checked; resumed when a server starts
// again (stacksets.ts is the API that starts them).
import { partitionOf } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import type { Principal } from "../../core/identity.js";
import { evaluatePolicy } from "../../core/policy/evaluate.js";
import type { Identity, ServiceHost } from "../../core/service.js";
import type { Parameter } from "./api.generated.js";
import type { Engine } from "./engine.js";
import {
  instanceKey,
  type OperationRec,
  type OperationResultRec,
  operationKey,
  type SetTables,
  type StackInstanceRec,
  type StackSetRec,
  setState,
} from "./stackset-state.js";
import { cfnState, type StackRec } from "./state.js";

export const validation = (message: string) => new ServiceError("ValidationError", message, 400);
export const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
export const ACTIVE_OPERATION = new Set(["RUNNING", "STOPPING", "QUEUED"]);
export const DEFAULT_EXECUTION_ROLE = "AWSCloudFormationStackSetExecutionRole";
export const defaultAdministrationRole = (ctx: HandlerContext) =>
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

export const runnerOf = (ctx: HandlerContext): StackSetRunner => {
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
