// SNS's signing identity: one RSA-2048 key and a self-signed X.509 v3 certificate (core/x509.ts) per data dir.
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { selfSignedCertificate } from "../../core/x509.js";
import type { Table } from "../../core/store/types.js";

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
      const certPem = selfSignedCertificate({
        privateKey,
        publicKey,
        commonName: "sns.amazonaws.com",
        notBefore: now - 24 * 3600 * 1000,
        notAfter: now + TEN_YEARS,
        use: "signing",
      });
      rec = { keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string, certPem };
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
