// AWS::ApiGateway::Authorizer, Model, RequestValidator, GatewayResponse and a method that uses them;
// AWS::ApiGateway::ApiKey, UsagePlan, UsagePlanKey, a method with MOCK integration responses, and a
// Deployment that makes its stage (StageName + StageDescription), through CloudFormation with the SDK: the values
// Ref and GetAtt give, what the control plane then holds, the key required over HTTP, an update in place, and
// DeleteStack removing each.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  GetApiKeyCommand,
  GetAuthorizerCommand,
  GetGatewayResponseCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetModelCommand,
  GetRequestValidatorCommand,
  GetRestApiCommand,
  GetStageCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeysCommand,
} from "@aws-sdk/client-api-gateway";
import { call, createStack, deleteStack, ECHO, type Env, resources, startEnv, updateStack } from "./cloudformation-env.js";

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.s.close());

function template(opts: { quota: number; enabled: boolean }) {
  return {
    Resources: {
      Api: { Type: "AWS::ApiGateway::RestApi", Properties: { Name: "keyed", ApiKeySourceType: "HEADER" } },
      Ping: {
        Type: "AWS::ApiGateway::Method",
        Properties: {
          RestApiId: { Ref: "Api" },
          ResourceId: { "Fn::GetAtt": ["Api", "RootResourceId"] },
          HttpMethod: "POST",
          AuthorizationType: "NONE",
          ApiKeyRequired: true,
          RequestParameters: { "method.request.header.x-trace": "true" },
          MethodResponses: [{ StatusCode: "200", ResponseModels: { "application/json": "Empty" } }],
          Integration: {
            Type: "MOCK",
            RequestTemplates: { "application/json": '{"statusCode": 200}' },
            IntegrationResponses: [{ StatusCode: "200", ResponseTemplates: { "application/json": '{"pong": true}' } }],
          },
        },
      },
      Handler: {
        Type: "AWS::Lambda::Function",
        Properties: { Runtime: "nodejs20.x", Handler: "index.handler", Role: env.roleArn, Code: { ZipFile: ECHO } },
      },
      EchoResource: {
        Type: "AWS::ApiGateway::Resource",
        Properties: { RestApiId: { Ref: "Api" }, ParentId: { "Fn::GetAtt": ["Api", "RootResourceId"] }, PathPart: "echo" },
      },
      Echo: {
        Type: "AWS::ApiGateway::Method",
        Properties: {
          RestApiId: { Ref: "Api" },
          ResourceId: { Ref: "EchoResource" },
          HttpMethod: "GET",
          AuthorizationType: "NONE",
          ApiKeyRequired: true,
          Integration: {
            Type: "AWS_PROXY",
            IntegrationHttpMethod: "POST",
            Uri: { "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Handler.Arn}/invocations" },
          },
        },
      },
      EchoPermission: {
        Type: "AWS::Lambda::Permission",
        Properties: {
          Action: "lambda:InvokeFunction",
          FunctionName: { Ref: "Handler" },
          Principal: "apigateway.amazonaws.com",
          SourceArn: { "Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/GET/echo" },
        },
      },
      Deployment: {
        Type: "AWS::ApiGateway::Deployment",
        DependsOn: ["Ping", "Echo"],
        Properties: {
          RestApiId: { Ref: "Api" },
          StageName: "v1",
          StageDescription: { Description: "first stage", Variables: { tier: "gold" }, MetricsEnabled: true, ThrottlingRateLimit: 20 },
        },
      },
      Key: {
        Type: "AWS::ApiGateway::ApiKey",
        DependsOn: ["Deployment"],
        Properties: { Enabled: opts.enabled, Value: "abcdefghijklmnopqrstuvwxyz0123", StageKeys: [{ RestApiId: { Ref: "Api" }, StageName: "v1" }] },
      },
      Plan: {
        Type: "AWS::ApiGateway::UsagePlan",
        DependsOn: ["Deployment"],
        Properties: {
          UsagePlanName: "gold",
          ApiStages: [{ ApiId: { Ref: "Api" }, Stage: "v1" }],
          Throttle: { BurstLimit: 10, RateLimit: 5 },
          Quota: { Limit: opts.quota, Period: "DAY" },
        },
      },
      PlanKey: { Type: "AWS::ApiGateway::UsagePlanKey", Properties: { KeyId: { Ref: "Key" }, KeyType: "API_KEY", UsagePlanId: { Ref: "Plan" } } },
    },
    Outputs: {
      KeyId: { Value: { "Fn::GetAtt": ["Key", "APIKeyId"] } },
      PlanId: { Value: { "Fn::GetAtt": ["Plan", "Id"] } },
      PlanKeyId: { Value: { Ref: "PlanKey" } },
      DeploymentId: { Value: { "Fn::GetAtt": ["Deployment", "DeploymentId"] } },
    },
  };
}

test("API keys, usage plans, a deployment's own stage from a template; updated in place; deleted with the stack", async () => {
  const out = await createStack(env, "keyed", template({ quota: 1000, enabled: true }));
  const rs = await resources(env, "keyed");
  const apiId = rs.Api.physical;
  assert.equal(rs.Key.physical, out.KeyId);
  assert.equal(rs.Plan.physical, out.PlanId);
  assert.equal(out.PlanKeyId, `${out.KeyId}:${out.PlanId}`);

  const key = await env.apigw.send(new GetApiKeyCommand({ apiKey: out.KeyId, includeValue: true }));
  assert.equal(key.enabled, true);
  assert.equal(key.value, "abcdefghijklmnopqrstuvwxyz0123");
  assert.deepEqual(key.stageKeys, [`${apiId}/v1`]);
  assert.match(key.name!, /^keyed-Key-[A-Z0-9]{12}$/, "an unnamed key gets CloudFormation's generated name");
  const plan = await env.apigw.send(new GetUsagePlanCommand({ usagePlanId: out.PlanId }));
  assert.equal(plan.name, "gold");
  assert.deepEqual(plan.apiStages, [{ apiId, stage: "v1" }]);
  assert.deepEqual(plan.throttle, { burstLimit: 10, rateLimit: 5 });
  assert.deepEqual([plan.quota?.limit, plan.quota?.period], [1000, "DAY"]);
  const planKeys = await env.apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: out.PlanId }));
  assert.deepEqual(
    planKeys.items?.map((k) => [k.id, k.type]),
    [[out.KeyId, "API_KEY"]],
  );

  // The deployment made its stage, with the StageDescription's settings.
  const stage = await env.apigw.send(new GetStageCommand({ restApiId: apiId, stageName: "v1" }));
  assert.equal(stage.deploymentId, out.DeploymentId);
  assert.equal(stage.description, "first stage");
  assert.deepEqual(stage.variables, { tier: "gold" });
  assert.equal(stage.methodSettings?.["*/*"]?.metricsEnabled, true);
  assert.equal(stage.methodSettings?.["*/*"]?.throttlingRateLimit, 20);

  // The MOCK method's integration responses, as the template gives them.
  const ir = await env.apigw.send(
    new GetIntegrationResponseCommand({
      restApiId: apiId,
      resourceId: (await env.apigw.send(new GetRestApiCommand({ restApiId: apiId }))).rootResourceId!,
      httpMethod: "POST",
      statusCode: "200",
    }),
  );
  assert.deepEqual(ir.responseTemplates, { "application/json": '{"pong": true}' });

  // Over HTTP: the method wants a key of a plan on the stage.
  const url = `https://${apiId}.execute-api.us-east-1.amazonaws.com/v1/echo`;
  const keyless = await call(env, url);
  assert.equal(keyless.status, 403, keyless.body);
  assert.deepEqual(JSON.parse(keyless.body), { message: "Forbidden" });
  const keyed = await call(env, url, { headers: { "x-api-key": "abcdefghijklmnopqrstuvwxyz0123" } });
  assert.equal(keyed.status, 200, keyed.body);
  assert.deepEqual(JSON.parse(keyed.body), { path: "/echo", resource: "/echo", stage: "v1", proxy: null });

  // In place: the plan's quota and the key's Enabled.
  const updated = await updateStack(env, "keyed", template({ quota: 50, enabled: false }));
  assert.equal(updated.PlanId, out.PlanId);
  assert.equal(updated.KeyId, out.KeyId);
  assert.equal((await env.apigw.send(new GetUsagePlanCommand({ usagePlanId: out.PlanId }))).quota?.limit, 50);
  assert.equal((await env.apigw.send(new GetApiKeyCommand({ apiKey: out.KeyId }))).enabled, false);
  const disabled = await call(env, url, { headers: { "x-api-key": "abcdefghijklmnopqrstuvwxyz0123" } });
  assert.equal(disabled.status, 403, "a disabled key is refused");

  await deleteStack(env, "keyed");
  for (const op of [
    () => env.apigw.send(new GetApiKeyCommand({ apiKey: out.KeyId })),
    () => env.apigw.send(new GetUsagePlanCommand({ usagePlanId: out.PlanId })),
  ]) {
    await assert.rejects(op(), { name: "NotFoundException" });
  }
});

function partsTemplate(ttl: number, status: string) {
  const parts = {
    Body: {
      Type: "AWS::ApiGateway::Model",
      Properties: {
        RestApiId: { Ref: "Api" },
        Name: "PingBody",
        ContentType: "application/json",
        Schema: { $schema: "http://json-schema.org/draft-04/schema#", type: "object", required: ["n"], properties: { n: { type: "integer" } } },
      },
    },
    Validator: {
      Type: "AWS::ApiGateway::RequestValidator",
      Properties: { RestApiId: { Ref: "Api" }, Name: "body-only", ValidateRequestBody: true, ValidateRequestParameters: false },
    },
    Auth: {
      Type: "AWS::ApiGateway::Authorizer",
      Properties: {
        RestApiId: { Ref: "Api" },
        Name: "tokens",
        Type: "TOKEN",
        IdentitySource: "method.request.header.Authorization",
        AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${env.account}:function:authz/invocations`,
        AuthorizerResultTtlInSeconds: 60,
      },
    },
    Missing: {
      Type: "AWS::ApiGateway::GatewayResponse",
      Properties: {
        RestApiId: { Ref: "Api" },
        ResponseType: "MISSING_AUTHENTICATION_TOKEN",
        StatusCode: "404",
        ResponseTemplates: { "application/json": '{"error":"no such route"}' },
      },
    },
  };
  (parts.Auth.Properties as Record<string, unknown>).AuthorizerResultTtlInSeconds = ttl;
  (parts.Missing.Properties as Record<string, unknown>).StatusCode = status;
  return {
    Resources: {
      Api: { Type: "AWS::ApiGateway::RestApi", Properties: { Name: "parts" } },
      ...parts,
      Post: {
        Type: "AWS::ApiGateway::Method",
        Properties: {
          RestApiId: { Ref: "Api" },
          ResourceId: { "Fn::GetAtt": ["Api", "RootResourceId"] },
          HttpMethod: "POST",
          AuthorizationType: "CUSTOM",
          AuthorizerId: { Ref: "Auth" },
          RequestValidatorId: { Ref: "Validator" },
          RequestModels: { "application/json": { Ref: "Body" } },
          Integration: { Type: "MOCK", RequestTemplates: { "application/json": '{"statusCode": 200}' } },
        },
      },
    },
    Outputs: {
      AuthorizerId: { Value: { "Fn::GetAtt": ["Auth", "AuthorizerId"] } },
      AuthorizerRef: { Value: { Ref: "Auth" } },
      ValidatorId: { Value: { "Fn::GetAtt": ["Validator", "RequestValidatorId"] } },
      ModelRef: { Value: { Ref: "Body" } },
      ResponseId: { Value: { "Fn::GetAtt": ["Missing", "Id"] } },
    },
  };
}

test("authorizers, models, request validators and gateway responses from a template; a method using them; update; delete", async () => {
  const out = await createStack(env, "parts", partsTemplate(60, "404"));
  const apiId = (await resources(env, "parts")).Api.physical;
  assert.equal(out.AuthorizerRef, out.AuthorizerId);
  assert.equal(out.ModelRef, "PingBody");
  assert.match(out.ResponseId, /^parts-missi-[a-z0-9]{12}$/);
  const authz = await env.apigw.send(new GetAuthorizerCommand({ restApiId: apiId, authorizerId: out.AuthorizerId }));
  assert.deepEqual(
    [authz.name, authz.type, authz.identitySource, authz.authorizerResultTtlInSeconds],
    ["tokens", "TOKEN", "method.request.header.Authorization", 60],
  );
  const validator = await env.apigw.send(new GetRequestValidatorCommand({ restApiId: apiId, requestValidatorId: out.ValidatorId }));
  assert.deepEqual([validator.name, validator.validateRequestBody, validator.validateRequestParameters], ["body-only", true, false]);
  const model = await env.apigw.send(new GetModelCommand({ restApiId: apiId, modelName: "PingBody" }));
  assert.deepEqual(JSON.parse(model.schema!).required, ["n"]);
  const gr = await env.apigw.send(new GetGatewayResponseCommand({ restApiId: apiId, responseType: "MISSING_AUTHENTICATION_TOKEN" }));
  assert.equal(gr.statusCode, "404");
  assert.equal(gr.defaultResponse, false);
  const root = (await env.apigw.send(new GetRestApiCommand({ restApiId: apiId }))).rootResourceId!;
  const method = await env.apigw.send(new GetMethodCommand({ restApiId: apiId, resourceId: root, httpMethod: "POST" }));
  assert.deepEqual(
    [method.authorizationType, method.authorizerId, method.requestValidatorId, method.requestModels],
    ["CUSTOM", out.AuthorizerId, out.ValidatorId, { "application/json": "PingBody" }],
  );

  // In place: the authorizer's TTL (UpdateAuthorizer), the gateway response's status (PutGatewayResponse again).
  const updated = await updateStack(env, "parts", partsTemplate(0, "418"));
  assert.equal(updated.AuthorizerId, out.AuthorizerId);
  assert.equal((await env.apigw.send(new GetAuthorizerCommand({ restApiId: apiId, authorizerId: out.AuthorizerId }))).authorizerResultTtlInSeconds, 0);
  assert.equal((await env.apigw.send(new GetGatewayResponseCommand({ restApiId: apiId, responseType: "MISSING_AUTHENTICATION_TOKEN" }))).statusCode, "418");

  await deleteStack(env, "parts");
  await assert.rejects(env.apigw.send(new GetRestApiCommand({ restApiId: apiId })), { name: "NotFoundException" });
});
