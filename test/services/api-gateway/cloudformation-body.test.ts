// Definitions from a template: a RestApi whose BodyS3Location is an OpenAPI document in Stratus's S3 (read as the
// stack's caller), replaced on update by an inline Body; an AWS::ApiGateway::Account's CloudWatchRoleArn; a
// BasePathMapping on a custom domain; an HTTP API imported from an OpenAPI 3 Body with an explicit Deployment and
// Stage. What each leaves in the control plane, and DeleteStack removing it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateDomainNameCommand,
  GetAccountCommand,
  GetBasePathMappingsCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetStageCommand,
} from "@aws-sdk/client-api-gateway";
import { GetApiCommand, GetRoutesCommand, GetStageCommand as GetV2StageCommand } from "@aws-sdk/client-apigatewayv2";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { createStack, deleteStack, type Env, resources, startEnv, updateStack } from "./cloudformation-env.js";

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.s.close());

const S3_DEFINITION = `swagger: "2.0"
info:
  title: from-s3
  version: "1"
x-amazon-apigateway-binary-media-types:
  - application/octet-stream
paths:
  /ping:
    get:
      responses:
        "200":
          description: ok
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
`;

const inlineDefinition = {
  openapi: "3.0.1",
  info: { title: "inline", version: "2" },
  paths: {
    "/pong": {
      post: {
        responses: { "200": { description: "ok" } },
        "x-amazon-apigateway-integration": { type: "mock", requestTemplates: { "application/json": '{"statusCode": 200}' } },
      },
    },
  },
};

function restTemplate(api: Record<string, unknown>, roleArn: string) {
  return {
    Resources: {
      Api: { Type: "AWS::ApiGateway::RestApi", Properties: api },
      Deployment: { Type: "AWS::ApiGateway::Deployment", Properties: { RestApiId: { Ref: "Api" }, StageName: "live" } },
      Mapping: {
        Type: "AWS::ApiGateway::BasePathMapping",
        DependsOn: ["Deployment"],
        Properties: { DomainName: "api.example.com", BasePath: "v1", RestApiId: { Ref: "Api" }, Stage: "live" },
      },
      Account: { Type: "AWS::ApiGateway::Account", Properties: { CloudWatchRoleArn: roleArn } },
    },
    Outputs: { AccountId: { Value: { Ref: "Account" } } },
  };
}

test("a RestApi from BodyS3Location, then an inline Body; an Account and a BasePathMapping", async () => {
  const c = env.s.clientConfig({ account: env.account });
  const s3 = new S3Client({ ...c, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "defs" }));
  await s3.send(new PutObjectCommand({ Bucket: "defs", Key: "api.yaml", Body: S3_DEFINITION }));
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const logsRole = (await new IAMClient(c).send(new CreateRoleCommand({ RoleName: "apigw-logs", AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!.Arn!;
  await env.apigw.send(
    new CreateDomainNameCommand({
      domainName: "api.example.com",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
    }),
  );

  const out = await createStack(
    env,
    "rest-body",
    restTemplate({ BodyS3Location: { Bucket: "defs", Key: "api.yaml" }, BinaryMediaTypes: ["image/png"] }, logsRole),
  );
  const apiId = (await resources(env, "rest-body")).Api.physical;
  // Named by the definition's title, its paths from the document in S3.
  const created = await env.apigw.send(new GetRestApiCommand({ restApiId: apiId }));
  assert.equal(created.name, "from-s3");
  // Without Mode, container types merge: the definition's binary media types and the template's.
  assert.deepEqual(created.binaryMediaTypes?.sort(), ["application/octet-stream", "image/png"]);
  const paths = async () =>
    (await env.apigw.send(new GetResourcesCommand({ restApiId: apiId, embed: ["methods"] })))
      .items!.map((r) => [r.path, Object.keys(r.resourceMethods ?? {})])
      .sort();
  assert.deepEqual(await paths(), [
    ["/", []],
    ["/ping", ["GET"]],
  ]);
  assert.ok((await env.apigw.send(new GetStageCommand({ restApiId: apiId, stageName: "live" }))).deploymentId);
  assert.match(out.AccountId, /^rest--accou-[a-z0-9]{12}$/);
  assert.equal((await env.apigw.send(new GetAccountCommand({}))).cloudwatchRoleArn, logsRole);
  const mappings = await env.apigw.send(new GetBasePathMappingsCommand({ domainName: "api.example.com" }));
  assert.deepEqual(
    mappings.items?.map((m) => [m.basePath, m.restApiId, m.stage]),
    [["v1", apiId, "live"]],
  );

  // The same API, its definition replaced by the inline Body (PutRestApi, overwrite), renamed by Name.
  await updateStack(env, "rest-body", restTemplate({ Body: inlineDefinition, Name: "renamed", BinaryMediaTypes: ["image/png"] }, logsRole));
  assert.equal((await resources(env, "rest-body")).Api.physical, apiId);
  const renamed = await env.apigw.send(new GetRestApiCommand({ restApiId: apiId }));
  assert.equal(renamed.name, "renamed");
  assert.deepEqual(renamed.binaryMediaTypes?.sort(), ["application/octet-stream", "image/png"], "kept: the new definition merges");
  assert.deepEqual(await paths(), [
    ["/", []],
    ["/pong", ["POST"]],
  ]);

  await deleteStack(env, "rest-body");
  await assert.rejects(env.apigw.send(new GetRestApiCommand({ restApiId: apiId })), { name: "NotFoundException" });
  assert.deepEqual((await env.apigw.send(new GetBasePathMappingsCommand({ domainName: "api.example.com" }))).items ?? [], []);
});

test("an HTTP API imported from an OpenAPI 3 Body, with an explicit Deployment and Stage", async () => {
  const body = {
    openapi: "3.0.1",
    info: { title: "imported-http", version: "1" },
    paths: {
      "/things/{id}": {
        get: {
          "x-amazon-apigateway-integration": { type: "http_proxy", httpMethod: "GET", uri: "https://example.com/things/{id}", payloadFormatVersion: "1.0" },
        },
      },
    },
  };
  const out = await createStack(env, "http-body", {
    Resources: {
      Api: { Type: "AWS::ApiGatewayV2::Api", Properties: { Body: body } },
      Deployment: { Type: "AWS::ApiGatewayV2::Deployment", DependsOn: ["Api"], Properties: { ApiId: { Ref: "Api" }, Description: "first" } },
      Stage: { Type: "AWS::ApiGatewayV2::Stage", Properties: { ApiId: { Ref: "Api" }, StageName: "beta", DeploymentId: { Ref: "Deployment" } } },
    },
    Outputs: { ApiId: { Value: { "Fn::GetAtt": ["Api", "ApiId"] } }, DeploymentId: { Value: { "Fn::GetAtt": ["Deployment", "DeploymentId"] } } },
  });
  assert.equal((await env.v2.send(new GetApiCommand({ ApiId: out.ApiId }))).Name, "imported-http");
  assert.deepEqual(
    (await env.v2.send(new GetRoutesCommand({ ApiId: out.ApiId }))).Items!.map((r) => r.RouteKey),
    ["GET /things/{id}"],
  );
  const stage = await env.v2.send(new GetV2StageCommand({ ApiId: out.ApiId, StageName: "beta" }));
  assert.equal(stage.DeploymentId, out.DeploymentId);
  assert.equal(stage.AutoDeploy ?? false, false);
  await deleteStack(env, "http-body");
  await assert.rejects(env.v2.send(new GetApiCommand({ ApiId: out.ApiId })), { name: "NotFoundException" });
});
