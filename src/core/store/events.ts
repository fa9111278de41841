// The audit event log: CloudTrail events in their own indexed tables, behind a typed API (no SQL
// leaves this file), so a PostgreSQL backend can implement the same EventLog later.
import { registerSqliteTypedStore } from "./sqlite.js";
import type { Db, Statement } from "./driver.js";
import type { Store } from "./types.js";

export interface AuditResource {
  type: string;
  name: string;
}

export interface AuditEventRow {
  account: string;
  region: string;
  /** Epoch ms (CloudTrail reports whole seconds; the recorder truncates). */
  eventTime: number;
  eventId: string;
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  username?: string;
  accessKeyId?: string;
  resources: AuditResource[];
  /** The CloudTrail record as JSON text. */
  record: string;
}

export interface StoredAuditEvent extends AuditEventRow {
  /** Insertion order; breaks ties between events of the same second. */
  seq: number;
}

export type EventAttribute = "EventId" | "EventName" | "ReadOnly" | "Username" | "ResourceType" | "ResourceName" | "EventSource" | "AccessKeyId";

export interface EventFilter {
  account: string;
  region: string;
  attribute?: { key: EventAttribute; value: string };
  /** Inclusive bounds, epoch ms. */
  start?: number;
  end?: number;
}

/** Where a page starts: strictly older than this (time, seq) position. */
export interface EventCursor {
  time: number;
  seq: number;
}

export interface EventPage {
  events: StoredAuditEvent[];
  /** Set when more events follow the last one returned. */
  next?: EventCursor;
}

/** Which events a seq range is read from: one account and region, within [start, end] (epoch ms). */
export interface SeqWhere {
  account: string;
  region: string;
  start: number;
  end: number;
}

export interface EventLog {
  /** Appends the rows in one transaction; returns each row's seq. */
  appendEvents(rows: AuditEventRow[]): number[];
  /**
   * The record texts of the events with seq in [first, last] (ascending) of one account and region within [start, end]
   * (epoch ms; a seq a sweep freed and a later event took is thereby not mistaken for the one that had it).
   */
  recordsBySeq(first: number, last: number, where: SeqWhere): string[];
  /**
   * The same records' texts as one UTF-8 text, joined by commas (empty when there are none): what a trail's log file
   * holds, read without a string per record. In no promised order (a trail's log file promises none).
   */
  joinedRecordsBySeq(first: number, last: number, where: SeqWhere): Buffer;
  /** Newest first. */
  queryEvents(filter: EventFilter, page: { limit: number; after?: EventCursor }): EventPage;
  /** Deletes every event (all accounts) older than `time`; returns how many. */
  deleteEventsBefore(time: number): number;
}

/** The store's audit event table (an interface a second backend implements; SQLite's is below). */
export function eventLog(store: Store): EventLog {
  return store.auditEvents();
}

interface Row {
  seq: number;
  account: string;
  region: string;
  event_time: number;
  event_id: string;
  event_name: string;
  event_source: string;
  read_only: number;
  username: string | null;
  access_key_id: string | null;
  resources: string;
  record: string;
}

// The column (or resource table column) each lookup attribute compares, all by equality.
const ATTRIBUTE_SQL: Record<EventAttribute, string> = {
  EventId: "event_id = @value",
  EventName: "event_name = @value",
  ReadOnly: "read_only = @value",
  Username: "username = @value",
  AccessKeyId: "access_key_id = @value",
  EventSource: "event_source = @value",
  ResourceName: "seq IN (SELECT seq FROM audit_event_resources WHERE resource_name = @value)",
  ResourceType: "seq IN (SELECT seq FROM audit_event_resources WHERE resource_type = @value)",
};

export class SqliteEventLog implements EventLog {
  private readonly insertEvent;
  private readonly insertResource;
  private readonly deleteResources;
  private readonly deleteEvents;
  private readonly selectRecords;
  private readonly selectJoined;
  private readonly queries = new Map<string, Statement<[Record<string, unknown>], Row>>();

  constructor(private readonly db: Db) {
    this.insertEvent = db.prepare(
      `INSERT INTO audit_events (account, region, event_time, event_id, event_name, event_source, read_only, username, access_key_id, resources, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertResource = db.prepare("INSERT INTO audit_event_resources (seq, resource_type, resource_name) VALUES (?, ?, ?)");
    this.deleteResources = db.prepare("DELETE FROM audit_event_resources WHERE seq IN (SELECT seq FROM audit_events WHERE event_time < ?)");
    this.deleteEvents = db.prepare("DELETE FROM audit_events WHERE event_time < ?");
    // NOT INDEXED: by the rowid range. Without it SQLite's planner (no ANALYZE statistics) takes audit_events_by_time
    // and visits every event of the account, region and time span, sorting them, for each run.
    const bySeq = "FROM audit_events NOT INDEXED WHERE seq BETWEEN ? AND ? AND account = ? AND region = ? AND event_time BETWEEN ? AND ?";
    this.selectRecords = db.prepare<[number, number, string, string, number, number], { record: string }>(`SELECT record ${bySeq} ORDER BY seq`);
    // Without ORDER BY inside group_concat (which sorts in a temporary b-tree, 4× the cost): the scan is by rowid.
    this.selectJoined = db.prepare<[number, number, string, string, number, number], { text: Uint8Array | null }>(
      `SELECT CAST(group_concat(record, ',') AS BLOB) AS text ${bySeq}`,
    );
  }

  appendEvents(rows: AuditEventRow[]): number[] {
    const seqs: number[] = [];
    if (!rows.length) return seqs;
    this.db.atomic(() => {
      for (const r of rows) {
        const { lastInsertRowid } = this.insertEvent.run(
          r.account,
          r.region,
          r.eventTime,
          r.eventId,
          r.eventName,
          r.eventSource,
          r.readOnly ? 1 : 0,
          r.username ?? null,
          r.accessKeyId ?? null,
          JSON.stringify(r.resources),
          r.record,
        );
        for (const res of r.resources) this.insertResource.run(lastInsertRowid, res.type, res.name);
        seqs.push(Number(lastInsertRowid));
      }
    });
    return seqs;
  }

  recordsBySeq(first: number, last: number, where: SeqWhere): string[] {
    return this.selectRecords.all(first, last, where.account, where.region, where.start, where.end).map((r) => r.record);
  }

  joinedRecordsBySeq(first: number, last: number, where: SeqWhere): Buffer {
    const text = this.selectJoined.get(first, last, where.account, where.region, where.start, where.end)?.text;
    if (!text) return Buffer.alloc(0);
    // better-sqlite3 answers a Buffer, node:sqlite a Uint8Array: viewed, not copied.
    return Buffer.isBuffer(text) ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  }

  queryEvents(filter: EventFilter, page: { limit: number; after?: EventCursor }): EventPage {
    const where = ["account = @account", "region = @region"];
    if (filter.attribute) where.push(ATTRIBUTE_SQL[filter.attribute.key]);
    if (filter.start !== undefined) where.push("event_time >= @start");
    if (filter.end !== undefined) where.push("event_time <= @end");
    if (page.after) where.push("(event_time < @afterTime OR (event_time = @afterTime AND seq < @afterSeq))");
    const sql = `SELECT * FROM audit_events WHERE ${where.join(" AND ")} ORDER BY event_time DESC, seq DESC LIMIT @limit`;
    let stmt = this.queries.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<[Record<string, unknown>], Row>(sql);
      this.queries.set(sql, stmt);
    }
    const a = filter.attribute;
    const rows = stmt.all({
      account: filter.account,
      region: filter.region,
      value: a ? (a.key === "ReadOnly" ? (a.value === "true" ? 1 : 0) : a.value) : null,
      start: filter.start ?? null,
      end: filter.end ?? null,
      afterTime: page.after?.time ?? null,
      afterSeq: page.after?.seq ?? null,
      limit: page.limit + 1,
    });
    const events = rows.slice(0, page.limit).map(fromRow);
    const last = events[events.length - 1];
    return { events, next: rows.length > page.limit && last ? { time: last.eventTime, seq: last.seq } : undefined };
  }

  deleteEventsBefore(time: number): number {
    return this.db.transaction(() => {
      this.deleteResources.run(time);
      return Number(this.deleteEvents.run(time).changes);
    });
  }
}

function fromRow(r: Row): StoredAuditEvent {
  return {
    seq: r.seq,
    account: r.account,
    region: r.region,
    eventTime: r.event_time,
    eventId: r.event_id,
    eventName: r.event_name,
    eventSource: r.event_source,
    readOnly: r.read_only === 1,
    username: r.username ?? undefined,
    accessKeyId: r.access_key_id ?? undefined,
    resources: JSON.parse(r.resources) as AuditResource[],
    record: r.record,
  };
}

registerSqliteTypedStore("auditEvents", (db) => new SqliteEventLog(db));
