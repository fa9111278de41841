// The service contract: what a service folder implements (handlers, a start hook, wire deviations) and what it
// declares in the registry before it loads; and the narrow ServiceHost a service sees of the running server.
// Services import this, never the runtime, the gateway or the server (test/architecture.test.ts holds that).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditSink } from "./audit-types.js";
import type { BlobStore } from "./blobs.js";
import type { Clock } from "./clock.js";
import type { HandlerContext } from "./context.js";
import type { Exchange } from "./exchange.js";
import type { HttpRequest, ProtocolName } from "./http.js";
import type { CredentialResolver, CredentialSource, Principal, RootCredential } from "./identity.js";
import type { Logger } from "./log.js";
import type { ServiceModel, WireTraits } from "./model.js";
import type { ResourcePolicyGuard } from "./policy/resource-guard.js";
import type { Scheduler } from "./scheduler.js";
import type { StateHolder } from "./state.js";
import type { ResourceProvider, ResourceTypesDeclaration } from "./resources.js";

// biome-ignore lint/suspicious/noExplicitAny: each handler takes its own operation's input type
export type Handler = (input: any, ctx: HandlerContext) => unknown;

export interface ServiceDefinition {
  /** Folder name, as in the registry. */
  name: string;
  handlers: Record<string, Handler>;
  /**
   * Called once when the service starts in a server (on its first call, or with the server when it asked to
   * start at boot): timers, sweeps, resuming pending work. Returns a stop function, if it has anything to stop,
   * or the service's running instance (its engine, queues, pollers), which the runtime keeps for the service's
   * handlers (`ctx.instance()`) and background work (`host.instance(name)`), with its stop function.
   */
  start?(host: ServiceHost): (() => void) | void | { instance: unknown; stop?(): void };
  /**
   * The resource policies the service keeps (bucket, key, queue, topic, secret, function policies): which resource
   * and policy each call acts on, so the runtime refuses an explicit Deny before the handler runs, in every auth mode.
   */
  resourcePolicy?: ResourcePolicyGuard;
}

export function defineService(def: ServiceDefinition): ServiceDefinition {
  return def;
}

export type AuthMode = "none" | "sigv4";

export interface HostOptions {
  auth: AuthMode;
  /** Root credentials valid out of the box (default test/test). */
  rootCredentials: RootCredential[];
  defaultRegion: string;
  maxBodyBytes: number;
  /** The user's project: Node.js functions find the AWS SDK in its node_modules first (default: the working directory). */
  projectDir?: string;
}

/** Who calls and from where: what a handler context is made from. */
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

export interface DispatchOptions {
  /**
   * Record the call in the audit trail, invokedBy the calling service, as AWS does for calls it makes on a
   * caller's behalf (default true). Off for a service's own background polling that AWS does not log.
   */
  audit?: boolean;
}

/** What a service sees of the server it runs in. Implemented by the runtime; nothing else is reachable. */
export interface ServiceHost extends StateHolder {
  readonly options: Readonly<HostOptions>;
  /** The data directory (the store's file, blobs, and what a service keeps on disk beside them). */
  readonly dataDir: string;
  readonly blobs: BlobStore;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: AuditSink;
  /** The server's base URL once it listens (e.g. http://127.0.0.1:4566). */
  readonly url?: string;
  /** Work to stop as soon as the server starts closing, before in-flight requests finish (running functions). */
  onClosing(fn: () => void): void;
  /** Work to finish before the store closes (log writes), awaited when the server stops. */
  onDrain(fn: () => Promise<void>): void;
  /** The root caller of an account (default: the default account and region), for background work. */
  rootIdentity(account?: string, region?: string): Identity;
  /** A handler context for background work done as `who` (a resumed delivery, a poller). */
  context(service: string, operation: string, who: Identity): HandlerContext;
  /** Calls an operation in-process: the service's own validation, then its handler (the gateway's path too). */
  call(service: string, operation: string, input: Record<string, unknown>, who: Identity, opts?: DispatchOptions): Promise<Record<string, unknown>>;
  /** The one credential resolver: root keys, then every declared source (IAM keys, STS sessions). */
  readonly credentials: CredentialResolver;
  model(service: string): ServiceModel;
  /** The provider of a CloudFormation resource type, from the service that declares it; undefined if none does. */
  resourceProvider(type: string): Promise<ResourceProvider | undefined>;
  /** Every CloudFormation resource type some service declares, sorted (ListTypes, Cloud Control). */
  resourceTypes(): string[];
  /** A started service's running instance (what its start hook returned), or undefined before it starts. */
  instance<T>(service: string): T | undefined;
}

/**
 * The base URL (no trailing slash) a client, a function or a proxied caller reaches this server on, for the URLs a
 * service hands out (queue URLs, SNS's certificate and subscription links, custom resources' response URLs):
 * STRATUS_PUBLIC_URL when set (behind a proxy, in a container), else the URL the server listens on; undefined before
 * it listens.
 */
export function publicBaseUrl(host: { readonly url?: string } | undefined): string | undefined {
  return (process.env.STRATUS_PUBLIC_URL || host?.url)?.replace(/\/$/, "");
}

/** An HTTP endpoint a service serves beside its AWS API (function URLs, SNS's certificate), checked first. */
export interface HttpRoute {
  /** Whether the request is this route's, by its Host or path. Cheap: runs for every request. */
  matches(host: string, path: string): boolean;
  /** The route's handler, loaded on first use like the service itself. */
  load(): Promise<{ default: (host: ServiceHost, req: IncomingMessage, res: ServerResponse) => void | Promise<void> }>;
}

/** What a service may do differently from its protocol's generic handling, at fixed points of the pipeline. */
export interface Quirk {
  /**
   * Whether the request's Host names this service in a form the generic host patterns do not know (S3's
   * virtual-hosted buckets), asked before any other routing. May rewrite the request to the form routing
   * expects (path style); returns the region the Host names, if any.
   */
  claimHost?(req: HttpRequest): { region?: string } | undefined;
  /** Whether a request nothing else identified (no target, signature scope, service Host or Action) is this service's. */
  claimUnmarked?(req: HttpRequest): boolean;
  /** Instead of buffering: take the body as a stream (returns true when it did). Runs once the service is known. */
  openBody?(x: Exchange): boolean;
  /** Before authentication: may answer the request itself by setting x.response (S3's CORS preflight, POST uploads). */
  beforeAuth?(x: Exchange): void | Promise<void>;
  /** After authentication, before routing: what needs the verified caller (S3's chunk signatures). */
  afterAuth?(x: Exchange): void;
  /** After the output is serialized: response changes the model cannot express (S3's 206, CORS headers). */
  decorate?(x: Exchange): void | Promise<void>;
}

/**
 * One service's declaration: everything the gateway and runtime need before the service loads. Adding a
 * service is its folder plus one of these in services/registry.ts (docs/ADDING-A-SERVICE.md).
 */
export interface ServiceRegistration {
  /** Folder name: the @aws-sdk/client-<name> suffix. */
  name: string;
  /** botocore's model name (data/<botocore>/…/service-2.json). */
  botocore: string;
  /** The handlers, loaded on the service's first call. Absent: every operation answers NotImplemented. */
  load?: () => Promise<{ default: ServiceDefinition }>;
  /** Deviations from the generic wire handling (S3's uploads and signatures, SQS's query names). */
  quirk?: Quirk;
  /** HTTP endpoints beside the AWS API (function URLs, SNS's signing certificate). */
  routes?: HttpRoute[];
  /** The largest request body this service takes, when AWS allows more than the server's general limit. */
  bodyLimit?: number;
  /**
   * The service's own wording of invalid input, instead of the generic model validation (S3 has no
   * ValidationException). Runs for HTTP requests and in-process calls alike.
   */
  validate?(model: ServiceModel, operation: string, input: Record<string, unknown>): void;
  /** The generic validation's error code (default: ValidationError when the caller speaks query or ec2, else ValidationException). */
  validationCode?: string;
  /** Where access keys come from besides the root keys (IAM's access keys, STS's sessions). Small modules. */
  credentialSource?: CredentialSource;
  /** The CloudTrail eventSource host, when it is not `<signingName>.amazonaws.com`. */
  eventSource?: string;
  /** Protocol traits the botocore model lacks (S3's bare errors, namespace, 405s), read by the codec. */
  wire?: WireTraits;
  /** Values AWS accepts beyond the model's constraints, per operation and member, each with its source. */
  relaxed?: Relaxations;
  /** The CloudFormation resource types this service runs (core/resources.ts), loaded when a template uses one. */
  resources?: ResourceTypesDeclaration;
}

/**
 * Where a service accepts more than its model says (SQS's ReceiveMessage AttributeNames takes the message-system
 * names): per operation, per top-level input member, the values the generic validation lets through. A list's
 * accepted elements are left out of the model check; the rest is checked as usual.
 */
export type Relaxations = Record<string, Record<string, (value: string) => boolean>>;

/** A catalogued service's routing facts (models/index.json, made by codegen) with its declaration. */
export interface ServiceInfo {
  name: string;
  protocols: ProtocolName[];
  jsonVersion?: string;
  targetPrefix?: string;
  signingName: string;
  endpointPrefix: string;
  serviceId: string;
  apiVersion: string;
  awsQueryCompatible?: boolean;
  /** Where services share a signing name (API Gateway's two APIs): the first path segments of this one's operations. */
  pathRoots?: string[];
  /** CloudTrail's eventSource, e.g. iam.amazonaws.com. */
  eventSource: string;
  declared: ServiceRegistration;
}
