// CloudWatch alarms (issue 14, point 12). End to end against the built server: from a breaching datapoint's
// PutMetricData to the alarm's SNS notification received from a subscribed SQS queue (long polling), over rounds each
// on an alarm of its own that starts in INSUFFICIENT_DATA, so every round is one transition to ALARM (p50, p99). And
// one evaluation tick over 1,000 alarms, each on a metric of its own with datapoints — one in ten an alarm on metric
// math (`m1 * 2` over its metric, evaluated by GetMetricData's evaluator) — timed in-process on a server whose manual
// clock keeps its own ticks from running (median of 5). BENCH_ALARMS_MATH_EVERY=0 leaves the math alarms out.
//
// `node --import tsx bench/alarms.ts` runs it alone.
import { fileURLToPath } from "node:url";
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ManualClock } from "../src/core/clock.js";
import { startServer } from "../src/server.js";
import { evaluateDue } from "../src/services/cloudwatch/alarm-scheduler.js";
import { startBuilt, type BenchRow } from "./server.js";

const ROUNDS = 40;
const P50_TARGET_MS = 1000;
const P99_TARGET_MS = 2000;
const TICK_ALARMS = 1000;
const TICK_TARGET_MS = 100;
/** Every n-th alarm of the tick is on metric math (0: none). */
const MATH_EVERY = Number(process.env.BENCH_ALARMS_MATH_EVERY ?? 10);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

export async function alarmsBench(): Promise<BenchRow[]> {
  const server = await startBuilt();
  const url = server.url;
  const config = { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  try {
    const cw = new CloudWatchClient(config);
    const sns = new SNSClient(config);
    const sqs = new SQSClient(config);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "bench-alarms" }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "bench-alarms" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: "true" } }));
    for (let r = 0; r < ROUNDS; r++) {
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: `bench-${r}`,
          Namespace: "Bench",
          MetricName: "Errors",
          Dimensions: [{ Name: "Round", Value: String(r) }],
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 10,
          ComparisonOperator: "GreaterThanThreshold",
          AlarmActions: [TopicArn!],
        }),
      );
    }
    const latencies: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      await cw.send(
        new PutMetricDataCommand({ Namespace: "Bench", MetricData: [{ MetricName: "Errors", Dimensions: [{ Name: "Round", Value: String(r) }], Value: 100 }] }),
      );
      for (;;) {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
        const m = Messages?.[0];
        if (!m) {
          if (performance.now() - t0 > 30_000) throw new Error(`bench-${r}: no ALARM notification within 30 s`);
          continue;
        }
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
        const body = JSON.parse(m.Body ?? "{}") as { AlarmName?: string; NewStateValue?: string };
        if (body.AlarmName === `bench-${r}` && body.NewStateValue === "ALARM") break;
      }
      latencies.push(performance.now() - t0);
    }
    const tick = await tickBench();
    const p50 = pct(latencies, 50);
    const p99 = pct(latencies, 99);
    return [
      {
        metric: `alarms: breaching PutMetricData → ALARM → SNS → message received from SQS, p50 of ${ROUNDS}`,
        value: `${p50.toFixed(0)} ms`,
        target: `≤ ${P50_TARGET_MS} ms`,
        ok: p50 <= P50_TARGET_MS,
      },
      {
        metric: `alarms: the same, p99 of ${ROUNDS}`,
        value: `${p99.toFixed(0)} ms`,
        target: `≤ ${P99_TARGET_MS} ms`,
        ok: p99 <= P99_TARGET_MS,
      },
      tick,
    ];
  } finally {
    await server.stop();
  }
}

/** One evaluation tick over 1,000 alarms with data, in-process. */
async function tickBench(): Promise<BenchRow> {
  const clock = new ManualClock();
  const server = await startServer({ ephemeral: true, port: 0, host: "127.0.0.1", clock, logLevel: "error" });
  try {
    const config = { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
    const cw = new CloudWatchClient(config);
    for (let i = 0; i < TICK_ALARMS; i += 20) {
      const batch = Array.from({ length: 20 }, (_, j) => i + j);
      await cw.send(
        new PutMetricDataCommand({
          Namespace: "Bench",
          MetricData: batch.map((n) => ({ MetricName: "Load", Dimensions: [{ Name: "Host", Value: `h${n}` }], Value: n % 100 })),
        }),
      );
      const common = { EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 50, ComparisonOperator: "GreaterThanThreshold" as const };
      const metric = { Namespace: "Bench", MetricName: "Load", Dimensions: [{ Name: "Host", Value: "" }] };
      await Promise.all(
        batch.map((n) => {
          const m = { ...metric, Dimensions: [{ Name: "Host", Value: `h${n}` }] };
          const math = MATH_EVERY > 0 && n % MATH_EVERY === 0;
          return cw.send(
            new PutMetricAlarmCommand(
              math
                ? {
                    AlarmName: `tick-${n}`,
                    Metrics: [
                      { Id: "m1", MetricStat: { Metric: m, Period: 60, Stat: "Average" }, ReturnData: false },
                      { Id: "e1", Expression: "m1 * 2", ReturnData: true },
                    ],
                    ...common,
                  }
                : { AlarmName: `tick-${n}`, ...m, Statistic: "Average", Period: 60, ...common },
            ),
          );
        }),
      );
    }
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      clock.advance(60_000);
      const t0 = performance.now();
      evaluateDue(server.runtime, clock.now(), true);
      times.push(performance.now() - t0);
    }
    const med = pct(times, 50);
    return {
      metric: `alarms: one evaluation tick over ${TICK_ALARMS.toLocaleString("en-US")} alarms with data${MATH_EVERY > 0 ? `, 1 in ${MATH_EVERY} on metric math` : ""} (in-process), median of 5`,
      value: `${med.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(", ")})`,
      target: `≤ ${TICK_TARGET_MS} ms`,
      ok: med <= TICK_TARGET_MS,
    };
  } finally {
    await server.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await alarmsBench()) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.ok ? "yes" : "NO"}`);
}
