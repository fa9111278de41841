// Resource policies (AddPermission, RemovePermission, GetPolicy on functions, versions and aliases), their
// evaluation for triggers (allowsInvoke), and tags (TagResource, UntagResource, ListTags) through the real SDK v3.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  ListTagsCommand,
  PublishVersionCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { allowsInvoke } from "../../../src/services/lambda/permissions.js";
import { createFunction, lambdaEnv } from "./setup.js";

const server = useServer();

test("AddPermission writes AWS's statements; GetPolicy answers the policy document with the function's RevisionId", async () => {
  const env = await lambdaEnv(server);
  const fn = await createFunction(env, { FunctionName: "pol" });
  const arn = fn.FunctionArn!;
  await rejects(env.lambda.send(new GetPolicyCommand({ FunctionName: "pol" })), "ResourceNotFoundException", 404, "The resource you requested does not exist.");

  const s3 = await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "pol",
      StatementId: "s3",
      Action: "lambda:InvokeFunction",
      Principal: "s3.amazonaws.com",
      SourceArn: "arn:aws:s3:::my-bucket",
      SourceAccount: env.account,
    }),
  );
  assert.equal(s3.$metadata.httpStatusCode, 201);
  assert.deepEqual(JSON.parse(s3.Statement!), {
    Sid: "s3",
    Effect: "Allow",
    Principal: { Service: "s3.amazonaws.com" },
    Action: "lambda:InvokeFunction",
    Resource: arn,
    Condition: { StringEquals: { "AWS:SourceAccount": env.account }, ArnLike: { "AWS:SourceArn": "arn:aws:s3:::my-bucket" } },
  });
  await env.lambda.send(new AddPermissionCommand({ FunctionName: "pol", StatementId: "acct", Action: "lambda:GetFunction", Principal: "111122223333" }));
  await env.lambda.send(
    new AddPermissionCommand({ FunctionName: arn, StatementId: "role", Action: "lambda:*", Principal: "arn:aws:iam::111122223333:role/caller" }),
  );
  await env.lambda.send(
    new AddPermissionCommand({ FunctionName: "pol", StatementId: "url", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }),
  );
  await env.lambda.send(
    new AddPermissionCommand({ FunctionName: "pol", StatementId: "org", Action: "lambda:InvokeFunction", Principal: "*", PrincipalOrgID: "o-abcdefghij" }),
  );

  await rejects(
    env.lambda.send(new AddPermissionCommand({ FunctionName: "pol", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com" })),
    "ResourceConflictException",
    409,
    "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.",
  );
  await rejects(
    env.lambda.send(new AddPermissionCommand({ FunctionName: "pol", StatementId: "bad", Action: "InvokeFunction", Principal: "s3.amazonaws.com" })),
    "ValidationException",
    400,
  );
  await rejects(
    env.lambda.send(new AddPermissionCommand({ FunctionName: "nope", StatementId: "x", Action: "lambda:InvokeFunction", Principal: "*" })),
    "ResourceNotFoundException",
    404,
  );
  await rejects(
    env.lambda.send(new AddPermissionCommand({ FunctionName: "pol", StatementId: "x", Action: "lambda:InvokeFunction", Principal: "*", RevisionId: "stale" })),
    "PreconditionFailedException",
    412,
  );

  const got = await env.lambda.send(new GetPolicyCommand({ FunctionName: "pol" }));
  const doc = JSON.parse(got.Policy!);
  assert.equal(doc.Version, "2012-10-17");
  assert.equal(doc.Id, "default");
  assert.deepEqual(
    doc.Statement.map((s: { Sid: string }) => s.Sid),
    ["s3", "acct", "role", "url", "org"],
  );
  assert.deepEqual(doc.Statement[1].Principal, { AWS: "arn:aws:iam::111122223333:root" });
  assert.deepEqual(doc.Statement[2].Principal, { AWS: "arn:aws:iam::111122223333:role/caller" });
  assert.equal(doc.Statement[3].Principal, "*");
  assert.deepEqual(doc.Statement[3].Condition, { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } });
  assert.deepEqual(doc.Statement[4].Condition, { StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" } });
  // The policy's revision is the function's: it changed with each statement.
  const cfg = await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "pol" }));
  assert.equal(got.RevisionId, cfg.RevisionId);
  assert.notEqual(cfg.RevisionId, fn.RevisionId);

  // RemovePermission, with the current RevisionId; the policy goes with its last statement.
  await rejects(
    env.lambda.send(new RemovePermissionCommand({ FunctionName: "pol", StatementId: "ghost" })),
    "ResourceNotFoundException",
    404,
    "Statement ghost is not found in resource policy.",
  );
  await rejects(
    env.lambda.send(new RemovePermissionCommand({ FunctionName: "pol", StatementId: "s3", RevisionId: "stale" })),
    "PreconditionFailedException",
    412,
  );
  const rm = await env.lambda.send(new RemovePermissionCommand({ FunctionName: "pol", StatementId: "s3", RevisionId: got.RevisionId }));
  assert.equal(rm.$metadata.httpStatusCode, 204);
  for (const sid of ["acct", "role", "url", "org"]) await env.lambda.send(new RemovePermissionCommand({ FunctionName: "pol", StatementId: sid }));
  await rejects(env.lambda.send(new GetPolicyCommand({ FunctionName: "pol" })), "ResourceNotFoundException", 404);
  await rejects(
    env.lambda.send(new RemovePermissionCommand({ FunctionName: "pol", StatementId: "s3" })),
    "ResourceNotFoundException",
    404,
    "No policy is associated with the given resource.",
  );
});

test("policies of versions and aliases are their own, under the qualified ARN", async () => {
  const env = await lambdaEnv(server);
  const fn = await createFunction(env, { FunctionName: "q" });
  await env.lambda.send(new PublishVersionCommand({ FunctionName: "q" }));
  const alias = await env.lambda.send(new CreateAliasCommand({ FunctionName: "q", Name: "live", FunctionVersion: "1" }));
  const add = (Qualifier: string | undefined, StatementId: string) =>
    env.lambda.send(new AddPermissionCommand({ FunctionName: "q", Qualifier, StatementId, Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com" }));
  assert.equal(JSON.parse((await add("live", "same")).Statement!).Resource, `${fn.FunctionArn}:live`);
  assert.equal(JSON.parse((await add("1", "same")).Statement!).Resource, `${fn.FunctionArn}:1`);
  // The same Sid is fine on another qualifier; the unqualified function has none yet.
  await rejects(env.lambda.send(new GetPolicyCommand({ FunctionName: "q" })), "ResourceNotFoundException", 404);
  const onAlias = await env.lambda.send(new GetPolicyCommand({ FunctionName: "q:live" }));
  assert.deepEqual(
    JSON.parse(onAlias.Policy!).Statement.map((s: { Resource: string }) => s.Resource),
    [`${fn.FunctionArn}:live`],
  );
  const aliasNow = (await env.lambda.send(new GetFunctionCommand({ FunctionName: "q", Qualifier: "live" }))).Configuration!;
  assert.equal(aliasNow.Version, "1");
  assert.notEqual(onAlias.RevisionId, alias.RevisionId);

  await rejects(add("nope", "x"), "ResourceNotFoundException", 404, `Cannot find alias arn: ${fn.FunctionArn}:nope`);
  await rejects(add("7", "x"), "ResourceNotFoundException", 404, `Function not found: ${fn.FunctionArn}:7`);
});

test("allowsInvoke evaluates the stored statements: principal, action, SourceArn and SourceAccount conditions", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "trig" });
  await env.lambda.send(new PublishVersionCommand({ FunctionName: "trig" }));
  await env.lambda.send(new CreateAliasCommand({ FunctionName: "trig", Name: "live", FunctionVersion: "1" }));
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "trig",
      StatementId: "s3",
      Action: "lambda:InvokeFunction",
      Principal: "s3.amazonaws.com",
      SourceArn: "arn:aws:s3:::bucket-*",
      SourceAccount: env.account,
    }),
  );
  await env.lambda.send(new AddPermissionCommand({ FunctionName: "trig", StatementId: "sns", Action: "lambda:*", Principal: "sns.amazonaws.com" }));
  await env.lambda.send(
    new AddPermissionCommand({ FunctionName: "trig", StatementId: "get", Action: "lambda:GetFunction", Principal: "events.amazonaws.com" }),
  );
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "trig",
      Qualifier: "live",
      StatementId: "ev",
      Action: "lambda:InvokeFunction",
      Principal: "events.amazonaws.com",
    }),
  );

  const ctx = server.runtime.context("lambda", "Invoke", server.runtime.rootIdentity(env.account, "us-east-1"));
  assert.equal(allowsInvoke(ctx, "trig", undefined, "s3.amazonaws.com", "arn:aws:s3:::bucket-one", env.account), true);
  assert.equal(allowsInvoke(ctx, "trig", "$LATEST", "s3.amazonaws.com", "arn:aws:s3:::bucket-one", env.account), true);
  assert.equal(allowsInvoke(ctx, "trig", undefined, "s3.amazonaws.com", "arn:aws:s3:::other", env.account), false);
  assert.equal(allowsInvoke(ctx, "trig", undefined, "s3.amazonaws.com", "arn:aws:s3:::bucket-one", "999999999999"), false);
  assert.equal(allowsInvoke(ctx, "trig", undefined, "s3.amazonaws.com"), false);
  assert.equal(allowsInvoke(ctx, "trig", undefined, "sns.amazonaws.com", "arn:aws:sns:us-east-1:1:t"), true);
  // Only lambda:GetFunction on the function; the InvokeFunction grant is on the alias.
  assert.equal(allowsInvoke(ctx, "trig", undefined, "events.amazonaws.com"), false);
  assert.equal(allowsInvoke(ctx, "trig", "live", "events.amazonaws.com"), true);
  assert.equal(allowsInvoke(ctx, "trig:live", undefined, "events.amazonaws.com"), true);
  assert.equal(allowsInvoke(ctx, "missing", undefined, "sns.amazonaws.com"), false);
});

test("tags: TagResource merges, UntagResource removes, ListTags answers; CreateFunction's tags are there", async () => {
  const env = await lambdaEnv(server);
  const fn = await createFunction(env, { FunctionName: "tagged", Tags: { team: "a" } });
  const arn = fn.FunctionArn!;
  assert.deepEqual((await env.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { team: "a" });
  const tagged = await env.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { env: "prod", team: "b" } }));
  assert.equal(tagged.$metadata.httpStatusCode, 204);
  assert.deepEqual((await env.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { team: "b", env: "prod" });
  await env.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["team", "absent"] }));
  assert.deepEqual((await env.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { env: "prod" });
  assert.deepEqual((await env.lambda.send(new GetFunctionCommand({ FunctionName: "tagged" }))).Tags, { env: "prod" });

  const missing = arn.replace(":tagged", ":ghost");
  await rejects(env.lambda.send(new ListTagsCommand({ Resource: missing })), "ResourceNotFoundException", 404, `Function not found: ${missing}`);
  await rejects(env.lambda.send(new TagResourceCommand({ Resource: missing, Tags: { a: "b" } })), "ResourceNotFoundException", 404);
  await rejects(
    env.lambda.send(new TagResourceCommand({ Resource: `${arn}:1`, Tags: { a: "b" } })),
    "InvalidParameterValueException",
    400,
    /aliases and versions are not supported/,
  );
  await rejects(env.lambda.send(new ListTagsCommand({ Resource: "tagged" })), "ValidationException", 400);
});
