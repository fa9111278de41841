// AWS::Logs::SubscriptionFilter and AWS::Logs::MetricFilter through CloudFormation. A stack with a log group, a
// function (inline ZipFile code), the permission for CloudWatch Logs to invoke it and a subscription filter — the
// filter's Ref is its name, matching events put to the group reach the function with AWS's awslogs payload, an update
// changes the pattern in place, and DeleteStack removes the filter. A metric filter with dimensions from a JSON
// pattern: created (its template Dimensions list a map in the API), updated, deleted with the stack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeSubscriptionFiltersCommand,
  PutLogEventsCommand,
  CreateLogStreamCommand,
  DescribeMetricFiltersCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

const SOURCE = `const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");
const sqs = new SQSClient({});
exports.handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS, MessageBody: JSON.stringify(event) }));
  return {};
};`;

const template = (pattern: string, results: string) =>
  JSON.stringify({
    Resources: {
      Role: {
        Type: "AWS::IAM::Role",
        Properties: {
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
          },
        },
      },
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Role: { "Fn::GetAtt": ["Role", "Arn"] },
          Code: { ZipFile: SOURCE },
          Environment: { Variables: { RESULTS: results } },
        },
      },
      Group: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: "/cfn/subscribed" } },
      Permission: {
        Type: "AWS::Lambda::Permission",
        Properties: {
          FunctionName: { Ref: "Fn" },
          Action: "lambda:InvokeFunction",
          Principal: "logs.amazonaws.com",
          SourceArn: { "Fn::GetAtt": ["Group", "Arn"] },
        },
      },
      Filter: {
        Type: "AWS::Logs::SubscriptionFilter",
        DependsOn: "Permission",
        Properties: { LogGroupName: { Ref: "Group" }, FilterPattern: pattern, DestinationArn: { "Fn::GetAtt": ["Fn", "Arn"] } },
      },
    },
    Outputs: { FilterName: { Value: { Ref: "Filter" } } },
  });

test("AWS::Logs::SubscriptionFilter: created with its Ref the filter's name, delivering matching events to a function; updated in place; deleted with the stack", async () => {
  const c = server.clientConfig({ account: randomAccount() });
  const cfn = new CloudFormationClient(c);
  const logs = new CloudWatchLogsClient(c);
  const sqs = new SQSClient(c);
  const wait = { client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "subscription-results" }));

  await cfn.send(new CreateStackCommand({ StackName: "subs", TemplateBody: template("ERROR", QueueUrl!), Capabilities: ["CAPABILITY_IAM"] }));
  await waitUntilStackCreateComplete(wait, { StackName: "subs" });
  const name = (await cfn.send(new DescribeStacksCommand({ StackName: "subs" }))).Stacks![0].Outputs!.find((o) => o.OutputKey === "FilterName")!.OutputValue!;
  assert.match(name, /^subs-Filter-[A-Z0-9]{12}$/);
  const described = async () => (await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/cfn/subscribed" }))).subscriptionFilters ?? [];
  const [filter] = await described();
  assert.equal(filter.filterName, name);
  assert.equal(filter.filterPattern, "ERROR");
  assert.match(filter.destinationArn ?? "", /^arn:aws:lambda:us-east-1:\d{12}:function:subs-Fn-/);

  await logs.send(new CreateLogStreamCommand({ logGroupName: "/cfn/subscribed", logStreamName: "s" }));
  const now = Date.now();
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: "/cfn/subscribed",
      logStreamName: "s",
      logEvents: [
        { timestamp: now, message: "ERROR one" },
        { timestamp: now, message: "info two" },
      ],
    }),
  );
  let body: string | undefined;
  for (let i = 0; i < 20 && !body; i++) {
    body = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0]?.Body;
  }
  assert.ok(body, "the function received the subscription's events");
  const payload = JSON.parse(gunzipSync(Buffer.from(JSON.parse(body).awslogs.data, "base64")).toString("utf8"));
  assert.equal(payload.logGroup, "/cfn/subscribed");
  assert.deepEqual(payload.subscriptionFilters, [name]);
  assert.deepEqual(
    payload.logEvents.map((e: { message: string }) => e.message),
    ["ERROR one"],
  );

  await cfn.send(new UpdateStackCommand({ StackName: "subs", TemplateBody: template("info", QueueUrl!), Capabilities: ["CAPABILITY_IAM"] }));
  await waitUntilStackUpdateComplete(wait, { StackName: "subs" });
  const [updated] = await described();
  assert.equal(updated.filterName, name);
  assert.equal(updated.filterPattern, "info");

  await cfn.send(new DeleteStackCommand({ StackName: "subs" }));
  await waitUntilStackDeleteComplete(wait, { StackName: "subs" });
  // The group went with the stack; made again, it has no filter left.
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/cfn/subscribed" }));
  assert.deepEqual(await described(), []);
});

const metricTemplate = (pattern: string) =>
  JSON.stringify({
    Resources: {
      Group: { Type: "AWS::Logs::LogGroup" },
      Latency: {
        Type: "AWS::Logs::MetricFilter",
        Properties: {
          LogGroupName: { Ref: "Group" },
          FilterPattern: pattern,
          MetricTransformations: [
            { MetricNamespace: "App", MetricName: "Latency", MetricValue: "$.latency", Unit: "Milliseconds", Dimensions: [{ Key: "Route", Value: "$.route" }] },
          ],
        },
      },
    },
    Outputs: { FilterName: { Value: { Ref: "Latency" } }, GroupName: { Value: { Ref: "Group" } } },
  });

test("AWS::Logs::MetricFilter: created with its Ref the filter's name and the template's dimensions, updated in place, deleted with the stack", async () => {
  const c = server.clientConfig({ account: randomAccount() });
  const cfn = new CloudFormationClient(c);
  const logs = new CloudWatchLogsClient(c);
  const wait = { client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
  await cfn.send(new CreateStackCommand({ StackName: "metrics", TemplateBody: metricTemplate("{ $.latency = * }") }));
  await waitUntilStackCreateComplete(wait, { StackName: "metrics" });
  const outputs = Object.fromEntries(
    ((await cfn.send(new DescribeStacksCommand({ StackName: "metrics" }))).Stacks![0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
  );
  assert.match(outputs.FilterName ?? "", /^metrics-Latency-[A-Z0-9]{12}$/);
  const described = async () => (await logs.send(new DescribeMetricFiltersCommand({ logGroupName: outputs.GroupName }))).metricFilters ?? [];
  const [f] = await described();
  assert.equal(f.filterName, outputs.FilterName);
  assert.equal(f.filterPattern, "{ $.latency = * }");
  assert.deepEqual(f.metricTransformations, [
    { metricNamespace: "App", metricName: "Latency", metricValue: "$.latency", unit: "Milliseconds", dimensions: { Route: "$.route" } },
  ]);

  await cfn.send(new UpdateStackCommand({ StackName: "metrics", TemplateBody: metricTemplate("{ $.latency > 0 }") }));
  await waitUntilStackUpdateComplete(wait, { StackName: "metrics" });
  const [updated] = await described();
  assert.equal(updated.filterName, outputs.FilterName);
  assert.equal(updated.filterPattern, "{ $.latency > 0 }");

  await cfn.send(new DeleteStackCommand({ StackName: "metrics" }));
  await waitUntilStackDeleteComplete(wait, { StackName: "metrics" });
  assert.deepEqual((await logs.send(new DescribeMetricFiltersCommand({ metricName: "Latency", metricNamespace: "App" }))).metricFilters, []);
});
