// KMS encryption of log groups with SDK v3: the key policy must let the Logs principal in; newly ingested events are
// stored encrypted (checked in the database) and read back in clear; a disabled or pending-deletion key fails reads;
// disassociation leaves old data encrypted; data keys survive a restart; an encrypted group exports in clear.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  AssociateKmsKeyCommand,
  CloudWatchLogsClient,
  CreateExportTaskCommand,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeExportTasksCommand,
  DescribeLogGroupsCommand,
  DisassociateKmsKeyCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, ScheduleKeyDeletionCommand, CancelKeyDeletionCommand } from "@aws-sdk/client-kms";
import { CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import type { SqliteStore } from "../../../src/core/store/sqlite.js";
import { randomAccount, startTestServer, useServer, type TestServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { exportPolicy } from "./export-policy.js";

const server = useServer();

/** The key policy statement AWS documents for CloudWatch Logs (encrypt-log-data-kms.html), beside the account's own. */
export function logsKeyPolicy(account: string, groupArn?: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      {
        Effect: "Allow",
        Principal: { Service: "logs.us-east-1.amazonaws.com" },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        ...(groupArn ? { Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": groupArn } } } : {}),
      },
    ],
  });
}

function setup(s: TestServer, account = randomAccount()) {
  const cfg = s.clientConfig({ account });
  return { account, logs: new CloudWatchLogsClient(cfg), kms: new KMSClient(cfg), s3: new S3Client({ ...cfg, forcePathStyle: true }) };
}

/** The stored chunks of a group, raw: what is at rest in the database. */
function storedTexts(s: TestServer, account: string, group: string): Buffer[] {
  const store = s.runtime.store as SqliteStore;
  const g = store.table<{ id: number }>("cloudwatch-logs:groups", `${account}/us-east-1`).get(group)!;
  return store.db
    .prepare<[number], { text: Uint8Array }>("SELECT text FROM log_chunks WHERE gid = ? ORDER BY id")
    .all(g.id)
    .map((r) => Buffer.from(r.text));
}

const put = (logs: CloudWatchLogsClient, group: string, messages: string[]) =>
  logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: "s",
      logEvents: messages.map((message, i) => ({ timestamp: Date.now() - 100 + i, message })),
    }),
  );
const read = async (logs: CloudWatchLogsClient, group: string) =>
  (await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s", startFromHead: true }))).events!.map((e) => e.message);

test("a key whose policy does not let the Logs principal in is refused with AWS's message", async () => {
  const { account, logs, kms } = setup(server);
  const plain = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  const refused = await logs.send(new CreateLogGroupCommand({ logGroupName: "enc", kmsKeyId: plain })).catch((e) => e);
  assert.equal(refused.name, "AccessDeniedException");
  assert.equal(refused.$metadata.httpStatusCode, 400);
  assert.equal(refused.message, `The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:${account}:log-group:enc'`);
  // The global principal name is not the one KMS key policies must name for Logs.
  const global = (await kms.send(new CreateKeyCommand({ Policy: logsKeyPolicy(account).replace("logs.us-east-1.amazonaws.com", "logs.amazonaws.com") })))
    .KeyMetadata!.Arn!;
  assert.equal((await logs.send(new CreateLogGroupCommand({ logGroupName: "enc", kmsKeyId: global })).catch((e) => e)).name, "AccessDeniedException");
  // A policy conditioned on another group's ARN lets this group's key use through for that group only.
  const scoped = (await kms.send(new CreateKeyCommand({ Policy: logsKeyPolicy(account, `arn:aws:logs:us-east-1:${account}:log-group:other`) }))).KeyMetadata!
    .Arn!;
  await logs.send(new CreateLogGroupCommand({ logGroupName: "enc" }));
  const wrongGroup = await logs.send(new AssociateKmsKeyCommand({ logGroupName: "enc", kmsKeyId: scoped })).catch((e) => e);
  assert.equal(wrongGroup.name, "AccessDeniedException");
  await logs.send(new CreateLogGroupCommand({ logGroupName: "other", kmsKeyId: scoped }));
  const missing = await logs
    .send(new AssociateKmsKeyCommand({ logGroupName: "enc", kmsKeyId: `arn:aws:kms:us-east-1:${account}:key/00000000-0000-0000-0000-000000000000` }))
    .catch((e) => e);
  assert.equal(missing.name, "AccessDeniedException");
});

test("events are stored encrypted, read in clear; a disabled or pending-deletion key fails reads; disassociation keeps old data encrypted", async () => {
  const { account, logs, kms } = setup(server);
  const key = (await kms.send(new CreateKeyCommand({ Policy: logsKeyPolicy(account) }))).KeyMetadata!.Arn!;
  await logs.send(new CreateLogGroupCommand({ logGroupName: "enc", kmsKeyId: key }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "enc", logStreamName: "s" }));
  assert.equal((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "enc" }))).logGroups![0].kmsKeyId, key);
  await put(logs, "enc", ["secret one ERROR", "secret two"]);
  await put(logs, "enc", ["secret three ERROR"]);
  const texts = storedTexts(server, account, "enc");
  assert.equal(texts.length, 2);
  for (const t of texts) assert.equal(t.includes("secret"), false);
  assert.deepEqual(await read(logs, "enc"), ["secret one ERROR", "secret two", "secret three ERROR"]);
  // The filter's prefilter cannot look into encrypted chunks; the match still happens on the clear text.
  const hits = await logs.send(new FilterLogEventsCommand({ logGroupName: "enc", filterPattern: "ERROR" }));
  assert.deepEqual(
    hits.events!.map((e) => e.message),
    ["secret one ERROR", "secret three ERROR"],
  );

  await kms.send(new DisableKeyCommand({ KeyId: key }));
  const expected = `The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:${account}:log-group:enc'`;
  for (const call of [() => read(logs, "enc"), () => logs.send(new FilterLogEventsCommand({ logGroupName: "enc" }))]) {
    const e = await call().catch((x) => x);
    assert.equal(e.name, "AccessDeniedException");
    assert.equal(e.message, expected);
  }
  await kms.send(new EnableKeyCommand({ KeyId: key }));
  assert.equal((await read(logs, "enc")).length, 3);
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }));
  assert.equal((await read(logs, "enc").catch((e) => e)).name, "AccessDeniedException");
  await kms.send(new CancelKeyDeletionCommand({ KeyId: key }));
  await kms.send(new EnableKeyCommand({ KeyId: key }));

  // Disassociated: new events are stored in clear; the old ones stay encrypted and still need the key.
  await logs.send(new DisassociateKmsKeyCommand({ logGroupName: "enc" }));
  await put(logs, "enc", ["plain four"]);
  const after = storedTexts(server, account, "enc");
  assert.equal(after[2].toString(), "plain four");
  assert.deepEqual(await read(logs, "enc"), ["secret one ERROR", "secret two", "secret three ERROR", "plain four"]);
  await kms.send(new DisableKeyCommand({ KeyId: key }));
  assert.equal((await read(logs, "enc").catch((e) => e)).name, "AccessDeniedException");
});

test("an encrypted group exports in clear", async () => {
  const { account, logs, kms, s3 } = setup(server);
  const key = (await kms.send(new CreateKeyCommand({ Policy: logsKeyPolicy(account) }))).KeyMetadata!.Arn!;
  await logs.send(new CreateLogGroupCommand({ logGroupName: "enc" }));
  await logs.send(new AssociateKmsKeyCommand({ logGroupName: "enc", kmsKeyId: key }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "enc", logStreamName: "s" }));
  await put(logs, "enc", ["exported secret"]);
  const bucket = `kms-exp-${account}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: exportPolicy(bucket, account) }));
  const { taskId } = await logs.send(new CreateExportTaskCommand({ logGroupName: "enc", from: 0, to: Date.now() + 1000, destination: bucket }));
  await waitUntil(
    async () => (await logs.send(new DescribeExportTasksCommand({ taskId }))).exportTasks![0].status!.code === "COMPLETED",
    "the export to complete",
  );
  const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `exportedlogs/${taskId}/s/000000.gz` }));
  assert.match(gunzipSync(Buffer.from(await obj.Body!.transformToByteArray())).toString(), / exported secret\n$/);

  // With the key disabled the task cannot read the group: it fails, saying why.
  await kms.send(new DisableKeyCommand({ KeyId: key }));
  const again = await logs.send(new CreateExportTaskCommand({ logGroupName: "enc", from: 0, to: Date.now() + 1000, destination: bucket }));
  let status: { code?: string; message?: string } = {};
  await waitUntil(async () => {
    status = (await logs.send(new DescribeExportTasksCommand({ taskId: again.taskId }))).exportTasks![0].status!;
    return status.code === "FAILED";
  }, "the export to fail");
  assert.equal(status.message, `The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:${account}:log-group:enc'`);
});

test("data keys survive a restart: encrypted events read back, and new ones are written under the same data key", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-logs-kms-"));
  try {
    let s = await startTestServer({ dataDir });
    const account = randomAccount();
    let c = setup(s, account);
    const key = (await c.kms.send(new CreateKeyCommand({ Policy: logsKeyPolicy(account) }))).KeyMetadata!.Arn!;
    await c.logs.send(new CreateLogGroupCommand({ logGroupName: "enc", kmsKeyId: key }));
    await c.logs.send(new CreateLogStreamCommand({ logGroupName: "enc", logStreamName: "s" }));
    await put(c.logs, "enc", ["before restart"]);
    await s.close();
    s = await startTestServer({ dataDir });
    try {
      c = setup(s, account);
      await put(c.logs, "enc", ["after restart"]);
      assert.deepEqual(await read(c.logs, "enc"), ["before restart", "after restart"]);
      const texts = storedTexts(s, account, "enc");
      // Both chunks name the same data key id (the first four bytes), none holds the text.
      assert.equal(texts[0].readUInt32LE(0), texts[1].readUInt32LE(0));
      for (const t of texts) assert.equal(t.includes("restart"), false);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
