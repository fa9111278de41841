// X-Ray from the AWS CLI (v1 and v2, where installed) and from boto3: put-trace-segments, get-trace-summaries with a
// filter expression, batch-get-traces, groups and the service graph.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { hex, traceId } from "./segments.js";

const server = useServer();
const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: xray put-trace-segments, get-trace-summaries", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: xray put-trace-segments, get-trace-summaries --filter-expression, batch-get-traces`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["xray", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const now = Math.floor(Date.now() / 1000);
    const slow = traceId(now);
    const fast = traceId(now);
    const docs = [
      { name: "cli-app", id: hex(16), trace_id: slow, start_time: now, end_time: now + 2, http: { response: { status: 500 } }, fault: true },
      { name: "cli-app", id: hex(16), trace_id: fast, start_time: now, end_time: now + 0.1 },
    ];
    const put = await aws(["put-trace-segments", "--trace-segment-documents", ...docs.map((d) => JSON.stringify(d)), '{"name":"x"}']);
    assert.deepEqual(
      put.UnprocessedTraceSegments.map((u: { ErrorCode: string }) => u.ErrorCode),
      ["MissingId"],
    );
    const window = ["--start-time", String(now - 60), "--end-time", String(now + 60)];
    const sums = await aws(["get-trace-summaries", ...window, "--filter-expression", "responsetime > 1 AND fault"]);
    assert.deepEqual(
      sums.TraceSummaries.map((t: { Id: string }) => t.Id),
      [slow],
    );
    assert.equal(sums.TraceSummaries[0].Http.HttpStatus, 500);
    const all = await aws(["get-trace-summaries", ...window]);
    assert.equal(all.TraceSummaries.length, 2);
    const got = await aws(["batch-get-traces", "--trace-ids", fast]);
    assert.equal(JSON.parse(got.Traces[0].Segments[0].Document).trace_id, fast);
    const bad = await runAws(cli, server.url, ["xray", "get-trace-summaries", ...window, "--filter-expression", "responsetime >"], creds);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /\(InvalidRequestException\).*Invalid filter expression/);
  });

const BOTO3_SCRIPT = `
import json, sys, time, boto3
from botocore.exceptions import ClientError
url, account, tid, sid = sys.argv[1:5]
x = boto3.client("xray", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
now = time.time()
seg = {"name": "py-app", "id": sid, "trace_id": tid, "start_time": now, "end_time": now + 0.25, "annotations": {"team": "py"}}
out = {"unprocessed": x.put_trace_segments(TraceSegmentDocuments=[json.dumps(seg)])["UnprocessedTraceSegments"]}
out["group"] = x.create_group(GroupName="py", FilterExpression='annotation.team = "py"')["Group"]["GroupName"]
pages = x.get_paginator("get_trace_summaries").paginate(StartTime=now - 60, EndTime=now + 60, FilterExpression='group.name = "py"')
out["ids"] = [t["Id"] for p in pages for t in p["TraceSummaries"]]
graph = x.get_service_graph(StartTime=now - 60, EndTime=now + 60, GroupName="py")
out["services"] = sorted(s.get("Name", s.get("Type")) for s in graph["Services"])
try:
    x.get_group(GroupName="nope")
except ClientError as e:
    out["missing"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

test("boto3: put_trace_segments, get_trace_summaries paginator with a group filter, get_service_graph", { skip: boto3Missing }, async () => {
  const tid = traceId();
  const { stdout } = await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount(), tid, hex(16)]);
  assert.deepEqual(JSON.parse(stdout), { unprocessed: [], group: "py", ids: [tid], services: ["client", "py-app"], missing: ["InvalidRequestException", 400] });
});
