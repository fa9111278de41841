// The stock CDK CLI end to end against Stratus (issue 13, point 2): bootstrap once, then deploy an app with a
// directory asset (a Lambda function) and a single-file asset through the bootstrap roles, invoke the function,
// update in place, a restart on the same data dir (point 6) after which a deploy is a no-op, hotswap (code and
// configuration) and cdk watch, diff, list, drift, import of an existing bucket, and destroy with retained buckets.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from "@aws-sdk/client-cloudformation";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { GetFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { randomAccount, startTestServer, type TestServer } from "../helpers/server.js";
import { adminUser, CdkApp, FALLBACK_WARNING, type Keys } from "./deploy-app.js";

let server: TestServer;
let app: CdkApp;
let root: Keys;
let outputs: Record<string, string>;
let stackId: string;
const dataDir = mkdtempSync(join(tmpdir(), "stratus-cdk-data-"));

before(async () => {
  server = await startTestServer({ dataDir });
  root = { accessKeyId: randomAccount(), secretAccessKey: "test" };
  app = new CdkApp(server, root);
  await app.bootstrap();
  // The deploying identity: an IAM user with AdministratorAccess, which may assume the bootstrap roles.
  app.keys = await adminUser(server, root);
});

after(async () => {
  app?.remove();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const lambda = () => new LambdaClient(server.clientConfig(root));
const cfn = () => new CloudFormationClient(server.clientConfig(root));

async function invoke(name: string): Promise<{ version: number; greeting: string }> {
  const r = await lambda().send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ ping: 1 }) }));
  assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
  return JSON.parse(Buffer.from(r.Payload!).toString());
}

test("cdk deploy: assets published through the file-publishing role, change set executed, outputs written", async () => {
  const out = await app.ok(["deploy", "--require-approval", "never", "--outputs-file", "outputs.json"]);
  assert.doesNotMatch(out, FALLBACK_WARNING, "the IAM user's keys assume the bootstrap roles");
  assert.match(out, /success: Published Fn\/Code/);
  assert.match(out, /success: Published File/);
  assert.match(out, /creating CloudFormation changeset/);
  assert.match(out, /CREATE_COMPLETE\s*\|\s*AWS::Lambda::Function/, "the progress display is fed by stack events");
  assert.match(out, /✅\s+DemoStack/);
  outputs = JSON.parse(readFileSync(join(app.dir, "outputs.json"), "utf8")).DemoStack;
  assert.match(out, new RegExp(`DemoStack\\.FnName = ${outputs.FnName}`));

  // The single-file asset is in the staging bucket, with the file's bytes.
  const s3 = new S3Client({ ...server.clientConfig(root), forcePathStyle: true });
  assert.match(outputs.FileBucket, /^cdk-hnb659fds-assets-\d{12}-us-east-1$/);
  const obj = await s3.send(new GetObjectCommand({ Bucket: outputs.FileBucket, Key: outputs.FileKey }));
  assert.equal(await obj.Body!.transformToString(), "a single-file asset\n");

  // The deployed template is the synthesized one (the CLI passed its S3 URL); events record the creation.
  const { TemplateBody } = await cfn().send(new GetTemplateCommand({ StackName: "DemoStack" }));
  const synthesized = JSON.parse(readFileSync(join(app.dir, "cdk.out/DemoStack.template.json"), "utf8"));
  assert.deepEqual(JSON.parse(TemplateBody!), synthesized);
  const { StackEvents } = await cfn().send(new DescribeStackEventsCommand({ StackName: "DemoStack" }));
  assert.ok(StackEvents!.some((e) => e.LogicalResourceId === "DemoStack" && e.ResourceStatus === "CREATE_COMPLETE"));

  // CloudTrail: the IAM user assumed the file-publishing and deploy roles; the deploy role created the change set
  // from the template's URL in the staging bucket, for the CloudFormation execution role.
  const trail = new CloudTrailClient(server.clientConfig(root));
  const events = async (name: string) =>
    ((await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: name }] }))).Events ?? []).map((e) =>
      JSON.parse(e.CloudTrailEvent!),
    );
  const assumed = (await events("AssumeRole")).filter((e) => e.userIdentity.arn.endsWith(":user/cdk-deployer"));
  const roles = new Set(assumed.map((e) => e.requestParameters.roleArn.replace(/^.*:role\/cdk-hnb659fds-|-\d{12}-us-east-1$/g, "")));
  assert.ok(roles.has("file-publishing-role") && roles.has("deploy-role"), [...roles].join());
  const created = (await events("CreateChangeSet")).find((e) => e.requestParameters.stackName === "DemoStack");
  assert.match(created.userIdentity.arn, /:assumed-role\/cdk-hnb659fds-deploy-role-\d{12}-us-east-1\//);
  assert.match(created.requestParameters.templateURL, new RegExp(`/${outputs.FileBucket}/[0-9a-f]{64}\\.json$`));
  assert.match(created.requestParameters.roleARN, /:role\/cdk-hnb659fds-cfn-exec-role-/);

  const fn = await lambda().send(new GetFunctionCommand({ FunctionName: outputs.FnName }));
  assert.equal(fn.Configuration!.Runtime, "nodejs22.x");
  assert.deepEqual(await invoke(outputs.FnName), { version: 1, greeting: "hello", event: { ping: 1 } });
});

test("cdk deploy of a change updates in place; after a restart on the same data dir an unchanged app is a no-op", async () => {
  const { Stacks: before } = await cfn().send(new DescribeStacksCommand({ StackName: "DemoStack" }));
  stackId = before![0].StackId!;
  const out = await app.ok(["deploy", "--require-approval", "never"], { env: { GREETING: "bonjour" } });
  assert.match(out, /UPDATE_COMPLETE\s*\|\s*AWS::Lambda::Function/);
  const { Stacks } = await cfn().send(new DescribeStacksCommand({ StackName: "DemoStack" }));
  assert.equal(Stacks![0].StackId, stackId);
  assert.equal(Stacks![0].StackStatus, "UPDATE_COMPLETE");
  assert.equal((await invoke(outputs.FnName)).greeting, "bonjour");

  // Restart: the bootstrap stack and roles, the IAM user, the assets and the stack come back from the data dir.
  await server.close();
  server = await startTestServer({ dataDir });
  app.server = server;
  const again = await app.ok(["deploy", "--require-approval", "never"], { env: { GREETING: "bonjour" } });
  assert.doesNotMatch(again, FALLBACK_WARNING);
  assert.match(again, /✅\s+DemoStack \(no changes\)/);
  const { Stacks: after } = await cfn().send(new DescribeStacksCommand({ StackName: "DemoStack" }));
  assert.equal(after![0].LastUpdatedTime?.getTime(), Stacks![0].LastUpdatedTime?.getTime());
  assert.deepEqual(await invoke(outputs.FnName), { version: 1, greeting: "bonjour", event: { ping: 1 } });

  // Root's keys: the CLI cannot assume the roles (AWS refuses root), warns, and goes on with root's own rights.
  const asRoot = await app.ok(["--app", "cdk.out", "deploy", "--require-approval", "never"], { keys: root });
  assert.match(asRoot, FALLBACK_WARNING);
  assert.match(asRoot, /✅\s+DemoStack \(no changes\)/);
});

test("cdk deploy --hotswap and --hotswap-fallback, cdk watch: Lambda code and configuration through Lambda's API", async () => {
  app.write(2);
  const code = await app.ok(["deploy", "--hotswap", "--require-approval", "never"], { env: { GREETING: "bonjour" } });
  assert.match(code, /hotswapped!/i);
  assert.deepEqual(await invoke(outputs.FnName), { version: 2, greeting: "bonjour", event: { ping: 1 } });

  const env = await app.ok(["deploy", "--hotswap-fallback", "--require-approval", "never"], { env: { GREETING: "hola" } });
  assert.match(env, /hotswapped!/i);
  assert.equal((await invoke(outputs.FnName)).greeting, "hola");
  // cdk watch --hotswap: a change to the function's code is hotswapped while it watches.
  const watch = app.watch(["--hotswap"], { env: { GREETING: "hola" } });
  try {
    await watch.until(/Total time/);
    const from = watch.output().length;
    app.write(3);
    await watch.until(/hotswapped!/, from);
  } finally {
    await watch.stop();
  }
  assert.deepEqual(await invoke(outputs.FnName), { version: 3, greeting: "hola", event: { ping: 1 } });

  // Hotswap bypasses CloudFormation: the stack still holds the last template deployed through it.
  const { StackEvents } = await cfn().send(new DescribeStackEventsCommand({ StackName: "DemoStack" }));
  assert.equal(StackEvents![0].ResourceStatus, "UPDATE_COMPLETE");
});

test("cdk diff (template and change set), cdk list, cdk drift", async () => {
  const diff = await app.ok(["diff"], { env: { GREETING: "hallo" } });
  assert.match(diff, /\[~\] AWS::Lambda::Function Fn/);
  assert.match(diff, /\[-\] bonjour[\s\S]*\[\+\] hallo/);
  assert.match(diff, /Number of stacks with differences: 1/);
  const viaChangeSet = await app.ok(["diff", "--change-set"], { env: { GREETING: "hallo" } });
  assert.match(viaChangeSet, /\[~\] AWS::Lambda::Function Fn/);
  assert.doesNotMatch(viaChangeSet, /Could not create a change set/);

  // The synthesized assembly (cdk.out) as the app: the same stacks, without synthesizing again.
  assert.match(await app.ok(["--app", "cdk.out", "list"]), /^DemoStack$/m);

  // The hotswaps above drifted the function from the template (code and GREETING).
  const drift = await app.ok(["--app", "cdk.out", "drift"]);
  assert.match(drift, /\/Environment\/Variables\/GREETING/);
  assert.match(drift, /Number of resources with drift: 1/);
});

test("cdk deploy --revert-drift, as the CLI advises after a hotswap: the function's configuration back to the template", async () => {
  // The app as last deployed through CloudFormation (code version 1, GREETING bonjour): an ordinary deploy sees no
  // change, since the template is the deployed one.
  app.write(1);
  const plain = await app.ok(["deploy", "--require-approval", "never"], { env: { GREETING: "bonjour" } });
  assert.match(plain, /✅\s+DemoStack \(no changes\)/);
  assert.equal((await invoke(outputs.FnName)).greeting, "hola");

  // A drift-aware change set compares with the function as it is, and reverts GREETING. The code is a write-only
  // property (Lambda does not return where it came from), so, as on AWS, a hotswapped code is not drift it can see.
  const revert = await app.ok(["deploy", "--revert-drift", "--require-approval", "never"], { env: { GREETING: "bonjour" } });
  assert.match(revert, /UPDATE_COMPLETE\s*\|\s*AWS::Lambda::Function/);
  assert.deepEqual(await invoke(outputs.FnName), { version: 3, greeting: "bonjour", event: { ping: 1 } });
  assert.match(await app.ok(["--app", "cdk.out", "drift"]), /No drift detected|Number of resources with drift: 0/);
});

test("cdk import adopts an existing bucket; cdk destroy --force removes the stack but the retained buckets", async () => {
  const s3 = new S3Client({ ...server.clientConfig(root), forcePathStyle: true });
  const existing = `cdk-imported-${root.accessKeyId}`;
  await s3.send(new CreateBucketCommand({ Bucket: existing }));
  // --force: import although the app has other pending changes (the hotswapped function), as the CLI allows.
  const imported = await app.ok(["import", "--force", "--resource-mapping-inline", JSON.stringify({ Imported: { BucketName: existing } })], {
    env: { GREETING: "hola", IMPORT_BUCKET: existing },
  });
  assert.match(imported, /IMPORT_COMPLETE\s*\|\s*AWS::S3::Bucket\s*\|\s*Imported/);
  const { StackResources } = await cfn().send(new DescribeStackResourcesCommand({ StackName: "DemoStack", LogicalResourceId: "Imported" }));
  assert.equal(StackResources![0].PhysicalResourceId, existing);

  const out = await app.ok(["--app", "cdk.out", "destroy", "--force"]);
  assert.match(out, /DemoStack: destroyed/);
  // A deleted stack is addressable by its id only.
  const { Stacks } = await cfn().send(new DescribeStacksCommand({ StackName: stackId }));
  assert.equal(Stacks![0].StackStatus, "DELETE_COMPLETE");
  await assert.rejects(lambda().send(new GetFunctionCommand({ FunctionName: outputs.FnName })), { name: "ResourceNotFoundException" });
  // RemovalPolicy.RETAIN (DeletionPolicy Retain) keeps both buckets.
  await s3.send(new HeadBucketCommand({ Bucket: outputs.BucketName }));
  await s3.send(new HeadBucketCommand({ Bucket: existing }));
});
