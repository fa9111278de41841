// CRC32, CRC32C and CRC64NVME, table-driven and incremental, registered as S3's checksum algorithms. S3's wire layer
// loads this at start-up, so the tables and node:zlib come on first use (~1.5 ms of a cold start otherwise).
import { registerChecksum, type Checksummer } from "./blobs.js";
import { nodeZlib } from "./lazy.js";

/** Slice-by-8 tables for a reflected 32-bit CRC: eight bytes per step instead of one. */
function tables32(poly: number): Uint32Array[] {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[0][i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) for (let k = 1; k < 8; k++) t[k][i] = (t[k - 1][i] >>> 8) ^ t[0][t[k - 1][i] & 0xff];
  return t;
}

function update32(t: Uint32Array[], crc: number, buf: Uint8Array): number {
  let c = ~crc >>> 0;
  let i = 0;
  const n = buf.length;
  const [t0, t1, t2, t3, t4, t5, t6, t7] = t;
  for (; i + 8 <= n; i += 8) {
    const a = (c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))) >>> 0;
    c = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^ t3[buf[i + 4]] ^ t2[buf[i + 5]] ^ t1[buf[i + 6]] ^ t0[buf[i + 7]];
  }
  for (; i < n; i++) c = t0[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

let crc32Tables: Uint32Array[] | undefined;
let crc32cTables: Uint32Array[] | undefined;

/** CRC-32 (IEEE 802.3) of `buf`, continuing from `crc`. */
export function crc32(buf: Uint8Array, crc = 0): number {
  return update32((crc32Tables ??= tables32(0xedb88320)), crc, buf);
}

/** CRC-32C (Castagnoli) of `buf`, continuing from `crc`. */
export function crc32c(buf: Uint8Array, crc = 0): number {
  return update32((crc32cTables ??= tables32(0x82f63b78)), crc, buf);
}

// CRC-64/NVME (reflected poly 0x9a6c9329ac4bc9b5), kept as two 32-bit halves: BigInt per byte is ~50x slower. Eight
// bytes a step through eight tables (slicing-by-8: ~3x a byte a step; S3 computes it for every object by default).
let c64: { lo: Uint32Array; hi: Uint32Array } | undefined;
function c64Tables(): { lo: Uint32Array; hi: Uint32Array } {
  // Table k (entries k*256 …) is byte b's contribution k bytes before the end of an 8-byte step.
  const lo = new Uint32Array(8 * 256);
  const hi = new Uint32Array(8 * 256);
  const pLo = 0xac4bc9b5,
    pHi = 0x9a6c9329;
  for (let i = 0; i < 256; i++) {
    let l = i,
      h = 0;
    for (let k = 0; k < 8; k++) {
      const bit = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (bit) {
        l = (l ^ pLo) >>> 0;
        h = (h ^ pHi) >>> 0;
      }
    }
    lo[i] = l;
    hi[i] = h;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const pl = lo[(k - 1) * 256 + i],
        ph = hi[(k - 1) * 256 + i];
      const idx = pl & 0xff;
      lo[k * 256 + i] = (((pl >>> 8) | (ph << 24)) ^ lo[idx]) >>> 0;
      hi[k * 256 + i] = ((ph >>> 8) ^ hi[idx]) >>> 0;
    }
  }
  return { lo, hi };
}

/** CRC-64/NVME of `buf`, continuing from the state `[hi, lo]`; returns the new state. */
export function crc64nvme(buf: Uint8Array, state: [number, number] = [0, 0]): [number, number] {
  const { lo: T_LO, hi: T_HI } = (c64 ??= c64Tables());
  let hi = ~state[0] >>> 0,
    lo = ~state[1] >>> 0;
  const n = buf.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = (lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))) >>> 0;
    const b = (hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24))) >>> 0;
    const i7 = 7 * 256 + (a & 0xff),
      i6 = 6 * 256 + ((a >>> 8) & 0xff),
      i5 = 5 * 256 + ((a >>> 16) & 0xff),
      i4 = 4 * 256 + (a >>> 24),
      i3 = 3 * 256 + (b & 0xff),
      i2 = 2 * 256 + ((b >>> 8) & 0xff),
      i1 = 256 + ((b >>> 16) & 0xff),
      i0 = b >>> 24;
    lo = (T_LO[i7] ^ T_LO[i6] ^ T_LO[i5] ^ T_LO[i4] ^ T_LO[i3] ^ T_LO[i2] ^ T_LO[i1] ^ T_LO[i0]) >>> 0;
    hi = (T_HI[i7] ^ T_HI[i6] ^ T_HI[i5] ^ T_HI[i4] ^ T_HI[i3] ^ T_HI[i2] ^ T_HI[i1] ^ T_HI[i0]) >>> 0;
  }
  for (; i < n; i++) {
    const idx = (lo ^ buf[i]) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ T_LO[idx]) >>> 0;
    hi = ((hi >>> 8) ^ T_HI[idx]) >>> 0;
  }
  return [~hi >>> 0, ~lo >>> 0];
}

function be32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function crc32Checksummer(): Checksummer {
  // Node 20.15+ ships zlib's CRC-32 (several GB/s); the table is the fallback for older runtimes.
  const nativeCrc32 = (nodeZlib() as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  let c = 0;
  return {
    update: (chunk) => void (c = nativeCrc32 ? nativeCrc32(chunk, c) : crc32(chunk, c)),
    digest: () => be32(c).toString("base64"),
  };
}

export function crc32cChecksummer(): Checksummer {
  let c = 0;
  return { update: (chunk) => void (c = crc32c(chunk, c)), digest: () => be32(c).toString("base64") };
}

export function crc64nvmeChecksummer(): Checksummer {
  let s: [number, number] = [0, 0];
  return {
    update: (chunk) => void (s = crc64nvme(chunk, s)),
    digest: () => Buffer.concat([be32(s[0]), be32(s[1])]).toString("base64"),
  };
}

registerChecksum("CRC32", crc32Checksummer);
registerChecksum("CRC32C", crc32cChecksummer);
registerChecksum("CRC64NVME", crc64nvmeChecksummer);
