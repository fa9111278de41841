// The stock CDK CLI end to end against Stratus (issue 13, point 2): bootstrap once, then deploy an app with a
// directory asset (a Lambda function) and a single-file asset through the bootstrap roles, invoke the function,
// update in place, a no-op deploy, hotswap (code and configuration), diff, list, drift, and destroy with a
// retained bucket.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, GetTemplateCommand } from "@aws-sdk/client-cloudformation";
import { GetFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetObjectCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { randomAccount, startTestServer, type TestServer } from "../helpers/server.js";
import { adminUser, CdkApp, FALLBACK_WARNING, type Keys } from "./deploy-app.js";

let server: TestServer;
let app: CdkApp;
let root: Keys;
let outputs: Record<string, string>;
let stackId: string;

before(async () => {
  server = await startTestServer();
  root = { accessKeyId: randomAccount(), secretAccessKey: "test" };
  app = new CdkApp(server, root);
  await app.bootstrap();
  // The deploying identity: an IAM user with AdministratorAccess, which may assume the bootstrap roles.
  app.keys = await adminUser(server, root);
});

after(async () => {
  app?.remove();
  await server?.close();
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

  const fn = await lambda().send(new GetFunctionCommand({ FunctionName: outputs.FnName }));
  assert.equal(fn.Configuration!.Runtime, "nodejs22.x");
  assert.deepEqual(await invoke(outputs.FnName), { version: 1, greeting: "hello", event: { ping: 1 } });
});

test("cdk deploy of a change updates in place; an unchanged app is a no-op", async () => {
  const { Stacks: before } = await cfn().send(new DescribeStacksCommand({ StackName: "DemoStack" }));
  stackId = before![0].StackId!;
  const out = await app.ok(["deploy", "--require-approval", "never"], { env: { GREETING: "bonjour" } });
  assert.match(out, /UPDATE_COMPLETE\s*\|\s*AWS::Lambda::Function/);
  const { Stacks } = await cfn().send(new DescribeStacksCommand({ StackName: "DemoStack" }));
  assert.equal(Stacks![0].StackId, before![0].StackId);
  assert.equal(Stacks![0].StackStatus, "UPDATE_COMPLETE");
  assert.equal((await invoke(outputs.FnName)).greeting, "bonjour");

  // Root's keys: the CLI cannot assume the roles (AWS refuses root), warns, and goes on with root's own rights.
  const again = await app.ok(["deploy", "--require-approval", "never"], { env: { GREETING: "bonjour" }, keys: root });
  assert.match(again, FALLBACK_WARNING);
  assert.match(again, /✅\s+DemoStack \(no changes\)/);
  const { Stacks: after } = await cfn().send(new DescribeStacksCommand({ StackName: "DemoStack" }));
  assert.equal(after![0].LastUpdatedTime?.getTime(), Stacks![0].LastUpdatedTime?.getTime());
});

test("cdk deploy --hotswap and --hotswap-fallback: Lambda code and configuration through Lambda's API", async () => {
  app.write(2);
  const code = await app.ok(["deploy", "--hotswap", "--require-approval", "never"], { env: { GREETING: "bonjour" } });
  assert.match(code, /hotswapped!/i);
  assert.deepEqual(await invoke(outputs.FnName), { version: 2, greeting: "bonjour", event: { ping: 1 } });

  const env = await app.ok(["deploy", "--hotswap-fallback", "--require-approval", "never"], { env: { GREETING: "hola" } });
  assert.match(env, /hotswapped!/i);
  assert.equal((await invoke(outputs.FnName)).greeting, "hola");
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

  assert.match(await app.ok(["list"]), /^DemoStack$/m);

  // The hotswaps above drifted the function from the template (code and GREETING).
  const drift = await app.ok(["drift"], { env: { GREETING: "bonjour" } });
  assert.match(drift, /\/Environment\/Variables\/GREETING/);
  assert.match(drift, /Number of resources with drift: 1/);
});

test("cdk destroy --force removes the stack but the retained bucket", async () => {
  const out = await app.ok(["destroy", "--force"]);
  assert.match(out, /DemoStack: destroyed/);
  // A deleted stack is addressable by its id only.
  const { Stacks } = await cfn().send(new DescribeStacksCommand({ StackName: stackId }));
  assert.equal(Stacks![0].StackStatus, "DELETE_COMPLETE");
  await assert.rejects(lambda().send(new GetFunctionCommand({ FunctionName: outputs.FnName })), { name: "ResourceNotFoundException" });
  const s3 = new S3Client({ ...server.clientConfig(root), forcePathStyle: true });
  await s3.send(new HeadBucketCommand({ Bucket: outputs.BucketName }));
});
