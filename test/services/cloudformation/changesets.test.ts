// Change sets through the SDK and `aws cloudformation deploy` (v1 and v2): a CREATE change set makes the stack in
// REVIEW_IN_PROGRESS and lists every resource as Add; an UPDATE one lists Modify (with Replacement as AWS's resource
// specification says) and Remove; executing runs the create or update; one that changes nothing FAILS with AWS's
// reason, which the CLI's deploy turns into "No changes to deploy".
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

let s: TestServer;
let cfn: CloudFormationClient;
let ssm: SSMClient;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  ssm = new SSMClient(c);
});
after(() => s.close());

test("CREATE then UPDATE change sets: reviewed, listed, executed", async () => {
  const v1 = JSON.stringify({
    Resources: {
      P: { Type: "AWS::SSM::Parameter", Properties: { Name: "/cs/p", Type: "String", Value: "1" } },
      Q: { Type: "AWS::SQS::Queue" },
    },
  });
  const { Id, StackId } = await cfn.send(new CreateChangeSetCommand({ StackName: "cs", ChangeSetName: "first", ChangeSetType: "CREATE", TemplateBody: v1 }));
  assert.match(Id!, /^arn:aws:cloudformation:us-east-1:\d{12}:changeSet\/first\/[0-9a-f-]{36}$/);
  await waitUntilChangeSetCreateComplete(waiter(), { ChangeSetName: Id! });
  assert.equal((await cfn.send(new DescribeStacksCommand({ StackName: "cs" }))).Stacks![0].StackStatus, "REVIEW_IN_PROGRESS");
  const d1 = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: "first", StackName: "cs" }));
  assert.deepEqual([d1.Status, d1.ExecutionStatus], ["CREATE_COMPLETE", "AVAILABLE"]);
  assert.deepEqual(d1.Changes?.map((c) => [c.Type, c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId]).sort(), [
    ["Resource", "Add", "P"],
    ["Resource", "Add", "Q"],
  ]);
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id! }));
  await waitUntilStackCreateComplete(waiter(), { StackName: StackId });
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/cs/p" }))).Parameter?.Value, "1");
  // Updating the stack removes its change sets, the executed one included (AWS's User Guide).
  await assert.rejects(cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id! })), { name: "ChangeSetNotFoundException" });

  // Value changes in place; Name is create-only (a replacement); Q goes.
  const v2 = JSON.stringify({ Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Name: "/cs/p2", Type: "String", Value: "2" } } } });
  const up = await cfn.send(new CreateChangeSetCommand({ StackName: "cs", ChangeSetName: "second", TemplateBody: v2 }));
  await waitUntilChangeSetCreateComplete(waiter(), { ChangeSetName: up.Id! });
  const d2 = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: up.Id! }));
  const byId = Object.fromEntries(d2.Changes!.map((c) => [c.ResourceChange!.LogicalResourceId, c.ResourceChange!]));
  assert.equal(byId.P.Action, "Modify");
  assert.equal(byId.P.Replacement, "True");
  assert.equal(byId.P.PhysicalResourceId, "/cs/p");
  assert.deepEqual(
    byId.P.Details?.map((x: { Target?: { Name?: string; RequiresRecreation?: string } }) => [x.Target?.Name, x.Target?.RequiresRecreation]).sort(),
    [
      ["Name", "Always"],
      ["Value", "Never"],
    ],
  );
  assert.equal(byId.Q.Action, "Remove");
  const listed = await cfn.send(new ListChangeSetsCommand({ StackName: "cs" }));
  assert.deepEqual(listed.Summaries?.map((x) => x.ChangeSetName).sort(), ["second"]);

  // A change set can be deleted before it runs.
  const extra = await cfn.send(new CreateChangeSetCommand({ StackName: "cs", ChangeSetName: "extra", TemplateBody: v2 }));
  await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: extra.Id! }));
  await assert.rejects(cfn.send(new DescribeChangeSetCommand({ ChangeSetName: extra.Id! })), { name: "ChangeSetNotFoundException" });

  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: "second", StackName: "cs" }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "cs" });
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/cs/p2" }))).Parameter?.Value, "2");
  await assert.rejects(ssm.send(new GetParameterCommand({ Name: "/cs/p" })), { name: "ParameterNotFound" });

  const none = await cfn.send(new CreateChangeSetCommand({ StackName: "cs", ChangeSetName: "none", TemplateBody: v2 }));
  const d4 = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: none.Id! }));
  assert.deepEqual(
    [d4.Status, d4.ExecutionStatus, d4.StatusReason],
    ["FAILED", "UNAVAILABLE", "The submitted information didn't contain changes. Submit different information to create a change set."],
  );
  await assert.rejects(cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: none.Id! })), { name: "InvalidChangeSetStatusException" });
});

test("DeleteChangeSet by name: no such change set on a stack that exists succeeds; a stack that does not is a ValidationError", async () => {
  const body = JSON.stringify({ Resources: { Q: { Type: "AWS::SQS::Queue" } } });
  const { StackId } = await cfn.send(new CreateChangeSetCommand({ StackName: "cs-del", ChangeSetName: "c", ChangeSetType: "CREATE", TemplateBody: body }));
  await waitUntilChangeSetCreateComplete(waiter(), { ChangeSetName: "c", StackName: "cs-del" });
  // The CDK CLI's no-op deploy deletes "cdk-deploy-change-set" whether or not it exists; AWS answers with success.
  await cfn.send(new DeleteChangeSetCommand({ StackName: "cs-del", ChangeSetName: "cdk-deploy-change-set" }));
  await cfn.send(new DeleteChangeSetCommand({ StackName: StackId, ChangeSetName: "cdk-deploy-change-set" }));
  // The named one is still there, and deleting it by name removes it.
  assert.equal((await cfn.send(new DescribeChangeSetCommand({ StackName: "cs-del", ChangeSetName: "c" }))).Status, "CREATE_COMPLETE");
  await cfn.send(new DeleteChangeSetCommand({ StackName: "cs-del", ChangeSetName: "c" }));
  await assert.rejects(cfn.send(new DescribeChangeSetCommand({ StackName: "cs-del", ChangeSetName: "c" })), { name: "ChangeSetNotFoundException" });
  const err = await cfn.send(new DeleteChangeSetCommand({ StackName: "cs-none", ChangeSetName: "c" })).catch((e) => e);
  assert.equal(err.name, "ValidationError");
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.equal(err.message, "Stack [cs-none] does not exist");
});

const clis = awsClis();
if (!clis.length) test("aws cloudformation deploy", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: cloudformation deploy creates, updates, and says there is nothing to deploy`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const dir = mkdtempSync(join(tmpdir(), "stratus-deploy-"));
    try {
      const file = join(dir, "t.yaml");
      // A default changed in the template does not change an existing stack's value: deploy passes
      // UsePreviousValue for every parameter it is not given (as on AWS). The Value's own text does.
      const write = (suffix: string) =>
        writeFileSync(
          file,
          `Parameters:\n  V:\n    Type: String\n    Default: one\nResources:\n  P:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Name: /deploy/${cli.label.replace(/\W/g, "")}\n      Type: String\n      Value: !Sub "\${V}${suffix}"\n`,
        );
      // The CLI names its change sets by the second (awscli-cloudformation-package-deploy-<epoch>): one deploy per
      // second at most, as a person runs them, or two would share a name.
      let last = 0;
      const deploy = async (extra: string[] = []) => {
        await new Promise((r) => setTimeout(r, Math.max(0, last + 1100 - Date.now())));
        last = Date.now();
        return runAws(cli, s.url, ["cloudformation", "deploy", "--template-file", file, "--stack-name", "deployed", ...extra], creds);
      };
      write("");
      let r = await deploy();
      assert.equal(r.status, 0, r.stderr + r.stdout);
      const name = `/deploy/${cli.label.replace(/\W/g, "")}`;
      const get = async () => JSON.parse((await runAws(cli, s.url, ["ssm", "get-parameter", "--name", name], creds)).stdout).Parameter.Value;
      assert.equal(await get(), "one");
      write("-b");
      r = await deploy();
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.equal(await get(), "one-b");
      r = await deploy(["--no-fail-on-empty-changeset"]);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.match(r.stdout + r.stderr, /No changes to deploy/);
      r = await deploy(["--parameter-overrides", "V=three"]);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.equal(await get(), "three-b");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test("DeploymentMode REVERT_DRIFT on a CREATE change set: nothing is deployed yet to drift, so it plans and runs as an ordinary create", async () => {
  const body = JSON.stringify({ Resources: { Q: { Type: "AWS::SQS::Queue" } } });
  await cfn.send(
    new CreateChangeSetCommand({ StackName: "cs-revert", ChangeSetName: "r", ChangeSetType: "CREATE", TemplateBody: body, DeploymentMode: "REVERT_DRIFT" }),
  );
  const cs = await cfn.send(new DescribeChangeSetCommand({ StackName: "cs-revert", ChangeSetName: "r" }));
  assert.equal(cs.Status, "CREATE_COMPLETE");
  assert.equal(cs.DeploymentMode, "REVERT_DRIFT");
  assert.deepEqual(
    cs.Changes?.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId]),
    [["Add", "Q"]],
  );
  await cfn.send(new ExecuteChangeSetCommand({ StackName: "cs-revert", ChangeSetName: "r" }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "cs-revert" });
});
