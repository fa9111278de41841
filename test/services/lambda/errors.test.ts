// Lambda's answers as AWS gives them: success status codes from the model, function ARNs of another region,
// malformed function names refused by their syntax before anything is looked up, AddPermission on $LATEST.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { createFunction, lambdaEnv, zip } from "./setup.js";

const server = useServer();

// What the botocore model says each operation answers (http.responseCode), read independently of the codec.
const model = JSON.parse(readFileSync(new URL("../../../models/lambda.json", import.meta.url), "utf8")) as {
  operations: Record<string, { http: { responseCode?: number } }>;
};
const modelStatus = (op: string) => model.operations[op].http.responseCode ?? 200;

test("every operation answers the success status its model declares (201, 202, 204 as AWS)", async () => {
  const env = await lambdaEnv(server);
  const created = await createFunction(env, { FunctionName: "codes" });
  assert.equal(created.$metadata.httpStatusCode, modelStatus("CreateFunction"));
  const arn = created.FunctionArn!;
  const calls: [string, () => Promise<{ $metadata: { httpStatusCode?: number } }>][] = [
    ["PublishVersion", () => env.lambda.send(new PublishVersionCommand({ FunctionName: "codes" }))],
    ["CreateAlias", () => env.lambda.send(new CreateAliasCommand({ FunctionName: "codes", Name: "live", FunctionVersion: "1" }))],
    [
      "AddPermission",
      () =>
        env.lambda.send(new AddPermissionCommand({ FunctionName: "codes", StatementId: "s", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" })),
    ],
    ["RemovePermission", () => env.lambda.send(new RemovePermissionCommand({ FunctionName: "codes", StatementId: "s" }))],
    ["TagResource", () => env.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { team: "core" } }))],
    ["UntagResource", () => env.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["team"] }))],
    ["PutFunctionConcurrency", () => env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "codes", ReservedConcurrentExecutions: 2 }))],
    ["DeleteFunctionConcurrency", () => env.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "codes" }))],
    ["PutFunctionEventInvokeConfig", () => env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "codes", MaximumRetryAttempts: 1 }))],
    ["DeleteFunctionEventInvokeConfig", () => env.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "codes" }))],
    ["UpdateFunctionConfiguration", () => env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "codes", Description: "d" }))],
    ["DeleteAlias", () => env.lambda.send(new DeleteAliasCommand({ FunctionName: "codes", Name: "live" }))],
  ];
  for (const [op, call] of calls) {
    const out = await call();
    assert.equal(out.$metadata.httpStatusCode, modelStatus(op), op);
  }
  assert.deepEqual(
    calls.map(([op]) => modelStatus(op)),
    [201, 201, 201, 204, 204, 204, 200, 204, 200, 204, 200, 204],
  );
  // DryRun answers 204 (Invoke's StatusCode member is the HTTP status); DeleteFunction 204 the same way.
  const dry = await env.lambda.send(new InvokeCommand({ FunctionName: "codes", InvocationType: "DryRun" }));
  assert.equal(dry.$metadata.httpStatusCode, 204);
  const del = await env.lambda.send(new DeleteFunctionCommand({ FunctionName: "codes" }));
  assert.equal(del.$metadata.httpStatusCode, 204);
});

test("a function ARN of another region is not reachable from this one (ResourceNotFoundException, 404)", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "here" });
  const elsewhere = `arn:aws:lambda:eu-central-1:${env.account}:function:here`;
  const message = "Functions from 'eu-central-1' are not reachable in this region ('us-east-1')";
  await rejects(env.lambda.send(new GetFunctionCommand({ FunctionName: elsewhere })), "ResourceNotFoundException", 404, message);
  await rejects(env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: elsewhere })), "ResourceNotFoundException", 404, message);
  await rejects(env.lambda.send(new InvokeCommand({ FunctionName: elsewhere })), "ResourceNotFoundException", 404, message);
  await rejects(env.lambda.send(new DeleteFunctionCommand({ FunctionName: elsewhere })), "ResourceNotFoundException", 404, message);
  await rejects(
    env.lambda.send(
      new CreateFunctionCommand({
        FunctionName: `arn:aws:lambda:ap-southeast-1:${env.account}:function:new`,
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: env.role,
        Code: { ZipFile: zip({ "index.mjs": "export const handler = async () => 1;" }) },
      }),
    ),
    "ResourceNotFoundException",
    404,
    "Functions from 'ap-southeast-1' are not reachable in this region ('us-east-1')",
  );
  // The function itself is untouched.
  assert.equal((await env.lambda.send(new GetFunctionCommand({ FunctionName: "here" }))).Configuration!.FunctionName, "here");
});

test("a malformed function name or ARN gets the model's syntax error, before any lookup", async () => {
  const env = await lambdaEnv(server);
  // No function of that name exists: the syntax error comes first all the same.
  const bad = "arn:aws:lambda:us-east-1:123:function:x";
  await rejects(
    env.lambda.send(new GetFunctionCommand({ FunctionName: bad })),
    "ValidationException",
    400,
    `1 validation error detected: Value '${bad}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${
      (JSON.parse(readFileSync(new URL("../../../models/lambda.json", import.meta.url), "utf8")) as { shapes: Record<string, { pattern: string }> }).shapes
        .NamespacedFunctionName.pattern
    }`,
  );
  // A dotted name fits GetFunction's NamespacedFunctionName: looked up, not found (not a syntax error).
  await rejects(
    env.lambda.send(new GetFunctionCommand({ FunctionName: "my.fn" })),
    "ResourceNotFoundException",
    404,
    /^Function not found: .*:function:my\.fn$/,
  );
  await rejects(
    env.lambda.send(new AddPermissionCommand({ FunctionName: "invalid:function:name", StatementId: "s", Action: "lambda:InvokeFunction", Principal: "*" })),
    "ValidationException",
    400,
    /^1 validation error detected: Value 'invalid:function:name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: /,
  );
});

test("AddPermission refuses $LATEST, in FunctionName or Qualifier, before looking the function up", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "pol" });
  const message = "We currently do not support adding policies for $LATEST.";
  const add = (FunctionName: string, Qualifier?: string) =>
    env.lambda.send(new AddPermissionCommand({ FunctionName, Qualifier, StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" }));
  await rejects(add("pol:$LATEST", "$LATEST"), "InvalidParameterValueException", 400, message);
  await rejects(add("pol", "$LATEST"), "InvalidParameterValueException", 400, message);
  await rejects(add("pol:$LATEST"), "InvalidParameterValueException", 400, message);
  await rejects(add("missing", "$LATEST"), "InvalidParameterValueException", 400, message);
  // The unqualified function takes the statement.
  assert.equal((await add("pol")).$metadata.httpStatusCode, 201);
});

test("boto3 sees the cross-region and $LATEST refusals as AWS answers them", { skip: pythonMissing() }, async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "py" });
  const script = `
import boto3, json
from botocore.exceptions import ClientError
lam = boto3.client("lambda", endpoint_url="${server.url}", region_name="us-east-1", aws_access_key_id="${env.account}", aws_secret_access_key="test")
out = {}
def grab(name, fn):
    try:
        fn()
        out[name] = None
    except ClientError as e:
        out[name] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
grab("region", lambda: lam.get_function(FunctionName="arn:aws:lambda:eu-central-1:${env.account}:function:py"))
grab("latest", lambda: lam.add_permission(FunctionName="py", Qualifier="$LATEST", StatementId="s", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"))
print(json.dumps(out))
`;
  const { stdout } = await run("python3", ["-c", script]);
  assert.deepEqual(JSON.parse(stdout), {
    region: ["ResourceNotFoundException", "Functions from 'eu-central-1' are not reachable in this region ('us-east-1')", 404],
    latest: ["InvalidParameterValueException", "We currently do not support adding policies for $LATEST.", 400],
  });
});
