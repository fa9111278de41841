// Secrets Manager from the AWS CLI (v1 and v2, where installed) and from boto3.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: create-secret and get-secret-value", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-secret, get-secret-value, and a missing secret's error`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const created = await runAws(cli, server.url, ["secretsmanager", "create-secret", "--name", "cli/secret", "--secret-string", '{"user":"admin"}'], creds);
    assert.equal(created.status, 0, created.stderr);
    const { ARN, VersionId } = JSON.parse(created.stdout);
    assert.match(ARN, /:secret:cli\/secret-[A-Za-z0-9]{6}$/);
    const got = await runAws(cli, server.url, ["secretsmanager", "get-secret-value", "--secret-id", ARN], creds);
    assert.equal(got.status, 0, got.stderr);
    const value = JSON.parse(got.stdout);
    assert.equal(value.SecretString, '{"user":"admin"}');
    assert.equal(value.VersionId, VersionId);
    assert.deepEqual(value.VersionStages, ["AWSCURRENT"]);
    const missing = await runAws(cli, server.url, ["secretsmanager", "get-secret-value", "--secret-id", "nope"], creds);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\(ResourceNotFoundException\).*Secrets Manager can't find the specified secret\./);
  });

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
sm = boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {}
arn = sm.create_secret(Name="py/secret", SecretBinary=b"\\x00\\x01py")["ARN"]
sm.put_secret_value(SecretId=arn, SecretString="second")
out["current"] = sm.get_secret_value(SecretId="py/secret")["SecretString"]
out["previous"] = list(sm.get_secret_value(SecretId="py/secret", VersionStage="AWSPREVIOUS")["SecretBinary"])
out["stages"] = sorted(s for v in sm.describe_secret(SecretId=arn)["VersionIdsToStages"].values() for s in v)
out["password"] = len(sm.get_random_password(PasswordLength=50)["RandomPassword"])
sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
try:
    sm.get_secret_value(SecretId=arn)
except ClientError as e:
    out["deleted"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

test("boto3: binary then string versions, stages, random password, deletion", { skip: boto3Missing }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount()], { env, timeout: 60_000 })).stdout);
  assert.equal(out.current, "second");
  assert.deepEqual(out.previous, [0, 1, 112, 121]);
  assert.deepEqual(out.stages, ["AWSCURRENT", "AWSPREVIOUS"]);
  assert.equal(out.password, 50);
  assert.deepEqual(out.deleted, ["InvalidRequestException", 400]);
});
