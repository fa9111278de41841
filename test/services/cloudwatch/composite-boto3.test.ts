// Composite alarms from boto3 (JSON 1.0): put_composite_alarm over a metric alarm, the child's set_alarm_state moving
// the composite, describe_alarms with AlarmTypes and ChildrenOfAlarmName, and a grammar error's code and message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pythonMissing, run } from "../../helpers/python.js";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

const SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
cw.put_metric_alarm(AlarmName="child", Namespace="Py", MetricName="Errors", Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
cw.put_composite_alarm(AlarmName="parent", AlarmRule='ALARM("child") OR FALSE')
cw.set_alarm_state(AlarmName="child", StateValue="ALARM", StateReason="test")
out = {}
c = cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]
out["composite"] = [c["AlarmName"], c["StateValue"], json.loads(c["StateReasonData"])["triggeringAlarms"][0]["state"]["value"]]
kids = cw.describe_alarms(ChildrenOfAlarmName="parent", AlarmTypes=["CompositeAlarm", "MetricAlarm"])
out["children"] = [a["AlarmName"] for a in kids["MetricAlarms"]]
try:
    cw.put_composite_alarm(AlarmName="bad", AlarmRule="ALARM(child) AND (")
except ClientError as e:
    out["error"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

test("boto3: put_composite_alarm, the composite following set_alarm_state, ChildrenOfAlarmName, a grammar error", { skip: pythonMissing() }, async () => {
  const { stdout } = await run("python3", ["-c", SCRIPT, server.url, randomAccount()]);
  const out = JSON.parse(stdout);
  assert.deepEqual(out.composite, ["parent", "ALARM", "ALARM"]);
  assert.deepEqual(out.children, ["child"]);
  assert.deepEqual(out.error, ["ValidationError", "Error in AlarmRule [Unexpected end of rule at char 18]", 400]);
});
