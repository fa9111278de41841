// A custom resource's pending request is durable: a server restarted while a stack deletion waits for the
// provider's response keeps waiting for the same request (no second Delete is sent), and the response PUT to
// the ResponseURL after the restart completes the deletion. And the waits on the runtime clock (ManualClock):
// AWS's one-hour default timeout, and the ResponseURL's two-hour expiry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from "@aws-sdk/client-cloudformation";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";

type CrEvent = { RequestType: string; ResponseURL: string; RequestId: string; StackId: string; PhysicalResourceId?: string };

async function next(sqs: SQSClient, url: string, ms = 20_000): Promise<CrEvent[]> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
    for (const m of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    if (Messages.length) return Messages.map((m) => JSON.parse((JSON.parse(m.Body!) as { Message: string }).Message) as CrEvent);
  }
  return [];
}

const answer = (url: string, e: CrEvent) =>
  fetch(url, {
    method: "PUT",
    body: JSON.stringify({ Status: "SUCCESS", PhysicalResourceId: "durable", StackId: e.StackId, RequestId: e.RequestId, LogicalResourceId: "Thing" }),
  });

test("a Delete awaiting its response survives a restart and completes when the response arrives", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-cr-"));
  const account = randomAccount();
  let s = await startTestServer({ dataDir });
  try {
    let c = s.clientConfig({ account });
    let sqs = new SQSClient(c);
    const sns = new SNSClient(c);
    const topic = (await sns.send(new CreateTopicCommand({ Name: "durable" }))).TopicArn!;
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: "durable" }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
    const policy = { Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: arn }] };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue, Attributes: { Policy: JSON.stringify(policy) } }));
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: arn }));

    let cfn = new CloudFormationClient(c);
    await cfn.send(
      new CreateStackCommand({
        StackName: "durable",
        TemplateBody: JSON.stringify({ Resources: { Thing: { Type: "Custom::Durable", Properties: { ServiceToken: topic } } } }),
      }),
    );
    const [create] = await next(sqs, queue);
    assert.equal((await answer(create.ResponseURL, create)).status, 200);
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "durable" });

    await cfn.send(new DeleteStackCommand({ StackName: "durable" }));
    const [del] = await next(sqs, queue);
    assert.deepEqual([del.RequestType, del.PhysicalResourceId], ["Delete", "durable"]);
    await s.close();

    s = await startTestServer({ dataDir });
    c = s.clientConfig({ account });
    sqs = new SQSClient(c);
    cfn = new CloudFormationClient(c);
    const [d] = (await cfn.send(new DescribeStacksCommand({ StackName: "durable" }))).Stacks!;
    assert.equal(d.StackStatus, "DELETE_IN_PROGRESS");
    // The same request is still awaited: nothing is sent again, and its ResponseURL (on this server) completes it.
    assert.deepEqual(await next(sqs, queue, 3000), []);
    const url = new URL(del.ResponseURL);
    assert.equal((await answer(`${s.url}${url.pathname}${url.search}`, del)).status, 200);
    await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "durable" });
  } finally {
    await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("on the runtime clock: a custom resource waits an hour by default, then fails; its ResponseURL expires after two", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
  const s = await startTestServer({ clock });
  try {
    const c = s.clientConfig({ account: randomAccount() });
    const sqs = new SQSClient(c);
    const sns = new SNSClient(c);
    const cfn = new CloudFormationClient(c);
    const topic = (await sns.send(new CreateTopicCommand({ Name: "clocked" }))).TopicArn!;
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: "clocked" }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
    const policy = { Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: arn }] };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue, Attributes: { Policy: JSON.stringify(policy) } }));
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: arn }));
    await cfn.send(
      new CreateStackCommand({
        StackName: "clocked",
        OnFailure: "DO_NOTHING",
        TemplateBody: JSON.stringify({ Resources: { Thing: { Type: "Custom::Clocked", Properties: { ServiceToken: topic } } } }),
      }),
    );
    const [event] = await next(sqs, queue);
    const status = async () => (await cfn.send(new DescribeStacksCommand({ StackName: "clocked" }))).Stacks![0].StackStatus;
    clock.advance(3599_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await status(), "CREATE_IN_PROGRESS");
    clock.advance(2000);
    await eventually(async () => assert.equal(await status(), "CREATE_FAILED"), 10_000, 100);
    const r = (await cfn.send(new DescribeStackResourceCommand({ StackName: "clocked", LogicalResourceId: "Thing" }))).StackResourceDetail!;
    assert.equal(
      r.ResourceStatusReason,
      `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${event.RequestId}]. If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.`,
    );
    // Two hours after it was made, the URL is refused as S3 refuses an expired presigned URL.
    clock.advance(3600_000);
    const late = await answer(event.ResponseURL, event);
    assert.equal(late.status, 403);
    const xml = await late.text();
    assert.match(
      xml,
      /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message><X-Amz-Expires>7200<\/X-Amz-Expires><Expires>2026-01-05T14:00:00.000Z<\/Expires>/,
    );
  } finally {
    await s.close();
  }
});
