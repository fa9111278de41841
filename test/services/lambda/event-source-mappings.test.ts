// SQS event source mappings through the real SDK v3 clients: the API (states, validation, listing) and the
// pollers end to end — functions run for real and record what they received in their CloudWatch log group.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  LambdaClient,
  PublishVersionCommand,
  CreateAliasCommand,
  type CreateEventSourceMappingCommandInput,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { startTestServer, randomAccount, type TestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { createFunction, lambdaEnv, type LambdaEnv } from "./setup.js";
import { batchItemFailures, pollersOf } from "../../../src/services/lambda/esm-poller.js";

const server = useServer();

interface Env extends LambdaEnv {
  sqs: SQSClient;
  logs: CloudWatchLogsClient;
}

async function env(s: TestServer = server, account = randomAccount()): Promise<Env> {
  const e = await lambdaEnv(s, account);
  const config = s.clientConfig({ account: e.account });
  return { ...e, sqs: new SQSClient(config), logs: new CloudWatchLogsClient(config) };
}

/** A function that logs what each invocation received as one `ESM {...}` line, then runs `tail`. */
const recorder = (tail = "return {};") => ({
  "index.mjs": `export const handler = async (event) => {
  console.log("ESM " + JSON.stringify({ at: Date.now(), records: event.Records.map((r) => ({ id: r.messageId, body: r.body, n: r.attributes.ApproximateReceiveCount, sent: Number(r.attributes.SentTimestamp) })), first: event.Records[0] }));
  ${tail}
};`,
});

interface Seen {
  at: number;
  records: { id: string; body: string; n: string; sent: number }[];
  first: Record<string, unknown>;
}

async function invocations(e: Env, fn: string): Promise<Seen[]> {
  try {
    const out = await e.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` }));
    return (out.events ?? []).flatMap((ev) => {
      const m = /ESM (\{.*\})\s*$/.exec(ev.message ?? "");
      return m ? [JSON.parse(m[1]!) as Seen] : [];
    });
  } catch (err) {
    if ((err as Error).name === "ResourceNotFoundException") return [];
    throw err;
  }
}

async function waitFor<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await get();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await get();
  }
  return v;
}

async function queue(e: Env, name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await e.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await e.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function counts(e: Env, url: string) {
  const { Attributes } = await e.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
  );
  return { visible: Number(Attributes!.ApproximateNumberOfMessages), inFlight: Number(Attributes!.ApproximateNumberOfMessagesNotVisible) };
}

async function send(e: Env, url: string, bodies: string[]) {
  for (let i = 0; i < bodies.length; i += 10) {
    const out = await e.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(i + j), MessageBody: b })) }),
    );
    assert.equal(out.Failed?.length ?? 0, 0);
  }
}

async function mapping(e: Env, input: CreateEventSourceMappingCommandInput) {
  const out = await e.lambda.send(new CreateEventSourceMappingCommand(input));
  await waitFor(
    "Enabled",
    () => e.lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID })),
    (m) => m.State === (input.Enabled === false ? "Disabled" : "Enabled"),
  );
  return out;
}

const ids = (seen: Seen[]) => seen.flatMap((s) => s.records.map((r) => r.id));

test("an SQS mapping drains the queue: 25 messages, each in one invocation, in the event AWS sends", async () => {
  const e = await env();
  await createFunction(e, { FunctionName: "drain", code: recorder() });
  const q = await queue(e, "work");
  const created = await e.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "drain", EventSourceArn: q.arn }));
  assert.equal(created.$metadata.httpStatusCode, 202);
  assert.equal(created.State, "Creating");
  assert.match(created.UUID!, /^[0-9a-f-]{36}$/);
  assert.equal(created.BatchSize, 10);
  assert.equal(created.MaximumBatchingWindowInSeconds, 0);
  assert.equal(created.EventSourceArn, q.arn);
  assert.equal(created.FunctionArn, `arn:aws:lambda:us-east-1:${e.account}:function:drain`);
  assert.equal(created.StateTransitionReason, "USER_INITIATED");
  assert.deepEqual(created.FunctionResponseTypes, []);
  assert.equal(created.EventSourceMappingArn, `arn:aws:lambda:us-east-1:${e.account}:event-source-mapping:${created.UUID}`);
  assert.ok(created.LastModified instanceof Date && Math.abs(created.LastModified.getTime() - Date.now()) < 5000);
  const got = await waitFor(
    "Enabled",
    () => e.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID })),
    (m) => m.State === "Enabled",
  );
  assert.equal(got.UUID, created.UUID);

  await e.sqs.send(
    new SendMessageCommand({
      QueueUrl: q.url,
      MessageBody: JSON.stringify({ n: 0 }),
      MessageAttributes: { kind: { DataType: "String", StringValue: "first" } },
    }),
  );
  await send(
    e,
    q.url,
    Array.from({ length: 24 }, (_, i) => JSON.stringify({ n: i + 1 })),
  );
  const seen = await waitFor(
    "25 messages processed",
    () => invocations(e, "drain"),
    (s) => ids(s).length >= 25,
  );
  assert.equal(new Set(ids(seen)).size, 25);
  assert.deepEqual(
    seen.flatMap((s) => s.records.map((r) => JSON.parse(r.body).n as number)).sort((a, b) => a - b),
    Array.from({ length: 25 }, (_, i) => i),
  );
  for (const s of seen) assert.ok(s.records.length <= 10);
  await waitFor(
    "queue empty",
    () => counts(e, q.url),
    (c) => c.visible === 0 && c.inFlight === 0,
  );

  const withAttr = seen.find((s) => (s.first.messageAttributes as Record<string, unknown>).kind)!.first;
  assert.deepEqual(Object.keys(withAttr), [
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfMessageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
  ]);
  assert.deepEqual(withAttr.messageAttributes, { kind: { stringValue: "first", stringListValues: [], binaryListValues: [], dataType: "String" } });
  assert.equal(withAttr.eventSource, "aws:sqs");
  assert.equal(withAttr.eventSourceARN, q.arn);
  assert.equal(withAttr.awsRegion, "us-east-1");
  assert.match(withAttr.md5OfBody as string, /^[0-9a-f]{32}$/);
  const attrs = withAttr.attributes as Record<string, string>;
  assert.equal(attrs.ApproximateReceiveCount, "1");
  assert.match(attrs.SentTimestamp!, /^\d{13}$/);
  assert.match(attrs.ApproximateFirstReceiveTimestamp!, /^\d{13}$/);
  assert.ok(attrs.SenderId);
});

test("batch size and batching window: at most BatchSize records, gathered across receives until the window closes", async () => {
  const e = await env();
  await createFunction(e, { FunctionName: "batches", code: recorder() });
  const q = await queue(e, "batches");
  await send(
    e,
    q.url,
    Array.from({ length: 30 }, (_, i) => `m${i}`),
  );
  // Two pollers at most, so batches above 10 must come from gathering several receives.
  await mapping(e, {
    FunctionName: "batches",
    EventSourceArn: q.arn,
    BatchSize: 20,
    MaximumBatchingWindowInSeconds: 1,
    ScalingConfig: { MaximumConcurrency: 2 },
  });
  const seen = await waitFor(
    "30 messages",
    () => invocations(e, "batches"),
    (s) => ids(s).length >= 30,
  );
  assert.equal(new Set(ids(seen)).size, 30);
  assert.ok(
    seen.every((s) => s.records.length <= 20),
    JSON.stringify(seen.map((s) => s.records.length)),
  );
  assert.ok(
    seen.some((s) => s.records.length > 10),
    JSON.stringify(seen.map((s) => s.records.length)),
  );

  // A batch that does not fill waits for the window (2 s) before the function sees it.
  const e2 = await env();
  await createFunction(e2, { FunctionName: "window", code: recorder() });
  const q2 = await queue(e2, "window");
  await mapping(e2, { FunctionName: "window", EventSourceArn: q2.arn, BatchSize: 50, MaximumBatchingWindowInSeconds: 2 });
  await send(e2, q2.url, ["alone"]);
  const [one] = await waitFor(
    "the lone message",
    () => invocations(e2, "window"),
    (s) => s.length >= 1,
  );
  assert.equal(one!.records.length, 1);
  assert.ok(one!.at - one!.records[0]!.sent >= 1900, `invoked ${one!.at - one!.records[0]!.sent} ms after the send`);

  // BatchSize 3 without a window: every invocation has at most 3 records.
  const e3 = await env();
  await createFunction(e3, { FunctionName: "small", code: recorder() });
  const q3 = await queue(e3, "small");
  await send(
    e3,
    q3.url,
    Array.from({ length: 10 }, (_, i) => `s${i}`),
  );
  await mapping(e3, { FunctionName: "small", EventSourceArn: q3.arn, BatchSize: 3 });
  const small = await waitFor(
    "10 messages",
    () => invocations(e3, "small"),
    (s) => ids(s).length >= 10,
  );
  assert.ok(small.every((s) => s.records.length <= 3));
});

test("ReportBatchItemFailures: only the reported messages stay and come back (ApproximateReceiveCount 2)", async () => {
  const e = await env();
  // Fails the "fail*" messages on their first delivery only.
  await createFunction(e, {
    FunctionName: "partial",
    Timeout: 2,
    code: recorder(
      `return { batchItemFailures: event.Records.filter((r) => r.body.startsWith("fail") && r.attributes.ApproximateReceiveCount === "1").map((r) => ({ itemIdentifier: r.messageId })) };`,
    ),
  });
  // The visibility timeout outlasts a first batch's cold start on a loaded machine (else its "ok" messages
  // would come back too); the reported failures come back after it.
  const q = await queue(e, "partial", { VisibilityTimeout: "6" });
  await send(e, q.url, ["ok1", "fail1", "ok2", "fail2"]);
  await mapping(e, {
    FunctionName: "partial",
    EventSourceArn: q.arn,
    FunctionResponseTypes: ["ReportBatchItemFailures"],
    ScalingConfig: { MaximumConcurrency: 2 },
  });
  const seen = await waitFor(
    "the retries",
    () => invocations(e, "partial"),
    (s) => s.flatMap((x) => x.records).filter((r) => r.n === "2").length >= 2,
  );
  const records = seen.flatMap((s) => s.records);
  assert.deepEqual(
    records
      .filter((r) => r.n === "2")
      .map((r) => r.body)
      .sort(),
    ["fail1", "fail2"],
  );
  assert.deepEqual(
    records.filter((r) => r.body.startsWith("ok")).map((r) => r.n),
    ["1", "1"],
  );
  await waitFor(
    "queue empty",
    () => counts(e, q.url),
    (c) => c.visible === 0 && c.inFlight === 0,
  );

  // AWS's rules for the answer.
  const batch = new Set(["a", "b"]);
  assert.deepEqual(batchItemFailures(Buffer.from(""), batch), new Set());
  assert.deepEqual(batchItemFailures(Buffer.from("null"), batch), new Set());
  assert.deepEqual(batchItemFailures(Buffer.from("{}"), batch), new Set());
  assert.deepEqual(batchItemFailures(Buffer.from('{"batchItemFailures":[]}'), batch), new Set());
  assert.deepEqual(batchItemFailures(Buffer.from('{"batchItemFailures":[{"itemIdentifier":"b"}]}'), batch), new Set(["b"]));
  assert.equal(batchItemFailures(Buffer.from('{"batchItemFailures":[{"itemIdentifier":""}]}'), batch), "all");
  assert.equal(batchItemFailures(Buffer.from('{"batchItemFailures":[{"itemIdentifier":null}]}'), batch), "all");
  assert.equal(batchItemFailures(Buffer.from('{"batchItemFailures":[{"id":"a"}]}'), batch), "all");
  assert.equal(batchItemFailures(Buffer.from('{"batchItemFailures":[{"itemIdentifier":"zzz"}]}'), batch), "all");
  assert.equal(batchItemFailures(Buffer.from("not json"), batch), "all");
});

test("a failing function's messages go to the queue's dead-letter queue through its redrive policy", async () => {
  const e = await env();
  await createFunction(e, { FunctionName: "broken", Timeout: 1, code: recorder(`throw new Error("boom");`) });
  const dlq = await queue(e, "broken-dlq");
  const q = await queue(e, "broken", { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
  await send(e, q.url, ["x1", "x2"]);
  await mapping(e, { FunctionName: "broken", EventSourceArn: q.arn });
  const moved = await waitFor(
    "the dead-letter queue",
    () => counts(e, dlq.url),
    (c) => c.visible === 2,
  );
  assert.equal(moved.visible, 2);
  const { Messages = [] } = await e.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10 }));
  assert.deepEqual(Messages.map((m) => m.Body).sort(), ["x1", "x2"]);
  // Each message was invoked once (a slow first invocation may still be writing its log line).
  const seen = await waitFor(
    "both invocations logged",
    () => invocations(e, "broken"),
    (s) => ids(s).length >= 2,
  );
  assert.deepEqual(ids(seen).length, 2);
  assert.deepEqual(await counts(e, q.url), { visible: 0, inFlight: 0 });
});

test("filter criteria: only matching messages reach the function, the others are deleted", async () => {
  const e = await env();
  await createFunction(e, { FunctionName: "filtered", code: recorder() });
  const q = await queue(e, "filtered");
  const m = await mapping(e, {
    FunctionName: "filtered",
    EventSourceArn: q.arn,
    FilterCriteria: {
      Filters: [{ Pattern: JSON.stringify({ body: { kind: ["order"] } }) }, { Pattern: JSON.stringify({ body: { id: [{ prefix: "A-" }] } }) }],
    },
  });
  assert.deepEqual(m.FilterCriteria?.Filters?.length, 2);
  await send(e, q.url, [
    JSON.stringify({ kind: "order" }),
    JSON.stringify({ kind: "other" }),
    JSON.stringify({ id: "A-1" }),
    JSON.stringify({ id: "B-1" }),
    "plain text",
  ]);
  await waitFor(
    "queue empty",
    () => counts(e, q.url),
    (c) => c.visible === 0 && c.inFlight === 0,
  );
  const seen = await waitFor(
    "the matching messages",
    () => invocations(e, "filtered"),
    (s) => ids(s).length >= 2,
  );
  assert.deepEqual(seen.flatMap((s) => s.records.map((r) => r.body)).sort(), [JSON.stringify({ id: "A-1" }), JSON.stringify({ kind: "order" })]);
});

test("disable stops the pollers, enable resumes them; updates answer Updating; delete answers Deleting then the mapping is gone", async () => {
  const e = await env();
  await createFunction(e, { FunctionName: "toggle", code: recorder() });
  const q = await queue(e, "toggle");
  const m = await mapping(e, { FunctionName: "toggle", EventSourceArn: q.arn });

  const off = await e.lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: false }));
  assert.equal(off.$metadata.httpStatusCode, 202);
  assert.equal(off.State, "Disabling");
  await waitFor(
    "Disabled",
    () => e.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID })),
    (x) => x.State === "Disabled",
  );
  await send(e, q.url, ["while-off-1", "while-off-2", "while-off-3"]);
  await new Promise((r) => setTimeout(r, 2500));
  assert.deepEqual(await counts(e, q.url), { visible: 3, inFlight: 0 });
  assert.equal(ids(await invocations(e, "toggle")).length, 0);

  const on = await e.lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: true }));
  assert.equal(on.State, "Enabling");
  const seen = await waitFor(
    "the held messages",
    () => invocations(e, "toggle"),
    (s) => ids(s).length >= 3,
  );
  assert.deepEqual(seen.flatMap((s) => s.records.map((r) => r.body)).sort(), ["while-off-1", "while-off-2", "while-off-3"]);
  await waitFor(
    "Enabled",
    () => e.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID })),
    (x) => x.State === "Enabled",
  );

  const upd = await e.lambda.send(
    new UpdateEventSourceMappingCommand({
      UUID: m.UUID,
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 3 },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    }),
  );
  assert.equal(upd.State, "Updating");
  assert.equal(upd.BatchSize, 5);
  assert.deepEqual(upd.ScalingConfig, { MaximumConcurrency: 3 });
  assert.deepEqual(upd.FunctionResponseTypes, ["ReportBatchItemFailures"]);
  assert.ok(upd.LastModified!.getTime() >= m.LastModified!.getTime());
  await waitFor(
    "Enabled",
    () => e.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID })),
    (x) => x.State === "Enabled",
  );

  const del = await e.lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
  assert.equal(del.$metadata.httpStatusCode, 202);
  assert.equal(del.State, "Deleting");
  await waitFor(
    "gone",
    () =>
      e.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID })).then(
        () => "there",
        (err: Error) => err.name,
      ),
    (x) => x === "ResourceNotFoundException",
  );
  await rejects(
    e.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID })),
    "ResourceNotFoundException",
    404,
    "The resource you requested does not exist.",
  );
  await rejects(
    e.lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID })),
    "ResourceNotFoundException",
    404,
    "The resource you requested does not exist.",
  );
  await rejects(e.lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, BatchSize: 1 })), "ResourceNotFoundException", 404);
  // Nothing polls any more.
  await send(e, q.url, ["after-delete"]);
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(await counts(e, q.url), { visible: 1, inFlight: 0 });
});

test("validation: the queue and the function must exist, batching rules, FIFO limits, visibility timeout, filters, duplicates", async () => {
  const e = await env();
  await createFunction(e, { FunctionName: "target" });
  const q = await queue(e, "valid");
  const fifo = await queue(e, "valid.fifo", { FifoQueue: "true" });
  const base = { FunctionName: "target", EventSourceArn: q.arn };

  await rejects(
    e.lambda.send(new CreateEventSourceMappingCommand({ ...base, EventSourceArn: `arn:aws:sqs:us-east-1:${e.account}:nope` })),
    "InvalidParameterValueException",
    400,
    "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.",
  );
  await rejects(
    e.lambda.send(new CreateEventSourceMappingCommand({ ...base, FunctionName: "missing" })),
    "ResourceNotFoundException",
    404,
    `Function not found: arn:aws:lambda:us-east-1:${e.account}:function:missing`,
  );
  await rejects(
    e.lambda.send(new CreateEventSourceMappingCommand({ ...base, BatchSize: 20 })),
    "InvalidParameterValueException",
    400,
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
  );
  await rejects(
    e.lambda.send(new CreateEventSourceMappingCommand({ ...base, EventSourceArn: fifo.arn, BatchSize: 11, MaximumBatchingWindowInSeconds: 1 })),
    "InvalidParameterValueException",
    400,
    /FIFO/,
  );
  await rejects(
    e.lambda.send(new CreateEventSourceMappingCommand({ ...base, EventSourceArn: fifo.arn, MaximumBatchingWindowInSeconds: 1 })),
    "InvalidParameterValueException",
    400,
    /FIFO/,
  );
  await rejects(
    e.lambda.send(new CreateEventSourceMappingCommand({ ...base, FilterCriteria: { Filters: [{ Pattern: "{not json" }] } })),
    "InvalidParameterValueException",
    400,
    "Invalid filter pattern definition.",
  );
  await rejects(
    e.lambda.send(new CreateEventSourceMappingCommand({ ...base, FilterCriteria: { Filters: [{ Pattern: '{"body":"x"}' }] } })),
    "InvalidParameterValueException",
    400,
    "Invalid filter pattern definition.",
  );
  const shortVis = await queue(e, "short", { VisibilityTimeout: "2" });
  await rejects(
    e.lambda.send(new CreateEventSourceMappingCommand({ ...base, EventSourceArn: shortVis.arn })),
    "InvalidParameterValueException",
    400,
    "Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds",
  );

  const ok = await e.lambda.send(new CreateEventSourceMappingCommand({ ...base, BatchSize: 100, MaximumBatchingWindowInSeconds: 5 }));
  assert.equal(ok.BatchSize, 100);
  await rejects(
    e.lambda.send(new CreateEventSourceMappingCommand(base)),
    "ResourceConflictException",
    409,
    `An event source mapping with SQS arn (" ${q.arn} ") and function (" target ") already exists. Please update or delete the existing mapping with UUID ${ok.UUID}`,
  );
  await rejects(
    e.lambda.send(new UpdateEventSourceMappingCommand({ UUID: ok.UUID, BatchSize: 50, MaximumBatchingWindowInSeconds: 0 })),
    "InvalidParameterValueException",
    400,
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
  );

  // A FIFO queue within its limits, and a mapping on an alias (a qualified function ARN).
  const f = await e.lambda.send(new CreateEventSourceMappingCommand({ ...base, EventSourceArn: fifo.arn, BatchSize: 10 }));
  assert.equal(f.BatchSize, 10);
  const v = await e.lambda.send(new PublishVersionCommand({ FunctionName: "target" }));
  await e.lambda.send(new CreateAliasCommand({ FunctionName: "target", Name: "live", FunctionVersion: v.Version }));
  const aliased = await e.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "target:live", EventSourceArn: q.arn }));
  assert.equal(aliased.FunctionArn, `arn:aws:lambda:us-east-1:${e.account}:function:target:live`);

  // Listing, filtered and paged.
  const all = await e.lambda.send(new ListEventSourceMappingsCommand({}));
  assert.equal(all.EventSourceMappings?.length, 3);
  const byQueue = await e.lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: q.arn }));
  assert.deepEqual(byQueue.EventSourceMappings?.map((m) => m.UUID).sort(), [ok.UUID, aliased.UUID].sort());
  const byAlias = await e.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "target:live" }));
  assert.deepEqual(
    byAlias.EventSourceMappings?.map((m) => m.UUID),
    [aliased.UUID],
  );
  const byFn = await e.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: `arn:aws:lambda:us-east-1:${e.account}:function:target` }));
  assert.equal(byFn.EventSourceMappings?.length, 3);
  const p1 = await e.lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2 }));
  assert.equal(p1.EventSourceMappings?.length, 2);
  assert.ok(p1.NextMarker);
  const p2 = await e.lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2, Marker: p1.NextMarker }));
  assert.equal(p2.EventSourceMappings?.length, 1);
  assert.equal(p2.NextMarker, undefined);
  assert.equal(new Set([...p1.EventSourceMappings!, ...p2.EventSourceMappings!].map((m) => m.UUID)).size, 3);
  // Another account sees none of them.
  const other = await env();
  assert.deepEqual((await other.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings, []);
  await rejects(other.lambda.send(new GetEventSourceMappingCommand({ UUID: ok.UUID })), "ResourceNotFoundException", 404);
});

test("a mapping survives a restart and keeps processing; closing the server with a mapping enabled does not hang", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-esm-"));
  try {
    let s = await startTestServer({ dataDir });
    const account = randomAccount();
    let e = await env(s, account);
    await createFunction(e, { FunctionName: "durable", code: recorder() });
    const q = await queue(e, "durable");
    const m = await mapping(e, { FunctionName: "durable", EventSourceArn: q.arn });
    await send(e, q.url, ["before"]);
    await waitFor(
      "the first message",
      () => invocations(e, "durable"),
      (x) => ids(x).length >= 1,
    );
    // Closing does not hang (esm-close.test.ts shows it does not wait out the pollers' long polls either).
    const t0 = Date.now();
    await s.close();
    assert.ok(Date.now() - t0 < 15_000, `close took ${Date.now() - t0} ms`);

    s = await startTestServer({ dataDir });
    try {
      const config = s.clientConfig({ account });
      e = { ...e, lambda: new LambdaClient(config), sqs: new SQSClient(config), logs: new CloudWatchLogsClient(config) };
      // Nobody calls Lambda: its pollers started with the server.
      await send(e, q.url, ["after-1", "after-2"]);
      const seen = await waitFor(
        "the messages sent after the restart",
        () => invocations(e, "durable"),
        (x) => ids(x).length >= 3,
      );
      assert.deepEqual(seen.flatMap((x) => x.records.map((r) => r.body)).sort(), ["after-1", "after-2", "before"]);
      const got = await e.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }));
      assert.equal(got.State, "Enabled");
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("scaling: pollers grow past the initial five while batches come back full, up to MaximumConcurrency", async () => {
  const e = await env();
  await createFunction(e, { FunctionName: "busy", code: recorder(`await new Promise((r) => setTimeout(r, 250)); return {};`) });
  const q = await queue(e, "busy");
  await send(
    e,
    q.url,
    Array.from({ length: 300 }, (_, i) => `b${i}`),
  );
  const m = await mapping(e, { FunctionName: "busy", EventSourceArn: q.arn, ScalingConfig: { MaximumConcurrency: 8 } });
  const pollers = pollersOf(server.runtime)!;
  let most = 0;
  await waitFor(
    "300 messages",
    async () => {
      most = Math.max(most, pollers.workers(e.account, "us-east-1", m.UUID!));
      return counts(e, q.url);
    },
    (c) => c.visible === 0 && c.inFlight === 0,
    30_000,
  );
  assert.ok(most > 5 && most <= 8, `at most ${most} pollers at once`);
  const seen = await waitFor(
    "all invocations logged",
    () => invocations(e, "busy"),
    (s) => ids(s).length >= 300,
  );
  assert.equal(new Set(ids(seen)).size, 300);
});

test("a mapping's tags: CreateEventSourceMapping's Tags, then TagResource, UntagResource and ListTags by the mapping's ARN", async () => {
  const e = await env();
  await createFunction(e, { FunctionName: "tagged-esm", code: recorder() });
  const q = await queue(e, "tagged-esm-q");
  const m = await e.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "tagged-esm", EventSourceArn: q.arn, Enabled: false, Tags: { a: "1" } }));
  const Resource = m.EventSourceMappingArn!;
  assert.deepEqual((await e.lambda.send(new ListTagsCommand({ Resource }))).Tags, { a: "1" });
  await e.lambda.send(new TagResourceCommand({ Resource, Tags: { b: "2", a: "10" } }));
  await e.lambda.send(new UntagResourceCommand({ Resource, TagKeys: ["b"] }));
  assert.deepEqual((await e.lambda.send(new ListTagsCommand({ Resource }))).Tags, { a: "10" });
  await e.lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
  await waitFor(
    "deleted",
    () => e.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "tagged-esm" })),
    (l) => (l.EventSourceMappings ?? []).length === 0,
  );
  await assert.rejects(e.lambda.send(new ListTagsCommand({ Resource })), { name: "ResourceNotFoundException" });
});
