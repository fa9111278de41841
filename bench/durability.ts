// The price of --durability power (`npm run bench -- --only-durability`): SQS SendMessage and S3 PutObject (1 KB and
// 1 MB) over 8 keep-alive connections on the built server, with durability "process" (synchronous=NORMAL, no fsync
// of object bodies) and "power" (synchronous=FULL: an fsync of the WAL per commit; each body fsync'd, renamed, its
// directory fsync'd), alternated round by round so the machine's other load falls on both alike; and the object
// body's fsync alone, in-process (BlobStore.write one at a time, fsync off and on).
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobStore } from "../src/core/blobs.js";
import type { Durability } from "../src/core/store/durability.js";
import type { LoadResult, PreparedRequest } from "./load.js";
import { runLoad, startBuilt, type BenchRow } from "./server.js";

const ROUNDS = 2;
const MODES: Durability[] = ["process", "power"];
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
const UNSIGNED = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20300101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

type Workload = "sqs" | "s3-1k" | "s3-1m";
const WORKLOADS: Record<Workload, string> = {
  sqs: "sqs SendMessage (200 B)",
  "s3-1k": "s3 PutObject 1 KB",
  "s3-1m": "s3 PutObject 1 MB",
};

/** The requests of each workload against a server: a queue and a bucket made for them first. */
async function prepare(url: string): Promise<Record<Workload, PreparedRequest[]>> {
  const config = { endpoint: url, region: "us-east-1", credentials: CREDENTIALS };
  const { QueueUrl } = await new SQSClient(config).send(new CreateQueueCommand({ QueueName: "durability" }));
  await new S3Client({ ...config, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: "durability" }));
  const sqsHeaders = { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage", authorization: UNSIGNED("sqs") };
  const put = (size: number) =>
    Array.from({ length: 32 }, (_, i) => ({
      method: "PUT",
      path: `/durability/object-${size}-${i}`,
      headers: { authorization: UNSIGNED("s3"), "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-amz-date": "20300101T000000Z" },
      body: String.fromCharCode(97 + (i % 26)).repeat(size),
    }));
  return {
    sqs: Array.from({ length: 64 }, (_, i) => ({
      method: "POST",
      path: "/",
      headers: sqsHeaders,
      body: JSON.stringify({ QueueUrl, MessageBody: `message ${i} ${"x".repeat(190)}` }),
    })),
    "s3-1k": put(1024),
    "s3-1m": put(1024 * 1024),
  };
}

/** Sequential BlobStore writes of `size` bytes: p50 and p99 of each write, in ms. */
async function blobWrites(durability: Durability, size: number, n: number): Promise<{ p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), "stratus-bench-blobs-"));
  try {
    const blobs = new BlobStore(dir, durability);
    const body = Buffer.alloc(size, 0x61);
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const b = await blobs.write(body);
      times.push(performance.now() - t0);
      blobs.delete(b.id);
    }
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(n / 2)], p99: times[Math.floor(n * 0.99)] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function durabilityBench(): Promise<BenchRow[]> {
  const results = new Map<string, LoadResult[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      const s = await startBuilt({ ...process.env, STRATUS_DURABILITY: mode });
      try {
        const pools = await prepare(s.url);
        for (const w of Object.keys(WORKLOADS) as Workload[]) {
          const port = Number(new URL(s.url).port);
          const r = await runLoad(port, pools[w], { connections: 8, warmupMs: 1000, durationMs: w === "s3-1m" ? 4000 : 3000 });
          if (r.errors) throw new Error(`${WORKLOADS[w]} (${mode}): ${r.errors} requests failed: ${r.firstError}`);
          const key = `${w}/${mode}`;
          results.set(key, [...(results.get(key) ?? []), r]);
        }
      } finally {
        await s.stop();
      }
    }
  }
  const rows: BenchRow[] = [];
  for (const w of Object.keys(WORKLOADS) as Workload[]) {
    for (const mode of MODES) {
      const rs = results.get(`${w}/${mode}`)!;
      // The round with the most throughput, whole: the one the machine's other load disturbed least.
      const best = rs.reduce((a, b) => (b.rps > a.rps ? b : a));
      rows.push({
        metric: `${WORKLOADS[w]}, 8 connections, --durability ${mode}`,
        value: `${best.rps} req/s (rounds: ${rs.map((r) => r.rps).join(", ")}), p50 ${best.p50ms} ms, p99 ${best.p99ms} ms`,
        target: "-",
        ok: true,
      });
    }
  }
  for (const size of [1024, 1024 * 1024]) {
    for (const mode of MODES) {
      const { p50, p99 } = await blobWrites(mode, size, size > 1024 ? 100 : 400);
      rows.push({
        metric: `object body write alone (BlobStore.write ${size > 1024 ? "1 MB" : "1 KB"}, one at a time), fsync ${mode === "power" ? "on (file + directory)" : "off"}`,
        value: `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`,
        target: "-",
        ok: true,
      });
    }
  }
  return rows;
}
