// S3 request throughput with and without request metrics (`npm run bench -- --only-s3`): GetObject and HeadObject of
// a 1 KB object over keep-alive connections on the built server, in three states, alternated round by round so the
// machine's other load falls on each alike: the bucket without a metrics configuration (no other bucket has one either), the same
// after another bucket got one (the per-bucket lookup), and the bucket with two (one unfiltered, one by a prefix the
// object matches), every request then recording its AWS/S3 metrics. Each state's figures: the server's CPU time per
// request over N requests (what the hook costs, little moved by the machine's other load), and throughput and p99.
import {
  CreateBucketCommand,
  DeleteBucketMetricsConfigurationCommand,
  PutBucketMetricsConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PreparedRequest } from "./load.js";
import { freePort, runLoad, waitHealthy, type BenchRow } from "./server.js";

const ROUNDS = 3;
const AUTH = "AWS4-HMAC-SHA256 Credential=test/20300101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

type State = "none" | "elsewhere" | "measured";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Requests per CPU-time measurement. */
const N = 4000;

/** A process's CPU time (user + system), in ms: unlike throughput, hardly moved by other work on the machine. */
function cpuMs(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** N requests over 8 keep-alive connections; the server's CPU time per request, in µs. */
async function cpuPerRequest(port: number, pid: number, requests: PreparedRequest[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const one = (r: PreparedRequest) =>
    new Promise<void>((ok, fail) => {
      const req = request({ host: "127.0.0.1", port, method: r.method, path: r.path, headers: r.headers, agent }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? ok() : fail(new Error(`${r.method} ${r.path}: ${res.statusCode}`))));
      });
      req.on("error", fail);
      req.end();
    });
  let next = 0;
  const worker = async () => {
    while (next < N) await one(requests[next++ % requests.length]);
  };
  const before = cpuMs(pid);
  await Promise.all(Array.from({ length: 8 }, worker));
  const used = cpuMs(pid) - before;
  agent.destroy();
  return (used * 1000) / N;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function s3RequestsBench(): Promise<BenchRow[]> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, "bin", "stratus.js"), "start", "--ephemeral", "--port", String(port), "--log-level", "error"], {
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url);
    const s3 = new S3Client({ endpoint: url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    for (const Bucket of ["bench", "other"]) await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket: "bench", Key: "logs/object", Body: Buffer.alloc(1024, 0x61) }));
    const requests: PreparedRequest[] = ["GET", "HEAD"].map((method) => ({
      method,
      path: "/bench/logs/object",
      headers: { authorization: AUTH, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-amz-date": "20300101T000000Z" },
      body: "",
    }));
    const load = () => runLoad(port, requests, { connections: 8, warmupMs: 1000, durationMs: 4000 });
    const rps: Record<State, number[]> = { none: [], elsewhere: [], measured: [] };
    const p99: Record<State, number[]> = { none: [], elsewhere: [], measured: [] };
    const cpu: Record<State, number[]> = { none: [], elsewhere: [], measured: [] };
    const configure = (Bucket: string, Id: string, Prefix?: string) =>
      s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id, MetricsConfiguration: { Id, ...(Prefix ? { Filter: { Prefix } } : {}) } }));
    const measure = async (state: State) => {
      const r = await load();
      if (r.errors) throw new Error(`${r.errors} requests failed: ${r.firstError}`);
      rps[state].push(r.rps);
      p99[state].push(r.p99ms);
      cpu[state].push(await cpuPerRequest(port, child.pid!, requests));
    };
    for (let i = 0; i < ROUNDS; i++) {
      await measure("none");
      await configure("other", "EntireBucket");
      await measure("elsewhere");
      await configure("bench", "EntireBucket");
      await configure("bench", "logs", "logs/");
      await measure("measured");
      for (const [Bucket, Id] of [
        ["other", "EntireBucket"],
        ["bench", "EntireBucket"],
        ["bench", "logs"],
      ])
        await s3.send(new DeleteBucketMetricsConfigurationCommand({ Bucket, Id }));
    }
    const fmt = (state: State) =>
      `${median(cpu[state]).toFixed(0)} µs server CPU/request (${cpu[state].map((n) => n.toFixed(0)).join(", ")}); ${median(rps[state]).toFixed(0)} req/s (${rps[state].map((n) => n.toFixed(0)).join(", ")}), p99 ${median(p99[state]).toFixed(1)} ms`;
    return [
      { metric: "s3 GetObject+HeadObject 1 KB, no metrics configuration anywhere", value: fmt("none"), target: "-", ok: true },
      { metric: "s3 GetObject+HeadObject 1 KB, a configuration on another bucket", value: fmt("elsewhere"), target: "-", ok: true },
      { metric: "s3 GetObject+HeadObject 1 KB, two configurations on the bucket", value: fmt("measured"), target: "-", ok: true },
    ];
  } finally {
    child.kill("SIGTERM");
  }
}
