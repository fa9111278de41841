// The texts of pending chunks held in memory until their log file is written (src/services/cloudtrail/pending-texts.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { PendingTexts } from "../../../src/services/cloudtrail/pending-texts.js";

test("a chunk's records are held as their UTF-8 texts joined by commas, exactly", () => {
  const t = new PendingTexts();
  const records = ['{"a":"é"}', '{"b":"日本"}', '{"c":"😀"}'];
  t.keep("k1", records);
  assert.equal(t.get("k1")?.toString("utf8"), records.join(","));
  t.keep("k2", ['{"x":1}']);
  assert.equal(t.get("k2")?.toString("utf8"), '{"x":1}');
  assert.equal(t.get("k1")?.toString("utf8"), records.join(","), "a later chunk does not overwrite an earlier one");
  t.drop("k1");
  assert.equal(t.get("k1"), undefined);
  assert.deepEqual(t.keys(), ["k2"]);
});

test("blocks are reused once their texts are dropped; large texts and texts past the cap", () => {
  const t = new PendingTexts(3 * 1024 * 1024);
  const record = `{"r":"${"x".repeat(1000)}"}`;
  const batch = Array.from({ length: 100 }, () => record);
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 10; i++) t.keep(`k${round}-${i}`, batch);
    for (let i = 0; i < 10; i++) {
      assert.equal(t.get(`k${round}-${i}`)?.length, batch.length * record.length + batch.length - 1);
      t.drop(`k${round}-${i}`);
    }
  }
  // One chunk larger than a block's quarter is held on its own.
  const big = Array.from({ length: 400 }, () => record);
  t.keep("big", big);
  assert.equal(t.get("big")?.toString("utf8"), big.join(","));
  // Past the cap nothing more is held: that chunk is read back when delivered.
  for (let i = 0; i < 10; i++) t.keep(`more${i}`, big);
  assert.ok(t.keys().length < 11);
  assert.ok(t.keys().includes("big"));
  t.idle(0);
  t.idle(120_000);
  assert.equal(t.get("big")?.toString("utf8"), big.join(","), "idle() keeps memory that still holds texts");
});
