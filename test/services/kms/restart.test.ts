// KMS state survives a restart: a ciphertext made before decrypts after, keys, aliases, grants and signatures intact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  KMSClient,
  CreateKeyCommand,
  CreateAliasCommand,
  EncryptCommand,
  DecryptCommand,
  DescribeKeyCommand,
  SignCommand,
  VerifyCommand,
  RotateKeyOnDemandCommand,
  CreateGrantCommand,
  ListGrantsCommand,
} from "@aws-sdk/client-kms";
import { randomAccount, startTestServer } from "../../helpers/server.js";

test("a ciphertext and a signature made before a restart verify after it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kms-restart-"));
  const account = randomAccount();
  try {
    const first = await startTestServer({ dataDir: dir });
    const kms1 = new KMSClient(first.clientConfig({ account }));
    const key = (await kms1.send(new CreateKeyCommand({ Description: "durable" }))).KeyMetadata!;
    await kms1.send(new CreateAliasCommand({ AliasName: "alias/durable", TargetKeyId: key.KeyId }));
    const enc = await kms1.send(new EncryptCommand({ KeyId: "alias/durable", Plaintext: Buffer.from("survives"), EncryptionContext: { a: "b" } }));
    await kms1.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const managed = await kms1.send(new EncryptCommand({ KeyId: "alias/aws/secretsmanager", Plaintext: Buffer.from("managed") }));
    const signer = (await kms1.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }))).KeyMetadata!;
    const sig = await kms1.send(new SignCommand({ KeyId: signer.KeyId, Message: Buffer.from("m"), SigningAlgorithm: "ECDSA_SHA_256" }));
    const grant = await kms1.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: `arn:aws:iam::${account}:role/r`, Operations: ["Decrypt"] }));
    await first.close();

    const second = await startTestServer({ dataDir: dir });
    try {
      const kms2 = new KMSClient(second.clientConfig({ account }));
      const dec = await kms2.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: "b" } }));
      assert.equal(Buffer.from(dec.Plaintext!).toString(), "survives");
      const dm = await kms2.send(new DecryptCommand({ CiphertextBlob: managed.CiphertextBlob }));
      assert.equal(Buffer.from(dm.Plaintext!).toString(), "managed");
      assert.equal((await kms2.send(new DescribeKeyCommand({ KeyId: "alias/durable" }))).KeyMetadata!.Description, "durable");
      const v = await kms2.send(
        new VerifyCommand({ KeyId: signer.KeyId, Message: Buffer.from("m"), Signature: sig.Signature, SigningAlgorithm: "ECDSA_SHA_256" }),
      );
      assert.equal(v.SignatureValid, true);
      assert.deepEqual(
        (await kms2.send(new ListGrantsCommand({ KeyId: key.KeyId }))).Grants!.map((g) => g.GrantId),
        [grant.GrantId],
      );
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
