// Signing a digest the caller already computed (MessageType DIGEST): node:crypto always hashes, so the last step is done here —
// RSA through raw private/public key operations (PKCS#1 v1.5 DigestInfo, EMSA-PSS per RFC 8017), ECDSA in BigInt over the curve.
import { constants, createHash, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";

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
interface Curve {
  p: bigint;
  a: bigint;
  n: bigint;
  g: [bigint, bigint];
}
const hex = (s: string) => BigInt("0x" + s);
const CURVES: Record<string, Curve> = {
  "P-256": {
    p: hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
    a: hex("ffffffff00000001000000000000000000000000fffffffffffffffffffffffc"),
    n: hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
    g: [hex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"), hex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")],
  },
  "P-384": {
    p: hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff"),
    a: hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc"),
    n: hex("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
    g: [
      hex("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7"),
      hex("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f"),
    ],
  },
  "P-521": {
    p: (1n << 521n) - 1n,
    a: (1n << 521n) - 4n,
    n: hex("01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"),
    g: [
      hex("00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66"),
      hex("011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650"),
    ],
  },
  secp256k1: {
    p: hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"),
    a: 0n,
    n: hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
    g: [hex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"), hex("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")],
  },
};

type Pt = [bigint, bigint] | null;
const mod = (x: bigint, m: bigint) => ((x % m) + m) % m;
function inv(x: bigint, m: bigint): bigint {
  let [a, b, u, v] = [mod(x, m), m, 1n, 0n];
  while (b) {
    const q = a / b;
    [a, b, u, v] = [b, a - q * b, v, u - q * v];
  }
  return mod(u, m);
}
function add(c: Curve, P: Pt, Q: Pt): Pt {
  if (!P) return Q;
  if (!Q) return P;
  if (P[0] === Q[0] && mod(P[1] + Q[1], c.p) === 0n) return null;
  const l = P[0] === Q[0] && P[1] === Q[1] ? mod((3n * P[0] * P[0] + c.a) * inv(2n * P[1], c.p), c.p) : mod((Q[1] - P[1]) * inv(Q[0] - P[0], c.p), c.p);
  const x = mod(l * l - P[0] - Q[0], c.p);
  return [x, mod(l * (P[0] - x) - P[1], c.p)];
}
function mul(c: Curve, k: bigint, P: Pt): Pt {
  let R: Pt = null;
  for (let Q = P; k > 0n; k >>= 1n, Q = add(c, Q, Q)) if (k & 1n) R = add(c, R, Q);
  return R;
}
const b64 = (s: string) => BigInt("0x" + (Buffer.from(s, "base64url").toString("hex") || "0"));

/** The digest as an integer, truncated to the order's bit length (FIPS 186-4 §6.4). */
function e(c: Curve, digest: Buffer): bigint {
  const nBits = c.n.toString(2).length;
  let z = BigInt("0x" + (digest.toString("hex") || "0"));
  if (digest.length * 8 > nBits) z >>= BigInt(digest.length * 8 - nBits);
  return z;
}

function derInt(x: bigint): Buffer {
  let h = x.toString(16);
  if (h.length % 2) h = "0" + h;
  let b = Buffer.from(h, "hex");
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return Buffer.concat([Buffer.from([0x02, b.length]), b]);
}
function derLen(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([0x81, n]);
}

export function ecdsaSign(key: KeyObject, digest: Buffer): Buffer {
  const jwk = key.export({ format: "jwk" });
  const c = CURVES[jwk.crv!];
  const d = b64(jwk.d!);
  for (;;) {
    const k = mod(BigInt("0x" + randomBytes(Math.ceil(c.n.toString(2).length / 8) + 8).toString("hex")), c.n - 1n) + 1n;
    const R = mul(c, k, c.g)!;
    const r = mod(R[0], c.n);
    if (r === 0n) continue;
    const s = mod(inv(k, c.n) * (e(c, digest) + r * d), c.n);
    if (s === 0n) continue;
    const body = Buffer.concat([derInt(r), derInt(s)]);
    return Buffer.concat([Buffer.from([0x30]), derLen(body.length), body]);
  }
}

function parseDerSig(sig: Buffer): [bigint, bigint] | undefined {
  try {
    let i = 0;
    if (sig[i++] !== 0x30) return undefined;
    let len = sig[i++];
    if (len === 0x81) len = sig[i++];
    if (i + len !== sig.length) return undefined;
    const out: bigint[] = [];
    for (let j = 0; j < 2; j++) {
      if (sig[i++] !== 0x02) return undefined;
      const l = sig[i++];
      out.push(BigInt("0x" + (sig.subarray(i, i + l).toString("hex") || "0")));
      i += l;
    }
    return i === sig.length ? [out[0], out[1]] : undefined;
  } catch {
    return undefined;
  }
}

export function ecdsaVerify(key: KeyObject, digest: Buffer, sig: Buffer): boolean {
  const jwk = key.export({ format: "jwk" });
  const c = CURVES[jwk.crv!];
  const rs = parseDerSig(sig);
  if (!rs) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const w = inv(s, c.n);
  const X = add(c, mul(c, mod(e(c, digest) * w, c.n), c.g), mul(c, mod(r * w, c.n), [b64(jwk.x!), b64(jwk.y!)]));
  return !!X && mod(X[0], c.n) === r;
}
