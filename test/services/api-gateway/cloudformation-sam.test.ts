// SAM's REST APIs deployed through CloudFormation with the SDK: a function's Api event (the implicit
// ServerlessRestApi, its swagger body put, ServerlessRestApiDeployment<hash>, the Prod stage, the permission) and an
// explicit AWS::Serverless::Api, called over HTTP; an update that changes a route makes a new deployment the stage
// moves to; DeleteStack removes every API. HttpApi events (the implicit ServerlessHttpApi and its auto-deploying
// $default stage) and an explicit AWS::Serverless::HttpApi, as the control plane then holds them. The AWS CLI's
// `cloudformation deploy` of a YAML SAM template, its API called with fetch at the path form tools for LocalStack use.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { GetResourcesCommand, GetRestApiCommand, GetStageCommand } from "@aws-sdk/client-api-gateway";
import { GetApiCommand, GetIntegrationsCommand, GetRoutesCommand, GetStageCommand as GetV2StageCommand } from "@aws-sdk/client-apigatewayv2";
import { call, createStack, deleteStack, ECHO, type Env, resources, startEnv, updateStack } from "./cloudformation-env.js";

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.s.close());

const CAPS = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"];

function template(helloPath: string) {
  return {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Fn: {
        Type: "AWS::Serverless::Function",
        Properties: {
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          InlineCode: ECHO,
          Events: {
            Hello: { Type: "Api", Properties: { Path: helloPath, Method: "get" } },
            Mine: { Type: "Api", Properties: { RestApiId: { Ref: "MyApi" }, Path: "/mine", Method: "any" } },
          },
        },
      },
      MyApi: { Type: "AWS::Serverless::Api", Properties: { StageName: "dev", Variables: { flavour: "mint" } } },
    },
    Outputs: {
      RestUrl: { Value: { "Fn::Sub": "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod" } },
      MyUrl: { Value: { "Fn::Sub": "https://${MyApi}.execute-api.${AWS::Region}.amazonaws.com/dev" } },
    },
  };
}

test("SAM Api events and an explicit Serverless::Api: deployed, called over HTTP, updated, deleted", async () => {
  const out = await createStack(env, "sam-apis", template("/hello/{name}"), CAPS);
  const rs = await resources(env, "sam-apis");
  // The SAM translator's logical ids.
  assert.equal(rs.ServerlessRestApi.type, "AWS::ApiGateway::RestApi");
  const deployment = Object.keys(rs).find((id) => /^ServerlessRestApiDeployment[0-9a-f]{10}$/.test(id));
  assert.ok(deployment, Object.keys(rs).join(" "));
  assert.equal(rs.ServerlessRestApiProdStage.physical, "Prod");
  assert.equal(rs.FnHelloPermissionProd.type, "AWS::Lambda::Permission");
  assert.equal(rs.MyApidevStage.physical, "dev");
  for (const [id, r] of Object.entries(rs)) assert.equal(r.status, "CREATE_COMPLETE", id);

  // The implicit REST API: its definition imported from the swagger body SAM made, served at Prod.
  const restId = rs.ServerlessRestApi.physical;
  assert.equal((await env.apigw.send(new GetRestApiCommand({ restApiId: restId }))).name, "sam-apis");
  const paths = (await env.apigw.send(new GetResourcesCommand({ restApiId: restId }))).items!.map((r) => r.path).sort();
  assert.deepEqual(paths, ["/", "/hello", "/hello/{name}"]);
  assert.equal((await env.apigw.send(new GetStageCommand({ restApiId: restId, stageName: "Prod" }))).deploymentId, rs[deployment].physical);
  const hello = await call(env, `${out.RestUrl}/hello/world`);
  assert.equal(hello.status, 200, hello.body);
  assert.deepEqual(JSON.parse(hello.body), { path: "/hello/world", resource: "/hello/{name}", stage: "Prod" });

  // The explicit Serverless::Api: its stage and variables, its ANY route.
  const mine = await call(env, `${out.MyUrl}/mine`, { method: "POST", body: "{}" });
  assert.equal(mine.status, 200, mine.body);
  assert.deepEqual(JSON.parse(mine.body), { path: "/mine", resource: "/mine", stage: "dev", proxy: null });
  assert.deepEqual((await env.apigw.send(new GetStageCommand({ restApiId: rs.MyApi.physical, stageName: "dev" }))).variables, { flavour: "mint" });

  // A changed route changes the body's hash: a new deployment the stage moves to; the old one goes.
  await updateStack(env, "sam-apis", template("/greet/{name}"), CAPS);
  const rs2 = await resources(env, "sam-apis");
  const deployment2 = Object.keys(rs2).find((id) => /^ServerlessRestApiDeployment[0-9a-f]{10}$/.test(id))!;
  assert.notEqual(deployment2, deployment);
  assert.equal(rs2.ServerlessRestApi.physical, restId, "the API is updated in place (PutRestApi)");
  assert.equal((await env.apigw.send(new GetStageCommand({ restApiId: restId, stageName: "Prod" }))).deploymentId, rs2[deployment2].physical);
  const greet = await call(env, `${out.RestUrl}/greet/you`);
  assert.equal(greet.status, 200, greet.body);
  assert.equal(JSON.parse(greet.body).resource, "/greet/{name}");
  const old = await call(env, `${out.RestUrl}/hello/world`);
  assert.equal(old.status, 403);
  assert.deepEqual(JSON.parse(old.body), { message: "Missing Authentication Token" });

  await deleteStack(env, "sam-apis");
  await assert.rejects(env.apigw.send(new GetRestApiCommand({ restApiId: restId })), { name: "NotFoundException" });
  await assert.rejects(env.apigw.send(new GetRestApiCommand({ restApiId: rs.MyApi.physical })), { name: "NotFoundException" });
});

function httpTemplate(path: string) {
  return {
    Transform: "AWS::Serverless-2016-10-31",
    Resources: {
      Fn: {
        Type: "AWS::Serverless::Function",
        Properties: {
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          InlineCode: ECHO,
          Events: {
            Http: { Type: "HttpApi", Properties: { Path: path, Method: "get" } },
            Mine: { Type: "HttpApi", Properties: { ApiId: { Ref: "MyHttpApi" } } },
          },
        },
      },
      MyHttpApi: { Type: "AWS::Serverless::HttpApi", Properties: { StageName: "v2", Tags: { team: "b" } } },
    },
    Outputs: { HttpApiId: { Value: { Ref: "ServerlessHttpApi" } }, MyHttpApiId: { Value: { Ref: "MyHttpApi" } } },
  };
}

test("SAM HttpApi events and an explicit Serverless::HttpApi: imported routes, auto-deploying stages; updated; deleted", async () => {
  const out = await createStack(env, "sam-http", httpTemplate("/h/{id}"), CAPS);
  const rs = await resources(env, "sam-http");
  assert.equal(rs.ServerlessHttpApi.type, "AWS::ApiGatewayV2::Api");
  assert.equal(rs.ServerlessHttpApiApiGatewayDefaultStage.physical, "$default");
  assert.equal(rs.MyHttpApiv2Stage.physical, "v2");
  assert.equal(rs.FnHttpPermission.type, "AWS::Lambda::Permission");
  for (const [id, r] of Object.entries(rs)) assert.equal(r.status, "CREATE_COMPLETE", id);

  // The implicit API: its route and Lambda proxy integration from the OpenAPI body SAM made (format 2.0).
  const api = await env.v2.send(new GetApiCommand({ ApiId: out.HttpApiId }));
  assert.equal(api.Name, "sam-http");
  const routes = (await env.v2.send(new GetRoutesCommand({ ApiId: out.HttpApiId }))).Items!;
  assert.deepEqual(
    routes.map((r) => r.RouteKey),
    ["GET /h/{id}"],
  );
  const [integration] = (await env.v2.send(new GetIntegrationsCommand({ ApiId: out.HttpApiId }))).Items!;
  assert.equal(routes[0].Target, `integrations/${integration.IntegrationId}`);
  assert.equal(integration.IntegrationType, "AWS_PROXY");
  assert.equal(integration.PayloadFormatVersion, "2.0");
  assert.match(integration.IntegrationUri!, /:function:sam-http-Fn-[A-Za-z0-9]{12}\/invocations$/);
  const stage = await env.v2.send(new GetV2StageCommand({ ApiId: out.HttpApiId, StageName: "$default" }));
  assert.equal(stage.AutoDeploy, true);
  assert.equal(stage.Tags?.["httpapi:createdBy"], "SAM");
  // The explicit one: its $default route (an event without a Path), its named stage.
  assert.deepEqual(
    (await env.v2.send(new GetRoutesCommand({ ApiId: out.MyHttpApiId }))).Items!.map((r) => r.RouteKey),
    ["$default"],
  );
  assert.equal((await env.v2.send(new GetV2StageCommand({ ApiId: out.MyHttpApiId, StageName: "v2" }))).AutoDeploy, true);

  // A new path: the same API, its routes reimported.
  await updateStack(env, "sam-http", httpTemplate("/items/{id}"), CAPS);
  assert.equal((await resources(env, "sam-http")).ServerlessHttpApi.physical, out.HttpApiId);
  assert.deepEqual(
    (await env.v2.send(new GetRoutesCommand({ ApiId: out.HttpApiId }))).Items!.map((r) => r.RouteKey),
    ["GET /items/{id}"],
  );

  await deleteStack(env, "sam-http");
  await assert.rejects(env.v2.send(new GetApiCommand({ ApiId: out.HttpApiId })), { name: "NotFoundException" });
  await assert.rejects(env.v2.send(new GetApiCommand({ ApiId: out.MyHttpApiId })), { name: "NotFoundException" });
});

const CLI_TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: |
        exports.handler = async (event) => ({ statusCode: 201, body: "hello " + event.queryStringParameters.who });
      Events:
        Get:
          Type: Api
          Properties:
            Path: /hello
            Method: get
Outputs:
  ApiId:
    Value: !Ref ServerlessRestApi
  Url:
    Value: !Sub "https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/hello"
`;

const [cli] = awsClis();
test("aws CLI: cloudformation deploy of a SAM template with an Api event, called over HTTP", { skip: cli ? false : "aws CLI not installed" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-sam-api-"));
  try {
    const file = join(dir, "template.yaml");
    writeFileSync(file, CLI_TEMPLATE);
    const creds = { AWS_ACCESS_KEY_ID: env.account, AWS_SECRET_ACCESS_KEY: "test" };
    const args = [
      "cloudformation",
      "deploy",
      "--stack-name",
      "sam-cli-api",
      "--template-file",
      file,
      "--capabilities",
      "CAPABILITY_IAM",
      "CAPABILITY_AUTO_EXPAND",
    ];
    const deployed = await runAws(cli, env.s.url, args, creds);
    assert.equal(deployed.status, 0, deployed.stderr + deployed.stdout);
    const described = await runAws(cli, env.s.url, ["cloudformation", "describe-stacks", "--stack-name", "sam-cli-api"], creds);
    const [stack] = JSON.parse(described.stdout).Stacks;
    const output = (k: string) => stack.Outputs.find((o: { OutputKey: string }) => o.OutputKey === k).OutputValue as string;
    const apiId = output("ApiId");
    assert.equal(output("Url"), `https://${apiId}.execute-api.us-east-1.amazonaws.com/Prod/hello`);
    // The path form (http://localhost:4566/restapis/<id>/<stage>/_user_request_/<path>) with Node's fetch.
    const res = await fetch(`${env.s.url}/restapis/${apiId}/Prod/_user_request_/hello?who=cli`);
    assert.equal(res.status, 201);
    assert.equal(await res.text(), "hello cli");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
