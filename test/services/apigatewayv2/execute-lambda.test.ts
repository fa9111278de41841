// HTTP APIs in front of Lambda, called over real HTTP: quick create (Target), explicit routes, integrations and
// stages made with the SDK v3 client; the payload 2.0 event's fields, the 2.0 response rules (a plain return value
// inferred as 200 application/json, cookies), payload 1.0, {proxy+}, the $default route and stage, the 404s, the
// refusals (no permission, a failing function, a malformed answer, the integration timeout) and CORS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, UpdateApiCommand } from "@aws-sdk/client-apigatewayv2";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { call, env, fn, permit } from "./execute-helpers.js";

const server = useServer();

const ECHO = `
export const handler = async (event) => {
  const p = event.rawPath ?? event.path;
  if (p.endsWith("/fail")) throw new Error("boom");
  if (p.endsWith("/plain")) return { hello: "world" };
  if (p.endsWith("/text")) return "just text";
  if (p.endsWith("/malformed")) return { statusCode: "nope" };
  if (p.endsWith("/slow")) { await new Promise((r) => setTimeout(r, 1500)); return { slow: true }; }
  if (event.version === "1.0") return { statusCode: 202, multiValueHeaders: { "x-multi": ["a", "b"] }, body: JSON.stringify(event) };
  return {
    statusCode: 201,
    headers: { "content-type": "application/json", "x-custom": "yes", "access-control-allow-origin": "https://evil.example" },
    cookies: ["a=1; Path=/", "b=2"],
    body: JSON.stringify(event),
  };
};`;

test("quick create: the $default stage and route send the payload 2.0 event; Lambda's permission is required", async () => {
  const e = await env(server);
  const target = await fn(e, "echo", ECHO);
  const api = await e.v2.send(new CreateApiCommand({ Name: "quick", ProtocolType: "HTTP", Target: target }));
  const id = api.ApiId!;

  // Without a resource-policy grant API Gateway may not invoke the function.
  const denied = await call(server, id, "/items/42");
  assert.equal(denied.status, 500);
  assert.deepEqual(denied.json(), { message: "Internal Server Error" });
  assert.ok(denied.headers["apigw-requestid"]);

  await permit(e, "echo", id);
  const r = await call(server, id, "/items/42?a=1&a=2&b=x%20y", {
    headers: { cookie: "c1=v1; c2=v2", "X-Dup": ["one", "two"], "User-Agent": "agent/1.0", "content-type": "text/plain" },
    method: "POST",
    body: "hello body",
  });
  assert.equal(r.status, 201);
  assert.equal(r.headers["x-custom"], "yes");
  assert.deepEqual(r.headers["set-cookie"], ["a=1; Path=/", "b=2"]);
  const requestId = r.headers["apigw-requestid"] as string;
  assert.match(requestId, /^[A-Za-z0-9+/]{14,}=*$/);
  // HTTP APIs send apigw-requestid, not REST's x-amzn-RequestId / x-amz-apigw-id.
  assert.equal(r.headers["x-amzn-requestid"], undefined);
  assert.equal(r.headers["x-amz-apigw-id"], undefined);
  const ev = r.json();
  assert.equal(ev.version, "2.0");
  assert.equal(ev.routeKey, "$default");
  assert.equal(ev.rawPath, "/items/42");
  assert.equal(ev.rawQueryString, "a=1&a=2&b=x%20y");
  assert.deepEqual(ev.cookies, ["c1=v1", "c2=v2"]);
  assert.equal(ev.headers.cookie, undefined);
  assert.equal(ev.headers["x-dup"], "one,two");
  assert.equal(ev.headers["user-agent"], "agent/1.0");
  assert.equal(ev.headers.host, `${id}.execute-api.localhost:${server.port}`);
  assert.ok(ev.headers["x-forwarded-for"]);
  assert.deepEqual(ev.queryStringParameters, { a: "1,2", b: "x y" });
  assert.equal(ev.pathParameters, undefined);
  assert.equal(ev.body, "hello body");
  assert.equal(ev.isBase64Encoded, false);
  const rc = ev.requestContext;
  assert.equal(rc.accountId, e.account);
  assert.equal(rc.apiId, id);
  assert.equal(rc.domainName, `${id}.execute-api.localhost`);
  assert.equal(rc.domainPrefix, id);
  assert.deepEqual(rc.http, { method: "POST", path: "/items/42", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "agent/1.0" });
  assert.equal(rc.requestId, requestId);
  assert.equal(rc.routeKey, "$default");
  assert.equal(rc.stage, "$default");
  assert.match(rc.time, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  assert.ok(Math.abs(rc.timeEpoch - Date.now()) < 60_000);

  // A binary body is base64-encoded.
  const bin = await call(server, id, "/bin", { method: "PUT", body: Buffer.from([0, 1, 2, 255]), headers: { "content-type": "application/octet-stream" } });
  assert.equal(bin.json().isBase64Encoded, true);
  assert.equal(Buffer.from(bin.json().body, "base64").toString("hex"), "000102ff");

  // The 2.0 response rules: a plain value is a 200 application/json; a JSON string is the body's text.
  const plain = await call(server, id, "/plain");
  assert.equal(plain.status, 200);
  assert.equal(plain.headers["content-type"], "application/json");
  assert.deepEqual(plain.json(), { hello: "world" });
  const text = await call(server, id, "/text");
  assert.equal(text.status, 200);
  assert.equal(text.text, "just text");

  // A function that fails, or answers what is not a response: 500 Internal Server Error.
  for (const p of ["/fail", "/malformed"]) {
    const bad = await call(server, id, p);
    assert.equal(bad.status, 500, p);
    assert.deepEqual(bad.json(), { message: "Internal Server Error" });
  }
});

test("explicit routes, integrations and a named stage: {param}, {proxy+}, payload 1.0, the 404s, the timeout", async () => {
  const e = await env(server);
  const target = await fn(e, "routes", ECHO);
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "routes", ProtocolType: "HTTP" }));
  await permit(e, "routes", id!);
  const v2 = await e.v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: "AWS_PROXY", IntegrationUri: target, PayloadFormatVersion: "2.0" }));
  const v1 = await e.v2.send(
    new CreateIntegrationCommand({
      ApiId: id,
      IntegrationType: "AWS_PROXY",
      IntegrationUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${target}/invocations`,
      PayloadFormatVersion: "1.0",
    }),
  );
  const quick = await e.v2.send(
    new CreateIntegrationCommand({ ApiId: id, IntegrationType: "AWS_PROXY", IntegrationUri: target, PayloadFormatVersion: "2.0", TimeoutInMillis: 300 }),
  );
  const to = (i: { IntegrationId?: string }) => `integrations/${i.IntegrationId}`;
  await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "GET /items/{id}", Target: to(v2) }));
  await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "ANY /files/{proxy+}", Target: to(v2) }));
  await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "POST /legacy/{name}", Target: to(v1) }));
  await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "GET /slow", Target: to(quick) }));
  await e.v2.send(new CreateStageCommand({ ApiId: id, StageName: "prod", AutoDeploy: true, StageVariables: { color: "blue" } }));

  const got = await eventually(async () => {
    const r = await call(server, id!, "/prod/items/7?x=1");
    assert.equal(r.status, 201);
    return r.json();
  });
  assert.equal(got.routeKey, "GET /items/{id}");
  assert.equal(got.rawPath, "/prod/items/7");
  assert.equal(got.requestContext.http.path, "/prod/items/7");
  assert.equal(got.requestContext.stage, "prod");
  assert.deepEqual(got.pathParameters, { id: "7" });
  assert.deepEqual(got.stageVariables, { color: "blue" });

  const proxy = (await call(server, id!, "/prod/files/a/b%20c.txt", { method: "DELETE" })).json();
  assert.equal(proxy.routeKey, "ANY /files/{proxy+}");
  assert.deepEqual(proxy.pathParameters, { proxy: "a/b c.txt" });

  // Payload 1.0: REST's event shape with version "1.0", and its response rules (multiValueHeaders).
  const legacy = await call(server, id!, "/prod/legacy/bob?q=1&q=2", { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
  assert.equal(legacy.status, 202);
  assert.equal(legacy.headers["x-multi"], "a, b");
  const ev1 = legacy.json();
  assert.equal(ev1.version, "1.0");
  assert.equal(ev1.httpMethod, "POST");
  assert.equal(ev1.resource, "/legacy/{name}");
  assert.equal(ev1.path, "/prod/legacy/bob");
  assert.deepEqual(ev1.pathParameters, { name: "bob" });
  assert.deepEqual(ev1.queryStringParameters, { q: "2" });
  assert.deepEqual(ev1.multiValueQueryStringParameters, { q: ["1", "2"] });
  assert.equal(ev1.body, '{"a":1}');
  assert.equal(ev1.requestContext.stage, "prod");
  assert.equal(ev1.requestContext.httpMethod, "POST");
  assert.equal(ev1.requestContext.identity.sourceIp, "127.0.0.1");

  // No route: 404; no such stage and no $default stage: 404; a method the route does not take: 404.
  for (const [method, path] of [
    ["GET", "/prod/nothing"],
    ["GET", "/dev/items/7"],
    ["POST", "/prod/items/7"],
    ["GET", "/prod/files"],
  ]) {
    const r = await call(server, id!, path!, { method });
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.deepEqual(r.json(), { message: "Not Found" });
  }

  // Past the integration's TimeoutInMillis: 503 Service Unavailable.
  const slow = await call(server, id!, "/prod/slow");
  assert.equal(slow.status, 503);
  assert.deepEqual(slow.json(), { message: "Service Unavailable" });
});

test("the $default route catches what no route matches; CORS preflight is answered and actual answers carry the configured headers", async () => {
  const e = await env(server);
  const target = await fn(e, "cors", ECHO);
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "cors", ProtocolType: "HTTP", Target: target, RouteKey: "GET /hello" }));
  await permit(e, "cors", id!);
  assert.equal((await call(server, id!, "/hello")).status, 201);
  assert.equal((await call(server, id!, "/other")).status, 404);
  const integ = await e.v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: "AWS_PROXY", IntegrationUri: target, PayloadFormatVersion: "2.0" }));
  await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "$default", Target: `integrations/${integ.IntegrationId}` }));
  await e.v2.send(
    new UpdateApiCommand({
      ApiId: id,
      CorsConfiguration: {
        AllowOrigins: ["https://app.example"],
        AllowMethods: ["GET", "POST"],
        AllowHeaders: ["content-type", "authorization"],
        MaxAge: 600,
        ExposeHeaders: ["x-custom"],
      },
    }),
  );
  // The quick-created $default stage auto-deploys each change.
  const other = await eventually(async () => {
    const r = await call(server, id!, "/other", { headers: { origin: "https://app.example" } });
    assert.equal(r.status, 201);
    return r;
  });
  assert.equal(other.json().routeKey, "$default");
  assert.equal(other.headers["access-control-allow-origin"], "https://app.example");
  assert.equal(other.headers["access-control-expose-headers"], "x-custom");

  const pre = await call(server, id!, "/hello", { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST" } });
  assert.equal(pre.status, 204);
  assert.equal(pre.text, "");
  assert.equal(pre.headers["access-control-allow-origin"], "https://app.example");
  assert.equal(pre.headers["access-control-allow-methods"], "GET,POST");
  assert.equal(pre.headers["access-control-allow-headers"], "content-type,authorization");
  assert.equal(pre.headers["access-control-max-age"], "600");

  // An origin not configured gets no CORS headers (and the function's own are dropped).
  const evil = await call(server, id!, "/hello", { headers: { origin: "https://evil.example" } });
  assert.equal(evil.status, 201);
  assert.equal(evil.headers["access-control-allow-origin"], undefined);
  const evilPre = await call(server, id!, "/hello", { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "GET" } });
  assert.equal(evilPre.status, 204);
  assert.equal(evilPre.headers["access-control-allow-origin"], undefined);
});

test("an API id no HTTP API has is not served as one", async () => {
  const r = await call(server, "zzzzzzzzzz", "/anything");
  assert.notEqual(r.status, 200);
  assert.equal(r.headers["apigw-requestid"], undefined);
});
