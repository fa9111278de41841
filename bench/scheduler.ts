// EventBridge Scheduler (issue 15 point 4, issue 13). Against the built server: how late after its scheduled instant
// an at() schedule's SQS message is received (24 schedules, 4 per whole second; p50 / p99), measured on an empty
// account and again once 10,000 other schedules exist — each schedule's next firing is one armed timer, so a firing
// must not slow down with their number — and the create rate of those 10,000 (first and last thousand).
//
// `node --import tsx bench/scheduler.ts` runs it alone.
import { fileURLToPath } from "node:url";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startBuilt, type BenchRow } from "./server.js";

const FIRINGS = 24;
const PER_SECOND = 4;
const MANY = 10_000;
const CONCURRENCY = 8;
const LATE_TARGET_MS = 1_000;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const atExpr = (t: number) => `at(${new Date(t).toISOString().slice(0, 19)})`;

export async function schedulerBench(): Promise<BenchRow[]> {
  const server = await startBuilt();
  const config = { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  try {
    const sch = new SchedulerClient(config);
    const sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "bench-scheduler" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const target = (input: string) => ({ Arn: Attributes!.QueueArn!, RoleArn: "arn:aws:iam::000000000000:role/bench", Input: input });

    /** Creates FIRINGS at() schedules 2 s ahead and on, receives their messages: how late each was seen. */
    const lateness = async (tag: string): Promise<number[]> => {
      const first = Math.ceil((Date.now() + 2_000) / 1000) * 1000;
      for (let i = 0; i < FIRINGS; i++) {
        const at = first + Math.floor(i / PER_SECOND) * 1000;
        await sch.send(
          new CreateScheduleCommand({ Name: `${tag}-${i}`, ScheduleExpression: atExpr(at), FlexibleTimeWindow: { Mode: "OFF" }, Target: target(String(at)) }),
        );
      }
      const late: number[] = [];
      while (late.length < FIRINGS) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
        const now = Date.now();
        if (!Messages.length) throw new Error(`only ${late.length} of ${FIRINGS} firings arrived`);
        for (const m of Messages) late.push(now - Number(m.Body));
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
      return late;
    };

    const empty = await lateness("empty");
    const created: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < MANY) {
          const i = next++;
          await sch.send(
            new CreateScheduleCommand({ Name: `many-${i}`, ScheduleExpression: "rate(1 day)", FlexibleTimeWindow: { Mode: "OFF" }, Target: target("many") }),
          );
          created[i] = performance.now();
        }
      }),
    );
    const rate = (from: number, to: number) => (to - from) / ((created[to - 1]! - (from ? created[from - 1]! : t0)) / 1000);
    const full = await lateness("full");
    const row = (what: string, late: number[]): BenchRow => {
      const p50 = pct(late, 50),
        p99 = pct(late, 99);
      return {
        metric: `scheduler: at() firing → SQS message received, ${what} (p50 / p99 of ${FIRINGS})`,
        value: `${p50.toFixed(0)} / ${p99.toFixed(0)} ms late`,
        target: `≤ ${LATE_TARGET_MS} ms`,
        ok: p99 <= LATE_TARGET_MS,
      };
    };
    return [
      row("no other schedules", empty),
      {
        metric: `scheduler: CreateSchedule ×${MANY} over ${CONCURRENCY} connections (first 1,000 / last 1,000)`,
        value: `${rate(0, 1000).toFixed(0)} / ${rate(MANY - 1000, MANY).toFixed(0)} creates/s`,
        target: "last ≥ ½ first",
        ok: rate(MANY - 1000, MANY) >= rate(0, 1000) / 2,
      },
      row(`${MANY} other schedules armed`, full),
    ];
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await schedulerBench()) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.ok ? "yes" : "NO"}`);
}
