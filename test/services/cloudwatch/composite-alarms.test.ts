// Composite alarms end to end: children driven into ALARM by real PutMetricData and SetAlarmState, the composite
// following with AWS's reason, triggeringAlarms and its SNS message read from an SQS queue; nested composites; the
// rule's grammar errors, missing children and cycles; DescribeAlarms' AlarmTypes, ChildrenOf/ParentsOfAlarmName;
// DeleteAlarms keeping a referenced child.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";
import { queueWithTopic, receiveAll, rejectsCode } from "./composite-setup.js";

const server = useServer();

const metricAlarm = (name: string, metric: string) =>
  new PutMetricAlarmCommand({
    AlarmName: name,
    Namespace: "App",
    MetricName: metric,
    Statistic: "Maximum",
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 10,
    ComparisonOperator: "GreaterThanThreshold",
  });

const rejects = rejectsCode;

test("children driven by PutMetricData: the composite follows AND, with AWS's reason, triggeringAlarms and SNS message", async () => {
  const account = randomAccount();
  const cw = server.client(CloudWatchClient, { account });
  const { sqs, QueueUrl, TopicArn } = await queueWithTopic(server, account);
  await cw.send(metricAlarm("cpu", "Cpu"));
  await cw.send(metricAlarm("mem", "Mem"));
  const arn = (n: string) => `arn:aws:cloudwatch:us-east-1:${account}:alarm:${n}`;
  const rule = `ALARM(cpu) AND ALARM("${arn("mem")}")`;
  await cw.send(new PutCompositeAlarmCommand({ AlarmName: "both", AlarmRule: rule, AlarmDescription: "cpu and memory", AlarmActions: [TopicArn] }));
  const describe = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["both"], AlarmTypes: ["CompositeAlarm"] }))).CompositeAlarms![0];
  // Evaluated at once: its children are not in ALARM.
  assert.equal((await describe()).StateValue, "OK");

  const now = new Date();
  await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "Cpu", Value: 50, Timestamp: now }] }));
  assert.equal((await describe()).StateValue, "OK");
  await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "Mem", Value: 90, Timestamp: now }] }));
  const c = await describe();
  assert.equal(c.StateValue, "ALARM");
  assert.equal(c.AlarmRule, rule);
  assert.match(c.StateReason!, new RegExp(`^${arn("mem")} transitioned to ALARM at [A-Z][a-z]+day \\d{1,2} [A-Z][a-z]+, \\d{4} \\d\\d:\\d\\d:\\d\\d UTC$`));
  const data = JSON.parse(c.StateReasonData!);
  assert.deepEqual(
    data.triggeringAlarms.map((t: { arn: string; state: { value: string } }) => [t.arn, t.state.value]),
    [
      [arn("mem"), "ALARM"],
      [arn("cpu"), "ALARM"],
    ],
  );
  assert.match(data.triggeringAlarms[0].state.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

  const [msg] = await receiveAll(sqs, QueueUrl, 1);
  assert.equal(msg.Subject, 'ALARM: "both" in US East (N. Virginia)');
  const m = JSON.parse(msg.Message);
  assert.equal(m.AlarmName, "both");
  assert.equal(m.AlarmDescription, "cpu and memory");
  assert.equal(m.NewStateValue, "ALARM");
  assert.equal(m.OldStateValue, "OK");
  assert.equal(m.AlarmRule, rule);
  assert.equal(m.TriggeringChildren[0].Arn, arn("mem"));
  assert.equal(m.TriggeringChildren[0].State.Value, "ALARM");

  // One child back to OK: the composite goes OK; its history is a CompositeAlarm's.
  await cw.send(new SetAlarmStateCommand({ AlarmName: "cpu", StateValue: "OK", StateReason: "calm" }));
  const ok = await describe();
  assert.equal(ok.StateValue, "OK");
  assert.equal(JSON.parse(ok.StateReasonData!).triggeringAlarms[0].arn, arn("cpu"));
  const { AlarmHistoryItems = [] } = await cw.send(
    new DescribeAlarmHistoryCommand({ AlarmName: "both", AlarmTypes: ["CompositeAlarm"], HistoryItemType: "StateUpdate" }),
  );
  assert.deepEqual(
    AlarmHistoryItems.map((h) => [h.AlarmType, h.HistorySummary]),
    [
      ["CompositeAlarm", "Alarm updated from ALARM to OK"],
      ["CompositeAlarm", "Alarm updated from OK to ALARM"],
      ["CompositeAlarm", "Alarm updated from INSUFFICIENT_DATA to OK"],
    ],
  );
  // Default AlarmTypes: metric alarms only.
  const plain = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["both", "cpu"] }));
  assert.deepEqual(
    plain.MetricAlarms!.map((a) => a.AlarmName),
    ["cpu"],
  );
  // AWS still answers the composite list, empty (LocalStack's AWS-recorded test_cloudwatch.snapshot.json).
  assert.deepEqual(plain.CompositeAlarms, []);
});

test("nested composites follow a child's SetAlarmState; ChildrenOf/ParentsOfAlarmName; a referenced child is not deleted", async () => {
  const account = randomAccount();
  const cw = server.client(CloudWatchClient, { account });
  await cw.send(metricAlarm("disk", "Disk"));
  await cw.send(new PutCompositeAlarmCommand({ AlarmName: "inner", AlarmRule: "ALARM(disk) OR FALSE" }));
  await cw.send(new PutCompositeAlarmCommand({ AlarmName: "outer", AlarmRule: `NOT OK(inner) AND (TRUE OR INSUFFICIENT_DATA(disk))` }));
  const states = async () => {
    const r = await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ["CompositeAlarm", "MetricAlarm"] }));
    return Object.fromEntries([...r.MetricAlarms!, ...r.CompositeAlarms!].map((a) => [a.AlarmName, a.StateValue]));
  };
  assert.deepEqual(await states(), { disk: "INSUFFICIENT_DATA", inner: "OK", outer: "OK" });
  await cw.send(new SetAlarmStateCommand({ AlarmName: "disk", StateValue: "ALARM", StateReason: "test" }));
  assert.deepEqual(await states(), { disk: "ALARM", inner: "ALARM", outer: "ALARM" });
  const outer = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["outer"], AlarmTypes: ["CompositeAlarm"] }))).CompositeAlarms![0];
  assert.match(outer.StateReason!, /:alarm:inner transitioned to ALARM at /);

  const children = await cw.send(new DescribeAlarmsCommand({ ChildrenOfAlarmName: "outer", AlarmTypes: ["CompositeAlarm", "MetricAlarm"] }));
  assert.deepEqual([children.MetricAlarms!.map((a) => a.AlarmName), children.CompositeAlarms!.map((a) => a.AlarmName)], [["disk"], ["inner"]]);
  const parents = await cw.send(new DescribeAlarmsCommand({ ParentsOfAlarmName: "disk", AlarmTypes: ["CompositeAlarm", "MetricAlarm"] }));
  assert.deepEqual(
    parents.CompositeAlarms!.map((a) => a.AlarmName),
    ["inner", "outer"],
  );

  // A cycle through the nesting is refused; so is deleting a child a composite still names.
  await rejects(
    cw.send(new PutCompositeAlarmCommand({ AlarmName: "inner", AlarmRule: "ALARM(outer)" })),
    "ValidationError",
    "Could not save the composite alarm as the alarm rule creates a cycle: inner -> outer -> inner",
  );
  await rejects(
    cw.send(new DeleteAlarmsCommand({ AlarmNames: ["disk"] })),
    "ValidationError",
    "Cannot delete disk as there are composite alarm(s) depending on it.",
  );
  // Deleted together with its parents, it goes.
  await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["outer", "inner", "disk"] }));
  assert.deepEqual(await states(), {});
});

test("the AlarmRule's grammar and children checked with AWS's errors", async () => {
  const account = randomAccount();
  const cw = server.client(CloudWatchClient, { account });
  await cw.send(metricAlarm("a", "A"));
  const put = (AlarmRule: string) => cw.send(new PutCompositeAlarmCommand({ AlarmName: "c", AlarmRule }));
  await rejects(put("()"), "ValidationError", "Error in AlarmRule [Unsupported token ')' at char 1]");
  await rejects(put("ALARM(a) AND"), "ValidationError", "Error in AlarmRule [Unexpected end of rule at char 12]");
  await rejects(put("ALARM(a) XOR ALARM(a)"), "ValidationError", "Error in AlarmRule [Unsupported token 'XOR' at char 9]");
  await rejects(put("ALARM(a) OR ALARM(nope)"), "ValidationError", "Could not save the composite alarm as alarms [nope] in the alarm rule do not exist");
  await rejects(
    put(`ALARM("arn:aws:cloudwatch:us-east-1:${account}:alarm:gone")`),
    "ValidationError",
    `Could not save the composite alarm as alarms [arn:aws:cloudwatch:us-east-1:${account}:alarm:gone] in the alarm rule do not exist`,
  );
  // The model's length constraint (10 240 characters), checked before the handler runs.
  await assert.rejects(put("x".repeat(10_241)), /length less than or equal to 10240/);
  await rejects(
    put(Array.from({ length: 251 }, () => "TRUE").join(" OR ")),
    "ValidationError",
    "Error in AlarmRule [The alarm rule must not have more than 500 elements, it has 501]",
  );
  await rejects(
    put(Array.from({ length: 101 }, (_, i) => `ALARM(a${i})`).join(" OR ")),
    "ValidationError",
    "Error in AlarmRule [The alarm rule must not reference more than 100 alarms, it references 101]",
  );
  // One name, one alarm, whichever its kind.
  await rejects(
    cw.send(new PutCompositeAlarmCommand({ AlarmName: "a", AlarmRule: "TRUE" })),
    "ValidationError",
    "The alarm a already exists as a metric alarm and cannot be replaced by a composite alarm.",
  );
  // Constants, NOT and parentheses parse; a quoted name works as a bare one.
  await put(`(NOT ALARM("a") AND TRUE) OR FALSE`);
  const c = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["c"], AlarmTypes: ["CompositeAlarm"] }))).CompositeAlarms![0];
  assert.equal(c.StateValue, "ALARM");
  assert.equal(JSON.parse(c.StateReasonData!).triggeringAlarms[0].arn, `arn:aws:cloudwatch:us-east-1:${account}:alarm:a`);
  await rejects(cw.send(metricAlarm("c", "C")), "ValidationError", "The alarm c already exists as a composite alarm and cannot be replaced by a metric alarm.");
});

test("tags on a composite alarm: given at creation, added and removed by ARN", async () => {
  const account = randomAccount();
  const cw = server.client(CloudWatchClient, { account });
  await cw.send(new PutCompositeAlarmCommand({ AlarmName: "tagged", AlarmRule: "FALSE", Tags: [{ Key: "Environment", Value: "Production" }] }));
  const ResourceARN = `arn:aws:cloudwatch:us-east-1:${account}:alarm:tagged`;
  await cw.send(new TagResourceCommand({ ResourceARN, Tags: [{ Key: "tag1", Value: "foo" }] }));
  await cw.send(new UntagResourceCommand({ ResourceARN, TagKeys: ["Environment"] }));
  assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ ResourceARN }))).Tags, [{ Key: "tag1", Value: "foo" }]);
});
