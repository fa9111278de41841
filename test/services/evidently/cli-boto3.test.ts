// Evidently from boto3 and the AWS CLI. AWS retired the service, and botocore no longer ships its model: both load
// the repo's models/evidently.json from a data path of their own (AWS_DATA_PATH=<dir> holding
// evidently/2021-02-01/service-2.json — botocore's Loader searches it before its own data). The data-plane operations
// carry the model's `dataplane.` host prefix, which a 127.0.0.1 endpoint cannot take: boto3 turns it off with
// Config(inject_host_prefix=False), CLI v1 with AWS_DISABLE_HOST_PREFIX_INJECTION=true (its botocore 1.43 reads it);
// CLI v2 2.9 has no such setting, so it is driven through the control plane only. The CLI runs as its own process
// (runAwsProcess): the shared batch interpreter puts awscli's own AWS_DATA_PATH in place of the caller's, where a real
// `aws` process appends to it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsClis, runAwsProcess } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

const dataPath = mkdtempSync(join(tmpdir(), "stratus-evidently-model-"));
mkdirSync(join(dataPath, "evidently", "2021-02-01"), { recursive: true });
copyFileSync(join(import.meta.dirname, "../../../models/evidently.json"), join(dataPath, "evidently", "2021-02-01", "service-2.json"));
after(() => rmSync(dataPath, { recursive: true, force: true }));

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
url, account = sys.argv[1:3]
ev = boto3.client("evidently", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test",
                  config=Config(inject_host_prefix=False))
ev.create_project(name="py")
ev.create_feature(project="py", name="f", variations=[{"name": "a", "value": {"longValue": 1}}, {"name": "b", "value": {"longValue": 2}}],
                  entityOverrides={"e1": "b"})
ev.create_launch(project="py", name="l", groups=[{"name": "g", "feature": "f", "variation": "b"}],
                 scheduledSplitsConfig={"steps": [{"startTime": 0, "groupWeights": {"g": 100000}}]})
ev.start_launch(project="py", launch="l")
r = ev.batch_evaluate_feature(project="py", requests=[{"feature": "f", "entityId": "e1"}, {"feature": "f", "entityId": "e2"}])
put = ev.put_project_events(project="py", events=[{"timestamp": 1700000000, "type": "aws.evidently.custom", "data": json.dumps({"k": 1})}])
try:
    ev.delete_project(project="py")
    err = None
except ClientError as e:
    err = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps({"results": [[x["entityId"], x["reason"], x["value"]] for x in r["results"]], "failed": put["failedEventCount"], "err": err}))
`;

const skip = pythonMissing();
test("boto3 (the model from the repo's data path): features, a launch, BatchEvaluateFeature, PutProjectEvents, the delete conflict", { skip }, async () => {
  const account = randomAccount();
  const { stdout } = await run("python3", ["-c", BOTO3_SCRIPT, server.url, account], { env: { ...process.env, AWS_DATA_PATH: dataPath } });
  const out = JSON.parse(stdout);
  assert.deepEqual(out.results, [
    ["e1", "ENTITY_OVERRIDES_MATCH", { longValue: 2 }],
    ["e2", "LAUNCH_RULE_MATCH", { longValue: 2 }],
  ]);
  assert.equal(out.failed, 0);
  assert.deepEqual(out.err, ["ConflictException", 409]);
});

const clis = awsClis();
if (!clis.length) test("aws CLI: evidently", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label} (the model from AWS_DATA_PATH): create-project, create-feature, evaluate-feature (v1), errors`, async () => {
    const account = randomAccount();
    const env = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test", AWS_DATA_PATH: dataPath, AWS_DISABLE_HOST_PREFIX_INJECTION: "true" };
    const aws = async (args: string[]) => {
      const r = await runAwsProcess(cli, server.url, ["evidently", ...args], env);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const { project } = await aws(["create-project", "--name", "cli"]);
    assert.equal(project.arn, `arn:aws:evidently:us-east-1:${account}:project/cli`);
    await aws(["create-feature", "--project", "cli", "--name", "f", "--variations", JSON.stringify([{ name: "x", value: { stringValue: "X" } }])]);
    if (cli.label.startsWith("aws-cli/1.")) {
      const evaluated = await aws(["evaluate-feature", "--project", "cli", "--feature", "f", "--entity-id", "someone"]);
      assert.deepEqual([evaluated.reason, evaluated.variation, evaluated.value], ["DEFAULT", "x", { stringValue: "X" }]);
    } else assert.equal((await aws(["get-feature", "--project", "cli", "--feature", "f"])).feature.defaultVariation, "x");
    const missing = await runAwsProcess(cli, server.url, ["evidently", "get-feature", "--project", "cli", "--feature", "nope"], env);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\(ResourceNotFoundException\)/);
  });
