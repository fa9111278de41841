// CloudFormation stacks through the SDK: a template provisions real SQS, SNS and SSM resources in dependency
// order (the API answers at once; the SDK's waiters poll), outputs resolve Ref/GetAtt/Sub, DeleteStack removes what
// was made, a failure rolls back, and template errors answer as AWS does.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStacksCommand,
  ValidateTemplateCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
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

const TEMPLATE = `
AWSTemplateFormatVersion: "2010-09-09"
Description: queues, a topic and a parameter
Parameters:
  Env:
    Type: String
    Default: dev
  Secret:
    Type: String
    NoEcho: true
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 45
      Tags:
        - Key: env
          Value: !Ref Env
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "\${AWS::StackName}-topic"
  Param:
    Type: AWS::SSM::Parameter
    DependsOn: Topic
    Properties:
      Name: !Sub /app/\${Env}/queue-arn
      Type: String
      Value: !GetAtt Queue.Arn
Outputs:
  QueueUrl:
    Value: !Ref Queue
  QueueArn:
    Value: !GetAtt [Queue, Arn]
    Export:
      Name: !Sub "\${AWS::StackName}-QueueArn"
  TopicArn:
    Description: the topic
    Value: !Join [":", [!Ref Topic, "x"]]
`;

test("a stack provisions SQS, SNS and SSM resources in dependency order; outputs resolve; DeleteStack removes them", async () => {
  const { StackId } = await cfn.send(
    new CreateStackCommand({ StackName: "app", TemplateBody: TEMPLATE, Parameters: [{ ParameterKey: "Secret", ParameterValue: "hunter2" }] }),
  );
  assert.match(StackId!, /^arn:aws:cloudformation:us-east-1:\d{12}:stack\/app\/[0-9a-f-]{36}$/);
  await waitUntilStackCreateComplete(waiter(), { StackName: "app" });

  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "app" }))).Stacks!;
  assert.equal(stack.StackStatus, "CREATE_COMPLETE");
  assert.equal(stack.Description, "queues, a topic and a parameter");
  assert.deepEqual(
    stack.Parameters?.sort((a, b) => a.ParameterKey!.localeCompare(b.ParameterKey!)),
    [
      { ParameterKey: "Env", ParameterValue: "dev" },
      { ParameterKey: "Secret", ParameterValue: "****" },
    ],
  );
  const out = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o]));
  const queueUrl = out.QueueUrl.OutputValue!;
  // An unnamed queue is named <stack>-<logicalId>-<RANDOM>.
  assert.match(queueUrl, /\/app-Queue-[A-Z0-9]{12}$/);
  assert.equal(out.QueueArn.ExportName, "app-QueueArn");
  assert.match(out.TopicArn.OutputValue!, /:app-topic:x$/);
  assert.equal(out.TopicArn.Description, "the topic");

  // The resources are real.
  const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }))).Attributes!;
  assert.equal(attrs.VisibilityTimeout, "45");
  assert.equal(attrs.QueueArn, out.QueueArn.OutputValue);
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/app/dev/queue-arn" }))).Parameter?.Value, attrs.QueueArn);
  const topicArn = out.TopicArn.OutputValue!.slice(0, -2);
  assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.TopicArn, topicArn);

  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "app" }))).StackResources!;
  assert.deepEqual(resources.map((r) => [r.LogicalResourceId, r.ResourceType, r.ResourceStatus]).sort(), [
    ["Param", "AWS::SSM::Parameter", "CREATE_COMPLETE"],
    ["Queue", "AWS::SQS::Queue", "CREATE_COMPLETE"],
    ["Topic", "AWS::SNS::Topic", "CREATE_COMPLETE"],
  ]);
  assert.equal(resources.find((r) => r.LogicalResourceId === "Param")?.PhysicalResourceId, "/app/dev/queue-arn");

  // Events, newest first: the stack's CREATE_COMPLETE last, its CREATE_IN_PROGRESS ("User Initiated") first;
  // Param (DependsOn Topic, GetAtt Queue) starts after both complete.
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "app" }))).StackEvents!.reverse();
  assert.deepEqual([events[0].LogicalResourceId, events[0].ResourceStatus, events[0].ResourceStatusReason], ["app", "CREATE_IN_PROGRESS", "User Initiated"]);
  assert.deepEqual([events.at(-1)!.LogicalResourceId, events.at(-1)!.ResourceStatus], ["app", "CREATE_COMPLETE"]);
  const at = (id: string, status: string) => events.findIndex((e) => e.LogicalResourceId === id && e.ResourceStatus === status);
  assert.ok(at("Param", "CREATE_IN_PROGRESS") > at("Queue", "CREATE_COMPLETE"));
  assert.ok(at("Param", "CREATE_IN_PROGRESS") > at("Topic", "CREATE_COMPLETE"));

  assert.equal((await cfn.send(new GetTemplateCommand({ StackName: "app" }))).TemplateBody, TEMPLATE);

  await cfn.send(new DeleteStackCommand({ StackName: "app" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: StackId });
  await assert.rejects(sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] })), { name: "QueueDoesNotExist" });
  await assert.rejects(ssm.send(new GetParameterCommand({ Name: "/app/dev/queue-arn" })), { name: "ParameterNotFound" });
  // By name the stack is gone; by id DescribeStacks still shows it, DELETE_COMPLETE, as ListStacks does.
  await assert.rejects(cfn.send(new DescribeStacksCommand({ StackName: "app" })), { name: "ValidationError", message: "Stack with id app does not exist" });
  assert.equal((await cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks![0].StackStatus, "DELETE_COMPLETE");
  const listed = (await cfn.send(new ListStacksCommand({ StackStatusFilter: ["DELETE_COMPLETE"] }))).StackSummaries!;
  assert.ok(listed.some((x) => x.StackId === StackId));
  // Deleting it again succeeds, as on AWS.
  await cfn.send(new DeleteStackCommand({ StackName: "app" }));
});

test("a resource that fails rolls the stack back: what was created is deleted, the reasons are AWS's", async () => {
  const template = JSON.stringify({
    Resources: {
      Good: { Type: "AWS::SQS::Queue", Properties: { QueueName: "rollback-good" } },
      Bad: { Type: "AWS::SQS::Queue", DependsOn: "Good", Properties: { QueueName: "rollback-bad", DelaySeconds: 9999 } },
    },
  });
  await cfn.send(new CreateStackCommand({ StackName: "fails", TemplateBody: template }));
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: "fails" }));
  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "fails" }))).Stacks!;
  assert.equal(stack.StackStatus, "ROLLBACK_COMPLETE");
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "fails" }))).StackEvents!;
  const rollback = events.find((e) => e.LogicalResourceId === "fails" && e.ResourceStatus === "ROLLBACK_IN_PROGRESS");
  assert.equal(rollback?.ResourceStatusReason, "The following resource(s) failed to create: [Bad]. Rollback requested by user.");
  const failed = events.find((e) => e.LogicalResourceId === "Bad" && e.ResourceStatus === "CREATE_FAILED");
  assert.match(
    failed!.ResourceStatusReason!,
    /^Resource handler returned message: ".*DelaySeconds.*" \(RequestToken: [0-9a-f-]+, HandlerErrorCode: InvalidRequest\)$/,
  );
  assert.ok(events.some((e) => e.LogicalResourceId === "Good" && e.ResourceStatus === "DELETE_COMPLETE"));
  const { QueueUrl } = {
    QueueUrl: `${s.url}/${(await cfn.send(new DescribeStackResourcesCommand({ StackName: "fails" }))).StackResources![0].StackId!.split(":")[4]}/rollback-good`,
  };
  await assert.rejects(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] })), { name: "QueueDoesNotExist" });
});

test("properties are checked against AWS's resource specification: the resource fails with CloudFormation's reason", async () => {
  const template = JSON.stringify({ Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Valu: "x" } } } });
  await cfn.send(new CreateStackCommand({ StackName: "props", TemplateBody: template }));
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: "props" }));
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "props" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "P" && e.ResourceStatus === "CREATE_FAILED");
  assert.match(failed!.ResourceStatusReason!, /^Properties validation failed for resource P with message: /);
  assert.match(failed!.ResourceStatusReason!, /#: required key \[Value\] not found/);
  assert.match(failed!.ResourceStatusReason!, /#: extraneous key \[Valu\] is not permitted/);
});

test("a type Stratus does not run yet fails its resource, saying so (never a silent success)", async () => {
  const template = JSON.stringify({ Resources: { Table: { Type: "AWS::DynamoDB::Table", Properties: {} } } });
  await cfn.send(new CreateStackCommand({ StackName: "unsupported", TemplateBody: template, OnFailure: "DO_NOTHING" }));
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: "unsupported" }));
  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "unsupported" }))).Stacks!;
  assert.equal(stack.StackStatus, "CREATE_FAILED");
  assert.equal(stack.StackStatusReason, "The following resource(s) failed to create: [Table]. ");
  const [res] = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "unsupported" }))).StackResources!;
  assert.equal(res.ResourceStatus, "CREATE_FAILED");
  assert.match(res.ResourceStatusReason!, /AWS::DynamoDB::Table is not supported by Stratus yet/);
});

test("template and parameter errors answer at once, as AWS words them", async () => {
  const bad = async (body: string, message: string, params?: { ParameterKey: string; ParameterValue: string }[]) =>
    assert.rejects(cfn.send(new CreateStackCommand({ StackName: "bad", TemplateBody: body, Parameters: params })), { name: "ValidationError", message });
  await bad("{}", "Template format error: At least one Resources member must be defined.");
  await bad("{ not json", "Template format error: JSON not well-formed. (line 1, column 3)");
  await bad(
    JSON.stringify({ Resources: { A: { Type: "AWS::Foo::Bar" }, B: { Type: "AWS::SQS::Queue" } } }),
    "Template format error: Unrecognized resource types: [AWS::Foo::Bar]",
  );
  await bad(
    JSON.stringify({ Resources: { A: { Type: "AWS::SQS::Queue", Properties: { QueueName: { Ref: "Nope" } } } } }),
    "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template",
  );
  await bad(
    JSON.stringify({ Resources: { A: { Type: "AWS::SQS::Queue", DependsOn: "B" }, B: { Type: "AWS::SQS::Queue", DependsOn: "A" } } }),
    "Circular dependency between resources: [A, B]",
  );
  await bad(JSON.stringify({ Parameters: { P: { Type: "String" } }, Resources: { A: { Type: "AWS::SQS::Queue" } } }), "Parameters: [P] must have values");
  await bad(JSON.stringify({ Resources: { A: { Type: "AWS::SQS::Queue" } } }), "Parameters: [X] do not exist in the template", [
    { ParameterKey: "X", ParameterValue: "1" },
  ]);

  const ok = JSON.stringify({
    Description: "d",
    Parameters: { P: { Type: "String", Default: "x", Description: "pp" } },
    Resources: { A: { Type: "AWS::SQS::Queue" } },
  });
  const v = await cfn.send(new ValidateTemplateCommand({ TemplateBody: ok }));
  assert.equal(v.Description, "d");
  assert.deepEqual(v.Parameters, [{ ParameterKey: "P", DefaultValue: "x", NoEcho: false, Description: "pp" }]);

  await cfn.send(new CreateStackCommand({ StackName: "twice", TemplateBody: ok }));
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "twice", TemplateBody: ok })), {
    name: "AlreadyExistsException",
    message: "Stack [twice] already exists",
  });
  await waitUntilStackCreateComplete(waiter(), { StackName: "twice" });
});

test("an operation a stopped server left in progress carries on when it starts again (a delete completes)", async () => {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { cfnState } = await import("../../../src/services/cloudformation/state.js");
  const dir = mkdtempSync(join(tmpdir(), "stratus-cfn-resume-"));
  const account = randomAccount();
  try {
    const first = await startTestServer({ dataDir: dir });
    const c1 = first.clientConfig({ account });
    const cf1 = new CloudFormationClient(c1);
    const template = JSON.stringify({ Resources: { Q: { Type: "AWS::SQS::Queue", Properties: { QueueName: "resume-q" } } } });
    await cf1.send(new CreateStackCommand({ StackName: "resume", TemplateBody: template }));
    await waitUntilStackCreateComplete({ client: cf1, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "resume" });
    // As if the server had been killed right after DeleteStack answered: the stack is DELETE_IN_PROGRESS.
    const t = cfnState.at(first.runtime, account, "us-east-1");
    const s = t.stacks.get(t.names.get("resume")!)!;
    t.stacks.put(s.stackId, { ...s, status: "DELETE_IN_PROGRESS" });
    await first.close();

    const second = await startTestServer({ dataDir: dir });
    try {
      const c2 = second.clientConfig({ account });
      const cf2 = new CloudFormationClient(c2);
      await waitUntilStackDeleteComplete({ client: cf2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: s.stackId });
      const q = new SQSClient(c2);
      await assert.rejects(q.send(new GetQueueAttributesCommand({ QueueUrl: `${second.url}/${account}/resume-q`, AttributeNames: ["All"] })), {
        name: "QueueDoesNotExist",
      });
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("IAM resources need capabilities: CAPABILITY_IAM, or CAPABILITY_NAMED_IAM when a name is set (AWS's error otherwise)", async () => {
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const unnamed = JSON.stringify({ Resources: { R: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: trust } } } });
  const named = JSON.stringify({ Resources: { R: { Type: "AWS::IAM::Role", Properties: { RoleName: "cap-named", AssumeRolePolicyDocument: trust } } } });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "caps", TemplateBody: unnamed })), {
    name: "InsufficientCapabilitiesException",
    message: "Requires capabilities : [CAPABILITY_IAM]",
  });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "caps", TemplateBody: named, Capabilities: ["CAPABILITY_IAM"] })), {
    name: "InsufficientCapabilitiesException",
    message: "Requires capabilities : [CAPABILITY_NAMED_IAM]",
  });
  await cfn.send(new CreateStackCommand({ StackName: "caps", TemplateBody: unnamed, Capabilities: ["CAPABILITY_IAM"] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "caps" });
});
