// Custom resource providers that answer the way the AWS CDK's handlers do (custom-resources' provider framework,
// AwsCustomResource, CustomResourceProvider): the ResponseURL parsed with url.parse and only its hostname and path
// kept, then https.request({ hostname, path, method: "PUT", headers: { "content-type": "", "content-length" } }) —
// https on port 443, although the URL Stratus hands out is plain HTTP on its own port. Stratus's Node.js and Python
// runtime clients route such a request to Stratus (the rule: stratusEndpoints in src/services/lambda/engine/launch.ts):
// CommonJS (inline ZipFile), ESM (`import { request } from "node:https"`) and Python (http.client.HTTPSConnection,
// as crhelper sends) providers reach CREATE_COMPLETE with Data through GetAtt, then an update and a delete. And https
// requests anywhere else are not touched: another host, Stratus's host on another port, another path.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { makeZip } from "../../helpers/zip.js";

let s: TestServer;
let cfn: CloudFormationClient;
let lambda: LambdaClient;
let roleArn: string;
const waiter = () => ({ client: cfn, maxWaitTime: 120, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  lambda = new LambdaClient(c);
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  roleArn = (await new IAMClient(c).send(new CreateRoleCommand({ RoleName: "cdk-role", AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!.Arn!;
});
after(() => s.close());

// The response each provider sends: SUCCESS, the physical id kept (a new one on Create), Data naming the request.
const NODE_RESPONSE = `function responseOf(event) {
  var p = event.ResourceProperties;
  var old = event.OldResourceProperties;
  return JSON.stringify({
    Status: "SUCCESS",
    Reason: "SUCCESS",
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    PhysicalResourceId: event.PhysicalResourceId || "cdk-" + event.LogicalResourceId + "-" + event.RequestId,
    Data: event.RequestType === "Delete" ? undefined : { Said: event.RequestType + " " + p.Name, Old: old ? old.Name : "none" },
  });
}
// As the CDK's handlers send it: hostname and path of the parsed URL, https, no port.
function put(https, url, event) {
  var body = responseOf(event);
  var parsed = url.parse(event.ResponseURL);
  return new Promise(function (resolve, reject) {
    var req = https.request(
      { hostname: parsed.hostname, path: parsed.path, method: "PUT", headers: { "content-type": "", "content-length": Buffer.byteLength(body, "utf8") } },
      function (res) {
        res.resume();
        if (!res.statusCode || res.statusCode >= 400) reject(new Error("Unsuccessful HTTP response: " + res.statusCode));
        else resolve();
      },
    );
    req.on("error", reject);
    req.write(body);
    req.end();
  });
}
`;

const NODE_CJS = `var https = require("https");
var url = require("url");
${NODE_RESPONSE}
exports.handler = async function (event) {
  await put(https, url, event);
};`;

const NODE_ESM = `import * as url from "node:url";
import { request } from "node:https";
${NODE_RESPONSE}
export const handler = async (event) => {
  await put({ request }, url, event);
};`;

const PYTHON = `import http.client
import json
from urllib.parse import urlsplit


def handler(event, context):
    p = event["ResourceProperties"]
    old = event.get("OldResourceProperties")
    body = json.dumps({
        "Status": "SUCCESS",
        "Reason": "SUCCESS",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "PhysicalResourceId": event.get("PhysicalResourceId") or "py-" + event["RequestId"],
        "Data": None if event["RequestType"] == "Delete" else {"Said": event["RequestType"] + " " + p["Name"], "Old": old["Name"] if old else "none"},
    })
    url = urlsplit(event["ResponseURL"])
    # Host and path alone, over https (port 443): an HTTPSConnection as crhelper opens, without the URL's port.
    conn = http.client.HTTPSConnection(url.hostname)
    conn.request("PUT", url.path + "?" + url.query, body=body, headers={"content-type": "", "content-length": str(len(body))})
    status = conn.getresponse().status
    if status >= 400:
        raise Exception("Unsuccessful HTTP response: %d" % status)
`;

async function outputs(name: string): Promise<Record<string, string>> {
  const [d] = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks!;
  return Object.fromEntries((d.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

async function failures(name: string): Promise<string> {
  const rs = (await cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources!;
  return JSON.stringify(rs.filter((r) => r.ResourceStatus?.endsWith("FAILED")).map((r) => [r.LogicalResourceId, r.ResourceStatusReason]));
}

async function createFunction(name: string, runtime: string, files: Record<string, string>): Promise<string> {
  const arn = (
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: name, Runtime: runtime as never, Handler: "index.handler", Role: roleArn, Code: { ZipFile: makeZip(files) } }),
    )
  ).FunctionArn!;
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: name });
  return arn;
}

test("custom resources answered as the CDK's handlers answer (https.request with hostname and path): create, update, delete", async () => {
  const esm = await createFunction("cdk-esm", "nodejs20.x", { "index.mjs": NODE_ESM });
  const template = (name: string) => ({
    Parameters: { Role: { Type: "String" }, Esm: { Type: "String" } },
    Resources: {
      Cjs: {
        Type: "AWS::Lambda::Function",
        Properties: { Runtime: "nodejs20.x", Handler: "index.handler", Role: { Ref: "Role" }, Code: { ZipFile: NODE_CJS } },
      },
      Py: { Type: "AWS::Lambda::Function", Properties: { Runtime: "python3.11", Handler: "index.handler", Role: { Ref: "Role" }, Code: { ZipFile: PYTHON } } },
      // A response that never arrives would fail the resource after 60 s rather than the waiter's two minutes.
      ByCjs: { Type: "Custom::Cdk", Properties: { ServiceToken: { "Fn::GetAtt": ["Cjs", "Arn"] }, Name: name, ServiceTimeout: 60 } },
      ByEsm: { Type: "Custom::Cdk", Properties: { ServiceToken: { Ref: "Esm" }, Name: name, ServiceTimeout: 60 } },
      ByPy: { Type: "Custom::Cdk", Properties: { ServiceToken: { "Fn::GetAtt": ["Py", "Arn"] }, Name: name, ServiceTimeout: 60 } },
    },
    Outputs: Object.fromEntries(
      ["ByCjs", "ByEsm", "ByPy"].flatMap((r) => [
        [`${r}Said`, { Value: { "Fn::GetAtt": [r, "Said"] } }],
        [`${r}Old`, { Value: { "Fn::GetAtt": [r, "Old"] } }],
        [`${r}Ref`, { Value: { Ref: r } }],
      ]),
    ),
  });
  const Parameters = [
    { ParameterKey: "Role", ParameterValue: roleArn },
    { ParameterKey: "Esm", ParameterValue: esm },
  ];
  await cfn.send(new CreateStackCommand({ StackName: "cdk-style", TemplateBody: JSON.stringify(template("world")), Parameters, OnFailure: "DO_NOTHING" }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "cdk-style" }).catch(async (e) => assert.fail(`${await failures("cdk-style")} ${e}`));
  const created = await outputs("cdk-style");
  for (const r of ["ByCjs", "ByEsm", "ByPy"]) {
    assert.equal(created[`${r}Said`], "Create world", r);
    assert.equal(created[`${r}Old`], "none", r);
  }
  assert.match(created.ByCjsRef, /^cdk-ByCjs-[0-9a-f-]{36}$/);
  assert.match(created.ByEsmRef, /^cdk-ByEsm-[0-9a-f-]{36}$/);
  assert.match(created.ByPyRef, /^py-[0-9a-f-]{36}$/);

  await cfn.send(new UpdateStackCommand({ StackName: "cdk-style", TemplateBody: JSON.stringify(template("there")), Parameters }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "cdk-style" }).catch(async (e) => assert.fail(`${await failures("cdk-style")} ${e}`));
  const updated = await outputs("cdk-style");
  for (const r of ["ByCjs", "ByEsm", "ByPy"]) {
    assert.equal(updated[`${r}Said`], "Update there", r);
    assert.equal(updated[`${r}Old`], "world", r);
    assert.equal(updated[`${r}Ref`], created[`${r}Ref`], r);
  }

  // Each Delete is answered too: a missing answer would leave the stack DELETE_FAILED after the ServiceTimeout.
  await cfn.send(new DeleteStackCommand({ StackName: "cdk-style" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "cdk-style" });
});

const NODE_PROBE = `var https = require("https");
function attempt(options) {
  return new Promise(function (resolve) {
    var req = https.request(options, function (res) {
      var body = "";
      res.on("data", function (c) { body += c; });
      res.on("end", function () { resolve({ status: res.statusCode, body: body }); });
    });
    req.on("error", function (e) { resolve({ error: e.code || e.message }); });
    req.setTimeout(10000, function () { req.destroy(new Error("timed out")); });
    req.end();
  });
}
exports.handler = async function (event) {
  return {
    unreachable: await attempt({ hostname: "127.0.0.1", port: 1, path: "/_stratus/health" }),
    unresolvable: await attempt({ hostname: "stratus-test.invalid", path: "/_stratus/health" }),
    otherPath: await attempt({ hostname: event.host, port: event.port, path: "/" }),
    stratus: await attempt({ hostname: event.host, path: "/_stratus/health" }),
  };
};`;

const PYTHON_PROBE = `import http.client


def attempt(host, port, path):
    try:
        conn = http.client.HTTPSConnection(host, port, timeout=10)
        conn.request("GET", path)
        r = conn.getresponse()
        return {"status": r.status, "body": r.read().decode()}
    except Exception as e:
        return {"error": type(e).__name__}


def handler(event, context):
    return {
        "unreachable": attempt("127.0.0.1", 1, "/_stratus/health"),
        "otherPath": attempt(event["host"], event["port"], "/"),
        "stratus": attempt(event["host"], None, "/_stratus/health"),
    }
`;

type Attempt = { status?: number; body?: string; error?: string };

test("https requests anywhere but Stratus's own /_stratus/ URLs are not intercepted (Node.js and Python)", async () => {
  const node = await createFunction("probe-node", "nodejs20.x", { "index.js": NODE_PROBE });
  const python = await createFunction("probe-python", "python3.11", { "index.py": PYTHON_PROBE });
  const { hostname, port } = new URL(s.url);
  const probe = async (fn: string): Promise<Record<string, Attempt>> => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify({ host: hostname, port: Number(port) })) }));
    assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
    return JSON.parse(Buffer.from(r.Payload!).toString()) as Record<string, Attempt>;
  };

  const n = await probe(node);
  // A host that is not Stratus's, even for a /_stratus/ path: the connection fails as it always would.
  assert.deepEqual(n.unreachable, { error: "ECONNREFUSED" });
  assert.ok(n.unresolvable.error === "ENOTFOUND" || n.unresolvable.error === "EAI_AGAIN", JSON.stringify(n.unresolvable));
  // Stratus's own host and port but a path outside /_stratus/: TLS against a plain HTTP listener, as before.
  assert.ok(n.otherPath.error && n.otherPath.status === undefined, JSON.stringify(n.otherPath));
  // Its /_stratus/ URLs over https on port 443: Stratus answers.
  assert.equal(n.stratus.status, 200, JSON.stringify(n.stratus));
  assert.equal((JSON.parse(n.stratus.body!) as { edition: string }).edition, "stratus");

  const p = await probe(python);
  assert.deepEqual(p.unreachable, { error: "ConnectionRefusedError" });
  assert.ok(p.otherPath.error && p.otherPath.status === undefined, JSON.stringify(p.otherPath));
  assert.equal(p.stratus.status, 200, JSON.stringify(p.stratus));
  assert.equal((JSON.parse(p.stratus.body!) as { edition: string }).edition, "stratus");
});

test("with STRATUS_PUBLIC_URL set, the ResponseURL's host (not the listening one) is routed too", async () => {
  const { port } = new URL(s.url);
  const saved = process.env.STRATUS_PUBLIC_URL;
  process.env.STRATUS_PUBLIC_URL = `http://localhost:${port}`;
  try {
    const template = {
      Parameters: { Role: { Type: "String" } },
      Resources: {
        Cjs: {
          Type: "AWS::Lambda::Function",
          Properties: { Runtime: "nodejs20.x", Handler: "index.handler", Role: { Ref: "Role" }, Code: { ZipFile: NODE_CJS } },
        },
        ByCjs: { Type: "Custom::Cdk", Properties: { ServiceToken: { "Fn::GetAtt": ["Cjs", "Arn"] }, Name: "public", ServiceTimeout: 60 } },
      },
      Outputs: { Said: { Value: { "Fn::GetAtt": ["ByCjs", "Said"] } } },
    };
    const Parameters = [{ ParameterKey: "Role", ParameterValue: roleArn }];
    await cfn.send(new CreateStackCommand({ StackName: "cdk-public", TemplateBody: JSON.stringify(template), Parameters, OnFailure: "DO_NOTHING" }));
    await waitUntilStackCreateComplete(waiter(), { StackName: "cdk-public" }).catch(async (e) => assert.fail(`${await failures("cdk-public")} ${e}`));
    assert.deepEqual(await outputs("cdk-public"), { Said: "Create public" });
    await cfn.send(new DeleteStackCommand({ StackName: "cdk-public" }));
    await waitUntilStackDeleteComplete(waiter(), { StackName: "cdk-public" });
  } finally {
    if (saved === undefined) delete process.env.STRATUS_PUBLIC_URL;
    else process.env.STRATUS_PUBLIC_URL = saved;
  }
});
