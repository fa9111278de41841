// Shared by the alarm tests: an SNS topic delivering to an SQS queue, reading what arrived, CloudWatch's query-era error
// codes, and `aws cloudwatch …` for one fresh account through a given CLI.
import assert from "node:assert/strict";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type AwsCli, runAws } from "../../helpers/aws-cli.js";
import { randomAccount, type TestServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";

export async function queueWithTopic(s: TestServer, account: string, name = "composite") {
  const sqs = new SQSClient(s.clientConfig({ account }));
  const sns = new SNSClient(s.clientConfig({ account }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-topic` }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));
  return { sqs, QueueUrl: QueueUrl!, TopicArn: TopicArn! };
}

export async function receiveAll(sqs: SQSClient, QueueUrl: string, n: number) {
  return eventually(async () => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 }));
    assert.equal(Messages.length, n);
    // Read once: later reads see only what arrives after.
    for (const m of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    return Messages.map((m) => JSON.parse(m.Body!));
  });
}

/** Asserts a CloudWatch call failed with AWS's query-era error code (x-amzn-query-error, as the SDK exposes it) and message. */
export const rejectsCode = async (p: Promise<unknown>, code: string, message: string | RegExp) =>
  assert.rejects(p, (e: Error & { Code?: string }) => {
    assert.equal(e.Code ?? e.name, code);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });

/** `aws cloudwatch <args>` with `cli` for a fresh account: its JSON output ({} when empty); a failure fails the test. */
export function cloudwatchCli(cli: AwsCli, url: string) {
  const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
  return async (...args: string[]) => {
    const r = await runAws(cli, url, ["cloudwatch", ...args], creds);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim() ? JSON.parse(r.stdout) : {};
  };
}
