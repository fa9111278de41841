// Shared by EventBridge's tests: clients for one fresh account, a queue to receive deliveries, and a wait for messages.
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { randomAccount, type TestServer } from "../../helpers/server.js";

export interface Clients {
  account: string;
  eb: EventBridgeClient;
  sqs: SQSClient;
}

export function clients(server: TestServer, account = randomAccount()): Clients {
  const cfg = server.clientConfig({ account });
  return { account, eb: new EventBridgeClient(cfg), sqs: new SQSClient(cfg) };
}

/** A resource policy letting EventBridge (events.amazonaws.com) do `action` on `arn`, as the console and the CDK write it. */
export const eventsPolicy = (arn: string, action = "sqs:SendMessage", sourceArn?: string): string =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: action,
        Resource: arn,
        ...(sourceArn ? { Condition: { ArnEquals: { "aws:SourceArn": sourceArn } } } : {}),
      },
    ],
  });

/** A queue (FIFO when the name ends .fifo) and its ARN; its policy lets EventBridge send to it unless `allowEvents` is false. */
export async function queue(c: Clients, name: string, allowEvents = true): Promise<{ url: string; arn: string }> {
  const fifo = name.endsWith(".fifo");
  const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: "true" } : undefined }));
  const { Attributes } = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const arn = Attributes!.QueueArn!;
  await c.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: "30", ...(allowEvents ? { Policy: eventsPolicy(arn) } : {}) } }));
  return { url: QueueUrl!, arn };
}

/** Receives (and deletes) until `n` messages have arrived (long polls of `wait` s — 0 under a ManualClock, whose time
 *  a long poll would wait on; fails after ~10 s). */
export async function receive(c: Clients, url: string, n = 1, attributes = false, wait = 1): Promise<Message[]> {
  const got: Message[] = [];
  const until = Date.now() + 10_000;
  while (got.length < n && Date.now() < until) {
    const r = await c.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait, ...(attributes ? { MessageAttributeNames: ["All"] } : {}) }),
    );
    got.push(...(r.Messages ?? []));
    // Taken off the queue: a test that moves a ManualClock past the visibility timeout must not see them again.
    if (r.Messages?.length)
      await c.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: url, Entries: r.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
  }
  if (got.length < n) throw new Error(`expected ${n} messages on ${url}, got ${got.length}`);
  return got;
}
