// An event notification acknowledged with its write is delivered even across a restart: pending events are
// stored before the response and resumed by the restarted server (which starts S3 with itself for them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client, CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { startTestServer, randomAccount, type TestServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";

/** The failed attempts of each event still pending delivery. */
const pendingAttempts = (server: TestServer, account: string) =>
  server.runtime.store
    .table<{ attempts: number }>("s3:pending-events", `${account}/us-east-1`)
    .list()
    .map((e) => e.value.attempts);

test("an event whose delivery is still pending at shutdown is delivered after the restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-s3-events-"));
  const clock = new ManualClock(Date.UTC(2030, 0, 1, 12));
  const account = randomAccount();
  try {
    let server = await startTestServer({ dataDir, clock });
    let s3 = new S3Client({ ...server.clientConfig({ account }), forcePathStyle: true });
    let sqs = new SQSClient(server.clientConfig({ account }));
    await s3.send(new CreateBucketCommand({ Bucket: "durable-events" }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "events" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: "durable-events",
        NotificationConfiguration: { QueueConfigurations: [{ Id: "all", QueueArn: Attributes!.QueueArn!, Events: ["s3:ObjectCreated:*"] }] },
      }),
    );
    // The queue goes away, so the event's first delivery fails and waits for a retry; then the server stops.
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    await s3.send(new PutObjectCommand({ Bucket: "durable-events", Key: "kept.txt", Body: "x" }));
    await eventually(() => assert.deepEqual(pendingAttempts(server, account), [1])); // failed once, retry pending
    await server.close();

    server = await startTestServer({ dataDir, clock });
    try {
      s3 = new S3Client({ ...server.clientConfig({ account }), forcePathStyle: true });
      sqs = new SQSClient(server.clientConfig({ account }));
      // Resumed at start: it fails again (no queue yet) and waits a second for its last try.
      await eventually(() => assert.deepEqual(pendingAttempts(server, account), [2]));
      const { QueueUrl: again } = await sqs.send(new CreateQueueCommand({ QueueName: "events" }));
      clock.advance(1_000);
      await eventually(() => assert.deepEqual(pendingAttempts(server, account), []));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: again, MaxNumberOfMessages: 10 }));
      const events = (Messages ?? []).map((m) => JSON.parse(m.Body!)).filter((b) => b.Records);
      assert.equal(events.length, 1);
      assert.equal(events[0].Records[0].eventName, "ObjectCreated:Put");
      assert.equal(events[0].Records[0].s3.object.key, "kept.txt");
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
