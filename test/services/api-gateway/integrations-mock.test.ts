// MOCK integrations over real HTTP: the request template's statusCode selecting the integration response, response
// templates chosen by Accept with $context/$stageVariables/$input.params and $context.responseOverride, response
// parameters, passthrough behaviours (415 Unsupported Media Type), and CORS preflight methods as the CDK makes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer } from "../../helpers/server.js";
import { call, restApi } from "./integrations-setup.js";

const server = useServer();

const STATUS_BY_QUERY = `#set($want = $input.params('want'))
#if($want == "missing"){"statusCode": 404}#elseif($want == "boom"){"statusCode": 500}#else{"statusCode": 200}#end`;

test("MOCK: the request template's statusCode selects the integration response; templates by Accept; overrides", async () => {
  const api = await restApi(server);
  await api.method("/items/{id}", "GET", {
    requestParameters: { "method.request.path.id": true },
    integration: { type: "MOCK", requestTemplates: { "application/json": STATUS_BY_QUERY } },
    responses: [
      {
        statusCode: "200",
        responseParameters: { "method.response.header.X-Item": "method.request.path.id", "method.response.header.X-Fixed": "'fixed'" },
        responseTemplates: {
          "application/json": `{"id": "$input.params('id')", "stage": "$context.stage", "env": "$stageVariables.env", "requestId": "$context.requestId", "resourcePath": "$context.resourcePath"}`,
          "application/xml": `<item id="$input.params('id')"/>`,
        },
      },
      { statusCode: "404", selectionPattern: "404", responseTemplates: { "application/json": `{"message": "no item $input.params('id')"}` } },
      {
        statusCode: "500",
        selectionPattern: "5\\d\\d",
        responseTemplates: {
          "application/json": `#set($context.responseOverride.status = 503)#set($context.responseOverride.header.Retry-After = "7"){"message": "try later"}`,
        },
      },
    ],
  });
  await api.deploy("dev", { env: "development" });

  const ok = await call(server, api.id, "/items/42");
  assert.equal(ok.status, 200);
  assert.equal(ok.headers["content-type"], "application/json");
  assert.equal(ok.headers["x-item"], "42");
  assert.equal(ok.headers["x-fixed"], "fixed");
  const body = ok.json() as Record<string, string>;
  assert.deepEqual({ ...body, requestId: undefined }, { id: "42", stage: "dev", env: "development", requestId: undefined, resourcePath: "/items/{id}" });
  assert.equal(body.requestId, ok.headers["x-amzn-requestid"], "$context.requestId is the request's id");

  const xml = await call(server, api.id, "/items/42", { headers: { accept: "application/xml" } });
  assert.equal(xml.status, 200);
  assert.equal(xml.headers["content-type"], "application/xml");
  assert.equal(xml.text, `<item id="42"/>`);

  const missing = await call(server, api.id, "/items/7?want=missing");
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json(), { message: "no item 7" });

  const boom = await call(server, api.id, "/items/7?want=boom");
  assert.equal(boom.status, 503, "$context.responseOverride.status replaces the integration response's status");
  assert.equal(boom.headers["retry-after"], "7");
  assert.deepEqual(boom.json(), { message: "try later" });
});

test("MOCK: with no matching and no default integration response the client gets 500 Internal server error", async () => {
  const api = await restApi(server);
  await api.method("/", "GET", {
    integration: { type: "MOCK", requestTemplates: { "application/json": `{"statusCode": 418}` } },
    responses: [{ statusCode: "200", selectionPattern: "200" }],
  });
  await api.deploy();
  const r = await call(server, api.id, "/");
  assert.equal(r.status, 500);
  assert.deepEqual(r.json(), { message: "Internal server error" });
});

test("passthrough behaviours: WHEN_NO_MATCH passes an unmapped type through, WHEN_NO_TEMPLATES and NEVER answer 415", async () => {
  const api = await restApi(server);
  const template = { "application/json": `{"statusCode": 200}` };
  const responses = [{ statusCode: "200", responseTemplates: { "application/json": `{"ok": true}` } }];
  await api.method("/match", "POST", { integration: { type: "MOCK", requestTemplates: template, passthroughBehavior: "WHEN_NO_MATCH" }, responses });
  await api.method("/templates", "POST", { integration: { type: "MOCK", requestTemplates: template, passthroughBehavior: "WHEN_NO_TEMPLATES" }, responses });
  await api.method("/none", "POST", { integration: { type: "MOCK", passthroughBehavior: "WHEN_NO_TEMPLATES" }, responses });
  await api.method("/never", "POST", { integration: { type: "MOCK", requestTemplates: template, passthroughBehavior: "NEVER" }, responses });
  await api.deploy();
  const post = (path: string, type: string) => call(server, api.id, path, { method: "POST", body: "x=1", headers: { "content-type": type } });

  assert.equal((await post("/match", "text/plain")).status, 200);
  assert.equal((await post("/none", "text/plain")).status, 200, "WHEN_NO_TEMPLATES passes through when no template is defined");
  for (const path of ["/templates", "/never"]) {
    const r = await post(path, "text/plain");
    assert.equal(r.status, 415, path);
    assert.deepEqual(r.json(), { message: "Unsupported Media Type" });
    assert.equal(r.headers["x-amzn-errortype"], "UnsupportedMediaTypeException");
    assert.equal((await post(path, "application/json; charset=utf-8")).status, 200, `${path}: a mapped type (parameters ignored)`);
  }
  // A request without Content-Type is taken as application/json.
  assert.equal((await call(server, api.id, "/never", { method: "POST" })).status, 200);
});

// The OPTIONS method the CDK's addCorsPreflight (and the console's "Enable CORS") puts on a resource.
const ALLOW_HEADERS = "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent'";
const ALLOW_METHODS = "'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD'";

test("CORS preflight: the CDK's OPTIONS MOCK method answers 204 with its Access-Control headers", async () => {
  const api = await restApi(server);
  await api.method("/books", "OPTIONS", {
    integration: { type: "MOCK", requestTemplates: { "application/json": "{ statusCode: 200 }" } },
    responses: [
      {
        statusCode: "204",
        responseParameters: {
          "method.response.header.Access-Control-Allow-Headers": ALLOW_HEADERS,
          "method.response.header.Access-Control-Allow-Origin": "'*'",
          "method.response.header.Access-Control-Allow-Methods": ALLOW_METHODS,
        },
      },
    ],
  });
  // Several allowed origins: the CDK answers the first and overrides it with the request's Origin when it is allowed.
  await api.method("/multi", "OPTIONS", {
    integration: { type: "MOCK", requestTemplates: { "application/json": "{ statusCode: 200 }" } },
    responses: [
      {
        statusCode: "204",
        responseParameters: {
          "method.response.header.Access-Control-Allow-Headers": ALLOW_HEADERS,
          "method.response.header.Access-Control-Allow-Origin": "'https://a.example'",
          "method.response.header.Vary": "'Origin'",
          "method.response.header.Access-Control-Allow-Methods": ALLOW_METHODS,
        },
        responseTemplates: {
          "application/json": [
            '#set($origin = $input.params().header.get("Origin"))',
            '#if($origin == "")',
            '  #set($origin = $input.params().header.get("origin"))',
            "#end",
            '#if($origin.matches("https://a.example") || $origin.matches("https://b.example"))',
            "  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)",
            "#end",
          ].join("\n"),
        },
      },
    ],
  });
  await api.deploy("prod");
  const preflight = { "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" };
  const r = await call(server, api.id, "/books", { method: "OPTIONS", stage: "prod", headers: { Origin: "https://app.example", ...preflight } });
  assert.equal(r.status, 204);
  assert.equal(r.headers["access-control-allow-origin"], "*");
  assert.equal(r.headers["access-control-allow-methods"], ALLOW_METHODS.slice(1, -1));
  assert.equal(r.headers["access-control-allow-headers"], ALLOW_HEADERS.slice(1, -1));
  assert.equal(r.body.length, 0);

  const b = await call(server, api.id, "/multi", { method: "OPTIONS", stage: "prod", headers: { Origin: "https://b.example", ...preflight } });
  assert.equal(b.status, 204);
  assert.equal(b.headers["access-control-allow-origin"], "https://b.example");
  assert.equal(b.headers.vary, "Origin");
  const lower = await call(server, api.id, "/multi", { method: "OPTIONS", stage: "prod", headers: { origin: "https://b.example", ...preflight } });
  assert.equal(lower.headers["access-control-allow-origin"], "https://b.example", "the Origin header in any case");
  const other = await call(server, api.id, "/multi", { method: "OPTIONS", stage: "prod", headers: { Origin: "https://evil.example", ...preflight } });
  assert.equal(other.headers["access-control-allow-origin"], "https://a.example");
});

test("a request template reading JSON paths of a body that is not JSON: 400 Could not parse request body into json", async () => {
  const api = await restApi(server);
  await api.method("/", "POST", {
    integration: { type: "MOCK", requestTemplates: { "application/json": `{"statusCode": 200, "name": $input.json('$.name')}` } },
    responses: [{ statusCode: "200" }],
  });
  await api.deploy();
  const bad = await call(server, api.id, "/", { method: "POST", body: "name=x", headers: { "content-type": "application/json" } });
  assert.equal(bad.status, 400);
  assert.match((bad.json() as { message: string }).message, /^Could not parse request body into json: /);
  const good = await call(server, api.id, "/", { method: "POST", body: `{"name": "x"}`, headers: { "content-type": "application/json" } });
  assert.equal(good.status, 200);
});
