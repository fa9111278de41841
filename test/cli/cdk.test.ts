// `stratus cdk …`: the project's own CDK CLI (aws-cdk from node_modules) run against a Stratus — the CLI found from
// the working directory, one-line errors when it is missing or no server answers, and an app with a Docker image
// asset refused before anything is deployed when no container engine answers.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { IAMClient, ListAccessKeysCommand } from "@aws-sdk/client-iam";
import { freePort, run } from "./spawn.js";
import { startTestServer } from "../helpers/server.js";

const NODE_MODULES = fileURLToPath(new URL("../../node_modules", import.meta.url));
const CDK_VERSION = (JSON.parse(readFileSync(join(NODE_MODULES, "aws-cdk", "package.json"), "utf8")) as { version: string }).version;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp dir; with `modules`, a project whose node_modules is this repo's (aws-cdk, aws-cdk-lib, constructs). */
function project(modules: boolean): string {
  const d = mkdtempSync(join(tmpdir(), "stratus-cdk-test-"));
  dirs.push(d);
  if (modules) symlinkSync(NODE_MODULES, join(d, "node_modules"));
  mkdirSync(join(d, "home"));
  return d;
}

/** The CLI's environment for a test: a temp HOME (no notices cache, no ~/.aws), no credentials of the developer's. */
function env(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: join(dir, "home"),
    XDG_CACHE_HOME: join(dir, "home", ".cache"),
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_SESSION_TOKEN: "",
    AWS_PROFILE: "",
    AWS_ENDPOINT_URL: "",
    AWS_REGION: "",
    AWS_DEFAULT_REGION: "",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  };
}

test("cdk --version runs the project's own CDK CLI, with no server needed", async () => {
  const dir = project(true);
  const r = await run(["cdk", "--version"], { cwd: dir, env: env(dir), timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^${CDK_VERSION.replace(/\./g, "\\.")} \\(build \\w+\\)\\n$`));
});

test("cdk list lists a tiny app's stacks (from a subdirectory: aws-cdk is found in a parent's node_modules)", async () => {
  const dir = project(true);
  // The app writes its cloud assembly itself: the CLI reads the same manifest aws-cdk-lib would write.
  writeFileSync(
    join(dir, "app.js"),
    `const fs = require("node:fs"), path = require("node:path");
const out = process.env.CDK_OUTDIR;
const stack = (name) => [name, { type: "aws:cloudformation:stack", environment: "aws://unknown-account/unknown-region",
  properties: { templateFile: name + ".template.json" } }];
for (const n of ["Alpha", "Beta"]) fs.writeFileSync(path.join(out, n + ".template.json"), JSON.stringify({ Resources: {} }));
fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify({ version: "36.0.0",
  artifacts: Object.fromEntries([stack("Alpha"), stack("Beta")]) }));
`,
  );
  writeFileSync(join(dir, "cdk.json"), JSON.stringify({ app: "node app.js" }));
  mkdirSync(join(dir, "sub"));
  const r = await run(["cdk", "list", "--app", `node ${join(dir, "app.js")}`], { cwd: join(dir, "sub"), env: env(dir), timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split("\n"), ["Alpha", "Beta"]);
});

test("no aws-cdk in the project: one line saying to npm i -D aws-cdk, exit 1, nothing downloaded", async () => {
  const dir = project(false);
  const r = await run(["cdk", "deploy"], { cwd: dir, env: env(dir) });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^stratus: no CDK CLI in this project \(aws-cdk is not in \S+node_modules or a parent's\): install it with: npm i -D aws-cdk\n$/);
});

test("no server running: cdk deploy fails at once with one line saying how to start one", async () => {
  const dir = project(true);
  const port = await freePort();
  const started = Date.now();
  const r = await run(["cdk", "deploy", "--require-approval", "never"], { cwd: dir, env: env(dir, { STRATUS_ENDPOINT: `http://127.0.0.1:${port}` }) });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `stratus: no Stratus answering at http://127.0.0.1:${port} for cdk deploy (start one with: npx stratus start --port ${port})\n`);
  assert.ok(Date.now() - started < 8000, "no retries");
  // --endpoint wins over STRATUS_ENDPOINT.
  const port2 = await freePort();
  const r2 = await run(["cdk", "diff", "--endpoint", `http://127.0.0.1:${port2}`], {
    cwd: dir,
    env: env(dir, { STRATUS_ENDPOINT: `http://127.0.0.1:${port}` }),
  });
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, new RegExp(`^stratus: no Stratus answering at http://127\\.0\\.0\\.1:${port2} for cdk diff `));
});

test("an app with a Docker image asset and no container engine: deploy refuses, naming the asset; no stack is made", async () => {
  const server = await startTestServer();
  try {
    const dir = project(true);
    mkdirSync(join(dir, "image"));
    writeFileSync(join(dir, "image", "Dockerfile"), 'FROM public.ecr.aws/lambda/nodejs:20\nCMD ["index.handler"]\n');
    writeFileSync(
      join(dir, "app.js"),
      `const cdk = require("aws-cdk-lib");
const lambda = require("aws-cdk-lib/aws-lambda");
const sqs = require("aws-cdk-lib/aws-sqs");
const app = new cdk.App();
const stack = new cdk.Stack(app, "ImageStack");
new sqs.Queue(stack, "Queue");
new lambda.DockerImageFunction(stack, "Fn", { code: lambda.DockerImageCode.fromImageAsset(__dirname + "/image") });
`,
    );
    writeFileSync(join(dir, "cdk.json"), JSON.stringify({ app: "node app.js" }));
    // CDK_DOCKER names the engine the CLI would run: one that does not exist is no engine, whatever this machine has.
    const r = await run(["cdk", "deploy", "--require-approval", "never", "--no-notices"], {
      cwd: dir,
      env: env(dir, { STRATUS_ENDPOINT: server.url, CDK_DOCKER: join(dir, "no-such-docker") }),
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /stratus: cannot deploy: the app has Docker image assets \(ImageStack: Fn\/AssetImage\), and image assets need a container engine to build them \(Docker, or the command CDK_DOCKER names\); none answers here \(no '\S+no-such-docker' command\)\. Nothing was published or deployed\n$/,
    );
    const cfn = new CloudFormationClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    await assert.rejects(cfn.send(new DescribeStacksCommand({ StackName: "ImageStack" })), /does not exist/);

    // The CLI ran as the IAM user stratus-cdk (the root may not assume the bootstrap roles), with one key.
    const iam = new IAMClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: "stratus-cdk" }));
    assert.equal(keys.AccessKeyMetadata?.length, 1);
    const cache = JSON.parse(readFileSync(join(dir, "home", ".cache", "stratus", "cdk-credentials.json"), "utf8")) as Record<string, { accessKeyId: string }>;
    assert.equal(cache[`${server.url} test`].accessKeyId, keys.AccessKeyMetadata?.[0].AccessKeyId);
  } finally {
    await server.close();
  }
});
