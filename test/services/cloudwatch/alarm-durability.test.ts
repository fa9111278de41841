// Alarms through kill -9 of the built server: an acknowledged PutMetricAlarm, the state its datapoint moved it to (reason
// and StateReasonData), and its history are all there after; evaluation goes on in the new process. The same for an
// alarm on metric math and an anomaly detector.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAnomalyDetectorsCommand,
  PutAnomalyDetectorCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { cliClientConfig, killAll, startCli } from "../../cli/spawn.js";
import { randomAccount } from "../../helpers/server.js";

after(killAll);

const config = cliClientConfig;

test("kill -9: the alarm, its state and its history survive; the restarted server evaluates it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-cw-alarm-kill-"));
  const account = randomAccount();
  const now = Date.now();
  const lastMinute = new Date(now - (now % 60_000) - 60_000);
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    let cw = new CloudWatchClient(config(first.url, account));
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "survivor",
        Namespace: "Kill",
        MetricName: "Depth",
        Statistic: "Maximum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );
    await cw.send(new PutMetricDataCommand({ Namespace: "Kill", MetricData: [{ MetricName: "Depth", Value: 11, Timestamp: lastMinute }] }));
    const before = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["survivor"] }))).MetricAlarms![0];
    assert.equal(before.StateValue, "ALARM");
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      cw = new CloudWatchClient(config(again.url, account));
      const afterKill = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["survivor"] }))).MetricAlarms![0];
      assert.deepEqual(
        [afterKill.StateValue, afterKill.StateReason, afterKill.StateReasonData, afterKill.StateUpdatedTimestamp],
        [before.StateValue, before.StateReason, before.StateReasonData, before.StateUpdatedTimestamp],
      );
      const { AlarmHistoryItems = [] } = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "survivor" }));
      assert.deepEqual(
        AlarmHistoryItems.map((h) => h.HistorySummary),
        ["Alarm updated from INSUFFICIENT_DATA to ALARM", 'Alarm "survivor" created'],
      );
      // The new process evaluates it: a datapoint under the threshold in the current minute moves it to OK.
      await cw.send(new PutMetricDataCommand({ Namespace: "Kill", MetricData: [{ MetricName: "Depth", Value: 1 }] }));
      assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["survivor"] }))).MetricAlarms![0].StateValue, "OK");
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("kill -9: a metric math alarm and an anomaly detector survive; the math alarm is evaluated by the new process", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-cw-math-kill-"));
  const account = randomAccount();
  const Metrics = [
    { Id: "a", MetricStat: { Metric: { Namespace: "Kill", MetricName: "A" }, Period: 60, Stat: "Sum" }, ReturnData: false },
    { Id: "b", MetricStat: { Metric: { Namespace: "Kill", MetricName: "B" }, Period: 60, Stat: "Sum" }, ReturnData: false },
    { Id: "total", Expression: "a + b", ReturnData: true },
  ];
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    let cw = new CloudWatchClient(config(first.url, account));
    await cw.send(new PutMetricAlarmCommand({ AlarmName: "sum", Metrics, EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: "GreaterThanThreshold" }));
    await cw.send(new PutAnomalyDetectorCommand({ SingleMetricAnomalyDetector: { Namespace: "Kill", MetricName: "A", Stat: "Sum" } }));
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      cw = new CloudWatchClient(config(again.url, account));
      const a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["sum"] }))).MetricAlarms![0];
      assert.deepEqual(a.Metrics, Metrics);
      const detectors = (await cw.send(new DescribeAnomalyDetectorsCommand({}))).AnomalyDetectors!;
      assert.equal(detectors[0].SingleMetricAnomalyDetector!.MetricName, "A");
      // Either metric's datapoint wakes the alarm in the new process.
      await cw.send(new PutMetricDataCommand({ Namespace: "Kill", MetricData: [{ MetricName: "A", Value: 6 }] }));
      await cw.send(new PutMetricDataCommand({ Namespace: "Kill", MetricData: [{ MetricName: "B", Value: 6 }] }));
      assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["sum"] }))).MetricAlarms![0].StateValue, "ALARM");
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
