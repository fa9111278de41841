// Invoke through the real SDK v3 client: Node.js, Python and custom runtimes running as local processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateFunctionCommand, InvokeCommand, PublishLayerVersionCommand } from "@aws-sdk/client-lambda";
import { existsSync, readdirSync } from "node:fs";
import { optMountAvailable } from "../../../src/services/lambda/engine/launch.js";
import { CloudWatchLogsClient, DescribeLogStreamsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing } from "../../helpers/python.js";
import { waitUntil } from "../../helpers/wait.js";
import { createFunction, json, lambdaEnv, payload, zip } from "./setup.js";

const server = useServer();

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
  assert.match(log, /^INIT_START Runtime Version: nodejs:20.v1\t[^\n]*\nSTART RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  assert.match(log, /REPORT RequestId: .*Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/);
});

test("a Python function runs with AWS's context object and logging", { skip: pythonMissing([]) }, async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "py",
    Runtime: "python3.12",
    Handler: "app.handler",
    code: {
      "app.py": [
        "import logging, os",
        "logger = logging.getLogger()",
        "logger.setLevel(logging.INFO)",
        "def handler(event, context):",
        "    logger.info('got %s', event)",
        "    print('plain print')",
        "    return {'name': context.function_name, 'arn': context.invoked_function_arn, 'mem': context.memory_limit_in_mb,",
        "            'left': context.get_remaining_time_in_millis(), 'region': os.environ['AWS_REGION'], 'event': event}",
      ].join("\n"),
    },
  });
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "py", Payload: payload({ x: [1, 2] }), LogType: "Tail" }));
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
  const body = json(out.Payload);
  assert.equal(body.name, "py");
  assert.equal(body.arn, `arn:aws:lambda:us-east-1:${env.account}:function:py`);
  assert.equal(String(body.mem), "128");
  assert.ok(body.left > 0 && body.left <= 3000);
  assert.equal(body.region, "us-east-1");
  assert.deepEqual(body.event, { x: [1, 2] });
  const log = Buffer.from(out.LogResult!, "base64").toString("utf8");
  assert.match(log, /\[INFO\]\t\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tgot \{'x': \[1, 2\]\}\n/);
  assert.match(log, /\nplain print\n/);
});

test("a custom runtime runs its own bootstrap against the Runtime API", async () => {
  const env = await lambdaEnv(server);
  const bootstrap = [
    "#!/bin/sh",
    "set -eu",
    "while true; do",
    "  HEADERS=$(mktemp)",
    '  EVENT=$(curl -sS -D "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")',
    "  REQUEST_ID=$(grep -i Lambda-Runtime-Aws-Request-Id \"$HEADERS\" | tr -d '[:space:]' | cut -d: -f2)",
    '  echo "custom runtime handling $REQUEST_ID"',
    '  curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" -d "{\\"echo\\":$EVENT,\\"handler\\":\\"$_HANDLER\\"}" >/dev/null',
    "done",
  ].join("\n");
  await env.lambda.send(
    new CreateFunctionCommand({
      FunctionName: "custom",
      Runtime: "provided.al2023",
      Handler: "my.handler",
      Role: env.role,
      Code: { ZipFile: zip([{ name: "bootstrap", data: bootstrap, mode: 0o755 }]) },
    }),
  );
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "custom", Payload: payload({ n: 7 }), LogType: "Tail" }));
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
  assert.deepEqual(json(out.Payload), { echo: { n: 7 }, handler: "my.handler" });
  assert.match(Buffer.from(out.LogResult!, "base64").toString("utf8"), /custom runtime handling [0-9a-f-]{36}/);
});

test("errors: a thrown error, a missing module, a crash, a timeout and running out of memory are reported as AWS reports them", async () => {
  const env = await lambdaEnv(server);
  const fn = async (name: string, body: string, extra: Record<string, unknown> = {}) =>
    createFunction(env, { FunctionName: name, code: { "index.mjs": body }, ...extra });
  await fn("throws", "export const handler = async () => { throw new TypeError('bad input'); };");
  let out = await env.lambda.send(new InvokeCommand({ FunctionName: "throws" }));
  assert.equal(out.StatusCode, 200);
  assert.equal(out.FunctionError, "Unhandled");
  let body = json(out.Payload);
  assert.equal(body.errorType, "TypeError");
  assert.equal(body.errorMessage, "bad input");
  assert.ok(Array.isArray(body.trace));

  await createFunction(env, { FunctionName: "nomodule", Handler: "missing.handler" });
  out = await env.lambda.send(new InvokeCommand({ FunctionName: "nomodule" }));
  assert.equal(out.FunctionError, "Unhandled");
  body = json(out.Payload);
  assert.equal(body.errorType, "Runtime.ImportModuleError");
  assert.match(body.errorMessage, /Cannot find module 'missing'/);

  await fn("crash", "export const handler = async () => { process.exit(3); };");
  out = await env.lambda.send(new InvokeCommand({ FunctionName: "crash" }));
  body = json(out.Payload);
  assert.equal(out.FunctionError, "Unhandled");
  assert.equal(body.errorType, "Runtime.ExitError");
  assert.match(body.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);

  await fn("slow", "export const handler = async () => { await new Promise((r) => setTimeout(r, 60_000)); return 'late'; };", { Timeout: 1 });
  const t0 = Date.now();
  out = await env.lambda.send(new InvokeCommand({ FunctionName: "slow", LogType: "Tail" }));
  const took = Date.now() - t0;
  body = json(out.Payload);
  assert.equal(out.FunctionError, "Unhandled");
  assert.equal(body.errorType, "Sandbox.Timedout");
  assert.match(body.errorMessage, /Task timed out after 1\.00 seconds/);
  // At least the 1 s timeout; far less than the handler's own minute (a cold start on a loaded machine is slow).
  assert.ok(took >= 1000 && took < 30_000, `timed out after ${took} ms`);
  assert.match(Buffer.from(out.LogResult!, "base64").toString("utf8"), /Task timed out after 1\.00 seconds[\s\S]*REPORT .*Status: timeout/);

  await fn(
    "hog",
    "export const handler = async () => { const keep = []; for (let i = 0; i < 40; i++) keep.push(Buffer.alloc(8 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 2000)); return keep.length; };",
    { Timeout: 10 },
  );
  out = await env.lambda.send(new InvokeCommand({ FunctionName: "hog" }));
  body = json(out.Payload);
  assert.equal(out.FunctionError, "Unhandled");
  assert.equal(body.errorType, "Runtime.OutOfMemory");
  assert.match(body.errorMessage, /Runtime exited with error: signal: killed/);

  // Each failure cost only its own environment: the functions still run.
  await fn("ok-after", "export const handler = async () => 'fine';");
  assert.equal(json((await env.lambda.send(new InvokeCommand({ FunctionName: "ok-after" }))).Payload), "fine");
});

test("the function's environment: AWS's variables, its own, and credentials of its role that work against Stratus", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "whoami",
    Environment: { Variables: { GREETING: "hello" } },
    MemorySize: 256,
    code: {
      "index.mjs": [
        'import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";',
        "export const handler = async (event, context) => {",
        "  const id = await new STSClient({}).send(new GetCallerIdentityCommand({}));",
        "  const e = process.env;",
        "  return { arn: id.Arn, account: id.Account, name: e.AWS_LAMBDA_FUNCTION_NAME, version: e.AWS_LAMBDA_FUNCTION_VERSION, memory: e.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,",
        "    group: e.AWS_LAMBDA_LOG_GROUP_NAME, stream: e.AWS_LAMBDA_LOG_STREAM_NAME, handler: e._HANDLER, root: e.LAMBDA_TASK_ROOT, cwd: process.cwd(),",
        "    region: e.AWS_REGION, greeting: e.GREETING, endpoint: e.AWS_ENDPOINT_URL, ctxMem: context.memoryLimitInMB, requestId: context.awsRequestId, tmp: e.TMPDIR };",
        "};",
      ].join("\n"),
    },
  });
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "whoami" }));
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
  const b = json(out.Payload);
  assert.equal(b.arn, `arn:aws:sts::${env.account}:assumed-role/lambda-role/whoami`);
  assert.equal(b.account, env.account);
  assert.equal(b.name, "whoami");
  assert.equal(b.version, "$LATEST");
  assert.equal(b.memory, "256");
  assert.equal(b.ctxMem, "256");
  assert.equal(b.group, "/aws/lambda/whoami");
  assert.match(b.stream, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.equal(b.handler, "index.handler");
  assert.equal(b.root, b.cwd);
  assert.equal(b.region, "us-east-1");
  assert.equal(b.greeting, "hello");
  assert.equal(b.endpoint, server.url);
  assert.match(b.requestId, /^[0-9a-f-]{36}$/);
  assert.ok(b.tmp);
});

test("Invoke's own checks: DryRun, bad JSON, payload limit, runtimes that cannot run here, reserved names", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "fn" });
  const dry = await env.lambda.send(new InvokeCommand({ FunctionName: "fn", InvocationType: "DryRun" }));
  assert.equal(dry.StatusCode, 204);
  await rejects(env.lambda.send(new InvokeCommand({ FunctionName: "fn", Payload: Buffer.from("{not json") })), "InvalidRequestContentException", 400);
  await rejects(env.lambda.send(new InvokeCommand({ FunctionName: "fn", Payload: Buffer.alloc(6_291_457, 32) })), "RequestTooLargeException", 413);
  await rejects(env.lambda.send(new InvokeCommand({ FunctionName: "nope" })), "ResourceNotFoundException", 404);

  await env.lambda.send(
    new CreateFunctionCommand({ FunctionName: "java", Runtime: "java21", Handler: "x::y", Role: env.role, Code: { ZipFile: zip({ "a.txt": "x" }) } }),
  );
  await rejects(env.lambda.send(new InvokeCommand({ FunctionName: "java" })), "InvalidRuntimeException", 502, /java21/);
  await env.lambda.send(
    new CreateFunctionCommand({
      FunctionName: "image",
      PackageType: "Image",
      Role: env.role,
      Code: { ImageUri: `${env.account}.dkr.ecr.us-east-1.amazonaws.com/app:latest` },
    }),
  );
  await rejects(env.lambda.send(new InvokeCommand({ FunctionName: "image" })), "InvalidRuntimeException", 502, /container image/);

  await rejects(
    env.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "old",
        Runtime: "nodejs16.x",
        Handler: "index.handler",
        Role: env.role,
        Code: { ZipFile: zip({ "index.js": "" }) },
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
  await rejects(
    env.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "norole",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: `arn:aws:iam::${env.account}:role/missing`,
        Code: { ZipFile: zip({ "index.js": "" }) },
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
  await rejects(
    env.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "badzip",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: env.role,
        Code: { ZipFile: Buffer.from("not a zip") },
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
  await rejects(
    env.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "fn",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: env.role,
        Code: { ZipFile: zip({ "index.js": "" }) },
      }),
    ),
    "ResourceConflictException",
    409,
  );
  await rejects(
    env.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "reserved",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: env.role,
        Environment: { Variables: { AWS_REGION: "x" } },
        Code: { ZipFile: zip({ "index.js": "" }) },
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
});

test("safety: a busy loop is killed at its timeout, a flood of output is capped, and the server keeps answering", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "spin", Timeout: 2, code: { "index.mjs": "export const handler = async () => { for (;;) {} };" } });
  await createFunction(env, {
    FunctionName: "flood",
    Timeout: 20,
    code: {
      "index.mjs":
        "export const handler = async () => { const line = 'x'.repeat(1023); for (let i = 0; i < 30 * 1024; i++) console.log(line); return 'done'; };",
    },
  });
  await createFunction(env, { FunctionName: "quick" });
  await env.lambda.send(new InvokeCommand({ FunctionName: "quick", Payload: payload({}) })); // warm: no spawn below
  const t0 = Date.now();
  let spinTook = 0;
  const spin = env.lambda.send(new InvokeCommand({ FunctionName: "spin" })).then((out) => ((spinTook = Date.now() - t0), out));
  const flood = env.lambda.send(new InvokeCommand({ FunctionName: "flood", LogType: "Tail" }));
  // Meanwhile the server answers other calls: a warm invoke is done while the busy loop still spins (it spins
  // for its 2 s timeout after its cold start), however slow the machine.
  const quick = await env.lambda.send(new InvokeCommand({ FunctionName: "quick", Payload: payload({}) }));
  const quickTook = Date.now() - t0;
  assert.equal(quick.FunctionError, undefined);
  assert.equal(spinTook, 0, "the quick invoke answered before the busy loop was killed");
  const s = await spin;
  assert.equal(json(s.Payload).errorType, "Sandbox.Timedout");
  assert.ok(spinTook >= 2000 && quickTook < spinTook, `quick ${quickTook} ms, spin ${spinTook} ms`);
  const f = await flood;
  assert.equal(json(f.Payload), "done");
  assert.match(Buffer.from(f.LogResult!, "base64").toString("utf8"), /REPORT RequestId/);
});

test("logs: the function's lines and the platform's reach /aws/lambda/<name>, with a warning when the local Node.js is older than the runtime", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "newer",
    Runtime: "nodejs24.x",
    code: { "index.mjs": "export const handler = async (e) => { console.log('hello', e); return 1; };" },
  });
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "newer", Payload: payload({ k: "v" }) }));
  assert.equal(json(out.Payload), 1);
  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  let messages: string[] = [];
  await waitUntil(async () => {
    const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/newer" })).catch(() => ({ events: [] }));
    messages = (events ?? []).map((e) => e.message!);
    return messages.some((m) => m.startsWith("REPORT"));
  }, "the REPORT line in the log group");
  const local = Number(process.versions.node.split(".")[0]);
  if (local < 24)
    assert.ok(
      messages.some((m) => m.includes("nodejs24.x asks for Node.js 24")),
      messages.join("\n"),
    );
  assert.ok(messages.some((m) => /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/.test(m)));
  assert.ok(
    messages.some((m) => /^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\thello \{ k: 'v' \}$/.test(m)),
    messages.join("\n"),
  );
  assert.ok(messages.some((m) => /^END RequestId: /.test(m)));
  assert.ok(messages.some((m) => /^REPORT RequestId: .*Init Duration/.test(m)));
  const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/newer" }));
  assert.match(logStreams![0]!.logStreamName!, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
});

test("a cold start logs INIT_START and the module's own output before START; a warm one does not", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "init-log",
    code: { "index.mjs": "console.log('loading module');\nexport const handler = async () => { console.log('handling'); return 1; };" },
  });
  const tail = async () =>
    Buffer.from((await env.lambda.send(new InvokeCommand({ FunctionName: "init-log", LogType: "Tail" }))).LogResult!, "base64").toString("utf8");
  const cold = (await tail()).split("\n");
  assert.match(cold[0]!, /^INIT_START Runtime Version: nodejs:20\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
  assert.match(cold[1]!, /\tINFO\tloading module$/);
  assert.match(cold[2]!, /^START RequestId: /);
  assert.match(cold[3]!, /\tINFO\thandling$/);
  const warm = (await tail()).split("\n");
  assert.match(warm[0]!, /^START RequestId: /);
  assert.ok(!warm.some((l) => l.startsWith("INIT_START") || l.includes("loading module")));
});

test("layers are mounted at /opt where the machine allows it (Linux mount namespaces): code that opens /opt/... finds them", {
  skip: optMountAvailable() ? false : "this machine does not allow unprivileged mount namespaces",
}, async () => {
  const env = await lambdaEnv(server);
  const layer = await env.lambda.send(
    new PublishLayerVersionCommand({
      LayerName: "data",
      Content: { ZipFile: zip({ "data/greeting.txt": "hello from /opt", "bin/tool": "#!/bin/sh\necho tool-ran" }) },
    }),
  );
  await createFunction(env, {
    FunctionName: "opt-reader",
    Layers: [layer.LayerVersionArn!],
    code: {
      "index.mjs":
        "import { readFileSync, existsSync } from 'node:fs';\nexport const handler = async () => ({ text: readFileSync('/opt/data/greeting.txt', 'utf8'), hostOptHidden: !existsSync('/opt/' + process.env.PROBE) });",
    },
    // Something the machine's own /opt holds (if anything): the function must not see it.
    Environment: { Variables: { PROBE: readdirSync("/opt")[0] ?? "nothing-here" } },
  });
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "opt-reader" }));
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
  assert.deepEqual(json(out.Payload), { text: "hello from /opt", hostOptHidden: true });
  // The machine's own /opt is untouched.
  assert.equal(existsSync("/opt/data/greeting.txt"), false);
});
