// Synthetics from the AWS CLI (v1 and v2, where installed) and from boto3: a canary whose code is in S3, started
// and run, tags and an error as AWS words it; a Python canary (execute_http_step, the logger) run through boto3,
// and groups.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { clients, completedRuns, nodeZip, prepare, pythonZip, target, waitForState } from "./setup.js";

const server = useServer();
let web: Awaited<ReturnType<typeof target>>;
before(async () => {
  web = await target();
});
after(() => web.close());

const clis = awsClis();
if (!clis.length) test("aws CLI: synthetics", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-canary from S3, start-canary, get-canary-runs, tags, an error`, async () => {
    const account = randomAccount();
    const c = clients(server, account);
    const { role, bucket } = await prepare(c);
    const script = `const synthetics = require('Synthetics');\nexports.handler = async () => synthetics.executeHttpStep('ok', 'http://127.0.0.1:${web.port}/ok');`;
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: "code/canary.zip", Body: nodeZip("cliCanary", script) }));
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["synthetics", ...args], { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const created = await aws([
      "create-canary",
      "--name",
      "cli-canary",
      "--code",
      `S3Bucket=${bucket},S3Key=code/canary.zip,Handler=cliCanary.handler`,
      "--artifact-s3-location",
      `s3://${bucket}/out/`,
      "--execution-role-arn",
      role,
      "--schedule",
      "Expression=rate(0 minute)",
      "--runtime-version",
      "syn-nodejs-puppeteer-9.1",
      "--tags",
      "env=test",
    ]);
    assert.equal(created.Canary.Status.State, "CREATING");
    await waitForState(c, "cli-canary", "READY");
    await aws(["start-canary", "--name", "cli-canary"]);
    await completedRuns(c, "cli-canary");
    const runs = await aws(["get-canary-runs", "--name", "cli-canary"]);
    assert.equal(runs.CanaryRuns[0].Status.State, "PASSED", runs.CanaryRuns[0].Status.StateReason);
    assert.match(runs.CanaryRuns[0].ArtifactS3Location, new RegExp(`^${bucket}/out/canary/us-east-1/cli-canary-`));
    const arn = `arn:aws:synthetics:us-east-1:${account}:canary:cli-canary`;
    await aws(["tag-resource", "--resource-arn", arn, "--tags", "team=ops"]);
    assert.deepEqual((await aws(["list-tags-for-resource", "--resource-arn", arn])).Tags, { env: "test", team: "ops" });
    const listed = await aws(["describe-canaries", "--names", "cli-canary"]);
    assert.equal(listed.Canaries[0].Name, "cli-canary");
    const missing = await runAws(cli, server.url, ["synthetics", "stop-canary", "--name", "cli-canary"], {
      AWS_ACCESS_KEY_ID: account,
      AWS_SECRET_ACCESS_KEY: "test",
    });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\(ConflictException\)/);
  });

const BOTO3_SCRIPT = `
import json, sys, time, zipfile, io, boto3
from botocore.exceptions import ClientError
url, account, role, bucket, port = sys.argv[1:6]
syn = boto3.client("synthetics", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
script = '''
from aws_synthetics.selenium import synthetics_webdriver as syn_webdriver
from aws_synthetics.common import synthetics_logger as logger

def handler(event, context):
    logger.info("python canary")
    syn_webdriver.execute_http_step("get-ok", "http://127.0.0.1:%s/ok")
    syn_webdriver.execute_http_step("get-broken", "http://127.0.0.1:%s/broken")
''' % (port, port)
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("python/pyCanary.py", script)
c = syn.create_canary(Name="py-canary", Code={"ZipFile": buf.getvalue(), "Handler": "pyCanary.handler"},
    ArtifactS3Location="s3://%s/py" % bucket, ExecutionRoleArn=role, Schedule={"Expression": "rate(0 minute)"},
    RuntimeVersion="syn-python-selenium-14.0")["Canary"]
deadline = time.time() + 30
while syn.get_canary(Name="py-canary")["Canary"]["Status"]["State"] != "READY" and time.time() < deadline:
    time.sleep(0.05)
syn.start_canary(Name="py-canary")
runs = []
while time.time() < deadline:
    runs = [r for r in syn.get_canary_runs(Name="py-canary")["CanaryRuns"] if r["Status"]["State"] != "RUNNING"]
    if runs:
        break
    time.sleep(0.05)
g = syn.create_group(Name="Checkout")["Group"]
syn.associate_resource(GroupIdentifier="checkout", ResourceArn="arn:aws:synthetics:us-east-1:%s:canary:py-canary" % account)
resources = syn.list_group_resources(GroupIdentifier=g["Id"])["Resources"]
assoc = [x["Name"] for x in syn.list_associated_groups(ResourceArn="arn:aws:synthetics:us-east-1:%s:canary:py-canary" % account)["Groups"]]
try:
    syn.create_group(Name="checkout")
    err = None
except ClientError as e:
    err = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps({"state": c["Status"]["State"], "run": runs[0]["Status"] if runs else None, "resources": resources, "assoc": assoc, "err": err}))
`;

const boto3Missing = pythonMissing(["boto3"]);
test("boto3: a Python canary with execute_http_step; groups", { skip: boto3Missing }, async () => {
  const account = randomAccount();
  const c = clients(server, account);
  const { role, bucket } = await prepare(c);
  const env = { ...process.env, AWS_EC2_METADATA_DISABLED: "true" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, account, role, bucket, String(web.port)], { env, timeout: 60_000 })).stdout);
  assert.equal(out.state, "CREATING");
  // The 500 fails its step: the run fails with the step's reason.
  assert.equal(out.run.State, "FAILED");
  assert.equal(out.run.StateReason, "Exception: 500 Internal Server Error");
  assert.deepEqual(out.resources, [`arn:aws:synthetics:us-east-1:${account}:canary:py-canary`]);
  assert.deepEqual(out.assoc, ["Checkout"]);
  assert.deepEqual(out.err, ["ConflictException", 409]);
  void pythonZip;
});
