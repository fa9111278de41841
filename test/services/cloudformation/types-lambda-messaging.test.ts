// CloudFormation resource types of SQS, SNS and Lambda through the SDK: a topic subscription delivering to a queue
// its QueuePolicy opens, a TopicPolicy, a function from inline ZipFile code invoked after CREATE_COMPLETE, a
// permission, and an SQS event source mapping that runs the function; DeleteStack undoes each.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
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
import { GetFunctionCommand, GetPolicyCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetSubscriptionAttributesCommand, GetTopicAttributesCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let sqs: SQSClient;
let sns: SNSClient;
let lambda: LambdaClient;
let roleArn: string;
const waiter = () => ({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  sqs = new SQSClient(c);
  sns = new SNSClient(c);
  lambda = new LambdaClient(c);
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
