// Secrets Manager's refusals as AWS words them: tagging a secret scheduled for deletion, and a SecretId no secret
// name could be, refused by its syntax on every operation before any lookup.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SecretsManagerClient,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  ValidateResourcePolicyCommand,
} from "@aws-sdk/client-secrets-manager";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

test("TagResource and UntagResource on a secret scheduled for deletion are InvalidRequestException", async () => {
  const sm = server.client(SecretsManagerClient, { account: randomAccount() });
  await sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "x", Tags: [{ Key: "team", Value: "core" }] }));
  await sm.send(new DeleteSecretCommand({ SecretId: "gone", RecoveryWindowInDays: 7 }));
  const message = "You can't perform this operation on the secret because it was marked for deletion.";
  await rejects(sm.send(new TagResourceCommand({ SecretId: "gone", Tags: [{ Key: "k", Value: "v" }] })), "InvalidRequestException", 400, message);
  await rejects(sm.send(new UntagResourceCommand({ SecretId: "gone", TagKeys: ["team"] })), "InvalidRequestException", 400, message);
  await sm.send(new RestoreSecretCommand({ SecretId: "gone" }));
  assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: "gone" }))).Tags, [{ Key: "team", Value: "core" }]);
  await sm.send(new UntagResourceCommand({ SecretId: "gone", TagKeys: ["team"] }));
  assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: "gone" }))).Tags ?? [], []);
});

test("a SecretId with characters no name may hold is ValidationException on every operation, before any lookup", async () => {
  const sm = server.client(SecretsManagerClient, { account: randomAccount() });
  const message = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!";
  for (const SecretId of ["Inv Name", " Inv*Name? "]) {
    await rejects(sm.send(new CreateSecretCommand({ Name: SecretId, SecretString: "x" })), "ValidationException", 400, message);
    await rejects(sm.send(new DeleteSecretCommand({ SecretId, ForceDeleteWithoutRecovery: true })), "ValidationException", 400, message);
    await rejects(sm.send(new DescribeSecretCommand({ SecretId })), "ValidationException", 400, message);
    await rejects(sm.send(new GetSecretValueCommand({ SecretId })), "ValidationException", 400, message);
    await rejects(sm.send(new ListSecretVersionIdsCommand({ SecretId, IncludeDeprecated: true })), "ValidationException", 400, message);
    await rejects(sm.send(new PutSecretValueCommand({ SecretId, SecretString: "x" })), "ValidationException", 400, message);
    await rejects(sm.send(new TagResourceCommand({ SecretId, Tags: [{ Key: "k", Value: "v" }] })), "ValidationException", 400, message);
    await rejects(sm.send(new UntagResourceCommand({ SecretId, TagKeys: ["k"] })), "ValidationException", 400, message);
    await rejects(sm.send(new UpdateSecretCommand({ SecretId, Description: "d" })), "ValidationException", 400, message);
    await rejects(sm.send(new ValidateResourcePolicyCommand({ SecretId, ResourcePolicy: "{}" })), "ValidationException", 400, message);
  }
  // A name that could exist but does not is still not found; an ARN is left to the lookup.
  await rejects(
    sm.send(new DescribeSecretCommand({ SecretId: "no-such" })),
    "ResourceNotFoundException",
    400,
    "Secrets Manager can't find the specified secret.",
  );
  await rejects(sm.send(new DescribeSecretCommand({ SecretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x y" })), "ResourceNotFoundException", 400);
});

test("boto3 sees the same ValidationException", { skip: pythonMissing() }, async () => {
  const account = randomAccount();
  const script = `
import boto3, json
from botocore.exceptions import ClientError
sm = boto3.client("secretsmanager", endpoint_url="${server.url}", region_name="us-east-1", aws_access_key_id="${account}", aws_secret_access_key="test")
try:
    sm.get_secret_value(SecretId="Inv Name")
    print(json.dumps(None))
except ClientError as e:
    print(json.dumps([e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]))
`;
  const { stdout } = await run("python3", ["-c", script]);
  assert.deepEqual(JSON.parse(stdout), [
    "ValidationException",
    "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
    400,
  ]);
});
