// CloudWatch Logs events in their own indexed table behind a typed API (no SQL leaves this file): batched
// multi-row inserts for ingest volume, index range scans by stream or group, and a substring prefilter.
import type Database from "better-sqlite3";
import type { Store } from "./types.js";
import { SqliteStore } from "./sqlite.js";

export interface NewLogEvent {
  timestamp: number;
  message: string;
}

export interface StoredLogEvent {
  /** Insertion order; breaks ties between events of the same millisecond. */
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

export interface LogEventStore {
  /** A fresh id for a group or a stream, never reused. */
  allocateId(): number;
  /** Appends the events in one transaction (the caller's, if one is open). */
  append(gid: number, sid: number, ingestionTime: number, events: NewLogEvent[]): void;
  queryStream(q: StreamQuery): StoredLogEvent[];
  /** Oldest first, ordered by (timestamp, seq) across the group's streams. */
  queryGroup(q: GroupQuery): StoredLogEvent[];
  deleteStream(sid: number): void;
  deleteGroup(gid: number): void;
  /** Deletes the group's events with timestamp < `before`; returns how many and their stored bytes. */
  deleteBefore(gid: number, before: number): { count: number; bytes: number };
}

const stores = new WeakMap<Store, LogEventStore>();

export function logEventStore(store: Store): LogEventStore {
  let s = stores.get(store);
  if (!s) {
    if (!(store instanceof SqliteStore)) throw new Error("the log event store needs the SQLite store");
    s = new SqliteLogEventStore(store.db);
    stores.set(store, s);
  }
  return s;
}

interface Row {
  seq: number;
  sid: number;
  ts: number;
  ingested: number;
  message: string;
}

// Rows per INSERT statement: one statement per 200 events costs far less than one per event
// (measured ~1.5x the ingest rate), and 1,000 parameters stay well under SQLite's limit.
const ROWS_PER_INSERT = 200;
const MAX = Number.MAX_SAFE_INTEGER;

/** GLOB is case-sensitive and measured ~1.6x faster than instr(); its metacharacters are escaped as classes. */
const globOf = (s: string) => `*${s.replace(/[*?[]/g, (c) => `[${c}]`)}*`;

class SqliteLogEventStore implements LogEventStore {
  private readonly insertMany;
  private readonly insertOne;
  private readonly newId;
  private readonly dropId;
  private readonly delStream;
  private readonly delGroup;
  private readonly statBefore;
  private readonly delBefore;
  private readonly forward;
  private readonly backward;
  private readonly groupQueries = new Map<string, Database.Statement<Record<string, unknown>, Row>>();

  constructor(private readonly db: Database.Database) {
    // Filters scan message text; mapping the file spares a read() per page on those scans.
    db.pragma("mmap_size = 1073741824");
    const values = (n: number) => Array(n).fill("(?, ?, ?, ?, ?)").join(", ");
    this.insertMany = db.prepare(`INSERT INTO log_events (gid, sid, ts, ingested, message) VALUES ${values(ROWS_PER_INSERT)}`);
    this.insertOne = db.prepare("INSERT INTO log_events (gid, sid, ts, ingested, message) VALUES (?, ?, ?, ?, ?)");
    this.newId = db.prepare("INSERT INTO log_event_ids DEFAULT VALUES");
    this.dropId = db.prepare("DELETE FROM log_event_ids WHERE id = ?");
    this.delStream = db.prepare("DELETE FROM log_events WHERE sid = ?");
    this.delGroup = db.prepare("DELETE FROM log_events WHERE gid = ?");
    this.statBefore = db.prepare<[number, number], { n: number; bytes: number | null }>(
      "SELECT count(*) AS n, sum(length(CAST(message AS BLOB))) AS bytes FROM log_events WHERE gid = ? AND ts < ?");
    this.delBefore = db.prepare("DELETE FROM log_events WHERE gid = ? AND ts < ?");
    const cols = "seq, sid, ts, ingested, message";
    this.forward = db.prepare<Record<string, unknown>, Row>(
      `SELECT ${cols} FROM log_events WHERE sid = @sid AND ts >= @lo AND ts <= @hi AND (ts > @pts OR (ts = @pts AND seq > @pseq))
       ORDER BY ts, seq LIMIT @limit`);
    this.backward = db.prepare<Record<string, unknown>, Row>(
      `SELECT ${cols} FROM log_events WHERE sid = @sid AND ts >= @lo AND ts <= @hi AND (ts < @pts OR (ts = @pts AND seq < @pseq))
       ORDER BY ts DESC, seq DESC LIMIT @limit`);
  }

  allocateId(): number {
    const id = Number(this.newId.run().lastInsertRowid);
    // AUTOINCREMENT remembers the high-water mark in sqlite_sequence, so the row itself can go.
    this.dropId.run(id);
    return id;
  }

  append(gid: number, sid: number, ingestionTime: number, events: NewLogEvent[]): void {
    if (!events.length) return;
    this.db.transaction(() => {
      const full = events.length - (events.length % ROWS_PER_INSERT);
      const args: unknown[] = new Array(ROWS_PER_INSERT * 5);
      for (let i = 0; i < full; i += ROWS_PER_INSERT) {
        for (let j = 0; j < ROWS_PER_INSERT; j++) {
          const e = events[i + j];
          const k = j * 5;
          args[k] = gid;
          args[k + 1] = sid;
          args[k + 2] = e.timestamp;
          args[k + 3] = ingestionTime;
          args[k + 4] = e.message;
        }
        this.insertMany.run(args);
      }
      for (let i = full; i < events.length; i++) this.insertOne.run(gid, sid, events[i].timestamp, ingestionTime, events[i].message);
    })();
  }

  queryStream(q: StreamQuery): StoredLogEvent[] {
    const fwd = q.direction === "forward";
    const from = q.from ?? (fwd ? { ts: -1, seq: MAX } : { ts: MAX, seq: 0 });
    const rows = (fwd ? this.forward : this.backward).all({
      sid: q.sid, lo: q.start ?? 0, hi: q.end ?? MAX, pts: from.ts, pseq: from.seq, limit: q.limit,
    });
    return rows.map(toEvent);
  }

  queryGroup(q: GroupQuery): StoredLogEvent[] {
    const where = ["gid = @gid", "ts >= @lo", "ts <= @hi"];
    if (q.after) where.push("ts >= @pts", "(ts > @pts OR (ts = @pts AND seq > @pseq))");
    if (q.sids) where.push("sid IN (SELECT value FROM json_each(@sids))");
    const subs = q.substrings ?? [];
    const params: Record<string, unknown> = {
      gid: q.gid, lo: q.start ?? 0, hi: q.end ?? MAX, limit: q.limit,
    };
    if (q.after) Object.assign(params, { pts: q.after.ts, pseq: q.after.seq });
    if (q.sids) params.sids = JSON.stringify(q.sids);
    subs.forEach((s, i) => {
      where.push(`message GLOB @g${i}`);
      params[`g${i}`] = globOf(s);
    });
    const sql = `SELECT seq, sid, ts, ingested, message FROM log_events WHERE ${where.join(" AND ")} ORDER BY ts, seq LIMIT @limit`;
    let stmt = this.groupQueries.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<Record<string, unknown>, Row>(sql);
      this.groupQueries.set(sql, stmt);
    }
    return stmt.all(params).map(toEvent);
  }

  deleteStream(sid: number): void {
    this.delStream.run(sid);
  }

  deleteGroup(gid: number): void {
    this.delGroup.run(gid);
  }

  deleteBefore(gid: number, before: number): { count: number; bytes: number } {
    return this.db.transaction(() => {
      const stat = this.statBefore.get(gid, before)!;
      if (stat.n > 0) this.delBefore.run(gid, before);
      return { count: stat.n, bytes: stat.bytes ?? 0 };
    })();
  }
}

function toEvent(r: Row): StoredLogEvent {
  return { seq: r.seq, sid: r.sid, timestamp: r.ts, ingestionTime: r.ingested, message: r.message };
}
