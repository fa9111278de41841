// A repository's two policies: the repository (resource) policy, checked with IAM's grammar for policies that name
// principals (core/policy), and the lifecycle policy, checked against the lifecycle policy's schema.
import { partitionOf } from "../../core/arn.js";
import { policyGrammarError } from "../../core/policy/grammar.js";
import { InvalidParameterException, type EcrApi } from "./api.generated.js";
import { lifecyclePolicyNotFound, mustRepo, repositories, repositoryPolicyNotFound } from "./state.js";

// AWS's single answer to any repository policy it refuses (as users of SetRepositoryPolicy report it, and moto records).
const invalidPolicy = () =>
  new InvalidParameterException("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");

/**
 * A repository policy is a resource policy: every statement names a principal, as in a trust policy. Unlike a
 * trust policy it may name a Resource (the repository), so that element is left out of the grammar check.
 */
function checkRepositoryPolicy(text: string, partition: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidPolicy();
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalidPolicy();
  const d = doc as { Statement?: unknown };
  const strip = (s: unknown) => {
    if (typeof s !== "object" || s === null || Array.isArray(s)) return s;
    const { Resource: _r, NotResource: _n, ...rest } = s as Record<string, unknown>;
    return rest;
  };
  const statement = Array.isArray(d.Statement) ? d.Statement.map(strip) : strip(d.Statement);
  if (policyGrammarError(JSON.stringify({ ...d, Statement: statement }), "trust", partition)) throw invalidPolicy();
}

// The lifecycle policy's schema errors, worded as ECR's JSON schema validator words them (moto's AWS-derived
// moto/ecr/policy_validation.py); the array formatting inside the messages is unverified wording.
const LIFECYCLE = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";
const lifecycleError = (detail: string) => new InvalidParameterException(`${LIFECYCLE}${detail}'`);
const names = (keys: string[]) => `[${keys.map((k) => JSON.stringify(k)).join(",")}]`;
const jsonType = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);

const RULE = { required: ["action", "rulePriority", "selection"], allowed: ["action", "description", "rulePriority", "selection"] };
const ACTION = { required: ["type"], allowed: ["targetStorageClass", "type"] };
const SELECTION = {
  required: ["countNumber", "countType", "tagStatus"],
  allowed: ["countNumber", "countType", "countUnit", "storageClass", "tagPatternList", "tagPrefixList", "tagStatus"],
};

function object(v: unknown, shape: { required: string[]; allowed: string[] }): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw lifecycleError(`instance type (${jsonType(v)}) does not match any allowed primitive type (allowed: ["object"])`);
  }
  const o = v as Record<string, unknown>;
  const missing = shape.required.filter((k) => !(k in o));
  if (missing.length) throw lifecycleError(`object has missing required properties (${names(missing)})`);
  const extra = Object.keys(o).filter((k) => !shape.allowed.includes(k));
  if (extra.length) throw lifecycleError(`object instance has properties which are not allowed by the schema: (${names(extra)})`);
  return o;
}

function oneOf(v: unknown, values: string[]): void {
  if (typeof v !== "string" || !values.includes(v))
    throw lifecycleError(`instance value (${String(v)}) not found in enum :(possible values: ${names(values)})`);
}

function positiveInteger(v: unknown): void {
  if (!Number.isInteger(v)) throw lifecycleError(`instance type (${jsonType(v)}) does not match any allowed primitive type (allowed: ["integer"])`);
  if ((v as number) < 1) throw lifecycleError(`numeric instance is lower than the required minimum (minimum: 1, found: ${v})`);
}

/** Checks a lifecycle policy document: `{"rules": [{rulePriority, description?, selection, action}, …]}`. */
export function checkLifecyclePolicy(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw lifecycleError("Could not map policyString into LifecyclePolicy.");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw lifecycleError("Could not map policyString into LifecyclePolicy.");
  const rules = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) throw lifecycleError(`object has missing required properties (${names(["rules"])})`);
  for (const raw of rules) {
    const rule = object(raw, RULE);
    positiveInteger(rule.rulePriority);
    const action = object(rule.action, ACTION);
    oneOf(action.type, ["expire", "transition"]);
    const selection = object(rule.selection, SELECTION);
    oneOf(selection.tagStatus, ["any", "tagged", "untagged"]);
    oneOf(selection.countType, ["imageCountMoreThan", "sinceImagePulled", "sinceImagePushed", "sinceImageTransitioned"]);
    if (selection.countUnit !== undefined) oneOf(selection.countUnit, ["days"]);
    positiveInteger(selection.countNumber);
  }
}

export const policyHandlers = {
  setRepositoryPolicy({ repositoryName: name, registryId, policyText }, ctx) {
    const rec = mustRepo(ctx, name, registryId);
    checkRepositoryPolicy(policyText, partitionOf(ctx.region));
    rec.policy = policyText;
    repositories(ctx).put(name, rec);
    return { registryId: ctx.account, repositoryName: name, policyText };
  },

  getRepositoryPolicy({ repositoryName: name, registryId }, ctx) {
    const rec = mustRepo(ctx, name, registryId);
    if (rec.policy === undefined) throw repositoryPolicyNotFound(name, ctx.account);
    return { registryId: ctx.account, repositoryName: name, policyText: rec.policy };
  },

  deleteRepositoryPolicy({ repositoryName: name, registryId }, ctx) {
    const rec = mustRepo(ctx, name, registryId);
    const policyText = rec.policy;
    if (policyText === undefined) throw repositoryPolicyNotFound(name, ctx.account);
    delete rec.policy;
    repositories(ctx).put(name, rec);
    return { registryId: ctx.account, repositoryName: name, policyText };
  },

  putLifecyclePolicy({ repositoryName: name, registryId, lifecyclePolicyText }, ctx) {
    const rec = mustRepo(ctx, name, registryId);
    checkLifecyclePolicy(lifecyclePolicyText);
    rec.lifecyclePolicy = lifecyclePolicyText;
    repositories(ctx).put(name, rec);
    return { registryId: ctx.account, repositoryName: name, lifecyclePolicyText };
  },

  // lastEvaluatedAt is left out: no lifecycle evaluation has run (there are no images to expire yet).
  getLifecyclePolicy({ repositoryName: name, registryId }, ctx) {
    const rec = mustRepo(ctx, name, registryId);
    if (rec.lifecyclePolicy === undefined) throw lifecyclePolicyNotFound(name, ctx.account);
    return { registryId: ctx.account, repositoryName: name, lifecyclePolicyText: rec.lifecyclePolicy };
  },

  deleteLifecyclePolicy({ repositoryName: name, registryId }, ctx) {
    const rec = mustRepo(ctx, name, registryId);
    const text = rec.lifecyclePolicy;
    if (text === undefined) throw lifecyclePolicyNotFound(name, ctx.account);
    delete rec.lifecyclePolicy;
    repositories(ctx).put(name, rec);
    return { registryId: ctx.account, repositoryName: name, lifecyclePolicyText: text };
  },
} satisfies Partial<EcrApi>;
