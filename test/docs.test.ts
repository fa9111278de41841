// The README's service table and docs/coverage.md must match the handlers in the code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

test("README service table and docs/coverage.md are generated from the current code", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/docs.ts", "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});
