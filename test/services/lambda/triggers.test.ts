// Lambda end to end with the services that call it: SNS subscriptions, S3 event notifications and Secrets
// Manager rotation invoke real functions, which use the AWS SDK inside (pointed at Stratus by their
// environment) to report what they received to an SQS queue; and the function's log reaches CloudWatch Logs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AddPermissionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageCommand } from "@aws-sdk/client-sqs";
import { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import {
  S3Client,
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  GetBucketNotificationConfigurationCommand,
} from "@aws-sdk/client-s3";
import {
  SecretsManagerClient,
  CreateSecretCommand,
  RotateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  DescribeSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { CloudWatchLogsClient, FilterLogEventsCommand, DescribeLogStreamsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { useServer } from "../../helpers/server.js";
import { pythonMissing } from "../../helpers/python.js";
import { WAIT_MS } from "../../helpers/wait.js";
import { PYTHON_ROTATOR, createFunction, json, lambdaEnv, payload, type LambdaEnv } from "./setup.js";

const server = useServer();

/** A function that sends every event it receives, as JSON, to the queue in $RESULTS, with the SDK inside. */
const RECORDER = `
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event, context) => {
  console.log("recording event for", context.functionName);
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS, MessageBody: JSON.stringify(event) }));
  return { recorded: true };
};
`;

interface Results {
  url: string;
  /** The next recorded event (long polls until one arrives or the deadline passes). */
  next(timeoutMs?: number): Promise<Record<string, any>>;
}

async function resultsQueue(env: LambdaEnv, name: string): Promise<Results> {
  const sqs = server.client(SQSClient, { account: env.account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return {
    url: QueueUrl!,
    async next(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 1 }));
        const m = Messages?.[0];
        if (m) {
          await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
          return JSON.parse(m.Body!);
        }
      }
      throw new Error(`nothing arrived on ${name} within ${timeoutMs} ms`);
    },
  };
}

async function recorder(env: LambdaEnv, name: string): Promise<{ arn: string; results: Results }> {
  const results = await resultsQueue(env, `${name}-results`);
  const out = await createFunction(env, {
    FunctionName: name,
    code: { "index.mjs": RECORDER },
    Environment: { Variables: { RESULTS: results.url } },
    Timeout: 15,
  });
  return { arn: out.FunctionArn!, results };
}

test("SNS: a lambda subscription invokes the function with SNS's event; the SDK inside the function reaches SQS", async () => {
  const env = await lambdaEnv(server);
  const { arn, results } = await recorder(env, "sns-target");
  const sns = server.client(SNSClient, { account: env.account });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "to-lambda" }));
  // As a deployment must on AWS: the function's resource policy lets SNS invoke it for this topic.
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "sns-target",
      StatementId: "sns",
      Action: "lambda:InvokeFunction",
      Principal: "sns.amazonaws.com",
      SourceArn: TopicArn,
    }),
  );
  const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: arn, ReturnSubscriptionArn: true }));
  // Lambda subscriptions need no confirmation.
  const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.deepEqual(
    Subscriptions?.map((s) => [s.Protocol, s.Endpoint, s.SubscriptionArn]),
    [["lambda", arn, SubscriptionArn]],
  );

  const { MessageId } = await sns.send(
    new PublishCommand({
      TopicArn,
      Subject: "greetings",
      Message: "hello, function",
      MessageAttributes: { colour: { DataType: "String", StringValue: "blue" }, count: { DataType: "Number", StringValue: "3" } },
    }),
  );
  const event = await results.next();
  assert.equal(event.Records.length, 1);
  const r = event.Records[0];
  assert.equal(r.EventSource, "aws:sns");
  assert.equal(r.EventVersion, "1.0");
  assert.equal(r.EventSubscriptionArn, SubscriptionArn);
  const s = r.Sns;
  assert.equal(s.Type, "Notification");
  assert.equal(s.MessageId, MessageId);
  assert.equal(s.TopicArn, TopicArn);
  assert.equal(s.Subject, "greetings");
  assert.equal(s.Message, "hello, function");
  assert.match(s.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(s.SignatureVersion, "1");
  assert.ok(Buffer.from(s.Signature, "base64").length >= 128, "a real RSA signature");
  // Lambda's event spells these "Url", not "URL" as the HTTP/SQS envelope does.
  assert.match(s.SigningCertUrl, /^http.*\.pem$/);
  assert.match(s.UnsubscribeUrl, /Action=Unsubscribe&SubscriptionArn=/);
  assert.ok(s.UnsubscribeUrl.includes(encodeURIComponent(SubscriptionArn!)));
  assert.equal(s.SigningCertURL, undefined);
  assert.equal(s.UnsubscribeURL, undefined);
  assert.deepEqual(s.MessageAttributes, { colour: { Type: "String", Value: "blue" }, count: { Type: "Number", Value: "3" } });

  // Without a subject or attributes: Subject is null and MessageAttributes empty, as AWS sends them.
  await sns.send(new PublishCommand({ TopicArn, Message: "plain" }));
  const plain = (await results.next()).Records[0].Sns;
  assert.equal(plain.Message, "plain");
  assert.equal(plain.Subject, null);
  assert.deepEqual(plain.MessageAttributes, {});
});

test("S3: LambdaFunctionConfigurations with a prefix filter invoke the function with S3's event", async () => {
  const env = await lambdaEnv(server);
  const { arn, results } = await recorder(env, "s3-target");
  const s3 = server.client(S3Client, { account: env.account }, { forcePathStyle: true });
  const Bucket = `lambda-trigger-${env.account}`;
  await s3.send(new CreateBucketCommand({ Bucket }));
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "s3-target",
      StatementId: "s3",
      Action: "lambda:InvokeFunction",
      Principal: "s3.amazonaws.com",
      SourceArn: `arn:aws:s3:::${Bucket}`,
      SourceAccount: env.account,
    }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          { Id: "uploads", LambdaFunctionArn: arn, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "uploads/" }] } } },
        ],
      },
    }),
  );
  const conf = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));
  assert.equal(conf.LambdaFunctionConfigurations?.[0]?.LambdaFunctionArn, arn);

  // Outside the prefix: no invocation. Inside: one, with the object's key, size and ETag.
  await s3.send(new PutObjectCommand({ Bucket, Key: "other/skip.txt", Body: "ignored" }));
  const put = await s3.send(new PutObjectCommand({ Bucket, Key: "uploads/photo 1.jpg", Body: "twelve bytes" }));
  const event = await results.next();
  assert.equal(event.Records.length, 1);
  const r = event.Records[0];
  assert.equal(r.eventSource, "aws:s3");
  assert.equal(r.eventName, "ObjectCreated:Put");
  assert.equal(r.awsRegion, "us-east-1");
  assert.equal(r.s3.configurationId, "uploads");
  assert.equal(r.s3.bucket.name, Bucket);
  assert.equal(r.s3.bucket.arn, `arn:aws:s3:::${Bucket}`);
  assert.equal(r.s3.object.key, "uploads/photo+1.jpg");
  assert.equal(r.s3.object.size, 12);
  assert.equal(r.s3.object.eTag, put.ETag!.replace(/"/g, ""));
  // The first event the function saw was the matching write: no s3:TestEvent, nothing for other/.
  await assert.rejects(results.next(2500), /nothing arrived/);
});

test("Secrets Manager: RotateSecret runs a Python rotation function's four steps (boto3 inside the function)", { skip: pythonMissing() }, async () => {
  const env = await lambdaEnv(server);
  const fn = await createFunction(env, {
    FunctionName: "rotator",
    Runtime: "python3.12",
    Handler: "rotate.handler",
    code: { "rotate.py": PYTHON_ROTATOR },
    Timeout: 30,
  });
  await env.lambda.send(
    new AddPermissionCommand({ FunctionName: "rotator", StatementId: "secrets", Action: "lambda:InvokeFunction", Principal: "secretsmanager.amazonaws.com" }),
  );
  const sm = server.client(SecretsManagerClient, { account: env.account });
  const created = await sm.send(new CreateSecretCommand({ Name: "db/creds", SecretString: JSON.stringify({ user: "app", password: "first" }) }));
  const token = "11111111-2222-4333-8444-555555555555";
  const rotated = await sm.send(
    new RotateSecretCommand({
      SecretId: "db/creds",
      RotationLambdaARN: fn.FunctionArn,
      RotateImmediately: true,
      ClientRequestToken: token,
      RotationRules: { AutomaticallyAfterDays: 30 },
    }),
  );
  assert.equal(rotated.VersionId, token);
  assert.equal(rotated.ARN, created.ARN);

  const now = await sm.send(new GetSecretValueCommand({ SecretId: "db/creds" }));
  assert.equal(now.VersionId, token);
  assert.deepEqual(JSON.parse(now.SecretString!), { user: "app", password: "rotated-11111111" });
  // AWSPENDING may stay on the new current version after a successful rotation (the API reference says so).
  assert.deepEqual([...(now.VersionStages ?? [])].sort(), ["AWSCURRENT", "AWSPENDING"]);
  const previous = await sm.send(new GetSecretValueCommand({ SecretId: "db/creds", VersionStage: "AWSPREVIOUS" }));
  assert.equal(previous.VersionId, created.VersionId);
  assert.equal(JSON.parse(previous.SecretString!).password, "first");

  const { Versions } = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "db/creds" }));
  const stages = Object.fromEntries((Versions ?? []).map((v) => [v.VersionId, [...(v.VersionStages ?? [])].sort()]));
  assert.deepEqual(stages[token], ["AWSCURRENT", "AWSPENDING"]);
  assert.deepEqual(stages[created.VersionId!], ["AWSPREVIOUS"]);
  const d = await sm.send(new DescribeSecretCommand({ SecretId: "db/creds" }));
  assert.equal(d.RotationEnabled, true);
  assert.equal(d.RotationLambdaARN, fn.FunctionArn);
  assert.ok(d.LastRotatedDate instanceof Date);

  // The function's log holds one line per step, in order.
  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  const steps = await pollLogs(logs, "/aws/lambda/rotator", (ms) => ms.filter((m) => m.includes("rotation step")).length >= 4);
  assert.deepEqual(
    steps.filter((m) => m.includes("rotation step")).map((m) => m.trim()),
    ["rotation step createSecret", "rotation step setSecret", "rotation step testSecret", "rotation step finishSecret"],
  );
});

/** Reads a log group's messages (FilterLogEvents) until `done` says they are all there. */
async function pollLogs(logs: CloudWatchLogsClient, group: string, done: (messages: string[]) => boolean): Promise<string[]> {
  let messages: string[] = [];
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    try {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
      messages = (out.events ?? []).map((e) => e.message!);
      if (done(messages)) return messages;
    } catch (e) {
      if ((e as Error).name !== "ResourceNotFoundException") throw e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`log group ${group} did not get the expected lines; it has:\n${messages.join("\n")}`);
}

test("function logs reach CloudWatch Logs: START, the console.log line in Lambda's format, END, REPORT", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "logger",
    code: { "index.mjs": `export const handler = async (e) => { console.log("hello from", e.who); console.error("a warning"); return 1; };` },
  });
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "logger", Payload: payload({ who: "the test" }) }));
  assert.equal(json(out.Payload), 1);
  const requestId = out.$metadata.requestId!;
  assert.match(requestId, /^[0-9a-f-]{36}$/);

  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  const messages = await pollLogs(logs, "/aws/lambda/logger", (ms) => ms.some((m) => m.startsWith("REPORT RequestId:")));
  const at = (re: RegExp) => messages.findIndex((m) => re.test(m));
  const start = at(new RegExp(`^START RequestId: ${requestId} Version: \\$LATEST`));
  const line = at(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${requestId}\\tINFO\\thello from the test\\n?$`));
  const warn = at(new RegExp(`^\\d{4}-[^\\t]+Z\\t${requestId}\\tERROR\\ta warning\\n?$`));
  const end = at(new RegExp(`^END RequestId: ${requestId}`));
  const report = at(
    new RegExp(
      `^REPORT RequestId: ${requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms`,
    ),
  );
  assert.ok(start >= 0 && line > start && warn > start && end > Math.max(line, warn) && report > end, `unexpected log:\n${messages.join("\n")}`);

  // One stream per execution environment, named date/[version]id, readable with GetLogEvents too.
  const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/logger" }));
  assert.equal(logStreams?.length, 1);
  assert.match(logStreams![0]!.logStreamName!, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  const { events } = await logs.send(
    new GetLogEventsCommand({ logGroupName: "/aws/lambda/logger", logStreamName: logStreams![0]!.logStreamName, startFromHead: true }),
  );
  assert.deepEqual(
    events?.map((e) => e.message),
    messages,
  );
});
