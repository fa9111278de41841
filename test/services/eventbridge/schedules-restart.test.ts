// Scheduled rules fire on the runtime clock (a ManualClock here: the test moves time) with AWS's "Scheduled Event";
// after a restart on the same data dir they fire again, and a delivery still pending in the store goes out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DisableRuleCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { clients, queue, receive } from "./setup.js";

test("a rate() rule fires each period with a Scheduled Event; a restart resumes its ticks and the pending deliveries", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-eb-sched-"));
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 0));
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir, clock });
    let c = clients(s, account);
    const q = await queue(c, "ticks");
    const { RuleArn } = await c.eb.send(new PutRuleCommand({ Name: "every-minute", ScheduleExpression: "rate(1 minute)" }));
    await c.eb.send(new PutTargetsCommand({ Rule: "every-minute", Targets: [{ Id: "q", Arn: q.arn }] }));
    clock.advance(60_000);
    const [m] = await receive(c, q.url, 1, false, 0);
    const event = JSON.parse(m.Body!);
    assert.deepEqual(
      { ...event, id: "" },
      {
        version: "0",
        id: "",
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account,
        time: "2026-01-01T00:01:00Z",
        region: "us-east-1",
        resources: [RuleArn],
        detail: {},
      },
    );
    // A delivery acknowledged but not yet made when the server stops (as a retry waiting for its time would be).
    s.runtime.store.table("eventbridge:pending-deliveries", `${account}/us-east-1`).put("left-over", {
      event: { ...event, id: "left-over" },
      ruleArn: RuleArn,
      ruleName: "every-minute",
      target: { Id: "q", Arn: q.arn },
      ingested: clock.now(),
      attempts: 1,
      dueAt: clock.now() + 30_000,
    });
    await s.close();

    s = await startTestServer({ dataDir, clock });
    try {
      c = clients(s, account);
      clock.advance(30_000);
      assert.equal(JSON.parse((await receive(c, q.url, 1, false, 0))[0].Body!).id, "left-over");
      clock.advance(30_000);
      const tick = JSON.parse((await receive(c, q.url, 1, false, 0))[0].Body!);
      assert.equal(tick["detail-type"], "Scheduled Event");
      assert.equal(tick.time, "2026-01-01T00:02:00Z");
      // A disabled rule stops ticking.
      await c.eb.send(new DisableRuleCommand({ Name: "every-minute" }));
      clock.advance(120_000);
      // A tick stores its deliveries as it fires (inside advance()): none are pending, none arrived.
      assert.deepEqual(s.runtime.store.table("eventbridge:pending-deliveries", `${account}/us-east-1`).list(), []);
      const r = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 0 }));
      assert.equal(r.Messages?.length ?? 0, 0);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
