// CloudWatch metrics volume against the built server (issue 14, point 12): PutMetricData in gzip'd 1000-datum batches
// over 4 connections (bodies built and compressed before the clock starts, so the figure is the server's, durable), then
// GetMetricStatistics over 1,000,000 stored datapoints of one metric (3 hours, 60-second period: 180 datapoints) for the
// five basic statistics and for p99.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { Agent, request } from "node:http";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import type { Backend } from "../src/core/store/driver.js";
import { backendEnv, freePort, waitHealthy, type BenchRow } from "./server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "stratus.js");
const BATCH = 1000;
const CONNECTIONS = 4;
const PUT_TARGET = 100_000;
const READ_POINTS = 1_000_000;
const BASIC_TARGET_MS = 250;
const P99_TARGET_MS = 500;

const headers = (length: number) => ({
  "content-type": "application/x-amz-json-1.0",
  "x-amz-target": "GraniteServiceVersion20100801.PutMetricData",
  "content-encoding": "gzip",
  "content-length": String(length),
  authorization: "AWS4-HMAC-SHA256 Credential=test/20300101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0",
});

function post(agent: Agent, port: number, body: Buffer): Promise<void> {
  return new Promise((ok, fail) => {
    const req = request({ agent, host: "127.0.0.1", port, method: "POST", path: "/", headers: headers(body.length) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => (res.statusCode === 200 ? ok() : fail(new Error(`PutMetricData: HTTP ${res.statusCode} ${Buffer.concat(chunks)}`))));
    });
    req.on("error", fail);
    req.end(body);
  });
}

async function sendAll(port: number, bodies: Buffer[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < bodies.length) await post(agent, port, bodies[next++]);
    }),
  );
  agent.destroy();
  return performance.now() - t0;
}

/** On one SQLite driver, in a server started on it. */
export async function metricsBench(backend: Backend): Promise<BenchRow[]> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "start", "--ephemeral", "--port", String(port), "--log-level", "error"], {
    stdio: "ignore",
    env: backendEnv(backend),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url);
    const now = Date.now();
    // Ingest: 100 metrics (10 names × 10 hosts), datums spread over the last hour.
    const ingest = Array.from({ length: 200 }, (_, b) =>
      gzipSync(
        JSON.stringify({
          Namespace: "Bench/Ingest",
          MetricData: Array.from({ length: BATCH }, (_, i) => ({
            MetricName: `m${i % 10}`,
            Dimensions: [{ Name: "host", Value: `h${(i >> 4) % 10}` }],
            Timestamp: (now - ((b * BATCH + i) % 3_600_000)) / 1000,
            Value: i,
            Unit: "Milliseconds",
          })),
        }),
      ),
    );
    await sendAll(port, ingest.slice(0, 10)); // warm-up: the service loads, the codec compiles
    const putMs = await sendAll(port, ingest);
    const putRate = (ingest.length * BATCH) / (putMs / 1000);

    // One metric, 1,000,000 datapoints over the last 3 hours.
    const span = 3 * 3600_000;
    const start = now - span + 120_000;
    const one = Array.from({ length: READ_POINTS / BATCH }, (_, b) =>
      gzipSync(
        JSON.stringify({
          Namespace: "Bench/Read",
          MetricData: Array.from({ length: BATCH }, (_, i) => ({
            MetricName: "Latency",
            Timestamp: (start + Math.floor(((b * BATCH + i) / READ_POINTS) * (span - 180_000))) / 1000,
            Value: (b * BATCH + i) % 1000,
          })),
        }),
      ),
    );
    await sendAll(port, one);
    const cw = new CloudWatchClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const from = new Date(start - (start % 60_000));
    const query = (stats: { Statistics?: ("SampleCount" | "Sum" | "Average" | "Minimum" | "Maximum")[]; ExtendedStatistics?: string[] }) =>
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "Bench/Read",
          MetricName: "Latency",
          StartTime: from,
          EndTime: new Date(from.getTime() + span),
          Period: 60,
          ...stats,
        }),
      );
    const best = async (stats: Parameters<typeof query>[0]) => {
      let ms = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 3; run++) {
        const t0 = performance.now();
        const out = await query(stats);
        ms = Math.min(ms, performance.now() - t0);
        const n = out.Datapoints!.reduce((s, p) => s + (p.SampleCount ?? 0), 0);
        if (stats.Statistics && n !== READ_POINTS) throw new Error(`GetMetricStatistics counted ${n} samples, expected ${READ_POINTS}`);
      }
      return ms;
    };
    const basicMs = await best({ Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"] });
    const p99Ms = await best({ ExtendedStatistics: ["p99"] });
    return [
      {
        metric: "metrics: PutMetricData, gzip'd 1000-datum batches, 4 connections, durable",
        value: `${Math.round(putRate).toLocaleString("en-US")} datums/s`,
        target: `≥ ${PUT_TARGET.toLocaleString("en-US")} datums/s`,
        ok: putRate >= PUT_TARGET,
      },
      {
        metric: "metrics: GetMetricStatistics, 1,000,000 points of one metric, 3 h at 60 s, basic five",
        value: `${Math.round(basicMs)} ms`,
        target: `≤ ${BASIC_TARGET_MS} ms`,
        ok: basicMs <= BASIC_TARGET_MS,
      },
      {
        metric: "metrics: GetMetricStatistics, the same with p99",
        value: `${Math.round(p99Ms)} ms`,
        target: `≤ ${P99_TARGET_MS} ms`,
        ok: p99Ms <= P99_TARGET_MS,
      },
    ];
  } finally {
    child.kill();
  }
}
