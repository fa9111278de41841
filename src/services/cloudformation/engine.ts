// The stack engine: runs a stack operation in the background as AWS does (the API answers at once; waiters poll),
// resources in dependency order and independent ones in parallel, through each type's provider (the service that
// declares it, core/resources.ts). Every transition is a stack event; every record is in the store before the next
// step, so a server stopped mid-operation resumes it when it starts again (a create is rolled back, a delete or a
// rollback carries on): a stack is never left IN_PROGRESS. Updates, their cleanup and rollback are update.ts's.
import { isServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import { handlerErrorCode, handlerMessage, randomSuffix, type ResourceProvider, ResourceFailure } from "../../core/resources.js";
import type { Identity, ServiceHost } from "../../core/service.js";
import type { Output } from "./api.generated.js";
import { resolveDynamic } from "./dynamic.js";
import { cfnState, type EventRec, type ResourceRec, type StackRec } from "./state.js";
import { Notifier } from "./notifications.js";
import { runTemplate } from "./source.js";
import { type EvalContext, evaluate, evaluateConditions, noExport, type Template, waves } from "./template/index.js";
import { appliedStackTags, taggedProperties } from "./tags.js";
import { validateProperties } from "./types.js";
import { eventKey, nextEventSeq, propertiesJson } from "./events.js";
import { CANCELLED, guardCreate, requested, TIMED_OUT } from "./timeout.js";
import { finishRollback, finishUpdate, rollbackUpdate, runUpdate } from "./update.js";
import { importResource, rollbackImport, runImport } from "./import.js";

export type Tables = ReturnType<typeof cfnState.at>;

/** `<stack>-<logicalId>-<RANDOM>` in at most `max` characters: stack and logical id are cut, the suffix kept. */
export function generatedName(stack: string, logicalId: string, max: number, opts: { suffix?: string; lowercase?: boolean } = {}): string {
  const random = randomSuffix();
  const suffix = opts.suffix ?? "";
  if (max <= 0) return random;
  const room = max - random.length - suffix.length - 2;
  const half = Math.max(1, Math.floor(room / 2));
  const s = stack.slice(0, Math.max(half, room - logicalId.length));
  const l = logicalId.slice(0, room - s.length);
  const name = `${s}-${l}-${random}${suffix}`;
  return opts.lowercase ? name.toLowerCase() : name;
}

/** A provider's failure as CloudFormation words it on the resource (Cloud Control's handler message). */
export function handlerFailure(e: unknown, service: string): string {
  if (e instanceof ResourceFailure) return e.message;
  if (!isServiceError(e)) return `Internal Failure`;
  return `Resource handler returned message: "${handlerMessage(e, `AWS::${service}`)}" (RequestToken: ${uuid4()}, HandlerErrorCode: ${handlerErrorCode(e)})`;
}

/** How long a stack operation's call waits for the stack to settle before answering (Engine.settled); 0 answers at once. */
const SETTLE_MS = Number(process.env.STRATUS_CLOUDFORMATION_SETTLE_MS ?? 3000);

export class Engine {
  private readonly running = new Map<string, Promise<void>>();
  private readonly notifier: Notifier;
  /** Stacks whose running update CancelUpdateStack asked to stop (at its next step; a restart rolls it back anyway). */
  readonly cancelled = new Set<string>();
  /** The record each running operation holds (and writes back at every step). */
  private readonly live = new Map<string, StackRec>();

  constructor(readonly host: ServiceHost) {
    this.notifier = new Notifier(host);
  }

  /** Picks up every operation a previous run left in progress. */
  resume(): void {
    for (const { account, region, tables } of cfnState.all(this.host, "stacks")) {
      for (const { value: s } of tables.stacks.list()) {
        if (s.status === "CREATE_IN_PROGRESS" || s.status === "ROLLBACK_IN_PROGRESS") {
          // A create whose stored deadline passed while Stratus was stopped failed by timing out.
          const reason =
            s.timeoutAt !== undefined && this.host.clock.now() >= s.timeoutAt
              ? `${TIMED_OUT} ${requested(s)}`
              : "Stratus stopped while the stack was being created.";
          this.start(account, region, s.stackId, () => this.rollback(tables, s, reason));
        } else if (s.status === "DELETE_IN_PROGRESS") this.start(account, region, s.stackId, () => this.deleteResources(tables, s));
        else if (s.status === "UPDATE_IN_PROGRESS" || s.status === "UPDATE_ROLLBACK_IN_PROGRESS") {
          this.start(account, region, s.stackId, () => rollbackUpdate(this, tables, s, "Stratus stopped while the stack was being updated."));
        } else if (s.status === "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS") this.start(account, region, s.stackId, () => finishUpdate(this, tables, s));
        else if (s.status === "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS") this.start(account, region, s.stackId, () => finishRollback(this, tables, s));
        else if (s.status === "IMPORT_IN_PROGRESS" || s.status === "IMPORT_ROLLBACK_IN_PROGRESS") {
          this.start(account, region, s.stackId, () => rollbackImport(this, tables, s, "Stratus stopped while resources were being imported."));
        }
      }
    }
  }

  /** Waits for a stack's running operation. */
  idle(stackId: string): Promise<void> {
    return this.running.get(stackId) ?? Promise.resolve();
  }

  /** Waits for every running operation: the server drains them before it closes the store. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
    await this.notifier.drain();
  }

  create(account: string, region: string, stackId: string): void {
    this.start(account, region, stackId, (t, s) => this.runCreate(t, s));
  }

  update(account: string, region: string, stackId: string): void {
    this.start(account, region, stackId, (t, s) => runUpdate(this, t, s));
  }

  delete(account: string, region: string, stackId: string): void {
    this.start(account, region, stackId, (t, s) => this.deleteResources(t, s));
  }

  /** An IMPORT change set's execution (import.ts). */
  importResources(account: string, region: string, stackId: string): void {
    this.start(account, region, stackId, (t, s) => runImport(this, t, s));
  }

  /** RollbackStack: a failed create (CREATE_FAILED) is rolled back, a failed update (UPDATE_FAILED) too. */
  rollbackStack(account: string, region: string, stackId: string): void {
    this.start(account, region, stackId, (t, s) =>
      s.status === "UPDATE_ROLLBACK_IN_PROGRESS" ? rollbackUpdate(this, t, s, "User Initiated") : this.rollback(t, s, "User Initiated"),
    );
  }

  /** ContinueUpdateRollback: the rollback of a failed update runs again (its skipped resources already settled). */
  continueRollback(account: string, region: string, stackId: string): void {
    this.start(account, region, stackId, (t, s) => rollbackUpdate(this, t, s, "User Initiated"));
  }

  /**
   * Whether a resource's DeletionPolicy keeps it when it is removed: Retain always (unless the operation that created
   * it rolls back with RetainExceptOnCreate set), RetainExceptOnCreate except when the operation that created it rolls
   * back (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
   */
  keeps(s: StackRec, rec: ResourceRec, creationRolledBack: boolean): boolean {
    // An imported resource was not created by the operation rolling back: it stays (import.ts).
    if (creationRolledBack && rec.imported) return true;
    if (rec.deletionPolicy === "Retain") return !(creationRolledBack && s.retainExceptOnCreate);
    return rec.deletionPolicy === "RetainExceptOnCreate" && !creationRolledBack;
  }

  /**
   * Resolves when the stack's running operation has ended, or after `ms`, whichever comes first. The stack operations
   * (CreateStack, UpdateStack, DeleteStack, ExecuteChangeSet) wait for it before they answer: clients poll a stack at
   * fixed intervals (the AWS CLI's waiters every 5–30 s, the CDK CLI every 5 s), so a stack that settles within the
   * call is seen settled at their first look instead of one interval later. The operation still runs as on AWS
   * (events, statuses), and one that takes longer is answered IN_PROGRESS at `ms`, to be polled as usual.
   */
  async settled(stackId: string, ms = SETTLE_MS): Promise<void> {
    const run = this.running.get(stackId);
    if (!run || ms <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((ok) => {
      timer = setTimeout(ok, ms);
    });
    try {
      await Promise.race([run, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  private start(account: string, region: string, stackId: string, op: (t: Tables, s: StackRec) => Promise<void>): void {
    const tables = cfnState.at(this.host, account, region);
    const run = (async () => {
      await Promise.resolve();
      const s = tables.stacks.get(stackId);
      if (!s) return;
      this.live.set(stackId, s);
      try {
        await op(tables, s);
      } catch (e) {
        this.host.logger.error(`cloudformation: stack ${s.stackName} operation failed`, e);
      }
    })().finally(() => {
      this.running.delete(stackId);
      this.live.delete(stackId);
      this.cancelled.delete(stackId);
    });
    this.running.set(stackId, run);
  }

  /**
   * Changes a stack's settings (its policy, termination protection) from a handler: in the store and in the record a
   * running operation holds, which it would otherwise write back over the change at its next step.
   */
  patch(t: Tables, s: StackRec, change: Partial<StackRec>): void {
    const running = this.live.get(s.stackId);
    if (running) Object.assign(running, change);
    t.stacks.put(s.stackId, Object.assign(s, change));
  }

  who(s: StackRec): Identity {
    const [, , , region, account] = s.stackId.split(":");
    return { ...this.host.rootIdentity(account, region), invokedBy: "cloudformation" };
  }

  /** Appends a stack event and logs it (one line per transition, for whoever watches the terminal). */
  event(t: Tables, s: StackRec, e: Omit<EventRec, "eventId" | "timestamp">): void {
    const now = this.host.clock.now();
    const n = nextEventSeq(t, s.stackId);
    const stackEvent = e.logicalId === s.stackName && e.type === "AWS::CloudFormation::Stack";
    const eventId = stackEvent ? uuid4() : `${e.logicalId}-${e.status}-${new Date(now).toISOString()}`;
    // A resource's event shows its properties (as recorded, unless the event names the ones it is applying); every
    // event carries the token of the operation that caused it.
    const properties = e.properties ?? (stackEvent ? undefined : propertiesJson(t.resources.get(`${s.stackId}\u0000${e.logicalId}`)?.properties));
    const rec: EventRec = { ...e, properties, clientRequestToken: s.clientRequestToken, eventId, timestamp: now };
    t.events.put(eventKey(s.stackId, n), rec);
    this.notifier.send(s, rec);
    this.host.logger.info(`cloudformation ${s.stackName}: ${e.logicalId} ${e.status}${e.reason ? ` (${e.reason})` : ""}`);
  }

  setStatus(t: Tables, s: StackRec, status: StackRec["status"], reason?: string): void {
    s.status = status;
    s.statusReason = reason;
    t.stacks.put(s.stackId, s);
    this.event(t, s, { logicalId: s.stackName, physicalId: s.stackId, type: "AWS::CloudFormation::Stack", status, reason });
  }

  private async runCreate(t: Tables, s: StackRec): Promise<void> {
    const template = runTemplate(s);
    s.imports = [];
    const ctx = this.host.context("cloudformation", "CreateStack", this.who(s));
    const failed: string[] = [];
    let env: EvalContext;
    try {
      env = this.env(t, s, template);
    } catch (e) {
      return this.setStatus(t, s, "CREATE_FAILED", e instanceof Error ? e.message : String(e));
    }
    // TimeoutInMinutes: past the deadline, what is being created is cancelled and nothing more starts (timeout.ts).
    const guard = guardCreate(this.host, s);
    for (const wave of waves(template)) {
      if (guard.expired()) break;
      // A resource whose Condition is false is not created (and has no record).
      const live = wave.filter((id) => !template.Resources[id].Condition || env.conditions?.[template.Resources[id].Condition!]);
      await Promise.all(live.map((id) => this.createResource(t, s, template, id, ctx, guard.signal).catch(() => failed.push(id))));
      if (failed.length) break;
    }
    const timedOut = guard.expired();
    guard.dispose();
    if (timedOut) {
      if (s.onFailure === "DO_NOTHING") return this.setStatus(t, s, "CREATE_FAILED", TIMED_OUT);
      await this.rollback(t, s, `${TIMED_OUT} ${requested(s)}`);
      if (s.onFailure === "DELETE" && s.status === "ROLLBACK_COMPLETE") await this.deleteResources(t, this.setDeleting(t, s));
      return;
    }
    if (!failed.length) {
      try {
        s.outputs = this.outputs(t, s, template);
      } catch (e) {
        failed.push("Outputs");
        s.statusReason = e instanceof Error ? e.message : String(e);
      }
    }
    if (!failed.length) return this.setStatus(t, s, "CREATE_COMPLETE");
    const reason = `The following resource(s) failed to create: [${failed.sort().join(", ")}]. `;
    if (s.onFailure === "DO_NOTHING") return this.setStatus(t, s, "CREATE_FAILED", reason);
    await this.rollback(t, s, `${reason}${requested(s)}`);
    if (s.onFailure === "DELETE" && s.status === "ROLLBACK_COMPLETE") await this.deleteResources(t, this.setDeleting(t, s));
  }

  private setDeleting(t: Tables, s: StackRec): StackRec {
    this.setStatus(t, s, "DELETE_IN_PROGRESS");
    return s;
  }

  /** What intrinsic functions see: pseudo parameters, parameters, conditions, this stack's resources, exports. */
  env(t: Tables, s: StackRec, template: Template): EvalContext {
    const [, partition, , region, account] = s.stackId.split(":");
    const resource = (id: string) => t.resources.get(`${s.stackId}\u0000${id}`);
    const base: Omit<EvalContext, "conditions"> = {
      pseudo: { accountId: account, region, stackName: s.stackName, stackId: s.stackId, partition, notificationArns: s.notificationArns },
      parameters: Object.fromEntries(Object.entries(s.parameters).map(([k, p]) => [k, p.ref])),
      mappings: template.Mappings,
      resources: new Set(Object.keys(template.Resources)),
      ref: (id) => {
        const r = resource(id);
        return r ? (r.ref ?? r.physicalId) : undefined;
      },
      getAtt: (id, attr) => {
        const r = resource(id);
        const v = r?.attributes?.[attr];
        if (v === undefined && r?.attributeError) throw new Error(r.attributeError.replace("{attr}", attr));
        return v;
      },
      importValue: (name) => {
        if (!s.imports?.includes(name)) s.imports = [...(s.imports ?? []), name];
        for (const { value: other } of t.stacks.list()) {
          if (other.status.endsWith("_COMPLETE") && other.status !== "DELETE_COMPLETE" && !other.status.startsWith("ROLLBACK")) {
            const o = other.outputs?.find((x) => x.ExportName === name);
            if (o) return o.OutputValue;
          }
        }
        throw noExport(name);
      },
    };
    return { ...base, conditions: evaluateConditions(template, base) };
  }

  async createResource(t: Tables, s: StackRec, template: Template, id: string, ctx: ReturnType<ServiceHost["context"]>, signal?: AbortSignal): Promise<void> {
    // A resource the operation imports instead (ImportExistingResources): import.ts.
    const importing = s.importing?.find((i) => i.logicalId === id);
    if (importing) return importResource(this, t, s, template, id, importing.physicalId, ctx);
    const decl = template.Resources[id];
    const key = `${s.stackId}\u0000${id}`;
    const rec: ResourceRec = {
      logicalId: id,
      type: decl.Type,
      status: "CREATE_IN_PROGRESS",
      timestamp: this.host.clock.now(),
      properties: {},
      deletionPolicy: typeof decl.DeletionPolicy === "string" ? decl.DeletionPolicy : undefined,
      updateReplacePolicy: typeof decl.UpdateReplacePolicy === "string" ? decl.UpdateReplacePolicy : undefined,
    };
    t.resources.put(key, rec);
    // The event shows the properties it is created with, when they resolve (else its failure follows).
    let resolved: Record<string, unknown> | undefined;
    try {
      resolved = (evaluate(decl.Properties ?? {}, this.env(t, s, template)) ?? {}) as Record<string, unknown>;
    } catch {
      resolved = undefined;
    }
    this.event(t, s, { logicalId: id, type: decl.Type, status: "CREATE_IN_PROGRESS", properties: propertiesJson(resolved) });
    const fail = (reason: string) => {
      rec.status = "CREATE_FAILED";
      rec.statusReason = reason;
      rec.timestamp = this.host.clock.now();
      t.resources.put(key, rec);
      this.event(t, s, { logicalId: id, physicalId: rec.physicalId, type: decl.Type, status: "CREATE_FAILED", reason });
      throw new Error(reason);
    };
    let provider: ResourceProvider | undefined;
    let properties: Record<string, unknown>;
    try {
      properties = resolved ?? ((evaluate(decl.Properties ?? {}, this.env(t, s, template)) ?? {}) as Record<string, unknown>);
      properties = await resolveDynamic(properties, ctx, rec);
      provider = await this.host.resourceProvider(decl.Type);
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
    // Never a silent success: a type Stratus does not run fails its resource, saying so.
    if (!provider) return fail(`Resource type ${decl.Type} is not supported by Stratus yet: no service here runs it.`);
    // The properties against AWS's resource specification (types.ts): required, unknown and mistyped keys.
    const checked = validateProperties(id, decl.Type, properties);
    if (checked.reason) return fail(checked.reason);
    rec.properties = properties;
    rec.stackTags = appliedStackTags(decl.Type, s);
    try {
      const out = await provider.create({
        ctx,
        stackName: s.stackName,
        stackId: s.stackId,
        logicalId: id,
        type: decl.Type,
        properties: taggedProperties(s, rec, properties),
        generateName: (max, opts) => generatedName(s.stackName, id, max, opts),
        signal,
      });
      Object.assign(rec, {
        physicalId: out.physicalId,
        ref: out.ref,
        attributes: out.attributes,
        noEcho: out.noEcho,
        attributeError: out.attributeError,
        status: "CREATE_COMPLETE",
        timestamp: this.host.clock.now(),
      });
      t.resources.put(key, rec);
      this.event(t, s, { logicalId: id, physicalId: out.physicalId, type: decl.Type, status: "CREATE_COMPLETE" });
    } catch (e) {
      // A failure that still names a physical resource leaves it recorded, so a rollback deletes it (as AWS sends
      // a custom resource whose create failed a Delete).
      if (e instanceof ResourceFailure && e.physicalId) rec.physicalId = e.physicalId;
      return fail(signal?.aborted ? CANCELLED : handlerFailure(e, decl.Type.split("::")[1] ?? "Unknown"));
    }
  }

  outputs(t: Tables, s: StackRec, template: Template): Output[] {
    const base = this.env(t, s, template);
    // A resource whose attributes are secret (a custom resource's NoEcho) shows them masked.
    const env: EvalContext = {
      ...base,
      getAtt: (id, attr) => (t.resources.get(`${s.stackId}\u0000${id}`)?.noEcho ? "*****" : base.getAtt?.(id, attr)),
    };
    return Object.entries(template.Outputs ?? {})
      .filter(([, o]) => !o.Condition || env.conditions?.[o.Condition])
      .map(([key, o]) => {
        const value = evaluate(o.Value, env);
        return {
          OutputKey: key,
          OutputValue: Array.isArray(value) ? value.join(",") : typeof value === "object" ? JSON.stringify(value) : String(value),
          Description: o.Description === undefined ? undefined : String(evaluate(o.Description, env)),
          ExportName: o.Export ? String(evaluate(o.Export.Name, env)) : undefined,
        };
      });
  }

  /** Deletes what a failed create made, dependents first; ROLLBACK_COMPLETE, or ROLLBACK_FAILED if a delete fails. */
  async rollback(t: Tables, s: StackRec, reason: string): Promise<void> {
    if (s.status !== "ROLLBACK_IN_PROGRESS") this.setStatus(t, s, "ROLLBACK_IN_PROGRESS", reason);
    const ok = await this.removeAll(t, s, "CreateStack");
    s.retainExceptOnCreate = undefined;
    this.setStatus(t, s, ok ? "ROLLBACK_COMPLETE" : "ROLLBACK_FAILED", ok ? undefined : "The following resource(s) failed to delete: see the stack's events.");
  }

  /** Another live stack importing one of `exports` (names): AWS's reason when one is, else undefined. */
  exportInUse(t: Tables, s: StackRec, exports: string[], verb: "deleted" | "updated"): string | undefined {
    for (const { value: other } of t.stacks.list()) {
      if (other.stackId === s.stackId || other.status === "DELETE_COMPLETE") continue;
      const name = exports.find((e) => other.imports?.includes(e));
      // Wording as AWS's stack event reads (unverified against a recorded response).
      if (name) return `Export ${name} cannot be ${verb} as it is in use by ${other.stackName}`;
    }
    return undefined;
  }

  private async deleteResources(t: Tables, s: StackRec): Promise<void> {
    const inUse = this.exportInUse(
      t,
      s,
      (s.outputs ?? []).flatMap((o) => (o.ExportName ? [o.ExportName] : [])),
      "deleted",
    );
    if (inUse) return this.setStatus(t, s, "DELETE_FAILED", inUse);
    const ok = await this.removeAll(t, s, "DeleteStack");
    if (!ok) return this.setStatus(t, s, "DELETE_FAILED", "The following resource(s) failed to delete: see the stack's events.");
    s.deletionTime = this.host.clock.now();
    this.setStatus(t, s, "DELETE_COMPLETE");
    if (t.names.get(s.stackName) === s.stackId) t.names.delete(s.stackName);
  }

  /**
   * Deletes the stack's resources in reverse dependency order, honouring DeletionPolicy (a create's rollback is the
   * rollback of the operation that created them all) and DeleteStack's RetainResources.
   */
  private async removeAll(t: Tables, s: StackRec, operation: string): Promise<boolean> {
    // Dependents first (the template's waves, reversed), then any record the template no longer names.
    const order = s.templateBody ? waves(runTemplate(s)).reverse() : [];
    const named = new Set(order.flat());
    const rest = t.resources
      .list({ prefix: `${s.stackId}\u0000` })
      .map((e) => e.value.logicalId)
      .filter((id) => !named.has(id));
    if (rest.length) order.push(rest);
    const ctx = this.host.context("cloudformation", operation, this.who(s));
    let ok = true;
    for (const wave of order) {
      await Promise.all(
        wave.map(async (id) => {
          const key = `${s.stackId}\u0000${id}`;
          const rec = t.resources.get(key);
          if (!rec || rec.status === "DELETE_COMPLETE" || rec.status === "DELETE_SKIPPED") return;
          const retain = this.keeps(s, rec, operation === "CreateStack") || (operation === "DeleteStack" && !!s.retain?.includes(id));
          if (retain || !rec.physicalId) {
            rec.status = retain ? "DELETE_SKIPPED" : "DELETE_COMPLETE";
            t.resources.put(key, rec);
            this.event(t, s, { logicalId: id, physicalId: rec.physicalId, type: rec.type, status: rec.status });
            return;
          }
          rec.status = "DELETE_IN_PROGRESS";
          t.resources.put(key, rec);
          this.event(t, s, { logicalId: id, physicalId: rec.physicalId, type: rec.type, status: "DELETE_IN_PROGRESS" });
          try {
            const provider = await this.host.resourceProvider(rec.type);
            // A replacement an update left unfinished (UPDATE_FAILED, UPDATE_ROLLBACK_FAILED) has two physical resources.
            const other = rec.pending === "replaced" && rec.previous?.physicalId ? [rec.previous] : [];
            for (const { physicalId, properties } of [{ physicalId: rec.physicalId, properties: rec.properties }, ...other]) {
              await provider?.delete({
                ctx,
                stackName: s.stackName,
                stackId: s.stackId,
                logicalId: id,
                type: rec.type,
                physicalId: physicalId!,
                properties,
                generateName: () => physicalId!,
              });
            }
            Object.assign(rec, { pending: undefined, previous: undefined });
            rec.status = "DELETE_COMPLETE";
            rec.statusReason = undefined;
          } catch (e) {
            ok = false;
            rec.status = "DELETE_FAILED";
            rec.statusReason = handlerFailure(e, rec.type.split("::")[1] ?? "Unknown");
          }
          rec.timestamp = this.host.clock.now();
          t.resources.put(key, rec);
          this.event(t, s, { logicalId: id, physicalId: rec.physicalId, type: rec.type, status: rec.status, reason: rec.statusReason });
        }),
      );
    }
    return ok;
  }
}
