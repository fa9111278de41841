// Resource policies on secrets: put (optionally refusing public ones), get, delete, validate.
import type { SecretsManagerApi, ValidationErrorsEntry } from "./api.generated.js";
import { MalformedPolicyDocumentException, PublicPolicyException } from "./api.generated.js";
import { find, mustFind, mustFindLive, notFound, tables } from "./state.js";
import type { HandlerContext } from "../../core/context.js";
import type { Statement } from "../../core/policy/evaluate.js";

function parse(doc: string): { Version?: unknown; Statement?: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc);
  } catch {
    throw new MalformedPolicyDocumentException("This resource policy contains a syntax error.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new MalformedPolicyDocumentException("This resource policy contains a syntax error.");
  }
  return parsed as { Version?: unknown; Statement?: unknown };
}

const statements = (p: { Statement?: unknown }): Statement[] =>
  (Array.isArray(p.Statement) ? p.Statement : p.Statement === undefined ? [] : [p.Statement]) as Statement[];

const wildcard = (v: unknown): boolean => v === "*" || (Array.isArray(v) && v.includes("*"));

/** Grants access to anyone: an Allow whose principal is "*" (or {"AWS": "*"}) with no condition narrowing it. */
function isPublic(p: { Statement?: unknown }): boolean {
  return statements(p).some((s) => {
    if (s.Effect !== "Allow" || s.Condition !== undefined) return false;
    const pr = s.Principal;
    return wildcard(pr) || (typeof pr === "object" && pr !== null && wildcard((pr as Record<string, unknown>).AWS));
  });
}

/** Grammar checks on an already-parsed policy, as ValidateResourcePolicy reports them. */
function grammarErrors(p: { Version?: unknown; Statement?: unknown }): ValidationErrorsEntry[] {
  const errors: ValidationErrorsEntry[] = [];
  const err = (ErrorMessage: string) => errors.push({ CheckName: "SYNTAX_CHECK", ErrorMessage });
  if (p.Version !== undefined && p.Version !== "2012-10-17" && p.Version !== "2008-10-17") err(`Invalid policy version: ${String(p.Version)}`);
  const list = statements(p);
  if (!list.length) err("Missing required field Statement");
  list.forEach((s, i) => {
    if (typeof s !== "object" || s === null) return err(`Statement ${i + 1} is not an object`);
    if (s.Effect !== "Allow" && s.Effect !== "Deny") err(`Statement ${i + 1}: Effect must be Allow or Deny`);
    if (s.Action === undefined && s.NotAction === undefined) err(`Statement ${i + 1}: missing required field Action`);
    if (s.Principal === undefined && s.NotPrincipal === undefined) err(`Statement ${i + 1}: missing required field Principal`);
  });
  return errors;
}

function checked(doc: string, blockPublic: boolean | undefined): string {
  const p = parse(doc);
  const errors = grammarErrors(p);
  if (errors.length) throw new MalformedPolicyDocumentException(errors[0].ErrorMessage);
  if (blockPublic && isPublic(p)) {
    throw new PublicPolicyException("The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.");
  }
  return doc;
}

function setPolicy(ctx: HandlerContext, secretId: string, policy: string | undefined) {
  const t = tables(ctx);
  const rec = mustFindLive(ctx, secretId, t);
  const { policy: _old, ...rest } = rec;
  t.secrets.put(rec.name, { ...rest, ...(policy !== undefined ? { policy } : {}), lastChanged: ctx.now() });
  return { ARN: rec.arn, Name: rec.name };
}

export const policies = {
  putResourcePolicy({ SecretId, ResourcePolicy, BlockPublicPolicy }, ctx) {
    return setPolicy(ctx, SecretId, checked(ResourcePolicy, BlockPublicPolicy));
  },

  getResourcePolicy({ SecretId }, ctx) {
    const rec = mustFind(ctx, SecretId);
    return { ARN: rec.arn, Name: rec.name, ...(rec.policy !== undefined ? { ResourcePolicy: rec.policy } : {}) };
  },

  deleteResourcePolicy({ SecretId }, ctx) {
    return setPolicy(ctx, SecretId, undefined);
  },

  validateResourcePolicy({ SecretId, ResourcePolicy }, ctx) {
    if (SecretId !== undefined && !find(ctx, SecretId)) throw notFound();
    const p = parse(ResourcePolicy);
    const errors = grammarErrors(p);
    if (isPublic(p)) errors.push({ CheckName: "PUBLIC_ACCESS_CHECK", ErrorMessage: 'The resource policy grants broad access to the secret (Principal "*").' });
    return { PolicyValidationPassed: errors.length === 0, ValidationErrors: errors };
  },
} satisfies Partial<SecretsManagerApi>;
