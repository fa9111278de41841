// What recording API calls for a logging trail costs the core request path (`npm run bench -- --only-cloudtrail`):
// sts:GetCallerIdentity (the core request row of `npm run bench`, query/XML, auth none) over keep-alive connections on
// two built servers, one without any trail and one with a logging trail whose default selectors take every management
// call (so each request's record is queued for delivery and delivered to S3 every STRATUS_CLOUDTRAIL_DELIVERY_SECONDS),
// each round measuring both at the same time (4 connections each, from one process), so that whatever else slows the
// machine — other work, the VM's steal — falls on both alike: the server's CPU time per request over N requests each
// (its threads included: the thread pool's gzip too). The trail delivers every second here, so each window holds
// deliveries. The trail's cost is the median over the rounds of each round's ratio (paired, so a slow minute cancels
// out); throughput and p99 are measured too, one server after the other, for information. Comparing each server's
// least CPU across rounds measured alone instead swung from 7% to 38% on the same build here.
import { Agent, request } from "node:http";
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import type { PreparedRequest } from "./load.js";
import { cpuMsOf, runLoad, startBuilt, type BenchRow } from "./server.js";

const ROUNDS = 7;
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

async function cpuPerRequest(port: number, pid: number, connections = 8): Promise<number> {
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
  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
  return ((cpuMsOf(pid) - before) * 1000) / N;
}

async function addTrail(url: string): Promise<void> {
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
  await ct.send(new StartLoggingCommand({ Name: "bench" }));
}

export async function cloudtrailBench(): Promise<BenchRow[]> {
  const plain = await startBuilt();
  const traced = await startBuilt({ ...process.env, STRATUS_CLOUDTRAIL_DELIVERY_SECONDS: "1" });
  try {
    await addTrail(traced.url);
    const servers = { "no trail": plain, "a logging trail": traced } as const;
    type Name = keyof typeof servers;
    const rps: Record<Name, number[]> = { "no trail": [], "a logging trail": [] };
    const p99: Record<Name, number[]> = { "no trail": [], "a logging trail": [] };
    const cpu: Record<Name, number[]> = { "no trail": [], "a logging trail": [] };
    const both = () =>
      Promise.all((Object.keys(servers) as Name[]).map((name) => cpuPerRequest(Number(new URL(servers[name].url).port), servers[name].pid, 4)));
    // A round not counted: both servers' code optimized and the trail's buffers in place before the first figure.
    await both();
    for (let i = 0; i < ROUNDS; i++) {
      for (const name of Object.keys(servers) as Name[]) {
        const s = servers[name];
        const port = Number(new URL(s.url).port);
        const r = await runLoad(port, [REQUEST], { connections: 8, warmupMs: i === 0 ? 2000 : 500, durationMs: 3000 });
        if (r.errors) throw new Error(`${r.errors} requests failed: ${r.firstError}`);
        rps[name].push(r.rps);
        p99[name].push(r.p99ms);
      }
      const [a, b] = await both();
      cpu["no trail"].push(a);
      cpu["a logging trail"].push(b);
    }
    const max = (xs: number[]) => Math.max(...xs);
    const fmt = (name: Name) =>
      `${median(cpu[name]).toFixed(1)} µs server CPU/request median (${cpu[name].map((n) => n.toFixed(1)).join(", ")}); best ${max(rps[name]).toFixed(0)} req/s, median ${median(rps[name]).toFixed(0)} (${rps[name].map((n) => n.toFixed(0)).join(", ")}), p99 ${median(p99[name]).toFixed(1)} ms`;
    const ratios = cpu["a logging trail"].map((t, i) => t / cpu["no trail"][i] - 1);
    const cpuCost = median(ratios);
    const rpsCost = 1 - max(rps["a logging trail"]) / max(rps["no trail"]);
    return [
      { metric: "sts:GetCallerIdentity (query/XML), auth none, no trail", value: fmt("no trail"), target: "-", ok: true },
      { metric: "sts:GetCallerIdentity (query/XML), auth none, a logging trail (every call delivered)", value: fmt("a logging trail"), target: "-", ok: true },
      {
        metric: "cost of the logging trail",
        value: `${(cpuCost * 100).toFixed(1)}% server CPU/request (median of the rounds' paired ratios: ${ratios.map((r) => `${(r * 100).toFixed(1)}%`).join(", ")}); throughput ${(rpsCost * 100).toFixed(1)}% (best of each, measured apart: for information)`,
        target: "≤ 5%",
        ok: cpuCost <= 0.05,
      },
    ];
  } finally {
    await plain.stop();
    await traced.stop();
  }
}
