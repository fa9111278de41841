// `cdk bootstrap` with the stock CDK CLI (aws-cdk from the devDependencies, unpatched) against a Stratus this file
// starts: the modern bootstrap template completes, its outputs and the version parameter are there, a second run
// (after a restart) is a no-op; a custom template (--template) with --qualifier and --trust.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudFormationClient, DescribeStacksCommand, DescribeStackResourcesCommand } from "@aws-sdk/client-cloudformation";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { randomAccount, startTestServer, useServer } from "../helpers/server.js";
import { ecrCall } from "../services/ecr/helpers.js";

const server = useServer();
const CDK = fileURLToPath(new URL("../../node_modules/aws-cdk/bin/cdk", import.meta.url));

/** Runs the CDK CLI with Stratus's endpoint, the account's root keys, a temp HOME and cwd; never the network. */
function cdk(account: string, args: string[], endpoint = server.url): Promise<{ status: number | null; stdout: string; output: string }> {
  const home = mkdtempSync(join(tmpdir(), "stratus-cdk-"));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    CDK_DISABLE_VERSION_CHECK: "1",
    CDK_DISABLE_CLI_TELEMETRY: "true",
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: account,
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: join(home, "none"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "none"),
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CDK, ...args, "--no-notices"], { cwd: home, env });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (d) => {
      output += d;
      stdout += d;
    });
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (status) => {
      rmSync(home, { recursive: true, force: true });
      resolve({ status, stdout, output });
    });
  });
}

async function outputsOf(cfn: CloudFormationClient, stack: string): Promise<Record<string, string>> {
  const s = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks![0];
  assert.equal(s.StackStatus, "CREATE_COMPLETE");
  return Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

test("cdk bootstrap: the modern template completes, its outputs and version parameter are there; after a restart a second run changes nothing", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-cdk-data-"));
  let s = await startTestServer({ dataDir });
  try {
    const account = randomAccount();
    const env = `aws://${account}/us-east-1`;
    const first = await cdk(account, ["bootstrap", env], s.url);
    assert.equal(first.status, 0, first.output);
    assert.match(first.output, new RegExp(`Environment ${env} bootstrapped\\.`));

    const config = s.clientConfig({ account });
    const cfn = new CloudFormationClient(config);
    const out = await outputsOf(cfn, "CDKToolkit");
    assert.equal(out.BucketName, `cdk-hnb659fds-assets-${account}-us-east-1`);
    assert.equal(out.ImageRepositoryName, `cdk-hnb659fds-container-assets-${account}-us-east-1`);
    assert.match(out.BootstrapVersion, /^\d+$/);
    assert.equal(out.FileAssetKeyArn, "AWS_MANAGED_KEY");
    const version = await new SSMClient(config).send(new GetParameterCommand({ Name: "/cdk-bootstrap/hnb659fds/version" }));
    assert.equal(version.Parameter!.Value, out.BootstrapVersion);

    // The resources are real: the staging bucket, the container assets repository, the five roles.
    await new S3Client({ ...config, forcePathStyle: true }).send(new HeadBucketCommand({ Bucket: out.BucketName }));
    const repo = (await ecrCall(s, account, "DescribeRepositories", { repositoryNames: [out.ImageRepositoryName] })).body.repositories[0];
    assert.equal(repo.imageTagMutability, "IMMUTABLE");
    assert.match((await ecrCall(s, account, "GetLifecyclePolicy", { repositoryName: out.ImageRepositoryName })).body.lifecyclePolicyText, /"untagged"/);
    const iam = new IAMClient(config);
    for (const kind of ["deploy", "file-publishing", "image-publishing", "lookup", "cfn-exec"]) {
      const role = await iam.send(new GetRoleCommand({ RoleName: `cdk-hnb659fds-${kind}-role-${account}-us-east-1` }));
      assert.equal(role.Role!.Arn, `arn:aws:iam::${account}:role/cdk-hnb659fds-${kind}-role-${account}-us-east-1`);
    }
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "CDKToolkit" }))).StackResources!;
    assert.ok(resources.every((r) => r.ResourceStatus === "CREATE_COMPLETE"));

    // The bootstrapped environment is kept: after a restart, bootstrapping again is a no-op.
    await s.close();
    s = await startTestServer({ dataDir });
    const again = await cdk(account, ["bootstrap", env], s.url);
    assert.equal(again.status, 0, again.output);
    assert.match(again.output, new RegExp(`Environment ${env} bootstrapped \\(no changes\\)\\.`));
  } finally {
    await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("cdk bootstrap --template --qualifier --trust: a custom template (the stock one, a resource and an output added), the qualifier's names, the trusted account", async () => {
  const account = randomAccount();
  const trusted = randomAccount();
  const shown = await cdk(account, ["bootstrap", "--show-template", "--json"]);
  assert.equal(shown.status, 0, shown.output);
  const template = JSON.parse(shown.stdout);
  template.Resources.OrgMarker = {
    Type: "AWS::SSM::Parameter",
    Properties: { Type: "String", Name: { "Fn::Sub": "/org/${Qualifier}/marker" }, Value: "custom" },
  };
  template.Outputs.Marker = { Value: { "Fn::GetAtt": ["OrgMarker", "Value"] } };
  const dir = mkdtempSync(join(tmpdir(), "stratus-cdk-template-"));
  try {
    const file = join(dir, "bootstrap.json");
    writeFileSync(file, JSON.stringify(template));
    const r = await cdk(account, [
      "bootstrap",
      `aws://${account}/us-east-1`,
      "--template",
      file,
      "--qualifier",
      "custom1",
      "--toolkit-stack-name",
      "ToolkitCustom",
      "--trust",
      trusted,
      "--cloudformation-execution-policies",
      "arn:aws:iam::aws:policy/AdministratorAccess",
    ]);
    assert.equal(r.status, 0, r.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const config = server.clientConfig({ account });
  const out = await outputsOf(new CloudFormationClient(config), "ToolkitCustom");
  assert.equal(out.Marker, "custom");
  assert.equal((await new SSMClient(config).send(new GetParameterCommand({ Name: "/org/custom1/marker" }))).Parameter!.Value, "custom");
  assert.equal(out.BucketName, `cdk-custom1-assets-${account}-us-east-1`);
  const version = await new SSMClient(config).send(new GetParameterCommand({ Name: "/cdk-bootstrap/custom1/version" }));
  assert.equal(version.Parameter!.Value, out.BootstrapVersion);
  const role = await new IAMClient(config).send(new GetRoleCommand({ RoleName: `cdk-custom1-deploy-role-${account}-us-east-1` }));
  const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)) as { Statement: { Principal?: { AWS?: string | string[] } }[] };
  const principals = trust.Statement.flatMap((s) => [s.Principal?.AWS ?? []].flat());
  assert.ok(
    principals.some((p) => p === trusted || p === `arn:aws:iam::${trusted}:root`),
    JSON.stringify(trust),
  );
});
