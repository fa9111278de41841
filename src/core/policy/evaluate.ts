// One policy evaluator for every policy a request is decided against: trust policies and the resource policies
// of Lambda functions, S3 buckets, KMS keys, Secrets Manager secrets, SQS queues and SNS topics (and identity
// policies once enforcement is switched on). IAM's evaluation logic for one document: a statement applies when its
// Principal/NotPrincipal, Action/NotAction, Resource/NotResource and Condition all match; an explicit Deny wins
// over any Allow; nothing applying is an implicit deny.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
import type { Principal } from "../identity.js";
import { evaluateCondition, globMatch, type ConditionContext } from "./conditions.js";

export type Decision = "Allow" | "Deny" | "ImplicitDeny";

/**
 * Who asks: an IAM caller (root, user, role session), an AWS service principal, a federated identity (a web identity
 * or SAML assertion, named by its IAM identity provider's ARN, as in AssumeRoleWithWebIdentity/WithSAML), or no one
 * (an unsigned request).
 */
export type Caller =
  | { type: "iam"; principal: Principal }
  | { type: "service"; service: string }
  | { type: "federated"; provider: string }
  | { type: "anonymous" };

export interface PolicyRequest {
  caller: Caller;
  /** e.g. "sts:AssumeRole", compared case-insensitively as IAM does. */
  action: string;
  /** The resource's ARN; undefined when the policy is attached to the one resource and names it as "*". */
  resource?: string;
  /** Condition keys, lower-cased (aws:SourceArn → "aws:sourcearn"). */
  context?: ConditionContext;
}

export interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

export interface EvaluateOptions {
  /**
   * An identity policy (attached to a user or role) has no Principal element: its statements apply to the caller
   * it is attached to. Resource and trust policies must name the principal, and a statement without one applies
   * to no one.
   */
  identity?: boolean;
}

const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string"));

/** The statements of a policy document (JSON text or parsed); undefined when it is not a policy document at all. */
export function statementsOf(document: string | object): Statement[] | undefined {
  let doc: unknown = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch {
      return undefined;
    }
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return statements.filter((s): s is Statement => typeof s === "object" && s !== null && !Array.isArray(s));
}

/** The ARN a principal is known by in policies: the role (not the session) for an assumed role. */
export function principalArn(p: Principal): string {
  return p.type === "AssumedRole" && p.session ? p.session.issuerArn : p.arn;
}

// Ways an "AWS" principal entry names an IAM caller: "*", its account (id or root ARN), its own ARN, or for a
// role session the role's ARN or the session's ARN.
function awsEntryMatches(entry: string, p: Principal): boolean {
  if (entry === "*") return true;
  if (/^\d{12}$/.test(entry)) return entry === p.accountId;
  const root = /^arn:[\w-]+:iam::(\d{12}):root$/.exec(entry);
  if (root) return root[1] === p.accountId;
  return entry === p.arn || entry === principalArn(p);
}

/**
 * Whether a Principal (or NotPrincipal) element names the caller. "*" and {"AWS": "*"} name everyone, anonymous
 * callers and service principals included (a public grant); {"Service": …} names an AWS service principal;
 * {"Federated": …} names a federated caller by its identity provider's ARN (or a provider name such as
 * "cognito-identity.amazonaws.com"); CanonicalUser principals never name a caller Stratus has.
 */
export function principalMatches(element: unknown, caller: Caller): boolean {
  if (element === "*") return true;
  if (typeof element !== "object" || element === null || Array.isArray(element)) return false;
  const e = element as Record<string, unknown>;
  const aws = list(e.AWS);
  if (aws.includes("*")) return true;
  if (caller.type === "iam") return aws.some((entry) => awsEntryMatches(entry, caller.principal));
  if (caller.type === "service") return list(e.Service).some((s) => s.toLowerCase() === caller.service.toLowerCase());
  if (caller.type === "federated") return list(e.Federated).includes(caller.provider);
  return false;
}

const anyGlob = (patterns: string[], value: string, ignoreCase: boolean) => patterns.some((p) => globMatch(p, value, ignoreCase));

/** Whether one statement applies to the request (its effect aside). */
export function statementApplies(s: Statement, req: PolicyRequest, opts: EvaluateOptions = {}): boolean {
  if (s.Principal !== undefined) {
    if (!principalMatches(s.Principal, req.caller)) return false;
  } else if (s.NotPrincipal !== undefined) {
    if (principalMatches(s.NotPrincipal, req.caller)) return false;
  } else if (!opts.identity) {
    return false;
  }
  // Actions compare case-insensitively ("sts:assumerole" is sts:AssumeRole); a statement must name some.
  if (s.Action !== undefined) {
    if (!anyGlob(list(s.Action), req.action, true)) return false;
  } else if (s.NotAction !== undefined) {
    if (anyGlob(list(s.NotAction), req.action, true)) return false;
  } else {
    return false;
  }
  if (req.resource !== undefined) {
    if (s.Resource !== undefined && !anyGlob(list(s.Resource), req.resource, false)) return false;
    if (s.NotResource !== undefined && anyGlob(list(s.NotResource), req.resource, false)) return false;
  }
  return evaluateCondition(s.Condition, req.context ?? {});
}

/**
 * Decides one policy document (JSON text, parsed, or its statements) for the request: "Deny" when an applying
 * statement denies, else "Allow" when one allows, else "ImplicitDeny". A document that does not parse allows
 * nothing.
 */
export function evaluatePolicy(document: string | object | Statement[], req: PolicyRequest, opts: EvaluateOptions = {}): Decision {
  const statements = Array.isArray(document) ? (document as Statement[]) : statementsOf(document);
  if (!statements) return "ImplicitDeny";
  let allowed = false;
  for (const s of statements) {
    if (!statementApplies(s, req, opts)) continue;
    if (s.Effect === "Deny") return "Deny";
    if (s.Effect === "Allow") allowed = true;
  }
  return allowed ? "Allow" : "ImplicitDeny";
}

/** What IAM calls aws:PrincipalType. */
export function principalType(p: Principal): string {
  return { Root: "Account", IAMUser: "User", AssumedRole: "AssumedRole", FederatedUser: "FederatedUser", Unknown: "Anonymous" }[p.type];
}
