// An export task a stop interrupted is never left stuck: the server reruns it at boot to COMPLETED, objects rewritten.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  CloudWatchLogsClient,
  CreateExportTaskCommand,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeExportTasksCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { openSqliteStore } from "../../../src/core/store/sqlite.js";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { exportPolicy } from "./export-policy.js";

const status = async (logs: CloudWatchLogsClient, taskId: string) => (await logs.send(new DescribeExportTasksCommand({ taskId }))).exportTasks![0].status!;

test("a task left RUNNING by a stop is run again at boot and completes", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-logs-export-"));
  const account = randomAccount();
  const bucket = `restart-${account}`;
  const clients = (s: TestServer) => ({
    logs: new CloudWatchLogsClient(s.clientConfig({ account })),
    s3: new S3Client({ ...s.clientConfig({ account }), forcePathStyle: true }),
  });
  try {
    let s = await startTestServer({ dataDir });
    let c = clients(s);
    await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: exportPolicy(bucket, account) }));
    await c.logs.send(new CreateLogGroupCommand({ logGroupName: "g" }));
    await c.logs.send(new CreateLogStreamCommand({ logGroupName: "g", logStreamName: "s" }));
    const now = Date.now();
    await c.logs.send(new PutLogEventsCommand({ logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: now - 5, message: "kept" }] }));
    const { taskId } = await c.logs.send(new CreateExportTaskCommand({ logGroupName: "g", from: 0, to: now, destination: bucket }));
    await waitUntil(async () => (await status(c.logs, taskId!)).code === "COMPLETED", "the first run");
    // Put the store back as a stop in mid-run leaves it: the task RUNNING, its object not written yet.
    await c.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `exportedlogs/${taskId}/s/000000.gz` }));
    await s.close();
    const store = openSqliteStore(dataDir);
    try {
      const table = store.table<Record<string, unknown>>("cloudwatch-logs:export-tasks", `${account}/us-east-1`);
      const rec = table.get(taskId!)!;
      table.put(taskId!, { ...rec, code: "RUNNING", message: "Started successfully", completionTime: undefined });
    } finally {
      store.close();
    }

    s = await startTestServer({ dataDir });
    try {
      c = clients(s);
      await waitUntil(async () => (await status(c.logs, taskId!)).code === "COMPLETED", "the rerun at boot");
      const obj = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `exportedlogs/${taskId}/s/000000.gz` }));
      assert.equal(gunzipSync(Buffer.from(await obj.Body!.transformToByteArray())).toString(), `${new Date(now - 5).toISOString()} kept\n`);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
