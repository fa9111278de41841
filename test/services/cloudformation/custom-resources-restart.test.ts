// A custom resource's pending request is durable: a server restarted while a stack deletion waits for the
// provider's response keeps waiting for the same request (no second Delete is sent), and the response PUT to
// the ResponseURL after the restart completes the deletion.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
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
import { randomAccount, startTestServer } from "../../helpers/server.js";

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
