// Logs Insights from boto3 and the AWS CLI (start-query, get-query-results), query definitions, and queries
// surviving a restart (a query the server stopped in the middle of is Failed, not Running forever).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  PutQueryDefinitionCommand,
  DescribeQueryDefinitionsCommand,
  DeleteQueryDefinitionCommand,
  DescribeQueriesCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

test("query definitions: put (create and replace), describe by name prefix with paging, delete", async () => {
  const logs = server.client(CloudWatchLogsClient);
  const a = await logs.send(
    new PutQueryDefinitionCommand({ name: "errors/by-service", queryString: "filter level = 'ERROR' | stats count(*) by service", logGroupNames: ["/app"] }),
  );
  const b = await logs.send(new PutQueryDefinitionCommand({ name: "errors/latest", queryString: "fields @message | sort @timestamp desc | limit 20" }));
  await logs.send(new PutQueryDefinitionCommand({ name: "other", queryString: "stats count(*)" }));
  assert.match(a.queryDefinitionId!, /^[0-9a-f-]{36}$/);
  const listed = await logs.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: "errors/" }));
  assert.deepEqual(
    listed.queryDefinitions!.map((d) => [d.name, d.queryDefinitionId, d.logGroupNames, d.queryLanguage]),
    [
      ["errors/by-service", a.queryDefinitionId, ["/app"], "CWLI"],
      ["errors/latest", b.queryDefinitionId, undefined, "CWLI"],
    ],
  );
  assert.equal(typeof listed.queryDefinitions![0].lastModified, "number");
  // An update replaces every field: the log groups left out are gone.
  await logs.send(new PutQueryDefinitionCommand({ queryDefinitionId: a.queryDefinitionId, name: "errors/renamed", queryString: "stats count(*) by level" }));
  const page1 = await logs.send(new DescribeQueryDefinitionsCommand({ maxResults: 2 }));
  assert.deepEqual(
    page1.queryDefinitions!.map((d) => d.name),
    ["errors/latest", "errors/renamed"],
  );
  assert.equal(page1.queryDefinitions![1].logGroupNames, undefined);
  assert.equal(page1.queryDefinitions![1].queryString, "stats count(*) by level");
  const page2 = await logs.send(new DescribeQueryDefinitionsCommand({ maxResults: 2, nextToken: page1.nextToken }));
  assert.deepEqual(
    page2.queryDefinitions!.map((d) => d.name),
    ["other"],
  );
  assert.equal(page2.nextToken, undefined);
  assert.equal((await logs.send(new DeleteQueryDefinitionCommand({ queryDefinitionId: b.queryDefinitionId }))).success, true);
  await rejects(logs.send(new DeleteQueryDefinitionCommand({ queryDefinitionId: b.queryDefinitionId })), "ResourceNotFoundException", 400);
  await rejects(
    logs.send(new PutQueryDefinitionCommand({ queryDefinitionId: b.queryDefinitionId, name: "x", queryString: "stats count(*)" })),
    "ResourceNotFoundException",
    400,
  );
});

test("queries survive a restart; one the server stopped while it ran is Failed afterwards", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-insights-"));
  const account = randomAccount();
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  try {
    const first = await startTestServer({ dataDir });
    let done: string;
    let interrupted: string;
    try {
      const logs = new CloudWatchLogsClient(first.clientConfig({ account }));
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/r" }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/r", logStreamName: "s" }));
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: "/r",
          logStreamName: "s",
          logEvents: Array.from({ length: 10 }, (_, i) => ({ timestamp: t0 + i, message: JSON.stringify({ n: i, kind: i % 2 ? "odd" : "even" }) })),
        }),
      );
      const range = { logGroupName: "/r", startTime: t0 / 1000 - 1, endTime: t0 / 1000 + 60 };
      done = (await logs.send(new StartQueryCommand({ ...range, queryString: "stats sum(n) as total by kind | sort kind" }))).queryId!;
      let r: GetQueryResultsCommandOutput;
      do r = await logs.send(new GetQueryResultsCommand({ queryId: done }));
      while (r.status !== "Complete");
      // A query caught Running when the process ends: its record says so in the store.
      interrupted = (await logs.send(new StartQueryCommand({ ...range, queryString: "stats count(*)" }))).queryId!;
      const table = first.runtime.store.table<{ status: string }>("cloudwatch-logs:insights-queries", `${account}/us-east-1`);
      table.put(interrupted, { ...table.get(interrupted)!, status: "Running" } as never);
    } finally {
      await first.close();
    }
    const second = await startTestServer({ dataDir });
    try {
      const logs = new CloudWatchLogsClient(second.clientConfig({ account }));
      const kept = await logs.send(new GetQueryResultsCommand({ queryId: done }));
      assert.equal(kept.status, "Complete");
      assert.deepEqual(kept.results, [
        [
          { field: "kind", value: "even" },
          { field: "total", value: "20" },
        ],
        [
          { field: "kind", value: "odd" },
          { field: "total", value: "25" },
        ],
      ]);
      assert.deepEqual(kept.statistics, { recordsMatched: 10, recordsScanned: 10, bytesScanned: kept.statistics!.bytesScanned });
      assert.equal((await logs.send(new GetQueryResultsCommand({ queryId: interrupted }))).status, "Failed");
      const listed = await logs.send(new DescribeQueriesCommand({}));
      assert.deepEqual(
        listed.queries!.map((q) => q.status),
        ["Failed", "Complete"],
      );
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const BOTO3_SCRIPT = `
import json, sys, time, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
logs.create_log_group(logGroupName="/py/api")
logs.create_log_stream(logGroupName="/py/api", logStreamName="s")
t0 = (int(time.time()) - 600) * 1000
logs.put_log_events(logGroupName="/py/api", logStreamName="s", logEvents=[{"timestamp": t0 + i * 1000, "message": f"{'GET' if i % 3 else 'POST'} /items/{i} {200 if i % 4 else 500} {10 * i}ms"} for i in range(12)])
q = logs.start_query(logGroupName="/py/api", startTime=t0 // 1000, endTime=t0 // 1000 + 60,
    queryString='parse @message "* * * *ms" as method, path, status, ms | filter status = 500 | stats count(*) as n, max(ms) as slowest by method | sort method')
while True:
    r = logs.get_query_results(queryId=q["queryId"])
    if r["status"] not in ("Scheduled", "Running"):
        break
    time.sleep(0.05)
out = {"status": r["status"], "results": r["results"], "matched": r["statistics"]["recordsMatched"]}
try:
    logs.start_query(logGroupName="/py/api", startTime=t0 // 1000, endTime=t0 // 1000 + 60, queryString="stats count(*) by")
except ClientError as e:
    out["malformed"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response.get("queryCompileError")]
print(json.dumps(out))
`;

test("boto3: start_query with parse and stats, polled get_query_results, a MalformedQueryException", { skip: pythonMissing() }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount()], { env, timeout: 60_000 })).stdout);
  assert.equal(out.status, "Complete");
  // i = 0, 4, 8 have status 500: POST for 0 (i % 3 == 0), GET for 4 and 8.
  assert.deepEqual(out.results, [
    [
      { field: "method", value: "GET" },
      { field: "n", value: "2" },
      { field: "slowest", value: "80" },
    ],
    [
      { field: "method", value: "POST" },
      { field: "n", value: "1" },
      { field: "slowest", value: "0" },
    ],
  ]);
  assert.equal(out.matched, 3);
  assert.equal(out.malformed[0], "MalformedQueryException");
  assert.equal(out.malformed[1], 400);
  assert.deepEqual(out.malformed[2], {
    location: { startCharOffset: 17, endCharOffset: 17 },
    message: "unexpected symbol found <EOF> at line 1 and position 18",
  });
});

const clis = awsClis();
if (!clis.length) test("aws CLI: logs start-query, get-query-results", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: logs start-query, get-query-results, describe-queries`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["logs", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    await aws(["create-log-group", "--log-group-name", "/cli/q"]);
    await aws(["create-log-stream", "--log-group-name", "/cli/q", "--log-stream-name", "main"]);
    const t0 = (Math.floor(Date.now() / 1000) - 300) * 1000;
    const events = JSON.stringify(
      ["INFO", "ERROR", "INFO", "ERROR", "WARN"].map((level, i) => ({ timestamp: t0 + i * 1000, message: JSON.stringify({ level, ms: (i + 1) * 10 }) })),
    );
    await aws(["put-log-events", "--log-group-name", "/cli/q", "--log-stream-name", "main", "--log-events", events]);
    const { queryId } = await aws([
      "start-query",
      "--log-group-name",
      "/cli/q",
      "--start-time",
      String(t0 / 1000),
      "--end-time",
      String(t0 / 1000 + 10),
      "--query-string",
      "stats count(*) as n, avg(ms) as avgMs by level | sort n desc, level asc",
    ]);
    let r: { status: string; results: { field: string; value: string }[][]; statistics: Record<string, number> };
    do r = await aws(["get-query-results", "--query-id", queryId]);
    while (r.status === "Scheduled" || r.status === "Running");
    assert.equal(r.status, "Complete");
    assert.deepEqual(
      r.results.map((row) => row.map((f) => f.value)),
      [
        ["ERROR", "2", "30"],
        ["INFO", "2", "20"],
        ["WARN", "1", "50"],
      ],
    );
    assert.equal(r.statistics.recordsScanned, 5);
    const listed = await aws(["describe-queries", "--log-group-name", "/cli/q"]);
    assert.deepEqual(
      listed.queries.map((q: { queryId: string; status: string }) => [q.queryId, q.status]),
      [[queryId, "Complete"]],
    );
    const bad = await runAws(cli, server.url, ["logs", "get-query-results", "--query-id", "nope"], creds);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /ResourceNotFoundException/);
  });
