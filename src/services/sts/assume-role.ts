// AssumeRole: trust policy, MFA, duration limits (role maximum, one hour when chaining), session
// policy and tags, source identity; issues ASIA credentials for the role session.
import { formatArn, parseArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { findRoleByArn, recordRoleUsed } from "../iam/internal.js";
import type { StsApi } from "./api.generated.js";
import { accessDenied, callerSession, credentialsOf, issueSession, validationError, type SessionTag } from "./credentials.js";
import { verifyMfa } from "./mfa.js";
import { requestContext } from "./request-context.js";
import { checkSessionPolicy, checkTags, packedPolicySize } from "./session-policy.js";
import { evaluateTrustPolicy } from "./trust-policy.js";

const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;
// A well-formed ARN of some other resource (an OIDC provider, a certificate…).
const ANY_ARN = /^arn:aws[\w-]*:[\w-]+:[\w-]*:\d{12}:.+$/;

const notAuthorized = (ctx: HandlerContext, action: string, resource: string) =>
  accessDenied(`User: ${ctx.principal.arn} is not authorized to perform: ${action} on resource: ${resource}`);

const DEFAULT_DURATION = 3600;
const CHAINING_LIMIT = 3600;

export const assumeRole = {
  assumeRole(input, ctx) {
    const { RoleArn, RoleSessionName, ExternalId, SourceIdentity, Tags, TransitiveTagKeys, Policy, PolicyArns } = input;
    // Syntax before authorization: what is not an ARN at all is "<value> is invalid", whoever asks (AWS-recorded:
    // "nothing-valid-in-here is invalid", "arn:a:::something/test-role is invalid" — LocalStack's
    // tests/aws/services/sts/test_sts.snapshot.json, test_sts_invalid_parameters, recorded 2025-07-21).
    if (!parseArn(RoleArn)) throw validationError(`${RoleArn} is invalid`);
    // AWS refuses the root user outright, before looking at the role.
    if (ctx.principal.type === "Root") throw accessDenied("Roles may not be assumed by root accounts.");

    const parsed = RoleArn.match(ROLE_ARN);
    if (!parsed) {
      if (ANY_ARN.test(RoleArn)) throw validationError("Request ARN is invalid");
      throw notAuthorized(ctx, "sts:AssumeRole", RoleArn);
    }
    const roleAccount = parsed[2];
    const roleName = parsed[3];
    // A missing role answers exactly like a refused one, so callers cannot probe other accounts.
    const role = findRoleByArn(ctx, roleAccount, RoleArn);
    if (!role) throw notAuthorized(ctx, "sts:AssumeRole", RoleArn);

    const mfa = verifyMfa(ctx, input.SerialNumber, input.TokenCode);
    const caller = callerSession(ctx);
    if (SourceIdentity !== undefined && caller?.sourceIdentity !== undefined && caller.sourceIdentity !== SourceIdentity) {
      // Source identity is fixed for the whole chain once set.
      throw accessDenied(`User: ${ctx.principal.arn} is not authorized to perform: sts:SetSourceIdentity on resource: ${RoleArn}`);
    }
    const context = requestContext(ctx, {
      callerSession: caller,
      mfaInRequest: mfa.present,
      externalId: ExternalId,
      roleSessionName: RoleSessionName,
      sourceIdentity: SourceIdentity,
      tags: Tags,
      transitiveTagKeys: TransitiveTagKeys,
    });
    // Each extra capability the request uses is its own action the trust policy must allow.
    const actions = ["sts:AssumeRole"];
    if (SourceIdentity !== undefined) actions.push("sts:SetSourceIdentity");
    if (Tags?.length || TransitiveTagKeys?.length) actions.push("sts:TagSession");
    for (const action of actions) {
      const decision = evaluateTrustPolicy(role.assumeRolePolicyDocument, { principal: ctx.principal, action, resource: role.arn, context });
      if (decision !== "Allow") throw notAuthorized(ctx, action, RoleArn);
    }

    const duration = input.DurationSeconds ?? DEFAULT_DURATION;
    // Any temporary credentials count as chaining (GetSessionToken ones too), capped at one hour.
    if (ctx.principal.session && duration > CHAINING_LIMIT) {
      throw validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    }
    if (duration > role.maxSessionDuration) throw validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

    const policy = Policy !== undefined ? checkSessionPolicy(Policy) : undefined;
    checkTags(Tags, TransitiveTagKeys);
    // Transitive tags from the calling session carry over; the request may not override them.
    const inherited = (caller?.tags ?? []).filter((t) => caller?.transitiveTagKeys?.some((k) => k.toLowerCase() === t.key.toLowerCase()));
    for (const t of Tags ?? []) {
      if (inherited.some((i) => i.key.toLowerCase() === t.Key.toLowerCase())) {
        throw validationError(
          "One or more of the specified transitive tag keys can't be set because it conflicts with a transitive tag inherited from the calling session.",
        );
      }
    }
    const packed = packedPolicySize(Policy, PolicyArns, Tags);
    const tags: SessionTag[] = [...inherited, ...(Tags ?? []).map((t) => ({ key: t.Key, value: t.Value }))];
    const transitive = [...new Set([...(caller?.transitiveTagKeys ?? []), ...(TransitiveTagKeys ?? [])])];
    const sourceIdentity = SourceIdentity ?? caller?.sourceIdentity;

    mfa.consume();
    const now = ctx.now();
    recordRoleUsed(ctx, roleAccount, role.roleName, ctx.region, now);
    const mfaAuthenticatedAt = mfa.present ? now : caller?.mfaAuthenticatedAt;
    const session = issueSession(ctx, {
      kind: "AssumeRole",
      durationSeconds: duration,
      principal: {
        type: "AssumedRole",
        accountId: roleAccount,
        // The assumed-role ARN drops the role's path.
        arn: formatArn({ partition: parsed[1], service: "sts", region: "", account: roleAccount, resource: `assumed-role/${roleName}/${RoleSessionName}` }),
        principalId: `${role.roleId}:${RoleSessionName}`,
        session: {
          issuerType: "Role",
          issuerArn: role.arn,
          issuerPrincipalId: role.roleId,
          issuerUserName: role.roleName,
          creationDate: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
          mfaAuthenticated: mfaAuthenticatedAt !== undefined,
        },
      },
      mfaAuthenticatedAt,
      sourceIdentity,
      tags: tags.length ? tags : undefined,
      transitiveTagKeys: transitive.length ? transitive : undefined,
      policy,
      policyArns: PolicyArns?.map((p) => p.arn ?? "").filter(Boolean),
    });
    return {
      Credentials: credentialsOf(session),
      AssumedRoleUser: { AssumedRoleId: session.principal.principalId, Arn: session.principal.arn },
      ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
      ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
    };
  },
} satisfies Partial<StsApi>;
