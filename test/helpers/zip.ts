// Writes ZIP archives for tests and benchmarks (Lambda function code and layers, archives extractZip must
// refuse): stored and deflate, made-by unix with modes and symlinks, ZIP64 end records past 65534 entries.
// Stratus itself only reads archives (src/core/zip.ts); nothing in src/ writes one.
import * as zlib from "node:zlib";
import { crc32, S_IFDIR, S_IFLNK, SIG_CENTRAL, SIG_EOCD, SIG_EOCD64, SIG_EOCD64_LOC, SIG_LOCAL, U16, U32, ZipError } from "../../src/core/zip.js";

export interface ZipInput {
  name: string;
  data?: Buffer | string;
  /** Permission bits, e.g. 0o755 (type bits, if given, are ignored). */
  mode?: number;
  directory?: boolean;
  symlinkTarget?: string;
}

const S_IFREG = 0o100000;

const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;

/**
 * A ZIP archive of `files` (a list, or name → content). Deflated unless `store` is set or deflate does not
 * shrink an entry; made-by unix with st_mode in the external attributes; fixed timestamps, so the same
 * input always gives the same bytes.
 */
export function makeZip(files: ZipInput[] | Record<string, Buffer | string>, opts: { store?: boolean } = {}): Buffer {
  const inputs: ZipInput[] = Array.isArray(files) ? files : Object.entries(files).map(([name, data]) => ({ name, data }));
  const locals: Buffer[] = [],
    centrals: Buffer[] = [];
  let offset = 0;
  for (const f of inputs) {
    let name = f.name.replace(/\\/g, "/");
    let data: Buffer, mode: number;
    if (f.directory) {
      if (!name.endsWith("/")) name += "/";
      data = Buffer.alloc(0);
      mode = S_IFDIR | ((f.mode ?? 0o755) & 0o7777);
    } else if (f.symlinkTarget !== undefined) {
      data = Buffer.from(f.symlinkTarget, "utf8");
      mode = S_IFLNK | 0o777;
    } else {
      data = typeof f.data === "string" ? Buffer.from(f.data, "utf8") : (f.data ?? Buffer.alloc(0));
      mode = S_IFREG | ((f.mode ?? 0o644) & 0o7777);
    }
    let method = 0,
      body = data;
    if (!opts.store && data.length) {
      const deflated = zlib.deflateRawSync(data);
      if (deflated.length < data.length) [method, body] = [8, deflated];
    }
    if (data.length >= U32 || offset >= U32) throw new ZipError(`${name}: entries and archives over 4 GiB are not supported`);
    const nameBuf = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(SIG_LOCAL, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10); // time 00:00:00
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(SIG_CENTRAL, 0);
    central.writeUInt16LE((3 << 8) | 30, 4); // made by unix, spec 3.0
    local.copy(central, 6, 4, 30); // version needed .. name length .. extra length: same as the local header
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(((mode << 16) | (f.directory ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, body);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + body.length;
  }
  const cdSize = centrals.reduce((s, b) => s + b.length, 0);
  const n = inputs.length;
  const tail: Buffer[] = [];
  // More than 65534 entries (node_modules can do it) or a central directory past 4 GiB: add the ZIP64 records.
  if (n >= U16 || offset >= U32 || cdSize >= U32) {
    const rec = Buffer.alloc(56),
      loc = Buffer.alloc(20);
    rec.writeUInt32LE(SIG_EOCD64, 0);
    rec.writeBigUInt64LE(44n, 4); // size of the rest of the record
    rec.writeUInt16LE((3 << 8) | 45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(n), 24);
    rec.writeBigUInt64LE(BigInt(n), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    loc.writeUInt32LE(SIG_EOCD64_LOC, 0);
    loc.writeBigUInt64LE(BigInt(offset + cdSize), 8);
    loc.writeUInt32LE(1, 16); // total disks
    tail.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(SIG_EOCD, 0);
  eocd.writeUInt16LE(Math.min(n, U16), 8);
  eocd.writeUInt16LE(Math.min(n, U16), 10);
  eocd.writeUInt32LE(Math.min(cdSize, U32), 12);
  eocd.writeUInt32LE(Math.min(offset, U32), 16);
  tail.push(eocd);
  return Buffer.concat([...locals, ...centrals, ...tail]);
}
