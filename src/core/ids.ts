// Random identifiers that are not secrets (request ids, event ids), drawn from Math.random: a request needs one
// before anything else, and node:crypto's randomUUID would load node:crypto (~4 ms of a cold start, issue 10,
// point 10) for the first request that otherwise needs no cryptography (auth none). Keys, secrets, tokens and
// anything an attacker must not guess come from node:crypto (core/lazy.ts's nodeCrypto), never from here.

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** 32 random bits as 8 hex digits. */
const hex32 = (): string => {
  const n = (Math.random() * 0x100000000) >>> 0;
  return HEX[n >>> 24] + HEX[(n >>> 16) & 0xff] + HEX[(n >>> 8) & 0xff] + HEX[n & 0xff];
};

/** A version-4 UUID (RFC 9562 layout: version nibble 4, variant bits 10). */
export function uuid4(): string {
  const a = hex32();
  const b = hex32();
  const c = hex32();
  const d = hex32();
  const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/**
 * A version-7 UUID (RFC 9562: the Unix time in ms in its first 48 bits, then random bits): ids made later sort after
 * earlier ones, so an index on them grows at its right edge (one page written per commit, not one per id).
 */
export function uuid7(ms = Date.now()): string {
  // A v4 layout already has the variant bits; its version nibble (index 14) becomes 7.
  const r = uuid4();
  const t = Math.max(0, Math.min(ms, 0xffffffffffff)).toString(16).padStart(12, "0");
  return `${t.slice(0, 8)}-${t.slice(8)}-7${r.slice(15)}`;
}

/** `bytes` random bytes as hex (trace ids, stream names): no call into OpenSSL on a request's path. */
export function randomHex(bytes: number): string {
  let out = "";
  for (let i = 0; i < bytes; i += 4) out += hex32();
  return out.slice(0, bytes * 2);
}

/** `bytes` random bytes as base64 (API Gateway's extendedRequestId). */
export function randomBase64(bytes: number): string {
  return Buffer.from(randomHex(bytes), "hex").toString("base64");
}
