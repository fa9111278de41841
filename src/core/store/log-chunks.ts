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
  const parts = new Array<string>(n);
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const e = events[from + i];
    ts[i] = e.timestamp;
    parts[i] = e.message;
    chars += e.message.length;
    ends[i] = chars;
  }
  const joined = parts.join("");
  let text = Buffer.from(joined, "utf8");
  // Equal lengths only when every UTF-16 unit took one byte, i.e. all ASCII: the common case, one encode for the lot.
  const ascii = text.length === joined.length ? 1 : 0;
  if (!ascii) {
    // Encoded one message at a time, so a lone surrogate at a message boundary is replaced exactly as the old per-row store did.
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      bytes += Buffer.byteLength(parts[i], "utf8");
      ends[i] = bytes;
    }
    text = Buffer.allocUnsafe(bytes);
    for (let i = 0; i < n; i++) text.write(parts[i], i ? ends[i - 1] : 0, "utf8");
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
