// CloudWatch Logs ingest with a log group's pipelines attached (issue 14, point 12): five metric filters and a
// subscription filter to a Lambda function on the group, PutLogEvents in 10,000-event batches with bodies serialized
// before the clock starts (4 connections, as bench/logs.ts's server-side row), then how long after the last batch
// was acknowledged the metric a filter derives reads back complete through GetMetricStatistics. Beside it, for
// comparison, the same load into a group with no filters and into one with the five metric filters alone.
//
// `node --import tsx bench/logs-filters.ts` runs it alone.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutMetricFilterCommand,
  PutSubscriptionFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { makeZip } from "../test/helpers/zip.js";
import { startBuilt, type BenchRow } from "./server.js";

const BATCH = 10_000;
const BATCHES = 40;
const STREAMS = 4;
const INGEST_TARGET = 200_000;
const QUERYABLE_TARGET_MS = 1000;
const GROUP = "/bench/filtered";
const FILTERS_ONLY = "/bench/filters-only";
const PLAIN = "/bench/plain";

// ~70-byte space-delimited lines; every 100th carries NEEDLE, every 10th WARN.
function batchOf(b: number, base: number): { timestamp: number; message: string }[] {
  const out = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const n = b * BATCH + i;
    const level = n % 10 === 0 ? "WARN" : "INFO";
    out[i] = { timestamp: base + n, message: `${level} req ${n} /api/items/${n % 977} u${n % 1000} ${n % 100 === 0 ? "NEEDLE" : "ok"} ${n % 500}` };
  }
  return out;
}

const TICK = 100; // CLK_TCK

/** The server process: this process's child running bin/stratus.js (startBuilt spawns exactly one). */
function serverPid(): number | undefined {
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, "utf8");
      if (Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]) !== process.pid) continue;
      if (readFileSync(`/proc/${d}/cmdline`, "utf8").includes("stratus.js")) return Number(d);
    } catch {}
  }
  return undefined;
}

/** CPU-seconds (user + system) the process has used so far; NaN where /proc is not there. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / TICK;
}

export async function logsFiltersBench(): Promise<BenchRow[]> {
  const server = await startBuilt();
  const url = server.url;
  const pid = serverPid();
  const config = { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  try {
    const logs = new CloudWatchLogsClient(config);
    const cw = new CloudWatchClient(config);
    for (const group of [GROUP, FILTERS_ONLY, PLAIN]) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      for (let s = 0; s < STREAMS; s++) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: `s${s}` }));
    }
    const filters: [string, string, string][] = [
      ["needles", "NEEDLE", "1"],
      ["warnings", "WARN", "1"],
      ["all", "", "1"],
      ["latency", "[level, req, id, path, user, result, ms]", "$ms"],
      ["slow", "[level, req, id, path, user, result, ms > 400]", "$ms"],
    ];
    // Each filtered group's metrics in a namespace of its own, so the figure below reads only GROUP's.
    for (const [group, namespace] of [
      [GROUP, "Bench"],
      [FILTERS_ONLY, "BenchFiltersOnly"],
    ]) {
      for (const [name, pattern, value] of filters) {
        await logs.send(
          new PutMetricFilterCommand({
            logGroupName: group,
            filterName: name,
            filterPattern: pattern,
            metricTransformations: [{ metricNamespace: namespace, metricName: name, metricValue: value }],
          }),
        );
      }
    }
    // A subscription to a function that does nothing: one asynchronous invocation per batch (the NEEDLE events).
    const { Role } = await new IAMClient(config).send(
      new CreateRoleCommand({
        RoleName: "bench-subscriber",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    const lambda = new LambdaClient(config);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "bench-subscriber",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: Role!.Arn!,
        Code: { ZipFile: makeZip({ "index.mjs": "export const handler = async () => ({});" }) },
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: "bench-subscriber" });
    await lambda.send(
      new AddPermissionCommand({ FunctionName: "bench-subscriber", StatementId: "logs", Action: "lambda:InvokeFunction", Principal: "logs.amazonaws.com" }),
    );
    await logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: GROUP,
        filterName: "needles",
        filterPattern: "NEEDLE",
        destinationArn: "arn:aws:lambda:us-east-1:000000000000:function:bench-subscriber",
      }),
    );

    // Two minutes back, so every event lands in two whole past minutes.
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 180_000;
    const batches = Array.from({ length: BATCHES }, (_, b) => batchOf(b, base));
    const headers = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "Logs_20140328.PutLogEvents",
      authorization: "AWS4-HMAC-SHA256 Credential=test/20300101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0",
    };
    /** Events per second into `group`, and when its last batch was acknowledged. */
    // Server CPU per event during the ingest phase: wall-clock rates are noise on a shared machine, CPU time is not.
    const ingest = async (group: string): Promise<{ rate: number; acked: number; cpuUs: number }> => {
      const bodies = batches.map((logEvents, b) => JSON.stringify({ logGroupName: group, logStreamName: `s${b % STREAMS}`, logEvents }));
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: STREAMS }, async (_, s) => {
          for (let b = s; b < BATCHES; b += STREAMS) {
            const res = await fetch(url, { method: "POST", headers, body: bodies[b] });
            if (!res.ok) throw new Error(`PutLogEvents: HTTP ${res.status} ${await res.text()}`);
            await res.arrayBuffer();
          }
        }),
      );
      const acked = performance.now();
      const cpuUs = ((cpuSeconds(pid) - cpu0) * 1e6) / (BATCHES * BATCH);
      return { rate: (BATCHES * BATCH) / ((acked - t0) / 1000), acked, cpuUs };
    };
    const plain = await ingest(PLAIN);
    const filtersOnly = await ingest(FILTERS_ONLY);
    const { rate, acked, cpuUs } = await ingest(GROUP);
    // The derived metric, complete: every NEEDLE event counted.
    const want = (BATCHES * BATCH) / 100;
    let queryable = Number.NaN;
    for (;;) {
      const { Datapoints } = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "Bench",
          MetricName: "needles",
          StartTime: new Date(base - 60_000),
          EndTime: new Date(base + 600_000),
          Period: 3600,
          Statistics: ["Sum"],
        }),
      );
      if ((Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0) >= want) {
        queryable = performance.now() - acked;
        break;
      }
      if (performance.now() - acked > 30_000) throw new Error("the derived metric never became complete");
      await new Promise((r) => setTimeout(r, 5));
    }
    const evs = (r: number) => `${Math.round(r).toLocaleString("en-US")} ev/s`;
    const cpu = (us: number) => `${us.toFixed(2)} µs server CPU/event`;
    return [
      {
        metric: `logs: PutLogEvents ingest with 5 metric filters and a Lambda subscription, pre-serialized bodies (${BATCHES} × 10k-event batches, ${STREAMS} connections)`,
        value: evs(rate),
        target: `≥ ${INGEST_TARGET.toLocaleString("en-US")} ev/s`,
        ok: rate >= INGEST_TARGET,
      },
      {
        metric: "logs: the filters' derived metric complete in GetMetricStatistics, after the last batch is acknowledged",
        value: `${queryable.toFixed(0)} ms`,
        target: `≤ ${QUERYABLE_TARGET_MS} ms`,
        ok: queryable <= QUERYABLE_TARGET_MS,
      },
      { metric: "logs: server CPU per event during that ingest (10 µs/event = 100,000 ev per CPU-second)", value: cpu(cpuUs), target: "", ok: true },
      { metric: "logs: the same ingest, the 5 metric filters alone (for comparison)", value: evs(filtersOnly.rate), target: "", ok: true },
      { metric: "logs: server CPU per event, the 5 metric filters alone", value: cpu(filtersOnly.cpuUs), target: "", ok: true },
      { metric: "logs: the same ingest, no filters (for comparison)", value: evs(plain.rate), target: "", ok: true },
      { metric: "logs: server CPU per event, no filters", value: cpu(plain.cpuUs), target: "", ok: true },
    ];
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await logsFiltersBench()) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.ok ? "yes" : "NO"}`);
}
