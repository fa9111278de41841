// PutEvents and delivery through the real SDK: AWS's envelope to an SQS queue, per-entry errors, a FIFO queue, an
// SNS topic fanning out to SQS, a second bus, Input / InputPath / InputTransformer, a dead-letter queue after a
// failing target, and the AWS/Events metrics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { DeleteQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { clients, eventsPolicy, queue, receive } from "./setup.js";

const server = useServer();
const detail = (o: unknown) => JSON.stringify(o);

test("an event matching a rule reaches its SQS queue in AWS's envelope", async () => {
  const c = clients(server);
  const q = await queue(c, "orders");
  await c.eb.send(new PutRuleCommand({ Name: "orders", EventPattern: JSON.stringify({ source: ["shop"], detail: { total: [{ numeric: [">", 10] }] } }) }));
  await c.eb.send(new PutTargetsCommand({ Rule: "orders", Targets: [{ Id: "q", Arn: q.arn }] }));
  const time = new Date("2026-01-02T03:04:05.678Z");
  const r = await c.eb.send(
    new PutEventsCommand({
      Entries: [
        { Source: "shop", DetailType: "Order Placed", Detail: detail({ total: 5 }) },
        { Source: "shop", DetailType: "Order Placed", Detail: detail({ total: 50 }), Resources: ["arn:aws:s3:::b"], Time: time },
      ],
    }),
  );
  assert.equal(r.FailedEntryCount, 0);
  assert.equal(r.Entries?.length, 2);
  const [m] = await receive(c, q.url);
  const event = JSON.parse(m.Body!);
  assert.deepEqual(event, {
    version: "0",
    id: r.Entries![1].EventId,
    "detail-type": "Order Placed",
    source: "shop",
    account: c.account,
    time: "2026-01-02T03:04:05Z",
    region: "us-east-1",
    resources: ["arn:aws:s3:::b"],
    detail: { total: 50 },
  });
  assert.match(String(event.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("PutEvents answers per-entry errors with 200 and FailedEntryCount; the size limit refuses the request", async () => {
  const c = clients(server);
  const r = await c.eb.send(
    new PutEventsCommand({
      Entries: [
        { DetailType: "t", Detail: "{}" },
        { Source: "s", Detail: "{}" },
        { Source: "s", DetailType: "t" },
        { Source: "s", DetailType: "t", Detail: "not json" },
        { Source: "aws.ec2", DetailType: "t", Detail: "{}" },
        { Source: "s", DetailType: "t", Detail: "{}", EventBusName: "missing" },
        { Source: "s", DetailType: "t", Detail: "{}" },
      ],
    }),
  );
  assert.equal(r.FailedEntryCount, 6);
  assert.deepEqual(
    r.Entries?.slice(0, 5).map((e) => [e.ErrorCode, e.ErrorMessage]),
    [
      ["InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."],
      ["InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."],
      ["InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."],
      ["MalformedDetail", "Detail is malformed."],
      ["NotAuthorizedForSourceException", "Not authorized for the source."],
    ],
  );
  assert.equal(r.Entries?.[5].ErrorCode, "ResourceNotFoundException");
  assert.ok(r.Entries?.[6].EventId);

  // 1 MB (AWS raised it from 256 KB in 2026) counted as AWS documents: Source + DetailType + Detail (+ Resources, + 14
  // for Time). An entry past the old 256 KB is taken.
  const big = "x".repeat(1024 * 1024 - 20);
  const ok = await c.eb.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "t", Detail: detail({ big: big.slice(0, big.length - 10) }) }] }));
  assert.equal(ok.FailedEntryCount, 0);
  await assert.rejects(
    c.eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: "s", DetailType: "t", Detail: detail({ big }) },
          { Source: "s", DetailType: "t", Detail: detail({ big: "y".repeat(100) }) },
        ],
      }),
    ),
    (e: Error) => e.name === "ValidationException" && e.message === "Total size of the entries in the request is over the limit.",
  );
});

test("FIFO queues get the MessageGroupId; SNS topics fan out; a second bus gets the event through a bus target", async () => {
  const c = clients(server);
  const fifo = await queue(c, "ordered.fifo");
  const fanned = await queue(c, "fanned");
  const onSide = await queue(c, "on-side");
  const sns = server.client(SNSClient, { account: c.account });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "events" }));
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: eventsPolicy(TopicArn!, "sns:Publish") }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: fanned.arn, Attributes: { RawMessageDelivery: "true" } }));
  const { EventBusArn } = await c.eb.send(new CreateEventBusCommand({ Name: "side" }));
  await c.eb.send(new PutRuleCommand({ Name: "all", EventPattern: JSON.stringify({ source: ["app"] }) }));
  await c.eb.send(
    new PutTargetsCommand({
      Rule: "all",
      Targets: [
        { Id: "fifo", Arn: fifo.arn, SqsParameters: { MessageGroupId: "g1" } },
        { Id: "sns", Arn: TopicArn! },
        { Id: "bus", Arn: EventBusArn! },
      ],
    }),
  );
  await c.eb.send(new PutRuleCommand({ Name: "side-rule", EventBusName: "side", EventPattern: JSON.stringify({ "detail-type": ["hop"] }) }));
  await c.eb.send(new PutTargetsCommand({ Rule: "side-rule", EventBusName: "side", Targets: [{ Id: "q", Arn: onSide.arn }] }));

  const { Entries } = await c.eb.send(new PutEventsCommand({ Entries: [{ Source: "app", DetailType: "hop", Detail: detail({ n: 1 }) }] }));
  const id = Entries![0].EventId;
  const [f] = await c.sqs
    .send(
      new (await import("@aws-sdk/client-sqs")).ReceiveMessageCommand({
        QueueUrl: fifo.url,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    )
    .then((r) => r.Messages ?? []);
  assert.equal(f.Attributes?.MessageGroupId, "g1");
  assert.equal(JSON.parse(f.Body!).id, id);
  assert.equal(JSON.parse((await receive(c, fanned.url))[0].Body!).id, id);
  // The event keeps its id on the second bus.
  assert.equal(JSON.parse((await receive(c, onSide.url))[0].Body!).id, id);
});

test("Input, InputPath and InputTransformer shape what the target receives", async () => {
  const c = clients(server);
  const q = await queue(c, "shaped");
  const { RuleArn } = await c.eb.send(new PutRuleCommand({ Name: "shape", EventPattern: JSON.stringify({ source: ["ec2-like"] }) }));
  await c.eb.send(
    new PutTargetsCommand({
      Rule: "shape",
      Targets: [
        { Id: "const", Arn: q.arn, Input: '{"fixed":true}' },
        { Id: "path", Arn: q.arn, InputPath: "$.detail.instance" },
        {
          Id: "string",
          Arn: q.arn,
          InputTransformer: { InputPathsMap: { instance: "$.detail.instance", state: "$.detail.state" }, InputTemplate: '"<instance> is in state <state>"' },
        },
        {
          Id: "json",
          Arn: q.arn,
          InputTransformer: {
            InputPathsMap: { instance: "$.detail.instance", state: "$.detail.state", first: "$.resources[0]" },
            InputTemplate:
              '{"instance": <instance>, "state": [9, <state>, true], "rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "first": <first>, "quoted": "<state> \\"x\\"", "event": <aws.events.event>}',
          },
        },
      ],
    }),
  );
  const { Entries } = await c.eb.send(
    new PutEventsCommand({ Entries: [{ Source: "ec2-like", DetailType: "t", Resources: ["r-1"], Detail: detail({ instance: "i-0123", state: "RUNNING" }) }] }),
  );
  const bodies = (await receive(c, q.url, 4)).map((m) => m.Body!);
  assert.ok(bodies.includes('{"fixed":true}'), bodies.join("\n"));
  assert.ok(bodies.includes('"i-0123"'), bodies.join("\n"));
  assert.ok(bodies.includes('"i-0123 is in state RUNNING"'), bodies.join("\n"));
  const json = bodies.map((b) => JSON.parse(b)).find((b) => typeof b === "object" && b && "rule" in b);
  assert.equal(json.instance, "i-0123");
  assert.deepEqual(json.state, [9, "RUNNING", true]);
  assert.equal(json.rule, "shape");
  assert.equal(json.arn, RuleArn);
  assert.equal(json.first, "r-1");
  assert.equal(json.quoted, 'RUNNING "x"');
  assert.equal(json.event.id, Entries![0].EventId);
});

test("a target that fails for good sends the event to its dead-letter queue with AWS's attributes; metrics count it", async () => {
  const c = clients(server);
  const gone = await queue(c, "gone");
  const dlq = await queue(c, "dlq");
  const ok = await queue(c, "ok");
  await c.sqs.send(new DeleteQueueCommand({ QueueUrl: gone.url }));
  const { RuleArn } = await c.eb.send(new PutRuleCommand({ Name: "failing", EventPattern: JSON.stringify({ source: ["f"] }) }));
  await c.eb.send(
    new PutTargetsCommand({
      Rule: "failing",
      Targets: [
        { Id: "gone", Arn: gone.arn, DeadLetterConfig: { Arn: dlq.arn }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 } },
        { Id: "ok", Arn: ok.arn },
      ],
    }),
  );
  const { Entries } = await c.eb.send(new PutEventsCommand({ Entries: [{ Source: "f", DetailType: "t", Detail: "{}" }] }));
  const [m] = await receive(c, dlq.url, 1, true);
  assert.equal(JSON.parse(m.Body!).id, Entries![0].EventId);
  const attr = (k: string) => m.MessageAttributes?.[k]?.StringValue;
  assert.equal(attr("RULE_ARN"), RuleArn);
  assert.equal(attr("TARGET_ARN"), gone.arn);
  assert.equal(attr("ERROR_CODE"), "NO_RESOURCE"); // AWS's documented code for a target that no longer exists
  assert.ok(attr("ERROR_MESSAGE"));
  await receive(c, ok.url);

  const cw = server.client(CloudWatchClient, { account: c.account });
  const sum = async (MetricName: string, dims: { Name: string; Value: string }[]) => {
    const r = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/Events",
        MetricName,
        Dimensions: dims,
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(Date.now() + 600_000),
        Period: 60,
        Statistics: ["Sum"],
      }),
    );
    return (r.Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0);
  };
  const rule = [{ Name: "RuleName", Value: "failing" }];
  await eventually(async () => {
    assert.equal(await sum("TriggeredRules", rule), 1);
    assert.equal(await sum("Invocations", rule), 1);
    assert.equal(await sum("FailedInvocations", rule), 1);
    assert.equal(await sum("DeadLetterInvocations", rule), 1);
    assert.equal(await sum("MatchedEvents", []), 1);
    assert.equal(await sum("Invocations", []), 1);
  });
});

test("another account's bus: reached by ARN, from PutEvents or a bus target, once its policy allows the sender", async () => {
  const a = clients(server);
  const b = clients(server);
  const inB = await queue(b, "from-a");
  const bBus = `arn:aws:events:us-east-1:${b.account}:event-bus/default`;
  await b.eb.send(new PutRuleCommand({ Name: "from-a", EventPattern: JSON.stringify({ account: [a.account] }) }));
  await b.eb.send(new PutTargetsCommand({ Rule: "from-a", Targets: [{ Id: "q", Arn: inB.arn }] }));

  const denied = await a.eb.send(new PutEventsCommand({ Entries: [{ EventBusName: bBus, Source: "a", DetailType: "t", Detail: "{}" }] }));
  assert.equal(denied.FailedEntryCount, 1);
  assert.equal(denied.Entries?.[0].ErrorCode, "AccessDeniedException");

  await b.eb.send(new PutPermissionCommand({ Action: "events:PutEvents", Principal: a.account, StatementId: "from-a" }));
  const direct = await a.eb.send(new PutEventsCommand({ Entries: [{ EventBusName: bBus, Source: "a", DetailType: "direct", Detail: "{}" }] }));
  assert.equal(direct.FailedEntryCount, 0);
  const got = JSON.parse((await receive(b, inB.url))[0].Body!);
  assert.deepEqual([got.id, got.account, got["detail-type"]], [direct.Entries![0].EventId, a.account, "direct"]);

  await a.eb.send(new PutRuleCommand({ Name: "forward", EventPattern: JSON.stringify({ source: ["fwd"] }) }));
  await a.eb.send(new PutTargetsCommand({ Rule: "forward", Targets: [{ Id: "b", Arn: bBus }] }));
  const fwd = await a.eb.send(new PutEventsCommand({ Entries: [{ Source: "fwd", DetailType: "via-target", Detail: "{}" }] }));
  const forwarded = JSON.parse((await receive(b, inB.url))[0].Body!);
  assert.deepEqual([forwarded.id, forwarded.account, forwarded["detail-type"]], [fwd.Entries![0].EventId, a.account, "via-target"]);
});

test("a rule's new pattern, its state and its deletion take effect on the next PutEvents", async () => {
  const c = clients(server);
  const q = await queue(c, "changes");
  let n = 0;
  const put = (source: string) => c.eb.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: "t", Detail: detail({ n: ++n }) }] }));
  await c.eb.send(new PutRuleCommand({ Name: "changing", EventPattern: JSON.stringify({ source: ["a"] }) }));
  await c.eb.send(new PutTargetsCommand({ Rule: "changing", Targets: [{ Id: "q", Arn: q.arn }] }));
  await put("a"); // 1: delivered
  await put("b"); // 2
  await c.eb.send(new PutRuleCommand({ Name: "changing", EventPattern: JSON.stringify({ source: ["b"] }) }));
  await put("a"); // 3
  await put("b"); // 4: delivered
  await c.eb.send(new DisableRuleCommand({ Name: "changing" }));
  await put("b"); // 5
  await c.eb.send(new EnableRuleCommand({ Name: "changing" }));
  await put("b"); // 6: delivered
  await c.eb.send(new RemoveTargetsCommand({ Rule: "changing", Ids: ["q"] }));
  await put("b"); // 7: matched, no target
  await c.eb.send(new DeleteRuleCommand({ Name: "changing" }));
  await put("b"); // 8
  const got = await receive(c, q.url, 3);
  assert.deepEqual(got.map((m) => JSON.parse(m.Body!).detail.n).sort(), [1, 4, 6]);
  const rest = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  assert.deepEqual(rest.Messages ?? [], [], "nothing else arrives");
});
