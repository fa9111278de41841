// Alarm actions that really run: a Lambda function invoked with AWS's alarmData event once its resource policy lets
// lambda.alarms.cloudwatch.amazonaws.com invoke it (refused, and recorded as a failed action, before); disabled
// actions do not run; and an alarm's state and evaluation survive a restart (the server starts CloudWatch itself).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer, type TestServer, useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";

const server = useServer();

const RECORDER = `
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS, MessageBody: JSON.stringify(event) }));
  return {};
};
`;

const lastMinute = (now = Date.now()) => new Date(now - (now % 60_000) - 60_000);

async function receiveAll(sqs: SQSClient, QueueUrl: string, n: number) {
  return eventually(async () => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 }));
    assert.equal(Messages.length, n);
    return Messages.map((m) => JSON.parse(m.Body!));
  });
}

async function queueWithTopic(s: TestServer, account: string) {
  const sqs = new SQSClient(s.clientConfig({ account }));
  const sns = new SNSClient(s.clientConfig({ account }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "alarm-inbox" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "alarm-topic" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));
  return { sqs, QueueUrl: QueueUrl!, TopicArn: TopicArn! };
}

test("a Lambda action: refused without the function's grant (a failed Action in the history), then invoked with AWS's alarmData event", async () => {
  const env = await lambdaEnv(server);
  const cw = server.client(CloudWatchClient, { account: env.account });
  const sqs = server.client(SQSClient, { account: env.account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "alarm-events" }));
  const fn = await createFunction(env, {
    FunctionName: "on-alarm",
    code: { "index.mjs": RECORDER },
    Environment: { Variables: { RESULTS: QueueUrl! } },
    Timeout: 15,
  });
  const alarm = {
    AlarmName: "fn-alarm",
    AlarmDescription: "calls a function",
    Namespace: "App",
    MetricName: "Errors",
    Dimensions: [{ Name: "Service", Value: "api" }],
    Statistic: "Sum" as const,
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: "GreaterThanThreshold" as const,
    AlarmActions: [fn.FunctionArn!],
  };
  await cw.send(new PutMetricAlarmCommand(alarm));
  const errors = (v: number, t = lastMinute()) =>
    cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "Errors", Dimensions: alarm.Dimensions, Value: v, Timestamp: t }] }));
  await errors(3);
  const failed = await eventually(async () => {
    const { AlarmHistoryItems = [] } = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "fn-alarm", HistoryItemType: "Action" }));
    assert.equal(AlarmHistoryItems.length, 1);
    return AlarmHistoryItems[0];
  });
  assert.equal(failed.HistorySummary, `Failed to execute action ${fn.FunctionArn}`);
  assert.equal(JSON.parse(failed.HistoryData!).actionState, "Failed");

  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "on-alarm",
      StatementId: "alarms",
      Principal: "lambda.alarms.cloudwatch.amazonaws.com",
      Action: "lambda:InvokeFunction",
      SourceArn: `arn:aws:cloudwatch:us-east-1:${env.account}:alarm:fn-alarm`,
    }),
  );
  await cw.send(new SetAlarmStateCommand({ AlarmName: "fn-alarm", StateValue: "OK", StateReason: "reset" }));
  await errors(1, new Date()); // evaluated at once: ALARM again, and this time the function runs
  const [event] = await receiveAll(sqs, QueueUrl!, 1);
  const { MetricAlarms = [] } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["fn-alarm"] }));
  const a = MetricAlarms[0];
  assert.equal(a.StateValue, "ALARM");
  const iso = (d: Date | undefined) => d!.toISOString().replace("Z", "+0000");
  assert.deepEqual(event, {
    source: "aws.cloudwatch",
    alarmArn: a.AlarmArn,
    accountId: env.account,
    time: iso(a.StateUpdatedTimestamp),
    region: "us-east-1",
    alarmData: {
      alarmName: "fn-alarm",
      state: { value: "ALARM", reason: a.StateReason, reasonData: a.StateReasonData, timestamp: iso(a.StateUpdatedTimestamp) },
      previousState: { value: "OK", reason: "reset", timestamp: event.alarmData.previousState.timestamp },
      configuration: {
        description: "calls a function",
        metrics: [
          {
            id: event.alarmData.configuration.metrics[0].id,
            metricStat: { metric: { namespace: "App", name: "Errors", dimensions: { Service: "api" } }, period: 60, stat: "Sum" },
            returnData: true,
          },
        ],
      },
    },
  });
  assert.match(event.alarmData.configuration.metrics[0].id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const { AlarmHistoryItems = [] } = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "fn-alarm", HistoryItemType: "Action" }));
  assert.deepEqual(
    AlarmHistoryItems.map((h) => h.HistorySummary),
    [`Successfully executed action ${fn.FunctionArn}`, `Failed to execute action ${fn.FunctionArn}`],
  );
});

test("disabled actions do not run on a transition; enabled again, the next transition acts", async () => {
  const account = randomAccount();
  const cw = server.client(CloudWatchClient, { account });
  const { sqs, QueueUrl, TopicArn } = await queueWithTopic(server, account);
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: "quiet",
      Namespace: "App",
      MetricName: "Load",
      Statistic: "Maximum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      AlarmActions: [TopicArn],
      OKActions: [TopicArn],
    }),
  );
  await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ["quiet"] }));
  await cw.send(new SetAlarmStateCommand({ AlarmName: "quiet", StateValue: "ALARM", StateReason: "silent" }));
  assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["quiet"] }))).MetricAlarms![0].ActionsEnabled, false);
  await cw.send(new EnableAlarmActionsCommand({ AlarmNames: ["quiet"] }));
  await cw.send(new SetAlarmStateCommand({ AlarmName: "quiet", StateValue: "OK", StateReason: "loud" }));
  const got = await receiveAll(sqs, QueueUrl, 1);
  assert.equal(got[0].Subject, 'OK: "quiet" in US East (N. Virginia)');
  assert.equal(JSON.parse(got[0].Message).NewStateReason, "loud");
});

test("restart: the alarm keeps its state, and evaluation resumes with no call to CloudWatch (its action fires from the tick)", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-cw-alarms-"));
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  const clock = new ManualClock(t0);
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir, clock });
    const { TopicArn, QueueUrl } = await queueWithTopic(s, account);
    let cw = new CloudWatchClient(s.clientConfig({ account }));
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "durable",
        Namespace: "App",
        MetricName: "Queue",
        Statistic: "Average",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold",
        InsufficientDataActions: [TopicArn],
      }),
    );
    await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "Queue", Value: 9, Timestamp: new Date(t0 - 60_000) }] }));
    const before = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["durable"] }))).MetricAlarms![0];
    assert.equal(before.StateValue, "ALARM");
    await s.close();

    s = await startTestServer({ dataDir, clock });
    try {
      // The datapoint ages out of the evaluation range: the minute's tick moves the alarm to INSUFFICIENT_DATA.
      clock.advance(3 * 60_000);
      const sqs = new SQSClient(s.clientConfig({ account }));
      const [msg] = await receiveAll(sqs, QueueUrl, 1);
      assert.equal(msg.Subject, 'INSUFFICIENT_DATA: "durable" in US East (N. Virginia)');
      assert.equal(JSON.parse(msg.Message).OldStateValue, "ALARM");
      cw = new CloudWatchClient(s.clientConfig({ account }));
      const after = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["durable"] }))).MetricAlarms![0];
      assert.equal(after.StateValue, "INSUFFICIENT_DATA");
      assert.equal(after.StateReason, "Insufficient Data: 1 datapoint was unknown.");
      const { AlarmHistoryItems = [] } = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "durable", HistoryItemType: "StateUpdate" }));
      assert.deepEqual(
        AlarmHistoryItems.map((h) => h.HistorySummary),
        ["Alarm updated from ALARM to INSUFFICIENT_DATA", "Alarm updated from INSUFFICIENT_DATA to ALARM"],
      );
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
