// InvokeWithResponseStream through the real SDK (which decodes AWS's event stream): chunks as the function writes
// them, then InvokeComplete; a buffered function's answer as one chunk; errors in InvokeComplete.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { AddPermissionCommand, CreateFunctionUrlConfigCommand, InvokeCommand, InvokeWithResponseStreamCommand } from "@aws-sdk/client-lambda";
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

const STREAMER = `
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType("text/plain");
  for (const word of ["one ", "two ", "three"]) {
    responseStream.write(word);
    await new Promise((r) => setTimeout(r, 150));
  }
  if (event.fail) throw new Error("stream broke");
  responseStream.end();
});`;

test("a streaming handler (awslambda.streamifyResponse): each write reaches the SDK as its own chunk, as it happens", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "streamer", code: { "index.mjs": STREAMER } });
  const t0 = Date.now();
  const out = await env.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "streamer", Payload: payload({}) }));
  const { chunks, complete } = await collect(out.EventStream as AsyncIterable<Record<string, unknown>>);
  assert.deepEqual(chunks.map((c) => c.text), ["one ", "two ", "three"]);
  // The first chunk came long before the function finished.
  assert.ok(chunks[2]!.at - chunks[0]!.at >= 250, `chunks at ${chunks.map((c) => c.at - t0).join(", ")} ms`);
  assert.equal(complete!.ErrorCode, undefined);

  // Failing after two writes: the chunks that went out stay delivered; InvokeComplete says what broke.
  const failed = await env.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "streamer", Payload: payload({ fail: true }) }));
  const f = await collect(failed.EventStream as AsyncIterable<Record<string, unknown>>);
  assert.deepEqual(f.chunks.map((c) => c.text), ["one ", "two ", "three"]);
  assert.equal(f.complete!.ErrorCode, "Error");
  assert.equal(f.complete!.ErrorDetails, "stream broke");

  // A plain Invoke of a streaming function answers the whole stream at once.
  const whole = await env.lambda.send(new InvokeCommand({ FunctionName: "streamer", Payload: payload({}) }));
  assert.equal(Buffer.from(whole.Payload!).toString("utf8"), "one two three");
});

test("a RESPONSE_STREAM function URL sends the prelude's status and headers, then the body as it is written", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "web-stream",
    code: {
      "index.mjs": `
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const http = awslambda.HttpResponseStream.from(responseStream, { statusCode: 203, headers: { "content-type": "text/event-stream", "x-app": "yes" } });
  for (let i = 0; i < 3; i++) {
    http.write("data: " + i + "\\n\\n");
    await new Promise((r) => setTimeout(r, 150));
  }
  http.end();
});`,
    },
  });
  const { FunctionUrl } = await env.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "web-stream", AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" }));
  await env.lambda.send(new AddPermissionCommand({ FunctionName: "web-stream", StatementId: "url", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }));
  await env.lambda.send(new AddPermissionCommand({ FunctionName: "web-stream", StatementId: "url-invoke", Action: "lambda:InvokeFunction", Principal: "*", InvokedViaFunctionUrl: true }));
  const id = new URL(FunctionUrl!).hostname.split(".")[0];
  const res = await fetch(`${server.url}/_stratus/lambda/url/${id}/events`);
  assert.equal(res.status, 203);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.equal(res.headers.get("x-app"), "yes");
  const parts: { at: number; text: string }[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parts.push({ at: Date.now(), text: decoder.decode(chunk) });
  assert.equal(parts.map((p) => p.text).join(""), "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  assert.ok(parts.length >= 2 && parts.at(-1)!.at - parts[0]!.at >= 200, "the body arrived in pieces over time");
});
