// runtimes/python/bootstrap.py, the Python runtime interface client, driven by a stand-in Runtime API
// (node:http on 127.0.0.1) instead of Stratus's own: handler loading, the context object, /response,
// /error and /init/error bodies, AWS's logging format, and the completion markers on stdout and stderr.
// STRATUS_TEST_PYTHON=/path/to/python runs it against another interpreter (default: python3).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FUNCTION_ARN as ARN, startRuntime, type Runtime } from "./runtime-api-stand-in.js";

const BOOTSTRAP = resolve(dirname(fileURLToPath(import.meta.url)), "../../../runtimes/python/bootstrap.py");

// The real interpreter behind python3 (a pyenv shim would add its own start-up to the timings).
const PYTHON = (() => {
  const found = spawnSync(process.env.STRATUS_TEST_PYTHON ?? "python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
})();
const noPython = !PYTHON && "python3 not installed";
const noBoto3 = noPython || (spawnSync(PYTHON!, ["-c", "import boto3"], { stdio: "ignore" }).status !== 0 && "boto3 not installed");

const TS = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

const cleanups: (() => void)[] = [];
after(() => cleanups.forEach((c) => c()));

/** Writes files into a fresh code directory and starts bootstrap.py on it against a new stand-in API. */
async function start(files: Record<string, string>, handler: string, env: Record<string, string> = {}): Promise<Runtime> {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (/^(AWS_|_HANDLER$|_X_AMZN|LAMBDA_|PYTHON)/.test(k)) delete base[k];
  const rt = await startRuntime({
    command: PYTHON!,
    args: ["-u", BOOTSTRAP],
    files,
    handler,
    prefix: "stratus-py-",
    env: (dir) => ({
      ...base,
      PYTHONPATH: dir,
      AWS_LAMBDA_LOG_STREAM_NAME: "2024/01/01/[$LATEST]abc",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
      AWS_SESSION_TOKEN: "token",
      AWS_ENDPOINT_URL: "http://127.0.0.1:1",
      ...env,
    }),
  });
  cleanups.push(rt.close);
  return rt;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    assert.ok(Date.now() < deadline, `timed out: ${what}`);
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

/** Output written between two markers, without them: what one invocation printed. */
function outputOf(stream: string, requestId: string): string {
  const end = stream.indexOf(`\x1eSTRATUS-END ${requestId}\n`);
  assert.ok(end >= 0, `no END marker for ${requestId}`);
  const start = stream.lastIndexOf("\x1e", end - 1);
  return start < 0 ? stream.slice(0, end) : stream.slice(stream.indexOf("\n", start) + 1, end);
}

const LAMBDA_FUNCTION = `
import json
def lambda_handler(event, context):
    print("got", json.dumps(event))
    return {"statusCode": 200, "body": event, "unicode": "h\\u00e9"}
`;

test("a plain handler's dict is POSTed to /response; print output and END markers on both streams", { skip: noPython }, async (t) => {
  const rt = await start({ "lambda_function.py": LAMBDA_FUNCTION }, "lambda_function.lambda_handler");
  const outcome = await rt.api.invoke({ a: 1 });
  t.diagnostic(`spawn -> first /next: ${(rt.api.firstNextAt! - rt.spawnedAt).toFixed(1)} ms (${PYTHON})`);
  assert.equal(outcome.kind, "response");
  assert.deepEqual(outcome.body, { statusCode: 200, body: { a: 1 }, unicode: "hé" });
  assert.equal(outcome.headers["content-type"], "application/json");
  const requestId = outcome.id;
  await rt.waitForBoth(`\x1eSTRATUS-END ${requestId}\n`);
  assert.equal(outputOf(rt.stdout(), requestId), 'got {"a": 1}\n');
  assert.equal(rt.stderr(), `\x1eSTRATUS-END ${requestId}\n`);
  await until(() => rt.api.nextRequests === 2, "asks for the next event after posting the response");
});

test("handler paths: a/b.fn with slashes, pkg.mod.fn with dots", { skip: noPython }, async () => {
  const files = {
    "app/handlers.py": "def main(event, context):\n    return {'from': 'app/handlers', 'n': event['n']}\n",
    "pkg/__init__.py": "",
    "pkg/mod.py": "def fn(event, context):\n    return ['pkg.mod', event]\n",
  };
  const slash = await start(files, "app/handlers.main");
  assert.deepEqual((await slash.api.invoke({ n: 7 })).body, { from: "app/handlers", n: 7 });
  const dots = await start(files, "pkg.mod.fn");
  assert.deepEqual((await dots.api.invoke("x")).body, ["pkg.mod", "x"]);
});

test("the context object, trace id in the environment, and remaining time", { skip: noPython }, async () => {
  const code = `
import os, time
def handler(event, context):
    before = context.get_remaining_time_in_millis()
    time.sleep(0.05)
    cc = context.client_context
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        "client_context": None if cc is None else {"custom": cc.custom, "env": cc.env,
            "app_title": None if cc.client is None else cc.client.app_title},
        "tenant_id": context.tenant_id,
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "before": before,
        "after": context.get_remaining_time_in_millis(),
    }
`;
  const rt = await start({ "ctx.py": code }, "ctx.handler");
  // A minute ahead: the interpreter's start-up (slow on a loaded machine) comes off it before the handler asks.
  const deadline = Date.now() + 60_000;
  const first = await rt.api.invoke(
    {},
    {
      "Lambda-Runtime-Deadline-Ms": String(deadline),
      "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
      "Lambda-Runtime-Client-Context": JSON.stringify({ client: { app_title: "app" }, custom: { k: "v" }, env: { platform: "x" } }),
      "Lambda-Runtime-Cognito-Identity": JSON.stringify({ cognitoIdentityId: "id-1", cognitoIdentityPoolId: "pool-1" }),
    },
  );
  const c = first.body;
  assert.equal(c.function_name, "fn");
  assert.equal(c.function_version, "$LATEST");
  assert.equal(c.invoked_function_arn, ARN);
  assert.equal(c.memory_limit_in_mb, "256", "a string, as awslambdaric reads it from the environment");
  assert.match(c.aws_request_id, /^[0-9a-f-]{36}$/);
  assert.equal(c.log_group_name, "/aws/lambda/fn");
  assert.equal(c.log_stream_name, "2024/01/01/[$LATEST]abc");
  assert.deepEqual(c.identity, ["id-1", "pool-1"]);
  assert.deepEqual(c.client_context, { custom: { k: "v" }, env: { platform: "x" }, app_title: "app" });
  assert.equal(c.tenant_id, null);
  assert.equal(c.trace, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  assert.ok(c.before > 30_000 && c.before <= 60_000, `remaining ${c.before}`);
  assert.ok(c.after <= c.before - 50, `remaining went from ${c.before} to ${c.after}`);

  const second = (await rt.api.invoke({}, { "Lambda-Runtime-Deadline-Ms": String(Date.now() - 1) })).body;
  assert.equal(second.trace, null, "_X_AMZN_TRACE_ID removed without a trace header");
  assert.deepEqual(second.identity, [null, null], "identity is an object with None fields, as on AWS");
  assert.equal(second.client_context, null);
  assert.equal(second.before, 0, "never negative");
  assert.notEqual(second.aws_request_id, c.aws_request_id);
});

test("two invocations share one process: module state persists", { skip: noPython }, async () => {
  const code = "import os\ncount = 0\ndef handler(event, context):\n    global count\n    count += 1\n    return {'count': count, 'pid': os.getpid()}\n";
  const rt = await start({ "state.py": code }, "state.handler");
  const a = (await rt.api.invoke({})).body;
  const b = (await rt.api.invoke({})).body;
  assert.equal(a.count, 1);
  assert.equal(b.count, 2);
  assert.equal(a.pid, b.pid);
  assert.equal(a.pid, rt.child.pid);
});

test("a raised exception is POSTed to /error with AWS's body and logged as [ERROR] with \\r line breaks", { skip: noPython }, async () => {
  const code = "def helper(x):\n    raise ValueError('boom: ' + x)\n\ndef handler(event, context):\n    print('before')\n    helper(event['x'])\n";
  const rt = await start({ "fail.py": code }, "fail.handler");
  const outcome = await rt.api.invoke({ x: "bad" });
  assert.equal(outcome.kind, "error");
  assert.equal(outcome.headers["lambda-runtime-function-error-type"], "ValueError");
  const { body } = outcome;
  assert.deepEqual(Object.keys(body).sort(), ["errorMessage", "errorType", "requestId", "stackTrace"]);
  assert.equal(body.errorMessage, "boom: bad");
  assert.equal(body.errorType, "ValueError");
  assert.match(body.requestId, /^[0-9a-f-]{36}$/);
  assert.equal(body.stackTrace.length, 2, JSON.stringify(body.stackTrace));
  assert.match(body.stackTrace[0], /^ {2}File ".*fail\.py", line 6, in handler\n {4}helper\(event\['x'\]\)\n$/);
  assert.match(body.stackTrace[1], /^ {2}File ".*fail\.py", line 2, in helper\n {4}raise ValueError\('boom: ' \+ x\)\n$/);
  assert.ok(!body.stackTrace.join("").includes("bootstrap.py"), "the runtime's own frames are trimmed");

  await rt.waitForBoth(`\x1eSTRATUS-END ${body.requestId}\n`);
  const printed = outputOf(rt.stdout(), body.requestId);
  const [first, errorLine, rest] = printed.split("\n");
  assert.equal(first, "before");
  assert.equal(rest, "");
  const parts = errorLine.split("\r");
  assert.equal(parts[0], "[ERROR] ValueError: boom: bad");
  assert.equal(parts[1], "Traceback (most recent call last):");
  assert.match(parts[2], /^\u00a0\u00a0File ".*fail\.py", line 6, in handler$/);
  assert.equal(parts[3], "\u00a0\u00a0\u00a0\u00a0helper(event['x'])");
  // The process keeps serving.
  assert.equal((await rt.api.invoke({ x: "again" })).body.errorMessage, "boom: again");
});

async function initError(files: Record<string, string>, handler: string) {
  const rt = await start(files, handler);
  const code = await rt.exited;
  assert.equal(code, 1);
  assert.equal(rt.api.nextRequests, 0, "never asks for an event");
  assert.equal(rt.api.initErrors.length, 1);
  const posted = rt.api.initErrors[0];
  const body = posted.body;
  assert.equal(posted.headers["lambda-runtime-function-error-type"], body.errorType);
  assert.ok(rt.stdout().endsWith("\x1eSTRATUS-INIT-ERROR\n"));
  assert.ok(rt.stderr().endsWith("\x1eSTRATUS-INIT-ERROR\n"));
  const errorLine = rt
    .stdout()
    .split("\n")
    .find((l) => l.startsWith("[ERROR] "));
  return { body, errorLine, stdout: rt.stdout() };
}

test("init errors: a missing module, a missing import inside it -> Runtime.ImportModuleError, exit 1", { skip: noPython }, async () => {
  const missing = await initError({}, "nothere.handler");
  assert.deepEqual(missing.body, {
    errorMessage: "Unable to import module 'nothere': No module named 'nothere'",
    errorType: "Runtime.ImportModuleError",
    stackTrace: [],
  });
  assert.equal(
    missing.errorLine,
    "[ERROR] Runtime.ImportModuleError: Unable to import module 'nothere': No module named 'nothere'\rTraceback (most recent call last):",
  );
  assert.match(missing.stdout, new RegExp(`^\\[WARNING\\]\\t${TS}\\t\\tLAMBDA_WARNING: Unhandled exception\\.`));

  const nested = await initError({ "lambda_function.py": "import requests_not_installed\ndef h(e, c): pass\n" }, "lambda_function.h");
  assert.equal(nested.body.errorType, "Runtime.ImportModuleError");
  assert.equal(nested.body.errorMessage, "Unable to import module 'lambda_function': No module named 'requests_not_installed'");
});

test("init errors: Runtime.HandlerNotFound, Runtime.UserCodeSyntaxError, Runtime.MalformedHandlerName", { skip: noPython }, async () => {
  const notFound = await initError({ "lambda_function.py": "def other(e, c): pass\n" }, "lambda_function.lambda_handler");
  assert.deepEqual(notFound.body, {
    errorMessage: "Handler 'lambda_handler' missing on module 'lambda_function'",
    errorType: "Runtime.HandlerNotFound",
    stackTrace: [],
  });

  const syntax = await initError({ "app/bad.py": "def handler(e, c):\n    return (\n" }, "app/bad.handler");
  assert.equal(syntax.body.errorType, "Runtime.UserCodeSyntaxError");
  assert.match(syntax.body.errorMessage, /^Syntax error in module 'app\/bad': .+ \(bad\.py, line \d+\)$/);
  assert.equal(syntax.body.stackTrace.length, 1);
  assert.match(syntax.body.stackTrace[0], /^ {2}File ".*bad\.py" Line \d+\n/);

  const malformed = await initError({}, "nodot");
  assert.deepEqual(malformed.body, {
    errorMessage: "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)",
    errorType: "Runtime.MalformedHandlerName",
    stackTrace: [],
  });

  const raising = await initError({ "boom.py": "raise RuntimeError('config missing')\n" }, "boom.handler");
  assert.equal(raising.body.errorType, "RuntimeError");
  assert.equal(raising.body.errorMessage, "config missing");
  assert.ok(raising.body.stackTrace.some((f: string) => /boom\.py", line 1, in <module>/.test(f)));
});

test("logging: AWS's text format, root at WARNING until setLevel(INFO), \\r inside a record", { skip: noPython }, async () => {
  const code = `
import logging
logging.warning("at init")
logger = logging.getLogger()
def handler(event, context):
    logger.info("hidden info")
    logger.warning("two\\nlines")
    logger.setLevel(logging.INFO)
    logging.getLogger("child").info("shown info")
    try:
        1 / 0
    except ZeroDivisionError:
        logger.exception("failed")
    return "ok"
`;
  const rt = await start({ "logs.py": code }, "logs.handler");
  const outcome = await rt.api.invoke({});
  assert.equal(outcome.body, "ok");
  const requestId = outcome.id;
  await rt.waitForBoth(`\x1eSTRATUS-END ${requestId}\n`);
  const lines = outputOf(rt.stdout(), requestId).split("\n");
  assert.equal(lines.pop(), "");
  assert.match(lines.shift()!, new RegExp(`^\\[WARNING\\]\\t${TS}\\t\\tat init$`), "no request id outside an invocation");
  assert.equal(lines.length, 3, JSON.stringify(lines));
  assert.match(lines[0], new RegExp(`^\\[WARNING\\]\\t${TS}\\t${requestId}\\ttwo\\rlines$`));
  assert.match(lines[1], new RegExp(`^\\[INFO\\]\\t${TS}\\t${requestId}\\tshown info$`));
  assert.match(
    lines[2],
    new RegExp(`^\\[ERROR\\]\\t${TS}\\t${requestId}\\tfailed\\rTraceback \\(most recent call last\\):\\r[^\\n]*\\rZeroDivisionError: division by zero$`),
  );
  assert.ok(!rt.stdout().includes("hidden info"));
  const ts = /\t(\S+)Z\t/.exec(lines[0])![1];
  assert.ok(Math.abs(Date.parse(ts + "Z") - Date.now()) < 60_000, "timestamps are UTC");
});

test("AWS_LAMBDA_LOG_FORMAT=JSON: one JSON object per record; AWS_LAMBDA_LOG_LEVEL sets the root level", { skip: noPython }, async () => {
  const code = `
import logging
logger = logging.getLogger("app")
def handler(event, context):
    logger.debug("not at INFO")
    logger.info("multi\\nline", extra={"order": 7})
    raise KeyError("k")
`;
  const rt = await start({ "j.py": code }, "j.handler", { AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: "INFO" });
  const outcome = await rt.api.invoke({});
  assert.equal(outcome.kind, "error");
  const requestId = outcome.body.requestId;
  await rt.waitForBoth(`\x1eSTRATUS-END ${requestId}\n`);
  const records = outputOf(rt.stdout(), requestId)
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(records.length, 2);
  assert.match(records[0].timestamp, new RegExp(`^${TS}$`));
  assert.deepEqual(
    { ...records[0], timestamp: undefined },
    {
      timestamp: undefined,
      level: "INFO",
      message: "multi\nline",
      logger: "app",
      requestId,
      order: 7,
    },
  );
  assert.equal(records[1].level, "ERROR");
  assert.equal(records[1].errorType, "KeyError");
  assert.equal(records[1].errorMessage, "'k'");
  assert.equal(records[1].requestId, requestId);
});

test("a result json cannot encode -> Runtime.MarshalError; Decimals encode as numbers", { skip: noPython }, async () => {
  const code =
    "from decimal import Decimal\ndef bad(event, context):\n    return {'s': {1, 2}}\ndef dec(event, context):\n    return {'price': Decimal('12.50'), 'big': Decimal('12345678901234567890.1'), 'label': 'Decimal'}\n";
  const rt = await start({ "m.py": code }, "m.bad");
  const outcome = await rt.api.invoke({});
  assert.equal(outcome.kind, "error");
  assert.equal(outcome.headers["lambda-runtime-function-error-type"], "Runtime.MarshalError");
  assert.equal(outcome.body.errorType, "Runtime.MarshalError");
  assert.equal(outcome.body.errorMessage, "Unable to marshal response: Object of type set is not JSON serializable");
  assert.deepEqual(outcome.body.stackTrace, []);

  const dec = await start({ "m.py": code }, "m.dec");
  const result = await dec.api.invoke({});
  assert.equal(result.raw, '{"price": 12.50, "big": 12345678901234567890.1, "label": "Decimal"}');
});

test("boto3 imports and builds a client inside a handler (when python3 has it)", { skip: noBoto3 }, async (t) => {
  const code =
    "import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n    return {'version': boto3.__version__, 'endpoint': s3.meta.endpoint_url, 'region': s3.meta.region_name}\n";
  const rt = await start({ "b.py": code }, "b.handler");
  const outcome = await rt.api.invoke({});
  t.diagnostic(`spawn -> first /next with boto3 imported at init: ${(rt.api.firstNextAt! - rt.spawnedAt).toFixed(1)} ms`);
  assert.equal(outcome.kind, "response", JSON.stringify(outcome.body));
  assert.match(outcome.body.version, /^\d+\.\d+/);
  assert.equal(outcome.body.region, "us-east-1");
});
