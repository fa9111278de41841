// X-Ray resource policies: account-level policies by name that let AWS services (SNS, Step Functions …) and other
// principals send traces into the account. Per API_PutResourcePolicy and the X-Ray quotas: at most 5 policies per
// account and region, each at most 5 KB; PolicyRevisionId guards an update (a revision id that is not the current one
// is InvalidPolicyRevisionIdException, and "0" means "create only"); revisions count up from 1. Documents are checked
// with IAM's policy grammar (core/policy) — a resource policy, so with principals and resources.
//
// The lockout check (BypassPolicyLockoutCheck): a document that grants or denies xray:PutResourcePolicy could keep the
// caller from changing policies again, so AWS asks for the bypass flag (the Terraform provider's documented example
// for aws_xray_resource_policy grants xray:PutResourcePolicy and sets bypass_policy_lockout_check). Which statements
// exactly trip it, and every message below, are unverified.
import type { HandlerContext } from "../../../core/context.js";
import { pageByKey } from "../../../core/paging.js";
import { policyGrammarError } from "../../../core/policy/grammar.js";
import { partitionOf } from "../../../core/arn.js";
import {
  InvalidPolicyRevisionIdException,
  InvalidRequestException,
  LockoutPreventionException,
  MalformedPolicyDocumentException,
  PolicyCountLimitExceededException,
  PolicySizeLimitExceededException,
  type ResourcePolicy,
  type XrayApi,
} from "../api.generated.js";
import { samplingState, type PolicyRec } from "./state.js";

export const MAX_POLICIES = 5;
export const MAX_POLICY_BYTES = 5120;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The document's statements, once it has passed IAM's grammar as a resource policy (Resource checked apart). */
function checkDocument(ctx: HandlerContext, text: string): Obj[] {
  const malformed = (why: string) => new MalformedPolicyDocumentException(`Invalid policy document: ${why}`); // unverified wording
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed("the document is not valid JSON.");
  }
  if (!isObj(doc)) throw malformed("the document is not a JSON object.");
  const statements = list(doc.Statement);
  // IAM's "trust" grammar is the one with principals; it prohibits Resource, which a resource policy has.
  const withoutResources = statements.map((s) =>
    isObj(s) ? Object.fromEntries(Object.entries(s).filter(([k]) => k !== "Resource" && k !== "NotResource")) : s,
  );
  const error = policyGrammarError(JSON.stringify({ ...doc, Statement: withoutResources }), "trust", partitionOf(ctx.region));
  if (error) throw malformed(error);
  return statements as Obj[];
}

const coversPutResourcePolicy = (action: unknown): boolean =>
  typeof action === "string" && ["*", "xray:*", "xray:putresourcepolicy"].includes(action.toLowerCase());

const answer = (p: PolicyRec): ResourcePolicy => ({
  PolicyName: p.name,
  PolicyDocument: p.document,
  PolicyRevisionId: String(p.revision),
  LastUpdatedTime: new Date(p.updatedAt),
});

export function putPolicy(ctx: HandlerContext, name: string, document: string, revisionId: string | undefined, bypass: boolean | undefined): PolicyRec {
  if (Buffer.byteLength(document, "utf8") > MAX_POLICY_BYTES) {
    throw new PolicySizeLimitExceededException(`Policy document exceeds the maximum size of ${MAX_POLICY_BYTES} bytes.`); // unverified wording
  }
  const statements = checkDocument(ctx, document);
  if (!bypass && statements.some((s) => list(s.Action).some(coversPutResourcePolicy))) {
    throw new LockoutPreventionException(
      "The policy could prevent you from making further PutResourcePolicy requests; set BypassPolicyLockoutCheck to put it anyway.", // unverified wording
    );
  }
  const table = samplingState.of(ctx).resourcePolicies;
  const current = table.get(name);
  if (revisionId !== undefined && revisionId !== (current ? String(current.revision) : "0")) {
    throw new InvalidPolicyRevisionIdException(`Policy revision id ${revisionId} does not match the latest revision of policy ${name}.`); // unverified wording
  }
  if (!current && table.count() >= MAX_POLICIES) {
    throw new PolicyCountLimitExceededException(`You have reached the maximum of ${MAX_POLICIES} resource policies.`); // unverified wording
  }
  const rec: PolicyRec = { name, document, revision: (current?.revision ?? 0) + 1, updatedAt: ctx.now() };
  table.put(name, rec);
  return rec;
}

export function deletePolicy(ctx: HandlerContext, name: string, revisionId: string | undefined): void {
  const table = samplingState.of(ctx).resourcePolicies;
  const current = table.get(name);
  if (revisionId !== undefined && (!current || String(current.revision) !== revisionId)) {
    throw new InvalidPolicyRevisionIdException(`Policy revision id ${revisionId} does not match the latest revision of policy ${name}.`); // unverified wording
  }
  // Deleting a policy that does not exist succeeds: the model gives DeleteResourcePolicy no not-found error.
  table.delete(name);
}

export const policyHandlers = {
  putResourcePolicy({ PolicyName, PolicyDocument, PolicyRevisionId, BypassPolicyLockoutCheck }, ctx) {
    return { ResourcePolicy: answer(putPolicy(ctx, PolicyName, PolicyDocument, PolicyRevisionId, BypassPolicyLockoutCheck)) };
  },
  listResourcePolicies({ NextToken }, ctx) {
    const all = samplingState
      .of(ctx)
      .resourcePolicies.list()
      .map((e) => e.value);
    const page = pageByKey(all, (p) => p.name, {
      operation: "ListResourcePolicies",
      token: NextToken,
      max: MAX_POLICIES,
      invalid: () => new InvalidRequestException("Invalid NextToken"), // unverified wording
    });
    return { ResourcePolicies: page.items.map(answer), ...(page.next ? { NextToken: page.next } : {}) };
  },
  deleteResourcePolicy({ PolicyName, PolicyRevisionId }, ctx) {
    deletePolicy(ctx, PolicyName, PolicyRevisionId);
    return {};
  },
} satisfies Partial<XrayApi>;
