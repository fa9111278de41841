// EventBridge (issue 15). Against the built server: PutEvents to a rule's SQS target end to end — from PutEvents to
// the message received by long polling — over rounds (p50, p99); and PutEvents of 10 entries on a default bus holding
// 100 rules that do not match and one that does, sequentially (requests per second, events delivered per second),
// then the same with an archive of every event on the bus (each event also stored and counted in it), and with a
// Schemas discoverer started on the bus against it stopped, in alternating rounds (issue 15: discovery must not slow
// PutEvents by more than 10%).
//
// `node --import tsx bench/eventbridge.ts` runs it alone; STRATUS_BENCH_ROOT runs another build (one without archives
// gives the first two rows only).
import { fileURLToPath } from "node:url";
import {
  CreateArchiveCommand,
  DeleteArchiveCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { CreateDiscovererCommand, SchemasClient, type SchemasClientConfig, StartDiscovererCommand, StopDiscovererCommand } from "@aws-sdk/client-schemas";
import { startBuilt, type BenchRow } from "./server.js";

const ROUNDS = 50;
const BATCHES = 200;
const OTHER_RULES = 100;
const P50_TARGET_MS = 20; // issue 15: "PutEvents → SQS target visible ≤ 20 ms p50"
const P99_TARGET_MS = 200;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

export async function eventbridgeBench(): Promise<BenchRow[]> {
  const root = process.env.STRATUS_BENCH_ROOT;
  const server = await startBuilt(undefined, root ? { root } : {});
  const config = { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  try {
    const eb = new EventBridgeClient(config);
    const sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "bench-events" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    // The queue's policy lets EventBridge send to it, as AWS requires.
    const Policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: Attributes!.QueueArn }],
    });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy } }));
    for (let i = 0; i < OTHER_RULES; i++)
      await eb.send(
        new PutRuleCommand({ Name: `other-${i}`, EventPattern: JSON.stringify({ source: [`other-${i}`], detail: { n: [{ numeric: [">", 0] }] } }) }),
      );
    await eb.send(new PutRuleCommand({ Name: "bench", EventPattern: JSON.stringify({ source: ["bench"] }) }));
    await eb.send(new PutTargetsCommand({ Rule: "bench", Targets: [{ Id: "q", Arn: Attributes!.QueueArn! }] }));
    const entry = (n: number) => ({ Source: "bench", DetailType: "tick", Detail: JSON.stringify({ n, pad: "x".repeat(200) }) });

    const latencies: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      await eb.send(new PutEventsCommand({ Entries: [entry(r)] }));
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }));
      latencies.push(performance.now() - t0);
      if (Messages.length)
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    // Each phase's deliveries to the queue are waited for before the next phase starts, so that none pays for another's.
    let expected = 0;
    const batches = async () => {
      const t1 = performance.now();
      for (let b = 0; b < BATCHES; b++) await eb.send(new PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, i) => entry(i)) }));
      const took = (performance.now() - t1) / 1000;
      expected += BATCHES * 10;
      for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
        const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
        if (Number(a?.ApproximateNumberOfMessages) >= expected) break;
      }
      return took;
    };
    const before = await batches();
    const { Arn: busArn } = await eb.send(new DescribeEventBusCommand({}));
    const archiving = await eb.send(new CreateArchiveCommand({ ArchiveName: "bench-all", EventSourceArn: busArn })).then(
      () => true,
      () => false,
    );
    const archived = archiving ? await batches() : undefined;
    if (archiving) await eb.send(new DeleteArchiveCommand({ ArchiveName: "bench-all" }));
    const seconds = archiving ? (before + (await batches())) / 2 : before;
    const discovery = await discovererRounds(config, () => eb.send(new PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, i) => entry(i)) })));
    const p50 = pct(latencies, 50);
    const p99 = pct(latencies, 99);
    const rows: BenchRow[] = [
      {
        metric: `eventbridge: PutEvents → rule → SQS message received, ${OTHER_RULES + 1} rules on the bus (p50 / p99 of ${ROUNDS})`,
        value: `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`,
        target: `≤ ${P50_TARGET_MS} / ${P99_TARGET_MS} ms`,
        ok: p50 <= P50_TARGET_MS && p99 <= P99_TARGET_MS,
      },
      {
        metric: `eventbridge: PutEvents of 10 entries, each matched and delivered to SQS, sequential (${BATCHES} requests)`,
        value: `${(BATCHES / seconds).toFixed(0)} req/s (${((BATCHES * 10) / seconds).toFixed(0)} events/s)`,
        target: "recorded",
        ok: true,
      },
      {
        metric: `eventbridge: the same with a Schemas discoverer started on the bus / stopped (${DISCOVERY_ROUNDS} alternating rounds of ${BATCHES / 2})`,
        value: `${discovery.started.toFixed(0)} / ${discovery.stopped.toFixed(0)} req/s (${(100 * (1 - discovery.started / discovery.stopped)).toFixed(1)}% slower)`,
        target: "≤ 10% slower",
        ok: discovery.started >= 0.9 * discovery.stopped,
      },
    ];
    if (archived !== undefined)
      rows.push({
        metric: `eventbridge: the same with an archive of every event on the bus (${BATCHES} requests)`,
        value: `${(BATCHES / archived).toFixed(0)} req/s (${((archived / seconds - 1) * 100).toFixed(0)}% slower than without, before and after it)`,
        target: "≤ 20% slower",
        ok: archived <= seconds * 1.2,
      });
    return rows;
  } finally {
    await server.stop();
  }
}

const DISCOVERY_ROUNDS = 6;

/** PutEvents requests per second with the bus's discoverer started and stopped, measured in alternating rounds. */
async function discovererRounds(config: SchemasClientConfig, putBatch: () => Promise<unknown>) {
  const schemas = new SchemasClient(config);
  const { DiscovererId } = await schemas.send(new CreateDiscovererCommand({ SourceArn: "arn:aws:events:us-east-1:000000000000:event-bus/default" }));
  const time = { started: 0, stopped: 0 };
  for (let b = 0; b < BATCHES / 4; b++) await putBatch(); // warm-up: the first inference writes the schema
  for (let r = 0; r < DISCOVERY_ROUNDS; r++) {
    const state = r % 2 ? "started" : "stopped";
    await schemas.send(state === "started" ? new StartDiscovererCommand({ DiscovererId }) : new StopDiscovererCommand({ DiscovererId }));
    const t0 = performance.now();
    for (let b = 0; b < BATCHES / 2; b++) await putBatch();
    time[state] += (performance.now() - t0) / 1000;
  }
  const perState = ((DISCOVERY_ROUNDS / 2) * BATCHES) / 2;
  return { started: perState / time.started, stopped: perState / time.stopped };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await eventbridgeBench()) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.ok ? "yes" : "NO"}`);
}
