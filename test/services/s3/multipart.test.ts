// Multipart uploads through the real SDK v3 client: parts, part copy with a range, list parts/uploads, complete
// (content, ETag "md5-of-md5s-N", size and order rules), abort; and a restart keeping objects and uploads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
  ListPartsCommand,
  ListMultipartUploadsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
} from "@aws-sdk/client-s3";
import { startTestServer, randomAccount, useServer, type TestServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const MiB = 1024 * 1024;
const s3 = (srv: TestServer = server, account?: string) => new S3Client({ ...srv.clientConfig({ account }), forcePathStyle: true });
async function bucket(c: S3Client): Promise<string> {
  const b = `mpu-${Math.random().toString(36).slice(2, 10)}`;
  await c.send(new CreateBucketCommand({ Bucket: b }));
  return b;
}
const md5 = (b: Buffer) => createHash("md5").update(b).digest();

test("upload parts, list them, complete: content and ETag", async () => {
  const c = s3();
  const b = await bucket(c);
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "big", ContentType: "video/mp4", Metadata: { m: "1" } }));
  assert.ok(UploadId);
  const p1 = Buffer.alloc(5 * MiB, "a");
  const p2 = Buffer.from("tail");
  const r1 = await c.send(new UploadPartCommand({ Bucket: b, Key: "big", UploadId, PartNumber: 1, Body: p1 }));
  const r2 = await c.send(new UploadPartCommand({ Bucket: b, Key: "big", UploadId, PartNumber: 2, Body: p2 }));
  assert.equal(r1.ETag, `"${md5(p1).toString("hex")}"`);
  const parts = await c.send(new ListPartsCommand({ Bucket: b, Key: "big", UploadId }));
  assert.deepEqual(
    parts.Parts!.map((p) => [p.PartNumber, p.Size, p.ETag]),
    [
      [1, 5 * MiB, r1.ETag],
      [2, 4, r2.ETag],
    ],
  );
  const ups = await c.send(new ListMultipartUploadsCommand({ Bucket: b }));
  assert.deepEqual(
    ups.Uploads!.map((u) => [u.Key, u.UploadId]),
    [["big", UploadId]],
  );
  const done = await c.send(
    new CompleteMultipartUploadCommand({
      Bucket: b,
      Key: "big",
      UploadId,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: r1.ETag },
          { PartNumber: 2, ETag: r2.ETag },
        ],
      },
    }),
  );
  const expected =
    createHash("md5")
      .update(Buffer.concat([md5(p1), md5(p2)]))
      .digest("hex") + "-2";
  assert.equal(done.ETag, `"${expected}"`);
  const head = await c.send(new HeadObjectCommand({ Bucket: b, Key: "big" }));
  assert.equal(head.ContentLength, 5 * MiB + 4);
  assert.equal(head.ContentType, "video/mp4");
  assert.deepEqual(head.Metadata, { m: "1" });
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "big", Range: `bytes=${5 * MiB - 2}-` }));
  assert.equal(await got.Body!.transformToString(), "aatail");
  assert.equal((await c.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads, undefined);
  await rejects(c.send(new ListPartsCommand({ Bucket: b, Key: "big", UploadId })), "NoSuchUpload", 404);
});

test("complete refuses small parts, bad order and unknown parts", async () => {
  const c = s3();
  const b = await bucket(c);
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  const e1 = (await c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 1, Body: "small" }))).ETag;
  const e2 = (await c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 2, Body: "also small" }))).ETag;
  const complete = (Parts: { PartNumber: number; ETag?: string }[]) =>
    c.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: "k", UploadId, MultipartUpload: { Parts } }));
  await rejects(
    complete([
      { PartNumber: 1, ETag: e1 },
      { PartNumber: 2, ETag: e2 },
    ]),
    "EntityTooSmall",
    400,
    "Your proposed upload is smaller than the minimum allowed size",
  );
  await rejects(
    complete([
      { PartNumber: 2, ETag: e2 },
      { PartNumber: 1, ETag: e1 },
    ]),
    "InvalidPartOrder",
    400,
  );
  await rejects(complete([{ PartNumber: 3, ETag: e1 }]), "InvalidPart", 400);
  await rejects(complete([{ PartNumber: 1, ETag: '"0000"' }]), "InvalidPart", 400);
  // The last (only) part may be small.
  await complete([{ PartNumber: 1, ETag: e1 }]);
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(await got.Body!.transformToString(), "small");
});

test("abort, and NoSuchUpload afterwards", async () => {
  const c = s3();
  const b = await bucket(c);
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  await c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 1, Body: "x" }));
  const ab = await c.send(new AbortMultipartUploadCommand({ Bucket: b, Key: "k", UploadId }));
  assert.equal(ab.$metadata.httpStatusCode, 204);
  await rejects(c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 2, Body: "y" })), "NoSuchUpload", 404);
  await rejects(c.send(new AbortMultipartUploadCommand({ Bucket: b, Key: "k", UploadId: "nope" })), "NoSuchUpload", 404);
});

test("upload part copy with a range", async () => {
  const c = s3();
  const b = await bucket(c);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "src", Body: "0123456789" }));
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "dst" }));
  const cp = await c.send(new UploadPartCopyCommand({ Bucket: b, Key: "dst", UploadId, PartNumber: 1, CopySource: `${b}/src`, CopySourceRange: "bytes=3-6" }));
  assert.ok(cp.CopyPartResult!.ETag);
  await rejects(
    c.send(new UploadPartCopyCommand({ Bucket: b, Key: "dst", UploadId, PartNumber: 2, CopySource: `${b}/src`, CopySourceRange: "bytes=5-50" })),
    "InvalidRequest",
    400,
  );
  await c.send(
    new CompleteMultipartUploadCommand({ Bucket: b, Key: "dst", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: cp.CopyPartResult!.ETag }] } }),
  );
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "dst" }));
  assert.equal(await got.Body!.transformToString(), "3456");
});

test("restart: buckets, objects, versions and uploads survive", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-s3-"));
  const account = randomAccount();
  try {
    let srv = await startTestServer({ dataDir: dir });
    let c = s3(srv, account);
    const b = await bucket(c);
    await c.send(new PutObjectCommand({ Bucket: b, Key: "kept", Body: "durable", Metadata: { x: "y" } }));
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "mp" }));
    const e = (await c.send(new UploadPartCommand({ Bucket: b, Key: "mp", UploadId, PartNumber: 1, Body: "part" }))).ETag;
    await srv.close();

    srv = await startTestServer({ dataDir: dir });
    c = s3(srv, account);
    const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "kept" }));
    assert.equal(await got.Body!.transformToString(), "durable");
    assert.deepEqual(got.Metadata, { x: "y" });
    await c.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: "mp", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e }] } }));
    const l = await c.send(new ListObjectsV2Command({ Bucket: b }));
    assert.deepEqual(
      l.Contents!.map((o) => o.Key),
      ["kept", "mp"],
    );
    await srv.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
