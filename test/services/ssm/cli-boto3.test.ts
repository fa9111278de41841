// SSM from the AWS CLI (v1 and v2, where installed) and from boto3: put, get, get-parameters-by-path, SecureString decryption.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: put-parameter, get-parameter, get-parameters-by-path", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: put-parameter, get-parameter, get-parameters-by-path`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["ssm", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    assert.deepEqual(await aws(["put-parameter", "--name", "/cli/a", "--value", "alpha", "--type", "String"]), { Version: 1, Tier: "Standard" });
    await aws(["put-parameter", "--name", "/cli/b", "--value", "x,y", "--type", "StringList"]);
    await aws(["put-parameter", "--name", "/cli/deep/c", "--value", "gamma", "--type", "String"]);
    assert.equal((await aws(["put-parameter", "--name", "/cli/a", "--value", "alpha2", "--overwrite"])).Version, 2);
    const got = await aws(["get-parameter", "--name", "/cli/a:1"]);
    assert.deepEqual([got.Parameter.Value, got.Parameter.Version, got.Parameter.Selector], ["alpha", 1, ":1"]);
    const byPath = await aws(["get-parameters-by-path", "--path", "/cli", "--recursive"]);
    assert.deepEqual(
      byPath.Parameters.map((p: { Name: string; Value: string }) => [p.Name, p.Value]),
      [
        ["/cli/a", "alpha2"],
        ["/cli/b", "x,y"],
        ["/cli/deep/c", "gamma"],
      ],
    );
    const refused = await runAws(cli, server.url, ["ssm", "put-parameter", "--name", "/cli/a", "--value", "z", "--type", "String"], creds);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /\(ParameterAlreadyExists\).*The parameter already exists/);
    const missing = await runAws(cli, server.url, ["ssm", "get-parameter", "--name", "/cli/none"], creds);
    assert.match(missing.stderr, /\(ParameterNotFound\)/);
  });

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
ssm = boto3.client("ssm", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {}
out["put"] = ssm.put_parameter(Name="/py/secret", Value="hunter2", Type="SecureString")["Version"]
out["hidden"] = ssm.get_parameter(Name="/py/secret")["Parameter"]["Value"]
out["clear"] = ssm.get_parameter(Name="/py/secret", WithDecryption=True)["Parameter"]["Value"]
ssm.put_parameter(Name="/py/plain", Value="hello", Type="String")
pages = ssm.get_paginator("get_parameters_by_path").paginate(Path="/py", WithDecryption=True, PaginationConfig={"PageSize": 1})
out["path"] = [[p["Name"], p["Value"]] for page in pages for p in page["Parameters"]]
try:
    ssm.get_parameter(Name="/py/none")
except ClientError as e:
    out["missing"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

test("boto3: SecureString put, get with and without decryption, paginated get_parameters_by_path", { skip: boto3Missing }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount()], { env, timeout: 60_000 })).stdout);
  assert.equal(out.put, 1);
  assert.notEqual(out.hidden, "hunter2");
  assert.equal(out.clear, "hunter2");
  assert.deepEqual(out.path, [
    ["/py/plain", "hello"],
    ["/py/secret", "hunter2"],
  ]);
  assert.deepEqual(out.missing, ["ParameterNotFound", 400]);
});

const DOCS_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
ssm = boto3.client("ssm", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
yaml_doc = """schemaVersion: '2.2'
description: boto3 document
parameters:
  Who:
    type: String
    default: world
mainSteps:
  - action: aws:runShellScript
    name: hello
    inputs:
      runCommand: ['echo hello {{ Who }}']
"""
out = {}
out["created"] = ssm.create_document(Name="py-doc", Content=yaml_doc, DocumentFormat="YAML")["DocumentDescription"]["Status"]
out["json"] = json.loads(ssm.get_document(Name="py-doc", DocumentFormat="JSON")["Content"])["parameters"]["Who"]["default"]
ssm.update_document(Name="py-doc", Content=yaml_doc.replace("world", "there"), DocumentFormat="YAML", DocumentVersion="$LATEST")
out["versions"] = [v["DocumentVersion"] for v in ssm.list_document_versions(Name="py-doc")["DocumentVersions"]]
pages = ssm.get_paginator("list_documents").paginate(Filters=[{"Key": "Owner", "Values": ["Amazon"]}], PaginationConfig={"PageSize": 1})
out["amazon"] = [d["Name"] for page in pages for d in page["DocumentIdentifiers"]]
for name, call in [
    ("send", lambda: ssm.send_command(DocumentName="py-doc", InstanceIds=["i-0123456789abcdef0"])),
    ("params", lambda: ssm.send_command(DocumentName="py-doc", InstanceIds=["i-0123456789abcdef0"], Parameters={"Nope": ["x"]})),
    ("exists", lambda: ssm.create_document(Name="py-doc", Content=yaml_doc, DocumentFormat="YAML")),
]:
    try:
        call()
        out[name] = "no error"
    except ClientError as e:
        out[name] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Message", "")]
print(json.dumps(out))
`;

test("boto3: YAML document create, JSON conversion, update, paginated list_documents, send_command refused", { skip: boto3Missing }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const account = randomAccount();
  const out = JSON.parse((await run("python3", ["-c", DOCS_SCRIPT, server.url, account], { env, timeout: 60_000 })).stdout);
  assert.equal(out.created, "Creating");
  assert.equal(out.json, "world");
  assert.deepEqual(out.versions, ["1", "2"]);
  assert.deepEqual(out.amazon, ["AWS-RunPowerShellScript", "AWS-RunShellScript"]);
  assert.deepEqual(out.send, ["InvalidInstanceId", 400, `Instances [[i-0123456789abcdef0]] not in a valid state for account ${account}`]);
  assert.deepEqual(out.params, ["InvalidParameters", 400, ""]);
  assert.deepEqual(out.exists, ["DocumentAlreadyExists", 400, "The specified document already exists."]);
});

if (clis.length)
  test(`${clis[0].label}: create-document from a file, describe-document, delete-document`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const content = JSON.stringify({
      schemaVersion: "2.2",
      description: "cli doc",
      mainSteps: [{ action: "aws:runShellScript", name: "x", inputs: { runCommand: ["date"] } }],
    });
    const aws = async (args: string[]) => {
      const r = await runAws(clis[0], server.url, ["ssm", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const created = await aws(["create-document", "--name", "cli-doc", "--content", content, "--document-type", "Command"]);
    assert.equal(created.DocumentDescription.Name, "cli-doc");
    const described = await aws(["describe-document", "--name", "cli-doc"]);
    assert.deepEqual([described.Document.Status, described.Document.Description], ["Active", "cli doc"]);
    await aws(["delete-document", "--name", "cli-doc"]);
    const gone = await runAws(clis[0], server.url, ["ssm", "describe-document", "--name", "cli-doc"], creds);
    assert.notEqual(gone.status, 0);
    assert.match(gone.stderr, /\(InvalidDocument\).*The specified document does not exist\./);
  });
