// CreateExportTask end to end with SDK v3: the bucket policy check for the Logs service principal, the write-test
// object, each stream's events as gzip'd `<ISO time> <message>` lines read back from S3, task states, one active
// task at a time, cancellation, and AWS's errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import {
  CancelExportTaskCommand,
  CloudWatchLogsClient,
  CreateExportTaskCommand,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeExportTasksCommand,
  PutLogEventsCommand,
  type ExportTask,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { randomAccount, useServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { exportPolicy } from "./export-policy.js";

const server = useServer();

function clients() {
  const account = randomAccount();
  return {
    account,
    logs: server.client(CloudWatchLogsClient, { account }),
    s3: server.client(S3Client, { account }, { forcePathStyle: true }),
  };
}

async function body(s3: S3Client, Bucket: string, Key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function finished(logs: CloudWatchLogsClient, taskId: string): Promise<ExportTask> {
  let task: ExportTask | undefined;
  await waitUntil(async () => {
    task = (await logs.send(new DescribeExportTasksCommand({ taskId }))).exportTasks?.[0];
    return task?.status?.code !== "PENDING" && task?.status?.code !== "RUNNING";
  }, "the export task to finish");
  return task!;
}

test("an export writes the write test, then each stream's events in range as gzip'd timestamped lines", async () => {
  const { account, logs, s3 } = clients();
  const bucket = `exp-${account}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: exportPolicy(bucket, account) }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/web" }));
  const t0 = Date.UTC(2026, 11, 5, 10, 0, 0, 0);
  const now = Date.now();
  const base = Math.max(t0, now - 3_600_000);
  for (const stream of ["web/1", "web/2", "other"]) {
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/web", logStreamName: stream }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/app/web",
        logStreamName: stream,
        logEvents: [0, 1, 2, 3].map((i) => ({ timestamp: base + i * 1000, message: `${stream} line ${i}` })),
      }),
    );
  }
  const { taskId } = await logs.send(
    new CreateExportTaskCommand({
      taskName: "nightly",
      logGroupName: "/app/web",
      logStreamNamePrefix: "web/",
      from: base + 1000,
      to: base + 2000,
      destination: bucket,
      destinationPrefix: "exports/web",
    }),
  );
  assert.match(taskId!, /^[0-9a-f-]{36}$/);
  const task = await finished(logs, taskId!);
  assert.deepEqual(task.status, { code: "COMPLETED", message: "Completed successfully" });
  assert.equal(task.taskName, "nightly");
  assert.equal(task.destinationPrefix, "exports/web");
  assert.ok(task.executionInfo!.completionTime! >= task.executionInfo!.creationTime!);

  assert.equal((await body(s3, bucket, "exports/web/aws-logs-write-test")).toString(), "Permission Check Successful");
  const keys = (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents!.map((o) => o.Key).sort();
  assert.deepEqual(keys, ["exports/web/aws-logs-write-test", `exports/web/${taskId}/web/1/000000.gz`, `exports/web/${taskId}/web/2/000000.gz`].sort());
  const text = gunzipSync(await body(s3, bucket, `exports/web/${taskId}/web/1/000000.gz`)).toString();
  // `from` and `to` both inclusive.
  assert.equal(text, `${new Date(base + 1000).toISOString()} web/1 line 1\n${new Date(base + 2000).toISOString()} web/1 line 2\n`);
});

test("the default prefix is exportedlogs; one active task at a time; cancel and describe filters", async () => {
  const { account, logs, s3 } = clients();
  const bucket = `exp2-${account}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: exportPolicy(bucket, account) }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "g" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "g", logStreamName: "s" }));
  const now = Date.now();
  await logs.send(new PutLogEventsCommand({ logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: now - 10, message: "hello" }] }));
  const first = await logs.send(new CreateExportTaskCommand({ logGroupName: "g", from: 0, to: now, destination: bucket }));
  // The run starts after the answer: a second create before it completes is the account's second active task.
  const second = await logs.send(new CreateExportTaskCommand({ logGroupName: "g", from: 0, to: now, destination: bucket })).catch((e) => e);
  if (second instanceof Error) {
    assert.equal(second.name, "LimitExceededException");
    assert.equal(second.message, "Resource limit exceeded.");
  }
  const done = await finished(logs, first.taskId!);
  assert.equal(done.status!.code, "COMPLETED");
  assert.equal(done.destinationPrefix, "exportedlogs");
  const lines = gunzipSync(await body(s3, bucket, `exportedlogs/${first.taskId}/s/000000.gz`)).toString();
  assert.equal(lines, `${new Date(now - 10).toISOString()} hello\n`);
  // With no prefix given, the permission check's object is at the bucket's root (as AWS writes it).
  assert.equal((await body(s3, bucket, "aws-logs-write-test")).toString(), "Permission Check Successful");

  const cancelDone = await logs.send(new CancelExportTaskCommand({ taskId: first.taskId })).catch((e) => e);
  assert.equal(cancelDone.name, "InvalidOperationException");
  const listed = await logs.send(new DescribeExportTasksCommand({ statusCode: "COMPLETED" }));
  assert.ok(listed.exportTasks!.some((t) => t.taskId === first.taskId));
  assert.equal((await logs.send(new DescribeExportTasksCommand({ statusCode: "FAILED" }))).exportTasks!.length, 0);
  const unknown = await logs.send(new CancelExportTaskCommand({ taskId: "nope" })).catch((e) => e);
  assert.equal(unknown.name, "ResourceNotFoundException");
  assert.equal(unknown.message, "The specified export task does not exist.");
  assert.deepEqual((await logs.send(new DescribeExportTasksCommand({ taskId: "nope" }))).exportTasks, []);
});

test("AWS's refusals: a missing bucket, a bucket whose policy does not let the Logs principal in, a missing group", async () => {
  const { account, logs, s3 } = clients();
  await logs.send(new CreateLogGroupCommand({ logGroupName: "g" }));
  const missing = await logs.send(new CreateExportTaskCommand({ logGroupName: "g", from: 0, to: 1, destination: `nobucket-${account}` })).catch((e) => e);
  assert.equal(missing.name, "InvalidParameterException");
  assert.equal(missing.message, "The given bucket does not exist. Please make sure the bucket is valid.");

  const bucket = `closed-${account}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const closed = await logs.send(new CreateExportTaskCommand({ logGroupName: "g", from: 0, to: 1, destination: bucket })).catch((e) => e);
  // AccessDeniedException, as AWS answers now (aws/amazon-ecs-agent#5116).
  assert.equal(closed.name, "AccessDeniedException");
  assert.equal(
    closed.message,
    "GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.",
  );
  // Reading the ACL allowed, writing not: the PutObject check fails, and nothing is written.
  const aclOnly = JSON.parse(exportPolicy(bucket, account));
  aclOnly.Statement.pop();
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(aclOnly) }));
  const noPut = await logs.send(new CreateExportTaskCommand({ logGroupName: "g", from: 0, to: 1, destination: bucket })).catch((e) => e);
  assert.match(noPut.message, /^PutObject call on the given bucket failed/);
  assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount, 0);
  // The policy for another account's log groups does not let this one in.
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: exportPolicy(bucket, "111111111111") }));
  const other = await logs.send(new CreateExportTaskCommand({ logGroupName: "g", from: 0, to: 1, destination: bucket })).catch((e) => e);
  assert.match(other.message, /^GetBucketAcl call on the given bucket failed/);

  const noGroup = await logs.send(new CreateExportTaskCommand({ logGroupName: "none", from: 0, to: 1, destination: bucket })).catch((e) => e);
  assert.equal(noGroup.name, "ResourceNotFoundException");
  assert.equal(noGroup.$metadata.httpStatusCode, 400);
  // A bucket in another region is refused (AWS: "The bucket must be in the same AWS Region").
  const west = `west-${account}`;
  await s3.send(new CreateBucketCommand({ Bucket: west, CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }));
  const far = await logs.send(new CreateExportTaskCommand({ logGroupName: "g", from: 0, to: 1, destination: west })).catch((e) => e);
  assert.equal(far.name, "InvalidParameterException");
  assert.match(far.message, /different region/);
  // The global service principal logs.amazonaws.com is as good as the regional one.
  await s3.send(
    new PutBucketPolicyCommand({ Bucket: bucket, Policy: exportPolicy(bucket, account).replaceAll("logs.us-east-1.amazonaws.com", "logs.amazonaws.com") }),
  );
  const { taskId } = await logs.send(new CreateExportTaskCommand({ logGroupName: "g", from: 0, to: 1, destination: bucket }));
  assert.equal((await finished(logs, taskId!)).status!.code, "COMPLETED");
});

test("a stream longer than one read batch exports every event once, in time order", async () => {
  const { account, logs, s3 } = clients();
  const bucket = `big-${account}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: exportPolicy(bucket, account) }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "big" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "big", logStreamName: "s" }));
  const base = Date.now() - 600_000;
  const total = 25_000;
  for (let b = 0; b < total; b += 10_000) {
    const n = Math.min(10_000, total - b);
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "big",
        logStreamName: "s",
        logEvents: Array.from({ length: n }, (_, i) => ({ timestamp: base + (b + i) * 10, message: `event ${b + i}` })),
      }),
    );
  }
  const { taskId } = await logs.send(new CreateExportTaskCommand({ logGroupName: "big", from: base, to: Date.now(), destination: bucket }));
  assert.equal((await finished(logs, taskId!)).status!.code, "COMPLETED");
  const lines = gunzipSync(await body(s3, bucket, `exportedlogs/${taskId}/s/000000.gz`))
    .toString()
    .split("\n");
  assert.equal(lines.pop(), "");
  assert.equal(lines.length, total);
  assert.equal(lines[0], `${new Date(base).toISOString()} event 0`);
  assert.equal(lines[total - 1], `${new Date(base + (total - 1) * 10).toISOString()} event ${total - 1}`);
});
