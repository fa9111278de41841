// CloudWatch alarms end to end (issue 14, point 12): from a breaching datapoint's PutMetricData to the alarm's SNS
// notification received from a subscribed SQS queue (long polling), over rounds each on an alarm of its own that
// starts in INSUFFICIENT_DATA, so every round is one transition to ALARM. Reports p50 and p99.
//
// `node --import tsx bench/alarms.ts` runs it alone.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { freePort, waitHealthy, type BenchRow } from "./server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "stratus.js");
const ROUNDS = 40;
const P50_TARGET_MS = 1000;
const P99_TARGET_MS = 2000;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

export async function alarmsBench(): Promise<BenchRow[]> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "start", "--ephemeral", "--port", String(port), "--log-level", "error"], { stdio: "ignore" });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const url = `http://127.0.0.1:${port}`;
  const config = { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  try {
    await waitHealthy(url);
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
    ];
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await alarmsBench()) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.ok ? "yes" : "NO"}`);
}
