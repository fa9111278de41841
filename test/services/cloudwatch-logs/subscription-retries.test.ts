// Subscription deliveries when the destination fails: a function that errors gets the same awslogs payload again on
// Lambda's asynchronous retries (after 1 then 2 minutes, twice), while PutLogEvents answered at once; a function
// deleted behind the filter's back drops what it cannot take and ingestion goes on. A ManualClock stands in for the
// minutes between retries. A delivery stored for retry (what a retryable Invoke failure leaves) is sent when due; an
// upload too large for one invocation is split, never dropped.
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { AddPermissionCommand, DeleteFunctionCommand } from "@aws-sdk/client-lambda";
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageCommand, type Message } from "@aws-sdk/client-sqs";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { ManualClock } from "../../../src/core/clock.js";
import { useServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";
import type { AsyncEventRec } from "../../../src/services/lambda/async.js";
import type { DeliveryRetryRec } from "../../../src/services/cloudwatch-logs/state.js";

const clock = new ManualClock();
const server = useServer({ clock });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Reports each attempt's decoded payload, then fails.
const FAILING_RECORDER = `
import { gunzipSync } from "node:zlib";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS, MessageBody: gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8") }));
  throw new Error("downstream unavailable");
};
`;

/** Every message on the queue now (short polls: long polls would wait on the manual clock). */
async function drain(sqs: SQSClient, QueueUrl: string): Promise<Message[]> {
  const got: Message[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return got;
    for (const m of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    got.push(...Messages);
  }
}

async function received(sqs: SQSClient, QueueUrl: string, n: number): Promise<Message[]> {
  const got: Message[] = [];
  await waitUntil(
    async () => {
      got.push(...(await drain(sqs, QueueUrl)));
      return got.length >= n;
    },
    `${n} attempt(s) recorded`,
    20_000,
    100,
  );
  return got;
}

test("a function that errors gets the same payload again on Lambda's retries; PutLogEvents does not wait", async () => {
  const env = await lambdaEnv(server);
  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  const sqs = server.client(SQSClient, { account: env.account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "retry-results" }));
  const fn = await createFunction(env, {
    FunctionName: "failing-consumer",
    code: { "index.mjs": FAILING_RECORDER },
    Environment: { Variables: { RESULTS: QueueUrl! } },
    Timeout: 15,
  });
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "failing-consumer",
      StatementId: "logs",
      Principal: "logs.amazonaws.com",
      Action: "lambda:InvokeFunction",
      SourceArn: `arn:aws:logs:us-east-1:${env.account}:log-group:/retry/app:*`,
    }),
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/retry/app" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/retry/app", logStreamName: "s" }));
  await logs.send(new PutSubscriptionFilterCommand({ logGroupName: "/retry/app", filterName: "all", filterPattern: "", destinationArn: fn.FunctionArn! }));

  const started = Date.now();
  await logs.send(
    new PutLogEventsCommand({ logGroupName: "/retry/app", logStreamName: "s", logEvents: [{ timestamp: clock.now(), message: "payment failed" }] }),
  );
  assert.ok(Date.now() - started < 2_000, "PutLogEvents answers without waiting for the function to run");

  const [first] = await received(sqs, QueueUrl!, 1);
  const payload = JSON.parse(first.Body!);
  assert.deepEqual(
    payload.logEvents.map((e: { message: string }) => e.message),
    ["payment failed"],
  );
  // Lambda's asynchronous queue retries the failed event twice, 1 then 2 minutes later, with the same payload.
  const queued = () =>
    server.runtime.store
      .table<AsyncEventRec>("lambda:async-events", `${env.account}/us-east-1`)
      .list()
      .map((x) => x.value);
  for (const [attempt, wait] of [
    [2, 60_000],
    [3, 120_000],
  ] as const) {
    await waitUntil(() => queued().some((r) => r.attempts === attempt - 1 && r.dueAt > clock.now()), `retry ${attempt - 1} to be scheduled`, 20_000, 50);
    clock.advance(wait);
    const [again] = await received(sqs, QueueUrl!, 1);
    assert.deepEqual(JSON.parse(again.Body!), payload, `attempt ${attempt} carries the same payload`);
  }
  await waitUntil(() => queued().length === 0, "the event to be given up after two retries", 20_000, 50);
  clock.advance(600_000);
  await sleep(300);
  assert.deepEqual(await drain(sqs, QueueUrl!), [], "no fourth attempt");

  // A deleted destination drops what it cannot take; ingestion goes on.
  await env.lambda.send(new DeleteFunctionCommand({ FunctionName: "failing-consumer" }));
  await logs.send(
    new PutLogEventsCommand({ logGroupName: "/retry/app", logStreamName: "s", logEvents: [{ timestamp: clock.now(), message: "after delete" }] }),
  );
  const events = (await logs.send(new GetLogEventsCommand({ logGroupName: "/retry/app", logStreamName: "s", startFromHead: true }))).events!;
  assert.deepEqual(
    events.map((e) => e.message),
    ["payment failed", "after delete"],
  );
  assert.deepEqual(server.runtime.store.table("cloudwatch-logs:delivery-retries", `${env.account}/us-east-1`).list(), [], "nothing to retry");
});

test("a delivery stored for retry (a retryable failure, or one pending at a restart) is delivered on the retry schedule", async () => {
  const env = await lambdaEnv(server);
  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  const sqs = server.client(SQSClient, { account: env.account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "stored-retry-results" }));
  const fn = await createFunction(env, {
    FunctionName: "late-consumer",
    code: { "index.mjs": FAILING_RECORDER.replace('throw new Error("downstream unavailable");', "return {};") },
    Environment: { Variables: { RESULTS: QueueUrl! } },
    Timeout: 15,
  });
  // CloudWatch Logs itself is running (its retry loop starts with the service).
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/retry/stored" }));
  const message = { messageType: "DATA_MESSAGE", owner: env.account, logGroup: "/retry/stored", logStream: "s", subscriptionFilters: ["f"], logEvents: [] };
  const payload = JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(message)).toString("base64") } });
  const table = server.runtime.store.table<DeliveryRetryRec>("cloudwatch-logs:delivery-retries", `${env.account}/us-east-1`);
  const now = clock.now();
  table.put("000000000000001-stored", { destinationArn: fn.FunctionArn!, payload, firstAttempt: now - 1_000, attempts: 1, nextAttempt: now + 2_000 });
  clock.advance(1_000);
  await sleep(200);
  assert.equal(table.list().length, 1, "not yet due");
  clock.advance(1_000);
  const [m] = await received(sqs, QueueUrl!, 1);
  assert.deepEqual(JSON.parse(m.Body!), message);
  assert.deepEqual(table.list(), []);
});

test("an upload too large for one asynchronous invocation is split across invocations in order, none dropped", async () => {
  const env = await lambdaEnv(server);
  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  const sqs = server.client(SQSClient, { account: env.account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "split-results" }));
  const fn = await createFunction(env, {
    FunctionName: "split-consumer",
    code: {
      "index.mjs": `
import { gunzipSync } from "node:zlib";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  const d = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8"));
  const summary = { bytes: event.awslogs.data.length, events: d.logEvents.map((e) => [e.id, e.message.length]) };
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS, MessageBody: JSON.stringify(summary) }));
  return {};
};
`,
    },
    Environment: { Variables: { RESULTS: QueueUrl! } },
    Timeout: 15,
  });
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "split-consumer",
      StatementId: "logs",
      Principal: "logs.amazonaws.com",
      Action: "lambda:InvokeFunction",
      SourceArn: `arn:aws:logs:us-east-1:${env.account}:log-group:/split/app:*`,
    }),
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/split/app" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/split/app", logStreamName: "s" }));
  await logs.send(new PutSubscriptionFilterCommand({ logGroupName: "/split/app", filterName: "all", filterPattern: "", destinationArn: fn.FunctionArn! }));
  // Four events of random base64 text, the largest batch PutLogEvents takes: gzip cannot bring it under 1 MB.
  const size = 262_144 - 26;
  const t = clock.now();
  const logEvents = Array.from({ length: 4 }, (_, i) => ({ timestamp: t + i, message: randomBytes(size).toString("base64").slice(0, size) }));
  await logs.send(new PutLogEventsCommand({ logGroupName: "/split/app", logStreamName: "s", logEvents }));
  const got = (await received(sqs, QueueUrl!, 2)).map((m) => JSON.parse(m.Body!) as { bytes: number; events: [string, number][] });
  assert.ok(got.length >= 2, "more than one invocation");
  for (const g of got) assert.ok(g.bytes < 1_048_576);
  const delivered = got.flatMap((g) => g.events).sort((a, b) => a[0].localeCompare(b[0]));
  assert.deepEqual(
    delivered.map((e) => e[1]),
    [size, size, size, size],
  );
});
