// What recording API calls for an active trail costs the core request path (`npm run bench -- --only-cloudtrail`):
// sts:GetCallerIdentity (the core request row of `npm run bench`, query/XML, auth none) over keep-alive connections on
// one built server that has a trail, in windows alternately with the trail logging (its default selectors take every
// management call, so each request's record is queued for delivery and delivered to S3 every
// STRATUS_CLOUDTRAIL_DELIVERY_SECONDS, here 1) and stopped: the server's CPU time per request over N requests each
// (its threads included: the thread pool's gzip too), each window running on until the last delivery of its records is
// done. The cost is the median over the rounds of each round's ratio (a round is one window of each, in alternating
// order, so a slow minute or a drift falls on both alike).
//
// One server rather than two: comparing a fresh server that only ever answered GetCallerIdentity with another that
// also delivers through S3 measures, beside the trail's work, how V8 optimized each process's request path — one that
// only ever saw one operation keeps every call site monomorphic, which no real server does (perf showed the request
// path's functions 2–4% apart between two such processes, the trail's own work aside; that comparison gave 6–9%).
import { Agent, request } from "node:http";
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand, StopLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import type { PreparedRequest } from "./load.js";
import { cpuMsOf, startBuilt, type BenchRow } from "./server.js";

// Rounds: the machine switches between two speeds (~1.8x apart) within a run; a round that straddles a switch gives a
// wild ratio either way, and 15 rounds keep the median on the rounds that do not.
const ROUNDS = 15;
const N = 30000;
const BODY = "Action=GetCallerIdentity&Version=2011-06-15";
const REQUEST: PreparedRequest = {
  method: "POST",
  path: "/",
  headers: {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    "content-length": String(BODY.length),
    authorization: "AWS4-HMAC-SHA256 Credential=test/20300101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0",
    "x-amz-date": "20300101T000000Z",
  },
  body: BODY,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** N requests over `connections` connections, then `tailMs` more (a delivery's work): CPU µs per request, and req/s. */
async function cpuPerRequest(port: number, pid: number, tailMs: number, connections = 4): Promise<{ cpu: number; rps: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const one = () =>
    new Promise<void>((ok, fail) => {
      const req = request({ host: "127.0.0.1", port, method: REQUEST.method, path: REQUEST.path, headers: REQUEST.headers, agent }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? ok() : fail(new Error(`GetCallerIdentity: ${res.statusCode}`))));
      });
      req.on("error", fail);
      req.end(REQUEST.body);
    });
  let next = 0;
  const worker = async () => {
    while (next++ < N) await one();
  };
  const before = cpuMsOf(pid);
  const start = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const rps = N / ((performance.now() - start) / 1000);
  agent.destroy();
  await sleep(tailMs);
  return { cpu: ((cpuMsOf(pid) - before) * 1000) / N, rps };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function addTrail(url: string): Promise<CloudTrailClient> {
  const cfg = { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "bench-trail" }));
  const principal = { Service: "cloudtrail.amazonaws.com" };
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: "bench-trail",
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: principal, Action: "s3:GetBucketAcl", Resource: "arn:aws:s3:::bench-trail" },
          { Effect: "Allow", Principal: principal, Action: "s3:PutObject", Resource: "arn:aws:s3:::bench-trail/AWSLogs/*" },
        ],
      }),
    }),
  );
  const ct = new CloudTrailClient(cfg);
  await ct.send(new CreateTrailCommand({ Name: "bench", S3BucketName: "bench-trail" }));
  return ct;
}

export async function cloudtrailBench(): Promise<BenchRow[]> {
  const DELIVERY_S = 1;
  const server = await startBuilt({ ...process.env, STRATUS_CLOUDTRAIL_DELIVERY_SECONDS: String(DELIVERY_S) });
  try {
    const ct = await addTrail(server.url);
    const port = Number(new URL(server.url).port);
    // A window starts once the switch has taken effect and the previous window's deliveries are done; it ends once
    // its own are (a delivery round every DELIVERY_S, half as long again for the round under way).
    const tailMs = DELIVERY_S * 1500;
    const logging = async (on: boolean) => {
      await ct.send(on ? new StartLoggingCommand({ Name: "bench" }) : new StopLoggingCommand({ Name: "bench" }));
      await sleep(tailMs);
    };
    const windows = { on: [] as { cpu: number; rps: number }[], off: [] as { cpu: number; rps: number }[] };
    // A round of each not counted: the server's code optimized and the trail's buffers in place before the first figure.
    for (const on of [true, false]) {
      await logging(on);
      await cpuPerRequest(port, server.pid, tailMs);
    }
    for (let i = 0; i < ROUNDS; i++) {
      for (const on of i % 2 ? [false, true] : [true, false]) {
        await logging(on);
        windows[on ? "on" : "off"].push(await cpuPerRequest(port, server.pid, tailMs));
      }
    }
    const fmt = (ws: { cpu: number; rps: number }[]) => {
      const cpu = ws.map((w) => w.cpu);
      const rps = ws.map((w) => w.rps);
      return `${median(cpu).toFixed(1)} µs server CPU/request median (${cpu.map((n) => n.toFixed(1)).join(", ")}); median ${median(rps).toFixed(0)} req/s (${rps.map((n) => n.toFixed(0)).join(", ")})`;
    };
    const ratios = windows.on.map((w, i) => w.cpu / windows.off[i].cpu - 1);
    const cpuCost = median(ratios);
    const rpsCost = median(windows.on.map((w, i) => 1 - w.rps / windows.off[i].rps));
    return [
      { metric: "sts:GetCallerIdentity (query/XML), auth none, the trail stopped", value: fmt(windows.off), target: "-", ok: true },
      { metric: "sts:GetCallerIdentity (query/XML), auth none, the trail logging (every call delivered)", value: fmt(windows.on), target: "-", ok: true },
      {
        metric: "cost of the logging trail",
        value: `${(cpuCost * 100).toFixed(1)}% server CPU/request (median of the rounds' paired ratios: ${ratios.map((r) => `${(r * 100).toFixed(1)}%`).join(", ")}); throughput ${(rpsCost * 100).toFixed(1)}% (median of the rounds' paired ratios: for information)`,
        target: "≤ 5%",
        ok: cpuCost <= 0.05,
      },
    ];
  } finally {
    await server.stop();
  }
}
