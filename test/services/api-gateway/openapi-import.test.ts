// ImportRestApi and PutRestApi from OpenAPI 2.0 (JSON) and 3.0 (YAML) with the SDK v3: the resource tree, methods,
// integrations and integration responses the definition describes (read back with the control plane's Get*
// operations), the API's x-amazon-apigateway-* settings, warnings and AWS's refusals; PutRestApi merge and overwrite.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  APIGatewayClient,
  GetAuthorizersCommand,
  GetGatewayResponseCommand,
  GetIntegrationCommand,
  GetModelsCommand,
  GetRequestValidatorsCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  ImportRestApiCommand,
  PutRestApiCommand,
  type Resource,
} from "@aws-sdk/client-api-gateway";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { AUTH_URI, enc, OAS3_YAML, PETS_URI, POLICY, swaggerPetStore } from "./openapi-fixtures.js";

const server = useServer();

async function tree(client: APIGatewayClient, restApiId: string): Promise<Map<string, Resource>> {
  const out = await client.send(new GetResourcesCommand({ restApiId, embed: ["methods"], limit: 500 }));
  return new Map(out.items!.map((r) => [r.path!, r]));
}

test("Swagger 2.0: resources, methods, integrations, responses and the API's settings", async () => {
  const client = server.client(APIGatewayClient);
  const api = await client.send(new ImportRestApiCommand({ body: enc(swaggerPetStore()), parameters: { endpointConfigurationTypes: "REGIONAL" } }));
  assert.equal(api.name, "PetStore");
  assert.equal(api.description, "Pets for sale");
  assert.equal(api.version, "2024-01-01");
  assert.deepEqual(api.binaryMediaTypes, ["image/png"]);
  assert.equal(api.apiKeySource, "HEADER");
  assert.deepEqual(api.endpointConfiguration?.types, ["REGIONAL"]);
  assert.deepEqual(JSON.parse(api.policy!), POLICY);
  assert.equal(api.warnings, undefined);
  assert.match(api.rootResourceId!, /^[a-z0-9]+$/);
  const got = await client.send(new GetRestApiCommand({ restApiId: api.id }));
  assert.equal(got.rootResourceId, api.rootResourceId);

  const resources = await tree(client, api.id!);
  assert.deepEqual([...resources.keys()].sort(), ["/", "/pets", "/pets/{petId}", "/{proxy+}"]);
  const root = resources.get("/")!;
  assert.equal(root.id, api.rootResourceId);
  assert.equal(resources.get("/pets")!.parentId, root.id);
  assert.equal(resources.get("/pets/{petId}")!.parentId, resources.get("/pets")!.id);
  assert.equal(resources.get("/pets/{petId}")!.pathPart, "{petId}");
  assert.deepEqual(Object.keys(resources.get("/{proxy+}")!.resourceMethods!), ["ANY"]);
  assert.deepEqual(Object.keys(resources.get("/pets")!.resourceMethods!).sort(), ["GET", "POST"]);

  const pets = resources.get("/pets")!.id!;
  const list = await client.send(new GetMethodCommand({ restApiId: api.id, resourceId: pets, httpMethod: "GET" }));
  assert.equal(list.operationName, "ListPets");
  assert.equal(list.authorizationType, "NONE");
  assert.equal(list.apiKeyRequired, false);
  assert.deepEqual(list.requestParameters, { "method.request.querystring.type": false, "method.request.querystring.page": true });
  assert.ok(list.requestValidatorId, "the definition's default validator");
  assert.deepEqual(list.methodResponses!["200"], {
    statusCode: "200",
    responseParameters: { "method.response.header.Access-Control-Allow-Origin": false },
    responseModels: { "application/json": "Pets" },
  });
  const proxy = await client.send(new GetIntegrationCommand({ restApiId: api.id, resourceId: pets, httpMethod: "GET" }));
  assert.equal(proxy.type, "AWS_PROXY");
  assert.equal(proxy.httpMethod, "POST");
  assert.equal(proxy.uri, PETS_URI);
  assert.equal(proxy.passthroughBehavior, "WHEN_NO_MATCH");
  assert.equal(proxy.timeoutInMillis, 29000);
  assert.equal(proxy.cacheNamespace, pets);
  assert.deepEqual(proxy.cacheKeyParameters, []);

  const create = await client.send(new GetMethodCommand({ restApiId: api.id, resourceId: pets, httpMethod: "POST" }));
  assert.equal(create.authorizationType, "CUSTOM");
  assert.match(create.authorizerId!, /^[a-z0-9]+$/);
  assert.deepEqual(create.requestModels, { "application/json": "NewPet" });
  assert.notEqual(create.requestValidatorId, list.requestValidatorId, "the operation's own validator");
  assert.deepEqual(Object.keys(create.methodResponses!).sort(), ["200", "400"]);
  const mock = await client.send(new GetIntegrationCommand({ restApiId: api.id, resourceId: pets, httpMethod: "POST" }));
  assert.equal(mock.type, "MOCK");
  assert.equal(mock.passthroughBehavior, "NEVER");
  assert.deepEqual(mock.requestTemplates, { "application/json": '{"statusCode": 200}' });
  assert.deepEqual(mock.integrationResponses!["200"], { statusCode: "200", responseTemplates: { "application/json": '{"id": 1}' } });
  const bad = await client.send(new GetIntegrationResponseCommand({ restApiId: api.id, resourceId: pets, httpMethod: "POST", statusCode: "400" }));
  assert.equal(bad.selectionPattern, "4\\d{2}");
  assert.deepEqual(bad.responseParameters, { "method.response.header.x-err": "'yes'" });

  const one = resources.get("/pets/{petId}")!.id!;
  const byId = await client.send(new GetMethodCommand({ restApiId: api.id, resourceId: one, httpMethod: "GET" }));
  assert.equal(byId.apiKeyRequired, true);
  assert.deepEqual(byId.requestParameters, { "method.request.path.petId": true });
  const http = byId.methodIntegration!;
  assert.deepEqual(
    [http.type, http.httpMethod, http.uri, http.connectionType, http.timeoutInMillis],
    ["HTTP", "GET", "http://petstore.example.com/pets/{id}", "INTERNET", 5000],
  );
  assert.deepEqual(http.requestParameters, { "integration.request.path.id": "method.request.path.petId" });
});

test("Swagger 2.0: models, request validators, the authorizer and gateway responses the methods point at", async () => {
  const client = server.client(APIGatewayClient);
  const api = await client.send(new ImportRestApiCommand({ body: enc(swaggerPetStore()) }));
  const restApiId = api.id!;
  const models = (await client.send(new GetModelsCommand({ restApiId }))).items!;
  const byName = new Map(models.map((m) => [m.name!, m]));
  for (const name of ["NewPet", "Pet", "Pets"]) assert.equal(byName.get(name)?.contentType, "application/json", name);
  // A $ref to another model becomes that model's URL, as API Gateway keeps model schemas.
  assert.deepEqual(JSON.parse(byName.get("Pets")!.schema!), {
    type: "array",
    items: { $ref: `https://apigateway.amazonaws.com/restapis/${restApiId}/models/Pet` },
  });
  assert.deepEqual(JSON.parse(byName.get("NewPet")!.schema!).required, ["type", "price"]);

  const validators = (await client.send(new GetRequestValidatorsCommand({ restApiId }))).items!;
  const validator = new Map(validators.map((v) => [v.name!, v]));
  assert.deepEqual([...validator.keys()].sort(), ["all", "params"]);
  assert.deepEqual([validator.get("all")!.validateRequestBody, validator.get("all")!.validateRequestParameters], [true, true]);
  assert.deepEqual([validator.get("params")!.validateRequestBody, validator.get("params")!.validateRequestParameters], [false, true]);

  const authorizers = (await client.send(new GetAuthorizersCommand({ restApiId }))).items!;
  assert.equal(authorizers.length, 1);
  const auth = authorizers[0];
  assert.deepEqual(
    [auth.name, auth.type, auth.authorizerUri, auth.identitySource, auth.authorizerResultTtlInSeconds, auth.authType],
    ["tokenAuth", "TOKEN", AUTH_URI, "method.request.header.Authorization", 60, "custom"],
  );

  const resources = await tree(client, restApiId);
  const pets = resources.get("/pets")!.resourceMethods!;
  assert.equal(pets.POST.authorizerId, auth.id);
  assert.equal(pets.POST.requestValidatorId, validator.get("all")!.id);
  assert.equal(pets.GET.requestValidatorId, validator.get("params")!.id);

  const missing = await client.send(new GetGatewayResponseCommand({ restApiId, responseType: "MISSING_AUTHENTICATION_TOKEN" }));
  assert.equal(missing.statusCode, "404");
  assert.deepEqual(missing.responseTemplates, { "application/json": '{"message":"no such route"}' });
  assert.equal(missing.defaultResponse, false);
});

test("OpenAPI 3.0 (YAML): requestBody models, Cognito and IAM authorization, path-level parameters, basepath=split", async () => {
  const client = server.client(APIGatewayClient);
  const api = await client.send(new ImportRestApiCommand({ body: enc(OAS3_YAML), parameters: { basepath: "split" } }));
  assert.equal(api.name, "PetStore3");
  assert.deepEqual(api.endpointConfiguration?.types, ["EDGE"]);
  const resources = await tree(client, api.id!);
  // The server's base path /prod/api: split drops its first segment (the stage) and prepends the rest.
  assert.deepEqual([...resources.keys()].sort(), ["/", "/api", "/api/pets", "/api/pets/{id}"]);
  const pets = resources.get("/api/pets")!;
  const add = pets.resourceMethods!.POST;
  assert.equal(add.operationName, "AddPet");
  assert.equal(add.authorizationType, "COGNITO_USER_POOLS");
  assert.deepEqual(add.authorizationScopes, ["pets/write"]);
  assert.deepEqual(add.requestModels, { "application/json": "Pet" });
  assert.deepEqual(add.methodResponses!["201"].responseModels, { "application/json": "Pet" });
  assert.equal(pets.resourceMethods!.OPTIONS.methodIntegration!.type, "MOCK");
  assert.deepEqual(pets.resourceMethods!.OPTIONS.methodIntegration!.integrationResponses!["200"].responseParameters, {
    "method.response.header.Access-Control-Allow-Origin": "'*'",
  });
  const del = resources.get("/api/pets/{id}")!.resourceMethods!.DELETE;
  assert.equal(del.authorizationType, "AWS_IAM");
  assert.deepEqual(del.requestParameters, { "method.request.path.id": true, "method.request.header.X-Trace": true });

  const iamAuth = { swagger: "2.0", info: { title: "Auth" }, paths: { "/x": { get: { "x-amazon-apigateway-auth": { type: "aws_iam" }, responses: {} } } } };
  const iamApi = await client.send(new ImportRestApiCommand({ body: enc(iamAuth) }));
  assert.equal((await tree(client, iamApi.id!)).get("/x")!.resourceMethods!.GET.authorizationType, "AWS_IAM");
  const ignored = await client.send(new ImportRestApiCommand({ body: enc(OAS3_YAML) }));
  assert.ok((await tree(client, ignored.id!)).has("/pets"), "basepath=ignore is the default");
  // An inline schema becomes a model named MODEL and six hex digits, as AWS names them; its $refs point at models.
  const inline = {
    openapi: "3.0.1",
    info: { title: "Inline" },
    paths: {
      "/a": {
        post: {
          requestBody: { content: { "application/json": { schema: { type: "object", properties: { o: { $ref: "#/components/schemas/Owner" } } } } } },
          responses: {},
        },
      },
      "/b": {
        post: {
          requestBody: { content: { "application/json": { schema: { type: "object", properties: { o: { $ref: "#/components/schemas/Owner" } } } } } },
          responses: {},
        },
      },
    },
    components: { schemas: { Owner: { type: "object" } } },
  };
  const inlineApi = await client.send(new ImportRestApiCommand({ body: enc(inline) }));
  const inlineTree = await tree(client, inlineApi.id!);
  const modelName = inlineTree.get("/a")!.resourceMethods!.POST.requestModels!["application/json"];
  assert.match(modelName, /^MODEL[0-9a-f]{6}$/);
  assert.equal(inlineTree.get("/b")!.resourceMethods!.POST.requestModels!["application/json"], modelName, "the same schema, the same model");
  const inlineModel = (await client.send(new GetModelsCommand({ restApiId: inlineApi.id }))).items!.find((m) => m.name === modelName)!;
  assert.deepEqual(JSON.parse(inlineModel.schema!).properties.o, { $ref: `https://apigateway.amazonaws.com/restapis/${inlineApi.id}/models/Owner` });
  // Unquoted versions are YAML numbers.
  for (const head of ["swagger: 2.0", "openapi: 3.0"])
    assert.equal((await client.send(new ImportRestApiCommand({ body: enc(`${head}\ninfo:\n  title: Bare\npaths: {}\n`) }))).name, "Bare");
  const prepended = await client.send(new ImportRestApiCommand({ body: enc(OAS3_YAML), parameters: { basepath: "prepend" } }));
  assert.ok((await tree(client, prepended.id!)).has("/prod/api/pets"));
});

test("warnings, failOnWarnings and invalid definitions", async () => {
  const client = server.client(APIGatewayClient);
  const missing = swaggerPetStore();
  (missing.paths["/pets"].get.responses["200"] as { schema: unknown }).schema = { $ref: "#/definitions/Missing" };
  const warned = await client.send(new ImportRestApiCommand({ body: enc(missing) }));
  assert.deepEqual(warned.warnings, ["Parse issue: attribute paths.'/pets'(get).responses.200.schema.#/definitions/Missing is missing"]);
  await rejects(
    client.send(new ImportRestApiCommand({ body: enc(missing), failOnWarnings: true })),
    "BadRequestException",
    400,
    "Warnings found during import:\n\tParse issue: attribute paths.'/pets'(get).responses.200.schema.#/definitions/Missing is missing",
  );
  const odd = swaggerPetStore({ "x-amazon-apigateway-gateway-responses": { NOT_A_TYPE: { statusCode: 400 } } });
  (odd.securityDefinitions.tokenAuth["x-amazon-apigateway-authorizer"] as { type: string }).type = "telepathy";
  const oddApi = await client.send(new ImportRestApiCommand({ body: enc(odd) }));
  assert.deepEqual(oddApi.warnings, [
    "Unable to create authorizer 'tokenAuth': Invalid authorizer type specified: TELEPATHY",
    "Unable to put gateway response 'NOT_A_TYPE': Invalid gateway response type specified",
  ]);
  const oddPets = (await tree(client, oddApi.id!)).get("/pets")!.resourceMethods!;
  assert.equal(oddPets.POST.authorizationType, "NONE");
  const broken = swaggerPetStore();
  delete (broken.paths["/pets"].get["x-amazon-apigateway-integration"] as { httpMethod?: string }).httpMethod;
  (broken.paths["/pets/{petId}"].get["x-amazon-apigateway-integration"] as { type: string }).type = "carrier_pigeon";
  (broken.paths["/pets"].post["x-amazon-apigateway-integration"] as { timeoutInMillis?: number }).timeoutInMillis = 30000;
  (broken.paths["/{proxy+}"]["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"] as { uri: string }).uri =
    "arn:aws:lambda:us-east-1:123456789012:function:pets";
  await rejects(
    client.send(new ImportRestApiCommand({ body: enc(broken) })),
    "BadRequestException",
    400,
    "Errors found during import:\n\tUnable to put integration on 'GET' for resource at path '/pets': Enumeration value for HttpMethod must be non-empty" +
      "\n\tUnable to put integration on 'POST' for resource at path '/pets': Timeout should be between 50 ms and 29000 ms" +
      "\n\tUnable to put integration on 'GET' for resource at path '/pets/{petId}': Invalid integration type specified: CARRIER_PIGEON" +
      "\n\tUnable to put integration on 'ANY' for resource at path '/{proxy+}': AWS ARN for integration must contain path or action",
  );
  const spaced = {
    swagger: "2.0",
    info: { title: "x" },
    paths: { "/pets/{pet id}": { get: { responses: {}, "x-amazon-apigateway-integration": { type: "mock" } } } },
  };
  await rejects(
    client.send(new ImportRestApiCommand({ body: enc(spaced) })),
    "BadRequestException",
    400,
    /^Errors found during import:\n\tUnable to create resource at path '\/pets\/\{pet id\}': Resource's path part only allow/,
  );
  for (const body of [" ", "{ not: [valid", '{"info":{"title":"x"},"paths":{}}', '{"swagger":"1.2","info":{"title":"x"},"paths":{}}', "[1, 2]"])
    await rejects(client.send(new ImportRestApiCommand({ body: enc(body) })), "BadRequestException", 400, "Invalid OpenAPI input.");
  await rejects(client.send(new ImportRestApiCommand({ body: enc(swaggerPetStore()), parameters: { basepath: "sideways" } })), "BadRequestException", 400);
  await rejects(
    client.send(new PutRestApiCommand({ restApiId: "nosuchapi0", body: enc(swaggerPetStore()) })),
    "NotFoundException",
    404,
    /^Invalid API identifier specified \d+:nosuchapi0$/,
  );
});

const owners = (title: string) => ({
  swagger: "2.0",
  info: { title, version: "2" },
  paths: {
    "/owners": {
      get: {
        responses: { "200": { description: "ok" } },
        "x-amazon-apigateway-integration": { type: "mock", requestTemplates: { "application/json": '{"statusCode":200}' } },
      },
    },
    "/pets": { delete: { responses: {}, "x-amazon-apigateway-integration": { type: "mock" } } },
  },
});

test("PutRestApi: merge adds to the API, overwrite replaces it (the root keeps its id)", async () => {
  const client = server.client(APIGatewayClient);
  const api = await client.send(new ImportRestApiCommand({ body: enc(swaggerPetStore()) }));
  const merged = await client.send(new PutRestApiCommand({ restApiId: api.id, mode: "merge", body: enc(owners("Merged")) }));
  assert.equal(merged.name, "Merged");
  assert.equal(merged.id, api.id);
  let resources = await tree(client, api.id!);
  assert.deepEqual([...resources.keys()].sort(), ["/", "/owners", "/pets", "/pets/{petId}", "/{proxy+}"]);
  assert.deepEqual(Object.keys(resources.get("/pets")!.resourceMethods!).sort(), ["DELETE", "GET", "POST"]);
  // The merged methods still point at the authorizer and validators they had.
  assert.equal(resources.get("/pets")!.resourceMethods!.POST.authorizationType, "CUSTOM");

  const over = await client.send(new PutRestApiCommand({ restApiId: api.id, mode: "overwrite", body: enc(owners("Overwritten")) }));
  assert.equal(over.name, "Overwritten");
  assert.equal(over.description, undefined, "overwrite drops what the definition does not say");
  assert.equal(over.rootResourceId, api.rootResourceId);
  resources = await tree(client, api.id!);
  assert.deepEqual([...resources.keys()].sort(), ["/", "/owners", "/pets"]);
  assert.deepEqual(Object.keys(resources.get("/pets")!.resourceMethods!), ["DELETE"]);
  assert.equal(resources.get("/")!.id, api.rootResourceId);
});

test("an imported API survives a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-apigw-import-"));
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir });
    let client = new APIGatewayClient(s.clientConfig({ account }));
    const api = await client.send(new ImportRestApiCommand({ body: enc(swaggerPetStore()) }));
    const before = await tree(client, api.id!);
    await s.close();
    s = await startTestServer({ dataDir });
    client = new APIGatewayClient(s.clientConfig({ account }));
    try {
      const after = await tree(client, api.id!);
      assert.deepEqual([...after.entries()].sort(), [...before.entries()].sort());
      assert.equal((await client.send(new GetRestApiCommand({ restApiId: api.id }))).rootResourceId, api.rootResourceId);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
