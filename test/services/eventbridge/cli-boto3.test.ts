// EventBridge from the AWS CLI (v1 and v2, where installed) and from boto3: a rule delivering to a queue, put-events
// with a failed entry, and an error as AWS words it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { clients, queue, receive } from "./setup.js";

const server = useServer();

const clis = awsClis();
if (!clis.length) test("aws CLI: events", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: put-rule, put-targets, put-events, describe-rule errors`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const c = clients(server, account);
    const q = await queue(c, "cli-q");
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["events", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const { RuleArn } = await aws(["put-rule", "--name", "cli", "--event-pattern", '{"source":["cli.app"]}']);
    assert.equal(RuleArn, `arn:aws:events:us-east-1:${account}:rule/cli`);
    assert.equal((await aws(["put-targets", "--rule", "cli", "--targets", `Id=q,Arn=${q.arn}`])).FailedEntryCount, 0);
    const out = await aws([
      "put-events",
      "--entries",
      JSON.stringify([
        { Source: "cli.app", DetailType: "d", Detail: '{"from":"cli"}' },
        { Source: "cli.app", DetailType: "d", Detail: "nope" },
      ]),
    ]);
    assert.equal(out.FailedEntryCount, 1);
    assert.equal(out.Entries[1].ErrorCode, "MalformedDetail");
    const [m] = await receive(c, q.url);
    assert.deepEqual(JSON.parse(m.Body!).detail, { from: "cli" });
    const missing = await runAws(cli, server.url, ["events", "describe-rule", "--name", "nope"], creds);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\(ResourceNotFoundException\).*Rule nope does not exist on EventBus default\./);
  });

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account, queue_arn = sys.argv[1:4]
eb = boto3.client("events", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
eb.create_event_bus(Name="py-bus")
eb.put_rule(Name="py", EventBusName="py-bus", EventPattern=json.dumps({"detail": {"k": [{"prefix": "v"}]}}))
eb.put_targets(Rule="py", EventBusName="py-bus", Targets=[{"Id": "q", "Arn": queue_arn, "InputPath": "$.detail"}])
r = eb.put_events(Entries=[{"EventBusName": "py-bus", "Source": "py", "DetailType": "d", "Detail": json.dumps({"k": "value"})}])
try:
    eb.create_event_bus(Name="py-bus")
    err = None
except ClientError as e:
    err = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
print(json.dumps({"failed": r["FailedEntryCount"], "err": err}))
`;

const boto3Missing = pythonMissing(["boto3"]);
test("boto3: a bus, a rule with InputPath, put_events, an error", { skip: boto3Missing }, async () => {
  const account = randomAccount();
  const c = clients(server, account);
  const q = await queue(c, "py-q");
  const env = { ...process.env, AWS_EC2_METADATA_DISABLED: "true" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, account, q.arn], { env, timeout: 60_000 })).stdout);
  assert.equal(out.failed, 0);
  assert.deepEqual(out.err, ["ResourceAlreadyExistsException", 400, "Event bus py-bus already exists."]);
  const [m] = await receive(c, q.url);
  assert.deepEqual(JSON.parse(m.Body!), { k: "value" });
});
