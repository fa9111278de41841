// What other services may ask of SNS without calling its API: whether a topic's policy lets a service principal
// publish to it. EventBridge asks before it delivers to a topic target, as AWS requires ("Amazon SNS permissions" in
// "Using resource-based policies for Amazon EventBridge": the topic's policy must allow events.amazonaws.com
// sns:Publish, with aws:SourceArn the rule's ARN where the policy conditions on it).
import { evaluatePolicy } from "../../core/policy/evaluate.js";
import type { StateHolder } from "../../core/state.js";
import { snsState } from "./state.js";

const ARN = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([^:]+)$/;

/**
 * Whether the topic's Policy allows `service` sns:Publish, given the source's ARN and account. A topic without a
 * Policy attribute has SNS's default policy, which grants only the owner account; a topic that does not exist is
 * left to the caller's Publish to refuse.
 */
export function topicPermits(holder: StateHolder, topicArn: string, service: string, sourceArn?: string, sourceAccount?: string): boolean {
  const m = ARN.exec(topicArn);
  if (!m) return false;
  const [, region, account, name] = m as unknown as [string, string, string, string];
  const topic = snsState.at(holder, account, region).topics.read(name);
  if (!topic) return true;
  const policy = topic.attributes.Policy;
  if (!policy) return false;
  const context = { "aws:sourcearn": sourceArn, "aws:sourceaccount": sourceAccount };
  return evaluatePolicy(policy, { caller: { type: "service", service }, action: "sns:Publish", resource: topicArn, context }) === "Allow";
}
