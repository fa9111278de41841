// S3 buckets through the real SDK v3 client: create (global names, location constraints), head, list, location,
// delete, versioning, and the errors S3 answers with.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  PutObjectCommand,
  PutBucketVersioningCommand,
  GetBucketVersioningCommand,
} from "@aws-sdk/client-s3";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const s3 = (account?: string, region = "us-east-1") => server.client(S3Client, { account, region }, { forcePathStyle: true });
const name = () => `bkt-${Math.random().toString(36).slice(2, 10)}`;

test("create, head, list, locate and delete a bucket", async () => {
  const c = s3();
  const b = name();
  const created = await c.send(new CreateBucketCommand({ Bucket: b }));
  assert.equal(created.Location, `/${b}`);
  const head = await c.send(new HeadBucketCommand({ Bucket: b }));
  assert.equal(head.BucketRegion, "us-east-1");
  const list = await c.send(new ListBucketsCommand({}));
  assert.deepEqual(
    list.Buckets!.map((x) => x.Name),
    [b],
  );
  assert.ok(list.Buckets![0].CreationDate instanceof Date);
  assert.equal(list.Buckets![0].BucketRegion, "us-east-1");
  assert.match(list.Owner!.ID!, /^[0-9a-f]{64}$/);
  const loc = await c.send(new GetBucketLocationCommand({ Bucket: b }));
  assert.equal(loc.LocationConstraint, undefined);
  await c.send(new DeleteBucketCommand({ Bucket: b }));
  await rejects(c.send(new HeadBucketCommand({ Bucket: b })), "NotFound", 404);
  await rejects(c.send(new DeleteBucketCommand({ Bucket: b })), "NoSuchBucket", 404, "The specified bucket does not exist");
});

test("location constraints: regional endpoints need their own region", async () => {
  const account = String(Math.floor(1e11 + Math.random() * 8e11));
  const eu = s3(account, "eu-west-1");
  const b = name();
  await eu.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
  const loc = await eu.send(new GetBucketLocationCommand({ Bucket: b }));
  assert.equal(loc.LocationConstraint, "eu-west-1");
  // (SDK v3 fills in the client's region as LocationConstraint when it is left out, so that case needs boto3/CLI.)
  await rejects(
    eu.send(new CreateBucketCommand({ Bucket: name(), CreateBucketConfiguration: { LocationConstraint: "us-west-2" } })),
    "IllegalLocationConstraintException",
    400,
  );
  await rejects(
    s3(account).send(new CreateBucketCommand({ Bucket: name(), CreateBucketConfiguration: { LocationConstraint: "us-east-1" as never } })),
    "InvalidLocationConstraint",
    400,
  );
  // Listing from any region shows the account's buckets with their regions.
  const list = await s3(account).send(new ListBucketsCommand({ BucketRegion: "eu-west-1" }));
  assert.deepEqual(
    list.Buckets!.map((x) => [x.Name, x.BucketRegion]),
    [[b, "eu-west-1"]],
  );
  await rejects(
    eu.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })),
    "BucketAlreadyOwnedByYou",
    409,
  );
});

test("bucket names are global: another account gets BucketAlreadyExists; us-east-1 re-create by the owner succeeds", async () => {
  const b = name();
  const mine = s3();
  await mine.send(new CreateBucketCommand({ Bucket: b }));
  await mine.send(new CreateBucketCommand({ Bucket: b })); // legacy us-east-1: 200
  await rejects(s3().send(new CreateBucketCommand({ Bucket: b })), "BucketAlreadyExists", 409);
  // Another account cannot see into it either.
  await rejects(s3().send(new HeadBucketCommand({ Bucket: b })), "Unknown", 403);
  assert.deepEqual((await s3().send(new ListBucketsCommand({}))).Buckets ?? [], []);
});

test("invalid bucket names are refused", async () => {
  const c = s3();
  for (const bad of ["ab", "Upper-case", "a..b", "192.168.1.1", "-start", "xn--abc", "bucket-s3alias", "a".repeat(64)]) {
    await rejects(c.send(new CreateBucketCommand({ Bucket: bad })), "InvalidBucketName", 400, "The specified bucket is not valid.");
  }
});

test("a bucket with objects cannot be deleted", async () => {
  const c = s3();
  const b = name();
  await c.send(new CreateBucketCommand({ Bucket: b }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  await rejects(c.send(new DeleteBucketCommand({ Bucket: b })), "BucketNotEmpty", 409, "The bucket you tried to delete is not empty");
});

test("ListBuckets pages with MaxBuckets and an opaque token", async () => {
  const c = s3();
  const names = [name(), name(), name()].sort();
  for (const n of names) await c.send(new CreateBucketCommand({ Bucket: n }));
  const p1 = await c.send(new ListBucketsCommand({ MaxBuckets: 2 }));
  assert.deepEqual(
    p1.Buckets!.map((x) => x.Name),
    names.slice(0, 2),
  );
  assert.ok(p1.ContinuationToken);
  const p2 = await c.send(new ListBucketsCommand({ MaxBuckets: 2, ContinuationToken: p1.ContinuationToken }));
  assert.deepEqual(
    p2.Buckets!.map((x) => x.Name),
    names.slice(2),
  );
  assert.equal(p2.ContinuationToken, undefined);
});

test("versioning status: absent, Enabled, Suspended", async () => {
  const c = s3();
  const b = name();
  await c.send(new CreateBucketCommand({ Bucket: b }));
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, undefined);
  await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled" } }));
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, "Enabled");
  await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } }));
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, "Suspended");
  await rejects(c.send(new GetBucketVersioningCommand({ Bucket: name() })), "NoSuchBucket", 404);
});
