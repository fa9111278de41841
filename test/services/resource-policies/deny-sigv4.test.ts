// Resource-policy Deny with signatures verified (--auth sigv4): the same refusal as in the default mode, for the
// caller the verified key identifies (an IAM user's key; the root keys are account 000000000000's root).
import { test } from "node:test";
import assert from "node:assert/strict";
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand } from "@aws-sdk/client-iam";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer({ auth: "sigv4" });

test("sigv4: a bucket policy's Deny stops a verified IAM user's key and lets the root keys through", async () => {
  const root = { accessKeyId: "test", secretAccessKey: "test" };
  const s3 = server.client(S3Client, root, { forcePathStyle: true });
  const iam = server.client(IAMClient, root);
  const b = `sigv4-deny-${Math.random().toString(36).slice(2, 10)}`;
  await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "v" }));
  const user = (await iam.send(new CreateUserCommand({ UserName: `u-${b}` }))).User!;
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user.UserName }))).AccessKey!;
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: b,
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Principal: { AWS: user.Arn }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${b}/*` }],
      }),
    }),
  );
  const asUser = server.client(S3Client, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }, { forcePathStyle: true });
  await rejects(
    asUser.send(new GetObjectCommand({ Bucket: b, Key: "k" })),
    "AccessDenied",
    403,
    `User: ${user.Arn} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${b}/k" with an explicit deny in a resource-based policy`,
  );
  assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: "k" }))).Body!.transformToString(), "v");
  // A wrong secret for the same key is refused before any policy is read.
  const forged = server.client(S3Client, { accessKeyId: key.AccessKeyId!, secretAccessKey: "wrong" }, { forcePathStyle: true });
  await rejects(forged.send(new GetObjectCommand({ Bucket: b, Key: "k" })), "SignatureDoesNotMatch", 403);
});
