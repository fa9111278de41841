// The packed form of a chunk of log events (one stream, one upload), shared by the event store and its migration; no SQL here.

/** Events per chunk at most: PutLogEvents' own batch limit, so one call is one chunk. */
export const CHUNK_MAX = 10_000;
/** An event's seq is chunkId * SEQ_SPAN + its index in the chunk as first written: ingestion order, stable across trims. */
export const SEQ_SPAN = 16_384;

export interface PackedChunk {
  n: number;
  minTs: number;
  maxTs: number;
  /** UTF-8 bytes of all messages. */
  bytes: number;
  /** 1 when every message is ASCII: byte offsets are then character offsets and latin1 decoding is exact. */
  ascii: number;
  /** Float64 timestamps, platform byte order (every target Node runs on is little-endian). */
  ts: Buffer;
  /** Uint32 end byte offset of each message in `text`. */
  ends: Buffer;
  /** The messages' UTF-8 bytes back to back, so SQL instr() can prefilter a whole chunk. */
  text: Buffer;
}

/** Packs events[from, to), which must be in time order. */
export function packChunk(events: readonly { timestamp: number; message: string }[], from: number, to: number): PackedChunk {
  const n = to - from;
  const ts = new Float64Array(n);
  const ends = new Uint32Array(n);
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const e = events[from + i];
    ts[i] = e.timestamp;
    chars += e.message.length;
    ends[i] = chars;
  }
  let text = asciiText(events, from, to, chars);
  const ascii = text ? 1 : 0;
  if (!text) {
    // Encoded one message at a time, so a lone surrogate at a message boundary is replaced exactly as the old per-row store did.
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      bytes += Buffer.byteLength(events[from + i].message, "utf8");
      ends[i] = bytes;
    }
    text = Buffer.allocUnsafe(bytes);
    for (let i = 0; i < n; i++) text.write(events[from + i].message, i ? ends[i - 1] : 0, "utf8");
  }
  return {
    n,
    minTs: ts[0],
    maxTs: ts[n - 1],
    bytes: text.length,
    ascii,
    ts: Buffer.from(ts.buffer, ts.byteOffset, ts.byteLength),
    ends: Buffer.from(ends.buffer, ends.byteOffset, ends.byteLength),
    text,
  };
}

// Messages are encoded in runs of about this many characters: a string this short stays out of V8's large-object
// space, where allocating (fresh pages each time) cost more than the encoding itself; one join of a whole 10,000-event
// chunk did.
const RUN_CHARS = 32_768;

/**
 * The messages' bytes when every one is ASCII (the common case: then `chars` bytes), else undefined. Each run is
 * encoded as UTF-8 straight into the one buffer; a run that writes more bytes than it has characters holds non-ASCII.
 * Four bytes of slack past `chars` make that test exact: a non-ASCII run either fits (and writes more than its length)
 * or fills the space to within a 4-byte character of its end, again more than its length.
 */
function asciiText(events: readonly { message: string }[], from: number, to: number, chars: number): Buffer | undefined {
  const out = Buffer.allocUnsafe(chars + 4);
  let off = 0;
  let run = "";
  for (let i = from; i < to; i++) {
    run += events[i].message;
    if (run.length < RUN_CHARS && i + 1 < to) continue;
    const written = out.write(run, off, "utf8");
    if (written !== run.length) return undefined;
    off += written;
    run = "";
  }
  return out.subarray(0, chars);
}

/** Typed views over a stored blob; copied when SQLite's buffer is not aligned for the element size. */
export function float64s(b: Uint8Array): Float64Array {
  if (b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  return new Float64Array(Uint8Array.prototype.slice.call(b).buffer);
}

export function uint32s(b: Uint8Array): Uint32Array {
  if (b.byteOffset % 4 === 0) return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  return new Uint32Array(Uint8Array.prototype.slice.call(b).buffer);
}

/** Splits events into runs that are in time order and at most CHUNK_MAX long: [from, to) pairs. */
export function chunkRuns(events: readonly { timestamp: number }[]): [number, number][] {
  const runs: [number, number][] = [];
  let from = 0;
  for (let i = 1; i <= events.length; i++) {
    if (i === events.length || i - from === CHUNK_MAX || events[i].timestamp < events[i - 1].timestamp) {
      runs.push([from, i]);
      from = i;
    }
  }
  return runs;
}
