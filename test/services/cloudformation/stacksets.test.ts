// StackSets with self-managed permissions, across accounts and regions of one Stratus: the roles are created in
// each account through IAM first (administration role trusting CloudFormation, execution roles trusting the
// administrator account); stack instances are real stacks in their account and region (an SQS queue and an SSM
// parameter each); parameter overrides, stack set updates, instance deletion with and without RetainStacks, a
// missing execution role (FAILED with AWS's reason, the next region CANCELLED past the failure tolerance), operations
// and their results, one operation at a time, and an operation a stopped server left running carried on after restart.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackInstanceCommand,
  DescribeStacksCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  GetTemplateSummaryCommand,
  ListStackInstanceResourceDriftsCommand,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
  ListStackSetOperationsCommand,
  ListStackSetsCommand,
  StopStackSetOperationCommand,
  UpdateStackInstancesCommand,
  UpdateStackSetCommand,
} from "@aws-sdk/client-cloudformation";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

let s: TestServer;
const admin = randomAccount();
const targets = [randomAccount(), randomAccount()];
const REGIONS = ["us-east-1", "eu-west-1"];
let cfn: CloudFormationClient;

const TEMPLATE = JSON.stringify({
  Parameters: { Value: { Type: "String", Default: "v0" } },
  Resources: {
    Queue: { Type: "AWS::SQS::Queue", Properties: { QueueName: "stackset-q" } },
    Param: { Type: "AWS::SSM::Parameter", Properties: { Name: "/stackset/p", Type: "String", Value: { Ref: "Value" } } },
  },
});

async function createRoles(server: TestServer, adminAccount: string, targetAccounts: string[]): Promise<void> {
  const iam = new IAMClient(server.clientConfig({ account: adminAccount }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: "AWSCloudFormationStackSetAdministrationRole",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "cloudformation.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }),
  );
  for (const account of targetAccounts) await executionRole(server, adminAccount, account);
}

/** The execution role in a target account, trusting the administrator account. */
async function executionRole(server: TestServer, adminAccount: string, account: string): Promise<void> {
  await new IAMClient(server.clientConfig({ account })).send(
    new CreateRoleCommand({
      RoleName: "AWSCloudFormationStackSetExecutionRole",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${adminAccount}:root` }, Action: "sts:AssumeRole" }],
      }),
    }),
  );
}

/** Polls DescribeStackSetOperation until the operation is no longer running. */
async function settled(client: CloudFormationClient, StackSetName: string, OperationId: string) {
  for (let i = 0; i < 300; i++) {
    const op = (await client.send(new DescribeStackSetOperationCommand({ StackSetName, OperationId }))).StackSetOperation!;
    if (!["RUNNING", "STOPPING", "QUEUED"].includes(op.Status!)) return op;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`operation ${OperationId} did not finish`);
}

const ssmValue = async (account: string, region: string) =>
  (await new SSMClient(s.clientConfig({ account, region })).send(new GetParameterCommand({ Name: "/stackset/p" }))).Parameter?.Value;
const queueExists = async (account: string, region: string) =>
  new SQSClient(s.clientConfig({ account, region })).send(new GetQueueUrlCommand({ QueueName: "stackset-q" })).then(
    () => true,
    (e) => (e.name === "QueueDoesNotExist" || e.name === "AWS.SimpleQueueService.NonExistentQueue" ? false : Promise.reject(e)),
  );

before(async () => {
  s = await startTestServer();
  cfn = new CloudFormationClient(s.clientConfig({ account: admin }));
  await createRoles(s, admin, targets);
});
after(() => s.close());

test("a stack set deploys real stacks to two accounts × two regions; overrides, updates, deletes with and without RetainStacks", async () => {
  const name = "fleet";
  const { StackSetId } = await cfn.send(
    new CreateStackSetCommand({ StackSetName: name, TemplateBody: TEMPLATE, Parameters: [{ ParameterKey: "Value", ParameterValue: "v1" }] }),
  );
  assert.match(StackSetId!, /^fleet:[0-9a-f-]{36}$/);
  const described = (await cfn.send(new DescribeStackSetCommand({ StackSetName: name }))).StackSet!;
  assert.equal(described.StackSetARN, `arn:aws:cloudformation:us-east-1:${admin}:stackset/${StackSetId}`);
  assert.equal(described.AdministrationRoleARN, `arn:aws:iam::${admin}:role/AWSCloudFormationStackSetAdministrationRole`);
  assert.equal(described.ExecutionRoleName, "AWSCloudFormationStackSetExecutionRole");
  assert.deepEqual([described.Status, described.PermissionModel], ["ACTIVE", "SELF_MANAGED"]);
  const summary = await cfn.send(new GetTemplateSummaryCommand({ StackSetName: name }));
  assert.deepEqual(
    summary.Parameters?.map((p) => [p.ParameterKey, p.DefaultValue]),
    [["Value", "v0"]],
  );
  assert.deepEqual(summary.ResourceTypes?.sort(), ["AWS::SQS::Queue", "AWS::SSM::Parameter"]);

  const create = await cfn.send(
    new CreateStackInstancesCommand({
      StackSetName: name,
      Accounts: targets,
      Regions: REGIONS,
      OperationPreferences: { RegionOrder: ["eu-west-1", "us-east-1"], MaxConcurrentCount: 2, FailureToleranceCount: 1 },
    }),
  );
  const op = await settled(cfn, name, create.OperationId!);
  assert.deepEqual([op.Action, op.Status, op.StatusDetails?.FailedStackInstancesCount], ["CREATE", "SUCCEEDED", 0]);
  const results = (await cfn.send(new ListStackSetOperationResultsCommand({ StackSetName: name, OperationId: create.OperationId! }))).Summaries!;
  // RegionOrder: eu-west-1's accounts first.
  assert.deepEqual(
    results.map((r) => [r.Region, r.Account, r.Status]),
    ["eu-west-1", "us-east-1"].flatMap((region) => targets.map((a) => [region, a, "SUCCEEDED"])),
  );
  assert.equal(results[0].AccountGateResult?.Status, "SKIPPED");

  for (const account of targets) {
    for (const region of REGIONS) {
      assert.equal(await queueExists(account, region), true, `queue in ${account}/${region}`);
      assert.equal(await ssmValue(account, region), "v1");
      const inst = (await cfn.send(new DescribeStackInstanceCommand({ StackSetName: name, StackInstanceAccount: account, StackInstanceRegion: region })))
        .StackInstance!;
      assert.deepEqual([inst.Status, inst.StackInstanceStatus?.DetailedStatus, inst.LastOperationId], ["CURRENT", "SUCCEEDED", create.OperationId]);
      const stack = (await new CloudFormationClient(s.clientConfig({ account, region })).send(new DescribeStacksCommand({ StackName: inst.StackId! })))
        .Stacks![0];
      assert.match(stack.StackName!, /^StackSet-fleet-[0-9a-f-]{36}$/);
      assert.equal(stack.StackStatus, "CREATE_COMPLETE");
    }
  }

  // An override for one instance; the others keep the stack set's value.
  const [b, c] = targets;
  const upd = await cfn.send(
    new UpdateStackInstancesCommand({
      StackSetName: name,
      Accounts: [b],
      Regions: ["eu-west-1"],
      ParameterOverrides: [{ ParameterKey: "Value", ParameterValue: "v2" }],
    }),
  );
  assert.equal((await settled(cfn, name, upd.OperationId!)).Status, "SUCCEEDED");
  assert.equal(await ssmValue(b, "eu-west-1"), "v2");
  assert.equal(await ssmValue(b, "us-east-1"), "v1");
  const overridden = (await cfn.send(new DescribeStackInstanceCommand({ StackSetName: name, StackInstanceAccount: b, StackInstanceRegion: "eu-west-1" })))
    .StackInstance!;
  assert.deepEqual(overridden.ParameterOverrides, [{ ParameterKey: "Value", ParameterValue: "v2" }]);
  await assert.rejects(cfn.send(new UpdateStackInstancesCommand({ StackSetName: name, Accounts: [randomAccount()], Regions: ["us-east-1"] })), {
    name: "StackInstanceNotFoundException",
  });

  // The stack set's new value reaches every instance but the overridden one.
  const updSet = await cfn.send(
    new UpdateStackSetCommand({ StackSetName: name, UsePreviousTemplate: true, Parameters: [{ ParameterKey: "Value", ParameterValue: "v3" }] }),
  );
  assert.equal((await settled(cfn, name, updSet.OperationId!)).Status, "SUCCEEDED");
  assert.deepEqual(await Promise.all([ssmValue(b, "eu-west-1"), ssmValue(b, "us-east-1"), ssmValue(c, "eu-west-1"), ssmValue(c, "us-east-1")]), [
    "v2",
    "v3",
    "v3",
    "v3",
  ]);

  await assert.rejects(cfn.send(new DeleteStackSetCommand({ StackSetName: name })), { name: "StackSetNotEmptyException" });

  // RetainStacks: the instances leave the stack set, their stacks and resources stay.
  const retained = (await cfn.send(new ListStackInstancesCommand({ StackSetName: name, StackInstanceAccount: b }))).Summaries!;
  assert.equal(retained.length, 2);
  const del1 = await cfn.send(new DeleteStackInstancesCommand({ StackSetName: name, Accounts: [b], Regions: REGIONS, RetainStacks: true }));
  assert.equal((await settled(cfn, name, del1.OperationId!)).RetainStacks, true);
  for (const region of REGIONS) {
    assert.equal(await queueExists(b, region), true);
    const stackId = retained.find((i) => i.Region === region)!.StackId!;
    const st = (await new CloudFormationClient(s.clientConfig({ account: b, region })).send(new DescribeStacksCommand({ StackName: stackId }))).Stacks![0];
    assert.match(st.StackStatus!, /^(CREATE|UPDATE)_COMPLETE$/);
  }
  // Without: the stacks are deleted, and their resources with them.
  const cStacks = (await cfn.send(new ListStackInstancesCommand({ StackSetName: name, StackInstanceAccount: c }))).Summaries!;
  const del2 = await cfn.send(new DeleteStackInstancesCommand({ StackSetName: name, Accounts: [c], Regions: REGIONS, RetainStacks: false }));
  assert.equal((await settled(cfn, name, del2.OperationId!)).Status, "SUCCEEDED");
  for (const i of cStacks) {
    assert.equal(await queueExists(c, i.Region!), false);
    const st = (await new CloudFormationClient(s.clientConfig({ account: c, region: i.Region })).send(new DescribeStacksCommand({ StackName: i.StackId! })))
      .Stacks![0];
    assert.equal(st.StackStatus, "DELETE_COMPLETE");
  }
  assert.deepEqual((await cfn.send(new ListStackInstancesCommand({ StackSetName: name }))).Summaries, []);

  const ops = (await cfn.send(new ListStackSetOperationsCommand({ StackSetName: name }))).Summaries!;
  assert.deepEqual(
    ops.map((o) => [o.OperationId, o.Action, o.Status]),
    [
      [del2.OperationId, "DELETE", "SUCCEEDED"],
      [del1.OperationId, "DELETE", "SUCCEEDED"],
      [updSet.OperationId, "UPDATE", "SUCCEEDED"],
      [upd.OperationId, "UPDATE", "SUCCEEDED"],
      [create.OperationId, "CREATE", "SUCCEEDED"],
    ],
  );
  assert.deepEqual(
    (
      await cfn.send(
        new ListStackInstanceResourceDriftsCommand({
          StackSetName: name,
          OperationId: create.OperationId!,
          StackInstanceAccount: b,
          StackInstanceRegion: "us-east-1",
        }),
      )
    ).Summaries,
    [],
  );

  await cfn.send(new DeleteStackSetCommand({ StackSetName: name }));
  await assert.rejects(cfn.send(new DescribeStackSetCommand({ StackSetName: name })), (e: Error) => {
    assert.equal(e.name, "StackSetNotFoundException");
    assert.equal(e.message, "StackSet fleet not found");
    return true;
  });
  assert.equal((await cfn.send(new DescribeStackSetCommand({ StackSetName: StackSetId! }))).StackSet?.Status, "DELETED");
  const deleted = (await cfn.send(new ListStackSetsCommand({ Status: "DELETED" }))).Summaries!;
  assert.ok(deleted.some((x) => x.StackSetId === StackSetId));
});

test("a target account without the execution role: FAILED with AWS's reason; the next region is CANCELLED past the failure tolerance", async () => {
  const name = "norole";
  const bare = randomAccount();
  await cfn.send(new CreateStackSetCommand({ StackSetName: name, TemplateBody: TEMPLATE }));
  const { OperationId } = await cfn.send(new CreateStackInstancesCommand({ StackSetName: name, Accounts: [bare], Regions: REGIONS }));
  const op = await settled(cfn, name, OperationId!);
  assert.deepEqual([op.Status, op.StatusDetails?.FailedStackInstancesCount], ["FAILED", 1]);
  const reason = `Account ${bare} should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to Role 'AWSCloudFormationStackSetAdministrationRole'.`;
  const results = (await cfn.send(new ListStackSetOperationResultsCommand({ StackSetName: name, OperationId: OperationId! }))).Summaries!;
  assert.deepEqual(
    results.map((r) => [r.Region, r.Status, r.StatusReason]),
    [
      ["us-east-1", "FAILED", reason],
      ["eu-west-1", "CANCELLED", "Cancelled since failure tolerance has exceeded"],
    ],
  );
  const inst = (await cfn.send(new DescribeStackInstanceCommand({ StackSetName: name, StackInstanceAccount: bare, StackInstanceRegion: "us-east-1" })))
    .StackInstance!;
  assert.deepEqual([inst.Status, inst.StackInstanceStatus?.DetailedStatus, inst.StatusReason, inst.StackId], ["OUTDATED", "FAILED", reason, undefined]);
  const failed = await cfn.send(new ListStackInstancesCommand({ StackSetName: name, Filters: [{ Name: "DETAILED_STATUS", Values: "FAILED" }] }));
  assert.deepEqual(
    failed.Summaries?.map((i) => i.Region),
    ["us-east-1"],
  );

  // No administration role in the administrator account: the account gate's reason (the API Reference's example).
  const lonely = randomAccount();
  const other = new CloudFormationClient(s.clientConfig({ account: lonely }));
  await other.send(new CreateStackSetCommand({ StackSetName: "noadmin", TemplateBody: TEMPLATE }));
  const o2 = await other.send(new CreateStackInstancesCommand({ StackSetName: "noadmin", Accounts: [targets[0]], Regions: ["us-east-1"] }));
  assert.equal((await settled(other, "noadmin", o2.OperationId!)).Status, "FAILED");
  const [r2] = (await other.send(new ListStackSetOperationResultsCommand({ StackSetName: "noadmin", OperationId: o2.OperationId! }))).Summaries!;
  const adminReason = `Account ${lonely} should have 'AWSCloudFormationStackSetAdministrationRole' role with trust relationship to CloudFormation service.`;
  assert.deepEqual(
    [r2.Status, r2.StatusReason, r2.AccountGateResult?.Status, r2.AccountGateResult?.StatusReason],
    ["FAILED", adminReason, "FAILED", adminReason],
  );
});

test("a stack that fails: the instance names the resource as AWS does, the failure tolerance cancels the rest; a retry replaces the rolled-back stack", async () => {
  const name = "clash";
  const [b, c] = targets;
  // The parameter exists already in one account and region: the instance's stack fails to create it.
  const taken = new SSMClient(s.clientConfig({ account: b, region: "us-west-2" }));
  await taken.send(new PutParameterCommand({ Name: "/stackset/p", Type: "String", Value: "taken" }));
  await cfn.send(new CreateStackSetCommand({ StackSetName: name, TemplateBody: TEMPLATE }));
  const { OperationId } = await cfn.send(
    new CreateStackInstancesCommand({
      StackSetName: name,
      Accounts: [b, c],
      Regions: ["us-west-2", "ap-south-1"],
      OperationPreferences: { MaxConcurrentCount: 1 },
    }),
  );
  const op = await settled(cfn, name, OperationId!);
  assert.deepEqual([op.Status, op.StatusDetails?.FailedStackInstancesCount], ["FAILED", 1]);
  const results = (await cfn.send(new ListStackSetOperationResultsCommand({ StackSetName: name, OperationId }))).Summaries!;
  assert.deepEqual(
    results.map((r) => [r.Account, r.Region, r.Status]),
    [
      [b, "us-west-2", "FAILED"],
      [c, "us-west-2", "CANCELLED"],
      [b, "ap-south-1", "CANCELLED"],
      [c, "ap-south-1", "CANCELLED"],
    ],
  );
  assert.match(results[0].StatusReason!, /^ResourceLogicalId:Param, ResourceType:AWS::SSM::Parameter, ResourceStatusReason:.*already exists.*\.$/);
  const failed = (await cfn.send(new DescribeStackInstanceCommand({ StackSetName: name, StackInstanceAccount: b, StackInstanceRegion: "us-west-2" })))
    .StackInstance!;
  assert.deepEqual([failed.Status, failed.StackInstanceStatus?.DetailedStatus, failed.StatusReason], ["OUTDATED", "FAILED", results[0].StatusReason]);
  const rolledBack = new CloudFormationClient(s.clientConfig({ account: b, region: "us-west-2" }));
  assert.equal((await rolledBack.send(new DescribeStacksCommand({ StackName: failed.StackId! }))).Stacks![0].StackStatus, "ROLLBACK_COMPLETE");
  assert.equal(await queueExists(b, "us-west-2"), false);

  // Once the clash is gone, deploying again replaces the rolled-back stack with a new one.
  await taken.send(new DeleteParameterCommand({ Name: "/stackset/p" }));
  const retry = await cfn.send(new UpdateStackInstancesCommand({ StackSetName: name, Accounts: [b], Regions: ["us-west-2"] }));
  assert.equal((await settled(cfn, name, retry.OperationId!)).Status, "SUCCEEDED");
  const fixed = (await cfn.send(new DescribeStackInstanceCommand({ StackSetName: name, StackInstanceAccount: b, StackInstanceRegion: "us-west-2" })))
    .StackInstance!;
  assert.notEqual(fixed.StackId, failed.StackId);
  assert.deepEqual([fixed.Status, fixed.StatusReason], ["CURRENT", undefined]);
  assert.equal((await rolledBack.send(new DescribeStacksCommand({ StackName: failed.StackId! }))).Stacks![0].StackStatus, "DELETE_COMPLETE");
  assert.equal(await ssmValue(b, "us-west-2"), "v0");
});

test("regions in parallel, percentages: failures within the tolerance leave the operation SUCCEEDED, counted", async () => {
  const name = "tolerant";
  const bare = randomAccount();
  await cfn.send(new CreateStackSetCommand({ StackSetName: name, TemplateBody: TEMPLATE }));
  const { OperationId } = await cfn.send(
    new CreateStackInstancesCommand({
      StackSetName: name,
      Accounts: [...targets, bare],
      Regions: ["sa-east-1", "ca-central-1"],
      OperationPreferences: { RegionConcurrencyType: "PARALLEL", FailureTolerancePercentage: 34, MaxConcurrentPercentage: 100 },
    }),
  );
  const op = await settled(cfn, name, OperationId!);
  assert.deepEqual([op.Status, op.StatusDetails?.FailedStackInstancesCount], ["SUCCEEDED", 2]);
  assert.deepEqual(op.OperationPreferences, { RegionConcurrencyType: "PARALLEL", FailureTolerancePercentage: 34, MaxConcurrentPercentage: 100 });
  const results = (await cfn.send(new ListStackSetOperationResultsCommand({ StackSetName: name, OperationId }))).Summaries!;
  assert.deepEqual(
    results.map((r) => [r.Region, r.Account, r.Status]),
    ["sa-east-1", "ca-central-1"].flatMap((region) => [...targets.map((a) => [region, a, "SUCCEEDED"]), [region, bare, "FAILED"]]),
  );
  for (const a of targets) for (const region of ["sa-east-1", "ca-central-1"]) assert.equal(await queueExists(a, region), true);
});

test("managed execution: an operation asked for while another runs is queued behind it instead of refused", async () => {
  const name = "managed";
  const account = randomAccount();
  await executionRole(s, admin, account);
  await cfn.send(new CreateStackSetCommand({ StackSetName: name, TemplateBody: TEMPLATE, ManagedExecution: { Active: true } }));
  assert.deepEqual((await cfn.send(new DescribeStackSetCommand({ StackSetName: name }))).StackSet?.ManagedExecution, { Active: true });
  const regions = [
    ...["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"],
    ...["eu-north-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2"],
  ];
  const first = await cfn.send(new CreateStackInstancesCommand({ StackSetName: name, Accounts: [account], Regions: regions }));
  const second = await cfn.send(
    new UpdateStackSetCommand({ StackSetName: name, UsePreviousTemplate: true, Parameters: [{ ParameterKey: "Value", ParameterValue: "queued" }] }),
  );
  // The first operation (twelve regions, one after the other) is still running: the second waits its turn. On a fast
  // run the first may end between the two calls above and this one (seen on Node 24): the second then runs already,
  // and what shows it was asked for while the first ran is that it was created before the first ended.
  const waiting = (await cfn.send(new DescribeStackSetOperationCommand({ StackSetName: name, OperationId: second.OperationId }))).StackSetOperation!;
  const firstDone = await settled(cfn, name, first.OperationId!);
  assert.equal(firstDone.Status, "SUCCEEDED");
  if (waiting.Status !== "QUEUED") {
    assert.equal(waiting.Status, "RUNNING");
    assert.ok(waiting.CreationTimestamp! <= firstDone.EndTimestamp!, `${waiting.CreationTimestamp?.toISOString()} > ${firstDone.EndTimestamp?.toISOString()}`);
  }
  assert.equal((await settled(cfn, name, second.OperationId!)).Status, "SUCCEEDED");
  for (const region of regions) assert.equal(await ssmValue(account, region), "queued");
  const described = (await cfn.send(new DescribeStackSetCommand({ StackSetName: name }))).StackSet!;
  assert.deepEqual(described.Regions, [...regions].sort());
});

test("StopStackSetOperation: the running instance finishes, the rest are CANCELLED, the operation STOPPED", async () => {
  const name = "stopper";
  const account = randomAccount();
  await executionRole(s, admin, account);
  await cfn.send(new CreateStackSetCommand({ StackSetName: name, TemplateBody: TEMPLATE }));
  const regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"];
  regions.push("eu-north-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ap-south-1", "ca-central-1", "sa-east-1");
  const { OperationId } = await cfn.send(new CreateStackInstancesCommand({ StackSetName: name, Accounts: [account], Regions: regions }));
  await cfn.send(new StopStackSetOperationCommand({ StackSetName: name, OperationId }));

  const op = await settled(cfn, name, OperationId!);
  assert.equal(op.Status, "STOPPED");
  const results = (await cfn.send(new ListStackSetOperationResultsCommand({ StackSetName: name, OperationId }))).Summaries!;
  const done = results.filter((r) => r.Status === "SUCCEEDED").length;
  assert.ok(done < regions.length, "stopped before the last region");
  assert.deepEqual(
    results.map((r) => r.Status),
    [...Array(done).fill("SUCCEEDED"), ...Array(regions.length - done).fill("CANCELLED")],
  );
  const cancelled = await cfn.send(
    new ListStackSetOperationResultsCommand({ StackSetName: name, OperationId, Filters: [{ Name: "OPERATION_RESULT_STATUS", Values: "CANCELLED" }] }),
  );
  assert.equal(cancelled.Summaries?.length, regions.length - done);
  const byOperation = await cfn.send(new ListStackInstancesCommand({ StackSetName: name, Filters: [{ Name: "LAST_OPERATION_ID", Values: OperationId }] }));
  assert.equal(byOperation.Summaries?.length, regions.length);
  // A finished operation cannot be stopped.
  await assert.rejects(cfn.send(new StopStackSetOperationCommand({ StackSetName: name, OperationId })), { name: "InvalidOperationException" });
});

test("SERVICE_MANAGED (AWS Organizations) is refused with a clear ValidationError; unknown names and operations are AWS's errors", async () => {
  await assert.rejects(
    cfn.send(new CreateStackSetCommand({ StackSetName: "org", TemplateBody: TEMPLATE, PermissionModel: "SERVICE_MANAGED" })),
    (e: Error) => e.name === "ValidationError" && /Organizations/.test(e.message),
  );
  await assert.rejects(cfn.send(new DescribeStackSetCommand({ StackSetName: "nope" })), {
    name: "StackSetNotFoundException",
    message: "StackSet nope not found",
  });
  await cfn.send(new CreateStackSetCommand({ StackSetName: "dup", TemplateBody: TEMPLATE }));
  await assert.rejects(cfn.send(new CreateStackSetCommand({ StackSetName: "dup", TemplateBody: TEMPLATE })), { name: "NameAlreadyExistsException" });
  await assert.rejects(cfn.send(new DescribeStackSetOperationCommand({ StackSetName: "dup", OperationId: "no-such-op" })), {
    name: "OperationNotFoundException",
  });
  await assert.rejects(cfn.send(new DescribeStackInstanceCommand({ StackSetName: "dup", StackInstanceAccount: admin, StackInstanceRegion: "us-east-1" })), {
    name: "StackInstanceNotFoundException",
  });
});

test("an operation a stopped server left running carries on when it starts again", async () => {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "stratus-stackset-resume-"));
  const a = randomAccount();
  const t1 = randomAccount();
  try {
    const first = await startTestServer({ dataDir: dir });
    await createRoles(first, a, [t1]);
    const c1 = new CloudFormationClient(first.clientConfig({ account: a }));
    await c1.send(new CreateStackSetCommand({ StackSetName: "resume", TemplateBody: TEMPLATE }));
    const { OperationId } = await c1.send(new CreateStackInstancesCommand({ StackSetName: "resume", Accounts: [t1], Regions: ["us-east-1"] }));
    await settled(c1, "resume", OperationId!);
    // As if the server had been killed mid-operation: us-east-1's stack was being created (CREATE_IN_PROGRESS),
    // eu-west-1's CreateStack was about to be called (its name recorded, no stack yet), us-west-2 not started.
    const { setState, instanceKey, operationKey } = await import("../../../src/services/cloudformation/stackset-state.js");
    const { cfnState } = await import("../../../src/services/cloudformation/state.js");
    const t = setState.at(first.runtime, a, "us-east-1");
    const id = t.setNames.get("resume")!;
    const op = t.operations.get(operationKey(id, OperationId!))!;
    const east = t.instances.get(instanceKey(id, t1, "us-east-1"))!;
    const stacks = cfnState.at(first.runtime, t1, "us-east-1").stacks;
    stacks.put(east.stackId!, { ...stacks.get(east.stackId!)!, status: "CREATE_IN_PROGRESS" });
    op.results[0].status = "RUNNING";
    op.regions.push("eu-west-1", "us-west-2");
    op.results.push({ account: t1, region: "eu-west-1", status: "RUNNING" }, { account: t1, region: "us-west-2", status: "PENDING" });
    t.instances.put(instanceKey(id, t1, "eu-west-1"), {
      account: t1,
      region: "eu-west-1",
      pendingStackName: "StackSet-resume-00000000-0000-4000-8000-000000000000",
      parameterOverrides: [],
      status: "OUTDATED",
      detailedStatus: "RUNNING",
    });
    t.instances.put(instanceKey(id, t1, "us-west-2"), {
      account: t1,
      region: "us-west-2",
      parameterOverrides: [],
      status: "OUTDATED",
      detailedStatus: "PENDING",
    });
    t.operations.put(operationKey(id, OperationId!), { ...op, status: "RUNNING", endTime: undefined });
    await first.close();
    const second = await startTestServer({ dataDir: dir });
    try {
      const c2 = new CloudFormationClient(second.clientConfig({ account: a }));
      const done = await settled(c2, "resume", OperationId!);
      assert.equal(done.Status, "SUCCEEDED");
      const results = (await c2.send(new ListStackSetOperationResultsCommand({ StackSetName: "resume", OperationId: OperationId! }))).Summaries!;
      assert.deepEqual(
        results.map((r) => [r.Region, r.Status]),
        [
          ["us-east-1", "SUCCEEDED"],
          ["eu-west-1", "SUCCEEDED"],
          ["us-west-2", "SUCCEEDED"],
        ],
      );
      // The interrupted create was rolled back by the engine, then replaced by a new stack.
      const c2East = new CloudFormationClient(second.clientConfig({ account: t1, region: "us-east-1" }));
      assert.equal((await c2East.send(new DescribeStacksCommand({ StackName: east.stackId! }))).Stacks![0].StackStatus, "DELETE_COMPLETE");
      const now = (await c2.send(new DescribeStackInstanceCommand({ StackSetName: "resume", StackInstanceAccount: t1, StackInstanceRegion: "us-east-1" })))
        .StackInstance!;
      assert.notEqual(now.StackId, east.stackId);
      assert.equal((await c2East.send(new DescribeStacksCommand({ StackName: now.StackId! }))).Stacks![0].StackStatus, "CREATE_COMPLETE");
      for (const region of ["us-east-1", "eu-west-1", "us-west-2"]) {
        const q = new SQSClient(second.clientConfig({ account: t1, region }));
        assert.ok((await q.send(new GetQueueUrlCommand({ QueueName: "stackset-q" }))).QueueUrl);
      }
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const clis = awsClis();
if (!clis.length) test("aws cloudformation stack sets", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-stack-set, create-stack-instances, describe-stack-set-operation, list-stack-instances`, async () => {
    const a = randomAccount();
    const t1 = randomAccount();
    await createRoles(s, a, [t1]);
    const creds = { AWS_ACCESS_KEY_ID: a, AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (...args: string[]) => {
      const r = await runAws(cli, s.url, ["cloudformation", ...args], creds);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      return r.stdout ? JSON.parse(r.stdout) : {};
    };
    const name = `cli-${cli.label.replace(/\W/g, "")}`;
    await aws("create-stack-set", "--stack-set-name", name, "--template-body", TEMPLATE, "--parameters", "ParameterKey=Value,ParameterValue=cli");
    const { OperationId } = await aws("create-stack-instances", "--stack-set-name", name, "--accounts", t1, "--regions", "us-east-1");
    let status = "RUNNING";
    for (let i = 0; i < 300 && status === "RUNNING"; i++) {
      status = (await aws("describe-stack-set-operation", "--stack-set-name", name, "--operation-id", OperationId)).StackSetOperation.Status;
      if (status === "RUNNING") await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, "SUCCEEDED");
    const listed = await aws("list-stack-instances", "--stack-set-name", name);
    assert.deepEqual(
      listed.Summaries.map((i: { Account: string; Region: string; Status: string }) => [i.Account, i.Region, i.Status]),
      [[t1, "us-east-1", "CURRENT"]],
    );
    assert.equal(await ssmValue(t1, "us-east-1"), "cli");
    const bad = await runAws(cli, s.url, ["cloudformation", "describe-stack-set", "--stack-set-name", "missing-set"], creds);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /StackSetNotFoundException.*StackSet missing-set not found/);
  });

test("a target account's gate function is invoked: SUCCEEDED proceeds, FAILED fails that instance; none is SKIPPED", async () => {
  const { LambdaClient, CreateFunctionCommand, waitUntilFunctionActiveV2 } = await import("@aws-sdk/client-lambda");
  const { makeZip } = await import("../../helpers/zip.js");
  const adminAccount = randomAccount();
  const [open, closed, none] = [randomAccount(), randomAccount(), randomAccount()];
  await createRoles(s, adminAccount, [open, closed, none]);
  const gate = async (account: string, status: string) => {
    const iam = new IAMClient(s.clientConfig({ account }));
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: "gate-role",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    const lambda = new LambdaClient(s.clientConfig({ account }));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "AWSCloudFormationStackSetAccountGate",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: Role!.Arn!,
        Code: { ZipFile: makeZip({ "index.mjs": `export const handler = async () => ({ Status: ${JSON.stringify(status)} });` }) },
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: "AWSCloudFormationStackSetAccountGate" });
  };
  await gate(open, "SUCCEEDED");
  await gate(closed, "FAILED");
  const client = new CloudFormationClient(s.clientConfig({ account: adminAccount }));
  await client.send(new CreateStackSetCommand({ StackSetName: "gated", TemplateBody: TEMPLATE }));
  const { OperationId } = await client.send(
    new CreateStackInstancesCommand({
      StackSetName: "gated",
      Accounts: [open, closed, none],
      Regions: ["us-east-1"],
      OperationPreferences: { FailureToleranceCount: 2, MaxConcurrentCount: 3 },
    }),
  );
  await settled(client, "gated", OperationId!);
  const results = (await client.send(new ListStackSetOperationResultsCommand({ StackSetName: "gated", OperationId }))).Summaries!;
  const by = (account: string) => results.find((r) => r.Account === account)!;
  assert.deepEqual([by(open).Status, by(open).AccountGateResult?.Status], ["SUCCEEDED", "SUCCEEDED"]);
  assert.deepEqual([by(closed).Status, by(closed).AccountGateResult?.Status], ["FAILED", "FAILED"]);
  assert.match(by(closed).StatusReason!, /AWSCloudFormationStackSetAccountGate returned status "FAILED"/);
  assert.deepEqual(
    [by(none).Status, by(none).AccountGateResult],
    ["SUCCEEDED", { Status: "SKIPPED", StatusReason: "AWSCloudFormationStackSetAccountGate function not found" }],
  );
  assert.equal(await queueExists(open, "us-east-1"), true);
  assert.equal(await queueExists(closed, "us-east-1"), false);
});

test("one operation at a time: another while one runs is AWS's OperationInProgressException", async () => {
  // The instance's stack waits on a wait condition nobody signals (5 s), so the operation is certainly running.
  const held = JSON.stringify({
    Resources: {
      Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" },
      Wait: { Type: "AWS::CloudFormation::WaitCondition", Properties: { Handle: { Ref: "Handle" }, Timeout: "5" } },
    },
  });
  await cfn.send(new CreateStackSetCommand({ StackSetName: "busy", TemplateBody: held }));
  const arn = (await cfn.send(new DescribeStackSetCommand({ StackSetName: "busy" }))).StackSet!.StackSetARN;
  const { OperationId } = await cfn.send(new CreateStackInstancesCommand({ StackSetName: "busy", Accounts: [targets[0]], Regions: ["us-east-1"] }));
  await assert.rejects(cfn.send(new UpdateStackSetCommand({ StackSetName: "busy", UsePreviousTemplate: true })), (e: Error) => {
    assert.equal(e.name, "OperationInProgressException");
    assert.equal(e.message, `Another Operation on StackSet ${arn} is in progress`);
    return true;
  });
  // The wait condition times out: the instance fails, and so does the operation (no failure tolerance).
  const op = await settled(cfn, "busy", OperationId!);
  assert.equal(op.Status, "FAILED");
});
