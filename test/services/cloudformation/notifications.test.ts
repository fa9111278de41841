// Stack notifications: with NotificationARNs, every stack event is published to the topics as AWS publishes it
// (subject "AWS CloudFormation Notification", one Key='Value' line per field); an SQS queue subscribed to the
// topic receives the stack's progress in order.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CloudFormationClient, CreateStackCommand, DescribeStackEventsCommand, waitUntilStackCreateComplete } from "@aws-sdk/client-cloudformation";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let account: string;
let cfn: CloudFormationClient;
let sns: SNSClient;
let sqs: SQSClient;

before(async () => {
  s = await startTestServer();
  account = randomAccount();
  const c = s.clientConfig({ account });
  cfn = new CloudFormationClient(c);
  sns = new SNSClient(c);
  sqs = new SQSClient(c);
});
after(() => s.close());

const parse = (body: string) =>
  Object.fromEntries(
    body
      .trimEnd()
      .split("\n")
      .map((l) => /^(\w+)='(.*)'$/s.exec(l)!.slice(1, 3) as [string, string]),
  );

test("every stack event reaches the stack's notification topics, in order, in AWS's format", async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "stack-events" }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "stack-events" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: "false" } }));

  const body = JSON.stringify({ Resources: { Param: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: "v" } } } });
  const { StackId } = await cfn.send(new CreateStackCommand({ StackName: "notified", TemplateBody: body, NotificationARNs: [TopicArn!] }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "notified" });
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "notified" }))).StackEvents!.reverse();

  const got: Record<string, string>[] = [];
  for (let i = 0; i < 50 && got.length < events.length; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of r.Messages ?? []) {
      const envelope = JSON.parse(m.Body!);
      assert.equal(envelope.Subject, "AWS CloudFormation Notification");
      assert.equal(envelope.TopicArn, TopicArn);
      got.push(parse(envelope.Message));
    }
  }
  assert.deepEqual(
    got.map((g) => [g.LogicalResourceId, g.ResourceStatus, g.EventId]),
    events.map((e) => [e.LogicalResourceId, e.ResourceStatus, e.EventId]),
  );
  const first = got[0];
  assert.deepEqual(Object.keys(first), [
    "StackId",
    "Timestamp",
    "EventId",
    "LogicalResourceId",
    "Namespace",
    "PhysicalResourceId",
    "PrincipalId",
    "ResourceProperties",
    "ResourceStatus",
    "ResourceStatusReason",
    "ResourceType",
    "StackName",
    "ClientRequestToken",
  ]);
  assert.equal(first.StackId, StackId);
  assert.equal(first.Namespace, account);
  assert.equal(first.ResourceStatus, "CREATE_IN_PROGRESS");
  assert.equal(first.ResourceStatusReason, "User Initiated");
  assert.equal(first.ResourceType, "AWS::CloudFormation::Stack");
  assert.equal(first.StackName, "notified");
  assert.match(first.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const param = got.find((g) => g.LogicalResourceId === "Param" && g.ResourceStatus === "CREATE_COMPLETE")!;
  assert.equal(param.ResourceType, "AWS::SSM::Parameter");
  assert.equal(param.PhysicalResourceId, events.find((e) => e.LogicalResourceId === "Param" && e.ResourceStatus === "CREATE_COMPLETE")!.PhysicalResourceId);
  assert.ok(param.PhysicalResourceId.length > 0);
  assert.equal(got.at(-1)!.ResourceStatus, "CREATE_COMPLETE");
});
