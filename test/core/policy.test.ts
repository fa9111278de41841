// core/policy: the one evaluator of trust and resource policies — principals of every kind (IAM callers, AWS
// service principals, anonymous callers), Action/NotAction, Resource/NotResource, Condition, explicit deny, and
// identity policies (no Principal element). Cases follow IAM's documented evaluation logic:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Principal } from "../../src/core/identity.js";
import { evaluatePolicy, principalMatches, statementsOf, type Caller, type PolicyRequest } from "../../src/core/policy/index.js";

const ACCT = "111111111111";
const FN = `arn:aws:lambda:us-east-1:${ACCT}:function:f`;
const user: Principal = { type: "IAMUser", accountId: ACCT, arn: `arn:aws:iam::${ACCT}:user/alice`, principalId: "AIDAALICE", userName: "alice" };
const iam: Caller = { type: "iam", principal: user };
const sns: Caller = { type: "service", service: "sns.amazonaws.com" };
const anonymous: Caller = { type: "anonymous" };

const req = (caller: Caller, extra: Partial<PolicyRequest> = {}): PolicyRequest => ({ caller, action: "lambda:InvokeFunction", resource: FN, ...extra });
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const allow = (o: object) => ({ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FN, ...o });

test("principals: service principals, AWS principals, public grants and anonymous callers", () => {
  assert.equal(evaluatePolicy(doc(allow({ Principal: { Service: "sns.amazonaws.com" } })), req(sns)), "Allow");
  assert.equal(evaluatePolicy(doc(allow({ Principal: { Service: ["s3.amazonaws.com", "SNS.amazonaws.com"] } })), req(sns)), "Allow");
  assert.equal(evaluatePolicy(doc(allow({ Principal: { Service: "s3.amazonaws.com" } })), req(sns)), "ImplicitDeny");
  // A service principal grant does not name an IAM caller, nor an account grant a service.
  assert.equal(evaluatePolicy(doc(allow({ Principal: { Service: "sns.amazonaws.com" } })), req(iam)), "ImplicitDeny");
  assert.equal(evaluatePolicy(doc(allow({ Principal: { AWS: ACCT } })), req(sns)), "ImplicitDeny");
  assert.equal(evaluatePolicy(doc(allow({ Principal: { AWS: ACCT } })), req(iam)), "Allow");
  // "*" and {"AWS": "*"} are public: everyone, anonymous callers included.
  const publicGrants: unknown[] = ["*", { AWS: "*" }, { AWS: ["arn:aws:iam::222222222222:root", "*"] }];
  const callers: Caller[] = [iam, sns, anonymous];
  for (const p of publicGrants) {
    for (const c of callers) assert.equal(evaluatePolicy(doc(allow({ Principal: p })), req(c)), "Allow", JSON.stringify([p, c]));
  }
  assert.equal(evaluatePolicy(doc(allow({ Principal: { AWS: ACCT } })), req(anonymous)), "ImplicitDeny");
  // Federated and CanonicalUser principals name no caller Stratus has.
  assert.equal(principalMatches({ Federated: "cognito-identity.amazonaws.com" }, iam), false);
  assert.equal(principalMatches({ CanonicalUser: "79a59df900b949e55d96a1e698fbaced" }, anonymous), false);
});

test("an explicit Deny wins over any Allow, in any order", () => {
  const deny = { Effect: "Deny", Principal: "*", Action: "lambda:*", Resource: "*" };
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*" }), deny), req(sns)), "Deny");
  assert.equal(evaluatePolicy(doc(deny, allow({ Principal: "*" })), req(sns)), "Deny");
  // A Deny that does not apply leaves the Allow.
  const denyOther = { ...deny, Condition: { StringEquals: { "aws:SourceAccount": "999999999999" } } };
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*" }), denyOther), req(sns, { context: { "aws:sourceaccount": ACCT } })), "Allow");
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*" }), denyOther), req(sns, { context: { "aws:sourceaccount": "999999999999" } })), "Deny");
});

test("NotPrincipal, NotAction and NotResource invert their element", () => {
  const everyoneButSns = { Effect: "Deny", NotPrincipal: { Service: "sns.amazonaws.com" }, Action: "*", Resource: "*" };
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*" }), everyoneButSns), req(sns)), "Allow");
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*" }), everyoneButSns), req(iam)), "Deny");
  const allButInvoke = { Effect: "Allow", Principal: "*", NotAction: "lambda:Invoke*", Resource: "*" };
  assert.equal(evaluatePolicy(doc(allButInvoke), req(iam)), "ImplicitDeny");
  assert.equal(evaluatePolicy(doc(allButInvoke), req(iam, { action: "lambda:GetFunction" })), "Allow");
  const notThis = { Effect: "Allow", Principal: "*", Action: "*", NotResource: `${FN}*` };
  assert.equal(evaluatePolicy(doc(notThis), req(iam)), "ImplicitDeny");
  assert.equal(evaluatePolicy(doc(notThis), req(iam, { resource: `arn:aws:lambda:us-east-1:${ACCT}:function:g` })), "Allow");
});

test("actions match case-insensitively with wildcards; resources case-sensitively", () => {
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*", Action: "LAMBDA:invokefunction" })), req(iam)), "Allow");
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*", Action: ["s3:*", "lambda:Invoke*"] })), req(iam)), "Allow");
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*", Action: "lambda:Get?unction" })), req(iam)), "ImplicitDeny");
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*", Resource: FN.toUpperCase() })), req(iam)), "ImplicitDeny");
  assert.equal(evaluatePolicy(doc(allow({ Principal: "*", Resource: `arn:aws:lambda:*:${ACCT}:function:*` })), req(iam)), "Allow");
  // A resource policy attached to its one resource: no resource to compare.
  assert.equal(
    evaluatePolicy(doc(allow({ Principal: "*", Resource: "arn:aws:lambda:us-east-1:1:function:other" })), req(iam, { resource: undefined })),
    "Allow",
  );
});

test("conditions: a statement applies only when every condition holds", () => {
  const p = doc(allow({ Principal: { Service: "sns.amazonaws.com" }, Condition: { ArnLike: { "AWS:SourceArn": `arn:aws:sns:us-east-1:${ACCT}:*` } } }));
  assert.equal(evaluatePolicy(p, req(sns, { context: { "aws:sourcearn": `arn:aws:sns:us-east-1:${ACCT}:topic` } })), "Allow");
  assert.equal(evaluatePolicy(p, req(sns, { context: { "aws:sourcearn": `arn:aws:sns:us-east-1:222222222222:topic` } })), "ImplicitDeny");
  // The key is absent: ArnLike fails, as IAM documents (only …IfExists and negated operators hold).
  assert.equal(evaluatePolicy(p, req(sns)), "ImplicitDeny");
});

test("identity policies have no Principal; resource policies without one apply to no one", () => {
  const identity = JSON.stringify({ Statement: { Effect: "Allow", Action: "lambda:*", Resource: "*" } });
  assert.equal(evaluatePolicy(identity, req(iam)), "ImplicitDeny");
  assert.equal(evaluatePolicy(identity, req(iam), { identity: true }), "Allow");
});

test("documents that are not policies allow nothing", () => {
  for (const bad of ["", "{", "[]", "null", JSON.stringify({ Statement: "x" })]) assert.equal(evaluatePolicy(bad, req(iam)), "ImplicitDeny", bad);
  assert.equal(statementsOf("not json"), undefined);
  assert.deepEqual(statementsOf({ Statement: { Effect: "Allow" } }), [{ Effect: "Allow" }]);
  // A statement with no Action applies to nothing, and an unknown Effect grants nothing.
  assert.equal(evaluatePolicy(doc({ Effect: "Allow", Principal: "*", Resource: "*" }), req(iam)), "ImplicitDeny");
  assert.equal(evaluatePolicy(doc({ Effect: "allow", Principal: "*", Action: "*" }), req(iam)), "ImplicitDeny");
});
