// Trust policy evaluation, table-driven: principals, actions, explicit deny, condition operators and keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Principal } from "../../../src/core/identity.js";
import { evaluateTrustPolicy, type Decision } from "../../../src/services/sts/trust-policy.js";
import { evaluateOperator, type ConditionContext } from "../../../src/core/policy/index.js";

const ACCT = "111111111111";
const OTHER = "222222222222";
const ROLE = `arn:aws:iam::${ACCT}:role/target`;

const user: Principal = { type: "IAMUser", accountId: OTHER, arn: `arn:aws:iam::${OTHER}:user/dev/alice`, principalId: "AIDAALICE", userName: "alice" };
const roleSession: Principal = {
  type: "AssumedRole",
  accountId: OTHER,
  arn: `arn:aws:sts::${OTHER}:assumed-role/hop/s1`,
  principalId: "AROAHOP:s1",
  session: { issuerType: "Role", issuerArn: `arn:aws:iam::${OTHER}:role/ops/hop`, issuerPrincipalId: "AROAHOP", creationDate: "", mfaAuthenticated: false },
};

const allow = (principal: unknown, extra: Record<string, unknown> = {}) => ({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra });
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });

interface Case {
  name: string;
  policy: object | string;
  principal?: Principal;
  action?: string;
  context?: ConditionContext;
  want: Decision;
}

const cases: Case[] = [
  { name: "account id string", policy: doc(allow({ AWS: OTHER })), want: "Allow" },
  { name: "account root ARN", policy: doc(allow({ AWS: `arn:aws:iam::${OTHER}:root` })), want: "Allow" },
  { name: "other account", policy: doc(allow({ AWS: "333333333333" })), want: "ImplicitDeny" },
  { name: "exact user ARN in a list", policy: doc(allow({ AWS: ["arn:aws:iam::333333333333:root", user.arn] })), want: "Allow" },
  { name: "user ARN without its path does not match", policy: doc(allow({ AWS: `arn:aws:iam::${OTHER}:user/alice` })), want: "ImplicitDeny" },
  { name: "AWS *", policy: doc(allow({ AWS: "*" })), want: "Allow" },
  { name: "Principal *", policy: doc(allow("*")), want: "Allow" },
  { name: "Service principal never matches an IAM caller", policy: doc(allow({ Service: "ec2.amazonaws.com" })), want: "ImplicitDeny" },
  { name: "Federated principal never matches", policy: doc(allow({ Federated: "arn:aws:iam::111111111111:oidc-provider/x" })), want: "ImplicitDeny" },
  { name: "role ARN matches its sessions", policy: doc(allow({ AWS: `arn:aws:iam::${OTHER}:role/ops/hop` })), principal: roleSession, want: "Allow" },
  { name: "assumed-role session ARN", policy: doc(allow({ AWS: roleSession.arn })), principal: roleSession, want: "Allow" },
  { name: "statement object, not array", policy: { Version: "2012-10-17", Statement: allow({ AWS: OTHER }) }, want: "Allow" },
  { name: "Action sts:*", policy: doc(allow({ AWS: OTHER }, { Action: "sts:*" })), want: "Allow" },
  { name: "Action *", policy: doc(allow({ AWS: OTHER }, { Action: "*" })), want: "Allow" },
  { name: "Action is case-insensitive", policy: doc(allow({ AWS: OTHER }, { Action: "STS:assumerole" })), want: "Allow" },
  { name: "Action for another verb", policy: doc(allow({ AWS: OTHER }, { Action: "sts:AssumeRoleWithSAML" })), want: "ImplicitDeny" },
  { name: "Action wildcard suffix", policy: doc(allow({ AWS: OTHER }, { Action: "sts:Assume*" })), want: "Allow" },
  { name: "TagSession needs its own action", policy: doc(allow({ AWS: OTHER })), action: "sts:TagSession", want: "ImplicitDeny" },
  { name: "NotAction excluding another action", policy: doc({ Effect: "Allow", Principal: { AWS: OTHER }, NotAction: "sts:TagSession" }), want: "Allow" },
  { name: "NotAction excluding this action", policy: doc({ Effect: "Allow", Principal: { AWS: OTHER }, NotAction: "sts:AssumeRole" }), want: "ImplicitDeny" },
  { name: "explicit Deny wins", policy: doc(allow({ AWS: "*" }), { Effect: "Deny", Principal: { AWS: user.arn }, Action: "sts:AssumeRole" }), want: "Deny" },
  {
    name: "Deny for someone else leaves the Allow",
    policy: doc(allow({ AWS: "*" }), { Effect: "Deny", Principal: { AWS: "333333333333" }, Action: "sts:*" }),
    want: "Allow",
  },
  {
    name: "NotPrincipal Deny hits everyone else",
    policy: doc(allow({ AWS: "*" }), { Effect: "Deny", NotPrincipal: { AWS: "333333333333" }, Action: "sts:*" }),
    want: "Deny",
  },
  { name: "malformed JSON allows nothing", policy: "{not json", want: "ImplicitDeny" },
  { name: "empty statement list", policy: doc(), want: "ImplicitDeny" },
  {
    name: "ExternalId matches",
    policy: doc(allow({ AWS: OTHER }, { Condition: { StringEquals: { "sts:ExternalId": "secret-1" } } })),
    context: { "sts:externalid": "secret-1" },
    want: "Allow",
  },
  { name: "ExternalId missing", policy: doc(allow({ AWS: OTHER }, { Condition: { StringEquals: { "sts:ExternalId": "secret-1" } } })), want: "ImplicitDeny" },
  {
    name: "ExternalId wrong",
    policy: doc(allow({ AWS: OTHER }, { Condition: { StringEquals: { "sts:ExternalId": "secret-1" } } })),
    context: { "sts:externalid": "secret-2" },
    want: "ImplicitDeny",
  },
  {
    name: "condition keys are case-insensitive",
    policy: doc(allow({ AWS: OTHER }, { Condition: { StringEquals: { "STS:EXTERNALID": "x1" } } })),
    context: { "sts:externalid": "x1" },
    want: "Allow",
  },
  {
    name: "MFA required and present",
    policy: doc(allow({ AWS: OTHER }, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })),
    context: { "aws:multifactorauthpresent": "true" },
    want: "Allow",
  },
  {
    name: "MFA required, key absent",
    policy: doc(allow({ AWS: OTHER }, { Condition: { Bool: { "aws:MultiFactorAuthPresent": true } } })),
    want: "ImplicitDeny",
  },
  {
    name: "deny without MFA via BoolIfExists catches absent key",
    policy: doc(allow({ AWS: OTHER }), { Effect: "Deny", Principal: "*", Action: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }),
    want: "Deny",
  },
  {
    name: "PrincipalAccount + PrincipalArn ArnLike",
    policy: doc(
      allow(
        { AWS: "*" },
        { Condition: { StringEquals: { "aws:PrincipalAccount": OTHER }, ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${OTHER}:user/dev/*` } } },
      ),
    ),
    context: { "aws:principalaccount": OTHER, "aws:principalarn": user.arn },
    want: "Allow",
  },
  {
    name: "ArnEquals takes wildcards too",
    policy: doc(allow({ AWS: "*" }, { Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::*:user/dev/alice" } } })),
    context: { "aws:principalarn": user.arn },
    want: "Allow",
  },
  {
    name: "ArnNotLike excludes",
    policy: doc(allow({ AWS: "*" }, { Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:user/dev/*" } } })),
    context: { "aws:principalarn": user.arn },
    want: "ImplicitDeny",
  },
  {
    name: "StringNotEquals with several values is NOR",
    policy: doc(allow({ AWS: "*" }, { Condition: { StringNotEquals: { "aws:username": ["bob", "alice"] } } })),
    context: { "aws:username": "alice" },
    want: "ImplicitDeny",
  },
  {
    name: "StringNotEquals on an absent key holds",
    policy: doc(allow({ AWS: "*" }, { Condition: { StringNotEquals: { "aws:username": "bob" } } })),
    want: "Allow",
  },
  {
    name: "StringLike with ? and *",
    policy: doc(allow({ AWS: "*" }, { Condition: { StringLike: { "aws:userid": "AIDA?LICE*" } } })),
    context: { "aws:userid": "AIDAALICE" },
    want: "Allow",
  },
  {
    name: "StringNotLike",
    policy: doc(allow({ AWS: "*" }, { Condition: { StringNotLike: { "aws:userid": "AROA*" } } })),
    context: { "aws:userid": "AIDAALICE" },
    want: "Allow",
  },
  {
    name: "StringEqualsIfExists passes when absent",
    policy: doc(allow({ AWS: "*" }, { Condition: { StringEqualsIfExists: { "aws:SourceIdentity": "alice" } } })),
    want: "Allow",
  },
  {
    name: "StringEqualsIfExists checks when present",
    policy: doc(allow({ AWS: "*" }, { Condition: { StringEqualsIfExists: { "aws:SourceIdentity": "alice" } } })),
    context: { "aws:sourceidentity": "mallory" },
    want: "ImplicitDeny",
  },
  {
    name: "policy variable ${aws:username}",
    policy: doc(allow({ AWS: "*" }, { Condition: { StringEquals: { "sts:RoleSessionName": "${aws:username}" } } })),
    context: { "aws:username": "alice", "sts:rolesessionname": "alice" },
    want: "Allow",
  },
  {
    name: "several operators are ANDed",
    policy: doc(allow({ AWS: "*" }, { Condition: { StringEquals: { "sts:ExternalId": "e1" }, Bool: { "aws:MultiFactorAuthPresent": "true" } } })),
    context: { "sts:externalid": "e1", "aws:multifactorauthpresent": "false" },
    want: "ImplicitDeny",
  },
  {
    name: "NumericLessThan on MFA age",
    policy: doc(allow({ AWS: "*" }, { Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } } })),
    context: { "aws:multifactorauthage": "120" },
    want: "Allow",
  },
  {
    name: "ForAllValues:StringEquals on tag keys",
    policy: doc(allow({ AWS: "*" }, { Action: "sts:TagSession", Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["team", "project"] } } })),
    action: "sts:TagSession",
    context: { "aws:tagkeys": ["team", "cost"] },
    want: "ImplicitDeny",
  },
  {
    name: "ForAnyValue:StringLike on tag keys",
    policy: doc(allow({ AWS: "*" }, { Action: "sts:TagSession", Condition: { "ForAnyValue:StringLike": { "aws:TagKeys": "proj*" } } })),
    action: "sts:TagSession",
    context: { "aws:tagkeys": ["team", "project"] },
    want: "Allow",
  },
  {
    name: "Null true requires absence",
    policy: doc(allow({ AWS: "*" }, { Condition: { Null: { "sts:ExternalId": "true" } } })),
    context: { "sts:externalid": "x1" },
    want: "ImplicitDeny",
  },
  {
    name: "unknown operator never matches",
    policy: doc(allow({ AWS: "*" }, { Condition: { StringSortOf: { "sts:ExternalId": "x1" } } })),
    context: { "sts:externalid": "x1" },
    want: "ImplicitDeny",
  },
];

for (const c of cases) {
  test(`trust policy: ${c.name}`, () => {
    const got = evaluateTrustPolicy(typeof c.policy === "string" ? c.policy : JSON.stringify(c.policy), {
      principal: c.principal ?? user,
      action: c.action ?? "sts:AssumeRole",
      resource: ROLE,
      context: c.context ?? {},
    });
    assert.equal(got, c.want);
  });
}

const operatorCases: [string, string, unknown, ConditionContext, boolean][] = [
  ["StringEqualsIgnoreCase", "k", "ABC", { k: "abc" }, true],
  ["StringNotEqualsIgnoreCase", "k", "ABC", { k: "abc" }, false],
  ["StringEquals", "k", "abc", { k: "ABC" }, false],
  ["NumericGreaterThanEquals", "k", 10, { k: "10" }, true],
  ["NumericEquals", "k", "x", { k: "10" }, false],
  ["DateLessThan", "k", "2030-01-01T00:00:00Z", { k: "2024-05-01T12:00:00Z" }, true],
  ["DateGreaterThan", "k", "1700000000", { k: "2024-05-01T12:00:00Z" }, true],
  ["IpAddress", "k", "10.0.0.0/8", { k: "10.1.2.3" }, true],
  ["NotIpAddress", "k", ["10.0.0.0/8", "192.168.0.0/16"], { k: "192.168.1.1" }, false],
  ["IpAddress", "k", "127.0.0.1/32", { k: "127.0.0.1" }, true],
  ["Bool", "k", "TRUE", { k: "true" }, true],
  ["NumericLessThanIfExists", "k", "5", {}, true],
  ["ForAllValues:StringEquals", "k", "a", {}, true],
  ["ForAnyValue:StringEquals", "k", "a", {}, false],
  ["ForAnyValue:StringNotEquals", "k", ["a", "b"], { k: ["a", "c"] }, true],
  ["ForAllValues:StringNotEquals", "k", ["a", "b"], { k: ["a", "c"] }, false],
  ["Null", "k", "false", { k: "v" }, true],
  ["StringLike", "k", "a${*}b", { k: "a*b" }, true],
  ["StringLike", "k", "a${*}b", { k: "axxb" }, false],
];

for (const [op, key, values, ctx, want] of operatorCases) {
  test(`condition operator: ${op} ${JSON.stringify(values)} vs ${JSON.stringify(ctx[key] ?? null)} → ${want}`, () => {
    assert.equal(evaluateOperator(op, key, values, ctx), want);
  });
}
