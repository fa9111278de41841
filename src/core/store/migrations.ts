// Schema migrations, applied in order on open; PRAGMA user_version records how far a data dir has come.
import type { Db } from "./driver.js";
import { CHUNK_MAX, packChunk } from "./log-chunks.js";

const MIGRATIONS: ((db: Db) => void)[] = [
  (db) =>
    db.exec(`
    CREATE TABLE records (
      ns TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (ns, scope, key)
    ) WITHOUT ROWID;
  `),
  // 2: the audit trail (CloudTrail events). seq orders events recorded in the same second and is the
  // paging cursor's tie-breaker; resources get their own table so ResourceName lookups use an index.
  // No event_id index: ids are time-ordered UUIDs, so an EventId lookup narrows by time instead, and
  // recording (after every request) pays for as few indexes as possible.
  (db) =>
    db.exec(`
    CREATE TABLE audit_events (
      seq INTEGER PRIMARY KEY,
      account TEXT NOT NULL, region TEXT NOT NULL, event_time INTEGER NOT NULL,
      event_id TEXT NOT NULL, event_name TEXT NOT NULL, event_source TEXT NOT NULL,
      read_only INTEGER NOT NULL, username TEXT, access_key_id TEXT,
      resources TEXT NOT NULL, record TEXT NOT NULL
    );
    CREATE INDEX audit_events_by_time ON audit_events (account, region, event_time, seq);
    CREATE INDEX audit_events_swept ON audit_events (event_time);
    CREATE TABLE audit_event_resources (
      seq INTEGER NOT NULL,
      resource_type TEXT NOT NULL, resource_name TEXT NOT NULL
    );
    CREATE INDEX audit_event_resources_by_name ON audit_event_resources (resource_name, seq);
    CREATE INDEX audit_event_resources_by_seq ON audit_event_resources (seq);
  `),
  // 3: CloudWatch Logs events. Groups and streams are numeric ids (allocated from log_event_ids, never
  // reused) so the two indexes stay small; seq (the rowid) breaks timestamp ties and is the paging cursor.
  (db) =>
    db.exec(`
    CREATE TABLE log_event_ids (id INTEGER PRIMARY KEY AUTOINCREMENT);
    CREATE TABLE log_events (
      seq INTEGER PRIMARY KEY,
      gid INTEGER NOT NULL, sid INTEGER NOT NULL,
      ts INTEGER NOT NULL, ingested INTEGER NOT NULL, message TEXT NOT NULL
    );
    CREATE INDEX log_events_by_stream ON log_events (sid, ts);
    CREATE INDEX log_events_by_group ON log_events (gid, ts);
  `),
  // 4: CloudWatch Logs events packed in chunks, one row per upload (per stream), instead of one row per event:
  // per-row inserts and their index entries were ingest's biggest cost. Small columns come first so index scans
  // and header reads stay in the row's local payload, clear of the blobs' overflow pages. (sid, max_ts) serves
  // GetLogEvents read backwards. Existing events move over in their ingestion order, cut where an upload ended.
  (db) => {
    db.exec(`
      CREATE TABLE log_chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        gid INTEGER NOT NULL, sid INTEGER NOT NULL,
        min_ts INTEGER NOT NULL, max_ts INTEGER NOT NULL, n INTEGER NOT NULL, skip INTEGER NOT NULL,
        ingested INTEGER NOT NULL, bytes INTEGER NOT NULL, ascii INTEGER NOT NULL,
        ts BLOB NOT NULL, ends BLOB NOT NULL, text BLOB NOT NULL
      );
      CREATE INDEX log_chunks_by_stream ON log_chunks (sid, min_ts);
      CREATE INDEX log_chunks_by_stream_end ON log_chunks (sid, max_ts);
      CREATE INDEX log_chunks_by_group ON log_chunks (gid, min_ts);
    `);
    type Old = { seq: number; gid: number; sid: number; ts: number; ingested: number; message: string };
    const page = db.prepare<[number], Old>("SELECT seq, gid, sid, ts, ingested, message FROM log_events WHERE seq > ? ORDER BY seq LIMIT 10000");
    const insert = db.prepare(`INSERT INTO log_chunks (gid, sid, min_ts, max_ts, n, skip, ingested, bytes, ascii, ts, ends, text)
      VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`);
    let run: Old[] = [];
    const flush = () => {
      if (!run.length) return;
      const events = run.map((r) => ({ timestamp: r.ts, message: r.message }));
      const c = packChunk(events, 0, events.length);
      insert.run(run[0].gid, run[0].sid, c.minTs, c.maxTs, c.n, run[0].ingested, c.bytes, c.ascii, c.ts, c.ends, c.text);
      run = [];
    };
    for (let last = 0; ; ) {
      const rows = page.all(last);
      if (!rows.length) break;
      for (const r of rows) {
        const prev = run[run.length - 1];
        if (prev && (r.gid !== prev.gid || r.sid !== prev.sid || r.ingested !== prev.ingested || r.ts < prev.ts || run.length === CHUNK_MAX)) flush();
        run.push(r);
      }
      last = rows[rows.length - 1].seq;
    }
    flush();
    db.exec("DROP TABLE log_events");
  },
  // 5: CloudWatch metric data (metrics.ts). A metric is a numeric id; its samples are packed chunks, one row per metric
  // and PutMetricData call, level 0 raw and higher levels AWS's roll-ups (5 minutes, 1 hour) as data ages.
  (db) =>
    db.exec(`
    CREATE TABLE metric_ids (
      id INTEGER PRIMARY KEY,
      scope TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, dims TEXT NOT NULL, last_put INTEGER NOT NULL,
      UNIQUE (scope, namespace, name, dims)
    );
    CREATE TABLE metric_chunks (
      id INTEGER PRIMARY KEY,
      mid INTEGER NOT NULL, min_ts INTEGER NOT NULL, max_ts INTEGER NOT NULL, n INTEGER NOT NULL, level INTEGER NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX metric_chunks_by_metric ON metric_chunks (mid, min_ts);
    CREATE INDEX metric_chunks_by_age ON metric_chunks (max_ts);
  `),
  // 6: append-only documents (documents.ts): X-Ray's segments, one row each by an id SQLite assigns.
  (db) =>
    db.exec(`
    CREATE TABLE documents (id INTEGER PRIMARY KEY, ns TEXT NOT NULL, scope TEXT NOT NULL, text TEXT NOT NULL);
    CREATE INDEX documents_by_scope ON documents (ns, scope, id);
  `),
  // 7: Event history holds management events only, as AWS's does: the data events older data dirs recorded there (S3
  // object calls, Lambda Invoke, SQS messages, SNS Publish — "eventCategory":"Data" in their records) are removed.
  // Trails record data events in their own pending chunks now; one an older data dir queued by seq and had not
  // delivered at the upgrade is delivered without those records.
  (db) =>
    db.exec(`
    DELETE FROM audit_event_resources WHERE seq IN (SELECT seq FROM audit_events WHERE instr(record, '"eventCategory":"Data"') > 0);
    DELETE FROM audit_events WHERE instr(record, '"eventCategory":"Data"') > 0;
  `),
  // 8: small blobs (core/blobs.ts: content up to its inline threshold) as rows instead of files (blob-rows.ts), by id.
  (db) => db.exec("CREATE TABLE blobs (id TEXT PRIMARY KEY, data BLOB NOT NULL);"),
];

/**
 * Brings the schema up to date: nothing to do (one PRAGMA read) when it is; otherwise every missing migration runs,
 * all in one transaction, so a crash part-way leaves the data dir as it was and a new one is created in one commit
 * (a transaction per step cost a fresh data dir's cold start a few ms of commits).
 */
export function migrate(db: Db): void {
  const from = db.pragma("user_version") as number;
  if (from === MIGRATIONS.length) return;
  if (from > MIGRATIONS.length) {
    throw new Error(`data dir was written by a newer Stratus (schema ${from}, this one knows ${MIGRATIONS.length})`);
  }
  db.transaction(() => {
    for (let v = from; v < MIGRATIONS.length; v++) MIGRATIONS[v](db);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
}
