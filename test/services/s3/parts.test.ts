// GET/HEAD by partNumber and checksums on reads, against the responses AWS gave LocalStack's tests
// (tests/aws/services/s3/test_s3.snapshot.json: test_get_object_part, test_get_object_part_checksum,
// test_complete_multipart_parts_checksum_composite), with the same contents so ETags and checksums compare exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
  type ChecksumType,
} from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing } from "../../helpers/python.js";

const server = useServer();
const s3 = () => server.client(S3Client, {}, { forcePathStyle: true });
async function bucket(c: S3Client): Promise<string> {
  const b = `part-${Math.random().toString(36).slice(2, 10)}`;
  await c.send(new CreateBucketCommand({ Bucket: b }));
  return b;
}
type S3Err = Error & Record<string, unknown> & { $metadata: { httpStatusCode?: number } };
async function failure(p: Promise<unknown>): Promise<S3Err> {
  try {
    await p;
  } catch (e) {
    return e as S3Err;
  }
  assert.fail("expected the call to fail");
}

/** A completed multipart upload of these parts (numbered from 1), with a checksum algorithm if given. */
async function multipart(c: S3Client, b: string, key: string, parts: Buffer[], alg?: ChecksumAlgorithm, type?: ChecksumType) {
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: key, ChecksumAlgorithm: alg, ChecksumType: type }));
  const done = [];
  for (const [n, body] of parts.entries()) {
    const r = await c.send(new UploadPartCommand({ Bucket: b, Key: key, UploadId, PartNumber: n + 1, Body: body, ChecksumAlgorithm: alg }));
    done.push({ PartNumber: n + 1, ETag: r.ETag, ...(alg ? { [`Checksum${alg}`]: r[`Checksum${alg}` as "ChecksumCRC32"] } : {}) });
  }
  return c.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: key, UploadId, MultipartUpload: { Parts: done } }));
}

test("GET/HEAD ?partNumber: 206 with Content-Range and x-amz-mp-parts-count; past the parts InvalidPartNumber; never with Range", async () => {
  const c = s3();
  const b = await bucket(c);
  const first = Buffer.alloc(5 * 1024 * 1024, "x");
  await multipart(c, b, "test.file", [first, Buffer.from("test content 123")]);
  const head = await c.send(new HeadObjectCommand({ Bucket: b, Key: "test.file", PartNumber: 2 }));
  assert.deepEqual([head.$metadata.httpStatusCode, head.ContentRange, head.ContentLength, head.PartsCount], [206, "bytes 5242880-5242895/5242896", 16, 2]);
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "test.file", PartNumber: 2 }));
  assert.deepEqual([got.$metadata.httpStatusCode, got.ContentRange, got.ContentLength, got.PartsCount], [206, "bytes 5242880-5242895/5242896", 16, 2]);
  assert.equal(await got.Body!.transformToString(), "test content 123");
  const p1 = await c.send(new GetObjectCommand({ Bucket: b, Key: "test.file", PartNumber: 1 }));
  assert.equal(p1.ContentRange, "bytes 0-5242879/5242896");
  assert.ok(Buffer.from(await p1.Body!.transformToByteArray()).equals(first));
  // Without partNumber: the whole object, and no parts count.
  const whole = await c.send(new HeadObjectCommand({ Bucket: b, Key: "test.file" }));
  assert.deepEqual([whole.$metadata.httpStatusCode, whole.ContentLength, whole.PartsCount, whole.ContentRange], [200, 5242896, undefined, undefined]);

  const e = await failure(c.send(new GetObjectCommand({ Bucket: b, Key: "test.file", PartNumber: 10 })));
  assert.deepEqual(
    [e.name, e.$metadata.httpStatusCode, e.message, e.PartNumberRequested, e.ActualPartCount],
    ["InvalidPartNumber", 416, "The requested partnumber is not satisfiable", "10", "2"],
  );
  await rejects(
    c.send(new GetObjectCommand({ Bucket: b, Key: "test.file", PartNumber: 2, Range: "bytes=0-8" })),
    "InvalidRequest",
    400,
    "Cannot specify both Range header and partNumber query parameter",
  );
});

test("an object uploaded in one piece is its own part 1 (206, with its checksum when asked); part 2 is InvalidPartNumber", async () => {
  const c = s3();
  const b = await bucket(c);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "key-no-part", Body: "test-123", ChecksumAlgorithm: "CRC32" }));
  const e = await failure(c.send(new GetObjectCommand({ Bucket: b, Key: "key-no-part", PartNumber: 2 })));
  assert.deepEqual([e.name, e.$metadata.httpStatusCode, e.PartNumberRequested, e.ActualPartCount], ["InvalidPartNumber", 416, "2", "1"]);
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "key-no-part", PartNumber: 1, ChecksumMode: "ENABLED" }));
  assert.deepEqual(
    [got.$metadata.httpStatusCode, got.ContentRange, got.ContentLength, got.PartsCount, got.ETag, got.ChecksumCRC32, got.ChecksumType],
    [206, "bytes 0-7/8", 8, undefined, '"ca6d00e33edff0e9cb3782d31182de33"', "MAPXAg==", "FULL_OBJECT"],
  );
  assert.equal(await got.Body!.transformToString(), "test-123");
  // A slice of it carries no checksum; a Range spanning it all does.
  const slice = await c.send(new GetObjectCommand({ Bucket: b, Key: "key-no-part", Range: "bytes=0-3", ChecksumMode: "ENABLED" }));
  assert.deepEqual([slice.ContentRange, slice.ChecksumCRC32], ["bytes 0-3/8", undefined]);
  await slice.Body!.transformToString();
  const all = await c.send(new HeadObjectCommand({ Bucket: b, Key: "key-no-part", Range: "bytes=0-", ChecksumMode: "ENABLED" }));
  assert.deepEqual([all.$metadata.httpStatusCode, all.ContentRange, all.ChecksumCRC32], [206, "bytes 0-7/8", "MAPXAg=="]);
  // Without checksum mode: no checksum.
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "key-no-part" }))).ChecksumCRC32, undefined);
});

test("checksums by part: a COMPOSITE object's part answers its own checksum, a one-part FULL_OBJECT the object's", async () => {
  const c = s3();
  for (const type of ["COMPOSITE", "FULL_OBJECT"] as const) {
    const b = await bucket(c);
    const done = await multipart(c, b, "test-multipart-checksum", [Buffer.from("test content 123")], "CRC32C", type);
    assert.equal(done.ETag, '"b972025bc34adf8d76d6d51e93c035cc-1"');
    assert.deepEqual([done.ChecksumCRC32C, done.ChecksumType], [type === "COMPOSITE" ? "sZB91Q==-1" : "fwuu0Q==", type]);
    for (const part of [
      await c.send(new HeadObjectCommand({ Bucket: b, Key: "test-multipart-checksum", PartNumber: 1, ChecksumMode: "ENABLED" })),
      await c.send(new GetObjectCommand({ Bucket: b, Key: "test-multipart-checksum", PartNumber: 1, ChecksumMode: "ENABLED" })),
    ]) {
      assert.deepEqual(
        [part.$metadata.httpStatusCode, part.ChecksumCRC32C, part.ChecksumType, part.ContentRange, part.PartsCount],
        [206, "fwuu0Q==", type, "bytes 0-15/16", 1],
      );
    }
  }
});

test("a three-part COMPOSITE CRC32 object: its checksum is the CRC of the parts' CRCs; the last part answers its own", async () => {
  const c = s3();
  const b = await bucket(c);
  const big = Buffer.alloc(5_242_880 + 1, "a");
  const done = await multipart(c, b, "k", [big, big, Buffer.alloc(10, "a")], "CRC32", "COMPOSITE");
  assert.deepEqual([done.ETag, done.ChecksumCRC32, done.ChecksumType], ['"4d45984fc3feb2ac9b22683c49674b56-3"', "5FRUiw==-3", "COMPOSITE"]);
  const whole = await c.send(new HeadObjectCommand({ Bucket: b, Key: "k", ChecksumMode: "ENABLED" }));
  assert.deepEqual([whole.ChecksumCRC32, whole.ChecksumType, whole.ContentLength, whole.PartsCount], ["5FRUiw==-3", "COMPOSITE", 10485772, undefined]);
  const last = await c.send(new GetObjectCommand({ Bucket: b, Key: "k", PartNumber: 3, ChecksumMode: "ENABLED" }));
  assert.deepEqual(
    [last.$metadata.httpStatusCode, last.ContentRange, last.ChecksumCRC32, last.ChecksumType, last.PartsCount],
    [206, "bytes 10485762-10485771/10485772", "TBHN8A==", "COMPOSITE", 3],
  );
  assert.equal(await last.Body!.transformToString(), "aaaaaaaaaa");
});

test("part boundaries and checksums survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-s3-parts-"));
  const account = randomAccount();
  try {
    let srv = await startTestServer({ dataDir });
    let c = new S3Client({ ...srv.clientConfig({ account }), forcePathStyle: true });
    const b = await bucket(c);
    await multipart(c, b, "k", [Buffer.alloc(5 * 1024 * 1024, "x"), Buffer.from("test content 123")], "CRC32C", "COMPOSITE");
    c.destroy();
    await srv.close();
    srv = await startTestServer({ dataDir });
    try {
      c = new S3Client({ ...srv.clientConfig({ account }), forcePathStyle: true });
      const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "k", PartNumber: 2, ChecksumMode: "ENABLED" }));
      assert.deepEqual(
        [got.$metadata.httpStatusCode, got.ContentRange, got.PartsCount, got.ChecksumCRC32C, got.ChecksumType],
        [206, "bytes 5242880-5242895/5242896", 2, "fwuu0Q==", "COMPOSITE"],
      );
      assert.equal(await got.Body!.transformToString(), "test content 123");
      c.destroy();
    } finally {
      await srv.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("content that comes without a checksum gets S3's default, a FULL_OBJECT CRC64NVME (put, copy, multipart)", async () => {
  const account = randomAccount();
  const c = new S3Client({ ...server.clientConfig({ account }), forcePathStyle: true });
  const b = await bucket(c);
  // A raw PUT: no x-amz-checksum-* at all (the SDKs add one of their own).
  const put = await server.signedFetch(`/${b}/no-checksum`, {
    service: "s3",
    accessKeyId: account,
    method: "PUT",
    body: "test data..",
    headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  });
  assert.equal(put.status, 200, await put.text());
  const head = await c.send(new HeadObjectCommand({ Bucket: b, Key: "no-checksum", ChecksumMode: "ENABLED" }));
  assert.deepEqual([head.ChecksumCRC64NVME, head.ChecksumType, head.ETag], ["qUVrWYOrIAM=", "FULL_OBJECT", '"e6d9226c2a86b7232933663c13467527"']);
  const attrs = await c.send(new GetObjectAttributesCommand({ Bucket: b, Key: "no-checksum", ObjectAttributes: ["Checksum"] }));
  assert.deepEqual(attrs.Checksum, { ChecksumCRC64NVME: "qUVrWYOrIAM=", ChecksumType: "FULL_OBJECT" });
  const copy = await c.send(new CopyObjectCommand({ Bucket: b, Key: "copy", CopySource: `${b}/no-checksum` }));
  assert.deepEqual([copy.CopyObjectResult!.ChecksumCRC64NVME, copy.CopyObjectResult!.ChecksumType], ["qUVrWYOrIAM=", "FULL_OBJECT"]);

  // A multipart upload created without an algorithm (the "null checksum mode").
  const created = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "mp" }));
  assert.deepEqual([created.ChecksumAlgorithm, created.ChecksumType], [undefined, undefined]);
  const part = await c.send(new UploadPartCommand({ Bucket: b, Key: "mp", UploadId: created.UploadId, PartNumber: 1, Body: "aaa" }));
  const done = await c.send(
    new CompleteMultipartUploadCommand({ Bucket: b, Key: "mp", UploadId: created.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
  );
  assert.deepEqual([done.ETag, done.ChecksumCRC64NVME, done.ChecksumType], ['"e2c3da976e66ec9e7dc128fbc782fc91-1"', "Rnr2/5P7Gsk=", "FULL_OBJECT"]);
  c.destroy();
});

function python(script: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("python3", ["-c", script], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

test("boto3: head/get by PartNumber, checksum mode, list_parts paging and InvalidPartNumber", { skip: pythonMissing() }, async () => {
  const b = `part-${Math.random().toString(36).slice(2, 10)}`;
  const script = `
import boto3, json
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=${JSON.stringify(server.url)}, region_name="us-east-1", config=boto3.session.Config(s3={"addressing_style": "path"}))
b = ${JSON.stringify(b)}
s3.create_bucket(Bucket=b)
up = s3.create_multipart_upload(Bucket=b, Key="k", ChecksumAlgorithm="SHA256", ChecksumType="COMPOSITE")["UploadId"]
parts = []
for n, body in ((1, b"x" * (5 * 1024 * 1024)), (2, b"test content 123")):
    r = s3.upload_part(Bucket=b, Key="k", UploadId=up, PartNumber=n, Body=body, ChecksumAlgorithm="SHA256")
    parts.append({"PartNumber": n, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]})
p1 = s3.list_parts(Bucket=b, Key="k", UploadId=up, MaxParts=1)
p2 = s3.list_parts(Bucket=b, Key="k", UploadId=up, MaxParts=1, PartNumberMarker=p1["NextPartNumberMarker"])
s3.complete_multipart_upload(Bucket=b, Key="k", UploadId=up, MultipartUpload={"Parts": parts})
h = s3.head_object(Bucket=b, Key="k", PartNumber=2, ChecksumMode="ENABLED")
g = s3.get_object(Bucket=b, Key="k", PartNumber=2, ChecksumMode="ENABLED")
try:
    s3.get_object(Bucket=b, Key="k", PartNumber=3)
    err = None
except ClientError as e:
    err = [e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]]
print(json.dumps({
  "pages": [[x["PartNumber"] for x in p1["Parts"]], p1["IsTruncated"], p1["NextPartNumberMarker"], [x["PartNumber"] for x in p2["Parts"]], p2["IsTruncated"]],
  "head": [h["ResponseMetadata"]["HTTPStatusCode"], h["ContentRange"], h["PartsCount"], h.get("ChecksumSHA256"), h.get("ChecksumType")],
  "get": [g["ResponseMetadata"]["HTTPStatusCode"], g["Body"].read().decode(), g["ContentLength"]],
  "err": err,
}))
`;
  const r = await python(script, { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.pages, [[1], true, 1, [2], false]);
  // boto3 without the CRT computes no CRC32C: SHA256, the part's own digest.
  const sha = createHash("sha256").update("test content 123").digest("base64");
  assert.deepEqual(out.head, [206, "bytes 5242880-5242895/5242896", 2, sha, "COMPOSITE"]);
  assert.deepEqual(out.get, [206, "test content 123", 16]);
  assert.deepEqual(out.err, [
    416,
    { Code: "InvalidPartNumber", Message: "The requested partnumber is not satisfiable", PartNumberRequested: "3", ActualPartCount: "2" },
  ]);
});
