// HTTP APIs through the SDK v3 client: the lifecycle of an API and its parts, quick create, auto-deploy making a
// new deployment (a snapshot) after each change, CORS, tags, paging, and AWS's refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateModelCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateIntegrationResponseCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteCorsConfigurationCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  GetApiCommand,
  GetApisCommand,
  GetAuthorizersCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetTagsCommand,
  GetModelsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiCommand,
  UpdateRouteCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-apigatewayv2";
import { useServer, randomAccount } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { deployedStage, findHttpApi } from "../../../src/services/apigatewayv2/internal.js";
import { holderOf } from "../../../src/core/state.js";

const server = useServer();
const FN = (account: string) => `arn:aws:lambda:us-east-1:${account}:function:web`;

function client(account = randomAccount()) {
  return { account, v2: server.client(ApiGatewayV2Client, { account }) };
}

const holder = () => holderOf(server.runtime.store);

test("an HTTP API's lifecycle: create, get, list with paging, update, delete", async () => {
  const { account, v2 } = client();
  const api = await v2.send(new CreateApiCommand({ Name: "shop", ProtocolType: "HTTP", Description: "d", Tags: { team: "a" } }));
  assert.match(api.ApiId!, /^[a-z0-9]{10}$/);
  assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${new URL(server.url).port}`);
  assert.equal(api.RouteSelectionExpression, "$request.method $request.path");
  assert.equal(api.ApiKeySelectionExpression, "$request.header.x-api-key");
  assert.equal(api.DisableExecuteApiEndpoint, false);
  assert.ok(api.CreatedDate instanceof Date);
  assert.deepEqual(api.Tags, { team: "a" });

  const got = await v2.send(new GetApiCommand({ ApiId: api.ApiId }));
  assert.equal(got.Name, "shop");
  assert.equal(findHttpApi(holder(), api.ApiId!)?.account, account);

  const more = [];
  for (let i = 0; i < 3; i++) more.push((await v2.send(new CreateApiCommand({ Name: `a${i}`, ProtocolType: "HTTP" }))).ApiId);
  const p1 = await v2.send(new GetApisCommand({ MaxResults: "2" }));
  assert.equal(p1.Items?.length, 2);
  assert.ok(p1.NextToken);
  const p2 = await v2.send(new GetApisCommand({ MaxResults: "2", NextToken: p1.NextToken }));
  assert.equal(p2.Items?.length, 2);
  assert.equal(p2.NextToken, undefined);
  const ids = [...p1.Items!, ...p2.Items!].map((a) => a.ApiId).sort();
  assert.deepEqual(ids, [api.ApiId, ...more].sort());

  const upd = await v2.send(new UpdateApiCommand({ ApiId: api.ApiId, Name: "shop2", CorsConfiguration: { AllowOrigins: ["https://a.example"], MaxAge: 60 } }));
  assert.equal(upd.Name, "shop2");
  assert.equal(upd.Description, "d");
  assert.deepEqual(upd.CorsConfiguration, { AllowOrigins: ["https://a.example"], MaxAge: 60 });
  await v2.send(new DeleteCorsConfigurationCommand({ ApiId: api.ApiId }));
  assert.equal((await v2.send(new GetApiCommand({ ApiId: api.ApiId }))).CorsConfiguration, undefined);

  await v2.send(new DeleteApiCommand({ ApiId: api.ApiId }));
  await rejects(v2.send(new GetApiCommand({ ApiId: api.ApiId })), "NotFoundException", 404, `Invalid API identifier specified ${account}:${api.ApiId}`);
  assert.equal(findHttpApi(holder(), api.ApiId!), undefined);
  await rejects(v2.send(new GetApisCommand({ NextToken: "garbage" })), "BadRequestException", 400);
});

test("quick create: a Lambda target makes an AWS_PROXY integration (payload 2.0), a $default route and an auto-deployed $default stage", async () => {
  const { account, v2 } = client();
  const api = await v2.send(new CreateApiCommand({ Name: "quick", ProtocolType: "HTTP", Target: FN(account) }));
  const integs = await v2.send(new GetIntegrationsCommand({ ApiId: api.ApiId }));
  assert.equal(integs.Items?.length, 1);
  const integ = integs.Items![0];
  assert.equal(integ.IntegrationType, "AWS_PROXY");
  assert.equal(integ.IntegrationUri, FN(account));
  assert.equal(integ.PayloadFormatVersion, "2.0");
  assert.equal(integ.TimeoutInMillis, 30000);
  assert.equal(integ.ApiGatewayManaged, true);
  const routes = await v2.send(new GetRoutesCommand({ ApiId: api.ApiId }));
  assert.equal(routes.Items?.length, 1);
  assert.equal(routes.Items![0].RouteKey, "$default");
  assert.equal(routes.Items![0].Target, `integrations/${integ.IntegrationId}`);
  assert.match(routes.Items![0].RouteId!, /^[a-z0-9]{7}$/);
  const stage = await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: "$default" }));
  assert.equal(stage.AutoDeploy, true);
  assert.equal(stage.ApiGatewayManaged, true);
  assert.ok(stage.DeploymentId);
  assert.equal(stage.LastDeploymentStatusMessage, `Successfully deployed stage with deployment ID '${stage.DeploymentId}'`);
  const dep = await v2.send(new GetDeploymentCommand({ ApiId: api.ApiId, DeploymentId: stage.DeploymentId }));
  assert.equal(dep.AutoDeployed, true);
  assert.equal(dep.DeploymentStatus, "DEPLOYED");

  const served = deployedStage(holder(), api.ApiId!, "$default");
  assert.ok(served);
  assert.equal(served.account, account);
  assert.equal(served.routes[0].routeKey, "$default");
  assert.equal(served.integrations[integ.IntegrationId!].payloadFormatVersion, "2.0");
  assert.equal(served.api.protocolType, "HTTP");

  // An HTTP URL target is an HTTP_PROXY integration (payload 1.0), on the route key given.
  const proxied = await v2.send(new CreateApiCommand({ Name: "q2", ProtocolType: "HTTP", Target: "https://example.com/x", RouteKey: "GET /pets" }));
  const i2 = (await v2.send(new GetIntegrationsCommand({ ApiId: proxied.ApiId }))).Items![0];
  assert.equal(i2.IntegrationType, "HTTP_PROXY");
  assert.equal(i2.PayloadFormatVersion, "1.0");
  assert.equal((await v2.send(new GetRoutesCommand({ ApiId: proxied.ApiId }))).Items![0].RouteKey, "GET /pets");
});

test("auto-deploy: each change to routes, integrations, authorizers or CORS makes a new deployment; others keep their snapshot", async () => {
  const { account, v2 } = client();
  const api = await v2.send(new CreateApiCommand({ Name: "auto", ProtocolType: "HTTP" }));
  const ApiId = api.ApiId;
  const auto = await v2.send(new CreateStageCommand({ ApiId, StageName: "live", AutoDeploy: true }));
  assert.equal(auto.DeploymentId, undefined, "nothing to deploy without routes");
  await v2.send(new CreateStageCommand({ ApiId, StageName: "fixed", StageVariables: { v: "1" } }));
  assert.equal(deployedStage(holder(), ApiId!, "fixed"), undefined);
  await rejects(
    v2.send(new CreateDeploymentCommand({ ApiId, StageName: "fixed" })),
    "BadRequestException",
    400,
    "Unable to deploy API because no routes exist in this API",
  );

  const integ = await v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: "AWS_PROXY", IntegrationUri: FN(account), PayloadFormatVersion: "2.0" }));
  const route = await v2.send(new CreateRouteCommand({ ApiId, RouteKey: "GET /items/{id}", Target: `integrations/${integ.IntegrationId}` }));
  const d1 = (await v2.send(new GetStageCommand({ ApiId, StageName: "live" }))).DeploymentId;
  assert.ok(d1);
  const manual = await v2.send(new CreateDeploymentCommand({ ApiId, StageName: "fixed", Description: "first" }));
  assert.equal(manual.AutoDeployed, false);
  assert.equal((await v2.send(new GetStageCommand({ ApiId, StageName: "fixed" }))).DeploymentId, manual.DeploymentId);

  await v2.send(new CreateRouteCommand({ ApiId, RouteKey: "ANY /{proxy+}", Target: `integrations/${integ.IntegrationId}` }));
  const d2 = (await v2.send(new GetStageCommand({ ApiId, StageName: "live" }))).DeploymentId;
  assert.notEqual(d2, d1);
  await v2.send(new UpdateApiCommand({ ApiId, Description: "no redeploy for this" }));
  assert.equal((await v2.send(new GetStageCommand({ ApiId, StageName: "live" }))).DeploymentId, d2);
  await v2.send(new UpdateApiCommand({ ApiId, CorsConfiguration: { AllowOrigins: ["*"] } }));
  const d3 = (await v2.send(new GetStageCommand({ ApiId, StageName: "live" }))).DeploymentId;
  assert.notEqual(d3, d2);
  const authz = await v2.send(
    new CreateAuthorizerCommand({
      ApiId,
      Name: "jwt",
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: { Issuer: "https://issuer.example", Audience: ["a"] },
    }),
  );
  await v2.send(
    new UpdateRouteCommand({ ApiId, RouteId: route.RouteId, AuthorizationType: "JWT", AuthorizerId: authz.AuthorizerId, AuthorizationScopes: ["read"] }),
  );

  const live = deployedStage(holder(), ApiId!, "live")!;
  // One deployment's snapshot is the same objects on every call (what the execute-api endpoint may cache on).
  assert.equal(deployedStage(holder(), ApiId!, "live")!.routes, live.routes);
  assert.equal(deployedStage(holder(), ApiId!, "nope"), undefined);
  assert.equal(deployedStage(holder(), "nope000000", "live"), undefined);
  assert.equal(live.routes.length, 2);
  assert.deepEqual(live.api.corsConfiguration, { AllowOrigins: ["*"] });
  const secured = live.routes.find((r) => r.routeKey === "GET /items/{id}")!;
  assert.equal(secured.authorizationType, "JWT");
  assert.equal(live.authorizers[authz.AuthorizerId!].jwtConfiguration?.Issuer, "https://issuer.example");

  // The manually deployed stage still serves its snapshot: one route, no CORS, no authorizer.
  const fixed = deployedStage(holder(), ApiId!, "fixed")!;
  assert.equal(fixed.routes.length, 1);
  assert.equal(fixed.api.corsConfiguration, undefined);
  assert.equal(fixed.routes[0].authorizationType, "NONE");
  assert.deepEqual(fixed.stage.variables, { v: "1" });
  // Stage settings are live (no deployment needed).
  await v2.send(new UpdateStageCommand({ ApiId, StageName: "fixed", DefaultRouteSettings: { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 10 } }));
  assert.equal(deployedStage(holder(), ApiId!, "fixed")!.stage.defaultRouteSettings.ThrottlingRateLimit, 10);
  await v2.send(new UpdateStageCommand({ ApiId, StageName: "fixed", RouteSettings: { "GET /items/{id}": { ThrottlingRateLimit: 1 } } }));
  assert.equal(deployedStage(holder(), ApiId!, "fixed")!.stage.routeSettings["GET /items/{id}"].ThrottlingRateLimit, 1);
  await rejects(
    v2.send(new UpdateStageCommand({ ApiId, StageName: "fixed", RouteSettings: { "GET /none": { ThrottlingRateLimit: 1 } } })),
    "BadRequestException",
    400,
    "Unable to find Route by key GET /none within the provided RouteSettings",
  );

  const open = await v2.send(new UpdateRouteCommand({ ApiId, RouteId: route.RouteId, AuthorizationType: "NONE" }));
  assert.equal(open.AuthorizerId, undefined);
  assert.equal(open.AuthorizationScopes, undefined);
  await rejects(v2.send(new UpdateRouteCommand({ ApiId, RouteId: route.RouteId, AuthorizerId: authz.AuthorizerId })), "BadRequestException", 400);

  const deps = await v2.send(new GetDeploymentsCommand({ ApiId }));
  assert.ok((deps.Items?.length ?? 0) >= 5);
  assert.ok(deps.Items!.some((d) => d.Description === "first" && d.AutoDeployed === false));

  // An integration in use cannot go; the route first.
  await rejects(v2.send(new DeleteIntegrationCommand({ ApiId, IntegrationId: integ.IntegrationId })), "ConflictException", 409);
  await v2.send(new DeleteRouteCommand({ ApiId, RouteId: route.RouteId }));
  await rejects(v2.send(new GetRouteCommand({ ApiId, RouteId: route.RouteId })), "NotFoundException", 404);
  assert.equal(deployedStage(holder(), ApiId!, "live")!.routes.length, 1);
});

test("routes: route keys as HTTP APIs take them, and duplicates refused", async () => {
  const { v2 } = client();
  const { ApiId } = await v2.send(new CreateApiCommand({ Name: "r", ProtocolType: "HTTP" }));
  for (const key of ["$default", "GET /", "ANY /{proxy+}", "POST /items/{id}/parts", "DELETE /a/{b}/{rest+}"]) {
    const r = await v2.send(new CreateRouteCommand({ ApiId, RouteKey: key }));
    assert.equal(r.RouteKey, key);
    assert.equal(r.AuthorizationType, "NONE");
    assert.equal(r.ApiKeyRequired, false);
  }
  for (const bad of ["GET", "get /x", "FETCH /x", "GET x", "GET /{proxy+}/more", "GET /a//b", "GET /{a"]) {
    await rejects(
      v2.send(new CreateRouteCommand({ ApiId, RouteKey: bad })),
      "BadRequestException",
      400,
      'The provided route key is not formatted properly for HTTP protocol. Format should be "<HTTP METHOD> /<RESOURCE PATH>" or "$default"',
    );
  }
  await rejects(v2.send(new CreateRouteCommand({ ApiId, RouteKey: "GET /" })), "ConflictException", 409);
  await rejects(v2.send(new CreateRouteCommand({ ApiId, RouteKey: "GET /x", Target: "integrations/nope123" })), "BadRequestException", 400);
  await rejects(v2.send(new CreateRouteCommand({ ApiId, RouteKey: "GET /y", AuthorizationType: "CUSTOM", AuthorizerId: "nope123" })), "NotFoundException", 404);
  const page1 = await v2.send(new GetRoutesCommand({ ApiId, MaxResults: "3" }));
  const page2 = await v2.send(new GetRoutesCommand({ ApiId, MaxResults: "3", NextToken: page1.NextToken }));
  assert.equal(page1.Items!.length + page2.Items!.length, 5);
  await rejects(v2.send(new GetRoutesCommand({ ApiId: "nope000000" })), "NotFoundException", 404);
});

test("integrations and authorizers: AWS's rules for HTTP APIs", async () => {
  const { account, v2 } = client();
  const { ApiId } = await v2.send(new CreateApiCommand({ Name: "i", ProtocolType: "HTTP" }));
  await rejects(
    v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: "AWS_PROXY", IntegrationUri: FN(account) })),
    "BadRequestException",
    400,
    /PayloadFormatVersion/,
  );
  await rejects(v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: "MOCK" })), "BadRequestException", 400);
  await rejects(
    v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: "HTTP_PROXY", IntegrationUri: "https://example.com", PayloadFormatVersion: "2.0" })),
    "BadRequestException",
    400,
  );
  const http = await v2.send(
    new CreateIntegrationCommand({
      ApiId,
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://example.com/{proxy}",
      IntegrationMethod: "GET",
      TimeoutInMillis: 5000,
    }),
  );
  assert.equal(http.PayloadFormatVersion, "1.0");
  assert.equal(http.TimeoutInMillis, 5000);
  assert.equal(http.ConnectionType, "INTERNET");
  await rejects(
    v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: "HTTP_PROXY", IntegrationUri: "https://e.com", TimeoutInMillis: 40000 })),
    "BadRequestException",
    400,
  );

  const req = await v2.send(
    new CreateAuthorizerCommand({
      ApiId,
      Name: "lam",
      AuthorizerType: "REQUEST",
      AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN(account)}/invocations`,
      AuthorizerPayloadFormatVersion: "2.0",
      EnableSimpleResponses: true,
      IdentitySource: ["$request.header.Authorization"],
      AuthorizerResultTtlInSeconds: 300,
    }),
  );
  assert.equal(req.AuthorizerType, "REQUEST");
  assert.equal(req.EnableSimpleResponses, true);
  await rejects(
    v2.send(new CreateAuthorizerCommand({ ApiId, Name: "x", AuthorizerType: "REQUEST", AuthorizerUri: FN(account), IdentitySource: ["$request.header.A"] })),
    "BadRequestException",
    400,
  );
  assert.equal((await v2.send(new GetAuthorizersCommand({ ApiId }))).Items?.length, 1);

  const ws = await v2.send(new CreateApiCommand({ Name: "ws", ProtocolType: "WEBSOCKET", RouteSelectionExpression: "$request.body.action" }));
  assert.equal(ws.ProtocolType, "WEBSOCKET");
  const mock = await v2.send(new CreateIntegrationCommand({ ApiId: ws.ApiId, IntegrationType: "MOCK" }));
  assert.equal(mock.TimeoutInMillis, 29000);
  assert.equal(mock.IntegrationResponseSelectionExpression, "${integration.response.statuscode}");
  const r = await v2.send(new CreateRouteCommand({ ApiId: ws.ApiId, RouteKey: "$connect", Target: `integrations/${mock.IntegrationId}` }));
  const rr = await v2.send(new CreateRouteResponseCommand({ ApiId: ws.ApiId, RouteId: r.RouteId, RouteResponseKey: "$default" }));
  assert.equal(rr.RouteResponseKey, "$default");
  const ir = await v2.send(new CreateIntegrationResponseCommand({ ApiId: ws.ApiId, IntegrationId: mock.IntegrationId, IntegrationResponseKey: "/200/" }));
  assert.match(ir.IntegrationResponseId!, /^[a-z0-9]{7}$/);
  await rejects(v2.send(new CreateApiCommand({ Name: "ws2", ProtocolType: "WEBSOCKET" })), "BadRequestException", 400);

  const m = await v2.send(new CreateModelCommand({ ApiId, Name: "Pet", Schema: JSON.stringify({ type: "object" }), ContentType: "application/json" }));
  assert.equal((await v2.send(new GetModelsCommand({ ApiId }))).Items?.[0].ModelId, m.ModelId);
  await rejects(v2.send(new CreateModelCommand({ ApiId, Name: "Pet", Schema: "{}" })), "ConflictException", 409);
  await rejects(v2.send(new CreateModelCommand({ ApiId, Name: "Bad", Schema: "not json" })), "BadRequestException", 400);
});

test("tags on APIs and stages by ARN", async () => {
  const { v2 } = client();
  const { ApiId } = await v2.send(new CreateApiCommand({ Name: "t", ProtocolType: "HTTP", Tags: { a: "1" } }));
  const arn = `arn:aws:apigateway:us-east-1::/apis/${ApiId}`;
  await v2.send(new TagResourceCommand({ ResourceArn: arn, Tags: { b: "2" } }));
  assert.deepEqual((await v2.send(new GetTagsCommand({ ResourceArn: arn }))).Tags, { a: "1", b: "2" });
  await v2.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["a"] }));
  assert.deepEqual((await v2.send(new GetApiCommand({ ApiId }))).Tags, { b: "2" });
  await v2.send(new CreateStageCommand({ ApiId, StageName: "prod", Tags: { s: "1" } }));
  await v2.send(new TagResourceCommand({ ResourceArn: `${arn}/stages/prod`, Tags: { t: "2" } }));
  assert.deepEqual((await v2.send(new GetStageCommand({ ApiId, StageName: "prod" }))).Tags, { s: "1", t: "2" });
  await rejects(v2.send(new GetTagsCommand({ ResourceArn: "arn:aws:apigateway:us-east-1::/apis/nope000000" })), "NotFoundException", 404);
});

test("quick create's parts, API keys, parameter mappings, and NotFoundException's ResourceType", async () => {
  const { account, v2 } = client();
  const plain = await v2.send(new CreateApiCommand({ Name: "p", ProtocolType: "HTTP" }));
  await rejects(v2.send(new UpdateApiCommand({ ApiId: plain.ApiId, Target: FN(account) })), "BadRequestException", 400);
  await rejects(v2.send(new CreateApiCommand({ Name: "p", ProtocolType: "HTTP", RouteKey: "GET /x" })), "BadRequestException", 400);
  await rejects(v2.send(new CreateRouteCommand({ ApiId: plain.ApiId, RouteKey: "GET /k", ApiKeyRequired: true })), "BadRequestException", 400);

  // UpdateApi's Target and RouteKey move quick create's integration and route.
  const quick = await v2.send(new CreateApiCommand({ Name: "q", ProtocolType: "HTTP", Target: FN(account) }));
  await v2.send(new UpdateApiCommand({ ApiId: quick.ApiId, Target: "https://example.com", RouteKey: "ANY /{proxy+}" }));
  const integ = (await v2.send(new GetIntegrationsCommand({ ApiId: quick.ApiId }))).Items![0];
  assert.equal(integ.IntegrationType, "HTTP_PROXY");
  assert.equal(integ.IntegrationUri, "https://example.com");
  assert.equal((await v2.send(new GetRoutesCommand({ ApiId: quick.ApiId }))).Items![0].RouteKey, "ANY /{proxy+}");
  assert.equal(deployedStage(holder(), quick.ApiId!, "$default")!.routes[0].routeKey, "ANY /{proxy+}");

  const mapped = await v2.send(
    new CreateIntegrationCommand({
      ApiId: plain.ApiId,
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://example.com",
      IntegrationMethod: "ANY",
      RequestParameters: { "append:header.x-from": "$context.requestId", "overwrite:path": "/v2$request.path" },
      ResponseParameters: { "404": { "overwrite:statuscode": "200", "append:header.x-seen": "yes" } },
    }),
  );
  assert.deepEqual(mapped.RequestParameters, { "append:header.x-from": "$context.requestId", "overwrite:path": "/v2$request.path" });
  assert.deepEqual(mapped.ResponseParameters, { "404": { "overwrite:statuscode": "200", "append:header.x-seen": "yes" } });
  await rejects(
    v2.send(
      new CreateIntegrationCommand({
        ApiId: plain.ApiId,
        IntegrationType: "HTTP_PROXY",
        IntegrationUri: "https://e.com",
        RequestParameters: { "integration.request.header.x": "'a'" },
      }),
    ),
    "BadRequestException",
    400,
  );

  await assert.rejects(v2.send(new GetRouteCommand({ ApiId: plain.ApiId, RouteId: "nope123" })), (e: Error & { ResourceType?: string }) => {
    assert.equal(e.name, "NotFoundException");
    assert.equal(e.ResourceType, "Route");
    return true;
  });
  await assert.rejects(v2.send(new GetApiCommand({ ApiId: "nope000000" })), (e: Error & { ResourceType?: string }) => e.ResourceType === "Api");
});

test("an API made by an in-process call (no Host: CloudFormation's) gets the port the server listens on", async () => {
  const account = randomAccount();
  const out = await server.runtime.call("apigatewayv2", "CreateApi", { Name: "inproc", ProtocolType: "HTTP" }, server.runtime.rootIdentity(account));
  assert.equal(out.ApiEndpoint, `http://${out.ApiId}.execute-api.localhost:${new URL(server.url).port}`);
});
