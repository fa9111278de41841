// AWS::ApiGateway::* through CloudFormation with the SDK: a template shaped as the CDK's LambdaRestApi synthesizes it
// (RestApi, {proxy+} Resource, ANY methods with AWS_PROXY integrations, Deployment, Stage, the Lambda permission
// whose SourceArn joins the execute-api ARN, the URL as an output), called over HTTP; its Ref and GetAtt values; an
// update that moves the stage's settings and a method's integration; DeleteStack removes the API. A create API
// Gateway refuses fails with its message as CloudFormation words it and rolls back.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from "@aws-sdk/client-api-gateway";
import { CreateStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, waitUntilStackCreateComplete } from "@aws-sdk/client-cloudformation";
import { call, createStack, deleteStack, ECHO, type Env, resources, startEnv, updateStack } from "./cloudformation-env.js";

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.s.close());

const join = (...parts: unknown[]) => ({ "Fn::Join": ["", parts] });
const invocationUri = join(
  "arn:",
  { Ref: "AWS::Partition" },
  ":apigateway:",
  { Ref: "AWS::Region" },
  ":lambda:path/2015-03-31/functions/",
  { "Fn::GetAtt": ["Handler", "Arn"] },
  "/invocations",
);

/** The resources the CDK's `new LambdaRestApi(this, "Api", { handler })` synthesizes (logical ids shortened). */
function lambdaRestApi(
  roleArn: string,
  opts: { variables?: Record<string, string>; methodSettings?: unknown[]; description?: string; canary?: Record<string, unknown> } = {},
) {
  const permission = (method: string, path: string) => ({
    Type: "AWS::Lambda::Permission",
    Properties: {
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": ["Handler", "Arn"] },
      Principal: "apigateway.amazonaws.com",
      SourceArn: join(
        "arn:",
        { Ref: "AWS::Partition" },
        ":execute-api:",
        { Ref: "AWS::Region" },
        ":",
        { Ref: "AWS::AccountId" },
        ":",
        { Ref: "Api" },
        "/",
        { Ref: "ApiDeploymentStageprod" },
        `/${method}${path}`,
      ),
    },
  });
  const anyMethod = (resource: unknown) => ({
    Type: "AWS::ApiGateway::Method",
    Properties: {
      HttpMethod: "ANY",
      ResourceId: resource,
      RestApiId: { Ref: "Api" },
      AuthorizationType: "NONE",
      Integration: { IntegrationHttpMethod: "POST", Type: "AWS_PROXY", Uri: invocationUri },
    },
  });
  return {
    Resources: {
      Handler: {
        Type: "AWS::Lambda::Function",
        Properties: { Runtime: "nodejs20.x", Handler: "index.handler", Role: roleArn, Code: { ZipFile: ECHO } },
      },
      Api: { Type: "AWS::ApiGateway::RestApi", Properties: { Name: "Api" } },
      ApiDeployment: {
        Type: "AWS::ApiGateway::Deployment",
        Properties: { RestApiId: { Ref: "Api" }, Description: opts.description ?? "Automatically created by the RestApi construct" },
        DependsOn: ["ApiproxyANY", "Apiproxy", "ApiANY"],
      },
      ApiDeploymentStageprod: {
        Type: "AWS::ApiGateway::Stage",
        Properties: {
          RestApiId: { Ref: "Api" },
          DeploymentId: { Ref: "ApiDeployment" },
          StageName: "prod",
          ...(opts.variables ? { Variables: opts.variables } : {}),
          ...(opts.methodSettings ? { MethodSettings: opts.methodSettings } : {}),
          ...(opts.canary ? { CanarySetting: opts.canary } : {}),
        },
      },
      Apiproxy: {
        Type: "AWS::ApiGateway::Resource",
        Properties: { ParentId: { "Fn::GetAtt": ["Api", "RootResourceId"] }, PathPart: "{proxy+}", RestApiId: { Ref: "Api" } },
      },
      ApiproxyANYApiPermission: permission("*", "/*"),
      ApiproxyANY: anyMethod({ Ref: "Apiproxy" }),
      ApiANYApiPermission: permission("*", "/"),
      ApiANY: anyMethod({ "Fn::GetAtt": ["Api", "RootResourceId"] }),
    },
    Outputs: {
      ApiEndpoint: {
        Value: join(
          "https://",
          { Ref: "Api" },
          ".execute-api.",
          { Ref: "AWS::Region" },
          ".",
          { Ref: "AWS::URLSuffix" },
          "/",
          { Ref: "ApiDeploymentStageprod" },
          "/",
        ),
      },
      RestApiId: { Value: { "Fn::GetAtt": ["Api", "RestApiId"] } },
      RootResourceId: { Value: { "Fn::GetAtt": ["Api", "RootResourceId"] } },
      ProxyResourceId: { Value: { "Fn::GetAtt": ["Apiproxy", "ResourceId"] } },
      DeploymentId: { Value: { Ref: "ApiDeployment" } },
      MethodRef: { Value: { Ref: "ApiproxyANY" } },
    },
  };
}

test("a LambdaRestApi-shaped stack: Ref/GetAtt values, the API in the control plane, called over HTTP; update and delete", async () => {
  const out = await createStack(env, "rest-lambda", lambdaRestApi(env.roleArn));
  const rs = await resources(env, "rest-lambda");
  const apiId = rs.Api.physical;
  assert.match(apiId, /^[a-z0-9]{10}$/);
  assert.equal(out.RestApiId, apiId);
  assert.equal(out.ApiEndpoint, `https://${apiId}.execute-api.us-east-1.amazonaws.com/prod/`);
  // Stage's Ref is its name; a method's is a generated id (AWS: "mysta-metho-01234b567890example").
  assert.equal(rs.ApiDeploymentStageprod.physical, "prod");
  assert.match(out.MethodRef, /^rest--apipr-[a-z0-9]{12}$/);

  const api = await env.apigw.send(new GetRestApiCommand({ restApiId: apiId }));
  assert.equal(api.name, "Api");
  assert.equal(out.RootResourceId, api.rootResourceId);
  const { items } = await env.apigw.send(new GetResourcesCommand({ restApiId: apiId, embed: ["methods"] }));
  const proxy = items!.find((r) => r.path === "/{proxy+}")!;
  assert.equal(proxy.id, out.ProxyResourceId);
  assert.equal(proxy.parentId, api.rootResourceId);
  const method = await env.apigw.send(new GetMethodCommand({ restApiId: apiId, resourceId: proxy.id!, httpMethod: "ANY" }));
  assert.equal(method.authorizationType, "NONE");
  assert.equal(method.methodIntegration?.type, "AWS_PROXY");
  assert.equal(method.methodIntegration?.httpMethod, "POST");
  assert.match(
    method.methodIntegration!.uri!,
    new RegExp(
      `^arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${env.account}:function:rest-lambda-Handler-[A-Z0-9]{12}/invocations$`,
    ),
  );
  const stage = await env.apigw.send(new GetStageCommand({ restApiId: apiId, stageName: "prod" }));
  assert.equal(stage.deploymentId, out.DeploymentId);

  // The deployed API answers at its URL, through the Lambda proxy (the permission's SourceArn allows it).
  const hit = await call(env, `${out.ApiEndpoint}items/42?x=1`);
  assert.equal(hit.status, 200, hit.body);
  assert.deepEqual(JSON.parse(hit.body), { path: "/items/42", resource: "/{proxy+}", stage: "prod", proxy: "items/42" });
  const root = await call(env, out.ApiEndpoint);
  assert.equal(root.status, 200, root.body);
  assert.equal(JSON.parse(root.body).resource, "/");

  // An update in place: the stage's variables and method settings, the deployment's description.
  const settings = [{ ResourcePath: "/*", HttpMethod: "*", MetricsEnabled: true, ThrottlingBurstLimit: 50, ThrottlingRateLimit: 100 }];
  const updated = await updateStack(
    env,
    "rest-lambda",
    lambdaRestApi(env.roleArn, {
      variables: { mode: "blue" },
      methodSettings: settings,
      description: "second",
      canary: { PercentTraffic: 0, StageVariableOverrides: { mode: "green" } },
    }),
  );
  assert.equal(updated.RestApiId, apiId, "the API is updated in place");
  assert.equal(updated.DeploymentId, out.DeploymentId, "a description change updates the deployment in place (its specification)");
  const stage2 = await env.apigw.send(new GetStageCommand({ restApiId: apiId, stageName: "prod" }));
  assert.deepEqual(stage2.variables, { mode: "blue" });
  assert.equal(stage2.methodSettings?.["*/*"]?.metricsEnabled, true);
  assert.equal(stage2.methodSettings?.["*/*"]?.throttlingBurstLimit, 50);
  assert.equal(stage2.methodSettings?.["*/*"]?.throttlingRateLimit, 100);
  assert.deepEqual([stage2.canarySettings?.percentTraffic, stage2.canarySettings?.stageVariableOverrides], [0, { mode: "green" }]);

  await deleteStack(env, "rest-lambda");
  await assert.rejects(env.apigw.send(new GetRestApiCommand({ restApiId: apiId })), (e: Error & { $metadata: { httpStatusCode: number } }) => {
    assert.equal(e.name, "NotFoundException");
    assert.equal(e.$metadata.httpStatusCode, 404);
    return true;
  });
});

test("a failed create rolls back: the method API Gateway refuses fails with its message, the API and its parts are deleted", async () => {
  const template = {
    Resources: {
      Api: { Type: "AWS::ApiGateway::RestApi", Properties: { Name: "doomed" } },
      Items: {
        Type: "AWS::ApiGateway::Resource",
        Properties: { ParentId: { "Fn::GetAtt": ["Api", "RootResourceId"] }, PathPart: "items", RestApiId: { Ref: "Api" } },
      },
      // An AWS_PROXY integration needs a uri: PutIntegration refuses it.
      Broken: {
        Type: "AWS::ApiGateway::Method",
        Properties: {
          RestApiId: { Ref: "Api" },
          ResourceId: { Ref: "Items" },
          HttpMethod: "GET",
          AuthorizationType: "NONE",
          Integration: { Type: "AWS_PROXY", IntegrationHttpMethod: "POST" },
        },
      },
    },
  };
  await env.cfn.send(new CreateStackCommand({ StackName: "rest-doomed", TemplateBody: JSON.stringify(template) }));
  await assert.rejects(waitUntilStackCreateComplete({ client: env.cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "rest-doomed" }));
  const [stack] = (await env.cfn.send(new DescribeStacksCommand({ StackName: "rest-doomed" }))).Stacks!;
  assert.equal(stack.StackStatus, "ROLLBACK_COMPLETE");
  const events = (await env.cfn.send(new DescribeStackEventsCommand({ StackName: "rest-doomed" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "Broken" && e.ResourceStatus === "CREATE_FAILED")!;
  assert.match(
    failed.ResourceStatusReason!,
    /^Resource handler returned message: ".+ \(Service: ApiGateway, Status Code: 400, Request ID: [0-9a-f-]{36}\)" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: InvalidRequest\)$/,
  );
  const apis = await env.apigw.send(new GetRestApisCommand({}));
  assert.deepEqual(
    apis.items?.filter((a) => a.name === "doomed"),
    [],
  );
});

test("a method already on the resource is refused (ConflictException) and left as it was", async () => {
  const api = await env.apigw.send(new CreateRestApiCommand({ name: "shared" }));
  await env.apigw.send(new PutMethodCommand({ restApiId: api.id!, resourceId: api.rootResourceId!, httpMethod: "GET", authorizationType: "NONE" }));
  const template = {
    Resources: {
      Get: {
        Type: "AWS::ApiGateway::Method",
        Properties: { RestApiId: api.id, ResourceId: api.rootResourceId, HttpMethod: "GET", AuthorizationType: "AWS_IAM" },
      },
    },
  };
  await env.cfn.send(new CreateStackCommand({ StackName: "rest-clash", TemplateBody: JSON.stringify(template) }));
  await assert.rejects(waitUntilStackCreateComplete({ client: env.cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "rest-clash" }));
  const events = (await env.cfn.send(new DescribeStackEventsCommand({ StackName: "rest-clash" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "Get" && e.ResourceStatus === "CREATE_FAILED")!;
  assert.match(failed.ResourceStatusReason!, /Method already exists for this resource \(Service: ApiGateway, Status Code: 409,/);
  const kept = await env.apigw.send(new GetMethodCommand({ restApiId: api.id!, resourceId: api.rootResourceId!, httpMethod: "GET" }));
  assert.equal(kept.authorizationType, "NONE", "the rollback did not delete the method it did not make");
});

test("a stage whose method settings API Gateway refuses is not left behind", async () => {
  const api = await env.apigw.send(new CreateRestApiCommand({ name: "staged" }));
  await env.apigw.send(new PutMethodCommand({ restApiId: api.id!, resourceId: api.rootResourceId!, httpMethod: "GET", authorizationType: "NONE" }));
  await env.apigw.send(new PutIntegrationCommand({ restApiId: api.id!, resourceId: api.rootResourceId!, httpMethod: "GET", type: "MOCK" }));
  const deployment = await env.apigw.send(new CreateDeploymentCommand({ restApiId: api.id! }));
  const template = {
    Resources: {
      Stage: {
        Type: "AWS::ApiGateway::Stage",
        Properties: {
          RestApiId: api.id,
          DeploymentId: deployment.id,
          StageName: "bad",
          MethodSettings: [{ ResourcePath: "/*", HttpMethod: "*", LoggingLevel: "LOUD" }],
        },
      },
    },
  };
  await env.cfn.send(new CreateStackCommand({ StackName: "rest-bad-stage", TemplateBody: JSON.stringify(template) }));
  await assert.rejects(waitUntilStackCreateComplete({ client: env.cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "rest-bad-stage" }));
  const events = (await env.cfn.send(new DescribeStackEventsCommand({ StackName: "rest-bad-stage" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "Stage" && e.ResourceStatus === "CREATE_FAILED")!;
  assert.match(failed.ResourceStatusReason!, /\(Service: ApiGateway, Status Code: 400,/);
  const stages = await env.apigw.send(new GetStagesCommand({ restApiId: api.id! }));
  assert.deepEqual(stages.item ?? [], []);
});
