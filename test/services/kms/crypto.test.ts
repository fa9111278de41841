// KMS symmetric encryption through the real SDK v3 client: Encrypt/Decrypt with context, data keys, ReEncrypt, GenerateRandom, and every refusal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import {
  KMSClient,
  CreateKeyCommand,
  EncryptCommand,
  DecryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  ReEncryptCommand,
  GenerateRandomCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CreateAliasCommand,
  DescribeKeyCommand,
  ListAliasesCommand,
} from "@aws-sdk/client-kms";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const client = (account?: string) => server.client(KMSClient, { account });
const text = (s: string) => new TextEncoder().encode(s);
const newKey = async (kms: KMSClient) => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;

test("Encrypt then Decrypt without a KeyId, the context bound in regardless of map order", async () => {
  const kms = client();
  const key = await newKey(kms);
  const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("hello"), EncryptionContext: { a: "1", b: "2" } }));
  assert.equal(enc.KeyId, key.Arn);
  assert.equal(enc.EncryptionAlgorithm, "SYMMETRIC_DEFAULT");
  assert.ok(!Buffer.from(enc.CiphertextBlob!).includes(Buffer.from("hello")));
  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { b: "2", a: "1" } }));
  assert.equal(Buffer.from(dec.Plaintext!).toString(), "hello");
  assert.equal(dec.KeyId, key.Arn);
  assert.equal(dec.EncryptionAlgorithm, "SYMMETRIC_DEFAULT");
  // Two encryptions of the same text differ (random IV).
  const again = await kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: text("hello"), EncryptionContext: { a: "1", b: "2" } }));
  assert.notDeepEqual(Buffer.from(again.CiphertextBlob!), Buffer.from(enc.CiphertextBlob!));
});

test("a wrong or missing context, tampering, a foreign blob, another account → InvalidCiphertextException", async () => {
  const kms = client();
  const key = await newKey(kms);
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("secret"), EncryptionContext: { purpose: "x" } }));
  await rejects(kms.send(new DecryptCommand({ CiphertextBlob })), "InvalidCiphertextException", 400);
  await rejects(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { purpose: "y" } })), "InvalidCiphertextException", 400);
  const tampered = Buffer.from(CiphertextBlob!);
  tampered[tampered.length - 1] ^= 1;
  await rejects(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: { purpose: "x" } })), "InvalidCiphertextException", 400);
  await rejects(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(64, 7) })), "InvalidCiphertextException", 400);
  await rejects(client().send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { purpose: "x" } })), "InvalidCiphertextException", 400);
});

test("Decrypt with an explicit KeyId that is not the blob's → IncorrectKeyException; the right alias works", async () => {
  const kms = client();
  const a = await newKey(kms);
  const b = await newKey(kms);
  await kms.send(new CreateAliasCommand({ AliasName: "alias/a", TargetKeyId: a.KeyId }));
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: "alias/a", Plaintext: text("x") }));
  await rejects(kms.send(new DecryptCommand({ CiphertextBlob, KeyId: b.KeyId })), "IncorrectKeyException", 400);
  const ok = await kms.send(new DecryptCommand({ CiphertextBlob, KeyId: "alias/a" }));
  assert.equal(Buffer.from(ok.Plaintext!).toString(), "x");
});

test("disabled → DisabledException, pending deletion → KMSInvalidStateException, unknown → NotFoundException", async () => {
  const kms = client();
  const key = await newKey(kms);
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x") }));
  await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x") })), "DisabledException", 400, `${key.Arn} is disabled.`);
  await rejects(kms.send(new DecryptCommand({ CiphertextBlob })), "DisabledException", 400);
  const other = await newKey(kms);
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: other.KeyId, PendingWindowInDays: 7 }));
  await rejects(
    kms.send(new EncryptCommand({ KeyId: other.KeyId, Plaintext: text("x") })),
    "KMSInvalidStateException",
    400,
    `${other.Arn} is pending deletion.`,
  );
  const missing = "11111111-2222-3333-4444-555555555555";
  await rejects(kms.send(new EncryptCommand({ KeyId: missing, Plaintext: text("x") })), "NotFoundException", 400, /does not exist/);
  await rejects(kms.send(new EncryptCommand({ KeyId: "alias/nope", Plaintext: text("x") })), "NotFoundException", 400, /alias\/nope' is not found/);
  await rejects(kms.send(new EncryptCommand({ KeyId: "garbage", Plaintext: text("x") })), "NotFoundException", 400);
});

test("plaintext over 4096 bytes fails validation", async () => {
  const kms = client();
  const key = await newKey(kms);
  await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array(4097) })), "ValidationException", 400, /less than or equal to 4096/);
  const ok = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array(4096) }));
  assert.ok(ok.CiphertextBlob!.length > 4096);
});

test("GenerateDataKey (KeySpec or NumberOfBytes) and WithoutPlaintext decrypt back to the data key", async () => {
  const kms = client();
  const key = await newKey(kms);
  const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: "AES_256", EncryptionContext: { k: "v" } }));
  assert.equal(dk.Plaintext!.length, 32);
  assert.equal(dk.KeyId, key.Arn);
  const back = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { k: "v" } }));
  assert.deepEqual(Buffer.from(back.Plaintext!), Buffer.from(dk.Plaintext!));
  const small = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: "AES_128" }));
  assert.equal(small.Plaintext!.length, 16);
  const n = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 7 }));
  assert.equal(n.Plaintext!.length, 7);
  await rejects(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId })), "ValidationException", 400);
  await rejects(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: "AES_256", NumberOfBytes: 32 })), "ValidationException", 400);
  const wp = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: "AES_256" }));
  assert.equal((wp as { Plaintext?: unknown }).Plaintext, undefined);
  const opened = await kms.send(new DecryptCommand({ CiphertextBlob: wp.CiphertextBlob }));
  assert.equal(opened.Plaintext!.length, 32);
});

test("GenerateDataKeyPair: a real key pair, its private key encrypted under the KMS key", async () => {
  const kms = client();
  const key = await newKey(kms);
  const pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: "ECC_NIST_P256" }));
  const priv = createPrivateKey({ key: Buffer.from(pair.PrivateKeyPlaintext!), format: "der", type: "pkcs8" });
  const pub = createPublicKey({ key: Buffer.from(pair.PublicKey!), format: "der", type: "spki" });
  assert.equal(priv.asymmetricKeyType, "ec");
  assert.deepEqual(createPublicKey(priv).export({ format: "der", type: "spki" }), pub.export({ format: "der", type: "spki" }));
  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
  assert.deepEqual(Buffer.from(dec.Plaintext!), Buffer.from(pair.PrivateKeyPlaintext!));
  const np = await kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyId, KeyPairSpec: "RSA_2048" }));
  assert.equal((np as { PrivateKeyPlaintext?: unknown }).PrivateKeyPlaintext, undefined);
  assert.equal(createPublicKey({ key: Buffer.from(np.PublicKey!), format: "der", type: "spki" }).asymmetricKeyDetails!.modulusLength, 2048);
});

test("ReEncrypt moves a ciphertext to another key and context", async () => {
  const kms = client();
  const a = await newKey(kms);
  const b = await newKey(kms);
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: text("move me"), EncryptionContext: { from: "a" } }));
  await rejects(kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: b.KeyId })), "InvalidCiphertextException", 400);
  await rejects(
    kms.send(new ReEncryptCommand({ CiphertextBlob, SourceKeyId: b.KeyId, SourceEncryptionContext: { from: "a" }, DestinationKeyId: b.KeyId })),
    "IncorrectKeyException",
    400,
  );
  const re = await kms.send(
    new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { from: "a" }, DestinationKeyId: b.KeyId, DestinationEncryptionContext: { to: "b" } }),
  );
  assert.equal(re.SourceKeyId, a.Arn);
  assert.equal(re.KeyId, b.Arn);
  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { to: "b" } }));
  assert.equal(Buffer.from(dec.Plaintext!).toString(), "move me");
  assert.equal(dec.KeyId, b.Arn);
});

test("GenerateRandom returns 1..1024 random bytes", async () => {
  const kms = client();
  const r = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }));
  assert.equal(r.Plaintext!.length, 1024);
  await rejects(kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), "ValidationException", 400);
  await rejects(kms.send(new GenerateRandomCommand({ NumberOfBytes: 0 })), "ValidationException", 400);
});

test("AWS managed keys: alias/aws/ssm works out of the box and is then listed", async () => {
  const kms = client();
  const enc = await kms.send(new EncryptCommand({ KeyId: "alias/aws/ssm", Plaintext: text("param") }));
  const d = await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/ssm" }));
  assert.equal(d.KeyMetadata!.KeyManager, "AWS");
  assert.equal(enc.KeyId, d.KeyMetadata!.Arn);
  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
  assert.equal(Buffer.from(dec.Plaintext!).toString(), "param");
  const { Aliases } = await kms.send(new ListAliasesCommand({}));
  assert.deepEqual(
    Aliases!.map((a) => [a.AliasName, a.TargetKeyId]),
    [["alias/aws/ssm", d.KeyMetadata!.KeyId]],
  );
  // The same key every time.
  const again = await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/ssm" }));
  assert.equal(again.KeyMetadata!.KeyId, d.KeyMetadata!.KeyId);
  await rejects(kms.send(new DisableKeyCommand({ KeyId: d.KeyMetadata!.KeyId })), "UnsupportedOperationException", 400);
});

test("ctx.call-style use: an internal call encrypts and decrypts for another service", async () => {
  const account = "123456789012";
  const rt = server.runtime;
  const who = rt.rootIdentity(account, "us-east-1");
  const enc = await rt.call("kms", "Encrypt", { KeyId: "alias/aws/secretsmanager", Plaintext: Buffer.from("s3cr3t") }, who);
  const dec = await rt.call("kms", "Decrypt", { CiphertextBlob: enc.CiphertextBlob }, who);
  assert.equal(Buffer.from(dec.Plaintext as Uint8Array).toString(), "s3cr3t");
});
