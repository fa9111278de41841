// Which operation: Action=, X-Amz-Target, the CBOR path, or the REST URI template (most specific wins).
import type { Exchange } from "./exchange.js";

export function resolveOperation(x: Exchange): void {
  x.operation = x.codec!.resolveOperation(x.req, x.model!);
}
