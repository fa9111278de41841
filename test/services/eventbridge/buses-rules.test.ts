// Buses, rules and targets through the real SDK: the default bus, custom buses, paging, permissions, tags, rules'
// states and errors as AWS words them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemovePermissionCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
  UpdateEventBusCommand,
} from "@aws-sdk/client-eventbridge";
import { useServer } from "../../helpers/server.js";
import { clients } from "./setup.js";

const server = useServer();

async function rejects(p: Promise<unknown>, name: string, message: string | RegExp, status = 400) {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

test("the default bus exists without being created; custom buses are created, listed, updated and deleted", async () => {
  const { eb, account } = clients(server);
  const d = await eb.send(new DescribeEventBusCommand({}));
  assert.equal(d.Name, "default");
  assert.equal(d.Arn, `arn:aws:events:us-east-1:${account}:event-bus/default`);

  const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: "orders", Description: "orders bus", Tags: [{ Key: "team", Value: "a" }] }));
  assert.equal(EventBusArn, `arn:aws:events:us-east-1:${account}:event-bus/orders`);
  await rejects(eb.send(new CreateEventBusCommand({ Name: "orders" })), "ResourceAlreadyExistsException", "Event bus orders already exists.");
  await rejects(eb.send(new CreateEventBusCommand({ Name: "default" })), "ResourceAlreadyExistsException", "Event bus default already exists.");
  await rejects(eb.send(new DescribeEventBusCommand({ Name: "nope" })), "ResourceNotFoundException", "Event bus nope does not exist.");
  await rejects(eb.send(new DeleteEventBusCommand({ Name: "default" })), "ValidationException", "Cannot delete event bus default.");

  for (const n of ["orders-2", "orders-3"]) await eb.send(new CreateEventBusCommand({ Name: n }));
  const all = await eb.send(new ListEventBusesCommand({}));
  assert.deepEqual(
    all.EventBuses?.map((b) => b.Name),
    ["default", "orders", "orders-2", "orders-3"],
  );
  const p1 = await eb.send(new ListEventBusesCommand({ NamePrefix: "orders", Limit: 2 }));
  assert.deepEqual(
    p1.EventBuses?.map((b) => b.Name),
    ["orders", "orders-2"],
  );
  const p2 = await eb.send(new ListEventBusesCommand({ NamePrefix: "orders", Limit: 2, NextToken: p1.NextToken }));
  assert.deepEqual(
    p2.EventBuses?.map((b) => b.Name),
    ["orders-3"],
  );
  assert.equal(p2.NextToken, undefined);

  await eb.send(new UpdateEventBusCommand({ Name: "orders", Description: "changed" }));
  const o = await eb.send(new DescribeEventBusCommand({ Name: EventBusArn }));
  assert.equal(o.Description, "changed");
  assert.ok(o.CreationTime instanceof Date);
  assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: EventBusArn }))).Tags, [{ Key: "team", Value: "a" }]);

  await eb.send(new DeleteEventBusCommand({ Name: "orders-3" }));
  await eb.send(new DeleteEventBusCommand({ Name: "orders-3" })); // already gone: still succeeds
  await rejects(eb.send(new DescribeEventBusCommand({ Name: "orders-3" })), "ResourceNotFoundException", "Event bus orders-3 does not exist.");
});

test("PutPermission builds the bus policy; RemovePermission takes statements out", async () => {
  const { eb, account } = clients(server);
  await eb.send(new PutPermissionCommand({ Action: "events:PutEvents", Principal: "111122223333", StatementId: "one" }));
  const d = await eb.send(new DescribeEventBusCommand({}));
  assert.deepEqual(JSON.parse(d.Policy!), {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "one",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111122223333:root" },
        Action: "events:PutEvents",
        Resource: `arn:aws:events:us-east-1:${account}:event-bus/default`,
      },
    ],
  });
  await rejects(eb.send(new RemovePermissionCommand({ StatementId: "two" })), "ResourceNotFoundException", "Statement with the provided id does not exist.");
  await eb.send(new RemovePermissionCommand({ StatementId: "one" }));
  assert.equal((await eb.send(new DescribeEventBusCommand({}))).Policy, undefined);
  await rejects(eb.send(new RemovePermissionCommand({ StatementId: "one" })), "ResourceNotFoundException", "EventBus does not have a policy.");
});

test("rules: put, describe, list with paging, disable, targets, delete; AWS's errors", async () => {
  const { eb, account } = clients(server);
  await eb.send(new CreateEventBusCommand({ Name: "side" }));
  const pattern = JSON.stringify({ source: ["my.app"] });
  const { RuleArn } = await eb.send(new PutRuleCommand({ Name: "r1", EventPattern: pattern, Description: "first" }));
  assert.equal(RuleArn, `arn:aws:events:us-east-1:${account}:rule/r1`);
  const side = await eb.send(new PutRuleCommand({ Name: "r1", EventPattern: pattern, EventBusName: "side" }));
  assert.equal(side.RuleArn, `arn:aws:events:us-east-1:${account}:rule/side/r1`);
  for (const n of ["r2", "r3"]) await eb.send(new PutRuleCommand({ Name: n, EventPattern: pattern, State: "DISABLED" }));

  const r = await eb.send(new DescribeRuleCommand({ Name: "r1" }));
  assert.equal(r.State, "ENABLED");
  assert.equal(r.EventBusName, "default");
  assert.equal(r.CreatedBy, account);
  assert.equal(r.EventPattern, pattern);

  const page1 = await eb.send(new ListRulesCommand({ NamePrefix: "r", Limit: 2 }));
  assert.deepEqual(
    page1.Rules?.map((x) => x.Name),
    ["r1", "r2"],
  );
  const page2 = await eb.send(new ListRulesCommand({ NamePrefix: "r", Limit: 2, NextToken: page1.NextToken }));
  assert.deepEqual(
    page2.Rules?.map((x) => x.Name),
    ["r3"],
  );
  assert.deepEqual(
    (await eb.send(new ListRulesCommand({ EventBusName: "side" }))).Rules?.map((x) => x.Arn),
    [side.RuleArn],
  );

  await eb.send(new DisableRuleCommand({ Name: "r1" }));
  assert.equal((await eb.send(new DescribeRuleCommand({ Name: "r1" }))).State, "DISABLED");

  await rejects(eb.send(new DescribeRuleCommand({ Name: "nope" })), "ResourceNotFoundException", "Rule nope does not exist on EventBus default.");
  await rejects(
    eb.send(new PutRuleCommand({ Name: "bad", EventPattern: JSON.stringify({ source: "x" }) })),
    "InvalidEventPatternException",
    /^Event pattern is not valid\. Reason: /,
  );
  await rejects(eb.send(new PutRuleCommand({ Name: "none" })), "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  await rejects(
    eb.send(new PutRuleCommand({ Name: "sched", ScheduleExpression: "rate(5 minutes)", EventBusName: "side" })),
    "ValidationException",
    "ScheduleExpression is supported only on the default event bus.",
  );
  await rejects(
    eb.send(new PutRuleCommand({ Name: "sched", ScheduleExpression: "rate(1 minutes)" })),
    "ValidationException",
    "Parameter ScheduleExpression is not valid.",
  );
  await rejects(
    eb.send(new PutRuleCommand({ Name: "sched", ScheduleExpression: "rate(5 fortnights)" })),
    "ValidationException",
    "Parameter ScheduleExpression is not valid.",
  );

  const q = `arn:aws:sqs:us-east-1:${account}:q`;
  const put = await eb.send(
    new PutTargetsCommand({
      Rule: "r1",
      Targets: [
        { Id: "a", Arn: q },
        { Id: "k", Arn: `arn:aws:kinesis:us-east-1:${account}:stream/s` },
      ],
    }),
  );
  assert.equal(put.FailedEntryCount, 1);
  assert.equal(put.FailedEntries?.[0].TargetId, "k");
  assert.match(put.FailedEntries?.[0].ErrorMessage ?? "", /Stratus does not deliver to kinesis targets yet/);
  assert.deepEqual(
    (await eb.send(new ListTargetsByRuleCommand({ Rule: "r1" }))).Targets?.map((t) => t.Id),
    ["a"],
  );
  assert.deepEqual((await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: q }))).RuleNames, ["r1"]);
  await rejects(
    eb.send(new PutTargetsCommand({ Rule: "r1", Targets: ["b", "c", "d", "e", "f"].map((Id) => ({ Id, Arn: q })) })),
    "LimitExceededException",
    /.+/,
  );
  await rejects(
    eb.send(new PutTargetsCommand({ Rule: "r1", Targets: [{ Id: "b", Arn: q, Input: "{}", InputPath: "$.detail" }] })),
    "ValidationException",
    /Only one of Input, InputPath, or InputTransformer/,
  );
  await rejects(
    eb.send(new PutTargetsCommand({ Rule: "r1", Targets: [{ Id: "f", Arn: `${q}.fifo` }] })),
    "ValidationException",
    "Parameter(s) SqsParameters must be specified for target: f.",
  );
  await rejects(
    eb.send(new PutTargetsCommand({ Rule: "nope", Targets: [{ Id: "a", Arn: q }] })),
    "ResourceNotFoundException",
    "Rule nope does not exist on EventBus default.",
  );
  await rejects(eb.send(new DeleteRuleCommand({ Name: "r1" })), "ValidationException", "Rule can't be deleted since it has targets.");
  await eb.send(new RemoveTargetsCommand({ Rule: "r1", Ids: ["a"] }));
  await eb.send(new DeleteRuleCommand({ Name: "r1" }));
  await rejects(eb.send(new DescribeRuleCommand({ Name: "r1" })), "ResourceNotFoundException", "Rule r1 does not exist on EventBus default.");

  await eb.send(
    new TagResourceCommand({
      ResourceARN: side.RuleArn,
      Tags: [
        { Key: "k", Value: "v" },
        { Key: "x", Value: "y" },
      ],
    }),
  );
  await eb.send(new UntagResourceCommand({ ResourceARN: side.RuleArn, TagKeys: ["x"] }));
  assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: side.RuleArn }))).Tags, [{ Key: "k", Value: "v" }]);
});

test("TestEventPattern matches an event against a pattern", async () => {
  const { eb } = clients(server);
  const event = JSON.stringify({
    id: "1",
    "detail-type": "t",
    source: "my.app",
    account: "123456789012",
    time: "2024-01-01T00:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: { n: 5 },
  });
  const yes = await eb.send(new TestEventPatternCommand({ Event: event, EventPattern: JSON.stringify({ detail: { n: [{ numeric: [">", 1] }] } }) }));
  assert.equal(yes.Result, true);
  const no = await eb.send(new TestEventPatternCommand({ Event: event, EventPattern: JSON.stringify({ source: [{ prefix: "aws." }] }) }));
  assert.equal(no.Result, false);
});

test("an explicit Deny in the bus policy refuses PutEvents with AccessDeniedException", async () => {
  const { eb, account } = clients(server);
  const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: "guarded" }));
  await eb.send(
    new PutPermissionCommand({
      EventBusName: "guarded",
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "no", Effect: "Deny", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "events:PutEvents", Resource: EventBusArn }],
      }),
    }),
  );
  await rejects(
    eb.send(new PutEventsCommand({ Entries: [{ EventBusName: "guarded", Source: "s", DetailType: "t", Detail: "{}" }] })),
    "AccessDeniedException",
    `User: arn:aws:iam::${account}:root is not authorized to perform: events:PutEvents on resource: ${EventBusArn} with an explicit deny in a resource-based policy`,
  );
  // The default bus has no policy: accepted.
  assert.equal((await eb.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "t", Detail: "{}" }] }))).FailedEntryCount, 0);
});
