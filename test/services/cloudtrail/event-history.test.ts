// Event history as AWS keeps it: management events only ("The CloudTrail Event history doesn't record data events",
// AWS's SQS and CloudTrail guides). Data events (S3 object calls, Lambda Invoke, SQS message calls, SNS Publish, and
// CloudWatch Logs' log event calls, which AWS's Logs guide does not list among the calls CloudTrail logs) are
// written nowhere unless a logging trail's event selectors take them, and then only to that trail's log files — also
// across a restart, when the trail's undelivered records are no longer in memory. The classification is a declared
// table, checked here against the services' models.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { CloudTrailClient, CreateTrailCommand, LookupEventsCommand, PutEventSelectorsCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { loadModel } from "../../../src/core/model.js";
import { openSqliteStore } from "../../../src/core/store/sqlite.js";
import { dataOperations, isDataEvent } from "../../../src/services/cloudtrail/record.js";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { trailBucketPolicy } from "./fixtures.js";

const DATA_NAMES = ["SendMessage", "ReceiveMessage", "DeleteMessage", "PutObject", "GetObject", "Publish", "PutLogEvents", "GetLogEvents", "FilterLogEvents"];

function clients(s: TestServer, account: string) {
  const cfg = s.clientConfig({ account });
  return {
    ct: new CloudTrailClient(cfg),
    s3: new S3Client({ ...cfg, forcePathStyle: true }),
    sqs: new SQSClient(cfg),
    sns: new SNSClient(cfg),
    logs: new CloudWatchLogsClient(cfg),
  };
}

/** Every kind of data call once per round, after the management calls that make their resources. */
async function dataCalls(c: ReturnType<typeof clients>, account: string, rounds: number): Promise<void> {
  const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: "history" }));
  const bucket = `history-${account}`;
  await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { TopicArn } = await c.sns.send(new CreateTopicCommand({ Name: "history" }));
  await c.logs.send(new CreateLogGroupCommand({ logGroupName: "history" }));
  await c.logs.send(new CreateLogStreamCommand({ logGroupName: "history", logStreamName: "s" }));
  for (let i = 0; i < rounds; i++) {
    await c.logs.send(new PutLogEventsCommand({ logGroupName: "history", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: `e${i}` }] }));
    await c.logs.send(new GetLogEventsCommand({ logGroupName: "history", logStreamName: "s" }));
    await c.logs.send(new FilterLogEventsCommand({ logGroupName: "history" }));
    await c.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
    const got = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    for (const m of got.Messages ?? []) await c.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k${i}`, Body: "x" }));
    await (await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `k${i}` }))).Body!.transformToString();
    await c.sns.send(new PublishCommand({ TopicArn, Message: "hi" }));
  }
}

const lookup = async (ct: CloudTrailClient, EventName: string) =>
  (await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: EventName }] }))).Events ?? [];

test("the classification table names operations of each service's model; management calls are not in it", () => {
  const table = dataOperations();
  assert.deepEqual(Object.keys(table).sort(), ["cloudwatch-logs", "lambda", "s3", "sns", "sqs"]);
  for (const [service, ops] of Object.entries(table)) {
    const model = loadModel(service);
    // Lambda's InvokeAsync is in its model; InvokeWithResponseStream too.
    for (const op of ops) assert.ok(model.operations[op], `${service}:${op} is not an operation of ${service}'s model`);
  }
  for (const [service, op] of [
    ["sqs", "CreateQueue"],
    ["sqs", "GetQueueAttributes"],
    ["s3", "CreateBucket"],
    ["s3", "ListObjectsV2"],
    ["sns", "Subscribe"],
    ["lambda", "CreateFunction"],
    ["kms", "Encrypt"],
    ["cloudwatch-logs", "CreateLogGroup"],
    ["cloudwatch-logs", "DescribeLogStreams"],
  ])
    assert.equal(isDataEvent({ service, operation: op }), false, `${service}:${op}`);
  assert.equal(isDataEvent({ service: "sqs", operation: "SendMessageBatch" }), true);
  assert.equal(isDataEvent({ service: "execute-api", operation: "Invoke", dataEvent: true }), true);
});

test("without a trail taking them, data calls write nothing: Event history has the management calls only", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-history-"));
  try {
    const account = randomAccount();
    const s = await startTestServer({ dataDir });
    try {
      const c = clients(s, account);
      await dataCalls(c, account, 20);
      for (const name of ["CreateQueue", "CreateBucket", "CreateTopic", "CreateLogGroup", "CreateLogStream"])
        assert.equal((await lookup(c.ct, name)).length, 1, name);
      for (const name of DATA_NAMES) assert.deepEqual(await lookup(c.ct, name), [], name);
    } finally {
      await s.close();
    }
    // The audit store itself: 120 data calls left no row.
    const store = openSqliteStore(dataDir);
    try {
      const names = (store.db.prepare("SELECT event_name AS n FROM audit_events WHERE account = ?").all(account) as { n: string }[]).map((r) => r.n);
      assert.ok(names.includes("CreateQueue"));
      assert.deepEqual(
        names.filter((n) => DATA_NAMES.includes(n)),
        [],
      );
      assert.ok(names.length < 20, `${names.length} rows for ${account}`);
    } finally {
      store.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a trail's advanced selectors take SQS data events: in its log files (after a restart too), never in Event history", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-history-trail-"));
  const before = process.env.STRATUS_CLOUDTRAIL_DELIVERY_SECONDS;
  try {
    const account = randomAccount();
    const bucket = `trail-${account}`;
    // First run: no delivery round comes before the stop, so the trail's records wait in its pending chunks.
    process.env.STRATUS_CLOUDTRAIL_DELIVERY_SECONDS = "3600";
    let s = await startTestServer({ dataDir });
    let c = clients(s, account);
    try {
      await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: trailBucketPolicy(bucket, account) }));
      await c.ct.send(new CreateTrailCommand({ Name: "data", S3BucketName: bucket }));
      await c.ct.send(
        new PutEventSelectorsCommand({
          TrailName: "data",
          AdvancedEventSelectors: [
            {
              Name: "queues",
              FieldSelectors: [
                { Field: "eventCategory", Equals: ["Data"] },
                { Field: "resources.type", Equals: ["AWS::SQS::Queue"] },
              ],
            },
          ],
        }),
      );
      await c.ct.send(new StartLoggingCommand({ Name: "data" }));
      await dataCalls(c, account, 3);
      assert.deepEqual(await lookup(c.ct, "SendMessage"), []);
    } finally {
      await s.close();
    }
    // Queued, not delivered: the data events' records are in the trail's pending chunks (Event history has none).
    const store = openSqliteStore(dataDir);
    try {
      const chunks = (store.db.prepare("SELECT value FROM records WHERE ns = 'cloudtrail:pending'").all() as { value: string }[]).map((r) =>
        JSON.parse(r.value),
      );
      const held = chunks.flatMap((chunk) => (chunk.data ?? []).map((t: string) => JSON.parse(t).eventName));
      assert.equal(held.filter((n: string) => n === "SendMessage").length, 3);
    } finally {
      store.close();
    }
    // Second run: the first delivery round writes what the first run queued, its data records from the chunks.
    process.env.STRATUS_CLOUDTRAIL_DELIVERY_SECONDS = "0.3";
    s = await startTestServer({ dataDir });
    c = clients(s, account);
    try {
      const records: Record<string, any>[] = [];
      await waitUntil(
        async () => {
          const keys = ((await c.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "AWSLogs/" }))).Contents ?? []).map((o) => o.Key!);
          records.length = 0;
          for (const Key of keys) {
            const body = await (await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToByteArray();
            records.push(...JSON.parse(gunzipSync(body).toString()).Records);
          }
          return records.filter((r) => r.eventName === "SendMessage").length === 3;
        },
        "the trail's log files",
        10_000,
        100,
      );
      const names = new Set(records.map((r) => r.eventName));
      assert.deepEqual([...names].sort(), ["DeleteMessage", "ReceiveMessage", "SendMessage"]);
      const send = records.find((r) => r.eventName === "SendMessage")!;
      assert.equal(send.eventCategory, "Data");
      assert.equal(send.managementEvent, false);
      assert.equal(send.resources[0].type, "AWS::SQS::Queue");
      // Still not in Event history, which has the trail's own management calls.
      assert.deepEqual(await lookup(c.ct, "SendMessage"), []);
      assert.equal((await lookup(c.ct, "CreateTrail")).length, 1);
    } finally {
      await s.close();
    }
  } finally {
    if (before === undefined) delete process.env.STRATUS_CLOUDTRAIL_DELIVERY_SECONDS;
    else process.env.STRATUS_CLOUDTRAIL_DELIVERY_SECONDS = before;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
