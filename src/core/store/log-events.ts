// CloudWatch Logs events behind a typed API (no SQL leaves this file), stored as one packed chunk row per upload
// for ingest volume; reads merge the chunks overlapping a range in (timestamp, seq) order, with a substring prefilter.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { registerSqliteTypedStore } from "./sqlite.js";
import { asBuffer, type Db, type Statement } from "./driver.js";
import type { Store } from "./types.js";
import { chunkRuns, float64s, packChunk, SEQ_SPAN, uint32s } from "./log-chunks.js";

export interface NewLogEvent {
  timestamp: number;
  message: string;
}

export interface StoredLogEvent {
  /** Ingestion order; breaks ties between events of the same millisecond. */
  seq: number;
  sid: number;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** A position between events: (timestamp, seq). seq 0 sits before every event of that millisecond. */
export interface LogPosition {
  ts: number;
  seq: number;
}

export interface StreamQuery {
  sid: number;
  /** Inclusive bounds, epoch ms. */
  start?: number;
  end?: number;
  /** forward: events strictly after `from`, oldest first; backward: strictly before it, newest first. */
  direction: "forward" | "backward";
  from?: LogPosition;
  limit: number;
}

export interface GroupQuery {
  gid: number;
  start?: number;
  end?: number;
  /** Only these streams (undefined: all). */
  sids?: number[];
  /** Events strictly after this position. */
  after?: LogPosition;
  /** Every one of these must occur in the message (case-sensitive substrings): a cheap prefilter. */
  substrings?: string[];
  limit: number;
}

/** A data key an upload is encrypted with (AES-256-GCM): its id (from allocateId) is stored with each chunk. */
export interface ChunkCipher {
  keyId: number;
  key: Buffer;
}

/** The plaintext data key of an id, for reading encrypted chunks; throws (the owner's error) when it is not available. */
export type KeyResolver = (keyId: number) => Buffer;

export interface LogEventStore {
  /** A fresh id for a group or a stream, never reused. */
  allocateId(): number;
  /** Appends the events in one transaction (the caller's, if one is open); encrypted with `cipher` when given. */
  /** Stores the events (in time order) as chunks; returns each event's seq, in the order given. */
  append(gid: number, sid: number, ingestionTime: number, events: NewLogEvent[], cipher?: ChunkCipher): number[];
  /** Where reads get the data keys of encrypted chunks (the owning service's key cache). */
  useKeys(resolver: KeyResolver): void;
  queryStream(q: StreamQuery): StoredLogEvent[];
  /** Oldest first, ordered by (timestamp, seq) across the group's streams. */
  queryGroup(q: GroupQuery): StoredLogEvent[];
  deleteStream(sid: number): void;
  deleteGroup(gid: number): void;
  /** Deletes the group's events with timestamp < `before`; returns how many and their stored bytes. */
  deleteBefore(gid: number, before: number): { count: number; bytes: number };
  /**
   * The group's chunks overlapping [start, end] with an id above `afterId`, by id, at most `limit`: packed columns
   * for scans that visit every event in any order (Logs Insights' aggregations), with no per-event objects.
   */
  scanChunks(gid: number, start: number, end: number, afterId: number, limit: number): ScannedChunk[];
}

/** A chunk's events as stored: times ascending, each message's end offset in `text`, seq = seq0 + index. */
export interface ScannedChunk {
  id: number;
  sid: number;
  seq0: number;
  ingested: number;
  ascii: boolean;
  ts: Float64Array;
  ends: Uint32Array;
  text: Buffer;
}

/** The store's log event table (an interface a second backend implements; SQLite's is below). */
export function logEventStore(store: Store): LogEventStore {
  return store.logEvents();
}

/** A chunk's small columns: enough to order and pick chunks before reading any blob. */
interface Header {
  id: number;
  min: number;
  max: number;
}

interface ChunkRow {
  id: number;
  sid: number;
  skip: number;
  ingested: number;
  ascii: number;
  // Uint8Array from node:sqlite, Buffer from better-sqlite3.
  ts: Uint8Array;
  ends: Uint8Array;
  text: Uint8Array;
}

type Chunk = ScannedChunk;

/** A chunk's events that are in range (and pass the prefilter), in the order a query walks them; `k` is the next. */
interface Cursor {
  c: Chunk;
  idx: Int32Array;
  k: number;
}

const MAX = Number.MAX_SAFE_INTEGER;
// The `ascii` column holds flags: bit 0 every message is ASCII, bit 1 the text is encrypted — stored as
// [u32 key id][12-byte IV][16-byte GCM tag][ciphertext], opened before anything reads the chunk.
const ASCII = 1;
const ENCRYPTED = 2;
const ENC_HEADER = 4 + 12 + 16;
// Headers fetched per statement: chunks hold up to 10,000 events, so a few hundred cover most queries in one go.
const HEADER_BATCH = 256;

/** The first index in [0, n) where `pred` holds, for a predicate false then true along the chunk. */
export function firstWhere(n: number, pred: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class SqliteLogEventStore implements LogEventStore {
  private readonly insert;
  private readonly newId;
  private readonly dropId;
  private readonly delStream;
  private readonly delGroup;
  private readonly load;
  private readonly streamForward;
  private readonly streamBackward;
  private readonly expiring;
  private readonly delChunk;
  private readonly trimChunk;
  private readonly scanIds;
  private readonly groupQueries = new Map<string, Statement<[Record<string, unknown>], Header>>();
  private keys: KeyResolver = () => {
    throw new Error("encrypted log events read with no key resolver");
  };

  constructor(private readonly db: Db) {
    // Filters scan message text; mapping the file spares a read() per page on those scans.
    db.pragma("mmap_size = 1073741824");
    this.insert = db.prepare(`INSERT INTO log_chunks (gid, sid, min_ts, max_ts, n, skip, ingested, bytes, ascii, ts, ends, text)
      VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`);
    this.newId = db.prepare("INSERT INTO log_event_ids DEFAULT VALUES");
    this.dropId = db.prepare("DELETE FROM log_event_ids WHERE id = ?");
    this.delStream = db.prepare("DELETE FROM log_chunks WHERE sid = ?");
    this.delGroup = db.prepare("DELETE FROM log_chunks WHERE gid = ?");
    this.load = db.prepare<[number], ChunkRow>("SELECT id, sid, skip, ingested, ascii, ts, ends, text FROM log_chunks WHERE id = ?");
    // Keyset paging over (min_ts, id) / (max_ts, id): each batch resumes after the last header of the one before.
    this.streamForward = db.prepare<[Record<string, unknown>], Header>(
      `SELECT id, min_ts AS min, max_ts AS max FROM log_chunks
       WHERE sid = @sid AND min_ts <= @hi AND max_ts >= @lo AND (min_ts > @lmin OR (min_ts = @lmin AND id > @lid))
       ORDER BY min_ts, id LIMIT ${HEADER_BATCH}`,
    );
    this.streamBackward = db.prepare<[Record<string, unknown>], Header>(
      `SELECT id, min_ts AS min, max_ts AS max FROM log_chunks INDEXED BY log_chunks_by_stream_end
       WHERE sid = @sid AND max_ts >= @lo AND min_ts <= @hi AND (max_ts < @lmax OR (max_ts = @lmax AND id < @lid))
       ORDER BY max_ts DESC, id DESC LIMIT ${HEADER_BATCH}`,
    );
    this.expiring = db.prepare<[number, number], Header & { n: number; bytes: number; encrypted: number }>(
      `SELECT id, min_ts AS min, max_ts AS max, n, bytes, ascii & ${ENCRYPTED} AS encrypted FROM log_chunks WHERE gid = ? AND min_ts < ?`,
    );
    this.delChunk = db.prepare("DELETE FROM log_chunks WHERE id = ?");
    this.scanIds = db.prepare<[number, number, number, number, number], { id: number }>(
      "SELECT id FROM log_chunks WHERE gid = ? AND min_ts <= ? AND max_ts >= ? AND id > ? ORDER BY id LIMIT ?",
    );
    this.trimChunk = db.prepare("UPDATE log_chunks SET min_ts = ?, n = ?, skip = skip + ?, bytes = ?, ts = ?, ends = ?, text = ? WHERE id = ?");
  }

  allocateId(): number {
    const id = Number(this.newId.run().lastInsertRowid);
    // AUTOINCREMENT remembers the high-water mark in sqlite_sequence, so the row itself can go.
    this.dropId.run(id);
    return id;
  }

  append(gid: number, sid: number, ingestionTime: number, events: NewLogEvent[], cipher?: ChunkCipher): number[] {
    const seqs = new Array<number>(events.length);
    if (!events.length) return seqs;
    // Atomic on its own; inside PutLogEvents' transaction (with the stream and group records) without a savepoint.
    this.db.atomic(() => {
      for (const [from, to] of chunkRuns(events)) {
        const c = packChunk(events, from, to);
        const flags = c.ascii | (cipher ? ENCRYPTED : 0);
        const text = cipher ? seal(cipher, c.text) : c.text;
        const id = Number(this.insert.run(gid, sid, c.minTs, c.maxTs, c.n, ingestionTime, c.bytes, flags, c.ts, c.ends, text).lastInsertRowid);
        // A new chunk skips nothing: its events' seqs are id * SEQ_SPAN + their index in it.
        for (let i = from; i < to; i++) seqs[i] = id * SEQ_SPAN + (i - from);
      }
    });
    return seqs;
  }

  useKeys(resolver: KeyResolver): void {
    this.keys = resolver;
  }

  queryStream(q: StreamQuery): StoredLogEvent[] {
    const lo = q.start ?? 0;
    const hi = q.end ?? MAX;
    const from = q.from;
    if (q.direction === "forward") {
      const floor = from ? Math.max(lo, from.ts) : lo;
      return this.merge(
        1,
        q.limit,
        (last) => this.streamForward.all({ sid: q.sid, lo: floor, hi, lmin: last ? last.min : -MAX, lid: last ? last.id : 0 }),
        (h) => this.open(h, lo, hi, from, undefined, undefined, false),
      );
    }
    const ceil = from ? Math.min(hi, from.ts) : hi;
    return this.merge(
      -1,
      q.limit,
      (last) => this.streamBackward.all({ sid: q.sid, lo, hi: ceil, lmax: last ? last.max : MAX, lid: last ? last.id : MAX }),
      (h) => this.open(h, lo, hi, undefined, from, undefined, true),
    );
  }

  queryGroup(q: GroupQuery): StoredLogEvent[] {
    const lo = q.start ?? 0;
    const hi = q.end ?? MAX;
    const where = ["gid = @gid", "min_ts <= @hi", "max_ts >= @lo", "(min_ts > @lmin OR (min_ts = @lmin AND id > @lid))"];
    if (q.sids) where.push("sid IN (SELECT value FROM json_each(@sids))");
    const needles = (q.substrings ?? []).filter((s) => s.length > 0).map((s) => Buffer.from(s, "utf8"));
    const params: Record<string, unknown> = { gid: q.gid, lo: q.after ? Math.max(lo, q.after.ts) : lo, hi };
    if (q.sids) params.sids = JSON.stringify(q.sids);
    // A chunk lacking any required substring anywhere in its text holds no match: SQLite skips it without a blob reaching JS.
    // (An encrypted chunk's text says nothing: it is opened and searched in JS.)
    needles.forEach((n, i) => {
      where.push(`((ascii & ${ENCRYPTED}) != 0 OR instr(text, @n${i}) > 0)`);
      params[`n${i}`] = n;
    });
    const sql = `SELECT id, min_ts AS min, max_ts AS max FROM log_chunks WHERE ${where.join(" AND ")} ORDER BY min_ts, id LIMIT ${HEADER_BATCH}`;
    let stmt = this.groupQueries.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<[Record<string, unknown>], Header>(sql);
      this.groupQueries.set(sql, stmt);
    }
    const s = stmt;
    return this.merge(
      1,
      q.limit,
      (last) => s.all({ ...params, lmin: last ? last.min : -MAX, lid: last ? last.id : 0 }),
      (h) => this.open(h, lo, hi, q.after, undefined, needles, false),
    );
  }

  deleteStream(sid: number): void {
    this.delStream.run(sid);
  }

  deleteGroup(gid: number): void {
    this.delGroup.run(gid);
  }

  deleteBefore(gid: number, before: number): { count: number; bytes: number } {
    return this.db.transaction(() => {
      let count = 0;
      let bytes = 0;
      for (const h of this.expiring.all(gid, before)) {
        if (h.max < before) {
          this.delChunk.run(h.id);
          count += h.n;
          bytes += h.bytes;
          continue;
        }
        // Partly expired: its events are in time order, so the expired ones are a prefix; keep the rest, seqs unchanged.
        // An encrypted one stays whole until it expires entirely (reads hide its expired events; no key is needed here).
        if (h.encrypted) continue;
        const c = this.chunk(h.id);
        const cut = firstWhere(c.ts.length, (i) => c.ts[i] >= before);
        const cutBytes = c.ends[cut - 1];
        const ends = new Uint32Array(c.ts.length - cut);
        for (let i = 0; i < ends.length; i++) ends[i] = c.ends[cut + i] - cutBytes;
        const ts = c.ts.slice(cut);
        this.trimChunk.run(
          ts[0],
          ts.length,
          cut,
          h.bytes - cutBytes,
          Buffer.from(ts.buffer),
          Buffer.from(ends.buffer),
          Buffer.from(c.text.subarray(cutBytes)),
          h.id,
        );
        count += cut;
        bytes += cutBytes;
      }
      return { count, bytes };
    });
  }

  scanChunks(gid: number, start: number, end: number, afterId: number, limit: number): ScannedChunk[] {
    return this.scanIds.all(gid, end, start, afterId, limit).map((r) => this.chunk(r.id));
  }

  private chunk(id: number): Chunk {
    const r = this.load.get(id)!;
    const text = asBuffer(r.text);
    return {
      id: r.id,
      sid: r.sid,
      seq0: r.id * SEQ_SPAN + r.skip,
      ingested: r.ingested,
      ascii: (r.ascii & ASCII) !== 0,
      ts: float64s(r.ts),
      ends: uint32s(r.ends),
      text: r.ascii & ENCRYPTED ? open(this.keys(text.readUInt32LE(0)), text) : text,
    };
  }

  /**
   * Loads a chunk and lists its events within [lo, hi], strictly after `after` / before `before` (as (ts, seq)),
   * holding every needle; in walking order (descending for `desc`). Undefined when none qualify.
   */
  private open(
    h: Header,
    lo: number,
    hi: number,
    after: LogPosition | undefined,
    before: LogPosition | undefined,
    needles: Buffer[] | undefined,
    desc: boolean,
  ): Cursor | undefined {
    const c = this.chunk(h.id);
    const { ts, ends, text, seq0 } = c;
    const n = ts.length;
    let a = firstWhere(n, (i) => ts[i] >= lo);
    if (after)
      a = Math.max(
        a,
        firstWhere(n, (i) => ts[i] > after.ts || (ts[i] === after.ts && seq0 + i > after.seq)),
      );
    let b = firstWhere(n, (i) => ts[i] > hi);
    if (before)
      b = Math.min(
        b,
        firstWhere(n, (i) => ts[i] > before.ts || (ts[i] === before.ts && seq0 + i >= before.seq)),
      );
    if (a >= b) return undefined;
    let idx: Int32Array;
    if (needles && needles.length) {
      // Search the packed bytes for the first needle and map each hit to its event; the rest are checked per hit event.
      const hits: number[] = [];
      const [first, ...others] = needles;
      const stop = ends[b - 1];
      let i = a;
      let pos = a ? ends[a - 1] : 0;
      while (pos < stop) {
        const at = text.indexOf(first, pos);
        if (at < 0 || at >= stop) break;
        while (ends[i] <= at) i++;
        const start = i ? ends[i - 1] : 0;
        if (at + first.length <= ends[i]) {
          const msg = others.length ? text.subarray(start, ends[i]) : undefined;
          if (!msg || others.every((o) => msg.indexOf(o) >= 0)) hits.push(i);
        }
        // Later occurrences starting in this event end later still: move on to the next event either way.
        pos = ends[i];
        i++;
      }
      if (!hits.length) return undefined;
      idx = Int32Array.from(hits);
    } else {
      idx = new Int32Array(b - a);
      for (let i = 0; i < idx.length; i++) idx[i] = a + i;
    }
    if (desc) idx.reverse();
    return { c, idx, k: 0 };
  }

  /**
   * Merges the chunks that `headers` yields (forward: by min_ts; backward: by max_ts descending) into one run ordered
   * by (ts, seq), ascending for dir 1 and descending for -1. A chunk is opened only once the run reaches its near edge,
   * since chunks of a stream may overlap in time when uploads arrive out of order.
   */
  private merge(dir: 1 | -1, limit: number, headers: (last: Header | undefined) => Header[], open: (h: Header) => Cursor | undefined): StoredLogEvent[] {
    const out: StoredLogEvent[] = [];
    const active: Cursor[] = [];
    let batch: Header[] = [];
    let bi = 0;
    let done = false;
    let last: Header | undefined;
    const peek = (): Header | undefined => {
      if (bi < batch.length) return batch[bi];
      if (done) return undefined;
      batch = headers(last);
      bi = 0;
      if (batch.length < HEADER_BATCH) done = true;
      return batch[0];
    };
    const edge = (h: Header) => (dir === 1 ? h.min : h.max);
    const tsOf = (u: Cursor) => u.c.ts[u.idx[u.k]];
    // Whether u's next event comes before v's in walking order.
    const precedes = (u: Cursor, v: Cursor) => {
      const d = tsOf(u) - tsOf(v);
      return d !== 0 ? dir * d < 0 : dir * (u.c.seq0 + u.idx[u.k] - v.c.seq0 - v.idx[v.k]) < 0;
    };
    while (out.length < limit) {
      let best = -1;
      for (let j = 0; j < active.length; j++) if (best < 0 || precedes(active[j], active[best])) best = j;
      const h = peek();
      if (h && (best < 0 || dir * (edge(h) - tsOf(active[best])) <= 0)) {
        bi++;
        last = h;
        const u = open(h);
        if (u) active.push(u);
        continue;
      }
      if (best < 0) break;
      const u = active[best];
      // Common case: one chunk open and the next one starts after its last event: copy out without comparing.
      const through = active.length === 1 && (!h || dir * (edge(h) - u.c.ts[u.idx[u.idx.length - 1]]) > 0) ? u.idx.length : u.k + 1;
      while (u.k < through && out.length < limit) {
        const i = u.idx[u.k++];
        out.push(event(u.c, i));
      }
      if (u.k === u.idx.length) active.splice(best, 1);
    }
    return out;
  }
}

function seal(cipher: ChunkCipher, text: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", cipher.key, iv);
  const body = Buffer.concat([c.update(text), c.final()]);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32LE(cipher.keyId, 0);
  return Buffer.concat([head, iv, c.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer): Buffer {
  const d = createDecipheriv("aes-256-gcm", key, sealed.subarray(4, 16));
  d.setAuthTag(sealed.subarray(16, ENC_HEADER));
  return Buffer.concat([d.update(sealed.subarray(ENC_HEADER)), d.final()]);
}

function event(c: Chunk, i: number): StoredLogEvent {
  const start = i ? c.ends[i - 1] : 0;
  // latin1 of ASCII bytes is the same text and skips UTF-8 validation.
  const message = c.ascii ? c.text.toString("latin1", start, c.ends[i]) : c.text.toString("utf8", start, c.ends[i]);
  return { seq: c.seq0 + i, sid: c.sid, timestamp: c.ts[i], ingestionTime: c.ingested, message };
}

registerSqliteTypedStore("logEvents", (db) => new SqliteLogEventStore(db));
