// Asymmetric keys: Sign and Verify (RSA PSS / PKCS#1 v1.5, ECDSA; RAW or DIGEST messages; DER signatures) and GetPublicKey.
import { constants, createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { KmsApi, MessageType, SigningAlgorithmSpec } from "./api.generated.js";
import { InvalidKeyUsageException, KMSInvalidSignatureException, UnsupportedOperationException } from "./api.generated.js";
import { dryRun } from "./crypto.js";
import { encryptionAlgorithms, signingAlgorithms } from "./material.js";
import { ecdsaSign, ecdsaVerify, pkcs1Sign, pkcs1Verify, pssSign, pssVerify, type Hash } from "./prehashed.js";
import type { KeyRec } from "./state.js";
import { currentMaterial, keyArn, mustBeUsable, resolveKey, validationError } from "./state.js";

const HASH_OF: Partial<Record<SigningAlgorithmSpec, Hash>> = {
  RSASSA_PSS_SHA_256: "sha256",
  RSASSA_PSS_SHA_384: "sha384",
  RSASSA_PSS_SHA_512: "sha512",
  RSASSA_PKCS1_V1_5_SHA_256: "sha256",
  RSASSA_PKCS1_V1_5_SHA_384: "sha384",
  RSASSA_PKCS1_V1_5_SHA_512: "sha512",
  ECDSA_SHA_256: "sha256",
  ECDSA_SHA_384: "sha384",
  ECDSA_SHA_512: "sha512",
};
const DIGEST_BYTES: Record<Hash, number> = { sha256: 32, sha384: 48, sha512: 64 };

function signingKey(ctx: HandlerContext, keyId: string, alg: SigningAlgorithmSpec, op: string): { k: KeyRec; hash: Hash } {
  const k = resolveKey(ctx, keyId);
  mustBeUsable(ctx, k);
  if (k.keyUsage !== "SIGN_VERIFY") throw new InvalidKeyUsageException(`${keyArn(ctx, k.id)} key usage is ${k.keyUsage} which is not valid for ${op}.`);
  const hash = HASH_OF[alg];
  if (!hash || !signingAlgorithms(k.keySpec, k.keyUsage)!.includes(alg)) {
    throw new InvalidKeyUsageException(`Algorithm ${alg} is incompatible with key spec ${k.keySpec}.`);
  }
  return { k, hash };
}

/** The digest to sign: the message hashed (RAW), or the message itself, which must be a digest of the right length (DIGEST). */
function digestOf(message: Buffer, type: MessageType | undefined, hash: Hash, alg: SigningAlgorithmSpec): Buffer {
  if (type === "EXTERNAL_MU") throw new UnsupportedOperationException("EXTERNAL_MU is supported only for ML-DSA keys.");
  if (type === "DIGEST") {
    if (message.length !== DIGEST_BYTES[hash]) throw validationError(`Digest is invalid length for algorithm ${alg}.`);
    return message;
  }
  return createHash(hash).update(message).digest();
}

const pss = (alg: SigningAlgorithmSpec) => alg.startsWith("RSASSA_PSS");
const pssOpts = (key: KeyObject, hash: Hash) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: DIGEST_BYTES[hash] });

function signDigest(priv: KeyObject, alg: SigningAlgorithmSpec, hash: Hash, message: Buffer, type: MessageType | undefined): Buffer {
  const digest = digestOf(message, type, hash, alg);
  // RAW messages go through node:crypto's own signing; DIGEST needs the prehashed paths.
  if (type !== "DIGEST") return pss(alg) ? sign(hash, message, pssOpts(priv, hash)) : sign(hash, message, priv);
  if (alg.startsWith("ECDSA")) return ecdsaSign(priv, digest);
  return pss(alg) ? pssSign(priv, hash, digest) : pkcs1Sign(priv, hash, digest);
}

function verifyDigest(pub: KeyObject, alg: SigningAlgorithmSpec, hash: Hash, message: Buffer, type: MessageType | undefined, sig: Buffer): boolean {
  const digest = digestOf(message, type, hash, alg);
  try {
    if (type !== "DIGEST") return pss(alg) ? verify(hash, message, pssOpts(pub, hash), sig) : verify(hash, message, pub, sig);
  } catch {
    return false;
  }
  if (alg.startsWith("ECDSA")) return ecdsaVerify(pub, digest, sig);
  return pss(alg) ? pssVerify(pub, hash, digest, sig) : pkcs1Verify(pub, hash, digest, sig);
}

const privateKeyOf = (k: KeyRec) => createPrivateKey({ key: Buffer.from(currentMaterial(k).secret, "base64"), format: "der", type: "pkcs8" });
const publicKeyOf = (k: KeyRec) => createPublicKey({ key: Buffer.from(currentMaterial(k).publicKey!, "base64"), format: "der", type: "spki" });

export const asymmetric = {
  sign({ KeyId, Message, MessageType, SigningAlgorithm, DryRun }, ctx) {
    const { k, hash } = signingKey(ctx, KeyId, SigningAlgorithm, "Sign");
    const msg = Buffer.from(Message);
    digestOf(msg, MessageType, hash, SigningAlgorithm);
    dryRun(DryRun);
    return { KeyId: keyArn(ctx, k.id), Signature: signDigest(privateKeyOf(k), SigningAlgorithm, hash, msg, MessageType), SigningAlgorithm };
  },

  verify({ KeyId, Message, MessageType, Signature, SigningAlgorithm, DryRun }, ctx) {
    const { k, hash } = signingKey(ctx, KeyId, SigningAlgorithm, "Verify");
    const msg = Buffer.from(Message);
    digestOf(msg, MessageType, hash, SigningAlgorithm);
    dryRun(DryRun);
    // KMS never answers SignatureValid: false; an invalid signature is an error.
    if (!verifyDigest(publicKeyOf(k), SigningAlgorithm, hash, msg, MessageType, Buffer.from(Signature))) throw new KMSInvalidSignatureException();
    return { KeyId: keyArn(ctx, k.id), SignatureValid: true, SigningAlgorithm };
  },

  getPublicKey({ KeyId }, ctx) {
    const k = resolveKey(ctx, KeyId);
    mustBeUsable(ctx, k);
    const m = currentMaterial(k);
    if (!m.publicKey) throw new UnsupportedOperationException(`${keyArn(ctx, k.id)} key usage is ${k.keyUsage} which is not valid for GetPublicKey.`);
    return {
      KeyId: keyArn(ctx, k.id),
      PublicKey: Buffer.from(m.publicKey, "base64"),
      CustomerMasterKeySpec: k.keySpec as "RSA_2048",
      KeySpec: k.keySpec,
      KeyUsage: k.keyUsage,
      ...(encryptionAlgorithms(k.keySpec, k.keyUsage) ? { EncryptionAlgorithms: encryptionAlgorithms(k.keySpec, k.keyUsage) } : {}),
      ...(signingAlgorithms(k.keySpec, k.keyUsage) ? { SigningAlgorithms: signingAlgorithms(k.keySpec, k.keyUsage) } : {}),
      ...(k.keyUsage === "KEY_AGREEMENT" ? { KeyAgreementAlgorithms: ["ECDH" as const] } : {}),
    };
  },
} satisfies Partial<KmsApi>;
