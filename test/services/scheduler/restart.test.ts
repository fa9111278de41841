// A restart on the same data dir (ManualClock: the test moves time): an invocation fired and not yet delivered when
// the server stopped goes out after it starts again; a firing that fell due while it was stopped is not made up, and
// the schedule goes on from its next firing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { clients, createSchedule, queue, receive } from "./setup.js";

test("after a restart: a stored invocation resumes; a firing due while stopped is skipped, the next one fires", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-sched-restart-"));
  const clock = new ManualClock(Date.UTC(2027, 2, 1, 0, 0, 0));
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir, clock });
    let c = clients(s, account);
    const q = await queue(c, "ticks");
    const { ScheduleArn } = await createSchedule(c, {
      Name: "hourly",
      ScheduleExpression: "rate(1 hour)",
      Target: { Arn: q.arn, RoleArn: c.role, Input: "tick" },
    });
    // A firing acknowledged but not yet delivered when the server stops (as a retry waiting for its time would be).
    s.runtime.store.table("scheduler:invocations", `${account}/us-east-1`).put(`default|hourly|${clock.now()}`, {
      schedule: "hourly",
      group: "default",
      scheduleArn: ScheduleArn,
      target: { Arn: q.arn, RoleArn: c.role, Input: "left over" },
      nominal: clock.now(),
      attempts: 1,
      dueAt: clock.now() + 30_000,
    });
    await s.close();

    clock.advance(90 * 60_000); // the 01:00 firing falls due while the server is down
    s = await startTestServer({ dataDir, clock });
    try {
      c = clients(s, account);
      await s.runtime.call("scheduler", "ListScheduleGroups", {}, s.runtime.rootIdentity(account, "us-east-1")); // loads the service (it also starts at boot)
      assert.equal((await receive(c, q.url, 1, false, 0))[0].Body, "left over");
      assert.equal((await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 0 }))).Messages, undefined);
      clock.advance(30 * 60_000 - 1); // 01:59:59.999
      assert.equal((await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 0 }))).Messages, undefined);
      clock.advance(1); // 02:00
      assert.equal((await receive(c, q.url, 1, false, 0))[0].Body, "tick");
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
