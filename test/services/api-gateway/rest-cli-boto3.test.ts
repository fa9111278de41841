// REST APIs from the AWS CLI (v1 and v2, where installed) and from boto3: create an API, a resource tree, a method
// with a MOCK integration, deploy to a stage, read it all back (get-resources with embed), and AWS's errors; and a
// restart on the same data directory keeps APIs, resources, deployments and stages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetDeploymentCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetStageCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateMethodCommand,
} from "@aws-sdk/client-api-gateway";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();
const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: apigateway create-rest-api, get-resources", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: apigateway create-rest-api, create-resource, put-method, create-deployment, get-resources`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["apigateway", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const api = await aws(["create-rest-api", "--name", "cli-api", "--endpoint-configuration", "types=REGIONAL"]);
    assert.deepEqual(api.endpointConfiguration.types, ["REGIONAL"]);
    assert.equal(api.apiKeySource, "HEADER");
    // CLI v2.9's model predates rootResourceId in CreateRestApi's answer: the root is found as any client would.
    const root = (await aws(["get-resources", "--rest-api-id", api.id])).items[0];
    assert.equal(root.path, "/");
    const res = await aws(["create-resource", "--rest-api-id", api.id, "--parent-id", root.id, "--path-part", "items"]);
    assert.equal(res.path, "/items");
    const m = await aws(["put-method", "--rest-api-id", api.id, "--resource-id", res.id, "--http-method", "GET", "--authorization-type", "NONE"]);
    assert.deepEqual([m.httpMethod, m.apiKeyRequired], ["GET", false]);
    await aws([
      "put-integration",
      "--rest-api-id",
      api.id,
      "--resource-id",
      res.id,
      "--http-method",
      "GET",
      "--type",
      "MOCK",
      "--request-templates",
      '{"application/json":"{\\"statusCode\\": 200}"}',
    ]);
    const dep = await aws(["create-deployment", "--rest-api-id", api.id, "--stage-name", "prod"]);
    assert.match(dep.id, /^[a-z0-9]{6}$/);
    const resources = await aws(["get-resources", "--rest-api-id", api.id, "--embed", "methods"]);
    const items = resources.items.find((r: { path: string }) => r.path === "/items");
    assert.equal(items.resourceMethods.GET.methodIntegration.type, "MOCK");
    const stage = await aws(["get-stage", "--rest-api-id", api.id, "--stage-name", "prod"]);
    assert.equal(stage.deploymentId, dep.id);

    const missing = await runAws(cli, server.url, ["apigateway", "get-rest-api", "--rest-api-id", "nope000000"], creds);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\(NotFoundException\).*Invalid API identifier specified \d{12}:nope000000/);
    const dup = await runAws(
      cli,
      server.url,
      ["apigateway", "create-resource", "--rest-api-id", api.id, "--parent-id", root.id, "--path-part", "items"],
      creds,
    );
    assert.match(dup.stderr, /\(ConflictException\).*Another resource with the same parent already has this name: items/);
    await aws(["delete-rest-api", "--rest-api-id", api.id]);
  });

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
apigw = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {}
api = apigw.create_rest_api(name="py-api", binaryMediaTypes=["image/png"])
root = api["rootResourceId"]
pets = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="pets")
proxy = apigw.create_resource(restApiId=api["id"], parentId=pets["id"], pathPart="{proxy+}")
apigw.put_method(restApiId=api["id"], resourceId=proxy["id"], httpMethod="ANY", authorizationType="NONE", requestParameters={"method.request.path.proxy": True})
fn = "arn:aws:lambda:us-east-1:%s:function:f" % account
integ = apigw.put_integration(restApiId=api["id"], resourceId=proxy["id"], httpMethod="ANY", type="AWS_PROXY", integrationHttpMethod="POST",
    uri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations" % fn)
out["integration"] = [integ["type"], integ["timeoutInMillis"], integ["passthroughBehavior"], integ["cacheNamespace"] == proxy["id"]]
dep = apigw.create_deployment(restApiId=api["id"], stageName="dev", variables={"a": "b"})
stage = apigw.get_stage(restApiId=api["id"], stageName="dev")
out["stage"] = [stage["deploymentId"] == dep["id"], stage["variables"], stage["cacheClusterStatus"]]
pages = apigw.get_paginator("get_resources").paginate(restApiId=api["id"], PaginationConfig={"PageSize": 1})
out["paths"] = sorted(r["path"] for page in pages for r in page["items"])
out["binary"] = apigw.get_rest_api(restApiId=api["id"])["binaryMediaTypes"]
summary = apigw.get_deployment(restApiId=api["id"], deploymentId=dep["id"], embed=["apisummary"])["apiSummary"]
out["summary"] = summary
try:
    apigw.create_resource(restApiId=api["id"], parentId=proxy["id"], pathPart="x")
except ClientError as e:
    out["greedy"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
try:
    apigw.get_integration(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET")
except ClientError as e:
    out["nomethod"] = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
print(json.dumps(out))
`;

test("boto3: a Lambda proxy API on {proxy+}, deployed to a stage, paginated get_resources, apiSummary, errors", { skip: boto3Missing }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount()], { env, timeout: 60_000 })).stdout);
  assert.deepEqual(out.integration, ["AWS_PROXY", 29000, "WHEN_NO_MATCH", true]);
  assert.deepEqual(out.stage, [true, { a: "b" }, "NOT_AVAILABLE"]);
  assert.deepEqual(out.paths, ["/", "/pets", "/pets/{proxy+}"]);
  assert.deepEqual(out.binary, ["image/png"]);
  assert.deepEqual(out.summary, { "/pets/{proxy+}": { ANY: { authorizationType: "NONE", apiKeyRequired: false } } });
  assert.deepEqual(out.greedy, ["BadRequestException", 400, "Cannot create a child of a resource with a greedy path variable: {proxy+}"]);
  assert.deepEqual(out.nomethod, ["NotFoundException", "Invalid Method identifier specified"]);
});

test("restart: APIs, resources, methods, deployments (with their snapshots) and stages survive", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-apigw-"));
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir });
    let apigw = new APIGatewayClient(s.clientConfig({ account }));
    const api = await apigw.send(new CreateRestApiCommand({ name: "durable" }));
    const res = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "r" }));
    const k = { restApiId: api.id!, resourceId: res.id!, httpMethod: "GET" };
    await apigw.send(new PutMethodCommand({ ...k, authorizationType: "NONE" }));
    await apigw.send(new PutIntegrationCommand({ ...k, type: "MOCK" }));
    const dep = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "v1" }));
    await apigw.send(new UpdateMethodCommand({ ...k, patchOperations: [{ op: "replace", path: "/apiKeyRequired", value: "true" }] }));
    await s.close();

    s = await startTestServer({ dataDir });
    apigw = new APIGatewayClient(s.clientConfig({ account }));
    try {
      assert.equal((await apigw.send(new GetRestApiCommand({ restApiId: api.id }))).name, "durable");
      const items = (await apigw.send(new GetResourcesCommand({ restApiId: api.id, embed: ["methods"] }))).items!;
      assert.equal(items.find((r) => r.id === res.id)?.resourceMethods?.GET?.apiKeyRequired, true);
      assert.equal((await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "v1" }))).deploymentId, dep.id);
      const d = await apigw.send(new GetDeploymentCommand({ restApiId: api.id, deploymentId: dep.id, embed: ["apisummary"] }));
      assert.deepEqual(d.apiSummary, { "/r": { GET: { authorizationType: "NONE", apiKeyRequired: false } } });
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
