// What a handler sees of its request: who calls, where (account, region), the scoped store, time,
// and an in-process client for calling other services' operations.
import type { Principal } from "./identity.js";
import type { Store } from "./store/types.js";
import type { Scheduler } from "./scheduler.js";
import type { BlobStore } from "./blobs.js";
import type { CredentialResolver } from "./identity.js";
import type { STORE } from "./state.js";

export interface CallOptions {
  account?: string;
  region?: string;
  principal?: Principal;
}

/**
 * Every service's API by folder name, as its handlers take it. Each generated api.generated.ts adds its own entry
 * (declaration merging), so the typed client below needs no import of any service from core.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging from every api.generated.ts
export interface ServiceApis {}

/** A service's operations as an in-process client: `(input, opts?) => Promise<output>`, named as the handlers. */
export type ClientOf<A> = {
  readonly [K in keyof A]: A[K] extends (input: infer I, ctx: HandlerContext) => infer O ? (input: I, opts?: CallOptions) => Promise<Awaited<O>> : never;
};

export interface HandlerContext {
  /** The store, for the service's state definition (`defineState(…).of(ctx)`); handlers use that, not this. */
  readonly [STORE]: Store;
  /** Service folder name, e.g. "iam". */
  readonly service: string;
  /** Operation name as the model spells it, e.g. "GetUser". */
  readonly operation: string;
  readonly requestId: string;
  readonly account: string;
  readonly region: string;
  readonly principal: Principal;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** The Host header the client addressed (absent for in-process calls), for URLs handed back such as SQS queue URLs. */
  readonly host?: string;
  /**
   * For a call another service makes in-process: that service's folder name (CloudFormation's engine: "cloudformation"),
   * as CloudTrail records it invokedBy; absent for a client's request. What AWS lets only its own services do keys on it
   * (a system tag such as aws:cloudformation:stack-name, core/tags.ts).
   */
  readonly invokedBy?: string;
  /** The current time in epoch ms (the server's injectable clock). */
  now(): number;
  /** Runs work later on the runtime clock (tests move a ManualClock instead of sleeping). */
  readonly scheduler: Scheduler;
  /** From now on, start this service with the server (it has work to resume after a restart). */
  startAtBoot(): void;
  /** Large content as files beside the database (object bodies); records keep the blob id. */
  readonly blobs: BlobStore;
  /** Resolves access keys (root keys, IAM keys, STS sessions): whose key is this. */
  readonly credentials: CredentialResolver;
  /** The service's running instance, as its start hook returned it (its engine, queues, pollers). */
  instance<T>(): T;
  /**
   * A typed in-process client of another service: `ctx.client("sqs").getQueueUrl({ QueueName })` goes through that
   * service's validation and handler as an SDK call would (the same dispatch as `call`), typed end to end.
   */
  client<K extends keyof ServiceApis>(service: K): ClientOf<ServiceApis[K]>;
  /** Calls another service's operation in-process, through validation and its handler, as an SDK would. */
  call<O = Record<string, unknown>>(service: string, operation: string, input: object, opts?: CallOptions): Promise<O>;
}
