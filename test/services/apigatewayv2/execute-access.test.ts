// HTTP APIs' access control, limits and other integrations over real HTTP: Lambda REQUEST authorizers (simple
// responses and IAM policies, identity sources, caching by TTL), JWT authorizers against a local OpenID issuer (and
// the refusal for one Stratus cannot reach), stage throttling (429), HTTP_PROXY to a local node:http server
// (path, query and headers forwarded, parameter mappings, timeout), a call from Python's urllib, and access logs
// in CloudWatch Logs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { CreateApiCommand, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from "@aws-sdk/client-apigatewayv2";
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { startTestIdp, type TestIdp } from "../../helpers/oidc-idp.js";
import { call, env, fn, permit } from "./execute-helpers.js";

const server = useServer();

const ECHO = `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });`;

const AUTHORIZER = `
let calls = 0;
export const handler = async (event) => {
  calls++;
  const auth = event.headers?.authorization ?? event.headers?.Authorization;
  if (event.version === "1.0") {
    return {
      principalId: "user-1",
      policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: auth === "letmein" ? "Allow" : "Deny", Resource: event.methodArn }] },
      context: { user: "bob" },
    };
  }
  return { isAuthorized: auth === "letmein", context: { user: "alice", calls, source: event.identitySource } };
};`;

async function lambdaRoute(e: Awaited<ReturnType<typeof env>>, apiId: string, target: string, routeKey: string, extra: Record<string, unknown> = {}) {
  const integ = await e.v2.send(
    new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: target, PayloadFormatVersion: "2.0" }),
  );
  await e.v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: `integrations/${integ.IntegrationId}`, ...extra }));
}

test("Lambda REQUEST authorizers: simple responses, IAM policies, missing identity, caching by TTL", async () => {
  const e = await env(server);
  const target = await fn(e, "backend", ECHO);
  const authFn = await fn(e, "authorizer", AUTHORIZER);
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "auth", ProtocolType: "HTTP" }));
  await permit(e, "backend", id!);
  await permit(e, "authorizer", id!);
  const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${authFn}/invocations`;
  const simple = await e.v2.send(
    new CreateAuthorizerCommand({
      ApiId: id,
      Name: "simple",
      AuthorizerType: "REQUEST",
      AuthorizerUri: uri,
      AuthorizerPayloadFormatVersion: "2.0",
      EnableSimpleResponses: true,
      IdentitySource: ["$request.header.Authorization"],
      AuthorizerResultTtlInSeconds: 300,
    }),
  );
  const policy = await e.v2.send(
    new CreateAuthorizerCommand({
      ApiId: id,
      Name: "policy",
      AuthorizerType: "REQUEST",
      AuthorizerUri: uri,
      AuthorizerPayloadFormatVersion: "1.0",
      IdentitySource: ["$request.header.Authorization"],
      AuthorizerResultTtlInSeconds: 0,
    }),
  );
  await lambdaRoute(e, id!, target, "GET /simple", { AuthorizationType: "CUSTOM", AuthorizerId: simple.AuthorizerId });
  await lambdaRoute(e, id!, target, "GET /policy", { AuthorizationType: "CUSTOM", AuthorizerId: policy.AuthorizerId });
  await e.v2.send(new CreateStageCommand({ ApiId: id, StageName: "$default", AutoDeploy: true }));

  const missing = await eventually(async () => {
    const r = await call(server, id!, "/simple");
    assert.equal(r.status, 401);
    return r;
  });
  assert.deepEqual(missing.json(), { message: "Unauthorized" });
  const wrong = await call(server, id!, "/simple", { headers: { authorization: "nope" } });
  assert.equal(wrong.status, 403);
  assert.deepEqual(wrong.json(), { message: "Forbidden" });
  const ok = await call(server, id!, "/simple", { headers: { authorization: "letmein" } });
  assert.equal(ok.status, 200);
  const lambdaCtx = ok.json().requestContext.authorizer.lambda;
  assert.equal(lambdaCtx.user, "alice");
  assert.deepEqual(lambdaCtx.source, ["letmein"]);
  // Cached for the TTL by the identity's value: the authorizer is not called again.
  const again = await call(server, id!, "/simple", { headers: { authorization: "letmein" } });
  assert.equal(again.json().requestContext.authorizer.lambda.calls, lambdaCtx.calls);

  // Payload 1.0 authorizers answer an IAM policy, evaluated on the route's ARN.
  assert.equal((await call(server, id!, "/policy", { headers: { authorization: "nope" } })).status, 403);
  const allowed = await call(server, id!, "/policy", { headers: { authorization: "letmein" } });
  assert.equal(allowed.status, 200);
  const ctx = allowed.json().requestContext.authorizer;
  assert.equal(ctx.lambda.user, "bob");
  assert.equal(ctx.principalId, "user-1");
});

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

test("JWT authorizers: a token signed by the issuer's JWKS passes with its claims; anything else is refused", async () => {
  const e = await env(server);
  const target = await fn(e, "jwt-backend", ECHO);
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "jwt", ProtocolType: "HTTP" }));
  await permit(e, "jwt-backend", id!);
  const jwt = await e.v2.send(
    new CreateAuthorizerCommand({
      ApiId: id,
      Name: "jwt",
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: { Issuer: idp.issuer, Audience: ["my-client"] },
    }),
  );
  const remote = await e.v2.send(
    new CreateAuthorizerCommand({
      ApiId: id,
      Name: "remote",
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: { Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefghi", Audience: ["my-client"] },
    }),
  );
  await lambdaRoute(e, id!, target, "GET /me", { AuthorizationType: "JWT", AuthorizerId: jwt.AuthorizerId });
  await lambdaRoute(e, id!, target, "GET /admin", { AuthorizationType: "JWT", AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ["admin"] });
  await lambdaRoute(e, id!, target, "GET /remote", { AuthorizationType: "JWT", AuthorizerId: remote.AuthorizerId });
  await e.v2.send(new CreateStageCommand({ ApiId: id, StageName: "$default", AutoDeploy: true }));

  await eventually(async () => assert.equal((await call(server, id!, "/me")).status, 401));
  const good = idp.token({ aud: "my-client", sub: "u-42", scope: "read write" });
  const r = await call(server, id!, "/me", { headers: { authorization: `Bearer ${good}` } });
  assert.equal(r.status, 200);
  const claims = r.json().requestContext.authorizer.jwt;
  assert.equal(claims.claims.sub, "u-42");
  assert.deepEqual(claims.scopes, ["read", "write"]);

  const forged = idp.token({ aud: "my-client", sub: "u-42" }, { key: idp.foreignKey });
  const badSig = await call(server, id!, "/me", { headers: { authorization: `Bearer ${forged}` } });
  assert.equal(badSig.status, 401);
  assert.deepEqual(badSig.json(), { message: "Unauthorized" });
  assert.match(String(badSig.headers["www-authenticate"]), /invalid_token/);
  assert.equal((await call(server, id!, "/me", { headers: { authorization: idp.token({ aud: "someone-else" }) } })).status, 401);
  // client_id counts only when there is no aud.
  assert.equal((await call(server, id!, "/me", { headers: { authorization: idp.token({ client_id: "my-client" }) } })).status, 200);
  assert.equal((await call(server, id!, "/me", { headers: { authorization: idp.token({ aud: "someone-else", client_id: "my-client" }) } })).status, 401);
  assert.equal((await call(server, id!, "/me", { headers: { authorization: idp.token({ aud: "my-client", exp: 1 }) } })).status, 401);
  // A scope the route requires and the token lacks: 403.
  assert.equal((await call(server, id!, "/admin", { headers: { authorization: good } })).status, 403);
  assert.equal((await call(server, id!, "/admin", { headers: { authorization: idp.token({ aud: "my-client", scope: "admin" }) } })).status, 200);

  // An issuer Stratus cannot reach is refused, never let through unverified.
  const far = await call(server, id!, "/remote", { headers: { authorization: good } });
  assert.equal(far.status, 500);
  assert.match(far.json().message, /Stratus cannot fetch the JWKS/);
});

test("stage throttling: past the bucket, 429 Too Many Requests; a route's own settings override the stage's", async () => {
  const e = await env(server);
  const target = await fn(e, "throttled", ECHO);
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "throttle", ProtocolType: "HTTP" }));
  await permit(e, "throttled", id!);
  await lambdaRoute(e, id!, target, "GET /limited");
  await lambdaRoute(e, id!, target, "GET /free");
  await e.v2.send(
    new CreateStageCommand({
      ApiId: id,
      StageName: "live",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 0.1 },
      RouteSettings: { "GET /free": { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 100 } },
    }),
  );
  await eventually(async () => assert.notEqual((await call(server, id!, "/live/free")).status, 404));
  const statuses = await Promise.all(Array.from({ length: 6 }, () => call(server, id!, "/live/limited")));
  const limited = statuses.filter((r) => r.status === 429);
  assert.equal(statuses.filter((r) => r.status === 200).length, 2);
  assert.equal(limited.length, 4);
  assert.deepEqual(limited[0]!.json(), { message: "Too Many Requests" });
  const free = await Promise.all(Array.from({ length: 6 }, () => call(server, id!, "/live/free")));
  assert.ok(free.every((r) => r.status === 200));
});

let backend: Server;
let backendPort = 0;
before(async () => {
  backend = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const reply = () => {
        res.writeHead(req.url?.startsWith("/base/teapot") ? 418 : 200, { "content-type": "application/json", "x-backend": "yes" });
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
      };
      if (req.url?.includes("slow")) setTimeout(reply, 1000);
      else reply();
    });
  });
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  backendPort = (backend.address() as { port: number }).port;
});
after(() => new Promise<void>((r) => backend.close(() => r())));

test("HTTP_PROXY: quick create sends the full path; explicit integrations fill {variables}, map parameters and time out", async () => {
  const e = await env(server);
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "proxy", ProtocolType: "HTTP", Target: `http://127.0.0.1:${backendPort}/base` }));
  const r = await call(server, id!, "/teapot/pot?x=1&x=2", { method: "POST", headers: { "x-client": "c1", "content-type": "text/plain" }, body: "brew" });
  assert.equal(r.status, 418);
  assert.equal(r.headers["x-backend"], "yes");
  assert.ok(r.headers["apigw-requestid"]);
  const seen = r.json();
  assert.equal(seen.method, "POST");
  assert.equal(seen.url, "/base/teapot/pot?x=1&x=2");
  assert.equal(seen.headers["x-client"], "c1");
  assert.equal(seen.headers.host, `127.0.0.1:${backendPort}`);
  assert.equal(seen.body, "brew");

  const integ = await e.v2.send(
    new CreateIntegrationCommand({
      ApiId: id,
      IntegrationType: "HTTP_PROXY",
      IntegrationMethod: "GET",
      IntegrationUri: `http://127.0.0.1:${backendPort}/things/{id}`,
      PayloadFormatVersion: "1.0",
      RequestParameters: {
        "overwrite:header.x-added": "static-$request.path.id",
        "append:querystring.from": "$request.header.x-client",
        "remove:header.x-secret": "''",
        "overwrite:header.x-name": "$request.body.name",
      },
    }),
  );
  await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "ANY /items/{id}", Target: `integrations/${integ.IntegrationId}` }));
  const slow = await e.v2.send(
    new CreateIntegrationCommand({
      ApiId: id,
      IntegrationType: "HTTP_PROXY",
      IntegrationMethod: "ANY",
      IntegrationUri: `http://127.0.0.1:${backendPort}/slow`,
      PayloadFormatVersion: "1.0",
      TimeoutInMillis: 200,
    }),
  );
  await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "GET /slow", Target: `integrations/${slow.IntegrationId}` }));
  const mapped = await eventually(async () => {
    const m = await call(server, id!, "/items/7?q=z", {
      method: "PUT",
      headers: { "x-client": "c2", "x-secret": "s", "content-type": "application/json" },
      body: '{"name":"zed"}',
    });
    assert.equal(m.status, 200);
    return m.json();
  });
  assert.equal(mapped.method, "GET");
  assert.equal(mapped.url, "/things/7?q=z&from=c2");
  assert.equal(mapped.headers["x-added"], "static-7");
  assert.equal(mapped.headers["x-secret"], undefined);
  assert.equal(mapped.headers["x-name"], "zed");

  const timedOut = await call(server, id!, "/slow");
  assert.equal(timedOut.status, 503);
  assert.deepEqual(timedOut.json(), { message: "Service Unavailable" });
});

const noPython = pythonMissing([]);
test("Python's urllib calls an HTTP API", { skip: noPython }, async () => {
  const e = await env(server);
  const target = await fn(e, "py", ECHO);
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "py", ProtocolType: "HTTP", Target: target }));
  await permit(e, "py", id!);
  const script = `
import json, sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:${server.port}/from/python?lang=py", data=b'{"n": 1}', method="POST",
    headers={"Host": "${id}.execute-api.localhost:${server.port}", "Content-Type": "application/json"})
with urllib.request.urlopen(req) as res:
    ev = json.loads(res.read())
    print(json.dumps({"status": res.status, "rid": res.headers["apigw-requestid"], "path": ev["rawPath"], "qs": ev["queryStringParameters"], "body": ev["body"], "method": ev["requestContext"]["http"]["method"]}))
`;
  const { stdout } = await run("python3", ["-c", script]);
  const out = JSON.parse(stdout);
  assert.equal(out.status, 200);
  assert.ok(out.rid);
  assert.equal(out.path, "/from/python");
  assert.deepEqual(out.qs, { lang: "py" });
  assert.equal(out.body, '{"n": 1}');
  assert.equal(out.method, "POST");
});

test("access logs: one line per request in the stage's format, in its CloudWatch Logs group; the Invoke data event kept out of Event history", async () => {
  const e = await env(server);
  const logs = new CloudWatchLogsClient(server.clientConfig({ account: e.account }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/apigw/access" }));
  const target = await fn(e, "logged", ECHO);
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "logged", ProtocolType: "HTTP" }));
  await permit(e, "logged", id!);
  await lambdaRoute(e, id!, target, "GET /hello/{name}");
  await e.v2.send(
    new CreateStageCommand({
      ApiId: id,
      StageName: "$default",
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: `arn:aws:logs:us-east-1:${e.account}:log-group:/apigw/access`,
        Format:
          '{"requestId":"$context.requestId","routeKey":"$context.routeKey","status":"$context.status","ip":"$context.identity.sourceIp","error":"$context.error.message"}',
      },
    }),
  );
  const ok = await eventually(async () => {
    const r = await call(server, id!, "/hello/world");
    assert.equal(r.status, 200);
    return r;
  });
  await call(server, id!, "/missing");
  const lines = await eventually(async () => {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: "/apigw/access" }));
    const parsed = (out.events ?? []).map((ev) => JSON.parse(ev.message!));
    assert.ok(parsed.some((l) => l.status === "404"));
    return parsed;
  });
  const line = lines.find((l) => l.requestId === ok.headers["apigw-requestid"]);
  assert.deepEqual(line, { requestId: ok.headers["apigw-requestid"], routeKey: "GET /hello/{name}", status: "200", ip: "127.0.0.1", error: "-" });
  assert.deepEqual(
    lines.find((l) => l.status === "404"),
    { requestId: lines.find((l) => l.status === "404").requestId, routeKey: "-", status: "404", ip: "127.0.0.1", error: "Not Found" },
  );

  // Not in Event history: execute-api's Invoke is a data event, and Event history holds management events only (AWS:
  // "The CloudTrail Event history doesn't record data events"); the API's creation is there.
  const ct = new CloudTrailClient(server.clientConfig({ account: e.account }));
  const lookup = async (source: string) =>
    (await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: source }] }))).Events ?? [];
  await eventually(async () => assert.ok((await lookup("apigateway.amazonaws.com")).some((ev) => ev.EventName === "CreateApi")));
  assert.deepEqual(await lookup("execute-api.amazonaws.com"), []);
});
