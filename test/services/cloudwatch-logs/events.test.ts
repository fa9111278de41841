// PutLogEvents batch rules and rejections, and GetLogEvents paging with forward and backward tokens.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  GetLogEventsCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function stream(group = "g", name = "s") {
  const logs = server.client(CloudWatchLogsClient);
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: name }));
  return logs;
}

test("PutLogEvents refuses out-of-order, over-24h, oversized batches and unknown streams", async () => {
  const logs = await stream();
  const now = Date.now();
  const put = (logEvents: { timestamp: number; message: string }[], logStreamName = "s") =>
    logs.send(new PutLogEventsCommand({ logGroupName: "g", logStreamName, logEvents }));
  await rejects(
    put([
      { timestamp: now, message: "b" },
      { timestamp: now - 1, message: "a" },
    ]),
    "InvalidParameterException",
    400,
    "Log events in a single PutLogEvents request must be in chronological order.",
  );
  await rejects(
    put([
      { timestamp: now - 25 * HOUR, message: "a" },
      { timestamp: now, message: "b" },
    ]),
    "InvalidParameterException",
    400,
    "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
  );
  await rejects(put([{ timestamp: now, message: "x".repeat(262_144) }]), "InvalidParameterException", 400, /Log event too large/);
  const big = Array.from({ length: 5 }, () => ({ timestamp: now, message: "y".repeat(250_000) }));
  await rejects(put(big), "InvalidParameterException", 400, /Upload too large: \d+ bytes exceeds limit of 1048576/);
  await rejects(put([{ timestamp: now, message: "" }]), "InvalidParameterException", 400, /Member must have length greater than or equal to 1/);
  await rejects(put([{ timestamp: now, message: "a" }], "nope"), "ResourceNotFoundException", 400, "The specified log stream does not exist.");
  const ok = await logs.send(
    new PutLogEventsCommand({ logGroupName: "g", logStreamName: "s", sequenceToken: "whatever", logEvents: [{ timestamp: now, message: "fine" }] }),
  );
  assert.match(ok.nextSequenceToken!, /^\d+$/);
  assert.equal(ok.rejectedLogEventsInfo, undefined);
});

test("too old, expired and too new events are skipped and reported by index", async () => {
  const logs = await stream();
  const now = Date.now();
  // A batch spans at most 24 hours, so too-old and too-new events come in separate batches.
  const old = await logs.send(
    new PutLogEventsCommand({
      logGroupName: "g",
      logStreamName: "s",
      logEvents: [
        { timestamp: now - 14 * DAY - 2 * HOUR, message: "old" },
        { timestamp: now - 14 * DAY + HOUR, message: "kept1" },
      ],
    }),
  );
  assert.deepEqual(old.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });
  const future = await logs.send(
    new PutLogEventsCommand({
      logGroupName: "g",
      logStreamName: "s",
      logEvents: [
        { timestamp: now, message: "kept2" },
        { timestamp: now + HOUR, message: "kept3" },
        { timestamp: now + 3 * HOUR, message: "new" },
      ],
    }),
  );
  assert.deepEqual(future.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 2 });
  const got = await logs.send(new GetLogEventsCommand({ logGroupName: "g", logStreamName: "s", startFromHead: true }));
  assert.deepEqual(
    got.events!.map((e) => e.message),
    ["kept1", "kept2", "kept3"],
  );

  await logs.send(new CreateLogStreamCommand({ logGroupName: "g", logStreamName: "r" }));
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: "g", retentionInDays: 1 }));
  const expired = await logs.send(
    new PutLogEventsCommand({
      logGroupName: "g",
      logStreamName: "r",
      logEvents: [
        { timestamp: now - DAY - 1000, message: "expired" },
        { timestamp: now - 2000, message: "fresh" },
      ],
    }),
  );
  assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
});

test("GetLogEvents pages forward and backward and returns the same token at the end", async () => {
  const logs = await stream();
  const t0 = Date.now() - 100_000;
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: "g",
      logStreamName: "s",
      logEvents: Array.from({ length: 25 }, (_, i) => ({ timestamp: t0 + i * 10, message: `m${i}` })),
    }),
  );
  const get = (opts: { nextToken?: string; startFromHead?: boolean; limit?: number; startTime?: number; endTime?: number }) =>
    logs.send(new GetLogEventsCommand({ logGroupName: "g", logStreamName: "s", ...opts }));

  // Default: the newest events, oldest first.
  const tail = await get({ limit: 10 });
  assert.deepEqual(
    tail.events!.map((e) => e.message),
    Array.from({ length: 10 }, (_, i) => `m${15 + i}`),
  );
  assert.match(tail.nextForwardToken!, /^f\//);
  assert.match(tail.nextBackwardToken!, /^b\//);
  const older = await get({ limit: 10, nextToken: tail.nextBackwardToken });
  assert.deepEqual(
    older.events!.map((e) => e.message),
    Array.from({ length: 10 }, (_, i) => `m${5 + i}`),
  );
  const oldest = await get({ limit: 10, nextToken: older.nextBackwardToken });
  assert.deepEqual(
    oldest.events!.map((e) => e.message),
    ["m0", "m1", "m2", "m3", "m4"],
  );
  const none = await get({ limit: 10, nextToken: oldest.nextBackwardToken });
  assert.deepEqual(none.events, []);
  assert.equal(none.nextBackwardToken, oldest.nextBackwardToken);

  // From the head, forward until the token repeats, as the SDK paginator and the CLI stop.
  const seen: string[] = [];
  let token: string | undefined;
  let res = await get({ startFromHead: true, limit: 7 });
  for (;;) {
    seen.push(...res.events!.map((e) => e.message!));
    token = res.nextForwardToken;
    res = await get({ nextToken: token, limit: 7 });
    if (res.nextForwardToken === token) break;
  }
  assert.equal(res.events!.length, 0);
  assert.deepEqual(
    seen,
    Array.from({ length: 25 }, (_, i) => `m${i}`),
  );

  // New events show up behind a forward token (tailing).
  await logs.send(new PutLogEventsCommand({ logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: t0 + 1000, message: "late" }] }));
  assert.deepEqual(
    (await get({ nextToken: token })).events!.map((e) => e.message),
    ["late"],
  );

  // startTime inclusive, endTime exclusive.
  const window = await get({ startFromHead: true, startTime: t0 + 20, endTime: t0 + 50 });
  assert.deepEqual(
    window.events!.map((e) => e.message),
    ["m2", "m3", "m4"],
  );
  assert.ok(window.events![0].ingestionTime! > 0);
  await rejects(get({ nextToken: "x/123" }), "InvalidParameterException", 400, "The specified nextToken is invalid.");
  await rejects(logs.send(new GetLogEventsCommand({ logGroupIdentifier: "nope", logStreamName: "s" })), "ResourceNotFoundException", 400);
});
