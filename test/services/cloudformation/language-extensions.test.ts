// The AWS::LanguageExtensions transform through the SDK: Fn::ForEach over a list and over a CommaDelimitedList
// parameter (its default or the value given) in Resources, Conditions, Outputs and a resource's properties, nested loops, `${X}` / `&{X}`
// keys, Fn::Length, Fn::ToJsonString, Fn::FindInMap's DefaultValue, a DeletionPolicy from a parameter; the
// processed template in GetTemplate; AWS's error prefix for a malformed loop. templates/language-extensions.yaml is
// also checked valid by cfn-lint when it is installed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { GetQueueAttributesCommand, ListQueueTagsCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, ListTagsForResourceCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { userTagMap } from "../../helpers/cloudformation.js";

let s: TestServer;
let cfn: CloudFormationClient;
let sqs: SQSClient;
let ssm: SSMClient;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });
const fixture = new URL("./templates/language-extensions.yaml", import.meta.url);
const body = readFileSync(fixture, "utf8");

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  sqs = new SQSClient(c);
  ssm = new SSMClient(c);
});
after(() => s.close());

const resources = async (stack: string) =>
  Object.fromEntries(
    ((await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources ?? []).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]),
  );

test("the transform's test template is valid for cfn-lint", { skip: spawnSync("cfn-lint", ["--version"]).status !== 0 && "cfn-lint is not installed" }, () => {
  const r = spawnSync("cfn-lint", [fileURLToPath(fixture)], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("Fn::ForEach expands resources, conditions and outputs over a CommaDelimitedList's default, with nested loops", async () => {
  await cfn.send(new CreateStackCommand({ StackName: "lx", TemplateBody: body, Capabilities: ["CAPABILITY_AUTO_EXPAND"] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "lx" });
  const r = await resources("lx");
  assert.deepEqual(Object.keys(r).sort(), ["Queuebilling", "Queueorders", "Tagged", "devdbParam", "devwebParam", "proddbParam", "prodwebParam"]);

  const retention = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["MessageRetentionPeriod"] }))).Attributes?.MessageRetentionPeriod;
  assert.equal(await retention(r.Queueorders), "120", "the mapping's value");
  assert.equal(await retention(r.Queuebilling), "60", "Fn::FindInMap's DefaultValue");
  assert.deepEqual(userTagMap((await sqs.send(new ListQueueTagsCommand({ QueueUrl: r.Queuebilling }))).Tags), { topic: "billing-queue", count: "2" });
  assert.equal((await ssm.send(new GetParameterCommand({ Name: r.prodwebParam }))).Parameter?.Value, JSON.stringify({ env: "prod", tier: "web" }));

  // A loop inside a resource's properties makes its keys (the parameter's tags, a map).
  const tags = (await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: r.Tagged }))).TagList ?? [];
  assert.deepEqual(userTagMap(Object.fromEntries(tags.map((t) => [t.Key!, t.Value!]))), { orders: "orders-tag", billing: "billing-tag" });

  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "lx" }))).Stacks!;
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  // Keep<topic> is true only for a topic named like the Policy parameter (Retain): neither is here.
  assert.deepEqual(outputs, { ordersUrl: r.Queueorders, billingUrl: r.Queuebilling });

  const original = (await cfn.send(new GetTemplateCommand({ StackName: "lx" }))).TemplateBody!;
  assert.match(original, /Fn::ForEach::Queues/);
  const processed = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "lx", TemplateStage: "Processed" }))).TemplateBody!);
  assert.equal(processed.Transform, undefined);
  assert.equal(processed.Resources.Queueorders.DeletionPolicy, "Retain");
  assert.equal(processed.Resources.Queueorders.Properties.Tags[1].Value, 2, "Fn::Length over a parameter, resolved by the transform");
  assert.deepEqual(Object.keys(processed.Conditions), ["Keeporders", "Keepbilling"]);

  // DeletionPolicy: !Ref Policy (Retain) keeps the queues when the stack is deleted.
  await cfn.send(new DeleteStackCommand({ StackName: "lx" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: stack.StackId! });
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: stack.StackId! }))).StackEvents!;
  assert.ok(events.some((e) => e.LogicalResourceId === "Queueorders" && e.ResourceStatus === "DELETE_SKIPPED"));
  assert.equal(await retention(r.Queueorders), "120", "the retained queue still exists");
});

test("the loop's collection comes from the parameter value given, and a DeletionPolicy from a condition", async () => {
  const template = {
    Transform: "AWS::LanguageExtensions",
    Parameters: { Names: { Type: "CommaDelimitedList" }, Keep: { Type: "String", Default: "no" } },
    Conditions: { Keeping: { "Fn::Equals": [{ Ref: "Keep" }, "yes"] } },
    Resources: {
      "Fn::ForEach::Q": [
        "Name",
        { Ref: "Names" },
        {
          "Q&{Name}": {
            Type: "AWS::SQS::Queue",
            DeletionPolicy: { "Fn::If": ["Keeping", "Retain", "Delete"] },
            // Only a Fn::Sub's `${X}` takes the identifier: a plain "${X}" and a Fn::Sub's "&{X}" stay as written.
            Properties: {
              Tags: [
                { Key: "sub", Value: { "Fn::Sub": "${Name}" } },
                { Key: "plain", Value: "${Name}" },
                { Key: "amp", Value: { "Fn::Sub": "&{Name}" } },
              ],
            },
          },
        },
      ],
    },
  };
  await cfn.send(
    new CreateStackCommand({
      StackName: "lx2",
      TemplateBody: JSON.stringify(template),
      Parameters: [{ ParameterKey: "Names", ParameterValue: "a,Retain,c.d" }],
      Capabilities: ["CAPABILITY_AUTO_EXPAND"],
    }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: "lx2" });
  const made = await resources("lx2");
  assert.deepEqual(Object.keys(made).sort(), ["QRetain", "Qa", "Qcd"]);
  assert.deepEqual(userTagMap((await sqs.send(new ListQueueTagsCommand({ QueueUrl: made.Qcd }))).Tags), { sub: "c.d", plain: "${Name}", amp: "&{Name}" });
  const processed = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "lx2", TemplateStage: "Processed" }))).TemplateBody!);
  assert.equal(processed.Resources.Qa.DeletionPolicy, "Delete");
  // An update keeping the list's previous value (UsePreviousValue, as `aws cloudformation deploy` sends) expands
  // the same loop; the condition's new value changes the policy.
  await cfn.send(
    new UpdateStackCommand({
      StackName: "lx2",
      TemplateBody: JSON.stringify(template),
      Capabilities: ["CAPABILITY_AUTO_EXPAND"],
      Parameters: [
        { ParameterKey: "Names", UsePreviousValue: true },
        { ParameterKey: "Keep", ParameterValue: "yes" },
      ],
    }),
  );
  await waitUntilStackUpdateComplete(waiter(), { StackName: "lx2" });
  assert.deepEqual(await resources("lx2"), made);
  const updated = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "lx2", TemplateStage: "Processed" }))).TemplateBody!);
  assert.equal(updated.Resources.Qa.DeletionPolicy, "Retain");
  // Without a value for the list (no default), the loop cannot be expanded.
  await assert.rejects(
    cfn.send(new CreateStackCommand({ StackName: "lx3", TemplateBody: JSON.stringify(template), Capabilities: ["CAPABILITY_AUTO_EXPAND"] })),
    {
      name: "ValidationError",
    },
  );
});

test("malformed loops and policies are refused with the transform's error", async () => {
  const t = (resources: unknown) => JSON.stringify({ Transform: "AWS::LanguageExtensions", Resources: resources });
  const cases: [unknown, RegExp][] = [
    [{ "Fn::ForEach::L": ["X", ["a"]] }, /^Transform AWS::LanguageExtensions failed with: Fn::ForEach::L layout is incorrect/],
    [{ "Fn::ForEach::L": ["X", "notalist", { "Q${X}": { Type: "AWS::SQS::Queue" } }] }, /collection must be a list of strings/],
    [{ "Fn::ForEach::L": ["X", ["a", "a"], { "Q${X}": { Type: "AWS::SQS::Queue" } }] }, /duplicate key Qa/],
    [{ Q: { Type: "AWS::SQS::Queue", DeletionPolicy: { "Fn::Join": ["", ["Ke", "ep"]] } } }, /DeletionPolicy of resource Q must resolve to one of/],
  ];
  for (const [resources, message] of cases) {
    await assert.rejects(
      cfn.send(new CreateStackCommand({ StackName: "lx-bad", TemplateBody: t(resources), Capabilities: ["CAPABILITY_AUTO_EXPAND"] })),
      (e: Error) => {
        assert.equal(e.name, "ValidationError");
        assert.match(e.message, message);
        return true;
      },
    );
  }
});
