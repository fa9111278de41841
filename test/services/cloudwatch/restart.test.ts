// CloudWatch state through a restart and through kill -9 of the built server: metric data (exact statistics after),
// ListMetrics, dashboards.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchClient,
  GetDashboardCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutDashboardCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { cliClientConfig, killAll, startCli } from "../../cli/spawn.js";

after(killAll);

const config = cliClientConfig;

async function write(c: CloudWatchClient, t0: Date): Promise<void> {
  await c.send(
    new PutMetricDataCommand({
      Namespace: "Keep",
      MetricData: [
        { MetricName: "m", Dimensions: [{ Name: "d", Value: "1" }], Timestamp: t0, Values: [1, 2, 3, 4], Unit: "Count" },
        {
          MetricName: "m",
          Dimensions: [{ Name: "d", Value: "1" }],
          Timestamp: t0,
          StatisticValues: { SampleCount: 2, Sum: 20, Minimum: 10, Maximum: 10 },
          Unit: "Count",
        },
      ],
    }),
  );
  await c.send(new PutDashboardCommand({ DashboardName: "kept", DashboardBody: JSON.stringify({ widgets: [] }) }));
}

async function check(c: CloudWatchClient, t0: Date): Promise<void> {
  const out = await c.send(
    new GetMetricStatisticsCommand({
      Namespace: "Keep",
      MetricName: "m",
      Dimensions: [{ Name: "d", Value: "1" }],
      StartTime: t0,
      EndTime: new Date(t0.getTime() + 60_000),
      Period: 60,
      ExtendedStatistics: ["p50", "p100"],
    }),
  );
  assert.deepEqual(
    out.Datapoints!.map((p) => [p.Timestamp!.getTime(), p.ExtendedStatistics, p.Unit]),
    [[t0.getTime(), { p50: 3, p100: 10 }, "Count"]],
  );
  const sum = await c.send(
    new GetMetricStatisticsCommand({
      Namespace: "Keep",
      MetricName: "m",
      Dimensions: [{ Name: "d", Value: "1" }],
      StartTime: t0,
      EndTime: new Date(t0.getTime() + 60_000),
      Period: 60,
      Statistics: ["Sum", "SampleCount"],
    }),
  );
  assert.deepEqual(
    sum.Datapoints!.map((p) => [p.Sum, p.SampleCount]),
    [[30, 6]],
  );
  assert.equal((await c.send(new ListMetricsCommand({ Namespace: "Keep" }))).Metrics!.length, 1);
  assert.equal((await c.send(new GetDashboardCommand({ DashboardName: "kept" }))).DashboardBody, '{"widgets":[]}');
}

const minuteAgo = () => {
  const t = Date.now() - 120_000;
  return new Date(t - (t % 60_000));
};

test("metrics and dashboards survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-cw-"));
  const account = randomAccount();
  const t0 = minuteAgo();
  try {
    let server = await startTestServer({ dataDir });
    await write(new CloudWatchClient(server.clientConfig({ account })), t0);
    await server.close();
    server = await startTestServer({ dataDir });
    await check(new CloudWatchClient(server.clientConfig({ account })), t0);
    await server.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("kill -9: every acknowledged PutMetricData is there after", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-cw-kill-"));
  const account = randomAccount();
  const t0 = minuteAgo();
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    await write(new CloudWatchClient(config(first.url, account)), t0);
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");
    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      await check(new CloudWatchClient(config(again.url, account)), t0);
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
