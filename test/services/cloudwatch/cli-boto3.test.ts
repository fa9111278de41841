// CloudWatch metrics and dashboards from the AWS CLI (v1 speaks JSON 1.0, v2 as installed here query) and from boto3
// (JSON 1.0), with a gzip'd PutMetricData from boto3 past its 10 KiB threshold.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();
const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: put-metric-data, get-metric-statistics, list-metrics, dashboards", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: put-metric-data, get-metric-statistics, list-metrics, dashboards, errors`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["cloudwatch", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const t = Date.now() - 120_000;
    const t0 = new Date(t - (t % 60_000)).toISOString();
    const t1 = new Date(t - (t % 60_000) + 60_000).toISOString();
    await aws([
      "put-metric-data",
      "--namespace",
      "Cli",
      "--metric-name",
      "Lat",
      "--dimensions",
      "Api=get",
      "--unit",
      "Milliseconds",
      "--value",
      "12",
      "--timestamp",
      t0,
    ]);
    await aws([
      "put-metric-data",
      "--namespace",
      "Cli",
      "--metric-data",
      JSON.stringify([{ MetricName: "Lat", Dimensions: [{ Name: "Api", Value: "get" }], Unit: "Milliseconds", Timestamp: t0, Values: [1, 2], Counts: [1, 3] }]),
    ]);
    const stats = await aws([
      "get-metric-statistics",
      "--namespace",
      "Cli",
      "--metric-name",
      "Lat",
      "--dimensions",
      "Name=Api,Value=get",
      "--start-time",
      t0,
      "--end-time",
      t1,
      "--period",
      "60",
      "--statistics",
      "Sum",
      "SampleCount",
      "Maximum",
    ]);
    assert.equal(stats.Label, "Lat");
    assert.deepEqual(
      stats.Datapoints.map((p: Record<string, unknown>) => [p.Sum, p.SampleCount, p.Maximum, p.Unit]),
      [[19, 5, 12, "Milliseconds"]],
    );
    const p90 = await aws([
      "get-metric-statistics",
      "--namespace",
      "Cli",
      "--metric-name",
      "Lat",
      "--dimensions",
      "Name=Api,Value=get",
      "--start-time",
      t0,
      "--end-time",
      t1,
      "--period",
      "60",
      "--extended-statistics",
      "p50",
      "p90",
    ]);
    assert.deepEqual(p90.Datapoints[0].ExtendedStatistics, { p50: 2, p90: 12 });
    const listed = await aws(["list-metrics", "--namespace", "Cli"]);
    assert.deepEqual(listed.Metrics, [{ Namespace: "Cli", MetricName: "Lat", Dimensions: [{ Name: "Api", Value: "get" }] }]);

    await aws(["put-dashboard", "--dashboard-name", "cli-dash", "--dashboard-body", JSON.stringify({ widgets: [] })]);
    const dash = await aws(["get-dashboard", "--dashboard-name", "cli-dash"]);
    assert.equal(dash.DashboardArn, `arn:aws:cloudwatch::${creds.AWS_ACCESS_KEY_ID}:dashboard/cli-dash`);

    const refused = await runAws(
      cli,
      server.url,
      [
        "cloudwatch",
        "put-metric-data",
        "--namespace",
        "Cli",
        "--metric-name",
        "Lat",
        "--value",
        "1",
        "--timestamp",
        new Date(Date.now() - 20 * 86_400_000).toISOString(),
      ],
      creds,
    );
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /\(InvalidParameterValue\).*The parameter MetricData\.member\.1\.Timestamp must specify a time within the past two weeks\./);
    const tooMany = await runAws(
      cli,
      server.url,
      [
        "cloudwatch",
        "get-metric-statistics",
        "--namespace",
        "Cli",
        "--metric-name",
        "Lat",
        "--start-time",
        t0,
        "--end-time",
        new Date(Date.parse(t0) + 86_400_000).toISOString(),
        "--period",
        "1",
        "--statistics",
        "Sum",
      ],
      creds,
    );
    assert.match(tooMany.stderr, /\(InvalidParameterCombination\).*You have requested up to 86400 datapoints, which exceeds the limit of 1440\./);
  });

const BOTO3_SCRIPT = `
import json, sys, datetime, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
sent = []
cw.meta.events.register("before-send.cloudwatch.*", lambda request, **kw: sent.append([request.headers.get("Content-Encoding", b""), request.headers.get("Content-Type", b""), request.headers.get("smithy-protocol", b"")]))
now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2)
t0 = now.replace(second=0, microsecond=0)
data = [{"MetricName": "Req", "Dimensions": [{"Name": "Shard", "Value": str(i % 3)}], "Timestamp": t0, "Value": float(i), "Unit": "Count"} for i in range(900)]
cw.put_metric_data(Namespace="Py", MetricData=data)
out = {"sent": [[x.decode() if isinstance(x, bytes) else x for x in s] for s in sent]}
r = cw.get_metric_statistics(Namespace="Py", MetricName="Req", Dimensions=[{"Name": "Shard", "Value": "1"}], StartTime=t0, EndTime=t0 + datetime.timedelta(minutes=1), Period=60, Statistics=["SampleCount", "Sum", "Minimum", "Maximum", "Average"])
out["stats"] = [[d["SampleCount"], d["Sum"], d["Minimum"], d["Maximum"], d["Unit"]] for d in r["Datapoints"]]
pages = cw.get_paginator("list_metrics").paginate(Namespace="Py")
out["metrics"] = sorted(m["Dimensions"][0]["Value"] for page in pages for m in page["Metrics"])
try:
    cw.put_metric_data(Namespace="Py", MetricData=[{"MetricName": "x", "Value": 1.0, "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}])
except ClientError as e:
    out["error"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
cw.put_dashboard(DashboardName="py", DashboardBody=json.dumps({"widgets": []}))
out["dashboards"] = [d["DashboardName"] for d in cw.list_dashboards()["DashboardEntries"]]
try:
    cw.get_dashboard(DashboardName="none")
except ClientError as e:
    out["missing"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

test("boto3: a gzip'd PutMetricData, statistics, paginated ListMetrics, errors, dashboards", { skip: boto3Missing }, async () => {
  const { stdout } = await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount()]);
  const out = JSON.parse(stdout);
  // botocore compresses past 10 KiB.
  assert.deepEqual(out.sent[0].slice(0, 2), ["gzip", "application/x-amz-json-1.0"]);
  const shard1 = Array.from({ length: 900 }, (_, i) => i).filter((i) => i % 3 === 1);
  assert.deepEqual(out.stats, [[300, shard1.reduce((a, b) => a + b, 0), 1, 898, "Count"]]);
  assert.deepEqual(out.metrics, ["0", "1", "2"]);
  assert.deepEqual(out.error, [
    "InvalidParameterCombination",
    "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.",
    400,
  ]);
  assert.deepEqual(out.dashboards, ["py"]);
  assert.deepEqual(out.missing, ["ResourceNotFound", 404]);
});
