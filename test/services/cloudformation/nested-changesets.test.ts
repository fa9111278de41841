// Change sets with IncludeNestedStacks through the SDK (and the AWS CLI's describe-change-set): a parent with two
// nested stacks whose templates changed in S3 gets a change set on each child (ParentChangeSetId, RootChangeSetId,
// the child's own changes against its new template and the parameter the parent would pass), listed on the child;
// the root's nested stack changes carry the child change sets' ids; a nested change set can be neither executed nor
// deleted on its own; executing the root updates the children; deleting the root removes the children's; an
// unreadable child template, or one needing a capability the root was not given, fails the child change set with a
// reason, and the root with it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetOutput,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

let s: TestServer;
let cfn: CloudFormationClient;
let ssm: SSMClient;
let s3: S3Client;
let bucket: string;
let account: string;
const waiter = () => ({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const ssmValue = async (Name: string) => (await ssm.send(new GetParameterCommand({ Name }))).Parameter?.Value;
const put = (Key: string, body: unknown) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: JSON.stringify(body) }));

const child = (prefix: string, extra = false) => ({
  Parameters: { Value: { Type: "String" } },
  Resources: {
    P: { Type: "AWS::SSM::Parameter", Properties: { Name: `/${prefix}/p`, Type: "String", Value: { Ref: "Value" } } },
    ...(extra ? { Q: { Type: "AWS::SSM::Parameter", Properties: { Name: `/${prefix}/q`, Type: "String", Value: "added" } } } : {}),
  },
});
const parent = (prefix: string) =>
  JSON.stringify({
    Parameters: { Value: { Type: "String" } },
    Resources: {
      A: {
        Type: "AWS::CloudFormation::Stack",
        Properties: { TemplateURL: `https://s3.amazonaws.com/${bucket}/${prefix}-a.json`, Parameters: { Value: { "Fn::Sub": "a-${Value}" } } },
      },
      B: { Type: "AWS::CloudFormation::Stack", Properties: { TemplateURL: `https://s3.amazonaws.com/${bucket}/${prefix}-b.json`, Parameters: { Value: "b" } } },
    },
  });

/** A parent with its two children, created; their stack ids. */
async function tree(prefix: string) {
  await put(`${prefix}-a.json`, child(prefix));
  await put(`${prefix}-b.json`, child(`${prefix}b`));
  await cfn.send(new CreateStackCommand({ StackName: prefix, TemplateBody: parent(prefix), Parameters: [{ ParameterKey: "Value", ParameterValue: "v1" }] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: prefix });
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: prefix }))).StackResources!;
  const id = (l: string) => resources.find((r) => r.LogicalResourceId === l)!.PhysicalResourceId!;
  return { a: id("A"), b: id("B") };
}

const rootChangeSet = (prefix: string, ChangeSetName: string, value: string) =>
  cfn.send(
    new CreateChangeSetCommand({
      StackName: prefix,
      ChangeSetName,
      TemplateBody: parent(prefix),
      Parameters: [{ ParameterKey: "Value", ParameterValue: value }],
      IncludeNestedStacks: true,
    }),
  );
const nestedIds = (root: DescribeChangeSetOutput) =>
  Object.fromEntries(root.Changes!.map((c) => [c.ResourceChange!.LogicalResourceId!, c.ResourceChange!.ChangeSetId]));
const summary = (cs: DescribeChangeSetOutput) =>
  cs.Changes!.map((c) => [c.ResourceChange!.Action, c.ResourceChange!.LogicalResourceId, c.ResourceChange!.Replacement]).sort();

before(async () => {
  s = await startTestServer();
  account = randomAccount();
  const c = s.clientConfig({ account });
  cfn = new CloudFormationClient(c);
  ssm = new SSMClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
  bucket = `nested-cs-${Date.now()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
after(() => s.close());

test("IncludeNestedStacks: a change set on each changed child, nested ones refused, the root executed updates the children", async () => {
  const { a, b } = await tree("ncs");
  // A gets a new parameter value through the parent; B's template changed in S3 at the same URL.
  await put("ncs-b.json", child("ncsb", true));
  const { Id: rootId, StackId } = await rootChangeSet("ncs", "review", "v2");
  await waitUntilChangeSetCreateComplete(waiter(), { StackName: "ncs", ChangeSetName: "review" });
  const root = await cfn.send(new DescribeChangeSetCommand({ StackName: "ncs", ChangeSetName: "review" }));
  assert.equal(root.Status, "CREATE_COMPLETE", root.StatusReason);
  assert.equal(root.IncludeNestedStacks, true);
  assert.equal(root.ParentChangeSetId, undefined);
  assert.equal(root.RootChangeSetId, undefined);
  const ids = nestedIds(root);
  assert.match(ids.A!, /^arn:aws:cloudformation:us-east-1:\d{12}:changeSet\//);
  assert.match(ids.B!, /^arn:aws:cloudformation:us-east-1:\d{12}:changeSet\//);
  assert.notEqual(ids.A, ids.B);

  const childA = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: ids.A! }));
  assert.equal(childA.StackId, a);
  assert.equal(childA.Status, "CREATE_COMPLETE", childA.StatusReason);
  assert.equal(childA.ParentChangeSetId, rootId);
  assert.equal(childA.RootChangeSetId, rootId);
  assert.equal(childA.IncludeNestedStacks, true);
  assert.deepEqual(childA.Parameters, [{ ParameterKey: "Value", ParameterValue: "a-v2" }]);
  assert.deepEqual(summary(childA), [["Modify", "P", "False"]]);
  const childB = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: ids.B! }));
  assert.equal(childB.StackId, b);
  assert.equal(childB.ParentChangeSetId, rootId);
  assert.deepEqual(summary(childB), [["Add", "Q", undefined]]);

  // Listed on the child's stack, with its place in the hierarchy.
  const listed = (await cfn.send(new ListChangeSetsCommand({ StackName: a }))).Summaries!;
  assert.deepEqual(
    listed.map((x) => [x.ChangeSetId, x.IncludeNestedStacks, x.ParentChangeSetId, x.RootChangeSetId]),
    [[ids.A, true, rootId, rootId]],
  );

  // Only the root is executed or deleted.
  await assert.rejects(cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: ids.A! })), (e: Error) => e.name === "ValidationError");
  await assert.rejects(cfn.send(new DeleteChangeSetCommand({ ChangeSetName: ids.B! })), (e: Error) => e.name === "ValidationError");

  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: rootId! }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: StackId! });
  assert.equal(await ssmValue("/ncs/p"), "a-v2");
  assert.equal(await ssmValue("/ncsb/q"), "added");
  for (const id of [a, b]) {
    const st = (await cfn.send(new DescribeStacksCommand({ StackName: id }))).Stacks![0];
    assert.equal(st.StackStatus, "UPDATE_COMPLETE");
    // The executed hierarchy's change sets are gone.
    assert.deepEqual((await cfn.send(new ListChangeSetsCommand({ StackName: id }))).Summaries, []);
  }
  await assert.rejects(cfn.send(new DescribeChangeSetCommand({ ChangeSetName: ids.A! })), (e: Error) => e.name === "ChangeSetNotFoundException");
});

test("deleting the root change set deletes its nested ones", async () => {
  const { a, b } = await tree("ncd");
  await put("ncd-b.json", child("ncdb", true));
  const { Id: rootId } = await rootChangeSet("ncd", "review", "v2");
  const ids = nestedIds(await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: rootId! })));
  assert.equal((await cfn.send(new ListChangeSetsCommand({ StackName: b }))).Summaries!.length, 1);
  await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: rootId! }));
  for (const id of [a, b]) assert.deepEqual((await cfn.send(new ListChangeSetsCommand({ StackName: id }))).Summaries, []);
  await assert.rejects(cfn.send(new DescribeChangeSetCommand({ ChangeSetName: ids.B! })), (e: Error) => e.name === "ChangeSetNotFoundException");
  // The stacks are untouched.
  assert.equal(await ssmValue("/ncd/p"), "a-v1");
});

test("a child's unreadable template fails its change set with a reason, and the root with it", async () => {
  await tree("ncf");
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "ncf-b.json" }));
  const { Id: rootId } = await rootChangeSet("ncf", "review", "v2");
  const root = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: rootId! }));
  assert.equal(root.Status, "FAILED");
  assert.equal(root.ExecutionStatus, "UNAVAILABLE");
  const ids = nestedIds(root);
  assert.equal(root.StatusReason, `Nested change set ${ids.B} was not successfully created: Currently in FAILED.`);
  const childB = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: ids.B! }));
  assert.equal(childB.Status, "FAILED");
  assert.ok(childB.StatusReason, "a reason");
  // Its sibling's status follows the root's.
  assert.equal((await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: ids.A! }))).Status, "FAILED");
  await assert.rejects(cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: rootId! })), (e: Error) => e.name === "InvalidChangeSetStatusException");
});

test("a child's new template that needs a capability the root change set lacks fails its change set", async () => {
  await tree("nci");
  const role = { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] } } };
  await put("nci-b.json", { ...child("ncib"), Resources: { ...child("ncib").Resources, R: role } });
  const { Id: rootId } = await rootChangeSet("nci", "review", "v1");
  const root = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: rootId! }));
  assert.equal(root.Status, "FAILED");
  const childB = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: nestedIds(root).B! }));
  assert.equal(childB.StatusReason, "Requires capabilities : [CAPABILITY_IAM]");
});

const clis = awsClis();
for (const cli of clis)
  test(`${cli.label}: describe-change-set of a root and of a nested change set`, async () => {
    // A tree of its own for each CLI.
    const prefix = `ncli${cli.label.split("/")[1].split(".")[0]}`;
    const { a } = await tree(prefix);
    const { Id: rootId } = await rootChangeSet(prefix, "review", "v2");
    const aws = async (args: string[]) => {
      const r = await runAws(cli, s.url, args, { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const root = await aws(["cloudformation", "describe-change-set", "--change-set-name", rootId!]);
    assert.equal(root.IncludeNestedStacks, true);
    const idA = root.Changes.find((c: { ResourceChange: { LogicalResourceId: string } }) => c.ResourceChange.LogicalResourceId === "A").ResourceChange
      .ChangeSetId;
    const nested = await aws(["cloudformation", "describe-change-set", "--change-set-name", idA]);
    assert.equal(nested.StackId, a);
    assert.equal(nested.ParentChangeSetId, rootId);
    assert.equal(nested.RootChangeSetId, rootId);
    assert.equal(nested.Changes[0].ResourceChange.LogicalResourceId, "P");
  });
