// A role's trust policy decided for one IAM caller and action, by core's policy evaluator (core/policy): the
// same logic every resource policy uses — Principal/NotPrincipal, Action/NotAction, Resource, Condition; an
// explicit Deny wins over any Allow, and nothing matching is an implicit deny.
import type { Principal } from "../../core/identity.js";
import type { ConditionContext } from "../../core/policy/conditions.js";
import { evaluatePolicy, type Decision } from "../../core/policy/evaluate.js";

export type { Decision } from "../../core/policy/evaluate.js";
export { principalArn, principalType } from "../../core/policy/evaluate.js";

export interface TrustRequest {
  principal: Principal;
  /** e.g. "sts:AssumeRole". */
  action: string;
  /** The role ARN. */
  resource: string;
  context: ConditionContext;
}

/** Decides a trust policy (JSON text or parsed) for the request. A document that does not parse allows nothing. */
export function evaluateTrustPolicy(document: string | object, req: TrustRequest): Decision {
  return evaluatePolicy(document, { caller: { type: "iam", principal: req.principal }, action: req.action, resource: req.resource, context: req.context });
}
