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
    const statusOf = async () => (await aws(["cloudformation", "describe-stacks", "--stack-name", stack])).Stacks[0].StackStatus;

    await aws(["cloudformation", "create-stack", "--stack-name", stack, "--template-body", file("v1.json", queue(30))]);
    await aws(["cloudformation", "wait", "stack-create-complete", "--stack-name", stack]);
    const deny = { Statement: [{ Effect: "Deny", Action: "Update:Modify", Principal: "*", Resource: "LogicalResourceId/Q" }] };
    await aws(["cloudformation", "set-stack-policy", "--stack-name", stack, "--stack-policy-body", file("deny.json", deny)]);
    assert.deepEqual(JSON.parse((await aws(["cloudformation", "get-stack-policy", "--stack-name", stack])).StackPolicyBody), deny);
    const bad = await run(["cloudformation", "set-stack-policy", "--stack-name", stack, "--stack-policy-body", "nope"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /ValidationError.*Error validating stack policy: Invalid stack policy/);

    // Denied: the waiter fails, the stack rolls back.
    await aws(["cloudformation", "update-stack", "--stack-name", stack, "--template-body", file("v2.json", queue(60))]);
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
    await aws(["cloudformation", "wait", "stack-rollback-complete", "--stack-name", stack]);
    const resources = (await aws(["cloudformation", "describe-stack-resources", "--stack-name", stack])).StackResources;
    assert.deepEqual(
      resources.map((r: { LogicalResourceId: string }) => r.LogicalResourceId),
      ["Q"],
    );

    // --retain-resources only from DELETE_FAILED.
    const retain = await run(["cloudformation", "delete-stack", "--stack-name", stack, "--retain-resources", "Q"]);
    assert.match(retain.stderr, /RetainResources can only be specified when the stack is in the DELETE_FAILED state/);
    await aws(["cloudformation", "delete-stack", "--stack-name", stack]);
    await aws(["cloudformation", "wait", "stack-delete-complete", "--stack-name", stack]);
  });
