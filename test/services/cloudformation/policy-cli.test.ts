// Stack policies and the recovery operations from the AWS CLI (v1 and v2, where installed): set-stack-policy and
// get-stack-policy, an update denied by the policy and `wait stack-update-complete` failing on it, the same update
// through --stack-policy-during-update-body, --disable-rollback leaving UPDATE_FAILED, rollback-stack and
// `wait stack-rollback-complete`, continue-update-rollback and cancel-update-stack's errors, delete-stack --retain-resources.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();
const dir = mkdtempSync(join(tmpdir(), "stratus-cfn-policy-cli-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof body === "string" ? body : JSON.stringify(body));
  return `file://${path}`;
};
const queue = (visibility: number, extra: Record<string, unknown> = {}) => ({
  Resources: { Q: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: visibility } }, ...extra },
});

const clis = awsClis();
if (!clis.length) test("aws CLI: cloudformation stack policies", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: stack policy, override, --disable-rollback, rollback-stack, wait stack-rollback-complete, retain-resources`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const run = (args: string[]) => runAws(cli, server.url, args, creds);
    const aws = async (args: string[]) => {
      const r = await run(args);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const stack = `cli-pol-${cli.label.split("/")[1].split(".")[0]}`;
    const statusOf = async (id = stack) => (await aws(["cloudformation", "describe-stacks", "--stack-name", id])).Stacks[0].StackStatus;
    // Polled before each `wait`: the CLI's waiters check every 30 s, and answer at once on a settled stack.
    const settle = async (id = stack) => {
      for (let i = 0; i < 300 && (await statusOf(id)).endsWith("IN_PROGRESS"); i++) await new Promise((r) => setTimeout(r, 100));
    };

    await aws(["cloudformation", "create-stack", "--stack-name", stack, "--template-body", file("v1.json", queue(30))]);
    await settle();
    await aws(["cloudformation", "wait", "stack-create-complete", "--stack-name", stack]);
    const deny = { Statement: [{ Effect: "Deny", Action: "Update:Modify", Principal: "*", Resource: "LogicalResourceId/Q" }] };
    await aws(["cloudformation", "set-stack-policy", "--stack-name", stack, "--stack-policy-body", file("deny.json", deny)]);
    assert.deepEqual(JSON.parse((await aws(["cloudformation", "get-stack-policy", "--stack-name", stack])).StackPolicyBody), deny);
    const bad = await run(["cloudformation", "set-stack-policy", "--stack-name", stack, "--stack-policy-body", "nope"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /ValidationError.*Error validating stack policy: Invalid stack policy/);

    // Denied: the waiter fails, the stack rolls back.
    await aws(["cloudformation", "update-stack", "--stack-name", stack, "--template-body", file("v2.json", queue(60))]);
    await settle();
    const waited = await run(["cloudformation", "wait", "stack-update-complete", "--stack-name", stack]);
    assert.notEqual(waited.status, 0);
    assert.equal(await statusOf(), "UPDATE_ROLLBACK_COMPLETE");
    const events = (await aws(["cloudformation", "describe-stack-events", "--stack-name", stack])).StackEvents;
    assert.ok(
      events.some(
        (e: { ResourceStatusReason?: string }) =>
          e.ResourceStatusReason === "Action denied by stack policy: Statement [#0] does not allow [Update:Modify] for resource [LogicalResourceId/Q];",
      ),
    );

    // The same update with an override for it alone.
    const allow = { Statement: [{ Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "*" }] };
    await aws([
      "cloudformation",
      "update-stack",
      "--stack-name",
      stack,
      "--template-body",
      file("v2.json", queue(60)),
      "--stack-policy-during-update-body",
      file("allow.json", allow),
    ]);
    await settle();
    await aws(["cloudformation", "wait", "stack-update-complete", "--stack-name", stack]);
    await aws(["cloudformation", "set-stack-policy", "--stack-name", stack, "--stack-policy-body", file("allow.json", allow)]);

    // --disable-rollback: a failed update stays UPDATE_FAILED until rollback-stack.
    const failing = queue(90, { Bad: { Type: "AWS::SQS::Queue", DependsOn: "Q", Properties: { VisibilityTimeout: 99999 } } });
    await aws(["cloudformation", "update-stack", "--stack-name", stack, "--template-body", file("v3.json", failing), "--disable-rollback"]);
    for (let i = 0; i < 100 && (await statusOf()) === "UPDATE_IN_PROGRESS"; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await statusOf(), "UPDATE_FAILED");
    const cont = await run(["cloudformation", "continue-update-rollback", "--stack-name", stack]);
    assert.match(cont.stderr, /ContinueUpdateRollback cannot be called from current stack status/);
    const cancel = await run(["cloudformation", "cancel-update-stack", "--stack-name", stack]);
    assert.match(cancel.stderr, /CancelUpdateStack cannot be called from current stack status/);
    await aws(["cloudformation", "rollback-stack", "--stack-name", stack]);
    await settle();
    await aws(["cloudformation", "wait", "stack-rollback-complete", "--stack-name", stack]);
    const resources = (await aws(["cloudformation", "describe-stack-resources", "--stack-name", stack])).StackResources;
    assert.deepEqual(
      resources.map((r: { LogicalResourceId: string }) => r.LogicalResourceId),
      ["Q"],
    );

    // --retain-resources only from DELETE_FAILED.
    const retain = await run(["cloudformation", "delete-stack", "--stack-name", stack, "--retain-resources", "Q"]);
    assert.match(retain.stderr, /RetainResources can only be specified when the stack is in the DELETE_FAILED state/);
    const id = (await aws(["cloudformation", "describe-stacks", "--stack-name", stack])).Stacks[0].StackId;
    await aws(["cloudformation", "delete-stack", "--stack-name", stack]);
    await settle(id);
    await aws(["cloudformation", "wait", "stack-delete-complete", "--stack-name", id]);
  });

for (const cli of clis)
  test(`${cli.label}: DeletionPolicy errors and RetainExceptOnCreate, continue-update-rollback --resources-to-skip, cancel-update-stack`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const run = (args: string[]) => runAws(cli, server.url, args, creds);
    const aws = async (args: string[]) => {
      const r = await run(args);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const v = cli.label.split("/")[1].split(".")[0];
    const statusOf = async (stack: string) => (await aws(["cloudformation", "describe-stacks", "--stack-name", stack])).Stacks[0].StackStatus;
    const settle = async (stack: string) => {
      for (let i = 0; i < 300 && (await statusOf(stack)).endsWith("IN_PROGRESS"); i++) await new Promise((r) => setTimeout(r, 100));
      return statusOf(stack);
    };
    const until = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
      for (let i = 0; i < 300; i++) {
        const v = await probe();
        if (v !== undefined) return v;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("timed out");
    };
    const physical = async (stack: string) =>
      Object.fromEntries(
        (await aws(["cloudformation", "describe-stack-resources", "--stack-name", stack])).StackResources.map(
          (r: { LogicalResourceId: string; PhysicalResourceId: string }) => [r.LogicalResourceId, r.PhysicalResourceId],
        ),
      );

    // Policy values as AWS checks them.
    const keep = await run([
      "cloudformation",
      "create-stack",
      "--stack-name",
      `cli-dp-${v}`,
      "--template-body",
      file("keep.json", { Resources: { Q: { Type: "AWS::SQS::Queue", DeletionPolicy: "Keep" } } }),
    ]);
    assert.match(keep.stderr, /ValidationError.*Template format error: Unrecognized DeletionPolicy Keep for resource Q/);

    // RetainExceptOnCreate: kept when the stack is deleted.
    const rexc = `cli-rexc-${v}`;
    await aws([
      "cloudformation",
      "create-stack",
      "--stack-name",
      rexc,
      "--template-body",
      file("rexc.json", { Resources: { Q: { Type: "AWS::SQS::Queue", DeletionPolicy: "RetainExceptOnCreate" } } }),
    ]);
    assert.equal(await settle(rexc), "CREATE_COMPLETE");
    const { Q: kept } = await physical(rexc);
    const rexcId = (await aws(["cloudformation", "describe-stacks", "--stack-name", rexc])).Stacks[0].StackId;
    await aws(["cloudformation", "delete-stack", "--stack-name", rexc]);
    assert.equal(await settle(rexcId), "DELETE_COMPLETE");
    await aws(["sqs", "get-queue-attributes", "--queue-url", kept, "--attribute-names", "QueueArn"]);

    // A rollback that fails (its queue deleted out of band), continued with the queue skipped.
    const stack = `cli-cont-${v}`;
    const base = { Q: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 30 } } };
    await aws(["cloudformation", "create-stack", "--stack-name", stack, "--template-body", file("c1.json", { Resources: base })]);
    assert.equal(await settle(stack), "CREATE_COMPLETE");
    const { Q } = await physical(stack);
    const failing = {
      Resources: {
        Q: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 45 } },
        Bad: { Type: "AWS::SQS::Queue", DependsOn: "Q", Properties: { VisibilityTimeout: 99999 } },
      },
    };
    await aws(["cloudformation", "update-stack", "--stack-name", stack, "--template-body", file("c2.json", failing), "--disable-rollback"]);
    assert.equal(await settle(stack), "UPDATE_FAILED");
    await aws(["sqs", "delete-queue", "--queue-url", Q]);
    await aws(["cloudformation", "rollback-stack", "--stack-name", stack]);
    assert.equal(await settle(stack), "UPDATE_ROLLBACK_FAILED");
    await aws(["cloudformation", "continue-update-rollback", "--stack-name", stack, "--resources-to-skip", "Q"]);
    assert.equal(await settle(stack), "UPDATE_ROLLBACK_COMPLETE");
    await aws(["cloudformation", "wait", "stack-rollback-complete", "--stack-name", stack]);

    // cancel-update-stack while an update runs: the update waits on a new wait condition that the test signals
    // only after the cancel, so the update is certainly in progress when it is cancelled.
    const long = `cli-cancel-${v}`;
    const held = (value: string, wait: boolean) => ({
      Resources: {
        P: { Type: "AWS::SSM::Parameter", Properties: { Name: `/cli-cancel-${v}/p`, Type: "String", Value: value } },
        ...(wait
          ? {
              Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" },
              Wait: { Type: "AWS::CloudFormation::WaitCondition", DependsOn: "P", Properties: { Handle: { Ref: "Handle" }, Timeout: "600" } },
            }
          : {}),
      },
    });
    await aws(["cloudformation", "create-stack", "--stack-name", long, "--template-body", file("l1.json", held("one", false))]);
    assert.equal(await settle(long), "CREATE_COMPLETE");
    await aws(["cloudformation", "update-stack", "--stack-name", long, "--template-body", file("l2.json", held("two", true))]);
    const handle = await until(async () => {
      const r = await aws(["cloudformation", "describe-stack-resources", "--stack-name", long, "--logical-resource-id", "Handle"]).catch(() => undefined);
      return r?.StackResources?.[0]?.ResourceStatus === "CREATE_COMPLETE" ? (r.StackResources[0].PhysicalResourceId as string) : undefined;
    });
    await aws(["cloudformation", "cancel-update-stack", "--stack-name", long]);
    const signal = await fetch(handle, {
      method: "PUT",
      headers: { "content-type": "" },
      body: JSON.stringify({ Status: "SUCCESS", Reason: "go", UniqueId: "1", Data: "d" }),
    });
    assert.equal(signal.status, 200);
    // Polled here first: the CLI's waiter checks every 30 s, and answers at once on a settled stack.
    assert.equal(await settle(long), "UPDATE_ROLLBACK_COMPLETE");
    await aws(["cloudformation", "wait", "stack-rollback-complete", "--stack-name", long]);
    const p = await aws(["ssm", "get-parameter", "--name", `/cli-cancel-${v}/p`]);
    assert.equal(p.Parameter.Value, "one");
  });
