// Asynchronous invocation (InvocationType Event): the event is stored before Invoke answers 202 and run in
// the background. (Retries, event age, destinations and dead-letter queues: next increment.)
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { Resolved } from "./state.js";

export function enqueue(ctx: HandlerContext, r: Resolved, payload: Buffer): void {
  const requestId = ctx.requestId;
  void import("./invoke.js").then(({ runNow }) => runNow(ctx, r, payload, { requestId: requestId ?? randomUUID() })).catch(() => {});
}
