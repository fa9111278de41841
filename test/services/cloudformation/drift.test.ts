// Drift detection through the SDK and the AWS CLI: a stack in sync, then its queue's VisibilityTimeout changed
// through SQS directly — DetectStackDrift reports DRIFTED with the difference, DescribeStackResourceDrifts (and its
// status filters), DetectStackResourceDrift, the stack's and resources' DriftInformation; a type without a read
// NOT_CHECKED; a queue deleted behind the stack's back DELETED.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  DetectStackResourceDriftCommand,
  ListStackResourcesCommand,
  waitUntilStackCreateComplete,
} from "@aws-sdk/client-cloudformation";
import { DeleteQueueCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand } from "@aws-sdk/client-sqs";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();

const TEMPLATE = JSON.stringify({
  Resources: {
    Queue: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 30, DelaySeconds: "5", Tags: [{ Key: "team", Value: "blue" }] } },
    Other: { Type: "AWS::SQS::Queue", Properties: { MessageRetentionPeriod: 600 } },
    Policy: {
      Type: "AWS::SQS::QueuePolicy",
      Properties: {
        Queues: [{ Ref: "Queue" }],
        PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }] },
      },
    },
  },
});

async function detect(cfn: CloudFormationClient, stack: string, logicalIds?: string[]) {
  const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: stack, LogicalResourceIds: logicalIds }));
  for (let i = 0; i < 100; i++) {
    const st = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
    if (st.DetectionStatus !== "DETECTION_IN_PROGRESS") return st;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("drift detection did not finish");
}

test("a queue changed through SQS: DRIFTED with the difference; DELETED when it is gone; types without a read NOT_CHECKED", async () => {
  const c = server.clientConfig({ account: randomAccount() });
  const cfn = new CloudFormationClient(c);
  const sqs = new SQSClient(c);
  await cfn.send(new CreateStackCommand({ StackName: "drifty", TemplateBody: TEMPLATE }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "drifty" });
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "drifty" }))).StackResources!;
  const url = resources.find((r) => r.LogicalResourceId === "Queue")!.PhysicalResourceId!;
  assert.equal(resources[0].DriftInformation?.StackResourceDriftStatus, "NOT_CHECKED");
  assert.equal((await cfn.send(new DescribeStacksCommand({ StackName: "drifty" }))).Stacks![0].DriftInformation?.StackDriftStatus, "NOT_CHECKED");

  // In sync: "5" in the template and 5 from SQS are the same value; the tag list compares as a set.
  const inSync = await detect(cfn, "drifty");
  assert.equal(inSync.DetectionStatus, "DETECTION_COMPLETE");
  assert.equal(inSync.StackDriftStatus, "IN_SYNC");
  assert.equal(inSync.DriftedStackResourceCount, 0);

  // Changed behind CloudFormation's back.
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "60" } }));
  await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { extra: "x" } }));
  const drifted = await detect(cfn, "drifty");
  assert.equal(drifted.StackDriftStatus, "DRIFTED");
  assert.equal(drifted.DriftedStackResourceCount, 1);
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: "drifty" }))).Stacks![0];
  assert.equal(stack.DriftInformation?.StackDriftStatus, "DRIFTED");
  assert.ok(stack.DriftInformation?.LastCheckTimestamp instanceof Date);

  const { StackResourceDrifts } = await cfn.send(
    new DescribeStackResourceDriftsCommand({ StackName: "drifty", StackResourceDriftStatusFilters: ["MODIFIED"] }),
  );
  assert.equal(StackResourceDrifts!.length, 1);
  const q = StackResourceDrifts![0];
  assert.equal(q.LogicalResourceId, "Queue");
  assert.equal(q.PhysicalResourceId, url);
  assert.equal(q.StackResourceDriftStatus, "MODIFIED");
  assert.deepEqual(JSON.parse(q.ExpectedProperties!).VisibilityTimeout, 30);
  assert.deepEqual(JSON.parse(q.ActualProperties!).VisibilityTimeout, 60);
  // The tag added through SQS: an ADD at its place in the (Key-ordered) list; the changed attribute NOT_EQUAL.
  assert.deepEqual(
    q.PropertyDifferences!.sort((a, b) => a.PropertyPath!.localeCompare(b.PropertyPath!)),
    [
      { PropertyPath: "/Tags/0", ExpectedValue: "null", ActualValue: JSON.stringify({ Key: "extra", Value: "x" }), DifferenceType: "ADD" },
      { PropertyPath: "/VisibilityTimeout", ExpectedValue: "30", ActualValue: "60", DifferenceType: "NOT_EQUAL" },
    ],
  );

  const all = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: "drifty" }))).StackResourceDrifts!;
  assert.deepEqual(Object.fromEntries(all.map((d) => [d.LogicalResourceId, d.StackResourceDriftStatus])), {
    Other: "IN_SYNC",
    Policy: "NOT_CHECKED",
    Queue: "MODIFIED",
  });
  const inSyncOnly = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: "drifty", StackResourceDriftStatusFilters: ["IN_SYNC"] })))
    .StackResourceDrifts!;
  assert.deepEqual(
    inSyncOnly.map((d) => d.LogicalResourceId),
    ["Other"],
  );
  const listed = (await cfn.send(new ListStackResourcesCommand({ StackName: "drifty" }))).StackResourceSummaries!;
  assert.equal(listed.find((r) => r.LogicalResourceId === "Queue")!.DriftInformation?.StackResourceDriftStatus, "MODIFIED");
  const described = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "drifty" }))).StackResources!;
  assert.equal(described.find((r) => r.LogicalResourceId === "Policy")!.DriftInformation?.StackResourceDriftStatus, "NOT_CHECKED");

  // Put back in line: DetectStackResourceDrift checks one resource at once.
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "30" } }));
  const one = (await cfn.send(new DetectStackResourceDriftCommand({ StackName: "drifty", LogicalResourceId: "Other" }))).StackResourceDrift!;
  assert.equal(one.StackResourceDriftStatus, "IN_SYNC");
  await assert.rejects(cfn.send(new DetectStackResourceDriftCommand({ StackName: "drifty", LogicalResourceId: "Nope" })), { name: "ValidationError" });
  await assert.rejects(cfn.send(new DetectStackDriftCommand({ StackName: "no-such-stack" })), {
    name: "ValidationError",
    message: "Stack with id no-such-stack does not exist",
  });

  // Deleted through SQS: DELETED.
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  const gone = (await cfn.send(new DetectStackResourceDriftCommand({ StackName: "drifty", LogicalResourceId: "Queue" }))).StackResourceDrift!;
  assert.equal(gone.StackResourceDriftStatus, "DELETED");
  assert.equal(gone.ActualProperties, undefined);
  const onlyQueue = await detect(cfn, "drifty", ["Queue"]);
  assert.equal(onlyQueue.StackDriftStatus, "DRIFTED");
});

const [cli] = awsClis();
test("AWS CLI: detect-stack-drift, describe-stack-drift-detection-status, describe-stack-resource-drifts", {
  skip: cli ? false : "aws CLI not installed",
}, async () => {
  const account = randomAccount();
  const c = server.clientConfig({ account });
  const cfn = new CloudFormationClient(c);
  const sqs = new SQSClient(c);
  await cfn.send(new CreateStackCommand({ StackName: "cli-drift", TemplateBody: TEMPLATE }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "cli-drift" });
  const url = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "cli-drift", LogicalResourceId: "Queue" }))).StackResources![0]
    .PhysicalResourceId!;
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "45" } }));
  const aws = async (args: string[]) => {
    const r = await runAws(cli!, server.url, ["cloudformation", ...args], { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const { StackDriftDetectionId } = await aws(["detect-stack-drift", "--stack-name", "cli-drift"]);
  let st: { DetectionStatus: string; StackDriftStatus: string };
  do st = await aws(["describe-stack-drift-detection-status", "--stack-drift-detection-id", StackDriftDetectionId]);
  while (st.DetectionStatus === "DETECTION_IN_PROGRESS");
  assert.equal(st.StackDriftStatus, "DRIFTED");
  const drifts = await aws(["describe-stack-resource-drifts", "--stack-name", "cli-drift", "--stack-resource-drift-status-filters", "MODIFIED"]);
  assert.deepEqual(drifts.StackResourceDrifts[0].PropertyDifferences, [
    { PropertyPath: "/VisibilityTimeout", ExpectedValue: "30", ActualValue: "45", DifferenceType: "NOT_EQUAL" },
  ]);
});
