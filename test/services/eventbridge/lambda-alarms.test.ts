// A Node.js function as a rule's target (invoked asynchronously once its resource policy lets events.amazonaws.com
// invoke it for the rule; without that the event goes to the dead-letter queue), and CloudWatch alarms' state
// changes as "CloudWatch Alarm State Change" events on the default bus, delivered through a rule to a queue.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, PutCompositeAlarmCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { useServer } from "../../helpers/server.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";
import { clients, queue, receive } from "./setup.js";

const server = useServer();

const RECORDER = `
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS, MessageBody: JSON.stringify(event) }));
  return {};
};
`;

test("a Lambda target receives the event once its policy allows EventBridge; without it the event is dead-lettered", async () => {
  const env = await lambdaEnv(server);
  const c = clients(server, env.account);
  const results = await queue(c, "fn-results");
  const dlq = await queue(c, "fn-dlq");
  const fn = await createFunction(env, {
    FunctionName: "on-event",
    code: { "index.mjs": RECORDER },
    Environment: { Variables: { RESULTS: results.url } },
    Timeout: 15,
  });
  const { RuleArn } = await c.eb.send(new PutRuleCommand({ Name: "to-fn", EventPattern: JSON.stringify({ source: ["app"] }) }));
  await c.eb.send(new PutTargetsCommand({ Rule: "to-fn", Targets: [{ Id: "fn", Arn: fn.FunctionArn!, DeadLetterConfig: { Arn: dlq.arn } }] }));

  // No permission yet: not retried, dead-lettered with NO_PERMISSIONS.
  const first = await c.eb.send(new PutEventsCommand({ Entries: [{ Source: "app", DetailType: "t", Detail: '{"n":1}' }] }));
  const [dead] = await receive(c, dlq.url, 1, true);
  assert.equal(JSON.parse(dead.Body!).id, first.Entries![0].EventId);
  assert.equal(dead.MessageAttributes?.ERROR_CODE?.StringValue, "NO_PERMISSIONS");

  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "on-event",
      StatementId: "events",
      Principal: "events.amazonaws.com",
      Action: "lambda:InvokeFunction",
      SourceArn: RuleArn,
    }),
  );
  const second = await c.eb.send(new PutEventsCommand({ Entries: [{ Source: "app", DetailType: "t", Detail: '{"n":2}' }] }));
  const [got] = await receive(c, results.url);
  const event = JSON.parse(got.Body!);
  assert.equal(event.id, second.Entries![0].EventId);
  assert.deepEqual(event.detail, { n: 2 });
  assert.equal(event.source, "app");
});

test("an alarm going to ALARM puts a CloudWatch Alarm State Change event on the default bus; composites too", async () => {
  const c = clients(server);
  const q = await queue(c, "alarm-events");
  await c.eb.send(
    new PutRuleCommand({
      Name: "alarms",
      EventPattern: JSON.stringify({ source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"], detail: { state: { value: ["ALARM"] } } }),
    }),
  );
  await c.eb.send(new PutTargetsCommand({ Rule: "alarms", Targets: [{ Id: "q", Arn: q.arn }] }));
  const cw = server.client(CloudWatchClient, { account: c.account });
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: "cpu-high",
      AlarmDescription: "too hot",
      Namespace: "App",
      MetricName: "CPU",
      Dimensions: [{ Name: "Host", Value: "h1" }],
      Statistic: "Average",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 90,
      ComparisonOperator: "GreaterThanThreshold",
    }),
  );
  await cw.send(new PutCompositeAlarmCommand({ AlarmName: "svc", AlarmRule: "ALARM(cpu-high)", AlarmDescription: "service" }));
  await cw.send(new SetAlarmStateCommand({ AlarmName: "cpu-high", StateValue: "ALARM", StateReason: "threshold crossed" }));

  const events = (await receive(c, q.url, 2)).map((m) => JSON.parse(m.Body!));
  const metric = events.find((e) => e.detail.alarmName === "cpu-high");
  const composite = events.find((e) => e.detail.alarmName === "svc");
  const alarmArn = `arn:aws:cloudwatch:us-east-1:${c.account}:alarm:cpu-high`;
  assert.equal(metric.version, "0");
  assert.equal(metric["detail-type"], "CloudWatch Alarm State Change");
  assert.equal(metric.source, "aws.cloudwatch");
  assert.equal(metric.account, c.account);
  assert.equal(metric.region, "us-east-1");
  assert.deepEqual(metric.resources, [alarmArn]);
  assert.match(metric.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(Object.keys(metric.detail), ["alarmName", "configuration", "previousState", "state"]);
  assert.equal(metric.detail.state.value, "ALARM");
  assert.equal(metric.detail.state.reason, "threshold crossed");
  assert.match(metric.detail.state.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  assert.equal(metric.detail.previousState.value, "INSUFFICIENT_DATA");
  assert.equal(metric.detail.configuration.description, "too hot");
  assert.deepEqual(metric.detail.configuration.metrics[0].metricStat, {
    metric: { namespace: "App", name: "CPU", dimensions: { Host: "h1" } },
    period: 60,
    stat: "Average",
  });
  assert.deepEqual(composite.resources, [`arn:aws:cloudwatch:us-east-1:${c.account}:alarm:svc`]);
  assert.equal(composite.detail.configuration.alarmRule, "ALARM(cpu-high)");
  assert.equal(composite.detail.state.value, "ALARM");
});
