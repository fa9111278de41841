// SNS → SQS end to end with both real SDK clients: the signed envelope, raw delivery with message attributes,
// FIFO topic to FIFO queue (group and deduplication ids), and a failing subscription's dead-letter queue.
import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, verify } from "node:crypto";
import { CreateTopicCommand, PublishCommand, SetSubscriptionAttributesCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { snsClient } from "./setup.js";

const server = useServer();

async function queue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function receive(sqs: SQSClient, QueueUrl: string) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 3, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], AttributeNames: ["All"] }),
  );
  return Messages;
}

test("enveloped delivery: the Notification JSON AWS puts in the queue, signature verifiable", async () => {
  const account = randomAccount();
  const sns = snsClient(server, account);
  const sqs = server.client(SQSClient, { account });
  const q = await queue(sqs, "inbox");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "events" }));
  const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn }));
  assert.match(SubscriptionArn!, new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`)); // SQS subscriptions need no confirmation
  const { MessageId } = await sns.send(
    new PublishCommand({ TopicArn, Subject: "S", Message: "to the queue", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }),
  );
  const [m] = await receive(sqs, q.url);
  const env = JSON.parse(m.Body!);
  assert.equal(env.Type, "Notification");
  assert.equal(env.MessageId, MessageId);
  assert.equal(env.TopicArn, TopicArn);
  assert.equal(env.Subject, "S");
  assert.equal(env.Message, "to the queue");
  assert.equal(env.SignatureVersion, "1");
  assert.ok(env.UnsubscribeURL.endsWith(encodeURIComponent(SubscriptionArn!)));
  assert.deepEqual(env.MessageAttributes, { k: { Type: "String", Value: "v" } });
  const cert = new X509Certificate(await (await fetch(env.SigningCertURL)).text());
  const canonical = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"].map((k) => `${k}\n${env[k]}\n`).join("");
  assert.ok(verify("sha1", Buffer.from(canonical), cert.publicKey, Buffer.from(env.Signature, "base64")));
});

test("raw delivery: the bare message with SNS attributes as SQS message attributes; filter applies", async () => {
  const account = randomAccount();
  const sns = snsClient(server, account);
  const sqs = server.client(SQSClient, { account });
  const q = await queue(sqs, "raw");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "raw-events" }));
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: q.arn,
      Attributes: { RawMessageDelivery: "true", FilterPolicy: JSON.stringify({ kind: ["keep"] }) },
    }),
  );
  await sns.send(new PublishCommand({ TopicArn, Message: "dropped", MessageAttributes: { kind: { DataType: "String", StringValue: "skip" } } }));
  await sns.send(
    new PublishCommand({
      TopicArn,
      Message: "raw body",
      MessageAttributes: { kind: { DataType: "String", StringValue: "keep" }, n: { DataType: "Number", StringValue: "3" } },
    }),
  );
  const msgs = await receive(sqs, q.url);
  assert.deepEqual(
    msgs.map((m) => m.Body),
    ["raw body"],
  );
  assert.deepEqual(msgs[0].MessageAttributes, { kind: { DataType: "String", StringValue: "keep" }, n: { DataType: "Number", StringValue: "3" } });
});

test("FIFO topic to FIFO queue keeps MessageGroupId and deduplication; standard topics refuse FIFO queues", async () => {
  const account = randomAccount();
  const sns = snsClient(server, account);
  const sqs = server.client(SQSClient, { account });
  const q = await queue(sqs, "orders.fifo", { FifoQueue: "true" });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "orders.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn }));
  const a = await sns.send(new PublishCommand({ TopicArn, Message: "first", MessageGroupId: "g1" }));
  await sns.send(new PublishCommand({ TopicArn, Message: "first", MessageGroupId: "g1" })); // deduplicated
  await sns.send(new PublishCommand({ TopicArn, Message: "second", MessageGroupId: "g1", MessageDeduplicationId: "explicit" }));
  const msgs = await receive(sqs, q.url);
  const bodies = msgs.map((m) => JSON.parse(m.Body!));
  assert.deepEqual(
    bodies.map((b) => b.Message),
    ["first", "second"],
  );
  assert.equal(bodies[0].SequenceNumber, a.SequenceNumber);
  assert.equal(msgs[0].Attributes!.MessageGroupId, "g1");
  assert.equal(msgs[1].Attributes!.MessageDeduplicationId, "explicit");

  const { TopicArn: std } = await sns.send(new CreateTopicCommand({ Name: "std" }));
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn: std, Protocol: "sqs", Endpoint: q.arn })),
    "InvalidParameterException",
    400,
    /FIFO SQS Queues can not be subscribed to standard SNS topics/,
  );
});

test("a subscription whose deliveries fail sends the message to its RedrivePolicy queue", async () => {
  const account = randomAccount();
  const sns = snsClient(server, account);
  const sqs = server.client(SQSClient, { account });
  const dlq = await queue(sqs, "dlq");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "to-missing" }));
  // The queue does not exist, so every attempt fails.
  const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: `arn:aws:sqs:us-east-1:${account}:missing` }));
  await sns.send(
    new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RedrivePolicy", AttributeValue: JSON.stringify({ deadLetterTargetArn: dlq.arn }) }),
  );
  await rejects(
    sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RedrivePolicy", AttributeValue: '{"deadLetterTargetArn":"x"}' })),
    "InvalidParameterException",
    400,
  );
  const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: "lost?" }));
  const [m] = await receive(sqs, dlq.url);
  assert.equal(JSON.parse(m.Body!).MessageId, MessageId);
});
