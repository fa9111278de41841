// Lambda: a trivial Node.js function created with the real SDK against the built server (a separate process, so
// client and server never share an event loop). Figures: the warm Invoke round trip (p50/p90/p99), the first
// Invoke after CreateFunction (create→invoke, and the cold Invoke alone), and 100 concurrent Invokes of a
// 100 ms function from cold and again warm, with the execution environments (processes) that served them.
//
// `node --import tsx bench/lambda.ts` runs it alone. For iterating: STRATUS_BENCH_LAMBDA=burst (or warm,cold)
// runs some figures only; STRATUS_BENCH_VERBOSE=1 prints when the burst's answers arrived;
// STRATUS_BENCH_SERVER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/x" passes node flags to the server.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { IAMClient, CreateRoleCommand } from "@aws-sdk/client-iam";
import { LambdaClient, CreateFunctionCommand, InvokeCommand, waitUntilFunctionActiveV2, type InvokeCommandOutput } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { makeZip } from "../test/helpers/zip.js";
import { freePort, waitHealthy, type BenchRow } from "./server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "stratus.js");
const WARMUP = 50;
const WARM_INVOKES = 1000;
const FRESH = 10;
const CONCURRENT = 100;
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const ECHO = makeZip({ "index.mjs": "export const handler = async (e) => e;" });
const SLEEP = makeZip({ "index.mjs": "export const handler = async (e) => { await new Promise((r) => setTimeout(r, 100)); return e; };" });
const SERVER_NODE_ARGS = process.env.STRATUS_BENCH_SERVER_ARGS?.split(" ").filter(Boolean) ?? [];
const PARTS = new Set((process.env.STRATUS_BENCH_LAMBDA ?? "warm,cold,burst").split(","));
const VERBOSE = !!process.env.STRATUS_BENCH_VERBOSE;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  );
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const range = (xs: number[]) => `min ${ms(Math.min(...xs))}, max ${ms(Math.max(...xs))}`;

function check(out: InvokeCommandOutput, what: string): void {
  if (out.StatusCode !== 200 || out.FunctionError) {
    throw new Error(
      `${what}: StatusCode ${out.StatusCode}, FunctionError ${out.FunctionError}: ${Buffer.from(out.Payload ?? [])
        .toString("utf8")
        .slice(0, 300)}`,
    );
  }
}

interface Env {
  lambda: LambdaClient;
  logs: CloudWatchLogsClient;
  serverPid: number;
  create(name: string, zip: Uint8Array, timeout?: number): Promise<unknown>;
  invoke(name: string, i?: number): Promise<InvokeCommandOutput>;
}

export async function lambdaBench(): Promise<BenchRow[]> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_ARGS, BIN, "start", "--ephemeral", "--host", "127.0.0.1", "--port", String(port), "--log-level", "error"],
    { stdio: "ignore", cwd: ROOT },
  );
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const endpoint = `http://127.0.0.1:${port}`;
  const base = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
  // Keep-alive connections, and enough sockets for 100 Invokes at once (the SDK's default agent allows 50).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
  const lambda = new LambdaClient({ ...base, requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
  try {
    await waitHealthy(endpoint);
    const { Role } = await new IAMClient(base).send(new CreateRoleCommand({ RoleName: "bench-lambda", AssumeRolePolicyDocument: TRUST }));
    const env: Env = {
      lambda,
      logs: new CloudWatchLogsClient(base),
      serverPid: child.pid!,
      create: (FunctionName, ZipFile, Timeout = 3) =>
        lambda.send(new CreateFunctionCommand({ FunctionName, Runtime: "nodejs20.x", Handler: "index.handler", Role: Role!.Arn!, Code: { ZipFile }, Timeout })),
      invoke: (FunctionName, i = 0) => lambda.send(new InvokeCommand({ FunctionName, Payload: Buffer.from(`{"i":${i}}`) })),
    };
    // Warm the server's Lambda path (models, first CreateFunction, log group writes) with a function no figure uses.
    await env.create("bench-prime", ECHO);
    check(await env.invoke("bench-prime"), "prime");
    return [
      ...(PARTS.has("warm") ? await warmRoundTrip(env) : []),
      ...(PARTS.has("cold") ? await firstInvoke(env) : []),
      ...(PARTS.has("burst") ? await concurrentBurst(env) : []),
    ];
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
    await exited;
  }
}

/** One warm environment, sequential Invokes: HTTP Invoke → handler → response. */
async function warmRoundTrip(env: Env): Promise<BenchRow[]> {
  await env.create("bench-echo", ECHO);
  for (let i = 0; i < WARMUP; i++) check(await env.invoke("bench-echo", i), "warm-up invoke");
  const lat: number[] = [];
  for (let i = 0; i < WARM_INVOKES; i++) {
    const t = performance.now();
    const out = await env.invoke("bench-echo", i);
    lat.push(performance.now() - t);
    check(out, "warm invoke");
  }
  lat.sort((a, b) => a - b);
  const [p50, p90, p99] = [pct(lat, 50), pct(lat, 90), pct(lat, 99)];
  return [
    { metric: `lambda: warm Invoke round trip (${WARM_INVOKES} sequential after ${WARMUP}), p50`, value: ms(p50), target: "≤ 5 ms", ok: p50 <= 5 },
    { metric: "lambda: warm Invoke round trip, p90", value: ms(p90), target: "", ok: true },
    { metric: "lambda: warm Invoke round trip, p99", value: `${ms(p99)} (max ${ms(lat[lat.length - 1]!)})`, target: "≤ 20 ms", ok: p99 <= 20 },
  ];
}

/**
 * The first Invoke of a new function: sent straight after CreateFunction (which answers Pending; the function is
 * Active by the next request), timed from sending the create; and, on other new functions, the cold Invoke alone
 * once waitUntilFunctionActiveV2 said Active.
 */
async function firstInvoke(env: Env): Promise<BenchRow[]> {
  const createToInvoke: number[] = [];
  const createOnly: number[] = [];
  for (let i = 0; i < FRESH; i++) {
    const t0 = performance.now();
    await env.create(`bench-fresh-${i}`, ECHO);
    createOnly.push(performance.now() - t0);
    check(await env.invoke(`bench-fresh-${i}`), "first invoke");
    createToInvoke.push(performance.now() - t0);
  }
  const coldAlone: number[] = [];
  const waiter: number[] = [];
  for (let i = 0; i < FRESH; i++) {
    await env.create(`bench-cold-${i}`, ECHO);
    const w = performance.now();
    const r = await waitUntilFunctionActiveV2({ client: env.lambda, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { FunctionName: `bench-cold-${i}` });
    if (r.state !== "SUCCESS") throw new Error(`waitUntilFunctionActiveV2: ${r.state}`);
    waiter.push(performance.now() - w);
    const t = performance.now();
    check(await env.invoke(`bench-cold-${i}`), "cold invoke");
    coldAlone.push(performance.now() - t);
  }
  const c2i = median(createToInvoke);
  return [
    {
      metric: `lambda: CreateFunction sent → first Invoke answered, median of ${FRESH}`,
      value: `${ms(c2i)} (${range(createToInvoke)}; the CreateFunction ${ms(median(createOnly))})`,
      target: "≤ 250 ms",
      ok: c2i <= 250,
    },
    {
      metric: `lambda: cold Invoke alone (after waitUntilFunctionActiveV2), median of ${FRESH}`,
      value: `${ms(median(coldAlone))} (${range(coldAlone)}; the waiter ${ms(median(waiter))})`,
      target: "",
      ok: true,
    },
  ];
}

/** 100 Invokes at once of a 100 ms function with no environment yet, then again with its environments warm. */
async function concurrentBurst(env: Env): Promise<BenchRow[]> {
  await env.create("bench-sleep", SLEEP, 10);
  // Environments are the server's child processes: sampled during each burst (pids seen, most alive at once).
  const before = children(env.serverPid);
  const seen = new Set<number>();
  const burst = async () => {
    let peakRss = 0;
    const sample = () => {
      for (const p of children(env.serverPid)) if (!before.has(p)) seen.add(p);
      peakRss = Math.max(peakRss, rssMb(env.serverPid));
    };
    const sampler = setInterval(sample, 10);
    const t = performance.now();
    const answered: number[] = [];
    const outs = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => env.invoke("bench-sleep", i).then((o) => (answered.push(performance.now() - t), o))),
    );
    const wall = performance.now() - t;
    clearInterval(sampler);
    sample();
    for (const o of outs) check(o, "concurrent invoke");
    if (VERBOSE) console.error(`answers after ${[1, 10, 25, 50, 75, 90, 100].map((p) => `${p}%: ${pct(answered, p).toFixed(0)} ms`).join(", ")}`);
    return { wall, started: seen.size, peakRss };
  };
  const cold = await burst();
  const streamsCold = await countStreams(env.logs, "/aws/lambda/bench-sleep");
  const warm = await burst();
  const streamsWarm = await countStreams(env.logs, "/aws/lambda/bench-sleep");
  const detail = (b: typeof cold, streams: number | string) =>
    `${b.started} environments started in all (${streams} log streams); server peak RSS ${b.peakRss.toFixed(0)} MB`;
  return [
    {
      metric: `lambda: ${CONCURRENT} concurrent Invokes of a 100 ms function, from cold`,
      value: `${ms(cold.wall)} (${detail(cold, streamsCold)})`,
      target: "≤ 2000 ms",
      ok: cold.wall <= 2000,
    },
    {
      metric: `lambda: ${CONCURRENT} concurrent Invokes of a 100 ms function, again warm`,
      value: `${ms(warm.wall)} (${detail(warm, streamsWarm)})`,
      target: "",
      ok: true,
    },
  ];
}

/** The pids of a process's children (Lambda's execution environments run as children of the server). */
function children(pid: number): Set<number> {
  const out = new Set<number>();
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").split(" ")) if (c.trim()) out.add(Number(c));
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Log streams in the group: one per execution environment that ran an invocation. */
async function countStreams(logs: CloudWatchLogsClient, group: string): Promise<number | string> {
  let last = -1;
  // The engine writes logs after answering, in the background: count until the figure stops moving.
  for (let i = 0; i < 50; i++) {
    let n = 0;
    let nextToken: string | undefined;
    try {
      do {
        const page = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, nextToken }));
        n += page.logStreams?.length ?? 0;
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (e) {
      if ((e as Error).name !== "ResourceNotFoundException") return `? (${(e as Error).name})`;
    }
    if (n === last) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await lambdaBench())
    console.log(`${r.target ? (r.ok ? "ok  " : "MISS") : "    "} ${r.metric}: ${r.value}${r.target ? ` (target ${r.target})` : ""}`);
}
