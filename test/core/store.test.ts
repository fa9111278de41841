// The SQLite store on every driver this Node has (node:sqlite, better-sqlite3): the typed table API, transactions,
// scopes, log chunk blobs, migrations, data dirs shared between drivers, and how the driver is chosen.
// STRATUS_BETTER_SQLITE3_PATH points better-sqlite3 at a build for this Node when node_modules holds another's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { openSqliteStore } from "../../src/core/store/sqlite.js";
import { logEventStore } from "../../src/core/store/log-events.js";
import { chooseDriver, loadBetterSqlite3, loadNodeSqlite, type Backend, type Driver } from "../../src/core/store/driver.js";
import { SetupError } from "../../src/core/errors.js";
import { DRIVERS } from "../helpers/drivers.js";

function withDir(fn: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "stratus-store-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const { name, driver, skip } of DRIVERS) {
  const open = (dir: string) => openSqliteStore(dir, driver!);

  test(`${name}: tables: get, put, insert, delete, list with prefix/after/limit, count`, { skip }, () =>
    withDir((dir) => {
      const store = open(dir);
      assert.equal(store.engine, name);
      const t = store.table<{ n: number }>("svc:things", "111111111111");
      for (const k of ["a/1", "a/2", "a/3", "b/1"]) t.put(k, { n: Number(k.slice(2)) });
      assert.deepEqual(t.get("a/2"), { n: 2 });
      assert.equal(t.has("a/9"), false);
      assert.equal(t.insert("a/1", { n: 99 }), false);
      assert.deepEqual(t.get("a/1"), { n: 1 });
      assert.equal(t.insert("c/1", { n: 5 }), true);
      assert.deepEqual(
        t.list({ prefix: "a/" }).map((e) => e.key),
        ["a/1", "a/2", "a/3"],
      );
      assert.deepEqual(
        t.list({ prefix: "a/", after: "a/1", limit: 1 }).map((e) => e.key),
        ["a/2"],
      );
      assert.equal(t.count("a/"), 3);
      assert.equal(t.count(), 5);
      assert.equal(t.delete("a/2"), true);
      assert.equal(t.delete("a/2"), false);
      assert.equal(t.count("a/"), 2);
      store.close();
      store.close();
    }),
  );

  test(`${name}: keys with U+0000 separators and non-ASCII characters list back whole (node:sqlite on Node 22 cuts TEXT at a NUL)`, { skip }, () =>
    withDir((dir) => {
      const store = open(dir);
      const t = store.table<{ v: string }>("svc:links", "111111111111");
      const keys = ["devs\u0000ann", "devs\u0000ben", "devs\u0000zoë 🚀", "ops\u0000ann"];
      for (const k of keys) t.put(k, { v: k });
      assert.deepEqual(
        t.list({ prefix: "devs\u0000" }).map((e) => e.key),
        keys.slice(0, 3),
      );
      assert.deepEqual(
        t.list().map((e) => e.value.v),
        keys,
      );
      assert.deepEqual(t.get("devs\u0000ben"), { v: "devs\u0000ben" });
      store.close();
    }),
  );

  test(`${name}: scopes isolate accounts and regions; scopes() lists them`, { skip }, () =>
    withDir((dir) => {
      const store = open(dir);
      const a = store.table<string>("svc:x", "111111111111/us-east-1");
      const b = store.table<string>("svc:x", "111111111111/eu-west-1");
      const g = store.table<string>("svc:x", "");
      a.put("k", "a");
      b.put("k", "b");
      g.put("k", "g");
      assert.equal(a.get("k"), "a");
      assert.equal(b.get("k"), "b");
      assert.equal(g.get("k"), "g");
      assert.deepEqual(store.scopes("svc:x").sort(), ["", "111111111111/eu-west-1", "111111111111/us-east-1"]);
      store.close();
    }),
  );

  test(`${name}: readList() keeps a prefix's entries frozen until a write through the table or a rollback`, { skip }, () =>
    withDir((dir) => {
      const store = open(dir);
      const t = store.table<{ n: number }>("svc:filters", "acct/r");
      t.put("g1/a", { n: 1 });
      t.put("g2/a", { n: 2 });
      const first = t.readList("g1/");
      assert.deepEqual(
        first.map((e) => [e.key, e.value.n]),
        [["g1/a", 1]],
      );
      assert.equal(t.readList("g1/"), first, "the same list while nothing is written");
      assert.ok(Object.isFrozen(first) && Object.isFrozen(first[0].value));
      assert.throws(() => {
        (first[0].value as { n: number }).n = 5;
      }, TypeError);
      // Any write through the table drops every prefix's list: a put, an insert, a delete.
      t.put("g1/b", { n: 3 });
      assert.deepEqual(
        t.readList("g1/").map((e) => e.key),
        ["g1/a", "g1/b"],
      );
      assert.equal(t.insert("g1/c", { n: 4 }), true);
      assert.equal(t.readList("g1/").length, 3);
      t.delete("g1/a");
      assert.deepEqual(
        t.readList("g1/").map((e) => e.key),
        ["g1/b", "g1/c"],
      );
      // A list read inside a transaction that rolls back is not kept past it.
      assert.throws(
        () =>
          store.transaction(() => {
            t.put("g1/d", { n: 5 });
            assert.equal(t.readList("g1/").length, 3);
            throw new Error("abort");
          }),
        /abort/,
      );
      assert.deepEqual(
        t.readList("g1/").map((e) => e.key),
        ["g1/b", "g1/c"],
      );
      assert.equal(t.readList().length, 3, "no prefix: the whole table");
      store.close();
    }),
  );

  test(`${name}: atomic() is a transaction of its own, or joins the open one without a savepoint`, { skip }, () =>
    withDir((dir) => {
      const db = driver!.open(join(dir, "atomic.db"));
      db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
      const put = db.prepare("INSERT INTO t (k) VALUES (?)");
      const keys = () => (db.prepare("SELECT k FROM t ORDER BY k").all() as { k: string }[]).map((r) => r.k);
      // Alone: commits, or on a failure rolls back.
      db.atomic(() => put.run("a"));
      assert.throws(
        () =>
          db.atomic(() => {
            put.run("b");
            throw new Error("abort");
          }),
        /abort/,
      );
      assert.deepEqual(keys(), ["a"]);
      // Inside a transaction: part of it. A failure is the enclosing transaction's to undo (no savepoint undid "c"
      // when the caller caught it), and the enclosing transaction's failure undoes it all.
      db.transaction(() => {
        try {
          db.atomic(() => {
            put.run("c");
            throw new Error("inner");
          });
        } catch {
          // caught: the write stays in the enclosing transaction
        }
      });
      assert.deepEqual(keys(), ["a", "c"]);
      assert.throws(
        () =>
          db.transaction(() => {
            db.atomic(() => put.run("d"));
            throw new Error("outer");
          }),
        /outer/,
      );
      assert.deepEqual(keys(), ["a", "c"]);
      db.close();
    }),
  );

  test(`${name}: a transaction commits all of its writes or none; nested ones are savepoints`, { skip }, () =>
    withDir((dir) => {
      const store = open(dir);
      const t = store.table<number>("svc:t", "");
      assert.throws(
        () =>
          store.transaction(() => {
            t.put("one", 1);
            throw new Error("abort");
          }),
        /abort/,
      );
      assert.equal(t.get("one"), undefined);
      assert.equal(
        store.transaction(() => {
          t.put("one", 1);
          t.put("two", 2);
          return "done";
        }),
        "done",
      );
      assert.equal(t.count(), 2);
      // An inner failure caught by the outer transaction undoes only the inner writes.
      store.transaction(() => {
        t.put("three", 3);
        assert.throws(
          () =>
            store.transaction(() => {
              t.put("four", 4);
              store.transaction(() => t.put("five", 5));
              throw new Error("inner");
            }),
          /inner/,
        );
        assert.equal(t.get("five"), undefined);
        store.transaction(() => t.put("six", 6));
      });
      assert.deepEqual(
        t.list().map((e) => e.key),
        ["one", "six", "three", "two"],
      );
      // An inner success is undone when the outer one fails.
      assert.throws(
        () =>
          store.transaction(() => {
            store.transaction(() => t.put("seven", 7));
            throw new Error("outer");
          }),
        /outer/,
      );
      assert.equal(t.has("seven"), false);
      // An async function would commit before its awaits: refused, and its synchronous writes undone.
      assert.throws(() => store.transaction(async () => t.put("nine", 9)), TypeError);
      assert.equal(t.has("nine"), false);
      // The store is usable (no transaction left open) after all that.
      t.put("eight", 8);
      store.close();
      const again = open(dir);
      assert.equal(again.table<number>("svc:t", "").get("eight"), 8);
      again.close();
    }),
  );

  test(`${name}: writes are on disk once durable() resolves (the files as a kill -9 would leave them hold them)`, { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-store-"));
    try {
      const store = open(dir);
      const t = store.table<string>("svc:t", "");
      // An event-loop turn's writes commit together (group commit): durable() says when.
      t.put("k", "v");
      store.transaction(() => t.put("k2", "v2"));
      const durable = store.durable();
      assert.ok(durable, "a commit is pending");
      await durable;
      assert.equal(store.durable(), undefined, "nothing pending once committed");
      // The database and its WAL copied while the store is open, as a process killed right now would leave them.
      const copy = join(dir, "copy");
      mkdirSync(copy);
      for (const f of ["stratus.db", "stratus.db-wal"]) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(copy, f));
      const other = driver!.open(join(copy, "stratus.db"));
      assert.deepEqual(
        other
          .prepare<[], { key: string; value: string }>("SELECT key, value FROM records WHERE ns = 'svc:t' ORDER BY key")
          .all()
          .map((r) => ({ ...r })),
        [
          { key: "k", value: '"v"' },
          { key: "k2", value: '"v2"' },
        ],
      );
      other.close();
      // A failing transaction inside the group undoes its own writes only.
      assert.throws(() =>
        store.transaction(() => {
          t.put("k3", "v3");
          throw new Error("abort");
        }),
      );
      t.put("k4", "v4");
      await store.durable();
      assert.deepEqual(
        t.list().map((e) => e.key),
        ["k", "k2", "k4"],
      );
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: every write of a turn joins its group, typed stores' too; a group whose COMMIT fails is undone, rejects durable() and counts`, {
    skip,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-store-"));
    try {
      const store = open(dir);
      const t = store.table<string>("svc:t", "");
      // A write straight through the driver (as the typed stores make: blob rows, log chunks, audit events) opens the
      // turn's group just as a table write does.
      store.db.exec("CREATE TABLE side (n INTEGER)");
      store.db.prepare("INSERT INTO side (n) VALUES (1)").run();
      assert.ok(store.durable(), "the driver write opened a group");
      t.put("k", "v");
      await store.durable();
      assert.equal(store.commitFailures, 0);
      // A deferred foreign key makes the COMMIT itself fail (SQLite checks deferred constraints at COMMIT).
      store.db.exec("PRAGMA foreign_keys = ON");
      store.db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
      t.put("lost", "x");
      store.db.prepare("INSERT INTO child (p) VALUES (42)").run();
      await assert.rejects(store.durable()!, /FOREIGN KEY/);
      assert.equal(store.commitFailures, 1);
      assert.equal(t.get("lost"), undefined, "the group's writes are undone");
      assert.equal(t.read("lost"), undefined);
      assert.equal(t.get("k"), "v", "what committed before stays");
      // The store goes on.
      t.put("after", "y");
      await store.durable();
      assert.equal(t.get("after"), "y");
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: the store holds its database for itself while open (locking_mode EXCLUSIVE); another connection is refused`, { skip }, () =>
    withDir((dir) => {
      const store = open(dir);
      store.table<string>("svc:t", "").put("k", "v");
      const other = driver!.open(join(dir, "stratus.db"));
      other.pragma("busy_timeout = 0");
      assert.throws(() => other.prepare("SELECT value FROM records").all(), /locked|busy/i);
      other.close();
      store.close();
      const after = driver!.open(join(dir, "stratus.db"));
      assert.equal(after.prepare<[], { n: number }>("SELECT count(*) AS n FROM records").get()!.n, 1);
      after.close();
    }),
  );

  test(`${name}: read() keeps a frozen record until a write to its key, a delete, or a rolled-back transaction`, { skip }, () =>
    withDir((dir) => {
      const store = open(dir);
      const t = store.table<{ n: number; tags: string[] }>("svc:t", "111111111111");
      assert.equal(t.read("a"), undefined);
      t.put("a", { n: 1, tags: ["x"] });
      const first = t.read("a")!;
      assert.deepEqual(first, { n: 1, tags: ["x"] });
      assert.equal(t.read("a"), first, "the same object while nothing writes the key");
      assert.throws(() => {
        (first as { n: number }).n = 2;
      }, TypeError);
      assert.throws(() => (first.tags as string[]).push("y"), TypeError);
      const copy = t.get("a")!;
      copy.n = 3;
      assert.equal(t.read("a")!.n, 1, "get() hands out a copy of the caller's own");
      t.put("a", copy);
      assert.equal(t.read("a")!.n, 3);
      assert.equal(t.insert("b", { n: 4, tags: [] }), true);
      assert.equal(t.read("b")!.n, 4);
      t.delete("b");
      assert.equal(t.read("b"), undefined);
      // A write inside a transaction that rolls back: the record read meanwhile is not kept.
      assert.throws(() =>
        store.transaction(() => {
          t.put("a", { n: 9, tags: [] });
          assert.equal(t.read("a")!.n, 9);
          throw new Error("undo");
        }),
      );
      assert.equal(t.read("a")!.n, 3);
      assert.equal(t.get("a")!.n, 3);
      store.close();
    }),
  );

  test(`${name}: statements take positional and @name parameters, ignoring names the SQL does not use`, { skip }, () => {
    const db = driver!.open(":memory:");
    db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c BLOB)");
    const r = db.prepare<[string, Uint8Array]>("INSERT INTO t (b, c) VALUES (?, ?)").run("x", Buffer.from([1, 2, 3]));
    assert.deepEqual([Number(r.changes), Number(r.lastInsertRowid)], [1, 1]);
    db.prepare<[Record<string, unknown>]>("INSERT INTO t (b, c) VALUES (@b, @c)").run({ b: "y", c: new Uint8Array([4]), unused: 1 });
    const rows = db
      .prepare<[Record<string, unknown>], { b: string; c: Uint8Array }>("SELECT b, c FROM t WHERE a >= @from ORDER BY a")
      .all({ from: 1, extra: "z" });
    assert.deepEqual(
      rows.map((row) => [row.b, [...row.c]]),
      [
        ["x", [1, 2, 3]],
        ["y", [4]],
      ],
    );
    // undefined binds as NULL on both drivers (better-sqlite3's rule; node:sqlite alone would throw).
    db.prepare<[undefined, undefined]>("INSERT INTO t (b, c) VALUES (?, ?)").run(undefined, undefined);
    assert.deepEqual({ ...db.prepare<[undefined], { n: number }>("SELECT count(*) AS n FROM t WHERE b IS NULL AND ? IS NULL").get(undefined) }, { n: 1 });
    assert.equal(db.pragma("user_version"), 0);
    db.pragma("user_version = 7");
    assert.equal(db.pragma("user_version"), 7);
    assert.equal(db.isOpen, true);
    db.close();
    assert.equal(db.isOpen, false);
  });

  test(`${name}: log chunks (blobs) round trip, filter, trim and delete`, { skip }, () =>
    withDir((dir) => {
      const store = open(dir);
      const logs = logEventStore(store);
      const gid = logs.allocateId();
      const sid = logs.allocateId();
      const events = Array.from({ length: 50 }, (_, i) => ({ timestamp: 1000 + i, message: i % 10 === 0 ? `hit ü ${i}` : `miss ${i}` }));
      logs.append(gid, sid, 5000, events);
      const all = logs.queryStream({ sid, direction: "forward", limit: 100 });
      assert.deepEqual(
        all.map((e) => [e.timestamp, e.message]),
        events.map((e) => [e.timestamp, e.message]),
      );
      const back = logs.queryStream({ sid, direction: "backward", limit: 3 });
      assert.deepEqual(
        back.map((e) => e.message),
        ["miss 49", "miss 48", "miss 47"],
      );
      const hits = logs.queryGroup({ gid, substrings: ["hit", "ü"], limit: 100 });
      assert.deepEqual(
        hits.map((e) => e.message),
        ["hit ü 0", "hit ü 10", "hit ü 20", "hit ü 30", "hit ü 40"],
      );
      assert.deepEqual(logs.deleteBefore(gid, 1025), {
        count: 25,
        bytes: Buffer.byteLength(
          events
            .slice(0, 25)
            .map((e) => e.message)
            .join(""),
        ),
      });
      assert.equal(logs.queryStream({ sid, direction: "forward", limit: 100 })[0].message, "miss 25");
      store.close();
    }),
  );

  test(`${name}: scanChunks pages a group's chunks in a range by id, as packed columns`, { skip }, () =>
    withDir((dir) => {
      const store = open(dir);
      const logs = logEventStore(store);
      const gid = logs.allocateId();
      const [s1, s2] = [logs.allocateId(), logs.allocateId()];
      // Three uploads: two chunks in [1000, 1009] and [2000, 2009], then one of another stream in [1500, 1509].
      for (const [sid, t] of [
        [s1, 1000],
        [s1, 2000],
        [s2, 1500],
      ])
        logs.append(
          gid,
          sid,
          9000,
          Array.from({ length: 10 }, (_, i) => ({ timestamp: t + i, message: `e${t + i}` })),
        );
      const first = logs.scanChunks(gid, 1005, 1600, 0, 1);
      assert.equal(first.length, 1);
      assert.deepEqual([first[0].sid, first[0].ts[0], first[0].ts.length], [s1, 1000, 10]);
      const text = (c: (typeof first)[0], i: number) => c.text.toString("utf8", i ? c.ends[i - 1] : 0, c.ends[i]);
      assert.equal(text(first[0], 5), "e1005");
      const rest = logs.scanChunks(gid, 1005, 1600, first[0].id, 10);
      assert.deepEqual(
        rest.map((c) => [c.sid, c.ts[0], c.ingested]),
        [[s2, 1500, 9000]],
      );
      assert.equal(rest[0].seq0 > first[0].seq0, true);
      assert.deepEqual(logs.scanChunks(gid, 3000, 4000, 0, 10), []);
      store.close();
    }),
  );

  test(`${name}: an empty data dir is migrated to the current schema; an older one keeps its records`, { skip }, () =>
    withDir((dir) => {
      const fresh = open(join(dir, "fresh"));
      const latest = fresh.db.pragma("user_version") as number;
      assert.ok(latest >= 4);
      fresh.close();
      // A data dir as the first schema version left it.
      const old = driver!.open(join(dir, "stratus.db"));
      old.exec(
        "CREATE TABLE records (ns TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ns, scope, key)) WITHOUT ROWID",
      );
      old.prepare("INSERT INTO records VALUES ('iam:users', '123456789012', 'bob', '{\"name\":\"bob\"}')").run();
      old.pragma("user_version = 1");
      old.close();
      const store = open(dir);
      assert.deepEqual(store.table("iam:users", "123456789012").get("bob"), { name: "bob" });
      assert.equal(store.db.pragma("user_version"), latest);
      store.close();
    }),
  );

  test(`${name}: the missing migrations run as one transaction: one that fails leaves the data dir as it was`, { skip }, () =>
    withDir((dir) => {
      // Schema 1 plus a table in the way of migration 3 (log_event_ids): migration 2 succeeds, then 3 fails.
      const old = driver!.open(join(dir, "stratus.db"));
      old.exec(
        "CREATE TABLE records (ns TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ns, scope, key)) WITHOUT ROWID",
      );
      old.exec("CREATE TABLE log_event_ids (x)");
      old.prepare("INSERT INTO records VALUES ('iam:users', '123456789012', 'bob', '{\"name\":\"bob\"}')").run();
      old.pragma("user_version = 1");
      old.close();
      assert.throws(() => open(dir), /log_event_ids already exists/);
      const after = driver!.open(join(dir, "stratus.db"));
      assert.equal(after.pragma("user_version"), 1);
      // Migration 2's tables were rolled back with the rest.
      assert.equal(after.prepare("SELECT name FROM sqlite_master WHERE name = 'audit_events'").get(), undefined);
      assert.deepEqual(
        after
          .prepare<[], { value: string }>("SELECT value FROM records")
          .all()
          .map((r) => r.value),
        ['{"name":"bob"}'],
      );
      after.close();
    }),
  );

  test(`${name}: a data dir from a newer Stratus is refused with a clear error`, { skip }, () =>
    withDir((dir) => {
      const db = driver!.open(join(dir, "stratus.db"));
      db.pragma("user_version = 999");
      db.close();
      assert.throws(() => open(dir), /newer Stratus/);
    }),
  );
}

const [nodeSqlite, better] = DRIVERS;
const both = nodeSqlite.skip ?? better.skip;

test("a data dir written by one driver is read by the other, both ways", { skip: both }, () =>
  withDir((dir) => {
    let writer = nodeSqlite.driver!;
    let reader = better.driver!;
    for (let round = 0; round < 2; round++) {
      const w = openSqliteStore(dir, writer);
      w.table<{ round: number }>("svc:x", "").put(`k${round}`, { round });
      const logs = logEventStore(w);
      const sid = logs.allocateId();
      logs.append(1, sid, 1, [{ timestamp: 10, message: `from ${writer.backend}` }]);
      w.close();
      const r = openSqliteStore(dir, reader);
      assert.equal(r.engine, reader.backend);
      assert.deepEqual(
        r
          .table("svc:x", "")
          .list()
          .map((e) => e.value),
        Array.from({ length: round + 1 }, (_, i) => ({ round: i })),
      );
      assert.deepEqual(
        logEventStore(r)
          .queryStream({ sid, direction: "forward", limit: 10 })
          .map((e) => e.message),
        [`from ${writer.backend}`],
      );
      r.close();
      [writer, reader] = [reader, writer];
    }
  }),
);

// ---- choosing the driver, with stand-in loaders ----

const present = { DatabaseSync: class {} } as unknown as NonNullable<ReturnType<typeof loadNodeSqlite>>;
const betterLib = function Database() {} as unknown as Exclude<ReturnType<typeof loadBetterSqlite3>, string>;
const loaders = (node: boolean, bs3: boolean | string) => ({
  nodeSqlite: () => (node ? present : undefined),
  betterSqlite3: () => (bs3 === true ? betterLib : bs3 === false ? "better-sqlite3 is not installed" : bs3),
});
/** The error's message, asserting it is a one-line SetupError. */
const failure = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SetupError, `not a SetupError: ${String(e)}`);
    assert.ok(!e.message.includes("\n"));
    return e.message;
  }
  assert.fail("no error");
};

test("driver choice: node:sqlite where Node has it, else better-sqlite3; STRATUS_SQLITE overrides", () => {
  assert.equal(chooseDriver(undefined, loaders(true, true)).backend, "node:sqlite");
  assert.equal(chooseDriver(undefined, loaders(true, false)).backend, "node:sqlite");
  assert.equal(chooseDriver(undefined, loaders(false, true)).backend, "better-sqlite3");
  assert.equal(chooseDriver("better-sqlite3", loaders(true, true)).backend, "better-sqlite3");
  assert.equal(chooseDriver("node", loaders(true, true)).backend, "node:sqlite");
  assert.match(
    failure(() => chooseDriver("sqlite3", loaders(true, true))),
    /^STRATUS_SQLITE must be node or better-sqlite3, not 'sqlite3'$/,
  );
});

test("driver choice: one clear line when no driver is usable", () => {
  assert.equal(
    failure(() => chooseDriver(undefined, loaders(false, false), "v20.20.2")),
    "Node.js v20.20.2 has no built-in SQLite (node:sqlite needs Node 22.13+): install better-sqlite3 12 beside Stratus " +
      "(npm i -D better-sqlite3@12 — it compiles from source where no prebuilt binary can be downloaded) or use Node 22.13 or newer",
  );
  assert.match(
    failure(() => chooseDriver(undefined, loaders(false, "better-sqlite3 13.0.0 does not run on Node.js v20.20.2 (13 and later need Node 22+)"), "v20.20.2")),
    /^Node\.js v20\.20\.2 has no built-in SQLite .*\(better-sqlite3 13\.0\.0 does not run on Node\.js v20\.20\.2 .*install better-sqlite3 12/,
  );
  assert.match(
    failure(() => chooseDriver("node", loaders(false, true), "v22.12.0")),
    /^STRATUS_SQLITE=node: Node\.js v22\.12\.0 has no built-in SQLite/,
  );
  assert.match(
    failure(() => chooseDriver("better-sqlite3", loaders(true, false))),
    /^STRATUS_SQLITE=better-sqlite3: better-sqlite3 is not installed \(npm i -D better-sqlite3@12/,
  );
});

test("driver choice: better-sqlite3 that cannot be found is refused in one line", () => {
  const saved = process.env.STRATUS_BETTER_SQLITE3_PATH;
  process.env.STRATUS_BETTER_SQLITE3_PATH = join(tmpdir(), "stratus-no-such-better-sqlite3");
  try {
    assert.match(loadBetterSqlite3() as string, /^no better-sqlite3 package at /);
    assert.match(
      failure(() => chooseDriver("better-sqlite3")),
      /^STRATUS_SQLITE=better-sqlite3: no better-sqlite3 package at /,
    );
  } finally {
    if (saved === undefined) delete process.env.STRATUS_BETTER_SQLITE3_PATH;
    else process.env.STRATUS_BETTER_SQLITE3_PATH = saved;
  }
});

test("node:sqlite before 22.15 (no setAllowUnknownNamedParameters): names the SQL does not use are dropped", { skip: nodeSqlite.skip }, () => {
  const real = loadNodeSqlite()!;
  // The real module, its statements without the setter older 22.x lack.
  const old = {
    DatabaseSync: class {
      db: InstanceType<typeof real.DatabaseSync>;
      constructor(path: string) {
        this.db = new real.DatabaseSync(path);
      }
      exec(sql: string) {
        this.db.exec(sql);
      }
      prepare(sql: string) {
        const s = this.db.prepare(sql);
        return { run: s.run.bind(s), get: s.get.bind(s), all: s.all.bind(s) };
      }
      close() {
        this.db.close();
      }
    },
  };
  const db = chooseDriver("node", { nodeSqlite: () => old, betterSqlite3: () => "unused" }).open(":memory:");
  db.exec("CREATE TABLE t (a INTEGER, b BLOB)");
  db.prepare("INSERT INTO t (a) VALUES (@a)").run({ a: 1, unused: 2 });
  db.prepare("INSERT INTO t VALUES (?, ?)").run(2, new Uint8Array([7]));
  assert.deepEqual(
    db
      .prepare<[Record<string, unknown>], { a: number }>("SELECT a FROM t WHERE a >= @min ORDER BY a")
      .all({ min: 1, max: 9 })
      .map((r) => r.a),
    [1, 2],
  );
  db.close();
});

test("loading node:sqlite prints no ExperimentalWarning, and other warnings still go out", { skip: nodeSqlite.skip }, () => {
  // In a fresh process: Node warns once per process, and this one has loaded node:sqlite already.
  const driverUrl = new URL("../../src/core/store/driver.ts", import.meta.url).href;
  const script = `const { loadNodeSqlite } = await import(${JSON.stringify(driverUrl)});
    if (!loadNodeSqlite()) throw new Error("no node:sqlite");
    process.emitWarning("a different warning", "ExperimentalWarning");`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /SQLite/);
  assert.match(r.stderr, /ExperimentalWarning: a different warning/);
});
