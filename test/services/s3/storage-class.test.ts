// S3 storage classes and RestoreObject through the real SDK v3 client (and boto3): invalid classes, CopyObject's
// default class, archived objects unreadable until a restore completes on the runtime clock (a ManualClock here),
// x-amz-restore, expiry, RestoreAlreadyInProgress, and a restore surviving a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  RestoreObjectCommand,
  PutBucketVersioningCommand,
  UploadPartCopyCommand,
  PutBucketNotificationConfigurationCommand,
} from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { RESTORE_MS } from "../../../src/services/s3/storage-class.js";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { eventually } from "../../helpers/wait.js";

const DAY = 86_400_000;
const clock = new ManualClock(Date.UTC(2030, 0, 1, 12));
const server = useServer({ clock });
const s3 = (account?: string) => server.client(S3Client, { account }, { forcePathStyle: true });
async function bucket(c: S3Client): Promise<string> {
  const b = `sc-${Math.random().toString(36).slice(2, 10)}`;
  await c.send(new CreateBucketCommand({ Bucket: b }));
  return b;
}

test("an unknown or OUTPOSTS storage class is InvalidStorageClass on PutObject, CopyObject and CreateMultipartUpload", async () => {
  const c = s3();
  const b = await bucket(c);
  const msg = "The storage class you specified is not valid";
  await rejects(c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", StorageClass: "FAKE" as never })), "InvalidStorageClass", 400, msg);
  await rejects(c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", StorageClass: "OUTPOSTS" })), "InvalidStorageClass", 400, msg);
  await rejects(c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k", StorageClass: "OUTPOSTS" })), "InvalidStorageClass", 400, msg);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  await rejects(c.send(new CopyObjectCommand({ Bucket: b, Key: "k2", CopySource: `${b}/k`, StorageClass: "NOPE" as never })), "InvalidStorageClass", 400, msg);
  // Nothing was written by the refused calls.
  const list = await c.send(new ListObjectsV2Command({ Bucket: b }));
  assert.deepEqual(
    list.Contents?.map((o) => o.Key),
    ["k"],
  );
});

test("the class is reported by Head/Get/List; CopyObject writes STANDARD unless x-amz-storage-class says otherwise", async () => {
  const c = s3();
  const b = await bucket(c);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "ia", Body: "data", StorageClass: "STANDARD_IA" }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: "ir", Body: "instant", StorageClass: "GLACIER_IR" }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: "std", Body: "s" }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "ia" }))).StorageClass, "STANDARD_IA");
  // S3 sends no x-amz-storage-class for STANDARD.
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "std" }))).StorageClass, undefined);
  // GLACIER_IR is readable at once.
  const ir = await c.send(new GetObjectCommand({ Bucket: b, Key: "ir" }));
  assert.equal(ir.StorageClass, "GLACIER_IR");
  assert.equal(await ir.Body!.transformToString(), "instant");

  await c.send(new CopyObjectCommand({ Bucket: b, Key: "copy-default", CopySource: `${b}/ia` }));
  await c.send(new CopyObjectCommand({ Bucket: b, Key: "copy-onezone", CopySource: `${b}/ia`, StorageClass: "ONEZONE_IA" }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "copy-default" }))).StorageClass, undefined);
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "copy-onezone" }))).StorageClass, "ONEZONE_IA");
  // In place: only with a changed class (LocalStack's recorded test_s3_copy_object_storage_class).
  await c.send(new CopyObjectCommand({ Bucket: b, Key: "ia", CopySource: `${b}/ia`, StorageClass: "STANDARD" }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "ia" }))).StorageClass, undefined);
  await rejects(c.send(new CopyObjectCommand({ Bucket: b, Key: "ia", CopySource: `${b}/ia` })), "InvalidRequest", 400, /copy an object to itself/);

  const v2 = await c.send(new ListObjectsV2Command({ Bucket: b }));
  assert.deepEqual(Object.fromEntries(v2.Contents!.map((o) => [o.Key, o.StorageClass])), {
    "copy-default": "STANDARD",
    "copy-onezone": "ONEZONE_IA",
    ia: "STANDARD",
    ir: "GLACIER_IR",
    std: "STANDARD",
  });
  const v1 = await c.send(new ListObjectsCommand({ Bucket: b }));
  assert.equal(v1.Contents!.find((o) => o.Key === "ir")!.StorageClass, "GLACIER_IR");
  const versions = await c.send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.equal(versions.Versions!.find((o) => o.Key === "ir")!.StorageClass, "GLACIER_IR");
});

test("GLACIER and DEEP_ARCHIVE: unreadable and uncopyable until restored; RestoreObject 202, in progress 409, then readable until expiry", async () => {
  const c = s3();
  const b = await bucket(c);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "cold", Body: "frozen data", StorageClass: "GLACIER" }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: "deep", Body: "deep data", StorageClass: "DEEP_ARCHIVE" }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: "warm", Body: "w" }));

  for (const [key, sc] of [
    ["cold", "GLACIER"],
    ["deep", "DEEP_ARCHIVE"],
  ]) {
    const err = await c.send(new GetObjectCommand({ Bucket: b, Key: key })).then(
      () => assert.fail("GetObject of an archived object succeeded"),
      (e) => e,
    );
    assert.equal(err.name, "InvalidObjectState");
    assert.equal(err.$metadata.httpStatusCode, 403);
    assert.equal(err.message, "The operation is not valid for the object's storage class");
    assert.equal(err.StorageClass, sc);
    // HEAD still answers, with the class and no x-amz-restore.
    const h = await c.send(new HeadObjectCommand({ Bucket: b, Key: key }));
    assert.equal(h.StorageClass, sc);
    assert.equal(h.Restore, undefined);
  }
  await rejects(
    c.send(new CopyObjectCommand({ Bucket: b, Key: "thawed", CopySource: `${b}/cold` })),
    "InvalidObjectState",
    403,
    "Operation is not valid for the source object's storage class",
  );
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "mp" }));
  await rejects(
    c.send(new UploadPartCopyCommand({ Bucket: b, Key: "mp", UploadId, PartNumber: 1, CopySource: `${b}/deep` })),
    "InvalidObjectState",
    403,
    "Operation is not valid for the source object's storage class",
  );
  // Nothing to restore for a STANDARD object.
  await rejects(
    c.send(new RestoreObjectCommand({ Bucket: b, Key: "warm", RestoreRequest: { Days: 1 } })),
    "InvalidObjectState",
    403,
    "Restore is not allowed for the object's current storage class",
  );
  await rejects(c.send(new RestoreObjectCommand({ Bucket: b, Key: "missing", RestoreRequest: { Days: 1 } })), "NoSuchKey", 404);

  const requested = clock.now();
  const r = await c.send(new RestoreObjectCommand({ Bucket: b, Key: "cold", RestoreRequest: { Days: 2, GlacierJobParameters: { Tier: "Bulk" } } }));
  assert.equal(r.$metadata.httpStatusCode, 202);
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "cold" }))).Restore, 'ongoing-request="true"');
  await rejects(
    c.send(new RestoreObjectCommand({ Bucket: b, Key: "cold", RestoreRequest: { Days: 2 } })),
    "RestoreAlreadyInProgress",
    409,
    "Object restore is already in progress",
  );
  // Still in progress: GET is refused as before.
  await rejects(c.send(new GetObjectCommand({ Bucket: b, Key: "cold" })), "InvalidObjectState", 403);

  // ListObjectsV2 reports the restore when asked (x-amz-optional-object-attributes).
  const listed = await c.send(new ListObjectsV2Command({ Bucket: b, OptionalObjectAttributes: ["RestoreStatus"] }));
  assert.deepEqual(listed.Contents!.find((o) => o.Key === "cold")!.RestoreStatus, { IsRestoreInProgress: true });
  assert.equal(listed.Contents!.find((o) => o.Key === "warm")!.RestoreStatus, undefined);
  clock.advance(RESTORE_MS);
  // Completion time + 2 days, rounded up to the next midnight UTC.
  const expiry = new Date(Math.ceil((requested + RESTORE_MS + 2 * DAY) / DAY) * DAY);
  const h = await c.send(new HeadObjectCommand({ Bucket: b, Key: "cold" }));
  assert.equal(h.Restore, `ongoing-request="false", expiry-date="${expiry.toUTCString()}"`);
  assert.equal(h.StorageClass, "GLACIER");
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "cold" }));
  assert.equal(await got.Body!.transformToString(), "frozen data");
  assert.equal(got.Restore, h.Restore);
  const v1 = await c.send(new ListObjectsCommand({ Bucket: b, OptionalObjectAttributes: ["RestoreStatus"] }));
  assert.deepEqual(v1.Contents!.find((o) => o.Key === "cold")!.RestoreStatus, { IsRestoreInProgress: false, RestoreExpiryDate: expiry });
  // The restored copy can be copied out (STANDARD by default) and copied onto itself to leave the archive.
  await c.send(new CopyObjectCommand({ Bucket: b, Key: "thawed", CopySource: `${b}/cold` }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "thawed" }))).StorageClass, undefined);

  // A repeat while restored answers 200 and moves the expiry.
  const again = await c.send(new RestoreObjectCommand({ Bucket: b, Key: "cold", RestoreRequest: { Days: 5 } }));
  assert.equal(again.$metadata.httpStatusCode, 200);
  const moved = new Date(Math.ceil((clock.now() + 5 * DAY) / DAY) * DAY);
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "cold" }))).Restore, `ongoing-request="false", expiry-date="${moved.toUTCString()}"`);

  // Past the expiry the object is archived again.
  clock.set(moved.getTime());
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "cold" }))).Restore, undefined);
  await rejects(c.send(new GetObjectCommand({ Bucket: b, Key: "cold" })), "InvalidObjectState", 403);
  const fresh = await c.send(new RestoreObjectCommand({ Bucket: b, Key: "cold", RestoreRequest: { Days: 1 } }));
  assert.equal(fresh.$metadata.httpStatusCode, 202);
});

test("RestoreObject of one version of a versioned key", async () => {
  const c = s3();
  const b = await bucket(c);
  await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled" } }));
  const v1 = await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "old", StorageClass: "DEEP_ARCHIVE" }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "new" }));
  await rejects(c.send(new RestoreObjectCommand({ Bucket: b, Key: "k", RestoreRequest: { Days: 1 } })), "InvalidObjectState", 403);
  const r = await c.send(new RestoreObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId, RestoreRequest: { Days: 1 } }));
  assert.equal(r.$metadata.httpStatusCode, 202);
  clock.advance(RESTORE_MS);
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId }));
  assert.equal(await got.Body!.transformToString(), "old");
});

test("event notifications: ObjectRestore:Post when a restore is accepted, ObjectRestore:Completed when it is ready", async () => {
  const account = randomAccount();
  const c = s3(account);
  const sqs = server.client(SQSClient, { account });
  const b = await bucket(c);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `restores-${b}` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await c.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: b,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: Attributes!.QueueArn!, Events: ["s3:ObjectRestore:*"] }] },
    }),
  );
  await c.send(new PutObjectCommand({ Bucket: b, Key: "cold.bin", Body: "zzz", StorageClass: "GLACIER" }));
  await c.send(new RestoreObjectCommand({ Bucket: b, Key: "cold.bin", RestoreRequest: { Days: 1 } }));
  const events: string[] = [];
  const receive = (n: number) =>
    eventually(async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      for (const m of r.Messages ?? []) {
        const body = JSON.parse(m.Body!);
        if (body.Records) events.push(`${body.Records[0].eventName} ${body.Records[0].s3.object.key}`);
      }
      assert.equal(events.length, n);
    });
  await receive(1);
  assert.deepEqual(events, ["ObjectRestore:Post cold.bin"]);
  clock.advance(RESTORE_MS);
  await receive(2);
  assert.deepEqual(events, ["ObjectRestore:Post cold.bin", "ObjectRestore:Completed cold.bin"]);
});

test("a restore in progress completes after a restart (state from stored timestamps)", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-s3-restore-"));
  const clk = new ManualClock(Date.UTC(2031, 5, 1, 8));
  const account = randomAccount();
  try {
    let srv = await startTestServer({ dataDir, clock: clk });
    let c = new S3Client({ ...srv.clientConfig({ account }), forcePathStyle: true });
    await c.send(new CreateBucketCommand({ Bucket: "restore-durable" }));
    await c.send(new PutObjectCommand({ Bucket: "restore-durable", Key: "k", Body: "kept", StorageClass: "GLACIER" }));
    await c.send(new RestoreObjectCommand({ Bucket: "restore-durable", Key: "k", RestoreRequest: { Days: 1 } }));
    const before = srv.runtime.store.table("s3:pending-restores", `${account}/us-east-1`).list().length;
    assert.equal(before, 1);
    await srv.close();
    clk.advance(RESTORE_MS);
    const pending = (x: typeof srv) => x.runtime.store.table("s3:pending-restores", `${account}/us-east-1`).list().length;
    srv = await startTestServer({ dataDir, clock: clk });
    // S3 starts with the server (it has a completion event due) and fires it: nothing is left pending.
    const restarted = srv;
    await eventually(() => assert.equal(pending(restarted), 0));
    c = new S3Client({ ...srv.clientConfig({ account }), forcePathStyle: true });
    const got = await c.send(new GetObjectCommand({ Bucket: "restore-durable", Key: "k" }));
    assert.equal(await got.Body!.transformToString(), "kept");
    assert.equal(got.Restore, `ongoing-request="false", expiry-date="${new Date(Date.UTC(2031, 5, 3)).toUTCString()}"`);
    await srv.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("boto3: DEEP_ARCHIVE put, InvalidObjectState, restore_object 202 then 409, x-amz-restore", { skip: pythonMissing() }, async () => {
  const b = `sc-boto-${Math.random().toString(36).slice(2, 10)}`;
  const script = `
import boto3, json
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=${JSON.stringify(server.url)}, region_name="us-east-1", config=boto3.session.Config(s3={"addressing_style": "path"}))
out = {}
s3.create_bucket(Bucket="${b}")
s3.put_object(Bucket="${b}", Key="k", Body=b"body", StorageClass="DEEP_ARCHIVE")
try:
    s3.get_object(Bucket="${b}", Key="k")
except ClientError as e:
    out["get"] = [e.response["Error"]["Code"], e.response["Error"]["StorageClass"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
r = s3.restore_object(Bucket="${b}", Key="k", RestoreRequest={"Days": 30, "GlacierJobParameters": {"Tier": "Bulk"}})
out["restore"] = r["ResponseMetadata"]["HTTPStatusCode"]
try:
    s3.restore_object(Bucket="${b}", Key="k", RestoreRequest={"Days": 30})
except ClientError as e:
    out["again"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
out["head"] = s3.head_object(Bucket="${b}", Key="k")["Restore"]
out["list"] = s3.list_objects_v2(Bucket="${b}")["Contents"][0]["StorageClass"]
print(json.dumps(out))
`;
  const { stdout } = await run("python3", ["-c", script], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: randomAccount(),
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
  });
  assert.deepEqual(JSON.parse(stdout), {
    get: ["InvalidObjectState", "DEEP_ARCHIVE", 403],
    restore: 202,
    again: ["RestoreAlreadyInProgress", 409],
    head: 'ongoing-request="true"',
    list: "DEEP_ARCHIVE",
  });
});
