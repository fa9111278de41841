// AWS::Synthetics::Canary (inline Code.Script zipped in the runtime's layout, StartCanaryAfterCreation, a role and a
// bucket from the same template) and AWS::Synthetics::Group through CloudFormation: created, run, updated, deleted.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from "@aws-sdk/client-cloudformation";
import { GetCanaryCommand, GetGroupCommand, ListGroupResourcesCommand } from "@aws-sdk/client-synthetics";
import { useServer } from "../../helpers/server.js";
import { clients, completedRuns, target } from "./setup.js";

const server = useServer();
let web: Awaited<ReturnType<typeof target>>;
before(async () => {
  web = await target();
});
after(() => web.close());

test("a canary with an inline script and StartCanaryAfterCreation, and a group, from a template", async () => {
  const c = clients(server);
  const cfn = new CloudFormationClient(server.clientConfig({ account: c.account }));
  const template = {
    Resources: {
      // The runs' artifacts stay in the bucket: CloudFormation could not delete it with them (as on AWS).
      Artifacts: { Type: "AWS::S3::Bucket", DeletionPolicy: "Retain" },
      Role: {
        Type: "AWS::IAM::Role",
        Properties: {
          AssumeRolePolicyDocument: { Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] },
        },
      },
      Canary: {
        Type: "AWS::Synthetics::Canary",
        Properties: {
          Name: "cfn-canary",
          ArtifactS3Location: { "Fn::Sub": "s3://${Artifacts}/cfn" },
          ExecutionRoleArn: { "Fn::GetAtt": ["Role", "Arn"] },
          RuntimeVersion: "syn-nodejs-puppeteer-15.0",
          Schedule: { Expression: "rate(0 minute)" },
          StartCanaryAfterCreation: true,
          DeleteLambdaResourcesOnCanaryDeletion: true,
          Code: {
            Handler: "index.handler",
            Script: `const synthetics = require('Synthetics');\nexports.handler = async () => synthetics.executeHttpStep('ok', 'http://127.0.0.1:${web.port}/ok');`,
          },
          Tags: [{ Key: "app", Value: "shop" }],
        },
      },
      Group: {
        Type: "AWS::Synthetics::Group",
        Properties: { Name: "shop", ResourceArns: [{ "Fn::Sub": "arn:aws:synthetics:${AWS::Region}:${AWS::AccountId}:canary:${Canary}" }] },
      },
    },
    Outputs: { Id: { Value: { "Fn::GetAtt": ["Canary", "Id"] } }, GroupId: { Value: { "Fn::GetAtt": ["Group", "Id"] } } },
  };
  await cfn.send(new CreateStackCommand({ StackName: "canaries", TemplateBody: JSON.stringify(template), Capabilities: ["CAPABILITY_IAM"] }));
  try {
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { StackName: "canaries" });
  } catch (e) {
    const events = await cfn.send(new DescribeStackEventsCommand({ StackName: "canaries" }));
    throw new Error(`${e}\n${events.StackEvents?.map((x) => `${x.LogicalResourceId} ${x.ResourceStatus} ${x.ResourceStatusReason ?? ""}`).join("\n")}`);
  }
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: "canaries" }));
  const outputs = Object.fromEntries(Stacks![0]!.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
  const canary = (await c.syn.send(new GetCanaryCommand({ Name: "cfn-canary" }))).Canary!;
  assert.equal(canary.Id, outputs.Id);
  assert.equal(canary.Tags?.app, "shop");
  const [run] = await completedRuns(c, "cfn-canary");
  assert.equal(run!.Status?.State, "PASSED", run!.Status?.StateReason);
  const group = (await c.syn.send(new GetGroupCommand({ GroupIdentifier: "shop" }))).Group!;
  assert.equal(group.Id, outputs.GroupId);
  assert.deepEqual((await c.syn.send(new ListGroupResourcesCommand({ GroupIdentifier: "shop" }))).Resources, [
    `arn:aws:synthetics:us-east-1:${c.account}:canary:cfn-canary`,
  ]);

  await cfn.send(new DeleteStackCommand({ StackName: "canaries" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { StackName: "canaries" });
  await assert.rejects(c.syn.send(new GetCanaryCommand({ Name: "cfn-canary" })), { name: "ResourceNotFoundException" });
});
