// Signing certificates and service-specific credentials through the real SDK v3 client: lifecycle, the 2-per-user
// certificate limit, malformed and duplicate certificates, supported services, and errors as AWS words them
// (LocalStack's AWS-recorded test_iam_signing_certificates.snapshot.json and test_iam.snapshot.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  CreateUserCommand,
  DeleteUserCommand,
  UpdateUserCommand,
  UploadSigningCertificateCommand,
  ListSigningCertificatesCommand,
  UpdateSigningCertificateCommand,
  DeleteSigningCertificateCommand,
  CreateServiceSpecificCredentialCommand,
  ListServiceSpecificCredentialsCommand,
  ResetServiceSpecificCredentialCommand,
  UpdateServiceSpecificCredentialCommand,
  DeleteServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { selfSignedCertificate } from "../../helpers/oidc-idp.js";

const server = useServer();

test("signing certificates: upload, list, deactivate, delete; malformed, duplicate, limit of two, unknown ids", async () => {
  const iam = server.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: "signer" }));
  const [one, two, three] = [selfSignedCertificate("one"), selfSignedCertificate("two"), selfSignedCertificate("three")];
  const { Certificate } = await iam.send(new UploadSigningCertificateCommand({ UserName: "signer", CertificateBody: one.cert }));
  assert.equal(Certificate!.UserName, "signer");
  assert.equal(Certificate!.Status, "Active");
  assert.equal(Certificate!.CertificateBody, one.cert);
  assert.match(Certificate!.CertificateId!, /^[A-Z0-9]{32}$/);
  assert.ok(Certificate!.UploadDate instanceof Date);
  const id = Certificate!.CertificateId!;

  await iam.send(new UpdateSigningCertificateCommand({ UserName: "signer", CertificateId: id, Status: "Inactive" }));
  const listed = await iam.send(new ListSigningCertificatesCommand({ UserName: "signer" }));
  assert.equal(listed.IsTruncated, false);
  assert.deepEqual(
    listed.Certificates!.map((c) => [c.CertificateId, c.Status]),
    [[id, "Inactive"]],
  );

  await rejects(
    iam.send(new UploadSigningCertificateCommand({ UserName: "signer", CertificateBody: "invalid-certificate-body" })),
    "MalformedCertificateException",
    400,
    "Certificate invalid-certificate-body is malformed.",
  );
  await rejects(iam.send(new UploadSigningCertificateCommand({ UserName: "signer", CertificateBody: one.cert })), "DuplicateCertificateException", 409);
  await iam.send(new UploadSigningCertificateCommand({ UserName: "signer", CertificateBody: two.cert }));
  await rejects(
    iam.send(new UploadSigningCertificateCommand({ UserName: "signer", CertificateBody: three.cert })),
    "LimitExceededException",
    409,
    "Cannot exceed quota for CertificatesPerUser: 2",
  );
  await rejects(
    iam.send(new UploadSigningCertificateCommand({ UserName: "nonexistent-user", CertificateBody: one.cert })),
    "NoSuchEntityException",
    404,
    "The user with name nonexistent-user cannot be found.",
  );
  const missing = "NONEXISTENTCERTID12345678901";
  await rejects(
    iam.send(new UpdateSigningCertificateCommand({ UserName: "signer", CertificateId: missing, Status: "Active" })),
    "NoSuchEntityException",
    404,
    `The Certificate with id ${missing} cannot be found.`,
  );
  await rejects(iam.send(new DeleteSigningCertificateCommand({ UserName: "signer", CertificateId: missing })), "NoSuchEntityException", 404);

  // A user with certificates is not deleted; renaming carries them along.
  await rejects(iam.send(new DeleteUserCommand({ UserName: "signer" })), "DeleteConflictException", 409);
  await iam.send(new UpdateUserCommand({ UserName: "signer", NewUserName: "signer2" }));
  const moved = await iam.send(new ListSigningCertificatesCommand({ UserName: "signer2" }));
  assert.equal(moved.Certificates!.length, 2);
  assert.ok(moved.Certificates!.every((c) => c.UserName === "signer2"));
  for (const c of moved.Certificates!) await iam.send(new DeleteSigningCertificateCommand({ UserName: "signer2", CertificateId: c.CertificateId }));
  assert.deepEqual((await iam.send(new ListSigningCertificatesCommand({ UserName: "signer2" }))).Certificates, []);
  await iam.send(new DeleteUserCommand({ UserName: "signer2" }));
});

test("service-specific credentials: create, list by service, reset, deactivate, delete; unsupported services", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  await iam.send(new CreateUserCommand({ UserName: "git" }));
  const { ServiceSpecificCredential: c } = await iam.send(
    new CreateServiceSpecificCredentialCommand({ UserName: "git", ServiceName: "codecommit.amazonaws.com" }),
  );
  assert.equal(c!.ServiceUserName, `git-at-${account}`);
  assert.equal(c!.Status, "Active");
  assert.match(c!.ServicePassword!, /^[A-Za-z0-9+/]{59}=$/);
  assert.match(c!.ServiceSpecificCredentialId!, /^ACCA[A-Z0-9]{17}$/);
  const id = c!.ServiceSpecificCredentialId!;

  const ks = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: "git", ServiceName: "cassandra.amazonaws.com" }));
  assert.deepEqual(ks.ServiceSpecificCredentials, []);
  const all = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: "git" }));
  assert.equal(all.ServiceSpecificCredentials!.length, 1);
  assert.equal((all.ServiceSpecificCredentials![0] as { ServicePassword?: string }).ServicePassword, undefined);

  const reset = await iam.send(new ResetServiceSpecificCredentialCommand({ UserName: "git", ServiceSpecificCredentialId: id }));
  assert.notEqual(reset.ServiceSpecificCredential!.ServicePassword, c!.ServicePassword);
  await iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: "git", ServiceSpecificCredentialId: id, Status: "Inactive" }));
  const after = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: "git" }));
  assert.equal(after.ServiceSpecificCredentials![0].Status, "Inactive");

  for (const name of ["nonexistentservice.amazonaws.com", "lambda.amazonaws.com"]) {
    await rejects(
      iam.send(new CreateServiceSpecificCredentialCommand({ UserName: "git", ServiceName: name })),
      "NoSuchEntityException",
      404,
      `No such service ${name} is supported for Service Specific Credentials`,
    );
  }
  await rejects(
    iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: "git", ServiceSpecificCredentialId: "satisfiesregexbutstillinvalid", Status: "Active" })),
    "NoSuchEntityException",
    404,
    "No such credential satisfiesregexbutstillinvalid exists",
  );
  await rejects(
    iam.send(new DeleteUserCommand({ UserName: "git" })),
    "DeleteConflictException",
    409,
    "Cannot delete entity, must remove referenced objects first.",
  );
  await iam.send(new DeleteServiceSpecificCredentialCommand({ UserName: "git", ServiceSpecificCredentialId: id }));
  await iam.send(new DeleteUserCommand({ UserName: "git" }));
});
