// S3 upload memory: spawns the built server, streams a 1 GB PutObject through the real SDK and reports the
// server's RSS before, after and at its peak (VmHWM), against the target of < 100 MB growth.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { S3Client, CreateBucketCommand, PutObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import type { Backend } from "../src/core/store/driver.js";
import { backendEnv, freePort, waitHealthy, type BenchRow } from "./server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SIZE = 1024 ** 3;
const PIECE = 1024 * 1024;

/** VmRSS and VmHWM (peak RSS) of a process, in bytes. */
function memOf(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** On a server started on one SQLite driver (records only: the body goes to the blob store either way). */
export async function s3UploadMemory(backend: Backend): Promise<BenchRow[]> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, "bin", "stratus.js"), "start", "--ephemeral", "--port", String(port), "--log-level", "error"], {
    stdio: "ignore",
    env: backendEnv(backend),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url);
    const c = new S3Client({ endpoint: url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    await c.send(new CreateBucketCommand({ Bucket: "bench" }));
    // Warm the path (model load, first blob) so the baseline is the steady server, not its cold start.
    await c.send(new PutObjectCommand({ Bucket: "bench", Key: "warm", Body: "warm" }));
    const before = memOf(child.pid!);
    let peakRss = before.rss;
    const timer = setInterval(() => (peakRss = Math.max(peakRss, memOf(child.pid!).rss)), 50);
    const piece = Buffer.alloc(PIECE, 0x61);
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < SIZE / PIECE; i++) yield piece;
      })(),
    );
    const t0 = Date.now();
    await c.send(new PutObjectCommand({ Bucket: "bench", Key: "1gb", Body: body, ContentLength: SIZE }));
    const secs = (Date.now() - t0) / 1000;
    clearInterval(timer);
    const after = memOf(child.pid!);
    const head = await c.send(new HeadObjectCommand({ Bucket: "bench", Key: "1gb" }));
    const growth = Math.max(peakRss, after.hwm) - before.rss;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    return [
      { metric: "s3 1 GB PutObject: server RSS before", value: mb(before.rss), target: "-", ok: true },
      { metric: "s3 1 GB PutObject: server RSS after", value: mb(after.rss), target: "-", ok: true },
      { metric: "s3 1 GB PutObject: server peak RSS growth", value: mb(growth), target: "< 100 MB", ok: growth < 100 * 1024 * 1024 },
      { metric: "s3 1 GB PutObject: throughput", value: `${(SIZE / 1024 / 1024 / secs).toFixed(0)} MB/s`, target: "-", ok: true },
      { metric: "s3 1 GB PutObject: stored size", value: String(head.ContentLength), target: String(SIZE), ok: head.ContentLength === SIZE },
    ];
  } finally {
    child.kill("SIGTERM");
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { BACKENDS } = await import("./server.js");
  for (const b of BACKENDS)
    for (const r of await s3UploadMemory(b))
      console.log(`${r.ok ? "ok  " : "FAIL"} [${b}] ${r.metric.padEnd(45)} ${r.value.padStart(12)}  (target ${r.target})`);
}
