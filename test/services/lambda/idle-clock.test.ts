// The engine's idle recycling runs on the runtime clock: a warm environment is reused while the clock stands
// still, and recycled once the runtime clock passes the idle limit (10 minutes) — a test's ManualClock moves it,
// with no real waiting. The function's own timeout stays wall time (its process runs in real time).
import { test } from "node:test";
import assert from "node:assert/strict";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { ManualClock } from "../../../src/core/clock.js";
import { useServer } from "../../helpers/server.js";
import { createFunction, json, lambdaEnv } from "./setup.js";

const clock = new ManualClock();
const server = useServer({ clock });

// Each environment answers with its process id and how many invocations it has served.
const CODE = { "index.mjs": "let n = 0; export const handler = async () => ({ pid: process.pid, n: ++n });" };

test("idle environments are recycled when the runtime clock passes the idle limit", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "idle", code: CODE });
  const invoke = async () => json((await env.lambda.send(new InvokeCommand({ FunctionName: "idle" }))).Payload) as { pid: number; n: number };
  const first = await invoke();
  clock.advance(5 * 60_000); // 5 minutes idle: still warm
  const second = await invoke();
  assert.equal(second.pid, first.pid);
  assert.equal(second.n, first.n + 1);
  clock.advance(11 * 60_000); // past 10 minutes idle: the sweeper (every 30 s of runtime time) recycles it
  const third = await invoke();
  assert.notEqual(third.pid, first.pid);
  assert.equal(third.n, 1);
});
