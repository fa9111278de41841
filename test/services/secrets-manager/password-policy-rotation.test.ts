// GetRandomPassword's character classes, resource policies, and rotation configuration through the real SDK.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SecretsManagerClient,
  CreateSecretCommand,
  GetRandomPasswordCommand,
  PutResourcePolicyCommand,
  GetResourcePolicyCommand,
  DeleteResourcePolicyCommand,
  ValidateResourcePolicyCommand,
  RotateSecretCommand,
  CancelRotateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
} from "@aws-sdk/client-secrets-manager";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const client = () => server.client(SecretsManagerClient);
const PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

test("GetRandomPassword: default 32 characters with every class", async () => {
  const sm = client();
  for (let i = 0; i < 20; i++) {
    const { RandomPassword: p } = await sm.send(new GetRandomPasswordCommand({}));
    assert.equal(p!.length, 32);
    assert.match(p!, /[A-Z]/);
    assert.match(p!, /[a-z]/);
    assert.match(p!, /[0-9]/);
    assert.match(p!, PUNCT);
    assert.doesNotMatch(p!, / /);
  }
  // Even at the minimum length each class appears exactly once.
  for (let i = 0; i < 20; i++) {
    const { RandomPassword: p } = await sm.send(new GetRandomPasswordCommand({ PasswordLength: 4 }));
    assert.equal(p!.length, 4);
    assert.match(p!, /[A-Z]/);
    assert.match(p!, /[a-z]/);
    assert.match(p!, /[0-9]/);
    assert.match(p!, PUNCT);
  }
});

test("GetRandomPassword: exclusions, spaces, long passwords, and too-short lengths", async () => {
  const sm = client();
  const only = await sm.send(new GetRandomPasswordCommand({ PasswordLength: 200, ExcludeUppercase: true, ExcludeLowercase: true, ExcludePunctuation: true }));
  assert.match(only.RandomPassword!, /^[0-9]{200}$/);
  const noChars = await sm.send(new GetRandomPasswordCommand({ PasswordLength: 300, ExcludeCharacters: "aeiouAEIOU0123" }));
  assert.doesNotMatch(noChars.RandomPassword!, /[aeiouAEIOU0123]/);
  const spaced = await sm.send(new GetRandomPasswordCommand({ PasswordLength: 4096, IncludeSpace: true }));
  assert.equal(spaced.RandomPassword!.length, 4096);
  assert.match(spaced.RandomPassword!, / /);
  const loose = await sm.send(new GetRandomPasswordCommand({ PasswordLength: 2, RequireEachIncludedType: false }));
  assert.equal(loose.RandomPassword!.length, 2);
  await rejects(
    sm.send(new GetRandomPasswordCommand({ PasswordLength: 3 })),
    "InvalidParameterException",
    400,
    "Password length is too short based on the required types.",
  );
  await rejects(sm.send(new GetRandomPasswordCommand({ PasswordLength: 4097 })), "ValidationException", 400);
});

test("resource policies: put, get, delete; public policies blocked on request; validation", async () => {
  const sm = client();
  const { ARN } = await sm.send(new CreateSecretCommand({ Name: "pol", SecretString: "x" }));
  const account = ARN!.split(":")[4];
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "secretsmanager:GetSecretValue", Resource: "*" }],
  });
  const publicPolicy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
  });
  assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: "pol" }))).ResourcePolicy, undefined);
  await sm.send(new PutResourcePolicyCommand({ SecretId: "pol", ResourcePolicy: policy, BlockPublicPolicy: true }));
  assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: "pol" }))).ResourcePolicy, policy);
  await rejects(
    sm.send(new PutResourcePolicyCommand({ SecretId: "pol", ResourcePolicy: publicPolicy, BlockPublicPolicy: true })),
    "PublicPolicyException",
    400,
    "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.",
  );
  await rejects(sm.send(new PutResourcePolicyCommand({ SecretId: "pol", ResourcePolicy: "{not json" })), "MalformedPolicyDocumentException", 400);
  await sm.send(new PutResourcePolicyCommand({ SecretId: "pol", ResourcePolicy: publicPolicy }));
  await sm.send(new DeleteResourcePolicyCommand({ SecretId: "pol" }));
  assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: "pol" }))).ResourcePolicy, undefined);

  assert.equal((await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: policy }))).PolicyValidationPassed, true);
  const pub = await sm.send(new ValidateResourcePolicyCommand({ SecretId: "pol", ResourcePolicy: publicPolicy }));
  assert.equal(pub.PolicyValidationPassed, false);
  assert.ok(pub.ValidationErrors!.length >= 1);
  const noEffect = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: JSON.stringify({ Statement: [{ Action: "*", Principal: "*" }] }) }));
  assert.equal(noEffect.PolicyValidationPassed, false);
  await rejects(sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: "[" })), "MalformedPolicyDocumentException", 400);
  await rejects(sm.send(new PutResourcePolicyCommand({ SecretId: "nope", ResourcePolicy: policy })), "ResourceNotFoundException", 400);
});

test("RotateSecret: rules validated; with no invocable function AWS's error, the configuration kept", async () => {
  const sm = client();
  const { ARN } = await sm.send(new CreateSecretCommand({ Name: "rot", SecretString: "x" }));
  const account = ARN!.split(":")[4];
  const fn = `arn:aws:lambda:us-east-1:${account}:function:rotator`;
  await rejects(
    sm.send(new RotateSecretCommand({ SecretId: "rot" })),
    "InvalidRequestException",
    400,
    "No Lambda rotation function ARN is associated with this secret.",
  );
  for (const ScheduleExpression of ["rate(2 hours)", "rate(1001 days)", "cron(0 0 * * * *)", "every day", "cron(0 0 1 * ? * *)"]) {
    await rejects(
      sm.send(new RotateSecretCommand({ SecretId: "rot", RotationLambdaARN: fn, RotationRules: { ScheduleExpression } })),
      "InvalidParameterException",
      400,
    );
  }
  await rejects(
    sm.send(
      new RotateSecretCommand({ SecretId: "rot", RotationLambdaARN: fn, RotationRules: { AutomaticallyAfterDays: 5, ScheduleExpression: "rate(5 days)" } }),
    ),
    "InvalidParameterException",
    400,
  );
  await rejects(
    sm.send(new RotateSecretCommand({ SecretId: "rot", RotationLambdaARN: fn, RotationRules: { AutomaticallyAfterDays: 1001 } })),
    "ValidationException",
    400,
  );

  await rejects(
    sm.send(new RotateSecretCommand({ SecretId: "rot", RotationLambdaARN: fn, RotationRules: { AutomaticallyAfterDays: 30 } })),
    "AccessDeniedException",
    400,
    "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.",
  );
  const d = await sm.send(new DescribeSecretCommand({ SecretId: "rot" }));
  assert.equal(d.RotationEnabled, true);
  assert.equal(d.RotationLambdaARN, fn);
  assert.deepEqual(d.RotationRules, { AutomaticallyAfterDays: 30 });
  const expected = d.LastChangedDate!.getTime() + 30 * 86_400_000;
  assert.ok(Math.abs(d.NextRotationDate!.getTime() - expected) < 5000);

  await rejects(
    sm.send(
      new RotateSecretCommand({ SecretId: "rot", RotationRules: { ScheduleExpression: "cron(0 16 ? * MON *)", Duration: "3h" }, RotateImmediately: false }),
    ),
    "AccessDeniedException",
    400,
  );
  const cron = await sm.send(new DescribeSecretCommand({ SecretId: "rot" }));
  assert.deepEqual(cron.RotationRules, { ScheduleExpression: "cron(0 16 ? * MON *)", Duration: "3h" });
  const next = cron.NextRotationDate!;
  assert.equal(next.getUTCDay(), 1);
  assert.equal(next.getUTCHours(), 16);
  assert.ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 7 * 86_400_000);

  const c = await sm.send(new CancelRotateSecretCommand({ SecretId: "rot" }));
  assert.equal(c.ARN, ARN);
  const off = await sm.send(new DescribeSecretCommand({ SecretId: "rot" }));
  assert.equal(off.RotationEnabled, false);
  assert.equal(off.NextRotationDate, undefined);
});

test("RotateSecret refuses while a previous rotation is incomplete; CancelRotateSecret needs a function", async () => {
  const sm = client();
  await sm.send(new CreateSecretCommand({ Name: "rot2", SecretString: "x" }));
  await rejects(sm.send(new CancelRotateSecretCommand({ SecretId: "rot2" })), "InvalidRequestException", 400);
  await sm.send(new PutSecretValueCommand({ SecretId: "rot2", SecretString: "y", VersionStages: ["AWSPENDING"] }));
  await rejects(
    sm.send(new RotateSecretCommand({ SecretId: "rot2", RotationLambdaARN: "arn:aws:lambda:us-east-1:123456789012:function:f" })),
    "InvalidRequestException",
    400,
    "A previous rotation isn't complete. That rotation will be reattempted.",
  );
});
