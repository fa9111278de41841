// SQS FIFO queues through the real SDK: group ordering (a group with a message in flight is blocked), deduplication, sequence numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const clock = new ManualClock(Date.parse("2024-05-01T00:00:00Z"));
const server = useServer({ clock });

async function fifo(attrs: Record<string, string> = {}) {
  const sqs = server.client(SQSClient);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "q.fifo", Attributes: { FifoQueue: "true", ...attrs } }));
  return { sqs, QueueUrl: QueueUrl! };
}

test("messages of a group come in order; a group with a message in flight is blocked", async () => {
  const { sqs, QueueUrl } = await fifo({ ContentBasedDeduplication: "true" });
  const seqs: string[] = [];
  for (const [g, b] of [
    ["A", "a1"],
    ["B", "b1"],
    ["A", "a2"],
    ["B", "b2"],
  ]) {
    const r = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: b, MessageGroupId: g }));
    assert.match(r.SequenceNumber!, /^\d{20}$/);
    seqs.push(r.SequenceNumber!);
  }
  assert.deepEqual(
    [...seqs].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)),
    seqs,
  );

  const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ["All"] }))).Messages!;
  assert.deepEqual(
    first.map((m) => m.Body),
    ["a1"],
  );
  assert.equal(first[0].Attributes!.MessageGroupId, "A");
  assert.equal(first[0].Attributes!.SequenceNumber, seqs[0]);
  assert.match(first[0].Attributes!.MessageDeduplicationId!, /^[0-9a-f]{64}$/);
  // A is blocked by a1 in flight: only B's messages, in order.
  const next = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
  assert.deepEqual(
    next.map((m) => m.Body),
    ["b1", "b2"],
  );
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first[0].ReceiptHandle! }));
  assert.deepEqual(
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!.map((m) => m.Body),
    ["a2"],
  );
});

test("deduplication by id and by content within five minutes", async () => {
  const { sqs, QueueUrl } = await fifo();
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "g" })),
    "InvalidParameterValue",
    400,
    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
  );
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageDeduplicationId: "d" })),
    "MissingParameter",
    400,
    "The request must contain the parameter MessageGroupId.",
  );
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d", DelaySeconds: 5 })),
    "InvalidParameterValue",
    400,
  );
  const a = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
  const dup = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "other", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
  assert.equal(dup.MessageId, a.MessageId);
  assert.equal(dup.SequenceNumber, a.SequenceNumber);
  clock.advance(5 * 60_000);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "later", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
  const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
  assert.deepEqual(
    got.map((m) => m.Body),
    ["x", "later"],
  );

  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { ContentBasedDeduplication: "true" } }));
  const batch = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: "1", MessageBody: "same", MessageGroupId: "h" },
        { Id: "2", MessageBody: "same", MessageGroupId: "h" },
      ],
    }),
  );
  assert.equal(batch.Successful!.length, 2);
  assert.equal(batch.Successful![0].MessageId, batch.Successful![1].MessageId);
});
