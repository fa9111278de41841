// One running Stratus: its options, store, clock, logger, audit trail, and the one dispatch path (the service's
// validation, then its handler) that both the HTTP gateway and service-to-service calls use. It implements the
// ServiceHost services see and the GatewayHost the gateway sees; the catalog comes from the composition root
// (server.ts), so the runtime imports nothing but core.
import { uuid4 } from "./core/ids.js";
import type { Clock } from "./core/clock.js";
import { systemClock, elapsedMs } from "./core/clock.js";
import { Scheduler } from "./core/scheduler.js";
import { BlobStore } from "./core/blobs.js";
import { blobRows } from "./core/store/blob-rows.js";
import type { CallOptions, ClientOf, HandlerContext, ServiceApis } from "./core/context.js";
import { CommonErrors, isServiceError } from "./core/errors.js";
import { CredentialResolver, rootPrincipal, principalIn, DEFAULT_ACCOUNT, type CredentialSource } from "./core/identity.js";
import type { Logger } from "./core/log.js";
import { loadModel, type ServiceModel } from "./core/model.js";
import type { Store } from "./core/store/types.js";
import { STORE } from "./core/state.js";
import { validateInput } from "./core/validate.js";
import { explicitlyDenied } from "./core/policy/resource-guard.js";
import type { AuditSink } from "./core/audit-types.js";
import { noAudit } from "./core/audit-types.js";
import type { Catalog } from "./core/catalog.js";
import type { GatewayHost } from "./core/exchange.js";
import type { ProtocolName } from "./core/http.js";
import type { DispatchOptions, HostOptions, Identity, ServiceDefinition } from "./core/service.js";
import type { ResourceProvider, ResourceTypesDeclaration } from "./core/resources.js";

export type { AuthMode, Identity } from "./core/service.js";
export type RuntimeOptions = HostOptions;

export class Runtime implements GatewayHost {
  readonly startedAt: number;
  readonly scheduler: Scheduler;
  readonly blobs: BlobStore;
  readonly credentials: CredentialResolver;
  audit: AuditSink = noAudit;
  /** The server's base URL once it listens (e.g. http://127.0.0.1:4566); SNS puts it in SigningCertURL. */
  url?: string;
  private stops: (() => void)[] = [];

  constructor(
    readonly options: RuntimeOptions,
    readonly store: Store,
    readonly logger: Logger,
    readonly catalog: Catalog,
    readonly clock: Clock = systemClock,
  ) {
    this.startedAt = clock.now();
    this.scheduler = new Scheduler(clock, (e) => logger.error("a scheduled task failed", e));
    this.blobs = new BlobStore(store.dataDir, store.durability, {
      rows: blobRows(store),
      onError: (msg, err) => logger.error(msg, err),
    });
    const sources = catalog.services.map((s) => s.declared.credentialSource).filter((c): c is CredentialSource => !!c);
    this.credentials = new CredentialResolver(store, options.rootCredentials, sources);
  }

  private readonly ready = new Map<string, ServiceDefinition>();
  private readonly starting = new Map<string, Promise<ServiceDefinition | undefined>>();
  private stopped = false;

  private readonly instances = new Map<string, unknown>();

  private startService(def: ServiceDefinition): void {
    if (this.ready.has(def.name)) return;
    this.ready.set(def.name, def);
    const started = def.start?.(this);
    const stop = typeof started === "function" ? started : started?.stop && (() => started.stop!());
    if (started && typeof started !== "function") this.instances.set(def.name, started.instance);
    // First called while the server drains (Lambda's last log lines after stop()): its handlers get their
    // instance like any other call's, and what it started (timers, pollers) stops at once.
    if (stop) this.stopped ? stop() : this.stops.push(stop);
  }

  instance<T>(service: string): T | undefined {
    return this.instances.get(service) as T | undefined;
  }

  get [STORE](): Store {
    return this.store;
  }

  get dataDir(): string {
    return this.store.dataDir;
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
      p = this.catalog.load(name).then((def) => {
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

  /** The service's model, with the protocol traits its registry entry declares (the codecs read them). */
  private providers?: Map<string, ResourceTypesDeclaration>;

  private declaredTypes(): Map<string, ResourceTypesDeclaration> {
    if (!this.providers) {
      this.providers = new Map();
      for (const s of this.catalog.services) for (const t of s.declared.resources?.types ?? []) this.providers.set(t, s.declared.resources!);
    }
    return this.providers;
  }

  /** Every CloudFormation resource type some service declares (runs), sorted. */
  resourceTypes(): string[] {
    return [...this.declaredTypes().keys()].sort();
  }

  /** The provider of a CloudFormation resource type among the services' declarations; undefined if none runs it. */
  async resourceProvider(type: string): Promise<ResourceProvider | undefined> {
    const providers = this.declaredTypes();
    // Every `Custom::<Name>` runs as AWS::CloudFormation::CustomResource (its provider gets the name as the request's type).
    const name = /^Custom::/.test(type) && !providers.has(type) ? "AWS::CloudFormation::CustomResource" : type;
    const decl = providers.get(name);
    return decl ? (await decl.load()).default[name] : undefined;
  }

  model(service: string): ServiceModel {
    const model = loadModel(service);
    if (!model.wire) {
      const wire = this.catalog.named(service)?.declared.wire;
      if (wire) model.wire = wire;
    }
    return model;
  }

  /**
   * The one dispatch path, for HTTP requests (the gateway) and in-process calls alike: the service's own
   * validation of the typed input (S3's wording, or the model's constraints in its protocol's error code), then
   * its handler; NotImplemented where it has none. `protocol` is the one the caller spoke (default: the
   * service's first), which decides the generic validation's error code. Throws ServiceError.
   */
  async dispatch(service: string, operation: string, input: Record<string, unknown>, who: Identity, protocol?: ProtocolName): Promise<Record<string, unknown>> {
    const info = this.catalog.named(service);
    const model = this.model(service);
    const op = model.operations[operation];
    if (!info || !op) throw CommonErrors.unknownOperation("json", operation);
    if (info.declared.validate) info.declared.validate(model, operation, input);
    else {
      const spoken = protocol ?? info.protocols[0];
      const relaxed = info.declared.relaxed?.[operation];
      validateInput(
        model,
        op.input?.shape,
        relaxed ? withoutRelaxed(input, relaxed) : input,
        info.declared.validationCode ?? (spoken === "query" || spoken === "ec2" ? "ValidationError" : "ValidationException"),
      );
    }
    let def = this.service(service);
    if (def instanceof Promise) def = await def;
    const handler = def?.handlers[operation.charAt(0).toLowerCase() + operation.slice(1)];
    if (!handler) throw CommonErrors.notImplemented(model.metadata.serviceId, operation);
    const ctx = this.context(service, operation, who);
    // Calls between services carry no caller of their own to decide (SNS delivering to a queue is the service
    // principal on AWS, with keys Stratus does not model yet): resource policies are decided for callers' requests.
    const guard = def?.resourcePolicy;
    if (guard && !who.invokedBy) {
      const denied = await explicitlyDenied(guard, input, ctx);
      if (denied) throw guard.denied(ctx, denied);
    }
    const out = await handler(input, ctx);
    return (out ?? {}) as Record<string, unknown>;
  }

  context(service: string, operation: string, who: Identity): HandlerContext {
    const ctx: HandlerContext = {
      service,
      operation,
      requestId: who.requestId ?? uuid4(),
      account: who.account,
      region: who.region,
      principal: principalIn(who.principal, who.region),
      sourceIp: who.sourceIp ?? "127.0.0.1",
      userAgent: who.userAgent ?? "stratus-internal",
      host: who.host,
      invokedBy: who.invokedBy,
      [STORE]: this.store,
      instance: <T>() => this.instances.get(service) as T,
      client: <K extends keyof ServiceApis>(svc: K) => this.client(svc, ctx) as ClientOf<ServiceApis[K]>,
      now: () => this.clock.now(),
      scheduler: this.scheduler,
      startAtBoot: () => this.startAtBoot(service),
      blobs: this.blobs,
      credentials: this.credentials,
      call: <O>(svc: string, op: string, input: object, opts: CallOptions = {}) =>
        this.call(svc, op, input as Record<string, unknown>, {
          account: opts.account ?? who.account,
          region: opts.region ?? who.region,
          principal: opts.principal ?? who.principal,
          sourceIp: who.sourceIp,
          userAgent: who.userAgent,
          invokedBy: service,
        }) as Promise<O>,
    };
    return ctx;
  }

  /** The typed client `ctx.client(service)`: each operation, named as its handler, is `ctx.call` of that operation. */
  private client(service: string, ctx: HandlerContext): Record<string, (input: object, opts?: CallOptions) => Promise<unknown>> {
    return new Proxy({} as Record<string, (input: object, opts?: CallOptions) => Promise<unknown>>, {
      get: (target, method) => {
        if (typeof method !== "string") return undefined;
        return (target[method] ??= (input: object, opts?: CallOptions) => ctx.call(service, method.charAt(0).toUpperCase() + method.slice(1), input, opts));
      },
    });
  }

  /**
   * A service-to-service call: the same dispatch as over HTTP, recorded in the audit trail invokedBy the calling
   * service unless `opts.audit` is false; with --log-level debug, one line marked as in-process.
   */
  async call(service: string, operation: string, input: Record<string, unknown>, who: Identity, opts: DispatchOptions = {}): Promise<Record<string, unknown>> {
    const inner = Object.assign({}, who, { requestId: who.requestId ?? uuid4() });
    const run = () => (opts.audit === false ? this.dispatch(service, operation, input, inner) : this.audited(service, operation, input, inner));
    if (this.logger.level !== "debug") return run();
    // The debug line the gateway writes per request, marked as a call from another service.
    const started = elapsedMs();
    const line = (result: string) =>
      this.logger.debug(`AWS ${service}.${operation} (in-process, from ${who.invokedBy ?? "stratus"}) => ${result} (${Math.round(elapsedMs() - started)} ms)`);
    try {
      const out = await run();
      line("ok");
      return out;
    } catch (e) {
      line(isServiceError(e) ? `${e.status} ${e.code}` : "failed");
      throw e;
    }
  }

  /** Dispatches and records the call, invokedBy the calling service, as AWS does. */
  private async audited(
    service: string,
    operation: string,
    input: Record<string, unknown>,
    who: Identity & { requestId: string },
  ): Promise<Record<string, unknown>> {
    const time = this.clock.now();
    let output: Record<string, unknown> | undefined;
    let error: unknown;
    try {
      output = await this.dispatch(service, operation, input, who);
      return output;
    } catch (e) {
      error = e;
      throw e;
    } finally {
      const info = this.catalog.named(service);
      const caller = who.invokedBy ? this.catalog.named(who.invokedBy) : undefined;
      const err = error === undefined ? undefined : isServiceError(error) ? error : CommonErrors.internalFailure();
      if (info) {
        this.audit.record({
          time,
          service,
          eventSource: info.eventSource,
          operation,
          account: who.account,
          region: who.region,
          principal: who.principal,
          sourceIp: who.sourceIp ?? "AWS Internal",
          userAgent: who.userAgent ?? "AWS Internal",
          requestId: who.requestId,
          input,
          output,
          errorCode: err?.code,
          errorMessage: err?.message,
          internal: true,
          invokedBy: caller?.eventSource,
        });
      }
    }
  }

  rootIdentity(account = DEFAULT_ACCOUNT, region = this.options.defaultRegion): Identity {
    return { account, region, principal: rootPrincipal(account) };
  }
}

/** The input as the model check sees it: the values the service declares it accepts beyond the model left out. */
function withoutRelaxed(input: Record<string, unknown>, relaxed: Record<string, (value: string) => boolean>): Record<string, unknown> {
  const out = { ...input };
  for (const [member, accepts] of Object.entries(relaxed)) {
    const v = out[member];
    if (Array.isArray(v)) out[member] = v.filter((x) => !(typeof x === "string" && accepts(x)));
    else if (typeof v === "string" && accepts(v)) delete out[member];
  }
  return out;
}
