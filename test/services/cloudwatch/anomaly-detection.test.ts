// Anomaly detection: Put/Describe/DeleteAnomalyDetector (single-metric and metric math, Configuration, AWS's errors),
// ANOMALY_DETECTION_BAND in GetMetricData (two series, upper then lower, from the metric's two weeks of history —
// Stratus's documented model, metric-math/anomaly-band.ts), and an alarm on the band (ThresholdMetricId) going to
// ALARM when a datapoint leaves it, after two weeks of history are seeded; INSUFFICIENT_DATA while the model trains.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DeleteAnomalyDetectorCommand,
  DescribeAlarmsCommand,
  DescribeAnomalyDetectorsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
  PutAnomalyDetectorCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { pythonMissing, run } from "../../helpers/python.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { rejectsCode } from "./composite-setup.js";

const server = useServer();
const HOUR = 3_600_000;
const DIMS = [{ Name: "Service", Value: "api" }];

/** Two weeks of hourly Latency datapoints around 100 (99, 100, 101 in turn), the newest an hour ago. */
async function seed(cw: CloudWatchClient, now = Date.now(), metric = "Latency") {
  const data = Array.from({ length: 13 * 24 }, (_, i) => ({
    MetricName: metric,
    Dimensions: DIMS,
    Timestamp: new Date(now - (i + 1) * HOUR),
    Value: 99 + (i % 3),
  }));
  for (let i = 0; i < data.length; i += 500) await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: data.slice(i, i + 500) }));
}

const bandQueries = (metric = "Latency"): MetricDataQuery[] => [
  { Id: "m1", MetricStat: { Metric: { Namespace: "Shop", MetricName: metric, Dimensions: DIMS }, Period: 60, Stat: "Average" }, ReturnData: true },
  { Id: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)", Label: "Latency (expected)", ReturnData: true },
];

test("PutAnomalyDetector, DescribeAnomalyDetectors and DeleteAnomalyDetector: both kinds, Configuration, AWS's errors", async () => {
  const cw = server.client(CloudWatchClient, { account: randomAccount() });
  await seed(cw);
  const single = { Namespace: "Shop", MetricName: "Latency", Dimensions: DIMS, Stat: "Average" };
  const from = new Date(Date.now() - 3 * 86_400_000);
  await cw.send(
    new PutAnomalyDetectorCommand({
      SingleMetricAnomalyDetector: single,
      Configuration: { ExcludedTimeRanges: [{ StartTime: from, EndTime: new Date(from.getTime() + HOUR) }], MetricTimezone: "Europe/Paris" },
    }),
  );
  // The deprecated top-level form names a detector too.
  await cw.send(new PutAnomalyDetectorCommand({ Namespace: "Shop", MetricName: "Orders", Stat: "Sum" }));
  await cw.send(new PutAnomalyDetectorCommand({ MetricMathAnomalyDetector: { MetricDataQueries: bandQueries().slice(0, 1) } }));

  const all = (await cw.send(new DescribeAnomalyDetectorsCommand({}))).AnomalyDetectors!;
  assert.equal(all.length, 3);
  const latency = (await cw.send(new DescribeAnomalyDetectorsCommand({ MetricName: "Latency", AnomalyDetectorTypes: ["SINGLE_METRIC"] }))).AnomalyDetectors!;
  assert.equal(latency.length, 1);
  assert.deepEqual(latency[0].SingleMetricAnomalyDetector, single);
  assert.equal(latency[0].Configuration!.MetricTimezone, "Europe/Paris");
  assert.equal(latency[0].Configuration!.ExcludedTimeRanges![0].StartTime!.getTime(), from.getTime());
  assert.equal(latency[0].StateValue, "TRAINED");
  const orders = (await cw.send(new DescribeAnomalyDetectorsCommand({ MetricName: "Orders" }))).AnomalyDetectors!;
  assert.equal(orders[0].StateValue, "PENDING_TRAINING");
  const math = (await cw.send(new DescribeAnomalyDetectorsCommand({ AnomalyDetectorTypes: ["METRIC_MATH"] }))).AnomalyDetectors!;
  assert.equal(math[0].MetricMathAnomalyDetector!.MetricDataQueries![0].Id, "m1");
  const page = await cw.send(new DescribeAnomalyDetectorsCommand({ MaxResults: 2 }));
  assert.equal(page.AnomalyDetectors!.length, 2);
  const rest = await cw.send(new DescribeAnomalyDetectorsCommand({ MaxResults: 2, NextToken: page.NextToken }));
  assert.equal(rest.AnomalyDetectors!.length, 1);

  await rejectsCode(
    cw.send(new PutAnomalyDetectorCommand({ SingleMetricAnomalyDetector: single, Configuration: { MetricTimezone: "Mars/Olympus" } })),
    "InvalidParameterValue",
    /MetricTimezone/,
  );
  await rejectsCode(
    cw.send(
      new PutAnomalyDetectorCommand({ SingleMetricAnomalyDetector: single, MetricMathAnomalyDetector: { MetricDataQueries: bandQueries().slice(0, 1) } }),
    ),
    "InvalidParameterCombination",
    /mutually exclusive/,
  );
  await rejectsCode(
    cw.send(new PutAnomalyDetectorCommand({ SingleMetricAnomalyDetector: { Namespace: "Shop", MetricName: "X" } })),
    "MissingParameter",
    /Stat is required/,
  );

  await cw.send(new DeleteAnomalyDetectorCommand({ SingleMetricAnomalyDetector: single }));
  await rejectsCode(cw.send(new DeleteAnomalyDetectorCommand({ SingleMetricAnomalyDetector: single })), "ResourceNotFoundException", /anomaly detection model/);
  assert.equal((await cw.send(new DescribeAnomalyDetectorsCommand({}))).AnomalyDetectors!.length, 2);
});

test("ANOMALY_DETECTION_BAND in GetMetricData: the upper and lower series around the metric's history; empty before training", async () => {
  const cw = server.client(CloudWatchClient, { account: randomAccount() });
  // One "now" for the history and the new datapoint: the same time of day on each day before.
  const now = Date.now();
  await seed(cw, now);
  await cw.send(
    new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Latency", Dimensions: DIMS, Value: 100, Timestamp: new Date(now) }] }),
  );
  const get = (queries: MetricDataQuery[]) =>
    cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(now - 10 * 60_000), EndTime: new Date(now + 60_000) }));
  const { MetricDataResults: r = [] } = await get(bandQueries());
  assert.deepEqual(
    r.map((x) => [x.Id, x.Label]),
    [
      ["m1", "Latency"],
      ["ad1", "Latency (expected) Latency Upper"],
      ["ad1", "Latency (expected) Latency Lower"],
    ],
  );
  const [m, upper, lower] = r;
  assert.equal(upper.Timestamps!.length, 1);
  assert.equal(upper.Timestamps![0].getTime(), m.Timestamps![0].getTime());
  // The same time of day on the 13 days before held 101 each time (24 hours ≡ 0 mod 3): the daily pattern decides,
  // expected 101, spread its floor of 1% (1.01), so the band is 101 ± 2 · 1.01.
  assert.ok(Math.abs(upper.Values![0] - 103.02) < 1e-9, String(upper.Values));
  assert.ok(Math.abs(lower.Values![0] - 98.98) < 1e-9, String(lower.Values));

  // A band over an expression (a metric math detector's): the expression's own history, re-evaluated two weeks back.
  const doubled = (
    await get([
      { ...bandQueries()[0], ReturnData: false },
      { Id: "e1", Expression: "m1 * 2", ReturnData: true },
      { Id: "ad2", Expression: "ANOMALY_DETECTION_BAND(e1, 2)", ReturnData: true },
    ])
  ).MetricDataResults!;
  assert.deepEqual(
    doubled.map((x) => [x.Id, x.Values!.map((v) => Number(v.toFixed(6)))]),
    [
      ["e1", [200]],
      ["ad2", [206.04]],
      ["ad2", [197.96]],
    ],
  );

  // A metric with no history: the model has not trained, the band is empty.
  await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Fresh", Dimensions: DIMS, Value: 1, Timestamp: new Date(now) }] }));
  const fresh = (await get(bandQueries("Fresh"))).MetricDataResults!;
  assert.deepEqual(
    fresh.map((x) => x.Values!.length),
    [1, 0, 0],
  );
});

test("an alarm on the band (ThresholdMetricId): INSUFFICIENT_DATA while training, ALARM when a datapoint leaves the band", async () => {
  const cw = server.client(CloudWatchClient, { account: randomAccount() });
  const alarm = (name: string, metric: string, extra: Record<string, unknown> = {}) =>
    cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        EvaluationPeriods: 1,
        ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold",
        ThresholdMetricId: "ad1",
        Metrics: bandQueries(metric),
        ...extra,
      }),
    );
  await rejectsCode(
    alarm("bad", "Latency", { Metrics: [bandQueries()[0], { ...bandQueries()[1], ReturnData: false }] }),
    "ValidationError",
    "Exactly two elements of the metrics list should return data.",
  );
  await rejectsCode(
    alarm("bad", "Latency", { ThresholdMetricId: "m9" }),
    "ValidationError",
    "Metrics list must contain exactly one metric matching the ThresholdMetricId parameter",
  );
  await rejectsCode(alarm("bad", "Latency", { Threshold: 3 }), "ValidationError", "Threshold and ThresholdMetricId cannot both be set");

  // Untrained: a datapoint, but no band to compare it with.
  await alarm("untrained", "Fresh2");
  await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Fresh2", Dimensions: DIMS, Value: 500 }] }));
  const untrained = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["untrained"] }))).MetricAlarms![0];
  assert.equal(untrained.StateValue, "INSUFFICIENT_DATA");

  const now = Date.now();
  await seed(cw, now);
  await alarm("latency-band", "Latency");
  const described = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["latency-band"] }))).MetricAlarms![0];
  assert.equal(described.ThresholdMetricId, "ad1");
  assert.equal(described.Threshold, undefined);
  assert.deepEqual(described.Metrics, bandQueries());
  await cw.send(
    new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Latency", Dimensions: DIMS, Value: 250, Timestamp: new Date(now) }] }),
  );
  const a = await eventually(async () => {
    const got = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["latency-band"] }))).MetricAlarms![0];
    assert.equal(got.StateValue, "ALARM");
    return got;
  });
  assert.match(
    a.StateReason!,
    /^Thresholds Crossed: 1 out of the last 1 datapoints \[250\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\)\] was less than the lower thresholds \[98\.98\] or greater than the upper thresholds \[103\.02\] \(minimum 1 datapoint for INSUFFICIENT_DATA -> ALARM transition\)\.$/,
  );
});

const SCRIPT = `
import json, sys, boto3
url, account = sys.argv[1], sys.argv[2]
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
cw.put_anomaly_detector(SingleMetricAnomalyDetector={"Namespace": "Py", "MetricName": "Q", "Stat": "p90"},
  Configuration={"ExcludedTimeRanges": [], "MetricTimezone": "UTC"})
d = cw.describe_anomaly_detectors(Namespace="Py")["AnomalyDetectors"][0]
cw.delete_anomaly_detector(SingleMetricAnomalyDetector={"Namespace": "Py", "MetricName": "Q", "Stat": "p90"})
print(json.dumps({"stat": d["SingleMetricAnomalyDetector"]["Stat"], "state": d["StateValue"], "left": len(cw.describe_anomaly_detectors()["AnomalyDetectors"])}))
`;

test("boto3: put, describe and delete an anomaly detector", { skip: pythonMissing() }, async () => {
  const { stdout } = await run("python3", ["-c", SCRIPT, server.url, randomAccount()]);
  assert.deepEqual(JSON.parse(stdout), { stat: "p90", state: "PENDING_TRAINING", left: 0 });
});
