// S3 Object Lock through the real SDK v3 client (and the AWS CLI): bucket configuration, retention and legal hold
// on versions, the x-amz-object-lock-* headers of writes, and enforcement on DeleteObject / DeleteObjects.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  HeadObjectCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  GetObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  GetObjectRetentionCommand,
  PutObjectLegalHoldCommand,
  GetObjectLegalHoldCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
} from "@aws-sdk/client-s3";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const DAY = 86_400_000;
const clock = new ManualClock(Date.UTC(2030, 0, 1, 12));
const server = useServer({ clock });
const s3 = (account?: string, extra: Record<string, unknown> = {}) => server.client(S3Client, { account }, { forcePathStyle: true, ...extra });
const name = () => `lock-${Math.random().toString(36).slice(2, 10)}`;
async function lockedBucket(c: S3Client): Promise<string> {
  const b = name();
  await c.send(new CreateBucketCommand({ Bucket: b, ObjectLockEnabledForBucket: true }));
  return b;
}
const LOCKED = "Access Denied because object protected by object lock.";
const MISSING = "Bucket is missing Object Lock Configuration";

test("lock configuration: at creation (versioning on for good), on a versioned bucket, default retention, errors", async () => {
  const c = s3();
  const b = await lockedBucket(c);
  assert.deepEqual((await c.send(new GetObjectLockConfigurationCommand({ Bucket: b }))).ObjectLockConfiguration, { ObjectLockEnabled: "Enabled" });
  await rejects(
    c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } })),
    "InvalidBucketState",
    409,
    "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
  );
  await c.send(
    new PutObjectLockConfigurationCommand({
      Bucket: b,
      ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } } },
    }),
  );
  assert.deepEqual((await c.send(new GetObjectLockConfigurationCommand({ Bucket: b }))).ObjectLockConfiguration, {
    ObjectLockEnabled: "Enabled",
    Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } },
  });
  for (const DefaultRetention of [{ Mode: "GOVERNANCE" as const }, { Mode: "BAD" as never, Days: 1 }, { Mode: "COMPLIANCE" as const, Days: 1, Years: 1 }]) {
    await rejects(
      c.send(new PutObjectLockConfigurationCommand({ Bucket: b, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention } } })),
      "MalformedXML",
      400,
    );
  }

  const plain = name();
  await c.send(new CreateBucketCommand({ Bucket: plain }));
  await rejects(
    c.send(new GetObjectLockConfigurationCommand({ Bucket: plain })),
    "ObjectLockConfigurationNotFoundError",
    404,
    "Object Lock configuration does not exist for this bucket",
  );
  await rejects(
    c.send(new PutObjectLockConfigurationCommand({ Bucket: plain, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } })),
    "InvalidBucketState",
    409,
    "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
  );
  await c.send(new PutBucketVersioningCommand({ Bucket: plain, VersioningConfiguration: { Status: "Enabled" } }));
  await c.send(new PutObjectLockConfigurationCommand({ Bucket: plain, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } }));
  assert.equal((await c.send(new GetObjectLockConfigurationCommand({ Bucket: plain }))).ObjectLockConfiguration?.ObjectLockEnabled, "Enabled");
});

test("a bucket without Object Lock: retention and legal hold are InvalidRequest, lock headers and bypass refused", async () => {
  const c = s3();
  const b = name();
  await c.send(new CreateBucketCommand({ Bucket: b }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  const until = new Date(clock.now() + DAY);
  await rejects(
    c.send(new PutObjectRetentionCommand({ Bucket: b, Key: "k", Retention: { Mode: "GOVERNANCE", RetainUntilDate: until } })),
    "InvalidRequest",
    400,
    MISSING,
  );
  await rejects(c.send(new GetObjectRetentionCommand({ Bucket: b, Key: "k" })), "InvalidRequest", 400, MISSING);
  await rejects(c.send(new PutObjectLegalHoldCommand({ Bucket: b, Key: "k", LegalHold: { Status: "ON" } })), "InvalidRequest", 400, MISSING);
  await rejects(c.send(new GetObjectLegalHoldCommand({ Bucket: b, Key: "k" })), "InvalidRequest", 400, MISSING);
  await rejects(
    c.send(new PutObjectCommand({ Bucket: b, Key: "k2", Body: "x", ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: until })),
    "InvalidRequest",
    400,
    MISSING,
  );
  const bypass = "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.";
  await rejects(c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", BypassGovernanceRetention: true })), "InvalidArgument", 400, bypass);
  await rejects(
    c.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: "k" }] }, BypassGovernanceRetention: true })),
    "InvalidArgument",
    400,
    bypass,
  );
});

test("GOVERNANCE retention: headers on PUT and HEAD, delete refused unless bypassed, shortening needs the bypass", async () => {
  const c = s3();
  const b = await lockedBucket(c);
  const until = new Date(clock.now() + 2 * DAY);
  const put = await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "locked", ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: until }));
  const h = await c.send(new HeadObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(h.ObjectLockMode, "GOVERNANCE");
  assert.equal(h.ObjectLockRetainUntilDate?.getTime(), until.getTime());
  assert.deepEqual((await c.send(new GetObjectRetentionCommand({ Bucket: b, Key: "k" }))).Retention, { Mode: "GOVERNANCE", RetainUntilDate: until });

  await rejects(c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: put.VersionId })), "AccessDenied", 403, LOCKED);
  const many = await c.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: "k", VersionId: put.VersionId }] } }));
  assert.deepEqual(many.Errors, [{ Key: "k", VersionId: put.VersionId, Code: "AccessDenied", Message: LOCKED }]);
  // A delete without a version id only stacks a delete marker: allowed.
  const marker = await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(marker.DeleteMarker, true);
  await rejects(
    c.send(new PutObjectRetentionCommand({ Bucket: b, Key: "k", VersionId: marker.VersionId, Retention: { Mode: "GOVERNANCE", RetainUntilDate: until } })),
    "MethodNotAllowed",
    405,
  );

  // Extending is allowed; shortening or removing needs x-amz-bypass-governance-retention.
  const later = new Date(clock.now() + 3 * DAY);
  await c.send(new PutObjectRetentionCommand({ Bucket: b, Key: "k", VersionId: put.VersionId, Retention: { Mode: "GOVERNANCE", RetainUntilDate: later } }));
  await rejects(
    c.send(new PutObjectRetentionCommand({ Bucket: b, Key: "k", VersionId: put.VersionId, Retention: { Mode: "GOVERNANCE", RetainUntilDate: until } })),
    "AccessDenied",
    403,
    LOCKED,
  );
  await rejects(
    c.send(
      new PutObjectRetentionCommand({
        Bucket: b,
        Key: "k",
        VersionId: put.VersionId,
        Retention: { Mode: "GOVERNANCE", RetainUntilDate: new Date(Date.UTC(2019, 11, 31, 16) + 8 * 3600_000) },
      }),
    ),
    "InvalidArgument",
    400,
    "The retain until date must be in the future!",
  );
  await c.send(
    new PutObjectRetentionCommand({
      Bucket: b,
      Key: "k",
      VersionId: put.VersionId,
      Retention: { Mode: "GOVERNANCE", RetainUntilDate: until },
      BypassGovernanceRetention: true,
    }),
  );
  const gone = await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: put.VersionId, BypassGovernanceRetention: true }));
  assert.equal(gone.VersionId, put.VersionId);
});

test("COMPLIANCE retention cannot be bypassed, shortened or weakened; the version can go once it expires", async () => {
  const c = s3();
  const b = await lockedBucket(c);
  const put = await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  const until = new Date(clock.now() + DAY);
  await c.send(new PutObjectRetentionCommand({ Bucket: b, Key: "k", Retention: { Mode: "COMPLIANCE", RetainUntilDate: until } }));
  await rejects(
    c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: put.VersionId, BypassGovernanceRetention: true })),
    "AccessDenied",
    403,
    LOCKED,
  );
  await rejects(
    c.send(new PutObjectRetentionCommand({ Bucket: b, Key: "k", Retention: { Mode: "GOVERNANCE", RetainUntilDate: until }, BypassGovernanceRetention: true })),
    "AccessDenied",
    403,
    LOCKED,
  );
  clock.advance(DAY + 1000);
  const gone = await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: put.VersionId }));
  assert.equal(gone.VersionId, put.VersionId);
});

test("legal hold: on PUT or later, blocks deletion whatever the bypass, OFF releases it; NoSuchObjectLockConfiguration", async () => {
  const c = s3();
  const b = await lockedBucket(c);
  const v1 = await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  await rejects(
    c.send(new GetObjectLegalHoldCommand({ Bucket: b, Key: "k" })),
    "NoSuchObjectLockConfiguration",
    404,
    "The specified object does not have a ObjectLock configuration",
  );
  await rejects(c.send(new GetObjectRetentionCommand({ Bucket: b, Key: "k" })), "NoSuchObjectLockConfiguration", 404);
  await c.send(new PutObjectLegalHoldCommand({ Bucket: b, Key: "k", LegalHold: { Status: "ON" } }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "k" }))).ObjectLockLegalHoldStatus, "ON");
  assert.deepEqual((await c.send(new GetObjectLegalHoldCommand({ Bucket: b, Key: "k" }))).LegalHold, { Status: "ON" });
  await rejects(
    c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId, BypassGovernanceRetention: true })),
    "AccessDenied",
    403,
    LOCKED,
  );
  await c.send(new PutObjectLegalHoldCommand({ Bucket: b, Key: "k", LegalHold: { Status: "OFF" } }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "k" }))).ObjectLockLegalHoldStatus, "OFF");
  await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId }));

  const held = await c.send(new PutObjectCommand({ Bucket: b, Key: "held", Body: "x", ObjectLockLegalHoldStatus: "ON" }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "held" }))).ObjectLockLegalHoldStatus, "ON");
  await rejects(c.send(new DeleteObjectCommand({ Bucket: b, Key: "held", VersionId: held.VersionId })), "AccessDenied", 403, LOCKED);
  // A copy does not carry the source's lock.
  await c.send(new CopyObjectCommand({ Bucket: b, Key: "copy", CopySource: `${b}/held` }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "copy" }))).ObjectLockLegalHoldStatus, undefined);
});

test("write headers: validated, the bucket's default retention applies, and a digest is required with lock parameters", async () => {
  const c = s3();
  const b = await lockedBucket(c);
  const until = new Date(clock.now() + DAY);
  await rejects(
    c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ObjectLockMode: "GOVERNANCE" })),
    "InvalidArgument",
    400,
    "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
  );
  await rejects(
    c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ObjectLockMode: "BAD-VALUE" as never, ObjectLockRetainUntilDate: until })),
    "InvalidArgument",
    400,
    "Unknown wormMode directive.",
  );
  await rejects(
    c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k", ObjectLockMode: "BAD-VALUE" as never, ObjectLockRetainUntilDate: until })),
    "InvalidArgument",
    400,
    "Unknown wormMode directive.",
  );
  // Without any checksum (the SDK computes one only when asked): refused.
  const owner = (await c.config.credentials()).accessKeyId;
  const bareOwner = new S3Client({ ...server.clientConfig({ account: owner }), forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" });
  await rejects(
    bareOwner.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: until })),
    "InvalidRequest",
    400,
    "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters",
  );
  // Plain writes need none while the bucket has no default retention.
  await bareOwner.send(new PutObjectCommand({ Bucket: b, Key: "plain", Body: "x" }));

  await c.send(
    new PutObjectLockConfigurationCommand({
      Bucket: b,
      ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 2 } } },
    }),
  );
  const now = clock.now();
  const d = await c.send(new PutObjectCommand({ Bucket: b, Key: "default", Body: "x" }));
  const h = await c.send(new HeadObjectCommand({ Bucket: b, Key: "default" }));
  assert.equal(h.ObjectLockMode, "COMPLIANCE");
  assert.equal(h.ObjectLockRetainUntilDate?.getTime(), now + 2 * DAY);
  await rejects(c.send(new DeleteObjectCommand({ Bucket: b, Key: "default", VersionId: d.VersionId })), "AccessDenied", 403, LOCKED);
  await rejects(bareOwner.send(new PutObjectCommand({ Bucket: b, Key: "bare", Body: "x" })), "InvalidRequest", 400);
  // Explicit headers win over the default; a multipart upload gets its lock when created.
  await c.send(new PutObjectCommand({ Bucket: b, Key: "explicit", Body: "x", ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: until }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "explicit" }))).ObjectLockMode, "GOVERNANCE");
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "mp", ObjectLockLegalHoldStatus: "ON" }));
  const part = await c.send(new UploadPartCommand({ Bucket: b, Key: "mp", UploadId, PartNumber: 1, Body: "part" }));
  await c.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: "mp", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
  const mp = await c.send(new HeadObjectCommand({ Bucket: b, Key: "mp" }));
  assert.equal(mp.ObjectLockLegalHoldStatus, "ON");
  assert.equal(mp.ObjectLockMode, "COMPLIANCE");
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: object lock", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`AWS CLI ${cli.label}: object lock bucket, retention, a refused delete`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const aws = (...args: string[]) => runAws(cli, server.url, args, creds);
    const b = name();
    const mk = await aws("s3api", "create-bucket", "--bucket", b, "--object-lock-enabled-for-bucket");
    assert.equal(mk.status, 0, mk.stderr);
    const conf = await aws("s3api", "get-object-lock-configuration", "--bucket", b);
    assert.equal(conf.status, 0, conf.stderr);
    assert.deepEqual(JSON.parse(conf.stdout), { ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } });
    const put = await aws(
      "s3api",
      "put-object",
      "--bucket",
      b,
      "--key",
      "k",
      "--object-lock-legal-hold-status",
      "ON",
      "--content-md5",
      "1B2M2Y8AsgTpgAmY7PhCfg==",
    );
    assert.equal(put.status, 0, put.stderr);
    const vid = JSON.parse(put.stdout).VersionId;
    const hold = await aws("s3api", "get-object-legal-hold", "--bucket", b, "--key", "k");
    assert.deepEqual(JSON.parse(hold.stdout), { LegalHold: { Status: "ON" } });
    const del = await aws("s3api", "delete-object", "--bucket", b, "--key", "k", "--version-id", vid);
    assert.notEqual(del.status, 0);
    assert.match(del.stderr, /AccessDenied.*Access Denied because object protected by object lock\./);
  });
}
