// Tags as CloudFormation applies them (src/services/cloudformation/tags.ts), read back through each service's own
// API: every resource of a type that takes tags carries the stack's tags and aws:cloudformation:stack-name,
// stack-id and logical-id; a template tag wins over a stack tag of the same key; UpdateStack changing the stack's
// tags adds, changes and removes them on the resources; a user calling a service directly still may not set aws:
// tags (each service's own error).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, ListTagsForResourceCommand as ListLogTags } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient, ListRoleTagsCommand } from "@aws-sdk/client-iam";
import { CreateKeyCommand, KMSClient, ListResourceTagsCommand, TagResourceCommand as TagKey } from "@aws-sdk/client-kms";
import { GetFunctionCommand, LambdaClient, ListTagsCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetBucketTaggingCommand, PutBucketTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListTagsForResourceCommand as ListTopicTags, SNSClient } from "@aws-sdk/client-sns";
import { ListQueueTagsCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ListTagsForResourceCommand as ListSsmTags, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let account: string;
let c: ReturnType<TestServer["clientConfig"]>;
const waiter = () => ({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  account = randomAccount();
  c = s.clientConfig({ account });
  cfn = new CloudFormationClient(c);
});
after(() => s.close());

const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
const template = {
  Resources: {
    Queue: { Type: "AWS::SQS::Queue", Properties: { Tags: [{ Key: "team", Value: "queue-team" }] } },
    Topic: { Type: "AWS::SNS::Topic" },
    Bucket: { Type: "AWS::S3::Bucket" },
    Key: { Type: "AWS::KMS::Key", Properties: { Description: "tagged" } },
    Param: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: "v", Tags: { owner: "param-owner" } } },
    Logs: { Type: "AWS::Logs::LogGroup" },
    Secret: { Type: "AWS::SecretsManager::Secret", Properties: { SecretString: "s3cr3t" } },
    Role: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: trust } },
    Fn: {
      Type: "AWS::Lambda::Function",
      Properties: {
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: { "Fn::GetAtt": ["Role", "Arn"] },
        Code: { ZipFile: "exports.handler = async () => 1;" },
      },
    },
  },
};

type Tags = Record<string, string>;
const fromList = (l: { Key?: string; Value?: string }[] | undefined): Tags => Object.fromEntries((l ?? []).map((t) => [t.Key!, t.Value!]));

/** Each resource's tags, read back through its own service's API, by logical id. */
async function tagsOnResources(stack: string): Promise<Record<string, Tags>> {
  const res = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources!;
  const id = (logical: string) => res.find((r) => r.LogicalResourceId === logical)!.PhysicalResourceId!;
  const out: Record<string, Tags> = {};
  out.Queue = (await new SQSClient(c).send(new ListQueueTagsCommand({ QueueUrl: id("Queue") }))).Tags ?? {};
  out.Topic = fromList((await new SNSClient(c).send(new ListTopicTags({ ResourceArn: id("Topic") }))).Tags);
  out.Bucket = fromList((await new S3Client({ ...c, forcePathStyle: true }).send(new GetBucketTaggingCommand({ Bucket: id("Bucket") }))).TagSet);
  out.Key = Object.fromEntries(
    ((await new KMSClient(c).send(new ListResourceTagsCommand({ KeyId: id("Key") }))).Tags ?? []).map((t) => [t.TagKey!, t.TagValue!]),
  );
  out.Param = fromList((await new SSMClient(c).send(new ListSsmTags({ ResourceType: "Parameter", ResourceId: id("Param") }))).TagList);
  const logs = new CloudWatchLogsClient(c);
  const group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: id("Logs") }))).logGroups![0];
  out.Logs = (await logs.send(new ListLogTags({ resourceArn: group.arn!.replace(/:\*$/, "") }))).tags ?? {};
  out.Secret = fromList((await new SecretsManagerClient(c).send(new DescribeSecretCommand({ SecretId: id("Secret") }))).Tags);
  out.Role = fromList((await new IAMClient(c).send(new ListRoleTagsCommand({ RoleName: id("Role") }))).Tags);
  const lambda = new LambdaClient(c);
  const fn = await lambda.send(new GetFunctionCommand({ FunctionName: id("Fn") }));
  out.Fn = (await lambda.send(new ListTagsCommand({ Resource: fn.Configuration!.FunctionArn! }))).Tags ?? {};
  return out;
}

const stackIdOf = async (stack: string) => (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks![0].StackId!;

test("every resource carries the stack's tags and CloudFormation's own; UpdateStack's new tags reach them", async () => {
  const stack = "tagged-stack";
  await cfn.send(
    new CreateStackCommand({
      StackName: stack,
      TemplateBody: JSON.stringify(template),
      Capabilities: ["CAPABILITY_IAM"],
      Tags: [
        { Key: "env", Value: "dev" },
        { Key: "team", Value: "stack-team" },
        { Key: "owner", Value: "stack-owner" },
      ],
    }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: stack });
  const stackId = await stackIdOf(stack);
  const before = await tagsOnResources(stack);
  for (const [logical, tags] of Object.entries(before)) {
    const own = logical === "Queue" ? { team: "queue-team" } : logical === "Param" ? { owner: "param-owner" } : {};
    assert.deepEqual(
      tags,
      {
        env: "dev",
        team: "stack-team",
        owner: "stack-owner",
        ...own, // a template tag wins over the stack's tag of the same key
        "aws:cloudformation:stack-name": stack,
        "aws:cloudformation:stack-id": stackId,
        "aws:cloudformation:logical-id": logical,
      },
      logical,
    );
  }

  // The stack's tags change (env changed, team removed, cost added): the resources follow; the template's own stay.
  await cfn.send(
    new UpdateStackCommand({
      StackName: stack,
      UsePreviousTemplate: true,
      Capabilities: ["CAPABILITY_IAM"],
      Tags: [
        { Key: "env", Value: "prod" },
        { Key: "owner", Value: "stack-owner" },
        { Key: "cost", Value: "42" },
      ],
    }),
  );
  await waitUntilStackUpdateComplete(waiter(), { StackName: stack });
  const [d] = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  assert.equal(d.StackStatus, "UPDATE_COMPLETE", d.StackStatusReason);
  const afterUpdate = await tagsOnResources(stack);
  for (const [logical, tags] of Object.entries(afterUpdate)) {
    const own = logical === "Queue" ? { team: "queue-team" } : logical === "Param" ? { owner: "param-owner" } : {};
    assert.deepEqual(
      tags,
      {
        env: "prod",
        owner: "stack-owner",
        cost: "42",
        ...own,
        "aws:cloudformation:stack-name": stack,
        "aws:cloudformation:stack-id": stackId,
        "aws:cloudformation:logical-id": logical,
      },
      logical,
    );
  }

  // Only the stack's tags changed: an update with the same tags again has nothing to do.
  await assert.rejects(
    cfn.send(
      new UpdateStackCommand({
        StackName: stack,
        UsePreviousTemplate: true,
        Capabilities: ["CAPABILITY_IAM"],
        Tags: [
          { Key: "env", Value: "prod" },
          { Key: "owner", Value: "stack-owner" },
          { Key: "cost", Value: "42" },
        ],
      }),
    ),
    { name: "ValidationError", message: "No updates are to be performed." },
  );
});

test("a user calling the service directly still may not set aws: tags", async () => {
  const kms = new KMSClient(c);
  await assert.rejects(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: "aws:cloudformation:stack-name", TagValue: "x" }] })), {
    name: "TagException",
    message: "Tags beginning with aws: are reserved",
  });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  await assert.rejects(kms.send(new TagKey({ KeyId: KeyMetadata!.KeyId!, Tags: [{ TagKey: "AWS:CloudFormation:logical-id", TagValue: "x" }] })), {
    name: "TagException",
  });
  const s3 = new S3Client({ ...c, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "user-tags-bucket" }));
  await assert.rejects(
    s3.send(new PutBucketTaggingCommand({ Bucket: "user-tags-bucket", Tagging: { TagSet: [{ Key: "aws:cloudformation:stack-name", Value: "x" }] } })),
    { name: "InvalidTag", message: "System tags cannot be added/updated by requester" },
  );
});
