// Closing the server while an SQS event source mapping's pollers sit in their long polls: the close does not
// wait them out. Here the long polls last 20 s (SQS's longest), so a close that waited for them would take that
// long; a bound of half that is generous on a loaded machine and still tells the two apart.
process.env.STRATUS_ESM_POLL_WAIT_SECONDS = "20";
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { startTestServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { createFunction, lambdaEnv } from "./setup.js";

test("closing the server with a mapping's pollers in 20 s long polls does not wait for them", async () => {
  const server = await startTestServer();
  let closed = false;
  try {
    const env = await lambdaEnv(server);
    const sqs = new SQSClient(server.clientConfig({ account: env.account }));
    await createFunction(env, { FunctionName: "drain" });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "work" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const { UUID } = await env.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "drain", EventSourceArn: Attributes!.QueueArn! }));
    await eventually(async () => assert.equal((await env.lambda.send(new GetEventSourceMappingCommand({ UUID }))).State, "Enabled"));
    // One message through the function: the pollers run, and are back in their long polls.
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "one" }));
    await eventually(async () => {
      const { Attributes: a } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
      );
      assert.deepEqual([a!.ApproximateNumberOfMessages, a!.ApproximateNumberOfMessagesNotVisible], ["0", "0"]);
    });
    const t0 = Date.now();
    await server.close();
    closed = true;
    const took = Date.now() - t0;
    assert.ok(took < 10_000, `close took ${took} ms`);
  } finally {
    if (!closed) await server.close();
  }
});
