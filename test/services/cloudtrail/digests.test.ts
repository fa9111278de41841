// Log file integrity: digest files signed SHA256withRSA, checked by the AWS CLI's own `cloudtrail validate-logs` (valid,
// then INVALID once a log file is altered or deleted), ListPublicKeys; and Insights after a burst of calls (boto3).
process.env.STRATUS_CLOUDTRAIL_DELIVERY_SECONDS = "0.3";
process.env.STRATUS_CLOUDTRAIL_DIGEST_SECONDS = "1.2";
process.env.STRATUS_CLOUDTRAIL_INSIGHTS_WINDOW_SECONDS = "1";
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createPublicKey, verify } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { CloudTrailClient, CreateTrailCommand, ListPublicKeysCommand, PutInsightSelectorsCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import {
  S3Client,
  CreateBucketCommand,
  PutBucketPolicyCommand,
  ListObjectsV2Command,
  GetObjectCommand,
  PutObjectCommand,
  DeleteObjectCommand,
} from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand } from "@aws-sdk/client-sqs";
import { randomAccount, useServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { trailBucketPolicy } from "./fixtures.js";

const server = useServer();

function clients(account = randomAccount()) {
  const cfg = server.clientConfig({ account });
  return { account, ct: new CloudTrailClient(cfg), s3: new S3Client({ ...cfg, forcePathStyle: true }), sqs: new SQSClient(cfg) };
}

async function trail(c: ReturnType<typeof clients>, name: string, extra: Record<string, unknown> = {}) {
  const bucket = `${name}-${c.account}`;
  await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: trailBucketPolicy(bucket, c.account) }));
  const t = await c.ct.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket, ...extra }));
  await c.ct.send(new StartLoggingCommand({ Name: name }));
  return { bucket, arn: t.TrailARN! };
}

const keysUnder = async (c: ReturnType<typeof clients>, bucket: string, prefix: string) =>
  ((await c.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

test("digests: chained, signed over AWS's string, verified by validate-logs; INVALID after a log file is altered or deleted", async () => {
  const c = clients();
  const startTime = new Date(Date.now() - 60_000).toISOString();
  const { bucket, arn } = await trail(c, "digested", { EnableLogFileValidation: true });
  await c.sqs.send(new CreateQueueCommand({ QueueName: "one" }));
  const logsPrefix = `AWSLogs/${c.account}/CloudTrail/us-east-1/`;
  const digestPrefix = `AWSLogs/${c.account}/CloudTrail-Digest/us-east-1/`;
  await waitUntil(async () => (await keysUnder(c, bucket, logsPrefix)).length > 0, "a log file");
  await waitUntil(async () => (await keysUnder(c, bucket, digestPrefix)).length >= 2, "two digests", 15_000, 100);
  const digests = await keysUnder(c, bucket, digestPrefix);
  for (const k of digests) {
    assert.match(k, new RegExp(`^${digestPrefix}\\d{4}/\\d{2}/\\d{2}/${c.account}_CloudTrail-Digest_us-east-1_digested_us-east-1_\\d{8}T\\d{6}Z\\.json\\.gz$`));
  }
  // The second digest: chained to the first, its signature checks out with the listed public key.
  const obj = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: digests[1] }));
  const text = gunzipSync(await obj.Body!.transformToByteArray());
  const d = JSON.parse(text.toString());
  assert.equal(obj.Metadata?.["signature-algorithm"], "SHA256withRSA");
  assert.equal(d.digestSignatureAlgorithm, "SHA256withRSA");
  assert.equal(d.previousDigestS3Object, digests[0]);
  assert.equal(d.digestS3Object, digests[1]);
  const keys = (await c.ct.send(new ListPublicKeysCommand({}))).PublicKeyList!;
  const pub = keys.find((k) => k.Fingerprint === d.digestPublicKeyFingerprint)!;
  assert.ok(pub, "the digest's key is listed");
  const toSign = `${d.digestEndTime}\n${bucket}/${digests[1]}\n${createHash("sha256").update(text).digest("hex")}\n${d.previousDigestSignature}`;
  assert.ok(
    verify(
      "sha256",
      Buffer.from(toSign),
      createPublicKey({ key: Buffer.from(pub.Value!), format: "der", type: "pkcs1" }),
      Buffer.from(obj.Metadata!.signature, "hex"),
    ),
  );
  const logged = (
    await Promise.all(
      digests.map(async (k) =>
        JSON.parse(gunzipSync(await (await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: k }))).Body!.transformToByteArray()).toString()),
      ),
    )
  ).flatMap((x) => x.logFiles);
  assert.ok(logged.length > 0 && logged.every((f: any) => f.hashAlgorithm === "SHA-256" && f.s3Bucket === bucket));

  // The AWS CLI's validate-logs reaches S3 through AWS_ENDPOINT_URL_S3 (botocore's service-specific endpoint setting).
  const clis = awsClis().filter((cli) => cli.label.startsWith("aws-cli/1.") || Number(cli.label.split(".")[1]) >= 13);
  const creds = { AWS_ACCESS_KEY_ID: c.account, AWS_SECRET_ACCESS_KEY: "test", AWS_ENDPOINT_URL_S3: server.url };
  const validate = (cli: (typeof clis)[0]) =>
    runAws(cli, server.url, ["cloudtrail", "validate-logs", "--trail-arn", arn, "--start-time", startTime, "--verbose"], creds);
  for (const cli of clis) {
    const r = await validate(cli);
    assert.equal(r.status, 0, `${cli.label}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /Digest file\ts3:\/\/.*\tvalid/);
    assert.match(r.stdout, /Log file\ts3:\/\/.*\tvalid/);
    assert.doesNotMatch(r.stdout + r.stderr, /INVALID/);
  }
  // Tampering: one log file rewritten, another deleted.
  const files = logged.map((f: any) => f.s3Object as string);
  await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: files[0], Body: gzipSync('{"Records":[]}') }));
  if (files[1]) await c.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: files[1] }));
  for (const cli of clis) {
    const r = await validate(cli);
    assert.equal(r.status, 1, `${cli.label}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, /Log file\ts3:\/\/.*\tINVALID/);
  }
});

test("Insights: a burst of CreateQueue calls far above the baseline is an ApiCallRateInsight Start then End (boto3)", { skip: pythonMissing() }, async () => {
  const c = clients();
  const { bucket } = await trail(c, "insightful");
  await c.ct.send(new PutInsightSelectorsCommand({ TrailName: "insightful", InsightSelectors: [{ InsightType: "ApiCallRateInsight" }] }));
  const script = `
import boto3, sys
s = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key="test")
for i in range(40):
    s.create_queue(QueueName="burst")
`;
  await run("python3", ["-c", script, server.url, c.account]);
  const prefix = `AWSLogs/${c.account}/CloudTrail-Insight/us-east-1/`;
  let recs: any[] = [];
  await waitUntil(
    async () => {
      recs = [];
      for (const k of await keysUnder(c, bucket, prefix)) {
        recs.push(
          ...JSON.parse(gunzipSync(await (await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: k }))).Body!.transformToByteArray()).toString()).Records,
        );
      }
      return recs.some((r) => r.insightDetails.state === "End");
    },
    "an insight's start and end",
    15_000,
    100,
  );
  const start = recs.find((r) => r.insightDetails.state === "Start");
  const end = recs.find((r) => r.insightDetails.state === "End");
  assert.equal(start.eventType, "AwsCloudTrailInsight");
  assert.equal(start.eventCategory, "Insight");
  assert.equal(start.insightDetails.eventName, "CreateQueue");
  assert.equal(start.insightDetails.insightType, "ApiCallRateInsight");
  assert.equal(start.sharedEventID, end.sharedEventID);
  assert.ok(start.insightDetails.insightContext.statistics.insight.average > start.insightDetails.insightContext.statistics.baseline.average);
  assert.ok(end.insightDetails.insightContext.statistics.insightDuration >= 1);
});
