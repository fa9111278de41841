// AWS::CloudWatch::CompositeAlarm through CloudFormation, from a template the CDK synthesizes (CompositeAlarm with
// AlarmRule.allOf over two alarms, named by their ARNs): Ref is the name, GetAtt Arn the ARN; the deployed composite
// follows its children; the stack's deletion deletes the composite before the children it names.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { App, CfnOutput, DefaultStackSynthesizer, Duration, Stack } from "aws-cdk-lib";
import { AlarmRule, AlarmState, CompositeAlarm, Metric } from "aws-cdk-lib/aws-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

function synth(): string {
  const app = new App({ analyticsReporting: false });
  const stack = new Stack(app, "Composite", { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const alarm = (id: string) =>
    new Metric({ namespace: "Cdk", metricName: id, statistic: "Sum", period: Duration.minutes(1) }).createAlarm(stack, id, {
      threshold: 1,
      evaluationPeriods: 1,
    });
  const errors = alarm("Errors");
  const latency = alarm("Latency");
  const composite = new CompositeAlarm(stack, "Both", {
    alarmRule: AlarmRule.allOf(AlarmRule.fromAlarm(errors, AlarmState.ALARM), AlarmRule.fromAlarm(latency, AlarmState.ALARM)),
    alarmDescription: "errors and latency",
  });
  new CfnOutput(stack, "CompositeName", { value: composite.alarmName });
  new CfnOutput(stack, "CompositeArn", { value: composite.alarmArn });
  new CfnOutput(stack, "Children", { value: `${errors.alarmName},${latency.alarmName}` });
  return JSON.stringify(app.synth().getStackByName("Composite").template);
}

test("a CDK CompositeAlarm deploys, follows its children, and is deleted with its stack", async () => {
  const account = randomAccount();
  const cfn = server.client(CloudFormationClient, { account });
  const cw = server.client(CloudWatchClient, { account });
  await cfn.send(new CreateStackCommand({ StackName: "composite", TemplateBody: synth() }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60 }, { StackName: "composite" });
  const outputs = Object.fromEntries(
    ((await cfn.send(new DescribeStacksCommand({ StackName: "composite" }))).Stacks![0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
  );
  const name = outputs.CompositeName!;
  assert.equal(outputs.CompositeArn, `arn:aws:cloudwatch:us-east-1:${account}:alarm:${name}`);
  const [errors, latency] = outputs.Children!.split(",");
  const composite = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["CompositeAlarm"] }))).CompositeAlarms![0];
  const c = await composite();
  assert.equal(c.AlarmDescription, "errors and latency");
  assert.match(c.AlarmRule!, new RegExp(`^\\(ALARM\\("arn:aws:cloudwatch:us-east-1:${account}:alarm:${errors}"\\) AND ALARM\\(".*:alarm:${latency}"\\)\\)$`));
  assert.equal(c.StateValue, "OK");
  for (const AlarmName of [errors, latency]) await cw.send(new SetAlarmStateCommand({ AlarmName, StateValue: "ALARM", StateReason: "test" }));
  assert.equal((await composite()).StateValue, "ALARM");

  await cfn.send(new DeleteStackCommand({ StackName: "composite" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60 }, { StackName: "composite" });
  const left = await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ["CompositeAlarm", "MetricAlarm"] }));
  assert.deepEqual([left.MetricAlarms, left.CompositeAlarms], [[], []]);
});
