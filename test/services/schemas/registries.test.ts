// Schemas' registries and schemas through SDK v3: lifecycle, versions on content change only, aws.events, search,
// export (AWS's own CLI example, byte for byte), policies, tags, and the errors in the {"Code", "Message"} envelope.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  DeleteRegistryCommand,
  DeleteResourcePolicyCommand,
  DeleteSchemaCommand,
  DeleteSchemaVersionCommand,
  DescribeRegistryCommand,
  DescribeSchemaCommand,
  ExportSchemaCommand,
  GetResourcePolicyCommand,
  ListRegistriesCommand,
  ListSchemasCommand,
  ListSchemaVersionsCommand,
  ListTagsForResourceCommand,
  PutResourcePolicyCommand,
  SchemasClient,
  SearchSchemasCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateRegistryCommand,
  UpdateSchemaCommand,
} from "@aws-sdk/client-schemas";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();
const client = (account = randomAccount()) => ({ account, api: server.client(SchemasClient, { account }) });

const openapi = (props: Record<string, unknown>) =>
  JSON.stringify({
    openapi: "3.0.0",
    info: { version: "1.0.0", title: "Event" },
    paths: {},
    components: { schemas: { Event: { type: "object", properties: props } } },
  });

test("registries: create, describe, update, list with scope, prefix and pages, delete; errors as AWS answers them", async () => {
  const { account, api } = client();
  const r = await api.send(new CreateRegistryCommand({ RegistryName: "orders", Description: "d", Tags: { team: "a" } }));
  assert.equal(r.RegistryArn, `arn:aws:schemas:us-east-1:${account}:registry/orders`);
  assert.deepEqual(r.Tags, { team: "a" });
  await rejects(api.send(new CreateRegistryCommand({ RegistryName: "orders" })), "ConflictException", 409, "Registry with name orders already exists.");
  await rejects(api.send(new DescribeRegistryCommand({ RegistryName: "nope" })), "NotFoundException", 404, "Registry with name nope does not exist.");
  assert.equal((await api.send(new UpdateRegistryCommand({ RegistryName: "orders", Description: "new" }))).Description, "new");
  for (const n of ["orders-b", "orders-c", "other"]) await api.send(new CreateRegistryCommand({ RegistryName: n }));

  const local = await api.send(new ListRegistriesCommand({ Scope: "LOCAL" }));
  assert.deepEqual(
    local.Registries?.map((x) => x.RegistryName),
    ["orders", "orders-b", "orders-c", "other"],
  );
  const aws = await api.send(new ListRegistriesCommand({ Scope: "AWS" }));
  assert.deepEqual(
    aws.Registries?.map((x) => x.RegistryName),
    ["aws.events"],
  );
  const first = await api.send(new ListRegistriesCommand({ RegistryNamePrefix: "orders", Limit: 2 }));
  assert.deepEqual(
    first.Registries?.map((x) => x.RegistryName),
    ["orders", "orders-b"],
  );
  const second = await api.send(new ListRegistriesCommand({ RegistryNamePrefix: "orders", Limit: 2, NextToken: first.NextToken }));
  assert.deepEqual(
    second.Registries?.map((x) => x.RegistryName),
    ["orders-c"],
  );
  assert.equal(second.NextToken, undefined);

  await rejects(api.send(new UpdateRegistryCommand({ RegistryName: "aws.events", Description: "x" })), "BadRequestException", 400);
  await api.send(new DeleteRegistryCommand({ RegistryName: "other" }));
  await rejects(api.send(new DeleteRegistryCommand({ RegistryName: "other" })), "NotFoundException", 404);
});

test("errors on the wire: the model's ErrorOutput, Code and Message", async () => {
  const res = await server.signedFetch("/v1/registries/name/missing", { service: "schemas", method: "GET", account: randomAccount() });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get("x-amzn-errortype"), "NotFoundException");
  assert.deepEqual(await res.json(), { Code: "NotFoundException", Message: "Registry with name missing does not exist." });
});

test("schemas: versions only on content change, VersionCount, LastModified, describe a version, delete versions", async () => {
  const { account, api } = client();
  await api.send(new CreateRegistryCommand({ RegistryName: "reg" }));
  const c1 = openapi({ id: { type: "string" } });
  const created = await api.send(new CreateSchemaCommand({ RegistryName: "reg", SchemaName: "Order", Type: "OpenApi3", Content: c1, Tags: { k: "v" } }));
  assert.equal(created.SchemaArn, `arn:aws:schemas:us-east-1:${account}:schema/reg/Order`);
  assert.equal(created.SchemaVersion, "1");
  assert.ok(created.VersionCreatedDate instanceof Date);
  await rejects(api.send(new CreateSchemaCommand({ RegistryName: "reg", SchemaName: "Order", Type: "OpenApi3", Content: c1 })), "ConflictException", 409);
  // The same document again, differently spaced: no new version.
  const same = await api.send(
    new UpdateSchemaCommand({ RegistryName: "reg", SchemaName: "Order", Type: "OpenApi3", Content: JSON.stringify(JSON.parse(c1), null, 2) }),
  );
  assert.equal(same.SchemaVersion, "1");
  assert.equal((await api.send(new UpdateSchemaCommand({ RegistryName: "reg", SchemaName: "Order", Description: "only words" }))).SchemaVersion, "1");
  const c2 = openapi({ id: { type: "string" }, total: { type: "number" } });
  assert.equal((await api.send(new UpdateSchemaCommand({ RegistryName: "reg", SchemaName: "Order", Type: "OpenApi3", Content: c2 }))).SchemaVersion, "2");
  const latest = await api.send(new DescribeSchemaCommand({ RegistryName: "reg", SchemaName: "Order" }));
  assert.equal(latest.SchemaVersion, "2");
  assert.equal(latest.Content, c2);
  assert.equal(latest.Description, "only words");
  assert.equal((await api.send(new DescribeSchemaCommand({ RegistryName: "reg", SchemaName: "Order", SchemaVersion: "1" }))).Content, c1);
  await rejects(api.send(new DescribeSchemaCommand({ RegistryName: "reg", SchemaName: "Order", SchemaVersion: "9" })), "NotFoundException", 404);
  const list = await api.send(new ListSchemasCommand({ RegistryName: "reg" }));
  assert.equal(list.Schemas?.[0].VersionCount, 2);
  assert.ok(list.Schemas?.[0].LastModified instanceof Date);
  const versions = await api.send(new ListSchemaVersionsCommand({ RegistryName: "reg", SchemaName: "Order" }));
  assert.deepEqual(
    versions.SchemaVersions?.map((v) => [v.SchemaVersion, v.Type]),
    [
      ["2", "OpenApi3"],
      ["1", "OpenApi3"],
    ],
  );
  await api.send(new DeleteSchemaVersionCommand({ RegistryName: "reg", SchemaName: "Order", SchemaVersion: "1" }));
  assert.equal((await api.send(new ListSchemasCommand({ RegistryName: "reg", SchemaNamePrefix: "Ord" }))).Schemas?.[0].VersionCount, 1);
  await api.send(new DeleteSchemaCommand({ RegistryName: "reg", SchemaName: "Order" }));
  await rejects(api.send(new DescribeSchemaCommand({ RegistryName: "reg", SchemaName: "Order" })), "NotFoundException", 404);
});

test("schema content is validated for its type: OpenAPI 3 structure, JSON Schema draft 4 through ajv", async () => {
  const { api } = client();
  await api.send(new CreateRegistryCommand({ RegistryName: "v" }));
  await rejects(api.send(new CreateSchemaCommand({ RegistryName: "v", SchemaName: "a", Type: "OpenApi3", Content: "{not json" })), "BadRequestException", 400);
  await rejects(
    api.send(new CreateSchemaCommand({ RegistryName: "v", SchemaName: "a", Type: "OpenApi3", Content: '{"openapi":"2.0"}' })),
    "BadRequestException",
    400,
    /openapi/,
  );
  await rejects(
    api.send(new CreateSchemaCommand({ RegistryName: "v", SchemaName: "a", Type: "JSONSchemaDraft4", Content: '{"type":"objekt"}' })),
    "BadRequestException",
    400,
    /JSONSchemaDraft4/,
  );
  const draft4 = JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", type: "object", properties: { a: { type: "string" } } });
  assert.equal(
    (await api.send(new CreateSchemaCommand({ RegistryName: "v", SchemaName: "a", Type: "JSONSchemaDraft4", Content: draft4 }))).Type,
    "JSONSchemaDraft4",
  );
  // Model validation in the same envelope.
  await rejects(api.send(new CreateSchemaCommand({ RegistryName: "v", SchemaName: "b", Type: "OpenApi3", Content: "" })), "BadRequestException", 400);
});

test("aws.events: AWS's schemas in every account, read-only; ExportSchema as AWS exports it; SearchSchemas by keywords", async () => {
  const { api } = client();
  const names = (await api.send(new ListSchemasCommand({ RegistryName: "aws.events" }))).Schemas?.map((s) => s.SchemaName);
  for (const n of [
    "aws.s3@ObjectCreated",
    "aws.cloudwatch@CloudWatchAlarmStateChange",
    "aws.events@ScheduledEvent",
    "aws.ec2@EC2InstanceStateChangeNotification",
  ])
    assert.ok(names?.includes(n), n);
  const exported = await api.send(
    new ExportSchemaCommand({ RegistryName: "aws.events", SchemaName: "aws.ec2@EC2InstanceStateChangeNotification", Type: "JSONSchemaDraft4" }),
  );
  // The AWS CLI's export-schema example (awscli/examples/schemas/export-schemas.rst), AWS's own answer.
  assert.equal(
    exported.Content,
    '{"$schema":"http://json-schema.org/draft-04/schema#","title":"EC2InstanceStateChangeNotification","definitions":{"EC2InstanceStateChangeNotification":{"properties":{"instance-id":{"type":"string"},"state":{"type":"string"}},"required":["instance-id","state"],"type":"object"}},"properties":{"account":{"type":"string"},"detail":{"$ref":"#/definitions/EC2InstanceStateChangeNotification"},"detail-type":{"type":"string"},"id":{"type":"string"},"region":{"type":"string"},"resources":{"items":{"type":"string"},"type":"array"},"source":{"type":"string"},"time":{"format":"date-time","type":"string"},"version":{"type":"string"}},"required":["detail-type","resources","id","source","time","detail","region","version","account"],"type":"object","x-amazon-events-detail-type":"EC2 Instance State-change Notification","x-amazon-events-source":"aws.ec2"}',
  );
  assert.equal(exported.SchemaVersion, "1");
  await rejects(
    api.send(new ExportSchemaCommand({ RegistryName: "aws.events", SchemaName: "aws.ec2@EC2InstanceStateChangeNotification", Type: "OpenApi3" })),
    "BadRequestException",
    400,
  );
  await rejects(
    api.send(new DeleteSchemaCommand({ RegistryName: "aws.events", SchemaName: "aws.ec2@EC2InstanceStateChangeNotification" })),
    "BadRequestException",
    400,
  );
  const found = await api.send(new SearchSchemasCommand({ RegistryName: "aws.events", Keywords: "ec2 scheduled" }));
  assert.deepEqual(
    found.Schemas?.map((s) => s.SchemaName),
    ["aws.ec2@EC2InstanceStateChangeNotification", "aws.events@ScheduledEvent"],
  );
  assert.equal(found.Schemas?.[0].SchemaVersions?.[0].SchemaVersion, "1");
});

test("registry policies with RevisionId, and tags on registries and schemas", async () => {
  const { account, api } = client();
  await api.send(new CreateRegistryCommand({ RegistryName: "p" }));
  await rejects(api.send(new GetResourcePolicyCommand({ RegistryName: "p" })), "NotFoundException", 404);
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AllowReadWrite", Effect: "Allow", Principal: { AWS: "*" }, Action: "schemas:*", Resource: `arn:aws:schemas:us-east-1:${account}:registry/p` },
    ],
  });
  const put = await api.send(new PutResourcePolicyCommand({ RegistryName: "p", Policy: policy }));
  assert.ok(put.RevisionId);
  const got = await api.send(new GetResourcePolicyCommand({ RegistryName: "p" }));
  assert.deepEqual(JSON.parse(got.Policy as unknown as string), JSON.parse(policy));
  assert.equal(got.RevisionId, put.RevisionId);
  await rejects(api.send(new PutResourcePolicyCommand({ RegistryName: "p", Policy: policy, RevisionId: "stale" })), "PreconditionFailedException", 412);
  const again = await api.send(new PutResourcePolicyCommand({ RegistryName: "p", Policy: policy, RevisionId: put.RevisionId }));
  assert.notEqual(again.RevisionId, put.RevisionId);
  await api.send(new DeleteResourcePolicyCommand({ RegistryName: "p" }));
  await rejects(api.send(new GetResourcePolicyCommand({ RegistryName: "p" })), "NotFoundException", 404);

  const arn = `arn:aws:schemas:us-east-1:${account}:registry/p`;
  await api.send(new TagResourceCommand({ ResourceArn: arn, Tags: { a: "1", b: "2" } }));
  await api.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["a"] }));
  assert.deepEqual((await api.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, { b: "2" });
  const s = await api.send(new CreateSchemaCommand({ RegistryName: "p", SchemaName: "s", Type: "OpenApi3", Content: openapi({}) }));
  await api.send(new TagResourceCommand({ ResourceArn: s.SchemaArn, Tags: { x: "y" } }));
  assert.deepEqual((await api.send(new DescribeSchemaCommand({ RegistryName: "p", SchemaName: "s" }))).Tags, { x: "y" });
  await rejects(api.send(new ListTagsForResourceCommand({ ResourceArn: `arn:aws:schemas:us-east-1:${account}:registry/none` })), "NotFoundException", 404);
});

test("aws-events.generated.ts is what aws-events-gen.ts writes from AWS's documented sample events", async () => {
  const { readFileSync } = await import("node:fs");
  const { generateAwsEvents } = await import("../../../src/services/schemas/aws-events-gen.js");
  assert.equal(readFileSync(new URL("../../../src/services/schemas/aws-events.generated.ts", import.meta.url), "utf8"), generateAwsEvents());
});
