// CloudFormation template language (issue 11, point 2): JSON and YAML bodies, every short form, AWS's format errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ServiceError } from "../../../src/core/errors.js";
import { parseTemplate } from "../../../src/services/cloudformation/template/index.js";

const fixture = (name: string) => readFileSync(new URL(`./templates/${name}`, import.meta.url), "utf8");

const rejects = (body: string, message: string) =>
  assert.throws(
    () => parseTemplate(body),
    (e: unknown) => e instanceof ServiceError && e.code === "ValidationError" && e.status === 400 && e.message === message,
  );

test("YAML short forms become their long forms", () => {
  const t = parseTemplate(`
Resources:
  R:
    Type: AWS::SQS::Queue
    Properties:
      A: !Ref X
      B: !GetAtt Db.Endpoint.Address
      C: !GetAtt [Q, Arn]
      D: !Sub "\${AWS::Region}-x"
      E: !Sub ["\${A}", {A: !Ref X}]
      F: !Join ["", [a, !Ref X]]
      G: !Select [0, !GetAZs ""]
      H: !Split [",", "a,b"]
      I: !If [C1, !Ref X, !Ref "AWS::NoValue"]
      J: !FindInMap [M, K, V]
      K: !Base64 text
      L: !Cidr ["10.0.0.0/16", 2, 8]
      M: !ImportValue exp
      N: !Length [1, 2]
      O: !ToJsonString {a: 1}
      P: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
Conditions:
  C1: !Equals [a, b]
  C2: !And [!Condition C1, !Not [!Condition C1]]
  C3: !Or [!Condition C1, !Condition C2]
`);
  assert.deepEqual(t.Resources.R.Properties, {
    A: { Ref: "X" },
    B: { "Fn::GetAtt": ["Db", "Endpoint.Address"] },
    C: { "Fn::GetAtt": ["Q", "Arn"] },
    D: { "Fn::Sub": "${AWS::Region}-x" },
    E: { "Fn::Sub": ["${A}", { A: { Ref: "X" } }] },
    F: { "Fn::Join": ["", ["a", { Ref: "X" }]] },
    G: { "Fn::Select": [0, { "Fn::GetAZs": "" }] },
    H: { "Fn::Split": [",", "a,b"] },
    I: { "Fn::If": ["C1", { Ref: "X" }, { Ref: "AWS::NoValue" }] },
    J: { "Fn::FindInMap": ["M", "K", "V"] },
    K: { "Fn::Base64": "text" },
    L: { "Fn::Cidr": ["10.0.0.0/16", 2, 8] },
    M: { "Fn::ImportValue": "exp" },
    N: { "Fn::Length": [1, 2] },
    O: { "Fn::ToJsonString": { a: 1 } },
    P: { "Fn::Transform": { Name: "AWS::Include", Parameters: { Location: "s3://b/k" } } },
  });
  assert.deepEqual(t.Conditions, {
    C1: { "Fn::Equals": ["a", "b"] },
    C2: { "Fn::And": [{ Condition: "C1" }, { "Fn::Not": [{ Condition: "C1" }] }] },
    C3: { "Fn::Or": [{ Condition: "C1" }, { Condition: "C2" }] },
  });
});

test("YAML scalars stay as CloudFormation reads them: dates as strings, yes/no as strings, numbers and booleans typed", () => {
  const t = parseTemplate(
    "AWSTemplateFormatVersion: 2010-09-09\nResources:\n  R:\n    Type: T\n    Properties: {V: 2012-10-17, Y: yes, N: 5, F: 1.5, B: true, O: 0777, Z: ~}\n",
  );
  assert.equal(t.AWSTemplateFormatVersion, "2010-09-09");
  assert.deepEqual(t.Resources.R.Properties, { V: "2012-10-17", Y: "yes", N: 5, F: 1.5, B: true, O: 777, Z: null });
});

test("the cfn-lint-valid fixture parses, anchors and aliases resolve, JSON parses as JSON", () => {
  const t = parseTemplate(fixture("short-forms.yaml"));
  assert.deepEqual(t.Resources.Queue.Properties?.MessageRetentionPeriod, { "Fn::FindInMap": ["Sizes", { Ref: "Env" }, "Retention", { DefaultValue: "60" }] });
  const a = parseTemplate("Resources:\n  A: &q {Type: AWS::SQS::Queue}\n  B: *q\n");
  assert.deepEqual(a.Resources.B, { Type: "AWS::SQS::Queue" });
  assert.deepEqual(parseTemplate('  {"Resources": {"A": {"Type": "AWS::SQS::Queue"}}}').Resources.A, { Type: "AWS::SQS::Queue" });
});

test("malformed bodies answer AWS's format errors with line and column", () => {
  rejects('{\n  "Resources": {\n    "A": }\n}', "Template format error: JSON not well-formed. (line 3, column 10)");
  rejects("Resources:\n  A: [unclosed\n", "Template format error: YAML not well-formed. (line 3, column 1)");
  rejects("Resources:\n  A:\n    Type: !Reff X\n", "Template format error: YAML not well-formed. (line 3, column 11)");
  rejects("Resources: {}\nResources: {}\n", "Template format error: YAML not well-formed. (line 2, column 1)");
  rejects("just a string", "Template format error: unsupported structure.");
});
