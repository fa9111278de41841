// Client certificates (GenerateClientCertificate and its Get/Update/Delete): API Gateway's own self-signed
// certificate an HTTP backend can check the gateway by. Stratus issues a real RSA-2048 X.509 certificate, valid
// for 365 days as AWS's are, with the openssl command (node:crypto cannot issue certificates); without openssl the
// operation fails saying so.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ServiceError } from "../../core/errors.js";
import { type ApiGatewayApi, type ClientCertificate, NotFoundException } from "./api.generated.js";
import { applyPatches, page, replaceOnly } from "./data-patch.js";
import { type ClientCertificateRec, newId, tables } from "./state.js";

const run = promisify(execFile);
const DAYS = 365;

async function issue(id: string): Promise<{ cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), "stratus-apigw-cert-"));
  try {
    const keyFile = join(dir, "key.pem");
    const certFile = join(dir, "cert.pem");
    await run(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", String(DAYS), "-subj", `/O=Stratus/CN=${id}`],
      {
        timeout: 30_000,
      },
    );
    return { cert: await readFile(certFile, "utf8"), key: await readFile(keyFile, "utf8") };
  } catch (e) {
    throw new ServiceError(
      "InternalFailure",
      `Stratus could not issue the client certificate: the openssl command failed (${(e as Error).message.split("\n")[0]})`,
      500,
      {
        senderFault: false,
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const certOut = (c: ClientCertificateRec): ClientCertificate => ({
  clientCertificateId: c.clientCertificateId,
  ...(c.description ? { description: c.description } : {}),
  pemEncodedCertificate: c.pemEncodedCertificate,
  createdDate: new Date(c.createdDate),
  expirationDate: new Date(c.expirationDate),
  tags: c.tags,
});

function getCert(ctx: Parameters<ApiGatewayApi["getClientCertificate"]>[1], id: string): ClientCertificateRec {
  const c = tables(ctx).clientCertificates.get(id);
  if (!c) throw new NotFoundException("Invalid Client Certificate identifier specified"); // unverified wording
  return c;
}

export const clientCertificates = {
  async generateClientCertificate(input, ctx) {
    const id = newId(6);
    const { cert, key } = await issue(id);
    const now = ctx.now();
    const rec: ClientCertificateRec = {
      clientCertificateId: id,
      ...(input.description ? { description: input.description } : {}),
      pemEncodedCertificate: cert,
      privateKeyPem: key,
      createdDate: now,
      expirationDate: now + DAYS * 24 * 3600 * 1000,
      tags: input.tags ?? {},
    };
    tables(ctx).clientCertificates.put(id, rec);
    return certOut(rec);
  },

  getClientCertificate(input, ctx) {
    return certOut(getCert(ctx, input.clientCertificateId));
  },

  getClientCertificates(input, ctx) {
    const all = tables(ctx)
      .clientCertificates.list()
      .map((e) => e.value);
    const out = page("GetClientCertificates", all, (c) => c.clientCertificateId, input.position, input.limit);
    return { ...out, items: out.items.map(certOut) };
  },

  updateClientCertificate(input, ctx) {
    const c = { ...getCert(ctx, input.clientCertificateId) };
    applyPatches(input.patchOperations, {
      "/description": replaceOnly("/description", (v) => {
        if (v) c.description = v;
        else delete c.description;
      }),
    });
    tables(ctx).clientCertificates.put(c.clientCertificateId, c);
    return certOut(c);
  },

  deleteClientCertificate(input, ctx) {
    getCert(ctx, input.clientCertificateId);
    tables(ctx).clientCertificates.delete(input.clientCertificateId);
    return {};
  },
} satisfies Partial<ApiGatewayApi>;
