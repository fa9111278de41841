// Metric math alarms and anomaly detectors through CloudFormation, from a template the CDK synthesizes:
// `new MathExpression(...).createAlarm()` deploys an AWS::CloudWatch::Alarm with Metrics that evaluates (a breaching
// pair of datapoints → ALARM), and a CfnAnomalyDetector deploys a detector DescribeAnomalyDetectors lists; deleting the
// stack deletes both.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudWatchClient, DescribeAlarmsCommand, DescribeAnomalyDetectorsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { App, DefaultStackSynthesizer, Duration, Stack } from "aws-cdk-lib";
import { CfnAnomalyDetector, MathExpression, Metric } from "aws-cdk-lib/aws-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";

const server = useServer();

function synth(): string {
  const app = new App({ analyticsReporting: false });
  const stack = new Stack(app, "MathAlarms", { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const metric = (metricName: string) => new Metric({ namespace: "Cdk", metricName, statistic: "Sum", period: Duration.minutes(1) });
  const rate = new MathExpression({
    expression: "100 * errors / requests",
    usingMetrics: { errors: metric("Errors"), requests: metric("Requests") },
    label: "Error %",
  });
  rate.createAlarm(stack, "ErrorRate", { alarmName: "cdk-error-rate", threshold: 5, evaluationPeriods: 1 });
  new CfnAnomalyDetector(stack, "Detector", {
    singleMetricAnomalyDetector: { namespace: "Cdk", metricName: "Requests", stat: "Sum" },
    configuration: { metricTimeZone: "UTC", excludedTimeRanges: [] },
  });
  return JSON.stringify(app.synth().getStackByName("MathAlarms").template);
}

test("the CDK's MathExpression.createAlarm() and a CfnAnomalyDetector deploy; the math alarm evaluates; both go with the stack", async () => {
  const account = randomAccount();
  const cfn = server.client(CloudFormationClient, { account });
  const cw = server.client(CloudWatchClient, { account });
  await cfn.send(new CreateStackCommand({ StackName: "math", TemplateBody: synth() }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "math" });
  const a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["cdk-error-rate"] }))).MetricAlarms![0];
  assert.deepEqual(
    a.Metrics!.map((q) => [q.Id, q.Expression ?? q.MetricStat!.Metric!.MetricName, q.ReturnData]),
    [
      ["expr_1", "100 * errors / requests", true],
      ["errors", "Errors", false],
      ["requests", "Requests", false],
    ],
  );
  await cw.send(
    new PutMetricDataCommand({
      Namespace: "Cdk",
      MetricData: [
        { MetricName: "Requests", Value: 100 },
        { MetricName: "Errors", Value: 9 },
      ],
    }),
  );
  await eventually(async () => {
    const now = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["cdk-error-rate"] }))).MetricAlarms![0];
    assert.equal(now.StateValue, "ALARM");
  });
  const detectors = (await cw.send(new DescribeAnomalyDetectorsCommand({ Namespace: "Cdk" }))).AnomalyDetectors!;
  assert.deepEqual(
    detectors.map((d) => [d.SingleMetricAnomalyDetector?.MetricName, d.Configuration?.MetricTimezone]),
    [["Requests", "UTC"]],
  );

  await cfn.send(new DeleteStackCommand({ StackName: "math" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "math" });
  assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["cdk-error-rate"] }))).MetricAlarms, []);
  assert.deepEqual((await cw.send(new DescribeAnomalyDetectorsCommand({}))).AnomalyDetectors, []);
});
