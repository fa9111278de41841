// Custom domain names, base path mappings, client certificates and the account settings (SDK v3): AWS's shapes,
// errors and wording; a restart keeps them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  APIGatewayClient,
  CreateBasePathMappingCommand,
  CreateDeploymentCommand,
  CreateDomainNameCommand,
  DeleteBasePathMappingCommand,
  DeleteClientCertificateCommand,
  DeleteDomainNameCommand,
  GenerateClientCertificateCommand,
  GetAccountCommand,
  GetBasePathMappingCommand,
  GetBasePathMappingsCommand,
  GetClientCertificateCommand,
  GetClientCertificatesCommand,
  GetDomainNameCommand,
  GetDomainNamesCommand,
  ImportRestApiCommand,
  UpdateAccountCommand,
  UpdateBasePathMappingCommand,
  UpdateClientCertificateCommand,
  UpdateDomainNameCommand,
} from "@aws-sdk/client-api-gateway";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const spec = new TextEncoder().encode(
  JSON.stringify({
    openapi: "3.0.1",
    info: { title: "mapped", version: "1" },
    paths: {
      "/": { get: { responses: {}, "x-amazon-apigateway-integration": { type: "mock", requestTemplates: { "application/json": '{"statusCode":200}' } } } },
    },
  }),
);
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";

test("domain names: edge and regional, get, list, update, delete, errors", async () => {
  const client = server.client(APIGatewayClient);
  const edge = await client.send(new CreateDomainNameCommand({ domainName: "api.example.com", certificateArn: CERT, tags: { team: "a" } }));
  assert.equal(edge.domainName, "api.example.com");
  assert.deepEqual(edge.endpointConfiguration?.types, ["EDGE"]);
  assert.match(edge.distributionDomainName!, /^d[a-z0-9]+\.cloudfront\.net$/);
  assert.equal(edge.distributionHostedZoneId, "Z2FDTNDATAQYW2");
  assert.equal(edge.domainNameStatus, "AVAILABLE");
  assert.equal(edge.domainNameArn, "arn:aws:apigateway:us-east-1::/domainnames/api.example.com");
  assert.ok(edge.certificateUploadDate instanceof Date);
  assert.deepEqual(edge.tags, { team: "a" });
  const regional = await client.send(
    new CreateDomainNameCommand({
      domainName: "r.example.com",
      regionalCertificateArn: CERT,
      endpointConfiguration: { types: ["REGIONAL"] },
      securityPolicy: "TLS_1_2",
    }),
  );
  assert.match(regional.regionalDomainName!, /^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/);
  assert.equal(regional.regionalHostedZoneId, "Z1UJRXOUMOOFQ8");
  assert.equal(regional.distributionDomainName, undefined);

  await rejects(client.send(new CreateDomainNameCommand({ domainName: "api.example.com", certificateArn: CERT })), "ConflictException", 409);
  await rejects(
    client.send(new CreateDomainNameCommand({ domainName: "bad.example.com", certificateArn: "arn:aws:iam::1:role/x" })),
    "BadRequestException",
    400,
  );
  await rejects(
    client.send(new GetDomainNameCommand({ domainName: "none.example.com" })),
    "NotFoundException",
    404,
    "Invalid domain name identifier specified",
  );

  const list = await client.send(new GetDomainNamesCommand({}));
  assert.deepEqual(
    list.items!.map((d) => d.domainName),
    ["api.example.com", "r.example.com"],
  );
  const paged = await client.send(new GetDomainNamesCommand({ limit: 1 }));
  assert.equal(paged.items!.length, 1);
  assert.equal((await client.send(new GetDomainNamesCommand({ limit: 1, position: paged.position }))).items![0].domainName, "r.example.com");

  const upd = await client.send(
    new UpdateDomainNameCommand({ domainName: "r.example.com", patchOperations: [{ op: "replace", path: "/securityPolicy", value: "TLS_1_0" }] }),
  );
  assert.equal(upd.securityPolicy, "TLS_1_0");
  await rejects(
    client.send(new UpdateDomainNameCommand({ domainName: "r.example.com", patchOperations: [{ op: "replace", path: "/domainName", value: "x" }] })),
    "BadRequestException",
    400,
  );
  await client.send(new DeleteDomainNameCommand({ domainName: "r.example.com" }));
  await rejects(client.send(new DeleteDomainNameCommand({ domainName: "r.example.com" })), "NotFoundException", 404);
});

test("base path mappings: (none), named, conflicts, invalid targets, update and delete", async () => {
  const client = server.client(APIGatewayClient);
  const restApiId = (await client.send(new ImportRestApiCommand({ body: spec }))).id!;
  const other = (await client.send(new ImportRestApiCommand({ body: spec }))).id!;
  await client.send(new CreateDomainNameCommand({ domainName: "m.example.com", certificateName: "cert" }));
  const root = await client.send(new CreateBasePathMappingCommand({ domainName: "m.example.com", restApiId }));
  assert.deepEqual([root.basePath, root.restApiId, root.stage], ["(none)", restApiId, undefined]);
  await client.send(new CreateBasePathMappingCommand({ domainName: "m.example.com", restApiId, basePath: "v1" }));
  await rejects(
    client.send(new CreateBasePathMappingCommand({ domainName: "m.example.com", restApiId, basePath: "v1" })),
    "ConflictException",
    409,
    "Base path already exists for this domain name",
  );
  await rejects(
    client.send(new CreateBasePathMappingCommand({ domainName: "m.example.com", restApiId, basePath: "a/b" })),
    "BadRequestException",
    400,
    "API Gateway V1 doesn't support the slash character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2.",
  );
  await rejects(
    client.send(new CreateBasePathMappingCommand({ domainName: "m.example.com", restApiId: "nosuchapi0", basePath: "x" })),
    "BadRequestException",
    400,
    "Invalid REST API identifier specified",
  );
  await rejects(
    client.send(new CreateBasePathMappingCommand({ domainName: "m.example.com", restApiId, basePath: "x", stage: "nostage" })),
    "BadRequestException",
    400,
    "Invalid stage identifier specified",
  );
  await rejects(
    client.send(new CreateBasePathMappingCommand({ domainName: "no.example.com", restApiId })),
    "NotFoundException",
    404,
    "Invalid domain name identifier specified",
  );

  assert.equal((await client.send(new GetBasePathMappingCommand({ domainName: "m.example.com", basePath: "(none)" }))).restApiId, restApiId);
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: "prod" }));
  const staged = await client.send(new CreateBasePathMappingCommand({ domainName: "m.example.com", restApiId, basePath: "staged", stage: "prod" }));
  assert.deepEqual([staged.basePath, staged.stage], ["staged", "prod"]);
  await client.send(new DeleteBasePathMappingCommand({ domainName: "m.example.com", basePath: "staged" }));
  const all = await client.send(new GetBasePathMappingsCommand({ domainName: "m.example.com" }));
  assert.deepEqual(
    all.items!.map((m) => m.basePath),
    ["(none)", "v1"],
  );
  const moved = await client.send(
    new UpdateBasePathMappingCommand({
      domainName: "m.example.com",
      basePath: "v1",
      patchOperations: [
        { op: "replace", path: "/basePath", value: "v2" },
        { op: "replace", path: "/restapiId", value: other },
      ],
    }),
  );
  assert.deepEqual([moved.basePath, moved.restApiId], ["v2", other]);
  await rejects(
    client.send(new GetBasePathMappingCommand({ domainName: "m.example.com", basePath: "v1" })),
    "NotFoundException",
    404,
    "Invalid base path mapping identifier specified",
  );
  await client.send(new DeleteBasePathMappingCommand({ domainName: "m.example.com", basePath: "v2" }));
  assert.equal((await client.send(new GetBasePathMappingsCommand({ domainName: "m.example.com" }))).items!.length, 1);
  // Deleting the domain takes its mappings with it.
  await client.send(new DeleteDomainNameCommand({ domainName: "m.example.com" }));
  await client.send(new CreateDomainNameCommand({ domainName: "m.example.com", certificateName: "cert" }));
  assert.deepEqual((await client.send(new GetBasePathMappingsCommand({ domainName: "m.example.com" }))).items, []);
});

test("client certificates: a real self-signed X.509 certificate, get, list, update, delete", async () => {
  const client = server.client(APIGatewayClient);
  const made = await client.send(new GenerateClientCertificateCommand({ description: "backend", tags: { k: "v" } }));
  assert.match(made.clientCertificateId!, /^[a-z0-9]{6}$/);
  const x509 = new X509Certificate(made.pemEncodedCertificate!);
  assert.ok(x509.verify(x509.publicKey), "self-signed");
  assert.equal(x509.subject, `O=Stratus\nCN=${made.clientCertificateId}`);
  assert.equal(x509.issuer, x509.subject);
  assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.deepEqual(x509.keyUsage, ["1.3.6.1.5.5.7.3.2"], "TLS client authentication");
  // Valid for 365 days from its creation (AWS's developer guide), and the certificate says the same dates.
  const days = (made.expirationDate!.getTime() - made.createdDate!.getTime()) / 86_400_000;
  assert.equal(days, 365);
  assert.ok(Math.abs(new Date(x509.validFrom).getTime() - made.createdDate!.getTime()) < 1000, x509.validFrom);
  assert.ok(Math.abs(new Date(x509.validTo).getTime() - made.expirationDate!.getTime()) < 1000, x509.validTo);
  assert.ok(Math.abs(made.createdDate!.getTime() - Date.now()) < 60_000);
  assert.equal(made.description, "backend");
  const got = await client.send(new GetClientCertificateCommand({ clientCertificateId: made.clientCertificateId }));
  assert.equal(got.pemEncodedCertificate, made.pemEncodedCertificate);
  assert.deepEqual(got.tags, { k: "v" });
  const upd = await client.send(
    new UpdateClientCertificateCommand({
      clientCertificateId: made.clientCertificateId,
      patchOperations: [{ op: "replace", path: "/description", value: "renamed" }],
    }),
  );
  assert.equal(upd.description, "renamed");
  assert.deepEqual(
    (await client.send(new GetClientCertificatesCommand({}))).items!.map((c) => c.clientCertificateId),
    [made.clientCertificateId],
  );
  await client.send(new DeleteClientCertificateCommand({ clientCertificateId: made.clientCertificateId }));
  await rejects(client.send(new GetClientCertificateCommand({ clientCertificateId: made.clientCertificateId })), "NotFoundException", 404);
});

const trustPolicy = (service: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

async function logsRole(iam: IAMClient, name: string): Promise<string> {
  return (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy("apigateway.amazonaws.com") }))).Role!.Arn!;
}

test("account: AWS's limits and features, cloudwatchRoleArn updated and checked against IAM", async () => {
  const account = randomAccount();
  const client = server.client(APIGatewayClient, { account });
  const fresh = await client.send(new GetAccountCommand({}));
  assert.deepEqual(
    { throttleSettings: fresh.throttleSettings, features: fresh.features, apiKeyVersion: fresh.apiKeyVersion, cloudwatchRoleArn: fresh.cloudwatchRoleArn },
    { throttleSettings: { burstLimit: 5000, rateLimit: 10000 }, features: ["UsagePlans"], apiKeyVersion: "4", cloudwatchRoleArn: undefined },
  );
  const iam = server.client(IAMClient, { account });
  const role = await logsRole(iam, "apigw-logs");
  const untrusted = (await iam.send(new CreateRoleCommand({ RoleName: "lambda-only", AssumeRolePolicyDocument: trustPolicy("lambda.amazonaws.com") }))).Role!
    .Arn!;
  for (const value of [untrusted, role.replace("apigw-logs", "no-such-role")])
    await rejects(
      client.send(new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value }] })),
      "BadRequestException",
      400,
      "The role ARN does not have required permissions set to API Gateway",
    );
  const upd = await client.send(new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value: role }] }));
  assert.equal(upd.cloudwatchRoleArn, role);
  assert.equal((await client.send(new GetAccountCommand({}))).cloudwatchRoleArn, role);
  await rejects(
    client.send(new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value: "nope" }] })),
    "BadRequestException",
    400,
  );
  await rejects(
    client.send(new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/apiKeyVersion", value: "3" }] })),
    "BadRequestException",
    400,
  );
});

test("domains, mappings, certificates and the account survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-apigw-domains-"));
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir });
    let client = new APIGatewayClient(s.clientConfig({ account }));
    const restApiId = (await client.send(new ImportRestApiCommand({ body: spec }))).id!;
    await client.send(new CreateDomainNameCommand({ domainName: "keep.example.com", certificateArn: CERT }));
    await client.send(new CreateBasePathMappingCommand({ domainName: "keep.example.com", restApiId, basePath: "v1" }));
    const cert = await client.send(new GenerateClientCertificateCommand({}));
    const role = await logsRole(new IAMClient(s.clientConfig({ account })), "logs");
    await client.send(new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value: role }] }));
    await s.close();
    s = await startTestServer({ dataDir });
    client = new APIGatewayClient(s.clientConfig({ account }));
    try {
      assert.equal((await client.send(new GetDomainNameCommand({ domainName: "keep.example.com" }))).certificateArn, CERT);
      assert.equal((await client.send(new GetBasePathMappingCommand({ domainName: "keep.example.com", basePath: "v1" }))).restApiId, restApiId);
      assert.equal(
        (await client.send(new GetClientCertificateCommand({ clientCertificateId: cert.clientCertificateId }))).pemEncodedCertificate,
        cert.pemEncodedCertificate,
      );
      assert.equal((await client.send(new GetAccountCommand({}))).cloudwatchRoleArn, role);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
