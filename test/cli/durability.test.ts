// `stratus start --durability process|power` (STRATUS_DURABILITY): what the server runs with, and what status and
// health report. What each mode survives is test/persistence/power-loss.test.ts's.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { killAll, run, startCli } from "./spawn.js";
import { startTestServer } from "../helpers/server.js";
import type { SqliteStore } from "../../src/core/store/sqlite.js";

after(killAll);

test("--durability: from the flag or STRATUS_DURABILITY (the flag wins), in the banner, status and health", async () => {
  const fromEnv = await startCli(["--ephemeral", "--port", "0", "--log-level", "error"], { STRATUS_DURABILITY: "power" });
  const flagged = await startCli(["--ephemeral", "--port", "0", "--log-level", "error", "--durability", "process"], { STRATUS_DURABILITY: "power" });
  try {
    assert.match(fromEnv.banner, /, auth: none, durability: power\)$/);
    assert.match(flagged.banner, /, auth: none, durability: process\)$/);
    for (const [s, mode] of [
      [fromEnv, "power"],
      [flagged, "process"],
    ] as const) {
      const health = (await (await fetch(`${s.url}/_stratus/health`)).json()) as { durability: string };
      assert.equal(health.durability, mode);
      const st = await run(["status", "--port", String(s.port)]);
      assert.equal(st.code, 0, st.stderr);
      assert.match(st.stdout, new RegExp(`: ok, up \\d+s, auth none, durability ${mode}, data `));
    }
  } finally {
    assert.equal((await fromEnv.stop()).code, 0);
    assert.equal((await flagged.stop()).code, 0);
  }
});

test("--durability: anything but process or power is refused in one line", async () => {
  const flag = await run(["start", "--ephemeral", "--port", "0", "--durability", "disk"]);
  assert.equal(flag.code, 1);
  assert.equal(flag.stderr, "stratus: --durability must be one of process, power, not 'disk'\n");
  const env = await run(["start", "--ephemeral", "--port", "0"], { env: { STRATUS_DURABILITY: "fsync" } });
  assert.equal(env.code, 1);
  assert.equal(env.stderr, "stratus: STRATUS_DURABILITY must be one of process, power, not 'fsync'\n");
});

test("in-process: power runs SQLite with synchronous=FULL, process (the default) with NORMAL", async () => {
  for (const [durability, level] of [
    [undefined, 1],
    ["process", 1],
    ["power", 2],
  ] as const) {
    const s = await startTestServer(durability ? { durability } : {});
    try {
      const store = s.runtime.store as SqliteStore;
      assert.equal(store.durability, durability ?? "process");
      assert.equal(Number(store.db.pragma("synchronous")), level);
    } finally {
      await s.close();
    }
  }
});
