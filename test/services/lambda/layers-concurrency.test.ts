// Layers (publish from a zip or S3, read, list, delete, share) and functions importing their modules; reserved and
// provisioned concurrency with the account settings; asynchronous invocation configurations. Real SDK v3 clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  AddLayerVersionPermissionCommand,
  CreateAliasCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  DeleteLayerVersionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  ListLayerVersionsCommand,
  ListLayersCommand,
  ListProvisionedConcurrencyConfigsCommand,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  RemoveLayerVersionPermissionCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { waitUntil } from "../../helpers/wait.js";
import { invokeConfigFor } from "../../../src/services/lambda/invoke-configs.js";
import { createFunction, json, lambdaEnv, zip } from "./setup.js";

const server = useServer();

const PYTHON = ["python3.12", "python3.13", "python3"].find((p) => spawnSync(p, ["--version"], { stdio: "ignore" }).status === 0);

const greetLayer = () =>
  zip({
    "nodejs/node_modules/greet/index.js": 'module.exports = "hello from the node layer";\n',
    "nodejs/node_modules/greet/package.json": JSON.stringify({ name: "greet", main: "index.js" }),
    "python/greet.py": 'VALUE = "hello from the python layer"\n',
  });

test("PublishLayerVersion numbers versions per layer; Get, GetByArn, ListLayers and ListLayerVersions answer them", async () => {
  const env = await lambdaEnv(server);
  const content = greetLayer();
  const v1 = await env.lambda.send(
    new PublishLayerVersionCommand({
      LayerName: "greet",
      Description: "one",
      Content: { ZipFile: content },
      CompatibleRuntimes: ["nodejs20.x", "python3.12"],
      CompatibleArchitectures: ["x86_64"],
      LicenseInfo: "MIT",
    }),
  );
  assert.equal(v1.$metadata.httpStatusCode, 201);
  const layerArn = `arn:aws:lambda:us-east-1:${env.account}:layer:greet`;
  assert.equal(v1.LayerArn, layerArn);
  assert.equal(v1.LayerVersionArn, `${layerArn}:1`);
  assert.equal(v1.Version, 1);
  assert.equal(v1.Content!.CodeSha256, createHash("sha256").update(content).digest("base64"));
  assert.equal(v1.Content!.CodeSize, content.length);
  assert.match(v1.Content!.Location!, /^http:\/\/.+\/_stratus\/lambda\/code\/.+/);
  assert.deepEqual(v1.CompatibleRuntimes, ["nodejs20.x", "python3.12"]);
  assert.deepEqual(v1.CompatibleArchitectures, ["x86_64"]);
  assert.equal(v1.LicenseInfo, "MIT");
  assert.match(v1.CreatedDate!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);

  // From S3 this time, and arm64 only.
  const s3 = server.client(S3Client, { account: env.account }, { forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: `layers-${env.account}` }));
  await s3.send(new PutObjectCommand({ Bucket: `layers-${env.account}`, Key: "greet.zip", Body: content }));
  const v2 = await env.lambda.send(
    new PublishLayerVersionCommand({
      LayerName: "greet",
      Content: { S3Bucket: `layers-${env.account}`, S3Key: "greet.zip" },
      CompatibleRuntimes: ["nodejs20.x"],
      CompatibleArchitectures: ["arm64"],
    }),
  );
  assert.equal(v2.Version, 2);
  assert.equal(v2.Description, "");
  assert.equal(v2.Content!.CodeSha256, v1.Content!.CodeSha256);
  await env.lambda.send(new PublishLayerVersionCommand({ LayerName: "other", Content: { ZipFile: zip({ "bin/x": "x" }) } }));

  const got = await env.lambda.send(new GetLayerVersionCommand({ LayerName: "greet", VersionNumber: 1 }));
  assert.deepEqual({ ...got, $metadata: undefined }, { ...v1, $metadata: undefined });
  const byArn = await env.lambda.send(new GetLayerVersionByArnCommand({ Arn: `${layerArn}:2` }));
  assert.equal(byArn.Version, 2);
  const byLayerArn = await env.lambda.send(new GetLayerVersionCommand({ LayerName: layerArn, VersionNumber: 2 }));
  assert.equal(byLayerArn.LayerVersionArn, `${layerArn}:2`);
  await rejects(
    env.lambda.send(new GetLayerVersionCommand({ LayerName: "greet", VersionNumber: 3 })),
    "ResourceNotFoundException",
    404,
    "The resource you requested does not exist.",
  );
  await rejects(env.lambda.send(new GetLayerVersionByArnCommand({ Arn: `${layerArn}:9` })), "ResourceNotFoundException", 404);
  await rejects(
    env.lambda.send(new GetLayerVersionCommand({ LayerName: "greet", VersionNumber: 0 })),
    "InvalidParameterValueException",
    400,
    "Layer Version Cannot be less than 1",
  );

  const layers = await env.lambda.send(new ListLayersCommand({}));
  assert.deepEqual(
    layers.Layers!.map((l) => [l.LayerName, l.LatestMatchingVersion!.Version]),
    [
      ["greet", 2],
      ["other", 1],
    ],
  );
  const x86 = await env.lambda.send(new ListLayersCommand({ CompatibleArchitecture: "x86_64" }));
  assert.deepEqual(
    x86.Layers!.map((l) => [l.LayerName, l.LatestMatchingVersion!.Version]),
    [["greet", 1]],
  );
  const py = await env.lambda.send(new ListLayersCommand({ CompatibleRuntime: "python3.12" }));
  assert.deepEqual(
    py.Layers!.map((l) => l.LatestMatchingVersion!.LayerVersionArn),
    [`${layerArn}:1`],
  );
  const versions = await env.lambda.send(new ListLayerVersionsCommand({ LayerName: "greet" }));
  assert.deepEqual(
    versions.LayerVersions!.map((v) => v.Version),
    [2, 1],
  );
  const page = await env.lambda.send(new ListLayerVersionsCommand({ LayerName: "greet", MaxItems: 1 }));
  assert.deepEqual(
    page.LayerVersions!.map((v) => v.Version),
    [2],
  );
  const rest = await env.lambda.send(new ListLayerVersionsCommand({ LayerName: "greet", MaxItems: 1, Marker: page.NextMarker }));
  assert.deepEqual(
    rest.LayerVersions!.map((v) => v.Version),
    [1],
  );
  assert.equal(rest.NextMarker, undefined);
  await rejects(
    env.lambda.send(new PublishLayerVersionCommand({ LayerName: "bad", Content: { ZipFile: Buffer.from("not a zip") } })),
    "InvalidParameterValueException",
    400,
  );
});

test('functions import their layers\' modules: Node.js ESM `import greet from "greet"` and Python `import greet`', async () => {
  const env = await lambdaEnv(server);
  const layer = await env.lambda.send(new PublishLayerVersionCommand({ LayerName: "greet", Content: { ZipFile: greetLayer() } }));
  const node = await createFunction(env, {
    FunctionName: "uses-node-layer",
    Layers: [layer.LayerVersionArn!],
    code: { "index.mjs": 'import greet from "greet";\nexport const handler = async () => greet;\n' },
  });
  assert.deepEqual(node.Layers, [{ Arn: layer.LayerVersionArn, CodeSize: layer.Content!.CodeSize }]);
  const out = await env.lambda.send(new InvokeCommand({ FunctionName: "uses-node-layer" }));
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
  assert.equal(json(out.Payload), "hello from the node layer");

  if (PYTHON) {
    await createFunction(env, {
      FunctionName: "uses-python-layer",
      Runtime: "python3.12",
      Handler: "app.handler",
      Layers: [layer.LayerVersionArn!],
      code: { "app.py": "import greet\n\ndef handler(event, context):\n    return greet.VALUE\n" },
    });
    const py = await env.lambda.send(new InvokeCommand({ FunctionName: "uses-python-layer" }));
    assert.equal(py.FunctionError, undefined, Buffer.from(py.Payload ?? []).toString());
    assert.equal(json(py.Payload), "hello from the python layer");
  }

  // A deleted version: gone for the API and for new configurations, still there for the function using it.
  const del = await env.lambda.send(new DeleteLayerVersionCommand({ LayerName: "greet", VersionNumber: 1 }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await env.lambda.send(new DeleteLayerVersionCommand({ LayerName: "greet", VersionNumber: 1 }));
  await rejects(env.lambda.send(new GetLayerVersionCommand({ LayerName: "greet", VersionNumber: 1 })), "ResourceNotFoundException", 404);
  assert.deepEqual((await env.lambda.send(new ListLayersCommand({}))).Layers, []);
  await rejects(createFunction(env, { FunctionName: "too-late", Layers: [layer.LayerVersionArn!] }), "InvalidParameterValueException", 400, /does not exist/);
  // A new configuration (fresh environments) still gets the deleted version's code.
  await env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "uses-node-layer", Timeout: 5 }));
  await waitUntil(
    async () => (await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "uses-node-layer" }))).LastUpdateStatus !== "InProgress",
    "the configuration update to finish",
  );
  const again = await env.lambda.send(new InvokeCommand({ FunctionName: "uses-node-layer" }));
  assert.equal(json(again.Payload), "hello from the node layer");
  // Numbers are not reused.
  assert.equal((await env.lambda.send(new PublishLayerVersionCommand({ LayerName: "greet", Content: { ZipFile: greetLayer() } }))).Version, 2);
});

test("layer version permissions share a layer with another account", async () => {
  const env = await lambdaEnv(server);
  const other = new LambdaClient(server.clientConfig({ account: randomAccount() }));
  const otherAccount = await other.config.credentials().then((c) => c.accessKeyId);
  const layer = await env.lambda.send(new PublishLayerVersionCommand({ LayerName: "shared", Content: { ZipFile: greetLayer() } }));
  const arn = layer.LayerVersionArn!;
  await rejects(other.send(new GetLayerVersionByArnCommand({ Arn: arn })), "ResourceNotFoundException", 404);
  await rejects(
    env.lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "shared", VersionNumber: 1 })),
    "ResourceNotFoundException",
    404,
    "No policy is associated with the given resource.",
  );

  const added = await env.lambda.send(
    new AddLayerVersionPermissionCommand({
      LayerName: "shared",
      VersionNumber: 1,
      StatementId: "xaccount",
      Action: "lambda:GetLayerVersion",
      Principal: otherAccount,
    }),
  );
  assert.equal(added.$metadata.httpStatusCode, 201);
  assert.deepEqual(JSON.parse(added.Statement!), {
    Sid: "xaccount",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${otherAccount}:root` },
    Action: "lambda:GetLayerVersion",
    Resource: arn,
  });
  await rejects(
    env.lambda.send(
      new AddLayerVersionPermissionCommand({
        LayerName: "shared",
        VersionNumber: 1,
        StatementId: "xaccount",
        Action: "lambda:GetLayerVersion",
        Principal: "*",
      }),
    ),
    "ResourceConflictException",
    409,
  );
  await rejects(
    env.lambda.send(
      new AddLayerVersionPermissionCommand({
        LayerName: "shared",
        VersionNumber: 1,
        StatementId: "x",
        Action: "lambda:GetLayerVersion",
        Principal: "*",
        RevisionId: "stale",
      }),
    ),
    "PreconditionFailedException",
    412,
  );
  await rejects(
    env.lambda.send(
      new AddLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: 5, StatementId: "x", Action: "lambda:GetLayerVersion", Principal: "*" }),
    ),
    "ResourceNotFoundException",
    404,
    `Layer version ${arn.replace(/:1$/, ":5")} does not exist.`,
  );
  await rejects(
    env.lambda.send(
      new AddLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: 1, StatementId: "x", Action: "lambda:InvokeFunction", Principal: "*" }),
    ),
    "ValidationException",
    400,
  );

  const policy = await env.lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "shared", VersionNumber: 1 }));
  assert.equal(policy.RevisionId, added.RevisionId);
  assert.deepEqual(JSON.parse(policy.Policy!), { Version: "2012-10-17", Id: "default", Statement: [JSON.parse(added.Statement!)] });
  const seen = await other.send(new GetLayerVersionByArnCommand({ Arn: arn }));
  assert.equal(seen.LayerVersionArn, arn);

  await rejects(
    env.lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: 1, StatementId: "nope" })),
    "ResourceNotFoundException",
    404,
  );
  const removed = await env.lambda.send(
    new RemoveLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: 1, StatementId: "xaccount", RevisionId: policy.RevisionId }),
  );
  assert.equal(removed.$metadata.httpStatusCode, 204);
  await rejects(other.send(new GetLayerVersionByArnCommand({ Arn: arn })), "ResourceNotFoundException", 404);
});

test("reserved concurrency: Put/Get/Delete, the 100 unreserved minimum, GetAccountSettings, and 429 at the limit", async () => {
  const env = await lambdaEnv(server);
  const a = await createFunction(env, { FunctionName: "a" });
  const b = await createFunction(env, { FunctionName: "b" });
  const before = await env.lambda.send(new GetAccountSettingsCommand({}));
  assert.deepEqual(before.AccountLimit, {
    TotalCodeSize: 80530636800,
    CodeSizeUnzipped: 262144000,
    CodeSizeZipped: 52428800,
    ConcurrentExecutions: 1000,
    UnreservedConcurrentExecutions: 1000,
  });
  assert.deepEqual(before.AccountUsage, { TotalCodeSize: a.CodeSize! + b.CodeSize!, FunctionCount: 2 });

  assert.deepEqual((await env.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "a" }))).ReservedConcurrentExecutions, undefined);
  const put = await env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "a", ReservedConcurrentExecutions: 850 }));
  assert.equal(put.ReservedConcurrentExecutions, 850);
  assert.equal((await env.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "a" }))).ReservedConcurrentExecutions, 850);
  // Changing a's own reservation does not count its old one; b cannot take more than leaves 100.
  await env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "a", ReservedConcurrentExecutions: 900 }));
  await rejects(
    env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "b", ReservedConcurrentExecutions: 1 })),
    "InvalidParameterValueException",
    400,
    "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
  );
  assert.equal((await env.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit!.UnreservedConcurrentExecutions, 100);
  await rejects(
    env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "a:1", ReservedConcurrentExecutions: 1 })),
    "InvalidParameterValueException",
    400,
    /Aliases and versions do not support this operation/,
  );
  await rejects(env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "c", ReservedConcurrentExecutions: 1 })), "ResourceNotFoundException", 404);
  await rejects(env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "a", ReservedConcurrentExecutions: -1 })), "ValidationException", 400);

  // Zero reserved: the function is throttled, as on AWS.
  await env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "b", ReservedConcurrentExecutions: 0 }));
  await rejects(env.lambda.send(new InvokeCommand({ FunctionName: "b" })), "TooManyRequestsException", 429);
  const del = await env.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "b" }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  assert.equal((await env.lambda.send(new InvokeCommand({ FunctionName: "b" }))).StatusCode, 200);
  assert.equal((await env.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit!.UnreservedConcurrentExecutions, 100);
});

test("provisioned concurrency configurations on versions and aliases", async () => {
  const env = await lambdaEnv(server);
  const fn = await createFunction(env, { FunctionName: "pc" });
  await env.lambda.send(new PublishVersionCommand({ FunctionName: "pc" }));
  await env.lambda.send(new CreateAliasCommand({ FunctionName: "pc", Name: "live", FunctionVersion: "1" }));
  await rejects(
    env.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "$LATEST", ProvisionedConcurrentExecutions: 1 })),
    "InvalidParameterValueException",
    400,
    "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
  );
  await rejects(
    env.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "live" })),
    "ProvisionedConcurrencyConfigNotFoundException",
    404,
  );
  await rejects(
    env.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "9", ProvisionedConcurrentExecutions: 1 })),
    "ResourceNotFoundException",
    404,
  );
  const put = await env.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "live", ProvisionedConcurrentExecutions: 2 }));
  assert.equal(put.$metadata.httpStatusCode, 202);
  assert.equal(put.Status, "IN_PROGRESS");
  assert.equal(put.RequestedProvisionedConcurrentExecutions, 2);
  const got = await env.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "live" }));
  assert.equal(got.Status, "READY");
  assert.equal(got.AllocatedProvisionedConcurrentExecutions, 2);
  await rejects(
    env.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "1", ProvisionedConcurrentExecutions: 1 })),
    "ResourceConflictException",
    409,
  );
  const list = await env.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "pc" }));
  assert.deepEqual(
    list.ProvisionedConcurrencyConfigs!.map((c) => c.FunctionArn),
    [`${fn.FunctionArn}:live`],
  );
  await env.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "live" }));
  await rejects(
    env.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "live" })),
    "ProvisionedConcurrencyConfigNotFoundException",
    404,
  );
});

test("event invoke configs: Put replaces, Update merges, Get/List/Delete, destinations checked; invokeConfigFor reads them", async () => {
  const env = await lambdaEnv(server);
  const fn = await createFunction(env, { FunctionName: "ev" });
  await env.lambda.send(new PublishVersionCommand({ FunctionName: "ev" }));
  const queue = `arn:aws:sqs:us-east-1:${env.account}:dlq`;
  const topic = `arn:aws:sns:us-east-1:${env.account}:done`;

  const put = await env.lambda.send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: "ev", MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: queue } } }),
  );
  assert.equal(put.FunctionArn, `${fn.FunctionArn}:$LATEST`);
  assert.equal(put.MaximumRetryAttempts, 1);
  assert.equal(put.MaximumEventAgeInSeconds, undefined);
  assert.deepEqual(put.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: queue } });
  assert.ok(put.LastModified instanceof Date && Math.abs(put.LastModified.getTime() - Date.now()) < 60_000);

  const upd = await env.lambda.send(
    new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "ev", MaximumEventAgeInSeconds: 120, DestinationConfig: { OnSuccess: { Destination: topic } } }),
  );
  assert.equal(upd.MaximumRetryAttempts, 1);
  assert.equal(upd.MaximumEventAgeInSeconds, 120);
  assert.deepEqual(upd.DestinationConfig, { OnSuccess: { Destination: topic }, OnFailure: { Destination: queue } });
  // Put replaces everything.
  const replaced = await env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ev", MaximumEventAgeInSeconds: 60 }));
  assert.equal(replaced.MaximumRetryAttempts, undefined);
  assert.deepEqual(replaced.DestinationConfig, { OnSuccess: {}, OnFailure: {} });

  await env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ev", Qualifier: "1", MaximumRetryAttempts: 0 }));
  const got = await env.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "ev", Qualifier: "1" }));
  assert.equal(got.FunctionArn, `${fn.FunctionArn}:1`);
  assert.equal(got.MaximumRetryAttempts, 0);
  const list = await env.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "ev" }));
  assert.deepEqual(list.FunctionEventInvokeConfigs!.map((c) => c.FunctionArn).sort(), [`${fn.FunctionArn}:$LATEST`, `${fn.FunctionArn}:1`].sort());

  const ctx = server.runtime.context("lambda", "Invoke", server.runtime.rootIdentity(env.account, "us-east-1"));
  assert.equal(invokeConfigFor(ctx, "ev", undefined)?.MaximumEventAgeInSeconds, 60);
  assert.equal(invokeConfigFor(ctx, "ev", "1")?.MaximumRetryAttempts, 0);
  assert.equal(invokeConfigFor(ctx, "ev", "2"), undefined);

  await rejects(env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ev", MaximumRetryAttempts: 3 })), "ValidationException", 400);
  await rejects(env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ev", MaximumEventAgeInSeconds: 59 })), "ValidationException", 400);
  await rejects(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ev" })),
    "InvalidParameterValueException",
    400,
    "You must specify at least one of error handling or destination setting.",
  );
  await rejects(
    env.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "ev",
        DestinationConfig: { OnFailure: { Destination: `arn:aws:dynamodb:us-east-1:${env.account}:table/t` } },
      }),
    ),
    "InvalidParameterValueException",
    400,
    `The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=arn:aws:dynamodb:us-east-1:${env.account}:table/t)) is invalid.`,
  );
  await rejects(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ev", DestinationConfig: { OnSuccess: { Destination: fn.FunctionArn } } })),
    "InvalidParameterValueException",
    400,
    "You can't specify the function as a destination for itself.",
  );
  await rejects(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ev", Qualifier: "7", MaximumRetryAttempts: 0 })),
    "ResourceNotFoundException",
    404,
    "The function doesn't exist.",
  );
  await rejects(env.lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "ev", Qualifier: "1" })), "InvalidParameterValueException", 400);

  const del = await env.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "ev", Qualifier: "1" }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejects(
    env.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "ev", Qualifier: "1" })),
    "ResourceNotFoundException",
    404,
    `The function ${fn.FunctionArn}:1 doesn't have an EventInvokeConfig`,
  );
  await rejects(env.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "ev", Qualifier: "1" })), "ResourceNotFoundException", 404);
  await rejects(
    env.lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "ev", Qualifier: "1", MaximumRetryAttempts: 1 })),
    "ResourceNotFoundException",
    404,
  );
});
