// The Node.js runtime client (runtimes/node/index.mjs) against a stand-in Runtime API: handler loading (ESM,
// CommonJS, nested paths), the invocation loop, the context object, errors as AWS reports them, init errors,
// the console patch (Text and JSON) and Stratus's end-of-invocation markers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startRuntime as startStandIn, type Runtime } from "./runtime-api-stand-in.js";
import { waitUntil } from "../../helpers/wait.js";
import { startGate } from "./gate.js";

const RUNTIME = fileURLToPath(new URL("../../../runtimes/node/index.mjs", import.meta.url));

// Writes the function's files into a fresh temp dir and starts the runtime there against a stand-in Runtime API.
function startRuntime(files: Record<string, string>, handler: string, env: Record<string, string> = {}): Promise<Runtime> {
  return startStandIn({
    command: process.execPath,
    args: [RUNTIME],
    files,
    handler,
    prefix: "stratus-node-rt-",
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_LOG_STREAM_NAME: "2024/01/01/[$LATEST]abcdef",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      ...env,
    },
  });
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t([^\t]+)\t([A-Z]+)\t([\s\S]*)$/; // [\s\S]: the message may hold \r
const lines = (text: string) => text.split("\n").filter((l) => l && !l.startsWith("\x1e"));

test("ESM .mjs async handler: event in, result out; the time from spawn to the first /next", async () => {
  const rt = await startRuntime({ "index.mjs": "export const handler = async (event) => ({ got: event, node: process.version });" }, "index.handler");
  try {
    const firstNext = await rt.api.firstNext;
    console.log(`node runtime: spawn → first /next in ${(firstNext - rt.spawnedAt).toFixed(1)} ms`);
    const out = await rt.invoke({ a: 1 });
    assert.equal(out.kind, "response");
    assert.deepEqual(out.body, { got: { a: 1 }, node: process.version });
  } finally {
    rt.close();
  }
});

test("CommonJS .js with module.exports and callback style; undefined result becomes null", async () => {
  const rt = await startRuntime(
    {
      "index.js": `
        const helper = (x) => x * 2;
        module.exports = {
          handler(event, context, callback) { setTimeout(() => callback(null, { doubled: helper(event.n) }), 5); },
          empty: async () => undefined,
          legacy(event, context) { context.succeed({ legacy: true }); },
          legacyFail(event, context) { context.fail(new Error("nope")); },
        };`,
    },
    "index.handler",
  );
  try {
    assert.deepEqual((await rt.invoke({ n: 21 })).body, { doubled: 42 });
  } finally {
    rt.close();
  }
  for (const [name, expected] of [
    ["index.empty", { kind: "response", body: null }],
    ["index.legacy", { kind: "response", body: { legacy: true } }],
  ] as const) {
    const rt2 = await startRuntime({ "index.js": `module.exports = { empty: async () => undefined, legacy(e, c) { c.succeed({ legacy: true }); } };` }, name);
    try {
      const out = await rt2.invoke({});
      assert.equal(out.kind, expected.kind);
      assert.deepEqual(out.body, expected.body);
    } finally {
      rt2.close();
    }
  }
});

test("callbackWaitsForEmptyEventLoop: the answer waits for pending timers unless set to false", async () => {
  const src = `
    exports.wait = (event, context, callback) => { setTimeout(() => { globalThis.flag = "timer ran"; }, 150); callback(null, Date.now()); };
    exports.nowait = (event, context, callback) => { context.callbackWaitsForEmptyEventLoop = false; setTimeout(() => {}, 60_000); callback(null, "fast"); };`;
  const rt = await startRuntime({ "index.js": src }, "index.wait");
  try {
    const started = Date.now();
    await rt.invoke({});
    assert.ok(Date.now() - started >= 140, "the response came only once the timer had run");
  } finally {
    rt.close();
  }
  const rt2 = await startRuntime({ "index.js": src }, "index.nowait");
  try {
    const started = Date.now();
    assert.deepEqual((await rt2.invoke({})).body, "fast");
    // Not after the pending minute-long timer: however slow the machine, far sooner than that.
    assert.ok(Date.now() - started < 30_000, `answered after ${Date.now() - started} ms`);
  } finally {
    rt2.close();
  }
});

test("nested handler path src/app.handler and a nested property path index.a.b", async () => {
  const rt = await startRuntime({ "src/app.mjs": "export async function handler() { return 'nested'; }" }, "src/app.handler");
  try {
    assert.deepEqual((await rt.invoke({})).body, "nested");
  } finally {
    rt.close();
  }
  const rt2 = await startRuntime({ "index.cjs": "exports.a = { b: async () => 'deep' };" }, "index.a.b");
  try {
    assert.deepEqual((await rt2.invoke({})).body, "deep");
  } finally {
    rt2.close();
  }
});

test("context fields, getRemainingTimeInMillis, client context, identity and the trace id", async () => {
  const rt = await startRuntime(
    {
      "index.mjs": `export const handler = async (event, context) => ({
        keys: Object.keys(context),
        functionName: context.functionName, functionVersion: context.functionVersion,
        invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
        awsRequestId: context.awsRequestId, logGroupName: context.logGroupName, logStreamName: context.logStreamName,
        identity: context.identity ?? "absent", clientContext: context.clientContext ?? "absent",
        remaining: context.getRemainingTimeInMillis(), waits: context.callbackWaitsForEmptyEventLoop,
        trace: process.env._X_AMZN_TRACE_ID ?? "absent",
      });`,
    },
    "index.handler",
  );
  try {
    const first = await rt.invoke(
      {},
      {
        "lambda-runtime-client-context": JSON.stringify({ custom: { k: "v" } }),
        "lambda-runtime-cognito-identity": JSON.stringify({ cognitoIdentityId: "id-1", cognitoIdentityPoolId: "pool-1" }),
        "lambda-runtime-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        // A minute (the stand-in's default is 30 s): the runtime's start-up, slow on a loaded machine, comes off it.
        "lambda-runtime-deadline-ms": String(Date.now() + 60_000),
      },
      "req-1",
    );
    const b = first.body;
    assert.equal(b.functionName, "fn");
    assert.equal(b.functionVersion, "$LATEST");
    assert.equal(b.invokedFunctionArn, "arn:aws:lambda:us-east-1:123456789012:function:fn");
    assert.equal(b.memoryLimitInMB, "256");
    assert.equal(b.awsRequestId, "req-1");
    assert.equal(b.logGroupName, "/aws/lambda/fn");
    assert.equal(b.logStreamName, "2024/01/01/[$LATEST]abcdef");
    assert.deepEqual(b.identity, { cognitoIdentityId: "id-1", cognitoIdentityPoolId: "pool-1" });
    assert.deepEqual(b.clientContext, { custom: { k: "v" } });
    assert.ok(b.remaining > 30_000 && b.remaining <= 60_000, String(b.remaining));
    assert.equal(b.waits, true);
    assert.equal(b.trace, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
    for (const k of ["callbackWaitsForEmptyEventLoop", "done", "succeed", "fail", "getRemainingTimeInMillis"]) assert.ok(b.keys.includes(k), k);

    const second = await rt.invoke({});
    assert.equal(second.body.identity, "absent");
    assert.equal(second.body.clientContext, "absent");
    assert.equal(second.body.trace, "absent", "the trace id does not leak into the next invocation");
  } finally {
    rt.close();
  }
});

test("sequential invocations reuse the process: module state persists, /next is called once per invocation", async () => {
  const rt = await startRuntime({ "index.mjs": "let count = 0; export const handler = async () => ({ count: ++count, pid: process.pid });" }, "index.handler");
  try {
    const a = await rt.invoke({});
    const b = await rt.invoke({});
    const c = await rt.invoke({});
    assert.deepEqual([a.body.count, b.body.count, c.body.count], [1, 2, 3]);
    assert.equal(a.body.pid, rt.child.pid);
    assert.equal(c.body.pid, rt.child.pid);
    // After its third answer the runtime asks for a fourth event (and no more).
    await waitUntil(() => rt.api.nextRequests >= 4, "the fourth /next");
    assert.equal(rt.api.nextRequests, 4);
  } finally {
    rt.close();
  }
});

test("a thrown Error, a rejected promise, callback(err) and a thrown string post /error as AWS shapes them", async () => {
  const rt = await startRuntime(
    {
      "index.mjs": `
        class ValidationError extends Error { constructor(m) { super(m); this.name = "ValidationError"; } }
        let n = 0;
        export const handler = (event, context, callback) => {
          n++;
          if (event.mode === "throw") throw new ValidationError("bad input");
          if (event.mode === "reject") return Promise.reject(new TypeError("rejected"));
          if (event.mode === "callback") return callback(new Error("via callback"));
          if (event.mode === "string") throw "just a string";
          return Promise.resolve({ ok: n });
        };`,
    },
    "index.handler",
  );
  try {
    const thrown = await rt.invoke({ mode: "throw" }, {}, "req-throw");
    assert.equal(thrown.kind, "error");
    assert.equal(thrown.errorTypeHeader, "ValidationError");
    assert.equal(thrown.body.errorType, "ValidationError");
    assert.equal(thrown.body.errorMessage, "bad input");
    assert.ok(Array.isArray(thrown.body.trace));
    assert.equal(thrown.body.trace[0], "ValidationError: bad input");
    assert.match(thrown.body.trace[1], /^\s+at handler \(file:\/\//);

    await rt.waitForBoth("\x1eSTRATUS-END req-throw\n");
    const invokeError = lines(rt.stdout()).find((l) => l.includes("Invoke Error"))!;
    const m = LINE.exec(invokeError)!;
    assert.equal(m[2], "req-throw");
    assert.equal(m[3], "ERROR");
    assert.ok(m[4].startsWith("Invoke Error \t{"), m[4]);
    const logged = JSON.parse(m[4].slice("Invoke Error \t".length).replace(/\r/g, "\n"));
    assert.equal(logged.errorType, "ValidationError");
    assert.equal(logged.errorMessage, "bad input");
    assert.equal(logged.stack[0], "ValidationError: bad input");

    const rejected = await rt.invoke({ mode: "reject" });
    assert.equal(rejected.errorTypeHeader, "TypeError");
    assert.equal(rejected.body.errorMessage, "rejected");
    const viaCallback = await rt.invoke({ mode: "callback" });
    assert.equal(viaCallback.body.errorType, "Error");
    assert.equal(viaCallback.body.errorMessage, "via callback");
    const str = await rt.invoke({ mode: "string" });
    assert.deepEqual(str.body, { errorType: "string", errorMessage: "just a string", trace: [] });
    assert.equal(str.errorTypeHeader, "string");

    const ok = await rt.invoke({});
    assert.deepEqual(ok.body, { ok: 5 }, "errors do not end the process");
  } finally {
    rt.close();
  }
});

test("a result that cannot be serialized fails the invocation", async () => {
  const rt = await startRuntime({ "index.mjs": "export const handler = async () => { const o = {}; o.self = o; return o; };" }, "index.handler");
  try {
    const out = await rt.invoke({});
    assert.equal(out.kind, "error");
    assert.equal(out.body.errorMessage, "Unable to stringify response body");
  } finally {
    rt.close();
  }
});

async function initFailure(files: Record<string, string>, handler: string) {
  const rt = await startRuntime(files, handler);
  try {
    const posted = await rt.api.initErrorPosted;
    const code = await rt.exited;
    await rt.waitForBoth("\x1eSTRATUS-INIT-ERROR\n");
    return { posted, code, rt, stdout: rt.stdout() };
  } finally {
    rt.close();
  }
}

test("missing module → Runtime.ImportModuleError via /init/error, exit 1, no /next", async () => {
  const { posted, code, rt, stdout } = await initFailure({ "other.mjs": "export const handler = async () => 1;" }, "index.handler");
  assert.equal(code, 1);
  assert.equal(rt.api.nextRequests, 0);
  assert.equal(posted.errorTypeHeader, "Runtime.ImportModuleError");
  assert.equal(posted.body.errorType, "Runtime.ImportModuleError");
  assert.equal(posted.body.errorMessage, `Error: Cannot find module 'index'\nRequire stack:\n- ${RUNTIME}`);
  assert.equal(posted.body.trace[0], "Runtime.ImportModuleError: Error: Cannot find module 'index'");
  const line = lines(stdout).find((l) => l.includes("Uncaught Exception"))!;
  const m = LINE.exec(line)!;
  assert.equal(m[2], "undefined");
  assert.equal(m[3], "ERROR");
  assert.ok(m[4].startsWith("Uncaught Exception \t{"));
  assert.equal(JSON.parse(m[4].slice("Uncaught Exception \t".length).replace(/\r/g, "\n")).errorType, "Runtime.ImportModuleError");

  // An ESM import of a package that is not there is an ImportModuleError too.
  const dep = await initFailure({ "index.mjs": "import x from 'no-such-package-here'; export const handler = async () => x;" }, "index.handler");
  assert.equal(dep.posted.body.errorType, "Runtime.ImportModuleError");
  assert.match(dep.posted.body.errorMessage, /^Error \[ERR_MODULE_NOT_FOUND\]: Cannot find package 'no-such-package-here' imported from /);
});

test("handler not exported → Runtime.HandlerNotFound; not a function; malformed handler name", async () => {
  const nf = await initFailure({ "index.mjs": "export const other = async () => 1;" }, "index.handler");
  assert.equal(nf.code, 1);
  assert.equal(nf.posted.body.errorType, "Runtime.HandlerNotFound");
  assert.equal(nf.posted.body.errorMessage, "index.handler is undefined or not exported");
  assert.equal(nf.rt.api.nextRequests, 0);

  const notFn = await initFailure({ "index.mjs": "export const handler = 42;" }, "index.handler");
  assert.equal(notFn.posted.body.errorType, "Runtime.HandlerNotFound");
  assert.equal(notFn.posted.body.errorMessage, "index.handler is not a function");

  const bad = await initFailure({ "index.mjs": "export const handler = async () => 1;" }, "index");
  assert.equal(bad.posted.body.errorType, "Runtime.MalformedHandlerName");
  assert.equal(bad.posted.body.errorMessage, "Bad handler");
});

test("syntax error → Runtime.UserCodeSyntaxError; another throw at import keeps its own name", async () => {
  const syn = await initFailure({ "index.mjs": "export const handler = async () => { return 1;; }}" }, "index.handler");
  assert.equal(syn.code, 1);
  assert.equal(syn.posted.body.errorType, "Runtime.UserCodeSyntaxError");
  assert.match(syn.posted.body.errorMessage, /^SyntaxError: /);
  assert.equal(syn.posted.errorTypeHeader, "Runtime.UserCodeSyntaxError");

  const cjsSyn = await initFailure({ "index.js": "exports.handler = function( {" }, "index.handler");
  assert.equal(cjsSyn.posted.body.errorType, "Runtime.UserCodeSyntaxError");

  const thrown = await initFailure({ "index.mjs": "throw new RangeError('config missing'); export const handler = 1;" }, "index.handler");
  assert.equal(thrown.posted.body.errorType, "RangeError");
  assert.equal(thrown.posted.body.errorMessage, "config missing");
});

test("console output: one Text line per call, \\n → \\r, levels, and END markers on both streams", async () => {
  const rt = await startRuntime(
    {
      "index.mjs": `
        console.log("at init");
        export const handler = async (event) => {
          console.log("hello %s", "world", { a: 1 });
          console.info("line one\\nline two");
          console.warn("careful");
          console.error(new Error("shown"));
          console.debug("dbg");
          console.trace("trc");
          process.stderr.write("raw stderr\\n");
          return "ok";
        };`,
    },
    "index.handler",
  );
  try {
    await rt.invoke({}, {}, "req-log");
    await rt.waitForBoth("\x1eSTRATUS-END req-log\n");
    const out = rt.stdout();
    // The marker is the last thing written for the invocation on both streams.
    assert.ok(out.endsWith("\x1eSTRATUS-END req-log\n"));
    assert.ok(rt.stderr().endsWith("raw stderr\n\x1eSTRATUS-END req-log\n"));
    const parsed = lines(out).map((l) => {
      const m = LINE.exec(l);
      assert.ok(m, JSON.stringify(l));
      return { id: m[2], level: m[3], msg: m[4] };
    });
    assert.deepEqual(parsed[0], { id: "undefined", level: "INFO", msg: "at init" });
    assert.deepEqual(
      parsed.slice(1, 4).map((p) => [p.id, p.level, p.msg]),
      [
        ["req-log", "INFO", "hello world { a: 1 }"],
        ["req-log", "INFO", "line one\rline two"],
        ["req-log", "WARN", "careful"],
      ],
    );
    assert.equal(parsed[4].level, "ERROR");
    assert.match(parsed[4].msg, /^Error: shown\r {4}at handler /);
    assert.ok(!parsed[4].msg.includes("\n"));
    assert.deepEqual(
      parsed.slice(5).map((p) => [p.level, p.msg]),
      [
        ["DEBUG", "dbg"],
        ["TRACE", "trc"],
      ],
    );
  } finally {
    rt.close();
  }
});

test("JSON log format: one object per line; AWS_LAMBDA_LOG_LEVEL filters", async () => {
  const rt = await startRuntime(
    {
      "index.mjs": `export const handler = async () => {
        console.debug("hidden");
        console.info("two\\nlines %d", 2);
        console.warn({ structured: true });
        throw new Error("json boom");
      };`,
    },
    "index.handler",
    { AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: "INFO" },
  );
  try {
    const out = await rt.invoke({}, {}, "req-json");
    assert.equal(out.body.errorType, "Error");
    await rt.waitForBoth("\x1eSTRATUS-END req-json\n");
    const objs = lines(rt.stdout()).map((l) => JSON.parse(l));
    assert.equal(objs.length, 3);
    assert.match(objs[0].timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual({ ...objs[0], timestamp: 0 }, { timestamp: 0, level: "INFO", requestId: "req-json", message: "two\nlines 2" });
    assert.deepEqual({ ...objs[1], timestamp: 0 }, { timestamp: 0, level: "WARN", requestId: "req-json", message: { structured: true } });
    assert.equal(objs[2].level, "ERROR");
    assert.match(objs[2].message, /^Invoke Error Error: json boom/);
    assert.equal(objs[2].errorType, "Error");
    assert.equal(objs[2].errorMessage, "json boom");
  } finally {
    rt.close();
  }
});

test("an unhandled rejection during an invocation is posted for it, then the process exits", async () => {
  const rt = await startRuntime(
    {
      "index.mjs": `export const handler = async () => {
        Promise.reject(new Error("floating boom"));
        await new Promise((r) => setTimeout(r, 2000));
        return "too late";
      };`,
    },
    "index.handler",
  );
  try {
    const out = await rt.invoke({}, {}, "req-rej");
    assert.equal(out.kind, "error");
    assert.equal(out.errorTypeHeader, "Runtime.UnhandledPromiseRejection");
    assert.equal(out.body.errorType, "Runtime.UnhandledPromiseRejection");
    assert.equal(out.body.errorMessage, "Error: floating boom");
    const code = await rt.exited;
    assert.equal(code, 128);
    await rt.waitForBoth("\x1eSTRATUS-END req-rej\n");
    assert.match(
      rt.stdout(),
      /\treq-rej\tERROR\tUnhandled Promise Rejection \t\{"errorType":"Runtime.UnhandledPromiseRejection","errorMessage":"Error: floating boom"/,
    );
  } finally {
    rt.close();
  }
});

test("an uncaught exception during an invocation is posted with its own type, exit 129", async () => {
  const rt = await startRuntime(
    { "index.js": "exports.handler = (e, c, cb) => { setTimeout(() => { throw new TypeError('timer blew up'); }, 5); };" },
    "index.handler",
  );
  try {
    const out = await rt.invoke({});
    assert.equal(out.body.errorType, "TypeError");
    assert.equal(out.body.errorMessage, "timer blew up");
    assert.equal(await rt.exited, 129);
  } finally {
    rt.close();
  }
});

// ---------------------------------------------------------------------------------------------------------
// Response streaming (awslambda.streamifyResponse): a chunked POST /response, sent as the handler writes.

const STREAMING_SRC = `
  import { pipeline } from "node:stream/promises";
  import { Readable } from "node:stream";
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  export const chunks = awslambda.streamifyResponse(async (event, responseStream, context) => {
    console.log("streaming for", context.awsRequestId, typeof context.succeed);
    for (const [i, part] of ["one ", "two ", "three"].entries()) {
      // The test lets it past once the previous write arrived (or, were it never to, after 10 s: no hang).
      if (i && event.gate) await fetch(event.gate + i, { signal: AbortSignal.timeout(10_000) }).catch(() => {});
      responseStream.write(part);
    }
    responseStream.end();
    console.log("after end");
  });
  export const http = awslambda.streamifyResponse(async (event, responseStream) => {
    const s = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { "x-custom": "yes" } });
    await pipeline(Readable.from(["<p>", "hi", "</p>"]), s);
  });
  export const fails = awslambda.streamifyResponse(async (event, responseStream) => {
    if (event.before) throw new TypeError("before writing");
    responseStream.write("partial");
    await sleep(50);
    throw new RangeError("mid-stream");
  });
  export const typed = awslambda.streamifyResponse(async (event, responseStream) => {
    responseStream.setContentType("text/plain; charset=utf-8");
    responseStream.write("plain text");
    try { responseStream.setContentType("text/html"); } catch (err) { responseStream.write(" / " + err.name + ": " + err.message); }
    // left open: the runtime ends it once the handler has resolved
  });
  export const plain = async (event) => ({ buffered: event, streaming: Symbol.for("aws.lambda.runtime.handler.streaming") in plain });
`;

const TRAILER = "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body";

test("streaming: three writes, each made once the previous one arrived, arrive as three chunks; marker after every log line", async () => {
  const rt = await startRuntime({ "index.mjs": STREAMING_SRC }, "index.chunks");
  const gate = await startGate();
  try {
    // The handler's next write waits until the stand-in has read the previous chunk: streamed, not buffered.
    let read = 0;
    rt.api.onData = (url) => url.endsWith("/req-stream/response") && gate.open(++read);
    const out = await rt.invoke({ gate: gate.url }, {}, "req-stream");
    assert.equal(out.kind, "response");
    const s = out.streamed!;
    assert.ok(s, "the response was streamed");
    assert.equal(s.responseMode, "streaming");
    assert.equal(s.transferEncoding, "chunked");
    assert.equal(s.contentType, "application/octet-stream");
    assert.equal(s.trailerHeader, TRAILER);
    assert.deepEqual(s.trailers, {});
    assert.equal(s.body.toString(), "one two three");
    assert.deepEqual(
      s.chunks.map((c) => c.data.toString()),
      ["one ", "two ", "three"],
    );

    await rt.waitForBoth("\x1eSTRATUS-END req-stream\n");
    assert.ok(rt.stdout().endsWith("\tINFO\tafter end\n\x1eSTRATUS-END req-stream\n"), JSON.stringify(rt.stdout()));
    assert.match(rt.stdout(), /\treq-stream\tINFO\tstreaming for req-stream undefined\n/);

    // The process goes on to the next invocation.
    const again = await rt.invoke({});
    assert.equal(again.streamed!.body.toString(), "one two three");
  } finally {
    gate.close();
    rt.close();
  }
});

test("streaming: HttpResponseStream.from sends the http-integration content type, prelude and 8 NULs, then the body", async () => {
  const rt = await startRuntime({ "index.mjs": STREAMING_SRC }, "index.http");
  try {
    const s = (await rt.invoke({})).streamed!;
    assert.equal(s.contentType, "application/vnd.awslambda.http-integration-response");
    const prelude = JSON.stringify({ statusCode: 201, headers: { "x-custom": "yes" } });
    assert.deepEqual(s.body, Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from("<p>hi</p>")]));
    assert.deepEqual(s.trailers, {});
  } finally {
    rt.close();
  }
});

test("streaming: a throw after a chunk ends the body with the error trailers; before writing too", async () => {
  const rt = await startRuntime({ "index.mjs": STREAMING_SRC }, "index.fails");
  try {
    const out = await rt.invoke({}, {}, "req-fail");
    assert.equal(out.kind, "response");
    const s = out.streamed!;
    assert.equal(s.body.toString(), "partial");
    assert.equal(s.trailers["lambda-runtime-function-error-type"], "RangeError");
    const body = JSON.parse(Buffer.from(s.trailers["lambda-runtime-function-error-body"], "base64").toString("utf8"));
    assert.equal(body.errorType, "RangeError");
    assert.equal(body.errorMessage, "mid-stream");
    assert.equal(body.trace[0], "RangeError: mid-stream");
    assert.deepEqual(Object.keys(body), ["errorType", "errorMessage", "trace"]);

    await rt.waitForBoth("\x1eSTRATUS-END req-fail\n");
    const invokeError = lines(rt.stdout()).find((l) => l.includes("Invoke Error"))!;
    const m = LINE.exec(invokeError)!;
    assert.equal(m[2], "req-fail");
    assert.equal(m[3], "ERROR");
    assert.equal(JSON.parse(m[4].slice("Invoke Error \t".length).replace(/\r/g, "\n")).errorMessage, "mid-stream");
    assert.ok(rt.stdout().endsWith("\x1eSTRATUS-END req-fail\n"));

    const before = (await rt.invoke({ before: true })).streamed!;
    assert.equal(before.body.length, 0);
    assert.equal(before.trailers["lambda-runtime-function-error-type"], "TypeError");
    assert.equal(JSON.parse(Buffer.from(before.trailers["lambda-runtime-function-error-body"], "base64").toString()).errorMessage, "before writing");
  } finally {
    rt.close();
  }
});

test("streaming: setContentType before the first write; a stream left open is ended for the handler", async () => {
  const rt = await startRuntime({ "index.mjs": STREAMING_SRC }, "index.typed");
  try {
    const s = (await rt.invoke({})).streamed!;
    assert.equal(s.contentType, "text/plain; charset=utf-8");
    assert.equal(s.body.toString(), "plain text / Runtime.InvalidStreamingOperation: Cannot set content-type, too late.");
    assert.deepEqual(s.trailers, {});
  } finally {
    rt.close();
  }
});

test("streaming: a plain handler in the same file is still buffered", async () => {
  const rt = await startRuntime({ "index.mjs": STREAMING_SRC }, "index.plain");
  try {
    const out = await rt.invoke({ x: 1 });
    assert.equal(out.streamed, undefined);
    assert.equal(out.headers["lambda-runtime-function-response-mode"], undefined);
    assert.equal(out.headers["content-type"], "application/json");
    assert.deepEqual(out.body, { buffered: { x: 1 }, streaming: false });
  } finally {
    rt.close();
  }
});

test("streaming: an uncaught exception mid-stream ends the body with its trailers, then exit 129", async () => {
  const rt = await startRuntime(
    {
      "index.mjs": `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
        responseStream.write("started");
        setTimeout(() => { throw new TypeError("timer blew up"); }, 20);
        await new Promise(() => {});
      });`,
    },
    "index.handler",
  );
  try {
    const s = (await rt.invoke({}, {}, "req-crash")).streamed!;
    assert.equal(s.body.toString(), "started");
    assert.equal(s.trailers["lambda-runtime-function-error-type"], "TypeError");
    assert.equal(JSON.parse(Buffer.from(s.trailers["lambda-runtime-function-error-body"], "base64").toString()).errorMessage, "timer blew up");
    assert.equal(await rt.exited, 129);
    await rt.waitForBoth("\x1eSTRATUS-END req-crash\n");
    assert.match(rt.stdout(), /\treq-crash\tERROR\tUncaught Exception \t\{"errorType":"TypeError"/);
  } finally {
    rt.close();
  }
});
