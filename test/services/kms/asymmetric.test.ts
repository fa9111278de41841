// KMS asymmetric and HMAC keys through the real SDK: Sign/Verify (RAW and DIGEST) checked by node:crypto, RSA Encrypt/Decrypt, GetPublicKey, MACs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { constants, createHash, createPublicKey, publicEncrypt, verify } from "node:crypto";
import {
  KMSClient,
  CreateKeyCommand,
  SignCommand,
  VerifyCommand,
  GetPublicKeyCommand,
  EncryptCommand,
  DecryptCommand,
  GenerateMacCommand,
  VerifyMacCommand,
  type SigningAlgorithmSpec,
  type KeySpec,
} from "@aws-sdk/client-kms";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const client = () => server.client(KMSClient);
const msg = Buffer.from("the quick brown fox");

const CASES: [KeySpec, SigningAlgorithmSpec, string][] = [
  ["RSA_2048", "RSASSA_PSS_SHA_256", "sha256"],
  ["RSA_3072", "RSASSA_PSS_SHA_384", "sha384"],
  ["RSA_2048", "RSASSA_PSS_SHA_512", "sha512"],
  ["RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "sha256"],
  ["RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512", "sha512"],
  ["ECC_NIST_P256", "ECDSA_SHA_256", "sha256"],
  ["ECC_NIST_P384", "ECDSA_SHA_384", "sha384"],
  ["ECC_NIST_P521", "ECDSA_SHA_512", "sha512"],
  ["ECC_SECG_P256K1", "ECDSA_SHA_256", "sha256"],
];

test("Sign RAW and DIGEST with every key spec; node:crypto verifies with the public key from GetPublicKey", async () => {
  const kms = client();
  for (const [KeySpec, alg, hash] of CASES) {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: "SIGN_VERIFY" }));
    assert.ok(KeyMetadata!.SigningAlgorithms!.includes(alg), `${KeySpec} lists ${alg}`);
    const pk = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    assert.equal(pk.KeySpec, KeySpec);
    assert.equal(pk.KeyUsage, "SIGN_VERIFY");
    const pub = createPublicKey({ key: Buffer.from(pk.PublicKey!), format: "der", type: "spki" });
    const opts = alg.startsWith("RSASSA_PSS") ? { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: createHash(hash).digest().length } : pub;
    const raw = await kms.send(new SignCommand({ KeyId: KeyMetadata!.KeyId, Message: msg, SigningAlgorithm: alg }));
    assert.equal(raw.SigningAlgorithm, alg);
    assert.ok(verify(hash, msg, opts, Buffer.from(raw.Signature!)), `${KeySpec} ${alg} RAW`);
    const digest = createHash(hash).update(msg).digest();
    const dg = await kms.send(new SignCommand({ KeyId: KeyMetadata!.Arn, Message: digest, MessageType: "DIGEST", SigningAlgorithm: alg }));
    assert.ok(verify(hash, msg, opts, Buffer.from(dg.Signature!)), `${KeySpec} ${alg} DIGEST`);
    // And KMS verifies both its own signatures, either way round.
    const v = await kms.send(
      new VerifyCommand({ KeyId: KeyMetadata!.KeyId, Message: digest, MessageType: "DIGEST", Signature: raw.Signature, SigningAlgorithm: alg }),
    );
    assert.equal(v.SignatureValid, true);
    const v2 = await kms.send(new VerifyCommand({ KeyId: KeyMetadata!.KeyId, Message: msg, Signature: dg.Signature, SigningAlgorithm: alg }));
    assert.equal(v2.SignatureValid, true);
  }
});

test("Verify of a wrong signature → KMSInvalidSignatureException; bad digest length and wrong algorithm are refused", async () => {
  const kms = client();
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }));
  const KeyId = KeyMetadata!.KeyId;
  const { Signature } = await kms.send(new SignCommand({ KeyId, Message: msg, SigningAlgorithm: "ECDSA_SHA_256" }));
  await rejects(
    kms.send(new VerifyCommand({ KeyId, Message: Buffer.from("other"), Signature, SigningAlgorithm: "ECDSA_SHA_256" })),
    "KMSInvalidSignatureException",
    400,
  );
  await rejects(
    kms.send(new VerifyCommand({ KeyId, Message: msg, Signature: Buffer.from("junk"), SigningAlgorithm: "ECDSA_SHA_256" })),
    "KMSInvalidSignatureException",
    400,
  );
  await rejects(
    kms.send(new SignCommand({ KeyId, Message: Buffer.alloc(31), MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256" })),
    "ValidationException",
    400,
    /Digest is invalid length/,
  );
  await rejects(kms.send(new SignCommand({ KeyId, Message: msg, SigningAlgorithm: "RSASSA_PSS_SHA_256" })), "InvalidKeyUsageException", 400);
  await rejects(kms.send(new EncryptCommand({ KeyId, Plaintext: msg })), "InvalidKeyUsageException", 400);
  const sym = await kms.send(new CreateKeyCommand({}));
  await rejects(kms.send(new SignCommand({ KeyId: sym.KeyMetadata!.KeyId, Message: msg, SigningAlgorithm: "ECDSA_SHA_256" })), "InvalidKeyUsageException", 400);
  await rejects(kms.send(new GetPublicKeyCommand({ KeyId: sym.KeyMetadata!.KeyId })), "UnsupportedOperationException", 400);
  await rejects(kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "ENCRYPT_DECRYPT" })), "ValidationException", 400);
  await rejects(kms.send(new CreateKeyCommand({ KeySpec: "RSA_2048" })), "ValidationException", 400);
});

test("RSA ENCRYPT_DECRYPT: OAEP SHA-1/SHA-256, also for ciphertext made outside KMS with the public key", async () => {
  const kms = client();
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" }));
  const KeyId = KeyMetadata!.KeyId;
  assert.deepEqual(KeyMetadata!.EncryptionAlgorithms, ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
  for (const alg of ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] as const) {
    const enc = await kms.send(new EncryptCommand({ KeyId, Plaintext: msg, EncryptionAlgorithm: alg }));
    assert.equal(enc.CiphertextBlob!.length, 256);
    const dec = await kms.send(new DecryptCommand({ KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: alg }));
    assert.equal(Buffer.from(dec.Plaintext!).toString(), msg.toString());
    assert.equal(dec.EncryptionAlgorithm, alg);
  }
  const pk = await kms.send(new GetPublicKeyCommand({ KeyId }));
  const outside = publicEncrypt({ key: createPublicKey({ key: Buffer.from(pk.PublicKey!), format: "der", type: "spki" }), oaepHash: "sha256" }, msg);
  const dec = await kms.send(new DecryptCommand({ KeyId, CiphertextBlob: outside, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }));
  assert.equal(Buffer.from(dec.Plaintext!).toString(), msg.toString());
  await rejects(kms.send(new EncryptCommand({ KeyId, Plaintext: msg })), "InvalidKeyUsageException", 400);
  await rejects(kms.send(new DecryptCommand({ CiphertextBlob: outside, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })), "InvalidCiphertextException", 400);
  await rejects(kms.send(new DecryptCommand({ KeyId, CiphertextBlob: outside, EncryptionAlgorithm: "RSAES_OAEP_SHA_1" })), "InvalidCiphertextException", 400);
  await rejects(kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.alloc(191), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })), "ValidationException", 400);
});

test("HMAC keys: GenerateMac is deterministic and sized by spec, VerifyMac accepts it and rejects others with KMSInvalidMacException", async () => {
  const kms = client();
  for (const [KeySpec, MacAlgorithm, len] of [
    ["HMAC_224", "HMAC_SHA_224", 28],
    ["HMAC_256", "HMAC_SHA_256", 32],
    ["HMAC_384", "HMAC_SHA_384", 48],
    ["HMAC_512", "HMAC_SHA_512", 64],
  ] as const) {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: "GENERATE_VERIFY_MAC" }));
    assert.deepEqual(KeyMetadata!.MacAlgorithms, [MacAlgorithm]);
    const m = await kms.send(new GenerateMacCommand({ KeyId: KeyMetadata!.KeyId, MacAlgorithm, Message: msg }));
    assert.equal(m.Mac!.length, len);
    const again = await kms.send(new GenerateMacCommand({ KeyId: KeyMetadata!.KeyId, MacAlgorithm, Message: msg }));
    assert.deepEqual(Buffer.from(again.Mac!), Buffer.from(m.Mac!));
    const ok = await kms.send(new VerifyMacCommand({ KeyId: KeyMetadata!.KeyId, MacAlgorithm, Message: msg, Mac: m.Mac }));
    assert.equal(ok.MacValid, true);
    await rejects(
      kms.send(new VerifyMacCommand({ KeyId: KeyMetadata!.KeyId, MacAlgorithm, Message: Buffer.from("x"), Mac: m.Mac })),
      "KMSInvalidMacException",
      400,
    );
  }
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }));
  await rejects(kms.send(new GenerateMacCommand({ KeyId: KeyMetadata!.KeyId, MacAlgorithm: "HMAC_SHA_512", Message: msg })), "InvalidKeyUsageException", 400);
  await rejects(kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: msg })), "InvalidKeyUsageException", 400);
  const sym = await kms.send(new CreateKeyCommand({}));
  await rejects(
    kms.send(new GenerateMacCommand({ KeyId: sym.KeyMetadata!.KeyId, MacAlgorithm: "HMAC_SHA_256", Message: msg })),
    "InvalidKeyUsageException",
    400,
  );
});
