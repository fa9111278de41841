// The execution engine of one running Stratus: warm pools of execution environments per function version,
// concurrency (reserved and account limits, 429 when over), cold starts on demand with a bounded number
// spawning at once, idle recycling, and the START/END/REPORT bookkeeping around each invocation.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { mkdirSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { globalArn } from "../../../core/arn.js";
import type { ServiceHost } from "../../../core/service.js";
import { issueSession } from "../../sts/internal.js";
import { findRoleByArn } from "../../iam/internal.js";
import type { FunctionConfiguration } from "../api.generated.js";
import { ResourceConflictException, TooManyRequestsException } from "../api.generated.js";
import type { CodeRef, FunctionRec, VersionRec } from "../state.js";
import { lambdaState, versionKey } from "../state.js";
import { running, type RunningHolder } from "../running.js";
import { CodeCache } from "./code-cache.js";
import { Instance, newInstanceId, type InvocationResult, type LaunchSpec } from "./instance.js";
import { assertNotImage, launchSpec, versionWarning } from "./launch.js";
import { LogDelivery } from "../../../core/log-delivery.js";
import { platformLines, streamName, type LogTarget } from "./logs.js";
import { runtimeInfo } from "../runtimes.js";
import { LambdaMetrics, type MetricTarget } from "./metrics.js";

/** The engine of this server (a Lambda handler's context or the host; undefined before Lambda started there). */
export const engineOf = (h: RunningHolder): Engine | undefined => running(h)?.engine;

export interface InvokeRequest {
  account: string;
  region: string;
  fn: FunctionRec;
  version: VersionRec;
  /** The ARN the caller used (qualified when it named a version or alias). */
  invokedArn: string;
  payload: Buffer;
  requestId: string;
  clientContext?: string;
  traceId?: string;
  /** For streaming callers: see InvocationInput. */
  onStreamStart?: (contentType: string) => void;
  onChunk?: (chunk: Buffer) => void;
  /**
   * An event from the asynchronous queue: it waits a moment for a busy environment of the function to finish before a
   * new one is started for it, as Lambda's queue hands the next event to the warm environment that frees up.
   */
  queued?: boolean;
}

export interface InvokeResult {
  /** The function's answer, or the error document. */
  payload: Buffer;
  functionError?: "Unhandled";
  /** The invocation's log lines (platform lines included), for LogType Tail. */
  log: string;
  executedVersion: string;
  errorType?: string;
  /** The function streamed its answer (its chunks already went to onChunk), with this content type. */
  streamed?: boolean;
  contentType?: string;
}

const ACCOUNT_LIMIT = 1000;
// Starting a runtime is CPU-bound (Node.js or Python loading): more starting at once than there are cores makes
// every one of them ready later, and starves the server's own event loop (bench/lambda.ts measures it).
const MAX_PARALLEL_SPAWNS = Number(process.env.STRATUS_LAMBDA_MAX_SPAWNS ?? Math.max(2, availableParallelism()));
const IDLE_MS = Number(process.env.STRATUS_LAMBDA_IDLE_SECONDS ?? 600) * 1000;
// How long a function's log lines wait for the next invocations' lines on the same stream to join their
// PutLogEvents batch. Each batch is one Logs call (one SQLite commit and one audit event), which under load
// cost more than the invocation itself; Lambda's own delivery to CloudWatch Logs takes longer than this.
const LOG_WINDOW_MS = Number(process.env.STRATUS_LAMBDA_LOG_WINDOW_MS ?? 100);
// How long a queued (asynchronous) event waits for a busy environment to free up before one is started for it: as long
// as the function's last cold start took (it would not run sooner on a new environment), at least MIN and at most MAX.
// A cold start costs the server a process spawn and the machine a runtime's init; a short function frees its
// environment sooner.
const QUEUED_PATIENCE_MIN_MS = 250;
const QUEUED_PATIENCE_MAX_MS = 2000;

interface Waiter {
  take: (i: Instance) => void;
  fail: (e: unknown) => void;
  /** Whether a new environment may be started for it (a queued event waiting for a busy one to free up is not, yet). */
  eager: boolean;
}

/** The execution environments of one function version with one code and configuration. */
class Pool {
  readonly idle: Instance[] = [];
  readonly all = new Set<Instance>();
  readonly waiting: Waiter[] = [];
  /** Environments started and not yet through their init (bounded by MAX_PARALLEL_SPAWNS). */
  spawning = 0;
  /** Of those, the ones still being set up, which take the first invocation in line once they are. */
  claiming = 0;
  retired = false;
  /** The last cold start's init duration here (how long a queued event waits for a busy environment instead). */
  initMs = 0;

  constructor(
    readonly key: string,
    readonly functionKey: string,
    readonly makeSpec: (instanceId: string) => Promise<{ spec: LaunchSpec; log: LogTarget; credentialsExpire: number }>,
  ) {}
}

export class Engine {
  private readonly pools = new Map<string, Pool>();
  private readonly inFlight = new Map<string, number>();
  private readonly accountInFlight = new Map<string, number>();
  readonly code: CodeCache;
  readonly logs: LogDelivery;
  private readonly tmpRoot: string;
  /** One file per running environment (its pid), so a server killed with -9 can end them when it starts again. */
  private readonly pidDir: string;
  private readonly sweeper: () => void;
  private stopped = false;
  private readonly instanceLog = new WeakMap<Instance, LogTarget>();
  private readonly credentialsExpire = new WeakMap<Instance, number>();
  private readonly metrics: LambdaMetrics;

  constructor(private readonly runtime: ServiceHost) {
    this.code = new CodeCache(runtime.dataDir, runtime.blobs, runtime.options.projectDir ?? process.cwd());
    this.logs = new LogDelivery(runtime, { service: "lambda", delayMs: LOG_WINDOW_MS });
    this.metrics = new LambdaMetrics(runtime);
    this.tmpRoot = join(runtime.dataDir, "lambda", "tmp");
    rmSync(this.tmpRoot, { recursive: true, force: true });
    mkdirSync(this.tmpRoot, { recursive: true });
    this.pidDir = join(runtime.dataDir, "lambda", "pids");
    endOrphans(this.pidDir, join(runtime.dataDir, "lambda"));
    mkdirSync(this.pidDir, { recursive: true });
    // Idle environments are recycled on the runtime clock (a test's ManualClock drives it).
    this.sweeper = runtime.scheduler.every(Math.min(IDLE_MS, 30_000), () => this.recycleIdle());
    process.once("exit", this.killAllSync);
    runtime.onDrain(() => this.logs.drain());
    runtime.onClosing(() => this.stop());
    // A fresh data directory's SDK farm takes some milliseconds to build: off the first Invoke's path.
    setImmediate(() => this.stopped || this.refreshNodeSdk()).unref();
  }

  baseUrl(): string | undefined {
    return this.runtime.url;
  }

  private readonly killAllSync = () => {
    for (const p of this.pools.values()) for (const i of p.all) i.kill();
  };

  stop(): void {
    this.stopped = true;
    this.sweeper();
    process.removeListener("exit", this.killAllSync);
    this.killAllSync();
    this.pools.clear();
  }

  /** Unpacks the code (and layers) of a version so its first invocation does not wait for it. */
  async prepare(v: VersionRec): Promise<void> {
    if (!v.code) return;
    await this.code.prepare(v.code, this.layerCode(v.config));
  }

  /** Ends the environments of a function (or one qualified version) whose code or configuration changed. */
  retire(arn: string): void {
    for (const [key, pool] of this.pools) {
      if (key === arn || key.startsWith(`${arn}:`) || key.startsWith(`${arn}#`)) {
        pool.retired = true;
        for (const i of pool.idle.splice(0)) i.kill();
        this.pools.delete(key);
      }
    }
  }

  private layerCode(c: FunctionConfiguration): CodeRef[] {
    return (c.Layers ?? []).map((l) => {
      const m = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]+):(\d+)$/.exec(l.Arn ?? "");
      const rec = m ? lambdaState.at(this.runtime, m[2]!, m[1]!).layers.get(versionKey(m[3]!, m[4]!)) : undefined;
      if (!rec) throw new ResourceConflictException(`Layer version ${l.Arn} does not exist.`, { Type: "User" });
      return rec.code;
    });
  }

  private functionKey(r: Pick<InvokeRequest, "account" | "region" | "fn">): string {
    return `${r.account}/${r.region}/${r.fn.name}`;
  }

  /** Admits an invocation under the function's reserved concurrency and the account's limit, or throws 429 (a Throttle). */
  private admit(r: InvokeRequest, target: MetricTarget): () => void {
    const fk = this.functionKey(r);
    const n = this.inFlight.get(fk) ?? 0;
    const reserved = r.fn.reservedConcurrency;
    const acct = this.accountInFlight.get(r.account) ?? 0;
    const now = this.runtime.clock.now();
    if (reserved !== undefined ? n >= reserved : acct >= ACCOUNT_LIMIT) {
      this.metrics.throttled(target, now);
      throw new TooManyRequestsException("Rate Exceeded.", {
        Type: "User",
        Reason: reserved !== undefined ? "ReservedFunctionConcurrentInvocationLimitExceeded" : "ConcurrentInvocationLimitExceeded",
      });
    }
    // What the concurrency metrics count: this region's executions, the function's, its version's or alias's, and
    // those of functions without reserved concurrency.
    const rk = `${r.account}/${r.region}`;
    const qk = target.qualifier !== undefined ? `${fk}:${target.qualifier}` : fk;
    const uk = reserved === undefined ? `${rk}#unreserved` : undefined;
    const counted = [fk, rk, ...(qk !== fk ? [qk] : []), ...(uk ? [uk] : [])];
    for (const k of counted) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    this.accountInFlight.set(r.account, acct + 1);
    const fnNow = n + 1;
    this.metrics.admitted(
      target,
      { region: this.inFlight.get(rk)!, fn: fnNow, resource: this.inFlight.get(qk)!, unreserved: uk ? this.inFlight.get(uk) : undefined },
      now,
    );
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of counted) this.inFlight.set(k, (this.inFlight.get(k) ?? 1) - 1);
      this.accountInFlight.set(r.account, (this.accountInFlight.get(r.account) ?? 1) - 1);
    };
  }

  /** Invocations of a function running now (for ConcurrentExecutions metrics and tests). */
  running(account: string, region: string, name: string): number {
    return this.inFlight.get(`${account}/${region}/${name}`) ?? 0;
  }

  /** Runs one invocation synchronously; throws AWS's errors for what stops it before the function runs. */
  async invoke(r: InvokeRequest): Promise<InvokeResult> {
    if (this.stopped) throw new ResourceConflictException("The server is stopping.", { Type: "User" });
    const c = r.version.config;
    if (c.State === "Failed" || c.State === "Inactive") {
      throw new ResourceConflictException(`The operation cannot be performed at this time. The function is currently in the following state: ${c.State}`, {
        Type: "User",
      });
    }
    const pool = this.pool(r);
    const target = metricTarget(r);
    const release = this.admit(r, target);
    try {
      const instance = await this.acquire(pool, r.queued === true);
      const log = this.instanceLog.get(instance)!;
      const version = c.Version ?? "$LATEST";
      const startedAt = this.runtime.clock.now();
      const result = await instance.invoke({
        requestId: r.requestId,
        payload: r.payload,
        invokedArn: r.invokedArn,
        timeout: c.Timeout ?? 3,
        clientContext: r.clientContext,
        traceId: r.traceId,
        onStreamStart: r.onStreamStart,
        onChunk: r.onChunk,
      });
      // Killed by the server stopping: nothing more may be written (the store is closing).
      if (this.stopped) throw new ResourceConflictException("The server is stopping.", { Type: "User" });
      if (result.initDurationMs !== undefined) pool.initMs = result.initDurationMs;
      return this.report(r, target, log, version, c, startedAt, result);
    } finally {
      release();
    }
  }

  private readonly poolKeys = new Map<string, string>();

  /**
   * Environments are shared by invocations of the same version with the same code and the settings a process
   * is started with; a change that does not touch those (a permission, a description) keeps them warm.
   */
  private poolKey(c: FunctionConfiguration): string {
    const rev = `${c.FunctionArn}#${c.RevisionId}`;
    let key = this.poolKeys.get(rev);
    if (!key) {
      const launch = [
        c.CodeSha256,
        c.Runtime,
        c.Handler,
        c.Role,
        c.MemorySize,
        c.Environment,
        c.Layers,
        c.LoggingConfig,
        c.EphemeralStorage,
        c.Architectures,
        c.PackageType,
      ];
      key = `${c.FunctionArn}#${createHash("sha256").update(JSON.stringify(launch)).digest("hex").slice(0, 24)}`;
      if (this.poolKeys.size > 10_000) this.poolKeys.clear();
      this.poolKeys.set(rev, key);
    }
    return key;
  }

  private pool(r: InvokeRequest): Pool {
    const c = r.version.config;
    const key = this.poolKey(c);
    let pool = this.pools.get(key);
    if (pool) return pool;
    // A container image cannot run here: InvalidRuntimeException at Invoke (other runtimes fail as they launch).
    assertNotImage(c);
    const code = r.version.code;
    if (!code) throw new ResourceConflictException(`The function has no code: ${c.FunctionArn}`, { Type: "User" });
    const layers = this.layerCode(c);
    const group = c.LoggingConfig?.LogGroup ?? `/aws/lambda/${c.FunctionName}`;
    const endpoint = this.runtime.url ?? "http://127.0.0.1:4566";
    const node = runtimeInfo(c.Runtime).kind === "node";
    const makeSpec = async (instanceId: string) => {
      const prepared = await this.code.prepare(code, layers);
      // Each new Node.js environment sees the SDK packages installed since the last one (cheap when none were).
      if (node) this.refreshNodeSdk();
      const log: LogTarget = { account: r.account, region: r.region, group, stream: streamName(c.Version ?? "$LATEST", instanceId, this.runtime.clock.now()) };
      const credentials = this.credentials(r.account, r.region, c);
      return {
        spec: launchSpec({ config: c, code: prepared, region: r.region, logGroup: group, logStream: log.stream, endpoint, credentials }),
        log,
        credentialsExpire: credentials.expiration,
      };
    };
    // Validate launchability (runtime installed, bootstrap present) before admitting anything.
    pool = new Pool(key, this.functionKey(r), makeSpec);
    this.pools.set(key, pool);
    return pool;
  }

  private refreshNodeSdk(): void {
    try {
      this.code.nodeSdk.refresh();
    } catch (e) {
      // The function may not import the SDK at all; one that does gets Runtime.ImportModuleError saying how to add it.
      this.runtime.logger.warn(`Lambda: cannot link the AWS SDK for Node.js functions: ${(e as Error).message}`);
    }
  }

  /** The execution role's session credentials, as Lambda hands them to the function. */
  private credentials(account: string, region: string, c: FunctionConfiguration) {
    const ctx = this.runtime.context("sts", "AssumeRole", this.runtime.rootIdentity(account, region));
    const role = findRoleByArn(this.runtime, /:(\d{12}):/.exec(c.Role ?? "")?.[1] ?? account, c.Role ?? "");
    const name = c.FunctionName ?? "function";
    const roleName = role?.roleName ?? (c.Role ?? "").split("/").pop() ?? "role";
    const roleAccount = /:(\d{12}):/.exec(c.Role ?? "")?.[1] ?? account;
    const session = issueSession(ctx, {
      kind: "AssumeRole",
      durationSeconds: 12 * 3600,
      principal: {
        type: "AssumedRole",
        accountId: roleAccount,
        arn: globalArn(roleAccount, "sts", `assumed-role/${roleName}/${name}`),
        principalId: `${role?.roleId ?? "AROA0000000000000000"}:${name}`,
        session: {
          issuerType: "Role",
          issuerArn: c.Role ?? "",
          issuerPrincipalId: role?.roleId ?? "",
          issuerUserName: roleName,
          creationDate: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
          mfaAuthenticated: false,
        },
      },
    });
    return { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken, expiration: session.expiration };
  }

  /**
   * An idle environment, or a new one when none frees up first; waits in line while others start. A queued event
   * first waits up to QUEUED_PATIENCE_MS for a busy or starting environment instead of starting another.
   */
  private acquire(pool: Pool, queued: boolean): Promise<Instance> {
    // An environment whose role credentials are about to expire (on the runtime clock) is replaced, not reused.
    const soon = this.runtime.clock.now() + 5 * 60_000;
    let idle: Instance | undefined;
    while ((idle = pool.idle.pop()) && (this.credentialsExpire.get(idle) ?? Infinity) < soon) idle.kill();
    if (idle) return Promise.resolve(idle);
    return new Promise<Instance>((take, fail) => {
      if (!queued || pool.all.size - pool.idle.length + pool.claiming === 0) {
        pool.waiting.push({ take, fail, eager: true });
        return this.scale(pool);
      }
      const w: Waiter = {
        take: (i) => (clearTimeout(timer), take(i)),
        fail: (e) => (clearTimeout(timer), fail(e)),
        eager: false,
      };
      const patience = Math.min(QUEUED_PATIENCE_MAX_MS, Math.max(QUEUED_PATIENCE_MIN_MS, pool.initMs));
      const timer = setTimeout(() => {
        w.eager = true;
        if (!this.stopped && pool.waiting.includes(w)) this.scale(pool);
      }, patience);
      pool.waiting.push(w);
    });
  }

  /**
   * Starts another environment unless MAX_PARALLEL_SPAWNS are already initialising or every invocation in line
   * already has one being set up for it. An environment counts against the limit until its init is over, so a
   * burst starts environments a few at a time and the rest of the line goes to whichever is free first (a warm
   * one that finished, or a new one), instead of starting one process per invocation all at once.
   */
  private scale(pool: Pool): void {
    if (pool.spawning >= MAX_PARALLEL_SPAWNS || pool.claiming >= pool.waiting.filter((w) => w.eager).length) return;
    this.spawn(pool).catch((e: unknown) => {
      // Launching failed (python3 missing, no bootstrap…): it would fail for everyone in line.
      for (const w of pool.waiting.splice(0)) w.fail(e);
    });
  }

  private async spawn(pool: Pool): Promise<void> {
    pool.spawning++;
    pool.claiming++;
    let initialising = true;
    // Frees the slot once init is over (or the environment died first), and starts another if some wait.
    const initOver = () => {
      if (!initialising) return;
      initialising = false;
      pool.spawning--;
      if (!this.stopped && pool.waiting.length) this.scale(pool);
    };
    let instance: Instance | undefined;
    try {
      const id = newInstanceId();
      const { spec, log, credentialsExpire } = await pool.makeSpec(id);
      instance = new Instance(spec, Number(spec.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 128), this.tmpRoot, id, () => this.runtime.clock.now());
      this.instanceLog.set(instance, log);
      this.credentialsExpire.set(instance, credentialsExpire);
      const warning = versionWarning(spec.env.AWS_EXECUTION_ENV?.replace(/^AWS_Lambda_/, ""));
      if (warning) this.logs.write(log, [{ timestamp: this.runtime.clock.now(), message: warning }]);
      pool.all.add(instance);
      instance.onIdle = (i) => this.released(pool, i);
      instance.onInit = initOver;
      instance.onDead = (i) => {
        if (i.pid) rmSync(join(this.pidDir, String(i.pid)), { force: true });
        pool.all.delete(i);
        const at = pool.idle.indexOf(i);
        if (at >= 0) pool.idle.splice(at, 1);
        if (initialising) return initOver();
        // Invocations still in line need an environment in its place.
        if (!this.stopped && pool.waiting.length) this.scale(pool);
      };
      await instance.start();
      if (instance.pid && instance.state !== "dead") writeFileSync(join(this.pidDir, String(instance.pid)), "");
    } catch (e) {
      if (initialising) {
        initialising = false;
        pool.spawning--;
      }
      throw e;
    } finally {
      pool.claiming--;
    }
    // The environment takes the first invocation in line at once; its init runs as part of it (a cold start).
    // Without one it becomes idle when its runtime first asks for work, and no longer holds a slot (with no
    // invocation on it, nothing would end an init that never finishes).
    const w = pool.waiting.shift();
    if (w) w.take(instance);
    else initOver();
  }

  private released(pool: Pool, i: Instance): void {
    if (pool.retired || this.stopped) return i.kill();
    const w = pool.waiting.shift();
    if (w) {
      i.state = "busy";
      return w.take(i);
    }
    if (!pool.idle.includes(i)) pool.idle.push(i);
  }

  private recycleIdle(): void {
    const cutoff = this.runtime.clock.now() - IDLE_MS;
    for (const pool of this.pools.values()) {
      for (const i of [...pool.idle]) {
        if (i.lastUsed < cutoff) {
          pool.idle.splice(pool.idle.indexOf(i), 1);
          i.kill();
        }
      }
    }
  }

  /** START/END/REPORT, the output in CloudWatch Logs, and the answer Invoke gives. */
  private report(
    r: InvokeRequest,
    target: MetricTarget,
    log: LogTarget,
    version: string,
    c: FunctionConfiguration,
    startedAt: number,
    res: InvocationResult,
  ): InvokeResult {
    const { lines, errorPayload } = platformLines(r.requestId, c, version, startedAt, res, () => this.runtime.clock.now());
    const o = res.outcome;
    const end = lines.at(-1)!.timestamp;
    this.logs.write(log, lines);
    this.metrics.invoked(target, res.durationMs, o.kind !== "response", end);
    const text = lines.map((l) => `${l.message}\n`).join("");
    if (o.kind === "response") return { payload: o.payload, log: text, executedVersion: version, streamed: o.streamed, contentType: o.contentType };
    return { payload: o.kind === "error" ? o.payload : errorPayload!, functionError: "Unhandled", log: text, executedVersion: version, errorType: o.errorType };
  }
}

/** The function, qualifier and executed version an invocation's metrics are published under. */
function metricTarget(r: InvokeRequest): MetricTarget {
  const qualifier = r.invokedArn.split(":")[7];
  return {
    account: r.account,
    region: r.region,
    functionName: r.fn.name,
    ...(qualifier !== undefined ? { qualifier } : {}),
    executedVersion: r.version.config.Version ?? "$LATEST",
  };
}

/**
 * Ends the environments a previous server on this data directory left running (it was killed with -9, so it
 * could not end them): each pid recorded in `pidDir` whose process still works inside this data directory
 * (its cwd is a function's code folder here) is killed with its process group.
 */
function endOrphans(pidDir: string, lambdaDir: string): void {
  let pids: string[];
  try {
    pids = readdirSync(pidDir);
    lambdaDir = realpathSync(lambdaDir);
  } catch {
    return;
  }
  for (const name of pids) {
    const pid = Number(name);
    try {
      if (Number.isInteger(pid) && pid > 1 && readlinkSync(`/proc/${pid}/cwd`).startsWith(lambdaDir)) process.kill(-pid, "SIGKILL");
    } catch {
      // Gone already, not ours, or no /proc here.
    }
    rmSync(join(pidDir, name), { force: true });
  }
}

/** Creates this server's engine (Lambda's start hook); it stops with `stop()`. */
export function startEngine(runtime: ServiceHost): Engine {
  return new Engine(runtime);
}
