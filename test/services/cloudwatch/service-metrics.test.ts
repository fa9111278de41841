// The metrics Stratus's services publish about themselves, read back through the real CloudWatch client: AWS/Lambda
// Invocations, Errors and Duration by FunctionName and for the account, after real invocations (one failing); AWS/SQS's
// call counts and sizes and its per-minute depth samples (on a manual clock); AWS/SNS's published and delivered
// counts; AWS/Logs' incoming events and bytes; AWS/ApiGateway's requests, errors and latencies (and an HTTP API's
// DataProcessed); and a caller may not
// put datapoints into an AWS/ namespace itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { eventually } from "../../helpers/wait.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";
import { call, restApi } from "../api-gateway/integrations-setup.js";
import { ApiGatewayV2Client, CreateApiCommand, CreateRouteCommand, CreateStageCommand } from "@aws-sdk/client-apigatewayv2";
import { call as httpCall } from "../apigatewayv2/execute-helpers.js";

const server = useServer();

test("AWS/Lambda: Invocations, Errors and Duration by FunctionName and for the account, after real invocations", async () => {
  const env = await lambdaEnv(server);
  const cw = server.client(CloudWatchClient, { account: env.account });
  await createFunction(env, {
    FunctionName: "measured",
    code: { "index.mjs": "export const handler = async (event) => { if (event.fail) throw new Error('boom'); return { ok: true }; };" },
  });
  const start = Date.now();
  for (const fail of [false, false, true])
    await env.lambda.send(new InvokeCommand({ FunctionName: "measured", Payload: Buffer.from(JSON.stringify({ fail })) }));

  const window = { StartTime: new Date(Math.floor(start / 60_000) * 60_000 - 60_000), EndTime: new Date(Date.now() + 120_000), Period: 300 };
  const sum = async (
    MetricName: string,
    Dimensions = [{ Name: "FunctionName", Value: "measured" }],
    Statistics: ("Sum" | "SampleCount" | "Maximum")[] = ["Sum"],
  ) => {
    const { Datapoints } = await cw.send(new GetMetricStatisticsCommand({ Namespace: "AWS/Lambda", MetricName, Dimensions, Statistics, ...window }));
    return Datapoints?.[0];
  };
  // Published within about a second of the invocations.
  await eventually(async () => assert.equal((await sum("Invocations"))?.Sum, 3));
  const errors = await sum("Errors", undefined, ["Sum", "SampleCount"]);
  assert.deepEqual([errors?.Sum, errors?.SampleCount, errors?.Unit], [1, 3, "Count"]);
  const duration = await sum("Duration", undefined, ["SampleCount", "Maximum"]);
  assert.equal(duration?.SampleCount, 3);
  assert.equal(duration?.Unit, "Milliseconds");
  assert.ok((duration?.Maximum ?? 0) > 0);
  // The account-wide series has no dimensions.
  assert.equal((await sum("Invocations", []))?.Sum, 3);
  const { Metrics } = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", MetricName: "Errors" }));
  assert.deepEqual(Metrics?.map((m) => m.Dimensions?.map((d) => `${d.Name}=${d.Value}`).join(",")).sort(), ["", "FunctionName=measured"]);

  // AWS/ namespaces are the services' own.
  await rejects(
    cw.send(new PutMetricDataCommand({ Namespace: "AWS/Lambda", MetricData: [{ MetricName: "Invocations", Value: 1 }] })),
    "InvalidParameterValueException",
    400,
  );
});

test("AWS/SQS: each call's counts and sizes by QueueName, and each minute the queue's depth and oldest message", async () => {
  const clock = new ManualClock();
  const s = await startTestServer({ clock });
  try {
    const account = randomAccount();
    const sqs = new SQSClient(s.clientConfig({ account }));
    const cw = new CloudWatchClient(s.clientConfig({ account }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "measured" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello, world" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "later", DelaySeconds: 900 }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages![0].ReceiptHandle! }));
    const { Messages: second } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 600 }));
    assert.equal(second?.length, 1);
    await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));

    // A minute on: the depth is sampled, and the pending values flushed a second later.
    clock.advance(60_000);
    clock.advance(1_000);
    const stat = async (MetricName: string, Statistic: "Sum" | "Maximum" = "Sum") => {
      const { Datapoints } = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "AWS/SQS",
          MetricName,
          Dimensions: [{ Name: "QueueName", Value: "measured" }],
          StartTime: new Date(clock.now() - 600_000),
          EndTime: new Date(clock.now() + 60_000),
          Period: 3600,
          Statistics: [Statistic],
        }),
      );
      return Datapoints?.[0]?.[Statistic];
    };
    await eventually(async () => assert.equal(await stat("NumberOfMessagesSent"), 3));
    assert.equal(await stat("SentMessageSize"), 5 + 12 + 5);
    assert.equal(await stat("NumberOfMessagesReceived"), 2);
    assert.equal(await stat("NumberOfMessagesDeleted"), 1);
    assert.equal(await stat("NumberOfEmptyReceives"), 1);
    assert.equal(await stat("ApproximateNumberOfMessagesVisible", "Maximum"), 0);
    assert.equal(await stat("ApproximateNumberOfMessagesNotVisible", "Maximum"), 1);
    assert.equal(await stat("ApproximateNumberOfMessagesDelayed", "Maximum"), 1);
    assert.equal(await stat("ApproximateAgeOfOldestMessage", "Maximum"), 60);
  } finally {
    await s.close();
  }
});

test("AWS/SNS: messages published and their size, notifications delivered, by TopicName", async () => {
  const account = randomAccount();
  const sns = server.client(SNSClient, { account });
  const sqs = server.client(SQSClient, { account });
  const cw = server.client(CloudWatchClient, { account });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "measured-topic" }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "measured-subscriber" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));
  const start = Date.now();
  await sns.send(new PublishCommand({ TopicArn, Message: "one" }));
  await sns.send(new PublishCommand({ TopicArn, Message: "three" }));
  const sum = async (MetricName: string) =>
    (
      await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "AWS/SNS",
          MetricName,
          Dimensions: [{ Name: "TopicName", Value: "measured-topic" }],
          StartTime: new Date(start - 120_000),
          EndTime: new Date(Date.now() + 120_000),
          Period: 3600,
          Statistics: ["Sum"],
        }),
      )
    ).Datapoints?.[0]?.Sum;
  await eventually(async () => assert.equal(await sum("NumberOfNotificationsDelivered"), 2));
  assert.equal(await sum("NumberOfMessagesPublished"), 2);
  assert.equal(await sum("PublishSize"), 3 + 5);
});

test("AWS/Logs: IncomingLogEvents and IncomingBytes by LogGroupName", async () => {
  const account = randomAccount();
  const logs = server.client(CloudWatchLogsClient, { account });
  const cw = server.client(CloudWatchClient, { account });
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/measured/logs" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/measured/logs", logStreamName: "s" }));
  const now = Date.now();
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: "/measured/logs",
      logStreamName: "s",
      logEvents: [
        { timestamp: now, message: "one" },
        { timestamp: now, message: "two" },
        { timestamp: now, message: "three" },
      ],
    }),
  );
  const sum = async (MetricName: string) =>
    (
      await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "AWS/Logs",
          MetricName,
          Dimensions: [{ Name: "LogGroupName", Value: "/measured/logs" }],
          StartTime: new Date(now - 120_000),
          EndTime: new Date(Date.now() + 120_000),
          Period: 3600,
          Statistics: ["Sum"],
        }),
      )
    ).Datapoints?.[0]?.Sum;
  await eventually(async () => assert.equal(await sum("IncomingLogEvents"), 3));
  assert.equal(await sum("IncomingBytes"), 3 + 3 + 5);
});

test("AWS/ApiGateway: Count, 4XXError, 5XXError, Latency and IntegrationLatency of a REST API, by ApiName and by ApiName and Stage", async () => {
  const api = await restApi(server);
  const cw = server.client(CloudWatchClient, { account: api.account });
  await api.method("/ok", "GET", {
    integration: { type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } },
    responses: [{ statusCode: "200", responseTemplates: { "application/json": '{"ok": true}' } }],
  });
  await api.deploy("dev");
  const start = Date.now();
  assert.equal((await call(server, api.id, "/ok", { stage: "dev" })).status, 200);
  assert.equal((await call(server, api.id, "/ok", { stage: "dev" })).status, 200);
  assert.equal((await call(server, api.id, "/missing", { stage: "dev" })).status, 403);
  const stat = async (MetricName: string, Dimensions: { Name: string; Value: string }[], Statistic: "Sum" | "SampleCount" = "Sum") =>
    (
      await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "AWS/ApiGateway",
          MetricName,
          Dimensions,
          StartTime: new Date(start - 120_000),
          EndTime: new Date(Date.now() + 120_000),
          Period: 3600,
          Statistics: [Statistic],
        }),
      )
    ).Datapoints?.[0]?.[Statistic];
  const byApi = [{ Name: "ApiName", Value: "integrations" }];
  const byStage = [...byApi, { Name: "Stage", Value: "dev" }];
  await eventually(async () => assert.equal(await stat("Count", byApi), 3));
  assert.equal(await stat("Count", byStage), 3);
  assert.equal(await stat("4XXError", byStage), 1);
  assert.equal(await stat("5XXError", byStage), 0);
  assert.equal(await stat("Latency", byStage, "SampleCount"), 3);
  // Only the requests that reached an integration have an integration latency.
  assert.equal(await stat("IntegrationLatency", byStage, "SampleCount"), 2);
});

test("AWS/ApiGateway: an HTTP API's Count, 4xx and DataProcessed (the request's and the response's bodies) by ApiId and Stage", async () => {
  const account = randomAccount();
  const v2 = server.client(ApiGatewayV2Client, { account });
  const cw = server.client(CloudWatchClient, { account });
  const { ApiId } = await v2.send(new CreateApiCommand({ Name: "measured-http", ProtocolType: "HTTP" }));
  // A route, so the auto-deployed stage has a deployment to serve (the request matches none of it).
  await v2.send(new CreateRouteCommand({ ApiId, RouteKey: "GET /somewhere" }));
  await v2.send(new CreateStageCommand({ ApiId, StageName: "$default", AutoDeploy: true }));
  const start = Date.now();
  const r = await httpCall(server, ApiId!, "/nowhere", { method: "POST", body: "four" });
  assert.equal(r.status, 404);
  const stat = async (MetricName: string, Dimensions: { Name: string; Value: string }[]) =>
    (
      await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "AWS/ApiGateway",
          MetricName,
          Dimensions,
          StartTime: new Date(start - 120_000),
          EndTime: new Date(Date.now() + 120_000),
          Period: 3600,
          Statistics: ["Sum"],
        }),
      )
    ).Datapoints?.[0];
  const api = [{ Name: "ApiId", Value: ApiId! }];
  await eventually(async () => assert.equal((await stat("Count", api))?.Sum, 1));
  assert.equal((await stat("4xx", api))?.Sum, 1);
  const data = await stat("DataProcessed", [...api, { Name: "Stage", Value: "$default" }]);
  assert.deepEqual([data?.Sum, data?.Unit], [4 + r.body.length, "Bytes"]);
});
