// CloudFormation template language (issue 11, point 2): sections, resource attributes, the dependency graph.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ServiceError } from "../../../src/core/errors.js";
import { dependencies, parseTemplate, type Template, validateTemplate, waves } from "../../../src/services/cloudformation/template/index.js";

const invalid = (t: unknown, message: string) =>
  assert.throws(
    () => validateTemplate(t as Template),
    (e: unknown) => e instanceof ServiceError && e.code === "ValidationError" && e.status === 400 && e.message === message,
  );
const q = { Type: "AWS::SQS::Queue" };

test("top-level sections: unknown keys, version, Resources required, Description length", () => {
  invalid({ Resources: { A: q }, Bogus: 1, Other: 2 }, "Template format error: Invalid template property or properties [Bogus, Other]");
  invalid({}, "Template format error: At least one Resources member must be defined.");
  invalid({ Resources: {} }, "Template format error: At least one Resources member must be defined.");
  invalid({ AWSTemplateFormatVersion: "2011-01-01", Resources: { A: q } }, "Template format error: Unsupported template version 2011-01-01");
  invalid({ Description: "x".repeat(1025), Resources: { A: q } }, "Template format error: 'Description' length is greater than 1024.");
  validateTemplate({ AWSTemplateFormatVersion: "2010-09-09", Description: "x".repeat(1024), Resources: { A: q }, Metadata: {}, Rules: {}, Hooks: {} });
});

test("resources need a Type and only AWS's attribute keys; parameters a known Type; outputs a Value", () => {
  invalid({ Resources: { B: { Properties: {} } } }, "Template format error: [/Resources/B] Every Resources object must contain a Type member.");
  invalid({ Resources: { B: { ...q, Propertes: {} } } }, "Invalid template resource property 'Propertes'");
  validateTemplate({
    Conditions: { C: { "Fn::Equals": ["a", "a"] } },
    Resources: {
      B: {
        ...q,
        Properties: {},
        DependsOn: [],
        Condition: "C",
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain",
        UpdatePolicy: {},
        CreationPolicy: {},
        Metadata: {},
      },
    },
  });
  invalid(
    { Parameters: { P: { Default: "x" } }, Resources: { A: q } },
    "Template format error: [/Parameters/P] Every Parameters object must contain a Type member.",
  );
  invalid({ Parameters: { P: { Type: "Strin" } }, Resources: { A: q } }, "Template format error: Unrecognized parameter type: Strin");
  validateTemplate({
    Parameters: {
      A: { Type: "AWS::SSM::Parameter::Value<String>" },
      B: { Type: "List<AWS::EC2::Subnet::Id>" },
      C: { Type: "AWS::SSM::Parameter::Value<List<AWS::EC2::VPC::Id>>" },
    },
    Resources: { A1: q },
  });
  invalid({ Resources: { A: q }, Outputs: { O: { Description: "x" } } }, "Template format error: Every Outputs member must contain a Value object");
  invalid(
    { Resources: { A: q }, Outputs: { O: { Value: { Ref: "Nope" } } } },
    "Template format error: Unresolved resource dependencies [Nope] in the Outputs block of the template",
  );
  invalid(
    { Resources: { A: { ...q, Condition: "Nope" } } },
    "Template format error: Unresolved dependencies [Nope]. Cannot find condition in the Conditions block of the template",
  );
  invalid(
    { Resources: { A: q }, Outputs: { O: { Value: "x", Condition: "Nope" } } },
    "Template format error: Unresolved dependencies [Nope]. Cannot find condition in the Conditions block of the template",
  );
  const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`O${i}`, { Value: "x" }]));
  invalid({ Resources: { A: q }, Outputs: many }, "Template format error: The template contains more than 200 Outputs.");
});

test("dependencies come from Ref, Fn::GetAtt (both forms), Fn::Sub (${X}, ${X.Attr}, not ${!X}, not ${AWS::…}, not its own variables) and DependsOn", () => {
  const t = parseTemplate(`
Parameters:
  P: {Type: String}
Resources:
  A: {Type: AWS::SQS::Queue}
  B: {Type: AWS::SQS::Queue, Properties: {X: !Ref A, Y: !Ref P, Z: !Ref "AWS::Region"}}
  C: {Type: AWS::SQS::Queue, Properties: {X: !GetAtt B.Arn, Y: {"Fn::GetAtt": "A.Arn"}}}
  D: {Type: AWS::SQS::Queue, Properties: {X: !Sub "\${C.Arn} \${!E} \${AWS::StackName} \${P}", Y: !Sub ["\${V}", {V: !Ref B}]}}
  E: {Type: AWS::SQS::Queue, DependsOn: D}
  F: {Type: AWS::SQS::Queue, DependsOn: [A, E], Metadata: {M: !Ref C}}
`);
  validateTemplate(t);
  const deps = dependencies(t);
  const sorted = Object.fromEntries([...deps].map(([k, v]) => [k, [...v].sort()]));
  assert.deepEqual(sorted, { A: [], B: ["A"], C: ["A", "B"], D: ["B", "C"], E: ["D"], F: ["A", "C", "E"] });
  assert.deepEqual(waves(t), [["A"], ["B"], ["C"], ["D"], ["E"], ["F"]]);
  const wide = parseTemplate("Resources:\n  A: {Type: T}\n  B: {Type: T}\n  C: {Type: T, DependsOn: [A, B]}\n  D: {Type: T, Properties: {X: !Ref A}}\n");
  assert.deepEqual(waves(wide), [
    ["A", "B"],
    ["C", "D"],
  ]);
});

test("AWS's errors for unresolved and circular dependencies", () => {
  invalid(
    { Resources: { A: { ...q, Properties: { X: { Ref: "Missing" }, Y: { "Fn::Sub": "${Gone.Arn}" } } }, B: { ...q, DependsOn: "Nope" } } },
    "Template format error: Unresolved resource dependencies [Missing, Gone, Nope] in the Resources block of the template",
  );
  invalid(
    {
      Resources: {
        A: { ...q, Properties: { X: { Ref: "B" } } },
        B: { ...q, Properties: { X: { "Fn::GetAtt": ["A", "Arn"] } } },
        C: q,
        D: { ...q, DependsOn: "A" },
      },
    },
    "Circular dependency between resources: [A, B, D]",
  );
});
