// kill -9 of the built server: a running canary, its run history and its schedule are there after a restart on the
// same data directory; a run the kill interrupted is recorded as failed; the restarted server runs canaries.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateCanaryCommand, GetCanaryCommand, GetCanaryRunsCommand, StartCanaryCommand } from "@aws-sdk/client-synthetics";
import { cliClientConfig, killAll, startCli } from "../../cli/spawn.js";
import { randomAccount } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { clients, completedRuns, nodeZip, prepare, waitForState } from "./setup.js";

after(killAll);

test("kill -9: a running canary, its runs and its schedule survive; an interrupted run is failed; canaries run after the restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-syn-kill-"));
  const account = randomAccount();
  const at = (url: string) => clients({ clientConfig: () => cliClientConfig(url, account) }, account);
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    let c = at(first.url);
    const { role, bucket } = await prepare(c);
    const base = {
      ArtifactS3Location: `s3://${bucket}`,
      ExecutionRoleArn: role,
      RuntimeVersion: "syn-nodejs-puppeteer-15.0",
      RunConfig: { TimeoutInSeconds: 60 },
    };
    await c.syn.send(
      new CreateCanaryCommand({
        ...base,
        Name: "hourly",
        Code: { ZipFile: nodeZip("index", "exports.handler = async () => {};"), Handler: "index.handler" },
        Schedule: { Expression: "rate(1 hour)" },
      }),
    );
    await c.syn.send(
      new CreateCanaryCommand({
        ...base,
        Name: "slow",
        Code: { ZipFile: nodeZip("index", "exports.handler = () => new Promise((r) => setTimeout(r, 30000));"), Handler: "index.handler" },
        Schedule: { Expression: "rate(0 minute)" },
      }),
    );
    for (const name of ["hourly", "slow"]) {
      await waitForState(c, name, "READY");
      await c.syn.send(new StartCanaryCommand({ Name: name }));
    }
    const [run] = await completedRuns(c, "hourly");
    assert.equal(run!.Status?.State, "PASSED");
    await waitUntil(async () => ((await c.syn.send(new GetCanaryRunsCommand({ Name: "slow" }))).CanaryRuns ?? []).length === 1, "the slow run to start");
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      c = at(again.url);
      const hourly = (await c.syn.send(new GetCanaryCommand({ Name: "hourly" }))).Canary!;
      assert.equal(hourly.Status?.State, "RUNNING");
      assert.deepEqual(
        (await c.syn.send(new GetCanaryRunsCommand({ Name: "hourly" }))).CanaryRuns?.map((r) => [r.Id, r.Status?.State]),
        [[run!.Id, "PASSED"]],
      );
      const [slow] = (await c.syn.send(new GetCanaryRunsCommand({ Name: "slow" }))).CanaryRuns!;
      assert.equal(slow!.Status?.State, "FAILED");
      assert.equal(slow!.Status?.StateReasonCode, "EXECUTION_FAILURE");
      assert.match(slow!.Status!.StateReason!, /interrupted/);
      // The restarted server provisions and runs a new canary.
      await c.syn.send(
        new CreateCanaryCommand({
          ...base,
          Name: "after",
          Code: { ZipFile: nodeZip("index", "exports.handler = async () => {};"), Handler: "index.handler" },
          Schedule: { Expression: "rate(0 minute)" },
        }),
      );
      await waitForState(c, "after", "READY");
      await c.syn.send(new StartCanaryCommand({ Name: "after" }));
      assert.equal((await completedRuns(c, "after"))[0]!.Status?.State, "PASSED");
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
