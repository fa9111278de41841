// Internal routes (function URLs, execute-api, SNS's certificate) answer only what is committed, as the AWS APIs do:
// a route whose writes were in a group that failed to commit answers 500, whether that group was still pending when
// the route ended its response or had already failed earlier in the route's run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { openSqliteStore } from "../../src/core/store/sqlite.js";
import { answerWhenDurable } from "../../src/gateway/internal-routes.js";
import { DRIVERS } from "../helpers/drivers.js";

const quiet = { error() {} } as never;

for (const { name, driver, skip } of DRIVERS) {
  test(`${name}: a route's response waits for its commit, and a failed commit during the route answers 500`, { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-routes-"));
    const store = openSqliteStore(dir, driver!);
    const t = store.table<string>("svc:t", "");
    // A deferred foreign key makes a COMMIT fail (SQLite checks deferred constraints at COMMIT).
    store.db.exec("PRAGMA foreign_keys = ON");
    store.db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
    const routes: Record<string, (res: ServerResponse) => Promise<void> | void> = {
      // Writes and answers in the same turn: the answer waits for the commit, which succeeds.
      "/ok": (res) => {
        t.put("ok", "1");
        res.end("done");
      },
      // Writes and answers in the same turn, and the group fails at COMMIT.
      "/pending": (res) => {
        t.put("pending", "1");
        store.db.prepare("INSERT INTO child (p) VALUES (42)").run();
        res.end("done");
      },
      // Writes, lets the group fail, then answers in a later turn with nothing pending.
      "/earlier": async (res) => {
        t.put("earlier", "1");
        store.db.prepare("INSERT INTO child (p) VALUES (43)").run();
        await store.durable()?.catch(() => {});
        assert.equal(store.durable(), undefined);
        res.end("done");
      },
    };
    const server = createServer((req, res) => {
      answerWhenDurable({ store, logger: quiet }, res);
      void routes[req.url ?? ""](res);
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await fetch(`${url}/ok`);
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), "done");
      assert.equal(t.get("ok"), "1");
      const pending = await fetch(`${url}/pending`);
      assert.equal(pending.status, 500);
      assert.equal(t.get("pending"), undefined, "the failed group's write is undone");
      const earlier = await fetch(`${url}/earlier`);
      assert.equal(earlier.status, 500, "a group that failed before the answer is not acknowledged either");
      assert.equal(t.get("earlier"), undefined);
      assert.equal(store.commitFailures, 2);
    } finally {
      server.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
