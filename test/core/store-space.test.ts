// The store gives freed space back (core/store/space.ts): new databases use incremental auto_vacuum, small old ones
// are converted at open, and records deleted, log events past retention and audit events swept shrink the file in
// bounded steps; what the database holds is reported by namespace and store.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore, type SqliteStore } from "../../src/core/store/sqlite.js";
import { chooseDriver, type Driver } from "../../src/core/store/driver.js";
import { logEventStore } from "../../src/core/store/log-events.js";
import { eventLog } from "../../src/core/store/events.js";
import { JOURNAL_SIZE_LIMIT, prepareSpace } from "../../src/core/store/space.js";
import { DRIVERS } from "../helpers/drivers.js";

function withStore(driver: Driver, fn: (store: SqliteStore, dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "stratus-space-"));
  const store = openSqliteStore(dir, driver);
  try {
    fn(store, dir);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const dbBytes = (dir: string) => statSync(join(dir, "stratus.db")).size;

/** Steps until nothing is left to give back (each step bounded), as the server's keeper does. */
function reclaimAll(store: SqliteStore): number {
  let steps = 0;
  while (store.reclaimSpace().pages > 0) steps++;
  // The file shrinks on disk at the next checkpoint (SQLite's own, once the WAL holds 1,000 pages): forced here.
  store.commitGroup();
  store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return steps;
}

for (const { name, driver, skip } of DRIVERS) {
  test(`${name}: a new database gives freed pages back; records, log events and audit events deleted shrink the file`, { skip }, () =>
    withStore(driver!, (store, dir) => {
      assert.equal(store.db.pragma("auto_vacuum"), 2, "incremental");
      assert.equal(Number(store.db.pragma("journal_size_limit")), JOURNAL_SIZE_LIMIT);
      assert.equal(store.spaceNote, undefined);
      const empty = dbBytes(dir);

      // Records: 20,000 messages, then deleted as DeleteMessage does.
      const t = store.table<{ body: string }>("sqs:messages", "111111111111/us-east-1");
      store.transaction(() => {
        for (let i = 0; i < 20000; i++) t.put(`q/${String(i).padStart(16, "0")}`, { body: `message ${i} ${"x".repeat(200)}` });
      });
      store.commitGroup();
      store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      const full = dbBytes(dir);
      assert.ok(full > empty + 4_000_000, `${full} bytes`);
      store.transaction(() => {
        for (let i = 0; i < 20000; i++) t.delete(`q/${String(i).padStart(16, "0")}`);
      });
      assert.ok(reclaimAll(store) > 1, "more than one bounded step");
      const after = dbBytes(dir);
      assert.ok(after < empty + 2_000_000, `records: ${full} → ${after} bytes`);

      // Log events past retention (the retention sweep's deleteBefore).
      const logs = logEventStore(store);
      const gid = logs.allocateId();
      const sid = logs.allocateId();
      for (let b = 0; b < 40; b++) {
        logs.append(
          gid,
          sid,
          1000 + b,
          Array.from({ length: 500 }, (_, i) => ({ timestamp: 1000 + b, message: `line ${b}/${i} ${"y".repeat(100)}` })),
        );
      }
      store.commitGroup();
      store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      const withLogs = dbBytes(dir);
      assert.ok(withLogs > after + 1_000_000, `${withLogs} bytes`);
      assert.equal(logs.deleteBefore(gid, 10_000).count, 20000);
      reclaimAll(store);
      const afterLogs = dbBytes(dir);
      assert.ok(afterLogs - after < (withLogs - after) / 5, `logs: ${after} → ${withLogs} → ${afterLogs} bytes`);

      // Audit events past 90 days (the audit trail's sweep: deleteEventsBefore).
      const audit = eventLog(store);
      const rows = Array.from({ length: 5000 }, (_, i) => ({
        account: "111111111111",
        region: "us-east-1",
        eventTime: 1000 + i,
        eventId: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
        eventName: "SendMessage",
        eventSource: "sqs.amazonaws.com",
        readOnly: false,
        resources: [{ type: "AWS::SQS::Queue", name: `arn:aws:sqs:us-east-1:111111111111:q${i}` }],
        record: JSON.stringify({ eventVersion: "1.08", padding: "z".repeat(300), i }),
      }));
      audit.appendEvents(rows);
      store.commitGroup();
      store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      const withAudit = dbBytes(dir);
      assert.ok(withAudit > afterLogs + 1_500_000, `${withAudit} bytes`);
      assert.equal(audit.deleteEventsBefore(1_000_000), 5000);
      reclaimAll(store);
      const afterAudit = dbBytes(dir);
      assert.ok(afterAudit - afterLogs < (withAudit - afterLogs) / 5, `audit: ${afterLogs} → ${withAudit} → ${afterAudit} bytes`);
      // Some free pages stay for reuse: the step never goes below them.
      assert.ok(Number(store.db.pragma("freelist_count")) <= 256);
    }),
  );

  test(`${name}: a WAL larger than the limit is cut back to it when a write starts it over`, { skip }, () =>
    withStore(driver!, (store, dir) => {
      const wal = () => statSync(join(dir, "stratus.db-wal")).size;
      const t = store.table<{ v: string }>("s3:objects", "111111111111");
      // One transaction of ~80 MB: the WAL holds it all until a checkpoint.
      store.transaction(() => {
        for (let i = 0; i < 40000; i++) t.put(String(i), { v: `${i}${"w".repeat(2000)}` });
      });
      assert.ok(wal() > JOURNAL_SIZE_LIMIT, `${wal()} bytes`);
      // Checkpointed (here by this connection; the checkpoint worker's own is in checkpointer.test.ts), the next
      // write starts the WAL over, cut back to the limit.
      store.commitGroup();
      store.db.pragma("wal_checkpoint(PASSIVE)");
      for (let i = 0; i < 10; i++) t.put(`small ${i}`, { v: "s" });
      store.commitGroup();
      assert.ok(wal() <= JOURNAL_SIZE_LIMIT, `${wal()} bytes`);
    }),
  );

  test(`${name}: a database made without auto_vacuum is converted at open when small`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-space-"));
    try {
      const old = driver!.open(join(dir, "stratus.db"));
      old.exec(
        "CREATE TABLE records (ns TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ns, scope, key)) WITHOUT ROWID",
      );
      old.exec("PRAGMA user_version = 1");
      old.prepare("INSERT INTO records VALUES ('sqs:queues', '1/us-east-1', 'q', '{\"name\":\"q\"}')").run();
      assert.equal(old.pragma("auto_vacuum"), 0);
      old.close();
      const store = openSqliteStore(dir, driver!);
      try {
        assert.equal(store.db.pragma("auto_vacuum"), 2);
        assert.match(store.spaceNote ?? "", /^converted the data dir's database \(0\.0 MB\) to incremental vacuum$/);
        assert.deepEqual(store.table("sqs:queues", "1/us-east-1").get("q"), { name: "q" });
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: a larger one is left as it is with a note, or converted when asked (STRATUS_VACUUM_ON_START=1)`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-space-"));
    try {
      const file = join(dir, "stratus.db");
      const old = driver!.open(file);
      old.exec("CREATE TABLE t (v TEXT)");
      old.prepare("INSERT INTO t VALUES (?)").run("x".repeat(10000));
      assert.match(prepareSpace(old, file, 1000) ?? "", /predates incremental vacuum: .* start once with STRATUS_VACUUM_ON_START=1 to convert it/);
      assert.equal(old.pragma("auto_vacuum"), 0);
      process.env.STRATUS_VACUUM_ON_START = "1";
      try {
        assert.match(prepareSpace(old, file, 1000) ?? "", /^converted the data dir's database/);
      } finally {
        delete process.env.STRATUS_VACUUM_ON_START;
      }
      assert.equal(old.pragma("auto_vacuum"), 2);
      assert.equal(prepareSpace(old, file, 1000), undefined);
      old.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: usage by namespace and store, from the database's pages`, { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-space-"));
    const store = openSqliteStore(dir, driver!);
    try {
      const big = store.table<{ v: string }>("sqs:messages", "111111111111/us-east-1");
      const small = store.table<{ v: string }>("iam:users", "111111111111");
      const after = store.table<{ v: string }>("sns:topics", "111111111111/us-east-1");
      store.transaction(() => {
        for (let i = 0; i < 5000; i++) big.put(String(i).padStart(8, "0"), { v: "m".repeat(400) });
        for (let i = 0; i < 10; i++) small.put(String(i), { v: "u".repeat(100) });
        // Overflow pages (a value larger than a page) belong to their own row's namespace.
        for (let i = 0; i < 50; i++) after.put(String(i), { v: "t".repeat(20000) });
      });
      const u = await store.spaceUsage();
      assert.equal(u.method, "dbstat");
      const messages = u.byStore["records sqs:messages"];
      const topics = u.byStore["records sns:topics"];
      assert.ok(messages > 5000 * 400 && messages < 5000 * 400 * 1.5, `sqs:messages ${messages}`);
      assert.ok(topics > 50 * 20000 && topics < 50 * 20000 * 1.3, `sns:topics ${topics}`);
      assert.ok(u.byStore["records iam:users"] < 20000, `iam:users ${u.byStore["records iam:users"]}`);
      assert.equal(u.byService.sqs, messages);
      assert.equal(u.pages.autoVacuum, "incremental");
      const pagesInUse = (u.pages.count - u.pages.free) * u.pages.size;
      const counted = Object.values(u.byStore).reduce((s, b) => s + b, 0);
      assert.ok(Math.abs(counted - pagesInUse) <= u.pages.size * 2, `${counted} of ${pagesInUse}`);
      assert.ok(u.directories.blobs === undefined || u.directories.blobs >= 0);
      assert.equal(u.files.total, u.files.database + u.files.wal + u.files.other);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
