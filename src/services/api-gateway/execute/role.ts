// The session API Gateway acts as for an integration's or authorizer's credentials role: the role must exist and
// its trust policy must let apigateway.amazonaws.com assume it (core/policy's evaluator), else API Gateway cannot
// call (its execution log: "API Gateway does not have permission to assume the provided role"; the client gets 500).
import { globalArn } from "../../../core/arn.js";
import type { Principal } from "../../../core/identity.js";
import { evaluatePolicy } from "../../../core/policy/index.js";
import type { ServiceHost } from "../../../core/service.js";
import { findRoleByArn } from "../../iam/internal.js";

/** credentials "arn:aws:iam::*:user/*": the call is made with the caller's own credentials (an IAM-authorized method). */
export const CALLER_CREDENTIALS = "arn:aws:iam::*:user/*";

/** The role's session as the caller API Gateway acts as; undefined when the role does not exist or does not trust API Gateway. */
export function assumedRole(rt: ServiceHost, roleArn: string): { account: string; principal: Principal } | undefined {
  const account = /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1];
  if (!account) return undefined;
  const role = findRoleByArn(rt, account, roleArn);
  if (!role) return undefined;
  const trusted = evaluatePolicy(role.assumeRolePolicyDocument, { caller: { type: "service", service: "apigateway.amazonaws.com" }, action: "sts:AssumeRole" });
  if (trusted !== "Allow") return undefined;
  const session = "BackplaneAssumeRoleSession"; // unverified: the session name API Gateway uses
  return {
    account,
    principal: {
      type: "AssumedRole",
      accountId: account,
      arn: globalArn(account, "sts", `assumed-role/${role.roleName}/${session}`),
      principalId: `${role.roleId}:${session}`,
      session: {
        issuerType: "Role",
        issuerArn: role.arn,
        issuerPrincipalId: role.roleId,
        issuerUserName: role.roleName,
        creationDate: new Date(rt.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
        mfaAuthenticated: false,
      },
    },
  };
}
