// A composite alarm's ActionsSuppressor, on a manual clock: a suppressor that goes into ALARM within the wait period
// suppresses the actions; once it leaves ALARM the actions wait out the extension period, then run; a wait period in
// progress survives a restart (the held-back actions are stored), and the AWS CLI reads the composite.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, DescribeAlarmsCommand, PutCompositeAlarmCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { queueWithTopic, receiveAll } from "./composite-setup.js";

const child = (AlarmName: string) =>
  new PutMetricAlarmCommand({
    AlarmName,
    Namespace: "App",
    MetricName: AlarmName,
    Statistic: "Sum",
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: "GreaterThanThreshold",
    // No data keeps the state a test sets (the minute's evaluation leaves it).
    TreatMissingData: "ignore",
  });

test("ActionsSuppressor: suppressed while the suppressor is in ALARM, run after the extension period, a wait period resumed after restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-cw-composite-"));
  const clock = new ManualClock(Math.floor(Date.now() / 60_000) * 60_000 + 5_000);
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir, clock });
    const { QueueUrl, TopicArn } = await queueWithTopic(s, account, "suppressed");
    let cw = new CloudWatchClient(s.clientConfig({ account }));
    await cw.send(child("errors"));
    await cw.send(child("deploying"));
    await cw.send(
      new PutCompositeAlarmCommand({
        AlarmName: "page",
        AlarmRule: "ALARM(errors)",
        AlarmActions: [TopicArn],
        ActionsSuppressor: "deploying",
        ActionsSuppressorWaitPeriod: 120,
        ActionsSuppressorExtensionPeriod: 180,
      }),
    );
    const page = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["page"], AlarmTypes: ["CompositeAlarm"] }))).CompositeAlarms![0];
    const set = (AlarmName: string, StateValue: "ALARM" | "OK") => cw.send(new SetAlarmStateCommand({ AlarmName, StateValue, StateReason: "test" }));

    // Into ALARM: the actions wait for the suppressor; it goes into ALARM in time and suppresses them.
    await set("errors", "ALARM");
    let p = await page();
    assert.equal(p.StateValue, "ALARM");
    assert.equal(p.ActionsSuppressedBy, "WaitPeriod");
    assert.equal(p.ActionsSuppressor, "deploying");
    assert.equal(p.ActionsSuppressorWaitPeriod, 120);
    assert.equal(p.ActionsSuppressorExtensionPeriod, 180);
    clock.advance(60_000);
    await set("deploying", "ALARM");
    assert.equal((await page()).ActionsSuppressedBy, "Alarm");
    clock.advance(90_000);

    // The suppressor leaves ALARM: the composite, still in ALARM, acts once the extension period is over.
    await set("deploying", "OK");
    p = await page();
    assert.equal(p.ActionsSuppressedBy, "ExtensionPeriod");
    clock.advance(170_000);
    const sqs = new SQSClient(s.clientConfig({ account }));
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
    clock.advance(15_000);
    const [first] = await receiveAll(sqs, QueueUrl, 1);
    assert.equal(first.Subject, 'ALARM: "page" in US East (N. Virginia)');
    assert.equal((await page()).ActionsSuppressedBy, undefined);

    // Out of ALARM and back in: a new wait period, in progress when the server stops.
    await set("errors", "OK");
    await set("errors", "ALARM");
    assert.equal((await page()).ActionsSuppressedBy, "WaitPeriod");
    await s.close();

    s = await startTestServer({ dataDir, clock });
    cw = new CloudWatchClient(s.clientConfig({ account }));
    clock.advance(125_000);
    const again = new SQSClient(s.clientConfig({ account }));
    const [second] = await receiveAll(again, QueueUrl, 1);
    const m = JSON.parse(second.Message);
    assert.equal(m.NewStateValue, "ALARM");
    assert.equal(m.OldStateValue, "OK");
    assert.equal(m.AlarmRule, "ALARM(errors)");

    // The AWS CLI lists the composite among the parents of its child.
    const [cli] = awsClis();
    if (cli) {
      const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
      const args = ["cloudwatch", "describe-alarms", "--parents-of-alarm-name", "errors", "--alarm-types", "CompositeAlarm", "MetricAlarm"];
      const r = await runAws(cli, s.url, args, creds);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(
        JSON.parse(r.stdout).CompositeAlarms.map((a: { AlarmName: string; StateValue: string }) => [a.AlarmName, a.StateValue]),
        [["page", "ALARM"]],
      );
    }
    await s.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
