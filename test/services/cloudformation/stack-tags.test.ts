// Tags as CloudFormation applies them (src/services/cloudformation/tags.ts), read back through each service's own
// API: every resource of a type that takes tags carries the stack's tags and aws:cloudformation:stack-name,
// stack-id and logical-id; a template tag wins over a stack tag of the same key; UpdateStack changing the stack's
// tags adds, changes and removes them on the resources; a user calling a service directly still may not set aws:
// tags (each service's own error).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeChangeSetCommand,
  DetectStackDriftCommand,
  ExecuteChangeSetCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, ListTagsForResourceCommand as ListLogTags } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient, ListRoleTagsCommand, ListUserTagsCommand } from "@aws-sdk/client-iam";
import { CreateKeyCommand, KMSClient, ListResourceTagsCommand, TagResourceCommand as TagKey } from "@aws-sdk/client-kms";
import { GetEventSourceMappingCommand, GetFunctionCommand, LambdaClient, ListTagsCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetBucketTaggingCommand, PutBucketTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListTagsForResourceCommand as ListTopicTags, SNSClient } from "@aws-sdk/client-sns";
import { ListQueueTagsCommand, SQSClient, TagQueueCommand } from "@aws-sdk/client-sqs";
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
    User: { Type: "AWS::IAM::User" },
    Mapping: {
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: { FunctionName: { Ref: "Fn" }, EventSourceArn: { "Fn::GetAtt": ["Queue", "Arn"] }, Enabled: false },
    },
  },
};

type Tags = Record<string, string>;
const fromList = (l: { Key?: string; Value?: string }[] | undefined): Tags => Object.fromEntries((l ?? []).map((t) => [t.Key!, t.Value!]));

/** Each resource's tags, read back through its own service's API, by logical id (those the stack has). */
async function tagsOnResources(stack: string): Promise<Record<string, Tags>> {
  const res = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources!;
  const logs = new CloudWatchLogsClient(c);
  const lambda = new LambdaClient(c);
  const read: Record<string, (id: string) => Promise<Tags>> = {
    Queue: async (id) => (await new SQSClient(c).send(new ListQueueTagsCommand({ QueueUrl: id }))).Tags ?? {},
    Topic: async (id) => fromList((await new SNSClient(c).send(new ListTopicTags({ ResourceArn: id }))).Tags),
    Bucket: async (id) => fromList((await new S3Client({ ...c, forcePathStyle: true }).send(new GetBucketTaggingCommand({ Bucket: id }))).TagSet),
    Key: async (id) => {
      const out: Tags = {};
      let Marker: string | undefined;
      do {
        const page = await new KMSClient(c).send(new ListResourceTagsCommand({ KeyId: id, Marker }));
        for (const t of page.Tags ?? []) out[t.TagKey!] = t.TagValue!;
        Marker = page.Truncated ? page.NextMarker : undefined;
      } while (Marker);
      return out;
    },
    Param: async (id) => fromList((await new SSMClient(c).send(new ListSsmTags({ ResourceType: "Parameter", ResourceId: id }))).TagList),
    Logs: async (id) => {
      const group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: id }))).logGroups![0];
      return (await logs.send(new ListLogTags({ resourceArn: group.arn!.replace(/:\*$/, "") }))).tags ?? {};
    },
    Secret: async (id) => fromList((await new SecretsManagerClient(c).send(new DescribeSecretCommand({ SecretId: id }))).Tags),
    Role: async (id) => fromList((await new IAMClient(c).send(new ListRoleTagsCommand({ RoleName: id }))).Tags),
    User: async (id) => fromList((await new IAMClient(c).send(new ListUserTagsCommand({ UserName: id }))).Tags),
    Mapping: async (id) => {
      const m = await lambda.send(new GetEventSourceMappingCommand({ UUID: id }));
      return (await lambda.send(new ListTagsCommand({ Resource: m.EventSourceMappingArn! }))).Tags ?? {};
    },
    Fn: async (id) => {
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: id }));
      return (await lambda.send(new ListTagsCommand({ Resource: fn.Configuration!.FunctionArn! }))).Tags ?? {};
    },
  };
  const out: Record<string, Tags> = {};
  for (const r of res) out[r.LogicalResourceId!] = await read[r.LogicalResourceId!](r.PhysicalResourceId!);
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
  assert.deepEqual(Object.keys(before).sort(), Object.keys(template.Resources).sort());
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

test("an update that fails rolls the stack's tags back on the resources and on the stack", async () => {
  const stack = "tags-rollback";
  const body = { Resources: { Queue: { Type: "AWS::SQS::Queue" }, Param: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: "v" } } } };
  await cfn.send(new CreateStackCommand({ StackName: stack, TemplateBody: JSON.stringify(body), Tags: [{ Key: "env", Value: "dev" }] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: stack });
  const res = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources!;
  const queueUrl = res.find((r) => r.LogicalResourceId === "Queue")!.PhysicalResourceId!;
  const param = res.find((r) => r.LogicalResourceId === "Param")!.PhysicalResourceId!;
  const userTags = (t: Tags) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith("aws:")));
  const queueTags = async () => userTags((await new SQSClient(c).send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags ?? {});
  const paramTags = async () => userTags(fromList((await new SSMClient(c).send(new ListSsmTags({ ResourceType: "Parameter", ResourceId: param }))).TagList));
  // New stack tags, and a new queue SQS refuses (VisibilityTimeout past 12 hours): the update fails and rolls back.
  const failing = {
    Resources: { ...body.Resources, Bad: { Type: "AWS::SQS::Queue", DependsOn: ["Queue", "Param"], Properties: { VisibilityTimeout: 999999 } } },
  };
  await cfn.send(
    new UpdateStackCommand({
      StackName: stack,
      TemplateBody: JSON.stringify(failing),
      Tags: [
        { Key: "env", Value: "prod" },
        { Key: "cost", Value: "1" },
      ],
    }),
  );
  const deadline = Date.now() + 60_000;
  let d = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks![0];
  while (d.StackStatus !== "UPDATE_ROLLBACK_COMPLETE" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    d = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks![0];
  }
  assert.equal(d.StackStatus, "UPDATE_ROLLBACK_COMPLETE", d.StackStatusReason);
  assert.deepEqual(d.Tags, [{ Key: "env", Value: "dev" }]);
  assert.deepEqual(await queueTags(), { env: "dev" });
  assert.deepEqual(await paramTags(), { env: "dev" });
});

test("50 stack tags and CloudFormation's three fit each service's 50-tag limit", async () => {
  const stack = "tags-at-limit";
  // IAM's and Logs' models cap a request's tags at 50 (a role's, a log group's): not these.
  const resources = {
    Queue: { Type: "AWS::SQS::Queue" },
    Topic: { Type: "AWS::SNS::Topic" },
    Bucket: { Type: "AWS::S3::Bucket" },
    Key: { Type: "AWS::KMS::Key" },
    Param: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: "v" } },
    Secret: { Type: "AWS::SecretsManager::Secret", Properties: { SecretString: "s" } },
  };
  const stackTags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
  await cfn.send(
    new CreateStackCommand({ StackName: stack, TemplateBody: JSON.stringify({ Resources: resources }), Capabilities: ["CAPABILITY_IAM"], Tags: stackTags }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: stack }).catch(async (e) => {
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: stack }))).StackEvents ?? [];
    assert.fail(
      `${e}: ${events
        .filter((x) => x.ResourceStatus === "CREATE_FAILED")
        .map((x) => `${x.LogicalResourceId}: ${x.ResourceStatusReason}`)
        .join("; ")}`,
    );
  });
  const all = await tagsOnResources(stack);
  assert.deepEqual(Object.keys(all).sort(), Object.keys(resources).sort());
  for (const [logical, tags] of Object.entries(all)) assert.equal(Object.keys(tags).length, 53, logical);
});

test("drift detection checks the template's tags only: the stack's and CloudFormation's are not drift", async () => {
  const stack = "tags-drift";
  const body = {
    Resources: {
      Queue: { Type: "AWS::SQS::Queue", Properties: { Tags: [{ Key: "team", Value: "a" }] } },
      Param: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: "v", Tags: { team: "a" } } },
    },
  };
  await cfn.send(new CreateStackCommand({ StackName: stack, TemplateBody: JSON.stringify(body), Tags: [{ Key: "env", Value: "dev" }] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: stack });
  const detect = async () => {
    const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: stack }));
    for (let i = 0; i < 200; i++) {
      const st = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
      if (st.DetectionStatus !== "DETECTION_IN_PROGRESS") return st;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("drift detection did not finish");
  };
  assert.equal((await detect()).StackDriftStatus, "IN_SYNC");
  // The template's own tag changed behind CloudFormation's back is drift.
  const queueUrl = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack, LogicalResourceId: "Queue" }))).StackResources![0].PhysicalResourceId!;
  await new SQSClient(c).send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { team: "b" } }));
  assert.equal((await detect()).StackDriftStatus, "DRIFTED");
  const drifts = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: stack }))).StackResourceDrifts!;
  const queue = drifts.find((d) => d.LogicalResourceId === "Queue")!;
  assert.equal(queue.StackResourceDriftStatus, "MODIFIED");
  assert.deepEqual(
    queue.PropertyDifferences?.map((d) => [d.PropertyPath, d.ExpectedValue, d.ActualValue]),
    [["/Tags/0/Value", "a", "b"]],
  );
  assert.equal(drifts.find((d) => d.LogicalResourceId === "Param")!.StackResourceDriftStatus, "IN_SYNC");
});

test("a change set changing only the stack's tags: Modify with Scope Tags on each taggable resource; executing it retags them", async () => {
  const stack = "tags-changeset";
  const body = {
    Resources: {
      Queue: { Type: "AWS::SQS::Queue" },
      Policy: {
        Type: "AWS::SQS::QueuePolicy",
        Properties: {
          Queues: [{ Ref: "Queue" }],
          PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: account }, Action: "sqs:SendMessage", Resource: "*" }] },
        },
      },
    },
  };
  await cfn.send(new CreateStackCommand({ StackName: stack, TemplateBody: JSON.stringify(body), Tags: [{ Key: "env", Value: "dev" }] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: stack });
  const { Id } = await cfn.send(
    new CreateChangeSetCommand({ StackName: stack, ChangeSetName: "retag", UsePreviousTemplate: true, Tags: [{ Key: "env", Value: "prod" }] }),
  );
  await waitUntilChangeSetCreateComplete(waiter(), { ChangeSetName: Id });
  const cs = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
  const queueUrl = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack, LogicalResourceId: "Queue" }))).StackResources![0].PhysicalResourceId!;
  assert.deepEqual(
    cs.Changes?.map((c) => c.ResourceChange),
    [
      {
        Action: "Modify",
        LogicalResourceId: "Queue",
        PhysicalResourceId: queueUrl,
        ResourceType: "AWS::SQS::Queue",
        Replacement: "False",
        Scope: ["Tags"],
        Details: [{ Target: { Attribute: "Tags", RequiresRecreation: "Never" }, Evaluation: "Static" }],
      },
    ],
  );
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: stack });
  const tags = (await new SQSClient(c).send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags ?? {};
  assert.equal(tags.env, "prod");
  assert.equal(tags["aws:cloudformation:logical-id"], "Queue");
});
