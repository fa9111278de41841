// Lambda across a restart: functions, their code, published versions and aliases are in the data directory
// and run again (cold) on a new server; and a server that stops leaves no function process behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  LambdaClient,
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
  GetFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { killAll, startCli } from "../../cli/spawn.js";
import { pythonMissing } from "../../helpers/python.js";
import { createLogger } from "../../../src/core/log.js";
import { waitUntil } from "../../helpers/wait.js";
import { createFunction, json, lambdaEnv, payload } from "./setup.js";

const NODE = `let count = 0;
export const handler = async (event, context) => ({ runtime: "node", count: ++count, pid: process.pid, event, version: context.functionVersion, colour: process.env.COLOUR ?? null });`;
const PYTHON = `import os
count = 0
def handler(event, context):
    global count
    count += 1
    return {"runtime": "python", "count": count, "pid": os.getpid(), "event": event}
`;

/** Whether a process runs: kill(pid, 0) answers ESRCH once it is gone. A killed grandchild whose parent died
 * waits for init to reap it, as a zombie ("Z" in /proc/<pid>/stat), which no longer runs anything. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, "ESRCH");
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0] !== "Z";
  } catch {
    return existsSync("/proc/self") ? false : true;
  }
};

const tail = (b64: string | undefined) => Buffer.from(b64 ?? "", "base64").toString("utf8");

test("functions, code, versions and aliases survive a restart and run again, cold", { skip: pythonMissing(["json"]) }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-lambda-restart-"));
  let server: TestServer | undefined = await startTestServer({ dataDir });
  try {
    const env = await lambdaEnv(server);
    const node = await createFunction(env, { FunctionName: "node-fn", code: { "index.mjs": NODE }, Environment: { Variables: { COLOUR: "red" } } });
    const py = await createFunction(env, { FunctionName: "py-fn", Runtime: "python3.12", Handler: "app.handler", code: { "app.py": PYTHON } });
    const before = {
      node: (await env.lambda.send(new GetFunctionCommand({ FunctionName: "node-fn" }))).Configuration!,
      py: (await env.lambda.send(new GetFunctionCommand({ FunctionName: "py-fn" }))).Configuration!,
    };
    assert.equal(before.node.CodeSha256, node.CodeSha256);
    assert.equal(before.py.CodeSha256, py.CodeSha256);

    // Warm: the second invocation reuses the environment (module state counts on).
    for (const n of [1, 2])
      assert.equal(json((await env.lambda.send(new InvokeCommand({ FunctionName: "node-fn", Payload: payload({ n }) }))).Payload).count, n);
    assert.equal(json((await env.lambda.send(new InvokeCommand({ FunctionName: "py-fn", Payload: payload({}) }))).Payload).count, 1);

    // Version 1 has COLOUR=red; $LATEST then moves on to blue. The alias "prod" points at 1.
    const v1 = await env.lambda.send(new PublishVersionCommand({ FunctionName: "node-fn", Description: "red" }));
    assert.equal(v1.Version, "1");
    const alias = await env.lambda.send(new CreateAliasCommand({ FunctionName: "node-fn", Name: "prod", FunctionVersion: "1", Description: "production" }));
    await env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "node-fn", Environment: { Variables: { COLOUR: "blue" } } }));
    await waitUntil(
      async () => (await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "node-fn" }))).LastUpdateStatus === "Successful",
      "the update to finish",
    );
    const latestBefore = (await env.lambda.send(new GetFunctionCommand({ FunctionName: "node-fn" }))).Configuration!;
    const pyBefore = (await env.lambda.send(new GetFunctionCommand({ FunctionName: "py-fn" }))).Configuration!;

    await server.close();
    server = await startTestServer({ dataDir });
    const lambda = new LambdaClient(server.clientConfig({ account: env.account }));

    // The same configuration, as GetFunction answered it before the restart.
    const after = (await lambda.send(new GetFunctionCommand({ FunctionName: "node-fn" }))).Configuration!;
    assert.deepEqual(after, latestBefore);
    assert.equal(after.Environment?.Variables?.COLOUR, "blue");
    assert.deepEqual((await lambda.send(new GetFunctionCommand({ FunctionName: "py-fn" }))).Configuration, pyBefore);
    assert.equal(pyBefore.CodeSha256, py.CodeSha256);

    // Both run again on a cold start (Init Duration in REPORT, module state from scratch).
    const n1 = await lambda.send(new InvokeCommand({ FunctionName: "node-fn", Payload: payload({ after: "restart" }), LogType: "Tail" }));
    assert.equal(n1.FunctionError, undefined);
    assert.deepEqual({ ...json(n1.Payload), pid: 0 }, { runtime: "node", count: 1, pid: 0, event: { after: "restart" }, version: "$LATEST", colour: "blue" });
    assert.match(tail(n1.LogResult), /REPORT RequestId: .*\tInit Duration: [\d.]+ ms/);
    const p1 = await lambda.send(new InvokeCommand({ FunctionName: "py-fn", Payload: payload({ py: true }), LogType: "Tail" }));
    assert.equal(p1.FunctionError, undefined);
    assert.deepEqual({ ...json(p1.Payload), pid: 0 }, { runtime: "python", count: 1, pid: 0, event: { py: true } });
    assert.match(tail(p1.LogResult), /Init Duration: [\d.]+ ms/);

    // The version and the alias: same configuration, and the alias still runs version 1 (COLOUR=red).
    const { Versions } = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "node-fn" }));
    assert.deepEqual(
      Versions?.map((v) => v.Version),
      ["$LATEST", "1"],
    );
    const kept = Versions!.find((v) => v.Version === "1")!;
    assert.equal(kept.FunctionArn, v1.FunctionArn);
    assert.equal(kept.CodeSha256, v1.CodeSha256);
    assert.equal(kept.RevisionId, v1.RevisionId);
    assert.equal(kept.Description, "red");
    const a = await lambda.send(new GetAliasCommand({ FunctionName: "node-fn", Name: "prod" }));
    assert.deepEqual({ ...a, $metadata: undefined }, { ...alias, $metadata: undefined });
    const viaAlias = await lambda.send(new InvokeCommand({ FunctionName: "node-fn", Qualifier: "prod", Payload: payload({}) }));
    assert.equal(viaAlias.ExecutedVersion, "1");
    assert.equal(json(viaAlias.Payload).colour, "red");
    assert.equal(json(viaAlias.Payload).version, "1");
  } finally {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const LONG = `import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
export const handler = async (event) => {
  if (event.pidFile) {
    // A busy environment: a child process of its own, then work that outlasts the server.
    const child = spawn("sleep", ["120"], { stdio: "ignore" });
    writeFileSync(event.pidFile, JSON.stringify([process.pid, child.pid]));
    await new Promise((r) => setTimeout(r, 120_000));
  }
  return { pid: process.pid };
};`;

test("stopping the server ends every function process: idle environments, a busy one, and what it spawned", { skip: pythonMissing(["json"]) }, async () => {
  // The server's own errors, e.g. writes after its store closed.
  const errors: string[] = [];
  const server = await startTestServer({ logger: createLogger("error", (line) => errors.push(line)) });
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "long", code: { "index.mjs": LONG }, Timeout: 300 });
  await createFunction(env, { FunctionName: "py-idle", Runtime: "python3.12", Handler: "app.handler", code: { "app.py": PYTHON } });

  // The busy one runs as an asynchronous invocation: no client request is left open while the server stops.
  const pidFile = join(server.dataDir, "busy.pid");
  const queued = await env.lambda.send(new InvokeCommand({ FunctionName: "long", InvocationType: "Event", Payload: payload({ pidFile }) }));
  assert.equal(queued.StatusCode, 202);
  let busy: number[] = [];
  await waitUntil(() => {
    try {
      busy = JSON.parse(readFileSync(pidFile, "utf8"));
    } catch {
      return false; // not there yet, or half written
    }
    return busy.length === 2;
  }, "the busy invocation to start");
  // While that environment is busy, another invocation gets a second one, idle afterwards; and a Python one.
  const idleNode = json((await env.lambda.send(new InvokeCommand({ FunctionName: "long", Payload: payload({}) }))).Payload).pid as number;
  const idlePy = json((await env.lambda.send(new InvokeCommand({ FunctionName: "py-idle", Payload: payload({}) }))).Payload).pid as number;

  const pids = [idleNode, idlePy, ...busy];
  assert.equal(new Set(pids).size, 4);
  assert.ok(pids.every(alive), "all running before the stop");
  const t0 = Date.now();
  await server.close();
  await waitUntil(() => !pids.some(alive), "every function process to end");
  // Nothing waited for the busy invocation (2 minutes) or its child (sleep 120): a generous bound far below.
  assert.ok(Date.now() - t0 < 30_000, `close took ${Date.now() - t0} ms`);
  // The killed invocation's end reaches nothing after the store closed.
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(errors, []);
});

test("after a kill -9, the restarted server ends the environments the killed one left running", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-lambda-orphans-"));
  try {
    const s = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    const config = { endpoint: s.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
    const env = await lambdaEnv({ clientConfig: () => config } as unknown as TestServer, "000000000000");
    await createFunction(env, {
      FunctionName: "sleeper",
      Timeout: 120,
      code: { "index.mjs": "export const handler = async () => { await new Promise((r) => setTimeout(r, 100_000)); };" },
    });
    await env.lambda.send(new InvokeCommand({ FunctionName: "sleeper", InvocationType: "Event" }));
    const pidDir = join(dir, "lambda", "pids");
    let pids: number[] = [];
    await waitUntil(() => {
      try {
        pids = readdirSync(pidDir).map(Number);
      } catch {
        /* not yet */
      }
      return pids.length > 0;
    }, "the environment's pid file");
    assert.equal(pids.length, 1);
    await s.stop("SIGKILL");
    assert.ok(alive(pids[0]!), "the environment outlived the killed server");
    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      // Lambda starts with the server (it has a queued event to resume), and ends the orphan first.
      await waitUntil(() => !alive(pids[0]!), `the orphan ${pids[0]} to end`);
    } finally {
      await again.stop("SIGKILL");
    }
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
});
