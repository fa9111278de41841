// What the first increment left open: an SQS queue or SNS topic whose policy does not let events.amazonaws.com in
// (for this rule, where it conditions on aws:SourceArn) is not delivered to — the invocation fails, is counted and
// dead-lettered; the rule state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (read-only CloudTrail events reach only
// such rules); numbers in patterns as AWS compares them (AWS-recorded cases through TestEventPattern).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { PutRuleCommand, PutTargetsCommand, PutEventsCommand, TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { SetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { clients, eventsPolicy, queue, receive } from "./setup.js";

const server = useServer();

test("an SQS target whose policy does not allow EventBridge for this rule fails: FailedInvocations, dead-lettered, not sent", async () => {
  const c = clients(server);
  const closed = await queue(c, "closed", false);
  const other = await queue(c, "other-rule", false);
  const dlq = await queue(c, "policy-dlq");
  const { RuleArn } = await c.eb.send(new PutRuleCommand({ Name: "guarded", EventPattern: JSON.stringify({ source: ["g"] }) }));
  // A policy for another rule's ARN does not let this rule in.
  await c.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: other.url,
      Attributes: { Policy: eventsPolicy(other.arn, "sqs:SendMessage", `arn:aws:events:us-east-1:${c.account}:rule/someone-else`) },
    }),
  );
  await c.eb.send(
    new PutTargetsCommand({
      Rule: "guarded",
      Targets: [
        { Id: "closed", Arn: closed.arn, DeadLetterConfig: { Arn: dlq.arn } },
        { Id: "other", Arn: other.arn, DeadLetterConfig: { Arn: dlq.arn } },
      ],
    }),
  );
  await c.eb.send(new PutEventsCommand({ Entries: [{ Source: "g", DetailType: "t", Detail: "{}" }] }));
  const dead = await receive(c, dlq.url, 2, true);
  assert.deepEqual(dead.map((m) => m.MessageAttributes?.ERROR_CODE?.StringValue).sort(), ["NO_PERMISSIONS", "NO_PERMISSIONS"]);
  assert.deepEqual(dead.map((m) => m.MessageAttributes?.TARGET_ARN?.StringValue).sort(), [closed.arn, other.arn].sort());
  for (const q of [closed, other]) assert.equal((await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url }))).Messages, undefined);

  // The policy conditioned on this rule's ARN lets it in.
  await c.sqs.send(new SetQueueAttributesCommand({ QueueUrl: other.url, Attributes: { Policy: eventsPolicy(other.arn, "sqs:SendMessage", RuleArn) } }));
  await c.eb.send(new PutEventsCommand({ Entries: [{ Source: "g", DetailType: "t", Detail: '{"n":2}' }] }));
  assert.deepEqual(JSON.parse((await receive(c, other.url))[0].Body!).detail, { n: 2 });

  const cw = server.client(CloudWatchClient, { account: c.account });
  await eventually(async () => {
    const r = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/Events",
        MetricName: "FailedInvocations",
        Dimensions: [{ Name: "RuleName", Value: "guarded" }],
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(Date.now() + 600_000),
        Period: 60,
        Statistics: ["Sum"],
      }),
    );
    // The first event failed on both targets, the second on the closed queue.
    assert.equal(
      (r.Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0),
      3,
    );
  });
});

test("an SNS target whose topic policy does not allow EventBridge is not published to; with the policy it is", async () => {
  const c = clients(server);
  const sns = server.client(SNSClient, { account: c.account });
  const fanned = await queue(c, "topic-out");
  const dlq = await queue(c, "topic-dlq");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "guarded-topic" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: fanned.arn, Attributes: { RawMessageDelivery: "true" } }));
  await c.eb.send(new PutRuleCommand({ Name: "to-topic", EventPattern: JSON.stringify({ source: ["t"] }) }));
  await c.eb.send(new PutTargetsCommand({ Rule: "to-topic", Targets: [{ Id: "sns", Arn: TopicArn!, DeadLetterConfig: { Arn: dlq.arn } }] }));
  await c.eb.send(new PutEventsCommand({ Entries: [{ Source: "t", DetailType: "t", Detail: '{"n":1}' }] }));
  const [dead] = await receive(c, dlq.url, 1, true);
  assert.equal(dead.MessageAttributes?.ERROR_CODE?.StringValue, "NO_PERMISSIONS");
  assert.equal((await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: fanned.url }))).Messages, undefined);

  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: eventsPolicy(TopicArn!, "sns:Publish") }));
  await c.eb.send(new PutEventsCommand({ Entries: [{ Source: "t", DetailType: "t", Detail: '{"n":2}' }] }));
  assert.deepEqual(JSON.parse((await receive(c, fanned.url))[0].Body!).detail, { n: 2 });
});

test("a read-only CloudTrail management event reaches only rules in ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", async () => {
  const c = clients(server);
  const all = await queue(c, "ct-all");
  const plain = await queue(c, "ct-plain");
  const pattern = JSON.stringify({ source: ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"] });
  await c.eb.send(new PutRuleCommand({ Name: "all-mgmt", EventPattern: pattern, State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" }));
  await c.eb.send(new PutRuleCommand({ Name: "plain", EventPattern: pattern }));
  await c.eb.send(new PutTargetsCommand({ Rule: "all-mgmt", Targets: [{ Id: "q", Arn: all.arn }] }));
  await c.eb.send(new PutTargetsCommand({ Rule: "plain", Targets: [{ Id: "q", Arn: plain.arn }] }));
  // As CloudTrail puts them: an in-process call from another service (an aws.* source is refused to clients).
  const put = (eventName: string, readOnly: boolean) =>
    server.runtime.call(
      "eventbridge",
      "PutEvents",
      {
        Entries: [
          { Source: "aws.s3", DetailType: "AWS API Call via CloudTrail", Detail: JSON.stringify({ eventSource: "s3.amazonaws.com", eventName, readOnly }) },
        ],
      },
      { ...server.runtime.rootIdentity(c.account), invokedBy: "cloudtrail" },
    );
  await put("ListBuckets", true);
  await put("CreateBucket", false);
  const toAll = (await receive(c, all.url, 2)).map((m) => JSON.parse(m.Body!).detail.eventName).sort();
  assert.deepEqual(toAll, ["CreateBucket", "ListBuckets"]);
  const toPlain = await receive(c, plain.url, 1);
  assert.equal(JSON.parse(toPlain[0].Body!).detail.eventName, "CreateBucket");
  assert.equal((await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: plain.url, WaitTimeSeconds: 1 }))).Messages, undefined);
});

// Numbers as AWS compares them: an exact number matches the same value however written, a numeric range needs a JSON
// number. Cases recorded against AWS (LocalStack's AWS-validated event_pattern_templates and their snapshot:
// number_comparison_float, numeric-int-float, numeric-string_NEG, content_anything_but_number(_NEG)).
const NUMBER_CASES: [string, object, object, boolean][] = [
  ["number_comparison_float", { number: [300] }, { number: 300.0 }, true],
  ["numeric-int-float", { number: [{ numeric: [">", 100] }] }, { number: 101.0 }, true],
  ["numeric-string_NEG", { number: [{ numeric: [">", 100] }] }, { number: "300" }, false],
  ["content_anything_but_number", { detail: { "x-limit": [{ "anything-but": 123 }] } }, { detail: { "x-limit": 789 } }, true],
  ["content_anything_but_number_NEG", { detail: { "x-limit": [{ "anything-but": 123 }] } }, { detail: { "x-limit": 123 } }, false],
];

test("numbers in patterns as AWS compares them (AWS-recorded cases, through TestEventPattern)", async () => {
  const c = clients(server);
  const envelope = { id: "1", source: "s", "detail-type": "d", account: "123456789012", region: "us-east-2", time: "2022-07-13T13:48:01Z" };
  for (const [name, pattern, fields, want] of NUMBER_CASES) {
    // The event's text as written (300.0 stays 300.0 on the wire).
    const event = JSON.stringify({ ...envelope, ...fields })
      .replace('"number":300', '"number":300.0')
      .replace('"number":101', '"number":101.0');
    const r = await c.eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: event }));
    assert.equal(r.Result, want, name);
  }
});
