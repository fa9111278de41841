// Loads a dependency on first use, synchronously, so start-up does not pay for what a request may never need
// (CBOR, the XML parser, QR codes: ~60 ms of imports a GetCallerIdentity never touches).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function lazy<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}
