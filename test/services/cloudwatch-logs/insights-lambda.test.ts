// Logs Insights over a real function's log group: the fields AWS discovers in Lambda's logs (@type, @requestId,
// @duration, @billedDuration, @memorySize, @maxMemoryUsed) from the START/END/REPORT lines Stratus's Lambda writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  type GetQueryResultsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import { useServer } from "../../helpers/server.js";
import { WAIT_MS } from "../../helpers/wait.js";
import { createFunction, lambdaEnv, payload } from "../lambda/setup.js";

const server = useServer();

test("Lambda's discovered fields: filter @type = 'REPORT' | stats over @memorySize, @duration, @requestId", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, {
    FunctionName: "insightful",
    MemorySize: 256,
    code: { "index.mjs": `export const handler = async (e) => { console.log("hello", e.n); return e.n; };` },
  });
  const ids: string[] = [];
  for (const n of [1, 2]) ids.push((await env.lambda.send(new InvokeCommand({ FunctionName: "insightful", Payload: payload({ n }) }))).$metadata.requestId!);
  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  // The function's lines reach the group off the invocation's path: wait for both REPORT lines.
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const events = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/insightful", filterPattern: '"REPORT RequestId"' })).then(
      (r) => r.events,
      () => undefined,
    );
    if (events?.length === 2) break;
    if (Date.now() > deadline) assert.fail(`REPORT lines did not arrive: ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const run = async (queryString: string) => {
    const now = Math.floor(Date.now() / 1000);
    const { queryId } = await logs.send(
      new StartQueryCommand({ logGroupName: "/aws/lambda/insightful", startTime: now - 600, endTime: now + 60, queryString }),
    );
    let r: GetQueryResultsCommandOutput;
    do r = await logs.send(new GetQueryResultsCommand({ queryId }));
    while (r.status === "Scheduled" || r.status === "Running");
    return r.results!.map((row) => Object.fromEntries(row.filter((f) => f.field !== "@ptr").map((f) => [f.field!, f.value!])));
  };
  const [report] = await run(
    "filter @type = 'REPORT' | stats count(*) as n, count_distinct(@requestId) as ids, max(@memorySize / 1000 / 1000) as mb, min(@duration) >= 0 as timed, min(@billedDuration) >= 1 as billed, max(@maxMemoryUsed) > 0 as used",
  );
  assert.deepEqual(report, { n: "2", ids: "2", mb: "256", timed: "1", billed: "1", used: "1" });
  const types = await run("stats count(*) as n by @type | sort @type");
  assert.deepEqual(
    types.filter((t) => t["@type"]),
    [
      { "@type": "END", n: "2" },
      { "@type": "REPORT", n: "2" },
      { "@type": "START", n: "2" },
    ],
  );
  // The function's own lines carry the request id too.
  const said = await run("filter @message like 'hello' | fields @requestId | sort @timestamp asc");
  assert.deepEqual(
    said.map((r) => r["@requestId"]),
    ids,
  );
});
