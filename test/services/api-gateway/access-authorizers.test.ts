// Lambda authorizers over real HTTP: TOKEN (identity header, validation expression, allow, explicit and implicit
// deny, "Unauthorized", a broken answer, the TTL cache) and REQUEST (every identity source required, the event's
// shape), the authorizer's context reaching the integration, its usageIdentifierKey as the API key
// (apiKeySource AUTHORIZER), and COGNITO_USER_POOLS refused plainly.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  GetUsageCommand,
} from "@aws-sdk/client-api-gateway";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { useServer } from "../../helpers/server.js";
import { createFunction } from "../lambda/setup.js";
import { accessApi } from "./access-setup.js";
import { apiEnv, apiHost, deploy, type ApiEnv, type EventJson, lambdaUri, send } from "./execute-setup.js";

const server = useServer();

/**
 * The authorizer: "allow…" tokens allow the stage's every method, "deny" denies explicitly, "elsewhere" allows
 * another API only (an implicit deny), "unauthorized" throws Unauthorized, "broken" answers no policy, "boom"
 * throws; its context counts its calls (so a cached answer shows) and echoes the event it got.
 */
const AUTHORIZER = `
let calls = 0;
const policy = (effect, resource) => ({ Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }] });
export const handler = async (event) => {
  calls++;
  const token = event.type === "TOKEN" ? event.authorizationToken : event.headers["X-User"];
  const [arnBase, stage] = event.methodArn.split("/");
  if (token === "unauthorized") throw new Error("Unauthorized");
  if (token === "boom") throw new Error("something else");
  if (token === "broken") return { principalId: "x" };
  if (token === "deny") return { principalId: "bad", policyDocument: policy("Deny", event.methodArn) };
  if (token === "elsewhere") return { principalId: "lost", policyDocument: policy("Allow", "arn:aws:execute-api:us-east-1:111111111111:other/*") };
  return {
    principalId: "user-" + token,
    policyDocument: policy("Allow", arnBase + "/" + stage + "/*"),
    context: { calls, token, type: event.type, methodArn: event.methodArn, flag: true,
      tenant: event.queryStringParameters?.tenant ?? "", stageVar: event.stageVariables?.v ?? "", resource: event.resource ?? "",
      ctxStage: event.requestContext?.stage ?? "" },
    usageIdentifierKey: "usage-key-value-for-" + token,
  };
};`;

async function authorizerFunction(env: ApiEnv, name = "auth") {
  const fn = await createFunction(env, { FunctionName: name, code: { "index.mjs": AUTHORIZER } });
  // API Gateway calls an authorizer with the authorizer's ARN as the source (…:<apiId>/authorizers/<id>).
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: name,
      StatementId: "apigw-authorizers",
      Action: "lambda:InvokeFunction",
      Principal: "apigateway.amazonaws.com",
      SourceArn: `arn:aws:execute-api:us-east-1:${env.account}:*/authorizers/*`,
    }),
  );
  return fn.FunctionArn!;
}

const call = (apiId: string, path: string, headers: Record<string, string> = {}) => send(server, `/prod${path}`, { host: apiHost(server, apiId), headers });

test("TOKEN authorizer: allow with context, explicit and implicit deny, 401 for missing or unmatched tokens, 500 for a broken answer", async () => {
  const env = await apiEnv(server);
  const fnArn = await authorizerFunction(env);
  const api = await accessApi(env);
  const auth = await env.apigw.send(
    new CreateAuthorizerCommand({
      restApiId: api.apiId,
      name: "tokens",
      type: "TOKEN",
      authorizerUri: lambdaUri(fnArn),
      identitySource: "method.request.header.Authorization",
      identityValidationExpression: "[a-z]+(-[0-9]+)?",
      authorizerResultTtlInSeconds: 0,
    }),
  );
  await api.put({ path: "/items/{id}", verb: "GET", authorizationType: "CUSTOM", authorizerId: auth.id });
  await deploy(env, api.apiId, "prod");

  const ok = await call(api.apiId, "/items/7", { Authorization: "allow-1" });
  assert.equal(ok.status, 200, ok.text);
  const a = (ok.json() as EventJson).requestContext.authorizer;
  assert.equal(a.principalId, "user-allow-1");
  assert.equal(a.token, "allow-1");
  assert.equal(a.type, "TOKEN");
  assert.equal(a.methodArn, `arn:aws:execute-api:us-east-1:${env.account}:${api.apiId}/prod/GET/items/7`);
  // REST APIs hand the context's values to the integration as strings.
  assert.equal(a.flag, "true");
  assert.equal(typeof a.integrationLatency, "number");

  const denied = await call(api.apiId, "/items/7", { Authorization: "deny" });
  assert.equal(denied.status, 403);
  assert.match(denied.text, /User is not authorized to access this resource with an explicit deny/);
  const implicit = await call(api.apiId, "/items/7", { Authorization: "elsewhere" });
  assert.equal(implicit.status, 403);
  assert.match(implicit.text, /User is not authorized to access this resource"/);

  for (const headers of [{}, { Authorization: "NOT-VALID!" }, { Authorization: "unauthorized" }] as Record<string, string>[]) {
    const r = await call(api.apiId, "/items/7", headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.deepEqual(r.json(), { message: "Unauthorized" });
  }
  for (const token of ["broken", "boom"]) {
    const r = await call(api.apiId, "/items/7", { Authorization: token });
    assert.equal(r.status, 500, token);
    assert.equal(r.headers["x-amzn-errortype"], "AuthorizerConfigurationException");
  }
});

test("authorizer results are cached per identity value for the TTL (0 turns caching off)", async () => {
  const env = await apiEnv(server);
  const fnArn = await authorizerFunction(env);
  const api = await accessApi(env);
  const cached = await env.apigw.send(
    new CreateAuthorizerCommand({
      restApiId: api.apiId,
      name: "cached",
      type: "TOKEN",
      authorizerUri: lambdaUri(fnArn),
      identitySource: "method.request.header.Authorization",
      authorizerResultTtlInSeconds: 300,
    }),
  );
  const fresh = await env.apigw.send(
    new CreateAuthorizerCommand({
      restApiId: api.apiId,
      name: "fresh",
      type: "TOKEN",
      authorizerUri: lambdaUri(fnArn),
      identitySource: "method.request.header.Authorization",
      authorizerResultTtlInSeconds: 0,
    }),
  );
  await api.put({ path: "/cached", verb: "GET", authorizationType: "CUSTOM", authorizerId: cached.id });
  await api.put({ path: "/cached/{id}", verb: "GET", authorizationType: "CUSTOM", authorizerId: cached.id });
  await api.put({ path: "/fresh", verb: "GET", authorizationType: "CUSTOM", authorizerId: fresh.id });
  await deploy(env, api.apiId, "prod");

  const calls = async (path: string, token: string) => {
    const r = await call(api.apiId, path, { Authorization: token });
    assert.equal(r.status, 200, r.text);
    return Number((r.json() as EventJson).requestContext.authorizer.calls);
  };
  const first = await calls("/cached", "alice");
  // The same token: the cached policy (it allows the whole stage, so another method is served from it too).
  assert.equal(await calls("/cached", "alice"), first);
  assert.equal(await calls("/cached/9", "alice"), first);
  // Another token: the function runs again.
  const bob = await calls("/cached", "bob");
  assert.ok(bob > first);
  // FlushStageAuthorizersCache: the next request calls the function again, then it is cached anew.
  await env.apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.apiId, stageName: "prod" }));
  const flushed = await calls("/cached", "alice");
  assert.ok(flushed > bob);
  assert.equal(await calls("/cached", "alice"), flushed);
  // TTL 0: every request calls the function.
  const f1 = await calls("/fresh", "alice");
  const f2 = await calls("/fresh", "alice");
  assert.ok(f2 > f1);
});

test("REQUEST authorizer: every identity source required (401 otherwise), the event carries the request", async () => {
  const env = await apiEnv(server);
  const fnArn = await authorizerFunction(env);
  const api = await accessApi(env);
  const auth = await env.apigw.send(
    new CreateAuthorizerCommand({
      restApiId: api.apiId,
      name: "requests",
      type: "REQUEST",
      authorizerUri: lambdaUri(fnArn),
      identitySource: "method.request.header.X-User, method.request.querystring.tenant",
      authorizerResultTtlInSeconds: 0,
    }),
  );
  await api.put({ path: "/orders", verb: "POST", authorizationType: "CUSTOM", authorizerId: auth.id });
  await deploy(env, api.apiId, "prod");
  const host = apiHost(server, api.apiId);
  const post = (path: string, headers: Record<string, string>) => send(server, path, { host, method: "POST", headers, body: "{}" });

  assert.equal((await post("/prod/orders", { "X-User": "carol" })).status, 401);
  assert.deepEqual((await post("/prod/orders?tenant=t1", {})).json(), { message: "Unauthorized" });
  const ok = await post("/prod/orders?tenant=t1", { "X-User": "carol" });
  assert.equal(ok.status, 200, ok.text);
  const a = (ok.json() as EventJson).requestContext.authorizer;
  assert.equal(a.principalId, "user-carol");
  assert.equal(a.type, "REQUEST");
  assert.equal(a.tenant, "t1");
  assert.equal(a.resource, "/orders");
  assert.equal(a.ctxStage, "prod");
  assert.equal(a.methodArn, `arn:aws:execute-api:us-east-1:${env.account}:${api.apiId}/prod/POST/orders`);
  const denied = await post("/prod/orders?tenant=t1", { "X-User": "deny" });
  assert.equal(denied.status, 403);
});

test("apiKeySource AUTHORIZER: the authorizer's usageIdentifierKey is the API key", async () => {
  const env = await apiEnv(server);
  const fnArn = await authorizerFunction(env);
  const api = await accessApi(env, { apiKeySource: "AUTHORIZER" });
  const auth = await env.apigw.send(
    new CreateAuthorizerCommand({
      restApiId: api.apiId,
      name: "keys",
      type: "TOKEN",
      authorizerUri: lambdaUri(fnArn),
      identitySource: "method.request.header.Authorization",
    }),
  );
  await api.put({ path: "/paid", verb: "GET", authorizationType: "CUSTOM", authorizerId: auth.id, apiKeyRequired: true });
  await deploy(env, api.apiId, "prod");
  const key = await env.apigw.send(new CreateApiKeyCommand({ enabled: true, value: "usage-key-value-for-dave" }));
  const plan = await env.apigw.send(new CreateUsagePlanCommand({ name: "p", apiStages: [{ apiId: api.apiId, stage: "prod" }] }));
  await env.apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id!, keyType: "API_KEY" }));

  const ok = await call(api.apiId, "/paid", { Authorization: "dave" });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((ok.json() as EventJson).requestContext.identity.apiKeyId, key.id);
  // The x-api-key header is not what counts here; erin's usage key is no key at all.
  const erin = await call(api.apiId, "/paid", { Authorization: "erin", "x-api-key": key.value! });
  assert.equal(erin.status, 403);
  assert.deepEqual(erin.json(), { message: "Forbidden" });
  const today = new Date().toISOString().slice(0, 10);
  const usage = await env.apigw.send(new GetUsageCommand({ usagePlanId: plan.id!, startDate: today, endDate: today }));
  assert.equal(usage.items![key.id!]![0]![0], 1);
});

test("COGNITO_USER_POOLS methods answer 500 saying Stratus has no Cognito; AWS_IAM without a signature 403", async () => {
  const env = await apiEnv(server);
  const api = await accessApi(env);
  const auth = await env.apigw.send(
    new CreateAuthorizerCommand({
      restApiId: api.apiId,
      name: "pool",
      type: "COGNITO_USER_POOLS",
      providerARNs: [`arn:aws:cognito-idp:us-east-1:${env.account}:userpool/us-east-1_abc`],
      identitySource: "method.request.header.Authorization",
    }),
  );
  await api.put({ path: "/pool", verb: "GET", authorizationType: "COGNITO_USER_POOLS", authorizerId: auth.id });
  await api.put({ path: "/iam", verb: "GET", authorizationType: "AWS_IAM" });
  await deploy(env, api.apiId, "prod");
  const pool = await call(api.apiId, "/pool", { Authorization: "token" });
  assert.equal(pool.status, 500);
  assert.match(pool.text, /Cognito/);
  const iam = await call(api.apiId, "/iam");
  assert.equal(iam.status, 403);
  assert.deepEqual(iam.json(), { message: "Missing Authentication Token" });
});
