// Repository policies enforced: the repository each ECR operation acts on (by repositoryName, or by resourceArn for
// the tag operations), so the runtime refuses an explicit Deny in its policy with AccessDeniedException, worded as IAM
// words an explicit deny (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
// Actions are the operations' names: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
import { parseResourceArn } from "../../core/arn.js";
import { ServiceError } from "../../core/errors.js";
import { explicitDenyMessage, type ResourcePolicyGuard } from "../../core/policy/resource-guard.js";
import { repositories, repositoryArn } from "./state.js";

export const ecrResourcePolicy: ResourcePolicyGuard = {
  targets(input, ctx) {
    let name: string | undefined;
    if (typeof input.repositoryName === "string") {
      if (input.registryId !== undefined && input.registryId !== ctx.account) return undefined;
      name = input.repositoryName;
    } else if (typeof input.resourceArn === "string") {
      const a = parseResourceArn(input.resourceArn, "ecr", "repository", "/");
      if (a && a.account === ctx.account && a.region === ctx.region) name = a.id;
    }
    const rec = name === undefined ? undefined : repositories(ctx).read(name);
    if (!rec?.policy) return undefined;
    return [{ resource: repositoryArn(ctx, rec.name), action: `ecr:${ctx.operation}`, policy: rec.policy }];
  },
  denied: (ctx, target) => new ServiceError("AccessDeniedException", explicitDenyMessage(ctx.principal, target), 400),
};
