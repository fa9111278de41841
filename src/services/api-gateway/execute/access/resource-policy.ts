// A REST API's resource policy (RestApi.policy, as deployed), checked once the method's authorization has run, as
// API Gateway combines them ("How API Gateway resource policies affect authorization workflow",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html):
// - an explicit Deny refuses every caller;
// - with NONE or a Lambda/Cognito authorizer the policy must Allow the (anonymous) caller;
// - with AWS_IAM the caller's IAM policies may allow instead (Stratus enforces no identity policies: an IAM caller
//   is refused only by an explicit Deny).
// The action is execute-api:Invoke on the method's ARN; "execute-api:/…" resources are the API's own ARN, as AWS
// expands them. The refusal is 403 AccessDeniedException, the caller named and the account masked as AWS words it.
import type { ConditionContext } from "../../../../core/policy/conditions.js";
import { type Caller, evaluatePolicy, principalArn, type Statement, statementsOf } from "../../../../core/policy/index.js";
import type { Principal } from "../../../../core/identity.js";
import { GatewayError } from "../errors.js";
import type { RestInvocation } from "../types.js";

/** Parsed policies by their text (a deployment's policy is one string, parsed once). */
const parsed = new Map<string, Statement[] | undefined>();

function statements(policy: string, apiArn: string): Statement[] | undefined {
  const key = `${apiArn}\n${policy}`;
  if (parsed.has(key)) return parsed.get(key);
  if (parsed.size > 1000) parsed.clear();
  // "execute-api:/stage/METHOD/path" is the API's own ARN with that suffix.
  const expanded = policy.replace(/"execute-api:\/([^"]*)"/g, (_, rest: string) => JSON.stringify(`${apiArn}/${rest}`));
  const s = statementsOf(expanded);
  parsed.set(key, s);
  return s;
}

// "arn:aws:execute-api:us-east-1:********1234:abc/prod/GET/" — AWS masks all but the account's last four digits.
const masked = (arn: string) => arn.replace(/^(arn:[^:]+:execute-api:[^:]*:)(\d{8})(\d{4})/, "$1********$3");

export function enforceResourcePolicy(inv: RestInvocation, methodArn: string, iamCaller: Principal | undefined): void {
  const policy = inv.snapshot.api.policy;
  if (!policy) return;
  const apiArn = methodArn.slice(0, methodArn.indexOf("/"));
  const doc = statements(policy, apiArn);
  if (!doc) return;
  const caller: Caller = iamCaller ? { type: "iam", principal: iamCaller } : { type: "anonymous" };
  const context: ConditionContext = {
    "aws:sourceip": inv.req.sourceIp,
    "aws:useragent": inv.req.userAgent,
    "aws:currenttime": new Date(inv.req.requestTimeEpoch).toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:epochtime": String(Math.floor(inv.req.requestTimeEpoch / 1000)),
    "aws:securetransport": "true",
    "aws:requestedregion": inv.owner.region,
    ...(iamCaller ? { "aws:principalarn": principalArn(iamCaller), "aws:principalaccount": iamCaller.accountId } : {}),
  };
  const decision = evaluatePolicy(doc, { caller, action: "execute-api:Invoke", resource: methodArn, context });
  if (decision === "Allow" || (decision === "ImplicitDeny" && iamCaller)) return;
  const who = iamCaller ? principalArn(iamCaller) : "anonymous";
  const message = `User: ${who} is not authorized to perform: execute-api:Invoke on resource: ${masked(methodArn)}${decision === "Deny" ? " with an explicit deny" : ""}`;
  throw new GatewayError("ACCESS_DENIED", 403, message, {}, "AccessDeniedException", JSON.stringify({ Message: message }));
}
