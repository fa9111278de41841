// Documentation parts and versions (SDK v3): create, get, list with filters and paging, update, delete, import
// (merge and overwrite), versions; AWS's errors; a restart keeps them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  APIGatewayClient,
  CreateDocumentationPartCommand,
  CreateDeploymentCommand,
  CreateDocumentationVersionCommand,
  DeleteDocumentationPartCommand,
  DeleteDocumentationVersionCommand,
  GetDocumentationPartCommand,
  GetDocumentationPartsCommand,
  GetDocumentationVersionCommand,
  GetDocumentationVersionsCommand,
  GetExportCommand,
  GetStageCommand,
  ImportDocumentationPartsCommand,
  ImportRestApiCommand,
  PutRestApiCommand,
  UpdateDocumentationPartCommand,
  UpdateDocumentationVersionCommand,
} from "@aws-sdk/client-api-gateway";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const spec = (title: string) =>
  new TextEncoder().encode(
    JSON.stringify({
      openapi: "3.0.1",
      info: { title, version: "1" },
      paths: {
        "/pets": {
          get: { responses: {}, "x-amazon-apigateway-integration": { type: "mock", requestTemplates: { "application/json": '{"statusCode":200}' } } },
        },
      },
    }),
  );

async function api(client: APIGatewayClient, title = "docs") {
  return (await client.send(new ImportRestApiCommand({ body: spec(title) }))).id!;
}

test("documentation parts: create, get, list with filters and paging, update, delete", async () => {
  const client = server.client(APIGatewayClient);
  const restApiId = await api(client);
  const apiPart = await client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: "API" }, properties: '{"description":"The API"}' }));
  assert.match(apiPart.id!, /^[a-z0-9]{6}$/);
  assert.deepEqual(apiPart.location, { type: "API" });
  const method = await client.send(
    new CreateDocumentationPartCommand({ restApiId, location: { type: "METHOD", path: "/pets", method: "GET" }, properties: '{"summary":"List pets"}' }),
  );
  assert.deepEqual(method.location, { type: "METHOD", path: "/pets", method: "GET" });
  const param = await client.send(
    new CreateDocumentationPartCommand({
      restApiId,
      location: { type: "QUERY_PARAMETER", path: "/pets", name: "limit" },
      properties: '{"description":"page size"}',
    }),
  );
  assert.deepEqual(param.location, { type: "QUERY_PARAMETER", path: "/pets", method: "*", name: "limit" });
  const resp = await client.send(
    new CreateDocumentationPartCommand({ restApiId, location: { type: "RESPONSE", path: "/pets", method: "GET" }, properties: '{"d":1}' }),
  );
  assert.equal(resp.location!.statusCode, "*");

  // The same location again is a conflict; a field the type does not take, a bad type or empty properties are refused.
  await rejects(
    client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: "API" }, properties: '{"x":1}' })),
    "ConflictException",
    409,
    "Documentation part already exists for the specified location: type 'API'.",
  );
  await rejects(
    client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: "API", path: "/x" }, properties: '{"x":1}' })),
    "BadRequestException",
    400,
  );
  await rejects(client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: "MODEL" }, properties: '{"x":1}' })), "BadRequestException", 400);
  await rejects(
    client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: "RESOURCE" }, properties: "not json" })),
    "BadRequestException",
    400,
  );
  await rejects(
    client.send(new CreateDocumentationPartCommand({ restApiId: "nosuchapi0", location: { type: "API" }, properties: "{}" })),
    "NotFoundException",
    404,
    /^Invalid API identifier specified \d+:nosuchapi0$/,
  );

  const got = await client.send(new GetDocumentationPartCommand({ restApiId, documentationPartId: method.id }));
  assert.equal(got.properties, '{"summary":"List pets"}');
  const all = await client.send(new GetDocumentationPartsCommand({ restApiId }));
  assert.equal(all.items!.length, 4);
  const methods = await client.send(new GetDocumentationPartsCommand({ restApiId, type: "METHOD" }));
  assert.deepEqual(
    methods.items!.map((p) => p.id),
    [method.id],
  );
  const named = await client.send(new GetDocumentationPartsCommand({ restApiId, nameQuery: "LIM" }));
  assert.deepEqual(
    named.items!.map((p) => p.id),
    [param.id],
  );
  const first = await client.send(new GetDocumentationPartsCommand({ restApiId, limit: 3 }));
  assert.equal(first.items!.length, 3);
  assert.ok(first.position);
  const second = await client.send(new GetDocumentationPartsCommand({ restApiId, limit: 3, position: first.position }));
  assert.equal(second.items!.length, 1);
  assert.equal(second.position, undefined);
  assert.equal(new Set([...first.items!, ...second.items!].map((p) => p.id)).size, 4);

  const updated = await client.send(
    new UpdateDocumentationPartCommand({
      restApiId,
      documentationPartId: method.id,
      patchOperations: [{ op: "replace", path: "/properties", value: '{"summary":"All pets"}' }],
    }),
  );
  assert.equal(updated.properties, '{"summary":"All pets"}');
  await rejects(
    client.send(
      new UpdateDocumentationPartCommand({
        restApiId,
        documentationPartId: method.id,
        patchOperations: [{ op: "replace", path: "/location/type", value: "API" }],
      }),
    ),
    "BadRequestException",
    400,
    "Invalid patch path  '/location/type' specified for op 'replace'. Must be one of: [/properties]",
  );
  await client.send(new DeleteDocumentationPartCommand({ restApiId, documentationPartId: method.id }));
  await rejects(
    client.send(new GetDocumentationPartCommand({ restApiId, documentationPartId: method.id })),
    "NotFoundException",
    404,
    "Invalid Documentation part identifier specified",
  );
  await rejects(client.send(new DeleteDocumentationPartCommand({ restApiId, documentationPartId: method.id })), "NotFoundException", 404);
});

const DOC_BODY = (parts: object[]) =>
  new TextEncoder().encode(
    JSON.stringify({
      swagger: "2.0",
      info: { title: "d", version: "1" },
      paths: {},
      "x-amazon-apigateway-documentation": { version: "1", documentationParts: parts },
    }),
  );

test("ImportDocumentationParts: merge keeps and replaces by location, overwrite replaces all; warnings", async () => {
  const client = server.client(APIGatewayClient);
  const restApiId = await api(client);
  const kept = await client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: "RESOURCE", path: "/pets" }, properties: '{"a":1}' }));
  const merged = await client.send(
    new ImportDocumentationPartsCommand({
      restApiId,
      mode: "merge",
      body: DOC_BODY([
        { location: { type: "API" }, properties: { description: "imported" } },
        { location: { type: "RESOURCE", path: "/pets" }, properties: { description: "replaced" } },
      ]),
    }),
  );
  assert.equal(merged.ids!.length, 2);
  assert.ok(merged.ids!.includes(kept.id!), "the part at the same location keeps its id");
  const afterMerge = await client.send(new GetDocumentationPartsCommand({ restApiId }));
  assert.equal(afterMerge.items!.length, 2);
  assert.equal(afterMerge.items!.find((p) => p.id === kept.id)!.properties, '{"description":"replaced"}');

  const withWarning = DOC_BODY([
    { location: { type: "MODEL" }, properties: { x: 1 } },
    { location: { type: "METHOD", path: "/pets", method: "GET" }, properties: { s: 1 } },
  ]);
  await rejects(
    client.send(new ImportDocumentationPartsCommand({ restApiId, mode: "overwrite", failOnWarnings: true, body: withWarning })),
    "BadRequestException",
    400,
    /^Warnings found during import:\n\t/,
  );
  const over = await client.send(new ImportDocumentationPartsCommand({ restApiId, mode: "overwrite", body: withWarning }));
  assert.equal(over.ids!.length, 1);
  assert.equal(over.warnings!.length, 1);
  const afterOverwrite = await client.send(new GetDocumentationPartsCommand({ restApiId }));
  assert.deepEqual(
    afterOverwrite.items!.map((p) => p.location),
    [{ type: "METHOD", path: "/pets", method: "GET" }],
  );
  await rejects(
    client.send(new ImportDocumentationPartsCommand({ restApiId, body: new TextEncoder().encode("{not yaml: [") })),
    "BadRequestException",
    400,
    "Invalid OpenAPI input.",
  );
});

test("ImportRestApi and PutRestApi bring x-amazon-apigateway-documentation's parts, unless ignore=documentation", async () => {
  const client = server.client(APIGatewayClient);
  const body = DOC_BODY([
    { location: { type: "API" }, properties: { description: "from the definition" } },
    { location: { type: "METHOD", path: "/pets", method: "GET" }, properties: { summary: "list" } },
  ]);
  const restApiId = (await client.send(new ImportRestApiCommand({ body }))).id!;
  const parts = await client.send(new GetDocumentationPartsCommand({ restApiId }));
  assert.deepEqual(parts.items!.map((p) => p.location!.type).sort(), ["API", "METHOD"]);
  assert.equal(parts.items!.find((p) => p.location!.type === "API")!.properties, '{"description":"from the definition"}');
  const ignored = (await client.send(new ImportRestApiCommand({ body, parameters: { ignore: "documentation" } }))).id!;
  assert.deepEqual((await client.send(new GetDocumentationPartsCommand({ restApiId: ignored }))).items, []);
  await client.send(new PutRestApiCommand({ restApiId: ignored, mode: "merge", body }));
  assert.equal((await client.send(new GetDocumentationPartsCommand({ restApiId: ignored }))).items!.length, 2);
});

test("documentation versions: snapshot, get, list, update, delete and errors", async () => {
  const client = server.client(APIGatewayClient);
  const restApiId = await api(client);
  await client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: "API" }, properties: '{"v":1}' }));
  const v1 = await client.send(new CreateDocumentationVersionCommand({ restApiId, documentationVersion: "1.0", description: "first" }));
  assert.equal(v1.version, "1.0");
  assert.ok(v1.createdDate instanceof Date);
  await rejects(client.send(new CreateDocumentationVersionCommand({ restApiId, documentationVersion: "1.0" })), "ConflictException", 409);
  await rejects(client.send(new CreateDocumentationVersionCommand({ restApiId, documentationVersion: "2.0", stageName: "nostage" })), "NotFoundException", 404);
  // Tied to a stage, the version becomes the stage's documentationVersion.
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: "dev" }));
  await client.send(new CreateDocumentationVersionCommand({ restApiId, documentationVersion: "1.1", stageName: "dev" }));
  assert.equal((await client.send(new GetStageCommand({ restApiId, stageName: "dev" }))).documentationVersion, "1.1");
  const list = await client.send(new GetDocumentationVersionsCommand({ restApiId }));
  assert.deepEqual(
    list.items!.map((v) => [v.version, v.description]),
    [
      ["1.0", "first"],
      ["1.1", undefined],
    ],
  );
  const upd = await client.send(
    new UpdateDocumentationVersionCommand({
      restApiId,
      documentationVersion: "1.1",
      patchOperations: [{ op: "replace", path: "/description", value: "second" }],
    }),
  );
  assert.equal(upd.description, "second");
  assert.equal((await client.send(new GetDocumentationVersionCommand({ restApiId, documentationVersion: "1.1" }))).description, "second");
  await client.send(new DeleteDocumentationVersionCommand({ restApiId, documentationVersion: "1.1" }));
  await rejects(client.send(new GetDocumentationVersionCommand({ restApiId, documentationVersion: "1.1" })), "NotFoundException", 404);
});

test("GetExport extensions=documentation carries the stage's documentation version, which imports back", async () => {
  const client = server.client(APIGatewayClient);
  const restApiId = await api(client, "published");
  await client.send(
    new CreateDocumentationPartCommand({ restApiId, location: { type: "METHOD", path: "/pets", method: "GET" }, properties: '{"summary":"v1 text"}' }),
  );
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: "prod" }));
  await client.send(new CreateDocumentationVersionCommand({ restApiId, documentationVersion: "1.0.0", stageName: "prod" }));
  // A part changed after the version was made is not in the published snapshot.
  await client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: "API" }, properties: '{"description":"later"}' }));
  const exported = await client.send(new GetExportCommand({ restApiId, stageName: "prod", exportType: "oas30", parameters: { extensions: "documentation" } }));
  const doc = JSON.parse(new TextDecoder().decode(exported.body));
  assert.deepEqual(doc["x-amazon-apigateway-documentation"], {
    version: "1.0.0",
    documentationParts: [{ location: { type: "METHOD", path: "/pets", method: "GET" }, properties: { summary: "v1 text" } }],
  });
  const plain = await client.send(new GetExportCommand({ restApiId, stageName: "prod", exportType: "oas30" }));
  assert.equal(JSON.parse(new TextDecoder().decode(plain.body))["x-amazon-apigateway-documentation"], undefined);
  const copy = (await client.send(new ImportRestApiCommand({ body: exported.body! }))).id!;
  const parts = (await client.send(new GetDocumentationPartsCommand({ restApiId: copy }))).items!;
  assert.deepEqual(
    parts.map((p) => [p.location, p.properties]),
    [[{ type: "METHOD", path: "/pets", method: "GET" }, '{"summary":"v1 text"}']],
  );
});

test("documentation parts and versions survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-apigw-docs-"));
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir });
    let client = new APIGatewayClient(s.clientConfig({ account }));
    const restApiId = await api(client, "durable");
    const part = await client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: "API" }, properties: '{"kept":true}' }));
    await client.send(new CreateDocumentationVersionCommand({ restApiId, documentationVersion: "v1" }));
    await s.close();
    s = await startTestServer({ dataDir });
    client = new APIGatewayClient(s.clientConfig({ account }));
    try {
      assert.equal((await client.send(new GetDocumentationPartCommand({ restApiId, documentationPartId: part.id }))).properties, '{"kept":true}');
      assert.equal((await client.send(new GetDocumentationVersionCommand({ restApiId, documentationVersion: "v1" }))).version, "v1");
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
