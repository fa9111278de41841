// Invoke through the real SDK v3 client: Node.js, Python and custom runtimes running as local processes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { createFunction, json, lambdaEnv, payload } from "./setup.js";

let server: TestServer;
before(async () => (server = await startTestServer()));
after(() => server.close());

test("a Node.js function runs and answers its result", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "echo" });
  const t0 = performance.now();
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: payload({ a: 1 }), LogType: "Tail" }));
  const t1 = performance.now();
  const out2 = await env.lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: payload({ a: 2 }) }));
  const t2 = performance.now();
  console.log(`cold ${(t1 - t0).toFixed(1)} ms, warm ${(t2 - t1).toFixed(1)} ms`);
  assert.equal(out.StatusCode, 200);
  assert.equal(out.FunctionError, undefined);
  assert.deepEqual(json(out.Payload), { ok: true, event: { a: 1 } });
  assert.deepEqual(json(out2.Payload), { ok: true, event: { a: 2 } });
  assert.equal(out.ExecutedVersion, "$LATEST");
  const log = Buffer.from(out.LogResult!, "base64").toString("utf8");
  assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  assert.match(log, /REPORT RequestId: .*Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/);
});
