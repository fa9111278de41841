// A role's trust policy decided for one caller and action: Principal/NotPrincipal, Action/NotAction,
// Resource, Condition; an explicit Deny wins over any Allow, and nothing matching is an implicit deny.
import type { Principal } from "../../core/identity.js";
import { evaluateCondition, globMatch, type ConditionContext } from "./conditions.js";

export type Decision = "Allow" | "Deny" | "ImplicitDeny";

export interface TrustRequest {
  principal: Principal;
  /** e.g. "sts:AssumeRole". */
  action: string;
  /** The role ARN. */
  resource: string;
  context: ConditionContext;
}

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string"));

/** The ARN a principal is known by in policies: the role (not the session) for an assumed role. */
export function principalArn(p: Principal): string {
  return p.type === "AssumedRole" && p.session ? p.session.issuerArn : p.arn;
}

// Ways a principal element entry can name the caller: "*", its account (id or root ARN), its own
// ARN, or for a role session the role's ARN or the session's ARN.
function awsPrincipalMatches(entry: string, p: Principal): boolean {
  if (entry === "*") return true;
  if (/^\d{12}$/.test(entry)) return entry === p.accountId;
  const root = entry.match(/^arn:[\w-]+:iam::(\d{12}):root$/);
  if (root) return root[1] === p.accountId;
  return entry === p.arn || entry === principalArn(p);
}

function principalMatches(element: unknown, p: Principal): boolean {
  if (element === "*") return true;
  if (typeof element !== "object" || element === null || Array.isArray(element)) return false;
  // Service, Federated and CanonicalUser principals never name an IAM caller.
  return list((element as Record<string, unknown>).AWS).some((e) => awsPrincipalMatches(e, p));
}

const actionMatches = (patterns: string[], action: string) => patterns.some((pat) => globMatch(pat, action, true));

function statementApplies(s: Statement, req: TrustRequest): boolean {
  if (s.Principal !== undefined) {
    if (!principalMatches(s.Principal, req.principal)) return false;
  } else if (s.NotPrincipal !== undefined) {
    if (principalMatches(s.NotPrincipal, req.principal)) return false;
  } else {
    return false;
  }
  if (s.Action !== undefined) {
    if (!actionMatches(list(s.Action), req.action)) return false;
  } else if (s.NotAction !== undefined) {
    if (actionMatches(list(s.NotAction), req.action)) return false;
  } else {
    return false;
  }
  if (s.Resource !== undefined && !list(s.Resource).some((r) => globMatch(r, req.resource))) return false;
  if (s.NotResource !== undefined && list(s.NotResource).some((r) => globMatch(r, req.resource))) return false;
  return evaluateCondition(s.Condition, req.context);
}

/** Decides a trust policy (JSON text or parsed) for the request. A document that does not parse allows nothing. */
export function evaluateTrustPolicy(document: string | object, req: TrustRequest): Decision {
  let doc: unknown = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch {
      return "ImplicitDeny";
    }
  }
  if (typeof doc !== "object" || doc === null) return "ImplicitDeny";
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Statement[];
  let allowed = false;
  for (const s of statements) {
    if (typeof s !== "object" || s === null) continue;
    if (!statementApplies(s, req)) continue;
    if (s.Effect === "Deny") return "Deny";
    if (s.Effect === "Allow") allowed = true;
  }
  return allowed ? "Allow" : "ImplicitDeny";
}

/** What IAM calls aws:PrincipalType. */
export function principalType(p: Principal): string {
  return { Root: "Account", IAMUser: "User", AssumedRole: "AssumedRole", FederatedUser: "FederatedUser", Unknown: "Anonymous" }[p.type];
}
