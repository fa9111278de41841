// Logs Insights end to end with SDK v3: queries over real ingested events (fields, filter, parse, stats by bin(),
// sort, limit, dedup, functions, JSON fields), several log groups, the time range, statistics, @ptr and GetLogRecord,
// compile errors with their location, StopQuery, DescribeQueries.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  GetQueryResultsCommand,
  StopQueryCommand,
  DescribeQueriesCommand,
  GetLogRecordCommand,
  type StartQueryCommandInput,
  type GetQueryResultsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

// Whole seconds, so StartQuery's second-granular range is easy to aim.
const t0 = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
const APP = [
  { level: "ERROR", latency: 250, service: "api", user: { id: 7 } },
  { level: "INFO", latency: 20, service: "api", user: { id: 8 } },
  { level: "ERROR", latency: 50, service: "db", user: { id: 7 } },
  { level: "INFO", latency: 30, service: "db", user: { id: 9 } },
  { level: "WARN", latency: 100, service: "api", user: { id: 7 } },
];
const WEB = ["GET /a 200 12ms user=alice", "POST /b 500 340ms user=bob", "GET /c 404 5ms user=alice"];

async function seeded() {
  const logs = server.client(CloudWatchLogsClient);
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/app" }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/web" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/app", logStreamName: "a1" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/web", logStreamName: "w1" }));
  // App events a minute apart from t0; web events 30 s after each of the first three.
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: "/app",
      logStreamName: "a1",
      logEvents: APP.map((e, i) => ({ timestamp: t0 + i * 60_000, message: JSON.stringify(e) })),
    }),
  );
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: "/web",
      logStreamName: "w1",
      logEvents: WEB.map((message, i) => ({ timestamp: t0 + i * 60_000 + 30_000, message })),
    }),
  );
  return logs;
}

async function run(logs: CloudWatchLogsClient, queryString: string, extra: Partial<StartQueryCommandInput> = {}): Promise<GetQueryResultsCommandOutput> {
  const input: StartQueryCommandInput = {
    ...(extra.logGroupNames || extra.logGroupIdentifiers ? {} : { logGroupName: "/app" }),
    startTime: t0 / 1000 - 60,
    endTime: t0 / 1000 + 3600,
    queryString,
    ...extra,
  };
  const { queryId } = await logs.send(new StartQueryCommand(input));
  assert.match(queryId!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  for (let i = 0; i < 200; i++) {
    const r = await logs.send(new GetQueryResultsCommand({ queryId }));
    if (r.status !== "Scheduled" && r.status !== "Running") return r;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error("query did not finish");
}

/** Rows as objects without @ptr. */
const rows = (r: GetQueryResultsCommandOutput) =>
  r.results!.map((row) => Object.fromEntries(row.filter((f) => f.field !== "@ptr").map((f) => [f.field!, f.value!])));

const ts = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

test("fields, filter on JSON fields, sort, limit: AWS's rows with @ptr, statistics, and GetLogRecord", async () => {
  const logs = await seeded();
  const r = await run(logs, "fields @timestamp, level, latency, user.id | filter level = 'ERROR' or latency >= 100 | sort latency desc | limit 2");
  assert.equal(r.status, "Complete");
  assert.deepEqual(rows(r), [
    { "@timestamp": ts(t0), level: "ERROR", latency: "250", "user.id": "7" },
    { "@timestamp": ts(t0 + 240_000), level: "WARN", latency: "100", "user.id": "7" },
  ]);
  assert.deepEqual(
    r.results![0].map((f) => f.field),
    ["@timestamp", "level", "latency", "user.id", "@ptr"],
  );
  assert.deepEqual(r.statistics, { recordsMatched: 3, recordsScanned: 5, bytesScanned: APP.reduce((n, e) => n + JSON.stringify(e).length, 0) });

  const ptr = r.results![0].find((f) => f.field === "@ptr")!.value!;
  const rec = await logs.send(new GetLogRecordCommand({ logRecordPointer: ptr }));
  assert.equal(rec.logRecord!["@message"], JSON.stringify(APP[0]));
  assert.equal(rec.logRecord!["@timestamp"], String(t0));
  assert.equal(rec.logRecord!["@logStream"], "a1");
  assert.match(rec.logRecord!["@log"], /^\d{12}:\/app$/);
  assert.equal(rec.logRecord!["user.id"], "7");
  await rejects(logs.send(new GetLogRecordCommand({ logRecordPointer: "bm90IGEgcG9pbnRlcg==" })), "InvalidParameterException", 400);

  // No fields named: @timestamp and @message (and @ptr), in the scan's time order.
  const plain = await run(logs, "filter @message like /ERROR/");
  assert.deepEqual(rows(plain), [
    { "@timestamp": ts(t0), "@message": JSON.stringify(APP[0]) },
    { "@timestamp": ts(t0 + 120_000), "@message": JSON.stringify(APP[2]) },
  ]);
});

test("stats: count, count_distinct, sum, avg, min, max, pct, earliest, latest by fields and bin()", async () => {
  const logs = await seeded();
  const byLevel = await run(logs, "stats count(*) as n, avg(latency), max(latency) by level | sort level");
  assert.deepEqual(rows(byLevel), [
    { level: "ERROR", n: "2", "avg(latency)": "150", "max(latency)": "250" },
    { level: "INFO", n: "2", "avg(latency)": "25", "max(latency)": "30" },
    { level: "WARN", n: "1", "avg(latency)": "100", "max(latency)": "100" },
  ]);
  assert.equal(byLevel.statistics!.recordsMatched, 5);

  const all = await run(
    logs,
    "stats count_distinct(user.id) as users, sum(latency) as total, min(latency) as lo, pct(latency, 50) as p50, earliest(level) as first, latest(level) as last",
  );
  assert.deepEqual(rows(all), [{ users: "3", total: "450", lo: "20", p50: "50", first: "ERROR", last: "WARN" }]);

  const binned = await run(logs, "filter service = 'api' | stats count(*) by bin(2m) | sort bin(2m) asc");
  assert.deepEqual(rows(binned), [
    { "bin(2m)": ts(Math.floor(t0 / 120_000) * 120_000), "count(*)": String(t0 % 120_000 === 0 ? 2 : 1) },
    ...(t0 % 120_000 === 0
      ? [{ "bin(2m)": ts(t0 + 240_000), "count(*)": "1" }]
      : [
          { "bin(2m)": ts(Math.floor(t0 / 120_000) * 120_000 + 120_000), "count(*)": "1" },
          { "bin(2m)": ts(Math.floor(t0 / 120_000) * 120_000 + 240_000), "count(*)": "1" },
        ]),
  ]);

  const more = await run(
    logs,
    "stats sortsFirst(service) as a, sortsLast(service) as z, stddev(latency) as sd, min(@timestamp) as t0, latest(user.id) as u by level | filter level != 'INFO' | sort level",
  );
  assert.deepEqual(rows(more), [
    { level: "ERROR", a: "api", z: "db", sd: "141.42135623731", t0: ts(t0), u: "7" },
    { level: "WARN", a: "api", z: "api", sd: "0", t0: ts(t0 + 240_000), u: "7" },
  ]);

  // Calendar units floor by the calendar.
  const monthly = await run(logs, "stats count(*) by bin(1mo) as month, bin(1y) as year");
  const d = new Date(t0);
  assert.deepEqual(rows(monthly), [
    { month: ts(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)), year: ts(Date.UTC(d.getUTCFullYear(), 0, 1)), "count(*)": "5" },
  ]);

  // Items over aggregations and over the items before them; percentile is pct; sort by.
  const derived = await run(
    logs,
    "stats sum(strcontains(@message, 'ERROR')) / count(*) * 100 as errPct, max(latency) as hi, min(latency) as lo, hi - lo as spread, percentile(latency, 90) as p90 by service | sort by service desc",
  );
  assert.deepEqual(rows(derived), [
    { service: "db", errPct: "50", hi: "50", lo: "30", spread: "20", p90: "50" },
    { service: "api", errPct: "33.3333333333333", hi: "250", lo: "20", spread: "230", p90: "250" },
  ]);

  // Commands after stats run over its rows.
  const after = await run(logs, "stats count(*) as n by service | filter n > 2 | fields concat(service, '!') as tag");
  assert.deepEqual(rows(after), [{ service: "api", n: "3", tag: "api!" }]);
});

test("parse (glob and regex with named groups), like, regex, in, ispresent, not, functions, dedup", async () => {
  const logs = await seeded();
  const glob = await run(
    logs,
    'parse @message "* * * *ms user=*" as method, path, status, ms, user | filter status >= 400 | display method, status, ms, user',
    {
      logGroupName: "/web",
    },
  );
  assert.deepEqual(rows(glob), [
    { method: "POST", status: "500", ms: "340", user: "bob" },
    { method: "GET", status: "404", ms: "5", user: "alice" },
  ]);
  const re = await run(
    logs,
    "parse @message /^(?<verb>[A-Z]+) (?<path>\\S+)/ | filter verb in ['GET', 'PUT'] and path not like 'c' | fields toupper(path) as p",
    {
      logGroupName: "/web",
    },
  );
  assert.deepEqual(rows(re), [{ verb: "GET", path: "/a", p: "/A" }]);
  const ci = await run(logs, "filter @message like /(?i)post/ | fields strlen(@message) as len, substr(@message, 0, 4) as head", { logGroupName: "/web" });
  assert.deepEqual(rows(ci), [{ len: String(WEB[1].length), head: "POST" }]);
  const present = await run(logs, "filter ispresent(user.id) and not (level = 'INFO') | fields level, abs(0 - latency) * 2 as twice | sort twice asc", {
    logGroupNames: ["/app", "/web"],
  });
  assert.deepEqual(rows(present), [
    { level: "ERROR", twice: "100" },
    { level: "WARN", twice: "200" },
    { level: "ERROR", twice: "500" },
  ]);
  const fns = await run(
    logs,
    "filter @message =~ /db/ | fields coalesce(missing, service) as svc, datefloor(@timestamp, 1h) as hour, fromMillis(toMillis(@timestamp) + 1000) as later, latency % 7 as r | limit 1",
  );
  assert.deepEqual(rows(fns), [{ svc: "db", hour: ts(Math.floor((t0 + 120_000) / 3_600_000) * 3_600_000), later: ts(t0 + 121_000), r: "1" }]);
  const ips = await run(
    logs,
    "parse @message 'user=*' as u | fields isValidIp('10.0.0.1') as v4, isValidIpV6('::1') as v6, isValidIp('999.1.1.1') as bad, isIpInSubnet('10.1.2.3', '10.0.0.0/8') as inside, isIpv4InSubnet('11.0.0.1', '10.0.0.0/8') as outside | limit 1",
    { logGroupName: "/web" },
  );
  assert.deepEqual(rows(ips), [{ u: "alice", v4: "1", v6: "1", bad: "0", inside: "1", outside: "0" }]);
  const dedup = await run(logs, "fields service, level | sort @timestamp desc | dedup service", {});
  assert.deepEqual(rows(dedup), [
    { service: "api", level: "WARN" },
    { service: "db", level: "INFO" },
  ]);
});

test("several log groups (names and ARNs), the time range, and StartQuery's limit", async () => {
  const logs = await seeded();
  const both = await run(logs, "stats count(*) by @log", { logGroupNames: ["/app", "/web"] });
  const counts = Object.fromEntries(rows(both).map((r) => [r["@log"].split(":")[1], r["count(*)"]]));
  assert.deepEqual(counts, { "/app": "5", "/web": "3" });
  const account = (await logs.config.credentials()).accessKeyId;
  const arn = `arn:aws:logs:us-east-1:${account}:log-group:/web`;
  const byArn = await run(logs, "fields @logStream | filter @message like 'alice'", { logGroupIdentifiers: [arn] });
  assert.deepEqual(rows(byArn), [{ "@logStream": "w1" }, { "@logStream": "w1" }]);
  // The range is in seconds and inclusive: from the second app event to the fourth.
  const ranged = await run(logs, "fields latency", { startTime: t0 / 1000 + 60, endTime: t0 / 1000 + 180 });
  assert.deepEqual(
    rows(ranged).map((r) => r.latency),
    ["20", "50", "30"],
  );
  assert.equal(ranged.statistics!.recordsScanned, 3);
  const limited = await run(logs, "fields latency", { limit: 2 });
  assert.equal(limited.results!.length, 2);
  // GetQueryResults pages with maxItems and nextToken.
  const all = await run(logs, "fields latency");
  const page1 = await logs.send(new GetQueryResultsCommand({ queryId: (await logs.send(new DescribeQueriesCommand({}))).queries![0].queryId, maxItems: 3 }));
  assert.deepEqual(page1.results, all.results!.slice(0, 3));
  const page2 = await logs.send(
    new GetQueryResultsCommand({ queryId: (await logs.send(new DescribeQueriesCommand({}))).queries![0].queryId, maxItems: 3, nextToken: page1.nextToken }),
  );
  assert.deepEqual(page2.results, all.results!.slice(3));
  assert.equal(page2.nextToken, undefined);
  // A limit command wins over StartQuery's.
  const both2 = await run(logs, "fields latency | limit 4", { limit: 2 });
  assert.equal(both2.results!.length, 4);
});

test("errors: malformed queries with their location, unsupported commands, unknown groups and queries", async () => {
  const logs = await seeded();
  const start = (queryString: string, extra: Partial<StartQueryCommandInput> = {}) =>
    logs.send(new StartQueryCommand({ logGroupName: "/app", startTime: t0 / 1000, endTime: t0 / 1000 + 60, queryString, ...extra }));
  await assert.rejects(start("fields @message | filter"), (e: Error & { queryCompileError?: { location?: { startCharOffset?: number } } }) => {
    assert.equal(e.name, "MalformedQueryException");
    // With the inner call's report AWS appends (boto/boto3#3450).
    assert.match(
      e.message,
      /^unexpected symbol found <EOF> at line 1 and position 25 \(Service: AWSLogs; Status Code: 400; Error Code: MalformedQueryException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/,
    );
    assert.equal(e.queryCompileError?.location?.startCharOffset, 24);
    return true;
  });
  await rejects(
    start("fields @message | bogus x"),
    "MalformedQueryException",
    400,
    /^mismatched input 'bogus' expecting \{K_PARSE, K_SEARCH, K_FIELDS, K_DISPLAY, K_FILTER, K_SORT, K_ORDER, K_HEAD, K_LIMIT, K_TAIL\} \(Service: AWSLogs;/,
  );
  await rejects(start("fields nosuchfn(@message)"), "MalformedQueryException", 400, /nosuchfn/);
  await rejects(start("unnest @message into x"), "MalformedQueryException", 400, /unnest command .* not supported by Stratus/);
  await rejects(start("stats count(*)", { logGroupName: "/none" }), "ResourceNotFoundException", 400, /Log group '\/none' does not exist/);
  await rejects(start("stats count(*)", { logGroupNames: ["/app"] }), "InvalidParameterException", 400);
  await rejects(logs.send(new GetQueryResultsCommand({ queryId: "00000000-0000-4000-8000-000000000000" })), "ResourceNotFoundException", 400);
  // Aggregations only in stats, with their arguments; the location spans the call.
  await rejects(start("fields count(*)"), "MalformedQueryException", 400, /count at line 1 and position 8 is an aggregation function/);
  await assert.rejects(start("stats pct(latency) by level"), (e: Error & { queryCompileError?: { location?: unknown } }) => {
    assert.equal(e.name, "MalformedQueryException");
    assert.deepEqual(e.queryCompileError?.location, { startCharOffset: 6, endCharOffset: 17 });
    return true;
  });
  await rejects(start("stats sum(*)"), "MalformedQueryException", 400, /Wrong number of arguments for sum/);
  await rejects(start("filter level in 'ERROR'"), "MalformedQueryException", 400, /in takes a list of values/);
  await rejects(start("stats count(*)", { queryLanguage: "SQL" }), "InvalidParameterException", 400, /CWLI/);
  await rejects(start("fields x", { startTime: t0 / 1000 + 60, endTime: t0 / 1000 }), "InvalidParameterException", 400);
});

test("LimitExceededException once 100 queries of the account are running", async () => {
  const logs = await seeded();
  const account = (await logs.config.credentials()).accessKeyId;
  // The account's running queries as the store holds them (as if 100 long queries were under way).
  const table = server.runtime.store.table<Record<string, unknown>>("cloudwatch-logs:insights-queries", `${account}/us-east-1`);
  for (let i = 0; i < 100; i++) {
    const queryId = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    table.put(queryId, { queryId, queryString: "stats count(*)", groups: ["/app"], startTime: 0, endTime: 1, status: "Running", createTime: Date.now() });
  }
  await rejects(
    logs.send(new StartQueryCommand({ logGroupName: "/app", startTime: t0 / 1000, endTime: t0 / 1000 + 60, queryString: "stats count(*)" })),
    "LimitExceededException",
    400,
    "Account maximum query concurrency limit of [100] reached.",
  );
  await logs.send(new StopQueryCommand({ queryId: "00000000-0000-4000-8000-000000000000" }));
  const r = await run(logs, "stats count(*)");
  assert.deepEqual(rows(r), [{ "count(*)": "5" }]);
});

test("StopQuery cancels a running query; DescribeQueries lists queries newest first, by group and status", async () => {
  const logs = server.client(CloudWatchLogsClient);
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/big" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/big", logStreamName: "s" }));
  const now = Math.floor(Date.now() / 1000) * 1000 - 600_000;
  // Enough JSON events that the scan takes many batches (it yields between them, and sees the query stopped).
  for (let b = 0; b < 30; b++) {
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/big",
        logStreamName: "s",
        logEvents: Array.from({ length: 10_000 }, (_, i) => ({ timestamp: now + b * 10_000 + i, message: `{"line":"${b}-${i}","status":${i % 5}}` })),
      }),
    );
  }
  const range = { startTime: now / 1000 - 1, endTime: now / 1000 + 600 };
  const { queryId } = await logs.send(new StartQueryCommand({ logGroupName: "/big", ...range, queryString: "filter status > 1 | stats count(*) by line" }));
  const stop = await logs.send(new StopQueryCommand({ queryId }));
  assert.equal(stop.success, true);
  const r = await logs.send(new GetQueryResultsCommand({ queryId }));
  assert.equal(r.status, "Cancelled");
  await rejects(logs.send(new StopQueryCommand({ queryId })), "InvalidParameterException", 400);

  const done = await logs.send(new StartQueryCommand({ logGroupName: "/big", ...range, queryString: "stats count(*)" }));
  let res: GetQueryResultsCommandOutput;
  do res = await logs.send(new GetQueryResultsCommand({ queryId: done.queryId }));
  while (res.status !== "Complete");
  assert.deepEqual(rows(res), [{ "count(*)": "300000" }]);

  const listed = await logs.send(new DescribeQueriesCommand({ logGroupName: "/big" }));
  assert.deepEqual(
    listed.queries!.map((q) => [q.queryId, q.status, q.logGroupName, q.queryLanguage]),
    [
      [done.queryId, "Complete", "/big", "CWLI"],
      [queryId, "Cancelled", "/big", "CWLI"],
    ],
  );
  const cancelled = await logs.send(new DescribeQueriesCommand({ status: "Cancelled" }));
  assert.deepEqual(
    cancelled.queries!.map((q) => q.queryString),
    // AWS shows a one-group query with its source and range (errors-recorded.test.ts).
    [`SOURCE "/big" START=${range.startTime}000 END=${range.endTime}999 | filter status > 1 | stats count(*) by line`],
  );
  const paged = await logs.send(new DescribeQueriesCommand({ maxResults: 1 }));
  assert.equal(paged.queries!.length, 1);
  const next = await logs.send(new DescribeQueriesCommand({ maxResults: 1, nextToken: paged.nextToken }));
  assert.equal(next.queries![0].queryId, queryId);
});
