// HTTP APIs from the AWS CLI (v1 and v2, where installed) and boto3, and across a restart of the server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateRouteCommand,
  CreateStageCommand,
  GetApiCommand,
  GetRoutesCommand,
  GetStageCommand,
} from "@aws-sdk/client-apigatewayv2";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { deployedStage } from "../../../src/services/apigatewayv2/internal.js";
import { holderOf } from "../../../src/core/state.js";

const server = useServer();
const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: apigatewayv2 quick create", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: apigatewayv2 create-api --target (quick create), get-routes, create-route, get-api of an unknown id`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["apigatewayv2", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const fn = `arn:aws:lambda:us-east-1:${account}:function:hello`;
    const api = await aws(["create-api", "--name", "x", "--protocol-type", "HTTP", "--target", fn]);
    assert.match(api.ApiId, /^[a-z0-9]{10}$/);
    assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${new URL(server.url).port}`);
    const routes = await aws(["get-routes", "--api-id", api.ApiId]);
    assert.deepEqual(
      routes.Items.map((r: { RouteKey: string }) => r.RouteKey),
      ["$default"],
    );
    const stage = await aws(["get-stage", "--api-id", api.ApiId, "--stage-name", "$default"]);
    assert.equal(stage.AutoDeploy, true);
    assert.match(stage.LastDeploymentStatusMessage, /^Successfully deployed stage with deployment ID '[a-z0-9]+'$/);
    const integ = (await aws(["get-integrations", "--api-id", api.ApiId])).Items[0];
    const route = await aws(["create-route", "--api-id", api.ApiId, "--route-key", "GET /items/{id}", "--target", `integrations/${integ.IntegrationId}`]);
    assert.equal(route.RouteKey, "GET /items/{id}");
    const after = await aws(["get-stage", "--api-id", api.ApiId, "--stage-name", "$default"]);
    assert.notEqual(after.DeploymentId, stage.DeploymentId);
    const missing = await runAws(cli, server.url, ["apigatewayv2", "get-api", "--api-id", "nope000000"], creds);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, new RegExp(`\\(NotFoundException\\).*Invalid API identifier specified ${account}:nope000000`));
    const dup = await runAws(cli, server.url, ["apigatewayv2", "create-route", "--api-id", api.ApiId, "--route-key", "GET /items/{id}"], creds);
    assert.match(dup.stderr, /\(ConflictException\)/);
  });

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
v2 = boto3.client("apigatewayv2", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {}
api = v2.create_api(Name="py", ProtocolType="HTTP", CorsConfiguration={"AllowOrigins": ["*"], "AllowMethods": ["GET"]})
api_id = api["ApiId"]
integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", PayloadFormatVersion="2.0",
    IntegrationUri="arn:aws:lambda:us-east-1:%s:function:f" % account)
for key in ["GET /a", "GET /b", "ANY /{proxy+}"]:
    v2.create_route(ApiId=api_id, RouteKey=key, Target="integrations/" + integ["IntegrationId"])
v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True, StageVariables={"env": "prod"})
out["stage"] = v2.get_stage(ApiId=api_id, StageName="prod")["DeploymentId"] is not None
out["routes"] = sorted(r["RouteKey"] for page in v2.get_paginator("get_routes").paginate(ApiId=api_id, PaginationConfig={"PageSize": 1}) for r in page["Items"])
out["cors"] = v2.get_api(ApiId=api_id)["CorsConfiguration"]
exp = v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON")
out["exported"] = sorted(json.loads(exp["body"].read())["paths"].keys())
try:
    v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri="arn:aws:lambda:us-east-1:%s:function:f" % account)
except ClientError as e:
    out["payload"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
try:
    v2.get_route(ApiId=api_id, RouteId="nope123")
except ClientError as e:
    out["route"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
v2.delete_api(ApiId=api_id)
try:
    v2.get_api(ApiId=api_id)
except ClientError as e:
    out["gone"] = e.response["Error"]["Message"] == "Invalid API identifier specified %s:%s" % (account, api_id)
print(json.dumps(out))
`;

test("boto3: create an API with CORS, an integration, routes (paginated), an auto-deploy stage, export, refusals", { skip: boto3Missing }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount()], { env, timeout: 60_000 })).stdout);
  assert.equal(out.stage, true);
  assert.deepEqual(out.routes, ["ANY /{proxy+}", "GET /a", "GET /b"]);
  assert.deepEqual(out.cors, { AllowOrigins: ["*"], AllowMethods: ["GET"] });
  assert.deepEqual(out.exported, ["/a", "/b", "/{proxy+}"]);
  assert.deepEqual(out.payload, ["BadRequestException", 400]);
  assert.deepEqual(out.route, ["NotFoundException", 404]);
  assert.equal(out.gone, true);
});

test("APIs, routes, stages and deployed snapshots survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-apigwv2-restart-"));
  const account = randomAccount();
  let s = await startTestServer({ dataDir });
  try {
    let v2 = new ApiGatewayV2Client(s.clientConfig({ account }));
    const api = await v2.send(new CreateApiCommand({ Name: "durable", ProtocolType: "HTTP", Target: `arn:aws:lambda:us-east-1:${account}:function:f` }));
    await v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: "GET /kept" }));
    await v2.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: "v1", StageVariables: { a: "b" } }));
    const before = await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: "$default" }));
    await s.close();

    s = await startTestServer({ dataDir });
    v2 = new ApiGatewayV2Client(s.clientConfig({ account }));
    assert.equal((await v2.send(new GetApiCommand({ ApiId: api.ApiId }))).Name, "durable");
    assert.deepEqual((await v2.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items!.map((r) => r.RouteKey).sort(), ["$default", "GET /kept"]);
    const after = await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: "$default" }));
    assert.equal(after.DeploymentId, before.DeploymentId);
    assert.deepEqual((await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: "v1" }))).StageVariables, { a: "b" });
    const served = deployedStage(holderOf(s.runtime.store), api.ApiId!, "$default");
    assert.equal(served?.account, account);
    assert.deepEqual(served?.routes.map((r) => r.routeKey).sort(), ["$default", "GET /kept"]);
  } finally {
    await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
