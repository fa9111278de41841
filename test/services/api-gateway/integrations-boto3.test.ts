// boto3 builds a REST API with a MOCK integration (request template picking the status, response templates with
// $util and $input.params, a selection pattern), deploys it, and Python's urllib calls it at the path form
// LocalStack's tools use: /restapis/<id>/<stage>/_user_request_/<path>.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

test("boto3 + urllib: a MOCK method with mapping templates and a selection pattern", { skip: pythonMissing() }, async () => {
  const script = `
import boto3, json, urllib.request, urllib.error
gw = boto3.client("apigateway", endpoint_url=${JSON.stringify(server.url)}, region_name="us-east-1")
api = gw.create_rest_api(name="boto-mock")
root = api["rootResourceId"]
res = gw.create_resource(restApiId=api["id"], parentId=root, pathPart="greet")
rid = res["id"]
gw.put_method(restApiId=api["id"], resourceId=rid, httpMethod="GET", authorizationType="NONE")
gw.put_integration(restApiId=api["id"], resourceId=rid, httpMethod="GET", type="MOCK",
    requestTemplates={"application/json": '#if($input.params("name") == "")'+'{"statusCode": 400}#{else}{"statusCode": 200}#end'})
gw.put_method_response(restApiId=api["id"], resourceId=rid, httpMethod="GET", statusCode="200")
gw.put_method_response(restApiId=api["id"], resourceId=rid, httpMethod="GET", statusCode="400")
gw.put_integration_response(restApiId=api["id"], resourceId=rid, httpMethod="GET", statusCode="200",
    responseTemplates={"application/json": '{"greeting": "hello $util.escapeJavaScript($input.params(\\'name\\'))", "b64": "$util.base64Encode($input.params(\\'name\\'))"}'})
gw.put_integration_response(restApiId=api["id"], resourceId=rid, httpMethod="GET", statusCode="400", selectionPattern="4\\\\d\\\\d",
    responseTemplates={"application/json": '{"error": "name is required"}'})
gw.create_deployment(restApiId=api["id"], stageName="test")
base = ${JSON.stringify(server.url)} + "/restapis/" + api["id"] + "/test/_user_request_"
out = {}
with urllib.request.urlopen(base + "/greet?name=Ada%20L") as r:
    out["ok"] = [r.status, r.headers["Content-Type"], json.loads(r.read())]
try:
    urllib.request.urlopen(base + "/greet")
except urllib.error.HTTPError as e:
    out["bad"] = [e.code, json.loads(e.read())]
print(json.dumps(out))
`;
  const account = randomAccount();
  const r = await run("python3", ["-c", script], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: account,
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
  });
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.ok, [200, "application/json", { greeting: "hello Ada L", b64: Buffer.from("Ada L").toString("base64") }]);
  assert.deepEqual(out.bad, [400, { error: "name is required" }]);
});
