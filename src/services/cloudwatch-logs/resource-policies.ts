// Resource policies: account-level ones (by name, at most 10 per region) that let AWS services such as Route 53 put
// logs into the account, and resource-scoped ones attached to one log group (by its ARN, guarded by a revision id).
//
// AWS-recorded responses (LocalStack tests/aws/services/logs/test_logs_resource_policies.snapshot.json): Put answers
// the document as sent with policyScope ACCOUNT; Describe answers it as AWS stores it (Version defaulted to
// "2008-10-17", elements in IAM's order, one-element lists as plain strings); DeleteResourcePolicy of an unknown name
// is ResourceNotFoundException "Policy with name [x] does not exist."; the 11th policy LimitExceededException
// "Resource limit exceeded.".
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import {
  InvalidParameterException,
  LimitExceededException,
  OperationAbortedException,
  ResourceNotFoundException,
  type CloudwatchLogsApi,
  type ResourcePolicy,
} from "./api.generated.js";
import { invalidToken, logsState, mustGroup, type ResourcePolicyRec } from "./state.js";

const MAX_ACCOUNT_POLICIES = 10;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

// AWS's wording for a policy it cannot store (hashicorp/terraform-provider-aws#32260: a Principal of type AWS naming a
// service gives "InvalidParameterException: Could not convert to persistable policy."); used for every document that
// is not a policy AWS could store — for malformed JSON the wording is unverified.
const notPersistable = () => new InvalidParameterException("Could not convert to persistable policy.");

/** Checks a policy document's structure; AWS principals must be "*", an account id or an ARN. */
function checkPolicy(text: string): Obj {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw notPersistable();
  }
  if (!isObj(doc)) throw notPersistable();
  const raw = doc.Statement;
  const statements = Array.isArray(raw) ? raw : isObj(raw) ? [raw] : [];
  if (!statements.length) throw notPersistable();
  for (const s of statements) {
    if (!isObj(s) || (s.Effect !== "Allow" && s.Effect !== "Deny")) throw notPersistable();
    const principal = s.Principal ?? s.NotPrincipal;
    if (principal !== undefined && principal !== "*") {
      if (!isObj(principal)) throw notPersistable();
      for (const [kind, v] of Object.entries(principal)) {
        const values = Array.isArray(v) ? v : [v];
        if (!values.every((x) => typeof x === "string")) throw notPersistable();
        if (kind === "AWS" && !values.every((x) => x === "*" || /^\d{12}$/.test(x) || x.startsWith("arn:"))) throw notPersistable();
        if (!["AWS", "Service", "Federated", "CanonicalUser"].includes(kind)) throw notPersistable();
      }
    }
  }
  return doc;
}

const STATEMENT_ORDER = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/** One-element string lists become the string, recursively (Principal.Service ["x"] → "x"), as AWS stores policies. */
function collapse(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 1 && typeof v[0] === "string" ? v[0] : v.map(collapse);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, collapse(x)]));
  return v;
}

/** The document as DescribeResourcePolicies answers it (see the header). Whitespace and key order beyond these: unverified. */
function stored(doc: Obj): string {
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Obj[];
  const ordered = statements.map((s) => {
    const keys = [...STATEMENT_ORDER.filter((k) => k in s), ...Object.keys(s).filter((k) => !STATEMENT_ORDER.includes(k))];
    return Object.fromEntries(keys.map((k) => [k, k === "Condition" ? s[k] : collapse(s[k])]));
  });
  return JSON.stringify({ Version: doc.Version ?? "2008-10-17", ...(doc.Id !== undefined ? { Id: doc.Id } : {}), Statement: ordered });
}

/** The log group a resource ARN names (a log group ARN of the caller's account and region, `:*` allowed). */
function groupOfResource(ctx: HandlerContext, arn: string): string {
  const m = /^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:([^:]+)(?::\*)?$/.exec(arn);
  // "Currently only supports LogGroup ARN" (PutResourcePolicyRequest.resourceArn). Wording unverified.
  if (!m) throw new InvalidParameterException(`Invalid resource ARN: ${arn}. Only log group ARNs are supported.`);
  if (m[1] !== ctx.region || m[2] !== ctx.account) throw new ResourceNotFoundException("The specified log group does not exist.");
  mustGroup(ctx, m[3]);
  return m[3];
}

const out = (p: ResourcePolicyRec, document: string): ResourcePolicy => ({
  policyName: p.name,
  policyDocument: document,
  lastUpdatedTime: p.lastUpdated,
  policyScope: p.resourceArn ? "RESOURCE" : "ACCOUNT",
  ...(p.resourceArn ? { resourceArn: p.resourceArn, revisionId: p.revisionId } : {}),
});

// Revision mismatches: AWS's error and wording for them are not recorded publicly; the model's error for conflicting
// concurrent updates is used. Unverified.
const staleRevision = () => new OperationAbortedException("The expected revision id does not match the current revision id of the resource policy.");

export const resourcePolicies = {
  putResourcePolicy({ policyName, policyDocument, resourceArn, expectedRevisionId }, ctx) {
    // "Name of the new policy. This parameter is required." / "policyDocument … This parameter is required." (API reference).
    if (policyName === undefined) throw new InvalidParameterException("policyName is required.");
    if (policyDocument === undefined) throw new InvalidParameterException("policyDocument is required.");
    const doc = checkPolicy(policyDocument);
    const now = ctx.now();
    const tables = logsState.of(ctx);
    if (resourceArn !== undefined) {
      const group = groupOfResource(ctx, resourceArn);
      const before = tables.groupPolicies.get(group);
      // "Required when resourceArn is provided to prevent concurrent modifications. Use null when creating a resource
      // policy for the first time." (PutResourcePolicyRequest.expectedRevisionId)
      if ((before?.revisionId ?? undefined) !== expectedRevisionId) throw staleRevision();
      const rec: ResourcePolicyRec = {
        name: policyName,
        document: policyDocument,
        stored: stored(doc),
        lastUpdated: now,
        resourceArn,
        revisionId: randomUUID(),
      };
      tables.groupPolicies.put(group, rec);
      return { resourcePolicy: out(rec, policyDocument), revisionId: rec.revisionId };
    }
    const table = tables.resourcePolicies;
    if (!table.has(policyName) && table.count() >= MAX_ACCOUNT_POLICIES) throw new LimitExceededException("Resource limit exceeded.");
    const rec: ResourcePolicyRec = { name: policyName, document: policyDocument, stored: stored(doc), lastUpdated: now };
    table.put(policyName, rec);
    return { resourcePolicy: out(rec, policyDocument) };
  },

  describeResourcePolicies({ nextToken, limit, resourceArn, policyScope }, ctx) {
    const tables = logsState.of(ctx);
    let list: ResourcePolicyRec[];
    if (resourceArn !== undefined) {
      const p = tables.groupPolicies.get(groupOfResource(ctx, resourceArn));
      list = p ? [p] : [];
    } else if (policyScope === "RESOURCE") {
      list = tables.groupPolicies.list().map((e) => e.value);
    } else {
      list = tables.resourcePolicies.list().map((e) => e.value);
    }
    const page = pageByKey(list, (p) => `${p.resourceArn ?? ""}\u0000${p.name}`, {
      operation: "DescribeResourcePolicies",
      token: nextToken,
      max: limit ?? 50,
      bind: `${resourceArn ?? ""}|${policyScope ?? ""}`,
      invalid: invalidToken,
    });
    return { resourcePolicies: page.items.map((p) => out(p, p.stored)), ...(page.next ? { nextToken: page.next } : {}) };
  },

  deleteResourcePolicy({ policyName, resourceArn, expectedRevisionId }, ctx) {
    const tables = logsState.of(ctx);
    if (resourceArn !== undefined) {
      const group = groupOfResource(ctx, resourceArn);
      const p = tables.groupPolicies.get(group);
      // Unverified wording for a log group without a policy.
      if (!p) throw new ResourceNotFoundException(`Resource policy for [${resourceArn}] does not exist.`);
      if (expectedRevisionId !== undefined && expectedRevisionId !== p.revisionId) throw staleRevision();
      tables.groupPolicies.delete(group);
      return {};
    }
    if (policyName === undefined) throw new InvalidParameterException("policyName is required.");
    if (!tables.resourcePolicies.delete(policyName)) throw new ResourceNotFoundException(`Policy with name [${policyName}] does not exist.`);
    return {};
  },
} satisfies Partial<CloudwatchLogsApi>;
