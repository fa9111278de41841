// A subscription filter driven by boto3 delivering to a real Python function, which decodes the awslogs payload
// itself (base64, gzip, JSON, as AWS's Python examples do) and reports what it decoded through SQS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SQSClient, CreateQueueCommand } from "@aws-sdk/client-sqs";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { useServer } from "../../helpers/server.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";
import { nextMessage } from "./subscription-helpers.js";

const server = useServer();
const boto3Missing = pythonMissing();

const PY_DECODER = `
import base64, gzip, json, os, boto3

sqs = boto3.client("sqs")

def handler(event, context):
    decoded = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    sqs.send_message(QueueUrl=os.environ["RESULTS"], MessageBody=json.dumps(decoded))
    return {}
`;

const BOTO3_SCRIPT = `
import json, sys, time, boto3
from botocore.exceptions import ClientError
url, account, fn = sys.argv[1], sys.argv[2], sys.argv[3]
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
logs = boto3.client("logs", **kw)
lam = boto3.client("lambda", **kw)
out = {}
logs.create_log_group(logGroupName="/py/sub")
logs.create_log_stream(logGroupName="/py/sub", logStreamName="web")
try:
    logs.put_subscription_filter(logGroupName="/py/sub", filterName="json-errors", filterPattern="{ $.level = ERROR }", destinationArn=fn)
except ClientError as e:
    out["ungranted"] = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
lam.add_permission(FunctionName=fn, StatementId="logs", Principal="logs.amazonaws.com", Action="lambda:InvokeFunction",
                   SourceArn="arn:aws:logs:us-east-1:%s:log-group:/py/sub:*" % account, SourceAccount=account)
logs.put_subscription_filter(logGroupName="/py/sub", filterName="json-errors", filterPattern="{ $.level = ERROR }", destinationArn=fn,
                             distribution="Random")
f = logs.describe_subscription_filters(logGroupName="/py/sub")["subscriptionFilters"][0]
out["filter"] = [f["filterName"], f["filterPattern"], f["destinationArn"] == fn, f["distribution"]]
now = int(time.time() * 1000)
out["now"] = now
logs.put_log_events(logGroupName="/py/sub", logStreamName="web", logEvents=[
    {"timestamp": now - 2, "message": json.dumps({"level": "ERROR", "msg": "db down"})},
    {"timestamp": now - 1, "message": json.dumps({"level": "INFO", "msg": "ok"})},
    {"timestamp": now, "message": json.dumps({"level": "ERROR", "msg": "retrying"})},
])
print(json.dumps(out))
`;

test("boto3 subscribes a Python function; the function decodes AWS's awslogs payload itself", { skip: boto3Missing }, async () => {
  const env = await lambdaEnv(server);
  const sqs = server.client(SQSClient, { account: env.account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "py-sub-results" }));
  const fn = await createFunction(env, {
    FunctionName: "py-decoder",
    Runtime: "python3.12",
    code: { "index.py": PY_DECODER },
    Environment: { Variables: { RESULTS: QueueUrl! } },
    Timeout: 20,
  });
  const pyEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_MAX_ATTEMPTS: "1",
  };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, env.account, fn.FunctionArn!], { env: pyEnv, timeout: 60_000 })).stdout);
  assert.deepEqual(out.ungranted, [
    "InvalidParameterException",
    "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
  ]);
  assert.deepEqual(out.filter, ["json-errors", "{ $.level = ERROR }", true, "Random"]);

  const decoded = await nextMessage(sqs, QueueUrl!, 30_000);
  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  const ids = (await logs.send(new FilterLogEventsCommand({ logGroupName: "/py/sub", filterPattern: "{ $.level = ERROR }" }))).events!.map((e) => e.eventId);
  // String ids, the events' own (as FilterLogEvents gives them).
  for (const e of decoded.logEvents) assert.match(e.id, /^\d{56}$/);
  // AWS's documented key order.
  assert.deepEqual(Object.keys(decoded), ["owner", "logGroup", "logStream", "subscriptionFilters", "messageType", "logEvents"]);
  assert.deepEqual(decoded, {
    messageType: "DATA_MESSAGE",
    owner: env.account,
    logGroup: "/py/sub",
    logStream: "web",
    subscriptionFilters: ["json-errors"],
    logEvents: [
      { id: ids[0], timestamp: out.now - 2, message: '{"level": "ERROR", "msg": "db down"}' },
      { id: ids[1], timestamp: out.now, message: '{"level": "ERROR", "msg": "retrying"}' },
    ],
  });
});
