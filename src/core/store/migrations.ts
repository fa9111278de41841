// Schema migrations, applied in order on open; PRAGMA user_version records how far a data dir has come.
import type Database from "better-sqlite3";

const MIGRATIONS: ((db: Database.Database) => void)[] = [
  (db) => db.exec(`
    CREATE TABLE records (
      ns TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (ns, scope, key)
    ) WITHOUT ROWID;
  `),
  // 2: the audit trail (CloudTrail events). seq orders events recorded in the same second and is the
  // paging cursor's tie-breaker; resources get their own table so ResourceName lookups use an index.
  // No event_id index: ids are time-ordered UUIDs, so an EventId lookup narrows by time instead, and
  // recording (after every request) pays for as few indexes as possible.
  (db) => db.exec(`
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
  (db) => db.exec(`
    CREATE TABLE log_event_ids (id INTEGER PRIMARY KEY AUTOINCREMENT);
    CREATE TABLE log_events (
      seq INTEGER PRIMARY KEY,
      gid INTEGER NOT NULL, sid INTEGER NOT NULL,
      ts INTEGER NOT NULL, ingested INTEGER NOT NULL, message TEXT NOT NULL
    );
    CREATE INDEX log_events_by_stream ON log_events (sid, ts);
    CREATE INDEX log_events_by_group ON log_events (gid, ts);
  `),
];

export function migrate(db: Database.Database): void {
  const from = db.pragma("user_version", { simple: true }) as number;
  if (from > MIGRATIONS.length) {
    throw new Error(`data dir was written by a newer Stratus (schema ${from}, this one knows ${MIGRATIONS.length})`);
  }
  for (let v = from; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      MIGRATIONS[v](db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
