// SNS's signing identity: one RSA-2048 key and a self-signed X.509 v3 certificate per data dir, built with a
// minimal DER encoder because node:crypto can verify certificates but cannot issue them.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { Table } from "../../core/store/types.js";

// --- DER: tag-length-value, definite lengths only (all X.509 needs) ---
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
const bits = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

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

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "") + "Z"; // 20240102030405Z
  const year = new Date(ms).getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2))) : tlv(0x18, Buffer.from(digits));
}

const SHA256_WITH_RSA = seq(oid("1.2.840.113549.1.1.11"), nul());
const name = (cn: string) => seq(set(seq(oid("2.5.4.3"), utf8(cn))), set(seq(oid("2.5.4.10"), utf8("Stratus"))));

/** A self-signed v3 certificate (DER) for `publicKey`, signed with SHA256withRSA by `privateKey`. */
export function selfSignedCertificate(privateKey: KeyObject, publicKey: KeyObject, cn: string, notBefore: number, notAfter: number): Buffer {
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const extensions = seq(
    // basicConstraints: not a CA (critical); keyUsage: digitalSignature (critical).
    seq(oid("2.5.29.19"), bool(true), octets(seq())),
    seq(oid("2.5.29.15"), bool(true), octets(tlv(0x03, Buffer.from([0x07, 0x80])))),
  );
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    SHA256_WITH_RSA,
    name(cn),
    seq(time(notBefore), time(notAfter)),
    name(cn),
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, extensions),
  );
  return seq(tbs, SHA256_WITH_RSA, bits(sign("sha256", tbs, privateKey)));
}

export const toPem = (der: Buffer, label = "CERTIFICATE") =>
  `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{1,64}/g, "$&\n")}-----END ${label}-----\n`;

// --- persisted per data dir (global scope), kept by the running service ---
export interface SigningRec {
  keyPem: string;
  certPem: string;
}

export interface SigningIdentity {
  key: KeyObject;
  certPem: string;
}

const TEN_YEARS = 10 * 365 * 24 * 3600 * 1000;

/** The server's signing key and certificate: made on first use, stored in `table` (sns:signing), then kept in memory. */
export class SigningKeys {
  private id?: SigningIdentity;

  constructor(private readonly table: Table<SigningRec>) {}

  identity(now = Date.now()): SigningIdentity {
    if (this.id) return this.id;
    const table = this.table;
    let rec = table.get("certificate");
    if (!rec) {
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const der = selfSignedCertificate(privateKey, publicKey, "sns.amazonaws.com", now - 24 * 3600 * 1000, now + TEN_YEARS);
      rec = { keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string, certPem: toPem(der) };
      // Two racing first uses must agree on one key: keep whichever landed first.
      if (!table.insert("certificate", rec)) rec = table.get("certificate")!;
    }
    this.id = { key: createPrivateKey(rec.keyPem), certPem: rec.certPem };
    return this.id;
  }

  /** Signs the canonical string: SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA; base64 as AWS sends it. */
  sign(canonical: string, version: "1" | "2"): string {
    return sign(version === "2" ? "sha256" : "sha1", Buffer.from(canonical, "utf8"), this.identity().key).toString("base64");
  }
}
