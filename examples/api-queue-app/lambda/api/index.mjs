// The API function behind LambdaRestApi (a proxy integration: every method and path comes here).
//   GET  /          -> the greeting (SSM, written by the custom resource) and the config (SSM)
//   POST /orders    -> validates the order, signs it with the key from Secrets Manager, sends it to the SQS queue
//                      and publishes an event to the SNS topic; answers 202 with the order id
// The AWS SDK for JavaScript v3 comes from the Lambda runtime (nothing bundled). Configuration and the secret are
// read at runtime, once per execution environment.
import { createHmac, randomUUID } from "node:crypto";
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";

const ssm = new SSMClient({});
const secrets = new SecretsManagerClient({});
const sqs = new SQSClient({});
const sns = new SNSClient({});

let settings;
async function loadSettings() {
  if (settings) return settings;
  const [config, greeting, secret] = await Promise.all([
    ssm.send(new GetParameterCommand({ Name: process.env.CONFIG_PARAMETER })),
    ssm.send(new GetParameterCommand({ Name: process.env.GREETING_PARAMETER })),
    secrets.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ARN })),
  ]);
  settings = {
    config: JSON.parse(config.Parameter.Value),
    greeting: greeting.Parameter.Value,
    signingKey: JSON.parse(secret.SecretString).signingKey,
  };
  return settings;
}

const reply = (statusCode, body) => ({ statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

export const handler = async (event) => {
  const { config, greeting, signingKey } = await loadSettings();
  if (event.httpMethod === "GET" && event.path === "/") return reply(200, { greeting, config });
  if (event.httpMethod !== "POST" || event.path !== "/orders") return reply(404, { message: `no route for ${event.httpMethod} ${event.path}` });

  let input;
  try {
    input = JSON.parse(event.body ?? "");
  } catch {
    return reply(400, { message: "the body must be JSON" });
  }
  const items = Array.isArray(input?.items) ? input.items : [];
  if (items.length === 0 || items.length > config.maxItems) return reply(400, { message: `an order has 1 to ${config.maxItems} items` });

  const order = { orderId: randomUUID(), items, currency: config.currency, receivedAt: new Date().toISOString() };
  const body = JSON.stringify(order);
  const signature = createHmac("sha256", signingKey).update(body).digest("hex");
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: process.env.QUEUE_URL,
      MessageBody: body,
      MessageAttributes: { signature: { DataType: "String", StringValue: signature } },
    }),
  );
  await sns.send(
    new PublishCommand({
      TopicArn: process.env.TOPIC_ARN,
      Subject: "order received",
      Message: JSON.stringify({ type: "OrderReceived", orderId: order.orderId, items: items.length }),
    }),
  );
  console.log(`accepted order ${order.orderId} as message ${sent.MessageId}`);
  return reply(202, { orderId: order.orderId, messageId: sent.MessageId });
};
