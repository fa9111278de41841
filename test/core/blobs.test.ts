// The blob store: streamed writes with MD5 and checksums, ranged reads, deletion.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { BlobStore } from "../../src/core/blobs.js";
import { openSqliteStore } from "../../src/core/store/sqlite.js";
import { blobRows } from "../../src/core/store/blob-rows.js";

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
    await blobs.delete(b.id);
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

test("with rows: content up to the threshold is a row, a stream past it a file holding what was buffered first", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-blobs-"));
  const store = openSqliteStore(dir);
  try {
    const blobs = new BlobStore(dir, "process", { rows: blobRows(store), inlineMax: 10 });
    const files = () => readdirSync(join(dir, "blobs")).filter((f) => f !== "tmp");
    const small = await blobs.write(Readable.from([Buffer.from("0123"), Buffer.from("456789")]), { checksums: ["SHA256"] });
    assert.equal(small.md5, createHash("md5").update("0123456789").digest("hex"));
    assert.equal(small.checksums.SHA256, createHash("sha256").update("0123456789").digest("base64"));
    const empty = await blobs.write(Readable.from([]));
    const given = await blobs.write("in memory");
    assert.deepEqual(files(), []);
    assert.equal(await text(blobs.read(small.id)), "0123456789");
    assert.equal(await text(blobs.read(small.id, { start: 2, end: 4 })), "234");
    assert.equal(await text(blobs.read(empty.id)), "");
    assert.equal(blobs.size(empty.id), 0);
    assert.equal(blobs.size(given.id), 9);

    const parts = ["0123", "4567", "89ab", "cdef"];
    const big = await blobs.write(Readable.from(parts.map((p) => Buffer.from(p))), { checksums: ["SHA1"] });
    assert.equal(big.size, 16);
    assert.equal(big.md5, createHash("md5").update(parts.join("")).digest("hex"));
    assert.equal(big.checksums.SHA1, createHash("sha1").update(parts.join("")).digest("base64"));
    assert.deepEqual(files(), [big.id]);
    assert.equal(readFileSync(join(dir, "blobs", big.id), "utf8"), parts.join(""));

    // filePath turns a row into a file; reads, size and delete then find the file.
    const path = blobs.filePath(given.id);
    assert.equal(readFileSync(path, "utf8"), "in memory");
    assert.equal(blobs.filePath(given.id), path);
    assert.equal(await text(blobs.read(given.id, { start: 3, end: 8 })), "memory");
    assert.equal(blobs.size(given.id), 9);
    await blobs.delete(given.id);
    // deleteRows (inside a caller's transaction) takes the rows and leaves the files for delete().
    assert.deepEqual(
      store.transaction(() => blobs.deleteRows([small.id, big.id])),
      [big.id],
    );
    await blobs.delete(big.id);
    assert.equal(existsSync(path), false);
    assert.deepEqual(files(), []);
    assert.equal(blobRows(store).get(small.id), undefined);
    assert.throws(() => blobs.size(small.id));
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("with rows: a stream failing before or past the threshold leaves no file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-blobs-"));
  const store = openSqliteStore(dir);
  try {
    const blobs = new BlobStore(dir, "process", { rows: blobRows(store), inlineMax: 10 });
    const failing = (before: number) =>
      Readable.from(
        (async function* () {
          for (let i = 0; i < before; i++) yield Buffer.from("0123456");
          throw new Error("client went away");
        })(),
      );
    await assert.rejects(blobs.write(failing(1)), /client went away/);
    await assert.rejects(blobs.write(failing(5)), /client went away/);
    assert.deepEqual(readdirSync(join(dir, "blobs")), ["tmp"]);
    assert.deepEqual(readdirSync(join(dir, "blobs", "tmp")), []);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
