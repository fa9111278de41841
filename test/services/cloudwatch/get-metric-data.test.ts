// GetMetricData through SDK v3 (JSON 1.0, its default) and over CBOR: MetricStat queries at basic and extended statistics,
// units, AWS's generated labels, ScanBy, paging with NextToken and MaxDatapoints, MultipleUnits, validation errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();
const cw = (account = randomAccount()) => server.client(CloudWatchClient, { account });

/** The start of the minute n minutes back. */
const minuteAgo = (n: number) => {
  const t = Date.now() - n * 60_000;
  return t - (t % 60_000);
};

const stat = (id: string, metric: string, s: string, period = 60, extra: Partial<MetricDataQuery["MetricStat"]> = {}, ns = "App"): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: ns, MetricName: metric }, Period: period, Stat: s, ...extra },
});

async function put(c: CloudWatchClient, data: MetricDatum[], ns = "App") {
  for (let i = 0; i < data.length; i += 1000) await c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: data.slice(i, i + 1000) }));
}

test("MetricStat queries: exact values per period, descending by default, ascending on request, generated labels", async () => {
  const c = cw();
  const t0 = minuteAgo(10);
  // Latency: minute 0 → 1, 2, 3; minute 1 → 10; minute 3 → 4, 8.
  await put(c, [
    ...[1, 2, 3].map((v) => ({ MetricName: "Latency", Value: v, Timestamp: new Date(t0 + v * 1000), Unit: "Milliseconds" as const })),
    { MetricName: "Latency", Value: 10, Timestamp: new Date(t0 + 60_000 + 5000), Unit: "Milliseconds" },
    { MetricName: "Latency", Values: [4, 8], Timestamp: new Date(t0 + 180_000), Unit: "Milliseconds" },
  ]);
  const range = { StartTime: new Date(t0), EndTime: new Date(t0 + 5 * 60_000) };
  const out = await c.send(
    new GetMetricDataCommand({
      MetricDataQueries: [stat("sum1", "Latency", "Sum"), stat("max1", "Latency", "Maximum"), stat("p50", "Latency", "p50")],
      ...range,
    }),
  );
  assert.deepEqual(out.Messages, []);
  const [sum, max, p50] = out.MetricDataResults!;
  assert.deepEqual(
    [sum.Id, sum.Label, sum.StatusCode, sum.Values, sum.Timestamps!.map((d) => d.getTime())],
    ["sum1", "Latency Sum", "Complete", [12, 10, 6], [t0 + 180_000, t0 + 60_000, t0]],
  );
  assert.deepEqual([max.Label, max.Values], ["Latency Maximum", [8, 10, 3]]);
  assert.deepEqual([p50.Label, p50.Values], ["Latency p50", [4, 10, 2]]);

  const asc = await c.send(new GetMetricDataCommand({ MetricDataQueries: [stat("m", "Latency", "Average", 120)], ...range, ScanBy: "TimestampAscending" }));
  const r = asc.MetricDataResults![0];
  // One query: the label is the metric name alone. 120-s buckets: [t0, t0+120) → 1,2,3,10; [t0+120, t0+240) → 4, 8.
  assert.deepEqual([r.Label, r.Values, r.Timestamps!.map((d) => d.getTime())], ["Latency", [4, 6], [t0, t0 + 120_000]]);

  // Periods differ but not statistics: the period is appended; a Label given is kept as is.
  const lab = await c.send(
    new GetMetricDataCommand({
      MetricDataQueries: [stat("a", "Latency", "Sum", 60), stat("b", "Latency", "Sum", 120), { ...stat("d", "Latency", "Sum"), Label: "mine" }],
      ...range,
    }),
  );
  assert.deepEqual(
    lab.MetricDataResults!.map((x) => x.Label),
    ["Latency 60", "Latency 120", "mine"],
  );
  // A unit that was never stored: no datapoints, still Complete.
  const none = await c.send(new GetMetricDataCommand({ MetricDataQueries: [stat("u", "Latency", "Sum", 60, { Unit: "Seconds" })], ...range }));
  assert.deepEqual([none.MetricDataResults![0].Values, none.MetricDataResults![0].StatusCode], [[], "Complete"]);
});

test("several units and no Unit in the query: AWS's unit is chosen and a MultipleUnits message names them all", async () => {
  const c = cw();
  const t0 = minuteAgo(5);
  await put(c, [
    { MetricName: "Mixed", Value: 60_000, Unit: "Milliseconds", Timestamp: new Date(t0 + 1000) },
    { MetricName: "Mixed", Value: 60, Unit: "Seconds", Timestamp: new Date(t0 + 2000) },
    { MetricName: "Mixed", Value: 5, Unit: "Count", Timestamp: new Date(t0 + 3000) },
  ]);
  const out = await c.send(
    new GetMetricDataCommand({ MetricDataQueries: [stat("m1", "Mixed", "Sum")], StartTime: new Date(t0), EndTime: new Date(t0 + 60_000) }),
  );
  const r = out.MetricDataResults![0];
  assert.deepEqual(r.Values, [5]);
  assert.deepEqual(r.Messages, [{ Code: "MultipleUnits", Value: "Multiple units returned: '[Count, Milliseconds, Seconds]'" }]);
  const ms = await c.send(
    new GetMetricDataCommand({
      MetricDataQueries: [stat("m1", "Mixed", "Sum", 60, { Unit: "Milliseconds" })],
      StartTime: new Date(t0),
      EndTime: new Date(t0 + 60_000),
    }),
  );
  assert.deepEqual([ms.MetricDataResults![0].Values, ms.MetricDataResults![0].Messages], [[60_000], undefined]);
});

test("paging: MaxDatapoints per page, PartialData then Complete, NextToken bound to the request", async () => {
  const c = cw();
  const t0 = minuteAgo(100);
  await put(
    c,
    Array.from({ length: 90 }, (_, i) => ({ MetricName: "Pages", Value: i, Timestamp: new Date(t0 + i * 60_000) })),
  );
  const input = {
    MetricDataQueries: [stat("a", "Pages", "Sum"), stat("b", "Pages", "Maximum")],
    StartTime: new Date(t0),
    EndTime: new Date(t0 + 90 * 60_000),
    MaxDatapoints: 50,
    ScanBy: "TimestampAscending" as const,
  };
  const got: Record<string, number[]> = { a: [], b: [] };
  const statuses: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await c.send(new GetMetricDataCommand({ ...input, NextToken: token }));
    pages++;
    let n = 0;
    for (const r of out.MetricDataResults!) {
      got[r.Id!].push(...r.Values!);
      statuses.push(`${r.Id}:${r.StatusCode}`);
      n += r.Values!.length;
    }
    assert.ok(n <= 50);
    token = out.NextToken;
  } while (token);
  const all = Array.from({ length: 90 }, (_, i) => i);
  assert.deepEqual(got, { a: all, b: all });
  assert.equal(pages, 4);
  assert.deepEqual(statuses, ["a:PartialData", "a:Complete", "b:PartialData", "b:PartialData", "b:Complete"]);
  await assert.rejects(
    c.send(new GetMetricDataCommand({ ...input, MaxDatapoints: 10, NextToken: (await c.send(new GetMetricDataCommand(input))).NextToken })),
    (e: Error) => e.name === "InvalidNextToken",
  );
});

test("bad queries answer AWS's ValidationError, one line per problem", async () => {
  const c = cw();
  const range = { StartTime: new Date(minuteAgo(10)), EndTime: new Date(minuteAgo(0)) };
  await assert.rejects(c.send(new GetMetricDataCommand({ MetricDataQueries: [stat("M1", "x", "Sum"), stat("5xx", "x", "Sum")], ...range })), (e: Error) => {
    assert.equal((e as Error & { Code?: string }).Code, "ValidationError"); // the code AWS sends in x-amzn-query-error
    assert.equal(
      e.message,
      "The value M1 for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.\n" +
        "The value 5xx for parameter MetricDataQueries.member.2.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.\n",
    );
    return true;
  });
  await assert.rejects(c.send(new GetMetricDataCommand({ MetricDataQueries: [{ Id: "e1", Label: "x" }], ...range })), (e: Error) => {
    assert.equal((e as Error & { Code?: string }).Code, "ValidationError"); // the code AWS sends in x-amzn-query-error
    assert.equal(e.message, "The parameter MetricDataQueries.member.1.MetricStat is required.\n");
    return true;
  });
  await assert.rejects(
    c.send(new GetMetricDataCommand({ MetricDataQueries: [{ Id: "m", MetricStat: { Metric: { MetricName: "x" }, Period: 60, Stat: "Sum" } }], ...range })),
    (e: Error & { Code?: string }) =>
      e.Code === "ValidationError" && e.message === "The parameter MetricDataQueries.member.1.MetricStat.Metric.Namespace is required.\n",
  );
  await assert.rejects(
    c.send(new GetMetricDataCommand({ MetricDataQueries: Array.from({ length: 501 }, (_, i) => stat(`m${i}`, "x", "Sum")), ...range })),
    (e: Error) => e.name === "InvalidParameterValueException" && e.message === "The collection MetricDataQueries must not have a size greater than 500.",
  );
  await assert.rejects(
    c.send(new GetMetricDataCommand({ MetricDataQueries: [stat("m", "x", "Sum")], StartTime: range.EndTime, EndTime: range.StartTime })),
    (e: Error) => e.name === "InvalidParameterValueException" && e.message === "The parameter StartTime must be less than the parameter EndTime.",
  );
});

const protocols = { cbor: AwsSmithyRpcV2CborProtocol, json: undefined, query: AwsQueryProtocol } as const;
for (const [name, protocol] of Object.entries(protocols))
  test(`${name}: a MetricStat query, an expression over it, and a ValidationError`, async () => {
    const c = server.client(CloudWatchClient, { account: randomAccount() }, protocol ? { protocol } : {});
    const t0 = minuteAgo(5);
    await put(c, [
      { MetricName: "Req", Values: [2, 4], Timestamp: new Date(t0), Unit: "Count" },
      { MetricName: "Req", Value: 9, Timestamp: new Date(t0 + 60_000), Unit: "Count" },
      { MetricName: "Two", Value: 1, Timestamp: new Date(t0), Unit: "Bytes" },
      { MetricName: "Two", Value: 2, Timestamp: new Date(t0), Unit: "Percent" },
    ]);
    const out = await c.send(
      new GetMetricDataCommand({
        MetricDataQueries: [stat("m1", "Req", "Sum"), { Id: "e1", Expression: "m1 * 10", Label: "Tenfold" }, { ...stat("two", "Two", "Sum"), Label: "Two" }],
        StartTime: new Date(t0),
        EndTime: new Date(t0 + 120_000),
      }),
    );
    assert.deepEqual(
      out.MetricDataResults!.map((r) => [r.Id, r.Label, r.StatusCode, r.Values, r.Timestamps!.map((d) => d.getTime())]),
      [
        ["m1", "Req", "Complete", [9, 6], [t0 + 60_000, t0]],
        ["e1", "Tenfold", "Complete", [90, 60], [t0 + 60_000, t0]],
        ["two", "Two", "Complete", [1], [t0]],
      ],
    );
    assert.deepEqual(out.Messages ?? [], []);
    assert.deepEqual(
      out.MetricDataResults!.map((r) => r.Messages),
      [undefined, undefined, [{ Code: "MultipleUnits", Value: "Multiple units returned: '[Bytes, Percent]'" }]],
    );
    await assert.rejects(
      c.send(new GetMetricDataCommand({ MetricDataQueries: [stat("Bad", "Req", "Sum")], StartTime: new Date(t0), EndTime: new Date(t0 + 60_000) })),
      (e: Error & { Code?: string; $metadata: { httpStatusCode?: number } }) => {
        assert.match(e.name, /^Validation(Error|Exception)$/);
        assert.equal(e.message.trim(), "The value Bad for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.");
        assert.equal(e.$metadata.httpStatusCode, 400);
        return true;
      },
    );
  });

test("dynamic labels: statistics over the range, times in LabelOptions.Timezone, the metric's properties, ${LABEL}", async () => {
  const c = cw();
  const base = minuteAgo(50);
  await put(c, [
    { MetricName: "Dyn", Dimensions: [{ Name: "Host", Value: "h1" }], Value: 5, Timestamp: new Date(base) },
    { MetricName: "Dyn", Dimensions: [{ Name: "Host", Value: "h1" }], Value: 9, Timestamp: new Date(base + 60_000) },
    { MetricName: "Dyn", Dimensions: [{ Name: "Host", Value: "h1" }], Value: 2, Timestamp: new Date(base + 120_000) },
  ]);
  const q: MetricDataQuery = {
    Id: "d",
    MetricStat: { Metric: { Namespace: "App", MetricName: "Dyn", Dimensions: [{ Name: "Host", Value: "h1" }] }, Period: 60, Stat: "Maximum" },
    Label: "${LABEL} on ${PROP('Dim.Host')} (${PROP('Stat')}/${PROP('Period')}): max ${MAX} at ${MAX_TIME}, avg ${AVG}, n=${DATAPOINT_COUNT}, ${NOPE}",
  };
  const range = { StartTime: new Date(base), EndTime: new Date(base + 180_000) };
  const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
  const utc = await c.send(new GetMetricDataCommand({ MetricDataQueries: [q], ...range }));
  assert.equal(utc.MetricDataResults![0].Label, `Dyn on h1 (Maximum/60): max 9 at ${fmt(base + 60_000)}, avg ${16 / 3}, n=3, \${NOPE}`);
  const east = await c.send(new GetMetricDataCommand({ MetricDataQueries: [q], ...range, LabelOptions: { Timezone: "+0130" } }));
  assert.match(east.MetricDataResults![0].Label!, new RegExp(`at ${fmt(base + 60_000 + 90 * 60_000)},`));
  await assert.rejects(
    c.send(new GetMetricDataCommand({ MetricDataQueries: [q], ...range, LabelOptions: { Timezone: "UTC" } })),
    (e: Error & { Code?: string }) => {
      assert.equal(e.Code, "ValidationError");
      return true;
    },
  );
});
