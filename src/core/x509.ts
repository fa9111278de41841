// Self-signed X.509 v3 certificates, built in-process: node:crypto can parse and verify certificates but cannot
// issue them, and Stratus depends on no CLI (openssl) for it. A minimal DER encoder is all X.509 needs. Used by
// SNS (its SigningCertURL certificate) and API Gateway (GenerateClientCertificate).
import { createHash, type KeyObject, randomBytes, sign } from "node:crypto";

// --- DER: tag-length-value, definite lengths only ---
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
const nul = () => Buffer.from([0x05, 0x00]);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));

/** A positive INTEGER from big-endian bytes: strip leading zeros, add one back if the high bit is set. */
function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let body = b.subarray(i);
  if (body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(0x02, body);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds. */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const digits = `${iso.slice(0, 19).replace(/[-:T]/g, "")}Z`; // 20240102030405Z
  return new Date(ms).getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2))) : tlv(0x18, Buffer.from(digits));
}

const SHA256_WITH_RSA = seq(oid("1.2.840.113549.1.1.11"), nul());
const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** keyUsage bits (RFC 5280 4.2.1.3), as a DER BIT STRING with its unused trailing bits counted. */
function keyUsage(...bitNumbers: number[]): Buffer {
  const top = Math.max(...bitNumbers);
  const body = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const b of bitNumbers) body[Math.floor(b / 8)] |= 0x80 >> (b % 8);
  return bits(body, 7 - (top % 8));
}
const DIGITAL_SIGNATURE = 0;
const KEY_ENCIPHERMENT = 2;
const KEY_CERT_SIGN = 5;

/**
 * What the certificate is for:
 * - "signing": the key signs data (SNS's messages); not a CA; keyUsage digitalSignature.
 * - "tls-client": a TLS client certificate a server can trust directly (API Gateway's client certificates, which
 *   a backend configures as the one certificate it accepts): its own trust anchor, so basicConstraints CA with
 *   keyCertSign, plus digitalSignature/keyEncipherment and extendedKeyUsage clientAuth.
 */
export type CertificateUse = "signing" | "tls-client";

export interface SelfSignedCertificate {
  /** An RSA key pair: the certificate holds `publicKey` and is signed (SHA256withRSA) by `privateKey`. */
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Subject (and issuer) common name; the organization is "Stratus". */
  commonName: string;
  /** Validity, epoch ms (whole seconds are kept). */
  notBefore: number;
  notAfter: number;
  use: CertificateUse;
}

/** A self-signed X.509 v3 certificate, PEM. */
export function selfSignedCertificate(c: SelfSignedCertificate): string {
  if (c.privateKey.asymmetricKeyType !== "rsa" || c.publicKey.asymmetricKeyType !== "rsa")
    throw new Error("selfSignedCertificate: only RSA keys are supported");
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const spki = c.publicKey.export({ type: "spki", format: "der" });
  const name = seq(set(seq(oid("2.5.4.10"), utf8("Stratus"))), set(seq(oid("2.5.4.3"), utf8(c.commonName))));
  // subjectKeyIdentifier: SHA-1 of the subjectPublicKey BIT STRING's contents (RFC 5280 4.2.1.2, method 1); the
  // SPKI's last element is that BIT STRING, whose contents follow its tag, length and unused-bits byte.
  const keyId = createHash("sha1").update(subjectPublicKeyBits(spki)).digest();
  const extensions =
    c.use === "signing"
      ? [ext("2.5.29.19", true, seq()), ext("2.5.29.15", true, keyUsage(DIGITAL_SIGNATURE))]
      : [
          ext("2.5.29.19", true, seq(bool(true))),
          ext("2.5.29.15", true, keyUsage(DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, KEY_CERT_SIGN)),
          ext("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.2"))),
          ext("2.5.29.14", false, octets(keyId)),
          ext("2.5.29.35", false, seq(tlv(0x80, keyId))),
        ];
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    SHA256_WITH_RSA,
    name,
    seq(time(c.notBefore), time(c.notAfter)),
    name,
    spki,
    explicit(3, seq(...extensions)),
  );
  const der = seq(tbs, SHA256_WITH_RSA, bits(sign("sha256", tbs, c.privateKey)));
  return `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`;
}

/** The subjectPublicKey BIT STRING's contents (without the unused-bits byte) of a DER SubjectPublicKeyInfo. */
function subjectPublicKeyBits(spki: Buffer): Buffer {
  const [, bodyStart] = header(spki, 0); // SEQUENCE
  const [algLen, algStart] = header(spki, bodyStart); // AlgorithmIdentifier
  const [keyLen, keyStart] = header(spki, algStart + algLen); // BIT STRING
  return spki.subarray(keyStart + 1, keyStart + keyLen);
}

/** A DER element's content length and where its content starts. */
function header(der: Buffer, at: number): [number, number] {
  const first = der[at + 1];
  if (first < 0x80) return [first, at + 2];
  let n = 0;
  for (let i = 0; i < (first & 0x7f); i++) n = n * 256 + der[at + 2 + i];
  return [n, at + 2 + (first & 0x7f)];
}
