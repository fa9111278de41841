// CloudFormation from the AWS CLI (v1 and v2, where installed): create-stack from a YAML file with short forms,
// `aws cloudformation wait`, describe-stacks and describe-stack-events, delete-stack. The template is also the one
// cfn-lint checks below, so it is valid CloudFormation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Description: from the CLI
Parameters:
  Greeting:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /cli/greeting
  WithTopic:
    Type: String
    AllowedValues: ["yes", "no"]
    Default: "no"
Conditions:
  MakeTopic: !Equals [!Ref WithTopic, "yes"]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      DelaySeconds: 5
  Copy:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !Sub "\${Greeting} from \${AWS::StackName} in \${AWS::Region}"
  Topic:
    Type: AWS::SNS::Topic
    Condition: MakeTopic
Outputs:
  QueueName:
    Value: !GetAtt Queue.QueueName
  CopyName:
    Value: !Ref Copy
  TopicArn:
    Condition: MakeTopic
    Value: !Ref Topic
`;

const dir = mkdtempSync(join(tmpdir(), "stratus-cfn-cli-"));
const file = join(dir, "template.yaml");
writeFileSync(file, TEMPLATE);
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

test("cfn-lint finds the CLI test's template valid", (t) => {
  try {
    execFileSync("cfn-lint", ["--version"], { stdio: "ignore" });
  } catch {
    return t.skip("cfn-lint is not installed");
  }
  execFileSync("cfn-lint", [file], { stdio: "pipe" });
});

const clis = awsClis();
if (!clis.length) test("aws CLI: cloudformation", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-stack (YAML short forms, an SSM-typed parameter, a false condition), wait, describe, delete`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, args, creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    await aws(["ssm", "put-parameter", "--name", "/cli/greeting", "--value", "hello", "--type", "String"]);
    const { StackId } = await aws(["cloudformation", "create-stack", "--stack-name", "cli-stack", "--template-body", `file://${file}`]);
    await aws(["cloudformation", "wait", "stack-create-complete", "--stack-name", "cli-stack"]);
    const [stack] = (await aws(["cloudformation", "describe-stacks", "--stack-name", "cli-stack"])).Stacks;
    assert.equal(stack.StackStatus, "CREATE_COMPLETE");
    // The SSM-typed parameter shows its name as the value and what Parameter Store held as ResolvedValue.
    const greeting = stack.Parameters.find((p: { ParameterKey: string }) => p.ParameterKey === "Greeting");
    assert.deepEqual([greeting.ParameterValue, greeting.ResolvedValue], ["/cli/greeting", "hello"]);
    const out = Object.fromEntries(stack.Outputs.map((o: { OutputKey: string; OutputValue: string }) => [o.OutputKey, o.OutputValue]));
    assert.match(out.QueueName, /^cli-stack-Queue-[A-Z0-9]{12}$/);
    assert.equal(out.TopicArn, undefined, "an output whose condition is false is left out");
    assert.match(out.CopyName, /^CFN-Copy-[A-Z0-9]{12}$/);
    assert.equal((await aws(["ssm", "get-parameter", "--name", out.CopyName])).Parameter.Value, "hello from cli-stack in us-east-1");
    const resources = (await aws(["cloudformation", "describe-stack-resources", "--stack-name", "cli-stack"])).StackResources;
    assert.deepEqual(resources.map((r: { LogicalResourceId: string }) => r.LogicalResourceId).sort(), ["Copy", "Queue"]);
    const events = (await aws(["cloudformation", "describe-stack-events", "--stack-name", "cli-stack"])).StackEvents;
    assert.equal(events[0].ResourceStatus, "CREATE_COMPLETE");
    assert.equal(events[0].LogicalResourceId, "cli-stack");

    await aws(["cloudformation", "delete-stack", "--stack-name", "cli-stack"]);
    await aws(["cloudformation", "wait", "stack-delete-complete", "--stack-name", StackId]);
    const gone = await runAws(cli, server.url, ["ssm", "get-parameter", "--name", out.CopyName], creds);
    assert.notEqual(gone.status, 0);
    assert.match(gone.stderr, /ParameterNotFound/);
  });
