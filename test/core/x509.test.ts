// core/x509.ts: self-signed certificates that node:crypto parses and verifies, that a TLS server accepts as a
// client certificate it trusts directly, that Python's cryptography parses, and that cross the UTCTime/GeneralizedTime
// boundary of 2050.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { selfSignedCertificate } from "../../src/core/x509.js";

const rsa = () => generateKeyPairSync("rsa", { modulusLength: 2048 });
const DAY = 86_400_000;

test("a signing certificate: self-signed, not a CA, its subject and validity as asked", () => {
  const keys = rsa();
  const notBefore = Date.UTC(2026, 0, 2, 3, 4, 5);
  const pem = selfSignedCertificate({ ...keys, commonName: "sns.amazonaws.com", notBefore, notAfter: notBefore + 3650 * DAY, use: "signing" });
  assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
  const x = new X509Certificate(pem);
  assert.ok(x.verify(keys.publicKey));
  assert.ok(x.publicKey.equals(keys.publicKey));
  assert.equal(x.subject, "O=Stratus\nCN=sns.amazonaws.com");
  assert.equal(x.issuer, x.subject);
  assert.equal(x.ca, false);
  assert.equal(new Date(x.validFrom).getTime(), notBefore);
  assert.equal(new Date(x.validTo).getTime(), notBefore + 3650 * DAY);
  assert.notEqual(
    new X509Certificate(selfSignedCertificate({ ...keys, commonName: "a", notBefore, notAfter: notBefore + DAY, use: "signing" })).serialNumber,
    x.serialNumber,
  );
});

test("validity past 2049 is a GeneralizedTime; only RSA keys are taken", () => {
  const keys = rsa();
  const notBefore = Date.UTC(2049, 11, 31, 23, 59, 59);
  const x = new X509Certificate(selfSignedCertificate({ ...keys, commonName: "far", notBefore, notAfter: Date.UTC(2101, 5, 1), use: "signing" }));
  assert.equal(new Date(x.validFrom).getTime(), notBefore);
  assert.equal(new Date(x.validTo).getTime(), Date.UTC(2101, 5, 1));
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  assert.throws(() => selfSignedCertificate({ ...ec, commonName: "ec", notBefore, notAfter: notBefore + DAY, use: "signing" }), /only RSA/);
});

test("a TLS client certificate: a server that trusts exactly it authorizes the client that presents it", async (t) => {
  const now = Date.now();
  const client = rsa();
  const cert = selfSignedCertificate({ ...client, commonName: "abc123", notBefore: now, notAfter: now + 365 * DAY, use: "tls-client" });
  const x = new X509Certificate(cert);
  assert.equal(x.ca, true);
  assert.deepEqual(x.keyUsage, ["1.3.6.1.5.5.7.3.2"]);
  const server = rsa();
  const serverCert = selfSignedCertificate({ ...server, commonName: "127.0.0.1", notBefore: now, notAfter: now + DAY, use: "tls-client" });
  const https = createServer(
    { key: server.privateKey.export({ type: "pkcs8", format: "pem" }), cert: serverCert, ca: cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as import("node:tls").TLSSocket;
      res.end(JSON.stringify({ authorized: socket.authorized, error: socket.authorizationError ?? null, cn: socket.getPeerCertificate().subject?.CN }));
    },
  );
  await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => https.close(() => resolve())));
  const { port } = https.address() as AddressInfo;
  const call = (opts: { key?: string; cert?: string }) =>
    new Promise<unknown>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, rejectUnauthorized: false, ...opts }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve(JSON.parse(body)));
      });
      req.on("error", reject);
      req.end();
    });
  const key = client.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  assert.deepEqual(await call({ key, cert }), { authorized: true, error: null, cn: "abc123" });
  // Another certificate for the same name, not the trusted one, is refused.
  const other = rsa();
  const impostor = selfSignedCertificate({ ...other, commonName: "abc123", notBefore: now, notAfter: now + DAY, use: "tls-client" });
  const refused = (await call({ key: other.privateKey.export({ type: "pkcs8", format: "pem" }) as string, cert: impostor })) as { authorized: boolean };
  assert.equal(refused.authorized, false);
});

const noCryptography = spawnSync("python3", ["-c", "import cryptography"], { stdio: "ignore" }).status !== 0 && "python3 with cryptography not installed";

test("Python's cryptography reads the certificate's extensions", { skip: noCryptography }, () => {
  const now = Date.now();
  const pem = selfSignedCertificate({ ...rsa(), commonName: "py", notBefore: now, notAfter: now + DAY, use: "tls-client" });
  const script = `import sys
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
c = x509.load_pem_x509_certificate(sys.stdin.read().encode())
bc = c.extensions.get_extension_for_class(x509.BasicConstraints)
ku = c.extensions.get_extension_for_class(x509.KeyUsage).value
eku = c.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
ski = c.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
print(c.version.name, bc.critical, bc.value.ca, ku.digital_signature, ku.key_encipherment, ku.key_cert_sign, ku.crl_sign,
      list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH], ski == x509.SubjectKeyIdentifier.from_public_key(c.public_key()))`;
  const r = spawnSync("python3", ["-c", script], { input: pem, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "v3 True True True True True False True True");
});
