// Small blobs as rows in the database (core/blobs.ts, INLINE_MAX 64 KiB), through real clients: a 1 KB object leaves no
// file under the data dir's blobs/ and reads back byte-exact every way; a 200 KB object is a file; overwriting and
// deleting give the rows back; a Lambda function whose zip is a row still runs (its code made a file for unzipping).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { GetFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { useServer } from "../../helpers/server.js";
import type { SqliteStore } from "../../../src/core/store/sqlite.js";
import type { SpaceUsage } from "../../../src/core/store/space.js";
import { formatUsage } from "../../../src/cli/status.js";
import { createFunction, json, lambdaEnv, payload } from "../lambda/setup.js";

const server = useServer();
const s3 = () => server.client(S3Client, {}, { forcePathStyle: true });
const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
/** The blob files under the data dir (the temporary directory aside). */
const files = () => readdirSync(join(server.dataDir, "blobs")).filter((f) => f !== "tmp");
/** The blobs held as rows. */
const rows = () => Number((server.runtime.store as SqliteStore).db.prepare<[], { n: number }>("SELECT count(*) AS n FROM blobs").get()!.n);
const body = async (c: S3Client, Bucket: string, Key: string, Range?: string) =>
  Buffer.from(await (await c.send(new GetObjectCommand({ Bucket, Key, Range }))).Body!.transformToByteArray());

async function bucket(c: S3Client): Promise<string> {
  const b = `inline-${Math.random().toString(36).slice(2, 10)}`;
  await c.send(new CreateBucketCommand({ Bucket: b }));
  return b;
}

test("a 1 KB object is a row, no file: GetObject, a Range GET, HeadObject, CopyObject and a small multipart upload read it back exactly", async () => {
  const c = s3();
  const b = await bucket(c);
  const [files0, rows0] = [files(), rows()];
  const data = randomBytes(1024);
  const put = await c.send(new PutObjectCommand({ Bucket: b, Key: "small", Body: data }));
  assert.equal(put.ETag, `"${md5(data)}"`);
  assert.equal(rows(), rows0 + 1);
  assert.deepEqual(files(), files0);

  assert.deepEqual(await body(c, b, "small"), data);
  assert.deepEqual(await body(c, b, "small", "bytes=100-199"), data.subarray(100, 200));
  assert.deepEqual(await body(c, b, "small", "bytes=-10"), data.subarray(1014));
  const head = await c.send(new HeadObjectCommand({ Bucket: b, Key: "small" }));
  assert.equal(head.ETag, `"${md5(data)}"`);
  assert.equal(head.ContentLength, 1024);

  const copy = await c.send(new CopyObjectCommand({ Bucket: b, Key: "copy", CopySource: `${b}/small` }));
  assert.equal(copy.CopyObjectResult!.ETag, `"${md5(data)}"`);
  assert.deepEqual(await body(c, b, "copy"), data);
  assert.equal(rows(), rows0 + 2);

  // The last (here only) part of an upload may be small; the whole it completes to is a row as well, and the part's
  // row is given back.
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "multi" }));
  const part = await c.send(new UploadPartCommand({ Bucket: b, Key: "multi", UploadId, PartNumber: 1, Body: data.subarray(0, 700) }));
  assert.equal(rows(), rows0 + 3);
  const done = await c.send(
    new CompleteMultipartUploadCommand({ Bucket: b, Key: "multi", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
  );
  assert.equal(done.ETag, `"${md5(createHash("md5").update(data.subarray(0, 700)).digest())}-1"`);
  assert.deepEqual(await body(c, b, "multi"), data.subarray(0, 700));
  assert.deepEqual(await body(c, b, "multi", "bytes=690-"), data.subarray(690, 700));
  assert.equal(rows(), rows0 + 3);
  // An aborted upload's small parts give their rows back too.
  const aborted = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "aborted" }));
  await c.send(new UploadPartCommand({ Bucket: b, Key: "aborted", UploadId: aborted.UploadId, PartNumber: 1, Body: "tiny" }));
  assert.equal(rows(), rows0 + 4);
  await c.send(new AbortMultipartUploadCommand({ Bucket: b, Key: "aborted", UploadId: aborted.UploadId }));
  assert.equal(rows(), rows0 + 3);
  assert.deepEqual(files(), files0);

  // An empty object is a row too.
  await c.send(new PutObjectCommand({ Bucket: b, Key: "empty", Body: "" }));
  assert.equal((await body(c, b, "empty")).length, 0);
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "empty" }))).ContentLength, 0);
  assert.deepEqual(files(), files0);

  // The data dir's usage counts the rows under the blobs' share, beside the blobs/ directory's files.
  const usage = (await (await fetch(`${server.url}/_stratus/usage`)).json()) as { byService: Record<string, number>; byStore: Record<string, number> };
  assert.ok(usage.byStore["blobs (inline)"] >= 4096, JSON.stringify(usage.byStore));
  assert.equal(usage.byService.blobs, usage.byStore["blobs (inline)"]);
  assert.match(formatUsage(usage as SpaceUsage), /\n {2}blobs +\S+ \S+ {2}blobs \(inline\) /);
});

test("a 200 KB object is a file, read back exactly; 64 KiB is the last size kept as a row", async () => {
  const c = s3();
  const b = await bucket(c);
  const [files0, rows0] = [files(), rows()];
  const data = randomBytes(200 * 1024);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "big", Body: data }));
  const added = files().filter((f) => !files0.includes(f));
  assert.equal(added.length, 1);
  assert.deepEqual(readFileSync(join(server.dataDir, "blobs", added[0])), data);
  assert.equal(rows(), rows0);
  assert.deepEqual(await body(c, b, "big"), data);
  assert.deepEqual(await body(c, b, "big", "bytes=150000-150099"), data.subarray(150000, 150100));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "big" }))).ContentLength, 200 * 1024);

  await c.send(new PutObjectCommand({ Bucket: b, Key: "edge", Body: data.subarray(0, 64 * 1024) }));
  assert.equal(rows(), rows0 + 1);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "past", Body: data.subarray(0, 64 * 1024 + 1) }));
  assert.equal(rows(), rows0 + 1);
  assert.equal(files().length, files0.length + 2);
  assert.deepEqual(await body(c, b, "past"), data.subarray(0, 64 * 1024 + 1));

  // A file blob's deletion runs off the event loop; it is gone soon after the answer.
  await c.send(new DeleteObjectCommand({ Bucket: b, Key: "big" }));
  await c.send(new DeleteObjectCommand({ Bucket: b, Key: "past" }));
  // (In the thread pool, behind whatever else is queued there: polled for up to 5 s, as a loaded machine needs.)
  const until = Date.now() + 5000;
  while (files().length !== files0.length && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(files(), files0);
});

test("overwriting and deleting small objects give their rows back", async () => {
  const c = s3();
  const b = await bucket(c);
  const rows0 = rows();
  for (let i = 0; i < 5; i++) await c.send(new PutObjectCommand({ Bucket: b, Key: `k${i}`, Body: randomBytes(1024) }));
  assert.equal(rows(), rows0 + 5);
  for (let round = 0; round < 3; round++) for (let i = 0; i < 5; i++) await c.send(new PutObjectCommand({ Bucket: b, Key: `k${i}`, Body: `round ${round}` }));
  assert.equal(rows(), rows0 + 5);
  assert.equal((await body(c, b, "k3")).toString(), "round 2");
  for (let i = 0; i < 5; i++) await c.send(new DeleteObjectCommand({ Bucket: b, Key: `k${i}` }));
  assert.equal(rows(), rows0);
});

test("Lambda: a function whose zip is a row runs; its code is made a file for unzipping and downloads the same", async () => {
  const env = await lambdaEnv(server);
  const [files0, rows0] = [files(), rows()];
  // CreateFunction keeps the zip (well under 64 KiB) as a row; making the function ready unzips it, through filePath,
  // which turns the row into a file.
  await createFunction(env, { FunctionName: "small-zip" });
  const added = files().filter((f) => !files0.includes(f));
  assert.equal(added.length, 1);
  assert.equal(rows(), rows0);
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "small-zip", Payload: payload({ a: 1 }) }));
  assert.equal(out.FunctionError, undefined);
  assert.deepEqual(json(out.Payload), { ok: true, event: { a: 1 } });
  const location = (await env.lambda.send(new GetFunctionCommand({ FunctionName: "small-zip" }))).Code!.Location!;
  const zipped = Buffer.from(await (await fetch(location)).arrayBuffer());
  assert.equal(zipped.subarray(0, 2).toString(), "PK");
  assert.deepEqual(zipped, readFileSync(join(server.dataDir, "blobs", added[0])));
});
