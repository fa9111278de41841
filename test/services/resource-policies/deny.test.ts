// Resource-policy Deny enforced in the default auth mode (any key, no signature check): an explicit Deny in a bucket,
// queue, topic, key or secret policy stops the caller the access key identifies, as on AWS — the owner included —
// with each service's own refusal. Real SDK v3 clients and boto3.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  GetBucketPolicyCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  CopyObjectCommand,
  ListObjectsV2Command,
} from "@aws-sdk/client-s3";
import {
  SQSClient,
  CreateQueueCommand,
  SetQueueAttributesCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { SNSClient, CreateTopicCommand, PublishCommand, SetTopicAttributesCommand, GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand, GetKeyPolicyCommand, PutKeyPolicyCommand, DescribeKeyCommand } from "@aws-sdk/client-kms";
import {
  SecretsManagerClient,
  CreateSecretCommand,
  PutResourcePolicyCommand,
  GetSecretValueCommand,
  DescribeSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand } from "@aws-sdk/client-iam";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();
const policy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** An IAM user of `account` with an access key: the caller such a key identifies, in any auth mode. */
async function userKeys(account: string, name: string) {
  const iam = server.client(IAMClient, { account });
  const user = (await iam.send(new CreateUserCommand({ UserName: name }))).User!;
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { arn: user.Arn!, accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
}

test("S3: a bucket policy's Deny stops the owner too, with S3's AccessDenied naming the caller; other keys and actions pass", async () => {
  const account = randomAccount();
  const s3 = server.client(S3Client, { account }, { forcePathStyle: true });
  const b = `deny-${Math.random().toString(36).slice(2, 10)}`;
  await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(new PutObjectCommand({ Bucket: b, Key: "secret/a.txt", Body: "s" }));
  await s3.send(new PutObjectCommand({ Bucket: b, Key: "open/a.txt", Body: "o" }));
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: b,
      Policy: policy(
        { Effect: "Deny", Principal: "*", Action: ["s3:GetObject", "s3:DeleteObject"], Resource: `arn:aws:s3:::${b}/secret/*` },
        {
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "s3:ListBucket",
          Resource: `arn:aws:s3:::${b}`,
          Condition: { StringEquals: { "s3:prefix": "secret/" } },
        },
      ),
    }),
  );
  const root = `arn:aws:iam::${account}:root`;
  await rejects(
    s3.send(new GetObjectCommand({ Bucket: b, Key: "secret/a.txt" })),
    "AccessDenied",
    403,
    `User: ${root} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${b}/secret/a.txt" with an explicit deny in a resource-based policy`,
  );
  // HeadObject is authorized as s3:GetObject; a HEAD error has no body, so only the status and code reach the SDK.
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: b, Key: "secret/a.txt" })), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.$metadata.httpStatusCode, 403);
    return true;
  });
  assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: "open/a.txt" }))).Body!.transformToString(), "o");
  // The source of a copy is read as s3:GetObject.
  await rejects(s3.send(new CopyObjectCommand({ Bucket: b, Key: "open/copy.txt", CopySource: `${b}/secret/a.txt` })), "AccessDenied", 403);
  // Condition keys of the request: listing the denied prefix is refused, listing another is not.
  await rejects(s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: "secret/" })), "AccessDenied", 403);
  assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: "open/" }))).KeyCount, 1);
  // DeleteObjects reports a denied key among its errors and deletes the others.
  const del = await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: "secret/a.txt" }, { Key: "open/a.txt" }] } }));
  assert.deepEqual(
    del.Errors?.map((e) => [e.Key, e.Code]),
    [["secret/a.txt", "AccessDenied"]],
  );
  assert.deepEqual(
    del.Deleted?.map((d) => d.Key),
    ["open/a.txt"],
  );

  // A Deny of everything still leaves the owner's root its bucket policy (AWS's lockout precaution).
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: b,
      Policy: policy({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`] }),
    }),
  );
  await rejects(s3.send(new ListObjectsV2Command({ Bucket: b })), "AccessDenied", 403);
  assert.match((await s3.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy!, /"s3:\*"/);
  await s3.send(new DeleteBucketPolicyCommand({ Bucket: b }));
  assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount, 1);
});

test("S3: a Deny naming one IAM user stops that user's key and no one else's", async () => {
  const account = randomAccount();
  const s3 = server.client(S3Client, { account }, { forcePathStyle: true });
  const b = `deny-user-${Math.random().toString(36).slice(2, 10)}`;
  await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "v" }));
  const alice = await userKeys(account, "alice");
  const bob = await userKeys(account, "bob");
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: b,
      Policy: policy({ Effect: "Deny", Principal: { AWS: alice.arn }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${b}/*` }),
    }),
  );
  const as = (k: { accessKeyId: string; secretAccessKey: string }) => server.client(S3Client, k, { forcePathStyle: true });
  await rejects(
    as(alice).send(new GetObjectCommand({ Bucket: b, Key: "k" })),
    "AccessDenied",
    403,
    `User: ${alice.arn} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${b}/k" with an explicit deny in a resource-based policy`,
  );
  assert.equal(await (await as(bob).send(new GetObjectCommand({ Bucket: b, Key: "k" }))).Body!.transformToString(), "v");
  // aws:PrincipalArn in a condition names the same caller.
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: b,
      Policy: policy({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${b}/*`,
        Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:user/b*" } },
      }),
    }),
  );
  await rejects(as(bob).send(new GetObjectCommand({ Bucket: b, Key: "k" })), "AccessDenied", 403);
  assert.equal(await (await as(alice).send(new GetObjectCommand({ Bucket: b, Key: "k" }))).Body!.transformToString(), "v");
  // aws:SecureTransport is true: Stratus stands in for AWS's TLS endpoints, so the CDK's enforceSSL does not lock anyone out.
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: b,
      Policy: policy({
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    }),
  );
  assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: "k" }))).Body!.transformToString(), "v");
});

test("SQS: a queue policy's Deny refuses the action (and its batch form) with AccessDenied naming the queue; other actions pass", async () => {
  const sqs = server.client(SQSClient);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `deny-${Date.now()}` }));
  const arn = `arn:aws:sqs:us-east-1:${QueueUrl!.split("/").at(-2)}:${QueueUrl!.split("/").at(-1)}`;
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "before" }));
  await sqs.send(
    new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy({ Effect: "Deny", Principal: "*", Action: "sqs:SendMessage", Resource: arn }) } }),
  );
  const [, , , region, account, name] = arn.split(":");
  const message = `Access to the resource https://sqs.${region}.amazonaws.com/${account}/${name} is denied.`;
  await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "after" })), "AccessDenied", 403, message);
  await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "1", MessageBody: "x" }] })), "AccessDenied", 403, message);
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.deepEqual(
    got.Messages?.map((m) => m.Body),
    ["before"],
  );
});

test("SNS: a topic policy's Deny refuses Publish with AuthorizationError; reading the topic still works", async () => {
  const account = randomAccount();
  const sns = server.client(SNSClient, { account });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `deny-${Date.now()}` }));
  await sns.send(new PublishCommand({ TopicArn, Message: "before" }));
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn,
      AttributeName: "Policy",
      AttributeValue: policy({ Effect: "Deny", Principal: { AWS: "*" }, Action: "SNS:Publish", Resource: TopicArn }),
    }),
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: "after" })),
    "AuthorizationErrorException",
    403,
    `User: arn:aws:iam::${account}:root is not authorized to perform: SNS:Publish on resource: ${TopicArn} with an explicit deny in a resource-based policy`,
  );
  assert.ok((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.Policy);
});

test("KMS: a key policy's Deny refuses Decrypt (the key named by the ciphertext) with AccessDeniedException; Encrypt passes", async () => {
  const account = randomAccount();
  const kms = server.client(KMSClient, { account });
  const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("hi") }))).CiphertextBlob!;
  const original = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: "default" }))).Policy!);
  await kms.send(
    new PutKeyPolicyCommand({
      KeyId: key.KeyId,
      PolicyName: "default",
      Policy: JSON.stringify({
        ...original,
        Statement: [...original.Statement, { Sid: "NoDecrypt", Effect: "Deny", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }],
      }),
    }),
  );
  await rejects(
    kms.send(new DecryptCommand({ CiphertextBlob: blob })),
    "AccessDeniedException",
    400,
    `User: arn:aws:iam::${account}:root is not authorized to perform: kms:Decrypt on resource: ${key.Arn} with an explicit deny in a resource-based policy`,
  );
  await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("still") }));
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata?.KeyId, key.KeyId);
});

test("Secrets Manager: a resource policy's Deny refuses GetSecretValue with AccessDeniedException; DescribeSecret passes", async () => {
  const account = randomAccount();
  const sm = server.client(SecretsManagerClient, { account });
  const { ARN } = await sm.send(new CreateSecretCommand({ Name: "deny/me", SecretString: "v" }));
  await sm.send(
    new PutResourcePolicyCommand({
      SecretId: ARN,
      ResourcePolicy: policy({ Effect: "Deny", Principal: { AWS: "*" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }),
    }),
  );
  await rejects(
    sm.send(new GetSecretValueCommand({ SecretId: "deny/me" })),
    "AccessDeniedException",
    400,
    `User: arn:aws:iam::${account}:root is not authorized to perform: secretsmanager:GetSecretValue on resource: ${ARN} with an explicit deny in a resource-based policy`,
  );
  assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: ARN }))).Name, "deny/me");
});

const BOTO3 = `
import sys, json, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="x")
sqs = boto3.client("sqs", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="x")
out = {}
s3.create_bucket(Bucket="py-deny-" + account)
s3.put_object(Bucket="py-deny-" + account, Key="k", Body=b"v")
s3.put_bucket_policy(Bucket="py-deny-" + account, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::py-deny-" + account + "/*"}]}))
try:
    s3.get_object(Bucket="py-deny-" + account, Key="k")
except ClientError as e:
    out["s3"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
q = sqs.create_queue(QueueName="py-deny")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(QueueUrl=q, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": arn}]})})
try:
    sqs.send_message(QueueUrl=q, MessageBody="x")
except ClientError as e:
    out["sqs"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

test("boto3: bucket and queue policy denies answer as AWS's errors", { skip: pythonMissing() }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3, server.url, randomAccount()], { env, timeout: 60_000 })).stdout);
  assert.deepEqual(out.s3, ["AccessDenied", 403]);
  assert.deepEqual(out.sqs, ["AccessDenied", 403]);
});
