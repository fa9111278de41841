// core/state: a service's tables declared once, reached for the caller (.of), for any account and region (.at),
// and across every scope holding records (.all) — stored under the same namespaces and scopes a data dir has always
// used (`<service>:<table>` × "" / <account> / <account>/<region>), so upgrading keeps every record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/core/store/sqlite.js";
import { STORE, defineState, global, holderOf, perAccount, regional, transaction } from "../../src/core/state.js";

const state = defineState("svc", {
  things: regional<{ n: number }>(),
  users: perAccount<string>(),
  index: global<string>(),
  pending: regional<number>("pending-things"),
});

test("tables live at the namespaces and scopes a data dir has always used", () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-state-"));
  const store = openSqliteStore(dir);
  try {
    const ctx = { [STORE]: store, account: "111111111111", region: "eu-west-1" };
    const t = state.of(ctx);
    t.things.put("a", { n: 1 });
    t.users.put("alice", "AIDA1");
    t.index.put("k", "v");
    t.pending.put("p", 7);
    assert.deepEqual(store.table("svc:things", "111111111111/eu-west-1").get("a"), { n: 1 });
    assert.equal(store.table("svc:users", "111111111111").get("alice"), "AIDA1");
    assert.equal(store.table("svc:index", "").get("k"), "v");
    assert.equal(store.table("svc:pending-things", "111111111111/eu-west-1").get("p"), 7);
    assert.equal(state.namespace("pending"), "svc:pending-things");
    // The same tables, object for object, from .at(); another region's are empty.
    assert.equal(state.at(holderOf(store), "111111111111", "eu-west-1").things.get("a")?.n, 1);
    assert.equal(state.at(holderOf(store), "111111111111", "us-east-1").things.get("a"), undefined);
    assert.equal(state.at(holderOf(store), "111111111111").users.get("alice"), "AIDA1");
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(".all() finds every account and region holding records, for resume loops and sweeps", () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-state-"));
  const store = openSqliteStore(dir);
  try {
    const h = holderOf(store);
    state.at(h, "111111111111", "us-east-1").pending.put("x", 1);
    state.at(h, "222222222222", "eu-west-1").pending.put("y", 2);
    state.at(h, "333333333333").users.put("bob", "AIDA2");
    const found = state.all(h, "pending").map(({ account, region, tables }) => [account, region, tables.pending.list().map((e) => e.value)]);
    assert.deepEqual(found.sort(), [
      ["111111111111", "us-east-1", [1]],
      ["222222222222", "eu-west-1", [2]],
    ]);
    assert.deepEqual(
      state.all(h, "users").map((s) => [s.account, s.region]),
      [["333333333333", ""]],
    );
    // A transaction over the holder's store: all or nothing.
    assert.throws(() =>
      transaction(h, () => {
        state.at(h, "111111111111", "us-east-1").pending.put("z", 3);
        throw new Error("rolled back");
      }),
    );
    assert.equal(state.at(h, "111111111111", "us-east-1").pending.get("z"), undefined);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
