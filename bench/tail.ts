// Tail latency under concurrency (`npm run bench -- --only-tail`): SQS SendMessage, S3 PutObject of 1 KB and CloudWatch
// Logs PutLogEvents — durable writes, each committed before its answer — over 8 and 64 keep-alive connections from a
// separate process, each beside the bare node:http ceiling measured just before it at the same concurrency (what the
// load generator and node:http alone add to a request's time). Targets at 64 connections: p99 ≤ 20 ms and the slowest
// request ≤ 100 ms, at no loss of throughput against 8 connections. The load comes from load.ts's raw client (a request's
// bytes written to a socket, the response's framing read): node:http's client costs the two shared CPUs about twice as
// much and its own event loop adds to every latency measured (the bare ceiling's p99 at 64 connections: 8–11 ms with
// it, 3–6 ms with the raw client or wrk -t1), which is the client's time, not the server's.
import type { LoadResult, PreparedRequest } from "./load.js";
import { cpuMsOf, minorFaultsOf, runLoad, spawnListening, startBuilt, type BenchRow } from "./server.js";

const WARMUP_MS = 2000;
const DURATION_MS = 10_000;
const POOL = 2000;
const CONNECTIONS = [8, 64];
const P99_TARGET_MS = 20;
const MAX_TARGET_MS = 100;

// Unsigned (the server runs with auth none); the Authorization header's credential scope names the service, as a
// signed request's would.
const auth = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=test/20300101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  "x-amz-date": "20300101T000000Z",
});

const json = (service: string, target: string, version: string, body: unknown): PreparedRequest => {
  const text = JSON.stringify(body);
  return {
    method: "POST",
    path: "/",
    headers: {
      ...auth(service),
      "content-type": `application/x-amz-json-${version}`,
      "x-amz-target": target,
      "content-length": String(Buffer.byteLength(text)),
    },
    body: text,
  };
};

async function call(url: string, r: PreparedRequest): Promise<void> {
  const res = await fetch(`${url}${r.path}`, { method: r.method, headers: r.headers, body: r.body || undefined });
  if (!res.ok) throw new Error(`${r.headers["x-amz-target"] ?? r.path}: ${res.status} ${await res.text()}`);
}

interface Case {
  name: string;
  /** Reported without a target. */
  informational?: boolean;
  /** Creates what the calls need; returns the pool of calls. */
  setup(url: string): Promise<PreparedRequest[]>;
}

const KB = "x".repeat(1024);
/** load.ts's `now` marker: 13 digits, replaced by the time of sending. */
const NOW = "1999999999999";

const logStream = async (url: string) => {
  await call(url, json("logs", "Logs_20140328.CreateLogGroup", "1.1", { logGroupName: "tail" }));
  await call(url, json("logs", "Logs_20140328.CreateLogStream", "1.1", { logGroupName: "tail", logStreamName: "s" }));
};

const logEvent = (i: number, timestamp: number) =>
  json("logs", "Logs_20140328.PutLogEvents", "1.1", {
    logGroupName: "tail",
    logStreamName: "s",
    logEvents: [{ timestamp, message: `event ${i} ${KB.slice(0, 200)}` }],
  });

export const CASES: Case[] = [
  {
    name: "sqs:SendMessage (JSON)",
    async setup(url) {
      await call(url, json("sqs", "AmazonSQS.CreateQueue", "1.0", { QueueName: "tail" }));
      const QueueUrl = `${url}/000000000000/tail`;
      return Array.from({ length: POOL }, (_, i) => json("sqs", "AmazonSQS.SendMessage", "1.0", { QueueUrl, MessageBody: `message ${i} ${KB.slice(0, 200)}` }));
    },
  },
  {
    name: "s3:PutObject, 1 KB (REST)",
    async setup(url) {
      await call(url, { method: "PUT", path: "/tail-bucket", headers: { ...auth("s3"), "content-length": "0" }, body: "" });
      return Array.from({ length: POOL }, (_, i) => ({
        method: "PUT",
        path: `/tail-bucket/objects/${i}`,
        headers: { ...auth("s3"), "content-type": "application/octet-stream", "content-length": "1024" },
        body: KB,
      }));
    },
  },
  {
    name: "logs:PutLogEvents, 1 event (JSON)",
    async setup(url) {
      await logStream(url);
      // Each event stamped when its request is sent, as a logging client stamps it (load.ts's `now` marker).
      return Array.from({ length: POOL }, (_, i) => Object.assign(logEvent(i, Number(NOW)), { now: NOW }));
    },
  },
  {
    // Not a target: the pool's 2,000 timestamps again and again, each pass back in time (a backfill), so every event's
    // three index entries (by stream start, stream end and group) land inside the indexes rather than at their end —
    // about 3 WAL pages per call against 0.3 (counted with strace), and the checkpoints that follow.
    name: "logs:PutLogEvents, 1 event, 2,000 timestamps repeated (JSON)",
    informational: true,
    async setup(url) {
      await logStream(url);
      // A little in the past, so that they stay within the accepted window for the whole run.
      const t = Date.now() - 60_000;
      return Array.from({ length: POOL }, (_, i) => logEvent(i, t + i));
    },
  },
];

const fmt = (r: LoadResult) => `${r.rps} req/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, max ${r.maxms} ms`;

export async function tailBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const ceiling = await spawnListening(["--import", "tsx", new URL("./ceiling.ts", import.meta.url).pathname], /listening (\d+)/);
  try {
    for (const c of CASES) {
      // A fresh server per call, so that one call's data does not weigh on the next.
      const server = await startBuilt();
      try {
        const pool = await c.setup(server.url);
        const port = Number(new URL(server.url).port);
        const byConnections: LoadResult[] = [];
        for (const connections of CONNECTIONS) {
          const opts = { connections, warmupMs: WARMUP_MS, durationMs: DURATION_MS, client: "raw" as const };
          const ceil = await runLoad(ceiling.port, [{ method: "POST", path: "/", headers: {}, body: "" }], opts);
          const cpu0 = cpuMsOf(server.pid);
          const faults0 = minorFaultsOf(server.pid);
          const r = await runLoad(port, pool, opts);
          if (r.errors) throw new Error(`${c.name}: ${r.errors} requests failed: ${r.firstError}`);
          // The server's cost per request over the warm-up and the measured window (their requests estimated from the
          // measured rate): CPU time, and minor page faults (fresh memory the V8 heap and allocators touch).
          const served = r.requests * ((WARMUP_MS + DURATION_MS) / DURATION_MS);
          const cost = `server ${(((cpuMsOf(server.pid) - cpu0) * 1000) / served).toFixed(0)} µs CPU and ${((minorFaultsOf(server.pid) - faults0) / served).toFixed(2)} page faults per request`;
          byConnections.push(r);
          const last = connections === CONNECTIONS[CONNECTIONS.length - 1] && !c.informational;
          const ok = !last || (r.p99ms <= P99_TARGET_MS && r.maxms <= MAX_TARGET_MS && r.rps >= byConnections[0].rps * 0.95);
          rows.push({
            metric: `${c.name}, ${connections} connections`,
            value: `${fmt(r)}; ${cost} (bare node:http: ${fmt(ceil)})`,
            target: last ? `p99 ≤ ${P99_TARGET_MS} ms, max ≤ ${MAX_TARGET_MS} ms, req/s ≥ 95% of 8 connections'` : "-",
            ok,
          });
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    await ceiling.stop();
  }
  return rows;
}
