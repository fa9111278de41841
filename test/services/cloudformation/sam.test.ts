// The AWS::Serverless-2016-10-31 transform (SAM) through the SDK and the AWS CLI: a SAM template with Globals, an
// SQS-triggered Node.js function from InlineCode whose role a policy template extends, a function from a CodeUri in
// S3 with AutoPublishAlias; the stack runs what SAM expands it into (a message on the queue really runs the function),
// GetTemplate's Processed stage shows the expansion; the capabilities a role needs; SAM's error for an invalid
// resource; event sources whose resources Stratus does not run fail their resource; `aws cloudformation deploy`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import {
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { GetAliasCommand, GetFunctionCommand, InvokeCommand, LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { makeZip } from "../../helpers/zip.js";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

let s: TestServer;
let cfn: CloudFormationClient;
let lambda: LambdaClient;
let iam: IAMClient;
let logs: CloudWatchLogsClient;
let s3: S3Client;
let sqs: SQSClient;
let account: string;
let roleArn: string;
const waiter = () => ({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const CAPS = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"] as const;

before(async () => {
  s = await startTestServer();
  account = randomAccount();
  const c = s.clientConfig({ account });
  cfn = new CloudFormationClient(c);
  lambda = new LambdaClient(c);
  iam = new IAMClient(c);
  logs = new CloudWatchLogsClient(c);
  sqs = new SQSClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  roleArn = (await iam.send(new CreateRoleCommand({ RoleName: "sam-own-role", AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!.Arn!;
});
after(() => s.close());

async function resources(stack: string): Promise<Record<string, { type: string; physical: string; status: string; reason?: string }>> {
  const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }));
  return Object.fromEntries(
    (StackResources ?? []).map((r) => [
      r.LogicalResourceId!,
      { type: r.ResourceType!, physical: r.PhysicalResourceId ?? "", status: r.ResourceStatus!, reason: r.ResourceStatusReason },
    ]),
  );
}

async function untilLogged(group: string, text: string): Promise<boolean> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const found = await logs.send(new FilterLogEventsCommand({ logGroupName: group })).catch(() => ({ events: [] }));
    if ((found.events ?? []).some((e) => e.message?.includes(text))) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const APP = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: a SAM application
Parameters:
  CodeBucket:
    Type: String
  AliasName:
    Type: String
Globals:
  Function:
    Runtime: nodejs20.x
    Timeout: 12
    MemorySize: 192
    Environment:
      Variables:
        STAGE: test
    Tags:
      app: sam-test
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: |
        exports.handler = async (event) => {
          console.log("WORKER " + process.env.STAGE + " " + JSON.stringify(event.Records.map((r) => r.body)));
          return {};
        };
      Environment:
        Variables:
          ROLE: worker
      Policies:
        - SQSSendMessagePolicy:
            QueueName: !GetAtt Queue.QueueName
        - Statement:
            - Effect: Allow
              Action: ssm:GetParameter
              Resource: "*"
      Events:
        FromQueue:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 3
  FromS3:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      MemorySize: 256
      CodeUri:
        Bucket: !Ref CodeBucket
        Key: code/app.zip
      AutoPublishAlias: !Ref AliasName
Outputs:
  WorkerName:
    Value: !Ref Worker
  AliasArn:
    Value: !Ref FromS3.Alias
`;

test("a SAM template: Globals, an SQS-triggered InlineCode function with a policy template, a CodeUri in S3 with AutoPublishAlias", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "sam-code" }));
  const zip = makeZip({ "app.js": "exports.handler = async (e) => ({ from: 's3', memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, e });" });
  await s3.send(new PutObjectCommand({ Bucket: "sam-code", Key: "code/app.zip", Body: zip }));
  // AutoPublishAlias from a parameter: the transform reads the value given.
  const params = [
    { ParameterKey: "CodeBucket", ParameterValue: "sam-code" },
    { ParameterKey: "AliasName", ParameterValue: "live" },
  ];

  // The role SAM makes needs CAPABILITY_IAM, as AWS asks for it.
  await assert.rejects(
    cfn.send(new CreateStackCommand({ StackName: "sam-app", TemplateBody: APP, Parameters: params, Capabilities: ["CAPABILITY_AUTO_EXPAND"] })),
    {
      name: "InsufficientCapabilitiesException",
      message: "Requires capabilities : [CAPABILITY_IAM]",
    },
  );
  await cfn.send(new CreateStackCommand({ StackName: "sam-app", TemplateBody: APP, Parameters: params, Capabilities: [...CAPS] }));
  try {
    await waitUntilStackCreateComplete(waiter(), { StackName: "sam-app" });
  } catch (e) {
    const failed = Object.entries(await resources("sam-app")).filter(([, r]) => r.status === "CREATE_FAILED");
    assert.fail(`${JSON.stringify(failed)} (${e})`);
  }
  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "sam-app" }))).Stacks!;
  const out = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));

  // The resources SAM's expansion names: the function's role, its event source mapping, a version and the alias.
  const rs = await resources("sam-app");
  const ids = Object.keys(rs).sort();
  const version = ids.find((id) => /^FromS3Version[0-9a-f]{10}$/.test(id));
  assert.ok(version, ids.join(","));
  assert.deepEqual(ids, ["FromS3", "FromS3Aliaslive", "FromS3Role", version, "Queue", "Worker", "WorkerFromQueue", "WorkerRole"].sort());
  assert.deepEqual(Object.fromEntries(Object.entries(rs).map(([id, r]) => [id, r.type])), {
    FromS3: "AWS::Lambda::Function",
    FromS3Aliaslive: "AWS::Lambda::Alias",
    FromS3Role: "AWS::IAM::Role",
    [version]: "AWS::Lambda::Version",
    Queue: "AWS::SQS::Queue",
    Worker: "AWS::Lambda::Function",
    WorkerFromQueue: "AWS::Lambda::EventSourceMapping",
    WorkerRole: "AWS::IAM::Role",
  });

  // Globals reached the functions; a function's own Environment merged with them; SAM's tag on it.
  const worker = await lambda.send(new GetFunctionCommand({ FunctionName: out.WorkerName }));
  assert.deepEqual(
    [worker.Configuration?.Runtime, worker.Configuration?.Timeout, worker.Configuration?.MemorySize, worker.Configuration?.Handler],
    ["nodejs20.x", 12, 192, "index.handler"],
  );
  assert.deepEqual(worker.Configuration?.Environment?.Variables, { STAGE: "test", ROLE: "worker" });
  // The transform's tags, and CloudFormation's own on what it creates.
  assert.deepEqual(worker.Tags, {
    "lambda:createdBy": "SAM",
    app: "sam-test",
    "aws:cloudformation:stack-name": "sam-app",
    "aws:cloudformation:stack-id": stack.StackId,
    "aws:cloudformation:logical-id": "Worker",
  });
  assert.equal(worker.Configuration?.Role, (await iam.send(new GetRoleCommand({ RoleName: rs.WorkerRole.physical }))).Role?.Arn);

  // The role: AWSLambdaBasicExecutionRole, the SQS event's managed policy, the template's and the statement's policies.
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: rs.WorkerRole.physical }));
  assert.deepEqual(attached.AttachedPolicies?.map((p) => p.PolicyArn).sort(), [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
  ]);
  const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: rs.WorkerRole.physical }));
  assert.deepEqual(inline.PolicyNames?.sort(), ["WorkerRolePolicy0", "WorkerRolePolicy1"]);
  const template = await iam.send(new GetRolePolicyCommand({ RoleName: rs.WorkerRole.physical, PolicyName: "WorkerRolePolicy0" }));
  const doc = JSON.parse(decodeURIComponent(template.PolicyDocument!));
  const queueName = rs.Queue.physical.split("/").pop();
  assert.deepEqual(doc.Statement, [{ Action: ["sqs:SendMessage*"], Effect: "Allow", Resource: `arn:aws:sqs:us-east-1:${account}:${queueName}` }]);

  // The mapping is real: a message on the queue runs the function.
  const mappings = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: out.WorkerName }));
  assert.equal(mappings.EventSourceMappings?.[0]?.BatchSize, 3);
  await sqs.send(new SendMessageCommand({ QueueUrl: rs.Queue.physical, MessageBody: "sam-message" }));
  assert.ok(await untilLogged(`/aws/lambda/${out.WorkerName}`, 'WORKER test ["sam-message"]'), "the SQS event ran the function");

  // The code from S3 runs, through the alias AutoPublishAlias made on version 1.
  const alias = await lambda.send(new GetAliasCommand({ FunctionName: rs.FromS3.physical, Name: "live" }));
  assert.equal(alias.FunctionVersion, "1");
  assert.equal(out.AliasArn, alias.AliasArn);
  const invoked = await lambda.send(new InvokeCommand({ FunctionName: out.AliasArn, Payload: Buffer.from('{"x":1}') }));
  assert.equal(invoked.FunctionError, undefined, Buffer.from(invoked.Payload ?? []).toString());
  assert.deepEqual(JSON.parse(Buffer.from(invoked.Payload!).toString()), { from: "s3", memory: "256", e: { x: 1 } });

  // GetTemplate: the original as given, the processed stage the expansion the stack runs.
  const original = await cfn.send(new GetTemplateCommand({ StackName: "sam-app" }));
  assert.equal(original.TemplateBody, APP);
  assert.deepEqual(original.StagesAvailable, ["Original", "Processed"]);
  const processed = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "sam-app", TemplateStage: "Processed" }))).TemplateBody!);
  assert.equal(processed.Transform, undefined);
  assert.equal(processed.Globals, undefined);
  assert.equal(processed.Resources.Worker.Type, "AWS::Lambda::Function");
  assert.deepEqual(processed.Resources.Worker.Properties.Role, { "Fn::GetAtt": ["WorkerRole", "Arn"] });
  assert.deepEqual(processed.Resources.Worker.Properties.Tags, [
    { Key: "lambda:createdBy", Value: "SAM" },
    { Key: "app", Value: "sam-test" },
  ]);
  assert.deepEqual(processed.Resources.WorkerFromQueue.Properties, {
    EventSourceArn: { "Fn::GetAtt": ["Queue", "Arn"] },
    FunctionName: { Ref: "Worker" },
    BatchSize: 3,
  });
  assert.deepEqual(processed.Resources.FromS3.Properties.Code, { S3Bucket: { Ref: "CodeBucket" }, S3Key: "code/app.zip" });
  assert.deepEqual(processed.Outputs.AliasArn.Value, { Ref: "FromS3Aliaslive" });
  assert.equal(processed.Resources[version].DeletionPolicy, "Retain");

  await cfn.send(new DeleteStackCommand({ StackName: "sam-app" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "sam-app" });
  await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: out.WorkerName })), { name: "ResourceNotFoundException" });
});

const EVENTS = `Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Uploads:
    Type: AWS::S3::Bucket
  Listener:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: |
        exports.handler = async (event) => {
          const r = (event.Records || [])[0] || {};
          if (r.Sns) console.log("SNS " + r.Sns.Message);
          else if (r.s3) console.log("S3 " + r.s3.object.key);
          else console.log("URL " + event.rawPath);
          return { statusCode: 200, body: "listened" };
        };
      FunctionUrlConfig:
        AuthType: NONE
      Events:
        Notified:
          Type: SNS
          Properties:
            Topic: !Ref Topic
        Uploaded:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - Name: prefix
                    Value: in/
Outputs:
  Url:
    Value: !GetAtt ListenerUrl.FunctionUrl
`;

test("SNS and S3 events and a function URL: the subscription, the bucket's notification and the permissions SAM makes run the function", async () => {
  await cfn.send(new CreateStackCommand({ StackName: "sam-events", TemplateBody: EVENTS, Capabilities: [...CAPS] }));
  try {
    await waitUntilStackCreateComplete(waiter(), { StackName: "sam-events" });
  } catch (e) {
    const failed = Object.entries(await resources("sam-events")).filter(([, r]) => r.status === "CREATE_FAILED");
    assert.fail(`${JSON.stringify(failed)} (${e})`);
  }
  const rs = await resources("sam-events");
  assert.deepEqual(Object.keys(rs).sort(), [
    "Listener",
    "ListenerNotified",
    "ListenerNotifiedPermission",
    "ListenerRole",
    "ListenerURLInvokeAllowPublicAccess",
    "ListenerUploadedPermission",
    "ListenerUrl",
    "ListenerUrlPublicPermissions",
    "Topic",
    "Uploads",
  ]);
  assert.equal(rs.ListenerNotified.type, "AWS::SNS::Subscription");
  const group = `/aws/lambda/${rs.Listener.physical}`;

  await new SNSClient(s.clientConfig({ account })).send(new PublishCommand({ TopicArn: rs.Topic.physical, Message: "sam-sns" }));
  assert.ok(await untilLogged(group, "SNS sam-sns"), "the SNS event ran the function");
  await s3.send(new PutObjectCommand({ Bucket: rs.Uploads.physical, Key: "in/file.txt", Body: "x" }));
  assert.ok(await untilLogged(group, "S3 in/file.txt"), "the S3 event ran the function");

  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "sam-events" }))).Stacks!;
  const url = stack.Outputs?.find((o) => o.OutputKey === "Url")?.OutputValue;
  assert.ok(url);
  const processed = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "sam-events", TemplateStage: "Processed" }))).TemplateBody!);
  assert.deepEqual(processed.Resources.Uploads.DependsOn, ["ListenerUploadedPermission"]);
  assert.deepEqual(processed.Resources.Uploads.Properties.NotificationConfiguration.LambdaConfigurations, [
    { Event: "s3:ObjectCreated:*", Function: { "Fn::GetAtt": ["Listener", "Arn"] }, Filter: { S3Key: { Rules: [{ Name: "prefix", Value: "in/" }] } } },
  ]);
  assert.deepEqual(processed.Resources.ListenerNotified.Properties, {
    Endpoint: { "Fn::GetAtt": ["Listener", "Arn"] },
    Protocol: "lambda",
    TopicArn: { Ref: "Topic" },
  });

  // A bucket with objects cannot be deleted (as on AWS): empty it first.
  await s3.send(new DeleteObjectCommand({ Bucket: rs.Uploads.physical, Key: "in/file.txt" }));
  await cfn.send(new DeleteStackCommand({ StackName: "sam-events" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "sam-events" });
});

test("AutoPublishAlias on update: new code is a new version (its id a new hash), the alias moves to it, the old version is retained", async () => {
  const body = (greeting: string) =>
    JSON.stringify({
      Transform: "AWS::Serverless-2016-10-31",
      Resources: {
        Greeter: {
          Type: "AWS::Serverless::Function",
          Properties: {
            Handler: "index.handler",
            Runtime: "nodejs20.x",
            InlineCode: `exports.handler = async () => "${greeting}";`,
            AutoPublishAlias: "live",
            Role: roleArn,
          },
        },
      },
    });
  await cfn.send(new CreateStackCommand({ StackName: "sam-versions", TemplateBody: body("one"), Capabilities: ["CAPABILITY_AUTO_EXPAND"] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "sam-versions" });
  const first = await resources("sam-versions");
  const v1 = Object.keys(first).find((id) => id.startsWith("GreeterVersion"))!;
  assert.equal(first.GreeterRole, undefined, "a function with its own Role gets no role from SAM");
  const call = async () =>
    JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: first.GreeterAliaslive.physical }))).Payload!).toString());
  assert.equal(await call(), "one");

  await cfn.send(new UpdateStackCommand({ StackName: "sam-versions", TemplateBody: body("two"), Capabilities: ["CAPABILITY_AUTO_EXPAND"] }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "sam-versions" });
  const second = await resources("sam-versions");
  const v2 = Object.keys(second).find((id) => id.startsWith("GreeterVersion"))!;
  assert.notEqual(v2, v1);
  assert.equal(second[v1], undefined);
  const alias = await lambda.send(new GetAliasCommand({ FunctionName: first.Greeter.physical, Name: "live" }));
  assert.equal(alias.FunctionVersion, "2");
  assert.equal(await call(), "two");
  // The old version's DeletionPolicy is Retain: it stays after the update's cleanup.
  const old = await lambda.send(new GetFunctionCommand({ FunctionName: first.Greeter.physical, Qualifier: "1" }));
  assert.equal(old.Configuration?.Version, "1");
});

test("SAM's errors: an invalid resource, an unsupported Globals property; each cause named, the count given", async () => {
  const bad = {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      NoRuntime: { Type: "AWS::Serverless::Function", Properties: { Handler: "index.handler", InlineCode: "x" } },
      BadUri: { Type: "AWS::Serverless::Function", Properties: { Handler: "h", Runtime: "nodejs20.x", CodeUri: "https://example.com/code.zip" } },
      Unknown: {
        Type: "AWS::Serverless::Function",
        Properties: { Handler: "h", Runtime: "nodejs20.x", InlineCode: "x", Policies: [{ NoSuchPolicyTemplate: {} }] },
      },
    },
  };
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "sam-bad", TemplateBody: JSON.stringify(bad), Capabilities: [...CAPS] })), {
    name: "ValidationError",
    message:
      "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document. Number of errors found: 3. " +
      "Resource with id [BadUri] is invalid. 'CodeUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter. " +
      "Resource with id [NoRuntime] is invalid. Runtime and Handler needs to be present when PackageType is of type `Zip` " +
      "Resource with id [Unknown] is invalid. Policy at index 0 in the 'Policies' property is not valid",
  });
  const globals = { ...bad, Globals: { Function: { Events: {} } }, Resources: { Fn: bad.Resources.NoRuntime } };
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "sam-bad", TemplateBody: JSON.stringify(globals), Capabilities: [...CAPS] })), {
    name: "ValidationError",
    message:
      /^Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document\. Number of errors found: 1\. 'Globals' section is invalid\. 'Events' is not a supported property of 'Function'\. Must be one of the following values - \['Handler', 'Runtime', 'CodeUri', /,
  });
  const missing = {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Fn: { Type: "AWS::Serverless::Function", Properties: { Handler: "h", Runtime: "nodejs20.x", InlineCode: "x", Policies: [{ LambdaInvokePolicy: {} }] } },
    },
  };
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "sam-bad", TemplateBody: JSON.stringify(missing), Capabilities: [...CAPS] })), {
    message: /Resource with id \[Fn\] is invalid\. Following required parameters of template 'LambdaInvokePolicy' don't have values: \['FunctionName'\]$/,
  });
  // A type SAM does not have is left for CloudFormation, which does not recognize it; one SAM has that Stratus does
  // not translate yet is refused, saying so.
  const nope = { Transform: "AWS::Serverless-2016-10-31", Resources: { Thing: { Type: "AWS::Serverless::Nope" } } };
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "sam-bad", TemplateBody: JSON.stringify(nope), Capabilities: [...CAPS] })), {
    name: "ValidationError",
    message: "Template format error: Unrecognized resource types: [AWS::Serverless::Nope]",
  });
  const machine = { Transform: "AWS::Serverless-2016-10-31", Resources: { Machine: { Type: "AWS::Serverless::StateMachine", Properties: {} } } };
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "sam-bad", TemplateBody: JSON.stringify(machine), Capabilities: [...CAPS] })), {
    message:
      /Number of errors found: 1\. Resource with id \[Machine\] is invalid\. Resource type AWS::Serverless::StateMachine is not supported by Stratus's SAM transform yet\.$/,
  });
});

test("a Schedule event's AWS::Events::Rule and an Api event's RestApi as SAM makes them; a SimpleTable's table, which Stratus does not run, fails that resource, named as SAM names it", async () => {
  const body = {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Ticker: {
        Type: "AWS::Serverless::Function",
        Properties: {
          Handler: "index.handler",
          Runtime: "nodejs20.x",
          InlineCode: "exports.handler = async () => 1;",
          Events: { Tick: { Type: "Schedule", Properties: { Schedule: "rate(5 minutes)" } } },
        },
      },
    },
  };
  await cfn.send(new CreateStackCommand({ StackName: "sam-rule", TemplateBody: JSON.stringify(body), Capabilities: [...CAPS], OnFailure: "DO_NOTHING" }));
  // EventBridge runs it now: the Schedule event's rule is created on the default bus with the function as its target.
  await waitUntilStackCreateComplete(waiter(), { StackName: "sam-rule" });
  const rs = await resources("sam-rule");
  assert.deepEqual([rs.TickerTick.type, rs.TickerTick.status], ["AWS::Events::Rule", "CREATE_COMPLETE"]);
  const eb = new EventBridgeClient(s.clientConfig({ account }));
  const rule = (await eb.send(new ListRulesCommand({}))).Rules?.find((r) => r.ScheduleExpression === "rate(5 minutes)");
  assert.equal(rule?.State, "ENABLED");
  const { Targets } = await eb.send(new ListTargetsByRuleCommand({ Rule: rule!.Name! }));
  assert.deepEqual(
    Targets?.map((t) => [t.Id, t.Arn]),
    [["TickerTickLambdaTarget", (await lambda.send(new GetFunctionCommand({ FunctionName: rs.Ticker.physical }))).Configuration!.FunctionArn]],
  );
  const processed = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "sam-rule", TemplateStage: "Processed" }))).TemplateBody!);
  assert.deepEqual(processed.Resources.TickerTick.Properties, {
    ScheduleExpression: "rate(5 minutes)",
    Targets: [{ Arn: { "Fn::GetAtt": ["Ticker", "Arn"] }, Id: "TickerTickLambdaTarget" }],
  });
  assert.deepEqual(processed.Resources.TickerTickPermission.Properties, {
    Action: "lambda:InvokeFunction",
    FunctionName: { Ref: "Ticker" },
    Principal: "events.amazonaws.com",
    SourceArn: { "Fn::GetAtt": ["TickerTick", "Arn"] },
  });
  await cfn.send(new DeleteStackCommand({ StackName: "sam-rule" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "sam-rule" });

  // An Api event: the implicit ServerlessRestApi (its swagger body with the aws_proxy integration), its stage, the permission.
  const api = {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Web: {
        Type: "AWS::Serverless::Function",
        Properties: {
          Handler: "index.handler",
          Runtime: "nodejs20.x",
          InlineCode: "exports.handler = async () => ({ statusCode: 200 });",
          Events: { GetItem: { Type: "Api", Properties: { Path: "/items/{id}", Method: "get" } } },
        },
      },
    },
  };
  await cfn.send(new CreateStackCommand({ StackName: "sam-api", TemplateBody: JSON.stringify(api), Capabilities: [...CAPS], OnFailure: "DO_NOTHING" }));
  // API Gateway runs it now (test/services/api-gateway/cloudformation-sam.test.ts calls it over HTTP).
  await waitUntilStackCreateComplete(waiter(), { StackName: "sam-api" });
  const ar = await resources("sam-api");
  assert.deepEqual([ar.ServerlessRestApi.type, ar.ServerlessRestApi.status], ["AWS::ApiGateway::RestApi", "CREATE_COMPLETE"]);
  const ap = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "sam-api", TemplateStage: "Processed" }))).TemplateBody!);
  assert.deepEqual(ap.Resources.ServerlessRestApi.Properties.Body.paths, {
    "/items/{id}": {
      get: {
        "x-amazon-apigateway-integration": {
          type: "aws_proxy",
          httpMethod: "POST",
          uri: { "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Web.Arn}/invocations" },
        },
        responses: {},
      },
    },
  });
  assert.equal(ap.Resources.ServerlessRestApiProdStage.Properties.StageName, "Prod");
  assert.deepEqual(ap.Resources.WebGetItemPermissionProd.Properties.SourceArn, {
    "Fn::Sub": [
      "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/GET/items/*",
      { __ApiId__: { Ref: "ServerlessRestApi" }, __Stage__: "*" },
    ],
  });

  const table = { Transform: "AWS::Serverless-2016-10-31", Resources: { Table: { Type: "AWS::Serverless::SimpleTable" } } };
  await cfn.send(
    new CreateStackCommand({ StackName: "sam-table", TemplateBody: JSON.stringify(table), Capabilities: ["CAPABILITY_AUTO_EXPAND"], OnFailure: "DO_NOTHING" }),
  );
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: "sam-table" }));
  const t = (await resources("sam-table")).Table;
  assert.deepEqual([t.type, t.status], ["AWS::DynamoDB::Table", "CREATE_FAILED"]);
  const tp = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "sam-table", TemplateStage: "Processed" }))).TemplateBody!);
  assert.deepEqual(tp.Resources.Table.Properties, {
    AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  });
});

const CLI_TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => 'hello ' + e.who;"
      Policies: AWSLambdaBasicExecutionRole
Outputs:
  Name:
    Value: !Ref Hello
`;

const clis = awsClis();
if (!clis.length) test("aws CLI: cloudformation deploy of a SAM template", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: cloudformation deploy of a SAM template (CAPABILITY_IAM CAPABILITY_AUTO_EXPAND)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-sam-"));
    try {
      const file = join(dir, "template.yaml");
      writeFileSync(file, CLI_TEMPLATE);
      const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
      const deployed = await runAws(
        cli,
        s.url,
        ["cloudformation", "deploy", "--stack-name", "sam-cli", "--template-file", file, "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        creds,
      );
      assert.equal(deployed.status, 0, deployed.stderr + deployed.stdout);
      const described = await runAws(cli, s.url, ["cloudformation", "describe-stacks", "--stack-name", "sam-cli"], creds);
      const [stack] = JSON.parse(described.stdout).Stacks;
      assert.equal(stack.StackStatus, "CREATE_COMPLETE");
      const name = stack.Outputs.find((o: { OutputKey: string }) => o.OutputKey === "Name").OutputValue;
      // The function runs (invoked with the SDK, as the same account).
      const invoked = await new LambdaClient(s.clientConfig({ account: creds.AWS_ACCESS_KEY_ID })).send(
        new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"who":"cli"}') }),
      );
      assert.equal(JSON.parse(Buffer.from(invoked.Payload!).toString()), "hello cli");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
