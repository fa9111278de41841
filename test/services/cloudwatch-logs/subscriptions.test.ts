// Subscription filters through the real SDK: put/describe/delete with AWS's recorded errors and limits, and delivery of
// matching events to a real Lambda function with AWS's awslogs payload (gzip, base64), checked by decoding what the
// function received. Kinesis/Firehose destinations cannot exist here and are refused, never accepted silently.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageCommand } from "@aws-sdk/client-sqs";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteSubscriptionFilterCommand,
  DescribeSubscriptionFiltersCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";

const server = useServer();

const RECORDER = `
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS, MessageBody: JSON.stringify(event) }));
  return {};
};
`;

test("errors as AWS records them: unknown group or filter, cross-account function, Kinesis without a role, a third filter", async () => {
  const account = randomAccount();
  const logs = server.client(CloudWatchLogsClient, { account });
  const fn = `arn:aws:lambda:us-east-1:${account}:function:nothing`;
  await rejects(
    logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "nope" })),
    "ResourceNotFoundException",
    400,
    "The specified log group does not exist.",
  );
  await rejects(
    logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: "nope", filterName: "f" })),
    "ResourceNotFoundException",
    400,
    "The specified log group does not exist.",
  );
  // A function of another account is refused before the group is even looked up.
  await rejects(
    logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: "nope",
        filterName: "f",
        filterPattern: "",
        destinationArn: "arn:aws:lambda:us-east-1:123456789012:function:test",
      }),
    ),
    "AccessDeniedException",
    400,
    "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers.",
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/sub/errors" }));
  assert.deepEqual((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/sub/errors" }))).subscriptionFilters, []);
  await rejects(
    logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: "/sub/errors", filterName: "wrong-filter-name" })),
    "ResourceNotFoundException",
    400,
    "The specified subscription filter does not exist.",
  );
  await rejects(
    logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: "/sub/errors",
        filterName: "f",
        filterPattern: "",
        destinationArn: `arn:aws:kinesis:us-east-1:${account}:stream/unknown-stream`,
      }),
    ),
    "InvalidParameterException",
    400,
    "destinationArn for vendor kinesis cannot be used without roleArn",
  );
  for (const destinationArn of [`arn:aws:kinesis:us-east-1:${account}:stream/s`, `arn:aws:firehose:us-east-1:${account}:deliverystream/d`]) {
    await rejects(
      logs.send(
        new PutSubscriptionFilterCommand({
          logGroupName: "/sub/errors",
          filterName: "f",
          filterPattern: "",
          destinationArn,
          roleArn: `arn:aws:iam::${account}:role/r`,
        }),
      ),
      "InvalidParameterException",
      400,
      "Could not deliver test message to specified destination. Check if the destination is valid.",
    );
  }
  // The function does not exist (or does not let CloudWatch Logs invoke it).
  await rejects(
    logs.send(new PutSubscriptionFilterCommand({ logGroupName: "/sub/errors", filterName: "f", filterPattern: "", destinationArn: fn })),
    "InvalidParameterException",
    400,
    "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
  );
  await rejects(
    logs.send(new PutSubscriptionFilterCommand({ logGroupName: "/sub/errors", filterName: "f", filterPattern: "{ $.a = ", destinationArn: fn })),
    "InvalidParameterException",
    400,
  );
  assert.deepEqual((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/sub/errors" }))).subscriptionFilters, []);
});

test("a Lambda subscription receives the matching events as AWS sends them; limits, update, describe and delete", async () => {
  const env = await lambdaEnv(server);
  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  const sqs = server.client(SQSClient, { account: env.account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "sub-results" }));
  const fn = await createFunction(env, {
    FunctionName: "sub-recorder",
    code: { "index.mjs": RECORDER },
    Environment: { Variables: { RESULTS: QueueUrl! } },
    Timeout: 15,
  });
  const group = "/sub/app";
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "main" }));

  const put = (filterName: string, filterPattern: string) =>
    logs.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName, filterPattern, destinationArn: fn.FunctionArn! }));
  // Without a grant to CloudWatch Logs the function cannot be a destination.
  await rejects(put("errors", "ERROR"), "InvalidParameterException", 400);
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "sub-recorder",
      StatementId: "logs",
      Principal: "logs.us-east-1.amazonaws.com",
      Action: "lambda:InvokeFunction",
      SourceArn: `arn:aws:logs:us-east-1:${env.account}:log-group:${group}:*`,
      SourceAccount: env.account,
    }),
  );
  await put("errors", "ERROR");
  await put("second", "[]");
  await rejects(put("third", ""), "LimitExceededException", 400, "Resource limit exceeded.");
  // Updating an existing filter at the limit is allowed.
  await put("second", "NEVERMATCHES");
  const described = (await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group }))).subscriptionFilters!;
  assert.deepEqual(
    described.map((f) => [f.filterName, f.filterPattern, f.destinationArn, f.distribution, f.applyOnTransformedLogs, f.logGroupName]),
    [
      ["errors", "ERROR", fn.FunctionArn, "ByLogStream", false, group],
      ["second", "NEVERMATCHES", fn.FunctionArn, "ByLogStream", false, group],
    ],
  );
  assert.ok(described[0].creationTime! > 0);
  assert.deepEqual(
    (await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group, filterNamePrefix: "err" }))).subscriptionFilters!.map((f) => f.filterName),
    ["errors"],
  );
  const first = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group, limit: 1 }));
  assert.deepEqual(
    first.subscriptionFilters!.map((f) => f.filterName),
    ["errors"],
  );
  const rest = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group, limit: 1, nextToken: first.nextToken }));
  assert.deepEqual([rest.subscriptionFilters!.map((f) => f.filterName), rest.nextToken], [["second"], undefined]);

  const now = Date.now();
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: "main",
      logEvents: [
        { timestamp: now - 2, message: "ERROR disk full" },
        { timestamp: now - 1, message: "INFO all good" },
        { timestamp: now, message: "ERROR again" },
      ],
    }),
  );
  const event = await nextMessage(sqs, QueueUrl!);
  const data = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8"));
  assert.deepEqual(
    { ...data, logEvents: data.logEvents.map((e: { message: string; timestamp: number }) => [e.timestamp, e.message]) },
    {
      messageType: "DATA_MESSAGE",
      owner: env.account,
      logGroup: group,
      logStream: "main",
      subscriptionFilters: ["errors"],
      logEvents: [
        [now - 2, "ERROR disk full"],
        [now, "ERROR again"],
      ],
    },
  );
  // The ids are the events' ids, as FilterLogEvents gives them.
  const filtered = (await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: "ERROR" }))).events!;
  assert.deepEqual(
    data.logEvents.map((e: { id: string }) => e.id),
    filtered.map((e) => e.eventId),
  );

  await logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: group, filterName: "errors" }));
  await logs.send(
    new PutLogEventsCommand({ logGroupName: group, logStreamName: "main", logEvents: [{ timestamp: Date.now(), message: "ERROR unsubscribed" }] }),
  );
  await assert.rejects(nextMessage(sqs, QueueUrl!, 3_000), /nothing arrived/);

  // Filters go with their group.
  await logs.send(new DeleteLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  assert.deepEqual((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group }))).subscriptionFilters, []);
});

async function nextMessage(sqs: SQSClient, QueueUrl: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }));
    const m = Messages?.[0];
    if (m) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      return JSON.parse(m.Body!);
    }
  }
  throw new Error(`nothing arrived within ${timeoutMs} ms`);
}
