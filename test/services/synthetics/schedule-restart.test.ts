// A canary on rate(1 minute) runs at its start and then each minute on the runtime clock (a ManualClock: the test
// moves time); after a restart on the same data directory it is still RUNNING and its next run comes on time; the
// run history survives; a schedule's DurationInSeconds stops it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateCanaryCommand, GetCanaryCommand, GetCanaryRunsCommand, StartCanaryCommand } from "@aws-sdk/client-synthetics";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { clients, completedRuns, nodeZip, prepare, waitForState } from "./setup.js";

test("rate(1 minute) runs each minute and keeps running after a restart; DurationInSeconds stops it", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-syn-sched-"));
  const clock = new ManualClock(Date.UTC(2026, 11, 6, 12, 0, 0));
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir, clock });
    let c = clients(s, account);
    const { role, bucket } = await prepare(c);
    await c.syn.send(
      new CreateCanaryCommand({
        Name: "minutely",
        Code: {
          ZipFile: nodeZip("index", "const log = require('SyntheticsLogger');\nexports.handler = async () => { log.info('tick'); };"),
          Handler: "index.handler",
        },
        ArtifactS3Location: `s3://${bucket}/m`,
        ExecutionRoleArn: role,
        Schedule: { Expression: "rate(1 minute)", DurationInSeconds: 150 },
        RuntimeVersion: "syn-nodejs-puppeteer-15.0",
        RunConfig: { TimeoutInSeconds: 30 },
      }),
    );
    await waitForState(c, "minutely", "READY");
    await c.syn.send(new StartCanaryCommand({ Name: "minutely" }));
    await waitForState(c, "minutely", "RUNNING");
    const [first] = await completedRuns(c, "minutely", 1);
    assert.equal(first!.Status?.State, "PASSED", first!.Status?.StateReason);
    assert.equal(first!.Timeline?.Started?.toISOString(), "2026-12-06T12:00:00.000Z");
    assert.match(first!.ArtifactS3Location!, /\/2026\/12\/06\/12\/00-00-000$/);
    clock.advance(60_000);
    const second = await completedRuns(c, "minutely", 2);
    assert.equal(second[0]!.Timeline?.Started?.toISOString(), "2026-12-06T12:01:00.000Z");
    await s.close();

    s = await startTestServer({ dataDir, clock });
    try {
      c = clients(s, account);
      // Synthetics resumes with the server (it asked to start at boot): its next run is due at 12:02.
      assert.equal((await c.syn.send(new GetCanaryCommand({ Name: "minutely" }))).Canary?.Status?.State, "RUNNING");
      clock.advance(60_000);
      const third = await completedRuns(c, "minutely", 3);
      assert.equal(third[0]!.Timeline?.Started?.toISOString(), "2026-12-06T12:02:00.000Z");
      assert.equal(third[0]!.Status?.State, "PASSED");
      // GetCanaryRuns pages newest first.
      const p1 = await c.syn.send(new GetCanaryRunsCommand({ Name: "minutely", MaxResults: 2 }));
      const p2 = await c.syn.send(new GetCanaryRunsCommand({ Name: "minutely", MaxResults: 2, NextToken: p1.NextToken }));
      assert.deepEqual(
        [...p1.CanaryRuns!, ...p2.CanaryRuns!].map((r) => r.Timeline?.Started?.toISOString().slice(11, 16)),
        ["12:02", "12:01", "12:00"],
      );
      assert.equal(p2.NextToken, undefined);
      // 150 s after the start the schedule's duration is over: the canary stops at its next due run.
      clock.advance(60_000);
      await waitForState(c, "minutely", "STOPPED");
      assert.equal((await completedRuns(c, "minutely", 3)).length, 3);
      // SuccessRetentionPeriodInDays (31 by default): the hourly sweep deletes runs older than that.
      clock.advance(32 * 86_400_000);
      await waitUntil(async () => ((await c.syn.send(new GetCanaryRunsCommand({ Name: "minutely" }))).CanaryRuns ?? []).length === 0, "the runs to be swept");
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
