// packChunk's bytes and offsets, for the ASCII fast path (runs encoded into one buffer) and every way out of it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { packChunk } from "../../src/core/store/log-chunks.js";

function unpack(messages: string[]): { ascii: number; bytes: number; back: string[]; ends: number[] } {
  const c = packChunk(
    messages.map((message, i) => ({ timestamp: i, message })),
    0,
    messages.length,
  );
  const ends = [...new Uint32Array(c.ends.buffer, c.ends.byteOffset, c.n)];
  const back = ends.map((end, i) => c.text.subarray(i ? ends[i - 1] : 0, end).toString("utf8"));
  assert.equal(c.text.length, c.bytes);
  return { ascii: c.ascii, bytes: c.bytes, back, ends };
}

test("all-ASCII messages: one byte per character, ends are character offsets, flagged ASCII", () => {
  const msgs = Array.from({ length: 10_000 }, (_, i) => `INFO req ${i} ${"z".repeat(i % 50)}`);
  const { ascii, bytes, back } = unpack(msgs);
  assert.equal(ascii, 1);
  assert.equal(bytes, msgs.join("").length);
  assert.deepEqual(back, msgs);
});

test("a non-ASCII character anywhere, even in the last run and short of the buffer's end, leaves the fast path", () => {
  // "éa": 2 characters, 3 bytes — a truncated write of it into exactly 2 bytes would also write 2.
  for (const msgs of [["é"], ["ab", "éa"], ["x".repeat(40_000), "y".repeat(40_000), "é"], ["abc", "\u{1F600}"], ["a", "b".repeat(33_000), "ééé€"]]) {
    const { ascii, bytes, back } = unpack(msgs);
    assert.equal(ascii, 0, JSON.stringify(msgs).slice(0, 40));
    assert.equal(bytes, Buffer.byteLength(msgs.join("")));
    assert.deepEqual(back, msgs);
  }
});

test("a surrogate pair split across two messages is replaced per message, as each message alone encodes", () => {
  const { ascii, back, ends } = unpack(["a\ud83d", "\ude00b"]);
  assert.equal(ascii, 0);
  assert.deepEqual(ends, [4, 8]);
  assert.deepEqual(back, ["a\ufffd", "\ufffdb"]);
});

test("empty messages", () => {
  assert.deepEqual(unpack(["", "", "x"]).ends, [0, 0, 1]);
});
