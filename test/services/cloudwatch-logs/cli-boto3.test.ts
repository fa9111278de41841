// CloudWatch Logs from the AWS CLI (v1 and v2, where installed) and from boto3: put-log-events, filter-log-events, paging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: logs put-log-events, filter-log-events", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: logs create-log-group, put-log-events, filter-log-events, get-log-events`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["logs", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    await aws(["create-log-group", "--log-group-name", "/cli/app"]);
    await aws(["create-log-stream", "--log-group-name", "/cli/app", "--log-stream-name", "main"]);
    const now = Date.now();
    const events = JSON.stringify([
      { timestamp: now - 3, message: '{"level":"ERROR","code":500}' },
      { timestamp: now - 2, message: '{"level":"INFO","code":200}' },
      { timestamp: now - 1, message: "plain ERROR line" },
    ]);
    const put = await aws(["put-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "main", "--log-events", events]);
    assert.match(put.nextSequenceToken, /^\d+$/);
    const json = await aws(["filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern", "{ $.code >= 500 }"]);
    assert.deepEqual(
      json.events.map((e: { message: string }) => e.message),
      ['{"level":"ERROR","code":500}'],
    );
    const terms = await aws(["filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern", "ERROR", "--page-size", "1"]);
    assert.equal(terms.events.length, 2);
    const got = await aws(["get-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "main", "--start-from-head"]);
    assert.equal(got.events.length, 3);
    const missing = await runAws(cli, server.url, ["logs", "filter-log-events", "--log-group-name", "/cli/none"], creds);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\(ResourceNotFoundException\).*The specified log group does not exist/);
  });

const BOTO3_SCRIPT = `
import json, sys, time, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {}
logs.create_log_group(logGroupName="/py/app", tags={"env": "test"})
logs.create_log_stream(logGroupName="/py/app", logStreamName="s1")
logs.create_log_stream(logGroupName="/py/app", logStreamName="s2")
now = int(time.time() * 1000)
for s in ["s1", "s2"]:
    logs.put_log_events(logGroupName="/py/app", logStreamName=s, logEvents=[{"timestamp": now - 100 + i, "message": f"{s} req {i} status={200 if i % 3 else 500}"} for i in range(30)])
pages = logs.get_paginator("filter_log_events").paginate(logGroupName="/py/app", filterPattern="status=500", PaginationConfig={"PageSize": 4})
out["matches"] = [e["message"] for p in pages for e in p["events"]]
out["groups"] = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/py")["logGroups"]]
out["streams"] = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName="/py/app", orderBy="LogStreamName")["logStreams"]]
try:
    logs.put_retention_policy(logGroupName="/py/app", retentionInDays=2)
except ClientError as e:
    out["retention"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

test("boto3: put_log_events on two streams, paginated filter_log_events, describe, a refused retention", { skip: boto3Missing }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount()], { env, timeout: 60_000 })).stdout);
  assert.equal(out.matches.length, 20);
  // Interleaved across the streams in time order.
  assert.deepEqual(out.matches.slice(0, 2), ["s1 req 0 status=500", "s2 req 0 status=500"]);
  assert.deepEqual(out.groups, ["/py/app"]);
  assert.deepEqual(out.streams, ["s1", "s2"]);
  assert.deepEqual(out.retention, ["InvalidParameterException", 400]);
});

const POLICY_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["route53.amazonaws.com"]}, "Action": "logs:PutLogEvents", "Resource": "*"}]})
out = {}
put = logs.put_resource_policy(policyName="py-route53", policyDocument=doc)
out["put"] = [put["resourcePolicy"]["policyName"], put["resourcePolicy"]["policyScope"], put["resourcePolicy"]["policyDocument"] == doc]
out["described"] = [[p["policyName"], json.loads(p["policyDocument"])["Statement"][0]["Principal"]["Service"]] for p in logs.describe_resource_policies()["resourcePolicies"]]
logs.delete_resource_policy(policyName="py-route53")
try:
    logs.delete_resource_policy(policyName="py-route53")
except ClientError as e:
    out["missing"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
print(json.dumps(out))
`;

test("boto3: put_resource_policy, describe_resource_policies, delete_resource_policy and its ResourceNotFoundException", { skip: boto3Missing }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", POLICY_SCRIPT, server.url, randomAccount()], { env, timeout: 60_000 })).stdout);
  assert.deepEqual(out.put, ["py-route53", "ACCOUNT", true]);
  assert.deepEqual(out.described, [["py-route53", "route53.amazonaws.com"]]);
  assert.deepEqual(out.missing, ["ResourceNotFoundException", 400, "Policy with name [py-route53] does not exist."]);
});
