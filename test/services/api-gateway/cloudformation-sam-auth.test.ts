// SAM templates with API options, deployed through CloudFormation with the SDK and called over HTTP: a REST API's Cors
// (the OPTIONS MOCK methods SAM adds, answering the configured Access-Control-* headers) and Auth (a TOKEN and a
// REQUEST Lambda authorizer as the default and per event, NONE overriding the default, a Cognito authorizer that
// deploys and answers 500 here, the `<Api><Authorizer>AuthorizerPermission` SAM adds); the implicit API with the
// Globals' Cors and ApiKeyRequired with a PER_API usage plan; an HTTP API's CorsConfiguration (preflight answered
// by API Gateway) and Auth (a Lambda authorizer with simple responses, a JWT authorizer, NONE); the HTTP API's tags
// (SAM's httpapi:createdBy from the OpenAPI tags, CloudFormation's aws:cloudformation:* ones).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { GetApiKeyCommand, GetMethodCommand, GetResourcesCommand, GetRestApiCommand } from "@aws-sdk/client-api-gateway";
import { GetApiCommand, GetAuthorizersCommand, GetRoutesCommand, TagResourceCommand } from "@aws-sdk/client-apigatewayv2";
import { call, createStack, deleteStack, ECHO, type Env, resources, startEnv } from "./cloudformation-env.js";

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.s.close());

const CAPS = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"];

/** A REST Lambda authorizer (TOKEN or REQUEST): "allow" allows, "deny" denies, "bad" is Unauthorized. */
const REST_AUTHORIZER = `exports.handler = async (event) => {
  const token = event.authorizationToken || (event.queryStringParameters || {}).token;
  if (token === "bad") throw new Error("Unauthorized");
  return {
    principalId: "caller",
    policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: token === "allow" ? "Allow" : "Deny", Resource: event.methodArn }] },
  };
};`;

/** An HTTP API Lambda authorizer with simple responses (payload 2.0). */
const HTTP_AUTHORIZER = `exports.handler = async (event) => ({ isAuthorized: (event.headers || {})["x-token"] === "allow" });`;

const fn = (code: string, events?: Record<string, unknown>) => ({
  Type: "AWS::Serverless::Function",
  Properties: { Runtime: "nodejs20.x", Handler: "index.handler", InlineCode: code, ...(events ? { Events: events } : {}) },
});
const restEvent = (path: string, method: string, auth?: unknown) => ({
  Type: "Api",
  Properties: { RestApiId: { Ref: "MyApi" }, Path: path, Method: method, ...(auth ? { Auth: auth } : {}) },
});

const REST_TEMPLATE = {
  Transform: "AWS::Serverless-2016-10-31",
  Resources: {
    AuthFn: fn(REST_AUTHORIZER),
    Fn: fn(ECHO, {
      Private: restEvent("/private", "get"),
      Public: restEvent("/public", "get", { Authorizer: "NONE" }),
      Req: restEvent("/req", "get", { Authorizer: "QueryAuth" }),
      Pool: restEvent("/pool", "get", { Authorizer: "PoolAuth" }),
    }),
    MyApi: {
      Type: "AWS::Serverless::Api",
      Properties: {
        StageName: "dev",
        Tags: { team: "red" },
        PropagateTags: true,
        Cors: {
          AllowOrigin: "'https://app.example'",
          AllowHeaders: "'Content-Type,X-Token'",
          MaxAge: "'600'",
          AllowCredentials: true,
        },
        Auth: {
          DefaultAuthorizer: "TokenAuth",
          AddDefaultAuthorizerToCorsPreflight: false,
          Authorizers: {
            TokenAuth: { FunctionArn: { "Fn::GetAtt": ["AuthFn", "Arn"] }, Identity: { Header: "X-Token", ReauthorizeEvery: 0 } },
            QueryAuth: {
              FunctionPayloadType: "REQUEST",
              FunctionArn: { "Fn::GetAtt": ["AuthFn", "Arn"] },
              Identity: { QueryStrings: ["token"], ReauthorizeEvery: 0 },
            },
            PoolAuth: { UserPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example" },
          },
        },
      },
    },
  },
  Outputs: { Url: { Value: { "Fn::Sub": "https://${MyApi}.execute-api.${AWS::Region}.amazonaws.com/dev" } } },
};

test("SAM Api Cors and Auth: preflight answered, TOKEN and REQUEST authorizers allow and deny, NONE opts out", async () => {
  const out = await createStack(env, "sam-rest-auth", REST_TEMPLATE, CAPS);
  const rs = await resources(env, "sam-rest-auth");
  for (const [id, r] of Object.entries(rs)) assert.equal(r.status, "CREATE_COMPLETE", id);
  // SAM's permission for each Lambda authorizer; none for the Cognito one.
  assert.equal(rs.MyApiTokenAuthAuthorizerPermission.type, "AWS::Lambda::Permission");
  assert.equal(rs.MyApiQueryAuthAuthorizerPermission.type, "AWS::Lambda::Permission");
  assert.equal(rs.MyApiPoolAuthAuthorizerPermission, undefined);

  // The OPTIONS method SAM adds is a MOCK without authorization (AddDefaultAuthorizerToCorsPreflight: false).
  const restId = rs.MyApi.physical;
  // PropagateTags: the API's tags on the RestApi too, beside CloudFormation's.
  const tags = (await env.apigw.send(new GetRestApiCommand({ restApiId: restId }))).tags;
  assert.equal(tags?.team, "red");
  assert.equal(tags?.["aws:cloudformation:logical-id"], "MyApi");
  const items = (await env.apigw.send(new GetResourcesCommand({ restApiId: restId }))).items!;
  const privateRes = items.find((r) => r.path === "/private")!;
  const options = await env.apigw.send(new GetMethodCommand({ restApiId: restId, resourceId: privateRes.id, httpMethod: "OPTIONS" }));
  assert.equal(options.authorizationType, "NONE");
  assert.equal(options.methodIntegration?.type, "MOCK");
  const get = await env.apigw.send(new GetMethodCommand({ restApiId: restId, resourceId: privateRes.id, httpMethod: "GET" }));
  assert.equal(get.authorizationType, "CUSTOM");

  const pre = await call(env, `${out.Url}/private`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "GET" } });
  assert.equal(pre.status, 200, pre.body);
  assert.equal(pre.headers["access-control-allow-origin"], "https://app.example");
  assert.equal(pre.headers["access-control-allow-methods"], "GET,OPTIONS");
  assert.equal(pre.headers["access-control-allow-headers"], "Content-Type,X-Token");
  assert.equal(pre.headers["access-control-max-age"], "600");
  assert.equal(pre.headers["access-control-allow-credentials"], "true");

  // The TOKEN authorizer (its header X-Token): none → 401 without calling it; allow → the function; deny → 403.
  const missing = await call(env, `${out.Url}/private`);
  assert.equal(missing.status, 401, missing.body);
  assert.deepEqual(JSON.parse(missing.body), { message: "Unauthorized" });
  const allowed = await call(env, `${out.Url}/private`, { headers: { "x-token": "allow" } });
  assert.equal(allowed.status, 200, allowed.body);
  assert.equal(JSON.parse(allowed.body).resource, "/private");
  const denied = await call(env, `${out.Url}/private`, { headers: { "x-token": "deny" } });
  assert.equal(denied.status, 403, denied.body);
  const bad = await call(env, `${out.Url}/private`, { headers: { "x-token": "bad" } });
  assert.equal(bad.status, 401, bad.body);

  // Auth.Authorizer NONE: the default authorizer does not apply.
  const pub = await call(env, `${out.Url}/public`);
  assert.equal(pub.status, 200, pub.body);

  // The REQUEST authorizer on its query string.
  assert.equal((await call(env, `${out.Url}/req`)).status, 401);
  const reqAllowed = await call(env, `${out.Url}/req?token=allow`);
  assert.equal(reqAllowed.status, 200, reqAllowed.body);
  assert.equal((await call(env, `${out.Url}/req?token=deny`)).status, 403);

  // A Cognito user pool authorizer deploys; Stratus has no Cognito, so calling it answers 500.
  const pool = await call(env, `${out.Url}/pool`, { headers: { authorization: "token" } });
  assert.equal(pool.status, 500, pool.body);

  await deleteStack(env, "sam-rest-auth");
});

const KEY_TEMPLATE = {
  Transform: "AWS::Serverless-2016-10-31",
  Globals: {
    Api: {
      Cors: "'*'",
      Auth: {
        ApiKeyRequired: true,
        AddApiKeyRequiredToCorsPreflight: false,
        UsagePlan: { CreateUsagePlan: "PER_API", Throttle: { RateLimit: 100, BurstLimit: 50 } },
      },
    },
  },
  Resources: {
    Fn: fn(ECHO, {
      Keyed: { Type: "Api", Properties: { Path: "/keyed", Method: "get" } },
      Free: { Type: "Api", Properties: { Path: "/free", Method: "post", Auth: { ApiKeyRequired: false } } },
    }),
  },
  Outputs: { Url: { Value: { "Fn::Sub": "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod" } } },
};

test("SAM implicit API with the Globals' Cors and ApiKeyRequired: 403 without x-api-key, the usage plan's key works", async () => {
  const out = await createStack(env, "sam-rest-key", KEY_TEMPLATE, CAPS);
  const rs = await resources(env, "sam-rest-key");
  for (const [id, r] of Object.entries(rs)) assert.equal(r.status, "CREATE_COMPLETE", id);
  assert.equal(rs.ServerlessRestApiUsagePlan.type, "AWS::ApiGateway::UsagePlan");
  assert.equal(rs.ServerlessRestApiUsagePlanKey.type, "AWS::ApiGateway::UsagePlanKey");
  const key = await env.apigw.send(new GetApiKeyCommand({ apiKey: rs.ServerlessRestApiApiKey.physical, includeValue: true }));

  const without = await call(env, `${out.Url}/keyed`);
  assert.equal(without.status, 403, without.body);
  assert.deepEqual(JSON.parse(without.body), { message: "Forbidden" });
  const withKey = await call(env, `${out.Url}/keyed`, { headers: { "x-api-key": key.value! } });
  assert.equal(withKey.status, 200, withKey.body);
  // ApiKeyRequired: false on the event opts out of the API's default.
  assert.equal((await call(env, `${out.Url}/free`, { method: "POST", body: "{}" })).status, 200);
  // The preflight needs no key (AddApiKeyRequiredToCorsPreflight: false); the string Cors is the allowed origin.
  const pre = await call(env, `${out.Url}/free`, { method: "OPTIONS" });
  assert.equal(pre.status, 200, pre.body);
  assert.equal(pre.headers["access-control-allow-origin"], "*");
  assert.equal(pre.headers["access-control-allow-methods"], "OPTIONS,POST");

  await deleteStack(env, "sam-rest-key");
});

const httpEvent = (path: string, auth?: unknown) => ({
  Type: "HttpApi",
  Properties: { ApiId: { Ref: "MyHttpApi" }, Path: path, Method: "get", ...(auth ? { Auth: auth } : {}) },
});

const HTTP_TEMPLATE = {
  Transform: "AWS::Serverless-2016-10-31",
  Resources: {
    AuthFn: fn(HTTP_AUTHORIZER),
    Fn: fn(ECHO, {
      Secure: httpEvent("/secure"),
      Open: httpEvent("/open", { Authorizer: "NONE" }),
      Jwt: httpEvent("/jwt", { Authorizer: "JwtAuth", AuthorizationScopes: ["read"] }),
    }),
    MyHttpApi: {
      Type: "AWS::Serverless::HttpApi",
      Properties: {
        Tags: { team: "blue" },
        CorsConfiguration: { AllowOrigins: ["https://app.example"], AllowMethods: ["GET"], AllowHeaders: ["x-token"], MaxAge: 300 },
        Auth: {
          DefaultAuthorizer: "LambdaAuth",
          Authorizers: {
            LambdaAuth: {
              FunctionArn: { "Fn::GetAtt": ["AuthFn", "Arn"] },
              AuthorizerPayloadFormatVersion: "2.0",
              EnableSimpleResponses: true,
              EnableFunctionDefaultPermissions: true,
              Identity: { Headers: ["x-token"] },
            },
            JwtAuth: {
              JwtConfiguration: { issuer: "https://issuer.example", audience: ["my-app"] },
              IdentitySource: "$request.header.Authorization",
            },
          },
        },
      },
    },
  },
  Outputs: { ApiId: { Value: { Ref: "MyHttpApi" } } },
};

test("SAM HttpApi CorsConfiguration and Auth: preflight, a Lambda authorizer with simple responses, JWT, NONE; its tags", async () => {
  const out = await createStack(env, "sam-http-auth", HTTP_TEMPLATE, CAPS);
  const rs = await resources(env, "sam-http-auth");
  for (const [id, r] of Object.entries(rs)) assert.equal(r.status, "CREATE_COMPLETE", id);
  assert.equal(rs.MyHttpApiLambdaAuthAuthorizerPermission.type, "AWS::Lambda::Permission");
  const base = `https://${out.ApiId}.execute-api.us-east-1.amazonaws.com`;

  // The authorizers and the routes' authorization, imported from the OpenAPI body SAM made.
  const authorizers = (await env.v2.send(new GetAuthorizersCommand({ ApiId: out.ApiId }))).Items!;
  const byName = Object.fromEntries(authorizers.map((a) => [a.Name, a]));
  assert.equal(byName.LambdaAuth.AuthorizerType, "REQUEST");
  assert.equal(byName.LambdaAuth.EnableSimpleResponses, true);
  assert.deepEqual(byName.LambdaAuth.IdentitySource, ["$request.header.x-token"]);
  assert.equal(byName.JwtAuth.AuthorizerType, "JWT");
  assert.deepEqual(byName.JwtAuth.JwtConfiguration, { Issuer: "https://issuer.example", Audience: ["my-app"] });
  const routes = Object.fromEntries((await env.v2.send(new GetRoutesCommand({ ApiId: out.ApiId }))).Items!.map((r) => [r.RouteKey, r]));
  assert.equal(routes["GET /secure"].AuthorizationType, "CUSTOM");
  assert.equal(routes["GET /open"].AuthorizationType, "NONE");
  assert.equal(routes["GET /jwt"].AuthorizationType, "JWT");
  assert.deepEqual(routes["GET /jwt"].AuthorizationScopes, ["read"]);

  // CORS: API Gateway answers the preflight itself, before any authorizer.
  const pre = await call(env, `${base}/secure`, {
    method: "OPTIONS",
    headers: { origin: "https://app.example", "access-control-request-method": "GET", "access-control-request-headers": "x-token" },
  });
  assert.equal(pre.status, 204, pre.body);
  assert.equal(pre.headers["access-control-allow-origin"], "https://app.example");
  assert.match(String(pre.headers["access-control-allow-methods"]), /GET/);
  assert.equal(pre.headers["access-control-max-age"], "300");

  // The Lambda authorizer with simple responses: no identity → 401; isAuthorized false → 403; true → the function.
  const missing = await call(env, `${base}/secure`);
  assert.equal(missing.status, 401, missing.body);
  assert.deepEqual(JSON.parse(missing.body), { message: "Unauthorized" });
  const denied = await call(env, `${base}/secure`, { headers: { "x-token": "nope" } });
  assert.equal(denied.status, 403, denied.body);
  assert.deepEqual(JSON.parse(denied.body), { message: "Forbidden" });
  const allowed = await call(env, `${base}/secure`, { headers: { "x-token": "allow", origin: "https://app.example" } });
  assert.equal(allowed.status, 200, allowed.body);
  assert.equal(JSON.parse(allowed.body).routeKey, "GET /secure");
  assert.equal(allowed.headers["access-control-allow-origin"], "https://app.example");
  // NONE: no authorizer; the JWT route without a token: 401.
  assert.equal((await call(env, `${base}/open`)).status, 200);
  assert.equal((await call(env, `${base}/jwt`)).status, 401);

  // Tags: SAM's from the OpenAPI tags, the template's, and CloudFormation's own.
  const api = await env.v2.send(new GetApiCommand({ ApiId: out.ApiId }));
  assert.equal(api.Tags?.["httpapi:createdBy"], "SAM");
  assert.equal(api.Tags?.team, "blue");
  assert.equal(api.Tags?.["aws:cloudformation:stack-name"], "sam-http-auth");
  assert.equal(api.Tags?.["aws:cloudformation:logical-id"], "MyHttpApi");
  // A caller may not set an aws: tag itself.
  const arn = `arn:aws:apigateway:us-east-1::/apis/${out.ApiId}`;
  await assert.rejects(env.v2.send(new TagResourceCommand({ ResourceArn: arn, Tags: { "aws:cloudformation:stack-name": "x" } })), {
    name: "BadRequestException",
  });
  await env.v2.send(new TagResourceCommand({ ResourceArn: arn, Tags: { extra: "1" } }));
  assert.equal((await env.v2.send(new GetApiCommand({ ApiId: out.ApiId }))).Tags?.extra, "1");

  await deleteStack(env, "sam-http-auth");
});
