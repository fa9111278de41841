// SAM's REST APIs deployed through CloudFormation with the SDK: a function's Api event (the implicit
// ServerlessRestApi, its swagger body put, ServerlessRestApiDeployment<hash>, the Prod stage, the permission) and an
// explicit AWS::Serverless::Api, called over HTTP; an update that changes a route makes a new deployment the stage
// moves to; DeleteStack removes every API.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { GetResourcesCommand, GetRestApiCommand, GetStageCommand } from "@aws-sdk/client-api-gateway";
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
