// AWS/Lambda's throttling, concurrency, version/alias and asynchronous-invocation metrics, read back through the real
// CloudWatch client after real invocations: Throttles for an invoke refused at reserved concurrency 0 (and no
// Invocations for it), ConcurrentExecutions and UnreservedConcurrentExecutions with two executions in flight at once,
// the Resource and ExecutedVersion dimensions of version and alias invocations, and AsyncEventsReceived, AsyncEventAge,
// AsyncEventsDropped and DestinationDeliveryFailures for queued events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand, type Statistic } from "@aws-sdk/client-cloudwatch";
import {
  CreateAliasCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { COLD_START_WAIT_MS, eventually } from "../../helpers/wait.js";
import { createFunction, lambdaEnv, payload } from "../lambda/setup.js";

const server = useServer();

type Dims = { Name: string; Value: string }[];

/** A statistic of an AWS/Lambda metric over the last minutes, for the account `cw` is signed as. */
function reader(cw: CloudWatchClient, start: number) {
  return async (MetricName: string, Dimensions: Dims, Statistic: Statistic = "Sum") => {
    const { Datapoints } = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/Lambda",
        MetricName,
        Dimensions,
        StartTime: new Date(Math.floor(start / 60_000) * 60_000 - 60_000),
        EndTime: new Date(Date.now() + 120_000),
        Period: 3600,
        Statistics: [Statistic],
      }),
    );
    return Datapoints?.[0];
  };
}

test("Throttles: an invoke refused at reserved concurrency 0 counts 1, by FunctionName and for the account, and is no Invocation", async () => {
  const env = await lambdaEnv(server);
  const cw = server.client(CloudWatchClient, { account: env.account });
  await createFunction(env, { FunctionName: "throttled" });
  await env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "throttled", ReservedConcurrentExecutions: 0 }));
  // One request (the SDK would retry a throttle twice more, each one another Throttle).
  const once = new LambdaClient({ ...server.clientConfig({ account: env.account }), maxAttempts: 1 });
  const start = Date.now();
  await rejects(once.send(new InvokeCommand({ FunctionName: "throttled" })), "TooManyRequestsException", 429);
  const stat = reader(cw, start);
  const fn = [{ Name: "FunctionName", Value: "throttled" }];
  await eventually(async () => assert.equal((await stat("Throttles", fn))?.Sum, 1));
  assert.equal((await stat("Throttles", fn))?.Unit, "Count");
  assert.equal((await stat("Throttles", []))?.Sum, 1);
  assert.equal(await stat("Invocations", fn), undefined);
});

test("ConcurrentExecutions: Maximum 2 with two slow invocations in flight at once; UnreservedConcurrentExecutions for the account", async () => {
  // Each invocation waits here until both have arrived: two executions are in flight together, by events.
  const held: ServerResponse[] = [];
  const meeting = createServer((_req, res) => {
    held.push(res);
    if (held.length === 2) for (const r of held.splice(0)) r.end("go");
  });
  await new Promise<void>((ok) => meeting.listen(0, "127.0.0.1", ok));
  try {
    const env = await lambdaEnv(server);
    const cw = server.client(CloudWatchClient, { account: env.account });
    const url = `http://127.0.0.1:${(meeting.address() as AddressInfo).port}/`;
    await createFunction(env, {
      FunctionName: "slow",
      code: { "index.mjs": "export const handler = async (e) => ({ said: await (await fetch(e.url)).text() });" },
    });
    const start = Date.now();
    const both = await Promise.all([1, 2].map(() => env.lambda.send(new InvokeCommand({ FunctionName: "slow", Payload: payload({ url }) }))));
    assert.deepEqual(
      both.map((o) => Buffer.from(o.Payload ?? []).toString()),
      ['{"said":"go"}', '{"said":"go"}'],
    );
    const stat = reader(cw, start);
    await eventually(async () => assert.equal((await stat("ConcurrentExecutions", [{ Name: "FunctionName", Value: "slow" }], "Maximum"))?.Maximum, 2));
    const account = await stat("ConcurrentExecutions", [], "Maximum");
    assert.deepEqual([account?.Maximum, account?.Unit], [2, "Count"]);
    assert.equal((await stat("UnreservedConcurrentExecutions", [], "Maximum"))?.Maximum, 2);
  } finally {
    meeting.closeAllConnections();
    meeting.close();
  }
});

test("Resource and ExecutedVersion: a version's invocations by FunctionName+Resource, an alias's also with ExecutedVersion", async () => {
  const env = await lambdaEnv(server);
  const cw = server.client(CloudWatchClient, { account: env.account });
  await createFunction(env, { FunctionName: "versioned" });
  const { Version } = await env.lambda.send(new PublishVersionCommand({ FunctionName: "versioned" }));
  await env.lambda.send(new CreateAliasCommand({ FunctionName: "versioned", Name: "live", FunctionVersion: Version }));
  const start = Date.now();
  await env.lambda.send(new InvokeCommand({ FunctionName: "versioned", Qualifier: "live" }));
  await env.lambda.send(new InvokeCommand({ FunctionName: "versioned:live" }));
  await env.lambda.send(new InvokeCommand({ FunctionName: "versioned", Qualifier: Version }));
  await env.lambda.send(new InvokeCommand({ FunctionName: "versioned" }));
  const stat = reader(cw, start);
  const fn = { Name: "FunctionName", Value: "versioned" };
  const alias = { Name: "Resource", Value: "versioned:live" };
  await eventually(async () => assert.equal((await stat("Invocations", [fn]))?.Sum, 4));
  assert.equal((await stat("Invocations", [fn, alias]))?.Sum, 2);
  assert.equal((await stat("Invocations", [fn, alias, { Name: "ExecutedVersion", Value: Version! }]))?.Sum, 2);
  assert.equal((await stat("Invocations", [fn, { Name: "Resource", Value: `versioned:${Version}` }]))?.Sum, 1);
  assert.equal((await stat("Duration", [fn, alias], "SampleCount"))?.SampleCount, 2);
  assert.equal((await stat("ConcurrentExecutions", [fn, alias], "Maximum"))?.Maximum, 1);
  const { Metrics } = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", MetricName: "Errors" }));
  assert.deepEqual(Metrics?.map((m) => (m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(",")).sort(), [
    "",
    `ExecutedVersion=${Version},FunctionName=versioned,Resource=versioned:live`,
    "FunctionName=versioned",
    `FunctionName=versioned,Resource=versioned:${Version}`,
    "FunctionName=versioned,Resource=versioned:live",
  ]);
});

test("asynchronous invocation: AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped and DestinationDeliveryFailures", async () => {
  const env = await lambdaEnv(server);
  const cw = server.client(CloudWatchClient, { account: env.account });
  const sqs = server.client(SQSClient, { account: env.account });
  await createFunction(env, {
    FunctionName: "queued",
    code: { "index.mjs": "export const handler = async (e) => { if (e.fail) throw new Error('no'); return 1; };" },
  });
  // A failure destination that is gone by the time the event fails: the delivery fails.
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "gone-destination" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await env.lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "queued",
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: Attributes!.QueueArn } },
    }),
  );
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  const start = Date.now();
  await env.lambda.send(new InvokeCommand({ FunctionName: "queued", InvocationType: "Event", Payload: payload({ fail: false }) }));
  await env.lambda.send(new InvokeCommand({ FunctionName: "queued", InvocationType: "Event", Payload: payload({ fail: true }) }));
  const stat = reader(cw, start);
  const fn = [{ Name: "FunctionName", Value: "queued" }];
  // Both events start an environment (a cold start each, or one after the other): their outcomes may take Lambda's
  // init limit plus the function's timeout on a loaded machine.
  await eventually(async () => assert.equal((await stat("AsyncEventsDropped", fn))?.Sum, 1), COLD_START_WAIT_MS);
  await eventually(async () => assert.equal((await stat("DestinationDeliveryFailures", fn))?.Sum, 1), COLD_START_WAIT_MS);
  assert.equal((await stat("AsyncEventsReceived", fn))?.Sum, 2);
  const age = await stat("AsyncEventAge", fn, "SampleCount");
  assert.deepEqual([age?.SampleCount, age?.Unit], [2, "Milliseconds"]);
  assert.equal((await stat("Invocations", fn))?.Sum, 2);
});
