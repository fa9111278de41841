// Deleted messages give their space back while the server keeps serving (core/space-keeper.ts on a short interval),
// and `stratus status` shows the data dir's size by service. Needs the build (`npm run build`) for the CLI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { startTestServer, randomAccount } from "../../helpers/server.js";
import { BIN, run } from "../../cli/spawn.js";
import type { SpaceUsage } from "../../../src/core/store/space.js";

const MESSAGES = 2000;
const BODY = "b".repeat(2000);

test("deleted messages shrink the database while requests go on; stratus status shows the data dir by service", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-sqs-space-"));
  process.env.STRATUS_SPACE_INTERVAL_MS = "100";
  const server = await startTestServer({ dataDir });
  delete process.env.STRATUS_SPACE_INTERVAL_MS;
  // The database's size (its pages, the WAL's newer ones included: the file once checkpointed) less the audit trail's
  // pages: the audit trail records these calls meanwhile (with their bodies: SendMessageBatch's request parameters),
  // which would hide what the deletes give back.
  const usage = async () => (await (await fetch(`${server.url}/_stratus/usage`)).json()) as SpaceUsage;
  const bytes = async () => {
    const u = await usage();
    return u.pages.count * u.pages.size - (u.byStore["audit events"] ?? 0);
  };
  try {
    const sqs = new SQSClient(server.clientConfig({ account: randomAccount() }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "space" }));
    for (let i = 0; i < MESSAGES; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `${i + j} ${BODY}` })) }),
      );
    }
    const messagesBytes = (await usage()).byStore["records sqs:messages"];
    assert.ok(messagesBytes > MESSAGES * BODY.length, `${messagesBytes}`);

    if (existsSync(BIN.replace(/bin\/stratus\.js$/, "dist/stratus.cjs"))) {
      const st = await run(["status", "--port", String(server.port)]);
      assert.equal(st.code, 0, st.stderr);
      const lines = st.stdout.split("\n");
      assert.match(lines[1], /^data dir \d+\.\d MB: database \d+\.\d MB \([\d.]+ [KM]?B free, vacuum incremental\), WAL [\d.]+ [KM]?B, files [\d.]+ [KM]?B$/);
      // Largest first: the queue's messages.
      assert.match(lines[2], /^ {2}sqs +\d+\.\d MB {2}records sqs:messages \d+\.\d MB, records sqs:queues [\d.]+ [KM]?B$/);
      assert.ok(
        lines.some((l) => /^ {2}cloudtrail +[\d.]+ [KM]?B {2}audit events /.test(l)),
        st.stdout,
      );
    } else t.diagnostic("no build: stratus status not run (npm run build)");

    const full = await bytes();
    let left = MESSAGES;
    while (left > 0) {
      const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
      assert.ok(got.length > 0);
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: got.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle! })) }));
      left -= got.length;
    }
    // The keeper gives the pages back in steps between requests (the messages' pages, less what the audit trail
    // wrote meanwhile): the queue answers all along.
    const goal = full - messagesBytes * 0.9;
    let shrunk = await bytes();
    for (let i = 0; i < 200 && shrunk > goal; i++) {
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
      assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, "0");
      await new Promise((r) => setTimeout(r, 50));
      shrunk = await bytes();
    }
    assert.ok(shrunk <= goal, `${full} → ${shrunk} bytes (the messages' records: ${messagesBytes})`);
    assert.ok((await usage()).pages.free <= 256 + 64);
    t.diagnostic(`database less audit events: ${full} bytes with ${MESSAGES} messages of 2 KB, ${shrunk} after their deletes`);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
