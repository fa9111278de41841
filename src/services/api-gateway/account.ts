// GetAccount / UpdateAccount: the account's API Gateway settings in a region. Only cloudwatchRoleArn is the
// caller's (the role API Gateway logs to CloudWatch with: an IAM role that trusts apigateway.amazonaws.com, checked
// against IAM as AWS does); the throttle limits, features and API key version are
// what AWS answers for an account (10,000 requests/s steady, 5,000 burst; usage plans; key version 4).
import { parseArn } from "../../core/arn.js";
import { evaluatePolicy } from "../../core/policy/evaluate.js";
import { findRoleByArn } from "../iam/internal.js";
import { type Account, type ApiGatewayApi, BadRequestException } from "./api.generated.js";
import { applyPatches, replaceOnly } from "./data-patch.js";
import { type AccountRec, tables } from "./state.js";

const accountOut = (a: AccountRec): Account => ({
  ...(a.cloudwatchRoleArn ? { cloudwatchRoleArn: a.cloudwatchRoleArn } : {}),
  throttleSettings: { burstLimit: 5000, rateLimit: 10000 },
  features: ["UsagePlans"],
  apiKeyVersion: "4",
});

export const account = {
  getAccount(_input, ctx) {
    return accountOut(tables(ctx).account.get("account") ?? {});
  },

  updateAccount(input, ctx) {
    const t = tables(ctx);
    const rec: AccountRec = { ...(t.account.get("account") ?? {}) };
    applyPatches(input.patchOperations, {
      "/cloudwatchRoleArn": replaceOnly("/cloudwatchRoleArn", (v) => {
        if (!v) {
          delete rec.cloudwatchRoleArn;
          return;
        }
        const arn = parseArn(v);
        if (arn?.service !== "iam" || !arn.resource.startsWith("role/")) throw new BadRequestException("The role ARN is not well formed"); // unverified wording
        // AWS checks that API Gateway may assume the role: it must exist and trust apigateway.amazonaws.com.
        const role = findRoleByArn(ctx, arn.account, v);
        const trusted =
          role &&
          evaluatePolicy(role.assumeRolePolicyDocument, { caller: { type: "service", service: "apigateway.amazonaws.com" }, action: "sts:AssumeRole" }) ===
            "Allow";
        if (!trusted) throw new BadRequestException("The role ARN does not have required permissions set to API Gateway");
        rec.cloudwatchRoleArn = v;
      }),
    });
    t.account.put("account", rec);
    return accountOut(rec);
  },
} satisfies Partial<ApiGatewayApi>;
