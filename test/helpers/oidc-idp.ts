// A tiny OpenID Connect identity provider for tests: an HTTPS server on 127.0.0.1 with a self-signed certificate
// (made by the openssl CLI), serving /.well-known/openid-configuration and its JWKS, and signing ID tokens with an
// RSA key from node:crypto. Its issuer is https://127.0.0.1:<port><path>; the certificate's SHA-1 thumbprint is what
// an IAM OIDC provider must list for STS to trust the IdP.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject, sign, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestIdp {
  issuer: string;
  /** The certificate's SHA-1 fingerprint, 40 lower-case hex digits. */
  thumbprint: string;
  /** A signed ID token with these claims (iss defaults to the issuer, exp to an hour from now). */
  token(claims: Record<string, unknown>, opts?: { key?: KeyObject; kid?: string }): string;
  /** A key the IdP does not publish, to sign tokens whose signature must fail. */
  foreignKey: KeyObject;
  close(): Promise<void>;
}

/** A self-signed certificate and key for 127.0.0.1, in PEM. */
export function selfSignedCertificate(cn = "127.0.0.1"): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), "stratus-cert-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2", "-subj", `/CN=${cn}`],
      { stdio: "ignore" },
    );
    return { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startTestIdp(path = "/issuer"): Promise<TestIdp> {
  const tls = selfSignedCertificate();
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const foreign = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "test-key-1";
  let issuer = "";
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    if (req.url === `${path}/.well-known/openid-configuration`) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks.json`, id_token_signing_alg_values_supported: ["RS256"] }));
    } else if (req.url === `${path}/jwks.json`) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" }] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  issuer = `https://127.0.0.1:${port}${path}`;
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return {
    issuer,
    thumbprint: new X509Certificate(tls.cert).fingerprint.replace(/:/g, "").toLowerCase(),
    foreignKey: foreign.privateKey,
    token(claims, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const header = b64({ alg: "RS256", typ: "JWT", kid: opts.kid ?? kid });
      const body = b64({ iss: issuer, iat: now, exp: now + 3600, ...claims });
      const signature = sign("sha256", Buffer.from(`${header}.${body}`), opts.key ?? privateKey).toString("base64url");
      return `${header}.${body}.${signature}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
