// The AWS SDK inside functions, as AWS's runtimes provide it: Node.js functions import the @aws-sdk clients (from
// the user's project, Stratus's own dependencies, or <data dir>/lambda/sdk), resolved as each environment starts;
// a missing one is an ImportModuleError saying how to provide it. Python functions get the local python's boto3.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand, type InvokeCommandOutput } from "@aws-sdk/client-lambda";
import { S3Client, CreateBucketCommand } from "@aws-sdk/client-s3";
import { packageRoot } from "../../../src/core/paths.js";
import { coverage } from "../../../src/services/coverage.js";
import { NodeSdk, nodeModulesChain, sdkSources } from "../../../src/services/lambda/engine/node-sdk.js";
import { pythonMissing } from "../../helpers/python.js";
import { useServer } from "../../helpers/server.js";
import { createFunction, json, lambdaEnv, type LambdaEnv } from "./setup.js";

// An empty project, so the real SDK clients come from Stratus's own dependencies and the fake packages below from here.
const project = mkdtempSync(join(tmpdir(), "stratus-project-"));
const server = useServer({ projectDir: project });
after(() => rmSync(project, { recursive: true, force: true }));

/** A tiny CommonJS package `name` under `nodeModules`, exporting { where }. */
function fakePackage(nodeModules: string, name: string, where: string, body = `module.exports = { where: ${JSON.stringify(where)} };`): void {
  const dir = join(nodeModules, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
  writeFileSync(join(dir, "index.js"), body);
}

const invoke = (env: LambdaEnv, name: string) => env.lambda.send(new InvokeCommand({ FunctionName: name }));
const ok = (out: InvokeCommandOutput) => {
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
  return json(out.Payload);
};

test("ESM and CommonJS functions import @aws-sdk/client-sts and client-s3 and call Stratus as their role", async () => {
  const env = await lambdaEnv(server);
  await server.client(S3Client, { account: env.account }, { forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: "sdk-inside" }));
  await createFunction(env, {
    FunctionName: "sdk-esm",
    code: {
      "index.mjs": [
        'import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";',
        'import { S3Client, ListBucketsCommand } from "@aws-sdk/client-s3";',
        "export const handler = async () => ({",
        "  arn: (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn,",
        "  buckets: (await new S3Client({ forcePathStyle: true }).send(new ListBucketsCommand({}))).Buckets.map((b) => b.Name),",
        "});",
      ].join("\n"),
    },
  });
  await createFunction(env, {
    FunctionName: "sdk-cjs",
    code: {
      "index.js": [
        'const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");',
        'const { S3Client, ListBucketsCommand } = require("@aws-sdk/client-s3");',
        "exports.handler = async () => ({",
        "  arn: (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn,",
        "  buckets: (await new S3Client({ forcePathStyle: true }).send(new ListBucketsCommand({}))).Buckets.map((b) => b.Name),",
        "});",
      ].join("\n"),
    },
  });
  for (const name of ["sdk-esm", "sdk-cjs"]) {
    assert.deepEqual(ok(await invoke(env, name)), { arn: `arn:aws:sts::${env.account}:assumed-role/lambda-role/${name}`, buckets: ["sdk-inside"] }, name);
  }
});

test("a missing @aws-sdk client is Runtime.ImportModuleError with Node's message and how to provide it", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "sdk-missing-esm",
    code: { "index.mjs": 'import { X } from "@aws-sdk/client-doesnotexist";\nexport const handler = async () => X;' },
  });
  await createFunction(env, {
    FunctionName: "sdk-missing-cjs",
    code: { "index.js": 'const { X } = require("@aws-sdk/client-doesnotexist");\nexports.handler = async () => X;' },
  });
  for (const [name, first] of [
    ["sdk-missing-esm", /^Error \[ERR_MODULE_NOT_FOUND\]: Cannot find package '@aws-sdk\/client-doesnotexist' imported from \S+index\.mjs\n/],
    ["sdk-missing-cjs", /^Error: Cannot find module '@aws-sdk\/client-doesnotexist'\n/],
  ] as const) {
    const out = await invoke(env, name);
    assert.equal(out.FunctionError, "Unhandled");
    const body = json(out.Payload);
    assert.equal(body.errorType, "Runtime.ImportModuleError");
    assert.match(body.errorMessage, first);
    assert.match(
      body.errorMessage,
      /\nStratus provides the AWS SDK for JavaScript v3 clients of the services it runs; install @aws-sdk\/client-doesnotexist in your project \(npm i -D @aws-sdk\/client-doesnotexist, in the directory Stratus runs from\) or bundle it with the function\.$/,
    );
  }
  // Other missing packages keep Node's message alone, as on AWS.
  await createFunction(env, { FunctionName: "other-missing", code: { "index.mjs": 'import "left-pad-xyz";\nexport const handler = async () => 1;' } });
  const body = json((await invoke(env, "other-missing")).Payload);
  assert.equal(body.errorType, "Runtime.ImportModuleError");
  assert.doesNotMatch(body.errorMessage, /Stratus/);
});

test("packages installed in the project or <data dir>/lambda/sdk after the server started are seen by the next environment", async () => {
  const env = await lambdaEnv(server);
  const code = (pkg: string) => ({
    "index.mjs": `import fake from "${pkg}";\nimport { createRequire } from "node:module";\nexport const handler = async () => [fake.where, createRequire(import.meta.url)("${pkg}").where];`,
  });
  await createFunction(env, { FunctionName: "late-project", code: code("@aws-sdk/client-fake-xyz") });
  await createFunction(env, { FunctionName: "late-managed", code: code("@smithy/fake-managed") });
  for (const name of ["late-project", "late-managed"]) assert.equal(json((await invoke(env, name)).Payload).errorType, "Runtime.ImportModuleError");

  // The package's own dependency lives only beside it in the project: it resolves from where the package really is.
  fakePackage(join(project, "node_modules"), "fake-dep-xyz", "dep");
  fakePackage(join(project, "node_modules"), "@aws-sdk/client-fake-xyz", "", 'module.exports = { where: "project+" + require("fake-dep-xyz").where };');
  fakePackage(join(server.dataDir, "lambda", "sdk", "node_modules"), "@smithy/fake-managed", "managed");
  // The init error ended the environment, so these Invokes start new ones (ESM import, then require, in each).
  assert.deepEqual(ok(await invoke(env, "late-project")), ["project+dep", "project+dep"]);
  assert.deepEqual(ok(await invoke(env, "late-managed")), ["managed", "managed"]);
});

test("precedence: the function's own node_modules, then the project, then Stratus's dependencies, then lambda/sdk", async () => {
  const env = await lambdaEnv(server);
  const managed = join(server.dataDir, "lambda", "sdk", "node_modules");
  for (const [dir, where] of [
    [join(project, "node_modules"), "project"],
    [managed, "managed"],
  ] as const) {
    fakePackage(dir, "@aws-sdk/client-fake-order", where);
    fakePackage(dir, "@aws-sdk/client-fake-own", where);
  }
  // A client Stratus has itself: shadowed by the project's, not by lambda/sdk's.
  fakePackage(join(project, "node_modules"), "@aws-sdk/client-sqs", "project-sqs");
  fakePackage(managed, "@aws-sdk/client-sts", "managed-sts");
  const handler = [
    'import order from "@aws-sdk/client-fake-order";',
    'import own from "@aws-sdk/client-fake-own";',
    'import sqs from "@aws-sdk/client-sqs";',
    'import { STSClient } from "@aws-sdk/client-sts";',
    "export const handler = async () => [order.where, own.where, sqs.where, typeof STSClient];",
  ].join("\n");
  const ownPkg = {
    "node_modules/@aws-sdk/client-fake-own/package.json": '{"name":"@aws-sdk/client-fake-own","main":"index.js"}',
    "node_modules/@aws-sdk/client-fake-own/index.js": 'module.exports = { where: "own" };',
  };
  await createFunction(env, { FunctionName: "order", code: { "index.mjs": handler, ...ownPkg } });
  assert.deepEqual(ok(await invoke(env, "order")), ["project", "own", "project-sqs", "function"]);
  rmSync(join(project, "node_modules", "@aws-sdk", "client-sqs"), { recursive: true });
});

test("the SDK sources: the project's node_modules chain, Stratus's (hoisted, nested, global, npx alike), then lambda/sdk", () => {
  assert.deepEqual(nodeModulesChain("/home/u/app"), ["/home/u/app/node_modules", "/home/u/node_modules", "/home/node_modules", "/node_modules"]);
  // Installed in a project: Stratus's own nested node_modules, then the hoisted ones (no node_modules/node_modules).
  assert.deepEqual(sdkSources("/home/u/app", "/home/u/app/node_modules/stratus", "/home/u/app/.stratus"), [
    "/home/u/app/node_modules",
    "/home/u/node_modules",
    "/home/node_modules",
    "/node_modules",
    "/home/u/app/node_modules/stratus/node_modules",
    "/home/u/app/.stratus/lambda/sdk/node_modules",
  ]);
  // A global install run from elsewhere.
  assert.deepEqual(sdkSources("/srv", "/usr/lib/node_modules/stratus", "/srv/.stratus"), [
    "/srv/node_modules",
    "/node_modules",
    "/usr/lib/node_modules/stratus/node_modules",
    "/usr/lib/node_modules",
    "/usr/node_modules",
    "/srv/.stratus/lambda/sdk/node_modules",
  ]);
});

test("the farm: rebuilt only when a source changes, swapped whole (two servers with other sources on one data dir)", () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-farm-"));
  try {
    const run = join(dir, "run");
    mkdirSync(run);
    fakePackage(join(dir, "a", "node_modules"), "@aws-sdk/client-a", "a");
    fakePackage(join(dir, "b", "node_modules"), "@smithy/b", "b");
    const one = new NodeSdk(run, [join(dir, "a", "node_modules")]);
    const two = new NodeSdk(run, [join(dir, "b", "node_modules"), join(dir, "a", "node_modules")]);
    const linked = () => ["@aws-sdk", "@smithy"].flatMap((s) => readdirSync(join(run, "node_modules", s)).map((n) => `${s}/${n}`));
    assert.equal(one.refresh(), true);
    assert.equal(one.refresh(), false);
    assert.deepEqual(linked(), ["@aws-sdk/client-a"]);
    assert.equal(two.refresh(), true);
    assert.deepEqual(linked(), ["@aws-sdk/client-a", "@smithy/b"]);
    assert.equal(realpathSync(join(run, "node_modules", "@smithy", "b")), join(dir, "b", "node_modules", "@smithy", "b"));
    fakePackage(join(dir, "a", "node_modules"), "@aws-sdk/client-a2", "a2");
    assert.equal(two.refresh(), true);
    assert.deepEqual(linked(), ["@aws-sdk/client-a", "@aws-sdk/client-a2", "@smithy/b"]);
    rmSync(join(dir, "b", "node_modules", "@smithy"), { recursive: true });
    assert.equal(two.refresh(), true);
    assert.deepEqual(linked(), ["@aws-sdk/client-a", "@aws-sdk/client-a2"]);
    // Leftover farms stay a minute (environments may be resolving through them), then go.
    assert.equal(readdirSync(join(run, ".sdk")).length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every service Stratus implements has its @aws-sdk/client-* in package.json dependencies (functions import it)", async () => {
  const deps = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")).dependencies ?? {};
  const implemented = (await coverage()).filter((s) => s.implemented.length).map((s) => `@aws-sdk/client-${s.name}`);
  assert.ok(implemented.length >= 11);
  assert.deepEqual(
    implemented.filter((c) => !deps[c]),
    [],
    "add these clients to package.json dependencies",
  );
});

const noBoto3 = pythonMissing();
test("a Python function imports boto3 from the local python and calls Stratus as its role", { skip: noBoto3 }, async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "boto3-inside",
    Runtime: "python3.12",
    Handler: "app.handler",
    code: { "app.py": 'import boto3\n\ndef handler(event, context):\n    return boto3.client("sts").get_caller_identity()["Arn"]\n' },
  });
  assert.equal(ok(await invoke(env, "boto3-inside")), `arn:aws:sts::${env.account}:assumed-role/lambda-role/boto3-inside`);
});
