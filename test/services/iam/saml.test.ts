// SAML identity providers (IAM) and AssumeRoleWithSAML (STS) through the real SDK v3 clients and the AWS CLI: the
// provider's metadata validated as XML with an EntityDescriptor, its fields and tags, NoSuchEntity as AWS words it
// (LocalStack's AWS-recorded test_iam_saml_providers.snapshot.json), and assertions checked for issuer, audience,
// validity window, the Role attribute's role/provider pair and the trust policy. The XML signature is not verified
// (src/services/sts/saml.ts says why).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  IAMClient,
  CreateSAMLProviderCommand,
  GetSAMLProviderCommand,
  UpdateSAMLProviderCommand,
  DeleteSAMLProviderCommand,
  ListSAMLProvidersCommand,
  TagSAMLProviderCommand,
  UntagSAMLProviderCommand,
  ListSAMLProviderTagsCommand,
  CreateRoleCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { selfSignedCertificate } from "../../helpers/oidc-idp.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();
const CERT = selfSignedCertificate("idp.example.com").cert.replace(/-----[^-]+-----|\s/g, "");
const ENTITY = "https://idp.example.com/saml";

const metadata = (entityId = ENTITY) => `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

function assertion(opts: {
  roleArn: string;
  providerArn: string;
  issuer?: string;
  audience?: string;
  notOnOrAfter?: Date;
  sessionName?: string;
  nameId?: string;
}) {
  const later = (opts.notOnOrAfter ?? new Date(Date.now() + 300_000)).toISOString();
  const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="${new Date().toISOString()}">
  <saml:Issuer>${opts.issuer ?? ENTITY}</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion ID="_a1" Version="2.0" IssueInstant="${new Date().toISOString()}">
    <saml:Issuer>${opts.issuer ?? ENTITY}</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${opts.nameId ?? "alice@example.com"}</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="${later}" Recipient="https://signin.aws.amazon.com/saml"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="${new Date(Date.now() - 60_000).toISOString()}" NotOnOrAfter="${later}">
      <saml:AudienceRestriction><saml:Audience>${opts.audience ?? "https://signin.aws.amazon.com/saml"}</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>${opts.roleArn},${opts.providerArn}</saml:AttributeValue></saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>${opts.sessionName ?? "alice"}</saml:AttributeValue></saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>`;
  return Buffer.from(xml).toString("base64");
}

test("SAML providers: create, get, update, list, tags, delete; metadata must be SAML metadata", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  const { SAMLProviderArn: arn } = await iam.send(
    new CreateSAMLProviderCommand({ Name: "Corp-IdP", SAMLMetadataDocument: metadata(), Tags: [{ Key: "team", Value: "sec" }] }),
  );
  assert.equal(arn, `arn:aws:iam::${account}:saml-provider/Corp-IdP`);
  const got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
  assert.equal(got.SAMLMetadataDocument, metadata());
  assert.equal(got.AssertionEncryptionMode, "Allowed");
  assert.deepEqual(got.PrivateKeyList, []);
  assert.deepEqual(got.Tags, [{ Key: "team", Value: "sec" }]);
  assert.match(got.SAMLProviderUUID!, /^[A-Z0-9]{22,64}$/);
  assert.ok(got.ValidUntil! > got.CreateDate!);

  const updated = await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: metadata("https://idp2.example.com/saml") }));
  assert.equal(updated.SAMLProviderArn, arn);
  assert.match((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }))).SAMLMetadataDocument!, /idp2\.example\.com/);

  await iam.send(new TagSAMLProviderCommand({ SAMLProviderArn: arn, Tags: [{ Key: "env", Value: "prod" }] }));
  await iam.send(new UntagSAMLProviderCommand({ SAMLProviderArn: arn, TagKeys: ["team"] }));
  assert.deepEqual((await iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arn }))).Tags, [{ Key: "env", Value: "prod" }]);

  const list = await iam.send(new ListSAMLProvidersCommand({}));
  assert.deepEqual(
    list.SAMLProviderList!.map((p) => p.Arn),
    [arn],
  );
  assert.ok(list.SAMLProviderList![0].ValidUntil instanceof Date);

  const notXml = `${"not xml ".repeat(130)}`;
  await rejects(
    iam.send(new CreateSAMLProviderCommand({ Name: "bad", SAMLMetadataDocument: notXml })),
    "InvalidInputException",
    400,
    "Could not parse metadata",
  );
  const noEntity = `<?xml version="1.0"?><root>${"<x>padding</x>".repeat(80)}</root>`;
  await rejects(
    iam.send(new CreateSAMLProviderCommand({ Name: "bad", SAMLMetadataDocument: noEntity })),
    "InvalidInputException",
    400,
    "Could not parse metadata",
  );
  await rejects(iam.send(new CreateSAMLProviderCommand({ Name: "Corp-IdP", SAMLMetadataDocument: metadata() })), "EntityAlreadyExistsException", 409);

  await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn }));
  const manifest = `Manifest not found for arn ${arn}`;
  await rejects(iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn })), "NoSuchEntityException", 404, manifest);
  await rejects(iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn })), "NoSuchEntityException", 404, manifest);
});

async function samlSetup() {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  const { SAMLProviderArn: providerArn } = await iam.send(new CreateSAMLProviderCommand({ Name: "Corp", SAMLMetadataDocument: metadata() }));
  const trust = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithSAML",
        Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" }, StringLike: { "SAML:sub": "*@example.com" } },
      },
    ],
  };
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "sso-admin", AssumeRolePolicyDocument: JSON.stringify(trust) }));
  return { account, roleArn: Role!.Arn!, providerArn: providerArn! };
}

test("AssumeRoleWithSAML: a valid assertion assumes the role; the answer carries subject, issuer, audience, name qualifier", async () => {
  const { account, roleArn, providerArn } = await samlSetup();
  const sts = server.client(STSClient);
  const r = await sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn, PrincipalArn: providerArn, SAMLAssertion: assertion({ roleArn, providerArn }) }));
  assert.match(r.Credentials!.AccessKeyId!, /^ASIA/);
  assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${account}:assumed-role/sso-admin/alice`);
  assert.equal(r.Subject, "alice@example.com");
  assert.equal(r.SubjectType, "persistent");
  assert.equal(r.Issuer, ENTITY);
  assert.equal(r.Audience, "https://signin.aws.amazon.com/saml");
  assert.equal(r.NameQualifier, createHash("sha1").update(`${ENTITY}${account}/Corp`).digest("base64"));
  const me = await server
    .client(STSClient, {
      accessKeyId: r.Credentials!.AccessKeyId!,
      secretAccessKey: r.Credentials!.SecretAccessKey!,
      sessionToken: r.Credentials!.SessionToken!,
    })
    .send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, r.AssumedRoleUser!.Arn);
});

test("AssumeRoleWithSAML refusals: issuer, audience, expiry, role attribute, trust policy, garbage", async () => {
  const { roleArn, providerArn } = await samlSetup();
  const sts = server.client(STSClient);
  const call = (SAMLAssertion: string, role = roleArn) => sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: role, PrincipalArn: providerArn, SAMLAssertion }));
  await rejects(
    call(assertion({ roleArn, providerArn, issuer: "https://evil.example.com" })),
    "InvalidIdentityTokenException",
    400,
    "Issuer not present in specified provider",
  );
  await rejects(call(assertion({ roleArn, providerArn, audience: "https://elsewhere.example.com" })), "InvalidIdentityTokenException", 400);
  await rejects(call(assertion({ roleArn, providerArn, notOnOrAfter: new Date(Date.now() - 1000) })), "ExpiredTokenException", 400);
  const otherRole = roleArn.replace("sso-admin", "other");
  await rejects(
    call(assertion({ roleArn: otherRole, providerArn })),
    "InvalidIdentityTokenException",
    400,
    "SAML Assertion doesn't contain the requested Role and Metadata in the attributes",
  );
  await rejects(call(assertion({ roleArn, providerArn, nameId: "mallory@evil.com" })), "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML");
  await rejects(call(Buffer.from("definitely not xml").toString("base64")), "InvalidIdentityTokenException", 400);
});

const clis = awsClis();
if (!clis.length) test("aws CLI: assume-role-with-saml", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: assume-role-with-saml`, async () => {
    const { roleArn, providerArn } = await samlSetup();
    const r = await runAws(
      cli,
      server.url,
      ["sts", "assume-role-with-saml", "--role-arn", roleArn, "--principal-arn", providerArn, "--saml-assertion", assertion({ roleArn, providerArn })],
      { AWS_DEFAULT_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y" },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.Subject, "alice@example.com");
    assert.equal(out.Issuer, ENTITY);
  });
