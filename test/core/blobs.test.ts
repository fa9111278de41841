// The blob store: streamed writes with MD5 and checksums, ranged reads, deletion.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { BlobStore } from "../../src/core/blobs.js";

test("write streams content to a file with its MD5 and checksums; read returns it, whole or a range", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-blobs-"));
  try {
    const blobs = new BlobStore(dir);
    const parts = ["hello ", "blob ", "world"];
    const b = await blobs.write(Readable.from(parts.map((p) => Buffer.from(p))), { checksums: ["SHA256", "SHA1"] });
    const whole = parts.join("");
    assert.equal(b.size, whole.length);
    assert.equal(b.md5, createHash("md5").update(whole).digest("hex"));
    assert.equal(b.checksums.SHA256, createHash("sha256").update(whole).digest("base64"));
    assert.equal(b.checksums.SHA1, createHash("sha1").update(whole).digest("base64"));
    assert.equal(await text(blobs.read(b.id)), whole);
    assert.equal(await text(blobs.read(b.id, { start: 6, end: 9 })), "blob");
    assert.deepEqual(readdirSync(join(dir, "blobs", "tmp")), []);
    blobs.delete(b.id);
    assert.throws(() => blobs.size(b.id));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a failed source leaves no file behind", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-blobs-"));
  try {
    const blobs = new BlobStore(dir);
    const failing = new Readable({
      read() {
        this.destroy(new Error("client went away"));
      },
    });
    await assert.rejects(blobs.write(failing), /client went away/);
    assert.deepEqual(readdirSync(join(dir, "blobs", "tmp")), []);
    assert.deepEqual(
      readdirSync(join(dir, "blobs")).filter((f) => f !== "tmp"),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
