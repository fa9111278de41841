// HTTP API route selection and the pieces of the data plane that need no API made first: route keys matched as
// AWS documents it (full match before {proxy+}, literal before {param}, a method before ANY, $default last), a
// matching cost independent of the number of routes, the payload 2.0 response rules, CORS preflight headers,
// the token bucket, and $context substitution in access log formats.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileRoutes } from "../../../src/services/api-gateway/execute/http/routes.js";
import { MalformedResponse, responseV1, responseV2 } from "../../../src/services/api-gateway/execute/http/payload.js";
import { preflightHeaders } from "../../../src/services/api-gateway/execute/http/cors.js";
import { Throttle } from "../../../src/services/api-gateway/execute/http/throttle.js";
import { logGroupOfArn as logGroupOf } from "../../../src/core/log-delivery.js";
import { formatAccessLog } from "../../../src/services/api-gateway/execute/http/access-log.js";
import type { ApiRequest } from "../../../src/services/api-gateway/execute/types.js";

const table = (keys: string[]) => compileRoutes(keys, (k) => k);

test("routes: full matches first, literal before {param}, a method before ANY", () => {
  const t = table(["GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "ANY /pets/dog/{id}", "$default"]);
  assert.deepEqual(t.match("GET", "/pets/dog/1"), { route: "GET /pets/dog/1", pathParameters: {} });
  assert.deepEqual(t.match("GET", "/pets/dog/2"), { route: "GET /pets/dog/{id}", pathParameters: { id: "2" } });
  assert.deepEqual(t.match("POST", "/pets/dog/2"), { route: "ANY /pets/dog/{id}", pathParameters: { id: "2" } });
  assert.deepEqual(t.match("GET", "/pets/cat/1"), { route: "GET /pets/{proxy+}", pathParameters: { proxy: "cat/1" } });
  assert.deepEqual(t.match("POST", "/pets/cat/1"), { route: "ANY /{proxy+}", pathParameters: { proxy: "pets/cat/1" } });
  // {proxy+} takes one segment or more: "/" is the $default route's.
  assert.deepEqual(t.match("GET", "/"), { route: "$default", pathParameters: {} });
});

test("routes: a full match through a {param} beats a greedy one; the deepest greedy wins; values are decoded", () => {
  const t = table(["GET /a/{proxy+}", "GET /{x}/b", "GET /a/b/{rest+}", "GET /files/{name}"]);
  assert.equal(t.match("GET", "/a/b")!.route, "GET /{x}/b");
  assert.deepEqual(t.match("GET", "/a/b/c/d"), { route: "GET /a/b/{rest+}", pathParameters: { rest: "c/d" } });
  assert.deepEqual(t.match("GET", "/a/c"), { route: "GET /a/{proxy+}", pathParameters: { proxy: "c" } });
  assert.deepEqual(t.match("GET", "/files/my%20file.txt"), { route: "GET /files/{name}", pathParameters: { name: "my file.txt" } });
  assert.equal(t.match("DELETE", "/files/x"), undefined);
  assert.equal(t.match("GET", "/nothing/here/at/all"), undefined);
});

test("routes: matching costs the same for 10 and 10,000 routes", () => {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `GET /r${i}/items/{id}`);
  const small = table(keys(10));
  const big = table(keys(10_000));
  assert.deepEqual(big.match("GET", "/r9999/items/7"), { route: "GET /r9999/items/{id}", pathParameters: { id: "7" } });
  const time = (t: ReturnType<typeof table>) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 50_000; i++) t.match("GET", "/r5/items/42");
    return Number(process.hrtime.bigint() - start);
  };
  time(small);
  time(big);
  const a = Math.min(time(small), time(small), time(small));
  const b = Math.min(time(big), time(big), time(big));
  // A scan of the routes would make the big table ~1,000× slower; 10× leaves room for a loaded machine (CI saw 2.4×
  // once while other suites ran) without letting a scan through.
  assert.ok(b < a * 10, `10,000 routes took ${b} ns against ${a} ns for 10`);
});

test("payload 2.0 responses: plain values are a 200 application/json, statusCode objects are read", () => {
  const plain = responseV2(Buffer.from(JSON.stringify({ hello: "world" })));
  assert.equal(plain.statusCode, 200);
  assert.deepEqual(plain.headers.get("content-type"), ["application/json"]);
  assert.deepEqual(JSON.parse(plain.body.toString()), { hello: "world" });
  assert.equal(responseV2(Buffer.from('"just text"')).body.toString(), "just text");
  const full = responseV2(
    Buffer.from(
      JSON.stringify({ statusCode: 201, headers: { "X-A": "1" }, cookies: ["a=1", "b=2"], body: Buffer.from("hi").toString("base64"), isBase64Encoded: true }),
    ),
  );
  assert.equal(full.statusCode, 201);
  assert.deepEqual(full.headers.get("x-a"), ["1"]);
  assert.deepEqual(full.headers.get("set-cookie"), ["a=1", "b=2"]);
  assert.equal(full.body.toString(), "hi");
  assert.throws(() => responseV2(Buffer.from("not json")), MalformedResponse);
  assert.throws(() => responseV2(Buffer.from('{"statusCode":"abc"}')), MalformedResponse);
  // Format 1.0 needs a statusCode.
  assert.throws(() => responseV1(Buffer.from('{"hello":"world"}')), MalformedResponse);
  const v1 = responseV1(Buffer.from(JSON.stringify({ statusCode: 200, multiValueHeaders: { "x-m": ["a", "b"] }, headers: { "x-s": "c" }, body: "ok" })));
  assert.deepEqual(v1.headers.get("x-m"), ["a", "b"]);
  assert.deepEqual(v1.headers.get("x-s"), ["c"]);
});

const preflightReq = (headers: Record<string, string>): ApiRequest =>
  ({ method: "OPTIONS", headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) }) as unknown as ApiRequest;

test("CORS preflight headers from the API's configuration", () => {
  const cors = {
    AllowOrigins: ["https://app.example"],
    AllowMethods: ["GET", "POST"],
    AllowHeaders: ["Content-Type", "X-Custom"],
    MaxAge: 300,
    AllowCredentials: true,
    ExposeHeaders: ["x-total"],
  };
  const ok = preflightHeaders(cors, preflightReq({ Origin: "https://app.example", "Access-Control-Request-Method": "POST" }));
  assert.deepEqual(ok, {
    "access-control-allow-origin": "https://app.example",
    "access-control-allow-methods": "GET,POST",
    "access-control-allow-headers": "content-type,x-custom",
    "access-control-expose-headers": "x-total",
    "access-control-allow-credentials": "true",
    "access-control-max-age": "300",
  });
  assert.deepEqual(preflightHeaders(cors, preflightReq({ Origin: "https://evil.example", "Access-Control-Request-Method": "POST" })), {});
  assert.deepEqual(preflightHeaders(cors, preflightReq({ Origin: "https://app.example", "Access-Control-Request-Method": "DELETE" })), {});
  const star = preflightHeaders(
    { AllowOrigins: ["*"], AllowMethods: ["*"], AllowHeaders: ["*"] },
    preflightReq({ Origin: "https://x", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-a" }),
  );
  assert.equal(star["access-control-allow-origin"], "*");
  assert.equal(star["access-control-allow-methods"], "PUT");
  assert.equal(star["access-control-allow-headers"], "x-a");
});

test("throttling: a token bucket of ThrottlingBurstLimit refilled at ThrottlingRateLimit a second", () => {
  const t = new Throttle();
  const settings = { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 1 };
  assert.equal(t.take("k", undefined, settings, 0), true);
  assert.equal(t.take("k", undefined, settings, 0), true);
  assert.equal(t.take("k", undefined, settings, 10), false);
  assert.equal(t.take("k", undefined, settings, 1010), true);
  assert.equal(t.take("k", undefined, settings, 1020), false);
  // A route's own settings win over the stage's defaults; no limits at all never throttles.
  assert.equal(t.take("r", { ThrottlingBurstLimit: 0, ThrottlingRateLimit: 0 }, settings, 0), false);
  for (let i = 0; i < 100; i++) assert.equal(t.take("free", undefined, {}, 0), true);
});

test("access logs: $context variables replaced, '-' for the missing ones; the destination's log group", () => {
  const line = formatAccessLog(
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","status":"$context.status","err":"$context.error.message"}',
    {
      requestId: "abc=",
      "identity.sourceIp": "127.0.0.1",
      status: 200,
    },
  );
  assert.deepEqual(JSON.parse(line), { requestId: "abc=", ip: "127.0.0.1", status: "200", err: "-" });
  assert.deepEqual(logGroupOf("arn:aws:logs:us-east-1:000000000000:log-group:/my/group:*"), {
    region: "us-east-1",
    account: "000000000000",
    group: "/my/group",
  });
});
