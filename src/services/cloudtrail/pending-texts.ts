// The texts of the records a pending chunk names, kept in memory from the audit batch that queued the chunk until its
// log file is written, so that a delivery reads nothing back from Event history. A cache, not the record of what is
// owed: the chunk's seq runs are (durable with the events, delivery.ts); a chunk whose text is not here — after a
// restart, past the cap, after a failed delivery — is read back by them.
//
// Each chunk's records are one slice of UTF-8 texts joined by commas, written once as the batch is tapped, in blocks
// reused from one second to the next, as is the buffer a log file is assembled in: off V8's heap and allocated once,
// so texts held for seconds cost neither the old generation's collections (JS strings held that long would) nor the
// collections that fresh external memory starts (a delivery's 10 MB a second of new buffers did: bench --only-cloudtrail).
// Blocks and buffer are let go after a minute of delivery rounds that find nothing to deliver.

/** At most this many bytes held (seconds of a busy server's records); past it, chunks are read back when delivered. */
const MAX_BYTES = 32 * 1024 * 1024;
// A quarter block holds an audit batch of a busy server (20 ms of calls, ~300 KB at 15,000 calls/s; at most 1,000
// calls): a batch past a quarter gets a buffer of its own, and at 1 MB blocks half of them did (75 MB of 110 over
// 150,000 calls) — fresh external memory that V8 answers with a full mark-compact every second or so (--trace-gc: 6 in
// 11 s of GetCallerIdentity load with the trail logging, none with it stopped; with 4 MB blocks, 1).
const BLOCK_BYTES = 4 * 1024 * 1024;
const IDLE_RELEASE_MS = 60_000;

interface Block {
  buf: Buffer;
  /** Bytes written. */
  at: number;
  /** Texts held in it. */
  refs: number;
}

export class PendingTexts {
  private texts = new Map<string, { text: Buffer; block?: Block }>();
  private bytes = 0;
  private block: Block | undefined;
  private spare: Block[] = [];
  private scratch = Buffer.alloc(0);
  private file = Buffer.alloc(0);
  private idleSince: number | undefined;

  constructor(private readonly maxBytes = MAX_BYTES) {}

  /** Keeps the texts of a chunk's records, joined by commas, under its pending key (unless past the cap). */
  keep(key: string, records: readonly string[]): void {
    this.drop(key);
    // Encoded into the scratch buffer (sized for the worst case, 3 bytes per UTF-16 unit), then copied where it fits.
    let worst = records.length;
    for (const r of records) worst += r.length * 3;
    if (this.bytes + worst > this.maxBytes) return;
    if (this.scratch.length < worst) this.scratch = Buffer.allocUnsafeSlow(Math.max(worst, 64 * 1024));
    const s = this.scratch;
    let size = 0;
    for (const r of records) {
      if (size) s[size++] = 0x2c;
      size += s.write(r, size);
    }
    if (!size) return;
    let held: { text: Buffer; block?: Block };
    if (size > BLOCK_BYTES / 4) held = { text: Buffer.from(s.subarray(0, size)) };
    else {
      let b = this.block;
      if (!b || b.at + size > b.buf.length) {
        if (b && !b.refs) b.at = 0;
        else {
          b = this.spare.pop() ?? { buf: Buffer.allocUnsafeSlow(BLOCK_BYTES), at: 0, refs: 0 };
          this.block = b;
        }
      }
      s.copy(b.buf, b.at, 0, size);
      held = { text: b.buf.subarray(b.at, b.at + size), block: b };
      b.at += size;
      b.refs++;
    }
    this.texts.set(key, held);
    this.bytes += size;
  }

  get(key: string): Buffer | undefined {
    return this.texts.get(key)?.text;
  }

  drop(key: string): void {
    const t = this.texts.get(key);
    if (!t) return;
    this.texts.delete(key);
    this.bytes -= t.text.length;
    const b = t.block;
    if (b && !--b.refs && b !== this.block) {
      b.at = 0;
      this.spare.push(b);
    }
  }

  /** The keys held now (to drop later those no delivery found pending: a batch whose transaction rolled back). */
  keys(): string[] {
    return [...this.texts.keys()];
  }

  /**
   * A buffer of at least `size` bytes to assemble one log file in, valid until the next call (deliveries are never two
   * at once, and a file's buffer is done with before the next file starts).
   */
  fileBuffer(size: number): Buffer {
    if (this.file.length < size) this.file = Buffer.allocUnsafeSlow(Math.max(size, this.file.length * 2));
    return this.file;
  }

  /**
   * A delivery round found nothing pending: after a minute of such rounds the reused memory goes (a trail that delivers
   * again allocates it again). Not at once: fresh memory costs page faults (in a VM, tens of µs each), and a server
   * between bursts of calls would pay them again on every burst.
   */
  idle(now: number): void {
    if (this.texts.size) {
      this.idleSince = undefined;
      return;
    }
    this.idleSince ??= now;
    if (now - this.idleSince < IDLE_RELEASE_MS) return;
    this.block = undefined;
    this.spare = [];
    this.scratch = Buffer.alloc(0);
    this.file = Buffer.alloc(0);
  }

  /** A delivery round found something pending. */
  busy(): void {
    this.idleSince = undefined;
  }
}
