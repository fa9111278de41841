// Signing a digest the caller already computed (MessageType DIGEST): node:crypto always hashes, so the last step is done here —
// RSA through raw private/public key operations (PKCS#1 v1.5 DigestInfo, EMSA-PSS per RFC 8017), ECDSA with @noble/curves.
import { constants, createHash, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual, type JsonWebKey, type KeyObject } from "node:crypto";
import type { ECDSA } from "@noble/curves/abstract/weierstrass.js";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";

export type Hash = "sha256" | "sha384" | "sha512";
const H_LEN: Record<Hash, number> = { sha256: 32, sha384: 48, sha512: 64 };
// DER DigestInfo prefixes (RFC 8017 §9.2 note 1).
const DIGEST_INFO: Record<Hash, string> = {
  sha256: "3031300d060960864801650304020105000420",
  sha384: "3041300d060960864801650304020205000430",
  sha512: "3051300d060960864801650304020305000440",
};

export function pkcs1Sign(key: KeyObject, hash: Hash, digest: Buffer): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(DIGEST_INFO[hash], "hex"), digest]));
}

export function pkcs1Verify(key: KeyObject, hash: Hash, digest: Buffer, sig: Buffer): boolean {
  try {
    const em = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig);
    const want = Buffer.concat([Buffer.from(DIGEST_INFO[hash], "hex"), digest]);
    return em.length === want.length && timingSafeEqual(em, want);
  } catch {
    return false;
  }
}

function mgf1(hash: Hash, seed: Buffer, len: number): Buffer {
  const out: Buffer[] = [];
  for (let c = 0; out.length * H_LEN[hash] < len; c++) {
    const ctr = Buffer.alloc(4);
    ctr.writeUInt32BE(c);
    out.push(createHash(hash).update(seed).update(ctr).digest());
  }
  return Buffer.concat(out).subarray(0, len);
}

const modBits = (key: KeyObject) => key.asymmetricKeyDetails!.modulusLength!;

/** EMSA-PSS with the salt as long as the hash, as KMS signs. */
export function pssSign(key: KeyObject, hash: Hash, digest: Buffer): Buffer {
  const hLen = H_LEN[hash];
  const emBits = modBits(key) - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const masked = mgf1(hash, h, db.length).map((b, i) => b ^ db[i]);
  masked[0] &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([Buffer.from(masked), h, Buffer.from([0xbc])]);
  const k = modBits(key) / 8;
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.alloc(k - em.length), em]));
}

export function pssVerify(key: KeyObject, hash: Hash, digest: Buffer, sig: Buffer): boolean {
  const hLen = H_LEN[hash];
  const emBits = modBits(key) - 1;
  const emLen = Math.ceil(emBits / 8);
  let raw: Buffer;
  try {
    raw = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, sig);
  } catch {
    return false;
  }
  const em = raw.subarray(raw.length - emLen);
  if (em[em.length - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const db = mgf1(hash, h, maskedDb.length).map((b, i) => b ^ maskedDb[i]);
  db[0] &= 0xff >> (8 * emLen - emBits);
  const ps = db.subarray(0, emLen - 2 * hLen - 2);
  if (ps.some((b) => b !== 0) || db[emLen - 2 * hLen - 2] !== 1) return false;
  const salt = db.subarray(db.length - hLen);
  const h2 = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  return timingSafeEqual(h, h2);
}

// --- ECDSA over a prehashed digest ---------------------------------------------------------------
// @noble/curves with prehash: false takes the digest as is (truncated to the order's bit length, FIPS 186-4 §6.4).
// Signatures are DER, as KMS answers; high-S ones are made and accepted, as OpenSSL (and KMS) do.
const CURVES: Record<string, ECDSA> = { "P-256": p256, "P-384": p384, "P-521": p521, secp256k1 };

function curveOf(key: KeyObject): { curve: ECDSA; jwk: JsonWebKey } {
  const jwk = key.export({ format: "jwk" });
  const curve = CURVES[jwk.crv!];
  if (!curve) throw new Error(`no prehashed ECDSA for curve ${jwk.crv}`);
  return { curve, jwk };
}
const b64 = (s: string) => Buffer.from(s, "base64url");

export function ecdsaSign(key: KeyObject, digest: Buffer): Buffer {
  const { curve, jwk } = curveOf(key);
  return Buffer.from(curve.sign(digest, b64(jwk.d!), { prehash: false, lowS: false, format: "der", extraEntropy: true }));
}

export function ecdsaVerify(key: KeyObject, digest: Buffer, sig: Buffer): boolean {
  const { curve, jwk } = curveOf(key);
  const point = Buffer.concat([Buffer.from([4]), b64(jwk.x!), b64(jwk.y!)]);
  try {
    return curve.verify(sig, digest, point, { prehash: false, lowS: false, format: "der" });
  } catch {
    return false; // not DER, or not a point of the curve
  }
}
