// CloudWatch metrics through SDK v3 (JSON 1.0, its default): PutMetricData and its checks, GetMetricStatistics' exact
// statistics (basic, percentiles, trimmed and other extended ones), units kept apart, period rules, ListMetrics.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type ListMetricsCommandInput,
  PutMetricDataCommand,
  type MetricDatum,
} from "@aws-sdk/client-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();
const cw = (account = randomAccount()) => server.client(CloudWatchClient, { account });

async function fails(p: Promise<unknown>, name: string | RegExp, message: string | RegExp, status = 400): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    if (typeof name === "string") assert.equal(e.name, name);
    else assert.match(e.name, name);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

/** The start of the current minute, a few minutes back so a whole minute of data is in the past. */
const minuteAgo = (n: number) => {
  const t = Date.now() - n * 60_000;
  return new Date(t - (t % 60_000));
};

test("PutMetricData then GetMetricStatistics: exact basic statistics per period, Values with Counts and statistic sets", async () => {
  const c = cw();
  const t0 = minuteAgo(5);
  const at = (s: number) => new Date(t0.getTime() + s * 1000);
  await c.send(
    new PutMetricDataCommand({
      Namespace: "App",
      MetricData: [
        { MetricName: "Latency", Dimensions: [{ Name: "Api", Value: "get" }], Timestamp: at(1), Value: 10, Unit: "Milliseconds" },
        { MetricName: "Latency", Dimensions: [{ Name: "Api", Value: "get" }], Timestamp: at(20), Values: [1, 2, 30], Counts: [1, 3, 1], Unit: "Milliseconds" },
        {
          MetricName: "Latency",
          Dimensions: [{ Name: "Api", Value: "get" }],
          Timestamp: at(70),
          StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 5, Maximum: 15 },
          Unit: "Milliseconds",
        },
      ],
    }),
  );
  const out = await c.send(
    new GetMetricStatisticsCommand({
      Namespace: "App",
      MetricName: "Latency",
      Dimensions: [{ Name: "Api", Value: "get" }],
      StartTime: t0,
      EndTime: new Date(t0.getTime() + 180_000),
      Period: 60,
      Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
    }),
  );
  assert.equal(out.Label, "Latency");
  const points = out.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
  assert.deepEqual(
    points.map((p) => [p.Timestamp!.getTime() - t0.getTime(), p.SampleCount, p.Sum, p.Average, p.Minimum, p.Maximum, p.Unit]),
    [
      [0, 6, 10 + 1 + 6 + 30, 47 / 6, 1, 30, "Milliseconds"],
      [60_000, 4, 40, 10, 5, 15, "Milliseconds"],
    ],
  );

  // Another dimension set is another metric; the same dimensions in another order are the same one.
  const other = await c.send(
    new GetMetricStatisticsCommand({
      Namespace: "App",
      MetricName: "Latency",
      StartTime: t0,
      EndTime: new Date(t0.getTime() + 180_000),
      Period: 60,
      Statistics: ["Sum"],
    }),
  );
  assert.deepEqual(other.Datapoints, []);
  const whole = await c.send(
    new GetMetricStatisticsCommand({
      Namespace: "App",
      MetricName: "Latency",
      Dimensions: [{ Name: "Api", Value: "get" }],
      StartTime: t0,
      EndTime: new Date(t0.getTime() + 180_000),
      Period: 180,
      Statistics: ["SampleCount"],
    }),
  );
  assert.deepEqual(
    whole.Datapoints!.map((p) => p.SampleCount),
    [10],
  );
});

test("extended statistics are exact over raw values: percentiles, trimmed means, winsorized mean, counts, sums, IQM, percentile rank", async () => {
  const c = cw();
  const t0 = minuteAgo(4);
  // 1..100, one value each.
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  await c.send(
    new PutMetricDataCommand({
      Namespace: "Ext",
      MetricData: [
        { MetricName: "V", Timestamp: t0, Values: values.slice(0, 50) },
        { MetricName: "V", Timestamp: t0, Values: values.slice(50) },
      ],
    }),
  );
  const q = (ExtendedStatistics: string[]) =>
    c.send(
      new GetMetricStatisticsCommand({
        Namespace: "Ext",
        MetricName: "V",
        StartTime: t0,
        EndTime: new Date(t0.getTime() + 60_000),
        Period: 60,
        ExtendedStatistics,
      }),
    );
  const out = await q(["p50", "p99", "p100", "tm90", "TM(10%:90%)", "IQM", "tc90", "ts90", "wm90", "PR(:25)"]);
  const more = await q(["TM(10:20)", "p99.5"]);
  assert.equal(out.Datapoints!.length, 1);
  const e = { ...out.Datapoints![0].ExtendedStatistics!, ...more.Datapoints![0].ExtendedStatistics! };
  assert.equal(e.p50, 50);
  assert.equal(e.p99, 99);
  assert.equal(e.p100, 100);
  assert.equal(e["p99.5"], 100);
  assert.equal(e.tm90, 45.5); // mean of 1..90
  assert.equal(e["TM(10%:90%)"], 50.5); // mean of 11..90
  assert.equal(e.IQM, 50.5); // mean of 26..75
  assert.equal(e.tc90, 90);
  assert.equal(e.ts90, 4095);
  assert.equal(e.wm90, (4095 + 10 * 90) / 100);
  assert.equal(e["PR(:25)"], 25);
  assert.equal(e["TM(10:20)"], 15.5); // values in (10, 20]
  assert.equal(out.Datapoints![0].Unit, "None");
  assert.equal(out.Datapoints![0].Sum, undefined);
});

test("one datapoint per unit, no conversion; a Unit in the query keeps only that unit", async () => {
  const c = cw();
  const t0 = minuteAgo(3);
  await c.send(
    new PutMetricDataCommand({
      Namespace: "Units",
      MetricData: [
        { MetricName: "m", Timestamp: t0, Value: 1, Unit: "Seconds" },
        { MetricName: "m", Timestamp: t0, Value: 5, Unit: "Count" },
        { MetricName: "m", Timestamp: t0, Value: 10 },
      ],
    }),
  );
  const q = { Namespace: "Units", MetricName: "m", StartTime: t0, EndTime: new Date(t0.getTime() + 60_000), Period: 60, Statistics: ["Average" as const] };
  const all = await c.send(new GetMetricStatisticsCommand(q));
  assert.deepEqual(all.Datapoints!.map((p) => [p.Unit, p.Average]).sort(), [
    ["Count", 5],
    ["None", 10],
    ["Seconds", 1],
  ]);
  const ms = await c.send(new GetMetricStatisticsCommand({ ...q, Unit: "Milliseconds" }));
  assert.deepEqual(ms.Datapoints, []);
  const s = await c.send(new GetMetricStatisticsCommand({ ...q, Unit: "Seconds" }));
  assert.deepEqual(
    s.Datapoints!.map((p) => [p.Unit, p.Average]),
    [["Seconds", 1]],
  );
});

test("high-resolution data at 1-second periods; standard resolution at the minute", async () => {
  const c = cw();
  const t0 = minuteAgo(2);
  await c.send(
    new PutMetricDataCommand({
      Namespace: "Hi",
      MetricData: [
        { MetricName: "h", Timestamp: new Date(t0.getTime() + 1500), Value: 1, StorageResolution: 1 },
        { MetricName: "h", Timestamp: new Date(t0.getTime() + 3200), Value: 2, StorageResolution: 1 },
        { MetricName: "s", Timestamp: new Date(t0.getTime() + 3200), Value: 2 },
      ],
    }),
  );
  const q = (name: string) =>
    c.send(
      new GetMetricStatisticsCommand({
        Namespace: "Hi",
        MetricName: name,
        StartTime: t0,
        EndTime: new Date(t0.getTime() + 10_000),
        Period: 1,
        Statistics: ["Sum"],
      }),
    );
  assert.deepEqual((await q("h")).Datapoints!.map((p) => [p.Timestamp!.getTime() - t0.getTime(), p.Sum]).sort(), [
    [1000, 1],
    [3000, 2],
  ]);
  assert.deepEqual(
    (await q("s")).Datapoints!.map((p) => [p.Timestamp!.getTime() - t0.getTime(), p.Sum]),
    [[0, 2]],
  );
});

test("GetMetricStatistics: AWS's limits and checks", async () => {
  const c = cw();
  const end = new Date();
  const q = { Namespace: "N", MetricName: "m", StartTime: new Date(end.getTime() - 86_400_000), EndTime: end, Period: 1, Statistics: ["Sum" as const] };
  await fails(
    c.send(new GetMetricStatisticsCommand(q)),
    "InvalidParameterCombinationException",
    "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
  );
  await fails(
    c.send(new GetMetricStatisticsCommand({ ...q, StartTime: end, EndTime: new Date(end.getTime() - 1000), Period: 60 })),
    "InvalidParameterValueException",
    "The parameter StartTime must be less than the parameter EndTime.",
  );
  await fails(
    c.send(new GetMetricStatisticsCommand({ ...q, Period: 60, Statistics: undefined })),
    "MissingRequiredParameterException",
    /Statistics or ExtendedStatistics/,
  );
  await fails(
    c.send(new GetMetricStatisticsCommand({ ...q, Period: 60, ExtendedStatistics: ["p90"] })),
    "InvalidParameterCombinationException",
    /Statistics and ExtendedStatistics are mutually exclusive/,
  );
  await fails(
    c.send(new GetMetricStatisticsCommand({ ...q, Period: 60, Statistics: undefined, ExtendedStatistics: ["p101"] })),
    "InvalidParameterValueException",
    /p101/,
  );
  await fails(c.send(new GetMetricStatisticsCommand({ ...q, Period: 45 })), "InvalidParameterValueException", /Period/);
  // Older than 3 hours at a sub-minute period: no datapoints, as AWS answers.
  const old = new Date(Date.now() - 4 * 3600_000);
  await c.send(new PutMetricDataCommand({ Namespace: "N", MetricData: [{ MetricName: "m", Timestamp: old, Value: 1, StorageResolution: 1 }] }));
  const sub = await c.send(
    new GetMetricStatisticsCommand({ ...q, StartTime: new Date(old.getTime() - 1000), EndTime: new Date(old.getTime() + 600_000), Period: 10 }),
  );
  assert.deepEqual(sub.Datapoints, []);
  const minute = await c.send(
    new GetMetricStatisticsCommand({ ...q, StartTime: new Date(old.getTime() - 60_000), EndTime: new Date(old.getTime() + 600_000), Period: 60 }),
  );
  assert.equal(minute.Datapoints!.length, 1);
});

test("PutMetricData: AWS's checks, codes and texts", async () => {
  const c = cw();
  const put = (d: Partial<MetricDatum>, ns = "V") => c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: "m", ...d }] }));
  await fails(
    put({ Value: 1, Values: [1, 2] }),
    "InvalidParameterCombinationException",
    "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both.",
  );
  await fails(
    put({ Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }),
    "InvalidParameterCombinationException",
    "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.",
  );
  await fails(
    put({ Values: [1, 2], Counts: [1] }),
    "InvalidParameterValueException",
    "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.",
  );
  await fails(
    put({ Value: 1, Timestamp: new Date(Date.now() - 15 * 86_400_000) }),
    "InvalidParameterValueException",
    "The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.",
  );
  await fails(put({ Value: 1, Timestamp: new Date(Date.now() + 3 * 3600_000) }), "InvalidParameterValueException", /MetricData\.member\.1\.Timestamp/);
  await fails(put({ Value: Number.NaN }), "InvalidParameterValueException", "The value NaN for parameter MetricData.member.1.Value is invalid.");
  await fails(
    put({ Value: Number.POSITIVE_INFINITY }),
    "InvalidParameterValueException",
    "The value Infinity for parameter MetricData.member.1.Value is invalid.",
  );
  await fails(
    put({ Values: [1, -(2 ** 361)] }),
    "InvalidParameterValueException",
    /The value -4\.69\d*E108 for parameter MetricData\.member\.1\.Values is invalid\./,
  );
  await fails(put({ Value: 1, StorageResolution: 30 }), "InvalidParameterValueException", /StorageResolution/);
  await fails(
    put({ Values: Array.from({ length: 151 }, () => 1) }),
    "InvalidParameterValueException",
    /MetricData\.member\.1\.Values must not have a size greater than 150/,
  );
  await fails(put({ Value: 1 }, "AWS/EC2"), "InvalidParameterValueException", /Namespace/);
  // The model's own limit: 30 dimensions.
  await fails(
    put({ Value: 1, Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: "v" })) }),
    /^Validation(Error|Exception)$/,
    /dimensions/i,
  );
  await fails(
    c.send(new PutMetricDataCommand({ Namespace: "V", MetricData: Array.from({ length: 1001 }, () => ({ MetricName: "m", Value: 1 })) })),
    "InvalidParameterValueException",
    "The collection MetricData must not have a size greater than 1000.",
  );
  // Nothing of a refused call was stored.
  const listed = await c.send(new ListMetricsCommand({ Namespace: "V" }));
  assert.deepEqual(listed.Metrics, []);
});

test("ListMetrics: namespace, name and dimension filters, RecentlyActive, paging by 500", async () => {
  const c = cw();
  await c.send(
    new PutMetricDataCommand({
      Namespace: "L",
      MetricData: [
        {
          MetricName: "a",
          Dimensions: [
            { Name: "Z", Value: "1" },
            { Name: "A", Value: "x" },
          ],
          Value: 1,
        },
        { MetricName: "a", Dimensions: [{ Name: "A", Value: "y" }], Value: 1 },
        { MetricName: "b", Value: 1 },
      ],
    }),
  );
  await c.send(new PutMetricDataCommand({ Namespace: "Other", MetricData: [{ MetricName: "a", Value: 1 }] }));
  // The same dimensions in another order are the same metric.
  await c.send(
    new PutMetricDataCommand({
      Namespace: "L",
      MetricData: [
        {
          MetricName: "a",
          Dimensions: [
            { Name: "A", Value: "x" },
            { Name: "Z", Value: "1" },
          ],
          Value: 2,
        },
      ],
    }),
  );
  const list = async (input: ListMetricsCommandInput) =>
    (await c.send(new ListMetricsCommand(input)))
      .Metrics!.map((m) => `${m.Namespace}/${m.MetricName}/${m.Dimensions!.map((d) => `${d.Name}=${d.Value}`).join(",")}`)
      .sort();
  assert.deepEqual(await list({ Namespace: "L" }), ["L/a/A=x,Z=1", "L/a/A=y", "L/b/"]);
  assert.deepEqual(await list({ MetricName: "a" }), ["L/a/A=x,Z=1", "L/a/A=y", "Other/a/"]);
  assert.deepEqual(await list({ Dimensions: [{ Name: "A" }] }), ["L/a/A=x,Z=1", "L/a/A=y"]);
  assert.deepEqual(await list({ Dimensions: [{ Name: "A", Value: "y" }] }), ["L/a/A=y"]);
  assert.deepEqual(await list({ Dimensions: [{ Name: "A", Value: "x" }, { Name: "Z" }], RecentlyActive: "PT3H" }), ["L/a/A=x,Z=1"]);

  const many = Array.from({ length: 620 }, (_, i) => ({ MetricName: "p", Dimensions: [{ Name: "i", Value: String(i) }], Value: i }));
  for (let i = 0; i < many.length; i += 310) await c.send(new PutMetricDataCommand({ Namespace: "P", MetricData: many.slice(i, i + 310) }));
  const first = await c.send(new ListMetricsCommand({ Namespace: "P" }));
  assert.equal(first.Metrics!.length, 500);
  assert.ok(first.NextToken);
  const second = await c.send(new ListMetricsCommand({ Namespace: "P", NextToken: first.NextToken }));
  assert.equal(second.Metrics!.length, 120);
  assert.equal(second.NextToken, undefined);
  const seen = new Set([...first.Metrics!, ...second.Metrics!].map((m) => m.Dimensions![0].Value));
  assert.equal(seen.size, 620);
  await fails(c.send(new ListMetricsCommand({ Namespace: "L", NextToken: first.NextToken })), "InvalidParameterValueException", /NextToken/);
});
