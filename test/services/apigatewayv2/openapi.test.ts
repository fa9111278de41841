// ImportApi / ReimportApi / ExportApi through the SDK v3 client: an OpenAPI 3 definition (JSON and YAML) with API
// Gateway's extensions becomes routes, integrations, authorizers and CORS; the export reads back the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { load } from "js-yaml";
import {
  ApiGatewayV2Client,
  CreateStageCommand,
  ExportApiCommand,
  GetApiCommand,
  GetAuthorizersCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
  ImportApiCommand,
  ReimportApiCommand,
} from "@aws-sdk/client-apigatewayv2";
import { useServer, randomAccount } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { deployedStage } from "../../../src/services/apigatewayv2/internal.js";
import { holderOf } from "../../../src/core/state.js";

const server = useServer();

function definition(account: string) {
  const fn = `arn:aws:lambda:us-east-1:${account}:function:pets`;
  return {
    openapi: "3.0.1",
    info: { title: "pets", version: "2024-01-01", description: "Pet store" },
    paths: {
      "/pets": {
        get: {
          "x-amazon-apigateway-integration": { type: "aws_proxy", uri: fn, httpMethod: "POST", payloadFormatVersion: "2.0" },
          security: [{ jwt: ["pets.read"] }],
        },
        post: { "x-amazon-apigateway-integration": { $ref: "#/components/x-amazon-apigateway-integrations/backend" } },
      },
      "/pets/{id}": {
        "x-amazon-apigateway-any-method": {
          "x-amazon-apigateway-integration": { type: "http_proxy", uri: "https://backend.example/pets/{id}", httpMethod: "ANY", payloadFormatVersion: "1.0" },
          security: [{ lam: [] }],
        },
      },
      "/$default": { "x-amazon-apigateway-any-method": { "x-amazon-apigateway-integration": { type: "aws_proxy", uri: fn, payloadFormatVersion: "1.0" } } },
    },
    components: {
      securitySchemes: {
        jwt: {
          type: "oauth2",
          flows: {},
          "x-amazon-apigateway-authorizer": {
            type: "jwt",
            identitySource: "$request.header.Authorization",
            jwtConfiguration: { issuer: "https://issuer.example", audience: ["pets"] },
          },
        },
        lam: {
          type: "apiKey",
          name: "Unused",
          in: "header",
          "x-amazon-apigateway-authorizer": {
            type: "request",
            identitySource: "$request.header.X-Token",
            authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn}/invocations`,
            authorizerPayloadFormatVersion: "2.0",
            enableSimpleResponses: true,
            authorizerResultTtlInSeconds: 60,
          },
        },
      },
      "x-amazon-apigateway-integrations": {
        backend: { type: "http_proxy", uri: "https://backend.example/pets", httpMethod: "POST", payloadFormatVersion: "1.0" },
      },
    },
    "x-amazon-apigateway-cors": { allowOrigins: ["https://shop.example"], allowMethods: ["GET", "POST"], maxAge: 300 },
  };
}

test("ImportApi (JSON): routes, integrations (shared by reference), JWT and Lambda authorizers, CORS; ExportApi gives it back", async () => {
  const account = randomAccount();
  const v2 = server.client(ApiGatewayV2Client, { account });
  const def = definition(account);
  const api = await v2.send(new ImportApiCommand({ Body: JSON.stringify(def) }));
  assert.equal(api.Name, "pets");
  assert.equal(api.Version, "2024-01-01");
  assert.equal(api.Description, "Pet store");
  assert.equal(api.ProtocolType, "HTTP");
  assert.deepEqual(api.CorsConfiguration, { AllowOrigins: ["https://shop.example"], AllowMethods: ["GET", "POST"], MaxAge: 300 });
  const ApiId = api.ApiId;

  const routes = (await v2.send(new GetRoutesCommand({ ApiId }))).Items!;
  assert.deepEqual(routes.map((r) => r.RouteKey).sort(), ["$default", "ANY /pets/{id}", "GET /pets", "POST /pets"]);
  const get = routes.find((r) => r.RouteKey === "GET /pets")!;
  assert.equal(get.AuthorizationType, "JWT");
  assert.deepEqual(get.AuthorizationScopes, ["pets.read"]);
  const any = routes.find((r) => r.RouteKey === "ANY /pets/{id}")!;
  assert.equal(any.AuthorizationType, "CUSTOM");
  const authz = (await v2.send(new GetAuthorizersCommand({ ApiId }))).Items!;
  assert.equal(authz.length, 2);
  const lam = authz.find((a) => a.Name === "lam")!;
  assert.equal(lam.AuthorizerType, "REQUEST");
  assert.equal(lam.EnableSimpleResponses, true);
  assert.deepEqual(lam.IdentitySource, ["$request.header.X-Token"]);
  assert.equal(any.AuthorizerId, lam.AuthorizerId);
  const integs = (await v2.send(new GetIntegrationsCommand({ ApiId }))).Items!;
  assert.equal(integs.length, 4);
  const post = integs.find((i) => i.IntegrationUri === "https://backend.example/pets")!;
  assert.equal(post.IntegrationType, "HTTP_PROXY");
  assert.equal(post.IntegrationMethod, "POST");
  assert.equal(routes.find((r) => r.RouteKey === "POST /pets")!.Target, `integrations/${post.IntegrationId}`);

  // The export reads back what was imported, and imports again to the same API.
  const out = await v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "JSON" }));
  const exported = JSON.parse(new TextDecoder().decode(out.body));
  assert.equal(exported.openapi, "3.0.1");
  assert.equal(exported.info.title, "pets");
  assert.deepEqual(Object.keys(exported.paths).sort(), ["/$default", "/pets", "/pets/{id}"]);
  assert.equal(exported.paths["/pets"].get["x-amazon-apigateway-integration"].type, "aws_proxy");
  assert.equal(exported.paths["/pets"].get["x-amazon-apigateway-integration"].payloadFormatVersion, "2.0");
  assert.deepEqual(exported.paths["/pets"].get.security, [{ jwt: ["pets.read"] }]);
  assert.equal(exported.paths["/pets/{id}"]["x-amazon-apigateway-any-method"].parameters[0].name, "id");
  assert.equal(exported.components.securitySchemes.jwt["x-amazon-apigateway-authorizer"].jwtConfiguration.issuer, "https://issuer.example");
  assert.deepEqual(exported["x-amazon-apigateway-cors"].allowOrigins, ["https://shop.example"]);

  const again = await v2.send(new ImportApiCommand({ Body: JSON.stringify(exported) }));
  const routes2 = (await v2.send(new GetRoutesCommand({ ApiId: again.ApiId }))).Items!;
  assert.deepEqual(routes2.map((r) => r.RouteKey).sort(), routes.map((r) => r.RouteKey).sort());
  assert.equal((await v2.send(new GetAuthorizersCommand({ ApiId: again.ApiId }))).Items!.length, 2);

  const bare = await v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "JSON", IncludeExtensions: false }));
  assert.doesNotMatch(new TextDecoder().decode(bare.body), /x-amazon-apigateway/);
});

test("ImportApi (YAML) and ReimportApi: the definition replaces the routes; an auto-deploy stage redeploys; YAML export", async () => {
  const account = randomAccount();
  const v2 = server.client(ApiGatewayV2Client, { account });
  const yaml = [
    "openapi: 3.0.1",
    "info:",
    "  title: yaml-api",
    "  version: '1.0'",
    "paths:",
    "  /hello:",
    "    get:",
    "      x-amazon-apigateway-integration:",
    "        type: http_proxy",
    "        httpMethod: GET",
    "        uri: https://example.com/hello",
    "        payloadFormatVersion: '1.0'",
  ].join("\n");
  const api = await v2.send(new ImportApiCommand({ Body: yaml }));
  const ApiId = api.ApiId!;
  await v2.send(new CreateStageCommand({ ApiId, StageName: "$default", AutoDeploy: true }));
  const first = (await v2.send(new GetStageCommand({ ApiId, StageName: "$default" }))).DeploymentId;
  assert.ok(first);
  assert.deepEqual(
    deployedStage(holderOf(server.runtime.store), ApiId, "$default")!.routes.map((r) => r.routeKey),
    ["GET /hello"],
  );

  const re = await v2.send(new ReimportApiCommand({ ApiId, Body: JSON.stringify(definition(account)) }));
  assert.equal(re.ApiId, ApiId);
  assert.equal(re.Name, "pets");
  assert.equal((await v2.send(new GetRoutesCommand({ ApiId }))).Items!.length, 4);
  const second = (await v2.send(new GetStageCommand({ ApiId, StageName: "$default" }))).DeploymentId;
  assert.notEqual(second, first);
  assert.equal(deployedStage(holderOf(server.runtime.store), ApiId, "$default")!.routes.length, 4);

  const out = await v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "YAML", StageName: "$default" }));
  const doc = load(new TextDecoder().decode(out.body)) as { info: { title: string }; paths: Record<string, unknown> };
  assert.equal(doc.info.title, "pets");
  assert.ok(doc.paths["/pets"]);
  assert.equal((await v2.send(new GetApiCommand({ ApiId }))).Name, "pets");
});

test("ImportApi Basepath: prepend puts the servers' base path before every route; ignore (the default) leaves it out", async () => {
  const v2 = server.client(ApiGatewayV2Client, { account: randomAccount() });
  const def = {
    openapi: "3.0.1",
    info: { title: "based", version: "1" },
    servers: [{ url: "https://api.example.com/{basePath}", variables: { basePath: { default: "/v1" } } }],
    paths: {
      "/items": {
        get: { "x-amazon-apigateway-integration": { type: "http_proxy", uri: "https://e.example/items", httpMethod: "GET", payloadFormatVersion: "1.0" } },
      },
    },
  };
  const prepended = await v2.send(new ImportApiCommand({ Body: JSON.stringify(def), Basepath: "prepend" }));
  assert.deepEqual(
    (await v2.send(new GetRoutesCommand({ ApiId: prepended.ApiId }))).Items!.map((r) => r.RouteKey),
    ["GET /v1/items"],
  );
  const ignored = await v2.send(new ImportApiCommand({ Body: JSON.stringify(def) }));
  assert.deepEqual(
    (await v2.send(new GetRoutesCommand({ ApiId: ignored.ApiId }))).Items!.map((r) => r.RouteKey),
    ["GET /items"],
  );
});

test("ImportApi refusals: not OpenAPI, no title, a bad route key, warnings with FailOnWarnings; ExportApi of an unknown API or stage", async () => {
  const account = randomAccount();
  const v2 = server.client(ApiGatewayV2Client, { account });
  await rejects(v2.send(new ImportApiCommand({ Body: "{not: [valid" })), "BadRequestException", 400);
  await rejects(v2.send(new ImportApiCommand({ Body: JSON.stringify({ paths: {} }) })), "BadRequestException", 400);
  await rejects(v2.send(new ImportApiCommand({ Body: JSON.stringify({ openapi: "3.0.1", info: { version: "1" }, paths: {} }) })), "BadRequestException", 400);
  const withValidators = { openapi: "3.0.1", info: { title: "w", version: "1" }, paths: {}, "x-amazon-apigateway-request-validators": {} };
  await rejects(
    v2.send(new ImportApiCommand({ Body: JSON.stringify(withValidators), FailOnWarnings: true })),
    "BadRequestException",
    400,
    /Warnings found during import/,
  );
  const warned = await v2.send(new ImportApiCommand({ Body: JSON.stringify(withValidators) }));
  assert.equal(warned.Warnings?.length, 1);
  await rejects(v2.send(new ExportApiCommand({ ApiId: "nope000000", Specification: "OAS30", OutputType: "JSON" })), "NotFoundException", 404);
  await rejects(
    v2.send(new ExportApiCommand({ ApiId: warned.ApiId, Specification: "OAS30", OutputType: "JSON", StageName: "nope" })),
    "NotFoundException",
    404,
  );
  const missing = `Invalid API identifier specified ${account}:nope000000`;
  await rejects(v2.send(new ReimportApiCommand({ ApiId: "nope000000", Body: "{}" })), "NotFoundException", 404, missing);
});
