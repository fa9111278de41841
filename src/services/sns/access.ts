// Topic policies enforced: the topic each SNS operation acts on and the IAM action it needs there, so the runtime
// refuses an explicit Deny in the topic's Policy attribute with SNS's AuthorizationError (403), worded as IAM words
// it with SNS's upper-case action prefix ("User: … is not authorized to perform: SNS:Publish on resource: <topic>
// with an explicit deny in a resource-based policy"; https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
// Actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html
import { parseArn } from "../../core/arn.js";
import { explicitDenyMessage, type ResourcePolicyGuard } from "../../core/policy/resource-guard.js";
import { AuthorizationErrorException } from "./api.generated.js";
import { tables } from "./state.js";

/** Operations authorized as another action. */
const ACTIONS: Record<string, string> = { PublishBatch: "Publish" };

/** The member naming the topic, per operation (most call it TopicArn). */
function topicArnOf(op: string, input: Record<string, unknown>): string | undefined {
  if (op === "Publish") return (input.TopicArn ?? input.TargetArn) as string | undefined;
  if (op === "TagResource" || op === "UntagResource" || op === "ListTagsForResource") return input.ResourceArn as string | undefined;
  if (op === "Unsubscribe" || op === "GetSubscriptionAttributes" || op === "SetSubscriptionAttributes") {
    // A subscription ARN is its topic's ARN and an id: the topic's policy governs it.
    const arn = input.SubscriptionArn;
    return typeof arn === "string" ? arn.slice(0, arn.lastIndexOf(":")) : undefined;
  }
  return typeof input.TopicArn === "string" ? input.TopicArn : undefined;
}

export const snsResourcePolicy: ResourcePolicyGuard = {
  targets(input, ctx) {
    const arn = topicArnOf(ctx.operation, input);
    const p = arn ? parseArn(arn) : undefined;
    if (!arn || !p || p.account !== ctx.account || p.region !== ctx.region) return undefined;
    const topic = tables(ctx).topics.get(p.resource);
    if (!topic?.attributes.Policy) return undefined;
    return [{ resource: topic.arn, action: `SNS:${ACTIONS[ctx.operation] ?? ctx.operation}`, policy: topic.attributes.Policy }];
  },
  denied: (ctx, target) => new AuthorizationErrorException(explicitDenyMessage(ctx.principal, target)),
};
