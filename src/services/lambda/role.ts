// The execution role check AWS makes at CreateFunction/UpdateFunctionConfiguration: the role must exist and
// trust lambda.amazonaws.com (sts:AssumeRole); otherwise "The role defined for the function cannot be assumed by Lambda."
import type { HandlerContext } from "../../core/context.js";
import { findRoleByArn } from "../iam/internal.js";
import { InvalidParameterValueException } from "./api.generated.js";

const ROLE_ACCOUNT = /^arn:aws[\w-]*:iam::(\d{12}):role\//;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function trustsLambda(doc: string): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(doc) as { Statement?: unknown };
  } catch {
    return false;
  }
  return asList(policy.Statement).some((raw) => {
    const s = raw as { Effect?: string; Principal?: unknown; Action?: unknown };
    if (s.Effect !== "Allow") return false;
    const p = s.Principal;
    const services = p === "*" ? ["*"] : asList((p as { Service?: unknown } | undefined)?.Service);
    if (!services.some((x) => x === "lambda.amazonaws.com" || x === "*")) return false;
    return asList(s.Action).some((a) => typeof a === "string" && /^(\*|sts:\*|sts:AssumeRole)$/i.test(a));
  });
}

export function checkExecutionRole(ctx: HandlerContext, roleArn: string): void {
  const account = ROLE_ACCOUNT.exec(roleArn)?.[1];
  const role = account ? findRoleByArn(ctx, account, roleArn) : undefined;
  if (!role || !trustsLambda(role.assumeRolePolicyDocument)) {
    throw new InvalidParameterValueException("The role defined for the function cannot be assumed by Lambda.", { Type: "User" });
  }
}
