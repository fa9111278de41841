// SQS messages through the real SDK v3 client: send/receive/delete, attributes and MD5s, batches, long polling that really wakes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  DeleteMessageBatchCommand,
  ChangeMessageVisibilityCommand,
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

async function setup(attrs: Record<string, string> = {}, name = "q") {
  const sqs = server.client(SQSClient);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }));
  return { sqs, QueueUrl: QueueUrl! };
}

test("send, receive with system and message attributes, delete", async () => {
  const { sqs, QueueUrl } = await setup();
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: "hello wörld",
      MessageAttributes: {
        color: { DataType: "String", StringValue: "blue" },
        n: { DataType: "Number", StringValue: "42" },
        raw: { DataType: "Binary", BinaryValue: Buffer.from([1, 2, 3]) },
      },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793" } },
    }),
  );
  assert.equal(sent.MD5OfMessageBody, createHash("md5").update("hello wörld").digest("hex"));
  assert.match(sent.MessageId!, /^[0-9a-f-]{36}$/);
  assert.match(sent.MD5OfMessageAttributes!, /^[0-9a-f]{32}$/);
  assert.match(sent.MD5OfMessageSystemAttributes!, /^[0-9a-f]{32}$/);

  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] }));
  assert.equal(Messages!.length, 1);
  const m = Messages![0];
  assert.equal(m.Body, "hello wörld");
  assert.equal(m.MessageId, sent.MessageId);
  assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.equal(m.MessageAttributes!.color.StringValue, "blue");
  assert.deepEqual([...m.MessageAttributes!.raw.BinaryValue!], [1, 2, 3]);
  assert.equal(m.Attributes!.ApproximateReceiveCount, "1");
  assert.equal(m.Attributes!.SenderId, QueueUrl.split("/")[3]);
  assert.match(m.Attributes!.SentTimestamp!, /^\d{13}$/);
  assert.match(m.Attributes!.ApproximateFirstReceiveTimestamp!, /^\d{13}$/);
  assert.equal(m.Attributes!.AWSTraceHeader, "Root=1-5759e988-bd862e3fe1be46a994272793");

  // In flight now: a second receive gets nothing.
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(Attributes!.ApproximateNumberOfMessages, "0");
  assert.equal(Attributes!.ApproximateNumberOfMessagesNotVisible, "0");
  await rejects(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "garbage" })), "ReceiptHandleIsInvalid", 404);
});

test("MD5OfMessageAttributes follows AWS's binary encoding", async () => {
  const { sqs, QueueUrl } = await setup();
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { a: { DataType: "String", StringValue: "b" } } }));
  // name "a", type "String", transport 1, value "b", each length-prefixed (4 bytes big-endian).
  const buf = Buffer.concat([
    Buffer.from([0, 0, 0, 1]),
    Buffer.from("a"),
    Buffer.from([0, 0, 0, 6]),
    Buffer.from("String"),
    Buffer.from([1]),
    Buffer.from([0, 0, 0, 1]),
    Buffer.from("b"),
  ]);
  assert.equal(sent.MD5OfMessageAttributes, createHash("md5").update(buf).digest("hex"));
});

test("message attribute names filter what a receive returns", async () => {
  const { sqs, QueueUrl } = await setup();
  await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: "x",
      MessageAttributes: { "foo.a": { DataType: "String", StringValue: "1" }, bar: { DataType: "String", StringValue: "2" } },
    }),
  );
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["foo.*"] }));
  assert.deepEqual(Object.keys(Messages![0].MessageAttributes!), ["foo.a"]);
  assert.equal(Messages![0].Attributes, undefined);
});

test("send errors: size limit, invalid characters, bad attributes, delay range", async () => {
  const { sqs, QueueUrl } = await setup({ MaximumMessageSize: "1024" });
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1025) })),
    "InvalidParameterValue",
    400,
    "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
  );
  await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "bad\u0001" })), "InvalidMessageContents", 400);
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { a: { DataType: "String", StringValue: "" } } })),
    "InvalidParameterValue",
    400,
  );
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { a: { DataType: "Date", StringValue: "1" } } })),
    "InvalidParameterValue",
    400,
  );
  await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", DelaySeconds: 901 })), "InvalidParameterValue", 400);
  await rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageDeduplicationId: "d" })), "InvalidParameterValue", 400);
});

test("SendMessageBatch reports per-entry failures; batch-level errors", async () => {
  const { sqs, QueueUrl } = await setup();
  const r = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: "a", MessageBody: "one" },
        { Id: "b", MessageBody: "bad\u0000" },
        { Id: "c", MessageBody: "three", DelaySeconds: 0 },
      ],
    }),
  );
  assert.deepEqual(
    r.Successful!.map((e) => e.Id),
    ["a", "c"],
  );
  assert.equal(r.Failed!.length, 1);
  assert.equal(r.Failed![0].Id, "b");
  assert.equal(r.Failed![0].Code, "InvalidMessageContents");
  assert.equal(r.Failed![0].SenderFault, true);
  await rejects(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", MessageBody: "1" },
          { Id: "a", MessageBody: "2" },
        ],
      }),
    ),
    "BatchEntryIdsNotDistinct",
    400,
    "Id a repeated.",
  );
  await rejects(
    sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `i${i}`, MessageBody: "x" })) })),
    "TooManyEntriesInBatchRequest",
    400,
  );
  await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })), "EmptyBatchRequest", 400);
  await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a!", MessageBody: "1" }] })), "InvalidBatchEntryId", 400);
  await rejects(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", MessageBody: "x".repeat(600_000) },
          { Id: "b", MessageBody: "x".repeat(600_000) },
        ],
      }),
    ),
    "BatchRequestTooLong",
    400,
  );

  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.deepEqual(got.Messages!.map((m) => m.Body).sort(), ["one", "three"]);
  const del = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl,
      Entries: [...got.Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })), { Id: "bad", ReceiptHandle: "nope" }],
    }),
  );
  assert.equal(del.Successful!.length, 2);
  assert.equal(del.Failed![0].Code, "ReceiptHandleIsInvalid");
});

test("ChangeMessageVisibility makes a message visible again; not-in-flight messages are refused", async () => {
  const { sqs, QueueUrl } = await setup();
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "v" }));
  const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0];
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle!, VisibilityTimeout: 0 }));
  const again = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }))).Messages![0];
  assert.equal(again.MessageId, first.MessageId);
  assert.equal(again.Attributes!.ApproximateReceiveCount, "2");
  const batch = await sqs.send(
    new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [{ Id: "x", ReceiptHandle: again.ReceiptHandle!, VisibilityTimeout: 0 }] }),
  );
  assert.equal(batch.Successful!.length, 1);
  await rejects(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again.ReceiptHandle!, VisibilityTimeout: 10 })),
    "MessageNotInflight",
    400,
  );
});

test("ReceiveMessage parameter ranges", async () => {
  const { sqs, QueueUrl } = await setup();
  await rejects(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })), "InvalidParameterValue", 400);
  await rejects(sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })), "InvalidParameterValue", 400);
});

test("long polling: a receive waiting 20 s returns promptly when another client sends", async () => {
  const { sqs, QueueUrl } = await setup();
  const other = new SQSClient(server.clientConfig({ account: QueueUrl.split("/")[3] }));
  // Promptly = well inside the 20 s wait (not a tight bound in ms, which a loaded machine would miss).
  const arrived = new Promise((r) => server.server.once("request", r));
  let answered = false;
  const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })).finally(() => (answered = true));
  await arrived;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(answered, false, "the receive waits on the empty queue");
  const sentAt = Date.now();
  await other.send(new SendMessageCommand({ QueueUrl, MessageBody: "wake up" }));
  const { Messages } = await pending;
  assert.equal(Messages![0].Body, "wake up");
  assert.ok(Date.now() - sentAt < 10_000, `woke ${Date.now() - sentAt} ms after the send, not at the end of the 20 s wait`);
});

test("long polling on an empty queue waits the whole WaitTimeSeconds and returns no messages", async () => {
  const { sqs, QueueUrl } = await setup();
  const started = Date.now();
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  assert.equal(r.Messages, undefined);
  assert.ok(Date.now() - started >= 950);
});

test("ReceiveMessage's deprecated AttributeNames takes the message-system names, as SQS does; other values are still refused", async () => {
  const { sqs, QueueUrl } = await setup({}, "relaxed");
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "b" }));
  // The SDK types AttributeNames as queue attribute names; code written before 2024 sends message-system names there.
  const AttributeNames = ["SentTimestamp", "ApproximateFirstReceiveTimestamp"] as never;
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames }));
  assert.equal(Messages!.length, 1);
  assert.match(Messages![0].Attributes!.SentTimestamp!, /^\d{13}$/);
  assert.match(Messages![0].Attributes!.ApproximateFirstReceiveTimestamp!, /^\d{13}$/);
  assert.equal(Messages![0].Attributes!.ApproximateReceiveCount, undefined);
  // A name that is neither a queue nor a message-system attribute is still the model's validation error.
  await rejects(sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ["NoSuchAttribute"] as never })), "ValidationException", 400);
});
