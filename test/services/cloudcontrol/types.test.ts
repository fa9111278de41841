// The providers' reads and lists for every type that has them (SSM Parameter, SNS Topic, S3 Bucket, Logs LogGroup,
// KMS Key, IAM Role, Lambda Function, Secrets Manager Secret): a stack of each, in sync by drift detection (each read
// reports what the template set, in the schema's types), each listed and read by Cloud Control (boto3), and a change
// through each service's own API seen as drift.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStackResourcesCommand,
  DetectStackDriftCommand,
  waitUntilStackCreateComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient, UpdateRoleCommand } from "@aws-sdk/client-iam";
import { KMSClient, UpdateKeyDescriptionCommand } from "@aws-sdk/client-kms";
import { LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient, UpdateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { SetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, useServer } from "../../helpers/server.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

const TEMPLATE = JSON.stringify({
  Resources: {
    Param: { Type: "AWS::SSM::Parameter", Properties: { Name: "/drift/p", Type: "String", Value: "v1", Description: "a parameter" } },
    Topic: { Type: "AWS::SNS::Topic", Properties: { DisplayName: "shown", Tags: [{ Key: "k", Value: "v" }] } },
    Bucket: { Type: "AWS::S3::Bucket", Properties: { VersioningConfiguration: { Status: "Enabled" }, Tags: [{ Key: "k", Value: "v" }] } },
    Logs: { Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 7 } },
    Key: {
      Type: "AWS::KMS::Key",
      Properties: { Description: "a key", EnableKeyRotation: true, PendingWindowInDays: 7, Tags: [{ Key: "k", Value: "v" }] },
    },
    Role: {
      Type: "AWS::IAM::Role",
      Properties: {
        Description: "a role",
        MaxSessionDuration: 7200,
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        },
        Policies: [
          { PolicyName: "inline", PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] } },
        ],
      },
    },
    Fn: {
      Type: "AWS::Lambda::Function",
      Properties: {
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: { "Fn::GetAtt": ["Role", "Arn"] },
        Code: { ZipFile: "exports.handler = async () => 1;" },
        Timeout: 10,
        MemorySize: 256,
        Environment: { Variables: { GREETING: "hi" } },
        Tags: [{ Key: "k", Value: "v" }],
      },
    },
    Secret: { Type: "AWS::SecretsManager::Secret", Properties: { Description: "a secret", GenerateSecretString: { PasswordLength: 20 } } },
  },
});

const TYPES: Record<string, string> = {
  Param: "AWS::SSM::Parameter",
  Topic: "AWS::SNS::Topic",
  Bucket: "AWS::S3::Bucket",
  Logs: "AWS::Logs::LogGroup",
  Key: "AWS::KMS::Key",
  Role: "AWS::IAM::Role",
  Fn: "AWS::Lambda::Function",
  Secret: "AWS::SecretsManager::Secret",
};

async function detect(cfn: CloudFormationClient, stack: string) {
  const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: stack }));
  for (;;) {
    const st = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
    if (st.DetectionStatus !== "DETECTION_IN_PROGRESS") return st;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("every type with a read: in sync after create, listed and read by Cloud Control, drifted by a change through its service", async (t) => {
  const account = randomAccount();
  const c = server.clientConfig({ account });
  const cfn = new CloudFormationClient(c);
  await cfn.send(new CreateStackCommand({ StackName: "all-types", TemplateBody: TEMPLATE, Capabilities: ["CAPABILITY_IAM"] }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "all-types" }).catch(async (e) => {
    const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: "all-types" }));
    throw new Error(
      `${e}: ${StackEvents!
        .filter((x) => x.ResourceStatusReason)
        .map((x) => `${x.LogicalResourceId}: ${x.ResourceStatusReason}`)
        .join("; ")}`,
    );
  });
  const ids = Object.fromEntries(
    (await cfn.send(new DescribeStackResourcesCommand({ StackName: "all-types" }))).StackResources!.map((r) => [r.LogicalResourceId, r.PhysicalResourceId!]),
  );

  const first = await detect(cfn, "all-types");
  const drifts = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: "all-types" }))).StackResourceDrifts!;
  assert.deepEqual(
    drifts.filter((d) => d.StackResourceDriftStatus !== "IN_SYNC").map((d) => [d.LogicalResourceId, d.PropertyDifferences]),
    [],
  );
  assert.equal(first.StackDriftStatus, "IN_SYNC");
  assert.equal(drifts.length, Object.keys(TYPES).length);

  // Cloud Control lists and reads each one (boto3).
  const missing = pythonMissing();
  if (missing) t.diagnostic(`Cloud Control part skipped: ${missing}`);
  else {
    const script = `
import boto3, json, sys
cc = boto3.client("cloudcontrol", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key="test")
out = {}
for logical, (type_name, ident) in json.loads(sys.argv[3]).items():
    listed = [d["Identifier"] for p in cc.get_paginator("list_resources").paginate(TypeName=type_name) for d in p["ResourceDescriptions"]]
    got = json.loads(cc.get_resource(TypeName=type_name, Identifier=ident)["ResourceDescription"]["Properties"])
    out[logical] = {"listed": ident in listed, "model": got}
print(json.dumps(out))
`;
    const arg = JSON.stringify(Object.fromEntries(Object.entries(TYPES).map(([l, type]) => [l, [type, ids[l]]])));
    const out = JSON.parse((await run("python3", ["-c", script, server.url, account, arg])).stdout);
    for (const l of Object.keys(TYPES)) assert.ok(out[l].listed, `${l} listed`);
    assert.equal(out.Param.model.Value, "v1");
    assert.equal(out.Topic.model.DisplayName, "shown");
    assert.equal(out.Bucket.model.VersioningConfiguration.Status, "Enabled");
    assert.equal(out.Logs.model.RetentionInDays, 7);
    assert.equal(out.Key.model.EnableKeyRotation, true);
    assert.equal(out.Key.model.KeyPolicy.Version, "2012-10-17");
    assert.equal(out.Role.model.MaxSessionDuration, 7200);
    assert.equal(out.Role.model.Policies[0].PolicyName, "inline");
    assert.equal(out.Fn.model.MemorySize, 256);
    assert.equal(out.Fn.model.Code, undefined, "write-only Code is not read");
    assert.equal(out.Secret.model.Description, "a secret");
    assert.equal(out.Secret.model.SecretString, undefined, "write-only SecretString is not read");
  }

  // Changed through each service's own API: each one MODIFIED, with the property that changed.
  await new SSMClient(c).send(new PutParameterCommand({ Name: "/drift/p", Value: "v2", Type: "String", Overwrite: true }));
  await new SNSClient(c).send(new SetTopicAttributesCommand({ TopicArn: ids.Topic, AttributeName: "DisplayName", AttributeValue: "other" }));
  await new S3Client({ ...c, forcePathStyle: true }).send(
    new PutBucketVersioningCommand({ Bucket: ids.Bucket, VersioningConfiguration: { Status: "Suspended" } }),
  );
  await new CloudWatchLogsClient(c).send(new PutRetentionPolicyCommand({ logGroupName: ids.Logs, retentionInDays: 14 }));
  await new KMSClient(c).send(new UpdateKeyDescriptionCommand({ KeyId: ids.Key, Description: "changed" }));
  await new IAMClient(c).send(new UpdateRoleCommand({ RoleName: ids.Role, MaxSessionDuration: 3600, Description: "a role" }));
  await new LambdaClient(c).send(new UpdateFunctionConfigurationCommand({ FunctionName: ids.Fn, MemorySize: 512 }));
  await new SecretsManagerClient(c).send(new UpdateSecretCommand({ SecretId: ids.Secret, Description: "changed" }));
  const second = await detect(cfn, "all-types");
  assert.equal(second.StackDriftStatus, "DRIFTED");
  assert.equal(second.DriftedStackResourceCount, Object.keys(TYPES).length);
  const modified = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: "all-types", StackResourceDriftStatusFilters: ["MODIFIED"] })))
    .StackResourceDrifts!;
  assert.deepEqual(
    Object.fromEntries(
      modified.map((d) => [d.LogicalResourceId, d.PropertyDifferences!.map((p) => `${p.PropertyPath} ${p.ExpectedValue} -> ${p.ActualValue}`)]),
    ),
    {
      Bucket: ["/VersioningConfiguration/Status Enabled -> Suspended"],
      Fn: ["/MemorySize 256 -> 512"],
      Key: ["/Description a key -> changed"],
      Logs: ["/RetentionInDays 7 -> 14"],
      Param: ["/Value v1 -> v2"],
      Role: ["/MaxSessionDuration 7200 -> 3600"],
      Secret: ["/Description a secret -> changed"],
      Topic: ["/DisplayName shown -> other"],
    },
  );
});
