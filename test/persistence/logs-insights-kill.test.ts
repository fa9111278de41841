// Logs Insights through `kill -9` (the built server, a real process): a finished query keeps its status, results and
// statistics; one caught running by the kill is Failed after the restart, never Running forever; saved query
// definitions stay.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeQueryDefinitionsCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  PutQueryDefinitionCommand,
  StartQueryCommand,
  type GetQueryResultsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import { randomAccount } from "../helpers/server.js";
import { cliClientConfig, killAll, startCli } from "../cli/spawn.js";

after(killAll);

const config = cliClientConfig;

test("kill -9: finished Insights queries keep their results, a running one is Failed, query definitions stay", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-insights-kill-"));
  const account = randomAccount();
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    const logs = new CloudWatchLogsClient(config(first.url, account));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/k" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/k", logStreamName: "s" }));
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    // Enough JSON events that a query over them is still going when the kill comes right after StartQuery.
    for (let b = 0; b < 10; b++) {
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: "/k",
          logStreamName: "s",
          logEvents: Array.from({ length: 10_000 }, (_, i) => ({ timestamp: t0 + b * 10_000 + i, message: `{"n":${i},"odd":${i % 2 === 1}}` })),
        }),
      );
    }
    const range = { logGroupName: "/k", startTime: t0 / 1000 - 1, endTime: t0 / 1000 + 3600 };
    const done = (await logs.send(new StartQueryCommand({ ...range, queryString: "stats count(*) as n by odd | sort odd" }))).queryId!;
    let r: GetQueryResultsCommandOutput;
    do r = await logs.send(new GetQueryResultsCommand({ queryId: done }));
    while (r.status !== "Complete");
    const { queryDefinitionId } = await logs.send(new PutQueryDefinitionCommand({ name: "kept", queryString: "stats count(*)" }));
    const running = (await logs.send(new StartQueryCommand({ ...range, queryString: "filter n > 10 | stats sum(n) by odd" }))).queryId!;
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      const logs2 = new CloudWatchLogsClient(config(again.url, account));
      const kept = await logs2.send(new GetQueryResultsCommand({ queryId: done }));
      assert.equal(kept.status, "Complete");
      assert.deepEqual(kept.results, r.results);
      assert.deepEqual(kept.results, [
        [
          { field: "odd", value: "false" },
          { field: "n", value: "50000" },
        ],
        [
          { field: "odd", value: "true" },
          { field: "n", value: "50000" },
        ],
      ]);
      assert.equal(kept.statistics!.recordsScanned, 100_000);
      assert.equal((await logs2.send(new GetQueryResultsCommand({ queryId: running }))).status, "Failed");
      const defs = (await logs2.send(new DescribeQueryDefinitionsCommand({}))).queryDefinitions!;
      assert.deepEqual(
        defs.map((d) => [d.queryDefinitionId, d.name]),
        [[queryDefinitionId, "kept"]],
      );
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
