// Where a warm Lambda invocation's CPU goes, per process: the server, the function processes (its descendants) and
// this load generator, from /proc/<pid>/stat before and after N requests (N=3000), over CONNS connections (a
// comma-separated list, e.g. "1,8,8": a repeated figure shows the JIT warming up), for a direct Invoke and through a
// REST API's Lambda proxy integration (ONLY=invoke|proxy for one). Wall-clock profiles (--cpu-prof) count the time a
// process is preempted inside a syscall; these figures are CPU time only. After `npm run build`:
//   node --import tsx bench/cpu-per-request.ts        (SERVER_ARGS passes node flags to the server)
import { Agent, request } from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from "@aws-sdk/client-api-gateway";
import { IAMClient, CreateRoleCommand } from "@aws-sdk/client-iam";
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { makeZip } from "../test/helpers/zip.js";
import { spawnListening } from "./server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TICK = 100; // CLK_TCK
const N = Number(process.env.N ?? 3000);
const CONNS = (process.env.CONNS ?? "8").split(",").map(Number);

function cpuOf(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / TICK; // utime+stime, seconds
  } catch {
    return 0;
  }
}
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(d), Number(f[1]));
    } catch {}
  }
  const out: number[] = [];
  for (const [pid] of parent) {
    let p: number | undefined = pid;
    while (p && p !== root && p !== 1) p = parent.get(p);
    if (p === root && pid !== root) out.push(pid);
  }
  return out;
}

const server = await spawnListening(
  [
    ...(process.env.SERVER_ARGS?.split(" ").filter(Boolean) ?? []),
    join(ROOT, "bin", "stratus.js"),
    "start",
    "--ephemeral",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--log-level",
    "warn",
  ],
  /listening on http:\/\/[^:]+:(\d+)/,
);
const spid = server.child.pid!;
const base = {
  endpoint: `http://127.0.0.1:${server.port}`,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
};
const lambda = new LambdaClient(base);
const apigw = new APIGatewayClient(base);
try {
  const { Role } = await new IAMClient(base).send(
    new CreateRoleCommand({
      RoleName: "r",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }),
  );
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "f",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: Role!.Arn!,
      Code: {
        ZipFile: makeZip({
          "index.mjs":
            'export const handler = async (e) => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ path: e.path }) });',
        }),
      },
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { FunctionName: "f" });
  await lambda.send(new AddPermissionCommand({ FunctionName: "f", StatementId: "a", Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com" }));
  const api = await apigw.send(new CreateRestApiCommand({ name: "p" }));
  const res = await apigw.send(new CreateResourceCommand({ restApiId: api.id!, parentId: api.rootResourceId!, pathPart: "{proxy+}" }));
  await apigw.send(new PutMethodCommand({ restApiId: api.id!, resourceId: res.id!, httpMethod: "ANY", authorizationType: "NONE" }));
  await apigw.send(
    new PutIntegrationCommand({
      restApiId: api.id!,
      resourceId: res.id!,
      httpMethod: "ANY",
      type: "AWS_PROXY",
      integrationHttpMethod: "POST",
      uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.FunctionArn}/invocations`,
    }),
  );
  await apigw.send(new CreateDeploymentCommand({ restApiId: api.id!, stageName: "bench" }));

  const kinds = {
    invoke: {
      method: "POST",
      path: "/2015-03-31/functions/f/invocations",
      headers: { "content-type": "application/json", host: `lambda.us-east-1.localhost:${server.port}` },
      body: '{"path":"/items/42"}',
    },
    proxy: { method: "GET", path: "/bench/items/42", headers: { host: `${api.id}.execute-api.localhost:${server.port}` }, body: "" },
  };
  for (const conns of CONNS) {
    for (const [name, r] of Object.entries(kinds).filter(([k]) => !process.env.ONLY || process.env.ONLY === k)) {
      const agent = new Agent({ keepAlive: true, maxSockets: conns });
      const one = () =>
        new Promise<void>((ok, fail) => {
          const q = request({ host: "127.0.0.1", port: server.port, method: r.method, path: r.path, headers: r.headers, agent }, (res) => {
            res.resume();
            res.on("end", () => (res.statusCode === 200 ? ok() : fail(new Error(String(res.statusCode)))));
          });
          q.on("error", fail);
          q.end(r.body);
        });
      const run = async (n: number) => {
        let left = n;
        await Promise.all(
          Array.from({ length: conns }, async () => {
            while (left-- > 0) await one();
          }),
        );
      };
      await run(500);
      const pids = [spid, ...descendants(spid)];
      const before = pids.map(cpuOf);
      const me0 = process.cpuUsage();
      const t0 = performance.now();
      await run(N);
      const dt = (performance.now() - t0) / 1000;
      const me = process.cpuUsage(me0);
      const after = pids.map(cpuOf);
      const serverCpu = after[0]! - before[0]!;
      let fnCpu = 0;
      for (let i = 1; i < pids.length; i++) fnCpu += after[i]! - before[i]!;
      const clientCpu = (me.user + me.system) / 1e6;
      const us = (s: number) => ((s / N) * 1e6).toFixed(0).padStart(5);
      console.log(
        `${name.padEnd(6)} c=${conns} ${(N / dt).toFixed(0).padStart(5)} req/s | µs CPU/req: server ${us(serverCpu)}  functions(${pids.length - 1}) ${us(fnCpu)}  client ${us(clientCpu)}  total ${us(serverCpu + fnCpu + clientCpu)}`,
      );
      agent.destroy();
    }
  }
} finally {
  await server.stop();
}
