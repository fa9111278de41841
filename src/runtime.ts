// One running Stratus: its options, store, clock, logger, audit trail, and the in-process way to call
// any operation (validation + handler) that both the HTTP gateway and service-to-service calls use.
import { randomUUID } from "node:crypto";
import type { Clock } from "./core/clock.js";
import { systemClock } from "./core/clock.js";
import { Scheduler } from "./core/scheduler.js";
import { BlobStore } from "./core/blobs.js";
import type { CallOptions, HandlerContext } from "./core/context.js";
import { CommonErrors, isServiceError } from "./core/errors.js";
import type { Principal, RootCredential } from "./core/identity.js";
import { registerCredentialSource, rootPrincipal, DEFAULT_ACCOUNT } from "./core/identity.js";
import type { Logger } from "./core/log.js";
import { loadModel, type ServiceModel } from "./core/model.js";
import type { Store, ScopeKind } from "./core/store/types.js";
import { scopeKey } from "./core/store/types.js";
import { validateInput } from "./core/validate.js";
import type { AuditSink } from "./core/audit-types.js";
import { noAudit } from "./core/audit-types.js";
import { auditedCall } from "./gateway/record-audit.js";
import { CREDENTIAL_SOURCES, loadDefinition, serviceByName } from "./services/registry.js";
import type { ServiceDefinition } from "./services/types.js";

export type AuthMode = "none" | "sigv4";

export interface RuntimeOptions {
  auth: AuthMode;
  /** Root credentials valid out of the box (default test/test). */
  rootCredentials: RootCredential[];
  defaultRegion: string;
  maxBodyBytes: number;
  /** The user's project: Node.js functions find the AWS SDK in its node_modules first (default: the working directory). */
  projectDir?: string;
}

export interface Identity {
  account: string;
  region: string;
  principal: Principal;
  requestId?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The Host header of an HTTP request (for URLs handed back, e.g. SQS queue URLs). */
  host?: string;
  /** For a service-to-service call: the calling service's folder name (CloudTrail's invokedBy). */
  invokedBy?: string;
}

export class Runtime {
  readonly startedAt: number;
  readonly scheduler: Scheduler;
  readonly blobs: BlobStore;
  audit: AuditSink = noAudit;
  /** The server's base URL once it listens (e.g. http://127.0.0.1:4566); SNS puts it in SigningCertURL. */
  url?: string;
  private stops: (() => void)[] = [];

  constructor(
    readonly options: RuntimeOptions,
    readonly store: Store,
    readonly logger: Logger,
    readonly clock: Clock = systemClock,
  ) {
    this.startedAt = clock.now();
    this.scheduler = new Scheduler(clock, (e) => logger.error("a scheduled task failed", e));
    this.blobs = new BlobStore(store.dataDir);
    for (const source of CREDENTIAL_SOURCES) registerCredentialSource(source);
  }

  private readonly ready = new Map<string, ServiceDefinition>();
  private readonly starting = new Map<string, Promise<ServiceDefinition | undefined>>();
  private stopped = false;

  private startService(def: ServiceDefinition): void {
    if (this.ready.has(def.name) || this.stopped) return;
    this.ready.set(def.name, def);
    const stop = def.start?.(this);
    if (stop) this.stops.push(stop);
  }

  private readonly bootMarked = new Set<string>();

  /**
   * Asks that `service` be started with the server from now on, not on its first call: it has work that
   * must resume after a restart without anyone calling it (SNS deliveries still pending).
   */
  startAtBoot(service: string): void {
    if (this.bootMarked.has(service)) return;
    this.bootMarked.add(service);
    this.store.table<true>("stratus:boot-services", "").put(service, true);
  }

  /** Starts the services that asked to be started with the server. */
  async bootServices(): Promise<void> {
    for (const { key } of this.store.table<true>("stratus:boot-services", "").list()) {
      this.bootMarked.add(key);
      await this.service(key);
    }
  }

  /**
   * The service's definition, loaded and started (its start hook) in this runtime on its first call, so
   * start-up does not pay for every service; undefined when it has no handlers.
   */
  service(name: string): ServiceDefinition | undefined | Promise<ServiceDefinition | undefined> {
    const ready = this.ready.get(name);
    if (ready) return ready;
    let p = this.starting.get(name);
    if (!p) {
      p = loadDefinition(name).then((def) => {
        if (def) this.startService(def);
        return def;
      });
      this.starting.set(name, p);
    }
    return p;
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.stops.splice(0)) s();
    this.scheduler.stop();
    this.audit.flush();
  }

  private readonly closings: (() => void)[] = [];

  /** Work to stop as soon as the server starts closing, before in-flight requests finish (running functions). */
  onClosing(fn: () => void): void {
    this.closings.push(fn);
  }

  /** The server is closing: stop what would keep in-flight requests waiting. */
  closing(): void {
    for (const fn of this.closings.splice(0)) fn();
  }

  private readonly drains: (() => Promise<void>)[] = [];

  /** Work a service must finish before the store closes (Lambda's log writes); awaited by `drain()`. */
  onDrain(fn: () => Promise<void>): void {
    this.drains.push(fn);
  }

  /** After stop(): waits for the services' last writes (bounded), then flushes the audit trail again. */
  async drain(timeoutMs = 5000): Promise<void> {
    const all = Promise.all(this.drains.splice(0).map((d) => d().catch((e: unknown) => this.logger.error("a service failed to drain", e))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.audit.flush();
  }

  model(service: string): ServiceModel {
    return loadModel(service);
  }

  /** Validates the typed input against the model and runs the handler. Throws ServiceError. */
  async invoke(service: string, operation: string, input: Record<string, unknown>, who: Identity): Promise<Record<string, unknown>> {
    const model = this.model(service);
    const op = model.operations[operation];
    if (!op) throw CommonErrors.unknownOperation("json", operation);
    const protocol = serviceByName(service)?.protocols[0] ?? "json";
    validateInput(model, op.input?.shape, input, protocol === "query" || protocol === "ec2" ? "ValidationError" : "ValidationException");
    const def = await this.service(service);
    const handler = def?.handlers[operation.charAt(0).toLowerCase() + operation.slice(1)];
    if (!handler) throw CommonErrors.notImplemented(model.metadata.serviceId, operation);
    const out = await handler(input, this.context(service, operation, who));
    return (out ?? {}) as Record<string, unknown>;
  }

  context(service: string, operation: string, who: Identity): HandlerContext {
    const runtime = this;
    return {
      service,
      operation,
      requestId: who.requestId ?? randomUUID(),
      account: who.account,
      region: who.region,
      principal: who.principal,
      sourceIp: who.sourceIp ?? "127.0.0.1",
      userAgent: who.userAgent ?? "stratus-internal",
      host: who.host,
      store: this.store,
      now: () => runtime.clock.now(),
      scheduler: runtime.scheduler,
      startAtBoot: () => runtime.startAtBoot(service),
      blobs: runtime.blobs,
      table: <T>(name: string, scope: ScopeKind = "account") => runtime.store.table<T>(`${service}:${name}`, scopeKey(scope, who.account, who.region)),
      call: <O>(svc: string, op: string, input: object, opts: CallOptions = {}) =>
        runtime.call(svc, op, input as Record<string, unknown>, {
          account: opts.account ?? who.account,
          region: opts.region ?? who.region,
          principal: opts.principal ?? who.principal,
          sourceIp: who.sourceIp,
          userAgent: who.userAgent,
          invokedBy: service,
        }) as Promise<O>,
    };
  }

  /** A service-to-service call: same validation and handler as over HTTP, recorded in the audit trail. */
  async call(service: string, operation: string, input: Record<string, unknown>, who: Identity): Promise<Record<string, unknown>> {
    const inner = { ...who, requestId: randomUUID() };
    if (this.logger.level !== "debug") return auditedCall(this, service, operation, input, inner, () => this.invoke(service, operation, input, inner));
    // The debug line the gateway writes per request, marked as a call from another service.
    const started = performance.now();
    const line = (result: string) =>
      this.logger.debug(`AWS ${service}.${operation} (in-process, from ${who.invokedBy ?? "stratus"}) => ${result} (${Math.round(performance.now() - started)} ms)`);
    try {
      const out = await auditedCall(this, service, operation, input, inner, () => this.invoke(service, operation, input, inner));
      line("ok");
      return out;
    } catch (e) {
      line(isServiceError(e) ? `${e.status} ${e.code}` : "failed");
      throw e;
    }
  }

  rootIdentity(account = DEFAULT_ACCOUNT, region = this.options.defaultRegion): Identity {
    return { account, region, principal: rootPrincipal(account) };
  }
}
