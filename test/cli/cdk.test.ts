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
import { spawn } from "node:child_process";
import { cleanEnv, freePort, run } from "./spawn.js";
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

test("bootstrap and deploy through stratus cdk, as an IAM user that assumes the bootstrap roles; an image asset without a container engine is refused before any stack changes", async () => {
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
const queues = new cdk.Stack(app, "QueueStack");
const q = new sqs.Queue(queues, "Queue");
new cdk.CfnOutput(queues, "QueueName", { value: q.queueName });
const images = new cdk.Stack(app, "ImageStack");
new lambda.DockerImageFunction(images, "Fn", { code: lambda.DockerImageCode.fromImageAsset(__dirname + "/image") });
`,
    );
    writeFileSync(join(dir, "cdk.json"), JSON.stringify({ app: "node app.js" }));
    // CDK_DOCKER names the engine the CLI would run: one that does not exist is no engine, whatever this machine has.
    const e = env(dir, { STRATUS_ENDPOINT: server.url, CDK_DOCKER: join(dir, "no-such-docker") });
    const cdk = (...args: string[]) => run(["cdk", ...args, "--no-notices"], { cwd: dir, env: e, timeoutMs: 120_000 });
    const cfn = new CloudFormationClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });

    const boot = await cdk("bootstrap", "aws://000000000000/us-east-1");
    assert.equal(boot.code, 0, boot.stderr);
    assert.match(boot.stdout + boot.stderr, /Environment aws:\/\/000000000000\/us-east-1 bootstrapped/);

    const deploy = await cdk("deploy", "QueueStack", "--require-approval", "never", "-O", "outputs.json");
    assert.equal(deploy.code, 0, deploy.stderr);
    const all = deploy.stdout + deploy.stderr;
    // Not the root: the CLI assumed the deploy and file-publishing roles rather than warning and falling back.
    assert.doesNotMatch(all, /could not be used to assume/);
    const outputs = JSON.parse(readFileSync(join(dir, "outputs.json"), "utf8")) as { QueueStack: { QueueName: string } };
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: "QueueStack" }))).Stacks![0];
    assert.equal(stack.StackStatus, "CREATE_COMPLETE");
    assert.equal(stack.Outputs?.find((o) => o.OutputKey === "QueueName")?.OutputValue, outputs.QueueStack.QueueName);
    assert.ok(
      deploy.stderr.endsWith(
        `stratus: the stacks' outputs are in the outputs file outputs.json, or aws cloudformation describe-stacks --endpoint-url ${server.url} --region us-east-1 --query "Stacks[].Outputs"\n`,
      ),
      deploy.stderr,
    );
    // The CLI ran as the IAM user stratus-cdk, whose one key is the one kept in the cache.
    const iam = new IAMClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: "stratus-cdk" }))).AccessKeyMetadata ?? [];
    assert.equal(keys.length, 1);
    const cache = JSON.parse(readFileSync(join(dir, "home", ".cache", "stratus", "cdk-credentials.json"), "utf8")) as Record<
      string,
      { accessKeyId: string; secretAccessKey: string }
    >;
    const user = cache[`${server.url} test`];
    assert.equal(user.accessKeyId, keys[0].AccessKeyId);

    // The image stack: refused before anything is published or deployed, naming the asset.
    const refused = await cdk("deploy", "--all", "--require-approval", "never");
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /stratus: cannot deploy: the app has Docker image assets \(ImageStack: Fn\/AssetImage\), and image assets need a container engine to build them \(Docker, or the command CDK_DOCKER names\); none answers here \(no '\S+no-such-docker' command\)\. Nothing was published or deployed\n$/,
    );
    await assert.rejects(cfn.send(new DescribeStacksCommand({ StackName: "ImageStack" })), /does not exist/);

    // The stock CLI, run directly on the same assembly, also stops at the asset, before the stack exists.
    const plain = await new Promise<{ code: number | null; out: string }>((ok) => {
      const child = spawn(
        process.execPath,
        [join(NODE_MODULES, "aws-cdk", "bin", "cdk"), "deploy", "ImageStack", "--app", "cdk.out", "--require-approval", "never", "--no-notices"],
        {
          cwd: dir,
          env: {
            ...cleanEnv(e),
            AWS_ENDPOINT_URL: server.url,
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: user.accessKeyId,
            AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
            CDK_DISABLE_VERSION_CHECK: "1",
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c));
      child.stderr.on("data", (c: Buffer) => (out += c));
      child.on("close", (code) => ok({ code, out }));
    });
    assert.notEqual(plain.code, 0, plain.out);
    // ECR answers that the image is not there (DescribeImages: ImageNotFoundException) and hands out the registry's
    // credentials (GetAuthorizationToken), so the CLI goes on to log in to the registry with the container engine,
    // finds none, and says so itself, once the asset's build has begun — before any change set, so no stack event was
    // printed. The CLI publishes assets concurrently: the template's lines may come between (CI once had one there).
    assert.match(plain.out, /Building Fn\/AssetImage/);
    assert.match(
      plain.out,
      /Building Fn\/AssetImage[\s\S]*Failed to find and execute '\S+no-such-docker' while attempting to build a container asset\. Please install/,
    );
    assert.doesNotMatch(plain.out, /CREATE_IN_PROGRESS|REVIEW_IN_PROGRESS/);
    await assert.rejects(cfn.send(new DescribeStacksCommand({ StackName: "ImageStack" })), /does not exist/);
  } finally {
    await server.close();
  }
});

test("stratus cdk --help and stratus help cdk print Stratus's usage; stratus cdk deploy --help is the CDK CLI's", async () => {
  const dir = project(true);
  for (const args of [["cdk", "--help"], ["cdk", "-h"], ["help", "cdk"], ["cdk"]]) {
    const h = await run(args, { cwd: dir, env: env(dir) });
    assert.equal(h.code, 0, `${args.join(" ")}: ${h.stderr}`);
    assert.match(h.stdout, /^Usage: stratus cdk \[--endpoint <url>\] <cdk command> \[cdk options\]\n/);
    assert.match(h.stdout, /--endpoint <url> +Stratus's URL; default AWS_ENDPOINT_URL, else http:\/\/127\.0\.0\.1:4566 +\[STRATUS_ENDPOINT\]/);
  }
  const global = await run(["--help"]);
  assert.match(global.stdout, /\n {2}cdk +Run your project's CDK CLI against Stratus/);
  const cdkHelp = await run(["cdk", "deploy", "--help"], { cwd: dir, env: env(dir), timeoutMs: 60_000 });
  assert.equal(cdkHelp.code, 0, cdkHelp.stderr);
  assert.match(cdkHelp.stdout, /^cdk deploy \[STACKS\.\.\]/);
});
