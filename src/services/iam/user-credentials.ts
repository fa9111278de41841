// An IAM user's other credentials: X.509 signing certificates (Upload/List/Update/DeleteSigningCertificate) and
// service-specific credentials (Create/List/Reset/Update/DeleteServiceSpecificCredential).
// AWS-recorded wording (LocalStack's tests/aws/services/iam/test_iam_signing_certificates.snapshot.json, 2026-02/03,
// and test_iam.snapshot.json TestIAMServiceSpecificCredentials, 2025-03): "Certificate <body> is malformed.";
// "The Certificate with id <id> cannot be found."; "Cannot exceed quota for CertificatesPerUser: 2"; "No such service
// <name> is supported for Service Specific Credentials" (NoSuchEntity); "No such credential <id> exists"; the
// service user name "<user>-at-<account>".
import { randomBytes, X509Certificate } from "node:crypto";
import { ServiceError } from "../../core/errors.js";
import type { HandlerContext } from "../../core/context.js";
import type { IamApi } from "./api.generated.js";
import { DuplicateCertificateException, LimitExceededException, MalformedCertificateException, NoSuchEntityException } from "./api.generated.js";
import { mustUser, page, toDate } from "./common.js";
import { k, nameKey, type ServiceCredentialRec, type SigningCertRec, tables } from "./state.js";

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const randomId = (prefix: string, n: number) => prefix + [...randomBytes(n)].map((b) => UPPER_ALNUM[b % UPPER_ALNUM.length]).join("");

/** The user a call is about: the named one, or the calling IAM user. */
function owner(ctx: HandlerContext, userName: string | undefined) {
  const name = userName ?? (ctx.principal.type === "IAMUser" ? ctx.principal.userName : undefined);
  if (!name) throw new ServiceError("ValidationError", "Must specify userName when calling with non-User credentials", 400);
  const user = mustUser(tables(ctx), name);
  return { user, key: nameKey(user.name) };
}

// Signing certificates.
const MAX_CERTS = 2;

const certOut = (c: SigningCertRec) => ({
  UserName: c.userName,
  CertificateId: c.id,
  CertificateBody: c.body,
  Status: c.status,
  UploadDate: toDate(c.uploadDate),
});

function mustCert(ctx: HandlerContext, userName: string | undefined, id: string) {
  const { key } = owner(ctx, userName);
  const rec = tables(ctx).signingCerts.get(k(key, id));
  if (!rec) throw new NoSuchEntityException(`The Certificate with id ${id} cannot be found.`);
  return { key: k(key, id), rec };
}

// Service-specific credentials: the services that issue them (CodeCommit Git credentials, Amazon Keyspaces), as
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_service-specific-creds.html lists them.
const CREDENTIAL_SERVICES = new Set(["codecommit.amazonaws.com", "cassandra.amazonaws.com"]);
const MAX_PER_SERVICE = 2;

function checkService(name: string) {
  if (!CREDENTIAL_SERVICES.has(name)) throw new NoSuchEntityException(`No such service ${name} is supported for Service Specific Credentials`);
}

// A service password: 60 characters of base64's alphabet ending in "=", the shape AWS issues.
const newServicePassword = () => `${randomBytes(44).toString("base64").replace(/=+$/, "").slice(0, 59)}=`;

const credentialMeta = (c: ServiceCredentialRec) => ({
  UserName: c.userName,
  Status: c.status,
  ServiceUserName: c.serviceUserName,
  CreateDate: toDate(c.createDate),
  ServiceSpecificCredentialId: c.id,
  ServiceName: c.serviceName,
});

function mustCredential(ctx: HandlerContext, userName: string | undefined, id: string) {
  const { key } = owner(ctx, userName);
  const rec = tables(ctx).serviceCredentials.get(k(key, id));
  if (!rec) throw new NoSuchEntityException(`No such credential ${id} exists`);
  return { key: k(key, id), rec };
}

export const userCredentials = {
  uploadSigningCertificate({ UserName, CertificateBody }, ctx) {
    const { user, key } = owner(ctx, UserName);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(CertificateBody);
    } catch {
      throw new MalformedCertificateException(`Certificate ${CertificateBody} is malformed.`);
    }
    const t = tables(ctx);
    const existing = t.signingCerts.list({ prefix: k(key, "") });
    // The same certificate twice: wording unverified.
    const fingerprint = cert.fingerprint256;
    if (existing.some((e) => new X509Certificate(e.value.body).fingerprint256 === fingerprint)) {
      throw new DuplicateCertificateException("The request was rejected because the same certificate is associated with an IAM user in the account.");
    }
    if (existing.length >= MAX_CERTS) throw new LimitExceededException(`Cannot exceed quota for CertificatesPerUser: ${MAX_CERTS}`);
    // Certificate ids are derived from nothing the caller controls; 32 upper-case alphanumerics.
    const id = randomId("", 32);
    const rec: SigningCertRec = { id, userName: user.name, body: CertificateBody, status: "Active", uploadDate: ctx.now() };
    t.signingCerts.put(k(key, id), rec);
    return { Certificate: certOut(rec) };
  },

  listSigningCertificates({ UserName, Marker, MaxItems }, ctx) {
    const { key } = owner(ctx, UserName);
    const p = page(ctx.operation, tables(ctx).signingCerts.list({ prefix: k(key, "") }), Marker, MaxItems);
    return { Certificates: p.items.map(certOut), IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  updateSigningCertificate({ UserName, CertificateId, Status }, ctx) {
    const { key, rec } = mustCert(ctx, UserName, CertificateId);
    tables(ctx).signingCerts.put(key, { ...rec, status: Status as SigningCertRec["status"] });
    return {};
  },

  deleteSigningCertificate({ UserName, CertificateId }, ctx) {
    const { key } = mustCert(ctx, UserName, CertificateId);
    tables(ctx).signingCerts.delete(key);
    return {};
  },

  createServiceSpecificCredential({ UserName, ServiceName }, ctx) {
    const { user, key } = owner(ctx, UserName);
    checkService(ServiceName);
    const t = tables(ctx);
    const mine = t.serviceCredentials.list({ prefix: k(key, "") }).filter((e) => e.value.serviceName === ServiceName);
    // Wording unverified.
    if (mine.length >= MAX_PER_SERVICE)
      throw new LimitExceededException(`Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: ${MAX_PER_SERVICE}`);
    const rec: ServiceCredentialRec = {
      id: randomId("ACCA", 17),
      userName: user.name,
      serviceName: ServiceName,
      serviceUserName: `${user.name}-at-${ctx.account}`,
      password: newServicePassword(),
      status: "Active",
      createDate: ctx.now(),
    };
    t.serviceCredentials.put(k(key, rec.id), rec);
    return { ServiceSpecificCredential: { ...credentialMeta(rec), ServicePassword: rec.password } };
  },

  listServiceSpecificCredentials({ UserName, ServiceName }, ctx) {
    const { key } = owner(ctx, UserName);
    if (ServiceName !== undefined) checkService(ServiceName);
    const all = tables(ctx)
      .serviceCredentials.list({ prefix: k(key, "") })
      .map((e) => e.value)
      .filter((c) => ServiceName === undefined || c.serviceName === ServiceName);
    return { ServiceSpecificCredentials: all.map(credentialMeta) };
  },

  resetServiceSpecificCredential({ UserName, ServiceSpecificCredentialId }, ctx) {
    const { key, rec } = mustCredential(ctx, UserName, ServiceSpecificCredentialId);
    const next = { ...rec, password: newServicePassword() };
    tables(ctx).serviceCredentials.put(key, next);
    return { ServiceSpecificCredential: { ...credentialMeta(next), ServicePassword: next.password } };
  },

  updateServiceSpecificCredential({ UserName, ServiceSpecificCredentialId, Status }, ctx) {
    const { key, rec } = mustCredential(ctx, UserName, ServiceSpecificCredentialId);
    tables(ctx).serviceCredentials.put(key, { ...rec, status: Status as ServiceCredentialRec["status"] });
    return {};
  },

  deleteServiceSpecificCredential({ UserName, ServiceSpecificCredentialId }, ctx) {
    const { key } = mustCredential(ctx, UserName, ServiceSpecificCredentialId);
    tables(ctx).serviceCredentials.delete(key);
    return {};
  },
} satisfies Partial<IamApi>;
