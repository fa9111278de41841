// Who am I, and whose key is this: GetCallerIdentity and GetAccessKeyInfo.
import { accountForUnknownKey } from "../../core/identity.js";
import type { StsApi } from "./api.generated.js";

export const callerIdentity = {
  // The gateway has already resolved the principal: root, IAM user, role session or federated user.
  getCallerIdentity(_input, ctx) {
    return { UserId: ctx.principal.principalId, Account: ctx.principal.accountId, Arn: ctx.principal.arn };
  },

  // Any key Stratus issued (IAM AKIA, STS ASIA) names its account; other keys follow the account rule.
  getAccessKeyInfo(input, ctx) {
    const found = ctx.credentials.find(input.AccessKeyId, false);
    return { Account: found?.principal.accountId ?? accountForUnknownKey(input.AccessKeyId) };
  },
} satisfies Partial<StsApi>;
