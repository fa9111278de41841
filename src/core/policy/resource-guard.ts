// Resource policies decided for every call, whatever the auth mode: an explicit Deny in a bucket, key, queue, topic,
// secret or function policy stops the caller the access key identifies, as on AWS, where a Deny in any policy that
// applies wins over every Allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
// Allows are not required here: without identity-policy enforcement, the caller is allowed what no Deny stops.
// A service declares which resource (and policy) each operation acts on; the runtime asks before the handler runs.
import type { HandlerContext } from "../context.js";
import type { Principal } from "../identity.js";
import type { ConditionContext } from "./conditions.js";
import { evaluatePolicy, principalArn, principalType, type Caller } from "./evaluate.js";

/** One resource an operation acts on, the IAM action it needs there, and that resource's policy (if it has one). */
export interface ResourcePolicyTarget {
  /** e.g. "arn:aws:s3:::bucket/key" */
  resource: string;
  /** e.g. "s3:GetObject" — IAM's action name, which is not always the operation's. */
  action: string;
  /** The resource policy document (JSON text or parsed); undefined when the resource has none. */
  policy: string | object | undefined;
  /** Condition keys the service adds for this request (s3:prefix, kms:EncryptionContext:…), lower-cased. */
  context?: ConditionContext;
}

/** What a service declares so the runtime can enforce its resource policies' explicit denies. */
export interface ResourcePolicyGuard {
  /**
   * The targets of one call (CopyObject has two: the source and the destination), or none when the operation
   * acts on no resource with a policy, or its resource does not exist (the handler then answers as AWS does).
   */
  targets(input: Record<string, unknown>, ctx: HandlerContext): ResourcePolicyTarget[] | undefined | Promise<ResourcePolicyTarget[] | undefined>;
  /** The service's own refusal of an explicit deny (S3's 403 AccessDenied, KMS's AccessDeniedException, …). */
  denied(ctx: HandlerContext, target: ResourcePolicyTarget): Error;
}

/** Who the caller is, as policies name callers: an anonymous (unsigned) request has no principal. */
export function callerOf(p: Principal): Caller {
  return p.type === "Unknown" ? { type: "anonymous" } : { type: "iam", principal: p };
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The global condition keys every request carries (aws:PrincipalArn, aws:SourceIp, aws:CurrentTime, …), lower-cased.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * aws:SecureTransport is "true": Stratus's endpoint stands in for AWS's, which clients only reach over TLS, so a
 * policy denying insecure transport (the CDK's `enforceSSL`) keeps working as it does on AWS.
 */
export function globalConditions(ctx: Pick<HandlerContext, "principal" | "now" | "sourceIp" | "userAgent" | "region">): ConditionContext {
  const p = ctx.principal;
  const now = ctx.now();
  const anonymous = p.type === "Unknown";
  const c: ConditionContext = {
    "aws:currenttime": isoSeconds(now),
    "aws:epochtime": String(Math.floor(now / 1000)),
    "aws:sourceip": ctx.sourceIp,
    "aws:useragent": ctx.userAgent,
    "aws:securetransport": "true",
    "aws:requestedregion": ctx.region,
    "aws:viaawsservice": "false",
    "aws:principalisawsservice": "false",
  };
  if (!anonymous) {
    c["aws:principalarn"] = principalArn(p);
    c["aws:principalaccount"] = p.accountId;
    c["aws:principaltype"] = principalType(p);
    c["aws:userid"] = p.principalId;
    c["aws:username"] = p.type === "IAMUser" ? p.userName : undefined;
    if (p.session) c["aws:multifactorauthpresent"] = String(p.session.mfaAuthenticated);
  }
  return c;
}

/**
 * IAM's wording of an explicit deny in a resource-based policy, which services that name the caller use:
 * "User: <arn> is not authorized to perform: <action> on resource: <arn> with an explicit deny in a resource-based policy".
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html — S3 quotes the resource
 * (`on resource: "arn:aws:s3:::bucket/key"`, as AWS answers in recorded responses, e.g. moto's
 * tests/test_s3/test_s3_bucket_policy.py).
 */
export function explicitDenyMessage(p: Principal, target: ResourcePolicyTarget, opts: { quoteResource?: boolean } = {}): string {
  const who = p.type === "Unknown" ? "anonymous" : p.arn;
  const resource = opts.quoteResource ? `"${target.resource}"` : target.resource;
  return `User: ${who} is not authorized to perform: ${target.action} on resource: ${resource} with an explicit deny in a resource-based policy`;
}

/** Whether the target's policy explicitly denies this call's caller (conditions decided from the call). */
export function isExplicitlyDenied(ctx: HandlerContext, target: ResourcePolicyTarget, base: ConditionContext = globalConditions(ctx)): boolean {
  if (target.policy === undefined) return false;
  const context = target.context ? { ...base, ...target.context } : base;
  return evaluatePolicy(target.policy, { caller: callerOf(ctx.principal), action: target.action, resource: target.resource, context }) === "Deny";
}

/** The first target whose policy explicitly denies the call, if any. */
export async function explicitlyDenied(
  guard: ResourcePolicyGuard,
  input: Record<string, unknown>,
  ctx: HandlerContext,
): Promise<ResourcePolicyTarget | undefined> {
  const targets = await guard.targets(input, ctx);
  if (!targets?.length) return undefined;
  let base: ConditionContext | undefined;
  for (const t of targets) {
    if (t.policy === undefined) continue;
    base ??= globalConditions(ctx);
    if (isExplicitlyDenied(ctx, t, base)) return t;
  }
  return undefined;
}
