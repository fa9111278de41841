// CloudFormation template language (issue 11, point 2): parameter values, types, constraints and AWS's wordings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ServiceError } from "../../../src/core/errors.js";
import {
  type GivenParameter,
  type ParameterDecl,
  parameterValueDoesNotExist,
  parseTemplate,
  resolveParameters,
  shownParameters,
  ssmParametersNotFound,
  type Template,
  validateTemplate,
} from "../../../src/services/cloudformation/template/index.js";

const tpl = (Parameters: Record<string, ParameterDecl>): Template => ({ Parameters, Resources: { A: { Type: "AWS::SQS::Queue" } } });
const rejects = (p: Promise<unknown>, message: string) =>
  assert.rejects(p, (e: unknown) => e instanceof ServiceError && e.code === "ValidationError" && e.status === 400 && e.message === message);
const one = (decl: ParameterDecl, value?: string, extra: GivenParameter[] = []) =>
  resolveParameters(tpl({ P: decl }), [...(value === undefined ? [] : [{ ParameterKey: "P", ParameterValue: value }]), ...extra]);

test("values come from given, previous and Default; Ref values by type; NoEcho masked when shown", async () => {
  const t = tpl({
    S: { Type: "String", Default: "d" },
    N: { Type: "Number", Default: 5 },
    L: { Type: "List<Number>", Default: "1, 2,3" },
    C: { Type: "CommaDelimitedList" },
    K: { Type: "AWS::EC2::KeyPair::KeyName", NoEcho: true },
    Prev: { Type: "String" },
  });
  const r = await resolveParameters(
    t,
    [
      { ParameterKey: "C", ParameterValue: "a, b ,c" },
      { ParameterKey: "K", ParameterValue: "my-key" },
      { ParameterKey: "Prev", UsePreviousValue: true },
    ],
    { Prev: "old" },
  );
  assert.deepEqual(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.ref])), {
    S: "d",
    N: "5",
    L: ["1", "2", "3"],
    C: ["a", "b", "c"],
    K: "my-key",
    Prev: "old",
  });
  assert.equal(r.K.noEcho, true);
  assert.deepEqual(
    shownParameters(r).find((p) => p.ParameterKey === "K"),
    { ParameterKey: "K", ParameterValue: "****" },
  );
});

test("missing, unknown and UsePreviousValue misuse answer AWS's errors", async () => {
  const t = tpl({ A: { Type: "String" }, B: { Type: "String" }, C: { Type: "String", Default: "" } });
  await rejects(resolveParameters(t, []), "Parameters: [A, B] must have values");
  await rejects(
    resolveParameters(t, [
      { ParameterKey: "X", ParameterValue: "1" },
      { ParameterKey: "Y", ParameterValue: "1" },
    ]),
    "Parameters: [X, Y] do not exist in the template",
  );
  await rejects(
    resolveParameters(t, [{ ParameterKey: "A", UsePreviousValue: true }], {}),
    "Invalid input for parameter key A. Cannot specify usePreviousValue as true for a parameter key not in the previous template",
  );
  await rejects(
    resolveParameters(t, [{ ParameterKey: "A", UsePreviousValue: true, ParameterValue: "v" }], { A: "x" }),
    "Invalid input for parameter key A. Cannot specify usePreviousValue as true and non empty value for a parameter key",
  );
});

test("constraints: AllowedValues, AllowedPattern, lengths, numbers; ConstraintDescription replaces the generic text", async () => {
  await rejects(one({ Type: "String", AllowedValues: ["dev", "prod"] }, "qa"), "Parameter 'P' must be one of AllowedValues");
  await rejects(one({ Type: "CommaDelimitedList", AllowedValues: ["a", "b"] }, "a,c"), "Parameter 'P' must be one of AllowedValues");
  await one({ Type: "CommaDelimitedList", AllowedValues: ["a", "b"] }, "a,b");
  await rejects(one({ Type: "String", AllowedPattern: "[a-z]+" }, "abc1"), "Parameter 'P' must match pattern [a-z]+");
  await one({ Type: "String", AllowedPattern: "[a-z]+" }, "abc");
  await rejects(one({ Type: "String", MinLength: 3 }, "ab"), "Parameter 'P' must contain at least 3 characters");
  await rejects(one({ Type: "String", MaxLength: "2" }, "abc"), "Parameter 'P' must contain at most 2 characters");
  await rejects(one({ Type: "Number" }, "abc"), "Parameter 'P' must be a number");
  await rejects(one({ Type: "Number", MinValue: 1 }, "0"), "Parameter 'P' must be a number not less than 1");
  await rejects(one({ Type: "Number", MaxValue: 10 }, "10.5"), "Parameter 'P' must be a number not greater than 10");
  await rejects(one({ Type: "List<Number>" }, "1,x"), "Parameter 'P' must be a number");
  await rejects(
    one({ Type: "String", AllowedPattern: "[a-z]+", ConstraintDescription: "lower-case letters only" }, "A"),
    "Parameter 'P' failed to satisfy constraint: lower-case letters only",
  );
  await rejects(one({ Type: "Number", MinValue: 5, ConstraintDescription: "at least five" }, "4"), "Parameter 'P' failed to satisfy constraint: at least five");
});

test("SSM value types are resolved through the caller's callback; AWS-specific values are checked by the caller's", async () => {
  const t = tpl({
    Ami: { Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Default: "/ami/latest", NoEcho: "true" },
    Subnets: { Type: "AWS::SSM::Parameter::Value<List<String>>", Default: "/subnets" },
    Key: { Type: "AWS::EC2::KeyPair::KeyName", Default: "missing" },
  });
  const ssm: Record<string, string> = { "/ami/latest": "ami-123", "/subnets": "s-1,s-2" };
  const seen: string[] = [];
  const r = await resolveParameters(t, [], {}, { resolveSsm: (n) => ssm[n], checkAwsValue: (type, v) => void seen.push(`${type}=${v}`) });
  assert.deepEqual([r.Ami.value, r.Ami.resolvedValue, r.Ami.ref], ["/ami/latest", "ami-123", "ami-123"]);
  assert.deepEqual(r.Subnets.ref, ["s-1", "s-2"]);
  assert.deepEqual(shownParameters(r)[0], { ParameterKey: "Ami", ParameterValue: "****", ResolvedValue: "****" });
  assert.deepEqual(seen, ["AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>=ami-123", "AWS::EC2::KeyPair::KeyName=missing"]);
  await rejects(
    resolveParameters(
      t,
      [],
      {},
      {
        resolveSsm: (n) => ssm[n],
        checkAwsValue: (type, v, name) => {
          if (type === "AWS::EC2::KeyPair::KeyName") throw parameterValueDoesNotExist(name, v);
        },
      },
    ),
    "Parameter validation failed: parameter value missing for parameter name Key does not exist.",
  );
  await rejects(
    resolveParameters(
      t,
      [],
      {},
      {
        resolveSsm: (n) => {
          throw ssmParametersNotFound([n]);
        },
      },
    ),
    "Unable to fetch parameters [/ami/latest] from parameter store for this account.",
  );
});

test("the cfn-lint-valid parameters fixture: defaults pass their own constraints, given values are checked", async () => {
  const t = parseTemplate(readFileSync(new URL("./templates/parameters-outputs.yaml", import.meta.url), "utf8"));
  validateTemplate(t);
  const r = await resolveParameters(t, [{ ParameterKey: "Stage", ParameterValue: "prod" }], {}, { resolveSsm: () => "ami-0abc" });
  assert.deepEqual(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.ref])), {
    Stage: "prod",
    Name: "app",
    Retention: "345600",
    Ports: ["80", "443"],
    Secret: "hunter2",
    LatestAmi: "ami-0abc",
  });
  assert.equal(shownParameters(r).find((p) => p.ParameterKey === "Secret")?.ParameterValue, "****");
  await rejects(
    resolveParameters(t, [{ ParameterKey: "Name", ParameterValue: "Bad_Name" }]),
    "Parameter 'Name' failed to satisfy constraint: lower-case letters, digits and hyphens",
  );
  await rejects(resolveParameters(t, [{ ParameterKey: "Retention", ParameterValue: "59" }]), "Parameter 'Retention' must be a number not less than 60");
  await rejects(resolveParameters(t, [{ ParameterKey: "Stage", ParameterValue: "qa" }]), "Parameter 'Stage' must be one of AllowedValues");
});
