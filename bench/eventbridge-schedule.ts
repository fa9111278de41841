// EventBridge scheduled rules on the real clock (issue 15: "scheduled rules fire ≤ 1 s after the scheduled minute
// starts"): a `cron(* * * * ? *)` rule on the default bus with an SQS target, against the built server; for each of
// the next FIRINGS minute boundaries, how long after the minute started its Scheduled Event was received by long
// polling (so the figure includes the delivery to SQS and the receive). Takes up to FIRINGS + 1 minutes.
//
// `node --import tsx bench/eventbridge-schedule.ts` runs it alone; `npm run bench -- --only-eventbridge-schedule`.
import { fileURLToPath } from "node:url";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startBuilt, type BenchRow } from "./server.js";

const FIRINGS = 2;
const TARGET_MS = 1000;

export async function eventbridgeScheduleBench(): Promise<BenchRow[]> {
  const server = await startBuilt();
  const config = { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  try {
    const eb = new EventBridgeClient(config);
    const sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "bench-ticks" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const Policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: Attributes!.QueueArn }],
    });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy } }));
    await eb.send(new PutRuleCommand({ Name: "every-minute", ScheduleExpression: "cron(* * * * ? *)" }));
    await eb.send(new PutTargetsCommand({ Rule: "every-minute", Targets: [{ Id: "q", Arn: Attributes!.QueueArn! }] }));
    const late: number[] = [];
    const until = Date.now() + (FIRINGS + 1) * 60_000 + 10_000;
    while (late.length < FIRINGS && Date.now() < until) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 1 }));
      const received = Date.now();
      for (const m of Messages) {
        const event = JSON.parse(m.Body!) as { time: string; "detail-type": string };
        if (event["detail-type"] === "Scheduled Event") late.push(received - Date.parse(event.time));
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
    const worst = Math.max(...late);
    return [
      {
        metric: `eventbridge: cron(* * * * ? *) rule → SQS message received, after the minute started (${late.length} firings)`,
        value: late.length ? `${late.map((ms) => ms.toFixed(0)).join(", ")} ms` : "no firing",
        target: `≤ ${TARGET_MS} ms`,
        ok: late.length === FIRINGS && worst <= TARGET_MS,
      },
    ];
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await eventbridgeScheduleBench()) console.log(`${r.metric}: ${r.value} (target ${r.target}) ${r.ok ? "met" : "NOT MET"}`);
}
