// Retention on a ManualClock (hidden at once, swept by the scheduler), and events and resource policies surviving a restart.
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
  GetLogEventsCommand,
  FilterLogEventsCommand,
  PutRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  PutResourcePolicyCommand,
  DescribeResourcePoliciesCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { logEventStore } from "../../../src/core/store/log-events.js";

const DAY = 86_400_000;

test("events past the retention period are never returned and are swept on the scheduler", async () => {
  const clock = new ManualClock(Date.UTC(2030, 0, 10));
  const server = await startTestServer({ clock });
  try {
    const logs = new CloudWatchLogsClient(server.clientConfig());
    await logs.send(new CreateLogGroupCommand({ logGroupName: "r" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "r", logStreamName: "s" }));
    const now = clock.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "r",
        logStreamName: "s",
        logEvents: [
          { timestamp: now - 2 * DAY, message: "two days old" },
          { timestamp: now - 2 * DAY + 1000, message: "x" },
        ],
      }),
    );
    await logs.send(new PutLogEventsCommand({ logGroupName: "r", logStreamName: "s", logEvents: [{ timestamp: now - 1000, message: "fresh" }] }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: "r", retentionInDays: 3 }));
    const msgs = async () =>
      (await logs.send(new GetLogEventsCommand({ logGroupName: "r", logStreamName: "s", startFromHead: true }))).events!.map((e) => e.message);
    assert.deepEqual(await msgs(), ["two days old", "x", "fresh"]);
    const gid = (await server.runtime.store
      .table<{ id: number }>("cloudwatch-logs:groups", `${(await logs.config.credentials()).accessKeyId}/us-east-1`)
      .get("r"))!.id;
    const count = () => logEventStore(server.runtime.store).queryGroup({ gid, limit: 100 }).length;
    assert.equal(count(), 3);

    // Just under a day on, a sweep runs and finds nothing past 3 days yet.
    clock.advance(DAY - 5 * 60_000);
    assert.equal(count(), 3);
    // Ten minutes later the oldest events are past 3 days: every read hides them at once, before any sweep...
    clock.advance(10 * 60_000);
    assert.deepEqual(await msgs(), ["fresh"]);
    const filtered = await logs.send(new FilterLogEventsCommand({ logGroupName: "r" }));
    assert.deepEqual(
      filtered.events!.map((e) => e.message),
      ["fresh"],
    );
    assert.equal(count(), 3);
    // ...and the next hourly sweep deletes them and gives their bytes back.
    const bytesBefore = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups![0].storedBytes!;
    clock.advance(60 * 60_000);
    assert.equal(count(), 1);
    const bytesAfter = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups![0].storedBytes!;
    assert.equal(bytesBefore - bytesAfter, "two days old".length + "x".length);
  } finally {
    await server.close();
  }
});

test("groups, streams and events survive a restart on the same data dir", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-logs-"));
  const account = randomAccount();
  try {
    const first = await startTestServer({ dataDir });
    const now = Date.now();
    try {
      const logs = new CloudWatchLogsClient(first.clientConfig({ account }));
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/keep" }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/keep", logStreamName: "s" }));
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: "/keep",
          logStreamName: "s",
          logEvents: Array.from({ length: 500 }, (_, i) => ({ timestamp: now - 500 + i, message: `event ${i}` })),
        }),
      );
    } finally {
      await first.close();
    }
    const second = await startTestServer({ dataDir });
    try {
      const logs = new CloudWatchLogsClient(second.clientConfig({ account }));
      const got = await logs.send(new GetLogEventsCommand({ logGroupName: "/keep", logStreamName: "s", startFromHead: true }));
      assert.equal(got.events!.length, 500);
      assert.equal(got.events![499].message, "event 499");
      const hits = await logs.send(new FilterLogEventsCommand({ logGroupName: "/keep", filterPattern: '"event 49"' }));
      assert.deepEqual(
        hits.events!.map((e) => e.message),
        ["event 49", ...Array.from({ length: 10 }, (_, i) => `event 49${i}`)],
      );
      // New events after the restart get fresh sequence numbers after the old ones.
      await logs.send(new PutLogEventsCommand({ logGroupName: "/keep", logStreamName: "s", logEvents: [{ timestamp: now, message: "after restart" }] }));
      const tail = await logs.send(new GetLogEventsCommand({ logGroupName: "/keep", logStreamName: "s", limit: 1 }));
      assert.deepEqual(
        tail.events!.map((e) => e.message),
        ["after restart"],
      );
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("account and log group resource policies survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-logs-"));
  const account = randomAccount();
  const arn = `arn:aws:logs:us-east-1:${account}:log-group:kept`;
  const doc = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "route53.amazonaws.com" }, Action: "logs:PutLogEvents", Resource: "*" }] });
  try {
    let server = await startTestServer({ dataDir });
    let logs = new CloudWatchLogsClient(server.clientConfig({ account }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "kept" }));
    await logs.send(new PutResourcePolicyCommand({ policyName: "account-level", policyDocument: doc }));
    const { revisionId } = await logs.send(new PutResourcePolicyCommand({ policyName: "group-level", policyDocument: doc, resourceArn: arn }));
    await server.close();

    server = await startTestServer({ dataDir });
    logs = new CloudWatchLogsClient(server.clientConfig({ account }));
    try {
      const account_ = (await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies!;
      assert.deepEqual(
        account_.map((p) => [p.policyName, p.policyScope]),
        [["account-level", "ACCOUNT"]],
      );
      const scoped = (await logs.send(new DescribeResourcePoliciesCommand({ resourceArn: arn }))).resourcePolicies!;
      assert.deepEqual(
        scoped.map((p) => [p.policyName, p.policyScope, p.revisionId]),
        [["group-level", "RESOURCE", revisionId]],
      );
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
