// GetMetricData from the AWS CLI (`--metric-data-queries file://…`; v1 speaks JSON 1.0, v2 as installed here query)
// and from boto3 (JSON 1.0, with its paginator following NextToken).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();
const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: get-metric-data", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: get-metric-data with a MetricStat query and an expression from file://`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["cloudwatch", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const t = Date.now() - 300_000;
    const t0 = t - (t % 60_000);
    const iso = (ms: number) => new Date(ms).toISOString();
    await aws([
      "put-metric-data",
      "--namespace",
      "CliGmd",
      "--metric-data",
      JSON.stringify([
        { MetricName: "Hits", Timestamp: iso(t0), Values: [3, 5], Unit: "Count" },
        { MetricName: "Hits", Timestamp: iso(t0 + 60_000), Value: 4, Unit: "Count" },
        { MetricName: "Misses", Timestamp: iso(t0 + 60_000), Value: 1, Unit: "Count" },
      ]),
    ]);
    const dir = mkdtempSync(join(tmpdir(), "gmd-"));
    const file = join(dir, "queries.json");
    writeFileSync(
      file,
      JSON.stringify([
        { Id: "hits", MetricStat: { Metric: { Namespace: "CliGmd", MetricName: "Hits" }, Period: 60, Stat: "Sum" } },
        { Id: "misses", MetricStat: { Metric: { Namespace: "CliGmd", MetricName: "Misses" }, Period: 60, Stat: "Sum" }, ReturnData: false },
        { Id: "ratio", Expression: "100 * FILL(misses, 0) / (hits + FILL(misses, 0))", Label: "Miss rate" },
      ]),
    );
    const out = await aws([
      "get-metric-data",
      "--metric-data-queries",
      `file://${file}`,
      "--start-time",
      iso(t0),
      "--end-time",
      iso(t0 + 120_000),
      "--scan-by",
      "TimestampAscending",
    ]);
    const rows = out.MetricDataResults.map((r: { Id: string; Label: string; StatusCode: string; Values: number[]; Timestamps: (string | number)[] }) => [
      r.Id,
      r.Label,
      r.StatusCode,
      r.Values,
      // CLI v1 prints JSON 1.0's epoch seconds as they came, v2 ISO 8601 text.
      r.Timestamps.map((s) => (typeof s === "number" ? s * 1000 : Date.parse(s))),
    ]);
    assert.deepEqual(rows, [
      ["hits", "Hits", "Complete", [8, 4], [t0, t0 + 60_000]],
      ["ratio", "Miss rate", "Complete", [0, 20], [t0, t0 + 60_000]],
    ]);
    const bad = await runAws(
      cli,
      server.url,
      [
        "cloudwatch",
        "get-metric-data",
        "--metric-data-queries",
        JSON.stringify([{ Id: "e1", Expression: "NOPE(hits)" }]),
        "--start-time",
        iso(t0),
        "--end-time",
        iso(t0 + 60_000),
      ],
      creds,
    );
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /\(ValidationError\).*Error in expression e1: Unsupported function: NOPE/);
  });

const BOTO3_SCRIPT = `
import json, sys, datetime, boto3
url, account = sys.argv[1], sys.argv[2]
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
t0 = now - datetime.timedelta(minutes=200)
data = [{"MetricName": "Q", "Timestamp": t0 + datetime.timedelta(minutes=i), "Value": float(i)} for i in range(180)]
for i in range(0, len(data), 100):
    cw.put_metric_data(Namespace="Boto", MetricData=data[i:i + 100])
queries = [
    {"Id": "q", "MetricStat": {"Metric": {"Namespace": "Boto", "MetricName": "Q"}, "Period": 60, "Stat": "Average"}},
    {"Id": "r", "MetricStat": {"Metric": {"Namespace": "Boto", "MetricName": "Q"}, "Period": 60, "Stat": "SampleCount"}},
]
pages = cw.get_paginator("get_metric_data").paginate(
    MetricDataQueries=queries, StartTime=t0, EndTime=t0 + datetime.timedelta(minutes=180),
    ScanBy="TimestampAscending", PaginationConfig={"PageSize": 100})
got = {"q": [], "r": []}
statuses = []
n = 0
for page in pages:
    n += 1
    assert page["Messages"] == []
    for r in page["MetricDataResults"]:
        got[r["Id"]] += r["Values"]
        statuses.append(r["StatusCode"])
        assert all(ts.tzinfo is not None for ts in r["Timestamps"])
# With an expression nothing is paged: each result cut at MaxDatapoints, PartialData, no NextToken.
math = cw.get_metric_data(
    MetricDataQueries=[queries[0], {"Id": "e", "Expression": "RUNNING_SUM(q)"}], StartTime=t0,
    EndTime=t0 + datetime.timedelta(minutes=180), ScanBy="TimestampAscending", MaxDatapoints=150)
cut = [[r["Id"], r["StatusCode"], r["Values"][:3], len(r["Values"])] for r in math["MetricDataResults"]] + [math.get("NextToken")]
try:
    cw.get_metric_data(MetricDataQueries=[{"Id": "Upper", "Expression": "1"}], StartTime=t0, EndTime=now)
    err = None
except cw.exceptions.ClientError as e:
    err = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
print(json.dumps({"pages": n, "got": got, "statuses": statuses, "err": err, "cut": cut}))
`;

test("boto3: get_metric_data paginated at MaxDatapoints 100 (its paginator's PageSize), an expression cut unpaged, an error", {
  skip: boto3Missing,
}, async () => {
  const { stdout } = await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount()]);
  const r = JSON.parse(stdout) as { pages: number; got: Record<string, number[]>; statuses: string[]; err: string[]; cut: unknown[] };
  const q = Array.from({ length: 180 }, (_, i) => i);
  assert.deepEqual(r.got, { q, r: q.map(() => 1) });
  assert.deepEqual(r.cut, [["q", "PartialData", [0, 1, 2], 150], ["e", "PartialData", [], 0], null]);
  // 360 datapoints at 100 a page: 4 pages.
  assert.equal(r.pages, 4);
  assert.deepEqual(r.statuses, ["PartialData", "Complete", "PartialData", "PartialData", "Complete"]);
  assert.deepEqual(r.err, [
    "ValidationError",
    "The value Upper for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.\n",
  ]);
});
