// SQS message lifecycle on a ManualClock: visibility timeouts, delays, retention expiry, redrive to a DLQ, move tasks back.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  StartMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  CancelMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { eventually } from "../../helpers/wait.js";

const clock = new ManualClock(Date.parse("2024-05-01T00:00:00Z"));
const server = useServer({ clock });

const sqsClient = () => server.client(SQSClient);
const receive = async (sqs: SQSClient, QueueUrl: string, extra: Record<string, unknown> = {}) =>
  (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"], ...extra }))).Messages ?? [];
const counts = async (sqs: SQSClient, QueueUrl: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  return [
    Number(Attributes!.ApproximateNumberOfMessages),
    Number(Attributes!.ApproximateNumberOfMessagesNotVisible),
    Number(Attributes!.ApproximateNumberOfMessagesDelayed),
  ];
};

test("a received message comes back after its visibility timeout", async () => {
  const sqs = sqsClient();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "vis", Attributes: { VisibilityTimeout: "30" } }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m" }));
  const [first] = await receive(sqs, QueueUrl!);
  assert.deepEqual(await counts(sqs, QueueUrl!), [0, 1, 0]);
  clock.advance(29_000);
  assert.equal((await receive(sqs, QueueUrl!)).length, 0);
  clock.advance(1_000);
  const [again] = await receive(sqs, QueueUrl!, { VisibilityTimeout: 5 });
  assert.equal(again.MessageId, first.MessageId);
  assert.equal(again.Attributes!.ApproximateReceiveCount, "2");
  assert.equal(again.Attributes!.ApproximateFirstReceiveTimestamp, first.Attributes!.ApproximateFirstReceiveTimestamp);
  assert.notEqual(again.ReceiptHandle, first.ReceiptHandle);
  clock.advance(5_000);
  assert.equal((await receive(sqs, QueueUrl!)).length, 1);
});

test("message timers and queue delays hold messages back", async () => {
  const sqs = sqsClient();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "delay", Attributes: { DelaySeconds: "10" } }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "queue-delay" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "timer", DelaySeconds: 60 }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "now", DelaySeconds: 0 }));
  assert.deepEqual(await counts(sqs, QueueUrl!), [1, 0, 2]);
  const hold = { VisibilityTimeout: 600 };
  assert.deepEqual(
    (await receive(sqs, QueueUrl!, hold)).map((m) => m.Body),
    ["now"],
  );
  clock.advance(10_000);
  assert.deepEqual(
    (await receive(sqs, QueueUrl!, hold)).map((m) => m.Body),
    ["queue-delay"],
  );
  clock.advance(50_000);
  assert.deepEqual(
    (await receive(sqs, QueueUrl!, hold)).map((m) => m.Body),
    ["timer"],
  );
});

test("messages past the retention period are gone", async () => {
  const sqs = sqsClient();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "ret", Attributes: { MessageRetentionPeriod: "60" } }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "old" }));
  clock.advance(30_000);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "young" }));
  clock.advance(30_000);
  assert.deepEqual(await counts(sqs, QueueUrl!), [1, 0, 0]);
  assert.deepEqual(
    (await receive(sqs, QueueUrl!)).map((m) => m.Body),
    ["young"],
  );
});

test("redrive: after maxReceiveCount receives a message moves to the DLQ; a move task brings it back", async () => {
  const sqs = sqsClient();
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: "dlq" }))).QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  const src = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: "src",
        Attributes: { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "2" }) },
      }),
    )
  ).QueueUrl!;
  const srcArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ["QueueArn", "RedrivePolicy"] }))).Attributes!;
  assert.deepEqual(JSON.parse(srcArn.RedrivePolicy!), { deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });
  assert.deepEqual((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls, [src]);

  const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: "poison" }));
  for (let i = 0; i < 2; i++) {
    assert.equal((await receive(sqs, src)).length, 1);
    clock.advance(1_000);
  }
  assert.equal((await receive(sqs, src)).length, 0); // third receive: moved instead of delivered
  const [dead] = await receive(sqs, dlq);
  assert.equal(dead.MessageId, MessageId);
  assert.equal(dead.Body, "poison");
  assert.equal(dead.Attributes!.DeadLetterQueueSourceArn, srcArn.QueueArn);
  clock.advance(30_000);

  await rejects(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: srcArn.QueueArn! })), "InvalidParameterValue", 400);
  const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  assert.ok(TaskHandle);
  // The task's first step runs on the scheduler, in the background.
  const tasks = await eventually(async () => {
    const t = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    assert.equal(t.Results![0].Status, "COMPLETED");
    return t;
  });
  assert.equal(tasks.Results![0].ApproximateNumberOfMessagesMoved, 1);
  const [back] = await receive(sqs, src);
  assert.equal(back.MessageId, MessageId);
  assert.equal(back.Attributes!.DeadLetterQueueSourceArn, undefined);
  await rejects(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })), "ResourceNotFoundException", 404);
});

test("a move task with a rate moves a second's worth per tick and can be cancelled", async () => {
  const sqs = sqsClient();
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: "dlq2" }))).QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  const src = (await sqs.send(new CreateQueueCommand({ QueueName: "src2" }))).QueueUrl!;
  await sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: src, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) } }),
  );
  const target = (await sqs.send(new CreateQueueCommand({ QueueName: "target" }))).QueueUrl!;
  const targetArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: target, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  for (let i = 0; i < 5; i++) await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: `d${i}` }));
  const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: targetArn, MaxNumberOfMessagesPerSecond: 2 }));
  // Each tick runs on the scheduler in the background; the next one waits for the (manual) clock.
  await eventually(async () => assert.deepEqual(await counts(sqs, target), [2, 0, 0]));
  clock.advance(1_000);
  await eventually(async () => assert.deepEqual(await counts(sqs, target), [4, 0, 0]));
  const { ApproximateNumberOfMessagesMoved } = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
  assert.equal(ApproximateNumberOfMessagesMoved, 4);
  clock.advance(5_000);
  assert.deepEqual(await counts(sqs, target), [4, 0, 0]);
  const list = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
  assert.equal(list.Results![0].Status, "CANCELLED");
});

test("PurgeQueue may run again after 60 seconds", async () => {
  const sqs = sqsClient();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "purge" }));
  const { PurgeQueueCommand } = await import("@aws-sdk/client-sqs");
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  clock.advance(59_000);
  await rejects(sqs.send(new PurgeQueueCommand({ QueueUrl })), "PurgeQueueInProgress", 403);
  clock.advance(1_000);
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
});
