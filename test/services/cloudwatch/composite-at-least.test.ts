// Composite alarms' AT_LEAST(M, STATE, (…)) and AT_LEAST(M%, NOT STATE, (…)): parsed, validated, evaluated as the
// children change state, with their triggering alarms; ChildrenOf/ParentsOfAlarmName over it; and DescribeAlarms
// paging metric and composite alarms together in one listing by name (MaxRecords, NextToken).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { pythonMissing, run } from "../../helpers/python.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejectsCode } from "./composite-setup.js";

const server = useServer();

const metricAlarm = (name: string) =>
  new PutMetricAlarmCommand({
    AlarmName: name,
    Namespace: "Fleet",
    MetricName: "Health",
    Dimensions: [{ Name: "Host", Value: name }],
    Statistic: "Minimum",
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: "LessThanThreshold",
  });

async function fleet(cw: CloudWatchClient, names: string[]) {
  for (const n of names) await cw.send(metricAlarm(n));
  for (const n of names) await cw.send(new SetAlarmStateCommand({ AlarmName: n, StateValue: "OK", StateReason: "start" }));
}

const set = (cw: CloudWatchClient, name: string, StateValue: "OK" | "ALARM") =>
  cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue, StateReason: "test" }));
const composite = async (cw: CloudWatchClient, name: string) =>
  (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["CompositeAlarm"] }))).CompositeAlarms![0];

test("AT_LEAST(2, ALARM, …) and AT_LEAST(50%, NOT OK, …): evaluated as children change, with the triggering alarms", async () => {
  const cw = server.client(CloudWatchClient, { account: randomAccount() });
  await fleet(cw, ["h1", "h2", "h3", "h4"]);
  await cw.send(new PutCompositeAlarmCommand({ AlarmName: "two-down", AlarmRule: 'AT_LEAST(2, ALARM, ("h1", h2, "h3"))' }));
  await cw.send(new PutCompositeAlarmCommand({ AlarmName: "half-not-ok", AlarmRule: "AT_LEAST(50%, NOT OK, (h1, h2, h3, h4)) AND TRUE" }));
  assert.equal((await composite(cw, "two-down")).StateValue, "OK");

  await set(cw, "h1", "ALARM");
  assert.equal((await composite(cw, "two-down")).StateValue, "OK");
  assert.equal((await composite(cw, "half-not-ok")).StateValue, "OK");
  await set(cw, "h4", "ALARM"); // not in two-down's list; the second of four not OK for half-not-ok
  assert.equal((await composite(cw, "two-down")).StateValue, "OK");
  const half = await composite(cw, "half-not-ok");
  assert.equal(half.StateValue, "ALARM");
  assert.match(half.StateReason!, /:alarm:h4 transitioned to ALARM at /);
  assert.deepEqual(
    JSON.parse(half.StateReasonData!)
      .triggeringAlarms.map((a: { arn: string }) => a.arn.split(":").pop())
      .sort(),
    ["h1", "h4"],
  );
  await set(cw, "h3", "ALARM");
  const two = await composite(cw, "two-down");
  assert.equal(two.StateValue, "ALARM");
  assert.deepEqual(
    JSON.parse(two.StateReasonData!)
      .triggeringAlarms.map((a: { arn: string }) => a.arn.split(":").pop())
      .sort(),
    ["h1", "h3"],
  );
  await set(cw, "h1", "OK");
  assert.equal((await composite(cw, "two-down")).StateValue, "OK");

  // The children named by AT_LEAST are the composite's children; h4 has two parents.
  const kids = await cw.send(new DescribeAlarmsCommand({ ChildrenOfAlarmName: "two-down", AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }));
  assert.deepEqual(
    kids.MetricAlarms!.map((a) => a.AlarmName),
    ["h1", "h2", "h3"],
  );
  const parents = await cw.send(new DescribeAlarmsCommand({ ParentsOfAlarmName: "h3", AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }));
  assert.deepEqual(
    parents.CompositeAlarms!.map((a) => a.AlarmName),
    ["half-not-ok", "two-down"],
  );
});

test("AT_LEAST's malformed forms and out-of-range thresholds are AWS's ValidationError", async () => {
  const cw = server.client(CloudWatchClient, { account: randomAccount() });
  await fleet(cw, ["a", "b"]);
  const put = (AlarmRule: string) => cw.send(new PutCompositeAlarmCommand({ AlarmName: "c", AlarmRule }));
  await rejectsCode(
    put("AT_LEAST(3, ALARM, (a, b))"),
    "ValidationError",
    /^Error in AlarmRule \[AT_LEAST count must be between 1 and the number of alarms \(2\)/,
  );
  await rejectsCode(put("AT_LEAST(0%, ALARM, (a, b))"), "ValidationError", /^Error in AlarmRule \[AT_LEAST percentage/);
  await rejectsCode(put("AT_LEAST(1, WARN, (a, b))"), "ValidationError", "Error in AlarmRule [Unsupported token 'WARN' at char 12]");
  await rejectsCode(put("AT_LEAST(1, ALARM, a)"), "ValidationError", "Error in AlarmRule [Unsupported token 'a' at char 19]");
  await rejectsCode(
    put("AT_LEAST(1, ALARM, (a, ghost))"),
    "ValidationError",
    "Could not save the composite alarm as alarms [ghost] in the alarm rule do not exist",
  );
});

test("DescribeAlarms with both AlarmTypes pages metric and composite alarms together, by name", async () => {
  const cw = server.client(CloudWatchClient, { account: randomAccount() });
  await fleet(cw, ["b-metric", "d-metric", "f-metric"]);
  for (const n of ["a-comp", "c-comp", "e-comp"]) await cw.send(new PutCompositeAlarmCommand({ AlarmName: n, AlarmRule: "ALARM(b-metric)" }));
  const pages: string[][] = [];
  let NextToken: string | undefined;
  const input: DescribeAlarmsCommandInput = { AlarmTypes: ["MetricAlarm", "CompositeAlarm"], MaxRecords: 4 };
  do {
    const page = await cw.send(new DescribeAlarmsCommand({ ...input, NextToken }));
    pages.push(
      [...page.CompositeAlarms!.map((a) => `C:${a.AlarmName}`), ...page.MetricAlarms!.map((a) => `M:${a.AlarmName}`)].sort((x, y) =>
        x.slice(2).localeCompare(y.slice(2)),
      ),
    );
    NextToken = page.NextToken;
  } while (NextToken);
  assert.deepEqual(pages, [
    ["C:a-comp", "M:b-metric", "C:c-comp", "M:d-metric"],
    ["C:e-comp", "M:f-metric"],
  ]);
  // A token is bound to its filters.
  const first = await cw.send(new DescribeAlarmsCommand({ ...input, MaxRecords: 1 }));
  await rejectsCode(cw.send(new DescribeAlarmsCommand({ AlarmTypes: ["CompositeAlarm"], NextToken: first.NextToken })), "InvalidNextToken", /NextToken/);
  // Only composites: paged alone.
  const comps = await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ["CompositeAlarm"], MaxRecords: 2 }));
  assert.deepEqual(
    comps.CompositeAlarms!.map((a) => a.AlarmName),
    ["a-comp", "c-comp"],
  );
  assert.deepEqual(comps.MetricAlarms, []);
  assert.ok(comps.NextToken);
});

const SCRIPT = `
import json, sys, boto3
url, account = sys.argv[1], sys.argv[2]
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
for n in ["x", "y", "z"]:
    cw.put_metric_alarm(AlarmName=n, Namespace="Py", MetricName="M", Dimensions=[{"Name": "N", "Value": n}], Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
cw.put_composite_alarm(AlarmName="most", AlarmRule='AT_LEAST(60%, ALARM, ("x", "y", "z"))')
cw.set_alarm_state(AlarmName="x", StateValue="ALARM", StateReason="py")
cw.set_alarm_state(AlarmName="y", StateValue="ALARM", StateReason="py")
pages = cw.get_paginator("describe_alarms").paginate(AlarmTypes=["CompositeAlarm", "MetricAlarm"], PaginationConfig={"PageSize": 2})
names = [a["AlarmName"] for p in pages for a in p["CompositeAlarms"] + p["MetricAlarms"]]
c = cw.describe_alarms(AlarmNames=["most"], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]
print(json.dumps({"state": c["StateValue"], "names": sorted(names)}))
`;

test("boto3: AT_LEAST with a percentage, and the describe_alarms paginator over both kinds", { skip: pythonMissing() }, async () => {
  const { stdout } = await run("python3", ["-c", SCRIPT, server.url, randomAccount()]);
  assert.deepEqual(JSON.parse(stdout), { state: "ALARM", names: ["most", "x", "y", "z"] });
});
