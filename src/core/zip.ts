// A small dependency-free ZIP reader (stored and deflate, ZIP64) for Lambda function code and layers, later
// build artifacts; tests and benchmarks write archives with test/helpers/zip.ts. extractZip is the only part
// that touches disk and it trusts nothing in the archive: names, symlink targets and declared sizes are
// checked before anything lands outside `dir`.
import * as zlib from "node:zlib";
import { chmodSync, lstatSync, mkdirSync, realpathSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { crc32 as tableCrc32 } from "./crc.js";

/** A malformed or unsafe archive; the message says what is wrong. */
export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZipError";
  }
}

export interface ZipEntry {
  name: string;
  isDirectory: boolean;
  isSymlink: boolean;
  /** Unix permission bits including the file type, from the external attributes when made on unix. */
  mode?: number;
  size: number;
  compressedSize: number;
  method: number;
  crc32: number;
  /** Offset of the entry's local header in the archive. */
  offset: number;
}

// Node 20.15+ ships zlib's CRC-32; the table in crc.ts is the fallback. Exported with the format's constants for
// the writer the tests use (test/helpers/zip.ts).
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
export const crc32 = (b: Uint8Array): number => (typeof nativeCrc32 === "function" ? nativeCrc32(b) >>> 0 : tableCrc32(b));

export const SIG_LOCAL = 0x04034b50,
  SIG_CENTRAL = 0x02014b50,
  SIG_EOCD = 0x06054b50;
export const SIG_EOCD64 = 0x06064b50,
  SIG_EOCD64_LOC = 0x07064b50;
export const U16 = 0xffff,
  U32 = 0xffffffff;
export const S_IFMT = 0o170000,
  S_IFDIR = 0o040000,
  S_IFLNK = 0o120000;

function need(buf: Buffer, pos: number, len: number, what: string): void {
  if (pos < 0 || pos + len > buf.length) throw new ZipError(`truncated archive: ${what} at ${pos} runs past the end`);
}

function u64(buf: Buffer, pos: number, what: string): number {
  const v = buf.readBigUInt64LE(pos);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError(`${what} is too large`);
  return Number(v);
}

/** The End Of Central Directory: the last signature whose comment ends the buffer (else the last one found). */
function findEocd(buf: Buffer): number {
  let fallback = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - U16); i--) {
    if (buf.readUInt32LE(i) !== SIG_EOCD) continue;
    if (i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i;
    if (fallback < 0) fallback = i;
  }
  if (fallback < 0) throw new ZipError("not a zip archive: no end of central directory record");
  return fallback;
}

/** The archive's entries, in central directory order. */
export function listZip(buf: Buffer): ZipEntry[] {
  const eocd = findEocd(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  // ZIP64: a locator just before the EOCD points at the 64-bit record holding the real counts and offsets.
  if (eocd >= 20 && buf.readUInt32LE(eocd - 20) === SIG_EOCD64_LOC) {
    const rec = u64(buf, eocd - 12, "zip64 end record offset");
    need(buf, rec, 56, "zip64 end record");
    if (buf.readUInt32LE(rec) !== SIG_EOCD64) throw new ZipError("bad zip64 end of central directory signature");
    count = u64(buf, rec + 32, "entry count");
    cdSize = u64(buf, rec + 40, "central directory size");
    cdOffset = u64(buf, rec + 48, "central directory offset");
  } else if (count === U16 || cdSize === U32 || cdOffset === U32) {
    throw new ZipError("zip64 archive without a zip64 end of central directory locator");
  }
  need(buf, cdOffset, cdSize, "central directory");
  if (count * 46 > cdSize) throw new ZipError(`central directory too small for ${count} entries`);

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    need(buf, p, 46, "central directory entry");
    if (buf.readUInt32LE(p) !== SIG_CENTRAL) throw new ZipError(`bad central directory entry signature at ${p}`);
    const madeBy = buf.readUInt16LE(p + 4) >> 8;
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28),
      extraLen = buf.readUInt16LE(p + 30),
      commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    let offset = buf.readUInt32LE(p + 42);
    need(buf, p + 46, nameLen + extraLen + commentLen, "central directory entry name and extra fields");
    // Names are UTF-8 (flag bit 11) or, in practice, ASCII; decoding both as UTF-8 covers what Lambda sees.
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    // ZIP64 extended information (id 1): 64-bit values for exactly the fields saturated above, in this order.
    for (let x = p + 46 + nameLen, end = x + extraLen; x + 4 <= end; ) {
      const id = buf.readUInt16LE(x),
        len = buf.readUInt16LE(x + 2);
      let q = x + 4;
      if (x + 4 + len > end) throw new ZipError(`extra field of ${name} runs past its entry`);
      if (id === 1) {
        const next = (what: string): number => {
          if (q + 8 > x + 4 + len) throw new ZipError(`zip64 extra field of ${name} is missing the ${what}`);
          return u64(buf, (q += 8) - 8, what);
        };
        if (size === U32) size = next("uncompressed size");
        if (compressedSize === U32) compressedSize = next("compressed size");
        if (offset === U32) offset = next("local header offset");
      }
      x += 4 + len;
    }
    // Unix (3) and OS X (19) keep st_mode in the high 16 bits of the external attributes.
    const mode = (madeBy === 3 || madeBy === 19) && external >>> 16 ? external >>> 16 : undefined;
    const isSymlink = mode !== undefined && (mode & S_IFMT) === S_IFLNK;
    const isDirectory = !isSymlink && (name.endsWith("/") || (mode !== undefined ? (mode & S_IFMT) === S_IFDIR : (external & 0x10) !== 0));
    entries.push({ name, isDirectory, isSymlink, mode, size, compressedSize, method, crc32: crc, offset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** An entry's decompressed bytes, checked against its declared size and CRC-32. */
export function readZipEntry(buf: Buffer, entry: ZipEntry): Buffer {
  const at = entry.offset;
  need(buf, at, 30, `local header of ${entry.name}`);
  if (buf.readUInt32LE(at) !== SIG_LOCAL) throw new ZipError(`bad local header signature for ${entry.name}`);
  if (buf.readUInt16LE(at + 6) & 1) throw new ZipError(`${entry.name} is encrypted, which is not supported`);
  // The local name and extra lengths may differ from the central directory's; sizes come from the latter
  // because a data descriptor leaves them zero here.
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  need(buf, start, entry.compressedSize, `data of ${entry.name}`);
  const raw = buf.subarray(start, start + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      // The cap stops a deflate bomb that lies about its size from inflating past what it declared.
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (e) {
      throw new ZipError(`cannot inflate ${entry.name}: ${(e as Error).message}`);
    }
  } else throw new ZipError(`unsupported compression method ${entry.method}`);
  if (data.length !== entry.size) throw new ZipError(`${entry.name}: size ${data.length} does not match the declared ${entry.size}`);
  if (crc32(data) !== entry.crc32) throw new ZipError(`${entry.name}: CRC-32 mismatch`);
  return data;
}

/** An entry name as path segments under the root, or a ZipError when it is absolute or climbs out. */
function safeSegments(name: string): string[] {
  const n = name.replace(/\\/g, "/");
  if (n.includes("\0")) throw new ZipError(`unsafe entry name ${JSON.stringify(name)}: contains NUL`);
  if (n.startsWith("/") || /^[a-zA-Z]:/.test(n)) throw new ZipError(`unsafe entry name ${JSON.stringify(name)}: absolute path`);
  const out: string[] = [];
  for (const s of n.split("/")) {
    if (s === "" || s === ".") continue;
    if (s !== "..") out.push(s);
    else if (!out.pop()) throw new ZipError(`unsafe entry name ${JSON.stringify(name)}: escapes the target directory`);
  }
  return out;
}

const inside = (root: string, p: string): boolean => {
  const r = relative(root, p);
  return r === "" || (r !== ".." && !r.startsWith(".." + sep) && !isAbsolute(r));
};

/**
 * Whether a symlink in `parent` pointing at `target` stays under `root`. A `..` after a name is refused: if
 * that name is itself a symlink the kernel climbs from where it points, not where the text says
 * (`x -> .` then `l -> x/x/..` reads as inside but lands outside). Leading `..`s climb from `parent`.
 */
function symlinkInside(root: string, parent: string, target: string): boolean {
  if (!target || target.includes("\0")) return false;
  const segs = target.split("/").filter((s) => s && s !== ".");
  const firstName = segs.findIndex((s) => s !== "..");
  if (firstName >= 0 && segs.indexOf("..", firstName) >= 0) return false;
  return inside(root, resolve(parent, target));
}

/**
 * Extracts into `dir` (created if missing): directories 0o755, files with the archive's unix permission bits
 * (default 0o644), symlinks only when their target stays inside `dir`; a later duplicate name replaces an
 * earlier one. Names, sizes and symlink targets are all checked before the first write; a corrupt entry
 * found while writing leaves a partial tree, so callers extract into a fresh directory and drop it on error.
 */
export function extractZip(buf: Buffer, dir: string, opts: { maxBytes?: number } = {}): { files: number; bytes: number } {
  const entries = listZip(buf);
  const total = entries.reduce((s, e) => s + (e.isDirectory ? 0 : e.size), 0);
  if (opts.maxBytes !== undefined && total > opts.maxBytes) {
    throw new ZipError(`Unzipped size must be smaller than ${opts.maxBytes} bytes`);
  }
  const root = resolve(dir);
  const plan = new Map<string, { entry: ZipEntry; path: string }>(); // keyed by relative path: last wins
  for (const entry of entries) {
    const segs = safeSegments(entry.name);
    if (!segs.length) {
      if (entry.isDirectory) continue; // "./" is the root itself
      throw new ZipError(`unsafe entry name ${JSON.stringify(entry.name)}: empty`);
    }
    const key = segs.join("/");
    plan.delete(key); // re-insert so the survivor is written in the later entry's position
    plan.set(key, { entry, path: join(root, ...segs) });
  }
  for (const { entry, path } of plan.values()) {
    if (entry.isSymlink && !symlinkInside(root, dirname(path), readZipEntry(buf, entry).toString("utf8"))) {
      throw new ZipError(`symlink ${entry.name} points outside the target directory`);
    }
  }

  mkdirSync(root, { recursive: true });
  const realRoot = realpathSync(root);
  // The real parent directory of `path`, created if need be: a symlink (ours or already there) must not
  // carry a write outside the root.
  const realParent = (path: string, name: string): string => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    const real = realpathSync(dirname(path));
    if (!inside(realRoot, real)) throw new ZipError(`${name} would be written outside the target directory`);
    return real;
  };

  let files = 0,
    bytes = 0;
  for (const { entry, path } of plan.values()) {
    const parent = realParent(path, entry.name);
    const real = join(parent, basename(path));
    // Never write through what is already there: a file or symlink is replaced, a directory only kept.
    const existing = lstatSync(real, { throwIfNoEntry: false });
    if (existing && !existing.isDirectory()) unlinkSync(real);
    if (entry.isDirectory) {
      mkdirSync(real, { recursive: true });
      chmodSync(real, 0o755);
      continue;
    }
    if (existing?.isDirectory()) throw new ZipError(`${entry.name} conflicts with a directory of the same name`);
    const data = readZipEntry(buf, entry);
    if (entry.isSymlink) {
      const target = data.toString("utf8");
      if (!symlinkInside(realRoot, parent, target)) throw new ZipError(`symlink ${entry.name} points outside the target directory`);
      symlinkSync(target, real);
    } else {
      const perm = entry.mode !== undefined && entry.mode & 0o777 ? entry.mode & 0o777 : 0o644;
      writeFileSync(real, data, { flag: "wx", mode: perm });
      chmodSync(real, perm); // the umask may have taken bits off
    }
    files++;
    bytes += data.length;
  }
  return { files, bytes };
}

// ---- writing ----
// ZIP archives Stratus makes (the package CloudFormation builds of inline Lambda code) and tests make (function
// code, layers, archives extractZip must refuse): stored and deflate, made-by unix with modes and symlinks, ZIP64
// end records past 65534 entries.

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
export function writeZip(files: ZipInput[] | Record<string, Buffer | string>, opts: { store?: boolean } = {}): Buffer {
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
