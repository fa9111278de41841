// S3 server-side encryption through the real SDK v3 clients: the default SSE-S3 rule of a new bucket, Put/Get/Delete
// BucketEncryption and its errors, SSE-KMS objects whose data key comes from Stratus's KMS (a disabled or
// pending-deletion key makes reads fail as on AWS), per-request headers, copy and multipart. Expected answers are AWS's
// as recorded in LocalStack's tests/aws/services/s3/test_s3_api.snapshot.json (TestS3BucketEncryption) and
// test_s3.snapshot.json (test_s3_sse_validate_kms_key, test_s3_sse_validate_kms_key_state).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  PutBucketEncryptionCommand,
  DeleteBucketEncryptionCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
} from "@aws-sdk/client-s3";
import { KMSClient, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, ScheduleKeyDeletionCommand, DescribeKeyCommand } from "@aws-sdk/client-kms";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

function clients() {
  const account = randomAccount();
  return {
    account,
    s3: server.client(S3Client, { account }, { forcePathStyle: true }),
    kms: server.client(KMSClient, { account }),
  };
}
async function bucket(s3: S3Client): Promise<string> {
  const b = `enc-${Math.random().toString(36).slice(2, 10)}`;
  await s3.send(new CreateBucketCommand({ Bucket: b }));
  return b;
}

test("a new bucket encrypts with SSE-S3 by default; Delete resets to that default; errors as AWS words them", async () => {
  const { s3 } = clients();
  const b = await bucket(s3);
  const def = await s3.send(new GetBucketEncryptionCommand({ Bucket: b }));
  assert.deepEqual(def.ServerSideEncryptionConfiguration?.Rules, [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }]);
  const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "test-encrypted" }));
  assert.equal(put.ServerSideEncryption, "AES256");
  assert.equal(put.SSEKMSKeyId, undefined);
  const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(head.ServerSideEncryption, "AES256");

  const del = await s3.send(new DeleteBucketEncryptionCommand({ Bucket: b }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  assert.equal((await s3.send(new DeleteBucketEncryptionCommand({ Bucket: b }))).$metadata.httpStatusCode, 204);
  const after = await s3.send(new GetBucketEncryptionCommand({ Bucket: b }));
  assert.equal(after.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm, "AES256");

  const missing = `enc-missing-${Math.random().toString(36).slice(2, 8)}`;
  await rejects(s3.send(new GetBucketEncryptionCommand({ Bucket: missing })), "NoSuchBucket", 404, "The specified bucket does not exist");
  await rejects(s3.send(new DeleteBucketEncryptionCommand({ Bucket: missing })), "NoSuchBucket", 404);
  const malformed = "The XML you provided was not well-formed or did not validate against our published schema";
  await rejects(s3.send(new PutBucketEncryptionCommand({ Bucket: b, ServerSideEncryptionConfiguration: { Rules: [] } })), "MalformedXML", 400, malformed);
  await rejects(
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket: b,
        ServerSideEncryptionConfiguration: {
          Rules: [
            { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" }, BucketKeyEnabled: true },
            { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
          ],
        },
      }),
    ),
    "MalformedXML",
    400,
    malformed,
  );
  await rejects(
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket: b,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256", KMSMasterKeyID: "randomkeyid" } }] },
      }),
    ),
    "InvalidArgument",
    400,
    "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
  );
  await rejects(
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket: b,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "DES" as never } }] },
      }),
    ),
    "MalformedXML",
    400,
  );
});

test("SSE-KMS bucket default: objects report the key ARN and bucket key; a disabled or deleted key makes reads fail as on AWS", async () => {
  const { s3, kms } = clients();
  const b = await bucket(s3);
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const keyId = KeyMetadata!.KeyId!;
  const arn = KeyMetadata!.Arn!;
  const put = await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: b,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyId }, BucketKeyEnabled: true }],
      },
    }),
  );
  assert.equal(put.$metadata.httpStatusCode, 200);
  const got = await s3.send(new GetBucketEncryptionCommand({ Bucket: b }));
  assert.deepEqual(got.ServerSideEncryptionConfiguration?.Rules, [
    { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyId }, BucketKeyEnabled: true },
  ]);

  const o = await s3.send(new PutObjectCommand({ Bucket: b, Key: "secret.txt", Body: "test-encrypted" }));
  assert.equal(o.ServerSideEncryption, "aws:kms");
  assert.equal(o.SSEKMSKeyId, arn);
  assert.equal(o.BucketKeyEnabled, true);
  const g = await s3.send(new GetObjectCommand({ Bucket: b, Key: "secret.txt" }));
  assert.equal(await g.Body?.transformToString(), "test-encrypted");
  assert.equal(g.ServerSideEncryption, "aws:kms");
  assert.equal(g.SSEKMSKeyId, arn);
  assert.equal(g.BucketKeyEnabled, true);

  await kms.send(new DisableKeyCommand({ KeyId: keyId }));
  await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: "secret.txt" })), "KMS.DisabledException", 400, `${arn} is disabled.`);
  await rejects(s3.send(new PutObjectCommand({ Bucket: b, Key: "other.txt", Body: "x" })), "KMS.DisabledException", 400, `${arn} is disabled.`);
  // HEAD reads no content, so it needs no data key (AWS answers HeadObject while the key is disabled).
  const h = await s3.send(new HeadObjectCommand({ Bucket: b, Key: "secret.txt" }));
  assert.equal(h.SSEKMSKeyId, arn);
  await kms.send(new EnableKeyCommand({ KeyId: keyId }));
  assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: "secret.txt" }))).Body?.transformToString(), "test-encrypted");

  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  await rejects(s3.send(new GetObjectCommand({ Bucket: b, Key: "secret.txt" })), "KMS.KMSInvalidStateException", 400, `${arn} is pending deletion.`);
});

test("per-request SSE headers: the AWS managed key, a named key, unknown keys; copy and multipart carry encryption", async () => {
  const { s3, kms, account } = clients();
  const b = await bucket(s3);
  // aws:kms without a key id: the AWS managed key aws/s3, created on first use.
  const managed = await s3.send(new PutObjectCommand({ Bucket: b, Key: "m", Body: "managed", ServerSideEncryption: "aws:kms" }));
  const aws = await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/s3" }));
  assert.equal(aws.KeyMetadata?.KeyManager, "AWS");
  assert.equal(aws.KeyMetadata?.Description, "Default key that protects my S3 objects when no other key is defined");
  assert.equal(managed.SSEKMSKeyId, aws.KeyMetadata?.Arn);
  assert.equal(managed.BucketKeyEnabled, undefined);

  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const arn = KeyMetadata!.Arn!;
  await rejects(
    s3.send(new PutObjectCommand({ Bucket: b, Key: "x", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "fake-key-id" })),
    "KMS.NotFoundException",
    400,
    "Invalid keyId 'fake-key-id'",
  );
  const ghost = "134f2428-cec1-4b25-a1ae-9048164dba47";
  await rejects(
    s3.send(new PutObjectCommand({ Bucket: b, Key: "x", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: ghost })),
    "KMS.NotFoundException",
    400,
    `Key 'arn:aws:kms:us-east-1:${account}:key/${ghost}' does not exist`,
  );
  await rejects(
    s3.send(new PutObjectCommand({ Bucket: b, Key: "x", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: arn.replace(":us-east-1:", ":eu-west-1:") })),
    "KMS.NotFoundException",
    400,
    "Invalid arn eu-west-1",
  );
  await rejects(
    s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "fake-key-id" })),
    "KMS.NotFoundException",
    400,
    "Invalid keyId 'fake-key-id'",
  );

  // SSE-S3 object copied to SSE-KMS under a named key.
  await s3.send(new PutObjectCommand({ Bucket: b, Key: "plain", Body: "copy me" }));
  const c = await s3.send(
    new CopyObjectCommand({ Bucket: b, Key: "copied", CopySource: `${b}/plain`, ServerSideEncryption: "aws:kms", SSEKMSKeyId: KeyMetadata!.KeyId }),
  );
  assert.equal(c.ServerSideEncryption, "aws:kms");
  assert.equal(c.SSEKMSKeyId, arn);
  // A copy without headers takes the destination bucket's default (SSE-S3), not the source's encryption.
  const back = await s3.send(new CopyObjectCommand({ Bucket: b, Key: "back", CopySource: `${b}/copied` }));
  assert.equal(back.ServerSideEncryption, "AES256");
  assert.equal(back.SSEKMSKeyId, undefined);
  await kms.send(new DisableKeyCommand({ KeyId: arn }));
  await rejects(s3.send(new CopyObjectCommand({ Bucket: b, Key: "again", CopySource: `${b}/copied` })), "KMS.DisabledException", 400, `${arn} is disabled.`);
  await kms.send(new EnableKeyCommand({ KeyId: arn }));

  const mpu = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: b, Key: "big", ServerSideEncryption: "aws:kms", SSEKMSKeyId: arn, BucketKeyEnabled: true }),
  );
  assert.equal(mpu.ServerSideEncryption, "aws:kms");
  assert.equal(mpu.SSEKMSKeyId, arn);
  assert.equal(mpu.BucketKeyEnabled, true);
  const part = await s3.send(new UploadPartCommand({ Bucket: b, Key: "big", UploadId: mpu.UploadId, PartNumber: 1, Body: "part one" }));
  assert.equal(part.SSEKMSKeyId, arn);
  const done = await s3.send(
    new CompleteMultipartUploadCommand({ Bucket: b, Key: "big", UploadId: mpu.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
  );
  assert.equal(done.ServerSideEncryption, "aws:kms");
  assert.equal(done.SSEKMSKeyId, arn);
  const big = await s3.send(new GetObjectCommand({ Bucket: b, Key: "big" }));
  assert.equal(await big.Body?.transformToString(), "part one");
  assert.equal(big.SSEKMSKeyId, arn);
  assert.equal(big.BucketKeyEnabled, true);

  await rejects(
    s3.send(new PutObjectCommand({ Bucket: b, Key: "x", Body: "x", ServerSideEncryption: "KMS" as never })),
    "InvalidArgument",
    400,
    "The encryption method specified is not supported",
  );
});
