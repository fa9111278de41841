// The one dispatch path in-process calls use too: the service's validation in its own wording, then its
// handler (input, ctx) → output; NotImplemented where it has none.
import { identityOf, type Exchange } from "./exchange.js";

export async function dispatch(x: Exchange): Promise<void> {
  x.output = await x.runtime.dispatch(x.service!.name, x.operation!, x.input!, identityOf(x), x.codec!.name);
}
