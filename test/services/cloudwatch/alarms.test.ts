// CloudWatch metric alarms through SDK v3, on a manual clock: datapoints arriving move the alarm at once (ALARM, OK,
// INSUFFICIENT_DATA) with AWS's state reasons and StateReasonData, M out of N, each TreatMissingData, and the SNS
// action's exact JSON message read back from a subscribed SQS queue.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";

// 30 s into a minute, so "the previous minute" is whole.
const T0 = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
const clock = new ManualClock(T0);
const server = useServer({ clock });

const MIN = 60_000;
const minute = (n: number) => new Date(T0 - 30_000 + n * MIN); // minute(0): the current minute's start
const p2 = (n: number) => String(n).padStart(2, "0");
const reasonTime = (d: Date) =>
  `${p2(d.getUTCDate())}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCFullYear() % 100)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
const awsTime = (t: number | Date) => new Date(t).toISOString().replace("Z", "+0000");

function setup() {
  const account = randomAccount();
  return { account, cw: server.client(CloudWatchClient, { account }), sns: server.client(SNSClient, { account }), sqs: server.client(SQSClient, { account }) };
}

const base = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: "App",
  MetricName: "Temp",
  Dimensions: [{ Name: "Room", Value: name }],
  Statistic: "Average",
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 21,
  ComparisonOperator: "GreaterThanThreshold",
  ...extra,
});

async function put(cw: CloudWatchClient, room: string, points: [Date, number][]) {
  await cw.send(
    new PutMetricDataCommand({
      Namespace: "App",
      MetricData: points.map(([Timestamp, Value]) => ({ MetricName: "Temp", Dimensions: [{ Name: "Room", Value: room }], Timestamp, Value })),
    }),
  );
}

async function alarm(cw: CloudWatchClient, name: string): Promise<MetricAlarm> {
  const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  assert.equal(MetricAlarms?.length, 1);
  return MetricAlarms![0];
}

test("a breaching datapoint moves the alarm to ALARM at once; the SNS action's message arrives in SQS with AWS's JSON", async () => {
  const { account, cw, sns, sqs } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "alarms" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "alarm-topic" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));

  await cw.send(new PutMetricAlarmCommand(base("hot", { AlarmActions: [TopicArn!], OKActions: [TopicArn!], AlarmDescription: "too hot" })));
  const created = await alarm(cw, "hot");
  assert.equal(created.StateValue, "INSUFFICIENT_DATA");
  assert.equal(created.StateReason, "Unchecked: Initial alarm creation");
  assert.equal(created.AlarmArn, `arn:aws:cloudwatch:us-east-1:${account}:alarm:hot`);
  assert.equal(created.ActionsEnabled, true);

  await put(cw, "hot", [[minute(-1), 21.5]]);
  const a = await alarm(cw, "hot");
  assert.equal(a.StateValue, "ALARM");
  assert.equal(a.StateReason, `Threshold Crossed: 1 datapoint [21.5 (${reasonTime(minute(-1))})] was greater than the threshold (21.0).`);
  assert.equal(
    a.StateReasonData,
    `{"version":"1.0","queryDate":"${awsTime(T0)}","startDate":"${awsTime(minute(-1))}","statistic":"Average","period":60,"recentDatapoints":[21.5],"threshold":21.0,"evaluatedDatapoints":[{"timestamp":"${awsTime(minute(-1))}","sampleCount":1.0,"value":21.5}]}`,
  );
  assert.equal(a.StateUpdatedTimestamp?.getTime(), T0);

  const body = await eventually(async () => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    assert.equal(Messages.length, 1);
    return JSON.parse(Messages[0].Body!);
  });
  assert.equal(body.Subject, 'ALARM: "hot" in US East (N. Virginia)');
  assert.equal(
    body.Message,
    JSON.stringify({
      AlarmName: "hot",
      AlarmDescription: "too hot",
      AWSAccountId: account,
      AlarmConfigurationUpdatedTimestamp: awsTime(T0),
      NewStateValue: "ALARM",
      NewStateReason: a.StateReason,
      StateChangeTime: awsTime(T0),
      Region: "US East (N. Virginia)",
      AlarmArn: a.AlarmArn,
      OldStateValue: "INSUFFICIENT_DATA",
      OKActions: [TopicArn],
      AlarmActions: [TopicArn],
      InsufficientDataActions: [],
      Trigger: {
        MetricName: "Temp",
        Namespace: "App",
        StatisticType: "Statistic",
        Statistic: "AVERAGE",
        Unit: null,
        Dimensions: [{ value: "hot", name: "Room" }],
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: "GreaterThanThreshold",
        Threshold: "@21.0@",
        TreatMissingData: "- TreatMissingData: missing",
        EvaluateLowSampleCountPercentile: "",
      },
    }).replace('"@21.0@"', "21.0"),
  );

  // A cooler datapoint in the current minute: OK, and the OK action's message (actions on transitions only).
  await put(cw, "hot", [[minute(0), 20]]);
  const ok = await alarm(cw, "hot");
  assert.equal(ok.StateValue, "OK");
  assert.equal(ok.StateReason, `Threshold Crossed: 1 datapoint [20.0 (${reasonTime(minute(0))})] was not greater than the threshold (21.0).`);
  // Another non-breaching datapoint: no transition, no message.
  await put(cw, "hot", [[minute(0), 19]]);
  const subjects = await eventually(async () => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 }));
    assert.equal(Messages.length, 1);
    return Messages.map((m) => JSON.parse(m.Body!).Subject);
  });
  assert.deepEqual(subjects, ['OK: "hot" in US East (N. Virginia)']);

  const { AlarmHistoryItems = [] } = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "hot", HistoryItemType: "StateUpdate" }));
  assert.deepEqual(
    AlarmHistoryItems.map((h) => h.HistorySummary),
    ["Alarm updated from ALARM to OK", "Alarm updated from INSUFFICIENT_DATA to ALARM"],
  );
  const data = JSON.parse(AlarmHistoryItems[1].HistoryData!);
  assert.deepEqual(data.oldState, { stateValue: "INSUFFICIENT_DATA", stateReason: "Unchecked: Initial alarm creation" });
  assert.equal(data.newState.stateReason, a.StateReason);
});

test("M out of N: 2 of the last 3 datapoints breaching alarm; 1 of 3 does not", async () => {
  const { cw } = setup();
  await cw.send(new PutMetricAlarmCommand(base("m-of-n", { EvaluationPeriods: 3, DatapointsToAlarm: 2 })));
  await put(cw, "m-of-n", [
    [minute(-3), 25],
    [minute(-2), 10],
    [minute(-1), 10],
  ]);
  assert.equal((await alarm(cw, "m-of-n")).StateValue, "OK");
  await put(cw, "m-of-n", [[minute(0), 30]]);
  const a = await alarm(cw, "m-of-n");
  assert.equal(a.StateValue, "OK"); // the last three: 10, 10, 30 — one breaching
  await put(cw, "m-of-n", [[minute(-1), 40]]); // minute -1 averages (10 + 40) / 2 = 25
  const b = await alarm(cw, "m-of-n");
  assert.equal(b.StateValue, "ALARM");
  assert.equal(
    b.StateReason,
    `Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (21.0). The most recent datapoints which crossed the threshold: [30.0 (${reasonTime(minute(0))}), 25.0 (${reasonTime(minute(-1))})] (minimum 2 datapoints for OK -> ALARM transition).`,
  );
});

test("TreatMissingData with no datapoints: breaching alarms, notBreaching is OK, missing goes to INSUFFICIENT_DATA, ignore keeps the state", async () => {
  const { cw } = setup();
  await cw.send(new PutMetricAlarmCommand(base("tmd-b", { EvaluationPeriods: 2, TreatMissingData: "breaching" })));
  const b = await alarm(cw, "tmd-b");
  assert.equal(b.StateValue, "ALARM");
  assert.equal(b.StateReason, "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [Breaching].");
  await cw.send(new PutMetricAlarmCommand(base("tmd-nb", { TreatMissingData: "notBreaching" })));
  assert.equal((await alarm(cw, "tmd-nb")).StateValue, "OK");

  await cw.send(new PutMetricAlarmCommand(base("tmd-m", { TreatMissingData: "missing" })));
  assert.equal((await alarm(cw, "tmd-m")).StateReason, "Unchecked: Initial alarm creation");
  await cw.send(new SetAlarmStateCommand({ AlarmName: "tmd-m", StateValue: "ALARM", StateReason: "testing" }));
  assert.equal((await alarm(cw, "tmd-m")).StateReason, "testing");
  // The next evaluation (the minute's tick) finds no data: INSUFFICIENT_DATA.
  clock.advance(MIN);
  await eventually(async () => {
    const m = await alarm(cw, "tmd-m");
    assert.equal(m.StateValue, "INSUFFICIENT_DATA");
    assert.equal(m.StateReason, "Insufficient Data: 1 datapoint was unknown.");
  });

  await cw.send(new PutMetricAlarmCommand(base("tmd-i", { TreatMissingData: "ignore" })));
  await cw.send(new SetAlarmStateCommand({ AlarmName: "tmd-i", StateValue: "OK", StateReason: "by hand" }));
  clock.advance(MIN);
  await cw.send(new PutMetricAlarmCommand(base("tmd-i", { TreatMissingData: "ignore" }))); // an update evaluates too
  const i = await alarm(cw, "tmd-i");
  assert.equal(i.StateValue, "OK");
  assert.equal(i.StateReason, "by hand");
});

test("a 10-second alarm on high-resolution data: ALARM on arrival, INSUFFICIENT_DATA from the 10-second tick once the data ages out", async () => {
  const { cw } = setup();
  await cw.send(new PutMetricAlarmCommand(base("fast", { Period: 10, Statistic: "Maximum" })));
  await cw.send(
    new PutMetricDataCommand({
      Namespace: "App",
      MetricData: [{ MetricName: "Temp", Dimensions: [{ Name: "Room", Value: "fast" }], Value: 30, StorageResolution: 1, Timestamp: new Date(clock.now()) }],
    }),
  );
  assert.equal((await alarm(cw, "fast")).StateValue, "ALARM");
  clock.advance(30_000);
  await eventually(async () => assert.equal((await alarm(cw, "fast")).StateValue, "INSUFFICIENT_DATA"));
});

test("EvaluateLowSampleCountPercentile: ignore keeps the state while a percentile has too few samples; evaluate does not wait", async () => {
  const { cw } = setup();
  const extra = { ExtendedStatistic: "p90", Statistic: undefined, Threshold: 50 };
  await cw.send(new PutMetricAlarmCommand(base("p-ignore", { ...extra, EvaluateLowSampleCountPercentile: "ignore" })));
  await cw.send(new PutMetricAlarmCommand(base("p-evaluate", { ...extra, EvaluateLowSampleCountPercentile: "evaluate" })));
  for (const room of ["p-ignore", "p-evaluate"])
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "App",
        MetricData: [{ MetricName: "Temp", Dimensions: [{ Name: "Room", Value: room }], Values: [100, 100, 100], Timestamp: new Date(clock.now()) }],
      }),
    );
  assert.equal((await alarm(cw, "p-ignore")).StateValue, "INSUFFICIENT_DATA"); // 3 samples: a p90 needs 100
  const evaluated = await alarm(cw, "p-evaluate");
  assert.equal(evaluated.StateValue, "ALARM");
  assert.match(evaluated.StateReasonData!, /"statistic":"p90"/);
});

test("an alarm given as Metrics with one MetricStat query (the CDK's form for a labelled metric): described as given, evaluated, its SNS Trigger lists the query", async () => {
  const { cw, sns, sqs } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "metrics-form" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "metrics-form" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));
  const Metrics = [
    {
      Id: "m1",
      Label: "Room temperature",
      MetricStat: { Metric: { Namespace: "App", MetricName: "Temp", Dimensions: [{ Name: "Room", Value: "labelled" }] }, Period: 60, Stat: "Maximum" },
      ReturnData: true,
    },
  ];
  const { MetricName, Namespace, Dimensions, Statistic, Period, ...rest } = base("labelled", { AlarmActions: [TopicArn!] });
  await cw.send(new PutMetricAlarmCommand({ ...rest, Metrics }));
  const described = await alarm(cw, "labelled");
  assert.deepEqual(described.Metrics, Metrics);
  assert.equal(described.MetricName, undefined);
  await put(cw, "labelled", [[new Date(clock.now()), 30]]);
  assert.equal((await alarm(cw, "labelled")).StateValue, "ALARM");
  const body = await eventually(async () => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    assert.equal(Messages.length, 1);
    return JSON.parse(Messages[0].Body!);
  });
  const message = JSON.parse(body.Message);
  assert.deepEqual(message.Trigger, {
    Period: 60,
    EvaluationPeriods: 1,
    ComparisonOperator: "GreaterThanThreshold",
    Threshold: 21,
    TreatMissingData: "- TreatMissingData: missing",
    EvaluateLowSampleCountPercentile: "",
    Metrics: [
      {
        Id: "m1",
        Label: "Room temperature",
        MetricStat: { Metric: { Dimensions: [{ value: "labelled", name: "Room" }], MetricName: "Temp", Namespace: "App" }, Period: 60, Stat: "Maximum" },
        ReturnData: true,
      },
    ],
  });
  assert.match(body.Message, /"Threshold":21\.0,/);
  // Two queries returning data: AWS's ValidationError (alarm-math.test.ts covers math alarms).
  await assert.rejects(
    cw.send(new PutMetricAlarmCommand({ ...rest, AlarmName: "math", Metrics: [...Metrics, { Id: "e1", Expression: "m1 * 2", ReturnData: true }] })),
    /Exactly one element of the metrics list should return data\./,
  );
});

test("a 5-minute period slides by the minute as AWS evaluates it: the period ends at the evaluation's minute", async () => {
  const { cw } = setup();
  const slot = clock.now() - (clock.now() % MIN);
  await cw.send(new PutMetricAlarmCommand(base("sliding", { Period: 300, Statistic: "Sum", Threshold: 5 })));
  // 3 four minutes back and 3 a minute back: the five minutes before now hold 6.
  await put(cw, "sliding", [
    [new Date(slot - 4 * MIN), 3],
    [new Date(slot - MIN), 3],
  ]);
  const a = await alarm(cw, "sliding");
  assert.equal(a.StateValue, "ALARM");
  assert.equal(a.StateReason, `Threshold Crossed: 1 datapoint [6.0 (${reasonTime(new Date(slot - 5 * MIN))})] was greater than the threshold (5.0).`);
  // Four minutes on, the five minutes before hold only the second 3.
  clock.advance(4 * MIN);
  await eventually(async () => assert.equal((await alarm(cw, "sliding")).StateValue, "OK"));
});
