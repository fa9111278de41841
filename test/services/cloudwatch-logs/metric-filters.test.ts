// Metric filters through the real SDK and the AWS CLI: put (and overwrite) / describe (by group and prefix, by
// prefix across groups, by metric) / delete, the limits and AWS's refusals (dimensions with a term pattern,
// dimensions with a default value, a value the pattern cannot give), DescribeLogGroups' metricFilterCount, a group's
// filters going with it, TestMetricFilter's matches with their extracted values for JSON and space-delimited
// patterns, and ingestion: the datapoints the filters publish, read back from CloudWatch with GetMetricStatistics,
// before and after a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  DeleteLogGroupCommand,
  DeleteMetricFilterCommand,
  DescribeLogGroupsCommand,
  DescribeMetricFiltersCommand,
  PutMetricFilterCommand,
  TestMetricFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();

const metric = (name: string, extra: Record<string, unknown> = {}) => ({ metricName: name, metricNamespace: "App", metricValue: "1", ...extra });

test("put, overwrite, describe by group, prefix and metric, delete; a group's filters go with it", async () => {
  const logs = server.client(CloudWatchLogsClient, { account: randomAccount() });
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/mf/a" }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/mf/b" }));
  await logs.send(
    new PutMetricFilterCommand({ logGroupName: "/mf/a", filterName: "errors", filterPattern: "ERROR", metricTransformations: [metric("Errors")] }),
  );
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: "/mf/a",
      filterName: "latency",
      filterPattern: "{ $.latency = * }",
      metricTransformations: [metric("Latency", { metricValue: "$.latency", unit: "Milliseconds", dimensions: { Route: "$.route" } })],
    }),
  );
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: "/mf/b",
      filterName: "errors-b",
      filterPattern: "[ip, user, status = 5*, bytes]",
      metricTransformations: [metric("Errors", { metricValue: "$bytes", defaultValue: 0 })],
    }),
  );

  const { metricFilters } = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/mf/a" }));
  assert.deepEqual(
    metricFilters?.map((f) => [f.filterName, f.filterPattern, f.logGroupName, f.applyOnTransformedLogs]),
    [
      ["errors", "ERROR", "/mf/a", false],
      ["latency", "{ $.latency = * }", "/mf/a", false],
    ],
  );
  assert.deepEqual(metricFilters?.[1].metricTransformations, [
    { metricName: "Latency", metricNamespace: "App", metricValue: "$.latency", unit: "Milliseconds", dimensions: { Route: "$.route" } },
  ]);
  assert.ok(typeof metricFilters?.[0].creationTime === "number");

  // A filter name prefix alone searches every group; a metric picks the filters that publish it.
  const byPrefix = await logs.send(new DescribeMetricFiltersCommand({ filterNamePrefix: "errors" }));
  assert.deepEqual(
    byPrefix.metricFilters?.map((f) => f.filterName),
    ["errors", "errors-b"],
  );
  const byMetric = await logs.send(new DescribeMetricFiltersCommand({ metricName: "Errors", metricNamespace: "App" }));
  assert.deepEqual(
    byMetric.metricFilters?.map((f) => [f.logGroupName, f.filterName, f.metricTransformations?.[0].defaultValue]),
    [
      ["/mf/a", "errors", undefined],
      ["/mf/b", "errors-b", 0],
    ],
  );
  // Paging, one at a time.
  const first = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/mf/a", limit: 1 }));
  assert.equal(first.metricFilters?.[0].filterName, "errors");
  const second = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/mf/a", limit: 1, nextToken: first.nextToken }));
  assert.equal(second.metricFilters?.[0].filterName, "latency");
  assert.equal(second.nextToken, undefined);

  // Putting a filter of the same name replaces it, keeping its creation time.
  await logs.send(
    new PutMetricFilterCommand({ logGroupName: "/mf/a", filterName: "errors", filterPattern: "FATAL", metricTransformations: [metric("Errors")] }),
  );
  const replaced = (await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/mf/a", filterNamePrefix: "errors" }))).metricFilters ?? [];
  assert.equal(replaced.length, 1);
  assert.equal(replaced[0].filterPattern, "FATAL");
  assert.equal(replaced[0].creationTime, metricFilters?.[0].creationTime);

  const groups = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/mf/" }))).logGroups ?? [];
  assert.deepEqual(
    groups.map((g) => [g.logGroupName, g.metricFilterCount]),
    [
      ["/mf/a", 2],
      ["/mf/b", 1],
    ],
  );

  await logs.send(new DeleteMetricFilterCommand({ logGroupName: "/mf/a", filterName: "latency" }));
  await rejects(logs.send(new DeleteMetricFilterCommand({ logGroupName: "/mf/a", filterName: "latency" })), "ResourceNotFoundException", 400);
  await rejects(
    logs.send(new DeleteMetricFilterCommand({ logGroupName: "/mf/none", filterName: "x" })),
    "ResourceNotFoundException",
    400,
    "The specified log group does not exist.",
  );

  // Deleting a group deletes its filters: made again, it has none.
  await logs.send(new DeleteLogGroupCommand({ logGroupName: "/mf/b" }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/mf/b" }));
  assert.deepEqual((await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/mf/b" }))).metricFilters, []);
});

test("AWS's refusals: dimensions with a term pattern or with a default value, a value the pattern cannot give, a bad pattern, an unknown group, 100 filters", async () => {
  const logs = server.client(CloudWatchLogsClient, { account: randomAccount() });
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/mf/errors" }));
  const put = (filterPattern: string, t: Record<string, unknown>, logGroupName = "/mf/errors", filterName = "f") =>
    logs.send(new PutMetricFilterCommand({ logGroupName, filterName, filterPattern, metricTransformations: [metric("M", t)] }));
  await rejects(
    put("ERROR", { dimensions: { Level: "$.level" } }),
    "InvalidParameterException",
    400,
    "The specified filter pattern does not support dimensions",
  );
  await rejects(
    put("{ $.level = * }", { dimensions: { Level: "$.level" }, defaultValue: 0 }),
    "InvalidParameterException",
    400,
    "Invalid metric transformation: dimensions and default value are mutually exclusive properties",
  );
  await rejects(put("ERROR", { metricValue: "$.latency" }), "InvalidParameterException", 400);
  await rejects(put("{ $.a = ", {}), "InvalidParameterException", 400);
  await rejects(put("ERROR", {}, "/mf/none"), "ResourceNotFoundException", 400, "The specified log group does not exist.");
  await rejects(
    logs.send(
      new PutMetricFilterCommand({
        logGroupName: "/mf/errors",
        filterName: "two",
        filterPattern: "ERROR",
        metricTransformations: [metric("A"), metric("B")],
      }),
    ),
    "InvalidParameterException",
    400,
  );
  for (let i = 0; i < 100; i++) await put("ERROR", {}, "/mf/errors", `f${String(i).padStart(3, "0")}`);
  await rejects(put("ERROR", {}, "/mf/errors", "one-more"), "LimitExceededException", 400, "Resource limit exceeded.");
  // Replacing one of the hundred is not a new filter.
  await put("FATAL", {}, "/mf/errors", "f000");
});

test("TestMetricFilter: the matching messages, numbered from 1, with the values a JSON or space-delimited pattern extracts", async () => {
  const logs = server.client(CloudWatchLogsClient, { account: randomAccount() });
  const terms = await logs.send(
    new TestMetricFilterCommand({ filterPattern: "ERROR", logEventMessages: ["[ERROR] 400 BAD REQUEST", "[INFO] 200 OK", "[ERROR] 500"] }),
  );
  assert.deepEqual(terms.matches, [
    { eventNumber: 1, eventMessage: "[ERROR] 400 BAD REQUEST", extractedValues: {} },
    { eventNumber: 3, eventMessage: "[ERROR] 500", extractedValues: {} },
  ]);
  const delimited = await logs.send(
    new TestMetricFilterCommand({
      filterPattern: "[ip, user, username, timestamp, request, status_code, bytes]",
      logEventMessages: ['127.0.0.1 frank frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534', "too short"],
    }),
  );
  assert.deepEqual(delimited.matches, [
    {
      eventNumber: 1,
      eventMessage: '127.0.0.1 frank frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
      extractedValues: {
        $ip: "127.0.0.1",
        $user: "frank",
        $username: "frank",
        $timestamp: "10/Oct/2000:13:25:15 -0700",
        $request: "GET /index.html HTTP/1.0",
        $status_code: "404",
        $bytes: "1534",
      },
    },
  ]);
  const json = await logs.send(
    new TestMetricFilterCommand({
      filterPattern: '{ $.eventType = "UpdateTrail" && $.latency > 10 }',
      logEventMessages: ['{"eventType":"UpdateTrail","latency":12,"user":"x"}', '{"eventType":"UpdateTrail","latency":3}', "not json"],
    }),
  );
  assert.deepEqual(json.matches, [
    {
      eventNumber: 1,
      eventMessage: '{"eventType":"UpdateTrail","latency":12,"user":"x"}',
      extractedValues: { "$.eventType": "UpdateTrail", "$.latency": "12" },
    },
  ]);
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: metric filters", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`${cli.label}: put-metric-filter, describe-metric-filters, test-metric-filter, delete-metric-filter`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (...args: string[]) => {
      const r = await runAws(cli, server.url, ["logs", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    await aws("create-log-group", "--log-group-name", "/cli/mf");
    await aws(
      "put-metric-filter",
      "--log-group-name",
      "/cli/mf",
      "--filter-name",
      "errors",
      "--filter-pattern",
      "ERROR",
      "--metric-transformations",
      "metricName=Errors,metricNamespace=App,metricValue=1,defaultValue=0",
    );
    const { metricFilters } = await aws("describe-metric-filters", "--log-group-name", "/cli/mf");
    assert.deepEqual(metricFilters[0].metricTransformations, [{ metricName: "Errors", metricNamespace: "App", metricValue: "1", defaultValue: 0 }]);
    const { matches } = await aws("test-metric-filter", "--filter-pattern", "ERROR", "--log-event-messages", "an ERROR", "all fine");
    assert.deepEqual(matches, [{ eventNumber: 1, eventMessage: "an ERROR", extractedValues: {} }]);
    await aws("delete-metric-filter", "--log-group-name", "/cli/mf", "--filter-name", "errors");
    assert.deepEqual((await aws("describe-metric-filters", "--log-group-name", "/cli/mf")).metricFilters, []);
  });
}

test("ingestion publishes each filter's datapoints to CloudWatch with the events' timestamps: counts, extracted values with dimensions, the default value", async () => {
  const account = randomAccount();
  const logs = server.client(CloudWatchLogsClient, { account });
  const cw = server.client(CloudWatchClient, { account });
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/mf/app" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/mf/app", logStreamName: "s" }));
  await logs.send(
    new PutMetricFilterCommand({ logGroupName: "/mf/app", filterName: "errors", filterPattern: "ERROR", metricTransformations: [metric("Errors")] }),
  );
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: "/mf/app",
      filterName: "latency",
      filterPattern: "{ $.latency = * }",
      metricTransformations: [metric("Latency", { metricValue: "$.latency", unit: "Milliseconds", dimensions: { Route: "$.route" } })],
    }),
  );
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: "/mf/app",
      filterName: "fatal",
      filterPattern: "FATAL",
      metricTransformations: [metric("Fatal", { defaultValue: 0 })],
    }),
  );
  // Two minutes ago, so the datapoints sit in a whole past minute.
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: "/mf/app",
      logStreamName: "s",
      logEvents: [
        { timestamp: minute + 1_000, message: "ERROR disk full" },
        { timestamp: minute + 2_000, message: JSON.stringify({ route: "/a", latency: 120 }) },
        { timestamp: minute + 3_000, message: JSON.stringify({ route: "/a", latency: 80 }) },
        { timestamp: minute + 4_000, message: JSON.stringify({ route: "/b", latency: 5 }) },
        { timestamp: minute + 5_000, message: "ERROR again" },
        { timestamp: minute + 6_000, message: JSON.stringify({ latency: 7 }) },
      ],
    }),
  );
  const stats = async (MetricName: string, Dimensions?: { Name: string; Value: string }[]) =>
    (
      await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "App",
          MetricName,
          Dimensions,
          StartTime: new Date(minute),
          EndTime: new Date(minute + 60_000),
          Period: 60,
          Statistics: ["Sum", "SampleCount", "Minimum", "Maximum"],
        }),
      )
    ).Datapoints ?? [];
  const [errors] = await stats("Errors");
  assert.equal(errors.Sum, 2);
  assert.equal(errors.SampleCount, 2);
  assert.equal(errors.Timestamp?.getTime(), minute);
  // An event without the dimension's value publishes nothing.
  const [a] = await stats("Latency", [{ Name: "Route", Value: "/a" }]);
  assert.deepEqual([a.Sum, a.SampleCount, a.Minimum, a.Maximum, a.Unit], [200, 2, 80, 120, "Milliseconds"]);
  const [b] = await stats("Latency", [{ Name: "Route", Value: "/b" }]);
  assert.deepEqual([b.Sum, b.SampleCount], [5, 1]);
  // No FATAL in a minute with events: the default value, once.
  const [fatal] = await stats("Fatal");
  assert.deepEqual([fatal.Sum, fatal.SampleCount], [0, 1]);
  const { Metrics } = await cw.send(new ListMetricsCommand({ Namespace: "App" }));
  assert.deepEqual(Metrics?.map((m) => [m.MetricName, (m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(",")]).sort(), [
    ["Errors", ""],
    ["Fatal", ""],
    ["Latency", "Route=/a"],
    ["Latency", "Route=/b"],
  ]);
});

test("one upload across two minutes: per-minute counts and values, and a filter whose datapoints CloudWatch refuses costs the others nothing", async () => {
  const account = randomAccount();
  const logs = server.client(CloudWatchLogsClient, { account });
  const cw = server.client(CloudWatchClient, { account });
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/mf/mixed" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/mf/mixed", logStreamName: "s" }));
  const filters: [string, string, Record<string, unknown>][] = [
    ["all", "", { metricValue: "1" }],
    ["warn", "WARN", { metricValue: "1", defaultValue: 0 }],
    ["size", "[verb, size]", { metricValue: "$size" }],
    ["big", "[verb, size > 100]", { metricValue: "$size" }],
  ];
  for (const [name, filterPattern, t] of filters) {
    await logs.send(
      new PutMetricFilterCommand({
        logGroupName: "/mf/mixed",
        filterName: name,
        filterPattern,
        metricTransformations: [{ ...metric(name), ...t, metricNamespace: "Mix" }],
      }),
    );
  }
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 180_000;
  const messages = ["GET 10", "GET 20", "WARN 7", "PUT 30", "GET 500", "WARN 8", "PUT\f40"];
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: "/mf/mixed",
      logStreamName: "s",
      logEvents: messages.map((message, i) => ({ timestamp: minute + (i < 3 ? i * 1_000 : 60_000 + i * 1_000), message })),
    }),
  );
  const stats = async (MetricName: string) =>
    (
      (
        await cw.send(
          new GetMetricStatisticsCommand({
            Namespace: "Mix",
            MetricName,
            StartTime: new Date(minute),
            EndTime: new Date(minute + 120_000),
            Period: 60,
            Statistics: ["Sum", "SampleCount", "Maximum"],
          }),
        )
      ).Datapoints ?? []
    )
      .sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime())
      .map((d) => [d.Timestamp!.getTime() - minute, d.Sum, d.SampleCount, d.Maximum]);
  assert.deepEqual(await stats("all"), [
    [0, 3, 3, 1],
    [60_000, 4, 4, 1],
  ]);
  assert.deepEqual(await stats("warn"), [
    [0, 1, 1, 1],
    [60_000, 1, 1, 1],
  ]);
  // Fields split at any whitespace (the form feed too); every event is two fields, so each is a size.
  assert.deepEqual(await stats("size"), [
    [0, 37, 3, 20],
    [60_000, 578, 4, 500],
  ]);
  assert.deepEqual(await stats("big"), [[60_000, 500, 1, 500]]);

  // A value past what PutMetricData takes (±2^360): that filter's datapoints are refused, the other filters' are not.
  await logs.send(
    new PutLogEventsCommand({ logGroupName: "/mf/mixed", logStreamName: "s", logEvents: [{ timestamp: minute + 119_000, message: "GET 1e200" }] }),
  );
  assert.deepEqual(await stats("all"), [
    [0, 3, 3, 1],
    [60_000, 5, 5, 1],
  ]);
  assert.deepEqual((await stats("big")).length, 1);
  // That upload's minute had events and no WARN: the default value too.
  assert.deepEqual(await stats("warn"), [
    [0, 1, 1, 1],
    [60_000, 1, 2, 1],
  ]);
});

test("a restart keeps the metric filters, and ingestion after it publishes through them", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-metric-filters-"));
  try {
    const account = randomAccount();
    const first = await startTestServer({ dataDir });
    const logs1 = new CloudWatchLogsClient(first.clientConfig({ account }));
    await logs1.send(new CreateLogGroupCommand({ logGroupName: "/mf/kept" }));
    await logs1.send(new CreateLogStreamCommand({ logGroupName: "/mf/kept", logStreamName: "s" }));
    await logs1.send(
      new PutMetricFilterCommand({ logGroupName: "/mf/kept", filterName: "errors", filterPattern: "ERROR", metricTransformations: [metric("Kept")] }),
    );
    await first.close();

    const second = await startTestServer({ dataDir });
    try {
      const logs = new CloudWatchLogsClient(second.clientConfig({ account }));
      const cw = new CloudWatchClient(second.clientConfig({ account }));
      const { metricFilters } = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/mf/kept" }));
      assert.deepEqual(
        metricFilters?.map((f) => [f.filterName, f.filterPattern]),
        [["errors", "ERROR"]],
      );
      const now = Date.now();
      await logs.send(
        new PutLogEventsCommand({ logGroupName: "/mf/kept", logStreamName: "s", logEvents: [{ timestamp: now, message: "ERROR after the restart" }] }),
      );
      const { Datapoints } = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "App",
          MetricName: "Kept",
          StartTime: new Date(now - 120_000),
          EndTime: new Date(now + 120_000),
          Period: 3600,
          Statistics: ["Sum"],
        }),
      );
      assert.equal(Datapoints?.[0]?.Sum, 1);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
