// Lambda's running instance in a server (what its start hook returns): the execution engine, the asynchronous
// event queue and the event source mapping pollers. Handlers reach it through their context, background work
// and the function URL route through the service host.
import type { HandlerContext } from "../../core/context.js";
import type { ServiceHost } from "../../core/service.js";
import type { AsyncQueue } from "./async.js";
import type { Engine } from "./engine/index.js";
import type { Pollers } from "./esm-poller.js";

export interface LambdaRunning {
  engine: Engine;
  queue: AsyncQueue;
  pollers: Pollers;
}

/** A Lambda handler's context (its own service's instance) or the service host. */
export type RunningHolder = Pick<HandlerContext, "service" | "instance"> | Pick<ServiceHost, "instance">;

/** Lambda's running instance (undefined before Lambda started in this server). */
export function running(h: RunningHolder): LambdaRunning | undefined {
  // A context names its service (a string); the host's `service` is a method.
  const ctx = h as Partial<Pick<HandlerContext, "service" | "instance">>;
  if (typeof ctx.service === "string") return ctx.instance!<LambdaRunning | undefined>();
  return (h as Pick<ServiceHost, "instance">).instance<LambdaRunning>("lambda");
}
