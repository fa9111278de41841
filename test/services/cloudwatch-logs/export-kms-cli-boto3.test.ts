// Export tasks and KMS-encrypted groups from the AWS CLI (v1 and v2, where installed) and boto3: the exported object
// fetched with s3api get-object and gunzipped; an encrypted group read in clear, then refused once its key is disabled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { waitUntil } from "../../helpers/wait.js";
import { exportPolicy } from "./export-policy.js";

const server = useServer();
const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: logs create-export-task", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: logs create-export-task, describe-export-tasks, the object read back with s3api get-object`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, args, creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const bucket = `cli-exp-${account}`;
    await aws(["s3api", "create-bucket", "--bucket", bucket]);
    const missing = await runAws(
      cli,
      server.url,
      ["logs", "create-export-task", "--log-group-name", "/cli/app", "--from", "0", "--to", "1", "--destination", bucket],
      creds,
    );
    assert.match(missing.stderr, /\(ResourceNotFoundException\)/);
    await aws(["logs", "create-log-group", "--log-group-name", "/cli/app"]);
    const closed = await runAws(
      cli,
      server.url,
      ["logs", "create-export-task", "--log-group-name", "/cli/app", "--from", "0", "--to", "1", "--destination", bucket],
      creds,
    );
    assert.match(closed.stderr, /\(AccessDeniedException\).*GetBucketAcl call on the given bucket failed/);
    await aws(["s3api", "put-bucket-policy", "--bucket", bucket, "--policy", exportPolicy(bucket, account)]);
    await aws(["logs", "create-log-stream", "--log-group-name", "/cli/app", "--log-stream-name", "2026/12/05/[$LATEST]abc"]);
    const now = Date.now();
    const events = JSON.stringify([
      { timestamp: now - 2, message: "START RequestId: 1" },
      { timestamp: now - 1, message: "END RequestId: 1" },
    ]);
    await aws(["logs", "put-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "2026/12/05/[$LATEST]abc", "--log-events", events]);
    const { taskId } = await aws([
      "logs",
      "create-export-task",
      "--task-name",
      "cli",
      "--log-group-name",
      "/cli/app",
      "--from",
      String(now - 10),
      "--to",
      String(now),
      "--destination",
      bucket,
      "--destination-prefix",
      "cli",
    ]);
    await waitUntil(
      async () => (await aws(["logs", "describe-export-tasks", "--task-id", taskId])).exportTasks[0].status.code === "COMPLETED",
      "the export to complete",
    );
    const dir = mkdtempSync(join(tmpdir(), "cli-export-"));
    try {
      const file = join(dir, "000000.gz");
      await aws(["s3api", "get-object", "--bucket", bucket, "--key", `cli/${taskId}/2026/12/05/[$LATEST]abc/000000.gz`, file]);
      assert.equal(
        gunzipSync(readFileSync(file)).toString(),
        `${new Date(now - 2).toISOString()} START RequestId: 1\n${new Date(now - 1).toISOString()} END RequestId: 1\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

const BOTO3_SCRIPT = `
import gzip, json, sys, time, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
logs, kms, s3 = boto3.client("logs", **kw), boto3.client("kms", **kw), boto3.client("s3", **kw)
out = {}
policy = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"}, "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], "Resource": "*"}]})
key = kms.create_key(Policy=policy)["KeyMetadata"]["Arn"]
logs.create_log_group(logGroupName="/py/enc", kmsKeyId=key)
logs.create_log_stream(logGroupName="/py/enc", logStreamName="s")
now = int(time.time() * 1000)
logs.put_log_events(logGroupName="/py/enc", logStreamName="s", logEvents=[{"timestamp": now - 5 + i, "message": f"py secret {i}"} for i in range(3)])
out["read"] = [e["message"] for e in logs.get_log_events(logGroupName="/py/enc", logStreamName="s", startFromHead=True)["events"]]
bucket = f"py-exp-{account}"
s3.create_bucket(Bucket=bucket)
s3.put_bucket_policy(Bucket=bucket, Policy=sys.argv[3])
task = logs.create_export_task(logGroupName="/py/enc", fromTime=0, to=now + 1000, destination=bucket)["taskId"]
for _ in range(200):
    t = logs.describe_export_tasks(taskId=task)["exportTasks"][0]
    if t["status"]["code"] not in ("PENDING", "RUNNING"):
        break
    time.sleep(0.05)
out["status"] = t["status"]
body = s3.get_object(Bucket=bucket, Key=f"exportedlogs/{task}/s/000000.gz")["Body"].read()
out["exported"] = gzip.decompress(body).decode().splitlines()
kms.disable_key(KeyId=key)
try:
    logs.filter_log_events(logGroupName="/py/enc")
except ClientError as e:
    out["disabled"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
try:
    logs.create_log_group(logGroupName="/py/refused", kmsKeyId=kms.create_key()["KeyMetadata"]["Arn"])
except ClientError as e:
    out["refused"] = e.response["Error"]["Code"]
print(json.dumps(out))
`;

test("boto3: a KMS-encrypted group read in clear, exported, then refused with its key disabled", { skip: boto3Missing }, async () => {
  const account = randomAccount();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const policy = exportPolicy(`py-exp-${account}`, account);
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, account, policy], { env, timeout: 60_000 })).stdout);
  assert.deepEqual(out.read, ["py secret 0", "py secret 1", "py secret 2"]);
  assert.deepEqual(out.status, { code: "COMPLETED", message: "Completed successfully" });
  assert.equal(out.exported.length, 3);
  assert.match(out.exported[2], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z py secret 2$/);
  assert.deepEqual(out.disabled, [
    "AccessDeniedException",
    400,
    `The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:${account}:log-group:/py/enc'`,
  ]);
  assert.equal(out.refused, "AccessDeniedException");
});
