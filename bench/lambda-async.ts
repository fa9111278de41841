// The server's CPU per Lambda invocation, in isolation: a do-nothing Node.js function invoked N=200 times
// asynchronously (InvocationType Event) at a steady rate, then in bursts of 4 at once, then synchronously
// (RequestResponse) on a warm function. Each figure is the server process's utime+stime (/proc/<pid>/stat) over the
// phase divided by N, and the cold starts counted in its REPORT lines (Init Duration). The function appends a line to a
// file per run, so waiting for the runs costs the server nothing; the log lines are read after the CPU is.
//
// `node --import tsx bench/lambda-async.ts` runs it alone. STRATUS_BENCH_ROOT=<dir> runs another build (a clone of
// main, say) with the same script; STRATUS_BENCH_SERVER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/x" passes node flags.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { makeZip } from "../test/helpers/zip.js";
import { cpuMsOf, startBuilt, type BenchRow } from "./server.js";

const N = Number(process.env.N ?? 200);
const STEADY_GAP_MS = 25;
const BURST = 4;
const BURST_GAP_MS = 100;
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const lines = (file: string) => {
  try {
    return readFileSync(file, "utf8").length;
  } catch {
    return 0;
  }
};

export async function lambdaAsyncBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "stratus-lambda-async-"));
  const server = await startBuilt(undefined, {
    root: process.env.STRATUS_BENCH_ROOT,
    nodeArgs: process.env.STRATUS_BENCH_SERVER_ARGS?.split(" ").filter(Boolean),
  });
  const config = { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
  const lambda = new LambdaClient(config);
  const logs = new CloudWatchLogsClient(config);
  const rows: BenchRow[] = [];
  try {
    const { Role } = await new IAMClient(config).send(new CreateRoleCommand({ RoleName: "bench-async", AssumeRolePolicyDocument: TRUST }));
    const phases: [string, "Event" | "RequestResponse", (send: () => Promise<unknown>) => Promise<void>][] = [
      [
        `Event invokes, steady (1 every ${STEADY_GAP_MS} ms)`,
        "Event",
        async (send) => {
          for (let i = 0; i < N; i++) {
            void send();
            await sleep(STEADY_GAP_MS);
          }
        },
      ],
      [
        `Event invokes, bursts of ${BURST} (every ${BURST_GAP_MS} ms)`,
        "Event",
        async (send) => {
          for (let i = 0; i < N; i += BURST) {
            await Promise.all(Array.from({ length: BURST }, () => send()));
            await sleep(BURST_GAP_MS);
          }
        },
      ],
      [
        "RequestResponse invokes, warm, one at a time",
        "RequestResponse",
        async (send) => {
          for (let i = 0; i < N; i++) await send();
        },
      ],
    ];
    let p = 0;
    for (const [label, type, drive] of phases) {
      const name = `async-${p++}`;
      const file = join(dir, `${name}.out`);
      const zip = makeZip({
        "index.mjs": `import { appendFileSync } from "node:fs";\nexport const handler = async () => { appendFileSync(${JSON.stringify(file)}, "x"); };`,
      });
      await lambda.send(
        new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: Role!.Arn!, Code: { ZipFile: zip } }),
      );
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: name });
      // The synchronous figure is for a warm function: one invocation first, outside the measure.
      let warm = 0;
      if (type === "RequestResponse") {
        await lambda.send(new InvokeCommand({ FunctionName: name }));
        warm = 1;
      }
      await sleep(300);
      const before = cpuMsOf(server.pid);
      const t0 = Date.now();
      await drive(async () => {
        const out = await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: type, Payload: Buffer.from('{"n":1}') }));
        if (out.StatusCode !== (type === "Event" ? 202 : 200)) throw new Error(`Invoke answered ${out.StatusCode}`);
      });
      while (lines(file) < N + warm) {
        if (Date.now() - t0 > 120_000) throw new Error(`${label}: only ${lines(file) - warm} of ${N} ran in 120 s`);
        await sleep(20);
      }
      // The last invocations' log lines wait up to 100 ms to be delivered; their cost belongs to the figure.
      await sleep(500);
      const cpu = cpuMsOf(server.pid) - before;
      let reports = 0;
      let cold = 0;
      let token: string | undefined;
      do {
        const page = await logs.send(
          new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, filterPattern: '"REPORT RequestId"', nextToken: token }),
        );
        for (const e of page.events ?? []) {
          reports++;
          if (e.message?.includes("Init Duration")) cold++;
        }
        token = page.nextToken;
      } while (token);
      if (reports !== N + warm) throw new Error(`${label}: ${reports} REPORT lines for ${N + warm} invocations`);
      rows.push({ metric: `${label}: server CPU per invocation`, value: `${(cpu / N).toFixed(2)} ms (${cpu} ms for ${N})`, target: "-", ok: true });
      rows.push({ metric: `${label}: cold starts`, value: `${cold - (warm ? 1 : 0)} of ${N}`, target: "-", ok: true });
    }
    return rows;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await lambdaAsyncBench()) console.log(`${r.metric}: ${r.value}`);
}
