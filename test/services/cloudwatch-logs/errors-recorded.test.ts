// CloudWatch Logs' refusals and answer shapes as AWS recorded them, one row per case, each naming its source:
// LocalStack's AWS-recorded snapshots (localstack/localstack tests/aws/services/logs/*.snapshot.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteResourcePolicyCommand,
  DeleteSubscriptionFilterCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  CancelExportTaskCommand,
  DescribeQueriesCommand,
  ListLogGroupsCommand,
  type ListLogGroupsCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();
const logs = (account = randomAccount()) => server.client(CloudWatchLogsClient, { account });

interface Row {
  source: string;
  call: (c: CloudWatchLogsClient) => Promise<unknown>;
  name: string;
  message: string | RegExp;
}

const rows: Row[] = [
  {
    source: "test_logs_streams.snapshot.json error-both-name-and-identifier",
    call: (c) => c.send(new DescribeLogStreamsCommand({ logGroupName: "g", logGroupIdentifier: "g" })),
    name: "ValidationException",
    message: "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
  },
  {
    source: "test_logs_queries.snapshot.json error-log-group-not-found",
    call: (c) => c.send(new StartQueryCommand({ logGroupName: "ghost", startTime: 1, endTime: 2, queryString: "fields @message" })),
    name: "ResourceNotFoundException",
    message:
      /^Log group 'ghost' does not exist for account ID '\d{12}' \(Service: AWSLogs; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/,
  },
  {
    source: "test_logs_groups.snapshot.json error-prefix-and-pattern",
    call: (c) => c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "a", logGroupNamePattern: "b" })),
    name: "InvalidParameterException",
    message: "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
  },
  {
    source: "test_logs_events.snapshot.json error-limit-exceeded",
    call: (c) => c.send(new GetLogEventsCommand({ logGroupName: "g", logStreamName: "s", limit: 10001 })),
    name: "InvalidParameterException",
    message: "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
  },
  {
    source: "test_logs_filter_events.snapshot.json error-limit-exceeded",
    call: (c) => c.send(new FilterLogEventsCommand({ logGroupName: "g", limit: 10001 })),
    name: "InvalidParameterException",
    message: "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
  },
  {
    source: "test_logs_events.snapshot.json error-log-group-does-not-exist",
    call: (c) => c.send(new GetLogEventsCommand({ logGroupName: "ghost", logStreamName: "s" })),
    name: "ResourceNotFoundException",
    message: "The specified log group does not exist.",
  },
  {
    source: "test_logs_export_tasks.snapshot.json error-cancel-not-found",
    call: (c) => c.send(new CancelExportTaskCommand({ taskId: "ghost" })),
    name: "ResourceNotFoundException",
    message: "The specified export task does not exist.",
  },
  {
    source: "test_logs_resource_policies.snapshot.json error-policy-not-found",
    call: (c) => c.send(new DeleteResourcePolicyCommand({ policyName: "non-existent" })),
    name: "ResourceNotFoundException",
    message: "Policy with name [non-existent] does not exist.",
  },
  {
    source: "test_logs_subscription_filters.snapshot.json error-log-group-not-found (delete)",
    call: (c) => c.send(new DeleteSubscriptionFilterCommand({ logGroupName: "ghost", filterName: "f" })),
    name: "ResourceNotFoundException",
    message: "The specified log group does not exist.",
  },
];

for (const row of rows) {
  test(`AWS-recorded refusal: ${row.source}`, async () => {
    await assert.rejects(row.call(logs()), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, row.name);
      assert.equal(e.$metadata?.httpStatusCode, 400);
      if (typeof row.message === "string") assert.equal(e.message, row.message);
      else assert.match(e.message, row.message);
      return true;
    });
  });
}

test("PutLogEvents out of order and CreateLogStream twice: AWS's messages (test_logs_events, test_logs_streams)", async () => {
  const c = logs();
  await c.send(new CreateLogGroupCommand({ logGroupName: "g" }));
  await c.send(new CreateLogStreamCommand({ logGroupName: "g", logStreamName: "s" }));
  const now = Date.now();
  await assert.rejects(
    c.send(
      new PutLogEventsCommand({
        logGroupName: "g",
        logStreamName: "s",
        logEvents: [
          { timestamp: now, message: "b" },
          { timestamp: now - 1000, message: "a" },
        ],
      }),
    ),
    { name: "InvalidParameterException", message: "Log events in a single PutLogEvents request must be in chronological order." },
  );
  await assert.rejects(c.send(new CreateLogStreamCommand({ logGroupName: "g", logStreamName: "s" })), {
    name: "ResourceAlreadyExistsException",
    message: "The specified log stream already exists",
  });
});

test("DescribeLogStreams: a stream nothing was put to has arn, creationTime, name and storedBytes only (test_logs_streams)", async () => {
  const c = logs();
  await c.send(new CreateLogGroupCommand({ logGroupName: "g" }));
  await c.send(new CreateLogStreamCommand({ logGroupName: "g", logStreamName: "s" }));
  const [s] = (await c.send(new DescribeLogStreamsCommand({ logGroupName: "g" }))).logStreams!;
  assert.deepEqual(Object.keys(s).sort(), ["arn", "creationTime", "logStreamName", "storedBytes"]);
  assert.equal(s.storedBytes, 0);
  // Once events are put, the (deprecated) upload sequence token shows.
  await c.send(new PutLogEventsCommand({ logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "x" }] }));
  const [after] = (await c.send(new DescribeLogStreamsCommand({ logGroupName: "g" }))).logStreams!;
  assert.match(after.uploadSequenceToken!, /^\d+$/);
});

test("DescribeLogGroups: by prefix, storedBytes and deletionProtectionEnabled show; by pattern, AWS leaves them out (test_logs_groups)", async () => {
  const c = logs();
  await c.send(new CreateLogGroupCommand({ logGroupName: "test-pattern-abc" }));
  const [byPrefix] = (await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "test-pattern" }))).logGroups!;
  assert.deepEqual(Object.keys(byPrefix).sort(), [
    "arn",
    "creationTime",
    "deletionProtectionEnabled",
    "logGroupArn",
    "logGroupClass",
    "logGroupName",
    "metricFilterCount",
    "storedBytes",
  ]);
  const [byPattern] = (await c.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "abc" }))).logGroups!;
  assert.deepEqual(Object.keys(byPattern).sort(), ["arn", "creationTime", "logGroupArn", "logGroupClass", "logGroupName", "metricFilterCount"]);
  assert.equal(byPattern.logGroupClass, "STANDARD");
});

test("DescribeQueries shows a one-group query with its SOURCE, START and END (test_logs_queries describe-queries)", async () => {
  const c = logs();
  await c.send(new CreateLogGroupCommand({ logGroupName: "q" }));
  const start = Math.floor(Date.now() / 1000) - 3600;
  const end = start + 3900;
  const { queryId } = await c.send(new StartQueryCommand({ logGroupName: "q", startTime: start, endTime: end, queryString: "fields @message" }));
  const { queries = [] } = await c.send(new DescribeQueriesCommand({ logGroupName: "q" }));
  const q = queries.find((x) => x.queryId === queryId)!;
  assert.equal(q.queryString, `SOURCE "q" START=${start}000 END=${end}999 | fields @message`);
  assert.deepEqual([q.queryLanguage, q.logGroupName], ["CWLI", "q"]);
});

test("ListLogGroups: summaries (name, ARN, class) by regex pattern, class and tags, paged (test_logs_groups list-log-groups)", async () => {
  const c = logs();
  for (const name of ["/aws/lambda/a", "/aws/lambda/b", "/app/discovery", "/App/other"]) {
    await c.send(new CreateLogGroupCommand({ logGroupName: name, tags: { team: name.includes("lambda") ? "fn" : "web" } }));
  }
  await c.send(new CreateLogGroupCommand({ logGroupName: "/app/cold", logGroupClass: "INFREQUENT_ACCESS" }));
  const names = async (input: ListLogGroupsCommandInput) => ((await c.send(new ListLogGroupsCommand(input))).logGroups ?? []).map((g) => g.logGroupName);
  const { logGroups: [first] = [] } = await c.send(new ListLogGroupsCommand({ logGroupNamePattern: "^/app/disc" }));
  assert.deepEqual(Object.keys(first).sort(), ["logGroupArn", "logGroupClass", "logGroupName"]);
  assert.match(first.logGroupArn!, /^arn:aws:logs:us-east-1:\d{12}:log-group:\/app\/discovery$/);
  assert.deepEqual(await names({ logGroupNamePattern: "no-such-group" }), []);
  // Case-sensitive; `^` anchors an alternative; `|` separates alternatives.
  assert.deepEqual(await names({ logGroupNamePattern: "^/aws/lambda|discovery" }), ["/app/discovery", "/aws/lambda/a", "/aws/lambda/b"]);
  assert.deepEqual(await names({ logGroupNamePattern: "/app" }), ["/app/cold", "/app/discovery"]);
  assert.deepEqual(await names({ logGroupClass: "INFREQUENT_ACCESS" }), ["/app/cold"]);
  assert.deepEqual(await names({ logGroupTags: [{ key: "team", values: ["web"] }] }), ["/App/other", "/app/discovery"]);
  const page1 = await c.send(new ListLogGroupsCommand({ limit: 2 }));
  assert.equal(page1.logGroups!.length, 2);
  const page2 = await c.send(new ListLogGroupsCommand({ limit: 10, nextToken: page1.nextToken }));
  assert.deepEqual(
    [...page1.logGroups!, ...page2.logGroups!].map((g) => g.logGroupName),
    ["/App/other", "/app/cold", "/app/discovery", "/aws/lambda/a", "/aws/lambda/b"],
  );
  assert.equal(page2.nextToken, undefined);
  await assert.rejects(c.send(new ListLogGroupsCommand({ accountIdentifiers: ["111111111111"] })), {
    name: "InvalidParameterException",
    message: /Stratus has no cross-account/,
  });
});
