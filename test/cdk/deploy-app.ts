// The stock CDK CLI (node_modules/.bin/cdk, unpatched) against a test's Stratus: a tiny JavaScript CDK app in a temp
// dir (a Lambda function from a directory asset, a single-file asset, a retained bucket, outputs), the CLI run as a
// child process with the endpoint, region and keys in its environment, and bootstrap.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { IAMClient, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand } from "@aws-sdk/client-iam";
import yaml from "js-yaml";
import { REGISTRY } from "../../src/services/registry.js";
import type { TestServer } from "../helpers/server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CDK = join(ROOT, "node_modules/.bin/cdk");

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CdkRun {
  code: number | null;
  /** stdout and stderr together, as a user reads them. */
  output: string;
  stdout: string;
}

/** A CDK app in a fresh temp dir; `write()` (re)writes its function's code, `cdk()` runs the CLI in it. */
export class CdkApp {
  readonly dir = mkdtempSync(join(tmpdir(), "stratus-cdk-"));
  readonly home = join(this.dir, "home");

  constructor(
    public server: TestServer,
    public keys: Keys,
  ) {
    mkdirSync(join(this.dir, "fn"), { recursive: true });
    mkdirSync(this.home);
    // aws-cdk-lib and constructs resolve from the repo's node_modules (ESM ignores NODE_PATH).
    symlinkSync(join(ROOT, "node_modules"), join(this.dir, "node_modules"), "dir");
    writeFileSync(join(this.dir, "cdk.json"), JSON.stringify({ app: "node app.mjs" }));
    writeFileSync(join(this.dir, "data.txt"), "a single-file asset\n");
    writeFileSync(join(this.dir, "app.mjs"), APP);
    this.write(1);
  }

  /** The function's code, answering with its version and its GREETING variable. */
  write(version: number): void {
    writeFileSync(join(this.dir, "fn/index.js"), `exports.handler = async (event) => ({ version: ${version}, greeting: process.env.GREETING, event });\n`);
  }

  /** Runs `cdk <args>` here; `env` adds to the CLI's environment (GREETING reaches the app's synth). */
  cdk(args: string[], opts: { env?: Record<string, string>; keys?: Keys; timeoutMs?: number } = {}): Promise<CdkRun> {
    const keys = opts.keys ?? this.keys;
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_") && !k.startsWith("CDK_")) env[k] = v;
    Object.assign(env, {
      HOME: this.home,
      CDK_DISABLE_VERSION_CHECK: "1",
      CDK_DISABLE_CLI_TELEMETRY: "true",
      AWS_ENDPOINT_URL: this.server.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      FORCE_COLOR: "0",
      NO_COLOR: "1",
      ...opts.env,
    });
    const child = spawn(process.execPath, [CDK, ...args, "--no-notices"], { cwd: this.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (d) => {
      output += d;
      stdout += d;
    });
    child.stderr.on("data", (d) => (output += d));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`cdk ${args.join(" ")} timed out:\n${output}`));
      }, opts.timeoutMs ?? 120_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, output, stdout });
      });
    });
  }

  /** Like cdk(), but fails the test (with the CLI's output) unless the CLI exits 0. */
  async ok(args: string[], opts: Parameters<CdkApp["cdk"]>[1] = {}): Promise<string> {
    return (await this.run(args, opts)).output;
  }

  async run(args: string[], opts: Parameters<CdkApp["cdk"]>[1] = {}): Promise<CdkRun> {
    const r = await this.cdk(args, opts);
    if (r.code !== 0) throw new Error(`cdk ${args.join(" ")} exited ${r.code}:\n${r.output}`);
    return r;
  }

  /**
   * `cdk bootstrap`: with the stock template when Stratus provides every resource type it declares, else with the
   * stock template minus its ECR container-assets repository (AWS::ECR::Repository, not yet provided).
   */
  async bootstrap(): Promise<string> {
    if (provides("AWS::ECR::Repository")) return this.ok(["bootstrap"]);
    const t = yaml.load((await this.run(["bootstrap", "--show-template"])).stdout) as Template;
    delete t.Resources.ContainerAssetsRepository;
    delete t.Outputs.ImageRepositoryName;
    const ecr = t.Resources.ImagePublishingRoleDefaultPolicy.Properties.PolicyDocument.Statement[0];
    ecr.Resource = { "Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*" };
    const path = join(this.dir, "bootstrap-template.json");
    writeFileSync(path, JSON.stringify(t));
    return this.ok(["bootstrap", "--template", path]);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Template {
  Resources: Record<string, { Properties: { PolicyDocument: { Statement: { Resource: unknown }[] } } }>;
  Outputs: Record<string, unknown>;
}

const provides = (type: string) => REGISTRY.some((s) => s.resources?.types.includes(type));

/**
 * An IAM user with AdministratorAccess and its access keys, made through IAM with the account's root keys: the
 * credentials with which the CLI assumes the bootstrap roles (root may not assume roles, on AWS as here).
 */
export async function adminUser(server: TestServer, root: Keys, name = "cdk-deployer"): Promise<Keys> {
  const iam = new IAMClient(server.clientConfig(root));
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

/** The CLI's warning when it cannot assume a bootstrap role and goes on with the caller's own credentials. */
export const FALLBACK_WARNING = /could not be used to assume/;

const APP = `import * as cdk from "aws-cdk-lib";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3assets from "aws-cdk-lib/aws-s3-assets";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const app = new cdk.App();
const stack = new cdk.Stack(app, "DemoStack");
const fn = new lambda.Function(stack, "Fn", {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: "index.handler",
  code: lambda.Code.fromAsset(join(here, "fn")),
  environment: { GREETING: process.env.GREETING ?? "hello" },
});
const file = new s3assets.Asset(stack, "File", { path: join(here, "data.txt") });
const bucket = new s3.Bucket(stack, "Bucket", { removalPolicy: cdk.RemovalPolicy.RETAIN });
new cdk.CfnOutput(stack, "FnName", { value: fn.functionName });
new cdk.CfnOutput(stack, "BucketName", { value: bucket.bucketName });
new cdk.CfnOutput(stack, "FileBucket", { value: file.s3BucketName });
new cdk.CfnOutput(stack, "FileKey", { value: file.s3ObjectKey });
`;
