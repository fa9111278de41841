// GetMetricData metric math through SDK v3 (JSON 1.0, its default): operators between series and scalars, IF, FILL, METRICS(),
// aggregates of a series and of arrays, RATE/DIFF/DIFF_TIME/RUNNING_SUM, SORT/SLICE/FIRST/LAST, TIME_SERIES, PERIOD,
// DATAPOINT_COUNT and SEARCH over stored metrics, each checked value by value; malformed expressions refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

const t = Date.now() - 20 * 60_000;
const t0 = t - (t % 60_000);
const M = (i: number) => t0 + i * 60_000;

const metric = (id: string, name: string): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: "Math", MetricName: name }, Period: 60, Stat: "Sum" },
  ReturnData: false,
});

async function setup() {
  const c = server.client(CloudWatchClient, { account: randomAccount() });
  // A: 1..5 in minutes 0..4; B: 10, 20, 40 in minutes 0, 1, 3 (gaps at 2 and 4).
  await c.send(
    new PutMetricDataCommand({
      Namespace: "Math",
      MetricData: [
        ...[1, 2, 3, 4, 5].map((v, i) => ({ MetricName: "A", Value: v, Timestamp: new Date(M(i) + 1000) })),
        ...[
          [0, 10],
          [1, 20],
          [3, 40],
        ].map(([i, v]) => ({ MetricName: "B", Value: v, Timestamp: new Date(M(i) + 2000) })),
        { MetricName: "Cpu", Dimensions: [{ Name: "Host", Value: "h1" }], Value: 30, Timestamp: new Date(M(0)) },
        { MetricName: "Cpu", Dimensions: [{ Name: "Host", Value: "h2" }], Value: 50, Timestamp: new Date(M(0)) },
        { MetricName: "Cpu", Dimensions: [{ Name: "Host", Value: "h2" }], Value: 70, Timestamp: new Date(M(1)) },
        { MetricName: "Cpu", Value: 999, Timestamp: new Date(M(0)) },
      ],
    }),
  );
  return c;
}

type Got = { label: string; points: [number, number][]; messages?: unknown }[];

async function evaluate(c: CloudWatchClient, exprs: Record<string, string>): Promise<Record<string, Got>> {
  const out = await c.send(
    new GetMetricDataCommand({
      MetricDataQueries: [metric("a", "A"), metric("b", "B"), ...Object.entries(exprs).map(([Id, Expression]) => ({ Id, Expression }))],
      StartTime: new Date(M(0)),
      EndTime: new Date(M(5)),
      ScanBy: "TimestampAscending",
    }),
  );
  const got: Record<string, Got> = {};
  for (const r of out.MetricDataResults!) {
    assert.equal(r.StatusCode, "Complete");
    (got[r.Id!] ??= []).push({ label: r.Label!, points: r.Timestamps!.map((d, i) => [(d.getTime() - t0) / 60_000, r.Values![i]]), messages: r.Messages });
  }
  return got;
}

const pts = (g: Got) => g.map((s) => s.points);
const one = (g: Got) => {
  assert.equal(g.length, 1);
  return g[0].points;
};

test("arithmetic, comparison and logic between series and scalars; IF; FILL; unary functions", async () => {
  const c = await setup();
  const g = await evaluate(c, {
    sum: "a + b",
    twice: "a * 2",
    ratio: "b / (a - 1)",
    sq: "a ^ 2",
    gt: "a > 2",
    band: "a > 2 AND a < 5",
    either: "a < 2 || a >= 5",
    neg: "NOT (a > 2)",
    iff: "IF(a > 2, a, 0)",
    ifb: "IF(a > 3, b)",
    fill0: "FILL(b, 0)",
    rep: "FILL(b, REPEAT)",
    lin: "FILL(b, LINEAR)",
    abs: "ABS(-a)",
    ceil: "CEIL(a / 2)",
    floor: "FLOOR(a / 2)",
    prec: "1 + 2 * 3 ^ 2 - a",
  });
  assert.deepEqual(one(g.sum), [
    [0, 11],
    [1, 22],
    [3, 44],
  ]);
  assert.deepEqual(
    one(g.twice),
    [1, 2, 3, 4, 5].map((v, i) => [i, v * 2]),
  );
  // Division by zero at minute 0 leaves no datapoint, and AWS's ArithmeticError message says so.
  assert.deepEqual(g.ratio[0].messages, [
    { Code: "ArithmeticError", Value: "One or more data-points have been dropped due to non-numeric values (NaN, -Infinite, +Infinite)" },
  ]);
  assert.equal(g.sum[0].messages, undefined);
  assert.deepEqual(one(g.ratio), [
    [1, 20],
    [3, 40 / 3],
  ]);
  assert.deepEqual(
    one(g.sq),
    [1, 2, 3, 4, 5].map((v, i) => [i, v * v]),
  );
  assert.deepEqual(
    one(g.gt),
    [0, 0, 1, 1, 1].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.band),
    [0, 0, 1, 1, 0].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.either),
    [1, 0, 0, 0, 1].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.neg),
    [1, 1, 0, 0, 0].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.iff),
    [0, 0, 3, 4, 5].map((v, i) => [i, v]),
  );
  assert.deepEqual(one(g.ifb), [[3, 40]]);
  assert.deepEqual(
    one(g.fill0),
    [10, 20, 0, 40, 0].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.rep),
    [10, 20, 20, 40, 40].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.lin),
    [10, 20, 30, 40, 40].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.abs),
    [1, 2, 3, 4, 5].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.ceil),
    [1, 1, 2, 2, 3].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.floor),
    [0, 1, 1, 2, 2].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.prec),
    [1, 2, 3, 4, 5].map((v, i) => [i, 19 - v]),
  );
  // An expression without a Label is labelled with its id.
  assert.equal(g.sum[0].label, "sum");
});

test("aggregates of a series (a scalar) and of arrays (a series), METRICS(), time functions, SORT/SLICE/FIRST/LAST", async () => {
  const c = await setup();
  const g = await evaluate(c, {
    all: "SUM(METRICS())",
    only: "METRICS('a')",
    centred: "a - AVG(a)",
    mx: "MAX([a, b])",
    mn: "MIN(METRICS())",
    avg: "AVG([a, b])",
    sd: "a * 0 + STDDEV(a)",
    rate: "RATE(a)",
    diff: "DIFF(b)",
    dt: "DIFF_TIME(b)",
    run: "RUNNING_SUM(a)",
    ts: "TIME_SERIES(7)",
    per: "a * 0 + PERIOD(a)",
    cnt: "a * 0 + DATAPOINT_COUNT(b)",
    sorted: "SORT(METRICS(), SUM, DESC)",
    first: "FIRST(SORT(METRICS(), MAX, ASC))",
    last: "LAST(SORT(METRICS(), MAX, ASC))",
    sliced: "SLICE(SORT(METRICS(), SUM, DESC), 1, 2)",
    nested: "all * 2",
    minute: "MINUTE(a)",
    epoch: "EPOCH(b)",
    lg: "LOG10(a * 10)",
    count: "a * 0 + METRIC_COUNT(METRICS())",
  });
  assert.deepEqual(
    one(g.all),
    [11, 22, 3, 44, 5].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    g.only.map((s) => s.label),
    ["A"],
  );
  assert.deepEqual(
    one(g.centred),
    [-2, -1, 0, 1, 2].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.mx),
    [10, 20, 3, 40, 5].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.mn),
    [1, 2, 3, 4, 5].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.avg),
    [5.5, 11, 3, 22, 5].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.sd),
    [0, 1, 2, 3, 4].map((i) => [i, Math.sqrt(2)]),
  );
  assert.deepEqual(
    one(g.rate),
    [1, 2, 3, 4].map((i) => [i, 1 / 60]),
  );
  assert.deepEqual(one(g.diff), [
    [1, 10],
    [3, 20],
  ]);
  assert.deepEqual(one(g.dt), [
    [1, 60],
    [3, 120],
  ]);
  assert.deepEqual(
    one(g.run),
    [1, 3, 6, 10, 15].map((v, i) => [i, v]),
  );
  assert.deepEqual(
    one(g.ts),
    [0, 1, 2, 3, 4].map((i) => [i, 7]),
  );
  assert.deepEqual(
    one(g.per),
    [0, 1, 2, 3, 4].map((i) => [i, 60]),
  );
  assert.deepEqual(
    one(g.cnt),
    [0, 1, 2, 3, 4].map((i) => [i, 3]),
  );
  // METRICS() series keep their metrics' labels; SORT by SUM descending puts B (70) before A (15).
  assert.deepEqual(
    g.sorted.map((s) => s.label),
    ["B", "A"],
  );
  // FIRST and LAST pick one series (A has the smaller maximum); a one-series expression is labelled with its id.
  assert.deepEqual(
    [one(g.first), one(g.last)],
    [
      [1, 2, 3, 4, 5].map((v, i) => [i, v]),
      [
        [0, 10],
        [1, 20],
        [3, 40],
      ],
    ],
  );
  assert.deepEqual([g.first[0].label, g.sliced.map((s) => s.label)], ["first", ["A"]]);
  assert.deepEqual(pts(g.sliced), [[1, 2, 3, 4, 5].map((v, i) => [i, v])]);
  // An expression may read another expression.
  assert.deepEqual(
    one(g.nested),
    [22, 44, 6, 88, 10].map((v, i) => [i, v]),
  );
});

test("SEARCH over stored metrics: the schema's namespace and exact dimension set, a property term, a statistic and period", async () => {
  const c = await setup();
  const g = await evaluate(c, {
    found: `SEARCH('{Math,Host} MetricName="Cpu"', 'Maximum', 60)`,
    total: `SUM(SEARCH('{Math,Host} Cpu', 'Sum', 120))`,
    h2: `SEARCH('{Math,Host} Host=h2', 'Average', 60)`,
  });
  assert.deepEqual(
    g.found.map((s) => [s.label, s.points]),
    [
      ["h1 Cpu", [[0, 30]]],
      [
        "h2 Cpu",
        [
          [0, 50],
          [1, 70],
        ],
      ],
    ],
  );
  // Over 120-s periods: h1 30 + h2 50 + 70 in the first; the dimensionless Cpu (999) is not in the schema.
  assert.deepEqual(one(g.total), [[0, 150]]);
  assert.deepEqual(
    g.h2.map((s) => s.label),
    ["h2 Cpu"],
  );
});

test("malformed expressions, unknown functions and unknown ids answer a ValidationError naming the query", async () => {
  const c = await setup();
  const fails = async (expr: string, message: string) =>
    assert.rejects(
      c.send(
        new GetMetricDataCommand({ MetricDataQueries: [metric("a", "A"), { Id: "e1", Expression: expr }], StartTime: new Date(M(0)), EndTime: new Date(M(5)) }),
      ),
      (e: Error & { Code?: string }) => {
        assert.equal(e.Code, "ValidationError");
        assert.equal(e.message, message);
        return true;
      },
    );
  await fails("FOO(a)", "Error in expression e1: Unsupported function: FOO\n");
  await fails('INSIGHT_RULE_METRIC("rule", "Sum")', "Error in expression e1: The function INSIGHT_RULE_METRIC is not supported by Stratus\n");
  await fails("ANOMALY_DETECTION_BAND(3, 2)", "Error in expression e1: ANOMALY_DETECTION_BAND expects the id of a metric as its first argument\n");
  await fails(
    'SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId)',
    "Error in expression e1: Metrics Insights queries (SELECT …) are not supported by Stratus\n",
  );
  await fails("a +", "Error in expression e1: Unexpected end of expression\n");
  await fails("a + zz", "Error in expression e1: Unknown metric or expression id: zz\n");
  await fails("FILL(a, SIDEWAYS)", "Error in expression e1: FILL's second argument must be a number, REPEAT or LINEAR\n");
});
