// Running canaries, off the request path and durably: each RUNNING canary's next run time is in its record and armed
// on the runtime scheduler; a run is a RUNNING run record stored first, then an invocation of the canary's function
// version (its EngineArn) through Lambda, then the run's artifacts in S3, its metrics and its event. A restart re-arms
// every running canary (runs missed while the server was down are not made up), finishes provisioning left half done,
// and records runs a restart interrupted as failed.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { Cancel } from "../../core/scheduler.js";
import type { ServiceHost } from "../../core/service.js";
import { runFolder, writeArtifacts } from "./artifacts.js";
import { statusChangeEvent, testRunEvent } from "./events.js";
import { recordRunMetrics } from "./metrics.js";
import { createLambda, updateLambda } from "./provision.js";
import { findChromium, nextRun, parseCanarySchedule } from "./schedule.js";
import { type CanaryRec, canaryArn, type RunRec, runKey, synState } from "./state.js";

export interface StepResult {
  stepName: string;
  status: "PASSED" | "FAILED" | "RUNNING";
  failureReason?: string;
  startTime: number;
  endTime?: number;
  duration?: number;
  statusCode?: number;
}

/** What the canary's function returns (runtimes/synthetics/<language>/ wrapper). */
export interface RunResult {
  status: "PASSED" | "FAILED";
  reason?: string;
  startTime: number;
  endTime: number;
  steps: StepResult[];
  requests: { "2xx": number; "4xx": number; "5xx": number; failed: number };
  log: string;
  screenshots?: { name: string; base64: string }[];
  browser?: boolean;
}

const DAY = 86_400_000;
const SWEEP_EVERY = 3_600_000;

export class CanaryRunner {
  private readonly timers = new Map<string, Cancel>();
  private readonly sweep: Cancel;
  constructor(private readonly host: ServiceHost) {
    this.sweep = host.scheduler.every(SWEEP_EVERY, () => this.sweepRuns());
  }

  private ctx(account: string, region: string, op = "RunCanary"): HandlerContext {
    return this.host.context("synthetics", op, { ...this.host.rootIdentity(account, region), invokedBy: "synthetics" });
  }

  private tables(account: string, region: string) {
    return synState.at(this.host, account, region);
  }

  /** Changes a canary's state (stored), with its status-change event. */
  setState(ctx: HandlerContext, c: CanaryRec, state: CanaryRec["state"], patch: Partial<CanaryRec> = {}): CanaryRec {
    const previous = c.state;
    const next: CanaryRec = { ...c, ...patch, state };
    if (state !== "ERROR") {
      delete next.stateReason;
      delete next.stateReasonCode;
    }
    synState.of(ctx).canaries.put(c.name, next);
    if (previous !== state) statusChangeEvent(ctx, next, previous, ctx.now());
    return next;
  }

  /** Provisioning (create or update) off the request path; then READY, or ERROR with Lambda's reason. */
  provisionLater(account: string, region: string, name: string, codeChanged = true): void {
    this.host.scheduler.after(0, () => void this.provision(account, region, name, codeChanged));
  }

  private async provision(account: string, region: string, name: string, codeChanged: boolean): Promise<void> {
    const ctx = this.ctx(account, region, "ProvisionCanary");
    let c = this.tables(account, region).canaries.get(name);
    if (!c?.pending) return;
    const creating = c.pending === "create";
    try {
      const made = creating ? await createLambda(ctx, c) : await updateLambda(ctx, c, codeChanged);
      c = this.tables(account, region).canaries.get(name);
      if (!c) return;
      const previousEngine = c.engineArn;
      const start = c.startAfterProvision;
      c = this.setState(ctx, c, creating ? "READY" : (c.stateBeforeUpdate ?? "READY"), {
        engineArn: made.engineArn,
        layerVersionArn: made.layerVersionArn,
        pending: undefined,
        startAfterProvision: undefined,
        stateBeforeUpdate: undefined,
        lastModified: ctx.now(),
      });
      if (!creating && previousEngine !== made.engineArn)
        statusChangeEvent(ctx, c, c.state, ctx.now(), { executionArn: { "previous-value": previousEngine, "current-value": made.engineArn } });
      if (c.state === "RUNNING") this.arm(account, region, c);
      if (start) this.start(ctx, c);
    } catch (e) {
      c = this.tables(account, region).canaries.get(name);
      if (!c) return;
      this.setState(ctx, c, "ERROR", {
        pending: undefined,
        startAfterProvision: undefined,
        stateBeforeUpdate: undefined,
        stateReason: e instanceof Error ? e.message : String(e),
        stateReasonCode: creating ? "CREATE_FAILED" : "ROLLBACK_COMPLETE",
      });
    }
  }

  /** StartCanary's work once the canary is READY/STOPPED: STARTING, then RUNNING with its first run now. */
  start(ctx: HandlerContext, c: CanaryRec): void {
    const now = ctx.now();
    c = this.setState(ctx, c, "STARTING", { lastStarted: now });
    const dur = c.schedule.DurationInSeconds;
    this.host.scheduler.after(0, () => {
      const cur = this.tables(ctx.account, ctx.region).canaries.get(c.name);
      if (cur?.state !== "STARTING") return;
      const running = this.setState(ctx, cur, "RUNNING", { nextRunAt: now, stopAt: dur > 0 ? now + dur * 1000 : undefined });
      this.arm(ctx.account, ctx.region, running);
    });
  }

  /** StopCanary's work: STOPPING, then STOPPED; the run under way finishes. */
  stop(ctx: HandlerContext, c: CanaryRec): void {
    this.cancel(ctx.account, ctx.region, c.name);
    c = this.setState(ctx, c, "STOPPING", { nextRunAt: undefined, stopAt: undefined });
    this.host.scheduler.after(0, () => {
      const cur = this.tables(ctx.account, ctx.region).canaries.get(c.name);
      if (cur?.state === "STOPPING") this.setState(ctx, cur, "STOPPED", { lastStopped: ctx.now() });
    });
  }

  cancel(account: string, region: string, name: string): void {
    const id = `${account}/${region}/${name}`;
    this.timers.get(id)?.();
    this.timers.delete(id);
  }

  private arm(account: string, region: string, c: CanaryRec): void {
    this.cancel(account, region, c.name);
    if (c.state !== "RUNNING" || c.nextRunAt === undefined) return;
    const id = `${account}/${region}/${c.name}`;
    this.timers.set(
      id,
      this.host.scheduler.at(c.nextRunAt, () => {
        this.timers.delete(id);
        this.fire(account, region, c.name);
      }),
    );
  }

  /** A due run: stored as RUNNING with the next one armed, then carried out asynchronously. */
  private fire(account: string, region: string, name: string): void {
    const ctx = this.ctx(account, region);
    const t = this.tables(account, region);
    const c = t.canaries.get(name);
    if (c?.state !== "RUNNING" || c.nextRunAt === undefined) return;
    const now = ctx.now();
    if (c.stopAt !== undefined && now >= c.stopAt) {
      this.setState(ctx, c, "STOPPED", { nextRunAt: undefined, stopAt: undefined, lastStopped: now });
      return;
    }
    const run: RunRec = { id: randomUUID(), canary: name, state: "RUNNING", started: now, artifactS3Location: runFolder(c, region, now) };
    const schedule = parseCanarySchedule(c.schedule.Expression);
    const next = nextRun(schedule, now, c.lastStarted ?? now);
    t.runs.put(runKey(name, now, run.id), run);
    const updated = { ...c, nextRunAt: next, lastRun: runKey(name, now, run.id) };
    t.canaries.put(name, updated);
    this.arm(account, region, updated);
    void this.execute(ctx, updated, run, next === undefined);
  }

  private async execute(ctx: HandlerContext, c: CanaryRec, run: RunRec, once: boolean): Promise<void> {
    let result: RunResult;
    let reasonCode: RunRec["stateReasonCode"] = "CANARY_FAILURE";
    try {
      const out = await ctx.client("lambda").invoke({
        FunctionName: c.engineArn!,
        Payload: Buffer.from(
          JSON.stringify({
            canaryName: c.name,
            canaryArn: canaryArn(ctx, c.name),
            runId: run.id,
            handler: c.code.Handler,
            runtimeVersion: c.runtimeVersion,
            chromium: findChromium(),
          }),
        ),
      });
      const payload = out.Payload ? JSON.parse(Buffer.from(out.Payload).toString("utf8") || "null") : null;
      if (out.FunctionError) {
        const msg = payload?.errorMessage ?? `the canary's function failed (${out.FunctionError})`;
        result = this.failed(run.started, ctx.now(), String(msg));
      } else result = payload as RunResult;
    } catch (e) {
      result = this.failed(run.started, ctx.now(), e instanceof Error ? e.message : String(e));
    }
    let passed = result.status === "PASSED";
    let reason = result.reason;
    try {
      await writeArtifacts(ctx, c, run.id, run.artifactS3Location, passed, result, reason);
    } catch (e) {
      // Artifacts that could not be saved fail the run as an EXECUTION_FAILURE (CanaryRunStatus, API reference).
      if (passed) reasonCode = "EXECUTION_FAILURE";
      passed = false;
      reason ??= `Failed to upload the run's artifacts to ${run.artifactS3Location}: ${e instanceof Error ? e.message : String(e)}`; // unverified wording
    }
    this.complete(ctx, c.name, run, passed, reason, reasonCode, result, once);
  }

  private failed(started: number, now: number, reason: string): RunResult {
    return {
      status: "FAILED",
      reason,
      startTime: started,
      endTime: now,
      steps: [],
      requests: { "2xx": 0, "4xx": 0, "5xx": 0, failed: 0 },
      log: `${new Date(now).toISOString()} ERROR: ${reason}\n`,
    };
  }

  private complete(
    ctx: HandlerContext,
    name: string,
    run: RunRec,
    passed: boolean,
    reason: string | undefined,
    code: RunRec["stateReasonCode"],
    r: RunResult,
    once: boolean,
  ): void {
    const t = synState.of(ctx);
    const now = ctx.now();
    const done: RunRec = {
      ...run,
      state: passed ? "PASSED" : "FAILED",
      completed: now,
      ...(passed ? {} : { stateReason: (reason ?? "Canary failed").slice(0, 1024), stateReasonCode: code }),
    };
    t.runs.put(runKey(name, run.started, run.id), done);
    const c = t.canaries.get(name);
    recordRunMetrics(this.host, ctx.account, ctx.region, name, passed, r, run.started);
    if (!c) return;
    testRunEvent(ctx, c, done, now);
    // A run-once canary (rate(0 minute)) stops after its run.
    if (once && c.state === "RUNNING" && c.nextRunAt === undefined) this.setState(ctx, c, "STOPPED", { lastStopped: now, stopAt: undefined });
  }

  /** The service's start: provisioning left half done, running canaries re-armed, interrupted runs failed. */
  resume(): void {
    const now = this.host.clock.now();
    for (const { account, region, tables } of synState.all(this.host, "canaries")) {
      for (const { value: c } of tables.canaries.list()) {
        if (c.pending) this.provisionLater(account, region, c.name);
        else if (c.state === "STARTING" || c.state === "STOPPING") {
          const ctx = this.ctx(account, region);
          if (c.state === "STARTING") this.start(ctx, c);
          else this.stop(ctx, c);
        } else if (c.state === "RUNNING" && c.nextRunAt !== undefined) {
          const schedule = parseCanarySchedule(c.schedule.Expression);
          const due = c.nextRunAt >= now ? c.nextRunAt : (nextRun(schedule, now, c.lastStarted ?? now) ?? now);
          const armed = { ...c, nextRunAt: due };
          tables.canaries.put(c.name, armed);
          this.arm(account, region, armed);
        }
      }
    }
    const reason = "The run was interrupted: Stratus stopped while it ran"; // Stratus's own wording
    for (const { tables } of synState.all(this.host, "runs"))
      for (const { key, value: r } of tables.runs.list())
        if (r.state === "RUNNING") tables.runs.put(key, { ...r, state: "FAILED", completed: now, stateReason: reason, stateReasonCode: "EXECUTION_FAILURE" });
  }

  /** Run records past the canary's SuccessRetentionPeriodInDays / FailureRetentionPeriodInDays are deleted. */
  sweepRuns(): void {
    const now = this.host.clock.now();
    for (const { tables } of synState.all(this.host, "runs")) {
      for (const { key, value: r } of tables.runs.list()) {
        if (r.state === "RUNNING") continue;
        const c = tables.canaries.get(r.canary);
        const days = c ? (r.state === "PASSED" ? c.successRetentionPeriodInDays : c.failureRetentionPeriodInDays) : 0;
        if ((r.completed ?? r.started) + days * DAY <= now) tables.runs.delete(key);
      }
    }
  }

  stopAll(): void {
    this.sweep();
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }
}

export const runnerOf = (ctx: HandlerContext): CanaryRunner => ctx.instance<CanaryRunner>();
