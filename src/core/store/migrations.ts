// Schema migrations, applied in order on open; PRAGMA user_version records how far a data dir has come.
import type Database from "better-sqlite3";

const MIGRATIONS: ((db: Database.Database) => void)[] = [
  (db) => db.exec(`
    CREATE TABLE records (
      ns TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (ns, scope, key)
    ) WITHOUT ROWID;
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
