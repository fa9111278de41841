// Drift-aware change sets (DeploymentMode REVERT_DRIFT) through the SDK: queues changed and deleted through SQS
// behind the stack's back, then a change set that compares each with what it actually is — a drifted property
// modified back to the template (with where its before and after values come from, and the drift), a resource whose
// new template matches what it became only re-recorded (SyncWithActual), a deleted one created again — executed, after
// which drift detection finds the stack in sync and another drift-aware change set has nothing to do.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeChangeSetCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourcesCommand,
  DetectStackDriftCommand,
  ExecuteChangeSetCommand,
  type ResourceChange,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { DeleteQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const template = (retention: number) =>
  JSON.stringify({
    Resources: {
      Reverted: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 30, DelaySeconds: 5 } },
      Synced: { Type: "AWS::SQS::Queue", Properties: { MessageRetentionPeriod: retention } },
      Recreated: { Type: "AWS::SQS::Queue", Properties: { MaximumMessageSize: 2048 } },
      Untouched: { Type: "AWS::SQS::Queue", Properties: { ReceiveMessageWaitTimeSeconds: 2 } },
    },
  });

async function detect(cfn: CloudFormationClient, stack: string) {
  const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: stack }));
  for (let i = 0; i < 200; i++) {
    const st = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
    if (st.DetectionStatus !== "DETECTION_IN_PROGRESS") return st;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("drift detection did not finish");
}

test("REVERT_DRIFT: drifted properties reverted, a template matching what a resource became re-recorded, a deleted resource created again", async () => {
  const c = server.clientConfig({ account: randomAccount() });
  const cfn = new CloudFormationClient(c);
  const sqs = new SQSClient(c);
  const wait = { client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 };
  await cfn.send(new CreateStackCommand({ StackName: "drifty", TemplateBody: template(600) }));
  await waitUntilStackCreateComplete(wait, { StackName: "drifty" });
  const urls = async () =>
    Object.fromEntries(
      ((await cfn.send(new DescribeStackResourcesCommand({ StackName: "drifty" }))).StackResources ?? []).map((r) => [
        r.LogicalResourceId!,
        r.PhysicalResourceId!,
      ]),
    );
  const before = await urls();
  const attr = async (url: string, name: "VisibilityTimeout" | "MessageRetentionPeriod" | "MaximumMessageSize") =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name] }))).Attributes?.[name];

  // Behind the stack's back: one queue's visibility timeout and another's retention changed, a third deleted.
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: before.Reverted, Attributes: { VisibilityTimeout: "60" } }));
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: before.Synced, Attributes: { MessageRetentionPeriod: "900" } }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl: before.Recreated }));

  // An ordinary change set sees the template only: the retention the new template sets.
  await cfn.send(new CreateChangeSetCommand({ StackName: "drifty", ChangeSetName: "plain", TemplateBody: template(900) }));
  await waitUntilChangeSetCreateComplete(wait, { StackName: "drifty", ChangeSetName: "plain" });
  const plain = await cfn.send(new DescribeChangeSetCommand({ StackName: "drifty", ChangeSetName: "plain" }));
  assert.deepEqual(
    plain.Changes?.map((x) => [x.ResourceChange?.LogicalResourceId, x.ResourceChange?.Action]),
    [["Synced", "Modify"]],
  );
  assert.equal(plain.DeploymentMode, undefined);
  assert.equal(plain.StackDriftStatus, undefined);

  // The drift-aware one compares with what each queue is.
  await cfn.send(new CreateChangeSetCommand({ StackName: "drifty", ChangeSetName: "revert", TemplateBody: template(900), DeploymentMode: "REVERT_DRIFT" }));
  await waitUntilChangeSetCreateComplete(wait, { StackName: "drifty", ChangeSetName: "revert" });
  const cs = await cfn.send(new DescribeChangeSetCommand({ StackName: "drifty", ChangeSetName: "revert" }));
  assert.equal(cs.DeploymentMode, "REVERT_DRIFT");
  assert.equal(cs.StackDriftStatus, "DRIFTED");
  const changes = new Map((cs.Changes ?? []).map((x) => [x.ResourceChange!.LogicalResourceId!, x.ResourceChange!] as [string, ResourceChange]));
  assert.deepEqual([...changes.keys()].sort(), ["Recreated", "Reverted", "Synced"]);

  const reverted = changes.get("Reverted")!;
  assert.equal(reverted.Action, "Modify");
  assert.equal(reverted.Replacement, "False");
  assert.equal(reverted.ResourceDriftStatus, "MODIFIED");
  assert.deepEqual(reverted.Scope, ["Properties"]);
  const [d] = reverted.Details ?? [];
  assert.equal(reverted.Details?.length, 1);
  assert.equal(d.Evaluation, "Static");
  assert.equal(d.ChangeSource, "DirectModification");
  const { DriftDetectionTimestamp, ...drift } = d.Target?.Drift ?? {};
  assert.ok(DriftDetectionTimestamp instanceof Date);
  assert.deepEqual(
    { ...d.Target, Drift: drift },
    {
      Attribute: "Properties",
      Name: "VisibilityTimeout",
      Path: "/Properties/VisibilityTimeout",
      RequiresRecreation: "Never",
      BeforeValue: "60",
      AfterValue: "30",
      BeforeValueFrom: "ACTUAL_STATE",
      AfterValueFrom: "TEMPLATE",
      AttributeChangeType: "Modify",
      Drift: { PreviousValue: "30", ActualValue: "60" },
    },
  );

  const synced = changes.get("Synced")!;
  assert.equal(synced.Action, "SyncWithActual");
  assert.equal(synced.ResourceDriftStatus, "MODIFIED");
  assert.equal(synced.Details?.[0].Target?.AttributeChangeType, "SyncWithActual");
  assert.equal(synced.Details?.[0].Target?.BeforeValue, "900");
  assert.equal(synced.Details?.[0].Target?.AfterValue, "900");

  const recreated = changes.get("Recreated")!;
  assert.equal(recreated.Action, "Modify");
  assert.equal(recreated.Replacement, "True");
  assert.equal(recreated.ResourceDriftStatus, "DELETED");

  await cfn.send(new ExecuteChangeSetCommand({ StackName: "drifty", ChangeSetName: "revert" }));
  await waitUntilStackUpdateComplete(wait, { StackName: "drifty" });
  const after = await urls();
  assert.equal(after.Reverted, before.Reverted);
  assert.equal(await attr(after.Reverted, "VisibilityTimeout"), "30");
  assert.equal(after.Synced, before.Synced);
  assert.equal(await attr(after.Synced, "MessageRetentionPeriod"), "900");
  assert.notEqual(after.Recreated, before.Recreated);
  assert.equal(await attr(after.Recreated, "MaximumMessageSize"), "2048");

  const check = await detect(cfn, "drifty");
  assert.equal(check.StackDriftStatus, "IN_SYNC");
  assert.equal(check.DriftedStackResourceCount, 0);

  // Nothing drifted and nothing changed: the drift-aware change set has nothing to do, as an ordinary one.
  await cfn.send(new CreateChangeSetCommand({ StackName: "drifty", ChangeSetName: "again", TemplateBody: template(900), DeploymentMode: "REVERT_DRIFT" }));
  let again = await cfn.send(new DescribeChangeSetCommand({ StackName: "drifty", ChangeSetName: "again" }));
  for (let i = 0; again.Status === "CREATE_PENDING" || again.Status === "CREATE_IN_PROGRESS"; i++) {
    await new Promise((r) => setTimeout(r, 50));
    again = await cfn.send(new DescribeChangeSetCommand({ StackName: "drifty", ChangeSetName: "again" }));
  }
  assert.equal(again.Status, "FAILED");
  assert.match(again.StatusReason ?? "", /didn't contain changes/);
  assert.equal(again.StackDriftStatus, "IN_SYNC");

  // An IMPORT change set brings resources in: there is no deployed state to compare.
  await rejects(
    cfn.send(
      new CreateChangeSetCommand({
        StackName: "drifty",
        ChangeSetName: "import",
        ChangeSetType: "IMPORT",
        TemplateBody: template(900),
        DeploymentMode: "REVERT_DRIFT",
        ResourcesToImport: [],
      }),
    ),
    "ValidationError",
    400,
    /REVERT_DRIFT cannot be used with an IMPORT change set/,
  );
});
