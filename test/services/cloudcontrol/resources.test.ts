// Cloud Control API through the AWS CLI (v1 and v2, where installed) and boto3 — @aws-sdk/client-cloudcontrol is not
// among Stratus's packages: an SQS queue created, read, patched, listed and deleted, seen through SQS's own API at
// each step; requests asynchronous with their tokens, client tokens, the filters of ListResourceRequests; AWS's
// errors for unknown and unsupported types and missing resources; request records across a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { awsClis, type AwsCli, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

// A queue's URL is its identifier; AWS CLI v1 fetches an http(s) URL given as a parameter's value unless told not to.
const configDir = mkdtempSync(join(tmpdir(), "stratus-cc-cli-"));
const configFile = join(configDir, "config");
writeFileSync(configFile, "[default]\ncli_follow_urlparam = false\n");
process.on("exit", () => rmSync(configDir, { recursive: true, force: true }));

function cli(c: AwsCli, url: string, account: string) {
  const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test", AWS_CONFIG_FILE: configFile };
  const ok = async (args: string[]) => {
    const r = await runAws(c, url, ["cloudcontrol", ...args], creds);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim() ? JSON.parse(r.stdout) : {};
  };
  const fails = async (args: string[], code: string) => {
    const r = await runAws(c, url, ["cloudcontrol", ...args], creds);
    assert.notEqual(r.status, 0, r.stdout);
    assert.match(r.stderr, new RegExp(`\\(${code}\\)`), r.stderr);
    return r.stderr;
  };
  /** Waits for a request to end (the CLI's own waiter for success; a failure is read from its status). */
  const settle = async (token: string) => {
    for (let i = 0; i < 100; i++) {
      const { ProgressEvent } = await ok(["get-resource-request-status", "--request-token", token]);
      if (ProgressEvent.OperationStatus !== "IN_PROGRESS" && ProgressEvent.OperationStatus !== "PENDING") return ProgressEvent;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`request ${token} did not finish`);
  };
  return { ok, fails, settle };
}

const clis = awsClis();
if (!clis.length) test("aws CLI: cloudcontrol", { skip: "aws CLI not installed" }, () => {});
for (const c of clis) {
  test(`${c.label}: create-resource, wait, get-resource, update-resource (JSON Patch), list-resources, delete-resource on an SQS queue`, async () => {
    const account = randomAccount();
    const aws = cli(c, server.url, account);
    const sqs = new SQSClient(server.clientConfig({ account }));
    const name = `cc-queue-${account}`;
    const created = await aws.ok([
      "create-resource",
      "--type-name",
      "AWS::SQS::Queue",
      "--desired-state",
      JSON.stringify({ QueueName: name, VisibilityTimeout: 45, Tags: [{ Key: "team", Value: "blue" }] }),
    ]);
    // Asynchronous as on AWS: the answer is IN_PROGRESS with a token; the work runs after it.
    assert.equal(created.ProgressEvent.OperationStatus, "IN_PROGRESS");
    assert.equal(created.ProgressEvent.Operation, "CREATE");
    assert.equal(created.ProgressEvent.TypeName, "AWS::SQS::Queue");
    const token = created.ProgressEvent.RequestToken;
    await aws.ok(["wait", "resource-request-success", "--request-token", token]);
    const done = await aws.settle(token);
    assert.equal(done.OperationStatus, "SUCCESS");
    const url = done.Identifier;
    assert.match(url, new RegExp(`/${account}/${name}$`));
    assert.equal(JSON.parse(done.ResourceModel).VisibilityTimeout, 45);

    // The same queue through SQS's own API.
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const attrs = async () => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }))).Attributes!;
    assert.equal((await attrs()).VisibilityTimeout, "45");

    // GetResource: the current model, read-only properties (Arn, QueueUrl) included, typed as the schema types them.
    const got = await aws.ok(["get-resource", "--type-name", "AWS::SQS::Queue", "--identifier", url]);
    assert.equal(got.TypeName, "AWS::SQS::Queue");
    assert.equal(got.ResourceDescription.Identifier, url);
    const model = JSON.parse(got.ResourceDescription.Properties);
    assert.equal(model.QueueName, name);
    assert.equal(model.VisibilityTimeout, 45);
    assert.equal(model.DelaySeconds, 0);
    assert.equal(model.Arn, (await attrs()).QueueArn);
    assert.equal(model.QueueUrl, url);
    assert.deepEqual(model.Tags, [{ Key: "team", Value: "blue" }]);

    // UpdateResource: an RFC 6902 patch on the model; SQS sees the change.
    const patch = [
      { op: "replace", path: "/VisibilityTimeout", value: 120 },
      { op: "add", path: "/DelaySeconds", value: 7 },
      { op: "test", path: "/QueueName", value: name },
    ];
    const updated = await aws.ok(["update-resource", "--type-name", "AWS::SQS::Queue", "--identifier", url, "--patch-document", JSON.stringify(patch)]);
    assert.equal(updated.ProgressEvent.OperationStatus, "IN_PROGRESS");
    assert.equal(updated.ProgressEvent.Identifier, url);
    const u = await aws.settle(updated.ProgressEvent.RequestToken);
    assert.equal(u.OperationStatus, "SUCCESS", u.StatusMessage);
    assert.equal((await attrs()).VisibilityTimeout, "120");
    assert.equal((await attrs()).DelaySeconds, "7");
    assert.equal(JSON.parse(u.ResourceModel).VisibilityTimeout, 120);

    // A patch of a create-only property fails the request NotUpdatable; a failed test operation InvalidRequest.
    const rename = await aws.ok([
      "update-resource",
      "--type-name",
      "AWS::SQS::Queue",
      "--identifier",
      url,
      "--patch-document",
      JSON.stringify([{ op: "replace", path: "/QueueName", value: "other" }]),
    ]);
    const r1 = await aws.settle(rename.ProgressEvent.RequestToken);
    assert.equal(r1.OperationStatus, "FAILED");
    assert.equal(r1.ErrorCode, "NotUpdatable");
    assert.match(r1.StatusMessage, /createOnlyProperties \[\/properties\/QueueName\]/);
    const bad = await aws.ok([
      "update-resource",
      "--type-name",
      "AWS::SQS::Queue",
      "--identifier",
      url,
      "--patch-document",
      JSON.stringify([{ op: "test", path: "/VisibilityTimeout", value: 1 }]),
    ]);
    const r2 = await aws.settle(bad.ProgressEvent.RequestToken);
    assert.equal(r2.ErrorCode, "InvalidRequest");
    assert.equal((await attrs()).VisibilityTimeout, "120");

    // ListResources: every queue of the account and region, with its properties.
    const other = await aws.ok(["create-resource", "--type-name", "AWS::SQS::Queue", "--desired-state", "{}"]);
    const generated = await aws.settle(other.ProgressEvent.RequestToken);
    assert.equal(generated.OperationStatus, "SUCCESS");
    assert.match(generated.Identifier, /\/Queue-[A-Z0-9]{12}$/);
    const listed = await aws.ok(["list-resources", "--type-name", "AWS::SQS::Queue"]);
    assert.equal(listed.TypeName, "AWS::SQS::Queue");
    assert.deepEqual(listed.ResourceDescriptions.map((d: { Identifier: string }) => d.Identifier).sort(), [url, generated.Identifier].sort());
    assert.equal(JSON.parse(listed.ResourceDescriptions.find((d: { Identifier: string }) => d.Identifier === url).Properties).VisibilityTimeout, 120);

    // ListResourceRequests with filters.
    const failed = await aws.ok(["list-resource-requests", "--resource-request-status-filter", "Operations=UPDATE,OperationStatuses=FAILED"]);
    assert.deepEqual(
      failed.ResourceRequestStatusSummaries.map((p: { RequestToken: string }) => p.RequestToken).sort(),
      [rename.ProgressEvent.RequestToken, bad.ProgressEvent.RequestToken].sort(),
    );
    const creates = await aws.ok(["list-resource-requests", "--resource-request-status-filter", "Operations=CREATE"]);
    assert.equal(creates.ResourceRequestStatusSummaries.length, 2);

    // DeleteResource: gone from SQS; deleting it again fails NotFound, reading it is ResourceNotFoundException.
    const deleted = await aws.ok(["delete-resource", "--type-name", "AWS::SQS::Queue", "--identifier", url]);
    assert.equal(deleted.ProgressEvent.Operation, "DELETE");
    assert.equal((await aws.settle(deleted.ProgressEvent.RequestToken)).OperationStatus, "SUCCESS");
    await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: name })), /QueueDoesNotExist|does not exist/);
    const again = await aws.ok(["delete-resource", "--type-name", "AWS::SQS::Queue", "--identifier", url]);
    const gone = await aws.settle(again.ProgressEvent.RequestToken);
    assert.equal(gone.OperationStatus, "FAILED");
    assert.equal(gone.ErrorCode, "NotFound");
    assert.equal(gone.StatusMessage, `Resource of type 'AWS::SQS::Queue' with identifier '${url}' was not found.`);
    const missing = await aws.fails(["get-resource", "--type-name", "AWS::SQS::Queue", "--identifier", url], "ResourceNotFoundException");
    assert.match(missing, /AWS::SQS::Queue Handler returned status FAILED: .*HandlerErrorCode: NotFound/);

    // A finished request cannot be cancelled.
    await aws.fails(["cancel-resource-request", "--request-token", deleted.ProgressEvent.RequestToken], "ConcurrentModificationException");
    await aws.fails(["get-resource-request-status", "--request-token", "no-such-token"], "RequestTokenNotFoundException");
  });

  test(`${c.label}: unknown types, types Stratus does not run, invalid desired states, client tokens`, async () => {
    const account = randomAccount();
    const aws = cli(c, server.url, account);
    const unknown = await aws.fails(["get-resource", "--type-name", "AWS::Nope::Thing", "--identifier", "x"], "TypeNotFoundException");
    assert.match(unknown, /The type 'AWS::Nope::Thing' cannot be found\./);
    await aws.fails(["create-resource", "--type-name", "AWS::Nope::Thing", "--desired-state", "{}"], "TypeNotFoundException");
    const unsupported = await aws.fails(["list-resources", "--type-name", "AWS::EC2::VPC"], "UnsupportedActionException");
    assert.match(unsupported, /not supported by Stratus/);
    await aws.fails(["create-resource", "--type-name", "AWS::EC2::VPC", "--desired-state", "{}"], "UnsupportedActionException");
    const invalid = await aws.fails(
      ["create-resource", "--type-name", "AWS::SQS::Queue", "--desired-state", JSON.stringify({ VisibilityTimeout: [1], Bogus: 1 })],
      "ValidationException",
    );
    assert.match(invalid, /Model validation failed/);
    assert.match(invalid, /extraneous key \[Bogus\]/);
    await aws.fails(["create-resource", "--type-name", "AWS::SQS::Queue", "--desired-state", "not json"], "ValidationException");

    // The same client token and request: the same request; another request with it: ClientTokenConflictException.
    const desired = JSON.stringify({ QueueName: `tok-${account}` });
    const a = await aws.ok(["create-resource", "--type-name", "AWS::SQS::Queue", "--desired-state", desired, "--client-token", "tok-1"]);
    const b = await aws.ok(["create-resource", "--type-name", "AWS::SQS::Queue", "--desired-state", desired, "--client-token", "tok-1"]);
    assert.equal(a.ProgressEvent.RequestToken, b.ProgressEvent.RequestToken);
    await aws.fails(
      ["create-resource", "--type-name", "AWS::SQS::Queue", "--desired-state", JSON.stringify({ QueueName: "x" }), "--client-token", "tok-1"],
      "ClientTokenConflictException",
    );
    assert.equal((await aws.settle(a.ProgressEvent.RequestToken)).OperationStatus, "SUCCESS");
    const all = await aws.ok(["list-resource-requests"]);
    assert.equal(all.ResourceRequestStatusSummaries.length, 1);
  });
}

test("boto3: create, waiter, get, list with paging, update, delete; the queue's attributes changed through SQS show in GetResource", async (t) => {
  const missing = pythonMissing();
  if (missing) return t.skip(missing);
  const account = randomAccount();
  const script = `
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key="test")
cc = boto3.client("cloudcontrol", **kw)
sqs = boto3.client("sqs", **kw)
out = {}
urls = []
for i in range(3):
    pe = cc.create_resource(TypeName="AWS::SQS::Queue", DesiredState=json.dumps({"QueueName": f"b3-{i}", "DelaySeconds": i}))["ProgressEvent"]
    assert pe["OperationStatus"] == "IN_PROGRESS", pe
    cc.get_waiter("resource_request_success").wait(RequestToken=pe["RequestToken"], WaiterConfig={"Delay": 1})
    urls.append(cc.get_resource_request_status(RequestToken=pe["RequestToken"])["ProgressEvent"]["Identifier"])
sqs.set_queue_attributes(QueueUrl=urls[1], Attributes={"VisibilityTimeout": "99"})
out["got"] = json.loads(cc.get_resource(TypeName="AWS::SQS::Queue", Identifier=urls[1])["ResourceDescription"]["Properties"])
pages = list(cc.get_paginator("list_resources").paginate(TypeName="AWS::SQS::Queue", PaginationConfig={"PageSize": 2}))
out["pages"] = [[d["Identifier"] for d in p["ResourceDescriptions"]] for p in pages]
pe = cc.update_resource(TypeName="AWS::SQS::Queue", Identifier=urls[0], PatchDocument=json.dumps([{"op": "replace", "path": "/DelaySeconds", "value": 9}]))["ProgressEvent"]
cc.get_waiter("resource_request_success").wait(RequestToken=pe["RequestToken"], WaiterConfig={"Delay": 1})
out["delay"] = sqs.get_queue_attributes(QueueUrl=urls[0], AttributeNames=["DelaySeconds"])["Attributes"]["DelaySeconds"]
pe = cc.delete_resource(TypeName="AWS::SQS::Queue", Identifier=urls[2])["ProgressEvent"]
cc.get_waiter("resource_request_success").wait(RequestToken=pe["RequestToken"], WaiterConfig={"Delay": 1})
out["left"] = sorted(sqs.list_queues().get("QueueUrls", []))
out["urls"] = urls
print(json.dumps(out))
`;
  const { stdout } = await run("python3", ["-c", script, server.url, account]);
  const out = JSON.parse(stdout);
  assert.equal(out.got.VisibilityTimeout, 99);
  assert.equal(out.got.DelaySeconds, 1);
  assert.deepEqual(
    out.pages.map((p: string[]) => p.length),
    [2, 1],
  );
  assert.deepEqual(out.pages.flat().sort(), [...out.urls].sort());
  assert.equal(out.delay, "9");
  const nameOf = (u: string) => u.slice(u.lastIndexOf("/") + 1);
  assert.deepEqual(out.left.map(nameOf), ["b3-0", "b3-1"]);
});

test("request records survive a restart; SQS changes show through GetResource after it", async (t) => {
  // Checked before a server starts: returning after it started left the server holding the process (Node 24 run).
  const [c] = awsClis();
  if (!c) return t.skip("aws CLI not installed");
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-cc-restart-"));
  try {
    const account = randomAccount();
    let s = await startTestServer({ dataDir });
    let aws = cli(c, s.url, account);
    const created = await aws.ok(["create-resource", "--type-name", "AWS::SQS::Queue", "--desired-state", JSON.stringify({ QueueName: "survivor" })]);
    const done = await aws.settle(created.ProgressEvent.RequestToken);
    await s.close();
    s = await startTestServer({ dataDir });
    aws = cli(c, s.url, account);
    const after = await aws.ok(["get-resource-request-status", "--request-token", created.ProgressEvent.RequestToken]);
    assert.equal(after.ProgressEvent.OperationStatus, "SUCCESS");
    assert.equal(after.ProgressEvent.Identifier, done.Identifier);
    const sqs = new SQSClient(s.clientConfig({ account }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: done.Identifier, Attributes: { MessageRetentionPeriod: "600" } }));
    const got = await aws.ok(["get-resource", "--type-name", "AWS::SQS::Queue", "--identifier", done.Identifier]);
    assert.equal(JSON.parse(got.ResourceDescription.Properties).MessageRetentionPeriod, 600);
    await s.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
