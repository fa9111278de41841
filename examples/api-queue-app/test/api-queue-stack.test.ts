// CDK assertion tests, as the study notes describe them: fine-grained assertions (Template.fromStack: resource
// counts, properties, Match helpers) and a snapshot test against the committed baseline template
// (test/__snapshots__/ApiQueueApp.template.json; UPDATE_SNAPSHOT=1 rewrites it after an intended change).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { App } from "aws-cdk-lib";
import { Capture, Match, Template } from "aws-cdk-lib/assertions";
import { ApiQueueStack } from "../lib/api-queue-stack.js";

const template = Template.fromStack(new ApiQueueStack(new App(), "ApiQueueApp"));

test("LambdaRestApi: a REST API proxying every path to the API function, deployed to the prod stage", () => {
  template.resourceCountIs("AWS::ApiGateway::RestApi", 1);
  template.hasResourceProperties("AWS::ApiGateway::Method", { HttpMethod: "ANY", Integration: { Type: "AWS_PROXY", IntegrationHttpMethod: "POST" } });
  template.hasResourceProperties("AWS::ApiGateway::Resource", { PathPart: "{proxy+}" });
  template.hasResourceProperties("AWS::ApiGateway::Stage", { StageName: "prod" });
  template.hasResourceProperties("AWS::Lambda::Permission", { Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com" });
});

test("the API function gets the queue, topic, parameters and secret in its environment, with least-privilege grants", () => {
  const env = new Capture();
  template.hasResourceProperties("AWS::Lambda::Function", {
    Handler: "index.handler",
    Runtime: "nodejs22.x",
    Environment: { Variables: env },
  });
  assert.deepEqual(Object.keys(env.asObject()).sort(), ["CONFIG_PARAMETER", "GREETING_PARAMETER", "QUEUE_URL", "SECRET_ARN", "TOPIC_ARN"]);
  assert.equal(env.asObject().GREETING_PARAMETER, "/api-queue-app/greeting");
  template.hasResourceProperties("AWS::IAM::Policy", {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Action: Match.arrayWith(["sqs:SendMessage"]) }),
        Match.objectLike({ Action: "sns:Publish" }),
        Match.objectLike({ Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] }),
      ]),
    },
  });
});

test("the worker is fed by the queue: an event source mapping with batch item failures", () => {
  template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
  template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
    BatchSize: 5,
    FunctionResponseTypes: ["ReportBatchItemFailures"],
    EventSourceArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^OrdersQueue"), "Arn"] },
  });
});

test("KMS: one customer key with rotation encrypts the queues, the topic and the secret", () => {
  template.resourceCountIs("AWS::KMS::Key", 1);
  template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true, PendingWindowInDays: 7 });
  template.hasResourceProperties("AWS::KMS::Alias", { AliasName: "alias/api-queue-app" });
  const keyRef = { "Fn::GetAtt": [Match.stringLikeRegexp("^DataKey"), "Arn"] };
  const queues = template.findResources("AWS::SQS::Queue", { Properties: { KmsMasterKeyId: keyRef } });
  assert.equal(Object.keys(queues).length, 3);
  template.hasResourceProperties("AWS::SQS::Queue", { RedrivePolicy: { maxReceiveCount: 3 }, VisibilityTimeout: 60 });
  template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: keyRef });
  template.hasResourceProperties("AWS::SecretsManager::Secret", {
    KmsKeyId: keyRef,
    GenerateSecretString: Match.objectLike({ GenerateStringKey: "signingKey" }),
  });
});

test("SNS: the audit queue subscribes to the topic with raw message delivery, and the topic may send to it", () => {
  template.resourceCountIs("AWS::SNS::Subscription", 1);
  template.hasResourceProperties("AWS::SNS::Subscription", {
    Protocol: "sqs",
    RawMessageDelivery: true,
    Endpoint: { "Fn::GetAtt": [Match.stringLikeRegexp("^AuditQueue"), "Arn"] },
  });
  template.hasResourceProperties("AWS::SQS::QueuePolicy", {
    PolicyDocument: {
      Statement: Match.arrayWith([Match.objectLike({ Action: "sqs:SendMessage", Principal: { Service: "sns.amazonaws.com" } })]),
    },
  });
});

test("log groups with a week's retention, destroyed with the stack", () => {
  template.resourceCountIs("AWS::Logs::LogGroup", 2);
  template.allResources("AWS::Logs::LogGroup", { Properties: { RetentionInDays: 7 } });
  for (const group of Object.values(template.findResources("AWS::Logs::LogGroup"))) assert.equal(group.DeletionPolicy, "Delete");
  template.hasResourceProperties("AWS::Lambda::Function", { LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp("^WorkerFunctionLogs") } } });
});

test("SSM: the config parameter, and the custom resource writing (and on delete removing) the greeting", () => {
  template.hasResourceProperties("AWS::SSM::Parameter", { Name: "/api-queue-app/config", Type: "String" });
  const create = new Capture();
  template.hasResourceProperties("Custom::AWS", { Create: create, InstallLatestAwsSdk: false });
  const call = JSON.parse(create.asString());
  assert.equal(call.service, "SSM");
  assert.equal(call.action, "PutParameter");
  assert.deepEqual(call.parameters, { Name: "/api-queue-app/greeting", Value: "hello from api-queue-app", Type: "String", Overwrite: true });
  template.hasResourceProperties("Custom::AWS", { Delete: Match.stringLikeRegexp('"action":"DeleteParameter"') });
});

test("snapshot: the synthesized template matches the committed baseline", () => {
  const file = new URL("./__snapshots__/ApiQueueApp.template.json", import.meta.url);
  const actual = `${JSON.stringify(template.toJSON(), null, 2)}\n`;
  assert.ok(process.env.UPDATE_SNAPSHOT || existsSync(file), "no committed snapshot: run with UPDATE_SNAPSHOT=1 and commit it");
  if (process.env.UPDATE_SNAPSHOT) {
    mkdirSync(new URL("./__snapshots__/", import.meta.url), { recursive: true });
    writeFileSync(file, actual);
  }
  assert.equal(actual, readFileSync(file, "utf8"));
});
