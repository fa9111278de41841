// `aws cloudformation package` and `deploy --s3-bucket` (AWS CLI v1 and v2, where installed): package zips a Lambda
// function's local code directory and uploads a nested stack's local template into Stratus's S3 and rewrites the
// template; deploy uploads the template itself and creates the change set from its TemplateURL (the S3 client's own
// endpoint URL, path-style); the function runs the packaged code and the nested stack's output reaches the parent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Greeting:
    Type: String
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: ./fn
      Environment:
        Variables:
          GREETING: !Ref Greeting
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child.yaml
      Parameters:
        FunctionName: !Ref Fn
Outputs:
  FnName:
    Value: !Ref Fn
  ChildSaid:
    Value: !GetAtt Child.Outputs.Said
`;

// A nested stack's local template: package uploads it and rewrites TemplateURL to the S3 client's endpoint URL.
const CHILD = `Parameters:
  FunctionName:
    Type: String
Resources:
  Note:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !Sub "child knows \${FunctionName}"
Outputs:
  Said:
    Value: !GetAtt Note.Value
`;

const clis = awsClis();
if (!clis.length) test("aws CLI: cloudformation package/deploy", { skip: "aws CLI not installed" }, () => {});
// package's and deploy's S3 client takes no --endpoint-url; AWS_ENDPOINT_URL_S3 reaches it from v1.29 / v2.13 on (botocore 1.31).
const readsEndpointEnv = (label: string) => {
  const [major, minor] = label.split("/")[1].split(".").map(Number);
  return major === 1 ? minor >= 29 : minor >= 13;
};
for (const cli of clis)
  test(`${cli.label}: package (local code and a nested template to S3), deploy --s3-bucket (TemplateURL), the stack runs what was packaged`, {
    skip: readsEndpointEnv(cli.label) ? undefined : "this CLI's package/deploy S3 client ignores --endpoint-url and predates AWS_ENDPOINT_URL_S3",
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-cfn-package-"));
    try {
      mkdirSync(join(dir, "fn"));
      writeFileSync(join(dir, "fn", "index.js"), "exports.handler = async () => ({ said: process.env.GREETING + ' from packaged code' });\n");
      writeFileSync(join(dir, "template.yaml"), TEMPLATE);
      writeFileSync(join(dir, "child.yaml"), CHILD);
      // The CLI's S3 client for package and deploy takes no --endpoint-url: it reads AWS_ENDPOINT_URL_S3.
      const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_ENDPOINT_URL_S3: server.url };
      const bucket = `artifacts-${cli.label.split("/")[1].split(".")[0]}-${Date.now()}`;
      const aws = async (args: string[]) => {
        const r = await runAws(cli, server.url, args, creds);
        assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
        return r.stdout;
      };
      await aws(["s3api", "create-bucket", "--bucket", bucket]);
      const packaged = join(dir, "packaged.yaml");
      await aws(["cloudformation", "package", "--template-file", join(dir, "template.yaml"), "--s3-bucket", bucket, "--output-template-file", packaged]);
      const text = readFileSync(packaged, "utf8");
      assert.match(text, new RegExp(`S3Bucket: ${bucket}`));
      assert.match(text, new RegExp(`TemplateURL: ${server.url}/${bucket}/`));
      await aws([
        "cloudformation",
        "deploy",
        "--template-file",
        packaged,
        "--stack-name",
        "packaged",
        "--s3-bucket",
        bucket,
        "--s3-prefix",
        "templates",
        "--capabilities",
        "CAPABILITY_IAM",
        "--parameter-overrides",
        "Greeting=hello",
      ]);
      // deploy uploaded the template under the prefix: the stack was made from it.
      const listed = JSON.parse(await aws(["s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "templates/"]));
      assert.equal(listed.Contents.length, 1);
      const [stack] = JSON.parse(await aws(["cloudformation", "describe-stacks", "--stack-name", "packaged"])).Stacks;
      assert.equal(stack.StackStatus, "CREATE_COMPLETE");
      const fnName = stack.Outputs.find((o: { OutputKey: string }) => o.OutputKey === "FnName").OutputValue;
      assert.equal(stack.Outputs.find((o: { OutputKey: string }) => o.OutputKey === "ChildSaid").OutputValue, `child knows ${fnName}`);
      const out = join(dir, "out.json");
      await aws(["lambda", "invoke", "--function-name", fnName, out]);
      assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), { said: "hello from packaged code" });
      await aws(["cloudformation", "delete-stack", "--stack-name", "packaged"]);
      // (`aws cloudformation wait` polls every 30 s: describe-stacks by id instead.)
      let status = "";
      for (let i = 0; i < 40 && status !== "DELETE_COMPLETE"; i++) {
        await new Promise((r) => setTimeout(r, 250));
        status = JSON.parse(await aws(["cloudformation", "describe-stacks", "--stack-name", stack.StackId])).Stacks[0].StackStatus;
      }
      assert.equal(status, "DELETE_COMPLETE");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
