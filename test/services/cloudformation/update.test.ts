// UpdateStack as a diff through the SDK: in-place updates keep the physical resource, a change to a property that
// requires replacement creates a new one and deletes the old in the cleanup phase, added resources are created and
// removed ones deleted; nothing changed is AWS's "No updates are to be performed."; a failure rolls the update back.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let sqs: SQSClient;
let ssm: SSMClient;
let sns: SNSClient;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  sqs = new SQSClient(c);
  ssm = new SSMClient(c);
  sns = new SNSClient(c);
});
after(() => s.close());

const physical = async (stack: string) =>
  Object.fromEntries(
    ((await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources ?? []).map((r) => [r.LogicalResourceId, r.PhysicalResourceId]),
  );
const visibility = async (url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout"] }))).Attributes?.VisibilityTimeout;

test("an update changes in place, replaces, adds and removes resources as the template's diff says", async () => {
  const v1 = {
    Resources: {
      Queue: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 30 } },
      Param: { Type: "AWS::SSM::Parameter", Properties: { Name: "/upd/one", Type: "String", Value: "a" } },
      Topic: { Type: "AWS::SNS::Topic" },
    },
    Outputs: { Value: { Value: { "Fn::GetAtt": ["Param", "Value"] } } },
  };
  await cfn.send(new CreateStackCommand({ StackName: "upd", TemplateBody: JSON.stringify(v1) }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "upd" });
  const before = await physical("upd");

  const v2 = {
    Resources: {
      Queue: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 60 } },
      // Name is create-only (the resource specification): a new parameter, the old one deleted in the cleanup.
      Param: { Type: "AWS::SSM::Parameter", Properties: { Name: "/upd/two", Type: "String", Value: "b" } },
      Added: { Type: "AWS::SQS::Queue" },
    },
    Outputs: { Value: { Value: { "Fn::GetAtt": ["Param", "Value"] } } },
  };
  await cfn.send(new UpdateStackCommand({ StackName: "upd", TemplateBody: JSON.stringify(v2) }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "upd" });
  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "upd" }))).Stacks!;
  assert.equal(stack.StackStatus, "UPDATE_COMPLETE");
  assert.ok(stack.LastUpdatedTime);
  assert.equal(stack.Outputs?.[0].OutputValue, "b");

  const afterIds = await physical("upd");
  assert.equal(afterIds.Queue, before.Queue, "updated in place: the same queue");
  assert.equal(await visibility(afterIds.Queue!), "60");
  assert.equal(afterIds.Param, "/upd/two");
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/upd/two" }))).Parameter?.Value, "b");
  await assert.rejects(ssm.send(new GetParameterCommand({ Name: "/upd/one" })), { name: "ParameterNotFound" });
  assert.ok(afterIds.Added);
  assert.equal(afterIds.Topic, undefined);
  await assert.rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: before.Topic })), { name: "NotFoundException" });

  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "upd" }))).StackEvents!.reverse();
  assert.ok(
    events.some(
      (e) =>
        e.LogicalResourceId === "Param" && e.ResourceStatusReason === "Requested update requires the creation of a new physical resource; hence creating one.",
    ),
  );
  assert.ok(events.some((e) => e.LogicalResourceId === "upd" && (e.ResourceStatus as string) === "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
  assert.ok(events.some((e) => e.LogicalResourceId === "Param" && e.PhysicalResourceId === "/upd/one" && e.ResourceStatus === "DELETE_COMPLETE"));

  await assert.rejects(cfn.send(new UpdateStackCommand({ StackName: "upd", TemplateBody: JSON.stringify(v2) })), {
    name: "ValidationError",
    message: "No updates are to be performed.",
  });
  await assert.rejects(cfn.send(new UpdateStackCommand({ StackName: "upd", UsePreviousTemplate: true })), {
    name: "ValidationError",
    message: "No updates are to be performed.",
  });
});

test("a failed update rolls back: in-place changes restored, what it created deleted, the previous template kept", async () => {
  const v1 = JSON.stringify({ Resources: { Queue: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 30 } } } });
  await cfn.send(new CreateStackCommand({ StackName: "upd-fail", TemplateBody: v1 }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "upd-fail" });
  const { Queue } = await physical("upd-fail");
  const v2 = JSON.stringify({
    Resources: {
      Queue: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 45 } },
      Bad: { Type: "AWS::SQS::Queue", DependsOn: "Queue", Properties: { QueueName: "upd-bad", DelaySeconds: 9999 } },
    },
  });
  await cfn.send(new UpdateStackCommand({ StackName: "upd-fail", TemplateBody: v2 }));
  await assert.rejects(waitUntilStackUpdateComplete(waiter(), { StackName: "upd-fail" }));
  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "upd-fail" }))).Stacks!;
  assert.equal(stack.StackStatus, "UPDATE_ROLLBACK_COMPLETE");
  assert.equal(await visibility(Queue!), "30");
  assert.deepEqual(Object.keys(await physical("upd-fail")), ["Queue"]);
  assert.equal((await cfn.send(new GetTemplateCommand({ StackName: "upd-fail" }))).TemplateBody, v1);
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "upd-fail" }))).StackEvents!;
  const rollback = events.find((e) => e.LogicalResourceId === "upd-fail" && e.ResourceStatus === "UPDATE_ROLLBACK_IN_PROGRESS");
  assert.equal(rollback?.ResourceStatusReason, "The following resource(s) failed to create: [Bad]. ");
  // A stack in UPDATE_ROLLBACK_COMPLETE can be updated again.
  await cfn.send(
    new UpdateStackCommand({
      StackName: "upd-fail",
      TemplateBody: JSON.stringify({ Resources: { Queue: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 50 } } } }),
    }),
  );
  await waitUntilStackUpdateComplete(waiter(), { StackName: "upd-fail" });
  assert.equal(await visibility(Queue!), "50");
});
