// Encryption with KMS keys: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(…WithoutPlaintext), GenerateDataKeyPair(…WithoutPlaintext), GenerateRandom.
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { DataKeyPairSpec, EncryptionAlgorithmSpec, KmsApi } from "./api.generated.js";
import {
  DryRunOperationException,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  NotFoundException,
  UnsupportedOperationException,
} from "./api.generated.js";
import { encryptionAlgorithms, generatePair, isRsa, openBlob, parseBlob, sealBlob } from "./material.js";
import type { KeyRec } from "./state.js";
import { currentMaterial, getKey, keyArn, mustBeUsable, resolveKey, validationError } from "./state.js";

/** The request is valid: DryRun stops here, reporting success as AWS does, by a DryRunOperationException. */
export function dryRun(flag: boolean | undefined): void {
  if (flag) throw new DryRunOperationException("The request would have succeeded, but the DryRun option is set.");
}

function noRecipient(r: unknown): void {
  if (r) throw new UnsupportedOperationException("Recipient (Nitro Enclaves attestation) is not supported by Stratus.");
}

/** A key for an encryption operation: usable, ENCRYPT_DECRYPT, and (when given) supporting the algorithm. */
export function encryptionKey(ctx: HandlerContext, keyId: string, op: string, alg?: EncryptionAlgorithmSpec, symmetricOnly = false): KeyRec {
  const k = resolveKey(ctx, keyId);
  mustBeUsable(ctx, k);
  if (k.keyUsage !== "ENCRYPT_DECRYPT") throw new InvalidKeyUsageException(`${keyArn(ctx, k.id)} key usage is ${k.keyUsage} which is not valid for ${op}.`);
  if (symmetricOnly && k.keySpec !== "SYMMETRIC_DEFAULT")
    throw new InvalidKeyUsageException(`${keyArn(ctx, k.id)} key spec is ${k.keySpec} which is not valid for ${op}.`);
  const supported = encryptionAlgorithms(k.keySpec, k.keyUsage) ?? [];
  const a = alg ?? "SYMMETRIC_DEFAULT";
  if (!supported.includes(a)) throw new InvalidKeyUsageException(`Algorithm ${a} is incompatible with key spec ${k.keySpec}.`);
  return k;
}

const oaepHash = (alg: EncryptionAlgorithmSpec) => (alg === "RSAES_OAEP_SHA_1" ? "sha1" : "sha256");

/** Encrypts under a key already checked by encryptionKey. */
export function encryptWith(
  ctx: HandlerContext,
  k: KeyRec,
  plaintext: Buffer,
  ec: Record<string, string> | undefined,
  alg: EncryptionAlgorithmSpec = "SYMMETRIC_DEFAULT",
): Buffer {
  const m = currentMaterial(k);
  if (k.keySpec === "SYMMETRIC_DEFAULT") {
    return sealBlob(
      { account: ctx.account, region: ctx.region, keyId: k.id, material: k.materials.length - 1 },
      Buffer.from(m.secret, "base64"),
      plaintext,
      ec,
    );
  }
  if (ec && Object.keys(ec).length) throw validationError("EncryptionContext is not supported with asymmetric KMS keys.");
  const pub = createPublicKey({ key: Buffer.from(m.publicKey!, "base64"), format: "der", type: "spki" });
  const hLen = alg === "RSAES_OAEP_SHA_1" ? 20 : 32;
  const max = (pub.asymmetricKeyDetails?.modulusLength ?? 2048) / 8 - 2 * hLen - 2;
  if (plaintext.length > max) throw validationError(`Plaintext is too long for ${alg} with key spec ${k.keySpec}: at most ${max} bytes.`);
  return publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(alg) }, plaintext);
}

interface Opened {
  key: KeyRec;
  plaintext: Buffer;
  alg: EncryptionAlgorithmSpec;
  materialId?: string;
}

/** Decrypts a ciphertext blob. Symmetric blobs name their key; RSA ciphertext needs the KeyId and algorithm. */
export function decryptBlob(
  ctx: HandlerContext,
  blob: Buffer,
  ec: Record<string, string> | undefined,
  keyId: string | undefined,
  alg: EncryptionAlgorithmSpec | undefined,
  op: string,
): Opened {
  const named = keyId !== undefined ? resolveKey(ctx, keyId) : undefined;
  if (named && isRsa(named.keySpec)) {
    const k = encryptionKey(ctx, keyId!, op, alg);
    if (ec && Object.keys(ec).length) throw validationError("EncryptionContext is not supported with asymmetric KMS keys.");
    const priv = createPrivateKey({ key: Buffer.from(currentMaterial(k).secret, "base64"), format: "der", type: "pkcs8" });
    try {
      return { key: k, plaintext: privateDecrypt({ key: priv, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(alg!) }, blob), alg: alg! };
    } catch {
      throw new InvalidCiphertextException();
    }
  }
  if (alg && alg !== "SYMMETRIC_DEFAULT") {
    if (named) throw new InvalidKeyUsageException(`Algorithm ${alg} is incompatible with key spec ${named.keySpec}.`);
    // Without a KeyId, an RSA ciphertext cannot say which key made it.
    throw new InvalidCiphertextException();
  }
  const parsed = parseBlob(blob);
  // Not made by Stratus, or made for another account or region: nothing here can open it.
  if (!parsed || parsed.account !== ctx.account || parsed.region !== ctx.region) throw new InvalidCiphertextException();
  const k = getKey(ctx, parsed.keyId);
  if (!k) throw new NotFoundException(`Key '${keyArn(ctx, parsed.keyId)}' does not exist`);
  if (named && named.id !== k.id) throw new IncorrectKeyException("The key ID in the request does not identify a CMK that can perform this operation.");
  mustBeUsable(ctx, k);
  if (k.keyUsage !== "ENCRYPT_DECRYPT" || k.keySpec !== "SYMMETRIC_DEFAULT") throw new InvalidCiphertextException();
  const m = k.materials[parsed.material];
  const plaintext = m && openBlob(parsed, Buffer.from(m.secret, "base64"), ec);
  if (!plaintext) throw new InvalidCiphertextException();
  return { key: k, plaintext, alg: "SYMMETRIC_DEFAULT", materialId: m.id };
}

/** GenerateDataKey's size: exactly one of KeySpec and NumberOfBytes. */
function dataKeyBytes(KeySpec: string | undefined, NumberOfBytes: number | undefined): number {
  if ((KeySpec === undefined) === (NumberOfBytes === undefined)) throw validationError("Please specify either number of bytes or key spec.");
  return NumberOfBytes ?? (KeySpec === "AES_128" ? 16 : 32);
}

function dataKeyPair(ctx: HandlerContext, keyId: string, spec: DataKeyPairSpec, ec: Record<string, string> | undefined, op: string) {
  const k = encryptionKey(ctx, keyId, op, undefined, true);
  const pair = generatePair(spec);
  return {
    PrivateKeyCiphertextBlob: encryptWith(ctx, k, pair.privateKey, ec),
    PrivateKeyPlaintext: pair.privateKey,
    PublicKey: pair.publicKey,
    KeyId: keyArn(ctx, k.id),
    KeyPairSpec: spec,
    KeyMaterialId: currentMaterial(k).id,
  };
}

export const cryptoOps = {
  encrypt({ KeyId, Plaintext, EncryptionContext, EncryptionAlgorithm, DryRun }, ctx) {
    const k = encryptionKey(ctx, KeyId, "Encrypt", EncryptionAlgorithm);
    dryRun(DryRun);
    const blob = encryptWith(ctx, k, Buffer.from(Plaintext), EncryptionContext, EncryptionAlgorithm);
    return { CiphertextBlob: blob, KeyId: keyArn(ctx, k.id), EncryptionAlgorithm: EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT" };
  },

  decrypt({ CiphertextBlob, EncryptionContext, KeyId, EncryptionAlgorithm, Recipient, DryRun }, ctx) {
    noRecipient(Recipient);
    if (!CiphertextBlob)
      throw validationError("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
    const o = decryptBlob(ctx, Buffer.from(CiphertextBlob), EncryptionContext, KeyId, EncryptionAlgorithm, "Decrypt");
    dryRun(DryRun);
    return { KeyId: keyArn(ctx, o.key.id), Plaintext: o.plaintext, EncryptionAlgorithm: o.alg, ...(o.materialId ? { KeyMaterialId: o.materialId } : {}) };
  },

  reEncrypt(input, ctx) {
    const {
      CiphertextBlob,
      SourceEncryptionContext,
      SourceKeyId,
      DestinationKeyId,
      DestinationEncryptionContext,
      SourceEncryptionAlgorithm,
      DestinationEncryptionAlgorithm,
      DryRun,
    } = input;
    if (!CiphertextBlob)
      throw validationError("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
    const src = decryptBlob(ctx, Buffer.from(CiphertextBlob), SourceEncryptionContext, SourceKeyId, SourceEncryptionAlgorithm, "ReEncrypt");
    const dst = encryptionKey(ctx, DestinationKeyId, "ReEncrypt", DestinationEncryptionAlgorithm);
    dryRun(DryRun);
    return {
      CiphertextBlob: encryptWith(ctx, dst, src.plaintext, DestinationEncryptionContext, DestinationEncryptionAlgorithm),
      SourceKeyId: keyArn(ctx, src.key.id),
      KeyId: keyArn(ctx, dst.id),
      SourceEncryptionAlgorithm: src.alg,
      DestinationEncryptionAlgorithm: DestinationEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT",
      ...(src.materialId ? { SourceKeyMaterialId: src.materialId } : {}),
      ...(dst.keySpec === "SYMMETRIC_DEFAULT" ? { DestinationKeyMaterialId: currentMaterial(dst).id } : {}),
    };
  },

  generateDataKey({ KeyId, EncryptionContext, NumberOfBytes, KeySpec, Recipient, DryRun }, ctx) {
    noRecipient(Recipient);
    const n = dataKeyBytes(KeySpec, NumberOfBytes);
    const k = encryptionKey(ctx, KeyId, "GenerateDataKey", undefined, true);
    dryRun(DryRun);
    const plaintext = randomBytes(n);
    return {
      CiphertextBlob: encryptWith(ctx, k, plaintext, EncryptionContext),
      Plaintext: plaintext,
      KeyId: keyArn(ctx, k.id),
      KeyMaterialId: currentMaterial(k).id,
    };
  },

  generateDataKeyWithoutPlaintext({ KeyId, EncryptionContext, NumberOfBytes, KeySpec, DryRun }, ctx) {
    const n = dataKeyBytes(KeySpec, NumberOfBytes);
    const k = encryptionKey(ctx, KeyId, "GenerateDataKeyWithoutPlaintext", undefined, true);
    dryRun(DryRun);
    return { CiphertextBlob: encryptWith(ctx, k, randomBytes(n), EncryptionContext), KeyId: keyArn(ctx, k.id), KeyMaterialId: currentMaterial(k).id };
  },

  generateDataKeyPair({ KeyId, KeyPairSpec, EncryptionContext, Recipient, DryRun }, ctx) {
    noRecipient(Recipient);
    encryptionKey(ctx, KeyId, "GenerateDataKeyPair", undefined, true);
    dryRun(DryRun);
    return dataKeyPair(ctx, KeyId, KeyPairSpec, EncryptionContext, "GenerateDataKeyPair");
  },

  generateDataKeyPairWithoutPlaintext({ KeyId, KeyPairSpec, EncryptionContext, DryRun }, ctx) {
    encryptionKey(ctx, KeyId, "GenerateDataKeyPairWithoutPlaintext", undefined, true);
    dryRun(DryRun);
    const { PrivateKeyPlaintext, ...rest } = dataKeyPair(ctx, KeyId, KeyPairSpec, EncryptionContext, "GenerateDataKeyPairWithoutPlaintext");
    return rest;
  },

  generateRandom({ NumberOfBytes, CustomKeyStoreId, Recipient }) {
    noRecipient(Recipient);
    if (CustomKeyStoreId) throw new UnsupportedOperationException("Custom key stores are not supported by Stratus.");
    if (NumberOfBytes === undefined)
      throw validationError("1 validation error detected: Value null at 'numberOfBytes' failed to satisfy constraint: Member must not be null");
    return { Plaintext: randomBytes(NumberOfBytes) };
  },
} satisfies Partial<KmsApi>;
