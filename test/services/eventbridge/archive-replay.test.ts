// Archives and replays through the SDK (and a replay started from the AWS CLI): an archive is a managed rule on its
// bus, counts what it stores, refuses changes to its rule; a replay re-delivers to the rules it names with
// `replay-name` in the envelope and never archives again; AWS's validations, states, cancellation, paging.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  ListArchivesCommand,
  ListReplaysCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  UpdateArchiveCommand,
  type EventBridgeClient,
} from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { eventually } from "../../helpers/wait.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { clients, queue, receive, type Clients } from "./setup.js";

const HOUR = 3_600_000;

const server = useServer();

async function put(eb: EventBridgeClient, bus: string, source: string, n: number): Promise<void> {
  const Entries = Array.from({ length: n }, (_, i) => ({ EventBusName: bus, Source: source, DetailType: "t", Detail: JSON.stringify({ i }) }));
  const r = await eb.send(new PutEventsCommand({ Entries }));
  assert.equal(r.FailedEntryCount, 0);
}

async function replayEnds(eb: EventBridgeClient, name: string, state = "COMPLETED") {
  return eventually(async () => {
    const d = await eb.send(new DescribeReplayCommand({ ReplayName: name }));
    assert.equal(d.State, state);
    return d;
  });
}

/** A bus with an archive of everything from `source`, and two rules with a queue each. */
async function setup(c: Clients, bus: string) {
  const { EventBusArn } = await c.eb.send(new CreateEventBusCommand({ Name: bus }));
  const { ArchiveArn } = await c.eb.send(
    new CreateArchiveCommand({ ArchiveName: `${bus}-all`, EventSourceArn: EventBusArn, EventPattern: JSON.stringify({ source: ["app"] }) }),
  );
  const qa = await queue(c, `${bus}-a`);
  const qb = await queue(c, `${bus}-b`);
  const { RuleArn: ruleA } = await c.eb.send(new PutRuleCommand({ Name: "a", EventBusName: bus, EventPattern: JSON.stringify({ source: ["app"] }) }));
  await c.eb.send(new PutRuleCommand({ Name: "b", EventBusName: bus, EventPattern: JSON.stringify({ source: ["app"] }) }));
  await c.eb.send(new PutTargetsCommand({ Rule: "a", EventBusName: bus, Targets: [{ Id: "q", Arn: qa.arn }] }));
  await c.eb.send(new PutTargetsCommand({ Rule: "b", EventBusName: bus, Targets: [{ Id: "q", Arn: qb.arn }] }));
  return { busArn: EventBusArn!, archiveArn: ArchiveArn!, qa, qb, ruleA: ruleA! };
}

test("an archive is a managed rule on its bus; it stores and counts the events its pattern matches", async () => {
  const c = clients(server);
  const { EventBusArn } = await c.eb.send(new CreateEventBusCommand({ Name: "arch" }));
  const created = await c.eb.send(
    new CreateArchiveCommand({ ArchiveName: "orders", EventSourceArn: EventBusArn, EventPattern: JSON.stringify({ source: ["shop"] }), RetentionDays: 7 }),
  );
  assert.equal(created.ArchiveArn, `arn:aws:events:us-east-1:${c.account}:archive/orders`);
  assert.equal(created.State, "CREATING");
  await rejects(
    c.eb.send(new CreateArchiveCommand({ ArchiveName: "orders", EventSourceArn: EventBusArn })),
    "ResourceAlreadyExistsException",
    400,
    "Archive orders already exists.",
  );
  await rejects(c.eb.send(new DescribeArchiveCommand({ ArchiveName: "nope" })), "ResourceNotFoundException", 400, "Archive nope does not exist.");

  // The managed rule, as AWS lists it.
  const { Rules } = await c.eb.send(new ListRulesCommand({ EventBusName: "arch" }));
  assert.equal(Rules?.length, 1);
  assert.equal(Rules![0].Name, "Events-Archive-orders");
  assert.equal(Rules![0].ManagedBy, "prod.vhs.events.aws.internal");
  assert.deepEqual(JSON.parse(Rules![0].EventPattern!), { source: ["shop"], "replay-name": [{ exists: false }] });
  const { Targets } = await c.eb.send(new ListTargetsByRuleCommand({ Rule: "Events-Archive-orders", EventBusName: "arch" }));
  assert.equal(Targets?.[0].Id, "Events-Archive-orders");
  await rejects(
    c.eb.send(new DeleteRuleCommand({ Name: "Events-Archive-orders", EventBusName: "arch" })),
    "ManagedRuleException",
    400,
    "Events-Archive-orders is a managed rule. Set 'force' parameter to true to override.",
  );
  await rejects(
    c.eb.send(new PutRuleCommand({ Name: "Events-Archive-orders", EventBusName: "arch", EventPattern: '{"source":["x"]}' })),
    "ManagedRuleException",
    400,
  );

  await put(c.eb, "arch", "shop", 3);
  await put(c.eb, "arch", "other", 2);
  const d = await c.eb.send(new DescribeArchiveCommand({ ArchiveName: "orders" }));
  assert.equal(d.State, "ENABLED");
  assert.equal(d.EventCount, 3);
  assert.equal(d.RetentionDays, 7);
  assert.equal(d.EventSourceArn, EventBusArn);
  assert.equal(d.EventPattern, '{"source":["shop"]}');
  // The size of the events as delivered: each envelope's JSON.
  assert.ok(d.SizeBytes! > 3 * 200 && d.SizeBytes! < 3 * 400, String(d.SizeBytes));

  // Update: a new pattern takes effect on the next event.
  const u = await c.eb.send(new UpdateArchiveCommand({ ArchiveName: "orders", EventPattern: JSON.stringify({ source: ["other"] }), Description: "d" }));
  assert.equal(u.State, "UPDATING");
  await put(c.eb, "arch", "other", 1);
  const after = await c.eb.send(new DescribeArchiveCommand({ ArchiveName: "orders" }));
  assert.equal(after.EventCount, 4);
  assert.equal(after.Description, "d");

  // A bus with rules (an archive's too) is not deleted.
  await rejects(c.eb.send(new DeleteEventBusCommand({ Name: "arch" })), "ValidationException", 400, "EventBus can't be deleted since it has rules.");
  await c.eb.send(new DeleteArchiveCommand({ ArchiveName: "orders" }));
  assert.equal((await c.eb.send(new ListRulesCommand({ EventBusName: "arch" }))).Rules?.length, 0);
  await c.eb.send(new DeleteEventBusCommand({ Name: "arch" }));
});

test("RetentionDays: the hourly sweep drops what is older, and the counts follow", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const own = await startTestServer({ clock });
  try {
    const c = clients(own);
    // A custom bus: an archive of the default bus with no pattern would also keep the CloudTrail events of the calls
    // made here (AWS API Call via CloudTrail), as on AWS.
    const { EventBusArn: bus } = await c.eb.send(new CreateEventBusCommand({ Name: "ret" }));
    await c.eb.send(new CreateArchiveCommand({ ArchiveName: "day", EventSourceArn: bus, RetentionDays: 1 }));
    await put(c.eb, "ret", "old", 2);
    clock.advance(12 * HOUR);
    await put(c.eb, "ret", "new", 1);
    const full = await c.eb.send(new DescribeArchiveCommand({ ArchiveName: "day" }));
    assert.equal(full.EventCount, 3);
    clock.advance(13 * HOUR); // the first two are now more than a day old
    const swept = await eventually(async () => {
      const d = await c.eb.send(new DescribeArchiveCommand({ ArchiveName: "day" }));
      assert.equal(d.EventCount, 1);
      return d;
    });
    assert.ok(swept.SizeBytes! > 0 && swept.SizeBytes! < full.SizeBytes! / 2);
  } finally {
    await own.close();
  }
});

test("ListArchives filters by one of NamePrefix, EventSourceArn and State, and pages", async () => {
  const c = clients(server);
  const { EventBusArn: bus } = await c.eb.send(new CreateEventBusCommand({ Name: "lst" })); // not default: see RetentionDays
  for (const n of ["l-1", "l-2", "l-3", "m-1"]) await c.eb.send(new CreateArchiveCommand({ ArchiveName: n, EventSourceArn: bus }));
  const p1 = await c.eb.send(new ListArchivesCommand({ NamePrefix: "l-", Limit: 2 }));
  assert.deepEqual(
    p1.Archives?.map((a) => a.ArchiveName),
    ["l-1", "l-2"],
  );
  const p2 = await c.eb.send(new ListArchivesCommand({ NamePrefix: "l-", Limit: 2, NextToken: p1.NextToken }));
  assert.deepEqual(
    p2.Archives?.map((a) => [a.ArchiveName, a.State, a.EventCount, a.SizeBytes, a.RetentionDays]),
    [["l-3", "ENABLED", 0, 0, 0]],
  );
  assert.equal((await c.eb.send(new ListArchivesCommand({ EventSourceArn: bus }))).Archives?.length, 4);
  assert.equal((await c.eb.send(new ListArchivesCommand({ State: "DISABLED" }))).Archives?.length, 0);
  await rejects(
    c.eb.send(new ListArchivesCommand({ NamePrefix: "l", State: "ENABLED" })),
    "ValidationException",
    400,
    "At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix.",
  );
});

test("a replay re-delivers the archived events to the rules in FilterArns with replay-name, and archives nothing again", async () => {
  const c = clients(server);
  const { busArn, archiveArn, qa, qb, ruleA } = await setup(c, "rb");
  const start = new Date(Date.now() - 1000);
  await put(c.eb, "rb", "app", 3);
  const originals = await receive(c, qa.url, 3);
  await receive(c, qb.url, 3);
  const end = new Date(Date.now() + 1000);

  // AWS's validations, in its order.
  const replay = (ReplayName: string, over: Record<string, unknown> = {}) =>
    c.eb.send(
      new StartReplayCommand({
        ReplayName,
        EventSourceArn: archiveArn,
        EventStartTime: start,
        EventEndTime: end,
        Destination: { Arn: busArn, FilterArns: [ruleA] },
        ...over,
      }),
    );
  await rejects(
    replay("bad", { Destination: { Arn: "arn:aws:sqs:us-east-1:000000000000:q" } }),
    "ValidationException",
    400,
    "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.",
  );
  await rejects(
    replay("bad", { EventSourceArn: `arn:aws:events:us-east-1:${c.account}:archive/none` }),
    "ValidationException",
    400,
    "Parameter EventSourceArn is not valid. Reason: Archive none does not exist.",
  );
  await rejects(
    replay("bad", { Destination: { Arn: `arn:aws:events:us-east-1:${c.account}:event-bus/default` } }),
    "ValidationException",
    400,
    "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
  );
  await rejects(
    replay("bad", { EventStartTime: end, EventEndTime: start }),
    "ValidationException",
    400,
    "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
  );

  const r = await replay("again");
  assert.equal(r.State, "STARTING");
  assert.equal(r.ReplayArn, `arn:aws:events:us-east-1:${c.account}:replay/again`);
  await rejects(replay("again"), "ResourceAlreadyExistsException", 400, "Replay again already exists.");
  const d = await replayEnds(c.eb, "again");
  assert.ok(d.ReplayEndTime && d.ReplayStartTime && d.EventLastReplayedTime);
  assert.deepEqual(d.Destination, { Arn: busArn, FilterArns: [ruleA] });

  const replayed = await receive(c, qa.url, 3);
  const bodies = replayed.map((m) => JSON.parse(m.Body!)).sort((x, y) => x.detail.i - y.detail.i);
  const firsts = originals.map((m) => JSON.parse(m.Body!)).sort((x, y) => x.detail.i - y.detail.i);
  assert.deepEqual(
    bodies.map((b) => b["replay-name"]),
    ["again", "again", "again"],
  );
  assert.deepEqual(
    bodies.map(({ "replay-name": _, ...rest }) => rest),
    firsts,
  );
  // Rule b was not in FilterArns; the archive did not take the replayed events.
  const none = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: qb.url, WaitTimeSeconds: 0 }));
  assert.equal(none.Messages, undefined);
  assert.equal((await c.eb.send(new DescribeArchiveCommand({ ArchiveName: "rb-all" }))).EventCount, 3);

  // Without FilterArns every rule of the bus gets them.
  await replay("all", { Destination: { Arn: busArn } });
  await replayEnds(c.eb, "all");
  await receive(c, qa.url, 3);
  await receive(c, qb.url, 3);
  const list = await c.eb.send(new ListReplaysCommand({ EventSourceArn: archiveArn }));
  assert.deepEqual(
    list.Replays?.map((x) => [x.ReplayName, x.State]),
    [
      ["again", "COMPLETED"],
      ["all", "COMPLETED"],
    ],
  );
  await rejects(
    c.eb.send(new CancelReplayCommand({ ReplayName: "all" })),
    "IllegalStatusException",
    400,
    "Replay all is not in a valid state for this operation.",
  );
  await rejects(c.eb.send(new DescribeReplayCommand({ ReplayName: "nope" })), "ResourceNotFoundException", 400, "Replay nope does not exist.");
});

test("CancelReplay: CANCELLING, then CANCELLED before the archive is through", async () => {
  const c = clients(server);
  const { busArn, archiveArn, qa } = await setup(c, "rc");
  const start = new Date(Date.now() - 1000);
  await put(c.eb, "rc", "app", 10);
  await receive(c, qa.url, 10);
  process.env.STRATUS_EVENTBRIDGE_REPLAY_BATCH = "1";
  process.env.STRATUS_EVENTBRIDGE_REPLAY_INTERVAL_MS = "200";
  try {
    await c.eb.send(
      new StartReplayCommand({ ReplayName: "slow", EventSourceArn: archiveArn, EventStartTime: start, EventEndTime: new Date(), Destination: { Arn: busArn } }),
    );
    await eventually(async () => assert.equal((await c.eb.send(new DescribeReplayCommand({ ReplayName: "slow" }))).State, "RUNNING"));
    const cancel = await c.eb.send(new CancelReplayCommand({ ReplayName: "slow" }));
    assert.equal(cancel.State, "CANCELLING");
    const d = await replayEnds(c.eb, "slow", "CANCELLED");
    assert.ok(d.ReplayEndTime);
  } finally {
    delete process.env.STRATUS_EVENTBRIDGE_REPLAY_BATCH;
    delete process.env.STRATUS_EVENTBRIDGE_REPLAY_INTERVAL_MS;
  }
  // Fewer than the ten came back.
  const r = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: qa.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  assert.ok((r.Messages?.length ?? 0) < 10);
});

const [cli] = awsClis();
test("aws events start-replay / describe-replay from the CLI", { skip: cli ? false : "aws CLI not installed" }, async () => {
  const account = randomAccount();
  const c = clients(server, account);
  const { busArn, archiveArn, qa } = await setup(c, "cli");
  await put(c.eb, "cli", "app", 1);
  await receive(c, qa.url, 1);
  const aws = async (args: string[]) => {
    const r = await runAws(cli!, server.url, ["events", ...args], { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const out = await aws([
    "start-replay",
    "--replay-name",
    "from-cli",
    "--event-source-arn",
    archiveArn,
    "--event-start-time",
    new Date(Date.now() - 60_000).toISOString(),
    "--event-end-time",
    new Date(Date.now() + 2000).toISOString(), // the CLI sends whole seconds
    "--destination",
    JSON.stringify({ Arn: busArn }),
  ]);
  assert.equal(out.State, "STARTING");
  const [m] = await receive(c, qa.url, 1);
  assert.equal(JSON.parse(m.Body!)["replay-name"], "from-cli");
  await eventually(async () => assert.equal((await aws(["describe-replay", "--replay-name", "from-cli"])).State, "COMPLETED"));
});
