// Transforms through the SDK: AWS::Include at the top level and as an Fn::Transform snippet (read from S3), macros
// (AWS::CloudFormation::Macro naming a real Lambda function, which receives AWS's macro event and answers the
// processed fragment), AWS's failures (an unknown transform, a macro's failure with and without a message, a
// malformed answer), CAPABILITY_AUTO_EXPAND on CreateStack, GetTemplate's Processed stage, DeclaredTransforms.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { makeZip } from "../../helpers/zip.js";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let ssm: SSMClient;
let account: string;
const waiter = () => ({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const param = (Name: string, Value: unknown) => ({ Type: "AWS::SSM::Parameter", Properties: { Name, Type: "String", Value } });
const ssmValue = async (Name: string) => (await ssm.send(new GetParameterCommand({ Name }))).Parameter?.Value;

// The macro: its params say what to do. "describe" adds a parameter holding the event it was given (minus the
// fragment); "upper" upper-cases every string of the fragment; the rest fail in the ways AWS describes.
const MACRO = `exports.handler = async (event) => {
  const { requestId, fragment, params } = event;
  switch (params.Mode) {
    case "describe": {
      const { fragment: _f, requestId: _r, ...rest } = event;
      fragment.Resources.Described = { Type: "AWS::SSM::Parameter", Properties: { Name: "/macro/event", Type: "String", Value: JSON.stringify(rest) } };
      return { requestId, status: "success", fragment };
    }
    case "upper": {
      const up = (v) => typeof v === "string" ? v.toUpperCase() : Array.isArray(v) ? v.map(up) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "Name" || k === "Type" ? x : up(x)])) : v;
      return { requestId, status: "success", fragment: up(fragment) };
    }
    case "fail": return { requestId, status: "failure", errorMessage: "told to fail" };
    case "silent": return { requestId, status: "failure" };
    default: return { something: "else" };
  }
};
`;

before(async () => {
  s = await startTestServer();
  account = randomAccount();
  const c = s.clientConfig({ account });
  cfn = new CloudFormationClient(c);
  ssm = new SSMClient(c);
  const s3 = new S3Client({ ...c, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: `snippets-${account}` }));
  await s3.send(
    new PutObjectCommand({
      Bucket: `snippets-${account}`,
      Key: "resources.yaml",
      Body: "Included:\n  Type: AWS::SSM::Parameter\n  Properties:\n    Name: /inc/included\n    Type: String\n    Value: !Ref Greeting\n",
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: `snippets-${account}`,
      Key: "outputs.json",
      Body: JSON.stringify({ Outputs: { FromInclude: { Value: { Ref: "Included" } } } }),
    }),
  );
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const role = await new IAMClient(c).send(new CreateRoleCommand({ RoleName: "macro-role", AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await new LambdaClient(c).send(
    new CreateFunctionCommand({
      FunctionName: "macro-fn",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: role.Role!.Arn!,
      Code: { ZipFile: makeZip({ "index.js": MACRO }) },
    }),
  );
});
after(() => s.close());

test("AWS::Include: a snippet in Resources and a top-level include, CAPABILITY_AUTO_EXPAND, both template stages", async () => {
  const body = JSON.stringify({
    Transform: { Name: "AWS::Include", Parameters: { Location: `s3://snippets-${account}/outputs.json` } },
    Parameters: { Greeting: { Type: "String" } },
    Resources: {
      Own: param("/inc/own", "mine"),
      "Fn::Transform": { Name: "AWS::Include", Parameters: { Location: `https://snippets-${account}.s3.amazonaws.com/resources.yaml` } },
    },
  });
  const input = { StackName: "include", TemplateBody: body, Parameters: [{ ParameterKey: "Greeting", ParameterValue: "hi" }] };
  await assert.rejects(cfn.send(new CreateStackCommand(input)), (e: Error) => {
    assert.equal(e.name, "InsufficientCapabilitiesException");
    assert.equal(e.message, "Requires capabilities : [CAPABILITY_AUTO_EXPAND]");
    return true;
  });
  await cfn.send(new CreateStackCommand({ ...input, Capabilities: ["CAPABILITY_AUTO_EXPAND"] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "include" });
  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "include" }))).Stacks!;
  assert.deepEqual(
    stack.Outputs?.map((o) => [o.OutputKey, o.OutputValue]),
    [["FromInclude", "/inc/included"]],
  );
  assert.equal(await ssmValue("/inc/included"), "hi");
  assert.equal(await ssmValue("/inc/own"), "mine");

  assert.equal((await cfn.send(new GetTemplateCommand({ StackName: "include" }))).TemplateBody, body);
  const processed = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "include", TemplateStage: "Processed" }))).TemplateBody!);
  assert.equal(processed.Transform, undefined);
  assert.deepEqual(Object.keys(processed.Resources).sort(), ["Included", "Own"]);
  assert.deepEqual((await cfn.send(new GetTemplateSummaryCommand({ StackName: "include" }))).DeclaredTransforms, ["AWS::Include"]);
  assert.deepEqual((await cfn.send(new GetTemplateSummaryCommand({ TemplateBody: body }))).DeclaredTransforms, ["AWS::Include"]);
  assert.deepEqual((await cfn.send(new ValidateTemplateCommand({ TemplateBody: body }))).DeclaredTransforms, ["AWS::Include"]);
});

test("a macro: template-level and Fn::Transform, AWS's event, then deleted with its stack", async () => {
  await cfn.send(
    new CreateStackCommand({
      StackName: "macro-def",
      TemplateBody: JSON.stringify({ Resources: { M: { Type: "AWS::CloudFormation::Macro", Properties: { Name: "Shout", FunctionName: "macro-fn" } } } }),
    }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: "macro-def" });

  const body = JSON.stringify({
    Transform: [{ Name: "Shout", Parameters: { Mode: "describe", Who: { Ref: "Who" } } }],
    Parameters: { Who: { Type: "String", Default: "default-who" }, Tags: { Type: "CommaDelimitedList", Default: "a,b" } },
    Resources: {
      Loud: {
        Type: "AWS::SSM::Parameter",
        Properties: { Name: "/macro/loud", Type: "String", Value: "quiet words", "Fn::Transform": { Name: "Shout", Parameters: { Mode: "upper" } } },
      },
    },
  });
  await cfn.send(
    new CreateStackCommand({
      StackName: "macro-use",
      TemplateBody: body,
      Capabilities: ["CAPABILITY_AUTO_EXPAND"],
      Parameters: [{ ParameterKey: "Who", ParameterValue: "me" }],
    }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: "macro-use" });
  assert.equal(await ssmValue("/macro/loud"), "QUIET WORDS");
  const event = JSON.parse((await ssmValue("/macro/event"))!);
  assert.deepEqual(event, {
    region: "us-east-1",
    accountId: account,
    transformId: `${account}::Shout`,
    params: { Mode: "describe", Who: "me" },
    templateParameterValues: { Who: "me", Tags: ["a", "b"] },
  });
  assert.deepEqual((await cfn.send(new GetTemplateSummaryCommand({ StackName: "macro-use" }))).DeclaredTransforms, ["Shout"]);

  // UsePreviousTemplate runs the macros again (with the new parameter values), acknowledged again.
  const again = { StackName: "macro-use", UsePreviousTemplate: true, Parameters: [{ ParameterKey: "Who", ParameterValue: "you" }] };
  await assert.rejects(cfn.send(new UpdateStackCommand(again)), { name: "InsufficientCapabilitiesException" });
  await cfn.send(new UpdateStackCommand({ ...again, Capabilities: ["CAPABILITY_AUTO_EXPAND"] }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "macro-use" });
  assert.deepEqual(JSON.parse((await ssmValue("/macro/event"))!).params, { Mode: "describe", Who: "you" });

  // A change set shows the processed template's resources and needs no acknowledgement.
  await cfn.send(new CreateChangeSetCommand({ StackName: "macro-cs", ChangeSetName: "cs", ChangeSetType: "CREATE", TemplateBody: body }));
  await waitUntilChangeSetCreateComplete(waiter(), { StackName: "macro-cs", ChangeSetName: "cs" });
  const cs = await cfn.send(new DescribeChangeSetCommand({ StackName: "macro-cs", ChangeSetName: "cs" }));
  assert.deepEqual(cs.Changes?.map((c) => c.ResourceChange?.LogicalResourceId).sort(), ["Described", "Loud"]);

  await cfn.send(new DeleteStackCommand({ StackName: "macro-def" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "macro-def" });
  await assert.rejects(cfn.send(new GetTemplateSummaryCommand({ TemplateBody: body })), {
    name: "ValidationError",
    message: `No transform named ${account}::Shout found.`,
  });
});

test("AWS's failures: an unknown transform, a macro failing with and without a message, a malformed answer; a FAILED change set", async () => {
  await cfn.send(
    new CreateStackCommand({
      StackName: "macro-def2",
      TemplateBody: JSON.stringify({ Resources: { M: { Type: "AWS::CloudFormation::Macro", Properties: { Name: "Picky", FunctionName: "macro-fn" } } } }),
    }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: "macro-def2" });
  const create = (transform: unknown) =>
    cfn.send(
      new CreateStackCommand({
        StackName: "fails",
        Capabilities: ["CAPABILITY_AUTO_EXPAND"],
        TemplateBody: JSON.stringify({ Transform: transform, Resources: { P: param("/fails", "x") } }),
      }),
    );
  const cases: [unknown, string][] = [
    ["Nowhere", `No transform named ${account}::Nowhere found.`],
    [{ Name: "Picky", Parameters: { Mode: "fail" } }, `Transform ${account}::Picky failed with: told to fail`],
    [{ Name: "Picky", Parameters: { Mode: "silent" } }, `Transform ${account}::Picky failed without an error message.`],
    [{ Name: "Picky", Parameters: { Mode: "garbage" } }, `Received malformed response from transform ${account}::Picky.`],
    [{ Name: { Ref: "X" } }, "Key Name of transform definition must be a string."],
  ];
  for (const [transform, message] of cases) await assert.rejects(create(transform), { name: "ValidationError", message });
  assert.equal(
    (await cfn.send(new DescribeStacksCommand({}))).Stacks?.some((x) => x.StackName === "fails"),
    false,
  );

  // A change set is created, FAILED, the transform's failure its reason (what `aws cloudformation deploy` reports).
  const TemplateBody = JSON.stringify({ Transform: { Name: "Picky", Parameters: { Mode: "fail" } }, Resources: { P: param("/fails", "x") } });
  const { Id } = await cfn.send(new CreateChangeSetCommand({ StackName: "fails-cs", ChangeSetName: "cs", ChangeSetType: "CREATE", TemplateBody }));
  const cs = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
  assert.deepEqual([cs.Status, cs.ExecutionStatus, cs.StatusReason], ["FAILED", "UNAVAILABLE", `Transform ${account}::Picky failed with: told to fail`]);
  assert.equal((await cfn.send(new DescribeStacksCommand({ StackName: "fails-cs" }))).Stacks![0].StackStatus, "REVIEW_IN_PROGRESS");
});
