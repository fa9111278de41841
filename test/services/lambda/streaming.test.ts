// InvokeWithResponseStream through the real SDK (which decodes AWS's event stream): chunks as the function writes
// them, then InvokeComplete; a buffered function's answer as one chunk; errors in InvokeComplete.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { AddPermissionCommand, CreateFunctionUrlConfigCommand, InvokeCommand, InvokeWithResponseStreamCommand } from "@aws-sdk/client-lambda";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { createFunction, lambdaEnv, payload } from "./setup.js";
import { startGate } from "./gate.js";

const server = useServer();

/** The stream's PayloadChunks and its InvokeComplete; `onChunk` hears of each chunk as it arrives. */
async function collect(stream: AsyncIterable<Record<string, unknown>> | undefined, onChunk: (count: number) => void = () => {}) {
  const chunks: { text: string }[] = [];
  let complete: Record<string, unknown> | undefined;
  for await (const e of stream ?? []) {
    const chunk = e.PayloadChunk as { Payload?: Uint8Array } | undefined;
    if (chunk) {
      chunks.push({ text: Buffer.from(chunk.Payload ?? []).toString("utf8") });
      onChunk(chunks.length);
    }
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

// With event.gate, each write after the first waits until the test has let it past (once the previous chunk
// reached the test): a function that finished before the test saw its first chunk could not pass the test.
const STREAMER = `
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType("text/plain");
  for (const [i, word] of ["one ", "two ", "three"].entries()) {
    if (i && event.gate) await fetch(event.gate + i);
    responseStream.write(word);
  }
  if (event.fail) throw new Error("stream broke");
  responseStream.end();
});`;

/** Invokes with a gate that lets the handler write chunk n+1 only once chunk n reached the SDK. */
async function streamed(env: Awaited<ReturnType<typeof lambdaEnv>>, event: Record<string, unknown>) {
  const gate = await startGate();
  try {
    const out = await env.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "streamer", Payload: payload({ ...event, gate: gate.url }) }));
    return await collect(out.EventStream as AsyncIterable<Record<string, unknown>>, (n) => gate.open(n));
  } finally {
    gate.close();
  }
}

test("a streaming handler (awslambda.streamifyResponse): each write reaches the SDK as its own chunk, as it happens", async () => {
  const env = await lambdaEnv(server);
  // A timeout well past any machine's pace, yet one that ends a handler stuck at its gate (were the chunks held back).
  await createFunction(env, { FunctionName: "streamer", Timeout: 20, code: { "index.mjs": STREAMER } });
  // Each chunk reached the SDK before the function wrote the next one: streamed, not buffered to the end.
  const { chunks, complete } = await streamed(env, {});
  assert.deepEqual(
    chunks.map((c) => c.text),
    ["one ", "two ", "three"],
  );
  assert.equal(complete!.ErrorCode, undefined);

  // Failing after its writes: the chunks that went out stay delivered; InvokeComplete says what broke.
  const f = await streamed(env, { fail: true });
  assert.deepEqual(
    f.chunks.map((c) => c.text),
    ["one ", "two ", "three"],
  );
  assert.equal(f.complete!.ErrorCode, "Error");
  assert.equal(f.complete!.ErrorDetails, "stream broke");

  // A plain Invoke of a streaming function answers the whole stream at once.
  const whole = await env.lambda.send(new InvokeCommand({ FunctionName: "streamer", Payload: payload({}) }));
  assert.equal(Buffer.from(whole.Payload!).toString("utf8"), "one two three");
});

test("a RESPONSE_STREAM function URL sends the prelude's status and headers, then the body as it is written", async (t) => {
  const env = await lambdaEnv(server);
  const gate = await startGate();
  t.after(() => gate.close());
  await createFunction(env, {
    FunctionName: "web-stream",
    Timeout: 20,
    Environment: { Variables: { GATE: gate.url } },
    code: {
      // Each write after the first waits at the test's gate, opened once the previous piece reached the test.
      "index.mjs": `
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const http = awslambda.HttpResponseStream.from(responseStream, { statusCode: 203, headers: { "content-type": "text/event-stream", "x-app": "yes" } });
  for (let i = 0; i < 3; i++) {
    if (i) await fetch(process.env.GATE + i);
    http.write("data: " + i + "\\n\\n");
  }
  http.end();
});`,
    },
  });
  const { FunctionUrl } = await env.lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: "web-stream", AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" }),
  );
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "web-stream",
      StatementId: "url",
      Action: "lambda:InvokeFunctionUrl",
      Principal: "*",
      FunctionUrlAuthType: "NONE",
    }),
  );
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "web-stream",
      StatementId: "url-invoke",
      Action: "lambda:InvokeFunction",
      Principal: "*",
      InvokedViaFunctionUrl: true,
    }),
  );
  const id = new URL(FunctionUrl!).hostname.split(".")[0];
  const res = await fetch(`${server.url}/_stratus/lambda/url/${id}/events`);
  assert.equal(res.status, 203);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.equal(res.headers.get("x-app"), "yes");
  // What had arrived when the test let the function write its next piece: the pieces before, each in full.
  const seenAtGate: string[] = [];
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    const pieces = (text.match(/\n\n/g) ?? []).length;
    if (pieces > seenAtGate.length && pieces < 3) {
      seenAtGate.push(text);
      gate.open(pieces);
    }
  }
  assert.equal(text, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  assert.deepEqual(seenAtGate, ["data: 0\n\n", "data: 0\n\ndata: 1\n\n"], "each piece arrived before the next was written");
});
