// Nested stacks (AWS::CloudFormation::Stack) through the SDK: a parent with two children read from S3, one's output
// passed to the other as a parameter and out through the parent (Fn::GetAtt Child.Outputs.X), ParentId and RootId,
// the child's name and tags; updates (a changed parameter; a child template changed in S3 at the same URL); delete
// with the parent; a failing or unreadable child fails its resource with AWS's reason and rolls the parent back, the
// child deleted; a child updated and deleted directly; a parent stopped mid-create resumes after a restart.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListStacksCommand,
  type Stack,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let ssm: SSMClient;
let bucket: string;
let s3: S3Client;
const waiter = () => ({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const describe = async (StackName: string) => (await cfn.send(new DescribeStacksCommand({ StackName }))).Stacks![0];
const outputs = (st: Stack) => Object.fromEntries((st.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
const ssmValue = async (Name: string) => (await ssm.send(new GetParameterCommand({ Name }))).Parameter?.Value;

const FIRST = {
  Parameters: { Value: { Type: "String" } },
  Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Name: "/nested/first", Type: "String", Value: { Ref: "Value" } } } },
  Outputs: { Name: { Value: { Ref: "P" } }, Value: { Value: { "Fn::GetAtt": ["P", "Value"] } } },
};
const SECOND = {
  Parameters: { FromFirst: { Type: "String" } },
  Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Name: "/nested/second", Type: "String", Value: { "Fn::Sub": "second got ${FromFirst}" } } } },
  Outputs: { Said: { Value: { "Fn::GetAtt": ["P", "Value"] } } },
};
const FAILING = {
  Resources: {
    Fine: { Type: "AWS::SSM::Parameter", Properties: { Name: "/nested/fine", Type: "String", Value: "ok" } },
    Bad: { Type: "AWS::SSM::Parameter", DependsOn: "Fine", Properties: { Name: "/nested/bad", Type: "NoSuchType", Value: "x" } },
  },
};

const parent = (value: string) =>
  JSON.stringify({
    Resources: {
      First: {
        Type: "AWS::CloudFormation::Stack",
        Properties: { TemplateURL: `https://s3.amazonaws.com/${bucket}/first.json`, Parameters: { Value: value }, Tags: [{ Key: "child", Value: "first" }] },
      },
      Second: {
        Type: "AWS::CloudFormation::Stack",
        Properties: {
          TemplateURL: `https://${bucket}.s3.us-east-1.amazonaws.com/second.json`,
          Parameters: { FromFirst: { "Fn::GetAtt": ["First", "Outputs.Value"] } },
        },
      },
    },
    Outputs: { FirstId: { Value: { Ref: "First" } }, Said: { Value: { "Fn::GetAtt": ["Second", "Outputs.Said"] } } },
  });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  ssm = new SSMClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
  bucket = `nested-${Date.now()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [Key, body] of [
    ["first.json", FIRST],
    ["second.json", SECOND],
    ["failing.json", FAILING],
  ] as const)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: JSON.stringify(body) }));
});
after(() => s.close());

test("a parent with two nested stacks: outputs passed between them, ParentId/RootId, updated, deleted with the parent", async () => {
  await cfn.send(new CreateStackCommand({ StackName: "parent", TemplateBody: parent("v1"), Tags: [{ Key: "team", Value: "blue" }] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "parent" });
  const p = await describe("parent");
  assert.equal(p.StackStatus, "CREATE_COMPLETE", p.StackStatusReason);
  assert.equal(p.ParentId, undefined);
  assert.equal(outputs(p).Said, "second got v1");
  assert.equal(await ssmValue("/nested/second"), "second got v1");

  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "parent" }))).StackResources!;
  const firstId = resources.find((r) => r.LogicalResourceId === "First")!.PhysicalResourceId!;
  const secondId = resources.find((r) => r.LogicalResourceId === "Second")!.PhysicalResourceId!;
  assert.equal(outputs(p).FirstId, firstId);
  const first = await describe(firstId);
  assert.match(first.StackName!, /^parent-First-[A-Z0-9]{12}$/);
  assert.equal(first.ParentId, p.StackId);
  assert.equal(first.RootId, p.StackId);
  // The parent's stack tags and the template's (order aside), not CloudFormation's own aws: tags of the parent.
  assert.deepEqual(first.Tags?.map((t) => [t.Key, t.Value]).sort(), [
    ["child", "first"],
    ["team", "blue"],
  ]);
  assert.deepEqual(first.Parameters, [{ ParameterKey: "Value", ParameterValue: "v1" }]);
  assert.equal((await describe(secondId)).ParentId, p.StackId);
  const summaries = (await cfn.send(new ListStacksCommand({ StackStatusFilter: ["CREATE_COMPLETE"] }))).StackSummaries!;
  assert.deepEqual(
    summaries.filter((x) => x.StackId === firstId || x.StackId === secondId).map((x) => [x.ParentId, x.RootId]),
    [
      [p.StackId, p.StackId],
      [p.StackId, p.StackId],
    ],
  );

  // A changed parameter updates the first child; the second's parameter follows its output.
  await cfn.send(new UpdateStackCommand({ StackName: "parent", TemplateBody: parent("v2") }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "parent" });
  assert.equal(outputs(await describe("parent")).Said, "second got v2");
  assert.equal((await describe(firstId)).StackStatus, "UPDATE_COMPLETE");
  assert.equal(await ssmValue("/nested/first"), "v2");

  // The second child's template changes in S3 at the same URL: a parent update updates every nested stack (AWS's
  // change set says so: Modify, ChangeSource Automatic), so the child reads it again.
  const changed = {
    ...SECOND,
    Resources: { P: { ...SECOND.Resources.P, Properties: { ...SECOND.Resources.P.Properties, Value: { "Fn::Sub": "second now got ${FromFirst}" } } } },
  };
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "second.json", Body: JSON.stringify(changed) }));
  const { Id } = await cfn.send(
    new CreateChangeSetCommand({ StackName: "parent", ChangeSetName: "retag", TemplateBody: parent("v2"), Tags: [{ Key: "team", Value: "green" }] }),
  );
  const planned = (await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }))).Changes!.map((c) => c.ResourceChange!);
  assert.deepEqual(
    planned.map((c) => [c.LogicalResourceId, c.Action, c.Replacement, c.Details?.map((d) => d.ChangeSource)]),
    [
      // The stack tags' change (no ChangeSource), and the nested stack's automatic update.
      ["First", "Modify", "False", [undefined, "Automatic"]],
      ["Second", "Modify", "False", [undefined, "Automatic"]],
    ],
  );
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "parent" });
  assert.equal(outputs(await describe("parent")).Said, "second now got v2");

  await cfn.send(new DeleteStackCommand({ StackName: "parent" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "parent" });
  for (const id of [firstId, secondId]) assert.equal((await describe(id)).StackStatus, "DELETE_COMPLETE");
  await assert.rejects(ssm.send(new GetParameterCommand({ Name: "/nested/second" })), { name: "ParameterNotFound" });
});

test("a child that fails: the resource fails with AWS's reason, the parent rolls back, the child is deleted", async () => {
  const body = JSON.stringify({
    Resources: {
      Own: { Type: "AWS::SSM::Parameter", Properties: { Name: "/nested/own", Type: "String", Value: "parent's" } },
      Child: { Type: "AWS::CloudFormation::Stack", Properties: { TemplateURL: `https://s3.amazonaws.com/${bucket}/failing.json` } },
    },
  });
  await cfn.send(new CreateStackCommand({ StackName: "doomed", TemplateBody: body }));
  // (The SDK's StackRollbackComplete waiter is for an update's rollback.)
  for (let i = 0; i < 60 && (await describe("doomed")).StackStatus !== "ROLLBACK_COMPLETE"; i++) await new Promise((r) => setTimeout(r, 500));
  assert.equal((await describe("doomed")).StackStatus, "ROLLBACK_COMPLETE");
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "doomed" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "Child" && e.ResourceStatus === "CREATE_FAILED")!;
  assert.match(
    failed.ResourceStatusReason!,
    /^Embedded stack arn:aws:cloudformation:us-east-1:\d{12}:stack\/doomed-Child-[A-Z0-9]{12}\/[-0-9a-f]+ was not successfully created: The following resource\(s\) failed to create: \[Bad\]\.$/,
  );
  const childId = /^Embedded stack (\S+) /.exec(failed.ResourceStatusReason!)![1];
  const child = await describe(childId);
  assert.equal(child.StackStatus, "DELETE_COMPLETE");
  assert.equal(child.ParentId, (await describe("doomed")).StackId);
  await assert.rejects(ssm.send(new GetParameterCommand({ Name: "/nested/fine" })), { name: "ParameterNotFound" });
  await assert.rejects(ssm.send(new GetParameterCommand({ Name: "/nested/own" })), { name: "ParameterNotFound" });
});

test("a child whose template cannot be read: the resource fails with S3's error as CloudFormation words it", async () => {
  const body = JSON.stringify({
    Resources: { Child: { Type: "AWS::CloudFormation::Stack", Properties: { TemplateURL: `https://s3.amazonaws.com/${bucket}/missing.json` } } },
  });
  await cfn.send(new CreateStackCommand({ StackName: "unread", TemplateBody: body }));
  for (let i = 0; i < 60 && (await describe("unread")).StackStatus !== "ROLLBACK_COMPLETE"; i++) await new Promise((r) => setTimeout(r, 250));
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "unread" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "Child" && e.ResourceStatus === "CREATE_FAILED")!;
  assert.match(failed.ResourceStatusReason!, /^S3 error: The specified key does not exist\./);
});

test("a nested stack updated and deleted directly, as AWS allows (not recommended): the parent still deletes", async () => {
  const body = JSON.stringify({
    Resources: {
      Child: { Type: "AWS::CloudFormation::Stack", Properties: { TemplateURL: `https://s3.amazonaws.com/${bucket}/first.json`, Parameters: { Value: "p" } } },
    },
  });
  await cfn.send(new CreateStackCommand({ StackName: "direct", TemplateBody: body }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "direct" });
  const childId = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "direct" }))).StackResources![0].PhysicalResourceId!;
  await cfn.send(new UpdateStackCommand({ StackName: childId, UsePreviousTemplate: true, Parameters: [{ ParameterKey: "Value", ParameterValue: "direct" }] }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: childId });
  assert.equal(await ssmValue("/nested/first"), "direct");
  await cfn.send(new DeleteStackCommand({ StackName: childId }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: childId });
  await cfn.send(new DeleteStackCommand({ StackName: "direct" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "direct" });
});

test("a server stopped while a parent creates its nested stack: at the next start both roll back, the child deleted", async () => {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { cfnState } = await import("../../../src/services/cloudformation/state.js");
  const dir = mkdtempSync(join(tmpdir(), "stratus-cfn-nested-resume-"));
  const account = randomAccount();
  try {
    const first = await startTestServer({ dataDir: dir });
    const c1 = first.clientConfig({ account });
    const s3a = new S3Client({ ...c1, forcePathStyle: true });
    await s3a.send(new CreateBucketCommand({ Bucket: `resume-${account}` }));
    await s3a.send(new PutObjectCommand({ Bucket: `resume-${account}`, Key: "first.json", Body: JSON.stringify(FIRST) }));
    const cf1 = new CloudFormationClient(c1);
    const body = JSON.stringify({
      Resources: {
        Child: {
          Type: "AWS::CloudFormation::Stack",
          Properties: { TemplateURL: `https://s3.amazonaws.com/resume-${account}/first.json`, Parameters: { Value: "r" } },
        },
      },
    });
    await cf1.send(new CreateStackCommand({ StackName: "resumed", TemplateBody: body }));
    await waitUntilStackCreateComplete({ client: cf1, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "resumed" });
    // As if the server had been killed while the child was being created: parent, resource and child in progress.
    const t = cfnState.at(first.runtime, account, "us-east-1");
    const parentRec = t.stacks.get(t.names.get("resumed")!)!;
    const key = `${parentRec.stackId}\u0000Child`;
    const res = t.resources.get(key)!;
    t.resources.put(key, { ...res, status: "CREATE_IN_PROGRESS" });
    t.stacks.put(parentRec.stackId, { ...parentRec, status: "CREATE_IN_PROGRESS", outputs: undefined });
    const childRec = t.stacks.get(res.physicalId!)!;
    t.stacks.put(childRec.stackId, { ...childRec, status: "CREATE_IN_PROGRESS", outputs: undefined });
    await first.close();

    const second = await startTestServer({ dataDir: dir });
    try {
      const c2 = second.clientConfig({ account });
      const cf2 = new CloudFormationClient(c2);
      const status = async (StackName: string) => (await cf2.send(new DescribeStacksCommand({ StackName }))).Stacks![0].StackStatus;
      for (let i = 0; i < 60 && (await status(parentRec.stackId)) !== "ROLLBACK_COMPLETE"; i++) await new Promise((r) => setTimeout(r, 250));
      assert.equal(await status(parentRec.stackId), "ROLLBACK_COMPLETE");
      assert.equal(await status(childRec.stackId), "DELETE_COMPLETE");
      await assert.rejects(new SSMClient(c2).send(new GetParameterCommand({ Name: "/nested/first" })), { name: "ParameterNotFound" });
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
