// A REST API in front of a Lambda function (AWS_PROXY), made with the SDK, deployed, and called over real HTTP:
// the proxy event (format 1.0) as AWS builds it, path parameters, {proxy+}, ANY, multi-value headers and query
// strings, binary media types, the path form, what AWS answers on a miss, without permission, for a malformed
// answer and past the integration's timeout; Node's fetch and Python's urllib.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GetResourcesCommand } from "@aws-sdk/client-api-gateway";
import { pythonMissing, run } from "../../helpers/python.js";
import { useServer } from "../../helpers/server.js";
import { createFunction } from "../lambda/setup.js";
import { PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { apiEnv, apiHost, deploy, ECHO, type EventJson, permitApiGateway, restApi, send } from "./execute-setup.js";

const server = useServer();

test("the proxy event: resource, path, parameters, multi-value headers and query, stage variables, requestContext", async () => {
  const env = await apiEnv(server);
  const { apiId, ids } = await restApi(env, [
    { path: "/items", verb: "GET" },
    { path: "/items/{id}", verb: "GET" },
    { path: "/files/{proxy+}", verb: "ANY" },
  ]);
  const dep = await deploy(env, apiId, "prod", { env: "test" });
  const host = apiHost(server, apiId);
  const r = await send(server, "/prod/items/42?a=1&a=2&b=x%20y", {
    host,
    headers: { "X-Multi": ["one", "two"], "User-Agent": "exec-test/1.0", Accept: "application/json" },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers["x-echo"], "yes");
  assert.deepEqual(r.headers["set-cookie"], ["a=1", "b=2"]);
  assert.equal(r.headers["content-type"], "application/json");
  const requestId = String(r.headers["x-amzn-requestid"]);
  assert.match(requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(String(r.headers["x-amz-apigw-id"]), /^[A-Za-z0-9+/]{15}=$/);
  assert.match(String(r.headers["x-amzn-trace-id"]), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  const e = r.json() as EventJson;
  assert.equal(e.resource, "/items/{id}");
  assert.equal(e.path, "/items/42");
  assert.equal(e.httpMethod, "GET");
  assert.deepEqual(e.pathParameters, { id: "42" });
  assert.deepEqual(e.queryStringParameters, { a: "2", b: "x y" });
  assert.deepEqual(e.multiValueQueryStringParameters, { a: ["1", "2"], b: ["x y"] });
  assert.equal(e.headers["X-Multi"], "two");
  assert.deepEqual(e.multiValueHeaders["X-Multi"], ["one", "two"]);
  assert.equal(e.headers["User-Agent"], "exec-test/1.0");
  assert.equal(e.headers["X-Forwarded-Proto"], "http");
  assert.equal(e.headers["X-Amzn-Trace-Id"], r.headers["x-amzn-trace-id"]);
  assert.deepEqual(e.stageVariables, { env: "test" });
  assert.equal(e.body, null);
  assert.equal(e.isBase64Encoded, false);
  const c = e.requestContext;
  assert.equal(c.resourceId, ids.get("/items/{id}"));
  assert.equal(c.resourcePath, "/items/{id}");
  assert.equal(c.httpMethod, "GET");
  assert.equal(c.path, "/prod/items/42");
  assert.equal(c.accountId, env.account);
  assert.equal(c.apiId, apiId);
  assert.equal(c.stage, "prod");
  assert.equal(c.deploymentId, dep.id);
  assert.equal(c.requestId, requestId);
  assert.equal(c.extendedRequestId, r.headers["x-amz-apigw-id"]);
  assert.equal(c.protocol, "HTTP/1.1");
  assert.equal(c.domainName, `${apiId}.execute-api.localhost`);
  assert.equal(c.domainPrefix, apiId);
  assert.equal(typeof c.requestTimeEpoch, "number");
  assert.ok(Math.abs(c.requestTimeEpoch - Date.now()) < 60_000);
  assert.match(c.requestTime, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  assert.equal(c.identity.sourceIp, "127.0.0.1");
  assert.equal(c.identity.userAgent, "exec-test/1.0");
  assert.equal(c.identity.caller, null);
  assert.equal(c.identity.cognitoIdentityId, null);

  // No query string: both maps null; {proxy+} under ANY with a text body.
  const p = await send(server, "/prod/files/a/b/c.txt", { host, method: "POST", headers: { "Content-Type": "text/plain" }, body: "hello" });
  assert.equal(p.status, 200, p.text);
  const pe = p.json() as EventJson;
  assert.equal(pe.resource, "/files/{proxy+}");
  assert.deepEqual(pe.pathParameters, { proxy: "a/b/c.txt" });
  assert.equal(pe.httpMethod, "POST");
  assert.equal(pe.queryStringParameters, null);
  assert.equal(pe.multiValueQueryStringParameters, null);
  assert.equal(pe.body, "hello");
  assert.equal(pe.isBase64Encoded, false);
  assert.equal(pe.requestContext.resourcePath, "/files/{proxy+}");

  // The same API by the path form, with Node's fetch.
  const f = await fetch(`${server.url}/restapis/${apiId}/prod/_user_request_/items?x=1`);
  assert.equal(f.status, 200);
  const fe = (await f.json()) as EventJson;
  assert.equal(fe.resource, "/items");
  assert.equal(fe.path, "/items");
  assert.deepEqual(fe.queryStringParameters, { x: "1" });
  // A ";" splits a REST API's query string too.
  const semi = (await send(server, "/prod/items?a=1;b=2&c=3", { host })).json() as EventJson;
  assert.deepEqual(semi.multiValueQueryStringParameters, { a: ["1"], b: ["2"], c: ["3"] });
  assert.equal(fe.requestContext.stage, "prod");
  assert.equal(fe.pathParameters, null);

  // The Host naming the API's region works too; another region has no such API.
  const regional = await send(server, "/prod/items", { host: `${apiId}.execute-api.us-east-1.amazonaws.com` });
  assert.equal(regional.status, 200);
  const elsewhere = await send(server, "/prod/items", { host: `${apiId}.execute-api.eu-west-1.amazonaws.com` });
  assert.equal(elsewhere.status, 403);
  assert.deepEqual(elsewhere.json(), { message: "Forbidden" });
  // HEAD is served by an ANY method, answered without its body.
  const head = await send(server, "/prod/files/x", { host, method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.ok(Number(head.headers["content-length"]) > 0, "the length of the body a GET would get");
  const { items } = await env.apigw.send(new GetResourcesCommand({ restApiId: apiId }));
  assert.ok(items!.some((i) => i.path === "/files/{proxy+}"));
});

test("misses as AWS answers them: 403 Missing Authentication Token, 403 Forbidden for an unknown stage", async () => {
  const env = await apiEnv(server);
  const { apiId } = await restApi(env, [{ path: "/items", verb: "GET" }]);
  await deploy(env, apiId);
  const host = apiHost(server, apiId);
  for (const [method, path] of [
    ["GET", "/prod/nothing"],
    ["DELETE", "/prod/items"],
    ["GET", "/prod/"],
    ["GET", "/prod/items/1"],
  ]) {
    const r = await send(server, path!, { host, method });
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.deepEqual(r.json(), { message: "Missing Authentication Token" });
    assert.equal(r.headers["x-amzn-errortype"], "MissingAuthenticationTokenException");
    assert.ok(r.headers["x-amzn-requestid"]);
    assert.ok(r.headers["x-amz-apigw-id"]);
  }
  for (const path of ["/staging/items", "/"]) {
    const r = await send(server, path, { host });
    assert.equal(r.status, 403, path);
    assert.deepEqual(r.json(), { message: "Forbidden" });
    assert.equal(r.headers["x-amzn-errortype"], "ForbiddenException");
  }
  const byPath = await fetch(`${server.url}/restapis/${apiId}/staging/_user_request_/items`);
  assert.equal(byPath.status, 403);
  assert.deepEqual(await byPath.json(), { message: "Forbidden" });
  // Past the 10 MB payload limit: 413, before any integration runs.
  const big = await send(server, "/prod/items", { host, method: "POST", body: Buffer.alloc(10 * 1024 * 1024 + 1, 97) });
  assert.equal(big.status, 413);
  assert.deepEqual(big.json(), { message: "Request Too Long" });
  const limit = await send(server, "/prod/items", { host, method: "POST", body: Buffer.alloc(10 * 1024 * 1024, 97) });
  assert.equal(limit.status, 403, "exactly 10 MB is read (and POST /items is no method)");
});

test("binary media types: a binary body reaches the function base64-encoded; a base64 answer is bytes for an Accept it names", async () => {
  const env = await apiEnv(server);
  const { apiId } = await restApi(env, [{ path: "/{proxy+}", verb: "ANY" }], { binaryMediaTypes: ["application/octet-stream", "image/*"] });
  await deploy(env, apiId);
  const host = apiHost(server, apiId);
  const bytes = Buffer.from([0, 1, 2, 200, 255]);
  const up = await send(server, "/prod/upload", { host, method: "PUT", headers: { "Content-Type": "image/png" }, body: bytes });
  const ue = up.json() as EventJson;
  assert.equal(ue.isBase64Encoded, true);
  assert.deepEqual(Buffer.from(ue.body, "base64"), bytes);
  // A text type not in the list stays text.
  const text = await send(server, "/prod/upload", { host, method: "PUT", headers: { "Content-Type": "application/json" }, body: '{"a":1}' });
  const te = text.json() as EventJson;
  assert.equal(te.isBase64Encoded, false);
  assert.equal(te.body, '{"a":1}');

  const bin = await send(server, "/prod/binary", { host, headers: { Accept: "application/octet-stream" } });
  assert.equal(bin.status, 200);
  assert.deepEqual(bin.body, Buffer.from([0, 1, 2, 254, 255]));
  assert.equal(bin.headers["content-type"], "application/octet-stream");
  const asText = await send(server, "/prod/binary", { host, headers: { Accept: "text/plain" } });
  assert.equal(asText.text, Buffer.from([0, 1, 2, 254, 255]).toString("base64"));
});

test("failures: 500 without the function's permission, 502 for a malformed answer or an error, 504 past timeoutInMillis", async () => {
  const env = await apiEnv(server);
  await createFunction(env, { FunctionName: "locked", code: { "index.mjs": ECHO } });
  const locked = `arn:aws:lambda:us-east-1:${env.account}:function:locked`;
  const { apiId } = await restApi(env, [
    { path: "/locked", verb: "GET", fnArn: locked },
    { path: "/{proxy+}", verb: "GET" },
    { path: "/quick/slow", verb: "GET", timeoutInMillis: 300 },
  ]);
  await deploy(env, apiId);
  const host = apiHost(server, apiId);

  const denied = await send(server, "/prod/locked", { host });
  assert.equal(denied.status, 500);
  assert.deepEqual(denied.json(), { message: "Internal server error" });
  assert.equal(denied.headers["x-amzn-errortype"], "InternalServerErrorException");

  // A throttled function (reserved concurrency 0) is a 500 to the caller, not a 429.
  await permitApiGateway(env, "locked");
  await env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "locked", ReservedConcurrentExecutions: 0 }));
  const throttled = await send(server, "/prod/locked", { host });
  assert.equal(throttled.status, 500, throttled.text);
  assert.deepEqual(throttled.json(), { message: "Internal server error" });

  for (const path of ["/prod/malformed", "/prod/throw"]) {
    const r = await send(server, path, { host });
    assert.equal(r.status, 502, path);
    assert.deepEqual(r.json(), { message: "Internal server error" });
    assert.ok(r.headers["x-amzn-requestid"]);
  }

  const t0 = Date.now();
  const slow = await send(server, "/prod/quick/slow", { host });
  assert.equal(slow.status, 504);
  assert.deepEqual(slow.json(), { message: "Endpoint request timed out" });
  assert.ok(Date.now() - t0 < 1900, "answered at the timeout, not when the function finished");
  // The default timeout (29 s) lets the same function finish.
  const ok = await send(server, "/prod/other/slow", { host });
  assert.equal(ok.status, 200);
  assert.equal(ok.text, "late");
});

const noPython = pythonMissing([]);

test("Python's urllib: by Host and by the path form", { skip: noPython }, async () => {
  const env = await apiEnv(server);
  const { apiId } = await restApi(env, [{ path: "/hello/{name}", verb: "GET" }]);
  await deploy(env, apiId, "v1");
  const script = `
import json, sys, urllib.request, urllib.error
base, host = sys.argv[1], sys.argv[2]
out = {}
req = urllib.request.Request(base + "/v1/hello/py?x=1", headers={"Host": host, "X-From": "urllib"})
with urllib.request.urlopen(req) as r:
    e = json.loads(r.read())
    out["host"] = [r.status, e["pathParameters"], e["headers"]["X-From"], r.headers["x-amzn-RequestId"] == e["requestContext"]["requestId"]]
with urllib.request.urlopen(base + "/restapis/${apiId}/v1/_user_request_/hello/there") as r:
    out["path"] = [r.status, json.loads(r.read())["pathParameters"]]
try:
    urllib.request.urlopen(urllib.request.Request(base + "/v1/nope", headers={"Host": host}))
except urllib.error.HTTPError as err:
    out["miss"] = [err.code, json.loads(err.read())]
print(json.dumps(out))
`;
  const { stdout } = await run("python3", ["-c", script, server.url, apiHost(server, apiId)], { timeout: 60_000 });
  assert.deepEqual(JSON.parse(stdout), {
    host: [200, { name: "py" }, "urllib", true],
    path: [200, { name: "there" }],
    miss: [403, { message: "Missing Authentication Token" }],
  });
});
