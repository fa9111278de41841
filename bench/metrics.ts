// CloudWatch metrics volume against the built server (issue 14, point 12): PutMetricData in gzip'd 1000-datum batches
// over 4 connections (bodies built and compressed before the clock starts, so the figure is the server's, durable), then
// GetMetricStatistics over 1,000,000 stored datapoints of one metric (3 hours, 60-second period: 180 datapoints) for the
// five basic statistics and for p99.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { Agent, request } from "node:http";
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, type MetricDataQuery, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
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
const MATH_TARGET_MS = 300;

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

    // GetMetricData over the same million points: the five basic statistics as five queries, then p99.
    const bestOf = async (queries: MetricDataQuery[], startMs: number, endMs: number, check: (r: MetricDataResult[]) => void) => {
      let ms = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 3; run++) {
        const t0 = performance.now();
        const out = await cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(startMs), EndTime: new Date(endMs) }));
        ms = Math.min(ms, performance.now() - t0);
        check(out.MetricDataResults!);
      }
      return ms;
    };
    const readStat = (id: string, stat: string): MetricDataQuery => ({
      Id: id,
      MetricStat: { Metric: { Namespace: "Bench/Read", MetricName: "Latency" }, Period: 60, Stat: stat },
    });
    const counted = (results: MetricDataResult[]) => {
      const n = results.find((r) => r.Id === "samplecount")?.Values?.reduce((a, b) => a + b, 0);
      if (n !== READ_POINTS) throw new Error(`GetMetricData counted ${n} samples, expected ${READ_POINTS}`);
    };
    const gmdBasicMs = await bestOf(
      ["SampleCount", "Sum", "Average", "Minimum", "Maximum"].map((s) => readStat(s.toLowerCase(), s)),
      from.getTime(),
      from.getTime() + span,
      counted,
    );
    const gmdP99Ms = await bestOf([readStat("p", "p99")], from.getTime(), from.getTime() + span, (r) => {
      if (!r[0].Values!.length) throw new Error("GetMetricData p99 returned no datapoints");
    });
    // 100 metrics (10 names × 10 hosts) with a datapoint a minute for the last 24 hours (144,000 datums), read at
    // 5 minutes (288 datapoints each), plus three math expressions over them.
    const day = 24 * 3600_000;
    const dayEnd = now - (now % 300_000);
    const dayData = Array.from({ length: 144 }, (_, b) =>
      gzipSync(
        JSON.stringify({
          Namespace: "Bench/Day",
          MetricData: Array.from({ length: BATCH }, (_, i) => {
            const k = (b * BATCH + i) % 100;
            const minute = Math.floor((b * BATCH + i) / 100);
            return {
              MetricName: `m${k % 10}`,
              Dimensions: [{ Name: "host", Value: `h${Math.floor(k / 10)}` }],
              Timestamp: (dayEnd - day + minute * 60_000) / 1000,
              Value: k + minute,
            };
          }),
        }),
      ),
    );
    await sendAll(port, dayData);
    const hundred: MetricDataQuery[] = Array.from({ length: 100 }, (_, k) => ({
      Id: `m${k}`,
      MetricStat: {
        Metric: { Namespace: "Bench/Day", MetricName: `m${k % 10}`, Dimensions: [{ Name: "host", Value: `h${Math.floor(k / 10)}` }] },
        Period: 300,
        Stat: "Average",
      },
    }));
    const math: MetricDataQuery[] = [
      { Id: "total", Expression: "SUM(METRICS())" },
      { Id: "spread", Expression: "MAX(METRICS()) - MIN(METRICS())" },
      { Id: "ratio", Expression: "IF(m1 > 0, 100 * m0 / m1, 0)" },
    ];
    const mathMs = await bestOf([...hundred, ...math], dayEnd - day, dayEnd, (r) => {
      const n = r.reduce((s, x) => s + x.Values!.length, 0);
      if (r.length !== 103 || n !== 103 * 288) throw new Error(`GetMetricData with math returned ${r.length} results, ${n} datapoints`);
    });
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
      {
        metric: "metrics: GetMetricData, 1,000,000 points of one metric, 3 h at 60 s, basic five (five queries)",
        value: `${Math.round(gmdBasicMs)} ms`,
        target: `≤ ${BASIC_TARGET_MS} ms`,
        ok: gmdBasicMs <= BASIC_TARGET_MS,
      },
      {
        metric: "metrics: GetMetricData, the same with p99",
        value: `${Math.round(gmdP99Ms)} ms`,
        target: `≤ ${P99_TARGET_MS} ms`,
        ok: gmdP99Ms <= P99_TARGET_MS,
      },
      {
        metric: "metrics: GetMetricData, 100 metrics + 3 math expressions over 24 h (5-min period)",
        value: `${Math.round(mathMs)} ms`,
        target: `≤ ${MATH_TARGET_MS} ms`,
        ok: mathMs <= MATH_TARGET_MS,
      },
    ];
  } finally {
    child.kill();
  }
}
