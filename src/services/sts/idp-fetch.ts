// Fetching an identity provider's documents (OIDC discovery, JWKS) over HTTPS the way STS trusts an IdP: a
// certificate chain trusted by the public CAs, or — for an IdP whose certificate no public CA signed — a certificate
// in the chain whose SHA-1 fingerprint is one of the IAM provider's thumbprints
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html).
import { lazy } from "../../core/lazy.js";
import type { DetailedPeerCertificate, TLSSocket } from "node:tls";

// Loaded on the first fetch: node:https (and TLS under it) would cost every start's first STS call ~2 ms.
const https = lazy<typeof import("node:https")>("node:https");

export class IdpUnreachable extends Error {}

const TIMEOUT_MS = 3000;
const MAX_BYTES = 1 << 20;

const norm = (fp: string) => fp.replace(/:/g, "").toLowerCase();

function chainFingerprints(socket: TLSSocket): string[] {
  const out: string[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert?.fingerprint && !seen.has(cert.fingerprint)) {
    seen.add(cert.fingerprint);
    out.push(norm(cert.fingerprint));
    cert = cert.issuerCertificate;
  }
  return out;
}

/** GETs `url` (https only) and parses its JSON; IdpUnreachable when it cannot be fetched or trusted. */
export function fetchIdpJson(url: string, thumbprints: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return reject(new IdpUnreachable(`not a URL: ${url}`));
    }
    if (u.protocol !== "https:") return reject(new IdpUnreachable(`not https: ${url}`));
    const trusted = new Set(thumbprints.map(norm));
    const { request } = https();
    const req = request(u, { method: "GET", rejectUnauthorized: false, agent: false, timeout: TIMEOUT_MS, headers: { accept: "application/json" } }, (res) => {
      // A fresh connection each time (agent: false): a resumed TLS session would not show the certificate again.
      const socket = res.socket as TLSSocket;
      if (!socket.authorized && !chainFingerprints(socket).some((fp) => trusted.has(fp))) {
        res.destroy();
        return reject(new IdpUnreachable(`certificate of ${u.host} is neither publicly trusted nor one of the provider's thumbprints`));
      }
      if ((res.statusCode ?? 0) >= 300) {
        res.resume();
        return reject(new IdpUnreachable(`${url} answered ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BYTES) res.destroy(new Error("too large"));
        else chunks.push(c);
      });
      res.on("error", (e) => reject(new IdpUnreachable(e.message)));
      res.on("end", () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch {
          reject(new IdpUnreachable(`${url} is not JSON`));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (e) => reject(new IdpUnreachable(e.message)));
    req.end();
  });
}
