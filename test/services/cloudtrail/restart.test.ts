// kill -9 with records a logging trail took and had not delivered: the restarted server delivers them, once.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { CloudTrailClient, CreateTrailCommand, GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { S3Client, CreateBucketCommand, PutBucketPolicyCommand, ListObjectsV2Command, GetObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand } from "@aws-sdk/client-sqs";
import { cliClientConfig, killAll, startCli } from "../../cli/spawn.js";
import { randomAccount } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { trailBucketPolicy } from "./fixtures.js";

after(killAll);

test("kill -9: records acknowledged and not yet delivered are delivered by the restarted server, without duplicates", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-cloudtrail-kill-"));
  const account = randomAccount();
  const bucket = `restart-${account}`;
  try {
    // Deliveries far apart: nothing goes out before the kill.
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"], { STRATUS_CLOUDTRAIL_DELIVERY_SECONDS: "600" });
    const cfg = cliClientConfig(first.url, account);
    const s3 = new S3Client({ ...cfg, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: trailBucketPolicy(bucket, account) }));
    const ct = new CloudTrailClient(cfg);
    await ct.send(new CreateTrailCommand({ Name: "survivor", S3BucketName: bucket }));
    await ct.send(new StartLoggingCommand({ Name: "survivor" }));
    await new SQSClient(cfg).send(new CreateQueueCommand({ QueueName: "before-kill" }));
    // The audit trail writes a batch within 20 ms of its responses; a read of the status is one more response after it.
    await new Promise((r) => setTimeout(r, 100));
    await ct.send(new GetTrailStatusCommand({ Name: "survivor" }));
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "AWSLogs/" }))).KeyCount, 0);
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"], { STRATUS_CLOUDTRAIL_DELIVERY_SECONDS: "0.3" });
    try {
      const s3b = new S3Client({ ...cliClientConfig(again.url, account), forcePathStyle: true });
      const records = async () => {
        const out: Record<string, any>[] = [];
        for (const o of (await s3b.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "AWSLogs/" }))).Contents ?? []) {
          const body = await (await s3b.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))).Body!.transformToByteArray();
          out.push(...JSON.parse(gunzipSync(body).toString()).Records);
        }
        return out;
      };
      await waitUntil(async () => (await records()).some((r) => r.requestParameters?.queueName === "before-kill"), "the pending record");
      // Another round later, still one copy.
      await new Promise((r) => setTimeout(r, 700));
      assert.equal((await records()).filter((r) => r.requestParameters?.queueName === "before-kill").length, 1);
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
