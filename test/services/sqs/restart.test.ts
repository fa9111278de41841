// SQS state survives a restart: queues, attributes, tags, messages, in-flight visibility and receipt handles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
  GetQueueAttributesCommand,
  DeleteMessageCommand,
  ListQueueTagsCommand,
} from "@aws-sdk/client-sqs";
import { startTestServer, randomAccount } from "../../helpers/server.js";

test("queues and messages, in flight or not, are still there after a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-sqs-"));
  const account = randomAccount();
  try {
    let server = await startTestServer({ dataDir });
    let sqs = new SQSClient(server.clientConfig({ account }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "keep", Attributes: { VisibilityTimeout: "600" }, tags: { a: "b" } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "first" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "second" }));
    const [inflight] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages!;
    assert.equal(inflight.Body, "first");
    await server.close();

    server = await startTestServer({ dataDir });
    sqs = new SQSClient(server.clientConfig({ account }));
    const url = QueueUrl!.replace(/:\d+\//, `:${server.port}/`);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    assert.equal(Attributes!.VisibilityTimeout, "600");
    assert.equal(Attributes!.ApproximateNumberOfMessages, "1");
    assert.equal(Attributes!.ApproximateNumberOfMessagesNotVisible, "1");
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { a: "b" });
    const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages!;
    assert.deepEqual(
      got.map((m) => m.Body),
      ["second"],
    );
    // The receipt handle from before the restart still deletes its message.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: inflight.ReceiptHandle! }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] }));
    assert.equal(after.Attributes!.ApproximateNumberOfMessagesNotVisible, "1");
    await server.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a long poll in flight answers (empty) as the server closes, instead of holding the close for its wait", async () => {
  const server = await startTestServer();
  const sqs = new SQSClient(server.clientConfig({ account: randomAccount() }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "waiting" }));
  const arrived = new Promise((r) => server.server.once("request", r));
  const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await arrived; // the poll is in flight (closing before it arrived would refuse it instead)
  const t0 = Date.now();
  await server.close();
  // Well inside the poll's 20 s wait, with room for a loaded machine.
  assert.ok(Date.now() - t0 < 10_000, `closed in ${Date.now() - t0} ms`);
  assert.equal((await poll).Messages, undefined);
});
