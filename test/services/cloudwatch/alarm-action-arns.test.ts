// Alarm actions Stratus accepts but cannot run (EC2, Auto Scaling, Application Auto Scaling, Systems Manager): every
// ARN form AWS accepts is stored; malformed ones and EC2 actions on a metric without an InstanceId dimension get AWS's
// errors; on a transition each is a failed Action history item saying Stratus does not run that service, and an Auto
// Scaling policy fails again every minute the alarm stays in the state (as AWS invokes it once a minute).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { ManualClock } from "../../../src/core/clock.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { rejectsCode } from "./composite-setup.js";

const clock = new ManualClock(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
const server = useServer({ clock });

const EC2 = [
  "arn:aws:automate:us-east-1:ec2:stop",
  "arn:aws:automate:us-east-1:ec2:terminate",
  "arn:aws:automate:us-east-1:ec2:reboot",
  "arn:aws:automate:us-east-1:ec2:recover",
  "arn:aws:swf:us-east-1:123456789012:action/actions/AWS_EC2.InstanceId.Stop/1.0",
  "arn:aws:swf:us-east-1:123456789012:action/actions/AWS_EC2.InstanceId.Reboot/1.0",
];
const ASG = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:c7a27f55-d35e-4153-b044-8ca9155fc467:autoScalingGroupName/web:policyName/scale-out";
const APP_ASG = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:6d8972f3-efc8-437c-92d1-6270f29a66e7:resource/ecs/service/default/web:policyName/cpu";
const OPSITEM = "arn:aws:ssm:us-east-1:123456789012:opsitem:2#CATEGORY=Availability";
const PLAN = "arn:aws:ssm-incidents::123456789012:response-plan/on-call";

const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  // PutMetricData refuses AWS/ namespaces: an agent's namespace with the instance's dimension.
  Namespace: "CWAgent",
  MetricName: "CPUUtilization",
  Dimensions: [{ Name: "InstanceId", Value: "i-0123456789abcdef0" }],
  Statistic: "Average",
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 90,
  ComparisonOperator: "GreaterThanThreshold",
  ...extra,
});

const actionHistory = async (cw: CloudWatchClient, name: string) =>
  ((await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: "Action", ScanBy: "TimestampAscending" }))).AlarmHistoryItems ?? []).map(
    (h) => ({ summary: h.HistorySummary!, data: JSON.parse(h.HistoryData!) }),
  );

test("every action ARN form AWS accepts is stored; malformed ones and EC2 actions without an InstanceId are refused", async () => {
  const cw = server.client(CloudWatchClient, { account: randomAccount() });
  // At most 5 actions a list (the model's limit).
  await cw.send(new PutMetricAlarmCommand(alarm("kinds-1", { AlarmActions: EC2.slice(0, 5), OKActions: [OPSITEM, PLAN] })));
  await cw.send(new PutMetricAlarmCommand(alarm("kinds-2", { AlarmActions: [EC2[5], ASG, APP_ASG] })));
  const [a, b] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["kinds-1", "kinds-2"] }))).MetricAlarms!;
  assert.deepEqual(a.AlarmActions, EC2.slice(0, 5));
  assert.deepEqual(a.OKActions, [OPSITEM, PLAN]);
  assert.deepEqual(b.AlarmActions, [EC2[5], ASG, APP_ASG]);

  const ec2Message = "Invalid use of EC2 action. An EC2 action can only be used if the alarm is monitoring an EC2 instance.";
  await rejectsCode(
    cw.send(new PutMetricAlarmCommand(alarm("no-instance", { Dimensions: [{ Name: "AutoScalingGroupName", Value: "web" }], AlarmActions: [EC2[0]] }))),
    "ValidationError",
    ec2Message,
  );
  await rejectsCode(
    cw.send(new PutMetricAlarmCommand(alarm("bad", { AlarmActions: ["arn:aws:automate:us-east-1:ec2:explode"] }))),
    "InvalidParameterValue",
    /Invalid action ARN/,
  );
  await rejectsCode(
    cw.send(new PutMetricAlarmCommand(alarm("bad", { AlarmActions: ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x"] }))),
    "InvalidParameterValue",
    /Invalid action ARN/,
  );
});

test("on a transition each action Stratus cannot run is a failed Action item; an Auto Scaling policy fails again every minute in the state", async () => {
  const cw = server.client(CloudWatchClient, { account: randomAccount() });
  await cw.send(new PutMetricAlarmCommand(alarm("scaler", { AlarmActions: [EC2[0], ASG], OKActions: [OPSITEM] })));
  const cpu = (at: number) =>
    cw.send(
      new PutMetricDataCommand({
        Namespace: "CWAgent",
        MetricData: [{ MetricName: "CPUUtilization", Dimensions: [{ Name: "InstanceId", Value: "i-0123456789abcdef0" }], Value: 99, Timestamp: new Date(at) }],
      }),
    );
  // Breaching now and in the next minute: the alarm goes to ALARM and stays there.
  await cpu(clock.now());
  await cpu(clock.now() + 60_000);
  const first = await eventually(async () => {
    const items = await actionHistory(cw, "scaler");
    assert.equal(items.length, 2);
    return items;
  });
  const ec2Error = "Stratus does not run Amazon EC2: there is no instance for this action to act on.";
  const asgError = "Stratus does not run Amazon EC2 Auto Scaling: there is no scaling policy to execute.";
  assert.deepEqual(
    first.map((i) => i.summary),
    [`Failed to execute action ${EC2[0]}. Received error: "${ec2Error}"`, `Failed to execute action ${ASG}. Received error: "${asgError}"`],
  );
  assert.equal(first[1].data.actionState, "Failed");
  assert.equal(first[1].data.error, asgError);

  // A minute on, still in ALARM: the scaling policy (only it) is invoked, and fails, again.
  clock.advance(60_000);
  const again = await eventually(async () => {
    const items = await actionHistory(cw, "scaler");
    assert.equal(items.length, 3);
    return items;
  });
  assert.equal(again[2].summary, `Failed to execute action ${ASG}. Received error: "${asgError}"`);

  // OK: the OpsItem action's turn.
  await cw.send(new SetAlarmStateCommand({ AlarmName: "scaler", StateValue: "OK", StateReason: "test" }));
  const last = await eventually(async () => {
    const items = await actionHistory(cw, "scaler");
    assert.equal(items.length, 4);
    return items[3];
  });
  assert.match(last.summary, /^Failed to execute action arn:aws:ssm:.*Received error: "Stratus does not run AWS Systems Manager OpsCenter/);
});

const SCRIPT = `
import json, sys, boto3
url, account, arn = sys.argv[1], sys.argv[2], sys.argv[3]
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
cw.put_metric_alarm(AlarmName="py-asg", Namespace="App", MetricName="Load", Statistic="Average", Period=60, EvaluationPeriods=1,
  Threshold=1, ComparisonOperator="GreaterThanThreshold", AlarmActions=[arn])
cw.set_alarm_state(AlarmName="py-asg", StateValue="ALARM", StateReason="py")
print(json.dumps(cw.describe_alarms(AlarmNames=["py-asg"])["MetricAlarms"][0]["AlarmActions"]))
`;

test("boto3: an Auto Scaling policy action is accepted; its failure is in the history", { skip: pythonMissing() }, async () => {
  const account = randomAccount();
  const { stdout } = await run("python3", ["-c", SCRIPT, server.url, account, APP_ASG]);
  assert.deepEqual(JSON.parse(stdout), [APP_ASG]);
  const cw = server.client(CloudWatchClient, { account });
  const items = await eventually(async () => {
    const got = await actionHistory(cw, "py-asg");
    assert.equal(got.length, 1);
    return got;
  });
  assert.match(items[0].summary, /Stratus does not run Application Auto Scaling/);
});
