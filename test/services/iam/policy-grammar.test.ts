// The IAM policy grammar, table-driven: each document and the MalformedPolicyDocument message IAM gives it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { policyGrammarError, type PolicyKind } from "../../../src/core/policy/grammar.js";

const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: "2012-10-17", ...extra, Statement: statement });
const allow = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
const trustStmt = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };

const cases: [name: string, kind: PolicyKind, text: string, error: string | undefined][] = [
  ["valid identity policy", "identity", doc([allow]), undefined],
  ["single statement object", "identity", doc(allow), undefined],
  [
    "2008 version refused in managed policies",
    "managed",
    JSON.stringify({ Version: "2008-10-17", Statement: [allow] }),
    "Policy document must be version 2012-10-17 or greater.",
  ],
  ["no version refused in managed policies", "managed", JSON.stringify({ Statement: [allow] }), "Policy document must be version 2012-10-17 or greater."],
  ["version checked after syntax", "managed", JSON.stringify({ Statement: [{ ...allow, Actions: "x" }] }), "Syntax errors in policy."],
  [
    "version checked before legacy parsing",
    "managed",
    JSON.stringify({ Statement: [{ ...allow, Effect: "allow" }] }),
    "Policy document must be version 2012-10-17 or greater.",
  ],
  ["2008 version accepted in inline policies", "identity", JSON.stringify({ Version: "2008-10-17", Statement: [allow] }), undefined],
  ["no version accepted in inline policies", "identity", JSON.stringify({ Statement: [allow] }), undefined],
  ["managed policies share the identity rules", "managed", doc([{ ...allow, Principal: "*" }]), "Policy document should not specify a principal."],
  ["2008 version accepted in trust policies", "trust", JSON.stringify({ Version: "2008-10-17", Statement: [trustStmt] }), undefined],
  ["no version accepted in trust policies", "trust", JSON.stringify({ Statement: [trustStmt] }), undefined],
  ["trust policy that is not JSON", "trust", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",}]}', "This policy contains invalid Json"],
  ["NotAction and NotResource", "identity", doc([{ Effect: "Deny", NotAction: ["iam:*"], NotResource: "arn:aws:s3:::b" }]), undefined],
  [
    "conditions with scalars and lists",
    "identity",
    doc([{ ...allow, Condition: { Bool: { "aws:SecureTransport": false }, StringEquals: { "aws:username": ["a", "b"] } } }]),
    undefined,
  ],
  ["bad JSON", "identity", "{", "Syntax errors in policy."],
  ["not an object", "identity", "[]", "Syntax errors in policy."],
  ["unknown top-level key", "identity", doc([allow], { Foo: 1 }), "Syntax errors in policy."],
  ["bad version", "identity", JSON.stringify({ Version: "2012-10-18", Statement: [allow] }), "Syntax errors in policy."],
  ["missing Statement", "identity", JSON.stringify({ Version: "2012-10-17" }), "Syntax errors in policy."],
  ["empty Statement", "identity", doc([]), "Syntax errors in policy."],
  ["missing Effect", "identity", doc([{ Action: "s3:*", Resource: "*" }]), "Syntax errors in policy."],
  ["bad Effect", "identity", doc([{ ...allow, Effect: "Maybe" }]), "Syntax errors in policy."],
  ["unknown statement key", "identity", doc([{ ...allow, Actions: "s3:*" }]), "Syntax errors in policy."],
  ["Action and NotAction", "identity", doc([{ ...allow, NotAction: "s3:*" }]), "Syntax errors in policy."],
  ["Action not a string", "identity", doc([{ ...allow, Action: 5 }]), "Syntax errors in policy."],
  ["lower-case effect fails legacy parsing", "identity", doc([{ ...allow, Effect: "allow" }]), "The policy failed legacy parsing"],
  ["principal in identity policy", "identity", doc([{ ...allow, Principal: "*" }]), "Policy document should not specify a principal."],
  [
    "duplicate Sids",
    "identity",
    doc([
      { ...allow, Sid: "a" },
      { ...allow, Sid: "a" },
    ]),
    "Statement IDs (SID) in a single policy must be unique.",
  ],
  ["missing Action", "identity", doc([{ Effect: "Allow", Resource: "*" }]), "Policy statement must contain actions."],
  ["missing Resource", "identity", doc([{ Effect: "Allow", Action: "s3:*" }]), "Policy statement must contain resources."],
  ["resource not an ARN", "identity", doc([{ ...allow, Resource: "bucket" }]), 'Resource bucket must be in ARN format or "*".'],
  ["action without vendor", "identity", doc([{ ...allow, Action: "GetObject" }]), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."],
  ["action with two colons", "identity", doc([{ ...allow, Action: "s3:a:b" }]), "Actions/Condition can contain only one colon."],
  ["valid trust policy", "trust", doc([trustStmt]), undefined],
  ["trust with AWS principal list", "trust", doc([{ ...trustStmt, Principal: { AWS: ["arn:aws:iam::123456789012:root"] } }]), undefined],
  ["trust without principal", "trust", doc([{ Effect: "Allow", Action: "sts:AssumeRole" }]), "Missing required field Principal"],
  ["trust with Resource", "trust", doc([{ ...trustStmt, Resource: "*" }]), "Has prohibited field Resource"],
  [
    "trust with empty principal",
    "trust",
    doc([{ ...trustStmt, Principal: { AWS: [] } }]),
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!",
  ],
  ["trust with unknown principal type", "trust", doc([{ ...trustStmt, Principal: { Robot: "x" } }]), "Syntax errors in policy."],
  ["trust without action", "trust", doc([{ Effect: "Allow", Principal: "*" }]), "Policy statement must contain actions."],
];

for (const [name, kind, text, error] of cases) {
  test(`${kind}: ${name}`, () => assert.equal(policyGrammarError(text, kind), error));
}
