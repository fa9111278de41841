// Resource import: an IMPORT change set brings queues and parameters made through their own services into a new stack
// (REVIEW_IN_PROGRESS until executed) and into an existing one (IMPORT_IN_PROGRESS → IMPORT_COMPLETE, an event per
// resource), refused with AWS's errors when a resource lacks a DeletionPolicy, does not exist, belongs to another
// stack or the template changes anything else; the stack then manages what it imported (an update changes it in
// place, DeleteStack with Retain keeps it). A resource gone by execution rolls the import back. ImportExistingResources
// imports what a CREATE change set's template names and already exists. Through the SDK (its stack-import waiter) and
// both AWS CLIs (`wait stack-import-complete`).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  GetTemplateCommand,
  type ResourceToImport,
  UpdateStackCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackImportComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

let s: TestServer;
let cfn: CloudFormationClient;
let sqs: SQSClient;
let ssm: SSMClient;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  sqs = new SQSClient(c);
  ssm = new SSMClient(c);
});
after(() => s.close());

const queue = async (name: string, attributes: Record<string, string> = {}) =>
  (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
const parameter = (name: string, value: string) => ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: "String" }));
const visibility = async (url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout"] }))).Attributes?.VisibilityTimeout;
const stack = async (name: string) => (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0];
const resources = async (name: string) =>
  Object.fromEntries(
    ((await cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? []).map((r) => [
      r.LogicalResourceId,
      [r.ResourceStatus, r.PhysicalResourceId],
    ]),
  );
const importSet = (StackName: string, ChangeSetName: string, template: object, ResourcesToImport: ResourceToImport[]) =>
  cfn.send(new CreateChangeSetCommand({ StackName, ChangeSetName, ChangeSetType: "IMPORT", TemplateBody: JSON.stringify(template), ResourcesToImport }));
const queueDecl = (name: string, extra: Record<string, unknown> = {}, policy: string | null = "Retain") => ({
  Type: "AWS::SQS::Queue",
  ...(policy ? { DeletionPolicy: policy } : {}),
  Properties: { QueueName: name, ...extra },
});

test("IMPORT into a new stack: reviewed, executed, then managed (in-place update, Retain on delete)", async () => {
  const url = await queue("imp-new-q", { VisibilityTimeout: "45" });
  await parameter("/imp/new", "v1");
  const template = {
    Resources: {
      Q: queueDecl("imp-new-q", { VisibilityTimeout: 45 }),
      P: { Type: "AWS::SSM::Parameter", DeletionPolicy: "Retain", Properties: { Name: "/imp/new", Type: "String", Value: "v1" } },
    },
  };
  const { Id, StackId } = await importSet("imp-new", "first", template, [
    { ResourceType: "AWS::SQS::Queue", LogicalResourceId: "Q", ResourceIdentifier: { QueueUrl: url } },
    { ResourceType: "AWS::SSM::Parameter", LogicalResourceId: "P", ResourceIdentifier: { Name: "/imp/new" } },
  ]);
  await waitUntilChangeSetCreateComplete(waiter(), { ChangeSetName: Id! });
  assert.equal((await stack("imp-new")).StackStatus, "REVIEW_IN_PROGRESS");
  const d = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id! }));
  assert.deepEqual([d.Status, d.ExecutionStatus], ["CREATE_COMPLETE", "AVAILABLE"]);
  assert.match(d.StatusReason!, /^Verify that resources and their properties defined in the template match the intended configuration/);
  assert.deepEqual(d.Changes?.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId, c.ResourceChange?.PhysicalResourceId]).sort(), [
    ["Import", "P", "/imp/new"],
    ["Import", "Q", url],
  ]);
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id! }));
  await waitUntilStackImportComplete(waiter(), { StackName: StackId });
  assert.equal((await stack("imp-new")).StackStatus, "IMPORT_COMPLETE");
  assert.deepEqual(await resources("imp-new"), { P: ["IMPORT_COMPLETE", "/imp/new"], Q: ["IMPORT_COMPLETE", url] });
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "imp-new" }))).StackEvents!.reverse();
  const of = (id: string) => events.filter((e) => e.LogicalResourceId === id).map((e) => e.ResourceStatus);
  assert.deepEqual(of("Q"), ["IMPORT_IN_PROGRESS", "IMPORT_COMPLETE"]);
  assert.deepEqual(of("imp-new"), ["REVIEW_IN_PROGRESS", "IMPORT_IN_PROGRESS", "IMPORT_COMPLETE"]);

  // The stack manages the queue now: an update changes its attribute in place, and Ref / GetAtt read it.
  const updated = {
    Resources: { ...template.Resources, Q: queueDecl("imp-new-q", { VisibilityTimeout: 60 }) },
    Outputs: { Url: { Value: { Ref: "Q" } }, Arn: { Value: { "Fn::GetAtt": ["Q", "Arn"] } } },
  };
  await cfn.send(new UpdateStackCommand({ StackName: "imp-new", TemplateBody: JSON.stringify(updated) }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "imp-new" });
  assert.equal(await visibility(url), "60");
  assert.deepEqual((await resources("imp-new")).Q, ["UPDATE_COMPLETE", url]);
  const outputs = Object.fromEntries((await stack("imp-new")).Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
  assert.equal(outputs.Url, url);
  assert.match(outputs.Arn!, /^arn:aws:sqs:us-east-1:\d{12}:imp-new-q$/);

  // DeletionPolicy Retain: deleting the stack keeps both.
  await cfn.send(new DeleteStackCommand({ StackName: "imp-new" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: StackId });
  assert.equal(await visibility(url), "60");
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/imp/new" }))).Parameter?.Value, "v1");
});

test("IMPORT into an existing stack keeps its resources and outputs; the import only adds", async () => {
  const base = {
    Resources: { A: { Type: "AWS::SSM::Parameter", Properties: { Name: "/imp/ex/a", Type: "String", Value: "a" } } },
    Outputs: { A: { Value: { Ref: "A" } } },
  };
  await cfn.send(new CreateStackCommand({ StackName: "imp-ex", TemplateBody: JSON.stringify(base) }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "imp-ex" });
  const url = await queue("imp-ex-q");
  const withQueue = { ...base, Resources: { ...base.Resources, Q: queueDecl("imp-ex-q", {}, "Delete") } };
  const ids: ResourceToImport[] = [{ ResourceType: "AWS::SQS::Queue", LogicalResourceId: "Q", ResourceIdentifier: { QueueUrl: url } }];

  // Anything else the template changes is refused: a resource, or the outputs.
  const changedA = {
    ...withQueue,
    Resources: { ...withQueue.Resources, A: { ...base.Resources.A, Properties: { ...base.Resources.A.Properties, Value: "b" } } },
  };
  await assert.rejects(importSet("imp-ex", "bad", changedA, ids), {
    name: "ValidationError",
    message: "As part of the import operation, you cannot modify or add [A]",
  });
  await assert.rejects(importSet("imp-ex", "bad", { ...withQueue, Outputs: { ...base.Outputs, Q: { Value: { Ref: "Q" } } } }, ids), {
    name: "ValidationError",
    message: "As part of the import operation, you cannot modify or add [Outputs]",
  });

  const { Id } = await importSet("imp-ex", "add-queue", withQueue, ids);
  await waitUntilChangeSetCreateComplete(waiter(), { ChangeSetName: Id! });
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id! }));
  await waitUntilStackImportComplete(waiter(), { StackName: "imp-ex" });
  const st = await stack("imp-ex");
  assert.equal(st.StackStatus, "IMPORT_COMPLETE");
  assert.deepEqual(
    st.Outputs?.map((o) => [o.OutputKey, o.OutputValue]),
    [["A", "/imp/ex/a"]],
  );
  assert.deepEqual(await resources("imp-ex"), { A: ["CREATE_COMPLETE", "/imp/ex/a"], Q: ["IMPORT_COMPLETE", url] });

  // Another stack cannot import what this one holds.
  await assert.rejects(importSet("imp-other", "steal", { Resources: { Q: queueDecl("imp-ex-q") } }, ids), {
    name: "ValidationError",
    message: `${url} already exists in stack ${st.StackId}`,
  });
  // A refused IMPORT change set leaves no stack behind.
  await assert.rejects(stack("imp-other"), { name: "ValidationError" });
});

test("IMPORT's validations: DeletionPolicy, existence, type support, identifiers, logical ids", async () => {
  const url = await queue("imp-val-q");
  await parameter("/imp/val", "x");
  const q: ResourceToImport = { ResourceType: "AWS::SQS::Queue", LogicalResourceId: "Q", ResourceIdentifier: { QueueUrl: url } };
  await assert.rejects(importSet("imp-val", "c", { Resources: { Q: queueDecl("imp-val-q", {}, null) } }, [q]), {
    name: "ValidationError",
    message: "The following resources to import [Q] must have DeletionPolicy attribute specified in the template.",
  });
  const gone = url.replace("imp-val-q", "imp-val-none");
  await assert.rejects(importSet("imp-val", "c", { Resources: { Q: queueDecl("imp-val-none") } }, [{ ...q, ResourceIdentifier: { QueueUrl: gone } }]), {
    name: "ValidationError",
    message: `Resource of type 'AWS::SQS::Queue' with identifier '${gone}' was not found.`,
  });
  const policy = { Type: "AWS::SQS::QueuePolicy", DeletionPolicy: "Retain", Properties: { Queues: [url], PolicyDocument: {} } };
  await assert.rejects(
    importSet("imp-val", "c", { Resources: { QP: policy } }, [
      { ResourceType: "AWS::SQS::QueuePolicy", LogicalResourceId: "QP", ResourceIdentifier: { Id: "x" } },
    ]),
    { name: "ValidationError", message: "ResourceTypes [AWS::SQS::QueuePolicy] are not supported for Import" },
  );
  await assert.rejects(importSet("imp-val", "c", { Resources: { Q: queueDecl("imp-val-q") } }, [{ ...q, LogicalResourceId: "Nope" }]), {
    name: "ValidationError",
    message: "The logical resource ids [Nope] provided in ResourceToImport do not exist in the template.",
  });
  // The template's Name is not the parameter named by the identifier.
  const p = { Type: "AWS::SSM::Parameter", DeletionPolicy: "Retain", Properties: { Name: "/imp/other", Type: "String", Value: "x" } };
  await assert.rejects(
    importSet("imp-val", "c", { Resources: { P: p } }, [
      { ResourceType: "AWS::SSM::Parameter", LogicalResourceId: "P", ResourceIdentifier: { Name: "/imp/val" } },
    ]),
    { name: "ValidationError", message: /identifier properties \[Name\] of resource \[P\]/ },
  );
  // A new stack's import may add nothing but what it imports.
  await assert.rejects(importSet("imp-val", "c", { Resources: { Q: queueDecl("imp-val-q"), Extra: { Type: "AWS::SQS::Queue" } } }, [q]), {
    name: "ValidationError",
    message: "As part of the import operation, you cannot modify or add [Extra]",
  });
});

test("a resource gone by execution rolls the import back (IMPORT_ROLLBACK_COMPLETE)", async () => {
  const url = await queue("imp-gone-q");
  const { Id, StackId } = await importSet("imp-gone", "c", { Resources: { Q: queueDecl("imp-gone-q") } }, [
    { ResourceType: "AWS::SQS::Queue", LogicalResourceId: "Q", ResourceIdentifier: { QueueUrl: url } },
  ]);
  await waitUntilChangeSetCreateComplete(waiter(), { ChangeSetName: Id! });
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id! }));
  await assert.rejects(waitUntilStackImportComplete(waiter(), { StackName: StackId }));
  const st = await stack(StackId!);
  assert.equal(st.StackStatus, "IMPORT_ROLLBACK_COMPLETE");
  assert.equal(st.StackStatusReason, undefined);
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: StackId }))).StackEvents!.reverse();
  assert.deepEqual(
    events.filter((e) => e.LogicalResourceId === "Q").map((e) => e.ResourceStatus),
    ["IMPORT_IN_PROGRESS", "IMPORT_FAILED", "IMPORT_ROLLBACK_COMPLETE"],
  );
  assert.match(events.find((e) => e.ResourceStatus === "IMPORT_FAILED")!.ResourceStatusReason!, /was not found/);
  assert.deepEqual(await resources(StackId!), {});
  await cfn.send(new DeleteStackCommand({ StackName: StackId }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: StackId });
});

test("ImportExistingResources: a CREATE change set imports what its template names and already exists", async () => {
  await parameter("/iex/p", "same");
  await queue("iex-q");
  const template = (policy?: string) => ({
    Resources: {
      P: { Type: "AWS::SSM::Parameter", ...(policy ? { DeletionPolicy: policy } : {}), Properties: { Name: "/iex/p", Type: "String", Value: "same" } },
      New: { Type: "AWS::SSM::Parameter", Properties: { Name: "/iex/new", Type: "String", Value: "n" } },
    },
    Outputs: { P: { Value: { Ref: "P" } } },
  });
  // An existing resource without Retain / RetainExceptOnCreate fails the change set, with AWS's reason.
  const bad = await cfn.send(
    new CreateChangeSetCommand({
      StackName: "iex",
      ChangeSetName: "bad",
      ChangeSetType: "CREATE",
      TemplateBody: JSON.stringify(template()),
      ImportExistingResources: true,
    }),
  );
  const db = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: bad.Id! }));
  assert.deepEqual([db.Status, db.ExecutionStatus], ["FAILED", "UNAVAILABLE"]);
  assert.equal(
    db.StatusReason,
    "CloudFormation is attempting to import some resources because they already exist in your account. The resources must have the DeletionPolicy attribute set to 'Retain' or 'RetainExceptOnCreate' in the template for successful import. The affected resources are P ({Name=/iex/p})",
  );

  const { Id, StackId } = await cfn.send(
    new CreateChangeSetCommand({
      StackName: "iex",
      ChangeSetName: "good",
      ChangeSetType: "CREATE",
      TemplateBody: JSON.stringify(template("RetainExceptOnCreate")),
      ImportExistingResources: true,
    }),
  );
  await waitUntilChangeSetCreateComplete(waiter(), { ChangeSetName: Id! });
  const d = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id! }));
  assert.equal(d.ImportExistingResources, true);
  assert.deepEqual(d.Changes?.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId]).sort(), [
    ["Add", "New"],
    ["Import", "P"],
  ]);
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id! }));
  await waitUntilStackCreateComplete(waiter(), { StackName: StackId });
  assert.deepEqual(await resources("iex"), { New: ["CREATE_COMPLETE", "/iex/new"], P: ["IMPORT_COMPLETE", "/iex/p"] });
  assert.deepEqual(
    (await stack("iex")).Outputs?.map((o) => o.OutputValue),
    ["/iex/p"],
  );

  // An UPDATE change set does the same for a resource it adds.
  await parameter("/iex/later", "l");
  const next = template("RetainExceptOnCreate");
  const withLater = {
    ...next,
    Resources: {
      ...next.Resources,
      L: { Type: "AWS::SSM::Parameter", DeletionPolicy: "Retain", Properties: { Name: "/iex/later", Type: "String", Value: "l" } },
    },
  };
  const u = await cfn.send(
    new CreateChangeSetCommand({ StackName: "iex", ChangeSetName: "later", TemplateBody: JSON.stringify(withLater), ImportExistingResources: true }),
  );
  await waitUntilChangeSetCreateComplete(waiter(), { ChangeSetName: u.Id! });
  const du = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: u.Id! }));
  assert.deepEqual(
    du.Changes?.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId]),
    [["Import", "L"]],
  );
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: u.Id! }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "iex" });
  assert.deepEqual((await resources("iex")).L, ["IMPORT_COMPLETE", "/iex/later"]);

  // A queue's primary identifier (QueueUrl) is read-only: AWS documents such types as not imported automatically.
  const q = await cfn.send(
    new CreateChangeSetCommand({
      StackName: "iex-q",
      ChangeSetName: "q",
      ChangeSetType: "CREATE",
      TemplateBody: JSON.stringify({ Resources: { Q: queueDecl("iex-q") } }),
      ImportExistingResources: true,
    }),
  );
  const dq = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: q.Id! }));
  assert.deepEqual(
    dq.Changes?.map((c) => c.ResourceChange?.Action),
    ["Add"],
  );
});

test("an import a stopped server left in progress is rolled back when it starts again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-cfn-import-resume-"));
  const account = randomAccount();
  try {
    const first = await startTestServer({ dataDir: dir });
    const c1 = first.clientConfig({ account });
    const cf1 = new CloudFormationClient(c1);
    const base = { Resources: { A: { Type: "AWS::SSM::Parameter", Properties: { Name: "/imp/resume/a", Type: "String", Value: "a" } } } };
    await cf1.send(new CreateStackCommand({ StackName: "imp-resume", TemplateBody: JSON.stringify(base) }));
    await waitUntilStackCreateComplete({ client: cf1, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "imp-resume" });
    const url = (await new SQSClient(c1).send(new CreateQueueCommand({ QueueName: "imp-resume-q" }))).QueueUrl!;
    const withQueue = { Resources: { ...base.Resources, Q: queueDecl("imp-resume-q") } };
    const { Id } = await cf1.send(
      new CreateChangeSetCommand({
        StackName: "imp-resume",
        ChangeSetName: "c",
        ChangeSetType: "IMPORT",
        TemplateBody: JSON.stringify(withQueue),
        ResourcesToImport: [{ ResourceType: "AWS::SQS::Queue", LogicalResourceId: "Q", ResourceIdentifier: { QueueUrl: url } }],
      }),
    );
    // As if the server had been killed right after ExecuteChangeSet answered: the stack is IMPORT_IN_PROGRESS with
    // the change set's template, what it imports and what to go back to.
    const { cfnState } = await import("../../../src/services/cloudformation/state.js");
    const t = cfnState.at(first.runtime, account, "us-east-1");
    const st = t.stacks.get(t.names.get("imp-resume")!)!;
    const cs = t.changeSets.get(Id!)!;
    t.stacks.put(st.stackId, {
      ...st,
      status: "IMPORT_IN_PROGRESS",
      templateBody: cs.templateBody,
      importing: cs.imports,
      previous: { templateBody: st.templateBody, parameters: st.parameters, outputs: st.outputs },
    });
    await first.close();

    const second = await startTestServer({ dataDir: dir });
    try {
      const c2 = second.clientConfig({ account });
      const cf2 = new CloudFormationClient(c2);
      await assert.rejects(waitUntilStackImportComplete({ client: cf2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: st.stackId }));
      const after = (await cf2.send(new DescribeStacksCommand({ StackName: st.stackId }))).Stacks![0];
      assert.equal(after.StackStatus, "IMPORT_ROLLBACK_COMPLETE");
      const left = (await cf2.send(new DescribeStackResourcesCommand({ StackName: st.stackId }))).StackResources!.map((r) => r.LogicalResourceId);
      assert.deepEqual(left, ["A"]);
      assert.equal(JSON.parse((await cf2.send(new GetTemplateCommand({ StackName: st.stackId }))).TemplateBody!).Resources.Q, undefined);
      // The queue was never the stack's: it is still there.
      const attrs = await new SQSClient(c2).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
      assert.ok(attrs.Attributes?.QueueArn);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const clis = awsClis();
if (!clis.length) test("aws cloudformation import", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-change-set --change-set-type IMPORT, wait stack-import-complete`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (...args: string[]) => {
      const r = await runAws(cli, s.url, args, creds);
      return { ...r, json: r.status === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
    };
    const dir = mkdtempSync(join(tmpdir(), "stratus-import-"));
    try {
      const name = `cli-imp-${cli.label.replace(/\W/g, "")}`;
      const url = (await aws("sqs", "create-queue", "--queue-name", name)).json.QueueUrl as string;
      const file = join(dir, "t.yaml");
      const ids = JSON.stringify([{ ResourceType: "AWS::SQS::Queue", LogicalResourceId: "Q", ResourceIdentifier: { QueueUrl: url } }]);
      const create = (changeSet: string) =>
        aws(
          "cloudformation",
          "create-change-set",
          "--stack-name",
          name,
          "--change-set-name",
          changeSet,
          "--change-set-type",
          "IMPORT",
          "--resources-to-import",
          ids,
          "--template-body",
          `file://${file}`,
        );
      writeFileSync(file, `Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: ${name}\n`);
      let r = await create("no-policy");
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /ValidationError.*The following resources to import \[Q\] must have DeletionPolicy attribute specified in the template\./);
      writeFileSync(file, `Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Retain\n    Properties:\n      QueueName: ${name}\n`);
      r = await create("import");
      assert.equal(r.status, 0, r.stderr);
      r = await aws("cloudformation", "wait", "change-set-create-complete", "--stack-name", name, "--change-set-name", "import");
      assert.equal(r.status, 0, r.stderr);
      r = await aws("cloudformation", "execute-change-set", "--stack-name", name, "--change-set-name", "import");
      assert.equal(r.status, 0, r.stderr);
      r = await aws("cloudformation", "wait", "stack-import-complete", "--stack-name", name);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      r = await aws("cloudformation", "describe-stack-resources", "--stack-name", name);
      assert.deepEqual(
        r.json.StackResources.map((x: { LogicalResourceId: string; ResourceStatus: string; PhysicalResourceId: string }) => [
          x.LogicalResourceId,
          x.ResourceStatus,
          x.PhysicalResourceId,
        ]),
        [["Q", "IMPORT_COMPLETE", url]],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
