// Queue policies enforced: the queue each SQS operation acts on and the IAM action it needs there, so the runtime
// refuses an explicit Deny in the queue's Policy attribute with SQS's AccessDenied — "Access to the resource <queue
// URL> is denied." (403), as AWS answers it (recorded, e.g., in API Gateway's SQS integration guide:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-sqs.html).
// Actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
import type { ResourcePolicyGuard } from "../../core/policy/resource-guard.js";
import { accessDenied } from "./errors.js";
import { arnOf, findQueue, queues } from "./state.js";

/** Batch operations are authorized as their single forms. */
const ACTIONS: Record<string, string> = {
  SendMessageBatch: "sqs:SendMessage",
  DeleteMessageBatch: "sqs:DeleteMessage",
  ChangeMessageVisibilityBatch: "sqs:ChangeMessageVisibility",
};

export const sqsResourcePolicy: ResourcePolicyGuard = {
  targets(input, ctx) {
    let q: ReturnType<typeof findQueue> | undefined;
    try {
      if (typeof input.QueueUrl === "string") q = findQueue(ctx, input.QueueUrl);
      else if (ctx.operation === "GetQueueUrl" && typeof input.QueueName === "string") q = queues(ctx).get(input.QueueName);
    } catch {
      return undefined; // the handler answers for a queue that is not there
    }
    if (!q) return undefined;
    return [{ resource: arnOf(q), action: ACTIONS[ctx.operation] ?? `sqs:${ctx.operation}`, policy: q.attributes.Policy || undefined }];
  },
  denied: (_ctx, target) => accessDenied(`Access to the resource ${queueUrlOf(target.resource)} is denied.`),
};

/** AWS names the queue by its URL in the refusal: https://sqs.<region>.amazonaws.com/<account>/<name>. */
function queueUrlOf(arn: string): string {
  const [, , , region, account, name] = arn.split(":");
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
}
