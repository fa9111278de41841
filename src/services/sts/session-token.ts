// GetSessionToken and GetFederationToken: temporary credentials for an IAM user or the root user,
// never from temporary credentials; root sessions are held to one hour.
import { formatArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import type { Principal } from "../../core/identity.js";
import type { StsApi } from "./api.generated.js";
import { accessDenied, credentialsOf, issueSession, usesSessionCredentials } from "./credentials.js";
import { verifyMfa } from "./mfa.js";
import { checkSessionPolicy, checkTags, packedPolicySize } from "./session-policy.js";

const DEFAULT_DURATION = 43200;
const ROOT_MAX = 3600;

// The model already bounds DurationSeconds to 900…129600; for the root user AWS silently lowers
// anything longer than an hour to one hour rather than failing.
function durationFor(ctx: HandlerContext, requested: number | undefined): number {
  const d = requested ?? DEFAULT_DURATION;
  return ctx.principal.type === "Root" ? Math.min(d, ROOT_MAX) : d;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function issuer(p: Principal, now: number, mfaAuthenticated: boolean): NonNullable<Principal["session"]> {
  return {
    issuerType: p.type === "Root" ? "Root" : "IAMUser",
    issuerArn: p.arn,
    issuerPrincipalId: p.principalId,
    issuerUserName: p.userName,
    creationDate: isoSeconds(now),
    mfaAuthenticated,
  };
}

export const sessionTokens = {
  getSessionToken(input, ctx) {
    if (usesSessionCredentials(ctx)) throw accessDenied("Cannot call GetSessionToken with session credentials");
    const mfa = verifyMfa(ctx, input.SerialNumber, input.TokenCode);
    const duration = durationFor(ctx, input.DurationSeconds);
    mfa.consume();
    const now = ctx.now();
    const { accessKeyId: _ignored, session: _none, ...caller } = ctx.principal;
    // The session acts as the calling user (or root) itself, marked as a session for CloudTrail.
    const session = issueSession(ctx, {
      kind: "GetSessionToken",
      durationSeconds: duration,
      principal: { ...caller, session: issuer(ctx.principal, now, mfa.present) },
      mfaAuthenticatedAt: mfa.present ? now : undefined,
    });
    return { Credentials: credentialsOf(session) };
  },

  getFederationToken(input, ctx) {
    if (usesSessionCredentials(ctx)) throw accessDenied("Cannot call GetFederationToken with session credentials");
    const policy = input.Policy !== undefined ? checkSessionPolicy(input.Policy) : undefined;
    checkTags(input.Tags, undefined);
    const packed = packedPolicySize(input.Policy, input.PolicyArns, input.Tags);
    const duration = durationFor(ctx, input.DurationSeconds);
    const now = ctx.now();
    const account = ctx.principal.accountId;
    const partition = ctx.principal.arn.split(":")[1] ?? "aws";
    const session = issueSession(ctx, {
      kind: "GetFederationToken",
      durationSeconds: duration,
      principal: {
        type: "FederatedUser",
        accountId: account,
        arn: formatArn({ partition, service: "sts", region: "", account, resource: `federated-user/${input.Name}` }),
        principalId: `${account}:${input.Name}`,
        session: issuer(ctx.principal, now, false),
      },
      tags: input.Tags?.map((t) => ({ key: t.Key, value: t.Value })),
      policy,
      policyArns: input.PolicyArns?.map((p) => p.arn ?? "").filter(Boolean),
    });
    return {
      Credentials: credentialsOf(session),
      FederatedUser: { FederatedUserId: session.principal.principalId, Arn: session.principal.arn },
      ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
    };
  },
} satisfies Partial<StsApi>;
