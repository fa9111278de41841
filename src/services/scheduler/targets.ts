// Targets: which ARNs Scheduler delivers to in Stratus, checked at CreateSchedule/UpdateSchedule, and the delivery of
// one firing. Templated targets — SQS SendMessage (FIFO: SqsParameters.MessageGroupId), SNS Publish, Lambda Invoke
// (asynchronous; Scheduler invokes with the target's role, so no function resource policy is asked), EventBridge
// PutEvents (EventBridgeParameters DetailType/Source) — and universal targets `arn:aws:scheduler:::aws-sdk:<service>:
// <apiAction>`, run as an in-process call of that operation with Input as its parameters. Any other target type is
// refused at create, never accepted and dropped.
import { parseArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { type Target, ValidationException } from "./api.generated.js";

export type TargetKind = { kind: "sqs" | "sns" | "lambda" | "bus" } | { kind: "universal"; service: string; operation: string };

const UNIVERSAL = /^arn:aws[\w-]*:scheduler:::aws-sdk:([a-z0-9-]+):([a-zA-Z0-9]+)$/;

/** The kind of target an ARN names, or the name of a service Stratus does not deliver to. */
export function targetKind(arn: string): TargetKind | { unsupported: string } {
  const u = UNIVERSAL.exec(arn);
  if (u) return { kind: "universal", service: u[1], operation: u[2].charAt(0).toUpperCase() + u[2].slice(1) };
  const p = parseArn(arn);
  if (p?.service === "sqs" && p.resource && !p.resource.includes(":")) return { kind: "sqs" };
  if (p?.service === "sns" && p.resource && !p.resource.includes(":")) return { kind: "sns" };
  if (p?.service === "lambda" && p.resource.startsWith("function:")) return { kind: "lambda" };
  if (p?.service === "events" && p.resource.startsWith("event-bus/")) return { kind: "bus" };
  return { unsupported: p?.service ?? arn };
}

const jsonOk = (s: string): boolean => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** Checks a schedule's target as CreateSchedule/UpdateSchedule take it; what Stratus cannot deliver is refused loudly. */
export function checkTarget(t: Target): void {
  const k = targetKind(t.Arn);
  if ("unsupported" in k || t.EcsParameters || t.KinesisParameters || t.SageMakerPipelineParameters)
    throw new ValidationException(
      `Stratus does not deliver to ${"unsupported" in k ? k.unsupported : "this"} targets yet: its EventBridge Scheduler delivers to SQS queues, SNS topics, Lambda functions, EventBridge event buses and universal targets (arn:aws:scheduler:::aws-sdk:<service>:<apiAction>).`,
    );
  // A templated Lambda, Step Functions or EventBridge target takes well-formed JSON (API reference, Target.Input).
  if ((k.kind === "lambda" || k.kind === "bus" || k.kind === "universal") && t.Input !== undefined && !jsonOk(t.Input))
    throw new ValidationException("Target Input must be a well-formed JSON."); // unverified wording
  if (k.kind === "bus" && !t.EventBridgeParameters) throw new ValidationException("EventBridgeParameters must be provided for an EventBridge target."); // unverified wording
  if (k.kind === "sqs" && t.Arn.endsWith(".fifo") && !t.SqsParameters?.MessageGroupId)
    throw new ValidationException("SqsParameters.MessageGroupId must be provided for a FIFO queue target."); // unverified wording
  if (t.DeadLetterConfig?.Arn && (targetKind(t.DeadLetterConfig.Arn) as { kind?: string }).kind !== "sqs")
    throw new ValidationException("DeadLetterConfig Arn must be an SQS queue."); // unverified wording
  if (t.DeadLetterConfig?.Arn?.endsWith(".fifo"))
    // "EventBridge Scheduler does not support using a FIFO queue as your schedule's DLQ." (Configuring a dead-letter queue)
    throw new ValidationException("DeadLetterConfig Arn must be a standard SQS queue."); // unverified wording
}

/** Why a delivery failed: the dead-letter message's error code and message, and whether to retry. */
export class DeliveryFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** An error from the target's service: its own code; a client error is final, throttling and server errors retried. */
export function classify(e: unknown): DeliveryFailure {
  if (e instanceof DeliveryFailure) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (isServiceError(e)) return new DeliveryFailure(e.code, message, (e.status >= 500 && e.code !== "NotImplemented") || /Throttl|TooMany/i.test(e.code));
  return new DeliveryFailure("InternalServerException", message, true);
}

/** What a firing sends: the target's Input as is, or — Input absent — an empty JSON object. */
export const payloadOf = (t: Target): string => t.Input ?? "{}"; // unverified: AWS's "default notification" is not documented

/** Delivers one firing to its target, as the schedule's account. Throws on failure. */
export async function deliver(ctx: HandlerContext, t: Target, dedupId: string): Promise<void> {
  const k = targetKind(t.Arn);
  if ("unsupported" in k) throw new DeliveryFailure("ValidationException", `Stratus does not deliver to ${k.unsupported} targets.`, false);
  const p = parseArn(t.Arn);
  const where = p && p.account ? { account: p.account, region: p.region } : undefined;
  const body = payloadOf(t);
  switch (k.kind) {
    case "sqs":
      await sendToQueue(ctx, t.Arn, body, { groupId: t.SqsParameters?.MessageGroupId, dedupId });
      return;
    case "sns":
      await ctx.client("sns").publish({ TopicArn: t.Arn, Message: body }, where);
      return;
    case "lambda":
      await ctx.client("lambda").invoke({ FunctionName: t.Arn, InvocationType: "Event", Payload: Buffer.from(body) }, where);
      return;
    case "bus": {
      const out = await ctx
        .client("eventbridge")
        .putEvents(
          { Entries: [{ EventBusName: t.Arn, Source: t.EventBridgeParameters?.Source, DetailType: t.EventBridgeParameters?.DetailType, Detail: body }] },
          where,
        );
      const failed = out.Entries?.find((e) => e.ErrorCode);
      if (failed) throw new DeliveryFailure(failed.ErrorCode!, failed.ErrorMessage ?? failed.ErrorCode!, false);
      return;
    }
    case "universal": {
      let input: unknown;
      try {
        input = JSON.parse(t.Input ?? "{}");
      } catch {
        throw new DeliveryFailure("ValidationException", "The universal target's Input is not well-formed JSON.", false);
      }
      try {
        await ctx.call(k.service, k.operation, input as object);
      } catch (e) {
        if (isServiceError(e)) throw e;
        // A service Stratus does not know at all (no model): say so rather than fail obscurely.
        throw new DeliveryFailure("NotImplemented", `Stratus does not implement the service ${k.service} (universal target ${t.Arn}).`, false);
      }
      return;
    }
  }
}

/** SendMessage to a queue named by ARN (FIFO: the group id, and a deduplication id so a retried firing is queued once). */
export async function sendToQueue(
  ctx: HandlerContext,
  queueArn: string,
  body: string,
  o: { groupId?: string; dedupId?: string; attributes?: Record<string, { DataType: string; StringValue: string }> } = {},
): Promise<void> {
  const p = parseArn(queueArn)!;
  const where = { account: p.account, region: p.region };
  const { QueueUrl } = await ctx.client("sqs").getQueueUrl({ QueueName: p.resource, QueueOwnerAWSAccountId: p.account }, where);
  const fifo = p.resource.endsWith(".fifo");
  await ctx.client("sqs").sendMessage(
    {
      QueueUrl: QueueUrl!,
      MessageBody: body,
      ...(o.attributes ? { MessageAttributes: o.attributes } : {}),
      ...(fifo ? { MessageGroupId: o.groupId, MessageDeduplicationId: o.dedupId } : {}),
    },
    where,
  );
}
