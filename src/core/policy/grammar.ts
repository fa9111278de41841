// IAM's policy grammar as IAM enforces it on write — identity policies (managed and inline) and trust policies —
// with the MalformedPolicyDocument messages AWS returns, checked in the order AWS checks them. Pure: the caller
// throws its own error with the message (IAM's MalformedPolicyDocument; other services word theirs).
/**
 * "managed": a customer managed policy (CreatePolicy, CreatePolicyVersion); "identity": an inline policy of a user,
 * group or role; "trust": a role's trust policy. Managed and inline policies share every rule but the version one.
 */
export type PolicyKind = "managed" | "identity" | "trust";

const TOP_KEYS = new Set(["Version", "Id", "Statement"]);
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);
const VERSIONS = new Set(["2012-10-17", "2008-10-17"]);
const PRINCIPAL_KEYS = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);

export const SYNTAX = "Syntax errors in policy.";
export const LEGACY = "The policy failed legacy parsing";
/**
 * Managed policies must say "Version": "2012-10-17"; a missing Version or "2008-10-17" passes the syntax check and
 * fails here, before legacy parsing (moto's AWS-derived CreatePolicy cases, tests/test_iam/test_iam_policies.py, and
 * users' reports of CreatePolicy). Inline and trust policies keep accepting both, as a missing Version defaults to
 * 2008-10-17 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html); whether
 * AWS refuses them for inline policies too (moto does) is unverified.
 */
export const VERSION = "Policy document must be version 2012-10-17 or greater.";
/** A trust policy that is not JSON (AWS-recorded for CreateRole: LocalStack's tests/aws/services/iam/test_iam.snapshot.json). */
export const INVALID_JSON = "This policy contains invalid Json";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const strOrStrList = (v: unknown) => isStr(v) || (Array.isArray(v) && v.every(isStr));
const asList = (v: unknown): string[] => (v === undefined ? [] : isStr(v) ? [v] : (v as string[]));
const scalar = (v: unknown) => isStr(v) || typeof v === "number" || typeof v === "boolean";

/**
 * A resource ARN of another partition than the caller's: `Partition "aws" is not valid for resource
 * "arn:aws:s3:::bucket/*".` — AWS's MalformedPolicyDocument as users of the China and GovCloud partitions report it;
 * the missing fields of a short ARN shown as "*" as moto's validator builds it.
 */
function partitionError(resource: string, partition: string): string | undefined {
  if (!resource.startsWith("arn:")) return undefined;
  const [p, ...rem] = resource.slice(4).split(":");
  if (p === partition) return undefined;
  const at = (i: number) => rem[i] ?? "*";
  const a1 = rem.length === 1 && rem[0] === "" ? "*" : at(0);
  const a4 = rem.length > 3 ? rem.slice(3).join(":") : "*";
  return `Partition "${p}" is not valid for resource "arn:${p}:${a1}:${at(1)}:${at(2)}:${a4}".`;
}

/**
 * The first grammar error in `text`, worded as IAM words it, or undefined when the document is valid. `partition` is
 * the caller's (resource ARNs must be of it).
 */
export function policyGrammarError(text: string, kind: PolicyKind, partition = "aws"): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return kind === "trust" ? INVALID_JSON : SYNTAX;
  }
  if (!isObj(doc)) return SYNTAX;
  // Pass 1, syntax: shapes and names of every element.
  for (const key of Object.keys(doc)) if (!TOP_KEYS.has(key)) return SYNTAX;
  if ("Version" in doc && !(isStr(doc.Version) && VERSIONS.has(doc.Version))) return SYNTAX;
  if ("Id" in doc && !isStr(doc.Id)) return SYNTAX;
  const raw = doc.Statement;
  const statements: unknown[] = Array.isArray(raw) ? raw : isObj(raw) ? [raw] : [];
  if (!statements.length) return SYNTAX;
  for (const s of statements) if (!syntaxOk(s)) return SYNTAX;
  const stmts = statements as Obj[];

  if (kind === "managed" && doc.Version !== "2012-10-17") return VERSION;

  // Pass 2, legacy parsing: Effect is case-sensitive here although the syntax pass accepted "allow".
  for (const s of stmts) if (s.Effect !== "Allow" && s.Effect !== "Deny") return LEGACY;

  // Pass 3, what this kind of policy may and must contain.
  const identity = kind !== "trust";
  for (const s of stmts) {
    if (identity && ("Principal" in s || "NotPrincipal" in s)) return "Policy document should not specify a principal.";
    if (kind === "trust") {
      if ("Resource" in s) return "Has prohibited field Resource";
      if ("NotResource" in s) return "Has prohibited field NotResource";
      if (!("Principal" in s) && !("NotPrincipal" in s)) return "Missing required field Principal";
      const p = s.Principal ?? s.NotPrincipal;
      if (isObj(p) && Object.values(p).every((v) => asList(v).length === 0)) {
        return "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!";
      }
    }
  }
  const sids = new Set<string>();
  for (const s of stmts) {
    if (!isStr(s.Sid) || s.Sid === "") continue;
    if (sids.has(s.Sid)) return "Statement IDs (SID) in a single policy must be unique.";
    sids.add(s.Sid);
  }
  for (const s of stmts) if (asList(s.Action ?? s.NotAction).length === 0) return "Policy statement must contain actions.";
  if (identity) {
    for (const s of stmts) if (asList(s.Resource ?? s.NotResource).length === 0) return "Policy statement must contain resources.";
    for (const s of stmts) {
      for (const r of asList(s.Resource ?? s.NotResource)) {
        if (r !== "*" && !r.includes(":")) return `Resource ${r} must be in ARN format or "*".`;
        const wrongPartition = partitionError(r, partition);
        if (wrongPartition) return wrongPartition;
      }
    }
  }
  for (const s of stmts) {
    for (const a of asList(s.Action ?? s.NotAction)) {
      const parts = a.split(":");
      if (parts.length === 1 && a !== "*") return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
      if (parts.length > 2) return "Actions/Condition can contain only one colon.";
      if (a !== "*" && /[^a-zA-Z0-9\-.]/.test(parts[0])) return `Vendor ${parts[0]} is not valid`;
    }
  }
  return undefined;
}

function syntaxOk(s: unknown): boolean {
  if (!isObj(s)) return false;
  for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) return false;
  if ("Action" in s && "NotAction" in s) return false;
  if ("Resource" in s && "NotResource" in s) return false;
  if ("Principal" in s && "NotPrincipal" in s) return false;
  if (!isStr(s.Effect) || !["allow", "deny"].includes(s.Effect.toLowerCase())) return false;
  for (const key of ["Action", "NotAction", "Resource", "NotResource"]) if (key in s && !strOrStrList(s[key])) return false;
  if ("Sid" in s && !isStr(s.Sid)) return false;
  for (const key of ["Principal", "NotPrincipal"]) {
    if (!(key in s)) continue;
    const p = s[key];
    if (p === "*") continue;
    if (!isObj(p)) return false;
    for (const [pk, pv] of Object.entries(p)) if (!PRINCIPAL_KEYS.has(pk) || !strOrStrList(pv)) return false;
  }
  if ("Condition" in s) {
    if (!isObj(s.Condition)) return false;
    for (const block of Object.values(s.Condition)) {
      if (!isObj(block)) return false;
      for (const v of Object.values(block)) if (!(scalar(v) || (Array.isArray(v) && v.every(scalar)))) return false;
    }
  }
  return true;
}
