// AWS's retention as metric data ages, on a ManualClock: sub-minute periods only for 3 hours, whole minutes to 15 days,
// then 5-minute roll-ups (statistics kept, percentiles too), hourly ones past 63 days,
// nothing past 455 days.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, useServer } from "../../helpers/server.js";

const DAY = 86_400_000;
const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
const server = useServer({ clock });

test("roll-ups and expiry as data ages", async () => {
  const c = server.client(CloudWatchClient, { account: randomAccount() });
  const t0 = new Date(clock.now() - 10 * 60_000);
  await c.send(
    new PutMetricDataCommand({
      Namespace: "Age",
      MetricData: [
        { MetricName: "m", Timestamp: new Date(t0.getTime() + 5_000), Values: [1, 2, 3], StorageResolution: 1 },
        { MetricName: "m", Timestamp: new Date(t0.getTime() + 65_000), Values: [4, 4], StorageResolution: 1 },
        { MetricName: "m", Timestamp: new Date(t0.getTime() + 400_000), Value: 9, StorageResolution: 1 },
      ],
    }),
  );
  const stats = (period: number, end = t0.getTime() + 600_000) =>
    c
      .send(
        new GetMetricStatisticsCommand({
          Namespace: "Age",
          MetricName: "m",
          StartTime: t0,
          EndTime: new Date(end),
          Period: period,
          Statistics: ["SampleCount", "Sum", "Minimum", "Maximum"],
        }),
      )
      .then((r) =>
        r
          .Datapoints!.map((p) => [p.Timestamp!.getTime() - t0.getTime(), p.SampleCount, p.Sum, p.Minimum, p.Maximum])
          .sort((a, b) => (a[0] as number) - (b[0] as number)),
      );
  const p50 = (period: number) =>
    c
      .send(
        new GetMetricStatisticsCommand({
          Namespace: "Age",
          MetricName: "m",
          StartTime: t0,
          EndTime: new Date(t0.getTime() + 600_000),
          Period: period,
          ExtendedStatistics: ["p50"],
        }),
      )
      .then((r) => r.Datapoints!.map((p) => [p.Timestamp!.getTime() - t0.getTime(), p.ExtendedStatistics]).sort((a, b) => (a[0] as number) - (b[0] as number)));

  assert.deepEqual(await stats(1), [
    [5_000, 3, 6, 1, 3],
    [65_000, 2, 8, 4, 4],
    [400_000, 1, 9, 9, 9],
  ]);

  // Past 3 hours: whole minutes only.
  clock.advance(4 * 3600_000);
  assert.deepEqual(await stats(1), []);
  assert.deepEqual(await stats(60), [
    [0, 3, 6, 1, 3],
    [60_000, 2, 8, 4, 4],
    [360_000, 1, 9, 9, 9],
  ]);

  // Past 15 days: rolled up to 5 minutes; the statistics are intact (each bucket keeps its few distinct values).
  clock.advance(16 * DAY);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await stats(60), []);
  assert.deepEqual(await stats(300), [
    [0, 5, 14, 1, 4],
    [300_000, 1, 9, 9, 9],
  ]);
  assert.deepEqual(await p50(300), [
    [0, { p50: 3 }],
    [300_000, { p50: 9 }],
  ]);
  // No new data for two weeks: ListMetrics leaves it out.
  assert.deepEqual((await c.send(new ListMetricsCommand({ Namespace: "Age" }))).Metrics, []);

  // Past 63 days: hourly.
  clock.advance(50 * DAY);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await stats(300), []);
  assert.deepEqual(await stats(3600, t0.getTime() + 3600_000), [[-t0.getTime() % 3600_000, 6, 23, 1, 9]]);

  // Past 455 days: gone.
  clock.advance(400 * DAY);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await stats(3600, t0.getTime() + 3600_000), []);
});
