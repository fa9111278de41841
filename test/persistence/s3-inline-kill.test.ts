// Durability of small objects held as rows in the database (core/blobs.ts): every acknowledged 1 KB PutObject reads
// back byte-exact after a kill -9 with writes in flight, and none left a file under blobs/.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client, CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { randomAccount } from "../helpers/server.js";
import { killAll, startCli } from "../cli/spawn.js";

after(killAll);

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
const client = (endpoint: string, account: string) =>
  new S3Client({ endpoint, region: "us-east-1", credentials: { accessKeyId: account, secretAccessKey: "test" }, forcePathStyle: true, maxAttempts: 1 });

test("kill -9: every acknowledged 1 KB object survives, byte-exact, with puts still in flight at the kill", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-inline-kill-"));
  const account = randomAccount();
  const target = 60;
  try {
    const s = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    const s3 = client(s.url, account);
    await s3.send(new CreateBucketCommand({ Bucket: "small" }));
    const acked = new Map<string, string>();
    let next = 0;
    let killed = false;
    const writer = async () => {
      while (!killed) {
        const key = `o-${next++}`;
        const body = randomBytes(1024);
        try {
          await s3.send(new PutObjectCommand({ Bucket: "small", Key: key, Body: body }));
        } catch (e) {
          if (killed) return; // cut off by the kill: not acknowledged
          throw e;
        }
        acked.set(key, md5(body));
        if (acked.size >= target && !killed) {
          killed = true;
          s.child.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    assert.equal((await s.stop("SIGKILL")).signal, "SIGKILL");
    s3.destroy();
    assert.deepEqual(
      readdirSync(join(dir, "blobs")).filter((f) => f !== "tmp"),
      [],
    );

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      const s32 = client(again.url, account);
      const lost: string[] = [];
      for (const [key, sum] of acked) {
        const got = await s32.send(new GetObjectCommand({ Bucket: "small", Key: key })).then(
          async (r) => md5(await r.Body!.transformToByteArray()),
          (e: Error) => e.name,
        );
        if (got !== sum) lost.push(`${key}: ${got}`);
      }
      assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acknowledged objects lost or changed`);
      s32.destroy();
    } finally {
      assert.equal((await again.stop()).code, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
