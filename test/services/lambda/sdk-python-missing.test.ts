// A Python function importing boto3 on a local python that lacks it: Runtime.ImportModuleError in AWS's words, plus
// a line naming the interpreter and how to fix it. The python is a fresh venv (no site packages), chosen with
// STRATUS_LAMBDA_PYTHON — which Stratus reads once per process, hence a file of its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { createFunction, json, lambdaEnv } from "./setup.js";

const venv = mkdtempSync(join(tmpdir(), "stratus-venv-"));
const python = join(venv, "bin", "python3");
/** A skip reason unless a python without boto3 could be made. */
function noBarePython(): string | false {
  if (spawnSync("python3", ["-m", "venv", "--without-pip", venv], { stdio: "ignore", timeout: 60_000 }).status !== 0) return "python3 -m venv failed";
  if (spawnSync(python, ["-c", "import boto3"], { stdio: "ignore" }).status === 0) return "a venv's python still imports boto3";
  return false;
}
const skip = noBarePython();

let server: TestServer;
before(async () => {
  if (skip) return;
  process.env.STRATUS_LAMBDA_PYTHON = python;
  server = await startTestServer();
});
after(async () => {
  await server?.close();
  delete process.env.STRATUS_LAMBDA_PYTHON;
  rmSync(venv, { recursive: true, force: true });
});

test("a missing boto3 is Runtime.ImportModuleError naming the python and how to install it or pick another", { skip }, async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "no-boto3",
    Runtime: "python3.12",
    Handler: "app.handler",
    code: { "app.py": "import boto3\n\ndef handler(event, context):\n    return 1\n" },
  });
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "no-boto3" }));
  assert.equal(out.FunctionError, "Unhandled");
  const body = json(out.Payload);
  assert.equal(body.errorType, "Runtime.ImportModuleError");
  const [first, hint] = body.errorMessage.split("\n");
  assert.equal(first, "Unable to import module 'app': No module named 'boto3'");
  assert.match(
    hint,
    /^Stratus runs Python functions on the local python \((\S+)\), which has no boto3; install it there \(\1 -m pip install boto3\) or set STRATUS_LAMBDA_PYTHON to a python that has it\.$/,
  );
  assert.ok(hint.includes(venv), hint);
});
