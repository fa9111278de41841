// The registry as far as Stratus has one: ListTypes and DescribeType for the public AWS types its services run,
// each schema built from AWS's resource specification; EstimateTemplateCost answers template errors as AWS does and
// then refuses plainly (no prices here).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CloudFormationClient, DescribeTypeCommand, EstimateTemplateCostCommand, ListTypesCommand } from "@aws-sdk/client-cloudformation";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { rejects } from "../../helpers/errors.js";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;

before(async () => {
  s = await startTestServer();
  cfn = new CloudFormationClient(s.clientConfig({ account: randomAccount() }));
});
after(() => s.close());

test("ListTypes: PUBLIC lists the AWS types Stratus runs, filtered by prefix and paged; PRIVATE has none", async () => {
  const all = await cfn.send(new ListTypesCommand({ Visibility: "PUBLIC", Type: "RESOURCE" }));
  const names = all.TypeSummaries!.map((t) => t.TypeName);
  for (const t of ["AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::SSM::Parameter"]) assert.ok(names.includes(t), t);
  assert.ok(!names.includes("AWS::EC2::Instance"), "a type Stratus does not run is not listed");
  assert.deepEqual(names, [...names].sort());
  const sqs = await cfn.send(new ListTypesCommand({ Visibility: "PUBLIC", Filters: { TypeNamePrefix: "AWS::SQS::" } }));
  assert.deepEqual(
    sqs.TypeSummaries!.map((t) => [t.TypeName, t.TypeArn, t.Type]),
    [
      ["AWS::SQS::Queue", "arn:aws:cloudformation:us-east-1::type/resource/AWS-SQS-Queue", "RESOURCE"],
      ["AWS::SQS::QueuePolicy", "arn:aws:cloudformation:us-east-1::type/resource/AWS-SQS-QueuePolicy", "RESOURCE"],
    ],
  );
  const first = await cfn.send(new ListTypesCommand({ Visibility: "PUBLIC", MaxResults: 2 }));
  assert.equal(first.TypeSummaries!.length, 2);
  const second = await cfn.send(new ListTypesCommand({ Visibility: "PUBLIC", MaxResults: 2, NextToken: first.NextToken }));
  assert.deepEqual(
    [...first.TypeSummaries!, ...second.TypeSummaries!].map((t) => t.TypeName),
    names.slice(0, 4),
  );
  assert.deepEqual((await cfn.send(new ListTypesCommand({}))).TypeSummaries, []);
  assert.deepEqual((await cfn.send(new ListTypesCommand({ Visibility: "PUBLIC", Type: "HOOK" }))).TypeSummaries, []);
});

test("DescribeType: a run type's schema from AWS's specification (identifiers, create-only and read-only properties)", async () => {
  const d = await cfn.send(new DescribeTypeCommand({ Type: "RESOURCE", TypeName: "AWS::SQS::Queue" }));
  assert.equal(d.Arn, "arn:aws:cloudformation:us-east-1::type/resource/AWS-SQS-Queue");
  assert.equal(d.Visibility, "PUBLIC");
  assert.equal(d.DeprecatedStatus, "LIVE");
  const schema = JSON.parse(d.Schema!);
  assert.equal(schema.typeName, "AWS::SQS::Queue");
  assert.deepEqual(schema.primaryIdentifier, ["/properties/QueueUrl"]);
  assert.ok(schema.createOnlyProperties.includes("/properties/QueueName"));
  assert.ok(schema.createOnlyProperties.includes("/properties/FifoQueue"));
  assert.ok(schema.readOnlyProperties.includes("/properties/Arn"));
  assert.deepEqual(schema.properties.VisibilityTimeout, { type: "integer" });
  assert.equal(schema.tagging.tagProperty, "/properties/Tags");
  // By ARN too.
  const byArn = await cfn.send(new DescribeTypeCommand({ Arn: "arn:aws:cloudformation:us-east-1::type/resource/AWS-Lambda-Function" }));
  assert.equal(byArn.TypeName, "AWS::Lambda::Function");
  assert.ok(JSON.parse(byArn.Schema!).required.includes("Code"));

  await rejects(
    cfn.send(new DescribeTypeCommand({ Type: "RESOURCE", TypeName: "AWS::Nope::Thing" })),
    "TypeNotFoundException",
    404,
    "The type 'AWS::Nope::Thing' cannot be found.",
  );
  await rejects(
    cfn.send(new DescribeTypeCommand({ Type: "RESOURCE", TypeName: "AWS::EC2::Instance" })),
    "TypeNotFoundException",
    404,
    /Stratus does not run it yet/,
  );
});

test("EstimateTemplateCost: template and parameter errors as AWS answers them, then a plain refusal", async () => {
  await rejects(cfn.send(new EstimateTemplateCostCommand({ TemplateBody: "Resources: {}\nBogus: 1\n" })), "ValidationError", 400, /^Template format error/);
  const body = JSON.stringify({ Parameters: { N: { Type: "Number" } }, Resources: { Q: { Type: "AWS::SQS::Queue" } } });
  await rejects(cfn.send(new EstimateTemplateCostCommand({ TemplateBody: body })), "ValidationError", 400, "Parameters: [N] must have values");
  await rejects(
    cfn.send(new EstimateTemplateCostCommand({ TemplateBody: body, Parameters: [{ ParameterKey: "N", ParameterValue: "3" }] })),
    "ValidationError",
    400,
    /EstimateTemplateCost is not supported by Stratus/,
  );
});

for (const cli of awsClis())
  test(`${cli.label}: describe-type and list-types`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const r = await runAws(cli, s.url, ["cloudformation", "describe-type", "--type", "RESOURCE", "--type-name", "AWS::SSM::Parameter"], creds);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(JSON.parse(r.stdout).Schema).primaryIdentifier, ["/properties/Name"]);
    const l = await runAws(cli, s.url, ["cloudformation", "list-types", "--visibility", "PUBLIC", "--filters", "TypeNamePrefix=AWS::KMS::"], creds);
    assert.equal(l.status, 0, l.stderr);
    assert.deepEqual(
      JSON.parse(l.stdout).TypeSummaries.map((t: { TypeName: string }) => t.TypeName),
      ["AWS::KMS::Alias", "AWS::KMS::Key"],
    );
  });
