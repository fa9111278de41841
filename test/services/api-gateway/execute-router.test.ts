// The execute-api route's pieces that need no API made first: matching a deployment's resource tree (most
// specific first, ANY, {proxy+}, cost independent of the API's size), the addressing forms, the gateway responses'
// rendering, the Lambda proxy response's rules, access log lines; and an unknown API id over real HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import type { Method } from "../../../src/services/api-gateway/api.generated.js";
import type { ApiSnapshot, ResourceRec } from "../../../src/services/api-gateway/state.js";
import { compile, match } from "../../../src/services/api-gateway/execute/router.js";
import { parseTarget, splitStage } from "../../../src/services/api-gateway/execute/route.js";
import { renderGatewayError } from "../../../src/services/api-gateway/execute/gateway-responses.js";
import { GatewayError, MISSING_AUTH_TOKEN } from "../../../src/services/api-gateway/execute/errors.js";
import { proxyResponse } from "../../../src/services/api-gateway/execute/lambda-proxy.js";
import { accessLogLine } from "../../../src/services/api-gateway/execute/logs.js";
import { commonLogTime as clfTime } from "../../../src/core/clock.js";
import type { ApiRequest } from "../../../src/services/api-gateway/execute/types.js";
import { useServer } from "../../helpers/server.js";

const server = useServer();

const method = (verb: string): Method => ({ httpMethod: verb, authorizationType: "NONE", methodIntegration: { type: "MOCK" } });

function snapshot(resources: { path: string; verbs: string[] }[], extra: Partial<ApiSnapshot["api"]> = {}): ApiSnapshot {
  const recs: ResourceRec[] = resources.map((r, i) => ({
    id: `r${i}`,
    path: r.path,
    resourceMethods: Object.fromEntries(r.verbs.map((v) => [v, method(v)])),
  }));
  return {
    api: {
      id: "abcdefghij",
      name: "t",
      createdDate: 0,
      apiKeySource: "HEADER",
      endpointConfiguration: { types: ["EDGE"] },
      tags: {},
      disableExecuteApiEndpoint: false,
      rootResourceId: "r0",
      ...extra,
    },
    resources: recs,
    authorizers: [],
    validators: [],
    models: [],
    gatewayResponses: [],
  };
}

test("matching: literal before {param} before {proxy+}, exact verb before ANY, 403 cases as no match", () => {
  const api = compile(
    snapshot([
      { path: "/", verbs: ["GET"] },
      { path: "/items", verbs: ["GET", "POST"] },
      { path: "/items/{id}", verbs: ["GET", "ANY"] },
      { path: "/items/special", verbs: ["GET"] },
      { path: "/items/{id}/parts/{part}", verbs: ["PUT"] },
      { path: "/files/{proxy+}", verbs: ["ANY"] },
      { path: "/{proxy+}", verbs: ["GET"] },
    ]),
  );
  assert.equal(match(api, "/", "GET")?.resource.path, "/");
  assert.equal(match(api, "/", "POST"), undefined);
  assert.equal(match(api, "/items", "POST")?.methodKey, "POST");
  const special = match(api, "/items/special", "GET");
  assert.equal(special?.resource.path, "/items/special");
  assert.deepEqual(special?.pathParameters, {});
  // The literal lacks DELETE: the {id} resource's ANY answers it.
  const anyId = match(api, "/items/special", "DELETE");
  assert.equal(anyId?.resource.path, "/items/{id}");
  assert.equal(anyId?.methodKey, "ANY");
  assert.deepEqual(anyId?.pathParameters, { id: "special" });
  assert.deepEqual(match(api, "/items/a%20b", "GET")?.pathParameters, { id: "a b" });
  assert.deepEqual(match(api, "/items/7/parts/wheel", "PUT")?.pathParameters, { id: "7", part: "wheel" });
  assert.equal(match(api, "/items/7/parts/wheel", "GET")?.resource.path, "/{proxy+}");
  const greedy = match(api, "/files/a/b/c.txt", "PATCH");
  assert.equal(greedy?.resource.path, "/files/{proxy+}");
  assert.deepEqual(greedy?.pathParameters, { proxy: "a/b/c.txt" });
  // {proxy+} needs at least one segment.
  assert.equal(match(api, "/files", "GET")?.resource.path, "/{proxy+}");
  assert.equal(match(api, "/files", "POST"), undefined);
  assert.equal(match(api, "/nothing/here", "POST"), undefined);
  assert.deepEqual(match(api, "/nothing/here", "GET")?.pathParameters, { proxy: "nothing/here" });
  // A trailing slash names the same resource.
  assert.equal(match(api, "/items/", "GET")?.resource.path, "/items");
});

test("matching costs the same for 10,000 resources as for 10", () => {
  const small = compile(snapshot([{ path: "/", verbs: ["GET"] }, ...Array.from({ length: 9 }, (_, i) => ({ path: `/r${i}/x0/{id}`, verbs: ["GET"] }))]));
  const big = compile(
    snapshot([
      { path: "/", verbs: ["GET"] },
      ...Array.from({ length: 9999 }, (_, i) => ({ path: `/r${i % 100}/x${Math.floor(i / 100)}/{id}`, verbs: ["GET"] })),
    ]),
  );
  assert.equal(big.snapshot.resources.length, 10_000);
  // The same request, three segments deep, matches in both.
  assert.deepEqual(match(big, "/r5/x0/7", "GET")?.pathParameters, { id: "7" });
  assert.deepEqual(match(small, "/r5/x0/7", "GET")?.pathParameters, { id: "7" });
  const round = (api: typeof big) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 5_000; i++) match(api, "/r5/x0/7", "GET");
    return Number(process.hrtime.bigint() - t0);
  };
  // Many short interleaved rounds, the best of each: the machine's other load and GC pauses are not the API's size.
  let tSmall = Number.POSITIVE_INFINITY;
  let tBig = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 150; r++) {
    tSmall = Math.min(tSmall, round(small));
    tBig = Math.min(tBig, round(big));
  }
  assert.ok(tBig <= tSmall * 1.1, `10,000 resources: ${tBig} ns, 10 resources: ${tSmall} ns (5,000 matches)`);
});

test("addressing: Host forms and the path form, the stage split", () => {
  assert.deepEqual(parseTarget("abcdefghij.execute-api.localhost:4566", "/prod/items"), { apiId: "abcdefghij", region: undefined, fullPath: "/prod/items" });
  assert.deepEqual(parseTarget("abcdefghij.execute-api.eu-west-1.amazonaws.com", "/prod"), { apiId: "abcdefghij", region: "eu-west-1", fullPath: "/prod" });
  assert.equal(parseTarget("abcdefghij.execute-api.localhost.localstack.cloud:4566", "/x")?.apiId, "abcdefghij");
  assert.deepEqual(parseTarget("localhost:4566", "/restapis/abcdefghij/dev/_user_request_/a/b"), { apiId: "abcdefghij", fullPath: "/dev/a/b" });
  assert.deepEqual(parseTarget("localhost:4566", "/restapis/abcdefghij/dev/_user_request_"), { apiId: "abcdefghij", fullPath: "/dev/" });
  assert.equal(parseTarget("localhost:4566", "/restapis/abcdefghij/dev"), undefined);
  assert.deepEqual(splitStage("/prod/items/1"), { stage: "prod", path: "/items/1" });
  assert.deepEqual(splitStage("/prod"), { stage: "prod", path: "/" });
  assert.deepEqual(splitStage("/"), { stage: "", path: "/" });
});

const REQ: ApiRequest = {
  method: "GET",
  path: "/x",
  rawQuery: "q=1",
  query: { q: ["1"] },
  headers: { Accept: ["application/json"], "X-Who": ["me"] },
  body: Buffer.alloc(0),
  sourceIp: "127.0.0.1",
  userAgent: "t",
  domainName: "abcdefghij.execute-api.localhost",
  domainPrefix: "abcdefghij",
  requestTimeEpoch: 0,
  requestId: "rid",
  extendedRequestId: "xid",
  protocol: "HTTP/1.1",
};

test("gateway responses: the default body, a type's own response, the DEFAULT_4XX fallback", () => {
  const plain = renderGatewayError(MISSING_AUTH_TOKEN(), { req: REQ });
  assert.equal(plain.statusCode, 403);
  assert.equal(plain.body.toString(), '{"message":"Missing Authentication Token"}');
  assert.equal(plain.headers["x-amzn-ErrorType"], "MissingAuthenticationTokenException");
  assert.equal(plain.headers["content-type"], "application/json");

  const custom = renderGatewayError(MISSING_AUTH_TOKEN(), {
    req: REQ,
    context: { requestId: "rid", stage: "prod" },
    stageVariables: { env: "test" },
    gatewayResponses: [
      {
        responseType: "MISSING_AUTHENTICATION_TOKEN",
        statusCode: "404",
        responseParameters: {
          "gatewayresponse.header.X-Fixed": "'yes'",
          "gatewayresponse.header.X-Echo": "method.request.header.x-who",
          "gatewayresponse.header.X-Q": "method.request.querystring.q",
          "gatewayresponse.header.X-Stage": "context.stage",
        },
        responseTemplates: {
          "application/json":
            '{"error":$context.error.messageString,"type":"$context.error.responseType","id":"$context.requestId","env":"$stageVariables.env"}',
        },
      },
    ],
  });
  assert.equal(custom.statusCode, 404);
  assert.deepEqual(JSON.parse(custom.body.toString()), { error: "Missing Authentication Token", type: "MISSING_AUTHENTICATION_TOKEN", id: "rid", env: "test" });
  assert.equal(custom.headers["X-Fixed"], "yes");
  assert.equal(custom.headers["X-Echo"], "me");
  assert.equal(custom.headers["X-Q"], "1");
  assert.equal(custom.headers["X-Stage"], "prod");

  const fallback = renderGatewayError(new GatewayError("THROTTLED", 429, "Too Many Requests"), {
    req: REQ,
    gatewayResponses: [{ responseType: "DEFAULT_4XX", responseParameters: { "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" } }],
  });
  assert.equal(fallback.statusCode, 429);
  assert.equal(fallback.headers["Access-Control-Allow-Origin"], "*");
  assert.equal(fallback.body.toString(), '{"message":"Too Many Requests"}');
  // A 5XX is not the 4XX fallback's.
  const five = renderGatewayError(new GatewayError("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out"), {
    req: REQ,
    gatewayResponses: [{ responseType: "DEFAULT_4XX", statusCode: "400" }],
  });
  assert.equal(five.statusCode, 504);
});

test("Lambda proxy responses: headers merged, base64 decoded only for an Accept in binaryMediaTypes, malformed ones refused", () => {
  const api = compile(snapshot([{ path: "/", verbs: ["GET"] }], { binaryMediaTypes: ["image/png", "application~1octet-stream"] }));
  const r = proxyResponse(
    Buffer.from(
      JSON.stringify({
        statusCode: "201",
        headers: { "X-A": "1", "X-N": 2, "X-M": "m2" },
        multiValueHeaders: { "Set-Cookie": ["a=1", "b=2"], "x-m": ["m1", "m2"] },
        body: "hi",
      }),
    ),
    api,
    undefined,
  );
  assert.equal(r.statusCode, 201);
  assert.equal(r.headers["X-A"], "1");
  assert.equal(r.headers["X-N"], "2");
  assert.deepEqual(r.headers["Set-Cookie"], ["a=1", "b=2"]);
  // In both maps: merged, a pair given twice sent once.
  assert.deepEqual(r.headers["x-m"], ["m1", "m2"]);
  assert.equal(r.headers["Content-Type"], "application/json");
  assert.equal(r.body.toString(), "hi");
  const b64 = JSON.stringify({ statusCode: 200, body: Buffer.from([0, 255]).toString("base64"), isBase64Encoded: true });
  assert.deepEqual([...proxyResponse(Buffer.from(b64), api, "image/png").body], [0, 255]);
  assert.deepEqual([...proxyResponse(Buffer.from(b64), api, "application/octet-stream, */*").body], [0, 255]);
  assert.equal(proxyResponse(Buffer.from(b64), api, "text/plain").body.toString(), "AP8=");
  for (const bad of [
    '"text"',
    "[1]",
    "{}",
    '{"statusCode":200,"cookies":["a=1"]}',
    '{"statusCode":200,"body":{"a":1}}',
    '{"statusCode":200,"extra":1}',
    '{"statusCode":"abc"}',
    "not json",
  ]) {
    assert.throws(
      () => proxyResponse(Buffer.from(bad), api, undefined),
      (e: unknown) => e instanceof GatewayError && e.statusCode === 502 && e.message === "Internal server error",
      bad,
    );
  }
});

test("access log lines: $context variables substituted, - when unknown", () => {
  const line = accessLogLine(
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","status":"$context.status","len":"$context.responseLength","err":"$context.error.message","auth":"$context.authorizer.principalId"}',
    { requestId: "rid", identity: { sourceIp: "1.2.3.4" } },
    { status: 403, responseLength: 42, responseLatency: 3, errorMessage: "Forbidden" },
  );
  assert.deepEqual(JSON.parse(line), { requestId: "rid", ip: "1.2.3.4", status: "403", len: "42", err: "Forbidden", auth: "-" });
  assert.equal(clfTime(Date.UTC(2026, 11, 5, 19, 3, 58)), "05/Dec/2026:19:03:58 +0000");
});

function send(path: string, host: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((ok, fail) => {
    const req = httpRequest(`${server.url}${path}`, { headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", fail);
    req.end();
  });
}

test("an API id that is no API: 403 Forbidden, by Host and by the path form", async () => {
  const port = new URL(server.url).port;
  for (const [path, host] of [
    ["/prod/anything", `zzzzzzzzzz.execute-api.localhost:${port}`],
    ["/restapis/zzzzzzzzzz/prod/_user_request_/anything", `localhost:${port}`],
  ] as const) {
    const r = await send(path, host);
    assert.equal(r.status, 403);
    assert.deepEqual(JSON.parse(r.body), { message: "Forbidden" });
    assert.equal(r.headers["x-amzn-errortype"], "ForbiddenException");
    assert.match(String(r.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
    assert.match(String(r.headers["x-amz-apigw-id"]), /^[A-Za-z0-9+/]{15}=$/);
  }
});
