// CloudFormation's resource types as scripts/codegen-cfn.ts imported them, and the property validation's
// wordings (sources in src/services/cloudformation/types.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  attributesOf,
  replacementProperties,
  requiredTransform,
  typeExists,
  typeSchema,
  validateProperties,
} from "../../../src/services/cloudformation/types.js";

const problems = (type: string, props: unknown) => validateProperties("R", type, props).problems;

test("the imported types: every AWS type's name, full schemas only for the services Stratus runs", () => {
  assert.ok(typeExists("AWS::S3::Bucket"));
  assert.ok(typeExists("AWS::EC2::Instance"));
  assert.equal(typeSchema("AWS::EC2::Instance"), undefined);
  assert.equal(attributesOf("AWS::EC2::Instance"), undefined);
  assert.ok(!typeExists("AWS::Foo::Bar"));
  assert.equal(typeSchema("AWS::Foo::Bar"), undefined);
  assert.ok(typeExists("AWS::CDK::Metadata"));
  assert.ok(typeExists("Custom::MyThing"));
  assert.ok(!typeExists("Custom::"));
  assert.equal(requiredTransform("AWS::Serverless::Function"), "AWS::Serverless-2016-10-31");
  assert.equal(requiredTransform("AWS::SQS::Queue"), undefined);

  const queue = typeSchema("AWS::SQS::Queue");
  assert.ok(queue);
  assert.deepEqual(queue.props.QueueName, { t: "string", replace: "yes" });
  assert.equal(queue.props.VisibilityTimeout.t, "integer");
  assert.equal(queue.props.Tags.t, "list<tag>");
  assert.deepEqual(queue.id, ["QueueUrl"]);
  assert.equal(queue.tags, "Tags");
  assert.deepEqual(attributesOf("AWS::SQS::Queue"), { Arn: "string", QueueName: "string", QueueUrl: "string" });
  assert.ok(replacementProperties("AWS::SQS::Queue").includes("QueueName"));
  assert.ok(replacementProperties("AWS::SQS::Queue").includes("FifoQueue"));
  assert.ok(!replacementProperties("AWS::SQS::Queue").includes("VisibilityTimeout"));

  // Complex property types, recursively.
  const bucket = typeSchema("AWS::S3::Bucket");
  assert.ok(bucket);
  assert.equal(bucket.props.LifecycleConfiguration.t, "LifecycleConfiguration");
  assert.deepEqual(bucket.defs?.LifecycleConfiguration.Rules, { t: "list<Rule>", required: true });
  assert.ok(bucket.defs?.Rule);
  assert.deepEqual(bucket.id, ["BucketName"]);
  assert.equal(attributesOf("AWS::S3::Bucket")?.Arn, "string");

  assert.equal(typeSchema("AWS::Lambda::Function")?.props.Role.required, true);
  assert.equal(typeSchema("Custom::X"), typeSchema("AWS::CloudFormation::CustomResource"));
});

test("a valid resource has no problems; values CloudFormation converts pass", () => {
  assert.deepEqual(validateProperties("Q", "AWS::SQS::Queue", {}), { problems: [] });
  assert.deepEqual(problems("AWS::SQS::Queue", undefined), []);
  assert.deepEqual(
    problems("AWS::SQS::Queue", {
      QueueName: "q",
      VisibilityTimeout: "30",
      DelaySeconds: 5,
      FifoQueue: "true",
      ContentBasedDeduplication: false,
      RedrivePolicy: { deadLetterTargetArn: "arn", maxReceiveCount: 3 },
      Tags: [{ Key: "k", Value: "v" }],
    }),
    [],
  );
  // A number or boolean reaches a string property as its text.
  assert.deepEqual(problems("AWS::SSM::Parameter", { Type: "String", Value: 12 }), []);
  // A policy document as an object or as a string.
  assert.deepEqual(problems("AWS::IAM::Role", { AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] } }), []);
  assert.deepEqual(problems("AWS::IAM::Role", { AssumeRolePolicyDocument: "{}" }), []);
  // Custom resources take any properties beside ServiceToken.
  assert.deepEqual(problems("Custom::Thing", { ServiceToken: "arn", Anything: [1, 2] }), []);
  // Types without a full schema are not judged.
  assert.deepEqual(problems("AWS::EC2::Instance", { Whatever: 1 }), []);
  // Unresolved intrinsics are the caller's to resolve, not problems.
  assert.deepEqual(problems("AWS::SQS::Queue", { VisibilityTimeout: { Ref: "P" } }), []);
});

test("each problem as CloudFormation words it, and the stack event's reason", () => {
  assert.deepEqual(validateProperties("Fn", "AWS::Lambda::Function", { Code: { ZipFile: "x" } }), {
    problems: ["#: required key [Role] not found"],
    reason: "Properties validation failed for resource Fn with message: [#: required key [Role] not found]",
  });
  assert.deepEqual(problems("AWS::SQS::Queue", { QueueNam: "q" }), ["#: extraneous key [QueueNam] is not permitted"]);
  assert.deepEqual(problems("AWS::SQS::Queue", { QueueName: ["a"] }), ["#/QueueName: expected type: String, found: JSONArray"]);
  assert.deepEqual(problems("AWS::SQS::Queue", { QueueName: { a: 1 } }), ["#/QueueName: expected type: String, found: JSONObject"]);
  assert.deepEqual(problems("AWS::SQS::Queue", { VisibilityTimeout: "soon" }), ["#/VisibilityTimeout: expected type: Number, found: String"]);
  assert.deepEqual(problems("AWS::SQS::Queue", { FifoQueue: "yes" }), ["#/FifoQueue: expected type: Boolean, found: String"]);
  assert.deepEqual(problems("AWS::SQS::Queue", { Tags: { Key: "k" } }), ["#/Tags: expected type: JSONArray, found: JSONObject"]);
  // Nested: list items and complex types carry their JSON pointer.
  assert.deepEqual(
    problems("AWS::SQS::Queue", {
      Tags: [
        { Key: "k", Value: "v" },
        { Key: "k", Extra: 1 },
      ],
    }),
    ["#/Tags/1: required key [Value] not found", "#/Tags/1: extraneous key [Extra] is not permitted"],
  );
  assert.deepEqual(problems("AWS::S3::Bucket", { LifecycleConfiguration: {} }), ["#/LifecycleConfiguration: required key [Rules] not found"]);
  assert.deepEqual(problems("AWS::S3::Bucket", { LifecycleConfiguration: "x" }), ["#/LifecycleConfiguration: expected type: JSONObject, found: String"]);
  // A union none of whose branches fits.
  assert.deepEqual(problems("AWS::SQS::Queue", { RedrivePolicy: [1] }), ["#/RedrivePolicy: expected type is one of JSONObject, String, found: JSONArray"]);
  assert.deepEqual(problems("AWS::IAM::RolePolicy", { PolicyName: "p", RoleName: "r", PolicyDocument: [] }), [
    "#/PolicyDocument: expected type: JSONObject, found: JSONArray",
  ]);
  assert.deepEqual(problems("AWS::SQS::Queue", { DelaySeconds: 1.5 }), ["#/DelaySeconds: expected type: Integer, found: BigDecimal"]);
  // Several problems: all of them, in the reason too.
  const several = validateProperties("Fn", "AWS::Lambda::Function", { Foo: 1 });
  assert.deepEqual(several.problems, ["#: required key [Code] not found", "#: required key [Role] not found", "#: extraneous key [Foo] is not permitted"]);
  assert.equal(
    several.reason,
    "Properties validation failed for resource Fn with message: [#: required key [Code] not found, #: required key [Role] not found, #: extraneous key [Foo] is not permitted]",
  );
});
