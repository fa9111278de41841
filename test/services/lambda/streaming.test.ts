// InvokeWithResponseStream through the real SDK (which decodes AWS's event stream): chunks as the function writes
// them, then InvokeComplete; a buffered function's answer as one chunk; errors in InvokeComplete.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { InvokeWithResponseStreamCommand } from "@aws-sdk/client-lambda";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { createFunction, lambdaEnv, payload } from "./setup.js";

let server: TestServer;
before(async () => (server = await startTestServer()));
after(() => server.close());

async function collect(stream: AsyncIterable<Record<string, unknown>> | undefined) {
  const chunks: { at: number; text: string }[] = [];
  let complete: Record<string, unknown> | undefined;
  for await (const e of stream ?? []) {
    const chunk = e.PayloadChunk as { Payload?: Uint8Array } | undefined;
    if (chunk) chunks.push({ at: Date.now(), text: Buffer.from(chunk.Payload ?? []).toString("utf8") });
    if (e.InvokeComplete) complete = e.InvokeComplete as Record<string, unknown>;
  }
  return { chunks, complete };
}

test("a buffered function's answer arrives as one PayloadChunk, then InvokeComplete (with the log tail when asked)", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "plain" });
  const out = await env.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "plain", Payload: payload({ n: 1 }), LogType: "Tail" }));
  assert.equal(out.StatusCode, 200);
  assert.equal(out.ExecutedVersion, "$LATEST");
  assert.equal(out.ResponseStreamContentType, "application/vnd.amazon.eventstream");
  const { chunks, complete } = await collect(out.EventStream as AsyncIterable<Record<string, unknown>>);
  assert.deepEqual(JSON.parse(chunks.map((c) => c.text).join("")), { ok: true, event: { n: 1 } });
  assert.equal(complete!.ErrorCode, undefined);
  assert.match(Buffer.from(String(complete!.LogResult), "base64").toString("utf8"), /REPORT RequestId/);
});

test("a failing function ends the stream with InvokeComplete's ErrorCode and ErrorDetails; a missing one is the call's 404", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "fails", code: { "index.mjs": "export const handler = async () => { throw new RangeError('too far'); };" } });
  const out = await env.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "fails" }));
  const { chunks, complete } = await collect(out.EventStream as AsyncIterable<Record<string, unknown>>);
  assert.equal(chunks.length, 0);
  assert.equal(complete!.ErrorCode, "RangeError");
  assert.equal(complete!.ErrorDetails, "too far");
  await rejects(env.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "missing" })), "ResourceNotFoundException", 404);
});
