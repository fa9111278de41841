// The condition keys an STS request carries (aws:* globals and sts:* keys), as trust policies see them.
import type { HandlerContext } from "../../core/context.js";
import type { ConditionContext } from "../../core/policy/conditions.js";
import type { SessionRecord } from "./credentials.js";
import { globalConditions } from "../../core/policy/resource-guard.js";
import type { Tag } from "./api.generated.js";

export interface StsRequestFacts {
  /** The caller's own session, when it signs with temporary credentials. */
  callerSession?: SessionRecord;
  /** MFA presented with this very request (SerialNumber + TokenCode). */
  mfaInRequest: boolean;
  externalId?: string;
  roleSessionName?: string;
  sourceIdentity?: string;
  tags?: Tag[];
  transitiveTagKeys?: string[];
}

export function requestContext(ctx: HandlerContext, facts: StsRequestFacts): ConditionContext {
  const now = ctx.now();
  const c: ConditionContext = {
    ...globalConditions(ctx),
    "sts:externalid": facts.externalId,
    "sts:rolesessionname": facts.roleSessionName,
    "sts:sourceidentity": facts.sourceIdentity,
    "aws:sourceidentity": facts.callerSession?.sourceIdentity,
  };

  // MFA: present with this request, or carried by the caller's session; the key is absent for
  // long-term credentials used without MFA, which is why AWS recommends BoolIfExists for denies.
  const session = facts.callerSession;
  const mfaAt = facts.mfaInRequest ? now : session?.mfaAuthenticatedAt;
  if (mfaAt !== undefined) {
    c["aws:multifactorauthpresent"] = "true";
    c["aws:multifactorauthage"] = String(Math.floor((now - mfaAt) / 1000));
  } else if (ctx.principal.session) {
    c["aws:multifactorauthpresent"] = "false";
  } else {
    delete c["aws:multifactorauthpresent"];
  }
  if (session) c["aws:tokenissuetime"] = new Date(session.createdAt).toISOString().replace(/\.\d{3}Z$/, "Z");

  for (const t of session?.tags ?? []) c[`aws:principaltag/${t.key.toLowerCase()}`] = t.value;
  if (facts.tags?.length) {
    c["aws:tagkeys"] = facts.tags.map((t) => t.Key);
    for (const t of facts.tags) c[`aws:requesttag/${t.Key.toLowerCase()}`] = t.Value;
  }
  if (facts.transitiveTagKeys?.length) c["sts:transitivetagkeys"] = facts.transitiveTagKeys;
  return c;
}
