// STS from the AWS CLI (v1 and v2, where installed) and from boto3: session tokens and assumed roles used on later calls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

const boto3Missing = pythonMissing();

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  return { ...env, ...extra };
}

const clis = awsClis();
if (!clis.length) test("aws CLI: get-session-token, then calls with the session", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: get-session-token, then get-caller-identity and get-access-key-info with the session`, async () => {
    const account = randomAccount();
    const aws = async (args: string[], creds: Record<string, string>) => {
      const r = await runAws(cli, server.url, args, { AWS_DEFAULT_REGION: "us-east-1", ...creds });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const root = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const { Credentials } = await aws(["sts", "get-session-token", "--duration-seconds", "900"], root);
    assert.match(Credentials.AccessKeyId, /^ASIA/);
    const session = {
      AWS_ACCESS_KEY_ID: Credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: Credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: Credentials.SessionToken,
    };
    const id = await aws(["sts", "get-caller-identity"], session);
    assert.equal(id.Arn, `arn:aws:iam::${account}:root`);
    assert.equal((await aws(["sts", "get-access-key-info", "--access-key-id", Credentials.AccessKeyId], root)).Account, account);

    const refused = await runAws(cli, server.url, ["sts", "get-session-token"], session);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /\(AccessDenied\).*Cannot call GetSessionToken with session credentials/);
  });

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
root = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
iam = boto3.client("iam", **root)
iam.create_user(UserName="py-user")
key = iam.create_access_key(UserName="py-user")["AccessKey"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": account}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:ExternalId": "py-ext-1"}}}]}
role = iam.create_role(RoleName="py-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
out = {}
try:
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="py-session")
except ClientError as e:
    out["denied"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="py-session", ExternalId="py-ext-1", DurationSeconds=900)["Credentials"]
assumed = boto3.client("sts", endpoint_url=url, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
out["identity"] = assumed.get_caller_identity()["Arn"]
out["expiration"] = creds["Expiration"].isoformat()
print(json.dumps(out))
`;

test("boto3: IAM user assumes a role with an ExternalId and calls as the role", { skip: boto3Missing }, async () => {
  const account = randomAccount();
  const out = JSON.parse(
    (await run("python3", ["-c", BOTO3_SCRIPT, server.url, account], { env: cleanEnv({ AWS_MAX_ATTEMPTS: "1" }), timeout: 60_000 })).stdout,
  );
  assert.deepEqual(out.denied, ["AccessDenied", 403]);
  assert.equal(out.identity, `arn:aws:sts::${account}:assumed-role/py-role/py-session`);
  assert.match(out.expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
});
