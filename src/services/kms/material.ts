// Key material (symmetric, HMAC, RSA, ECC) and Stratus's symmetric ciphertext blob: AES-256-GCM, the header naming account, region, key and material version.
import { createCipheriv, createDecipheriv, generateKeyPairSync, randomBytes } from "node:crypto";
import type { EncryptionAlgorithmSpec, KeySpec, KeyUsageType, MacAlgorithmSpec, SigningAlgorithmSpec } from "./api.generated.js";
import { UnsupportedOperationException } from "./api.generated.js";
import type { MaterialRec } from "./state.js";
import { validationError } from "./state.js";

const RSA_BITS: Partial<Record<KeySpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
export const EC_CURVES: Record<string, string> = {
  ECC_NIST_P256: "prime256v1",
  ECC_NIST_P384: "secp384r1",
  ECC_NIST_P521: "secp521r1",
  ECC_SECG_P256K1: "secp256k1",
};
const HMAC_BYTES: Partial<Record<KeySpec, number>> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };
export const HMAC_ALG: Partial<Record<KeySpec, MacAlgorithmSpec>> = {
  HMAC_224: "HMAC_SHA_224",
  HMAC_256: "HMAC_SHA_256",
  HMAC_384: "HMAC_SHA_384",
  HMAC_512: "HMAC_SHA_512",
};

export const isRsa = (s: KeySpec) => s in RSA_BITS;
export const isEcc = (s: KeySpec) => s in EC_CURVES;
export const isHmac = (s: KeySpec) => s in HMAC_BYTES;

/** Which KeyUsage values AWS allows for each KeySpec; the first is the default (only symmetric has one). */
const USAGES: Partial<Record<KeySpec, KeyUsageType[]>> = {
  SYMMETRIC_DEFAULT: ["ENCRYPT_DECRYPT"],
  RSA_2048: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
  RSA_3072: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
  RSA_4096: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
  ECC_NIST_P256: ["SIGN_VERIFY", "KEY_AGREEMENT"],
  ECC_NIST_P384: ["SIGN_VERIFY", "KEY_AGREEMENT"],
  ECC_NIST_P521: ["SIGN_VERIFY", "KEY_AGREEMENT"],
  ECC_SECG_P256K1: ["SIGN_VERIFY"],
  HMAC_224: ["GENERATE_VERIFY_MAC"],
  HMAC_256: ["GENERATE_VERIFY_MAC"],
  HMAC_384: ["GENERATE_VERIFY_MAC"],
  HMAC_512: ["GENERATE_VERIFY_MAC"],
};

/** Checks a KeySpec/KeyUsage pair as CreateKey does; returns the usage to store. */
export function checkSpecUsage(spec: KeySpec, usage: KeyUsageType | undefined): KeyUsageType {
  const allowed = USAGES[spec];
  if (!allowed) throw new UnsupportedOperationException(`KeySpec ${spec} is not supported in this region.`);
  const u = usage ?? (spec === "SYMMETRIC_DEFAULT" ? "ENCRYPT_DECRYPT" : undefined);
  if (!u) throw validationError(`You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.`);
  if (!allowed.includes(u)) throw validationError(`KeyUsage ${u} is not compatible with KeySpec ${spec}`);
  return u;
}

/** Fresh material for a key spec (asymmetric keys get PKCS#8 + SPKI DER). */
export function newMaterial(spec: KeySpec, createdAt: number, rotationType?: MaterialRec["rotationType"]): MaterialRec {
  const id = randomBytes(32).toString("hex");
  const base = { id, createdAt, ...(rotationType ? { rotationType } : {}) };
  if (spec === "SYMMETRIC_DEFAULT") return { ...base, secret: randomBytes(32).toString("base64") };
  const hmac = HMAC_BYTES[spec];
  if (hmac) return { ...base, secret: randomBytes(hmac).toString("base64") };
  const pair = generatePair(spec);
  return { ...base, secret: pair.privateKey.toString("base64"), publicKey: pair.publicKey.toString("base64") };
}

/** A DER key pair for a KMS key spec or a data key pair spec. */
export function generatePair(spec: string): { privateKey: Buffer; publicKey: Buffer } {
  const pub = { type: "spki", format: "der" } as const;
  const priv = { type: "pkcs8", format: "der" } as const;
  const bits = RSA_BITS[spec as KeySpec];
  if (bits) return generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: 65537, publicKeyEncoding: pub, privateKeyEncoding: priv });
  const curve = EC_CURVES[spec];
  if (curve) return generateKeyPairSync("ec", { namedCurve: curve, publicKeyEncoding: pub, privateKeyEncoding: priv });
  if (spec === "ECC_NIST_EDWARDS25519") return generateKeyPairSync("ed25519", { publicKeyEncoding: pub, privateKeyEncoding: priv });
  throw new UnsupportedOperationException(`${spec} is not supported in this region.`);
}

export function encryptionAlgorithms(spec: KeySpec, usage: KeyUsageType): EncryptionAlgorithmSpec[] | undefined {
  if (usage !== "ENCRYPT_DECRYPT") return undefined;
  return spec === "SYMMETRIC_DEFAULT" ? ["SYMMETRIC_DEFAULT"] : ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
}

export function signingAlgorithms(spec: KeySpec, usage: KeyUsageType): SigningAlgorithmSpec[] | undefined {
  if (usage !== "SIGN_VERIFY") return undefined;
  if (isRsa(spec))
    return [
      "RSASSA_PKCS1_V1_5_SHA_256",
      "RSASSA_PKCS1_V1_5_SHA_384",
      "RSASSA_PKCS1_V1_5_SHA_512",
      "RSASSA_PSS_SHA_256",
      "RSASSA_PSS_SHA_384",
      "RSASSA_PSS_SHA_512",
    ];
  if (spec === "ECC_NIST_P384") return ["ECDSA_SHA_384"];
  if (spec === "ECC_NIST_P521") return ["ECDSA_SHA_512"];
  return ["ECDSA_SHA_256"];
}

// --- the symmetric ciphertext blob -------------------------------------------------------------
// magic "STR" + version 1 | account (6 bytes) | region length + ASCII | id kind (0 UUID, 1 mrk-) | key id (16) | material index (2) | IV (12) | tag (16) | ciphertext
// The header and the canonical encryption context are the AES-GCM additional data, so changing either fails authentication.
const MAGIC = Buffer.from([0x53, 0x54, 0x52, 0x01]);

export interface BlobHeader {
  account: string;
  region: string;
  keyId: string;
  material: number;
}

/** Canonical encryption context: keys sorted, then a JSON array of pairs — so map order never matters. */
export function canonicalContext(ec: Record<string, string> | undefined): Buffer {
  const pairs = Object.entries(ec ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs), "utf8");
}

function header(h: BlobHeader): Buffer {
  const acct = Buffer.alloc(6);
  acct.writeUIntBE(Number(h.account), 0, 6);
  const region = Buffer.from(h.region, "ascii");
  const idx = Buffer.alloc(2);
  idx.writeUInt16BE(h.material);
  const mrk = h.keyId.startsWith("mrk-");
  const id = Buffer.from((mrk ? h.keyId.slice(4) : h.keyId).replace(/-/g, ""), "hex");
  return Buffer.concat([MAGIC, acct, Buffer.from([region.length]), region, Buffer.from([mrk ? 1 : 0]), id, idx]);
}

export function sealBlob(h: BlobHeader, key: Buffer, plaintext: Buffer, ec: Record<string, string> | undefined): Buffer {
  const head = header(h);
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(Buffer.concat([head, canonicalContext(ec)]));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([head, iv, c.getAuthTag(), body]);
}

/** Reads the header of a blob Stratus made; undefined for anything else. */
export function parseBlob(blob: Buffer): (BlobHeader & { head: Buffer; rest: Buffer }) | undefined {
  if (blob.length < 4 + 6 + 1 || !blob.subarray(0, 4).equals(MAGIC)) return undefined;
  const account = String(blob.readUIntBE(4, 6)).padStart(12, "0");
  const rlen = blob[10];
  const end = 11 + rlen + 1 + 16 + 2;
  if (blob.length < end + 12 + 16) return undefined;
  const region = blob.subarray(11, 11 + rlen).toString("ascii");
  const kind = blob[11 + rlen];
  const hex = blob.subarray(12 + rlen, 12 + rlen + 16).toString("hex");
  if (kind > 1) return undefined;
  const keyId = kind === 1 ? `mrk-${hex}` : `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { account, region, keyId, material: blob.readUInt16BE(end - 2), head: blob.subarray(0, end), rest: blob.subarray(end) };
}

/** Decrypts a parsed blob's body; undefined when authentication fails (tampering, wrong context, wrong key). */
export function openBlob(parsed: { head: Buffer; rest: Buffer }, key: Buffer, ec: Record<string, string> | undefined): Buffer | undefined {
  const iv = parsed.rest.subarray(0, 12);
  const tag = parsed.rest.subarray(12, 28);
  const body = parsed.rest.subarray(28);
  try {
    const d = createDecipheriv("aes-256-gcm", key, iv);
    d.setAAD(Buffer.concat([parsed.head, canonicalContext(ec)]));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(body), d.final()]);
  } catch {
    return undefined;
  }
}
