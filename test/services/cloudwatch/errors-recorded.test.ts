// CloudWatch's refusals whose code, status and message come from a recorded AWS answer, one row per case, each
// naming its source: LocalStack's AWS-recorded snapshots (localstack/localstack tests/aws/services/cloudwatch/
// test_cloudwatch.snapshot.json) and AWS messages quoted in public issue threads.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  PutCompositeAlarmCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();
const cw = (account = randomAccount()) => server.client(CloudWatchClient, { account });

const metricAlarm = (name: string) =>
  new PutMetricAlarmCommand({
    AlarmName: name,
    Namespace: "App",
    MetricName: "Errors",
    Statistic: "Sum",
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: "GreaterThanThreshold",
  });

interface Row {
  source: string;
  call: (c: CloudWatchClient) => Promise<unknown>;
  /** The SDK's error name; `code`, when given, the query-era code (x-amzn-query-error) the SDK exposes as Code. */
  name: string;
  code?: string;
  status: number;
  message: string | RegExp;
}

const stats = { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 };
const now = Date.now();

const rows: Row[] = [
  {
    source: "test_cloudwatch.snapshot.json test_put_metric_data_validation invalid-param-combination",
    call: (c) => c.send(new PutMetricDataCommand({ Namespace: "n", MetricData: [{ MetricName: "m", Value: 1, Values: [1] }] })),
    name: "InvalidParameterCombinationException",
    status: 400,
    message: "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both.",
  },
  {
    source: "test_cloudwatch.snapshot.json test_put_metric_data_validation invalid-param-value",
    call: (c) => c.send(new PutMetricDataCommand({ Namespace: "n", MetricData: [{ MetricName: "m", Values: [1, 2], Counts: [1] }] })),
    name: "InvalidParameterValueException",
    status: 400,
    message: "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.",
  },
  {
    source: "test_cloudwatch.snapshot.json test_put_metric_data_validation invalid-param-combination-2",
    call: (c) => c.send(new PutMetricDataCommand({ Namespace: "n", MetricData: [{ MetricName: "m", Value: 1, StatisticValues: stats }] })),
    name: "InvalidParameterCombinationException",
    status: 400,
    message: "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.",
  },
  {
    source: "test_cloudwatch.snapshot.json test_invalid_dashboard_name",
    call: (c) => c.send(new PutDashboardCommand({ DashboardName: "test%", DashboardBody: '{"widgets":[]}' })),
    name: "InvalidParameterValueException",
    status: 400,
    message: "The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).\n",
  },
  {
    source: "test_cloudwatch.snapshot.json test_invalid_amount_of_datapoints error-invalid-amount-datapoints",
    call: (c) =>
      c.send(
        new GetMetricStatisticsCommand({
          Namespace: "n",
          MetricName: "m",
          StartTime: new Date(now - 86_400_000),
          EndTime: new Date(now),
          Period: 1,
          Statistics: ["SampleCount"],
        }),
      ),
    name: "InvalidParameterCombinationException",
    status: 400,
    message:
      "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
  },
  {
    source: "test_cloudwatch.snapshot.json test_invalid_amount_of_datapoints error-invalid-time-frame",
    call: (c) =>
      c.send(
        new GetMetricStatisticsCommand({
          Namespace: "n",
          MetricName: "m",
          StartTime: new Date(now),
          EndTime: new Date(now - 60_000),
          Period: 60,
          Statistics: ["SampleCount"],
        }),
      ),
    name: "InvalidParameterValueException",
    status: 400,
    message: "The parameter StartTime must be less than the parameter EndTime.",
  },
  {
    source: "aws-robotics/cloudwatchmetrics-ros1#46: every datum out of the two weeks named, one line each",
    call: (c) =>
      c.send(
        new PutMetricDataCommand({
          Namespace: "n",
          MetricData: [
            { MetricName: "m", Value: 1, Timestamp: new Date(now - 15 * 86_400_000) },
            { MetricName: "m", Value: 1 },
            { MetricName: "m", Value: 1, Timestamp: new Date(now - 20 * 86_400_000) },
          ],
        }),
      ),
    name: "InvalidParameterValueException",
    status: 400,
    message:
      "The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.\nThe parameter MetricData.member.3.Timestamp must specify a time within the past two weeks.",
  },
  {
    source: "prometheus-community/yet-another-cloudwatch-exporter#385: a bad Stat, one line per query",
    call: (c) =>
      c.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 3_600_000),
          EndTime: new Date(now),
          MetricDataQueries: ["a", "b"].map((Id) => ({ Id, MetricStat: { Metric: { Namespace: "n", MetricName: "m" }, Period: 60, Stat: "None" } })),
        }),
      ),
    name: "ValidationException",
    code: "ValidationError",
    status: 400,
    message:
      "The value None for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.\nThe value None for parameter MetricDataQueries.member.2.MetricStat.Stat is not a valid statistic.\n",
  },
];

for (const row of rows) {
  test(`AWS-recorded refusal: ${row.source}`, async () => {
    await assert.rejects(row.call(cw()), (e: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, row.name);
      if (row.code) assert.equal(e.Code, row.code);
      assert.equal(e.$metadata?.httpStatusCode, row.status);
      if (typeof row.message === "string") assert.equal(e.message, row.message);
      else assert.match(e.message, row.message);
      return true;
    });
  });
}

test("SetAlarmState on a missing alarm: ResourceNotFound, 404, with no message (test_set_alarm_invalid_input)", async () => {
  const res = await server.signedFetch("/", {
    service: "monitoring",
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Action=SetAlarmState&Version=2010-08-01&AlarmName=ghost&StateValue=OK&StateReason=test",
  });
  assert.equal(res.status, 404);
  const xml = await res.text();
  assert.match(xml, /<Code>ResourceNotFound<\/Code>/);
  assert.doesNotMatch(xml, /<Message>/);
  // The SDK (JSON) sees the same error, its message empty.
  await assert.rejects(cw().send(new SetAlarmStateCommand({ AlarmName: "ghost", StateValue: "OK", StateReason: "test" })), (e: Error) => {
    assert.equal(e.name, "ResourceNotFound");
    assert.doesNotMatch(e.message, /ghost/);
    return true;
  });
});

test("DeleteAlarms skips names that do not exist, deleting the rest (as AWS does)", async () => {
  const c = cw();
  await c.send(metricAlarm("real"));
  await c.send(new DeleteAlarmsCommand({ AlarmNames: ["ghost", "real"] }));
  assert.deepEqual((await c.send(new DescribeAlarmsCommand({ AlarmNames: ["real"] }))).MetricAlarms, []);
  await c.send(new DeleteAlarmsCommand({ AlarmNames: ["ghost"] }));
});

test("DeleteAlarms of alarms a composite depends on: AWS's ValidationError wording, singular and plural", async () => {
  const c = cw();
  await c.send(metricAlarm("abc"));
  await c.send(metricAlarm("xyz"));
  await c.send(new PutCompositeAlarmCommand({ AlarmName: "parent", AlarmRule: "ALARM(abc) OR ALARM(xyz)" }));
  const refused = async (names: string[], message: string) =>
    assert.rejects(c.send(new DeleteAlarmsCommand({ AlarmNames: names })), (e: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => {
      // The query-era code (x-amzn-query-error), as the SDK exposes it.
      assert.equal(e.Code, "ValidationError");
      assert.equal(e.$metadata?.httpStatusCode, 400);
      assert.equal(e.message, message);
      return true;
    });
  // Sources: cloud-custodian/cloud-custodian#7763 and ekristen/aws-nuke#462 quote these.
  await refused(["abc", "xyz"], "Cannot delete abc,xyz as there are composite alarm(s) depending on them.");
  await refused(["abc"], "Cannot delete abc as there are composite alarm(s) depending on it.");
  // Nothing was deleted.
  assert.equal((await c.send(new DescribeAlarmsCommand({ AlarmNames: ["abc", "xyz"] }))).MetricAlarms!.length, 2);
  await c.send(new DeleteAlarmsCommand({ AlarmNames: ["parent", "abc", "xyz"] }));
});

test("DescribeAlarms answers CompositeAlarms and MetricAlarms both, empty or not (test_cloudwatch.snapshot.json describe-alarm)", async () => {
  const c = cw();
  const none = await c.send(new DescribeAlarmsCommand({ AlarmNames: ["ghost"] }));
  assert.deepEqual([none.MetricAlarms, none.CompositeAlarms], [[], []]);
  await c.send(metricAlarm("one"));
  const one = await c.send(new DescribeAlarmsCommand({ AlarmNames: ["one"] }));
  assert.deepEqual([one.MetricAlarms!.length, one.CompositeAlarms], [1, []]);
});

test("PutMetricAlarm's form: AWS's ValidationError wordings for Metrics with single-metric fields, no metric, both thresholds", async () => {
  const c = cw();
  const stat = { Metric: { Namespace: "App", MetricName: "Errors" }, Period: 60, Stat: "Sum" };
  const base = { AlarmName: "form", EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" as const };
  const refused = async (input: Record<string, unknown>, message: string, source: string) =>
    assert.rejects(c.send(new PutMetricAlarmCommand({ ...base, ...input })), (e: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.Code, "ValidationError", source);
      assert.equal(e.$metadata?.httpStatusCode, 400, source);
      assert.equal(e.message, message, source);
      return true;
    });
  const metrics = [{ Id: "m1", MetricStat: stat }];
  await refused({ Metrics: metrics, Statistic: "Sum" }, "Statistic should not be set if list of Metrics is set.", "cloudtools/troposphere#1276");
  await refused({ Metrics: metrics, Unit: "Count" }, "Unit should not be set if list of Metrics is set.", "aws-cloudformation/cfn-lint#1306");
  await refused(
    { Metrics: [{ Id: "m1", MetricStat: stat, Expression: "m1 * 2" }] },
    "The parameters MetricDataQuery Expression and MetricStat are mutually exclusive and you have specified both.",
    "boto/boto3#3856",
  );
  await refused({ Namespace: "App", Statistic: "Sum", Period: 60 }, "MetricName must not be null", "aws-cloudformation/cfn-lint#771");
  await refused({ Metrics: metrics, ThresholdMetricId: "m1" }, "Threshold and ThresholdMetricId cannot both be set", "aws-cloudformation/cfn-lint#1306");
  // The accepted form still works.
  await c.send(new PutMetricAlarmCommand({ ...base, Metrics: metrics }));
});

test("PutMetricAlarm with an action that is not an ARN: ValidationError, 400, no message (hashicorp/terraform#19015)", async () => {
  const res = await server.signedFetch("/", {
    service: "monitoring",
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: [
      "Action=PutMetricAlarm&Version=2010-08-01&AlarmName=bad&Namespace=App&MetricName=Errors&Statistic=Sum&Period=60",
      "EvaluationPeriods=1&Threshold=1&ComparisonOperator=GreaterThanThreshold&AlarmActions.member.1=my-scaling-policy",
    ].join("&"),
  });
  assert.equal(res.status, 400);
  const xml = await res.text();
  assert.match(xml, /<Code>ValidationError<\/Code>/);
  assert.doesNotMatch(xml, /<Message>/);
});
