// Request validators over real HTTP: required query strings, headers (400 "Missing required request parameters:
// [..]"), bodies against the method's request model (JSON schema draft 4, a $ref to another model of the API;
// 400 "Invalid request body"), body-only and parameters-only validators, and the deployment as a snapshot of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateModelCommand, CreateRequestValidatorCommand, UpdateModelCommand } from "@aws-sdk/client-api-gateway";
import { useServer } from "../../helpers/server.js";
import { accessApi } from "./access-setup.js";
import { apiEnv, apiHost, deploy, send } from "./execute-setup.js";

const server = useServer();

const ITEM = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "Item",
  type: "object",
  required: ["name", "price"],
  properties: {
    name: { type: "string", minLength: 1 },
    price: { type: "number", minimum: 0 },
    tags: { type: "array", items: { $ref: "https://apigateway.amazonaws.com/restapis/API_ID/models/Tag" } },
  },
};
const TAG = { $schema: "http://json-schema.org/draft-04/schema#", type: "string", pattern: "^[a-z]+$" };

test("request validators: required parameters and bodies against draft-4 models answer AWS's 400s", async () => {
  const env = await apiEnv(server);
  const api = await accessApi(env);
  const id = api.apiId;
  await env.apigw.send(new CreateModelCommand({ restApiId: id, name: "Tag", contentType: "application/json", schema: JSON.stringify(TAG) }));
  await env.apigw.send(
    new CreateModelCommand({ restApiId: id, name: "Item", contentType: "application/json", schema: JSON.stringify(ITEM).replace("API_ID", id) }),
  );
  const all = await env.apigw.send(
    new CreateRequestValidatorCommand({ restApiId: id, name: "all", validateRequestBody: true, validateRequestParameters: true }),
  );
  const bodyOnly = await env.apigw.send(
    new CreateRequestValidatorCommand({ restApiId: id, name: "body", validateRequestBody: true, validateRequestParameters: false }),
  );
  const paramsOnly = await env.apigw.send(
    new CreateRequestValidatorCommand({ restApiId: id, name: "params", validateRequestBody: false, validateRequestParameters: true }),
  );
  const parameters = { "method.request.querystring.q": true, "method.request.header.X-Trace": true, "method.request.querystring.optional": false };
  await api.put({ path: "/items", verb: "POST", requestValidatorId: all.id, requestParameters: parameters, requestModels: { "application/json": "Item" } });
  await api.put({ path: "/body", verb: "POST", requestValidatorId: bodyOnly.id, requestParameters: parameters, requestModels: { "application/json": "Item" } });
  await api.put({
    path: "/params",
    verb: "POST",
    requestValidatorId: paramsOnly.id,
    requestParameters: parameters,
    requestModels: { "application/json": "Item" },
  });
  await api.put({ path: "/none", verb: "POST", requestParameters: parameters, requestModels: { "application/json": "Item" } });
  await deploy(env, id, "prod");

  const host = apiHost(server, id);
  const post = (path: string, body: unknown, headers: Record<string, string> = { "X-Trace": "t" }) =>
    send(server, `/prod${path}`, {
      host,
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const good = { name: "pen", price: 2, tags: ["office"] };

  const missing = await post("/items", good, {});
  assert.equal(missing.status, 400);
  assert.deepEqual(missing.json(), { message: "Missing required request parameters: [q, X-Trace]" });
  assert.equal(missing.headers["x-amzn-errortype"], "BadRequestException");
  assert.deepEqual((await post("/items", good)).json(), { message: "Missing required request parameters: [q]" });

  for (const bad of [{ name: "pen" }, { name: "", price: 1 }, { name: "pen", price: -1 }, { name: "pen", price: 1, tags: ["UPPER"] }, "not json", [1, 2]]) {
    const r = await post("/items?q=1", bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.deepEqual(r.json(), { message: "Invalid request body" });
  }
  const ok = await post("/items?q=1", good);
  assert.equal(ok.status, 200, ok.text);

  // Each validator checks only its part; a method without one checks nothing.
  assert.equal((await post("/body", good, {})).status, 200);
  assert.equal((await post("/body", { name: "pen" }, {})).status, 400);
  assert.equal((await post("/params?q=1", { nothing: true })).status, 200);
  assert.deepEqual((await post("/params", good)).json(), { message: "Missing required request parameters: [q]" });
  assert.equal((await post("/none", "garbage", {})).status, 200);

  // The stage serves the deployed model until the next deployment.
  const loose = { $schema: "http://json-schema.org/draft-04/schema#", type: "object" };
  await env.apigw.send(
    new UpdateModelCommand({ restApiId: id, modelName: "Item", patchOperations: [{ op: "replace", path: "/schema", value: JSON.stringify(loose) }] }),
  );
  assert.equal((await post("/items?q=1", { name: "pen" })).status, 400);
  await deploy(env, id, "prod");
  assert.equal((await post("/items?q=1", { name: "pen" })).status, 200);
});
