// Publish and PublishBatch through the real SDK: validation, MessageStructure json, filter policies end to end,
// FIFO deduplication and sequence numbers, batch failures, and what non-network protocols record.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  type SNSClient,
} from "@aws-sdk/client-sns";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { eventually } from "../../helpers/wait.js";
import { pendingAttempts, snsClient, startEndpoint, type Endpoint } from "./setup.js";

const server = useServer();
let hook: Endpoint;
before(async () => (hook = await startEndpoint()));
after(() => hook.close());

/** A confirmed HTTP subscription to `hook` with the given attributes; returns its ARN. */
async function confirmedHttp(sns: SNSClient, TopicArn: string, Attributes: Record<string, string> = {}, path = "") {
  const start = hook.received.length;
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: hook.url + path, Attributes }));
  const conf = (await hook.waitFor(start + 1))[start];
  return (await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: conf.json.Token }))).SubscriptionArn!;
}

test("publish validation answers AWS's errors", async () => {
  const sns = snsClient(server);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "v" }));
  await rejects(sns.send(new PublishCommand({ TopicArn, Message: "" })), "InvalidParameterException", 400, "Invalid parameter: Empty message");
  await rejects(sns.send(new PublishCommand({ TopicArn: TopicArn + "x", Message: "m" })), "NotFoundException", 404, "Topic does not exist");
  await rejects(sns.send(new PublishCommand({ Message: "m" })), "InvalidParameterException", 400, /TopicArn or TargetArn/);
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: "x".repeat(262_145) })),
    "InvalidParameterException",
    400,
    "Invalid parameter: Message too long",
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: "{}", MessageStructure: "json" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: Message Structure - No default entry in JSON message body",
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: "nope", MessageStructure: "json" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: Message Structure - JSON message body failed to parse",
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: "m", MessageAttributes: { p: { DataType: "Number", StringValue: "abc" } } })),
    "InvalidParameterValueException",
    400,
    "Could not cast message attribute 'p' value to number.",
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: "m", MessageAttributes: { p: { DataType: "Float", StringValue: "1" } } })),
    "InvalidParameterValueException",
    400,
    /supported type prefixes is Binary, Number, and String/,
  );
  await rejects(sns.send(new PublishCommand({ TopicArn, Message: "m", MessageGroupId: "g" })), "InvalidParameterException", 400, /MessageGroupId Reason/);
  await rejects(sns.send(new PublishCommand({ TargetArn: TopicArn!.replace(":v", ":endpoint/GCM/app/123"), Message: "m" })), "NotFoundException", 404);
  const { MessageId } = await sns.send(new PublishCommand({ TargetArn: TopicArn, Message: "via TargetArn" }));
  assert.match(MessageId!, /^[0-9a-f-]{36}$/);
});

test("filter policies end to end: attributes scope, body scope, String.Array, MessageStructure per protocol", async () => {
  const sns = snsClient(server);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "filtered" }));
  await confirmedHttp(sns, TopicArn!, { FilterPolicy: JSON.stringify({ color: ["red"], size: [{ numeric: [">", 5] }] }) }, "?attrs");
  const bodySub = await confirmedHttp(
    sns,
    TopicArn!,
    { FilterPolicyScope: "MessageBody", FilterPolicy: JSON.stringify({ order: { status: ["paid"] } }) },
    "?body",
  );
  await confirmedHttp(sns, TopicArn!, { FilterPolicy: JSON.stringify({ tags: ["urgent"] }) }, "?array");
  const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: bodySub }))).Attributes!;
  assert.equal(attrs.FilterPolicyScope, "MessageBody");

  const from = hook.received.length;
  const pub = (Message: string, MessageAttributes = {}) => sns.send(new PublishCommand({ TopicArn, Message, MessageAttributes }));
  await pub("a1", { color: { DataType: "String", StringValue: "red" }, size: { DataType: "Number", StringValue: "9" } });
  await pub("a2", { color: { DataType: "String", StringValue: "red" }, size: { DataType: "Number", StringValue: "2" } });
  await pub(JSON.stringify({ order: { status: "paid" } }));
  await pub(JSON.stringify({ order: { status: "open" } }));
  await pub("t1", { tags: { DataType: "String.Array", StringValue: JSON.stringify(["low", "urgent"]) } });
  const sentTo = (path: string) =>
    hook.received
      .slice(from)
      .filter((r) => r.headers["x-amz-sns-subscription-arn"] && r.json.Type === "Notification" && r.url.endsWith(`?${path}`))
      .map((r) => r.json.Message);
  const account = (await sns.config.credentials()).accessKeyId;
  await eventually(() => assert.deepEqual(pendingAttempts(server, account), [])); // every delivery made
  assert.deepEqual(sentTo("attrs"), ["a1"]);
  assert.deepEqual(sentTo("body"), [JSON.stringify({ order: { status: "paid" } })]);
  assert.deepEqual(sentTo("array"), ["t1"]);

  await rejects(
    sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: bodySub, AttributeName: "FilterPolicyScope", AttributeValue: "MessageAttributes" })),
    "InvalidParameterException",
    400,
    /does not support nested filter policy/,
  );
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: "sms", Endpoint: "+15555550101", Attributes: { FilterPolicy: '{"a": [{"numeric": ["<"]}]}' } })),
    "InvalidParameterException",
    400,
    "Invalid parameter: FilterPolicy: Value of < must be numeric",
  );
});

test("FIFO: group id required, deduplication within five minutes, increasing sequence numbers", async () => {
  const sns = snsClient(server);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "f.fifo", Attributes: { FifoTopic: "true" } }));
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: "m" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: "m", MessageGroupId: "g" })),
    "InvalidParameterException",
    400,
    /ContentBasedDeduplication enabled or MessageDeduplicationId/,
  );
  const a = await sns.send(new PublishCommand({ TopicArn, Message: "m", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
  const again = await sns.send(new PublishCommand({ TopicArn, Message: "other", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
  const b = await sns.send(new PublishCommand({ TopicArn, Message: "m", MessageGroupId: "g", MessageDeduplicationId: "d2" }));
  assert.equal(again.MessageId, a.MessageId);
  assert.equal(again.SequenceNumber, a.SequenceNumber);
  assert.match(a.SequenceNumber!, /^\d{20}$/);
  assert.ok(BigInt(b.SequenceNumber!) > BigInt(a.SequenceNumber!));
});

test("PublishBatch: successes, per-entry failures, batch-level errors", async () => {
  const sns = snsClient(server);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "batch.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
  const out = await sns.send(
    new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [
        { Id: "one", Message: "m1", MessageGroupId: "g" },
        { Id: "two", Message: "m2" },
        { Id: "three", Message: "m3", MessageGroupId: "g" },
      ],
    }),
  );
  assert.deepEqual(
    out.Successful!.map((s) => s.Id),
    ["one", "three"],
  );
  assert.ok(out.Successful!.every((s) => /^\d{20}$/.test(s.SequenceNumber!)));
  assert.equal(out.Failed!.length, 1);
  assert.equal(out.Failed![0].Id, "two");
  assert.equal(out.Failed![0].Code, "InvalidParameter");
  assert.equal(out.Failed![0].SenderFault, true);
  assert.equal(out.Failed![0].Message, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");

  await rejects(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [] })), "EmptyBatchRequestException", 400);
  const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: "m", MessageGroupId: "g" }));
  await rejects(
    sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: eleven })),
    "TooManyEntriesInBatchRequestException",
    400,
    "The batch request contains more entries than permissible.",
  );
  await rejects(
    sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: "x", Message: "a" },
          { Id: "x", Message: "b" },
        ],
      }),
    ),
    "BatchEntryIdsNotDistinctException",
    400,
  );
  await rejects(
    sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: "bad id!", Message: "a" }] })),
    "InvalidBatchEntryIdException",
    400,
  );
  const big = Array.from({ length: 2 }, (_, i) => ({ Id: `b${i}`, Message: "x".repeat(140_000), MessageGroupId: "g" }));
  await rejects(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: big })), "BatchRequestTooLongException", 400);
});

test("email, sms and lambda subscriptions: confirmation states, recorded messages, Lambda failure recorded", async () => {
  const account = randomAccount();
  const sns = snsClient(server, account);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "people" }));
  assert.equal((await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "ops@example.com" }))).SubscriptionArn, "pending confirmation");
  const sms = (await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sms", Endpoint: "+1 555 555 0100" }))).SubscriptionArn!;
  const lambda = (await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: `arn:aws:lambda:us-east-1:${account}:function:fn` })))
    .SubscriptionArn!;
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "not-an-address" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: Email address",
  );
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: "queue" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: SQS endpoint ARN",
  );
  await rejects(sns.send(new SubscribeCommand({ TopicArn, Protocol: "application", Endpoint: "arn:aws:sns:us-east-1:1:endpoint/x" })), "NotImplemented", 501);
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: "sms", Endpoint: "+15555550100", Attributes: { RawMessageDelivery: "true" } })),
    "InvalidParameterException",
    400,
  );

  const listed = (await sns.send(new ListSubscriptionsCommand({}))).Subscriptions!;
  assert.deepEqual(listed.map((s) => [s.Protocol, s.SubscriptionArn === "PendingConfirmation"]).sort(), [
    ["email", true],
    ["lambda", false],
    ["sms", false],
  ]);
  assert.equal(listed.find((s) => s.Protocol === "sms")!.Endpoint, "+15555550100");
  assert.ok(sms.startsWith(TopicArn!));

  const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: "hello people" }));
  await sns.send(new PublishCommand({ PhoneNumber: "+15555550199", Message: "direct sms" }));
  await eventually(() => assert.deepEqual(pendingAttempts(server, account), [])); // every delivery made or failed
  const scope = `${account}/us-east-1`;
  const recorded = server.runtime.store
    .table<{ protocol: string; endpoint: string; message: string }>("sns:recorded-messages", scope)
    .list()
    .map((e) => e.value);
  assert.deepEqual(recorded.map((r) => [r.protocol, r.endpoint, r.message]).sort(), [
    ["sms", "+15555550100", "hello people"],
    ["sms", "+15555550199", "direct sms"],
  ]);
  // The function does not exist (so no policy lets SNS invoke it): the delivery fails loudly, in the failure record.
  const failures = server.runtime.store
    .table<{ subscriptionArn: string; messageId: string; error: string }>("sns:delivery-failures", scope)
    .list()
    .map((e) => e.value);
  assert.equal(failures.length, 1);
  assert.equal(failures[0].subscriptionArn, lambda);
  assert.equal(failures[0].messageId, MessageId);
  assert.match(failures[0].error, /SNS may not invoke arn:aws:lambda:/);
});

test("ListSubscriptions pages with NextToken; unknown subscriptions are NotFound", async () => {
  const sns = snsClient(server);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "many" }));
  for (let i = 0; i < 102; i++) await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sms", Endpoint: `+1555555${String(i).padStart(4, "0")}` }));
  const first = await sns.send(new ListSubscriptionsCommand({}));
  assert.equal(first.Subscriptions!.length, 100);
  const second = await sns.send(new ListSubscriptionsCommand({ NextToken: first.NextToken }));
  assert.equal(second.Subscriptions!.length, 2);
  assert.equal(second.NextToken, undefined);
  await rejects(
    sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: `${TopicArn}:00000000-0000-0000-0000-000000000000` })),
    "NotFoundException",
    404,
    "Subscription does not exist",
  );
  await rejects(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: "nope" })), "InvalidParameterException", 400);
});
