// AWS::ApiGatewayV2::* through CloudFormation with the SDK: an HTTP API by quick create (Target) and one defined
// explicitly (Api with CorsConfiguration, Integration, Route, an auto-deploying $default Stage, Authorizer), their
// Ref and GetAtt values, both in the control plane; an update in place; DeleteStack removes them. An API with
// neither Name nor Body fails as the service refuses it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { GetApiCommand, GetAuthorizerCommand, GetRoutesCommand, GetStageCommand } from "@aws-sdk/client-apigatewayv2";
import { CreateStackCommand, waitUntilStackCreateComplete } from "@aws-sdk/client-cloudformation";
import { call, createStack, deleteStack, ECHO, type Env, resources, startEnv, updateStack } from "./cloudformation-env.js";

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.s.close());

const handler = (roleArn: string) => ({
  Type: "AWS::Lambda::Function",
  Properties: { Runtime: "nodejs20.x", Handler: "index.handler", Role: roleArn, Code: { ZipFile: ECHO } },
});
const permission = {
  Type: "AWS::Lambda::Permission",
  Properties: {
    Action: "lambda:InvokeFunction",
    FunctionName: { Ref: "Handler" },
    Principal: "apigateway.amazonaws.com",
    SourceArn: { "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*" },
  },
};

test("an HTTP API by quick create: the $default route and stage CreateApi makes, in the control plane", async () => {
  const out = await createStack(env, "http-quick", {
    Resources: {
      Handler: handler(env.roleArn),
      Api: { Type: "AWS::ApiGatewayV2::Api", Properties: { Name: "quick", ProtocolType: "HTTP", Target: { "Fn::GetAtt": ["Handler", "Arn"] } } },
      Permission: permission,
    },
    Outputs: { Endpoint: { Value: { "Fn::GetAtt": ["Api", "ApiEndpoint"] } }, ApiId: { Value: { "Fn::GetAtt": ["Api", "ApiId"] } } },
  });
  const rs = await resources(env, "http-quick");
  assert.equal(out.ApiId, rs.Api.physical);
  const api = await env.v2.send(new GetApiCommand({ ApiId: out.ApiId }));
  assert.equal(out.Endpoint, api.ApiEndpoint);
  const routes = await env.v2.send(new GetRoutesCommand({ ApiId: out.ApiId }));
  assert.deepEqual(
    routes.Items?.map((r) => r.RouteKey),
    ["$default"],
  );
  const stage = await env.v2.send(new GetStageCommand({ ApiId: out.ApiId, StageName: "$default" }));
  assert.equal(stage.AutoDeploy, true);
  // Called over HTTP at the endpoint the stack's output gives: the $default route, payload format 2.0.
  const reply = await call(env, `${out.Endpoint}/hello/there`);
  assert.equal(reply.status, 200, reply.body);
  assert.deepEqual(JSON.parse(reply.body), { version: "2.0", path: "/hello/there", routeKey: "$default", stage: "$default" });

  await deleteStack(env, "http-quick");
  const gone = await call(env, `${out.Endpoint}/hello/there`);
  assert.equal(gone.status, 403, gone.body);
  await assert.rejects(env.v2.send(new GetApiCommand({ ApiId: out.ApiId })), { name: "NotFoundException" });
});

function explicit(roleArn: string, origins: string[]) {
  return {
    Resources: {
      Handler: handler(roleArn),
      Api: {
        Type: "AWS::ApiGatewayV2::Api",
        Properties: { Name: "explicit", ProtocolType: "HTTP", CorsConfiguration: { AllowOrigins: origins, AllowMethods: ["GET"] }, Tags: { team: "a" } },
      },
      Integration: {
        Type: "AWS::ApiGatewayV2::Integration",
        Properties: { ApiId: { Ref: "Api" }, IntegrationType: "AWS_PROXY", IntegrationUri: { "Fn::GetAtt": ["Handler", "Arn"] }, PayloadFormatVersion: "2.0" },
      },
      Route: {
        Type: "AWS::ApiGatewayV2::Route",
        Properties: { ApiId: { Ref: "Api" }, RouteKey: "GET /items/{id}", Target: { "Fn::Join": ["/", ["integrations", { Ref: "Integration" }]] } },
      },
      Jwt: {
        Type: "AWS::ApiGatewayV2::Authorizer",
        Properties: {
          ApiId: { Ref: "Api" },
          Name: "jwt",
          AuthorizerType: "JWT",
          IdentitySource: ["$request.header.Authorization"],
          JwtConfiguration: { Audience: ["app"], Issuer: "https://issuer.example" },
        },
      },
      Stage: { Type: "AWS::ApiGatewayV2::Stage", Properties: { ApiId: { Ref: "Api" }, StageName: "$default", AutoDeploy: true } },
      Permission: permission,
    },
    Outputs: {
      Endpoint: { Value: { "Fn::GetAtt": ["Api", "ApiEndpoint"] } },
      RouteId: { Value: { Ref: "Route" } },
      IntegrationId: { Value: { "Fn::GetAtt": ["Integration", "IntegrationId"] } },
      AuthorizerId: { Value: { Ref: "Jwt" } },
      StageRef: { Value: { Ref: "Stage" } },
    },
  };
}

test("an HTTP API defined explicitly: Integration, Route, Authorizer, an auto-deploying $default stage; update; delete", async () => {
  const out = await createStack(env, "http-explicit", explicit(env.roleArn, ["https://a.example"]));
  const apiId = (await resources(env, "http-explicit")).Api.physical;
  assert.equal(out.StageRef, "$default");
  const routes = await env.v2.send(new GetRoutesCommand({ ApiId: apiId }));
  assert.deepEqual(
    routes.Items?.map((r) => [r.RouteId, r.RouteKey, r.Target]),
    [[out.RouteId, "GET /items/{id}", `integrations/${out.IntegrationId}`]],
  );
  const jwt = await env.v2.send(new GetAuthorizerCommand({ ApiId: apiId, AuthorizerId: out.AuthorizerId }));
  assert.deepEqual(jwt.JwtConfiguration, { Audience: ["app"], Issuer: "https://issuer.example" });
  const stage = await env.v2.send(new GetStageCommand({ ApiId: apiId, StageName: "$default" }));
  assert.equal(stage.AutoDeploy, true);

  // In place: the API keeps its id, its CORS configuration changes.
  await updateStack(env, "http-explicit", explicit(env.roleArn, ["https://b.example"]));
  assert.equal((await resources(env, "http-explicit")).Api.physical, apiId);
  const api = await env.v2.send(new GetApiCommand({ ApiId: apiId }));
  assert.deepEqual(api.CorsConfiguration?.AllowOrigins, ["https://b.example"]);
  assert.equal(api.Tags?.team, "a");

  await deleteStack(env, "http-explicit");
  await assert.rejects(env.v2.send(new GetApiCommand({ ApiId: apiId })), { name: "NotFoundException" });
});

test("an API without Name or Body: CreateApi's and CreateRestApi's refusals, as the resources' failures", async () => {
  await env.cfn.send(
    new CreateStackCommand({
      StackName: "nameless",
      TemplateBody: JSON.stringify({
        Resources: {
          Http: { Type: "AWS::ApiGatewayV2::Api", Properties: { ProtocolType: "HTTP" } },
          Rest: { Type: "AWS::ApiGateway::RestApi", Properties: { Description: "no name" } },
        },
      }),
      OnFailure: "DO_NOTHING",
    }),
  );
  await assert.rejects(waitUntilStackCreateComplete({ client: env.cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "nameless" }));
  const rs = await resources(env, "nameless");
  assert.equal(rs.Http.status, "CREATE_FAILED");
  assert.match(rs.Http.reason!, /\(Service: ApiGatewayV2, Status Code: 400,.*HandlerErrorCode: InvalidRequest\)$/);
  assert.equal(rs.Rest.status, "CREATE_FAILED");
  assert.match(rs.Rest.reason!, /\(Service: ApiGateway, Status Code: 400,.*HandlerErrorCode: InvalidRequest\)$/);
});
