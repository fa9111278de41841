// What other services may ask of SQS without calling its API: whether a queue's policy lets a service principal
// send to it. EventBridge asks before it delivers to a queue target, as AWS requires ("Amazon SQS permissions" in
// "Using resource-based policies for Amazon EventBridge": the queue's policy must allow events.amazonaws.com
// sqs:SendMessage, with aws:SourceArn the rule's ARN where the policy conditions on it).
import { evaluatePolicy } from "../../core/policy/evaluate.js";
import type { StateHolder } from "../../core/state.js";
import { sqsState } from "./state.js";

const ARN = /^arn:aws[\w-]*:sqs:([a-z0-9-]+):(\d{12}):([^:]+)$/;

/**
 * Whether the queue's Policy allows `service` (e.g. "events.amazonaws.com") sqs:SendMessage, given the source's ARN
 * and account. False when the queue has no policy (a service principal is granted nothing by default), and when the
 * queue does not exist (the caller's send answers that).
 */
export function queuePermits(holder: StateHolder, queueArn: string, service: string, sourceArn?: string, sourceAccount?: string): boolean {
  const m = ARN.exec(queueArn);
  if (!m) return false;
  const [, region, account, name] = m as unknown as [string, string, string, string];
  const q = sqsState.at(holder, account, region).queues.read(name);
  if (!q) return true;
  const policy = q.attributes.Policy;
  if (!policy) return false;
  const context = { "aws:sourcearn": sourceArn, "aws:sourceaccount": sourceAccount };
  return evaluatePolicy(policy, { caller: { type: "service", service }, action: "sqs:SendMessage", resource: queueArn, context }) === "Allow";
}
