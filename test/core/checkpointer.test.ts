// WAL checkpoints off the event loop (src/core/store/checkpointer.ts), on every driver this Node has: the serving
// connection never checkpoints by itself, a worker thread copies the WAL into the database while writes go on, the
// WAL starts over instead of growing, a WAL left large is truncated once writes pause, and where no worker can run
// the serving connection checkpoints as SQLite does by default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openSqliteStore, type SqliteStore } from "../../src/core/store/sqlite.js";
import { Checkpointer } from "../../src/core/store/checkpointer.js";
import { chooseDriver, type Backend, type Driver } from "../../src/core/store/driver.js";
import { DRIVERS } from "../helpers/drivers.js";

async function withStore(driver: Driver, fn: (store: SqliteStore, dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), "stratus-ckpt-"));
  const store = openSqliteStore(dir, driver);
  try {
    await fn(store, dir);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const walBytes = (dir: string) => statSync(join(dir, "stratus.db-wal")).size;

async function until(what: string, ok: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

for (const { name, driver, skip } of DRIVERS) {
  test(`${name}: the serving connection does not checkpoint; a worker copies the WAL into the database and it starts over`, { skip }, () =>
    withStore(driver!, async (store) => {
      assert.equal(Number(store.db.pragma("wal_autocheckpoint")), 0);
      const t = store.table<{ v: string }>("svc:t", "");
      // ~2,000 pages: the serving connection would have checkpointed twice by now with SQLite's default.
      for (let i = 0; i < 2000; i++) t.put(`k${i}`, { v: "x".repeat(3000) });
      const r = await store.checkpointer!.cycle();
      assert.ok(r, "a cycle ran");
      assert.ok(r.log >= 2000, `${r.log} frames in the WAL`);
      assert.equal(r.checkpointed, r.log, "every frame is in the database file");
      assert.ok(r.rounds >= 1);
      // Fully copied, the WAL starts over at the next write: it holds that write's frames alone.
      t.put("after", { v: "y" });
      store.commitGroup();
      const own = store.db.prepare<[], { log: number }>("PRAGMA wal_checkpoint(PASSIVE)").get()!;
      assert.ok(own.log < 10, `${own.log} frames after the WAL started over`);
      assert.equal(t.get("k1999")?.v.length, 3000);
    }),
  );

  test(`${name}: closing while the worker checkpoints waits for it: the store's own close comes last and nothing is lost`, { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-ckpt-"));
    try {
      for (let round = 0; round < 4; round++) {
        const store = openSqliteStore(dir, driver!);
        const t = store.table<{ v: string }>("svc:t", "");
        for (let i = 0; i < 2000; i++) t.put(`r${round}-a${i}`, { v: "x".repeat(3000) });
        // A first cycle, whole: the worker has started and is waiting for the next.
        assert.ok(await store.checkpointer!.cycle());
        for (let i = 0; i < 2000; i++) t.put(`r${round}-b${i}`, { v: "x".repeat(3000) });
        store.commitGroup();
        // close() comes while the worker copies these ~2,000 pages (tens of ms).
        const cycle = store.checkpointer!.cycle();
        await sleep(2);
        store.close();
        assert.equal(await cycle, undefined, "a cycle cut short by close() reports nothing");
        // The worker had closed its connection when close() went on (it is terminated only between cycles: inside a
        // SQLite call that fails, that aborts the process), so the store's close was the last one: it copied the
        // rest and removed the WAL.
        assert.equal(existsSync(join(dir, "stratus.db-wal")), false, `round ${round}: the WAL is still there`);
      }
      const store = openSqliteStore(dir, driver!);
      assert.equal(store.table<{ v: string }>("svc:t", "").count(""), 16000);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: cycles start by themselves after writes, and writes made while the worker checkpoints are all kept`, { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-ckpt-"));
    try {
      const store = openSqliteStore(dir, driver!);
      const t = store.table<{ n: number }>("svc:t", "");
      let n = 0;
      // Writes in every event-loop turn for ~1.5 s: the cycles (every 200 ms) run between them.
      const end = Date.now() + 1500;
      while (Date.now() < end) {
        for (let k = 0; k < 20; k++, n++) t.put(`k${n}`, { n });
        await new Promise((r) => setImmediate(r));
      }
      await until("a cycle", () => store.checkpointer!.cycles >= 2);
      assert.equal(store.checkpointer!.active, true);
      store.close();
      const again = openSqliteStore(dir, driver!);
      assert.equal(again.table("svc:t", "").count(), n);
      assert.deepEqual(again.table("svc:t", "").get(`k${n - 1}`), { n: n - 1 });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: a WAL left large by a burst is truncated once writes pause`, { skip }, () =>
    withStore(driver!, async (store, dir) => {
      const t = store.table<{ v: string }>("s3:objects", "111111111111");
      // One transaction of ~20 MB: the WAL holds it all until a checkpoint.
      store.transaction(() => {
        for (let i = 0; i < 10000; i++) t.put(String(i), { v: `${i}${"w".repeat(2000)}` });
      });
      assert.ok(walBytes(dir) > 16 * 1024 * 1024, `${walBytes(dir)} bytes`);
      // A cycle copies it; a second after the last change, the worker cuts the file to nothing.
      await until("the WAL truncated", () => walBytes(dir) === 0);
      assert.equal(t.get("9999")?.v.length, 2004);
      t.put("small", { v: "s" });
      assert.ok(walBytes(dir) < 64 * 1024, `${walBytes(dir)} bytes`);
    }),
  );

  test(`${name}: where the worker cannot checkpoint, the serving connection does so itself again and says why once`, { skip }, () =>
    withStore(driver!, async (store, dir) => {
      store.checkpointer!.close();
      const said: string[] = [];
      const broken = new Checkpointer(store.db, join(dir, "stratus.db"), { backend: "better-sqlite3", module: join(dir, "no-such-module") }, "NORMAL", (why) =>
        said.push(why),
      );
      assert.equal(Number(store.db.pragma("wal_autocheckpoint")), 0);
      assert.equal(await broken.cycle(), undefined);
      assert.equal(broken.active, false);
      assert.equal(said.length, 1, said.join("\n"));
      assert.match(said[0], /checkpoint worker.*no-such-module.*checkpoints run on the serving thread again/s);
      assert.equal(Number(store.db.pragma("wal_autocheckpoint")), 1000);
      assert.equal(await broken.cycle(), undefined);
      assert.equal(said.length, 1);
      // Still usable, and held exclusively again.
      store.table("svc:t", "").put("k", 1);
      assert.equal(store.table("svc:t", "").get("k"), 1);
      broken.close();
    }),
  );
}
