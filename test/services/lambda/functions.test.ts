// Functions through the real SDK v3 client: create (Pending → Active), get, list with paging, update code and
// configuration (InProgress → Successful, new code runs), revision checks, delete.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { createHash } from "node:crypto";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { createFunction, json, lambdaEnv, zip } from "./setup.js";

const server = useServer();

test("CreateFunction answers Pending; the waiter then sees Active at once", async () => {
  const env = await lambdaEnv(server);
  const code = zip({ "index.mjs": "export const handler = async () => 'v1';" });
  const created = await env.lambda.send(
    new CreateFunctionCommand({
      FunctionName: "f1",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: env.role,
      Code: { ZipFile: code },
      Description: "first",
      Timeout: 5,
      MemorySize: 256,
      Environment: { Variables: { AB: "1" } },
      Tags: { team: "x" },
    }),
  );
  assert.equal(created.$metadata.httpStatusCode, 201);
  assert.equal(created.State, "Pending");
  assert.equal(created.StateReasonCode, "Creating");
  assert.equal(created.FunctionArn, `arn:aws:lambda:us-east-1:${env.account}:function:f1`);
  assert.equal(created.CodeSha256, createHash("sha256").update(code).digest("base64"));
  assert.equal(created.CodeSize, code.length);
  assert.equal(created.Version, "$LATEST");
  assert.equal(created.PackageType, "Zip");
  assert.deepEqual(created.Architectures, ["x86_64"]);
  assert.deepEqual(created.EphemeralStorage, { Size: 512 });
  assert.deepEqual(created.LoggingConfig, { LogFormat: "Text", LogGroup: "/aws/lambda/f1" });
  assert.match(created.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  // The waiter polls GetFunction: once, since the function is Active by the time CreateFunction answers (a
  // second poll would mean waiting out the waiter's delay of seconds). Counted, not timed.
  let polls = 0;
  env.lambda.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "GetFunctionCommand") polls++;
      return next(args);
    },
    { step: "initialize", name: "countPolls" },
  );
  await waitUntilFunctionActiveV2({ client: env.lambda, maxWaitTime: 30 }, { FunctionName: "f1" });
  env.lambda.middlewareStack.remove("countPolls");
  assert.equal(polls, 1, "Active on the first poll");
  const got = await env.lambda.send(new GetFunctionCommand({ FunctionName: "f1" }));
  assert.equal(got.Configuration!.State, "Active");
  assert.equal(got.Configuration!.LastUpdateStatus, "Successful");
  assert.equal(got.Configuration!.Description, "first");
  assert.deepEqual(got.Configuration!.Environment, { Variables: { AB: "1" } });
  assert.deepEqual(got.Tags, { team: "x" });
  assert.equal(got.Code!.RepositoryType, "S3");
  assert.match(got.Code!.Location!, /^http:\/\/.+\/_stratus\/lambda\/code\//);
  // Name, partial ARN and full ARN all name it.
  for (const name of ["f1", `${env.account}:function:f1`, created.FunctionArn!]) {
    assert.equal((await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).FunctionName, "f1");
  }
  await rejects(
    env.lambda.send(new GetFunctionCommand({ FunctionName: "missing" })),
    "ResourceNotFoundException",
    404,
    `Function not found: arn:aws:lambda:us-east-1:${env.account}:function:missing`,
  );
});

test("UpdateFunctionCode and UpdateFunctionConfiguration: InProgress answered, Successful after, new code and settings run", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "u", code: { "index.mjs": "export const handler = async () => ({ v: 1, env: process.env.MODE ?? null });" } });
  assert.deepEqual(json((await env.lambda.send(new InvokeCommand({ FunctionName: "u" }))).Payload), { v: 1, env: null });

  const upd = await env.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: "u",
      ZipFile: zip({ "index.mjs": "export const handler = async () => ({ v: 2, env: process.env.MODE ?? null });" }),
    }),
  );
  assert.equal(upd.LastUpdateStatus, "InProgress");
  await waitUntilFunctionUpdatedV2({ client: env.lambda, maxWaitTime: 30 }, { FunctionName: "u" });
  assert.deepEqual(json((await env.lambda.send(new InvokeCommand({ FunctionName: "u" }))).Payload), { v: 2, env: null });

  const cfg = await env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "u", Environment: { Variables: { MODE: "prod" } }, Timeout: 10 }));
  assert.equal(cfg.LastUpdateStatus, "InProgress");
  assert.equal(cfg.Timeout, 10);
  await waitUntilFunctionUpdatedV2({ client: env.lambda, maxWaitTime: 30 }, { FunctionName: "u" });
  assert.deepEqual(json((await env.lambda.send(new InvokeCommand({ FunctionName: "u" }))).Payload), { v: 2, env: "prod" });

  const current = await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "u" }));
  await rejects(
    env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "u", Description: "x", RevisionId: "stale" })),
    "PreconditionFailedException",
    412,
  );
  const ok = await env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "u", Description: "x", RevisionId: current.RevisionId }));
  assert.notEqual(ok.RevisionId, current.RevisionId);
  // DryRun checks the code and changes nothing.
  const dry = await env.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "u", ZipFile: zip({ "index.mjs": "x" }), DryRun: true }));
  assert.notEqual(dry.CodeSha256, ok.CodeSha256);
  assert.equal((await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "u" }))).CodeSha256, ok.CodeSha256);
  await rejects(
    env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "u", Timeout: 901 })),
    "ValidationException",
    400,
    "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900",
  );
  await rejects(env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "u", MemorySize: 64 })), "ValidationException", 400);
});

test("ListFunctions pages with Marker/MaxItems; DeleteFunction removes the function and its code", async () => {
  const env = await lambdaEnv(server);
  for (const n of ["a", "b", "c", "d", "e"]) await createFunction(env, { FunctionName: `list-${n}` });
  const names: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const page = await env.lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
    names.push(...page.Functions!.map((f) => f.FunctionName!));
    marker = page.NextMarker;
    pages++;
  } while (marker);
  assert.deepEqual(names, ["list-a", "list-b", "list-c", "list-d", "list-e"]);
  assert.equal(pages, 3);
  const del = await env.lambda.send(new DeleteFunctionCommand({ FunctionName: "list-c" }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejects(env.lambda.send(new DeleteFunctionCommand({ FunctionName: "list-c" })), "ResourceNotFoundException", 404);
  await rejects(env.lambda.send(new InvokeCommand({ FunctionName: "list-c" })), "ResourceNotFoundException", 404);
  assert.equal((await env.lambda.send(new ListFunctionsCommand({}))).Functions!.length, 4);
  await rejects(env.lambda.send(new DeleteFunctionCommand({ FunctionName: "list-a", Qualifier: "$LATEST" })), "InvalidParameterValueException", 400);
});

test("code from S3: S3Bucket/S3Key, and AWS's error for a missing object", async () => {
  const env = await lambdaEnv(server);
  const { S3Client, CreateBucketCommand, PutObjectCommand } = await import("@aws-sdk/client-s3");
  const s3 = server.client(S3Client, { account: env.account }, { forcePathStyle: true });
  const bucket = `code-${env.account}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "fn.zip", Body: zip({ "index.mjs": "export const handler = async () => 'from s3';" }) }));
  await env.lambda.send(
    new CreateFunctionCommand({
      FunctionName: "s3fn",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: env.role,
      Code: { S3Bucket: bucket, S3Key: "fn.zip" },
    }),
  );
  assert.equal(json((await env.lambda.send(new InvokeCommand({ FunctionName: "s3fn" }))).Payload), "from s3");
  await rejects(
    env.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "s3missing",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: env.role,
        Code: { S3Bucket: bucket, S3Key: "nope.zip" },
      }),
    ),
    "InvalidParameterValueException",
    400,
    /S3 Error Code: NoSuchKey/,
  );
});
