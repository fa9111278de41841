// Secret values are encrypted through KMS: ciphertext at rest, a customer key named by KmsKeyId, and the errors
// when that key cannot be used.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SecretsManagerClient,
  CreateSecretCommand,
  GetSecretValueCommand,
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { KMSClient, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from "@aws-sdk/client-kms";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

test("values are stored as KMS ciphertext under alias/aws/secretsmanager by default", async () => {
  const account = randomAccount();
  const sm = server.client(SecretsManagerClient, { account });
  const plain = "very-distinctive-plaintext-value";
  await sm.send(new CreateSecretCommand({ Name: "enc", SecretString: plain }));
  const values = server.runtime.store.table<{ data: string }>("secrets-manager:values", `${account}/us-east-1`).list();
  assert.equal(values.length, 1);
  const stored = Buffer.from(values[0].value.data, "base64");
  assert.ok(!stored.toString("latin1").includes(plain));
  assert.ok(!values[0].value.data.includes(Buffer.from(plain).toString("base64").slice(0, 20)));
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "enc" }))).SecretString, plain);
  assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "enc" }))).KmsKeyId, undefined);
});

test("a customer managed key: reported, used for versions, and a disabled key fails as AWS words it", async () => {
  const account = randomAccount();
  const sm = server.client(SecretsManagerClient, { account });
  const kms = server.client(KMSClient, { account });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const keyId = KeyMetadata!.Arn!;
  await sm.send(new CreateSecretCommand({ Name: "cmk", SecretString: "with-cmk", KmsKeyId: keyId }));
  assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "cmk" }))).KmsKeyId, keyId);
  const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "cmk" }));
  assert.deepEqual(versions.Versions![0].KmsKeyIds, [keyId]);
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "cmk" }))).SecretString, "with-cmk");

  await kms.send(new DisableKeyCommand({ KeyId: keyId }));
  await rejects(sm.send(new GetSecretValueCommand({ SecretId: "cmk" })), "DecryptionFailure", 400, /can't decrypt the protected secret text/);
  await rejects(
    sm.send(new PutSecretValueCommand({ SecretId: "cmk", SecretString: "next" })),
    "EncryptionFailure",
    400,
    /can't encrypt the protected secret text/,
  );
  await kms.send(new EnableKeyCommand({ KeyId: keyId }));
  await sm.send(new PutSecretValueCommand({ SecretId: "cmk", SecretString: "next" }));
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "cmk" }))).SecretString, "next");

  await rejects(sm.send(new CreateSecretCommand({ Name: "badkey", SecretString: "x", KmsKeyId: "alias/does-not-exist" })), "EncryptionFailure", 400);
  // Switching the secret to the default key: the next version is encrypted under it.
  await sm.send(new UpdateSecretCommand({ SecretId: "cmk", KmsKeyId: "alias/aws/secretsmanager", SecretString: "third" }));
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "cmk" }))).SecretString, "third");
});
