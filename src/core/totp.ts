// RFC 6238 time-based one-time passwords (SHA-1, 6 digits, 30 s steps) and RFC 4648 Base32, for MFA devices.
import { nodeCrypto } from "./lazy.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(buf: Buffer): string {
  let bits = 0,
    value = 0,
    out = "";
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/=+$/, "").replace(/\s/g, "");
  const out: number[] = [];
  let bits = 0,
    value = 0;
  for (const c of clean) {
    const i = ALPHABET.indexOf(c);
    if (i < 0) throw new Error(`not Base32: ${c}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new 40-byte seed, Base32 as IAM returns it (64 characters). */
export function newTotpSeed(): string {
  return base32Encode(nodeCrypto().randomBytes(40));
}

export function totpAt(seed: Buffer, timeMs: number, stepSeconds = 30, digits = 6): string {
  const counter = Math.floor(timeMs / 1000 / stepSeconds);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = nodeCrypto().createHmac("sha1", seed).update(msg).digest();
  const off = h[h.length - 1] & 0xf;
  const code = (h.readUInt32BE(off) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, "0");
}

/** The time step (counter) a code matches within one step of drift either side of now, or undefined. */
export function matchTotp(seedBase32: string, code: string, nowMs: number, drift = 1): number | undefined {
  const seed = base32Decode(seedBase32);
  const step = Math.floor(nowMs / 30_000);
  for (let d = -drift; d <= drift; d++) {
    if (totpAt(seed, (step + d) * 30_000) === code) return step + d;
  }
  return undefined;
}
