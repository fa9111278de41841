// Where an asynchronous invocation's outcome goes: the invocation record sent to an OnSuccess / OnFailure
// destination (SQS queue, SNS topic, Lambda function, EventBridge bus), and the bare event sent to the
// function's dead-letter queue (SQS or SNS) with RequestID / ErrorCode / ErrorMessage attributes.
import { parseArn, type Arn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";

export type Condition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

/** The invocation record, in the shape and key order Lambda writes it. */
export interface InvocationRecord {
  version: "1.0";
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: Condition; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion?: string; functionError?: string };
  responsePayload?: unknown;
}

/** A payload as the record embeds it: parsed JSON when it is JSON, the text otherwise. */
export function embed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function queueUrl(ctx: HandlerContext, p: Arn): Promise<string> {
  const { QueueUrl } = await ctx
    .client("sqs")
    .getQueueUrl({ QueueName: p.resource, QueueOwnerAWSAccountId: p.account }, { account: p.account, region: p.region });
  return QueueUrl!; // GetQueueUrl always answers one
}

/** Sends an invocation record to a destination ARN; throws when it cannot be delivered. */
export async function sendRecord(ctx: HandlerContext, destination: string, record: InvocationRecord): Promise<void> {
  const p = parseArn(destination);
  if (!p) throw new Error(`not a destination ARN: ${destination}`);
  const where = { account: p.account || ctx.account, region: p.region || ctx.region };
  const body = JSON.stringify(record);
  switch (p.service) {
    case "sqs":
      await ctx.client("sqs").sendMessage({ QueueUrl: await queueUrl(ctx, p), MessageBody: body }, where);
      return;
    case "sns":
      await ctx.client("sns").publish({ TopicArn: destination, Message: body }, where);
      return;
    case "lambda":
      await ctx.client("lambda").invoke({ FunctionName: destination, InvocationType: "Event", Payload: Buffer.from(body) }, where);
      return;
    case "events": {
      const success = record.requestContext.condition === "Success";
      await ctx.client("eventbridge").putEvents(
        {
          Entries: [
            {
              Source: "lambda",
              DetailType: `Lambda Function Invocation Result - ${success ? "Success" : "Failure"}`,
              Detail: body,
              Resources: [record.requestContext.functionArn.replace(/:[^:]+$/, ""), destination],
              EventBusName: destination,
            },
          ],
        },
        where,
      );
      return;
    }
    default:
      throw new Error(`Lambda cannot send invocation records to ${destination} here (${p.service} destinations are not supported).`);
  }
}

export interface DeadLetter {
  requestId: string;
  /** The 3-digit status code of the last attempt (200 for a function error). */
  errorCode: number;
  errorMessage: string;
}

/** Truncates to the first 1 KB (bytes, on a character boundary). */
function firstKilobyte(s: string): string {
  const buf = Buffer.from(s, "utf8");
  if (buf.length <= 1024) return s;
  return buf
    .subarray(0, 1024)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
}

/** Sends the original event to the function's dead-letter queue or topic with Lambda's three attributes. */
export async function sendDeadLetter(ctx: HandlerContext, target: string, event: string, d: DeadLetter): Promise<void> {
  const p = parseArn(target);
  if (!p) throw new Error(`not a dead-letter target ARN: ${target}`);
  const where = { account: p.account || ctx.account, region: p.region || ctx.region };
  const attributes = {
    RequestID: { DataType: "String", StringValue: d.requestId },
    ErrorCode: { DataType: "Number", StringValue: String(d.errorCode) },
    ErrorMessage: { DataType: "String", StringValue: firstKilobyte(d.errorMessage) || "Unknown error" },
  };
  if (p.service === "sqs") {
    await ctx.client("sqs").sendMessage({ QueueUrl: await queueUrl(ctx, p), MessageBody: event, MessageAttributes: attributes }, where);
  } else if (p.service === "sns") {
    await ctx.client("sns").publish({ TopicArn: target, Message: event, MessageAttributes: attributes }, where);
  } else {
    throw new Error(`a dead-letter target must be an SQS queue or SNS topic: ${target}`);
  }
}
