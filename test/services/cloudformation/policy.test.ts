// Stack policies, deletion and replace policies and the recovery operations through the SDK: a policy decides each
// change an update (or a change set) makes — explicit Deny wins, what nothing allows is denied, an override lets one
// update through —; RetainExceptOnCreate is deleted when its create rolls back and kept on delete; UpdateReplacePolicy
// Retain keeps a replaced queue; DisableRollback leaves UPDATE_FAILED, RollbackStack and ContinueUpdateRollback
// (ResourcesToSkip) recover; CancelUpdateStack rolls a running update back; DeleteStack's RetainResources.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetStackPolicyCommand,
  RollbackStackCommand,
  SetStackPolicyCommand,
  UpdateStackCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackRollbackComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { HeadBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let sqs: SQSClient;
let ssm: SSMClient;
let s3: S3Client;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  sqs = new SQSClient(c);
  ssm = new SSMClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
});
after(() => s.close());

const status = async (stack: string) => (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks![0].StackStatus;
async function until(stack: string, want: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const now = await status(stack);
    if (now === want) return;
    if (!now?.endsWith("IN_PROGRESS")) assert.fail(`${stack} is ${now}, not ${want}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${stack} never reached ${want}`);
}
const physical = async (stack: string) =>
  Object.fromEntries(
    ((await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources ?? []).map((r) => [r.LogicalResourceId, r.PhysicalResourceId]),
  );
const events = async (stack: string) => (await cfn.send(new DescribeStackEventsCommand({ StackName: stack }))).StackEvents ?? [];
const visibility = async (url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout"] }))).Attributes?.VisibilityTimeout;
const queueExists = async (url: string) => {
  try {
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
    return true;
  } catch (e) {
    if ((e as Error).name.includes("QueueDoesNotExist") || (e as Error).name.includes("NonExistentQueue")) return false;
    throw e;
  }
};
const queues = (q1: Record<string, unknown>, q2: Record<string, unknown>) =>
  JSON.stringify({ Resources: { Q1: { Type: "AWS::SQS::Queue", Properties: q1 }, Q2: { Type: "AWS::SQS::Queue", Properties: q2 } } });

test("a stack policy: Update:Replace denied on one queue while Modify is allowed; nothing allowed is denied; an override lets one update through", async () => {
  const name = "pol";
  const policy = JSON.stringify({
    Statement: [
      { Effect: "Allow", Action: "Update:Modify", Principal: "*", Resource: "LogicalResourceId/Q*" },
      { Effect: "Deny", Action: "Update:Replace", Principal: "*", Resource: "LogicalResourceId/Q1" },
    ],
  });
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: queues({ QueueName: "pol-one" }, {}), StackPolicyBody: policy }));
  await waitUntilStackCreateComplete(waiter(), { StackName: name });
  assert.equal((await cfn.send(new GetStackPolicyCommand({ StackName: name }))).StackPolicyBody, policy);
  const ids = await physical(name);

  // Q2 modified in place (allowed), Q1 renamed — a replacement the policy's statement #1 denies: rolled back.
  await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: queues({ QueueName: "pol-two" }, { VisibilityTimeout: 45 }) }));
  await assert.rejects(waitUntilStackUpdateComplete(waiter(), { StackName: name }));
  assert.equal(await status(name), "UPDATE_ROLLBACK_COMPLETE");
  const denied = (await events(name)).find((e) => e.LogicalResourceId === "Q1" && e.ResourceStatus === "UPDATE_FAILED");
  assert.equal(
    denied?.ResourceStatusReason,
    "Action denied by stack policy: Statement [#1] does not allow [Update:Replace] for resource [LogicalResourceId/Q1];",
  );
  assert.deepEqual(await physical(name), ids, "nothing replaced");
  assert.equal(await visibility(ids.Q2!), "30", "Q2's change rolled back");
  await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: "pol-two" })));

  // Modify on Q1 is allowed.
  await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: queues({ QueueName: "pol-one", VisibilityTimeout: 50 }, {}) }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: name });
  assert.equal(await visibility(ids.Q1!), "50");

  // The override for this one update allows everything: Q1 is replaced; the stack's policy is unchanged after.
  await cfn.send(
    new UpdateStackCommand({
      StackName: name,
      TemplateBody: queues({ QueueName: "pol-three" }, {}),
      StackPolicyDuringUpdateBody: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "*" }] }),
    }),
  );
  await waitUntilStackUpdateComplete(waiter(), { StackName: name });
  assert.notEqual((await physical(name)).Q1, ids.Q1);
  assert.equal((await cfn.send(new GetStackPolicyCommand({ StackName: name }))).StackPolicyBody, policy);

  // A policy that allows only Q2's changes: Q1's modification is allowed by no statement (an implicit deny).
  await cfn.send(
    new SetStackPolicyCommand({
      StackName: name,
      StackPolicyBody: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "LogicalResourceId/Q2" }] }),
    }),
  );
  await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: queues({ QueueName: "pol-three", VisibilityTimeout: 70 }, {}) }));
  await assert.rejects(waitUntilStackUpdateComplete(waiter(), { StackName: name }));
  const notAllowed = (await events(name)).find((e) => e.LogicalResourceId === "Q1" && e.ResourceStatus === "UPDATE_FAILED");
  assert.match(notAllowed?.ResourceStatusReason ?? "", /^Action not allowed by stack policy: .*\[Update:Modify\].*\[LogicalResourceId\/Q1\]/);
});

test("Update:Delete denied by a ResourceType condition, in a change set's execution too", async () => {
  const name = "pol-del";
  await cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify({
        Resources: { Q: { Type: "AWS::SQS::Queue" }, P: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: "v" } } },
      }),
      StackPolicyBody: JSON.stringify({
        Statement: [
          { Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "*" },
          {
            Effect: "Deny",
            Action: ["Update:Delete", "Update:Replace"],
            Principal: "*",
            Resource: "*",
            Condition: { StringEquals: { ResourceType: ["AWS::SQS::Queue"] } },
          },
        ],
      }),
    }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: name });
  const ids = await physical(name);
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: name,
      ChangeSetName: "drop-queue",
      TemplateBody: JSON.stringify({ Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: "w" } } } }),
    }),
  );
  await waitUntilChangeSetCreateComplete(waiter(), { StackName: name, ChangeSetName: "drop-queue" });
  await cfn.send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: "drop-queue" }));
  await assert.rejects(waitUntilStackUpdateComplete(waiter(), { StackName: name }));
  assert.equal(await status(name), "UPDATE_ROLLBACK_COMPLETE");
  const denied = (await events(name)).find((e) => e.LogicalResourceId === "Q" && e.ResourceStatus === "UPDATE_FAILED");
  assert.equal(
    denied?.ResourceStatusReason,
    "Action denied by stack policy: Statement [#1] does not allow [Update:Delete] for resource [LogicalResourceId/Q];",
  );
  assert.ok(await queueExists(ids.Q!));
  assert.equal((await ssm.send(new GetParameterCommand({ Name: ids.P! }))).Parameter?.Value, "v", "the parameter's change rolled back");
});

test("stack policies are checked as AWS checks them", async () => {
  await cfn.send(new CreateStackCommand({ StackName: "pol-bad", TemplateBody: queues({}, {}) }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "pol-bad" });
  assert.equal((await cfn.send(new GetStackPolicyCommand({ StackName: "pol-bad" }))).StackPolicyBody, undefined);
  const invalid = { name: "ValidationError", message: "Error validating stack policy: Invalid stack policy" };
  for (const body of [
    "not json",
    JSON.stringify({ Statement: [{ Effect: "Deny", Action: "Delete:*", Principal: "*", Resource: "*" }] }),
    JSON.stringify({ Statement: [{ Effect: "Deny", Action: "Update:*", Principal: "someone", Resource: "*" }] }),
  ]) {
    await assert.rejects(cfn.send(new SetStackPolicyCommand({ StackName: "pol-bad", StackPolicyBody: body })), invalid);
  }
  await assert.rejects(cfn.send(new SetStackPolicyCommand({ StackName: "pol-bad", StackPolicyBody: "{}", StackPolicyURL: "https://example.com/p.json" })), {
    name: "ValidationError",
    message: "You cannot specify both StackPolicyURL and StackPolicyBody",
  });
  await assert.rejects(
    cfn.send(
      new SetStackPolicyCommand({
        StackName: "pol-bad",
        StackPolicyBody: JSON.stringify({ Statement: [{ Effect: "Deny", Action: "Update:*", Principal: "*", Resource: "LogicalResourceId/Nope" }] }),
      }),
    ),
    { name: "ValidationError", message: /Unknown logical id 'LogicalResourceId\/Nope'/ },
  );
  await cfn.send(new SetStackPolicyCommand({ StackName: "pol-bad", StackPolicyBody: "{}" }));
  assert.equal((await cfn.send(new GetStackPolicyCommand({ StackName: "pol-bad" }))).StackPolicyBody, "{}");
});

test("DeletionPolicy and UpdateReplacePolicy values: AWS's template errors", async () => {
  const tpl = (attrs: Record<string, unknown>) => JSON.stringify({ Resources: { Q: { Type: "AWS::SQS::Queue", ...attrs } } });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "dp-bad", TemplateBody: tpl({ DeletionPolicy: "Keep" }) })), {
    name: "ValidationError",
    message: "Template format error: Unrecognized DeletionPolicy Keep for resource Q",
  });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "dp-bad", TemplateBody: tpl({ UpdateReplacePolicy: "RetainExceptOnCreate" }) })), {
    name: "ValidationError",
    message: "Template format error: Unrecognized UpdateReplacePolicy RetainExceptOnCreate for resource Q",
  });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "dp-bad", TemplateBody: tpl({ DeletionPolicy: "Snapshot" }) })), {
    name: "ValidationError",
    message: "Template error: resource type AWS::SQS::Queue does not support deletion policy Snapshot",
  });
});

test("RetainExceptOnCreate: deleted when its create rolls back (Retain kept), retained when the stack is deleted", async () => {
  const failing = JSON.stringify({
    Resources: {
      Rexc: { Type: "AWS::SQS::Queue", DeletionPolicy: "RetainExceptOnCreate", Properties: { QueueName: "rexc-failed" } },
      Kept: { Type: "AWS::SQS::Queue", DeletionPolicy: "Retain", Properties: { QueueName: "retain-failed" } },
      Bad: { Type: "AWS::SQS::Queue", DependsOn: ["Rexc", "Kept"], Properties: { VisibilityTimeout: 99999 } },
    },
  });
  await cfn.send(new CreateStackCommand({ StackName: "rexc-fail", TemplateBody: failing }));
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: "rexc-fail" }));
  await until("rexc-fail", "ROLLBACK_COMPLETE");
  await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: "rexc-failed" })), "deleted on the create's rollback");
  const kept = (await sqs.send(new GetQueueUrlCommand({ QueueName: "retain-failed" }))).QueueUrl!;
  assert.ok(kept, "Retain keeps it even on the create's rollback");
  const skipped = (await events("rexc-fail")).find((e) => e.LogicalResourceId === "Kept" && e.ResourceStatus === "DELETE_SKIPPED");
  assert.ok(skipped);
  await sqs.send(new DeleteQueueCommand({ QueueUrl: kept }));

  await cfn.send(
    new CreateStackCommand({
      StackName: "rexc-ok",
      TemplateBody: JSON.stringify({ Resources: { Rexc: { Type: "AWS::SQS::Queue", DeletionPolicy: "RetainExceptOnCreate" } } }),
    }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: "rexc-ok" });
  const { Rexc } = await physical("rexc-ok");
  await cfn.send(new DeleteStackCommand({ StackName: "rexc-ok" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "rexc-ok" });
  assert.ok(await queueExists(Rexc!), "retained when the stack is deleted");
});

test("UpdateReplacePolicy Retain keeps the replaced queue", async () => {
  const tpl = (queueName: string) =>
    JSON.stringify({ Resources: { Q: { Type: "AWS::SQS::Queue", UpdateReplacePolicy: "Retain", Properties: { QueueName: queueName } } } });
  await cfn.send(new CreateStackCommand({ StackName: "urp", TemplateBody: tpl("urp-old") }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "urp" });
  const old = (await physical("urp")).Q!;
  await cfn.send(new UpdateStackCommand({ StackName: "urp", TemplateBody: tpl("urp-new") }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "urp" });
  assert.notEqual((await physical("urp")).Q, old);
  assert.ok(await queueExists(old), "the old queue is kept");
  assert.ok((await events("urp")).some((e) => e.ResourceStatus === "DELETE_SKIPPED" && e.PhysicalResourceId === old));
});

test("DisableRollback leaves UPDATE_FAILED; RollbackStack's restore fails (deleted out of band); ContinueUpdateRollback skips it", async () => {
  const name = "recover";
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify({ Resources: { Q: { Type: "AWS::SQS::Queue" } } }) }));
  await waitUntilStackCreateComplete(waiter(), { StackName: name });
  const { Q } = await physical(name);
  await assert.rejects(cfn.send(new ContinueUpdateRollbackCommand({ StackName: name })), {
    name: "ValidationError",
    message: "ContinueUpdateRollback cannot be called from current stack status",
  });
  await assert.rejects(cfn.send(new RollbackStackCommand({ StackName: name })), { name: "ValidationError" });
  await assert.rejects(cfn.send(new CancelUpdateStackCommand({ StackName: name })), {
    name: "ValidationError",
    message: "CancelUpdateStack cannot be called from current stack status",
  });

  const failing = JSON.stringify({
    Resources: {
      Q: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 40 } },
      Bad: { Type: "AWS::SQS::Queue", DependsOn: "Q", Properties: { VisibilityTimeout: 99999 } },
    },
  });
  await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: failing, DisableRollback: true }));
  await until(name, "UPDATE_FAILED");
  assert.equal(await visibility(Q!), "40", "the update's change is kept");

  await sqs.send(new DeleteQueueCommand({ QueueUrl: Q }));
  await cfn.send(new RollbackStackCommand({ StackName: name }));
  await assert.rejects(waitUntilStackRollbackComplete(waiter(), { StackName: name }));
  assert.equal(await status(name), "UPDATE_ROLLBACK_FAILED");
  await assert.rejects(cfn.send(new ContinueUpdateRollbackCommand({ StackName: name, ResourcesToSkip: ["Bad"] })), { name: "ValidationError" });

  await cfn.send(new ContinueUpdateRollbackCommand({ StackName: name, ResourcesToSkip: ["Q"] }));
  await waitUntilStackRollbackComplete(waiter(), { StackName: name });
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? [];
  assert.deepEqual(
    resources.map((r) => [r.LogicalResourceId, r.ResourceStatus]),
    [["Q", "UPDATE_COMPLETE"]],
    "Q skipped, the created queue deleted",
  );
});

test("RollbackStack on a create left CREATE_FAILED by DisableRollback", async () => {
  const tpl = JSON.stringify({
    Resources: { Good: { Type: "AWS::SQS::Queue" }, Bad: { Type: "AWS::SQS::Queue", DependsOn: "Good", Properties: { VisibilityTimeout: 99999 } } },
  });
  await cfn.send(new CreateStackCommand({ StackName: "cf-rb", TemplateBody: tpl, DisableRollback: true }));
  await until("cf-rb", "CREATE_FAILED");
  const { Good } = await physical("cf-rb");
  assert.ok(await queueExists(Good!));
  const { StackId } = await cfn.send(new RollbackStackCommand({ StackName: "cf-rb" }));
  assert.ok(StackId);
  await until("cf-rb", "ROLLBACK_COMPLETE");
  assert.equal(await queueExists(Good!), false);
});

test("CancelUpdateStack during an update rolls it back", async () => {
  // The update waits on a new wait condition that the test signals only after the cancel: it is certainly in progress.
  const held = (value: string, wait: boolean) =>
    JSON.stringify({
      Resources: {
        P: { Type: "AWS::SSM::Parameter", Properties: { Name: "/cancel/p", Type: "String", Value: value } },
        ...(wait
          ? {
              Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" },
              Wait: { Type: "AWS::CloudFormation::WaitCondition", DependsOn: "P", Properties: { Handle: { Ref: "Handle" }, Timeout: "600" } },
            }
          : {}),
      },
    });
  await cfn.send(new CreateStackCommand({ StackName: "cancel", TemplateBody: held("one", false) }));
  await waitUntilStackCreateComplete({ ...waiter(), maxWaitTime: 60 }, { StackName: "cancel" });
  await cfn.send(new UpdateStackCommand({ StackName: "cancel", TemplateBody: held("two", true) }));
  let handle: string | undefined;
  for (let i = 0; i < 300 && !handle; i++) {
    const [r] = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "cancel", LogicalResourceId: "Handle" }))).StackResources ?? [];
    if (r?.ResourceStatus === "CREATE_COMPLETE") handle = r.PhysicalResourceId;
    else await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(handle);
  // A policy set while the update runs is the stack's after it (the running operation does not write over it).
  const policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "*" }] });
  await cfn.send(new SetStackPolicyCommand({ StackName: "cancel", StackPolicyBody: policy }));
  await cfn.send(new CancelUpdateStackCommand({ StackName: "cancel" }));
  await assert.rejects(cfn.send(new CancelUpdateStackCommand({ StackName: "cancel" })), { name: "ValidationError" });
  const signal = await fetch(handle, {
    method: "PUT",
    headers: { "content-type": "" },
    body: JSON.stringify({ Status: "SUCCESS", Reason: "go", UniqueId: "1", Data: "d" }),
  });
  assert.equal(signal.status, 200);
  await waitUntilStackRollbackComplete({ ...waiter(), maxWaitTime: 60 }, { StackName: "cancel" });
  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "cancel" }))).Stacks!;
  assert.equal(stack.StackStatus, "UPDATE_ROLLBACK_COMPLETE");
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/cancel/p" }))).Parameter?.Value, "one");
  assert.ok((await events("cancel")).some((e) => e.ResourceStatus === "UPDATE_ROLLBACK_IN_PROGRESS" && e.ResourceStatusReason === "Stack update cancelled"));
  assert.equal((await cfn.send(new GetStackPolicyCommand({ StackName: "cancel" }))).StackPolicyBody, policy);
  // What the cancelled update created is gone again.
  assert.deepEqual(
    (await cfn.send(new DescribeStackResourcesCommand({ StackName: "cancel" }))).StackResources!.map((r) => r.LogicalResourceId),
    ["P"],
  );
});

test("DeleteStack's RetainResources, from DELETE_FAILED only", async () => {
  await cfn.send(
    new CreateStackCommand({
      StackName: "keep-bucket",
      TemplateBody: JSON.stringify({ Resources: { B: { Type: "AWS::S3::Bucket" }, Q: { Type: "AWS::SQS::Queue" } } }),
    }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: "keep-bucket" });
  const { B, Q } = await physical("keep-bucket");
  await assert.rejects(cfn.send(new DeleteStackCommand({ StackName: "keep-bucket", RetainResources: ["B"] })), {
    name: "ValidationError",
    message: "Invalid operation on stack: RetainResources can only be specified when the stack is in the DELETE_FAILED state",
  });
  // A bucket that is not empty cannot be deleted: the stack's delete fails.
  await s3.send(new PutObjectCommand({ Bucket: B, Key: "k", Body: "x" }));
  await cfn.send(new DeleteStackCommand({ StackName: "keep-bucket" }));
  await assert.rejects(waitUntilStackDeleteComplete(waiter(), { StackName: "keep-bucket" }));
  assert.equal(await status("keep-bucket"), "DELETE_FAILED");
  await cfn.send(new DeleteStackCommand({ StackName: "keep-bucket", RetainResources: ["B"] }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "keep-bucket" });
  await s3.send(new HeadBucketCommand({ Bucket: B }));
  assert.equal(await queueExists(Q!), false);
});

test("an update left UPDATE_FAILED carries on with the next update; a later rollback goes back to the last stable state", async () => {
  const name = "resume";
  const tpl = (visibility: number, bad?: number, extra = "") =>
    JSON.stringify({
      Resources: {
        Q: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: visibility } },
        ...(bad === undefined
          ? {}
          : { Bad: { Type: "AWS::SQS::Queue", DependsOn: "Q", Properties: { VisibilityTimeout: bad, QueueName: `resume-bad${extra}` } } }),
      },
    });
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: tpl(30) }));
  await waitUntilStackCreateComplete(waiter(), { StackName: name });
  const { Q } = await physical(name);

  await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: tpl(40, 99999), DisableRollback: true }));
  await until(name, "UPDATE_FAILED");
  // Fixed: the same update again carries on (Q already changed), Bad is created.
  await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: tpl(40, 10), DisableRollback: true }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: name });
  assert.equal(await visibility(Q!), "40");
  assert.ok((await sqs.send(new GetQueueUrlCommand({ QueueName: "resume-bad" }))).QueueUrl);

  // Failed twice (the second time with rollback): back to the state before the first, Q at 40 and Bad as it was.
  await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: tpl(50, 11, "-2"), DisableRollback: true }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: name });
  assert.equal(await visibility(Q!), "50");
  await cfn.send(
    new UpdateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify({
        Resources: {
          ...JSON.parse(tpl(60, 12, "-3")).Resources,
          Worse: { Type: "AWS::SQS::Queue", DependsOn: "Bad", Properties: { VisibilityTimeout: 99999 } },
        },
      }),
      DisableRollback: true,
    }),
  );
  await until(name, "UPDATE_FAILED");
  assert.equal(await visibility(Q!), "60");
  const replaced = (await physical(name)).Bad!;
  assert.match(replaced, /resume-bad-3$/);
  await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: tpl(70, 99999, "-4") }));
  await waitUntilStackRollbackComplete(waiter(), { StackName: name });
  assert.equal(await visibility(Q!), "50", "the last stable state");
  assert.match((await physical(name)).Bad!, /resume-bad-2$/);
  assert.equal(await queueExists(replaced), false, "what the failed updates made is gone");
  await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: "resume-bad-4" })));
});
