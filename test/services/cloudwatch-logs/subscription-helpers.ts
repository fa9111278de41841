// What the subscription tests share: the next message a recording function sent to its results queue.
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** The next message on the queue (deleted once read), parsed; fails when nothing arrives within timeoutMs. */
// biome-ignore lint/suspicious/noExplicitAny: a decoded payload, asserted field by field.
export async function nextMessage(sqs: SQSClient, QueueUrl: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Short polls: a long poll would wait on a test's manual clock.
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 1 }));
    const m = Messages?.[0];
    if (m) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      return JSON.parse(m.Body!);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing arrived within ${timeoutMs} ms`);
}
