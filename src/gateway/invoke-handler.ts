// The service's handler for the operation: (input, ctx) → output. Missing handlers answer NotImplemented.
import { CommonErrors } from "../core/errors.js";
import { identityOf, type Exchange } from "./exchange.js";

export async function invokeHandler(x: Exchange): Promise<void> {
  const op = x.operation!;
  let def = x.runtime.service(x.service!.name);
  if (def instanceof Promise) def = await def;
  const handler = def?.handlers[op.charAt(0).toLowerCase() + op.slice(1)];
  if (!handler) throw CommonErrors.notImplemented(x.service!.serviceId, op);
  const ctx = x.runtime.context(x.service!.name, op, identityOf(x));
  x.output = ((await handler(x.input!, ctx)) ?? {}) as Record<string, unknown>;
}
