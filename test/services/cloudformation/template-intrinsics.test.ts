// CloudFormation template language (issue 11, point 2): intrinsic functions, pseudo parameters and conditions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ServiceError } from "../../../src/core/errors.js";
import {
  type EvalContext,
  evaluate,
  evaluateConditions,
  noExport,
  parseTemplate,
  resolveParameters,
  type Template,
  validateTemplate,
  waves,
} from "../../../src/services/cloudformation/template/index.js";

const pseudo = { accountId: "123456789012", region: "eu-west-1", stackName: "s", stackId: "arn:aws:cloudformation:eu-west-1:123456789012:stack/s/id" };
const attrs: Record<string, Record<string, unknown>> = { Q: { Arn: "arn:q", "Endpoint.Address": "db.host" }, Vpc: { CidrBlock: "10.0.0.0/16" } };
const ctx: EvalContext = {
  pseudo,
  parameters: { Env: "prod", List: ["a", "b", "c"], N: "2" },
  conditions: { Yes: true, No: false },
  mappings: { M: { prod: { Size: "large", Zones: ["x", "y"] } } },
  resources: new Set(["Q", "Vpc"]),
  ref: (id) => `${id}-physical`,
  getAtt: (id, a) => attrs[id]?.[a],
  importValue: (name) => {
    if (name === "shared") return "imported";
    throw noExport(name);
  },
};
const ev = (v: unknown) => evaluate(v, ctx);
const fails = (v: unknown, message: string, c: EvalContext = ctx) =>
  assert.throws(
    () => evaluate(v, c),
    (e: unknown) => e instanceof ServiceError && e.code === "ValidationError" && e.message === message,
  );

test("Ref: parameters, every pseudo parameter, resources", () => {
  assert.deepEqual(
    ev({
      a: { Ref: "AWS::AccountId" },
      b: { Ref: "AWS::Region" },
      c: { Ref: "AWS::StackName" },
      d: { Ref: "AWS::StackId" },
      e: { Ref: "AWS::Partition" },
      f: { Ref: "AWS::URLSuffix" },
      g: { Ref: "AWS::NotificationARNs" },
      h: { Ref: "Env" },
      i: { Ref: "List" },
      j: { Ref: "Q" },
    }),
    { a: "123456789012", b: "eu-west-1", c: "s", d: pseudo.stackId, e: "aws", f: "amazonaws.com", g: [], h: "prod", i: ["a", "b", "c"], j: "Q-physical" },
  );
  const cn = { ...ctx, pseudo: { ...pseudo, region: "cn-north-1" } };
  assert.deepEqual(evaluate([{ Ref: "AWS::Partition" }, { Ref: "AWS::URLSuffix" }], cn), ["aws-cn", "amazonaws.com.cn"]);
  fails({ Ref: 1 }, "Template error: All References must be of type string");
  fails({ Ref: "Nope" }, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template");
});

test("AWS::NoValue removes its key or element; Fn::If picks a branch", () => {
  assert.deepEqual(ev({ a: { "Fn::If": ["Yes", 1, 2] }, b: { "Fn::If": ["No", 1, { Ref: "AWS::NoValue" }] }, c: [1, { Ref: "AWS::NoValue" }, 3] }), {
    a: 1,
    c: [1, 3],
  });
  assert.equal(ev({ Ref: "AWS::NoValue" }), undefined);
  fails({ "Fn::If": ["Yes", 1] }, "Template error: Fn::If requires a list argument with three elements");
  fails({ "Fn::If": [1, 2, 3] }, "Template error: Fn::If requires a list argument with the first element being a condition");
  fails({ "Fn::If": ["Unknown", 1, 2] }, "Template error: unresolved condition dependency Unknown in Fn::If");
});

test("Fn::GetAtt in both forms; attributes with dots; AWS's errors", () => {
  assert.equal(ev({ "Fn::GetAtt": ["Q", "Arn"] }), "arn:q");
  assert.equal(ev({ "Fn::GetAtt": "Q.Endpoint.Address" }), "db.host");
  assert.equal(evaluate({ "Fn::GetAtt": ["Q", { Ref: "Attr" }] }, { ...ctx, parameters: { Attr: "Arn" } }), "arn:q");
  fails({ "Fn::GetAtt": ["Q"] }, "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute");
  fails({ "Fn::GetAtt": ["Nope", "Arn"] }, "Template error: instance of Fn::GetAtt references undefined resource Nope");
  fails({ "Fn::GetAtt": ["Q", "Bogus"] }, "Template error: resource Q does not support attribute type Bogus in Fn::GetAtt");
});

test("Fn::Sub: pseudo parameters, parameters, resources, attributes, variable maps, ${!Literal}", () => {
  assert.equal(ev({ "Fn::Sub": "${AWS::Region}:${Env}:${Q}:${Q.Arn}:${!Literal}:${ Env }" }), "eu-west-1:prod:Q-physical:arn:q:${Literal}:prod");
  assert.equal(ev({ "Fn::Sub": ["${A}-${B}-${Env}", { A: "x", B: { "Fn::Join": ["+", ["1", "2"]] } }] }), "x-1+2-prod");
  fails(
    { "Fn::Sub": 5 },
    "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string",
  );
  fails(
    { "Fn::Sub": "${bad name}" },
    "Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons",
  );
});

test("Fn::Join, Fn::Select, Fn::Split, Fn::Base64, Fn::GetAZs, Fn::ImportValue, Fn::Length, Fn::ToJsonString", () => {
  assert.equal(ev({ "Fn::Join": [",", [{ Ref: "Env" }, "b", 3]] }), "prod,b,3");
  assert.equal(ev({ "Fn::Join": ["-", { Ref: "List" }] }), "a-b-c");
  assert.equal(ev({ "Fn::Select": ["1", { Ref: "List" }] }), "b");
  assert.equal(ev({ "Fn::Select": [{ Ref: "N" }, { "Fn::GetAZs": "" }] }), "eu-west-1c");
  assert.deepEqual(ev({ "Fn::Split": ["|", "a|b||c"] }), ["a", "b", "", "c"]);
  assert.equal(ev({ "Fn::Base64": { "Fn::Sub": "${Env}" } }), Buffer.from("prod").toString("base64"));
  assert.deepEqual(ev({ "Fn::GetAZs": { Ref: "AWS::Region" } }), ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
  assert.deepEqual(ev({ "Fn::GetAZs": "us-east-2" }), ["us-east-2a", "us-east-2b", "us-east-2c"]);
  assert.equal(ev({ "Fn::ImportValue": { "Fn::Sub": "shared" } }), "imported");
  assert.equal(ev({ "Fn::Length": { Ref: "List" } }), 3);
  assert.equal(ev({ "Fn::ToJsonString": { a: { Ref: "Env" }, b: [1, { Ref: "AWS::NoValue" }] } }), '{"a":"prod","b":[1]}');
  const JOIN =
    "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.";
  fails({ "Fn::Join": [","] }, JOIN);
  fails({ "Fn::Join": [",", "notalist"] }, JOIN);
  fails({ "Fn::Join": [",", [["nested"]]] }, JOIN);
  fails({ "Fn::Select": ["5", { Ref: "List" }] }, "Template error: Fn::Select cannot select nonexistent value at index 5");
  fails({ "Fn::Select": ["x", { Ref: "List" }] }, "Template error: Fn::Select requires a list argument with a valid index value as its first element");
  fails({ "Fn::Select": ["0", "abc"] }, "Template error: Fn::Select requires a list argument with two elements: an integer index and a list");
  fails({ "Fn::Base64": ["a"] }, "Template error: every Fn::Base64 object must have a String-typed value.");
  fails({ "Fn::ImportValue": "nope" }, "Template error: No export named nope found.");
  fails(
    { "Fn::Bogus": 1 },
    "Template format error: Encountered unsupported function: Fn::Bogus Supported functions are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr]",
  );
});

test("Fn::FindInMap with and without DefaultValue", () => {
  assert.equal(ev({ "Fn::FindInMap": ["M", { Ref: "Env" }, "Size"] }), "large");
  assert.deepEqual(ev({ "Fn::FindInMap": ["M", "prod", "Zones"] }), ["x", "y"]);
  assert.equal(ev({ "Fn::FindInMap": ["M", "dev", "Size", { DefaultValue: { Ref: "Env" } }] }), "prod");
  fails(
    { "Fn::FindInMap": ["M", "prod"] },
    "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value",
  );
  fails({ "Fn::FindInMap": ["Nope", "prod", "Size"] }, "Template error: Mapping named 'Nope' is not present in the 'Mappings' section of template");
  fails({ "Fn::FindInMap": ["M", "dev", "Size"] }, "Template error: Unable to get mapping for M::dev::Size");
});

test("Fn::Cidr: IPv4 and IPv6 subnet math", () => {
  assert.deepEqual(ev({ "Fn::Cidr": ["10.0.0.0/16", 4, 8] }), ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]);
  assert.deepEqual(ev({ "Fn::Cidr": [{ "Fn::GetAtt": ["Vpc", "CidrBlock"] }, "2", "12"] }), ["10.0.0.0/20", "10.0.16.0/20"]);
  assert.deepEqual(ev({ "Fn::Cidr": ["192.168.1.77/24", 3, 5] }), ["192.168.1.0/27", "192.168.1.32/27", "192.168.1.64/27"]);
  assert.deepEqual(ev({ "Fn::Cidr": ["2001:db8::/56", 3, 64] }), ["2001:db8::/64", "2001:db8:0:1::/64", "2001:db8:0:2::/64"]);
  assert.deepEqual(ev({ "Fn::Cidr": ["2600:1f16:abc:d00::/56", 2, 64] }), ["2600:1f16:abc:d00::/64", "2600:1f16:abc:d01::/64"]);
  fails({ "Fn::Cidr": ["10.0.0.0/24", 3, 7] }, "Template error: Fn::Cidr cannot carve 3 subnets of /25 from 10.0.0.0/24");
  fails({ "Fn::Cidr": ["10.0.0.300/16", 1, 8] }, "Template error: Fn::Cidr ipBlock 10.0.0.300/16 is not valid CIDR block".replace("not valid", "not a valid"));
});

test("conditions: Equals/And/Or/Not/Condition, nesting, references between conditions, AWS's errors", () => {
  const t: Template = {
    Parameters: { Env: { Type: "String" }, N: { Type: "Number" } },
    Mappings: { M: { prod: { Big: "true" } } },
    Conditions: {
      Both: { "Fn::And": [{ Condition: "IsProd" }, { Condition: "Big" }] },
      IsProd: { "Fn::Equals": [{ Ref: "Env" }, "prod"] },
      Big: { "Fn::Equals": [{ "Fn::FindInMap": ["M", { Ref: "Env" }, "Big"] }, "true"] },
      NotProd: { "Fn::Not": [{ Condition: "IsProd" }] },
      Any: { "Fn::Or": [{ Condition: "NotProd" }, { "Fn::Equals": [{ Ref: "N" }, 2] }] },
      InEu: { "Fn::Equals": [{ Ref: "AWS::Region" }, "eu-west-1"] },
    },
    Resources: { A: { Type: "AWS::SQS::Queue" } },
  };
  const c = evaluateConditions(t, { pseudo, parameters: { Env: "prod", N: "2" }, mappings: t.Mappings });
  assert.deepEqual(c, { Both: true, IsProd: true, Big: true, NotProd: false, Any: true, InEu: true });
  const bad = (Conditions: Record<string, unknown>, message: string) =>
    assert.throws(
      () => evaluateConditions({ ...t, Conditions }, { pseudo, parameters: { Env: "prod", N: "2" } }),
      (e: unknown) => e instanceof ServiceError && e.message === message,
    );
  bad({ C: { "Fn::Equals": ["a"] } }, "Template error: Fn::Equals requires a list argument with two elements");
  bad(
    { C: { "Fn::And": [{ Condition: "D" }] }, D: { "Fn::Equals": [1, 1] } },
    "Template error: every Fn::And object requires a list of at least 2 and at most 10 boolean parameters.",
  );
  bad({ C: { "Fn::Or": "x" } }, "Template error: every Fn::Or object requires a list of at least 2 and at most 10 boolean parameters.");
  bad({ C: { "Fn::Not": [] } }, "Template error: Fn::Not requires a list argument with one element");
  bad(
    { C: { "Fn::Equals": [{ Ref: "A" }, "x"] } },
    "Template format error: Unresolved dependencies [A]. Cannot reference resources in the Conditions block of the template",
  );
  bad({ C: { Condition: "D" }, D: { Condition: "C" } }, "Template error: Found circular condition dependency: C -> D -> C");
});

test("the cfn-lint-valid fixture end to end: validate, parameters, conditions, waves, every property evaluated", async () => {
  const t = parseTemplate(readFileSync(new URL("./templates/short-forms.yaml", import.meta.url), "utf8"));
  validateTemplate(t);
  assert.deepEqual(waves(t), [["Vpc", "Queue", "Param2"], ["Subnet"], ["Param"]]);
  const params = await resolveParameters(t, [{ ParameterKey: "Env", ParameterValue: "prod" }]);
  const parameters = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.ref]));
  const conditions = evaluateConditions(t, { pseudo, parameters, mappings: t.Mappings });
  assert.deepEqual(conditions, { IsProd: true, IsDev: false, Either: true, Both: true });
  const c: EvalContext = {
    ...ctx,
    parameters,
    conditions,
    mappings: t.Mappings,
    resources: new Set(Object.keys(t.Resources)),
    getAtt: (id, a) =>
      (({ "Vpc.CidrBlock": "10.0.0.0/16", "Queue.Arn": "arn:queue", "Queue.QueueUrl": "https://queue" }) as Record<string, string>)[`${id}.${a}`],
    importValue: () => "^.*$",
  };
  const props = Object.fromEntries(Object.entries(t.Resources).map(([id, r]) => [id, evaluate(r.Properties, c)]));
  assert.deepEqual(props, {
    Vpc: { CidrBlock: "10.0.0.0/16" },
    Subnet: { VpcId: "Vpc-physical", CidrBlock: "10.0.1.0/24", AvailabilityZone: "eu-west-1a" },
    Queue: { QueueName: "s-prod-queue", MessageRetentionPeriod: "120", DelaySeconds: 5 },
    Param: { Type: "String", Value: "arn:queue https://queue ${Literal} eu-west-1", Description: Buffer.from("123456789012").toString("base64") },
    Param2: { Type: "String", AllowedPattern: "^.*$", Value: '{"Count":3,"Parts":["a","b","c"],"Both":"yes"}' },
  });
});
