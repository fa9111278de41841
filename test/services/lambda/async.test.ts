// Asynchronous invocation (InvocationType Event): the event queue with its retries on the runtime clock, the
// invocation records sent to OnSuccess / OnFailure destinations (SQS, SNS, Lambda), the dead-letter queue,
// and events that survive a restart. A ManualClock stands in for the minutes between retries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteFunctionCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  type PutFunctionEventInvokeConfigCommandInput,
} from "@aws-sdk/client-lambda";
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, type Message } from "@aws-sdk/client-sqs";
import { SNSClient, CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { eventsPolicy } from "../eventbridge/setup.js";
import { ManualClock } from "../../../src/core/clock.js";
import { startTestServer, type TestServer, useServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { createFunction, lambdaEnv, payload, type LambdaEnv } from "./setup.js";
import type { AsyncEventRec } from "../../../src/services/lambda/async.js";

const FAILING = { "index.mjs": "export const handler = async (event) => { throw new Error(`boom ${event.n}`); };" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const clock = new ManualClock();
const server = useServer({ clock });

interface Env extends LambdaEnv {
  sqs: SQSClient;
  s: TestServer;
}

async function env(s: TestServer = server, account?: string): Promise<Env> {
  const e = await lambdaEnv(s, account);
  return { ...e, s, sqs: new SQSClient(s.clientConfig({ account: e.account })) };
}

async function queue(e: Env, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await e.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await e.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Receives `n` messages (polling; long polls would wait on the manual clock). */
async function receive(e: Env, url: string, n = 1, timeoutMs = 15_000): Promise<Message[]> {
  const got: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} message(s) on ${url}, got ${got.length}`);
    const { Messages } = await e.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ["All"] }),
    );
    got.push(...(Messages ?? []));
    if (!Messages?.length) await sleep(50);
  }
  return got;
}

/** The account's queued events, as stored (to know when a retry is armed before moving the clock). */
const pending = (e: Env): AsyncEventRec[] =>
  e.s.runtime.store
    .table<AsyncEventRec>("lambda:async-events", `${e.account}/us-east-1`)
    .list()
    .map((x) => x.value);

/** Waits until the one queued event has had `attempts` invocations and its next attempt is scheduled. */
async function waitForRetry(e: Env, attempts: number, c = clock): Promise<AsyncEventRec> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [rec] = pending(e);
    if (rec && rec.attempts >= attempts && rec.dueAt > c.now()) return rec;
    if (Date.now() > deadline) throw new Error(`no retry scheduled after ${attempts} attempt(s): ${JSON.stringify(pending(e))}`);
    await sleep(50);
  }
}

const putConfig = (e: Env, input: PutFunctionEventInvokeConfigCommandInput) => e.lambda.send(new PutFunctionEventInvokeConfigCommand(input));

test("a successful event sends AWS's invocation record to the OnSuccess queue", async () => {
  const e = await env();
  const q = await queue(e, "ok");
  await createFunction(e, { FunctionName: "ok" });
  await putConfig(e, { FunctionName: "ok", DestinationConfig: { OnSuccess: { Destination: q.arn } } });
  const out = await e.lambda.send(new InvokeCommand({ FunctionName: "ok", InvocationType: "Event", Payload: payload({ a: 1 }) }));
  assert.equal(out.StatusCode, 202);
  assert.equal(out.$metadata.httpStatusCode, 202);
  const [m] = await receive(e, q.url);
  const record = JSON.parse(m!.Body!);
  assert.deepEqual(Object.keys(record), ["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"]);
  assert.equal(record.version, "1.0");
  assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(record.requestContext.requestId, out.$metadata.requestId, "the record carries the Invoke's request id");
  assert.deepEqual(
    { ...record.requestContext, requestId: undefined },
    {
      requestId: undefined,
      functionArn: `arn:aws:lambda:us-east-1:${e.account}:function:ok:$LATEST`,
      condition: "Success",
      approximateInvokeCount: 1,
    },
  );
  assert.deepEqual(record.requestPayload, { a: 1 });
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST" });
  assert.deepEqual(record.responsePayload, { ok: true, event: { a: 1 } });
  assert.equal(pending(e).length, 0);
});

test("a failing event with MaximumRetryAttempts 0 goes to OnFailure at once, with the error", async () => {
  const e = await env();
  const q = await queue(e, "failed");
  await createFunction(e, { FunctionName: "fails", code: FAILING });
  await putConfig(e, { FunctionName: "fails", MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: q.arn } } });
  await e.lambda.send(new InvokeCommand({ FunctionName: "fails", InvocationType: "Event", Payload: payload({ n: 7 }) }));
  const [m] = await receive(e, q.url);
  const record = JSON.parse(m!.Body!);
  assert.equal(record.requestContext.condition, "RetriesExhausted");
  assert.equal(record.requestContext.approximateInvokeCount, 1);
  assert.deepEqual(record.requestPayload, { n: 7 });
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
  assert.equal(record.responsePayload.errorType, "Error");
  assert.equal(record.responsePayload.errorMessage, "boom 7");
});

test("a failing event is retried twice, 1 then 2 minutes apart, then goes to OnFailure and the dead-letter queue", async () => {
  const e = await env();
  const dest = await queue(e, "dest");
  const dlq = await queue(e, "dlq");
  await createFunction(e, { FunctionName: "retried", code: FAILING, DeadLetterConfig: { TargetArn: dlq.arn } });
  await putConfig(e, { FunctionName: "retried", DestinationConfig: { OnFailure: { Destination: dest.arn } } });
  const t0 = clock.now();
  await e.lambda.send(new InvokeCommand({ FunctionName: "retried", InvocationType: "Event", Payload: payload({ n: 1 }) }));
  const first = await waitForRetry(e, 1);
  assert.equal(first.dueAt - t0, 60_000);
  clock.advance(59_000);
  await sleep(100);
  assert.equal(pending(e)[0]!.attempts, 1, "no retry before the minute is up");
  clock.advance(1_000);
  const second = await waitForRetry(e, 2);
  assert.equal(second.dueAt - clock.now(), 120_000);
  clock.advance(120_000);

  const [m] = await receive(e, dest.url);
  const record = JSON.parse(m!.Body!);
  assert.equal(record.requestContext.condition, "RetriesExhausted");
  assert.equal(record.requestContext.approximateInvokeCount, 3);
  assert.equal(record.responseContext.functionError, "Unhandled");
  assert.equal(record.responsePayload.errorMessage, "boom 1");

  // The dead-letter queue gets the bare event, with Lambda's three attributes.
  const [d] = await receive(e, dlq.url);
  assert.equal(d!.Body, JSON.stringify({ n: 1 }));
  assert.equal(d!.MessageAttributes?.RequestID?.StringValue, record.requestContext.requestId);
  assert.equal(d!.MessageAttributes?.RequestID?.DataType, "String");
  assert.deepEqual(d!.MessageAttributes?.ErrorCode, { DataType: "Number", StringValue: "200" });
  assert.equal(d!.MessageAttributes?.ErrorMessage?.StringValue, "boom 1");
  assert.equal(pending(e).length, 0);
});

test("the dead-letter queue alone (no invoke config) gets the event, the error message cut to 1 KB", async () => {
  const e = await env();
  const dlq = await queue(e, "dlq-only");
  await createFunction(e, {
    FunctionName: "long-error",
    code: { "index.mjs": "export const handler = async () => { throw new Error('x'.repeat(3000)); };" },
    DeadLetterConfig: { TargetArn: dlq.arn },
  });
  await e.lambda.send(new InvokeCommand({ FunctionName: "long-error", InvocationType: "Event", Payload: payload({ keep: "me" }) }));
  await waitForRetry(e, 1);
  clock.advance(60_000);
  await waitForRetry(e, 2);
  clock.advance(120_000);
  const [d] = await receive(e, dlq.url);
  assert.deepEqual(JSON.parse(d!.Body!), { keep: "me" });
  assert.equal(d!.MessageAttributes?.ErrorMessage?.StringValue, "x".repeat(1024));
  assert.equal(d!.MessageAttributes?.ErrorCode?.StringValue, "200");
});

test("an event older than MaximumEventAgeInSeconds is given up with EventAgeExceeded", async () => {
  const e = await env();
  const q = await queue(e, "aged");
  await createFunction(e, { FunctionName: "aged", code: FAILING });
  await putConfig(e, { FunctionName: "aged", MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: q.arn } } });
  await e.lambda.send(new InvokeCommand({ FunctionName: "aged", InvocationType: "Event", Payload: payload({ n: 2 }) }));
  await waitForRetry(e, 1);
  clock.advance(60_000);
  const [m] = await receive(e, q.url);
  const record = JSON.parse(m!.Body!);
  assert.equal(record.requestContext.condition, "EventAgeExceeded");
  assert.equal(record.requestContext.approximateInvokeCount, 1);
  assert.equal(record.responsePayload.errorMessage, "boom 2");
});

test("an SNS topic as OnSuccess destination publishes the record", async () => {
  const e = await env();
  const sns = server.client(SNSClient, { account: e.account });
  const q = await queue(e, "from-topic");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "records" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn }));
  await createFunction(e, { FunctionName: "to-sns" });
  await putConfig(e, { FunctionName: "to-sns", DestinationConfig: { OnSuccess: { Destination: TopicArn } } });
  await e.lambda.send(new InvokeCommand({ FunctionName: "to-sns", InvocationType: "Event", Payload: payload({ via: "sns" }) }));
  const [m] = await receive(e, q.url);
  const envelope = JSON.parse(m!.Body!);
  assert.equal(envelope.Type, "Notification");
  assert.equal(envelope.TopicArn, TopicArn);
  const record = JSON.parse(envelope.Message);
  assert.equal(record.requestContext.condition, "Success");
  assert.deepEqual(record.requestPayload, { via: "sns" });
  assert.deepEqual(record.responsePayload, { ok: true, event: { via: "sns" } });
});

test("a Lambda function as destination is invoked with the record as its event", async () => {
  const e = await env();
  const q = await queue(e, "chain");
  await createFunction(e, { FunctionName: "first" });
  await createFunction(e, {
    FunctionName: "second",
    code: { "index.mjs": "export const handler = async (event) => ({ seen: event.requestContext.condition, from: event.requestContext.functionArn });" },
  });
  const second = `arn:aws:lambda:us-east-1:${e.account}:function:second`;
  await putConfig(e, { FunctionName: "first", DestinationConfig: { OnSuccess: { Destination: second } } });
  // The second function's own success record shows what it received.
  await putConfig(e, { FunctionName: "second", DestinationConfig: { OnSuccess: { Destination: q.arn } } });
  await e.lambda.send(new InvokeCommand({ FunctionName: "first", InvocationType: "Event", Payload: payload({ step: 1 }) }));
  const [m] = await receive(e, q.url);
  const outer = JSON.parse(m!.Body!);
  assert.equal(outer.requestContext.functionArn, `${second}:$LATEST`);
  assert.equal(outer.requestPayload.version, "1.0");
  assert.equal(outer.requestPayload.requestContext.condition, "Success");
  assert.deepEqual(outer.requestPayload.requestPayload, { step: 1 });
  assert.deepEqual(outer.requestPayload.responsePayload, { ok: true, event: { step: 1 } });
  assert.deepEqual(outer.responsePayload, { seen: "Success", from: `arn:aws:lambda:us-east-1:${e.account}:function:first:$LATEST` });
});

test("a throttled event goes back on the queue with backoff and runs once there is room", async () => {
  const e = await env();
  const dlq = await queue(e, "throttle-dlq");
  await createFunction(e, {
    FunctionName: "narrow",
    DeadLetterConfig: { TargetArn: dlq.arn },
    code: { "index.mjs": "export const handler = async (event) => { await new Promise((r) => setTimeout(r, 1000)); return event; };" },
  });
  await e.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "narrow", ReservedConcurrentExecutions: 1 }));
  await e.lambda.send(new InvokeCommand({ FunctionName: "narrow", InvocationType: "Event", Payload: payload({ n: 1 }) }));
  await e.lambda.send(new InvokeCommand({ FunctionName: "narrow", InvocationType: "Event", Payload: payload({ n: 2 }) }));
  // The first event holds the one slot for its cold start and a second of real time; the second meets it there.
  let throttled: AsyncEventRec | undefined;
  await waitUntil(() => !!(throttled = pending(e).find((r) => r.throttles > 0)), "one of the two events to be throttled");
  assert.ok(throttled);
  assert.equal(throttled.attempts, 0, "a throttle is not an invocation");
  assert.equal(throttled.retries, 0, "a throttle does not use up a retry");
  assert.equal(throttled.dueAt - clock.now(), 1000, "the first backoff is 1 second");
  // Move time on, a second at a time, until both ran (the first takes a second of real time and more under load;
  // the backoff doubles meanwhile, yet 30 s of real time move the clock only 10 minutes, far below the event age).
  await waitUntil(
    () => {
      if (!pending(e).length) return true;
      clock.advance(1000);
      return false;
    },
    "both throttled events to run",
    30_000,
    50,
  );
  const { Messages } = await e.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 0 }));
  assert.equal(Messages, undefined, "nothing failed");
});

test("with reserved concurrency 0 events go to the dead-letter queue at once, without retries", async () => {
  const e = await env();
  const dlq = await queue(e, "zero-dlq");
  await createFunction(e, { FunctionName: "off", DeadLetterConfig: { TargetArn: dlq.arn } });
  await e.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "off", ReservedConcurrentExecutions: 0 }));
  await e.lambda.send(new InvokeCommand({ FunctionName: "off", InvocationType: "Event", Payload: payload({ n: 0 }) }));
  const [d] = await receive(e, dlq.url);
  assert.deepEqual(JSON.parse(d!.Body!), { n: 0 });
  assert.deepEqual(d!.MessageAttributes?.ErrorCode, { DataType: "Number", StringValue: "429" });
  assert.equal(d!.MessageAttributes?.ErrorMessage?.StringValue, "Rate Exceeded.");
});

test("an EventBridge bus destination gets Lambda's result event through a rule; an undeliverable dead-letter queue is logged, not faked", async () => {
  const e = await env();
  const warnings: string[] = [];
  const logger = server.runtime.logger;
  const warn = logger.warn;
  logger.warn = (m: string) => void warnings.push(m);
  try {
    const bus = `arn:aws:events:us-east-1:${e.account}:event-bus/default`;
    const out = await queue(e, "bus-out");
    // The queue's policy lets EventBridge send to it, as AWS requires of an SQS target.
    await e.sqs.send(new SetQueueAttributesCommand({ QueueUrl: out.url, Attributes: { Policy: eventsPolicy(out.arn) } }));
    const eb = new EventBridgeClient(server.clientConfig({ account: e.account }));
    const DetailType = "Lambda Function Invocation Result - Failure";
    await eb.send(new PutRuleCommand({ Name: "lambda-results", EventPattern: JSON.stringify({ source: ["lambda"], "detail-type": [DetailType] }) }));
    await eb.send(new PutTargetsCommand({ Rule: "lambda-results", Targets: [{ Id: "q", Arn: out.arn }] }));
    const missing = `arn:aws:sqs:us-east-1:${e.account}:no-such-queue`;
    await createFunction(e, { FunctionName: "to-bus", code: FAILING, DeadLetterConfig: { TargetArn: missing } });
    await putConfig(e, { FunctionName: "to-bus", MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: bus } } });
    await e.lambda.send(new InvokeCommand({ FunctionName: "to-bus", InvocationType: "Event", Payload: payload({ n: 3 }) }));
    const [m] = await receive(e, out.url);
    const event = JSON.parse(m.Body!);
    assert.equal(event.source, "lambda");
    assert.equal(event["detail-type"], DetailType);
    assert.deepEqual(event.resources, [`arn:aws:lambda:us-east-1:${e.account}:function:to-bus`, bus]);
    assert.equal(event.detail.requestContext.condition, "RetriesExhausted");
    assert.deepEqual(event.detail.requestPayload, { n: 3 });
    await waitUntil(() => warnings.length >= 1, "the dead-letter warning");
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0]!, /dead-letter queue .*no-such-queue/);
    assert.equal(pending(e).length, 0, "the event is done with all the same");
  } finally {
    logger.warn = warn;
  }
});

test("deleting the function drops its pending events", async () => {
  const e = await env();
  const dlq = await queue(e, "never");
  await createFunction(e, { FunctionName: "gone", code: FAILING, DeadLetterConfig: { TargetArn: dlq.arn } });
  await e.lambda.send(new InvokeCommand({ FunctionName: "gone", InvocationType: "Event", Payload: payload({}) }));
  await waitForRetry(e, 1);
  await e.lambda.send(new DeleteFunctionCommand({ FunctionName: "gone" }));
  clock.advance(60_000);
  await waitUntil(() => pending(e).length === 0, "the deleted function's event to be dropped");
  const { Messages } = await e.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 0 }));
  assert.equal(Messages, undefined);
});

test("a queued event survives a restart and runs on the restarted server", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-lambda-async-"));
  const c = new ManualClock();
  try {
    let s = await startTestServer({ dataDir, clock: c });
    const e = await env(s);
    const dlq = await queue(e, "after-restart");
    await createFunction(e, { FunctionName: "durable", code: FAILING, DeadLetterConfig: { TargetArn: dlq.arn } });
    await e.lambda.send(new InvokeCommand({ FunctionName: "durable", InvocationType: "Event", Payload: payload({ n: 9 }) }));
    // The first attempt failed; its retry is due in a minute, but the server stops before then.
    const before = await waitForRetry(e, 1, c);
    await s.close();

    s = await startTestServer({ dataDir, clock: c });
    try {
      const restarted: Env = { ...e, s, sqs: new SQSClient(s.clientConfig({ account: e.account })) };
      assert.equal(pending(restarted)[0]?.requestId, before.requestId);
      c.advance(60_000);
      await waitForRetry(restarted, 2, c);
      c.advance(120_000);
      const [d] = await receive(restarted, dlq.url);
      assert.deepEqual(JSON.parse(d!.Body!), { n: 9 });
      assert.equal(d!.MessageAttributes?.RequestID?.StringValue, before.requestId);
      await waitUntil(() => pending(restarted).length === 0, "the event to be done after the restart");
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
