// API Gateway's resource types through Cloud Control with boto3 (the same providers CloudFormation's engine uses):
// a REST API and an HTTP API listed and read, an API key created, read, updated and deleted, a usage plan read.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CreateApiKeyCommand, CreateRestApiCommand, CreateUsagePlanCommand, GetApiKeysCommand } from "@aws-sdk/client-api-gateway";
import { CreateApiCommand } from "@aws-sdk/client-apigatewayv2";
import { pythonMissing, run } from "../../helpers/python.js";
import { type Env, startEnv } from "./cloudformation-env.js";

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.s.close());

test("boto3 Cloud Control: list and get REST and HTTP APIs, an API key's lifecycle, a usage plan read", async (t) => {
  const missing = pythonMissing();
  if (missing) return t.skip(missing);
  const rest = await env.apigw.send(new CreateRestApiCommand({ name: "cc-rest", description: "listed", binaryMediaTypes: ["image/png"] }));
  const http = await env.v2.send(new CreateApiCommand({ Name: "cc-http", ProtocolType: "HTTP", CorsConfiguration: { AllowOrigins: ["*"] } }));
  const given = await env.apigw.send(new CreateApiKeyCommand({ name: "given", enabled: true }));
  const plan = await env.apigw.send(
    new CreateUsagePlanCommand({ name: "cc-plan", throttle: { burstLimit: 3, rateLimit: 2 }, quota: { limit: 9, period: "WEEK" } }),
  );
  const script = `
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key="test")
cc = boto3.client("cloudcontrol", **kw)
def ids(t):
    return sorted(d["Identifier"] for p in cc.get_paginator("list_resources").paginate(TypeName=t) for d in p["ResourceDescriptions"])
def get(t, i):
    return json.loads(cc.get_resource(TypeName=t, Identifier=i)["ResourceDescription"]["Properties"])
def wait(res):
    pe = res["ProgressEvent"]
    cc.get_waiter("resource_request_success").wait(RequestToken=pe["RequestToken"], WaiterConfig={"Delay": 1})
    return cc.get_resource_request_status(RequestToken=pe["RequestToken"])["ProgressEvent"]
out = {"rest_ids": ids("AWS::ApiGateway::RestApi"), "http_ids": ids("AWS::ApiGatewayV2::Api")}
out["rest"] = get("AWS::ApiGateway::RestApi", sys.argv[3])
out["http"] = get("AWS::ApiGatewayV2::Api", sys.argv[4])
out["plan"] = get("AWS::ApiGateway::UsagePlan", sys.argv[5])
made = wait(cc.create_resource(TypeName="AWS::ApiGateway::ApiKey", DesiredState=json.dumps({"Name": "cc-key", "Enabled": True, "Value": "0123456789abcdefghijklmnopqrst"})))
key = made["Identifier"]
out["key"] = get("AWS::ApiGateway::ApiKey", key)
wait(cc.update_resource(TypeName="AWS::ApiGateway::ApiKey", Identifier=key, PatchDocument=json.dumps([{"op": "replace", "path": "/Enabled", "value": False}])))
out["updated"] = get("AWS::ApiGateway::ApiKey", key)["Enabled"]
out["key_ids"] = ids("AWS::ApiGateway::ApiKey")
wait(cc.delete_resource(TypeName="AWS::ApiGateway::ApiKey", Identifier=key))
out["key_id"] = key
print(json.dumps(out))
`;
  const { stdout } = await run("python3", ["-c", script, env.s.url, env.account, rest.id!, http.ApiId!, plan.id!]);
  const out = JSON.parse(stdout);
  assert.deepEqual(out.rest_ids, [rest.id]);
  assert.deepEqual(out.http_ids, [http.ApiId]);
  assert.equal(out.rest.RestApiId, rest.id);
  assert.equal(out.rest.RootResourceId, rest.rootResourceId);
  assert.deepEqual([out.rest.Name, out.rest.Description, out.rest.BinaryMediaTypes], ["cc-rest", "listed", ["image/png"]]);
  assert.deepEqual([out.http.ApiId, out.http.Name, out.http.ProtocolType, out.http.CorsConfiguration.AllowOrigins], [http.ApiId, "cc-http", "HTTP", ["*"]]);
  assert.deepEqual(
    [out.plan.UsagePlanName, out.plan.Throttle, out.plan.Quota.Limit, out.plan.Quota.Period],
    ["cc-plan", { BurstLimit: 3, RateLimit: 2 }, 9, "WEEK"],
  );
  assert.deepEqual([out.key.Name, out.key.Enabled, out.key.Value, out.key.APIKeyId], ["cc-key", true, "0123456789abcdefghijklmnopqrst", out.key_id]);
  assert.equal(out.updated, false);
  assert.deepEqual(out.key_ids, [given.id, out.key_id].sort());
  const left = await env.apigw.send(new GetApiKeysCommand({}));
  assert.deepEqual(
    left.items?.map((k) => k.id),
    [given.id],
  );
});
