// CloudFormation resource types of Lambda layers and asynchronous invocation, and of Secrets Manager rotation,
// through the SDK: a layer a function of the same stack really imports, the layer's permission, an event invoke
// config updated in place; a rotation schedule whose Node.js function really rotates the secret; the types
// Stratus cannot run (a hosted rotation function, a database target) failing with their reason.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudControlClient, GetResourceCommand, ListResourcesCommand } from "@aws-sdk/client-cloudcontrol";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionPolicyCommand,
  InvokeCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { makeZip } from "../../helpers/zip.js";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let lambda: LambdaClient;
let s3: S3Client;
let sm: SecretsManagerClient;
let cc: CloudControlClient;
let roleArn: string;
let account: string;
const waiter = () => ({ client: cfn, maxWaitTime: 90, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  account = randomAccount();
  const c = s.clientConfig({ account });
  cfn = new CloudFormationClient(c);
  lambda = new LambdaClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
  sm = new SecretsManagerClient(c);
  cc = new CloudControlClient(c);
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const role = await new IAMClient(c).send(new CreateRoleCommand({ RoleName: "cfn-layer-role", AssumeRolePolicyDocument: JSON.stringify(trust) }));
  roleArn = role.Role!.Arn!;
});
after(() => s.close());

const params = (p: Record<string, string>) => Object.entries(p).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

async function failures(stack: string): Promise<string> {
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources!;
  return JSON.stringify(resources.filter((r) => r.ResourceStatus?.endsWith("FAILED")).map((r) => [r.LogicalResourceId, r.ResourceStatusReason]));
}

async function outputs(stack: string): Promise<Record<string, string>> {
  const [d] = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  return Object.fromEntries((d.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

async function create(stack: string, body: string, p: Record<string, string> = {}): Promise<Record<string, string>> {
  await cfn.send(new CreateStackCommand({ StackName: stack, TemplateBody: body, Parameters: params(p), OnFailure: "DO_NOTHING" }));
  try {
    await waitUntilStackCreateComplete(waiter(), { StackName: stack });
  } catch (e) {
    assert.fail(`${stack}: ${await failures(stack)} (${e})`);
  }
  return outputs(stack);
}

async function update(stack: string, body: string, p: Record<string, string> = {}): Promise<Record<string, string>> {
  await cfn.send(new UpdateStackCommand({ StackName: stack, TemplateBody: body, Parameters: params(p) }));
  try {
    await waitUntilStackUpdateComplete(waiter(), { StackName: stack });
  } catch (e) {
    assert.fail(`${stack}: ${await failures(stack)} (${e})`);
  }
  return outputs(stack);
}

async function remove(stack: string): Promise<void> {
  await cfn.send(new DeleteStackCommand({ StackName: stack }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: stack });
}

/** Creates a stack that must fail; the failed resources' status reasons by logical id. */
async function createFailing(stack: string, body: string): Promise<Record<string, string>> {
  await cfn.send(new CreateStackCommand({ StackName: stack, TemplateBody: body, OnFailure: "DO_NOTHING" }));
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: stack }));
  const [d] = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  assert.equal(d.StackStatus, "CREATE_FAILED");
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources!;
  return Object.fromEntries(resources.filter((r) => r.ResourceStatus === "CREATE_FAILED").map((r) => [r.LogicalResourceId!, r.ResourceStatusReason ?? ""]));
}

/** DetectStackDrift's verdict, and the resources not IN_SYNC with their differences. */
async function drift(stack: string) {
  const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: stack }));
  for (;;) {
    const st = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
    if (st.DetectionStatus !== "DETECTION_IN_PROGRESS") {
      const drifts = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: stack }))).StackResourceDrifts!;
      return {
        status: st.StackDriftStatus,
        drifted: drifts
          .filter((d) => d.StackResourceDriftStatus !== "IN_SYNC")
          .map((d) => [d.LogicalResourceId, d.StackResourceDriftStatus, d.PropertyDifferences]),
        checked: drifts.map((d) => d.LogicalResourceId).sort(),
      };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const physicalIdOf = async (stack: string, logicalId: string) =>
  (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack, LogicalResourceId: logicalId }))).StackResources![0]!.PhysicalResourceId!;

const LAYERS = (description: string, retries: number, maxAge: string) => `
Parameters:
  Role: { Type: String }
  Bucket: { Type: String }
Resources:
  Layer:
    Type: AWS::Lambda::LayerVersion
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      LayerName: greetings
      Description: ${description}
      LicenseInfo: MIT
      CompatibleRuntimes: [nodejs20.x]
      CompatibleArchitectures: [x86_64]
      Content:
        S3Bucket: !Ref Bucket
        S3Key: layer.zip
  LayerPermission:
    Type: AWS::Lambda::LayerVersionPermission
    Properties:
      LayerVersionArn: !Ref Layer
      Action: lambda:GetLayerVersion
      Principal: "111122223333"
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !Ref Role
      Layers: [!Ref Layer]
      Code:
        ZipFile: |
          const greet = require("greet");
          exports.handler = async (event) => ({ from: greet(event.name) });
  Failures:
    Type: AWS::SQS::Queue
  InvokeConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Fn
      Qualifier: $LATEST
      MaximumRetryAttempts: ${retries}
${maxAge}      DestinationConfig:
        OnFailure:
          Destination: !GetAtt Failures.Arn
Outputs:
  LayerRef: { Value: !Ref Layer }
  LayerArn: { Value: !GetAtt Layer.LayerVersionArn }
  PermissionRef: { Value: !Ref LayerPermission }
  PermissionId: { Value: !GetAtt LayerPermission.Id }
  InvokeConfigRef: { Value: !Ref InvokeConfig }
  Fn: { Value: !Ref Fn }
  FailuresArn: { Value: !GetAtt Failures.Arn }
`;

test("Lambda layers and event invoke configs: the function imports the stack's layer; the layer's permission and invoke config are real; a changed layer is a new version (the old one retained); the config updates in place", async () => {
  const Bucket = "cfn-layer-code";
  await s3.send(new CreateBucketCommand({ Bucket }));
  const layerZip = makeZip({ "nodejs/node_modules/greet/index.js": 'module.exports = (name) => "hello " + name + " from the layer";\n' });
  await s3.send(new PutObjectCommand({ Bucket, Key: "layer.zip", Body: layerZip }));
  const p = { Role: roleArn, Bucket };
  const out = await create("layers", LAYERS("first", 1, "      MaximumEventAgeInSeconds: 120\n"), p);

  // The layer version: Ref and GetAtt LayerVersionArn are its ARN, with the template's settings.
  assert.match(out.LayerRef!, new RegExp(`^arn:aws:lambda:us-east-1:${account}:layer:greetings:1$`));
  assert.equal(out.LayerArn, out.LayerRef);
  const layer = await lambda.send(new GetLayerVersionByArnCommand({ Arn: out.LayerRef }));
  assert.deepEqual(
    [layer.Description, layer.LicenseInfo, layer.CompatibleRuntimes, layer.CompatibleArchitectures],
    ["first", "MIT", ["nodejs20.x"], ["x86_64"]],
  );

  // The function really runs the layer's code.
  const invoke = async () => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: out.Fn, Payload: Buffer.from(JSON.stringify({ name: "stack" })) }));
    assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
    return JSON.parse(Buffer.from(r.Payload!).toString());
  };
  assert.deepEqual(await invoke(), { from: "hello stack from the layer" });

  // The permission is a statement of the version's policy; Ref and GetAtt Id name it.
  assert.equal(out.PermissionId, out.PermissionRef);
  assert.ok(out.PermissionRef!.startsWith(`${out.LayerRef}#layers-LayerPermission-`), out.PermissionRef);
  const sid = out.PermissionRef!.slice(out.PermissionRef!.indexOf("#") + 1);
  const policy = JSON.parse((await lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "greetings", VersionNumber: 1 }))).Policy!) as {
    Statement: { Sid: string; Action: string; Principal: { AWS: string } }[];
  };
  assert.deepEqual(
    policy.Statement.map((st) => [st.Sid, st.Action, st.Principal.AWS]),
    [[sid, "lambda:GetLayerVersion", "arn:aws:iam::111122223333:root"]],
  );

  // The event invoke config.
  assert.equal(out.InvokeConfigRef, `${out.Fn}|$LATEST`);
  const config = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: out.Fn }));
  assert.deepEqual([config.MaximumRetryAttempts, config.MaximumEventAgeInSeconds, config.DestinationConfig?.OnFailure?.Destination], [1, 120, out.FailuresArn]);

  // Cloud Control reads them through the same providers.
  const read = await cc.send(new GetResourceCommand({ TypeName: "AWS::Lambda::EventInvokeConfig", Identifier: out.InvokeConfigRef }));
  assert.deepEqual(JSON.parse(read.ResourceDescription!.Properties!), {
    FunctionName: out.Fn,
    Qualifier: "$LATEST",
    MaximumRetryAttempts: 1,
    MaximumEventAgeInSeconds: 120,
    DestinationConfig: { OnFailure: { Destination: out.FailuresArn } },
  });
  const layers = await cc.send(new ListResourcesCommand({ TypeName: "AWS::Lambda::LayerVersion" }));
  assert.deepEqual(
    layers.ResourceDescriptions?.map((r) => r.Identifier),
    [out.LayerRef],
  );
  const perm = await cc.send(new GetResourceCommand({ TypeName: "AWS::Lambda::LayerVersionPermission", Identifier: out.PermissionRef }));
  assert.deepEqual(JSON.parse(perm.ResourceDescription!.Properties!), {
    Id: out.PermissionRef,
    LayerVersionArn: out.LayerRef,
    Action: "lambda:GetLayerVersion",
    Principal: "111122223333",
  });

  // Drift detection reads each resource back: all in sync with the template.
  const d = await drift("layers");
  assert.deepEqual(d.drifted, []);
  assert.equal(d.status, "IN_SYNC");
  for (const id of ["Layer", "LayerPermission", "InvokeConfig"]) assert.ok(d.checked.includes(id), `${id} checked for drift`);

  // An update: the layer's description replaces it (a new version, which the function and permission follow; the
  // old one kept by UpdateReplacePolicy Retain); the invoke config changes in place, the dropped age back to default.
  const configId = await physicalIdOf("layers", "InvokeConfig");
  const next = await update("layers", LAYERS("second", 0, ""), p);
  assert.match(next.LayerRef!, /:layer:greetings:2$/);
  assert.equal((await lambda.send(new GetLayerVersionByArnCommand({ Arn: out.LayerRef }))).Description, "first");
  assert.equal((await lambda.send(new GetLayerVersionByArnCommand({ Arn: next.LayerRef }))).Description, "second");
  assert.deepEqual(await invoke(), { from: "hello stack from the layer" });
  assert.ok(next.PermissionRef!.startsWith(`${next.LayerRef}#`));
  await assert.rejects(lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "greetings", VersionNumber: 1 })), { name: "ResourceNotFoundException" });
  assert.equal(await physicalIdOf("layers", "InvokeConfig"), configId);
  const updated = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: out.Fn }));
  assert.deepEqual(
    [updated.MaximumRetryAttempts, updated.MaximumEventAgeInSeconds, updated.DestinationConfig?.OnFailure?.Destination],
    [0, undefined, out.FailuresArn],
  );

  // DeleteStack removes the config with its function; the layer's DeletionPolicy Retain keeps version 2.
  await remove("layers");
  await assert.rejects(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: out.Fn })), { name: "ResourceNotFoundException" });
  assert.equal((await lambda.send(new GetLayerVersionByArnCommand({ Arn: next.LayerRef }))).Description, "second");
});

// A rotation function in Node.js doing AWS's four steps with the SDK the runtime provides.
const ROTATOR = `
          const sdk = require("@aws-sdk/client-secrets-manager");
          const sm = new sdk.SecretsManagerClient({});
          exports.handler = async (event) => {
            const arn = event.SecretId, token = event.ClientRequestToken, step = event.Step;
            console.log("rotation step " + step);
            if (step === "createSecret") {
              const current = JSON.parse((await sm.send(new sdk.GetSecretValueCommand({ SecretId: arn, VersionStage: "AWSCURRENT" }))).SecretString);
              try {
                await sm.send(new sdk.GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: "AWSPENDING" }));
              } catch (e) {
                if (e.name !== "ResourceNotFoundException") throw e;
                current.password = "rotated-" + token.slice(0, 8);
                await sm.send(new sdk.PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: JSON.stringify(current), VersionStages: ["AWSPENDING"] }));
              }
            } else if (step === "finishSecret") {
              const meta = await sm.send(new sdk.DescribeSecretCommand({ SecretId: arn }));
              const old = Object.keys(meta.VersionIdsToStages).find((v) => meta.VersionIdsToStages[v].includes("AWSCURRENT"));
              if (old !== token) {
                await sm.send(new sdk.UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: "AWSCURRENT", MoveToVersionId: token, RemoveFromVersionId: old }));
              }
            } else if (step !== "setSecret" && step !== "testSecret") {
              throw new Error("unknown step " + step);
            }
          };`;

const ROTATION = (schedule: string) => `
Parameters:
  Role: { Type: String }
Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: cfn-rotated
      SecretString: '{"user":"app","password":"initial"}'
  Rotator:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !Ref Role
      Timeout: 30
      Code:
        ZipFile: |${ROTATOR}
  RotatorPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Rotator.Arn
      Action: lambda:InvokeFunction
      Principal: secretsmanager.amazonaws.com
${schedule}Outputs:
  Secret: { Value: !Ref Secret }
  RotatorArn: { Value: !GetAtt Rotator.Arn }
`;

const SCHEDULE = (rules: string, immediately: boolean) => `  Schedule:
    Type: AWS::SecretsManager::RotationSchedule
    DependsOn: RotatorPermission
    Properties:
      SecretId: !Ref Secret
      RotationLambdaARN: !GetAtt Rotator.Arn
      RotateImmediatelyOnUpdate: ${immediately}
      RotationRules:
${rules}
`;

test("AWS::SecretsManager::RotationSchedule: the Node.js rotation function really rotates the secret; an update changes the rules in place; removing the schedule cancels rotation", async () => {
  const withSchedule = ROTATION(SCHEDULE("        AutomaticallyAfterDays: 30", true));
  const out = await create("rotation", withSchedule, { Role: roleArn });
  const password = async () => JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: out.Secret }))).SecretString!).password as string;

  // The four steps ran at create: AWSCURRENT is the function's new value, the initial one AWSPREVIOUS.
  const rotated = await password();
  assert.match(rotated, /^rotated-[0-9a-f]{8}$/);
  const previous = await sm.send(new GetSecretValueCommand({ SecretId: out.Secret, VersionStage: "AWSPREVIOUS" }));
  assert.equal(JSON.parse(previous.SecretString!).password, "initial");
  let d = await sm.send(new DescribeSecretCommand({ SecretId: out.Secret }));
  assert.deepEqual([d.RotationEnabled, d.RotationLambdaARN, d.RotationRules], [true, out.RotatorArn, { AutomaticallyAfterDays: 30 }]);
  assert.ok(d.LastRotatedDate instanceof Date);
  // Ref (the physical id) is the secret's ARN.
  assert.equal(await physicalIdOf("rotation", "Schedule"), out.Secret);
  const read = await cc.send(new GetResourceCommand({ TypeName: "AWS::SecretsManager::RotationSchedule", Identifier: out.Secret }));
  assert.deepEqual(JSON.parse(read.ResourceDescription!.Properties!), {
    Id: out.Secret,
    SecretId: out.Secret,
    RotationLambdaARN: out.RotatorArn,
    RotationRules: { AutomaticallyAfterDays: 30 },
  });

  // Drift detection reads the schedule back in sync (Lambda::Permission has no read: NOT_CHECKED).
  const d0 = await drift("rotation");
  assert.deepEqual(d0.drifted, [["RotatorPermission", "NOT_CHECKED", undefined]]);
  assert.ok(d0.checked.includes("Schedule"));

  // An update with RotateImmediatelyOnUpdate false: the new rules, no new value (only testSecret ran).
  await update("rotation", ROTATION(SCHEDULE('        ScheduleExpression: "rate(10 days)"\n        Duration: 2h', false)), { Role: roleArn });
  d = await sm.send(new DescribeSecretCommand({ SecretId: out.Secret }));
  assert.deepEqual([d.RotationEnabled, d.RotationRules], [true, { ScheduleExpression: "rate(10 days)", Duration: "2h" }]);
  assert.equal(await password(), rotated);

  // The schedule removed from the template: rotation is cancelled, the secret stays.
  await update("rotation", ROTATION(""), { Role: roleArn });
  d = await sm.send(new DescribeSecretCommand({ SecretId: out.Secret }));
  assert.equal(d.RotationEnabled, false);
  assert.equal(await password(), rotated);
  await remove("rotation");
});

test("what Stratus cannot run fails the resource with its reason: a hosted rotation function, a target attachment to a database", async () => {
  await sm.send(new CreateSecretCommand({ Name: "db-creds", SecretString: '{"username":"admin","password":"pw"}' }));
  const hosted = await createFailing(
    "hosted-rotation",
    `
Resources:
  Schedule:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: db-creds
      HostedRotationLambda:
        RotationType: MySQLSingleUser
      RotationRules:
        AutomaticallyAfterDays: 30
`,
  );
  assert.match(
    hosted.Schedule!,
    /HostedRotationLambda is not supported: Stratus does not run the rotation functions AWS deploys from the Serverless Application Repository/,
  );
  assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "db-creds" }))).RotationEnabled, undefined);

  const attached = await createFailing(
    "target-attachment",
    `
Resources:
  Attachment:
    Type: AWS::SecretsManager::SecretTargetAttachment
    Properties:
      SecretId: db-creds
      TargetId: my-database
      TargetType: AWS::RDS::DBInstance
`,
  );
  assert.equal(
    attached.Attachment,
    "Stratus does not run Amazon RDS: the secret cannot be attached to the AWS::RDS::DBInstance my-database, whose connection details it would hold.",
  );
  // The secret is left as it was.
  assert.equal(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: "db-creds" }))).SecretString!).password, "pw");
  await remove("hosted-rotation");
  await remove("target-attachment");
});

test("DeleteStack deletes a layer version without DeletionPolicy Retain and an event invoke config on a function the stack does not own", async () => {
  const Bucket = "cfn-layer-code-2";
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: "layer.zip", Body: makeZip({ "nodejs/x.js": "module.exports = 1;\n" }) }));
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "outside-the-stack",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: roleArn,
      Code: { ZipFile: makeZip({ "index.js": "exports.handler = async () => 1;" }) },
    }),
  );
  const out = await create(
    "layer-delete",
    `
Parameters:
  Bucket: { Type: String }
  Fn: { Type: String }
Resources:
  Layer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: { S3Bucket: !Ref Bucket, S3Key: layer.zip }
  Config:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Fn
      Qualifier: $LATEST
      MaximumRetryAttempts: 2
Outputs:
  Layer: { Value: !Ref Layer }
  Config: { Value: !Ref Config }
`,
    { Bucket, Fn: fn.FunctionArn! },
  );
  // An unnamed layer gets a generated name.
  assert.match(out.Layer!, /:layer:layer-delete-Layer-[A-Z0-9]{12}:1$/);
  assert.equal(out.Config, `${fn.FunctionArn}|$LATEST`);
  assert.equal((await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "outside-the-stack" }))).MaximumRetryAttempts, 2);
  await remove("layer-delete");
  await assert.rejects(lambda.send(new GetLayerVersionByArnCommand({ Arn: out.Layer })), { name: "ResourceNotFoundException" });
  await assert.rejects(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "outside-the-stack" })), { name: "ResourceNotFoundException" });
  await lambda.send(new GetFunctionCommand({ FunctionName: "outside-the-stack" }));
});
