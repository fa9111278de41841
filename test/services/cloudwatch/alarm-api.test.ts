// The alarm API around evaluation: PutMetricAlarm's refusals, DescribeAlarms' filters and paging,
// DescribeAlarmsForMetric, DeleteAlarms with its history kept, tags, the premature-alarm rule, and the AWS CLI and
// boto3 driving a few calls.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  DescribeAlarmsForMetricCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { awsClis } from "../../helpers/aws-cli.js";
import { cloudwatchCli, rejectsCode } from "./composite-setup.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();
const cw = (account = randomAccount()) => server.client(CloudWatchClient, { account });

const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: "Api",
  MetricName: "Latency",
  Statistic: "Average",
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 100,
  ComparisonOperator: "GreaterThanThreshold",
  ...extra,
});

test("PutMetricAlarm refuses what AWS refuses, and what Stratus cannot evaluate or run, with 400s", async () => {
  const c = cw();
  const put = (extra: Partial<PutMetricAlarmCommandInput>) => c.send(new PutMetricAlarmCommand(alarm("bad", extra)));
  await rejects(put({ Period: 45 }), "InvalidParameterValueException", 400, /Period/);
  await rejects(put({ ExtendedStatistic: "p99" }), "InvalidParameterCombinationException", 400, /mutually exclusive/);
  await rejects(put({ Statistic: undefined }), "MissingRequiredParameterException", 400);
  await rejects(
    put({ EvaluationPeriods: 2, DatapointsToAlarm: 3 }),
    "InvalidParameterValueException",
    400,
    "DatapointsToAlarm must be less than or equal to EvaluationPeriods",
  );
  await rejects(put({ TreatMissingData: "sometimes" }), "InvalidParameterValueException", 400, /TreatMissingData/);
  await rejectsCode(put({ ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" }), "ValidationError", /ThresholdMetricId must be set/);
  await rejects(put({ AlarmActions: ["arn:aws:sqs:us-east-1:000000000000:q"] }), "InvalidParameterValueException", 400, /Invalid action ARN/);
  // Not an ARN: ValidationError with no message, as AWS answers (errors-recorded.test.ts).
  await assert.rejects(put({ AlarmActions: ["not-an-arn"] }), (e: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => {
    assert.deepEqual([e.Code, e.$metadata?.httpStatusCode], ["ValidationError", 400]);
    return true;
  });
  await rejectsCode(
    put({
      MetricName: undefined,
      Namespace: undefined,
      Statistic: undefined,
      Period: undefined,
      Metrics: [{ Id: "e1", Expression: "SUM(METRICS())", ReturnData: false }],
    }),
    "ValidationError",
    "Exactly one element of the metrics list should return data.",
  );
  await rejects(c.send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "OK", StateReason: "x" })), "ResourceNotFound", 404);
  assert.deepEqual((await c.send(new DescribeAlarmsCommand({}))).MetricAlarms, []);
});

test("DescribeAlarms: names, prefix, state, action prefix, alarm types and paging; DescribeAlarmsForMetric", async () => {
  const c = cw();
  const topic = "arn:aws:sns:us-east-1:000000000000:ops";
  for (const n of ["web-1", "web-2", "web-3", "db-1", "db-2"])
    await c.send(new PutMetricAlarmCommand(alarm(n, { Dimensions: [{ Name: "Host", Value: n }], AlarmActions: n.startsWith("db") ? [topic] : [] })));
  await c.send(new SetAlarmStateCommand({ AlarmName: "web-2", StateValue: "ALARM", StateReason: "by hand" }));
  const names = async (input: DescribeAlarmsCommandInput) => ((await c.send(new DescribeAlarmsCommand(input))).MetricAlarms ?? []).map((a) => a.AlarmName);
  assert.deepEqual(await names({}), ["db-1", "db-2", "web-1", "web-2", "web-3"]);
  assert.deepEqual(await names({ AlarmNames: ["web-3", "db-1", "ghost"] }), ["db-1", "web-3"]);
  assert.deepEqual(await names({ AlarmNamePrefix: "web" }), ["web-1", "web-2", "web-3"]);
  assert.deepEqual(await names({ StateValue: "ALARM" }), ["web-2"]);
  assert.deepEqual(await names({ ActionPrefix: "arn:aws:sns:us-east-1:000000000000:o" }), ["db-1", "db-2"]);
  const composite = await c.send(new DescribeAlarmsCommand({ AlarmTypes: ["CompositeAlarm"] }));
  assert.deepEqual([composite.MetricAlarms, composite.CompositeAlarms], [[], []]);

  const first = await c.send(new DescribeAlarmsCommand({ MaxRecords: 2 }));
  assert.deepEqual(
    first.MetricAlarms!.map((a) => a.AlarmName),
    ["db-1", "db-2"],
  );
  const second = await c.send(new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: first.NextToken }));
  const third = await c.send(new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: second.NextToken }));
  assert.deepEqual(
    [second.MetricAlarms!.map((a) => a.AlarmName), third.MetricAlarms!.map((a) => a.AlarmName), third.NextToken],
    [["web-1", "web-2"], ["web-3"], undefined],
  );
  await rejects(c.send(new DescribeAlarmsCommand({ NextToken: "garbage" })), "InvalidNextToken", 400);

  const forMetric = await c.send(
    new DescribeAlarmsForMetricCommand({ Namespace: "Api", MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "web-1" }] }),
  );
  assert.deepEqual(
    forMetric.MetricAlarms!.map((a) => a.AlarmName),
    ["web-1"],
  );
  const none = await c.send(
    new DescribeAlarmsForMetricCommand({ Namespace: "Api", MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "web-1" }], Period: 300 }),
  );
  assert.deepEqual(none.MetricAlarms, []);
});

test("DeleteAlarms: gone from DescribeAlarms, history kept; an unknown name deletes nothing; tags by ARN", async () => {
  const c = cw();
  await c.send(new PutMetricAlarmCommand(alarm("temp", { Tags: [{ Key: "team", Value: "web" }] })));
  await c.send(new PutMetricAlarmCommand(alarm("temp", { Threshold: 200, Tags: [{ Key: "ignored", Value: "on update" }] })));
  const { MetricAlarms } = await c.send(new DescribeAlarmsCommand({ AlarmNames: ["temp"] }));
  const arn = MetricAlarms![0].AlarmArn!;
  assert.equal(MetricAlarms![0].Threshold, 200);
  assert.deepEqual((await c.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: "team", Value: "web" }]);
  await c.send(
    new TagResourceCommand({
      ResourceARN: arn,
      Tags: [
        { Key: "env", Value: "dev" },
        { Key: "team", Value: "ops" },
      ],
    }),
  );
  await c.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["env"] }));
  assert.deepEqual((await c.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: "team", Value: "ops" }]);
  await rejects(c.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}-missing` })), "ResourceNotFoundException", 404);

  // A missing name is skipped, as AWS does; the others go.
  assert.equal((await c.send(new DescribeAlarmsCommand({ AlarmNames: ["temp"] }))).MetricAlarms!.length, 1);
  await c.send(new DeleteAlarmsCommand({ AlarmNames: ["temp", "ghost"] }));
  assert.deepEqual((await c.send(new DescribeAlarmsCommand({ AlarmNames: ["temp"] }))).MetricAlarms, []);
  const { AlarmHistoryItems = [] } = await c.send(new DescribeAlarmHistoryCommand({ AlarmName: "temp", HistoryItemType: "ConfigurationUpdate" }));
  assert.deepEqual(
    AlarmHistoryItems.map((h) => [h.AlarmType, h.HistorySummary, JSON.parse(h.HistoryData!).type]),
    [
      ["MetricAlarm", 'Alarm "temp" deleted', "Delete"],
      ["MetricAlarm", 'Alarm "temp" updated', "Update"],
      ["MetricAlarm", 'Alarm "temp" created', "Create"],
    ],
  );
  const oldestFirst = await c.send(new DescribeAlarmHistoryCommand({ AlarmName: "temp", ScanBy: "TimestampAscending", MaxRecords: 1 }));
  assert.equal(oldestFirst.AlarmHistoryItems![0].HistorySummary, 'Alarm "temp" created');
  assert.ok(oldestFirst.NextToken);
});

test("premature-alarm rule: with missing data, the oldest breaching datapoint M periods back alarms; a lone recent one waits", async () => {
  const c = cw();
  const now = Date.now();
  const minute = (n: number) => new Date(now - (now % 60_000) + n * 60_000);
  await c.send(new PutMetricAlarmCommand(alarm("early", { EvaluationPeriods: 3, DatapointsToAlarm: 3 })));
  await c.send(new PutMetricAlarmCommand(alarm("late", { EvaluationPeriods: 3, DatapointsToAlarm: 3, Dimensions: [{ Name: "Host", Value: "b" }] })));
  // "early": one breaching datapoint three periods back, none since.
  await c.send(new PutMetricDataCommand({ Namespace: "Api", MetricData: [{ MetricName: "Latency", Value: 500, Timestamp: minute(-3) }] }));
  // "late": one breaching datapoint in the last period only.
  await c.send(
    new PutMetricDataCommand({
      Namespace: "Api",
      MetricData: [{ MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "b" }], Value: 500, Timestamp: minute(-1) }],
    }),
  );
  const { MetricAlarms = [] } = await c.send(new DescribeAlarmsCommand({ AlarmNames: ["early", "late"] }));
  assert.deepEqual(
    MetricAlarms.map((a) => [a.AlarmName, a.StateValue]),
    [
      ["early", "ALARM"],
      ["late", "INSUFFICIENT_DATA"],
    ],
  );
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: alarms", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`${cli.label}: put-metric-alarm, put-metric-data, describe-alarms, set-alarm-state, delete-alarms`, async () => {
    const aws = cloudwatchCli(cli, server.url);
    await aws(
      "put-metric-alarm",
      ...["--alarm-name", "cli", "--namespace", "Cli", "--metric-name", "Hits", "--statistic", "Sum", "--period", "60"],
      ...["--evaluation-periods", "1", "--threshold", "10", "--comparison-operator", "GreaterThanOrEqualToThreshold"],
    );
    await aws("put-metric-data", "--namespace", "Cli", "--metric-name", "Hits", "--value", "12");
    const { MetricAlarms } = await aws("describe-alarms", "--alarm-names", "cli");
    assert.equal(MetricAlarms[0].StateValue, "ALARM");
    assert.match(
      MetricAlarms[0].StateReason,
      /^Threshold Crossed: 1 datapoint \[12\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\)\] was greater than or equal to the threshold \(10\.0\)\.$/,
    );
    await aws("set-alarm-state", "--alarm-name", "cli", "--state-value", "OK", "--state-reason", "cli says ok");
    assert.equal((await aws("describe-alarms", "--state-value", "OK")).MetricAlarms[0].StateReason, "cli says ok");
    await aws("delete-alarms", "--alarm-names", "cli");
    assert.deepEqual((await aws("describe-alarms")).MetricAlarms, []);
  });
}

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="eu-west-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {}
cw.put_metric_alarm(AlarmName="py", Namespace="Py", MetricName="Errors", Statistic="Maximum", Period=10, EvaluationPeriods=2, DatapointsToAlarm=2,
                    Threshold=0, ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching")
a = cw.describe_alarms(AlarmNames=["py"])["MetricAlarms"][0]
out["state"] = [a["StateValue"], a["StateReason"], a["AlarmArn"]]
try:
    cw.put_metric_alarm(AlarmName="py2", Namespace="Py", MetricName="Errors", Statistic="Maximum", Period=15, EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold")
except ClientError as e:
    out["period"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
out["history"] = [h["HistorySummary"] for h in cw.describe_alarm_history(AlarmName="py")["AlarmHistoryItems"]]
print(json.dumps(out))
`;

test("boto3: a 10-second alarm treating missing data as not breaching, a refused period, its history", { skip: pythonMissing() }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const account = randomAccount();
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, account], { env, timeout: 60_000 })).stdout);
  assert.deepEqual(out.state, [
    "OK",
    "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [NonBreaching].",
    `arn:aws:cloudwatch:eu-west-1:${account}:alarm:py`,
  ]);
  assert.deepEqual(out.period, ["InvalidParameterValue", 400]);
  assert.deepEqual(out.history, ["Alarm updated from INSUFFICIENT_DATA to OK", 'Alarm "py" created']);
});
