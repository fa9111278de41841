// Secret resource policies enforced: the secret each operation acts on, so the runtime refuses an explicit Deny in
// its policy with Secrets Manager's AccessDeniedException, worded as IAM words an explicit deny
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
// Actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
import { ServiceError } from "../../core/errors.js";
import { explicitDenyMessage, type ResourcePolicyGuard } from "../../core/policy/resource-guard.js";
import { find } from "./state.js";

export const secretsResourcePolicy: ResourcePolicyGuard = {
  targets(input, ctx) {
    const id = input.SecretId;
    if (typeof id !== "string") return undefined;
    const rec = find(ctx, id);
    if (!rec?.policy) return undefined;
    return [{ resource: rec.arn, action: `secretsmanager:${ctx.operation}`, policy: rec.policy }];
  },
  denied: (ctx, target) => new ServiceError("AccessDeniedException", explicitDenyMessage(ctx.principal, target), 400),
};
