// Lambda from the AWS CLI (v1 and v2, where installed) and from boto3: the deployment workflow as people script
// it (zip from a file, waiters, invoke to an outfile with the log tail, code and configuration updates,
// versions, aliases, deletion), and a Python function created through boto3 running on the local python3.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useServer } from "../../helpers/server.js";
import { awsClis, runAws, type AwsCli } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { lambdaEnv, zip } from "./setup.js";

const server = useServer();
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "lambda-cli-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("base64");

const V1 = `export const handler = async (event, context) => { console.log("v1 got", JSON.stringify(event)); return { v: 1, event, greeting: process.env.GREETING ?? null, version: context.functionVersion }; };`;
const V2 = `export const handler = async (event, context) => { console.log("v2 got", JSON.stringify(event)); return { v: 2, event, greeting: process.env.GREETING ?? null, version: context.functionVersion }; };`;
const FAILS = `export const handler = async () => { throw new TypeError("bad input"); };`;

const clis = awsClis();
if (!clis.length) test("aws CLI: lambda deployment workflow", { skip: "aws CLI not installed" }, () => {});
// Each CLI call starts a Python process (about a second): the CLIs' scenarios run side by side.
else
  describe("aws CLI", { concurrency: true }, () => {
    for (const cli of clis)
      test(`${cli.label}: create-function fileb://, waiters, invoke (outfile, log tail), updates, versions, aliases, delete`, () => cliScenario(cli));
  });

async function cliScenario(cli: AwsCli) {
  const env = await lambdaEnv(server);
  const creds = { AWS_ACCESS_KEY_ID: env.account, AWS_SECRET_ACCESS_KEY: "test" };
  const v2cli = cli.label.startsWith("aws-cli/2");
  const raw = async (args: string[]) => runAws(cli, server.url, ["lambda", ...args], creds);
  const aws = async (args: string[]) => {
    const r = await raw(args);
    assert.equal(r.status, 0, `aws lambda ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : {};
  };
  const tag = cli.label.replace(/\W/g, "-");
  const file = (name: string, content: Buffer) => {
    const p = join(dir, `${tag}-${name}`);
    writeFileSync(p, content);
    return p;
  };
  const z1 = zip({ "index.mjs": V1 });
  const z2 = zip({ "index.mjs": V2 });
  const invoke = async (fn: string, event: unknown, extra: string[] = []) => {
    const outfile = join(dir, `${tag}-out-${Math.random().toString(36).slice(2)}.json`);
    const res = await aws([
      "invoke",
      "--function-name",
      fn,
      "--payload",
      JSON.stringify(event),
      ...(v2cli ? ["--cli-binary-format", "raw-in-base64-out"] : []),
      ...extra,
      outfile,
    ]);
    return { res, payload: JSON.parse(readFileSync(outfile, "utf8")) };
  };

  const created = await aws([
    "create-function",
    "--function-name",
    "cli-fn",
    "--runtime",
    "nodejs20.x",
    "--handler",
    "index.handler",
    "--role",
    env.role,
    "--zip-file",
    `fileb://${file("v1.zip", z1)}`,
    "--description",
    "from the cli",
  ]);
  assert.equal(created.FunctionArn, `arn:aws:lambda:us-east-1:${env.account}:function:cli-fn`);
  assert.equal(created.CodeSha256, sha256(z1));
  assert.equal(created.CodeSize, z1.length);
  assert.equal(created.Version, "$LATEST");
  await aws(["wait", "function-active-v2", "--function-name", "cli-fn"]);

  const first = await invoke("cli-fn", { from: "cli" }, ["--log-type", "Tail"]);
  assert.equal(first.res.StatusCode, 200);
  assert.equal(first.res.ExecutedVersion, "$LATEST");
  assert.equal(first.res.FunctionError, undefined);
  assert.deepEqual(first.payload, { v: 1, event: { from: "cli" }, greeting: null, version: "$LATEST" });
  const tail = Buffer.from(first.res.LogResult, "base64").toString("utf8");
  assert.match(tail, /^INIT_START Runtime Version: [^\n]*\nSTART RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  assert.match(tail, /\tINFO\tv1 got \{"from":"cli"\}\n/);
  assert.match(tail, /\nREPORT RequestId: [0-9a-f-]{36}\tDuration: /);

  const got = await aws(["get-function", "--function-name", "cli-fn"]);
  assert.equal(got.Configuration.CodeSha256, sha256(z1));
  assert.equal(got.Configuration.State, "Active");
  assert.equal(got.Configuration.Description, "from the cli");
  assert.equal(got.Code.RepositoryType, "S3");
  // Code.Location downloads the deployment package, as the presigned S3 URL does on AWS.
  const download = await fetch(got.Code.Location);
  assert.equal(download.status, 200);
  assert.equal(sha256(Buffer.from(await download.arrayBuffer())), sha256(z1));

  // New code: the waiter sees LastUpdateStatus settle, and the next invocation runs it.
  const updated = await aws(["update-function-code", "--function-name", "cli-fn", "--zip-file", `fileb://${file("v2.zip", z2)}`]);
  assert.equal(updated.CodeSha256, sha256(z2));
  await aws(["wait", "function-updated-v2", "--function-name", "cli-fn"]);
  assert.equal((await invoke("cli-fn", { n: 2 })).payload.v, 2);

  const conf = await aws([
    "update-function-configuration",
    "--function-name",
    "cli-fn",
    "--environment",
    "Variables={GREETING=hello}",
    "--timeout",
    "10",
    "--memory-size",
    "256",
  ]);
  assert.equal(conf.Timeout, 10);
  assert.equal(conf.MemorySize, 256);
  assert.deepEqual(conf.Environment, { Variables: { GREETING: "hello" } });
  await aws(["wait", "function-updated-v2", "--function-name", "cli-fn"]);
  assert.equal((await invoke("cli-fn", {})).payload.greeting, "hello");

  const { Functions } = await aws(["list-functions"]);
  assert.deepEqual(
    Functions.map((f: { FunctionName: string }) => f.FunctionName),
    ["cli-fn"],
  );
  assert.equal(Functions[0].MemorySize, 256);

  // A version freezes this code and configuration; an alias points at it and Invoke runs that version.
  const published = await aws(["publish-version", "--function-name", "cli-fn", "--description", "first release"]);
  assert.equal(published.Version, "1");
  assert.equal(published.FunctionArn, `${created.FunctionArn}:1`);
  assert.equal(published.CodeSha256, sha256(z2));
  const alias = await aws(["create-alias", "--function-name", "cli-fn", "--name", "live", "--function-version", "1"]);
  assert.equal(alias.AliasArn, `${created.FunctionArn}:live`);
  assert.equal(alias.FunctionVersion, "1");
  await aws(["update-function-configuration", "--function-name", "cli-fn", "--environment", "Variables={GREETING=changed}"]);
  await aws(["wait", "function-updated-v2", "--function-name", "cli-fn"]);
  const viaAlias = await invoke("cli-fn", { via: "alias" }, ["--qualifier", "live"]);
  assert.equal(viaAlias.res.ExecutedVersion, "1");
  assert.deepEqual(viaAlias.payload, { v: 2, event: { via: "alias" }, greeting: "hello", version: "1" });
  assert.equal((await invoke("cli-fn", {})).payload.greeting, "changed");

  // A handler that throws: exit status 0, FunctionError in the output, the error document in the outfile.
  await aws([
    "create-function",
    "--function-name",
    "cli-fails",
    "--runtime",
    "nodejs20.x",
    "--handler",
    "index.handler",
    "--role",
    env.role,
    "--zip-file",
    `fileb://${file("fails.zip", zip({ "index.mjs": FAILS }))}`,
  ]);
  await aws(["wait", "function-active-v2", "--function-name", "cli-fails"]);
  const failed = await invoke("cli-fails", {});
  assert.equal(failed.res.StatusCode, 200);
  assert.equal(failed.res.FunctionError, "Unhandled");
  assert.equal(failed.payload.errorType, "TypeError");
  assert.equal(failed.payload.errorMessage, "bad input");
  assert.ok(Array.isArray(failed.payload.trace));

  await aws(["delete-function", "--function-name", "cli-fn"]);
  const gone = await raw(["get-function", "--function-name", "cli-fn"]);
  assert.notEqual(gone.status, 0);
  assert.match(gone.stderr, /\(ResourceNotFoundException\).*Function not found: arn:aws:lambda:us-east-1:\d{12}:function:cli-fn/);
  const badPayload = await raw([
    "invoke",
    "--function-name",
    "cli-fails",
    "--payload",
    "not json",
    ...(v2cli ? ["--cli-binary-format", "raw-in-base64-out"] : []),
    join(dir, `${tag}-never.json`),
  ]);
  assert.notEqual(badPayload.status, 0);
  assert.match(badPayload.stderr, /\(InvalidRequestContentException\)/);
}

const BOTO3_SCRIPT = `
import base64, hashlib, io, json, sys, zipfile, boto3
from botocore.exceptions import ClientError
url, account, role = sys.argv[1], sys.argv[2], sys.argv[3]
lam = boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")

def package(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()

CODE = '''
import json, os, sys
def handler(event, context):
    print("python got " + json.dumps(event))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"python": "%d.%d" % sys.version_info[:2], "event": event, "name": context.function_name,
            "remaining": context.get_remaining_time_in_millis() > 0, "region": os.environ["AWS_REGION"]}
'''
code = package({"app.py": CODE})
out = {}
fn = lam.create_function(FunctionName="py-fn", Runtime="python3.12", Handler="app.handler", Role=role, Code={"ZipFile": code}, Timeout=5)
out["created"] = [fn["State"], fn["Runtime"], fn["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()]
lam.get_waiter("function_active_v2").wait(FunctionName="py-fn", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
out["active"] = lam.get_function(FunctionName="py-fn")["Configuration"]["State"]

ok = lam.invoke(FunctionName="py-fn", Payload=json.dumps({"k": "v"}).encode(), LogType="Tail")
out["ok"] = [ok["StatusCode"], "FunctionError" in ok, json.loads(ok["Payload"].read()), ok["ExecutedVersion"]]
out["tail"] = base64.b64decode(ok["LogResult"]).decode()

bad = lam.invoke(FunctionName="py-fn", Payload=json.dumps({"fail": True}).encode())
out["bad"] = [bad["StatusCode"], bad.get("FunctionError"), json.loads(bad["Payload"].read())]

ev = lam.invoke(FunctionName="py-fn", InvocationType="Event", Payload=b"{}")
out["event"] = [ev["StatusCode"], ev["Payload"].read().decode()]
dry = lam.invoke(FunctionName="py-fn", InvocationType="DryRun")
out["dry"] = dry["StatusCode"]

try:
    lam.invoke(FunctionName="no-such-fn", Payload=b"{}")
except ClientError as e:
    out["missing"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
try:
    lam.create_function(FunctionName="py-fn", Runtime="python3.12", Handler="app.handler", Role=role, Code={"ZipFile": code})
except ClientError as e:
    out["duplicate"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]

v = lam.publish_version(FunctionName="py-fn")
out["version"] = v["Version"]
names = [f["FunctionName"] for f in lam.get_paginator("list_functions").paginate().build_full_result()["Functions"]]
out["listed"] = names
lam.delete_function(FunctionName="py-fn")
try:
    lam.get_function(FunctionName="py-fn")
except lam.exceptions.ResourceNotFoundException as e:
    out["deleted"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
print(json.dumps(out))
`;

test("boto3: create_function, function_active_v2 waiter, invoke (Payload, LogResult, FunctionError), a Python function on the local python3", {
  skip: pythonMissing(),
}, async () => {
  const env = await lambdaEnv(server);
  const pyenv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_MAX_ATTEMPTS: "1",
  };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, env.account, env.role], { env: pyenv, timeout: 60_000 })).stdout);
  const local = (await run("python3", ["-c", "import sys;print('%d.%d'%sys.version_info[:2])"])).stdout.trim();

  assert.deepEqual(out.created, ["Pending", "python3.12", true]);
  assert.equal(out.active, "Active");
  assert.deepEqual(out.ok, [200, false, { python: local, event: { k: "v" }, name: "py-fn", remaining: true, region: "us-east-1" }, "$LATEST"]);
  assert.match(out.tail, /START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  assert.match(out.tail, /python got \{"k": "v"\}\n/);
  assert.match(out.tail, /END RequestId: [0-9a-f-]{36}\n/);
  assert.equal(out.bad[0], 200);
  assert.equal(out.bad[1], "Unhandled");
  assert.equal(out.bad[2].errorType, "ValueError");
  assert.equal(out.bad[2].errorMessage, "asked to fail");
  assert.ok(Array.isArray(out.bad[2].stackTrace));
  assert.deepEqual(out.event, [202, ""]);
  assert.equal(out.dry, 204);
  assert.deepEqual(out.missing, ["ResourceNotFoundException", 404, `Function not found: arn:aws:lambda:us-east-1:${env.account}:function:no-such-fn`]);
  assert.deepEqual(out.duplicate, ["ResourceConflictException", 409, "Function already exist: py-fn"]);
  assert.equal(out.version, "1");
  assert.deepEqual(out.listed, ["py-fn"]);
  assert.equal(out.deleted, 404);
});
