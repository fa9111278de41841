// STS: the service at a glance.
import { defineService } from "../types.js";
import type { StsApi } from "./api.generated.js";

const handlers = {
  getCallerIdentity(_input, ctx) {
    return { UserId: ctx.principal.principalId, Account: ctx.account, Arn: ctx.principal.arn };
  },
} satisfies Partial<StsApi>;

export default defineService({ name: "sts", handlers });
