// Execution environments' lifetime: reused while warm, recycled after idling (STRATUS_LAMBDA_IDLE_SECONDS), run
// in parallel, and ended at once when the server closes, even in the middle of a slow synchronous invocation.
process.env.STRATUS_LAMBDA_IDLE_SECONDS = "2";
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { startTestServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { createFunction, json, lambdaEnv } from "./setup.js";

// With e.ping, the handler first tells the test it is running, and its pid (a GET to the test's own server).
const PID = {
  "index.mjs":
    "export const handler = async (e) => { if (e.ping) await fetch(e.ping + process.pid); if (e.sleep) await new Promise((r) => setTimeout(r, e.sleep)); return process.pid; };",
};
const invoke = (env: Awaited<ReturnType<typeof lambdaEnv>>, name: string, payload: object = {}) =>
  env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) })).then((o) => json(o.Payload) as number);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("a warm environment is reused, runs in parallel with new ones, and is recycled after idling", async () => {
  const server = await startTestServer();
  try {
    const env = await lambdaEnv(server);
    await createFunction(env, { FunctionName: "pid", code: PID });
    const first = await invoke(env, "pid");
    assert.equal(await invoke(env, "pid"), first, "the same process answers warm");
    // Two at once need two environments (each holds its own for a second).
    const both = await Promise.all([invoke(env, "pid", { sleep: 1000 }), invoke(env, "pid", { sleep: 1000 })]);
    assert.equal(new Set(both).size, 2);
    // Idle past the limit (2 s here; the sweep runs every 2 s): the processes end, the next call starts afresh.
    await waitUntil(() => both.every((pid) => !alive(pid)), `processes ${both.join(", ")} to be recycled`, 20_000);
    const after = await invoke(env, "pid");
    assert.ok(!both.includes(after));
  } finally {
    await server.close();
  }
});

test("closing the server ends a slow synchronous invocation's process at once", async () => {
  const server = await startTestServer();
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "slow", Timeout: 60, code: PID });
  await invoke(env, "slow");
  // The invocation is under way once its handler pings this server.
  let running = 0;
  const listener = createServer((req, res) => ((running = Number(req.url!.slice(1))), res.end())).listen(0, "127.0.0.1");
  await new Promise((r) => listener.once("listening", r));
  try {
    const ping = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/`;
    const pending = env.lambda
      .send(new InvokeCommand({ FunctionName: "slow", Payload: Buffer.from(JSON.stringify({ ping, sleep: 50_000 })) }))
      .catch((e: Error) => e);
    await waitUntil(() => running > 0, "the slow invocation to start");
    // Closing does not wait out the handler's 50 s: a generous bound that still tells the two apart.
    const t0 = Date.now();
    await server.close();
    assert.ok(Date.now() - t0 < 15_000, `closed in ${Date.now() - t0} ms`);
    // Killed by then; under a loaded machine the kernel and libuv may take a moment more to reap it.
    await waitUntil(() => !alive(running), `process ${running} to be gone`, 3_000);
    await pending;
  } finally {
    listener.close();
  }
});

test("reserved concurrency: invocations over the reservation answer 429 TooManyRequestsException", async () => {
  const server = await startTestServer();
  try {
    const env = await lambdaEnv(server);
    await createFunction(env, { FunctionName: "one", code: PID });
    await env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "one", ReservedConcurrentExecutions: 1 }));
    // No SDK retries: the SDK would retry the throttle until the first invocation is over.
    const once = { ...env, lambda: new LambdaClient({ ...server.clientConfig({ account: env.account }), maxAttempts: 1 }) };
    const results = await Promise.allSettled([invoke(once, "one", { sleep: 1000 }), invoke(once, "one", { sleep: 1000 })]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.reason.name, "TooManyRequestsException");
    assert.equal(rejected[0]!.reason.$metadata.httpStatusCode, 429);
    assert.equal(rejected[0]!.reason.Reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
    // Once the running one is done there is room again.
    assert.equal(typeof (await invoke(env, "one")), "number");
  } finally {
    await server.close();
  }
});
