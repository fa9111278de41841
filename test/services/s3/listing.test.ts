// Listing through the real SDK v3 client: v1 and v2, prefixes, delimiters, paging, start-after, encoding-type=url,
// UTF-8 byte order; and versions with delete markers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  ListObjectsV2Command,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
} from "@aws-sdk/client-s3";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const s3 = () => server.client(S3Client, {}, { forcePathStyle: true });
async function bucketWith(c: S3Client, keys: string[]): Promise<string> {
  const b = `lst-${Math.random().toString(36).slice(2, 10)}`;
  await c.send(new CreateBucketCommand({ Bucket: b }));
  for (const k of keys) await c.send(new PutObjectCommand({ Bucket: b, Key: k, Body: k }));
  return b;
}

test("ListObjectsV2: prefix, delimiter and common prefixes", async () => {
  const c = s3();
  const b = await bucketWith(c, ["a/1", "a/2", "b/1", "c", "d/e/f"]);
  const all = await c.send(new ListObjectsV2Command({ Bucket: b }));
  assert.deepEqual(
    all.Contents!.map((o) => o.Key),
    ["a/1", "a/2", "b/1", "c", "d/e/f"],
  );
  assert.equal(all.KeyCount, 5);
  assert.equal(all.IsTruncated, false);
  assert.equal(all.Contents![0].Size, 3);
  assert.equal(all.Contents![0].StorageClass, "STANDARD");
  const top = await c.send(new ListObjectsV2Command({ Bucket: b, Delimiter: "/" }));
  assert.deepEqual(
    top.Contents!.map((o) => o.Key),
    ["c"],
  );
  assert.deepEqual(
    top.CommonPrefixes!.map((p) => p.Prefix),
    ["a/", "b/", "d/"],
  );
  assert.equal(top.KeyCount, 4);
  const under = await c.send(new ListObjectsV2Command({ Bucket: b, Prefix: "d/", Delimiter: "/" }));
  assert.deepEqual(
    under.CommonPrefixes!.map((p) => p.Prefix),
    ["d/e/"],
  );
  assert.equal(under.Contents, undefined);
});

test("ListObjectsV2 pages with MaxKeys and opaque tokens; StartAfter", async () => {
  const c = s3();
  const b = await bucketWith(c, ["k1", "k2", "k3", "p/1", "p/2", "z"]);
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const p = await c.send(new ListObjectsV2Command({ Bucket: b, MaxKeys: 2, Delimiter: "/", ContinuationToken: token }));
    seen.push(...(p.Contents ?? []).map((o) => o.Key!), ...(p.CommonPrefixes ?? []).map((x) => x.Prefix!));
    token = p.IsTruncated ? p.NextContinuationToken : undefined;
    if (p.IsTruncated) assert.ok(p.NextContinuationToken);
  } while (token);
  assert.deepEqual(seen.sort(), ["k1", "k2", "k3", "p/", "z"]);
  const after = await c.send(new ListObjectsV2Command({ Bucket: b, StartAfter: "k2" }));
  assert.deepEqual(
    after.Contents!.map((o) => o.Key),
    ["k3", "p/1", "p/2", "z"],
  );
  await rejects(c.send(new ListObjectsV2Command({ Bucket: b, ContinuationToken: "garbage" })), "InvalidArgument", 400);
});

test("ListObjects v1: Marker and NextMarker", async () => {
  const c = s3();
  const b = await bucketWith(c, ["a", "b/1", "b/2", "c"]);
  const p1 = await c.send(new ListObjectsCommand({ Bucket: b, MaxKeys: 2, Delimiter: "/" }));
  assert.deepEqual(
    p1.Contents!.map((o) => o.Key),
    ["a"],
  );
  assert.deepEqual(
    p1.CommonPrefixes!.map((x) => x.Prefix),
    ["b/"],
  );
  assert.equal(p1.IsTruncated, true);
  assert.equal(p1.NextMarker, "b/");
  const p2 = await c.send(new ListObjectsCommand({ Bucket: b, Marker: p1.NextMarker, Delimiter: "/" }));
  assert.deepEqual(
    p2.Contents!.map((o) => o.Key),
    ["c"],
  );
  assert.ok(p2.Contents![0].Owner?.ID);
});

test("keys sort in UTF-8 byte order; encoding-type=url encodes keys", async () => {
  const c = s3();
  const b = await bucketWith(c, ["z", "é", "\uFF21", "😀", "a b", "A"]);
  const l = await c.send(new ListObjectsV2Command({ Bucket: b }));
  // UTF-8 bytes: "A" 41 < "a b" 61 < "z" 7A < "é" C3A9 < "Ａ" EFBCA1 < "😀" F09F9880
  assert.deepEqual(
    l.Contents!.map((o) => o.Key),
    ["A", "a b", "z", "é", "\uFF21", "😀"],
  );
  const enc = await c.send(new ListObjectsV2Command({ Bucket: b, EncodingType: "url", Prefix: "a" }));
  assert.deepEqual(
    enc.Contents!.map((o) => o.Key),
    ["a%20b"],
  );
});

test("versioning: versions, delete markers, GET by version, 405 for a marker", async () => {
  const c = s3();
  const b = await bucketWith(c, []);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "pre", Body: "before versioning" }));
  await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled" } }));
  const v1 = await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "one" }));
  const v2 = await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "two" }));
  assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
  const old = await c.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId }));
  assert.equal(await old.Body!.transformToString(), "one");
  assert.equal(old.VersionId, v1.VersionId);
  const del = await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(del.DeleteMarker, true);
  assert.ok(del.VersionId);
  await rejects(c.send(new GetObjectCommand({ Bucket: b, Key: "k" })), "NoSuchKey", 404);
  await rejects(c.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: del.VersionId })), "MethodNotAllowed", 405);
  // An id S3 could not have issued is a 400 (InvalidArgument; HEAD has no body, so the SDK knows only the status).
  await rejects(c.send(new HeadObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId + "x" })), "Unknown", 400);
  const vs = await c.send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    vs.Versions!.map((v) => [v.Key, v.VersionId, v.IsLatest]),
    [
      ["k", v2.VersionId, false],
      ["k", v1.VersionId, false],
      ["pre", "null", true],
    ],
  );
  assert.deepEqual(
    vs.DeleteMarkers!.map((d) => [d.Key, d.VersionId, d.IsLatest]),
    [["k", del.VersionId, true]],
  );
  const listed = await c.send(new ListObjectsV2Command({ Bucket: b }));
  assert.deepEqual(
    listed.Contents!.map((o) => o.Key),
    ["pre"],
  );
  // Removing the delete marker brings the object back.
  await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: del.VersionId }));
  const back = await c.send(new GetObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(await back.Body!.transformToString(), "two");
  // Paging through versions with key and version-id markers.
  const p1 = await c.send(new ListObjectVersionsCommand({ Bucket: b, MaxKeys: 1 }));
  assert.equal(p1.IsTruncated, true);
  const p2 = await c.send(new ListObjectVersionsCommand({ Bucket: b, MaxKeys: 5, KeyMarker: p1.NextKeyMarker, VersionIdMarker: p1.NextVersionIdMarker }));
  assert.deepEqual(
    p2.Versions!.map((v) => [v.Key, v.VersionId]),
    [
      ["k", v1.VersionId],
      ["pre", "null"],
    ],
  );
});

test("suspended versioning writes and deletes the null version", async () => {
  const c = s3();
  const b = await bucketWith(c, []);
  await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled" } }));
  const v1 = await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "one" }));
  await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } }));
  const n1 = await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "null-1" }));
  assert.equal(n1.VersionId, "null");
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "null-2" }));
  const vs = await c.send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    vs.Versions!.map((v) => v.VersionId),
    ["null", v1.VersionId],
  );
  const d = await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(d.VersionId, "null");
  assert.equal(d.DeleteMarker, true);
  const after = await c.send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    after.Versions!.map((v) => v.VersionId),
    [v1.VersionId],
  );
  assert.deepEqual(
    after.DeleteMarkers!.map((v) => v.VersionId),
    ["null"],
  );
});
