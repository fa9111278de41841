// What AssumeRoleWithWebIdentity and AssumeRoleWithSAML share once the token or assertion is verified: the
// request's global condition keys (no IAM caller signs these requests) and the role session they issue.
import { formatArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import type { ConditionContext } from "../../core/policy/conditions.js";
import { globalConditions } from "../../core/policy/resource-guard.js";
import { type IamRoleInfo, recordRoleUsed } from "../iam/internal.js";
import type { PolicyDescriptorType } from "./api.generated.js";
import { credentialsOf, issueSession, type SessionKind, validationError } from "./credentials.js";
import { checkSessionPolicy, packedPolicySize } from "./session-policy.js";

/** The global keys of a federated request (time, source, region), with the provider: no aws:Principal* keys. */
export function federatedConditions(ctx: HandlerContext, providerArn: string): ConditionContext {
  const unsigned = { type: "Unknown" as const, accountId: "", arn: "", principalId: "" };
  return { ...globalConditions({ ...ctx, now: ctx.now, principal: unsigned }), "aws:federatedprovider": providerArn };
}

export interface FederatedSession {
  kind: SessionKind;
  role: IamRoleInfo;
  partition: string;
  roleAccount: string;
  sessionName: string;
  durationSeconds: number;
  Policy?: string;
  PolicyArns?: PolicyDescriptorType[];
}

/** The role session a verified token or assertion gets, and the response members every federated call shares. */
export function issueFederatedSession(ctx: HandlerContext, f: FederatedSession) {
  const { role, roleAccount, sessionName } = f;
  if (f.durationSeconds > role.maxSessionDuration) throw validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  const policy = f.Policy !== undefined ? checkSessionPolicy(f.Policy) : undefined;
  const packed = packedPolicySize(f.Policy, f.PolicyArns, undefined);
  const now = ctx.now();
  recordRoleUsed(ctx, roleAccount, role.roleName, ctx.region, now);
  const session = issueSession(ctx, {
    kind: f.kind,
    durationSeconds: f.durationSeconds,
    principal: {
      type: "AssumedRole",
      accountId: roleAccount,
      arn: formatArn({ partition: f.partition, service: "sts", region: "", account: roleAccount, resource: `assumed-role/${role.roleName}/${sessionName}` }),
      principalId: `${role.roleId}:${sessionName}`,
      session: {
        issuerType: "Role",
        issuerArn: role.arn,
        issuerPrincipalId: role.roleId,
        issuerUserName: role.roleName,
        creationDate: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
        mfaAuthenticated: false,
      },
    },
    policy,
    policyArns: f.PolicyArns?.map((p) => p.arn ?? "").filter(Boolean),
  });
  return {
    Credentials: credentialsOf(session),
    AssumedRoleUser: { AssumedRoleId: session.principal.principalId, Arn: session.principal.arn },
    ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
  };
}
