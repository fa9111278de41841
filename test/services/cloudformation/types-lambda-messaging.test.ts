// CloudFormation resource types of SQS, SNS and Lambda through the SDK: a topic subscription delivering to a queue
// its QueuePolicy opens, a TopicPolicy, a function from inline ZipFile code invoked after CREATE_COMPLETE, a
// permission, and an SQS event source mapping that runs the function; DeleteStack undoes each.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { makeZip } from "../../helpers/zip.js";
import { DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DeleteTopicCommand, GetSubscriptionAttributesCommand, GetTopicAttributesCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { userTagMap } from "../../helpers/cloudformation.js";

let s: TestServer;
let cfn: CloudFormationClient;
let sqs: SQSClient;
let sns: SNSClient;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
let s3: S3Client;
let roleArn: string;
let account: string;
const waiter = () => ({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  account = randomAccount();
  const c = s.clientConfig({ account });
  cfn = new CloudFormationClient(c);
  sqs = new SQSClient(c);
  sns = new SNSClient(c);
  lambda = new LambdaClient(c);
  logs = new CloudWatchLogsClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const role = await new IAMClient(c).send(new CreateRoleCommand({ RoleName: "cfn-fn-role", AssumeRolePolicyDocument: JSON.stringify(trust) }));
  roleArn = role.Role!.Arn!;
});
after(() => s.close());

async function outputsOf(stack: string): Promise<Record<string, string>> {
  const [d] = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  assert.equal(d.StackStatus, "CREATE_COMPLETE", d.StackStatusReason);
  return Object.fromEntries((d.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

async function create(stack: string, body: unknown, params: Record<string, string> = {}): Promise<Record<string, string>> {
  await cfn.send(
    new CreateStackCommand({
      StackName: stack,
      TemplateBody: typeof body === "string" ? body : JSON.stringify(body),
      Parameters: Object.entries(params).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      OnFailure: "DO_NOTHING",
    }),
  );
  try {
    await waitUntilStackCreateComplete(waiter(), { StackName: stack });
  } catch (e) {
    const failed = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources!.filter(
      (r) => r.ResourceStatus === "CREATE_FAILED",
    );
    assert.fail(`${stack}: ${JSON.stringify(failed.map((r) => [r.LogicalResourceId, r.ResourceStatusReason]))} (${e})`);
  }
  return outputsOf(stack);
}

async function remove(stack: string): Promise<void> {
  await cfn.send(new DeleteStackCommand({ StackName: stack }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: stack });
}

async function receive(url: string, waitSeconds = 5) {
  const deadline = Date.now() + waitSeconds * 1000;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
    if (Messages?.length) return Messages;
  }
  return [];
}

const MESSAGING = `
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Queue:
    Type: AWS::SQS::Queue
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: sns.amazonaws.com }
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition:
              ArnEquals: { "aws:SourceArn": !Ref Topic }
  TopicPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Topic]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: publish
            Effect: Allow
            Principal: { AWS: !Sub "arn:aws:iam::\${AWS::AccountId}:root" }
            Action: sns:Publish
            Resource: !Ref Topic
  Subscription:
    Type: AWS::SNS::Subscription
    DependsOn: QueuePolicy
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      RawMessageDelivery: true
      FilterPolicyScope: MessageBody
      FilterPolicy: { kind: [order] }
Outputs:
  TopicArn: { Value: !Ref Topic }
  QueueUrl: { Value: !Ref Queue }
  SubscriptionRef: { Value: !Ref Subscription }
  SubscriptionArn: { Value: !GetAtt Subscription.Arn }
  QueuePolicyRef: { Value: !Ref QueuePolicy }
  QueuePolicyId: { Value: !GetAtt QueuePolicy.Id }
  TopicPolicyRef: { Value: !Ref TopicPolicy }
`;

test("SNS Subscription delivers to an SQS queue its QueuePolicy opens; TopicPolicy sets the topic's policy; delete undoes them", async () => {
  const out = await create("msg", MESSAGING);
  assert.match(out.SubscriptionRef, new RegExp(`^${out.TopicArn}:[0-9a-f-]{36}$`));
  assert.equal(out.SubscriptionArn, out.SubscriptionRef);
  assert.match(out.QueuePolicyRef, /^msg-QueuePolicy-[A-Z0-9]{12}$/);
  assert.equal(out.QueuePolicyId, out.QueuePolicyRef);
  assert.match(out.TopicPolicyRef, /^msg-TopicPolicy-[A-Z0-9]{12}$/);

  const policy = JSON.parse((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: out.QueueUrl, AttributeNames: ["Policy"] }))).Attributes!.Policy!);
  assert.equal(policy.Statement[0].Condition.ArnEquals["aws:SourceArn"], out.TopicArn);
  const topicPolicy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: out.TopicArn }))).Attributes!.Policy!);
  assert.equal(topicPolicy.Statement[0].Sid, "publish");
  const sub = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: out.SubscriptionArn }))).Attributes!;
  assert.equal(sub.RawMessageDelivery, "true");
  assert.equal(sub.FilterPolicyScope, "MessageBody");
  assert.deepEqual(JSON.parse(sub.FilterPolicy!), { kind: ["order"] });

  // The filter drops one message, the other arrives raw.
  await sns.send(new PublishCommand({ TopicArn: out.TopicArn, Message: JSON.stringify({ kind: "refund" }) }));
  await sns.send(new PublishCommand({ TopicArn: out.TopicArn, Message: JSON.stringify({ kind: "order", id: 7 }) }));
  const got = await receive(out.QueueUrl);
  assert.deepEqual(
    got.map((m) => JSON.parse(m.Body!)),
    [{ kind: "order", id: 7 }],
  );

  await remove("msg");
  await assert.rejects(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: out.SubscriptionArn })), { name: "NotFoundException" });
  await assert.rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: out.TopicArn })), { name: "NotFoundException" });
});

test("a QueuePolicy's delete clears the policy; a TopicPolicy's delete puts SNS's default back", async () => {
  const base = await create("keep", {
    Resources: { Q: { Type: "AWS::SQS::Queue" }, T: { Type: "AWS::SNS::Topic" } },
    Outputs: { Q: { Value: { Ref: "Q" } }, T: { Value: { Ref: "T" } } },
  });
  const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }] };
  await create(
    "pol",
    {
      Parameters: { Q: { Type: "String" }, T: { Type: "String" } },
      Resources: {
        QP: { Type: "AWS::SQS::QueuePolicy", Properties: { Queues: [{ Ref: "Q" }], PolicyDocument: JSON.stringify(doc) } },
        TP: { Type: "AWS::SNS::TopicPolicy", Properties: { Topics: [{ Ref: "T" }], PolicyDocument: doc } },
      },
    },
    base,
  );
  const queuePolicy = async () => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: base.Q, AttributeNames: ["Policy"] }))).Attributes?.Policy;
  const topicPolicy = async () => JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: base.T }))).Attributes!.Policy!);
  assert.deepEqual(JSON.parse((await queuePolicy())!), doc);
  assert.deepEqual(await topicPolicy(), doc);
  await remove("pol");
  assert.equal(await queuePolicy(), undefined);
  assert.equal((await topicPolicy()).Id, "__default_policy_ID");
  await remove("keep");
});

const NODE_SOURCE = `const response = require("cfn-response");
exports.handler = async (event) => {
  if (event.Records) {
    console.log("SQS " + JSON.stringify(event.Records.map((r) => r.body)));
    return {};
  }
  return { greeting: process.env.GREETING + " " + event.name, send: typeof response.send, status: response.SUCCESS };
};
`;

const PYTHON_SOURCE = `import cfnresponse

def handler(event, context):
    return {"py": cfnresponse.SUCCESS, "send": callable(cfnresponse.send)}
`;

const FUNCTIONS = {
  Parameters: { Role: { Type: "String" } },
  Resources: {
    Fn: {
      Type: "AWS::Lambda::Function",
      Properties: {
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: { Ref: "Role" },
        Code: { ZipFile: NODE_SOURCE },
        Environment: { Variables: { GREETING: "hello" } },
        Timeout: 10,
        MemorySize: 256,
        Description: "inline node",
        Architectures: ["arm64"],
        Tags: [{ Key: "team", Value: "cfn" }],
      },
    },
    PyFn: {
      Type: "AWS::Lambda::Function",
      Properties: {
        FunctionName: "cfn-inline-python",
        Runtime: "python3.12",
        Handler: "index.handler",
        Role: { Ref: "Role" },
        Code: { ZipFile: PYTHON_SOURCE },
      },
    },
    Queue: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 30 } },
    Mapping: {
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: { FunctionName: { Ref: "Fn" }, EventSourceArn: { "Fn::GetAtt": ["Queue", "Arn"] }, BatchSize: 5 },
    },
    Permission: {
      Type: "AWS::Lambda::Permission",
      Properties: {
        FunctionName: { "Fn::GetAtt": ["Fn", "Arn"] },
        Action: "lambda:InvokeFunction",
        Principal: "sns.amazonaws.com",
        SourceAccount: { Ref: "AWS::AccountId" },
      },
    },
    Version: { Type: "AWS::Lambda::Version", Properties: { FunctionName: { Ref: "Fn" }, Description: "v1" } },
    Alias: {
      Type: "AWS::Lambda::Alias",
      Properties: { FunctionName: { Ref: "Fn" }, Name: "live", FunctionVersion: { "Fn::GetAtt": ["Version", "Version"] } },
    },
    Url: { Type: "AWS::Lambda::Url", Properties: { TargetFunctionArn: { Ref: "Alias" }, AuthType: "NONE" } },
  },
  Outputs: {
    FnName: { Value: { Ref: "Fn" } },
    FnArn: { Value: { "Fn::GetAtt": ["Fn", "Arn"] } },
    SnapStart: { Value: { "Fn::GetAtt": ["Fn", "SnapStartResponse.ApplyOn"] } },
    QueueUrl: { Value: { Ref: "Queue" } },
    MappingRef: { Value: { Ref: "Mapping" } },
    MappingId: { Value: { "Fn::GetAtt": ["Mapping", "Id"] } },
    MappingArn: { Value: { "Fn::GetAtt": ["Mapping", "EventSourceMappingArn"] } },
    PermissionRef: { Value: { Ref: "Permission" } },
    VersionRef: { Value: { Ref: "Version" } },
    VersionNumber: { Value: { "Fn::GetAtt": ["Version", "Version"] } },
    AliasRef: { Value: { Ref: "Alias" } },
    UrlRef: { Value: { Ref: "Url" } },
    FunctionUrl: { Value: { "Fn::GetAtt": ["Url", "FunctionUrl"] } },
  },
};

test("Lambda types: an inline ZipFile function (with cfn-response) invoked after CREATE_COMPLETE, an SQS mapping that runs it, permission, version, alias, URL", async () => {
  const out = await create("fns", FUNCTIONS, { Role: roleArn });
  assert.match(out.FnName, /^fns-Fn-[A-Z0-9]{12}$/);
  assert.match(out.FnArn, new RegExp(`^arn:aws:lambda:us-east-1:\\d{12}:function:${out.FnName}$`));
  assert.equal(out.SnapStart, "None");

  // The function is real, with the template's configuration; its inline code runs, cfn-response beside it.
  const fn = await lambda.send(new GetFunctionCommand({ FunctionName: out.FnName }));
  assert.deepEqual(
    [fn.Configuration?.Runtime, fn.Configuration?.Timeout, fn.Configuration?.MemorySize, fn.Configuration?.Description, fn.Configuration?.Architectures],
    ["nodejs20.x", 10, 256, "inline node", ["arm64"]],
  );
  assert.deepEqual(userTagMap(fn.Tags), { team: "cfn" });
  const invoked = await lambda.send(new InvokeCommand({ FunctionName: out.FnName, Payload: Buffer.from(JSON.stringify({ name: "stack" })) }));
  assert.equal(invoked.FunctionError, undefined, Buffer.from(invoked.Payload ?? []).toString());
  assert.deepEqual(JSON.parse(Buffer.from(invoked.Payload!).toString()), { greeting: "hello stack", send: "function", status: "SUCCESS" });
  const py = await lambda.send(new InvokeCommand({ FunctionName: "cfn-inline-python", Payload: Buffer.from("{}") }));
  assert.equal(py.FunctionError, undefined, Buffer.from(py.Payload ?? []).toString());
  assert.deepEqual(JSON.parse(Buffer.from(py.Payload!).toString()), { py: "SUCCESS", send: true });

  // The mapping's Ref is its UUID; a message on the queue runs the function.
  assert.match(out.MappingRef, /^[0-9a-f-]{36}$/);
  assert.equal(out.MappingId, out.MappingRef);
  assert.match(out.MappingArn, new RegExp(`:event-source-mapping:${out.MappingRef}$`));
  const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: out.MappingRef }));
  assert.equal(mapping.BatchSize, 5);
  await sqs.send(new SendMessageCommand({ QueueUrl: out.QueueUrl, MessageBody: "from-the-queue" }));
  const end = Date.now() + 20_000;
  let ran = false;
  while (!ran && Date.now() < end) {
    const events = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${out.FnName}` })).catch(() => ({ events: [] }));
    ran = (events.events ?? []).some((e) => e.message?.includes('SQS ["from-the-queue"]'));
    if (!ran) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(ran, "the event source mapping ran the function");

  // The permission's Ref is the statement id in the function's policy.
  assert.match(out.PermissionRef, /^fns-Permission-[A-Z0-9]{12}$/);
  const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: out.FnName }))).Policy!);
  const statement = policy.Statement.find((st: { Sid: string }) => st.Sid === out.PermissionRef);
  assert.equal(statement.Principal.Service, "sns.amazonaws.com");

  // Version, alias and URL.
  assert.equal(out.VersionNumber, "1");
  assert.equal(out.VersionRef, `${out.FnArn}:1`);
  assert.equal(out.AliasRef, `${out.FnArn}:live`);
  const alias = await lambda.send(new GetAliasCommand({ FunctionName: out.FnName, Name: "live" }));
  assert.equal(alias.FunctionVersion, "1");
  assert.equal(out.UrlRef, out.AliasRef);
  const url = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: out.FnName, Qualifier: "live" }));
  assert.equal(url.FunctionUrl, out.FunctionUrl);
  assert.equal(url.AuthType, "NONE");

  await remove("fns");
  await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: out.FnName })), { name: "ResourceNotFoundException" });
  await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: "cfn-inline-python" })), { name: "ResourceNotFoundException" });
  await assert.rejects(lambda.send(new GetEventSourceMappingCommand({ UUID: out.MappingRef })), { name: "ResourceNotFoundException" });
});

test("a function's code from Stratus's S3; an image function is Lambda's to answer; a missing bucket fails the resource with Lambda's error", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "cfn-code" }));
  await s3.send(
    new PutObjectCommand({ Bucket: "cfn-code", Key: "fn.zip", Body: makeZip({ "main.mjs": "export const handler = async () => ({ from: 's3' });" }) }),
  );
  const out = await create(
    "s3fn",
    {
      Parameters: { Role: { Type: "String" }, Timeout: { Type: "Number", Default: 7 } },
      Resources: {
        Fn: {
          Type: "AWS::Lambda::Function",
          Properties: {
            Runtime: "nodejs20.x",
            Handler: "main.handler",
            Role: { Ref: "Role" },
            Code: { S3Bucket: "cfn-code", S3Key: "fn.zip" },
            // A parameter's value is text and a variable may be a number: CloudFormation converts both.
            Timeout: { Ref: "Timeout" },
            MemorySize: "512",
            Environment: { Variables: { NUM: 5, FLAG: true } },
          },
        },
        Image: {
          Type: "AWS::Lambda::Function",
          Properties: { PackageType: "Image", Role: { Ref: "Role" }, Code: { ImageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest" } },
        },
      },
      Outputs: { Name: { Value: { Ref: "Fn" } }, Image: { Value: { Ref: "Image" } } },
    },
    { Role: roleArn },
  );
  const invoked = await lambda.send(new InvokeCommand({ FunctionName: out.Name }));
  assert.deepEqual(JSON.parse(Buffer.from(invoked.Payload!).toString()), { from: "s3" });
  const config = (await lambda.send(new GetFunctionCommand({ FunctionName: out.Name }))).Configuration!;
  assert.deepEqual([config.Timeout, config.MemorySize, config.Environment?.Variables], [7, 512, { NUM: "5", FLAG: "true" }]);
  // Lambda takes the image function as AWS does; running it is what Stratus refuses, at Invoke.
  assert.equal((await lambda.send(new GetFunctionCommand({ FunctionName: out.Image }))).Configuration?.PackageType, "Image");
  await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: out.Image })), { name: "InvalidRuntimeException" });
  await remove("s3fn");

  const bad = {
    Parameters: { Role: { Type: "String" } },
    Resources: {
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: { Runtime: "nodejs20.x", Handler: "index.handler", Role: { Ref: "Role" }, Code: { S3Bucket: "no-such-bucket", S3Key: "x.zip" } },
      },
    },
  };
  await cfn.send(
    new CreateStackCommand({ StackName: "badfn", TemplateBody: JSON.stringify(bad), Parameters: [{ ParameterKey: "Role", ParameterValue: roleArn }] }),
  );
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: "badfn" }));
  const [res] = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "badfn" }))).StackResources!;
  assert.match(res.ResourceStatusReason!, /Error occurred while GetObject\. S3 Error Code: NoSuchBucket.*\(Service: Lambda, Status Code: 400/);
});

// UpdateStack is not in the engine yet: the providers' updates are called as it will call them, with the stack's
// current physical ids and the previous and new resolved properties.
async function update(stack: string, logicalId: string, previous: Record<string, unknown>, properties: Record<string, unknown>) {
  const [res] = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack, LogicalResourceId: logicalId }))).StackResources!;
  const provider = await s.runtime.resourceProvider(res.ResourceType!);
  const ctx = s.runtime.context("cloudformation", "UpdateStack", { ...s.runtime.rootIdentity(account, "us-east-1"), invokedBy: "cloudformation" });
  assert.ok(provider?.update, `${res.ResourceType} updates in place`);
  return provider.update({
    ctx,
    stackName: stack,
    stackId: res.StackId!,
    logicalId,
    physicalId: res.PhysicalResourceId!,
    previous,
    properties,
    generateName: () => res.PhysicalResourceId!,
  });
}

test("updates in place: function configuration and inline code, subscription attributes, queue policy, mapping, alias, URL", async () => {
  const fnProps = {
    Runtime: "nodejs20.x",
    Handler: "index.handler",
    Role: roleArn,
    Code: { ZipFile: "exports.handler = async () => 'one';" },
    Timeout: 5,
    Tags: [
      { Key: "a", Value: "1" },
      { Key: "b", Value: "2" },
    ],
  };
  const doc = (sid: string) => ({
    Version: "2012-10-17",
    Statement: [{ Sid: sid, Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }],
  });
  const template = {
    Resources: {
      Fn: { Type: "AWS::Lambda::Function", Properties: fnProps },
      Version: { Type: "AWS::Lambda::Version", Properties: { FunctionName: { Ref: "Fn" } } },
      Alias: {
        Type: "AWS::Lambda::Alias",
        Properties: { FunctionName: { Ref: "Fn" }, Name: "live", FunctionVersion: { "Fn::GetAtt": ["Version", "Version"] } },
      },
      Url: { Type: "AWS::Lambda::Url", Properties: { TargetFunctionArn: { Ref: "Fn" }, AuthType: "AWS_IAM" } },
      Queue: { Type: "AWS::SQS::Queue" },
      Mapping: { Type: "AWS::Lambda::EventSourceMapping", Properties: { FunctionName: { Ref: "Fn" }, EventSourceArn: { "Fn::GetAtt": ["Queue", "Arn"] } } },
      QueuePolicy: { Type: "AWS::SQS::QueuePolicy", Properties: { Queues: [{ Ref: "Queue" }], PolicyDocument: doc("one") } },
      Topic: { Type: "AWS::SNS::Topic" },
      Sub: {
        Type: "AWS::SNS::Subscription",
        Properties: { TopicArn: { Ref: "Topic" }, Protocol: "sqs", Endpoint: { "Fn::GetAtt": ["Queue", "Arn"] }, RawMessageDelivery: true },
      },
    },
    Outputs: {
      Fn: { Value: { Ref: "Fn" } },
      Queue: { Value: { Ref: "Queue" } },
      QueueArn: { Value: { "Fn::GetAtt": ["Queue", "Arn"] } },
      Topic: { Value: { Ref: "Topic" } },
      Sub: { Value: { Ref: "Sub" } },
      Mapping: { Value: { Ref: "Mapping" } },
    },
  };
  const out = await create("upd", template);
  const payload = async () => JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: out.Fn }))).Payload!).toString());
  assert.equal(await payload(), "one");

  const fnNow = {
    ...fnProps,
    Code: { ZipFile: "exports.handler = async () => process.env.WORD;" },
    Environment: { Variables: { WORD: "two" } },
    Tags: [{ Key: "a", Value: "9" }],
  };
  const r = await update("upd", "Fn", fnProps, fnNow);
  assert.equal(r.ref, out.Fn);
  assert.equal(await payload(), "two");
  const fn = await lambda.send(new GetFunctionCommand({ FunctionName: out.Fn }));
  assert.equal(fn.Configuration?.Timeout, 5);
  assert.deepEqual(userTagMap(fn.Tags), { a: "9" });
  // A setting left out goes back to Lambda's default.
  await update("upd", "Fn", fnNow, { ...fnNow, Timeout: undefined });
  assert.equal((await lambda.send(new GetFunctionCommand({ FunctionName: out.Fn }))).Configuration?.Timeout, 3);

  const subBefore = { TopicArn: out.Topic, Protocol: "sqs", Endpoint: out.QueueArn, RawMessageDelivery: true };
  await update("upd", "Sub", subBefore, {
    TopicArn: out.Topic,
    Protocol: "sqs",
    Endpoint: out.QueueArn,
    FilterPolicy: { kind: ["x"] },
    FilterPolicyScope: "MessageBody",
  });
  const sub = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: out.Sub }))).Attributes!;
  assert.deepEqual([sub.RawMessageDelivery, sub.FilterPolicyScope, JSON.parse(sub.FilterPolicy!)], ["false", "MessageBody", { kind: ["x"] }]);

  await update("upd", "QueuePolicy", { Queues: [out.Queue], PolicyDocument: doc("one") }, { Queues: [out.Queue], PolicyDocument: doc("two") });
  const policy = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: out.Queue, AttributeNames: ["Policy"] }))).Attributes!.Policy!;
  assert.equal(JSON.parse(policy).Statement[0].Sid, "two");

  await update(
    "upd",
    "Mapping",
    { FunctionName: out.Fn, EventSourceArn: out.QueueArn },
    { FunctionName: out.Fn, EventSourceArn: out.QueueArn, BatchSize: 3, Enabled: false },
  );
  const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: out.Mapping }));
  assert.equal(mapping.BatchSize, 3);
  assert.match(mapping.State!, /^Disabl/);

  await update(
    "upd",
    "Alias",
    { FunctionName: out.Fn, Name: "live", FunctionVersion: "1" },
    { FunctionName: out.Fn, Name: "live", FunctionVersion: "1", Description: "now" },
  );
  assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: out.Fn, Name: "live" }))).Description, "now");

  const urlProps = { TargetFunctionArn: out.Fn, AuthType: "AWS_IAM" };
  await update("upd", "Url", urlProps, { ...urlProps, AuthType: "NONE", Cors: { AllowOrigins: ["*"] } });
  const url = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: out.Fn }));
  assert.deepEqual([url.AuthType, url.Cors?.AllowOrigins], ["NONE", ["*"]]);

  await remove("upd");
});

test("inline code's cfn-response (Node.js) and cfnresponse (Python) PUT the custom resource response to ResponseURL", async () => {
  const got: { path: string; body: Record<string, unknown> }[] = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got.push({ path: `${req.method} ${req.url}`, body: JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  try {
    const port = (receiver.address() as AddressInfo).port;
    const out = await create(
      "cfnresp",
      {
        Parameters: { Role: { Type: "String" } },
        Resources: {
          Node: {
            Type: "AWS::Lambda::Function",
            Properties: {
              Runtime: "nodejs20.x",
              Handler: "index.handler",
              Role: { Ref: "Role" },
              Code: {
                ZipFile: `var response = require("cfn-response");
exports.handler = function (event, context) {
  response.send(event, context, response.SUCCESS, { Answer: 42 }, "node-phys");
};`,
              },
            },
          },
          Py: {
            Type: "AWS::Lambda::Function",
            Properties: {
              Runtime: "python3.12",
              Handler: "index.handler",
              Role: { Ref: "Role" },
              Code: {
                ZipFile: `import cfnresponse
def handler(event, context):
    cfnresponse.send(event, context, cfnresponse.FAILED, {"Answer": 43}, "py-phys", reason="it broke")
`,
              },
            },
          },
        },
        Outputs: { Node: { Value: { Ref: "Node" } }, Py: { Value: { Ref: "Py" } } },
      },
      { Role: roleArn },
    );
    const event = (id: string) => ({
      RequestType: "Create",
      ResponseURL: `http://127.0.0.1:${port}/response/${id}?X-Amz-Signature=x`,
      StackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
      RequestId: `req-${id}`,
      LogicalResourceId: `Custom${id}`,
      ResourceType: "Custom::Thing",
      ResourceProperties: {},
    });
    for (const [fn, id] of [
      [out.Node, "n"],
      [out.Py, "p"],
    ]) {
      const r = await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(event(id))) }));
      assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
    }
    const byPath = Object.fromEntries(got.map((g) => [g.path, g.body]));
    const node = byPath["PUT /response/n?X-Amz-Signature=x"];
    assert.deepEqual(
      [node?.Status, node?.PhysicalResourceId, node?.RequestId, node?.LogicalResourceId, node?.StackId, node?.Data, node?.NoEcho],
      ["SUCCESS", "node-phys", "req-n", "Customn", event("n").StackId, { Answer: 42 }, false],
    );
    assert.match(String(node?.Reason), /^See the details in CloudWatch Log Stream: /);
    const py = byPath["PUT /response/p?X-Amz-Signature=x"];
    assert.deepEqual([py?.Status, py?.PhysicalResourceId, py?.RequestId, py?.Reason, py?.Data], ["FAILED", "py-phys", "req-p", "it broke", { Answer: 43 }]);
    await remove("cfnresp");
  } finally {
    receiver.close();
  }
});

test("DeleteStack completes when the resources were already deleted out of band", async () => {
  const out = await create(
    "gone",
    {
      Parameters: { Role: { Type: "String" } },
      Resources: {
        Fn: {
          Type: "AWS::Lambda::Function",
          Properties: { Runtime: "nodejs20.x", Handler: "index.handler", Role: { Ref: "Role" }, Code: { ZipFile: "exports.handler = async () => 1;" } },
        },
        Permission: {
          Type: "AWS::Lambda::Permission",
          Properties: { FunctionName: { Ref: "Fn" }, Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" },
        },
        Version: { Type: "AWS::Lambda::Version", Properties: { FunctionName: { Ref: "Fn" } } },
        Alias: { Type: "AWS::Lambda::Alias", Properties: { FunctionName: { Ref: "Fn" }, Name: "a", FunctionVersion: "$LATEST" } },
        Url: { Type: "AWS::Lambda::Url", Properties: { TargetFunctionArn: { Ref: "Fn" }, AuthType: "NONE" } },
        Queue: { Type: "AWS::SQS::Queue" },
        Mapping: { Type: "AWS::Lambda::EventSourceMapping", Properties: { FunctionName: { Ref: "Fn" }, EventSourceArn: { "Fn::GetAtt": ["Queue", "Arn"] } } },
        QueuePolicy: { Type: "AWS::SQS::QueuePolicy", Properties: { Queues: [{ Ref: "Queue" }], PolicyDocument: { Statement: [] } } },
        Topic: { Type: "AWS::SNS::Topic" },
        Sub: { Type: "AWS::SNS::Subscription", Properties: { TopicArn: { Ref: "Topic" }, Protocol: "sqs", Endpoint: { "Fn::GetAtt": ["Queue", "Arn"] } } },
        TopicPolicy: { Type: "AWS::SNS::TopicPolicy", Properties: { Topics: [{ Ref: "Topic" }], PolicyDocument: { Statement: [] } } },
      },
      Outputs: { Fn: { Value: { Ref: "Fn" } }, Queue: { Value: { Ref: "Queue" } }, Topic: { Value: { Ref: "Topic" } }, Mapping: { Value: { Ref: "Mapping" } } },
    },
    { Role: roleArn },
  );
  await lambda.send(new DeleteEventSourceMappingCommand({ UUID: out.Mapping }));
  await lambda.send(new DeleteFunctionCommand({ FunctionName: out.Fn }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl: out.Queue }));
  await sns.send(new DeleteTopicCommand({ TopicArn: out.Topic }));
  // The waiter fails on DELETE_FAILED: each provider's delete took the missing resource as deleted.
  await remove("gone");
});
