// Identifier helpers: a v7 UUID sorts by the time it was made for (the blob rows' index grows at its right edge).
import { test } from "node:test";
import assert from "node:assert/strict";
import { uuid4, uuid7 } from "../../src/core/ids.js";

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("uuid4 and uuid7 have RFC 9562's layout; uuid7 carries its time and sorts by it", () => {
  for (let i = 0; i < 1000; i++) {
    assert.match(uuid4(), V4);
    assert.match(uuid7(), V7);
  }
  const t = Date.UTC(2026, 11, 6, 12, 0, 0, 123);
  const id = uuid7(t);
  assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), t);
  const ids = Array.from({ length: 500 }, (_, i) => uuid7(t + i * 7));
  assert.deepEqual([...ids].sort(), ids, "later ids sort after earlier ones");
  assert.equal(new Set(Array.from({ length: 10000 }, () => uuid7(t))).size, 10000, "ids of one millisecond still differ");
});
