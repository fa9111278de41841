// AWS::CloudWatch::Alarm through CloudFormation, from a template the CDK synthesizes for `metric.createAlarm()` with an
// SNS action (aws-cdk-lib in-process, no bootstrap rule): Ref is the alarm's name, GetAtt Arn its ARN; the deployed
// alarm evaluates (a breaching datapoint → ALARM → the topic's message in SQS); an update changes it in place; the
// stack's deletion deletes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudWatchClient, DescribeAlarmsCommand, ListTagsForResourceCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { App, CfnOutput, DefaultStackSynthesizer, Duration, Stack, Tags } from "aws-cdk-lib";
import { Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { randomAccount, useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";

const server = useServer();

function synth(threshold: number): string {
  const app = new App({ analyticsReporting: false });
  const stack = new Stack(app, "Alarms", { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const topic = new Topic(stack, "Topic");
  const metric = new Metric({ namespace: "Cdk", metricName: "Errors", dimensionsMap: { Service: "api" }, statistic: "Sum", period: Duration.minutes(1) });
  const alarm = metric.createAlarm(stack, "Errors", {
    threshold,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: "errors",
  });
  alarm.addAlarmAction(new SnsAction(topic));
  Tags.of(alarm).add("team", "api");
  new CfnOutput(stack, "AlarmName", { value: alarm.alarmName });
  new CfnOutput(stack, "AlarmArn", { value: alarm.alarmArn });
  new CfnOutput(stack, "TopicArn", { value: topic.topicArn });
  return JSON.stringify(app.synth().getStackByName("Alarms").template);
}

test("the CDK's metric.createAlarm() with an SNS action deploys, evaluates and acts; updated in place; deleted with the stack", async () => {
  const account = randomAccount();
  const cfn = server.client(CloudFormationClient, { account });
  const cw = server.client(CloudWatchClient, { account });
  const sqs = server.client(SQSClient, { account });
  await cfn.send(new CreateStackCommand({ StackName: "alarms", TemplateBody: synth(5) }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "alarms" });
  const outputs = async () =>
    Object.fromEntries(
      ((await cfn.send(new DescribeStacksCommand({ StackName: "alarms" }))).Stacks![0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
    );
  const out = await outputs();
  assert.match(out.AlarmName!, /^alarms-Errors[0-9A-F]+-[A-Z0-9]+$/);
  assert.equal(out.AlarmArn, `arn:aws:cloudwatch:us-east-1:${account}:alarm:${out.AlarmName}`);

  const [a] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [out.AlarmName!] }))).MetricAlarms!;
  assert.deepEqual(
    [a.Namespace, a.MetricName, a.Dimensions, a.Statistic, a.Period, a.Threshold, a.ComparisonOperator, a.TreatMissingData, a.AlarmActions],
    ["Cdk", "Errors", [{ Name: "Service", Value: "api" }], "Sum", 60, 5, "GreaterThanOrEqualToThreshold", "notBreaching", [out.TopicArn]],
  );
  assert.equal(a.StateValue, "OK"); // no data, treated as not breaching
  assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ ResourceARN: out.AlarmArn }))).Tags, [{ Key: "team", Value: "api" }]);

  // Drift detection reads the alarm back through its provider: in sync with the template.
  const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: "alarms" }));
  await eventually(async () =>
    assert.notEqual((await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }))).DetectionStatus, "DETECTION_IN_PROGRESS"),
  );
  const drifts = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: "alarms" }))).StackResourceDrifts!;
  assert.deepEqual(
    drifts.filter((d) => d.ResourceType === "AWS::CloudWatch::Alarm").map((d) => [d.StackResourceDriftStatus, d.PropertyDifferences]),
    [["IN_SYNC", []]],
  );

  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "cdk-alarms" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await server.client(SNSClient, { account }).send(new SubscribeCommand({ TopicArn: out.TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));
  await cw.send(
    new PutMetricDataCommand({ Namespace: "Cdk", MetricData: [{ MetricName: "Errors", Dimensions: [{ Name: "Service", Value: "api" }], Value: 7 }] }),
  );
  const message = await eventually(async () => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    assert.equal(Messages.length, 1);
    return JSON.parse(Messages[0].Body!);
  });
  assert.equal(message.Subject, `ALARM: "${out.AlarmName}" in US East (N. Virginia)`);
  assert.equal(JSON.parse(message.Message).NewStateValue, "ALARM");

  await cfn.send(new UpdateStackCommand({ StackName: "alarms", TemplateBody: synth(50) }));
  await waitUntilStackUpdateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "alarms" });
  assert.equal((await outputs()).AlarmName, out.AlarmName);
  const [updated] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [out.AlarmName!] }))).MetricAlarms!;
  assert.equal(updated.Threshold, 50);
  assert.equal(updated.StateValue, "OK"); // re-evaluated on update: 7 is under 50

  await cfn.send(new DeleteStackCommand({ StackName: "alarms" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "alarms" });
  assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNames: [out.AlarmName!] }))).MetricAlarms, []);
});
