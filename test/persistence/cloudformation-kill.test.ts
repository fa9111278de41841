// A stack operation interrupted by `kill -9` (the built server, a real process): at the next start on the same
// data dir the operation is settled, never left IN_PROGRESS — a create rolls back (what it made is deleted), an
// update rolls back to the last stable state. Each operation is held open by a wait condition nobody signals, so the
// kill certainly lands in the middle of it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
} from "@aws-sdk/client-cloudformation";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomAccount } from "../helpers/server.js";
import { eventually } from "../helpers/wait.js";
import { cliClientConfig, killAll, startCli } from "../cli/spawn.js";

after(killAll);

const config = cliClientConfig;

/** A queue, and (when `held`) a wait condition after it that is never signalled. */
const template = (visibility: number, held: boolean) =>
  JSON.stringify({
    Resources: {
      Queue: { Type: "AWS::SQS::Queue", Properties: { QueueName: "killed-queue", VisibilityTimeout: visibility } },
      ...(held
        ? {
            Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" },
            Wait: { Type: "AWS::CloudFormation::WaitCondition", DependsOn: "Queue", Properties: { Handle: { Ref: "Handle" }, Timeout: "3600" } },
          }
        : {}),
    },
  });

async function waitingOnTheCondition(cfn: CloudFormationClient, StackName: string): Promise<void> {
  await eventually(async () => {
    const rs = (await cfn.send(new DescribeStackResourcesCommand({ StackName }))).StackResources ?? [];
    assert.equal(rs.find((r) => r.LogicalResourceId === "Wait")?.ResourceStatus, "CREATE_IN_PROGRESS");
  }, 30_000);
}

const statusOf = async (cfn: CloudFormationClient, StackName: string) => (await cfn.send(new DescribeStacksCommand({ StackName }))).Stacks![0];

test("kill -9 in the middle of a create: at the next start it rolls back and what it made is deleted", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-cfn-kill-"));
  const account = randomAccount();
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    const cfn = new CloudFormationClient(config(first.url, account));
    await cfn.send(new CreateStackCommand({ StackName: "killed", TemplateBody: template(30, true) }));
    await waitingOnTheCondition(cfn, "killed");
    // The queue really exists before the kill.
    await new SQSClient(config(first.url, account)).send(new GetQueueUrlCommand({ QueueName: "killed-queue" }));
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      const cfn2 = new CloudFormationClient(config(again.url, account));
      await eventually(async () => assert.equal((await statusOf(cfn2, "killed")).StackStatus, "ROLLBACK_COMPLETE"), 30_000);
      const events = (await cfn2.send(new DescribeStackEventsCommand({ StackName: "killed" }))).StackEvents!;
      assert.ok(events.some((e) => e.ResourceStatus === "ROLLBACK_IN_PROGRESS"));
      assert.ok(events.some((e) => e.LogicalResourceId === "Queue" && e.ResourceStatus === "DELETE_COMPLETE"));
      await assert.rejects(new SQSClient(config(again.url, account)).send(new GetQueueUrlCommand({ QueueName: "killed-queue" })), {
        name: "QueueDoesNotExist",
      });
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("kill -9 in the middle of an update: at the next start it rolls back to the last stable state", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-cfn-kill-"));
  const account = randomAccount();
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    const cfn = new CloudFormationClient(config(first.url, account));
    const sqs = new SQSClient(config(first.url, account));
    await cfn.send(new CreateStackCommand({ StackName: "updated", TemplateBody: template(30, false) }));
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "updated" });
    await cfn.send(new UpdateStackCommand({ StackName: "updated", TemplateBody: template(90, true) }));
    await waitingOnTheCondition(cfn, "updated");
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "killed-queue" }));
    // The update changed the queue in place before the kill.
    assert.equal((await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout"] }))).Attributes?.VisibilityTimeout, "90");
    await first.stop("SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      const cfn2 = new CloudFormationClient(config(again.url, account));
      const sqs2 = new SQSClient(config(again.url, account));
      await eventually(async () => assert.equal((await statusOf(cfn2, "updated")).StackStatus, "UPDATE_ROLLBACK_COMPLETE"), 30_000);
      const after = await sqs2.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout"] }));
      assert.equal(after.Attributes?.VisibilityTimeout, "30");
      // What the interrupted update added is gone again.
      const left = (await cfn2.send(new DescribeStackResourcesCommand({ StackName: "updated" }))).StackResources!.map((r) => r.LogicalResourceId);
      assert.deepEqual(left, ["Queue"]);
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
