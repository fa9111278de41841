// Services that share a signing name (API Gateway's REST APIs and HTTP APIs both sign as "apigateway") are told
// apart by their operations' first path segment, read from their models at codegen (models/index.json pathRoots).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { APIGatewayClient, GetRestApisCommand } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { defaultCatalog } from "../../src/services/registry.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

test("the catalog picks the service whose operations start the request's path", () => {
  const catalog = defaultCatalog();
  assert.equal(catalog.bySigningName("apigateway", "/v2/apis")?.name, "apigatewayv2");
  assert.equal(catalog.bySigningName("apigateway", "/restapis")?.name, "api-gateway");
  assert.equal(catalog.bySigningName("apigateway", "/apikeys/abc")?.name, "api-gateway");
  assert.equal(catalog.byEndpointPrefix("apigateway", "/v2/domainnames")?.name, "apigatewayv2");
  // A path neither claims: the first registered, as before.
  assert.equal(catalog.bySigningName("apigateway", "/nothing")?.name, "api-gateway");
  // Services with a signing name of their own keep no path roots.
  assert.equal(catalog.named("s3")?.pathRoots, undefined);
});

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test("real clients of both APIs reach their own service", async () => {
  const cfg = server.clientConfig();
  const rest = await new APIGatewayClient(cfg).send(new GetRestApisCommand({}));
  assert.ok(Array.isArray(rest.items ?? []));
  const http = await new ApiGatewayV2Client(cfg).send(new GetApisCommand({}));
  assert.ok(Array.isArray(http.Items ?? []));
});
