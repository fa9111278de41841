// FilterLogEvents end to end: every pattern kind, stream selection, time bounds, nextToken paging, bad patterns.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  FilterLogEventsCommand,
  type FilterLogEventsCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const t0 = Date.now() - 600_000;
const APP = [
  JSON.stringify({ level: "ERROR", latency: 250, user: { id: 7 }, tags: ["db"] }),
  JSON.stringify({ level: "INFO", latency: 20, user: { id: 8 }, tags: ["web"] }),
  JSON.stringify({ level: "ERROR", latency: 50, err: null }),
  "plain ERROR: disk full on /dev/sda",
  "WARN disk almost full",
];
const WEB = [
  '10.0.0.1 - alice [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 2326',
  '10.0.0.2 - bob [10/Oct/2000:13:55:37 -0700] "POST /b HTTP/1.1" 500 17',
  '10.0.0.3 - carol [10/Oct/2000:13:55:38 -0700] "GET /c HTTP/1.1" 404 1200',
];

async function seeded() {
  const logs = server.client(CloudWatchLogsClient);
  await logs.send(new CreateLogGroupCommand({ logGroupName: "f" }));
  for (const s of ["app-1", "web-1"]) await logs.send(new CreateLogStreamCommand({ logGroupName: "f", logStreamName: s }));
  // Interleaved timestamps: app events at even offsets, web events at odd ones.
  await logs.send(
    new PutLogEventsCommand({ logGroupName: "f", logStreamName: "app-1", logEvents: APP.map((message, i) => ({ timestamp: t0 + i * 2, message })) }),
  );
  await logs.send(
    new PutLogEventsCommand({ logGroupName: "f", logStreamName: "web-1", logEvents: WEB.map((message, i) => ({ timestamp: t0 + i * 2 + 1, message })) }),
  );
  const filter = async (input: Partial<FilterLogEventsCommandInput>) =>
    (await logs.send(new FilterLogEventsCommand({ logGroupName: "f", ...input }))).events!.map((e) => e.message);
  return { logs, filter };
}

test("terms, phrases, exclusions, alternatives and regex", async () => {
  const { filter } = await seeded();
  assert.equal((await filter({})).length, 8);
  assert.deepEqual(await filter({ filterPattern: "disk full" }), [APP[3], APP[4]]);
  assert.deepEqual(await filter({ filterPattern: '"disk full"' }), [APP[3]]);
  assert.deepEqual(await filter({ filterPattern: "disk -WARN" }), [APP[3]]);
  assert.deepEqual(await filter({ filterPattern: "?WARN ?POST" }), [WEB[1], APP[4]]);
  assert.deepEqual(await filter({ filterPattern: "%/[ab] HTTP%" }), [WEB[0], WEB[1]]);
  assert.deepEqual(await filter({ filterPattern: "error" }), []);
});

test("JSON patterns and space-delimited patterns", async () => {
  const { filter } = await seeded();
  assert.deepEqual(await filter({ filterPattern: '{ $.level = "ERROR" && $.latency > 100 }' }), [APP[0]]);
  assert.deepEqual(await filter({ filterPattern: '{ $.level = "ERROR" }' }), [APP[0], APP[2]]);
  assert.deepEqual(await filter({ filterPattern: "{ $.latency < 30 || $.user.id = 7 }" }), [APP[0], APP[1]]);
  assert.deepEqual(await filter({ filterPattern: '{ $.tags[0] = "w*" }' }), [APP[1]]);
  assert.deepEqual(await filter({ filterPattern: "{ $.err IS NULL }" }), [APP[2]]);
  assert.deepEqual(await filter({ filterPattern: "{ $.user NOT EXISTS }" }), [APP[2]]);
  assert.deepEqual(await filter({ filterPattern: "[ip, id, user, timestamp, request, status = 5*, size]" }), [WEB[1]]);
  assert.deepEqual(await filter({ filterPattern: "[..., status, size > 1000]" }), [WEB[0], WEB[2]]);
  assert.deepEqual(await filter({ filterPattern: '[ip, id, user, timestamp, request = "GET*", ...]' }), [WEB[0], WEB[2]]);
});

test("stream selection, time bounds and events' fields", async () => {
  const { logs, filter } = await seeded();
  assert.deepEqual(await filter({ logStreamNames: ["web-1"], filterPattern: "GET" }), [WEB[0], WEB[2]]);
  assert.equal((await filter({ logStreamNamePrefix: "app" })).length, 5);
  assert.deepEqual(await filter({ logStreamNames: ["missing"] }), []);
  assert.deepEqual(await filter({ startTime: t0 + 1, endTime: t0 + 3 }), [WEB[0], APP[1], WEB[1]]);
  const r = await logs.send(new FilterLogEventsCommand({ logGroupName: "f", filterPattern: "POST" }));
  const e = r.events![0];
  assert.equal(e.logStreamName, "web-1");
  assert.equal(e.timestamp, t0 + 3);
  assert.ok(e.ingestionTime! > 0);
  assert.ok(e.eventId);
  assert.deepEqual(r.searchedLogStreams, []);
  await rejects(filter({ logStreamNames: ["a"], logStreamNamePrefix: "a" }), "InvalidParameterException", 400);
  await rejects(filter({ filterPattern: "{ $.a = }" }), "InvalidParameterException", 400);
  await rejects(logs.send(new FilterLogEventsCommand({ logGroupName: "none" })), "ResourceNotFoundException", 400, "The specified log group does not exist.");
});

test("nextToken pages through every match exactly once", async () => {
  const { logs } = await seeded();
  const seen: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const r = await logs.send(new FilterLogEventsCommand({ logGroupName: "f", limit: 3, nextToken }));
    seen.push(...r.events!.map((e) => e.message!));
    nextToken = r.nextToken;
    pages++;
  } while (nextToken);
  assert.equal(pages, 3);
  assert.equal(seen.length, 8);
  assert.equal(new Set(seen).size, 8);
  await rejects(
    logs.send(new FilterLogEventsCommand({ logGroupName: "f", nextToken: "bogus" })),
    "InvalidParameterException",
    400,
    "The specified nextToken is invalid.",
  );
});
