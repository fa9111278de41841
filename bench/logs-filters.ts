// CloudWatch Logs ingest with a log group's pipelines attached (issue 14, point 12): five metric filters and a
// subscription filter to a Lambda function on the group, PutLogEvents in 10,000-event batches with bodies serialized
// before the clock starts (4 connections, as bench/logs.ts's server-side row), then how long after the last batch
// was acknowledged the metric a filter derives reads back complete through GetMetricStatistics. Beside it, for
// comparison, the same load into a group with no filters and into one with the five metric filters alone.
//
// `node --import tsx bench/logs-filters.ts` runs it alone (STRATUS_BENCH_ROOT=<dir>: another build; STRATUS_BENCH_SERVER_ARGS:
// node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/x").
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
import { cpuMsOf, startBuilt, type BenchRow } from "./server.js";

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

export async function logsFiltersBench(): Promise<BenchRow[]> {
  // STRATUS_BENCH_ROOT=<dir> measures another build (a clone of main, say) with this same script.
  const server = await startBuilt(undefined, {
    root: process.env.STRATUS_BENCH_ROOT,
    nodeArgs: process.env.STRATUS_BENCH_SERVER_ARGS?.split(" ").filter(Boolean),
  });
  const url = server.url;
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
    /** Events per second into `group`, when its last batch was acknowledged, and the server's CPU then. */
    const ingest = async (group: string): Promise<{ rate: number; acked: number; cpu0: number; cpu: number }> => {
      const bodies = batches.map((logEvents, b) => JSON.stringify({ logGroupName: group, logStreamName: `s${b % STREAMS}`, logEvents }));
      const cpu0 = cpuMsOf(server.pid);
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
      return { rate: (BATCHES * BATCH) / ((acked - t0) / 1000), acked, cpu0, cpu: cpuMsOf(server.pid) - cpu0 };
    };
    const plain = await ingest(PLAIN);
    const filtersOnly = await ingest(FILTERS_ONLY);
    const { rate, acked, cpu0, cpu: cpuAcked } = await ingest(GROUP);
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
    // The subscription's invocations (one per batch) and their log lines finish after the ingest: a second more.
    await new Promise((r) => setTimeout(r, 1000));
    const cpu = cpuMsOf(server.pid) - cpu0;
    const perEvent = (ms: number) => `${((ms * 1000) / (BATCHES * BATCH)).toFixed(2)} µs (${ms} ms for ${(BATCHES * BATCH).toLocaleString("en-US")})`;
    const evs = (r: number) => `${Math.round(r).toLocaleString("en-US")} ev/s`;
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
      { metric: "logs: the same ingest, the 5 metric filters alone (for comparison)", value: evs(filtersOnly.rate), target: "", ok: true },
      { metric: "logs: the same ingest, no filters (for comparison)", value: evs(plain.rate), target: "", ok: true },
      { metric: "logs: server CPU per event, 5 filters + subscription (to the last acknowledgement)", value: perEvent(cpuAcked), target: "", ok: true },
      {
        metric: "logs: server CPU per event, 5 filters + subscription (to 1 s after the derived metric is complete, its polling included)",
        value: perEvent(cpu),
        target: "",
        ok: true,
      },
      {
        metric: "logs: server CPU per event, the 5 metric filters alone (to the last acknowledgement)",
        value: perEvent(filtersOnly.cpu),
        target: "",
        ok: true,
      },
      { metric: "logs: server CPU per event, no filters (to the last acknowledgement)", value: perEvent(plain.cpu), target: "", ok: true },
    ];
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await logsFiltersBench()) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.ok ? "yes" : "NO"}`);
}
