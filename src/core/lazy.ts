// Loads a dependency on first use, synchronously, so start-up does not pay for what a request may never need
// (CBOR, the XML parser, QR codes: ~60 ms of imports a GetCallerIdentity never touches).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function lazy<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}

/**
 * node:crypto and node:zlib, for modules that start-up loads: requiring either costs a cold start ~1–4 ms, and the
 * first request (auth none) needs neither. Call sites write `nodeCrypto().createHash(…)`.
 */
export const nodeCrypto = lazy<typeof import("node:crypto")>("node:crypto");
export const nodeZlib = lazy<typeof import("node:zlib")>("node:zlib");
