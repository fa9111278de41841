// Alarms on metric math: PutMetricAlarm with several queries and one expression returning data, AWS's ValidationErrors
// for malformed Metrics, the alarm going to ALARM when PutMetricData makes the expression breach (its SNS message, the
// Trigger's Metrics), DescribeAlarms returning Metrics as stored, and boto3 and the AWS CLI creating one.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  type MetricDataQuery,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";
import { cloudwatchCli, queueWithTopic, receiveAll, rejectsCode } from "./composite-setup.js";
import { eventually } from "../../helpers/wait.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { awsClis } from "../../helpers/aws-cli.js";

const server = useServer();

const ERROR_RATE: MetricDataQuery[] = [
  { Id: "errors", MetricStat: { Metric: { Namespace: "Shop", MetricName: "Errors" }, Period: 60, Stat: "Sum" }, ReturnData: false },
  { Id: "requests", MetricStat: { Metric: { Namespace: "Shop", MetricName: "Requests" }, Period: 60, Stat: "Sum" }, ReturnData: false },
  { Id: "rate", Expression: "100 * errors / requests", Label: "Error rate", ReturnData: true },
];

const base = { EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: "GreaterThanThreshold" as const };

test("a math alarm: AWS's checks, ALARM when the expression breaches, its SNS message, Metrics described as stored", async () => {
  const account = randomAccount();
  const cw = server.client(CloudWatchClient, { account });
  const { sqs, QueueUrl, TopicArn } = await queueWithTopic(server, account, "math");

  const put = (over: Record<string, unknown>) => cw.send(new PutMetricAlarmCommand({ AlarmName: "rate", Metrics: ERROR_RATE, ...base, ...over }));
  await rejectsCode(
    put({ Metrics: ERROR_RATE.map((q) => ({ ...q, ReturnData: true })) }),
    "ValidationError",
    "Exactly one element of the metrics list should return data.",
  );
  await rejectsCode(
    put({ Metrics: ERROR_RATE.map((q) => ({ ...q, ReturnData: false })) }),
    "ValidationError",
    "Exactly one element of the metrics list should return data.",
  );
  await rejectsCode(put({ Statistic: "Sum" }), "ValidationError", "Statistic should not be set if list of Metrics is set.");
  await rejectsCode(put({ Unit: "Count" }), "ValidationError", "Unit should not be set if list of Metrics is set.");
  await rejectsCode(put({ ThresholdMetricId: "rate" }), "ValidationError", "Threshold and ThresholdMetricId cannot both be set");
  await rejectsCode(
    put({ Metrics: [ERROR_RATE[0], { Id: "rate", Expression: "100 * errors / nope", ReturnData: true }] }),
    "ValidationError",
    /Error in expression rate/,
  );

  await put({ AlarmActions: [TopicArn!] });
  const described = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["rate"] }))).MetricAlarms![0];
  assert.deepEqual(described.Metrics, ERROR_RATE);
  assert.equal(described.MetricName, undefined);
  assert.equal(described.Statistic, undefined);
  assert.equal(described.Period, undefined);
  assert.equal(described.StateValue, "INSUFFICIENT_DATA");
  // A math alarm is not an alarm for one of its metrics.
  const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: "Shop", MetricName: "Errors" }));
  assert.deepEqual(forMetric.MetricAlarms, []);

  const now = new Date();
  await cw.send(
    new PutMetricDataCommand({
      Namespace: "Shop",
      MetricData: [
        { MetricName: "Requests", Value: 200, Timestamp: now },
        { MetricName: "Errors", Value: 50, Timestamp: now },
      ],
    }),
  );
  const alarm = await eventually(async () => {
    const a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["rate"] }))).MetricAlarms![0];
    assert.equal(a.StateValue, "ALARM");
    return a;
  });
  assert.match(alarm.StateReason!, /^Threshold Crossed: 1 datapoint \[25\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\)\] was greater than the threshold \(10\.0\)\.$/);
  const data = JSON.parse(alarm.StateReasonData!);
  assert.deepEqual(data.recentDatapoints, [25]);
  assert.equal(data.period, 60);
  assert.equal(data.statistic, undefined);

  const [envelope] = await receiveAll(sqs, QueueUrl, 1);
  const msg = JSON.parse(envelope.Message);
  assert.equal(msg.NewStateValue, "ALARM");
  assert.equal(msg.Trigger.Period, 60);
  assert.deepEqual(
    msg.Trigger.Metrics.map((m: Record<string, unknown>) => Object.keys(m)),
    [
      ["Id", "MetricStat", "ReturnData"],
      ["Id", "MetricStat", "ReturnData"],
      ["Expression", "Id", "Label", "ReturnData"],
    ],
  );
  assert.equal(msg.Trigger.Metrics[2].Expression, "100 * errors / requests");
});

const SCRIPT = `
import json, sys, boto3
url, account = sys.argv[1], sys.argv[2]
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
cw.put_metric_alarm(AlarmName="py-math", EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanOrEqualToThreshold",
  Metrics=[{"Id": "a", "MetricStat": {"Metric": {"Namespace": "Py", "MetricName": "A"}, "Period": 60, "Stat": "Maximum"}, "ReturnData": False},
           {"Id": "b", "MetricStat": {"Metric": {"Namespace": "Py", "MetricName": "B"}, "Period": 60, "Stat": "Maximum"}, "ReturnData": False},
           {"Id": "total", "Expression": "a + b"}])
cw.put_metric_data(Namespace="Py", MetricData=[{"MetricName": "A", "Value": 2}, {"MetricName": "B", "Value": 4}])
a = cw.describe_alarms(AlarmNames=["py-math"])["MetricAlarms"][0]
print(json.dumps({"state": a["StateValue"], "ids": [m["Id"] for m in a["Metrics"]]}))
`;

test("boto3: a math alarm stored, evaluated on put_metric_data, described with its Metrics", { skip: pythonMissing() }, async () => {
  const { stdout } = await run("python3", ["-c", SCRIPT, server.url, randomAccount()]);
  assert.deepEqual(JSON.parse(stdout), { state: "ALARM", ids: ["a", "b", "total"] });
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: math alarms", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`${cli.label}: put-metric-alarm --metrics (JSON) and describe-alarms`, async () => {
    const aws = cloudwatchCli(cli, server.url);
    await aws(
      "put-metric-alarm",
      ...["--alarm-name", "cli-math", "--evaluation-periods", "1", "--threshold", "10", "--comparison-operator", "GreaterThanThreshold"],
      ...["--metrics", JSON.stringify(ERROR_RATE)],
    );
    await aws(
      "put-metric-data",
      "--namespace",
      "Shop",
      "--metric-data",
      JSON.stringify([
        { MetricName: "Requests", Value: 10 },
        { MetricName: "Errors", Value: 5 },
      ]),
    );
    const { MetricAlarms } = await aws("describe-alarms", "--alarm-names", "cli-math");
    assert.equal(MetricAlarms[0].StateValue, "ALARM");
    assert.equal(MetricAlarms[0].Metrics[2].Expression, "100 * errors / requests");
  });
}
