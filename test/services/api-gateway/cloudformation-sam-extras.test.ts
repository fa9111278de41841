// SAM API options beyond Cors and Auth, deployed through CloudFormation with the SDK and called over HTTP: an Api's
// Models with an event's RequestModel validating the body (400 "Invalid request body"), RequestParameters required
// by the method, an event's TimeoutInMillis on its integration, GatewayResponses customising a 403, an HttpApi's Name
// and an HttpApi event's RouteSettings; OpenApiVersion 3; a DefinitionBody with and without MergeDefinitions;
// and SAM's refusals of auth settings it finds invalid, with its wording.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CreateStackCommand } from "@aws-sdk/client-cloudformation";
import { GetExportCommand, GetIntegrationCommand, GetMethodCommand, GetResourcesCommand, GetStagesCommand } from "@aws-sdk/client-api-gateway";
import { GetApiCommand, GetStageCommand } from "@aws-sdk/client-apigatewayv2";
import { call, createStack, deleteStack, ECHO, type Env, resources, startEnv } from "./cloudformation-env.js";

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.s.close());

const CAPS = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"];

const fn = (events: Record<string, unknown>) => ({
  Type: "AWS::Serverless::Function",
  Properties: { Runtime: "nodejs20.x", Handler: "index.handler", InlineCode: ECHO, Events: events },
});

const TEMPLATE = {
  Transform: "AWS::Serverless-2016-10-31",
  Resources: {
    Fn: fn({
      Create: {
        Type: "Api",
        Properties: {
          RestApiId: { Ref: "MyApi" },
          Path: "/items",
          Method: "post",
          TimeoutInMillis: 5000,
          RequestModel: { Model: "Item", Required: true, ValidateBody: true },
        },
      },
      Search: {
        Type: "Api",
        Properties: {
          RestApiId: { Ref: "MyApi" },
          Path: "/search",
          Method: "get",
          RequestParameters: [{ "method.request.querystring.q": { Required: true } }, "method.request.header.x-trace"],
          RequestModel: { Model: "Item", ValidateParameters: true },
        },
      },
      Throttled: {
        Type: "HttpApi",
        Properties: { ApiId: { Ref: "Http" }, Path: "/slow", Method: "get", RouteSettings: { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 2 } },
      },
    }),
    MyApi: {
      Type: "AWS::Serverless::Api",
      Properties: {
        StageName: "v1",
        Models: { Item: { type: "object", required: ["name"], properties: { name: { type: "string" } } } },
        GatewayResponses: {
          MISSING_AUTHENTICATION_TOKEN: {
            StatusCode: 404,
            ResponseParameters: { Headers: { "x-reason": "'no-such-route'" } },
            ResponseTemplates: { "application/json": '{"message":"no such route"}' },
          },
        },
      },
    },
    Http: { Type: "AWS::Serverless::HttpApi", Properties: { Name: "my-http-api" } },
  },
  Outputs: { Url: { Value: { "Fn::Sub": "https://${MyApi}.execute-api.${AWS::Region}.amazonaws.com/v1" } }, HttpId: { Value: { Ref: "Http" } } },
};

test("SAM Api Models, RequestModel, RequestParameters, TimeoutInMillis and GatewayResponses; an HttpApi's Name", async () => {
  const out = await createStack(env, "sam-extras", TEMPLATE, CAPS);
  const rs = await resources(env, "sam-extras");
  for (const [id, r] of Object.entries(rs)) assert.equal(r.status, "CREATE_COMPLETE", id);
  const restApiId = rs.MyApi.physical;
  const items = (await env.apigw.send(new GetResourcesCommand({ restApiId }))).items!;
  const itemsRes = items.find((r) => r.path === "/items")!;
  const integration = await env.apigw.send(new GetIntegrationCommand({ restApiId, resourceId: itemsRes.id, httpMethod: "POST" }));
  assert.equal(integration.timeoutInMillis, 5000);
  const search = await env.apigw.send(new GetMethodCommand({ restApiId, resourceId: items.find((r) => r.path === "/search")!.id, httpMethod: "GET" }));
  assert.deepEqual(search.requestParameters, { "method.request.querystring.q": true, "method.request.header.x-trace": false });

  // The model validates the body: a body without `name` is refused before the function runs.
  const bad = await call(env, `${out.Url}/items`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  assert.equal(bad.status, 400, bad.body);
  assert.deepEqual(JSON.parse(bad.body), { message: "Invalid request body" });
  const good = await call(env, `${out.Url}/items`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"x"}' });
  assert.equal(good.status, 200, good.body);

  // Parameters validated: the required query string.
  const noQ = await call(env, `${out.Url}/search`);
  assert.equal(noQ.status, 400, noQ.body);
  assert.equal((await call(env, `${out.Url}/search?q=hat`)).status, 200);

  // The customised gateway response for an unknown route.
  const miss = await call(env, `${out.Url}/nowhere`);
  assert.equal(miss.status, 404, miss.body);
  assert.equal(miss.headers["x-reason"], "no-such-route");
  assert.deepEqual(JSON.parse(miss.body), { message: "no such route" });

  // The HttpApi's Name is its definition's title; an event's RouteSettings are its stage's for that route.
  assert.equal((await env.v2.send(new GetApiCommand({ ApiId: out.HttpId }))).Name, "my-http-api");
  const stage = await env.v2.send(new GetStageCommand({ ApiId: out.HttpId, StageName: "$default" }));
  assert.equal(stage.RouteSettings?.["GET /slow"]?.ThrottlingBurstLimit, 5);
  assert.equal(stage.RouteSettings?.["GET /slow"]?.ThrottlingRateLimit, 2);
  await deleteStack(env, "sam-extras");
});

test("SAM Api with OpenApiVersion 3: an OpenAPI 3 body (CORS and the API key in components), no extra Stage stage", async () => {
  const template = {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Fn: fn({ Get: { Type: "Api", Properties: { RestApiId: { Ref: "Api3" }, Path: "/thing", Method: "get" } } }),
      Api3: {
        Type: "AWS::Serverless::Api",
        Properties: {
          StageName: "live",
          OpenApiVersion: "3.0.1",
          Cors: { AllowOrigin: "'https://a.example'", AllowMethods: "'GET'" },
          Auth: { ApiKeyRequired: true, AddApiKeyRequiredToCorsPreflight: false },
        },
      },
    },
    Outputs: { Url: { Value: { "Fn::Sub": "https://${Api3}.execute-api.${AWS::Region}.amazonaws.com/live" } } },
  };
  const out = await createStack(env, "sam-oas3", template, CAPS);
  const rs = await resources(env, "sam-oas3");
  const restApiId = rs.Api3.physical;
  const stages = (await env.apigw.send(new GetStagesCommand({ restApiId }))).item!.map((s) => s.stageName);
  assert.deepEqual(stages, ["live"]);
  const pre = await call(env, `${out.Url}/thing`, { method: "OPTIONS" });
  assert.equal(pre.status, 200, pre.body);
  assert.equal(pre.headers["access-control-allow-origin"], "https://a.example");
  assert.equal(pre.headers["access-control-allow-methods"], "GET");
  assert.equal((await call(env, `${out.Url}/thing`)).status, 403);
  const exported = await env.apigw.send(new GetExportCommand({ restApiId, stageName: "live", exportType: "oas30" }));
  const doc = JSON.parse(Buffer.from(exported.body!).toString("utf8"));
  assert.equal(doc.paths["/thing"].get.security[0].api_key !== undefined, true);
  await deleteStack(env, "sam-oas3");
});

test("SAM Api with its own DefinitionBody: MergeDefinitions adds the events' methods beside the definition's; Cors on both", async () => {
  const mock = {
    "x-amazon-apigateway-integration": {
      type: "mock",
      requestTemplates: { "application/json": '{"statusCode": 200}' },
      responses: { default: { statusCode: "200", responseTemplates: { "application/json": '{"from":"definition"}' } } },
    },
    responses: { "200": { description: "ok" } },
  };
  const template = (merge: boolean) => ({
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Fn: fn({ Get: { Type: "Api", Properties: { RestApiId: { Ref: "Defined" }, Path: "/merged", Method: "get" } } }),
      Defined: {
        Type: "AWS::Serverless::Api",
        Properties: {
          StageName: "s",
          MergeDefinitions: merge,
          Cors: "'https://x.example'",
          DefinitionBody: { swagger: "2.0", info: { title: "defined", version: "1" }, paths: { "/mock": { get: mock } } },
        },
      },
    },
    Outputs: { Url: { Value: { "Fn::Sub": "https://${Defined}.execute-api.${AWS::Region}.amazonaws.com/s" } } },
  });
  const out = await createStack(env, "sam-merge", template(true), CAPS);
  const fromDefinition = await call(env, `${out.Url}/mock`);
  assert.equal(fromDefinition.status, 200, fromDefinition.body);
  assert.deepEqual(JSON.parse(fromDefinition.body), { from: "definition" });
  const merged = await call(env, `${out.Url}/merged`);
  assert.equal(merged.status, 200, merged.body);
  assert.equal(JSON.parse(merged.body).resource, "/merged");
  for (const path of ["/mock", "/merged"]) {
    const pre = await call(env, `${out.Url}${path}`, { method: "OPTIONS" });
    assert.equal(pre.status, 200, `${path} ${pre.body}`);
    assert.equal(pre.headers["access-control-allow-origin"], "https://x.example");
  }
  await deleteStack(env, "sam-merge");
  // Without MergeDefinitions, SAM leaves the template's definition as it is: the event's path is not in it; an
  // event's Auth with OverrideApiAuth still applies to the definition's method (here: an API key required).
  const unmerged = template(false);
  unmerged.Resources.Fn.Properties.Events.Guard = {
    Type: "Api",
    Properties: { RestApiId: { Ref: "Defined" }, Path: "/mock", Method: "get", Auth: { ApiKeyRequired: true, OverrideApiAuth: true } },
  } as never;
  const plain = await createStack(env, "sam-nomerge", unmerged, CAPS);
  assert.equal((await call(env, `${plain.Url}/merged`)).status, 403);
  const guarded = await call(env, `${plain.Url}/mock`);
  assert.equal(guarded.status, 403, guarded.body);
  assert.deepEqual(JSON.parse(guarded.body), { message: "Forbidden" });
  await deleteStack(env, "sam-nomerge");
});

async function refused(stack: string, template: unknown): Promise<string> {
  const e = await env.cfn.send(new CreateStackCommand({ StackName: stack, TemplateBody: JSON.stringify(template), Capabilities: CAPS as never })).then(
    () => assert.fail("created"),
    (err: Error) => err,
  );
  assert.equal(e.name, "ValidationError");
  return e.message;
}

test("SAM's refusals of API auth settings: its wording, the resource and event named", async () => {
  const none = await refused("sam-bad-none", {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Fn: fn({ Get: { Type: "Api", Properties: { Path: "/a", Method: "get", Auth: { Authorizer: "NONE" } } } }),
    },
  });
  assert.match(
    none,
    /Resource with id \[Fn\] is invalid\. Event with id \[Get\] is invalid\. Unable to set Authorizer on API method \[get\] for path \[\/a\] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified\.$/,
  );
  const missing = await refused("sam-bad-default", {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Api: {
        Type: "AWS::Serverless::Api",
        Properties: {
          StageName: "s",
          Auth: { DefaultAuthorizer: "Nope", Authorizers: { Tok: { FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f" } } },
        },
      },
    },
  });
  assert.match(missing, /Resource with id \[Api\] is invalid\. Unable to set DefaultAuthorizer because 'Nope' was not defined in 'Authorizers'\.$/);
  const http = await refused("sam-bad-http", {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Api: {
        Type: "AWS::Serverless::HttpApi",
        Properties: { Auth: { Authorizers: { L: { FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f" } } } },
      },
      Fn: fn({ Get: { Type: "HttpApi", Properties: { ApiId: { Ref: "Api" } } } }),
    },
  });
  assert.match(http, /Resource with id \[Api\] is invalid\. L Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'\.$/);
  const cors = await refused("sam-bad-cors", {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: { Api: { Type: "AWS::Serverless::Api", Properties: { StageName: "s", Cors: { AllowOrigin: "'*'", AllowCredentials: true } } } },
  });
  assert.match(cors, /Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is "'\*'" or not set$/);
});
