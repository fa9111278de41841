// The engine as AWS runs it (issue 11): a stack's TimeoutInMinutes cancels what is being created and rolls back
// (on the runtime clock, and across a restart), ClientRequestToken on every event an operation causes and retries
// answered as the first call, AWS's paging of events, stacks, resources and change sets, a failed transform making
// a FAILED change set, and a resource event's ResourceProperties.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  paginateDescribeStackEvents,
  paginateListChangeSets,
  paginateListStackResources,
  paginateListStacks,
  RollbackStackCommand,
  type StackEvent,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const clock = new ManualClock();
let s: TestServer;
let cfn: CloudFormationClient;
let c: ReturnType<TestServer["clientConfig"]>;

before(async () => {
  s = await startTestServer({ clock });
  c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
});
after(() => s.close());

const waiter = (client = cfn) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

/** A wait condition whose handle is never signalled: it waits its whole hour unless something cancels it. */
const SLOW = JSON.stringify({
  Resources: {
    Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" },
    Wait: { Type: "AWS::CloudFormation::WaitCondition", Properties: { Handle: { Ref: "Handle" }, Timeout: "3600" } },
  },
});

async function allEvents(client: CloudFormationClient, StackName: string): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  for await (const page of paginateDescribeStackEvents({ client }, { StackName })) out.push(...(page.StackEvents ?? []));
  return out;
}

const stackOf = async (client: CloudFormationClient, StackName: string) => (await client.send(new DescribeStacksCommand({ StackName }))).Stacks![0];

test("TimeoutInMinutes: past it, the resource being created is cancelled and the stack rolls back, as AWS words it", async () => {
  await cfn.send(new CreateStackCommand({ StackName: "slow", TemplateBody: SLOW, TimeoutInMinutes: 1 }));
  await eventually(async () => {
    const events = await allEvents(cfn, "slow");
    assert.ok(events.some((e) => e.LogicalResourceId === "Wait" && e.ResourceStatus === "CREATE_IN_PROGRESS"));
  });
  clock.advance(50_000);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await stackOf(cfn, "slow")).StackStatus, "CREATE_IN_PROGRESS");
  clock.advance(11_000);
  await eventually(async () => assert.equal((await stackOf(cfn, "slow")).StackStatus, "ROLLBACK_COMPLETE"));
  const events = (await allEvents(cfn, "slow")).reverse();
  const wait = events.find((e) => e.LogicalResourceId === "Wait" && e.ResourceStatus === "CREATE_FAILED");
  assert.equal(wait?.ResourceStatusReason, "Resource creation cancelled");
  const rollback = events.find((e) => e.LogicalResourceId === "slow" && e.ResourceStatus === "ROLLBACK_IN_PROGRESS");
  assert.equal(rollback?.ResourceStatusReason, "Stack creation time exceeded the specified timeout. Rollback requested by user.");
  // What was made is deleted; the stack's TimeoutInMinutes shows as given.
  assert.ok(events.some((e) => e.LogicalResourceId === "Handle" && e.ResourceStatus === "DELETE_COMPLETE"));
  assert.equal((await stackOf(cfn, "slow")).TimeoutInMinutes, 1);

  // OnFailure DO_NOTHING: the stack is left CREATE_FAILED with the timeout's reason; DELETE: deleted ("Delete requested by user.").
  await cfn.send(new CreateStackCommand({ StackName: "slow-kept", TemplateBody: SLOW, TimeoutInMinutes: 2, OnFailure: "DO_NOTHING" }));
  const { StackId } = await cfn.send(new CreateStackCommand({ StackName: "slow-gone", TemplateBody: SLOW, TimeoutInMinutes: 2, OnFailure: "DELETE" }));
  const started = async (name: string) => (await allEvents(cfn, name)).some((e) => e.LogicalResourceId === "Wait");
  await eventually(async () => assert.ok((await started("slow-kept")) && (await started("slow-gone"))));
  clock.advance(121_000);
  await eventually(async () => {
    const kept = await stackOf(cfn, "slow-kept");
    assert.deepEqual([kept.StackStatus, kept.StackStatusReason], ["CREATE_FAILED", "Stack creation time exceeded the specified timeout."]);
  });
  await waitUntilStackDeleteComplete(waiter(), { StackName: StackId! });
  const gone = (await allEvents(cfn, StackId!)).find((e) => e.ResourceStatus === "ROLLBACK_IN_PROGRESS");
  assert.equal(gone?.ResourceStatusReason, "Stack creation time exceeded the specified timeout. Delete requested by user.");
});

test("TimeoutInMinutes is stored: a create whose deadline passed while Stratus was stopped fails by timing out", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-cfn-timeout-"));
  const account = randomAccount();
  const t0 = new ManualClock();
  let server = await startTestServer({ dataDir, clock: t0 });
  try {
    let client = new CloudFormationClient(server.clientConfig({ account }));
    await client.send(new CreateStackCommand({ StackName: "durable", TemplateBody: SLOW, TimeoutInMinutes: 1, ClientRequestToken: "before-stop" }));
    // The first wait condition of the process loads its modules (compiled on the fly under tsx): slow on a busy machine.
    await eventually(async () => assert.ok((await allEvents(client, "durable")).some((e) => e.LogicalResourceId === "Wait")), 30_000);
    const before = await allEvents(client, "durable");
    await server.close();

    server = await startTestServer({ dataDir, clock: new ManualClock(t0.now() + 120_000) });
    client = new CloudFormationClient(server.clientConfig({ account }));
    await eventually(async () => assert.equal((await stackOf(client, "durable")).StackStatus, "ROLLBACK_COMPLETE"));
    const after = await allEvents(client, "durable");
    // The events from before the restart are all still there, after the new ones (the sequence carried on).
    assert.deepEqual(
      after.slice(after.length - before.length).map((e) => e.EventId),
      before.map((e) => e.EventId),
    );
    const rollback = after.find((e) => e.ResourceStatus === "ROLLBACK_IN_PROGRESS");
    assert.equal(rollback?.ResourceStatusReason, "Stack creation time exceeded the specified timeout. Rollback requested by user.");
    // The operation's token is on every event it caused, before the restart and after.
    assert.deepEqual([...new Set(after.map((e) => e.ClientRequestToken))], ["before-stop"]);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("ClientRequestToken: on every event of its operation and in notifications; a retry answers as the first call did", async () => {
  const sns = new SNSClient(c);
  const sqs = new SQSClient(c);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "tokens" }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "tokens" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));

  const body = (v: string) => JSON.stringify({ Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: v } } } });
  const create = { StackName: "tokened", TemplateBody: body("a"), NotificationARNs: [TopicArn!], ClientRequestToken: "create-1" };
  const { StackId } = await cfn.send(new CreateStackCommand(create));
  // The same request again (a retry): the same stack, not AlreadyExistsException.
  assert.equal((await cfn.send(new CreateStackCommand(create))).StackId, StackId);
  // The token reused for another request: AWS's TokenAlreadyExistsException.
  await assert.rejects(cfn.send(new CreateStackCommand({ ...create, TemplateBody: body("other") })), { name: "TokenAlreadyExistsException" });
  // Without a token, the name is taken as before.
  await assert.rejects(cfn.send(new CreateStackCommand({ ...create, ClientRequestToken: undefined })), { name: "AlreadyExistsException" });
  await waitUntilStackCreateComplete(waiter(), { StackName: "tokened" });

  const update = { StackName: "tokened", TemplateBody: body("b"), ClientRequestToken: "update-1" };
  await cfn.send(new UpdateStackCommand(update));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "tokened" });
  // Retried after it completed: answered as the first call was, not "No updates are to be performed."
  assert.equal((await cfn.send(new UpdateStackCommand(update))).StackId, StackId);
  await assert.rejects(cfn.send(new UpdateStackCommand({ ...update, ClientRequestToken: undefined })), { message: "No updates are to be performed." });

  await cfn.send(new DeleteStackCommand({ StackName: "tokened", ClientRequestToken: "delete-1" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: StackId! });
  const events = (await allEvents(cfn, StackId!)).reverse();
  const tokenOf = (status: string, logical = "tokened") =>
    events.filter((e) => e.LogicalResourceId === logical && e.ResourceStatus === status).map((e) => e.ClientRequestToken);
  assert.deepEqual(tokenOf("CREATE_IN_PROGRESS", "P"), ["create-1"]);
  assert.deepEqual(tokenOf("CREATE_COMPLETE"), ["create-1"]);
  assert.deepEqual(tokenOf("UPDATE_IN_PROGRESS", "P"), ["update-1"]);
  assert.deepEqual(tokenOf("UPDATE_COMPLETE"), ["update-1"]);
  assert.deepEqual(tokenOf("DELETE_COMPLETE", "P"), ["delete-1"]);
  assert.deepEqual(tokenOf("DELETE_COMPLETE"), ["delete-1"]);

  // The notifications carry it too (ClientRequestToken='create-1' …).
  const tokens: string[] = [];
  await eventually(
    async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const m of r.Messages ?? []) tokens.push(/ClientRequestToken='([^']*)'/.exec(JSON.parse(m.Body!).Message)![1]);
      assert.ok(tokens.includes("create-1") && tokens.includes("update-1"));
    },
    15_000,
    200,
  );
});

test("ClientRequestToken on RollbackStack: its events carry it, and a retry answers as the first call did", async () => {
  const failing = JSON.stringify({
    Resources: {
      Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" },
      Wait: { Type: "AWS::CloudFormation::WaitCondition", DependsOn: "Handle", Properties: { Handle: { Ref: "Handle" }, Timeout: "soon" } },
    },
  });
  const { StackId } = await cfn.send(new CreateStackCommand({ StackName: "kept", TemplateBody: failing, OnFailure: "DO_NOTHING" }));
  await eventually(async () => assert.equal((await stackOf(cfn, "kept")).StackStatus, "CREATE_FAILED"));
  assert.equal((await cfn.send(new RollbackStackCommand({ StackName: "kept", ClientRequestToken: "rb-1" }))).StackId, StackId);
  await eventually(async () => assert.equal((await stackOf(cfn, "kept")).StackStatus, "ROLLBACK_COMPLETE"));
  assert.equal((await cfn.send(new RollbackStackCommand({ StackName: "kept", ClientRequestToken: "rb-1" }))).StackId, StackId);
  await assert.rejects(cfn.send(new RollbackStackCommand({ StackName: "kept" })), { name: "ValidationError" });
  const events = await allEvents(cfn, "kept");
  const rollback = events.filter(
    (e) => e.ResourceStatus === "ROLLBACK_IN_PROGRESS" || e.ResourceStatus === "ROLLBACK_COMPLETE" || e.ResourceStatus === "DELETE_COMPLETE",
  );
  assert.equal(rollback.length, 4); // the stack's two events, and the deletes of Wait and Handle
  assert.ok(rollback.every((e) => e.ClientRequestToken === "rb-1"));
  assert.ok(events.filter((e) => e.ResourceStatus?.startsWith("CREATE_")).every((e) => e.ClientRequestToken === undefined));
});

test("ClientRequestToken on ExecuteChangeSet: a retry after the change set ran (and was removed) succeeds; its events carry it", async () => {
  const body = JSON.stringify({ Resources: { H: { Type: "AWS::CloudFormation::WaitConditionHandle" } } });
  const { Id } = await cfn.send(new CreateChangeSetCommand({ StackName: "executed", ChangeSetName: "cs", ChangeSetType: "CREATE", TemplateBody: body }));
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id!, ClientRequestToken: "exec-1" }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "executed" });
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id!, ClientRequestToken: "exec-1" }));
  await assert.rejects(cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id! })), { name: "ChangeSetNotFoundException" });
  const events = await allEvents(cfn, "executed");
  const byToken = events.filter((e) => e.ClientRequestToken === "exec-1").map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
  assert.deepEqual(byToken.reverse(), ["executed CREATE_IN_PROGRESS", "H CREATE_IN_PROGRESS", "H CREATE_COMPLETE", "executed CREATE_COMPLETE"]);
  // TimeoutInMinutes below AWS's minimum (1) is the model's ValidationError.
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "no-time", TemplateBody: body, TimeoutInMinutes: 0 })), { name: "ValidationError" });
});

test("paging: DescribeStackEvents 100 a page, newest first; ListStackResources, ListStacks and ListChangeSets page too", async () => {
  const account = randomAccount();
  const client = new CloudFormationClient(s.clientConfig({ account }));
  const resources = Object.fromEntries(
    Array.from({ length: 120 }, (_, i) => [`H${String(i).padStart(3, "0")}`, { Type: "AWS::CloudFormation::WaitConditionHandle" }]),
  );
  await client.send(new CreateStackCommand({ StackName: "wide", TemplateBody: JSON.stringify({ Resources: resources }) }));
  await waitUntilStackCreateComplete(waiter(client), { StackName: "wide" });

  const pages: StackEvent[][] = [];
  for await (const page of paginateDescribeStackEvents({ client }, { StackName: "wide" })) pages.push(page.StackEvents ?? []);
  assert.deepEqual(
    pages.map((p) => p.length),
    [100, 100, 42],
  );
  const events = pages.flat();
  assert.equal(new Set(events.map((e) => e.EventId)).size, 242);
  assert.deepEqual([events[0].LogicalResourceId, events[0].ResourceStatus], ["wide", "CREATE_COMPLETE"]);
  assert.deepEqual([events.at(-1)!.LogicalResourceId, events.at(-1)!.ResourceStatus], ["wide", "CREATE_IN_PROGRESS"]);
  for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].Timestamp! >= events[i].Timestamp!);
  await assert.rejects(client.send(new DescribeStackEventsCommand({ StackName: "wide", NextToken: "garbage" })), { name: "ValidationError" });

  const summaries: string[] = [];
  let resourcePages = 0;
  for await (const page of paginateListStackResources({ client }, { StackName: "wide" })) {
    resourcePages++;
    summaries.push(...(page.StackResourceSummaries ?? []).map((r) => r.LogicalResourceId!));
  }
  assert.equal(resourcePages, 2);
  assert.deepEqual(summaries, Object.keys(resources));

  // 101 stacks more (REVIEW_IN_PROGRESS, by CREATE change sets): ListStacks pages them; one stack's 101 change sets page too.
  await Promise.all(
    Array.from({ length: 101 }, (_, i) =>
      client.send(
        new CreateChangeSetCommand({
          StackName: `review-${i}`,
          ChangeSetName: "cs",
          ChangeSetType: "CREATE",
          TemplateBody: JSON.stringify({ Resources: { H: resources.H000 } }),
        }),
      ),
    ),
  );
  const names: string[] = [];
  let stackPages = 0;
  for await (const page of paginateListStacks({ client }, {})) {
    stackPages++;
    names.push(...(page.StackSummaries ?? []).map((x) => x.StackName!));
  }
  assert.equal(stackPages, 2);
  assert.equal(names.length, 102);
  assert.equal(new Set(names).size, 102);
  for (let i = 1; i < 101; i++) {
    await client.send(
      new CreateChangeSetCommand({
        StackName: "review-0",
        ChangeSetName: `cs${i}`,
        ChangeSetType: "CREATE",
        TemplateBody: JSON.stringify({ Resources: { H: resources.H000 } }),
      }),
    );
  }
  const changeSets: string[] = [];
  let changeSetPages = 0;
  for await (const page of paginateListChangeSets({ client }, { StackName: "review-0" })) {
    changeSetPages++;
    changeSets.push(...(page.Summaries ?? []).map((x) => x.ChangeSetName!));
  }
  assert.equal(changeSetPages, 2);
  assert.equal(new Set(changeSets).size, 101);
});

test("a transform that fails makes the change set FAILED with its message, not an error; the stack waits in REVIEW_IN_PROGRESS", async () => {
  const bad = { Transform: "AWS::Serverless-2016-10-31", Resources: { Fn: { Type: "AWS::Serverless::Function", Properties: { InlineCode: "x" } } } };
  const { Id, StackId } = await cfn.send(
    new CreateChangeSetCommand({
      StackName: "sam-fails",
      ChangeSetName: "first",
      ChangeSetType: "CREATE",
      TemplateBody: JSON.stringify(bad),
      Capabilities: ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    }),
  );
  const cs = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id! }));
  assert.equal(cs.Status, "FAILED");
  assert.equal(cs.ExecutionStatus, "UNAVAILABLE");
  assert.match(
    cs.StatusReason!,
    /^Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document\. Number of errors found: 1\. Resource with id \[Fn\] is invalid\./,
  );
  assert.equal((await stackOf(cfn, StackId!)).StackStatus, "REVIEW_IN_PROGRESS");
  // CreateStack still answers it as an error (AWS's ValidationError with the same message).
  await assert.rejects(
    cfn.send(
      new CreateStackCommand({ StackName: "sam-fails-2", TemplateBody: JSON.stringify(bad), Capabilities: ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"] }),
    ),
    {
      name: "ValidationError",
      message: cs.StatusReason,
    },
  );
});

test("a resource's events show its resolved properties as JSON (every scalar a string); the stack's events none", async () => {
  const template = {
    Parameters: { Vis: { Type: "Number", Default: 45 } },
    Resources: { Q: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: { Ref: "Vis" }, Tags: [{ Key: "k", Value: "v" }] } } },
  };
  await cfn.send(new CreateStackCommand({ StackName: "props", TemplateBody: JSON.stringify(template) }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "props" });
  const events = (await allEvents(cfn, "props")).reverse();
  const started = events.find((e) => e.LogicalResourceId === "Q" && e.ResourceStatus === "CREATE_IN_PROGRESS")!;
  assert.deepEqual(JSON.parse(started.ResourceProperties!), { VisibilityTimeout: "45", Tags: [{ Key: "k", Value: "v" }] });
  assert.equal(events.find((e) => e.LogicalResourceId === "Q" && e.ResourceStatus === "CREATE_COMPLETE")!.ResourceProperties, started.ResourceProperties);
  assert.ok(events.filter((e) => e.LogicalResourceId === "props").every((e) => e.ResourceProperties === undefined));

  await cfn.send(
    new UpdateStackCommand({ StackName: "props", TemplateBody: JSON.stringify(template), Parameters: [{ ParameterKey: "Vis", ParameterValue: "60" }] }),
  );
  await waitUntilStackUpdateComplete(waiter(), { StackName: "props" });
  const updating = (await allEvents(cfn, "props")).find((e) => e.LogicalResourceId === "Q" && e.ResourceStatus === "UPDATE_IN_PROGRESS")!;
  assert.equal(JSON.parse(updating.ResourceProperties!).VisibilityTimeout, "60");
});

const clis = awsClis();
if (!clis.length) test("aws CLI: paging and client request tokens", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-stack --client-request-token; describe-stack-events pages through every event`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, s.url, args, creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const resources = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`H${i}`, { Type: "AWS::CloudFormation::WaitConditionHandle" }]));
    const args = [
      "cloudformation",
      "create-stack",
      "--stack-name",
      "cli-paged",
      "--template-body",
      JSON.stringify({ Resources: resources }),
      "--client-request-token",
      "cli-1",
    ];
    const { StackId } = await aws(args);
    // The CLI's retry of the same request is answered with the same stack.
    assert.equal((await aws(args)).StackId, StackId);
    await waitUntilStackCreateComplete(waiter(new CloudFormationClient(s.clientConfig({ account }))), { StackName: "cli-paged" });
    // The CLI follows NextToken itself: every event, each with the token.
    const { StackEvents } = await aws(["cloudformation", "describe-stack-events", "--stack-name", "cli-paged"]);
    assert.equal(StackEvents.length, 122);
    assert.ok(StackEvents.every((e: { ClientRequestToken?: string }) => e.ClientRequestToken === "cli-1"));
    const page = await aws(["cloudformation", "describe-stack-events", "--stack-name", "cli-paged", "--no-paginate"]);
    assert.equal(page.StackEvents.length, 100);
    assert.ok(page.NextToken);
  });

test("boto3: ClientRequestToken on create_stack and its events; describe_stack_events and list_stack_resources paginators", async (t) => {
  const missing = pythonMissing();
  if (missing) return t.skip(missing);
  const script = `
import boto3, json, sys
cfn = boto3.client("cloudformation", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key="test")
body = json.dumps({"Resources": {f"H{i}": {"Type": "AWS::CloudFormation::WaitConditionHandle"} for i in range(110)}})
first = cfn.create_stack(StackName="boto-paged", TemplateBody=body, ClientRequestToken="boto-1")["StackId"]
again = cfn.create_stack(StackName="boto-paged", TemplateBody=body, ClientRequestToken="boto-1")["StackId"]
cfn.get_waiter("stack_create_complete").wait(StackName="boto-paged", WaiterConfig={"Delay": 1})
pages = [p["StackEvents"] for p in cfn.get_paginator("describe_stack_events").paginate(StackName="boto-paged")]
resources = [r["LogicalResourceId"] for p in cfn.get_paginator("list_stack_resources").paginate(StackName="boto-paged") for r in p["StackResourceSummaries"]]
print(json.dumps({"same": first == again, "pages": [len(p) for p in pages], "tokens": sorted({e.get("ClientRequestToken") for p in pages for e in p}), "resources": len(set(resources))}))
`;
  const { stdout } = await run("python3", ["-c", script, s.url, randomAccount()]);
  assert.deepEqual(JSON.parse(stdout), { same: true, pages: [100, 100, 22], tokens: ["boto-1"], resources: 110 });
});
