// The metric store on every SQLite driver this Node has: ids per (scope, namespace, name, dimensions), packed sample
// blocks read back by time range, listing with filters and paging, roll-ups as data ages, expiry; and a read of a
// million samples of one metric fast enough for GetMetricData-style queries (issue 14, point 12).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/core/store/sqlite.js";
import { emptyBlock, metricStore, type SampleBlock } from "../../src/core/store/metrics.js";
import { chooseDriver, type Backend, type Driver } from "../../src/core/store/driver.js";
import { DRIVERS } from "../helpers/drivers.js";

function withDir(fn: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "stratus-metrics-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Raw values at the given times (unit code 1). */
function block(samples: [number, number][]): SampleBlock {
  const b = emptyBlock(samples.length);
  for (const [t, v] of samples) {
    const k = b.n++;
    b.ts[k] = t;
    b.count[k] = 1;
    b.sum[k] = v;
    b.min[k] = v;
    b.max[k] = v;
    b.flags[k] = 1;
  }
  return b;
}

const flatten = (blocks: SampleBlock[], from: number, to: number) =>
  blocks
    .flatMap((b) => Array.from({ length: b.n }, (_, i) => [b.ts[i], b.count[i], b.sum[i], b.min[i], b.max[i], b.flags[i]]))
    .filter(([t]) => t >= from && t < to)
    .sort((a, b) => a[0] - b[0] || a[2] - b[2]);

const DAY = 86_400_000;

for (const { name, driver, skip } of DRIVERS) {
  test(`${name}: metric ids, blocks by time range, listing, survives reopening`, { skip }, () =>
    withDir((dir) => {
      let store = openSqliteStore(dir, driver!);
      let m = metricStore(store);
      const key = { scope: "111111111111/us-east-1", namespace: "App", name: "Latency", dims: '[["Api","get"]]' };
      const id = m.touch(key, 1_000_000);
      assert.equal(m.touch(key, 1_000_500), id);
      assert.equal(m.find({ ...key, dims: "[]" }), undefined);
      const other = m.touch({ ...key, name: "Errors" }, 1_000_000);
      m.append(
        id,
        block([
          [10_000, 1],
          [20_000, 2],
          [70_000, 3],
        ]),
      );
      m.append(id, block([[15_000, 4]]));
      m.append(other, block([[10_000, 9]]));
      assert.deepEqual(flatten(m.read(id, 0, 60_000), 0, 60_000), [
        [10_000, 1, 1, 1, 1, 1],
        [15_000, 1, 4, 4, 4, 1],
        [20_000, 1, 2, 2, 2, 1],
      ]);
      assert.deepEqual(m.read(id, 100_000, 200_000), []);
      assert.deepEqual(
        m.list({ scope: key.scope, since: 0, afterId: 0, limit: 10 }).map((r) => r.name),
        ["Latency", "Errors"],
      );
      assert.deepEqual(
        m.list({ scope: key.scope, name: "Errors", since: 0, afterId: 0, limit: 10 }).map((r) => r.id),
        [other],
      );
      assert.deepEqual(m.list({ scope: key.scope, since: 0, afterId: other, limit: 10 }), []);
      assert.deepEqual(m.list({ scope: "222222222222/us-east-1", since: 0, afterId: 0, limit: 10 }), []);
      store.close();

      store = openSqliteStore(dir, driver!);
      m = metricStore(store);
      assert.equal(m.find(key), id);
      assert.equal(flatten(m.read(id, 0, 100_000), 0, 100_000).length, 4);
      store.close();
    }),
  );

  test(`${name}: roll-ups fold aging samples per bucket and unit, keeping distinct values where known; expiry deletes`, { skip }, () =>
    withDir((dir) => {
      const store = openSqliteStore(dir, driver!);
      const m = metricStore(store);
      const id = m.touch({ scope: "s", namespace: "n", name: "m", dims: "[]" }, 0);
      const t0 = 20 * DAY;
      m.append(
        id,
        block([
          [t0 + 1000, 1],
          [t0 + 61_000, 5],
          [t0 + 120_000, 5],
          [t0 + 299_000, 3],
          [t0 + 300_000, 7],
        ]),
      );
      const other = m.touch({ scope: "s", namespace: "n", name: "sets", dims: "[]" }, 0);
      // A statistic set whose values are unknown (min < max) makes its bucket one statistic set.
      const set = emptyBlock(1);
      set.n = 1;
      set.ts[0] = t0 + 10_000;
      set.count[0] = 2;
      set.sum[0] = 6;
      set.min[0] = 2;
      set.max[0] = 4;
      set.flags[0] = 1;
      m.append(other, set);
      m.append(other, block([[t0 + 20_000, 10]]));
      // Nothing old enough yet.
      assert.equal(m.rollUp(t0, 1, 300_000), 0);
      assert.equal(m.rollUp(t0 + 400_000, 1, 300_000), 7);
      // Each bucket's distinct values with their counts: percentiles stay exact.
      assert.deepEqual(flatten(m.read(id, 0, 30 * DAY), 0, 30 * DAY), [
        [t0, 1, 1, 1, 1, 1],
        [t0, 1, 3, 3, 3, 1],
        [t0, 2, 10, 5, 5, 1],
        [t0 + 300_000, 1, 7, 7, 7, 1],
      ]);
      assert.deepEqual(flatten(m.read(other, 0, 30 * DAY), 0, 30 * DAY), [[t0, 3, 16, 2, 10, 1]]);
      // Already at level 1: a second pass at the same level leaves it.
      assert.equal(m.rollUp(t0 + 400_000, 1, 300_000), 0);
      assert.equal(m.rollUp(t0 + 400_000, 2, 3600_000), 5);
      assert.deepEqual(flatten(m.read(id, 0, 30 * DAY), 0, 30 * DAY), [
        [t0, 1, 1, 1, 1, 1],
        [t0, 1, 3, 3, 3, 1],
        [t0, 1, 7, 7, 7, 1],
        [t0, 2, 10, 5, 5, 1],
      ]);
      m.expire(t0 + DAY);
      assert.deepEqual(m.read(id, 0, 30 * DAY), []);
      assert.equal(m.find({ scope: "s", namespace: "n", name: "m", dims: "[]" }), undefined);
      store.close();
    }),
  );
}

test("a million samples of one metric over 3 hours: appended in 1000-sample blocks and read back in well under a second", () =>
  withDir((dir) => {
    const store = openSqliteStore(dir);
    const m = metricStore(store);
    const id = m.touch({ scope: "s", namespace: "n", name: "m", dims: "[]" }, 0);
    const t0 = 1_000_000_000_000;
    const span = 3 * 3600_000;
    for (let j = 0; j < 1000; j++) {
      const b = emptyBlock(1000);
      for (let i = 0; i < 1000; i++) {
        const k = b.n++;
        b.ts[k] = t0 + Math.floor(((j * 1000 + i) / 1_000_000) * span);
        b.count[k] = 1;
        b.sum[k] = b.min[k] = b.max[k] = i;
      }
      store.transaction(() => m.append(id, b));
    }
    const started = performance.now();
    const blocks = m.read(id, t0, t0 + span);
    let n = 0;
    let sum = 0;
    for (const b of blocks)
      for (let i = 0; i < b.n; i++) {
        n += b.count[i];
        sum += b.sum[i];
      }
    const ms = performance.now() - started;
    assert.equal(n, 1_000_000);
    assert.equal(sum, 1000 * 499_500);
    assert.ok(ms < 1000, `read took ${ms} ms`);
    store.close();
  }));
