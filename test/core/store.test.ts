// The SQLite store: the typed table API, transactions, scopes, and migration of older data dirs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../src/core/store/sqlite.js";
import { scopeKey } from "../../src/core/store/types.js";

function withDir(fn: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "stratus-store-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("tables: get, put, insert, delete, list with prefix/after/limit, count", () =>
  withDir((dir) => {
    const store = openSqliteStore(dir);
    const t = store.table<{ n: number }>("svc:things", "111111111111");
    for (const k of ["a/1", "a/2", "a/3", "b/1"]) t.put(k, { n: Number(k.slice(2)) });
    assert.deepEqual(t.get("a/2"), { n: 2 });
    assert.equal(t.has("a/9"), false);
    assert.equal(t.insert("a/1", { n: 99 }), false);
    assert.deepEqual(t.get("a/1"), { n: 1 });
    assert.equal(t.insert("c/1", { n: 5 }), true);
    assert.deepEqual(t.list({ prefix: "a/" }).map((e) => e.key), ["a/1", "a/2", "a/3"]);
    assert.deepEqual(t.list({ prefix: "a/", after: "a/1", limit: 1 }).map((e) => e.key), ["a/2"]);
    assert.equal(t.count("a/"), 3);
    assert.equal(t.count(), 5);
    assert.equal(t.delete("a/2"), true);
    assert.equal(t.delete("a/2"), false);
    assert.equal(t.count("a/"), 2);
    store.close();
  }));

test("scopes isolate accounts and regions; scopes() lists them", () =>
  withDir((dir) => {
    const store = openSqliteStore(dir);
    const a = store.table<string>("svc:x", scopeKey("region", "111111111111", "us-east-1"));
    const b = store.table<string>("svc:x", scopeKey("region", "111111111111", "eu-west-1"));
    const g = store.table<string>("svc:x", scopeKey("global", "111111111111", "us-east-1"));
    a.put("k", "a");
    b.put("k", "b");
    g.put("k", "g");
    assert.equal(a.get("k"), "a");
    assert.equal(b.get("k"), "b");
    assert.equal(g.get("k"), "g");
    assert.deepEqual(store.scopes("svc:x").sort(), ["", "111111111111/eu-west-1", "111111111111/us-east-1"]);
    store.close();
  }));

test("a transaction commits all of its writes or none", () =>
  withDir((dir) => {
    const store = openSqliteStore(dir);
    const t = store.table<number>("svc:t", "");
    assert.throws(() =>
      store.transaction(() => {
        t.put("one", 1);
        throw new Error("abort");
      }),
    );
    assert.equal(t.get("one"), undefined);
    store.transaction(() => {
      t.put("one", 1);
      t.put("two", 2);
    });
    assert.equal(t.count(), 2);
    store.close();
  }));

test("writes are on disk when the call returns (a second connection sees them)", () =>
  withDir((dir) => {
    const store = openSqliteStore(dir);
    store.table<string>("svc:t", "").put("k", "v");
    const other = new Database(join(dir, "stratus.db"), { readonly: true });
    assert.equal(other.prepare("SELECT value FROM records WHERE key = 'k'").get()?.valueOf() !== undefined, true);
    other.close();
    store.close();
  }));

test("an older data dir is migrated forward, keeping its records", () =>
  withDir((dir) => {
    // A data dir as the first schema version left it.
    const old = new Database(join(dir, "stratus.db"));
    old.exec("CREATE TABLE records (ns TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ns, scope, key)) WITHOUT ROWID");
    old.prepare("INSERT INTO records VALUES ('iam:users', '123456789012', 'bob', '{\"name\":\"bob\"}')").run();
    old.pragma("user_version = 1");
    old.close();
    const store = openSqliteStore(dir);
    assert.deepEqual(store.table("iam:users", "123456789012").get("bob"), { name: "bob" });
    const version = (store as unknown as { db: Database.Database }).db.pragma("user_version", { simple: true }) as number;
    assert.ok(version > 1);
    store.close();
  }));

test("a data dir from a newer Stratus is refused with a clear error", () =>
  withDir((dir) => {
    const db = new Database(join(dir, "stratus.db"));
    db.pragma("user_version = 999");
    db.close();
    assert.throws(() => openSqliteStore(dir), /newer Stratus/);
  }));
