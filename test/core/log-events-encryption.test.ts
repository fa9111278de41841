// The log event store's encrypted chunks: sealed with the given data key, opened through the resolver on read,
// found by substring filters though SQL cannot look into them, refused without their key, kept whole by retention.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { openSqliteStore } from "../../src/core/store/sqlite.js";
import { logEventStore } from "../../src/core/store/log-events.js";

function withStore(fn: (store: ReturnType<typeof openSqliteStore>) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "stratus-log-enc-"));
  const store = openSqliteStore(dir);
  try {
    fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("encrypted and plain chunks of one group read back together, in order, and filter on clear text", () =>
  withStore((store) => {
    const events = logEventStore(store);
    const gid = events.allocateId();
    const sid = events.allocateId();
    const cipher = { keyId: events.allocateId(), key: randomBytes(32) };
    events.append(gid, sid, 1000, [
      { timestamp: 1, message: "plain ERROR a" },
      { timestamp: 3, message: "plain b" },
    ]);
    events.append(
      gid,
      sid,
      1001,
      [
        { timestamp: 2, message: "sealed ERROR ü" },
        { timestamp: 4, message: "sealed d" },
      ],
      cipher,
    );
    const raw = store.db.prepare<[number], { text: Uint8Array }>("SELECT text FROM log_chunks WHERE gid = ? ORDER BY id").all(gid);
    assert.equal(Buffer.from(raw[1].text).includes("sealed"), false);
    // No resolver yet: an encrypted chunk is refused, loudly.
    assert.throws(() => events.queryStream({ sid, direction: "forward", limit: 10 }), /no key resolver/);
    const asked: number[] = [];
    events.useKeys((id) => {
      asked.push(id);
      if (id !== cipher.keyId) throw new Error("unknown key");
      return cipher.key;
    });
    assert.deepEqual(
      events.queryStream({ sid, direction: "forward", limit: 10 }).map((e) => e.message),
      ["plain ERROR a", "sealed ERROR ü", "plain b", "sealed d"],
    );
    assert.deepEqual(asked, [cipher.keyId]);
    assert.deepEqual(
      events.queryGroup({ gid, substrings: ["ERROR"], limit: 10 }).map((e) => e.message),
      ["plain ERROR a", "sealed ERROR ü"],
    );
    assert.deepEqual(
      events.queryStream({ sid, direction: "backward", limit: 2 }).map((e) => e.message),
      ["sealed d", "plain b"],
    );
    // A wrong key fails the GCM tag check rather than returning garbage.
    events.useKeys(() => randomBytes(32));
    assert.throws(() => events.queryStream({ sid, direction: "forward", limit: 10 }));
  }));

test("retention deletes a wholly expired encrypted chunk and keeps a partly expired one whole", () =>
  withStore((store) => {
    const events = logEventStore(store);
    const gid = events.allocateId();
    const sid = events.allocateId();
    const cipher = { keyId: events.allocateId(), key: randomBytes(32) };
    events.useKeys(() => cipher.key);
    events.append(gid, sid, 1, [{ timestamp: 10, message: "old" }], cipher);
    events.append(
      gid,
      sid,
      2,
      [
        { timestamp: 20, message: "half" },
        { timestamp: 40, message: "new" },
      ],
      cipher,
    );
    const { count, bytes } = events.deleteBefore(gid, 30);
    assert.equal(count, 1);
    assert.equal(bytes, 3);
    assert.deepEqual(
      events.queryStream({ sid, direction: "forward", limit: 10 }).map((e) => e.message),
      ["half", "new"],
    );
  }));
