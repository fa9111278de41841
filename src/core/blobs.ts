// Large content (object bodies, function code, artifacts) beside the records; records keep only the blob id. Content
// up to INLINE_MAX bytes is a row in the database (store/blob-rows.ts), committed before write() resolves, so an
// acknowledged write survives kill -9 (and with durability "power", synchronous=FULL, a power cut). Larger content is
// a file under <data dir>/blobs: written to a temporary name (never whole in memory), hashing as it goes, and renamed
// into place before it counts. With durability "power" (store/durability.ts) the file is fsync'd before the rename and
// the directory after it; "process" leaves write-back to the kernel (an fsync buys nothing against kill -9).
//
// Why rows for small content: a file costs four thread-pool round trips (open, write, close, rename: ~19 futex calls)
// and an unlink on overwrite, ~30% of the event loop's time under a load of 1 KB PutObjects; a row is one insert into
// the transaction the store commits anyway.
import type { Hash } from "node:crypto";
import { nodeCrypto } from "./lazy.js";
import { uuid7 } from "./ids.js";
import { createReadStream, createWriteStream, renameSync, statSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fsyncPath, fsyncPathAsync, makeDir, type Durability } from "./store/durability.js";
import type { BlobRows } from "./store/blob-rows.js";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "SHA1" | "SHA256" | "CRC64NVME";

/** An incremental checksum; CRC implementations register themselves with registerChecksum. */
export interface Checksummer {
  update(chunk: Buffer): void;
  /** The checksum, base64 as S3 sends it. */
  digest(): string;
}

const factories = new Map<ChecksumAlgorithm, () => Checksummer>();
const hashed = (alg: string) => (): Checksummer => {
  const h: Hash = nodeCrypto().createHash(alg);
  return { update: (c) => void h.update(c), digest: () => h.digest("base64") };
};
factories.set("SHA1", hashed("sha1"));
factories.set("SHA256", hashed("sha256"));

export function registerChecksum(alg: ChecksumAlgorithm, make: () => Checksummer): void {
  factories.set(alg, make);
}

export function checksummer(alg: ChecksumAlgorithm): Checksummer | undefined {
  return factories.get(alg)?.();
}

export interface StoredBlob {
  id: string;
  size: number;
  /** Hex MD5 of the content (S3's ETag for a single-part object). */
  md5: string;
  /** Base64 checksums that were asked for. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export type BlobSource = Readable | AsyncIterable<Buffer | string> | Uint8Array | string;

/**
 * The largest content kept as a row. 64 KiB: up to there a row's insert costs less CPU and latency than a file's four
 * system calls (measured in-process, see the comment on BlobStore); past it the content is written twice (the WAL,
 * then the database at a checkpoint) and a streamed body is held in memory while it arrives, which a file avoids.
 */
export const INLINE_MAX = 64 * 1024;

export interface BlobStoreOptions {
  /** Where content up to `inlineMax` bytes goes; without it every blob is a file. */
  rows?: BlobRows;
  inlineMax?: number;
  /** A failure nobody awaits (a file blob's deletion), reported here. */
  onError?: (msg: string, err: unknown) => void;
}

/** MD5, the checksums asked for and the size of content passing through. */
class Meter {
  size = 0;
  private readonly md5: Hash = nodeCrypto().createHash("md5");
  private readonly sums: (readonly [ChecksumAlgorithm, Checksummer | undefined])[];

  constructor(algs: ChecksumAlgorithm[]) {
    this.sums = algs.map((alg) => [alg, checksummer(alg)] as const);
  }

  update(chunk: Buffer): void {
    this.size += chunk.length;
    this.md5.update(chunk);
    for (const [, c] of this.sums) c?.update(chunk);
  }

  result(id: string): StoredBlob {
    const checksums: StoredBlob["checksums"] = {};
    for (const [alg, c] of this.sums) if (c) checksums[alg] = c.digest();
    return { id, size: this.size, md5: this.md5.digest("hex"), checksums };
  }
}

const asChunk = (c: Buffer | Uint8Array | string): Buffer =>
  typeof c === "string" ? Buffer.from(c) : Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);

export class BlobStore {
  private readonly dir: string;
  private readonly tmp: string;
  private readonly power: boolean;
  private readonly rows: BlobRows | undefined;
  private readonly inlineMax: number;
  private readonly onError: (msg: string, err: unknown) => void;

  constructor(dataDir: string, durability: Durability = "process", opts: BlobStoreOptions = {}) {
    this.dir = join(dataDir, "blobs");
    this.tmp = join(this.dir, "tmp");
    this.power = durability === "power";
    this.rows = opts.rows;
    this.inlineMax = opts.inlineMax ?? INLINE_MAX;
    this.onError = opts.onError ?? ((msg, err) => process.emitWarning(`${msg}: ${err instanceof Error ? err.message : String(err)}`));
    makeDir(this.tmp, durability);
  }

  /**
   * Takes in the content as a new blob; resolves once it is durable. A stream is held in memory up to the inline
   * threshold and goes to a file, what it held first, only once it grows past it.
   */
  async write(source: BlobSource, opts: { checksums?: ChecksumAlgorithm[] } = {}): Promise<StoredBlob> {
    // Time-ordered: the blob rows' id index then grows at its right edge (a random id wrote a page of it per blob).
    const id = uuid7();
    const meter = new Meter(opts.checksums ?? []);
    if (typeof source === "string" || source instanceof Uint8Array) {
      // Content already in memory (in-process calls: CloudTrail's log files, digests) is hashed and written in one go,
      // without a stream pipeline, which costs a 260 KB log file ~2 ms of CPU more than the write itself.
      const buf = asChunk(source);
      meter.update(buf);
      if (this.rows && buf.length <= this.inlineMax) this.rows.put(id, buf);
      else await this.toFile(id, [buf]);
      return meter.result(id);
    }
    const it: AsyncIterator<Buffer | string> = source[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    if (this.rows) {
      for (;;) {
        const next = await it.next();
        if (next.done) {
          this.rows.put(id, head.length === 1 ? head[0] : Buffer.concat(head, meter.size));
          return meter.result(id);
        }
        const chunk = asChunk(next.value);
        meter.update(chunk);
        head.push(chunk);
        if (meter.size > this.inlineMax) break;
      }
    }
    await this.toFile(id, head, it, meter);
    return meter.result(id);
  }

  /** Writes `head`, then the rest of `it` (metered), to the blob's file; the file counts once renamed into place. */
  private async toFile(id: string, head: Buffer[], it?: AsyncIterator<Buffer | string>, meter?: Meter): Promise<void> {
    const tmpPath = join(this.tmp, id);
    let out: ReturnType<typeof createWriteStream> | undefined;
    let done = !it;
    try {
      if (!it && head.length === 1) await writeFile(tmpPath, head[0]);
      else {
        const chunks = async function* () {
          yield* head;
          for (;;) {
            const next = await it!.next();
            if (next.done) return void (done = true);
            const chunk = asChunk(next.value);
            meter!.update(chunk);
            yield chunk;
          }
        };
        await pipeline(Readable.from(chunks()), (out = createWriteStream(tmpPath)));
      }
      // The fsyncs in the thread pool: the event loop answers other requests while the disk flushes.
      if (this.power) await fsyncPathAsync(tmpPath);
      await rename(tmpPath, this.path(id));
      if (this.power) await fsyncPathAsync(this.dir);
    } catch (e) {
      // The source is let go (a stream destroyed) when the file failed first.
      if (!done) await it!.return?.().catch(() => undefined);
      // A source that failed first leaves the file stream still opening its file: removed once it has closed, or the
      // file it opens after the removal stays behind (seen on a loaded machine).
      if (out && !out.closed) await new Promise<void>((closed) => out!.once("close", () => closed()));
      await rm(tmpPath, { force: true });
      throw e;
    }
  }

  /** The content, or the inclusive byte range [start, end] of it. */
  read(id: string, range?: { start: number; end: number }): Readable {
    const row = this.rows?.get(id);
    if (!row) return createReadStream(this.path(id), range);
    const part = range ? row.subarray(range.start, range.end + 1) : row;
    return new Readable({
      read() {
        if (part.length) this.push(part);
        this.push(null);
      },
    });
  }

  /**
   * The blob's file, for tools that need a path (unzipping function code). Read-only. A blob held as a row becomes a
   * file here (written and renamed into place, then its row deleted), so every later call finds it as one.
   */
  filePath(id: string): string {
    const path = this.path(id);
    const row = this.rows?.get(id);
    if (row) {
      const tmpPath = join(this.tmp, id);
      writeFileSync(tmpPath, row);
      if (this.power) fsyncPath(tmpPath);
      renameSync(tmpPath, path);
      if (this.power) fsyncPath(this.dir);
      // Killed between the rename and this, both stay: reads take the row (the same bytes) and delete() removes the
      // row only, leaving this file (at most inlineMax bytes) behind.
      this.rows!.delete(id);
    }
    return path;
  }

  size(id: string): number {
    return this.rows?.size(id) ?? statSync(this.path(id)).size;
  }

  /**
   * Deletes the blob: its row at once, or its file in the thread pool (never blocking the event loop). Resolves when
   * done; never rejects (a failure goes to onError), so callers that answer first need not wait.
   */
  delete(id: string): Promise<void> {
    const path = this.path(id);
    if (this.rows?.delete(id)) return Promise.resolve();
    return rm(path, { force: true }).catch((e) => this.onError(`could not delete blob ${id}`, e));
  }

  /**
   * Deletes the blobs held as rows among `ids`, inside the caller's transaction when one is open (so a record and the
   * rows it stopped pointing at go in one commit); returns the others, files to delete() once that has committed.
   */
  deleteRows(ids: readonly string[]): string[] {
    if (!this.rows) return [...ids];
    return ids.filter((id) => !this.rows!.delete(id));
  }

  private path(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`not a blob id: ${id}`);
    return join(this.dir, id);
  }
}
