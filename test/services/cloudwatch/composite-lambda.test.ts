// A composite alarm's Lambda action: invoked, once the function's policy lets lambda.alarms.cloudwatch.amazonaws.com
// invoke it for the composite, with AWS's alarmData event carrying the rule and triggeringAlarms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, PutCompositeAlarmCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { useServer } from "../../helpers/server.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";
import { receiveAll } from "./composite-setup.js";

const server = useServer();

const RECORDER = `
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS, MessageBody: JSON.stringify(event) }));
  return {};
};
`;

test("a composite's Lambda action receives the alarmData event with the rule and triggeringAlarms", async () => {
  const env = await lambdaEnv(server);
  const cw = server.client(CloudWatchClient, { account: env.account });
  const sqs = server.client(SQSClient, { account: env.account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "composite-events" }));
  const fn = await createFunction(env, {
    FunctionName: "on-composite",
    code: { "index.mjs": RECORDER },
    Environment: { Variables: { RESULTS: QueueUrl! } },
    Timeout: 15,
  });
  const compositeArn = `arn:aws:cloudwatch:us-east-1:${env.account}:alarm:svc`;
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "on-composite",
      StatementId: "alarms",
      Principal: "lambda.alarms.cloudwatch.amazonaws.com",
      Action: "lambda:InvokeFunction",
      SourceArn: compositeArn,
    }),
  );
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: "svc-errors",
      Namespace: "App",
      MetricName: "Errors",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    }),
  );
  await cw.send(
    new PutCompositeAlarmCommand({ AlarmName: "svc", AlarmRule: "ALARM(svc-errors)", AlarmDescription: "service", AlarmActions: [fn.FunctionArn!] }),
  );
  await cw.send(new SetAlarmStateCommand({ AlarmName: "svc-errors", StateValue: "ALARM", StateReason: "test" }));
  const [event] = await receiveAll(sqs, QueueUrl!, 1);
  assert.equal(event.source, "aws.cloudwatch");
  assert.equal(event.alarmArn, compositeArn);
  assert.equal(event.alarmData.alarmName, "svc");
  assert.equal(event.alarmData.state.value, "ALARM");
  assert.equal(event.alarmData.previousState.value, "OK");
  assert.deepEqual(event.alarmData.configuration, { alarmRule: "ALARM(svc-errors)", description: "service" });
  const reasonData = JSON.parse(event.alarmData.state.reasonData);
  assert.equal(reasonData.triggeringAlarms[0].arn, `arn:aws:cloudwatch:us-east-1:${env.account}:alarm:svc-errors`);
  assert.equal(reasonData.triggeringAlarms[0].state.value, "ALARM");
});
