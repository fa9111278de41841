// EventBridge Scheduler through the real SDK on a ManualClock (the test moves time): groups and their errors, at()
// schedules delivering to SQS and deleting themselves, universal, SNS and EventBridge targets, a failing target's
// dead-letter queue with AWS's attributes, flexible windows, time zones, and the expressions refused or taken.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { rejects } from "../../helpers/errors.js";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { atExpr, clients, createSchedule, queue, receive } from "./setup.js";

const clock = new ManualClock(Date.UTC(2027, 0, 4, 12, 0, 0));
const server = useServer({ clock });
const OFF = { Mode: "OFF" as const };

test("schedule groups: the default one, create, list with prefix and pages, tags, delete (DELETING, then gone with its schedules)", async () => {
  const c = clients(server);
  const def = await c.sch.send(new GetScheduleGroupCommand({ Name: "default" }));
  assert.equal(def.Arn, `arn:aws:scheduler:us-east-1:${c.account}:schedule-group/default`);
  assert.equal(def.State, "ACTIVE");
  const { ScheduleGroupArn } = await c.sch.send(new CreateScheduleGroupCommand({ Name: "team-a", Tags: [{ Key: "env", Value: "dev" }] }));
  assert.equal(ScheduleGroupArn, `arn:aws:scheduler:us-east-1:${c.account}:schedule-group/team-a`);
  await c.sch.send(new CreateScheduleGroupCommand({ Name: "team-b" }));
  await rejects(c.sch.send(new CreateScheduleGroupCommand({ Name: "team-a" })), "ConflictException", 409);
  const all = await c.sch.send(new ListScheduleGroupsCommand({}));
  assert.deepEqual(
    all.ScheduleGroups?.map((g) => g.Name),
    ["default", "team-a", "team-b"],
  );
  const p1 = await c.sch.send(new ListScheduleGroupsCommand({ NamePrefix: "team", MaxResults: 1 }));
  assert.deepEqual(
    p1.ScheduleGroups?.map((g) => g.Name),
    ["team-a"],
  );
  const p2 = await c.sch.send(new ListScheduleGroupsCommand({ NamePrefix: "team", MaxResults: 1, NextToken: p1.NextToken }));
  assert.deepEqual(
    p2.ScheduleGroups?.map((g) => g.Name),
    ["team-b"],
  );
  assert.equal(p2.NextToken, undefined);

  await c.sch.send(new TagResourceCommand({ ResourceArn: ScheduleGroupArn, Tags: [{ Key: "owner", Value: "me" }] }));
  await c.sch.send(new UntagResourceCommand({ ResourceArn: ScheduleGroupArn, TagKeys: ["env"] }));
  assert.deepEqual((await c.sch.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }))).Tags, [{ Key: "owner", Value: "me" }]);

  const q = await queue(c, "grouped");
  await createSchedule(c, {
    Name: "in-a",
    GroupName: "team-a",
    ScheduleExpression: "rate(5 minutes)",
    Target: { Arn: q.arn, RoleArn: c.role },
  });
  // Schedules carry no tags (only groups do).
  await rejects(
    c.sch.send(new ListTagsForResourceCommand({ ResourceArn: `arn:aws:scheduler:us-east-1:${c.account}:schedule/team-a/in-a` })),
    "ValidationException",
    400,
  );
  await rejects(c.sch.send(new DeleteScheduleGroupCommand({ Name: "default" })), "ValidationException", 400);
  await c.sch.send(new DeleteScheduleGroupCommand({ Name: "team-a" }));
  assert.equal((await c.sch.send(new GetScheduleGroupCommand({ Name: "team-a" }))).State, "DELETING");
  clock.advance(1_000);
  await rejects(c.sch.send(new GetScheduleGroupCommand({ Name: "team-a" })), "ResourceNotFoundException", 404, "Schedule group team-a does not exist.");
  await rejects(c.sch.send(new GetScheduleCommand({ Name: "in-a", GroupName: "team-a" })), "ResourceNotFoundException", 404);
  assert.deepEqual((await c.sch.send(new ListSchedulesCommand({}))).Schedules, []);
  // Nothing fires for the deleted schedule.
  clock.advance(5 * 60_000);
  const { Messages } = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 0 }));
  assert.equal(Messages, undefined);
});

test("an at() schedule delivers its Input to SQS on time, then deletes itself (ActionAfterCompletion DELETE)", async () => {
  const c = clients(server);
  const q = await queue(c, "once");
  const when = clock.now() + 5_000;
  const { ScheduleArn } = await createSchedule(c, {
    Name: "once",
    ScheduleExpression: atExpr(when),
    ActionAfterCompletion: "DELETE",
    Target: { Arn: q.arn, RoleArn: c.role, Input: '{"hello":"world"}' },
  });
  assert.equal(ScheduleArn, `arn:aws:scheduler:us-east-1:${c.account}:schedule/default/once`);
  const got = await c.sch.send(new GetScheduleCommand({ Name: "once" }));
  assert.equal(got.ScheduleExpressionTimezone, "UTC");
  assert.equal(got.ActionAfterCompletion, "DELETE");
  assert.deepEqual(got.Target, {
    Arn: q.arn,
    RoleArn: c.role,
    Input: '{"hello":"world"}',
    RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
  });
  await rejects(
    createSchedule(c, { Name: "once", ScheduleExpression: atExpr(when), Target: { Arn: q.arn, RoleArn: c.role } }),
    "ConflictException",
    409,
    "Schedule once already exists.",
  );
  clock.advance(4_999);
  assert.equal((await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 0 }))).Messages, undefined);
  clock.advance(1);
  const [m] = await receive(c, q.url, 1, false, 0);
  assert.equal(m.Body, '{"hello":"world"}');
  await eventually(async () => {
    await rejects(c.sch.send(new GetScheduleCommand({ Name: "once" })), "ResourceNotFoundException", 404, "Schedule once does not exist.");
  });
});

test("a universal target runs the operation in-process with Input as its parameters (aws-sdk:sqs:sendMessage)", async () => {
  const c = clients(server);
  const q = await queue(c, "universal");
  await createSchedule(c, {
    Name: "utp",
    ScheduleExpression: "rate(1 minute)",
    Target: { Arn: "arn:aws:scheduler:::aws-sdk:sqs:sendMessage", RoleArn: c.role, Input: JSON.stringify({ QueueUrl: q.url, MessageBody: "via UTP" }) },
  });
  clock.advance(60_000);
  assert.equal((await receive(c, q.url, 1, false, 0))[0].Body, "via UTP");
  clock.advance(60_000);
  assert.equal((await receive(c, q.url, 1, false, 0))[0].Body, "via UTP");
  await c.sch.send(new DeleteScheduleCommand({ Name: "utp" }));
});

test("SNS and EventBridge targets", async () => {
  const c = clients(server);
  const cfg = server.clientConfig({ account: c.account });
  const sns = new SNSClient(cfg);
  const eb = new EventBridgeClient(cfg);
  const q = await queue(c, "fanout");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "ticks" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
  await eb.send(new PutRuleCommand({ Name: "from-scheduler", EventPattern: JSON.stringify({ source: ["my.app"] }) }));
  await eb.send(new PutTargetsCommand({ Rule: "from-scheduler", Targets: [{ Id: "q", Arn: q.arn }] }));
  const at = atExpr(clock.now() + 2_000);
  await createSchedule(c, { Name: "sns", ScheduleExpression: at, Target: { Arn: TopicArn!, RoleArn: c.role, Input: "to sns" } });
  await createSchedule(c, {
    Name: "bus",
    ScheduleExpression: at,
    Target: {
      Arn: `arn:aws:events:us-east-1:${c.account}:event-bus/default`,
      RoleArn: c.role,
      Input: '{"n":1}',
      EventBridgeParameters: { Source: "my.app", DetailType: "Tick" },
    },
  });
  clock.advance(2_000);
  const bodies = (await receive(c, q.url, 2, false, 0)).map((m) => m.Body!);
  assert.ok(bodies.includes("to sns"), bodies.join());
  const event = JSON.parse(bodies.find((b) => b !== "to sns")!);
  assert.equal(event.source, "my.app");
  assert.equal(event["detail-type"], "Tick");
  assert.deepEqual(event.detail, { n: 1 });
});

test("a failing target: retries within its RetryPolicy, then the dead-letter queue with AWS's X-Amz-Scheduler-* attributes; AWS/Scheduler metrics", async () => {
  const c = clients(server);
  const dlq = await queue(c, "dlq");
  const missing = `arn:aws:sqs:us-east-1:${c.account}:no-such-queue`;
  const { ScheduleArn } = await createSchedule(c, {
    Name: "failing",
    ScheduleExpression: atExpr(clock.now() + 1_000),
    Target: { Arn: missing, RoleArn: c.role, Input: "lost", RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: dlq.arn } },
  });
  clock.advance(1_000);
  const [m] = await receive(c, dlq.url, 1, true, 0);
  assert.equal(m.Body, "lost");
  const attrs = Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
  assert.equal(attrs["X-Amz-Scheduler-Schedule-Arn"], ScheduleArn);
  assert.equal(attrs["X-Amz-Scheduler-Group"], "default");
  assert.equal(attrs["X-Amz-Scheduler-Schedule"], "failing");
  assert.equal(attrs["X-Amz-Scheduler-Target-Arn"], missing);
  assert.equal(attrs["X-Amz-Scheduler-Attempt"], "1"); // a missing queue is not retried
  assert.match(attrs["X-Amz-Scheduler-Error-Code"]!, /NonExistentQueue|QueueDoesNotExist/);
  assert.ok(attrs["X-Amz-Scheduler-Error-Message"]);
  clock.advance(60_000);
  const cw = new CloudWatchClient(server.clientConfig({ account: c.account }));
  await eventually(async () => {
    const r = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/Scheduler",
        MetricName: "InvocationsSentToDeadLetterCount",
        StartTime: new Date(clock.now() - 3_600_000),
        EndTime: new Date(clock.now() + 60_000),
        Period: 60,
        Statistics: ["Sum"],
      }),
    );
    assert.equal(
      r.Datapoints?.reduce((s, d) => s + (d.Sum ?? 0), 0),
      1,
    );
  });
});

test("a universal target of a service or operation Stratus does not run fails its invocation, saying so, into the DLQ", async () => {
  const c = clients(server);
  const dlq = await queue(c, "utp-dlq");
  for (const [name, arn] of [
    ["eks", "arn:aws:scheduler:::aws-sdk:eks:listClusters"],
    ["nowhere", "arn:aws:scheduler:::aws-sdk:nowhere:doThing"],
  ])
    await createSchedule(c, {
      Name: name,
      ScheduleExpression: atExpr(clock.now() + 1_000),
      Target: { Arn: arn, RoleArn: c.role, Input: "{}", DeadLetterConfig: { Arn: dlq.arn } },
    });
  clock.advance(1_000);
  const byTarget = Object.fromEntries(
    (await receive(c, dlq.url, 2, true, 0)).map((m) => [m.MessageAttributes?.["X-Amz-Scheduler-Target-Arn"]?.StringValue, m.MessageAttributes]),
  );
  const eks = byTarget["arn:aws:scheduler:::aws-sdk:eks:listClusters"]!;
  assert.equal(eks["X-Amz-Scheduler-Error-Code"]?.StringValue, "NotImplemented");
  assert.match(eks["X-Amz-Scheduler-Error-Message"]?.StringValue ?? "", /ListClusters/);
  const nowhere = byTarget["arn:aws:scheduler:::aws-sdk:nowhere:doThing"]!;
  assert.equal(nowhere["X-Amz-Scheduler-Error-Code"]?.StringValue, "NotImplemented");
  assert.match(nowhere["X-Amz-Scheduler-Error-Message"]?.StringValue ?? "", /Stratus does not implement the service nowhere/);
});

test("a flexible window draws the firing within the window, the same draw for the same firing", async () => {
  const c = clients(server);
  const q = await queue(c, "flex");
  const at = clock.now() + 60_000;
  await createSchedule(c, {
    Name: "flex",
    ScheduleExpression: atExpr(at),
    FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 5 },
    Target: { Arn: q.arn, RoleArn: c.role, Input: "flex" },
  });
  const rec = server.runtime.store.table<{ next?: { nominal: number; due: number } }>("scheduler:schedules", `${c.account}/us-east-1`).get("default|flex");
  assert.equal(rec?.next?.nominal, at);
  const due = rec!.next!.due;
  assert.ok(due >= at && due < at + 5 * 60_000, String(due - at));
  // Updating with the same expression draws the same instant (a hash of the schedule and its instant).
  await c.sch.send(
    new UpdateScheduleCommand({
      Name: "flex",
      ScheduleExpression: atExpr(at),
      FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 5 },
      Target: { Arn: q.arn, RoleArn: c.role, Input: "flex" },
    }),
  );
  assert.equal(server.runtime.store.table<{ next?: { due: number } }>("scheduler:schedules", `${c.account}/us-east-1`).get("default|flex")?.next?.due, due);
  clock.advance(due - clock.now() - 1);
  assert.equal((await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 0 }))).Messages, undefined);
  clock.advance(1);
  assert.equal((await receive(c, q.url, 1, false, 0))[0].Body, "flex");
});

test("cron() in a time zone: the next firing is on that zone's wall clock", async () => {
  const c = clients(server);
  const q = await queue(c, "tz");
  await createSchedule(c, {
    Name: "tokyo-9am",
    ScheduleExpression: "cron(0 9 * * ? *)",
    ScheduleExpressionTimezone: "Asia/Tokyo",
    Target: { Arn: q.arn, RoleArn: c.role },
  });
  const rec = server.runtime.store.table<{ next?: { nominal: number } }>("scheduler:schedules", `${c.account}/us-east-1`).get("default|tokyo-9am");
  // 2027-01-04 12:00 UTC is 21:00 in Tokyo: the next 09:00 there is 2027-01-05T00:00Z.
  assert.equal(new Date(rec!.next!.nominal).toISOString(), "2027-01-05T00:00:00.000Z");
  assert.equal((await c.sch.send(new GetScheduleCommand({ Name: "tokyo-9am" }))).ScheduleExpressionTimezone, "Asia/Tokyo");
  const listed = await c.sch.send(new ListSchedulesCommand({ State: "ENABLED", NamePrefix: "tokyo" }));
  assert.deepEqual(
    listed.Schedules?.map((s) => [s.Name, s.Target?.Arn]),
    [["tokyo-9am", q.arn]],
  );
  await c.sch.send(new DeleteScheduleCommand({ Name: "tokyo-9am" }));
});

test("refusals: expressions, dates, time zones, targets Stratus does not run, missing schedules and groups", async () => {
  const c = clients(server);
  const q = await queue(c, "refusals");
  const create = (over: Record<string, unknown>) =>
    c.sch.send(
      new CreateScheduleCommand({ Name: "bad", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: OFF, Target: { Arn: q.arn, RoleArn: c.role }, ...over }), // over may replace any field
    );
  for (const expr of [
    "rate(1 minutes)",
    "rate(2 minute)",
    "rate( 10 minutes )",
    "rate(10 seconds)",
    "cron(0 1 * * * *)",
    "cron(*/60 * ? * * *)",
    "at(2021-12-31T23:59:59Z)",
    "every day",
  ])
    await rejects(create({ ScheduleExpression: expr }), "ValidationException", 400, `Invalid Schedule Expression ${expr}.`);
  await rejects(create({ ScheduleExpression: atExpr(clock.now() - 60_000) }), "ValidationException", 400);
  await rejects(create({ ScheduleExpressionTimezone: "Mars/Olympus" }), "ValidationException", 400);
  await rejects(create({ StartDate: new Date(clock.now() + 7_200_000), EndDate: new Date(clock.now() + 3_600_000) }), "ValidationException", 400);
  await rejects(create({ FlexibleTimeWindow: { Mode: "FLEXIBLE" } }), "ValidationException", 400);
  for (const arn of [
    `arn:aws:states:us-east-1:${c.account}:stateMachine:sm`,
    `arn:aws:kinesis:us-east-1:${c.account}:stream/s`,
    `arn:aws:ecs:us-east-1:${c.account}:cluster/c`,
  ])
    await rejects(
      create({ Target: { Arn: arn, RoleArn: c.role } }),
      "ValidationException",
      400,
      /^Stratus does not deliver to (states|kinesis|ecs) targets yet/,
    );
  await rejects(create({ GroupName: "nope" }), "ResourceNotFoundException", 404);
  await rejects(c.sch.send(new GetScheduleCommand({ Name: "nope" })), "ResourceNotFoundException", 404, "Schedule nope does not exist.");
  await rejects(c.sch.send(new DeleteScheduleCommand({ Name: "nope" })), "ResourceNotFoundException", 404, "Schedule nope does not exist.");
  // Taken: six-field crons with AWS's wildcards, KmsKeyArn kept, a ClientToken repeated answers the same schedule.
  for (const [i, expr] of [
    "cron(0 8 ? * MON-FRI *)",
    "cron(0/15 * * * ? *)",
    "cron(0 0 L * ? *)",
    "cron(0 10 ? * 6#3 *)",
    "cron(0 0 15W * ? 2030-2035)",
  ].entries())
    await create({ Name: `ok-${i}`, ScheduleExpression: expr });
  const kms = `arn:aws:kms:us-east-1:${c.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const a = await create({ Name: "tok", ClientToken: "t-1", KmsKeyArn: kms });
  const b = await create({ Name: "tok", ClientToken: "t-1", KmsKeyArn: kms });
  assert.equal(a.ScheduleArn, b.ScheduleArn);
  assert.equal((await c.sch.send(new GetScheduleCommand({ Name: "tok" }))).KmsKeyArn, kms);
  const page1 = await c.sch.send(new ListSchedulesCommand({ MaxResults: 4 }));
  const page2 = await c.sch.send(new ListSchedulesCommand({ MaxResults: 4, NextToken: page1.NextToken }));
  assert.equal(page1.Schedules?.length, 4);
  assert.equal(page2.Schedules?.length, 2);
});

test("one grammar for rules and schedules: a table of expressions through PutRule and CreateSchedule", async () => {
  const c = clients(server);
  const q = await queue(c, "grammar");
  const taken = [
    "rate(1 minute)",
    "rate(5 minutes)",
    "rate(1 hour)",
    "rate(2 days)",
    "cron(0 12 * * ? *)",
    "cron(15 10 ? * 6L 2027-2030)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0 9 ? JAN,JUL 2#1 *)",
    "cron(0 0 L * ? *)",
    "cron(0 0 1W * ? *)",
    "cron(0 0 ? * L *)",
  ];
  const refused = [
    "rate(1 minutes)",
    "rate(2 minute)",
    "rate(0 minutes)",
    "rate( 5 minutes )",
    "rate(5 weeks)",
    "cron(0 12 * * * *)", // both day fields given
    "cron(0 12 ? * ? *)", // neither
    "cron(0 12 * *)", // four fields
    "cron(60 12 ? * * *)",
    "cron(0 24 ? * * *)",
    "cron(0 0 ? * 2/2 *)", // no step in day-of-week
    "cron(*/60 * ? * * *)",
    "cron(0 0 1 * ? 1969)",
    "cron(0 0 1 * ? 2200)",
    "cron(0 0 ? * MON#6 *)",
    "cron(0 0 ? FOO * *)",
    "cron(0 0 1W,2 * ? *)",
  ];
  for (const [i, expr] of taken.entries()) {
    await c.eb.send(new PutRuleCommand({ Name: `r${i}`, ScheduleExpression: expr }));
    await createSchedule(c, { Name: `s${i}`, ScheduleExpression: expr, Target: { Arn: q.arn, RoleArn: c.role } });
  }
  for (const expr of refused) {
    await rejects(
      c.eb.send(new PutRuleCommand({ Name: "bad", ScheduleExpression: expr })),
      "ValidationException",
      400,
      "Parameter ScheduleExpression is not valid.",
    );
    await rejects(
      createSchedule(c, { Name: "bad", ScheduleExpression: expr, Target: { Arn: q.arn, RoleArn: c.role } }),
      "ValidationException",
      400,
      `Invalid Schedule Expression ${expr}.`,
    );
  }
  // at() is Scheduler's alone; a schedule rule lives only on the default bus.
  await c.eb.send(new CreateEventBusCommand({ Name: "custom" }));
  await rejects(
    c.eb.send(new PutRuleCommand({ Name: "on-custom", EventBusName: "custom", ScheduleExpression: "rate(5 minutes)" })),
    "ValidationException",
    400,
    "ScheduleExpression is supported only on the default event bus.",
  );
  await rejects(
    c.eb.send(new PutRuleCommand({ Name: "at", ScheduleExpression: atExpr(clock.now() + 60_000) })),
    "ValidationException",
    400,
    "Parameter ScheduleExpression is not valid.",
  );
});
