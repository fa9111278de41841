// CloudFormation's own types through the SDK and curl: custom resources with AWS's provider protocol — Node.js
// and Python Lambda providers (inline code with cfn-response), an SNS topic answered through an SQS subscription
// and through a Lambda subscriber —, their Data through Fn::GetAtt into Outputs, NoEcho, update with a new
// physical id (the old one deleted), delete, FAILED, a missing PhysicalResourceId, the timeout and the presigned
// ResponseURL's signature; wait condition handles signalled with curl; AWS::CDK::Metadata.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  SignalResourceCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";

const run = promisify(execFile);

let s: TestServer;
let cfn: CloudFormationClient;
let sqs: SQSClient;
let sns: SNSClient;
let roleArn: string;
const waiter = () => ({ client: cfn, maxWaitTime: 90, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  sqs = new SQSClient(c);
  sns = new SNSClient(c);
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  roleArn = (await new IAMClient(c).send(new CreateRoleCommand({ RoleName: "cr-role", AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!.Arn!;
});
after(() => s.close());

async function stack(name: string): Promise<{ status: string; reason?: string; outputs: Record<string, string> }> {
  const [d] = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks!;
  return { status: d.StackStatus!, reason: d.StackStatusReason, outputs: Object.fromEntries((d.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!])) };
}

async function resources(name: string) {
  return Object.fromEntries((await cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources!.map((r) => [r.LogicalResourceId!, r]));
}

async function createStack(name: string, template: unknown, params: Record<string, string> = {}): Promise<void> {
  await cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify(template),
      Parameters: Object.entries(params).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      OnFailure: "DO_NOTHING",
    }),
  );
}

async function created(name: string): Promise<Record<string, string>> {
  try {
    await waitUntilStackCreateComplete(waiter(), { StackName: name });
  } catch (e) {
    const failed = Object.values(await resources(name)).filter((r) => r.ResourceStatus === "CREATE_FAILED");
    assert.fail(`${name}: ${JSON.stringify(failed.map((r) => [r.LogicalResourceId, r.ResourceStatusReason]))} (${e})`);
  }
  return (await stack(name)).outputs;
}

/** Waits for the stack to leave CREATE_IN_PROGRESS and returns the failed resource's reason. */
async function failedReason(name: string, logicalId: string): Promise<string> {
  await eventually(async () => assert.notEqual((await stack(name)).status, "CREATE_IN_PROGRESS"), 60_000, 200);
  const r = (await resources(name))[logicalId];
  assert.equal(r.ResourceStatus, "CREATE_FAILED");
  return r.ResourceStatusReason ?? "";
}

async function deleteStack(name: string): Promise<void> {
  await cfn.send(new DeleteStackCommand({ StackName: name }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: name });
}

async function newQueue(name: string): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  return { url, arn };
}

/** Every message the queue holds within `ms` (deleted as read). */
async function drain(url: string, until: (bodies: string[]) => boolean, ms = 30_000): Promise<string[]> {
  const bodies: string[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !until(bodies)) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
    for (const m of Messages) {
      bodies.push(m.Body!);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
  return bodies;
}

type CrEvent = Record<string, unknown> & { RequestType: string; ResponseURL: string; RequestId: string; PhysicalResourceId?: string };

// A Node.js provider that logs every request to a queue, then answers with cfn-response.
const NODE_PROVIDER = `var response = require("cfn-response");
var sqs = require("@aws-sdk/client-sqs");
exports.handler = function (event, context) {
  new sqs.SQSClient({}).send(new sqs.SendMessageCommand({ QueueUrl: process.env.LOG_QUEUE, MessageBody: JSON.stringify(event) })).then(function () {
    var p = event.ResourceProperties;
    if (event.RequestType === "Delete") return response.send(event, context, response.SUCCESS, {}, event.PhysicalResourceId);
    return response.send(event, context, response.SUCCESS, { Greeting: "hello " + p.Name, Count: p.Count }, "thing-" + p.Name, p.Secret === "true");
  });
};`;

test("custom resource with a Node.js Lambda provider: Create, Data into Outputs, NoEcho, Update to a new physical id, Delete", async () => {
  const log = await newQueue("cr-node-log");
  const template = (name: string) => ({
    Parameters: { Role: { Type: "String" }, Log: { Type: "String" } },
    Resources: {
      Provider: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Role: { Ref: "Role" },
          Environment: { Variables: { LOG_QUEUE: { Ref: "Log" } } },
          Code: { ZipFile: NODE_PROVIDER },
        },
      },
      Thing: { Type: "Custom::Thing", Properties: { ServiceToken: { "Fn::GetAtt": ["Provider", "Arn"] }, Name: name, Count: 3 } },
      Hidden: { Type: "AWS::CloudFormation::CustomResource", Properties: { ServiceToken: { "Fn::GetAtt": ["Provider", "Arn"] }, Name: "h", Secret: true } },
    },
    Outputs: {
      Greeting: { Value: { "Fn::GetAtt": ["Thing", "Greeting"] } },
      Count: { Value: { "Fn::GetAtt": ["Thing", "Count"] } },
      Ref: { Value: { Ref: "Thing" } },
      Hidden: { Value: { "Fn::GetAtt": ["Hidden", "Greeting"] } },
    },
  });
  const params = { Role: roleArn, Log: log.url };
  await createStack("cr-node", template("a"), params);
  const out = await created("cr-node");
  // Data's keys are attributes; every property reached the provider as a string; NoEcho masks the output.
  assert.deepEqual(out, { Greeting: "hello a", Count: "3", Ref: "thing-a", Hidden: "*****" });

  const creates = (await drain(log.url, (b) => b.length >= 2)).map((b) => JSON.parse(b) as CrEvent);
  const create = creates.find((e) => e.LogicalResourceId === "Thing")!;
  const stackId = (await cfn.send(new DescribeStacksCommand({ StackName: "cr-node" }))).Stacks![0].StackId!;
  assert.equal(create.RequestType, "Create");
  assert.equal(create.ResourceType, "Custom::Thing");
  assert.equal(create.StackId, stackId);
  assert.equal(create.PhysicalResourceId, undefined);
  assert.deepEqual(create.ResourceProperties, { ServiceToken: create.ServiceToken, Name: "a", Count: "3" });
  assert.match(String(create.ServiceToken), /^arn:aws:lambda:us-east-1:\d{12}:function:cr-node-Provider-/);
  assert.match(create.RequestId, /^[0-9a-f-]{36}$/);
  // The ResponseURL: AWS's presigned S3 URL shape, on this server.
  const escaped = encodeURIComponent(stackId).replace(/%2F/g, "/");
  assert.ok(
    create.ResponseURL.startsWith(
      `${s.url}/_stratus/cloudformation/cloudformation-custom-resource-response-useast1/${escaped}%7CThing%7C${create.RequestId}?X-Amz-`,
    ),
    create.ResponseURL,
  );
  assert.equal(creates.find((e) => e.LogicalResourceId === "Hidden")?.ResourceType, "AWS::CloudFormation::CustomResource");

  // Only a PUT signed by Stratus counts: S3's 403s otherwise.
  const body = JSON.stringify({ Status: "SUCCESS", PhysicalResourceId: "x", StackId: stackId, RequestId: create.RequestId, LogicalResourceId: "Thing" });
  const tampered = await fetch(
    create.ResponseURL.replace(/X-Amz-Signature=[0-9a-f]/, (m) => `${m.slice(0, -1)}${m.endsWith("0") ? "1" : "0"}`),
    {
      method: "PUT",
      body,
    },
  );
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  const unsigned = await fetch(create.ResponseURL.split("?")[0], { method: "PUT", body });
  assert.equal(unsigned.status, 403);
  assert.match(await unsigned.text(), /<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);

  // A new Name: an Update with the old physical id and properties; the new physical id replaces the old one.
  await cfn.send(
    new UpdateStackCommand({
      StackName: "cr-node",
      TemplateBody: JSON.stringify(template("b")),
      Parameters: Object.entries(params).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    }),
  );
  await waitUntilStackUpdateComplete(waiter(), { StackName: "cr-node" });
  assert.deepEqual((await stack("cr-node")).outputs, { Greeting: "hello b", Count: "3", Ref: "thing-b", Hidden: "*****" });
  const updates = (await drain(log.url, (b) => b.length >= 2)).map((b) => JSON.parse(b) as CrEvent);
  assert.deepEqual(
    updates.map((e) => [e.RequestType, e.LogicalResourceId, e.PhysicalResourceId]),
    [
      ["Update", "Thing", "thing-a"],
      ["Delete", "Thing", "thing-a"],
    ],
  );
  assert.deepEqual(updates[0].OldResourceProperties, { ServiceToken: create.ServiceToken, Name: "a", Count: "3" });
  assert.equal((updates[0].ResourceProperties as Record<string, string>).Name, "b");

  await deleteStack("cr-node");
  const deletes = (await drain(log.url, (b) => b.length >= 2)).map((b) => JSON.parse(b) as CrEvent);
  assert.deepEqual(deletes.map((e) => [e.RequestType, e.LogicalResourceId, e.PhysicalResourceId]).sort(), [
    ["Delete", "Hidden", "thing-h"],
    ["Delete", "Thing", "thing-b"],
  ]);
});

// A Python provider: fails when told to, else answers Data through cfnresponse.
const PY_PROVIDER = `import cfnresponse
def handler(event, context):
    props = event["ResourceProperties"]
    if event["RequestType"] != "Delete" and props.get("Fail") == "true":
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, event.get("PhysicalResourceId"), reason="told to fail")
        return
    cfnresponse.send(event, context, cfnresponse.SUCCESS, {"Upper": props["Name"].upper()}, "py-" + props["Name"])
`;

const pyTemplate = (name: string, fail: boolean) => ({
  Parameters: { Role: { Type: "String" } },
  Resources: {
    Provider: {
      Type: "AWS::Lambda::Function",
      Properties: { Runtime: "python3.11", Handler: "index.handler", Role: { Ref: "Role" }, Code: { ZipFile: PY_PROVIDER } },
    },
    Thing: { Type: "Custom::PyThing", Properties: { ServiceToken: { "Fn::GetAtt": ["Provider", "Arn"] }, Name: name, Fail: fail } },
  },
  Outputs: { Upper: { Value: { "Fn::GetAtt": ["Thing", "Upper"] } }, Ref: { Value: { Ref: "Thing" } } },
});

test("custom resource with a Python provider: success, a FAILED update rolled back, a FAILED create with AWS's reason", async () => {
  await createStack("cr-py", pyTemplate("abc", false), { Role: roleArn });
  assert.deepEqual(await created("cr-py"), { Upper: "ABC", Ref: "py-abc" });

  await cfn.send(
    new UpdateStackCommand({
      StackName: "cr-py",
      TemplateBody: JSON.stringify(pyTemplate("abc", true)),
      Parameters: [{ ParameterKey: "Role", ParameterValue: roleArn }],
    }),
  );
  await eventually(async () => assert.equal((await stack("cr-py")).status, "UPDATE_ROLLBACK_COMPLETE"), 60_000, 200);
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "cr-py" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "Thing" && e.ResourceStatus === "UPDATE_FAILED");
  assert.match(
    failed?.ResourceStatusReason ?? "",
    /^Received response status \[FAILED\] from custom resource\. Message returned: told to fail \(RequestId: [0-9a-f-]{36}\)$/,
  );
  assert.deepEqual((await stack("cr-py")).outputs, { Upper: "ABC", Ref: "py-abc" });
  await deleteStack("cr-py");

  await createStack("cr-py-fail", pyTemplate("x", true), { Role: roleArn });
  assert.match(
    await failedReason("cr-py-fail", "Thing"),
    /^Received response status \[FAILED\] from custom resource\. Message returned: told to fail \(RequestId: [0-9a-f-]{36}\)$/,
  );
  assert.equal((await stack("cr-py-fail")).status, "CREATE_FAILED");
  await deleteStack("cr-py-fail");

  // With rollback, the resource whose create failed gets a Delete naming the physical id its response gave
  // (cfnresponse's default, the log stream's name), which the provider answers.
  await cfn.send(
    new CreateStackCommand({
      StackName: "cr-py-rollback",
      TemplateBody: JSON.stringify(pyTemplate("x", true)),
      Parameters: [{ ParameterKey: "Role", ParameterValue: roleArn }],
    }),
  );
  await eventually(async () => assert.equal((await stack("cr-py-rollback")).status, "ROLLBACK_COMPLETE"), 60_000, 200);
  const rolled = (await cfn.send(new DescribeStackEventsCommand({ StackName: "cr-py-rollback" }))).StackEvents!.filter((e) => e.LogicalResourceId === "Thing");
  const deleted = rolled.find((e) => e.ResourceStatus === "DELETE_COMPLETE");
  assert.match(deleted?.PhysicalResourceId ?? "", /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.equal(rolled.find((e) => e.ResourceStatus === "CREATE_FAILED")?.PhysicalResourceId, deleted?.PhysicalResourceId);
  await deleteStack("cr-py-rollback");
});

test("custom resource without a response fails after its ServiceTimeout with AWS's reason", async () => {
  await createStack(
    "cr-silent",
    {
      Parameters: { Role: { Type: "String" } },
      Resources: {
        Provider: {
          Type: "AWS::Lambda::Function",
          Properties: { Runtime: "nodejs20.x", Handler: "index.handler", Role: { Ref: "Role" }, Code: { ZipFile: "exports.handler = async () => {};" } },
        },
        Thing: { Type: "Custom::Silent", Properties: { ServiceToken: { "Fn::GetAtt": ["Provider", "Arn"] }, ServiceTimeout: 2 } },
      },
    },
    { Role: roleArn },
  );
  assert.match(
    await failedReason("cr-silent", "Thing"),
    /^CloudFormation did not receive a response from your Custom Resource\. Please check your logs for requestId \[[0-9a-f-]{36}\]\. If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version\.$/,
  );
  await deleteStack("cr-silent");
});

test("custom resource with an SNS ServiceToken: answered from an SQS subscription and by a Lambda subscriber", async () => {
  const topic = (await sns.send(new CreateTopicCommand({ Name: "cr-requests" }))).TopicArn!;
  const q = await newQueue("cr-requests");
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: q.url,
      Attributes: {
        Policy: JSON.stringify({
          Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: q.arn }],
        }),
      },
    }),
  );
  await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: q.arn }));

  await createStack("cr-sns", {
    Resources: { Thing: { Type: "Custom::ViaSns", Properties: { ServiceToken: topic, Size: 7 } } },
    Outputs: { Double: { Value: { "Fn::GetAtt": ["Thing", "Double"] } }, Ref: { Value: { Ref: "Thing" } } },
  });
  // The request is the SNS message; whoever reads it answers the ResponseURL.
  const [envelope] = await drain(q.url, (b) => b.length >= 1);
  const note = JSON.parse(envelope) as { Message: string; Subject?: string };
  const event = JSON.parse(note.Message) as CrEvent;
  assert.equal(event.RequestType, "Create");
  assert.equal(event.ServiceToken, topic);
  assert.deepEqual(event.ResourceProperties, { ServiceToken: topic, Size: "7" });
  const answer = (status: string, extra: Record<string, unknown>) =>
    fetch(event.ResponseURL, {
      method: "PUT",
      headers: { "content-type": "" },
      body: JSON.stringify({ Status: status, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, ...extra }),
    });
  const put = await answer("SUCCESS", { PhysicalResourceId: "sns-thing", Data: { Double: "14" } });
  assert.equal(put.status, 200);
  assert.match(put.headers.get("etag") ?? "", /^"[0-9a-f]{32}"$/);
  assert.deepEqual(await created("cr-sns"), { Double: "14", Ref: "sns-thing" });

  await cfn.send(new DeleteStackCommand({ StackName: "cr-sns" }));
  const [delEnvelope] = await drain(q.url, (b) => b.length >= 1);
  const del = JSON.parse((JSON.parse(delEnvelope) as { Message: string }).Message) as CrEvent;
  assert.deepEqual([del.RequestType, del.PhysicalResourceId], ["Delete", "sns-thing"]);
  await fetch(del.ResponseURL, {
    method: "PUT",
    body: JSON.stringify({ Status: "SUCCESS", PhysicalResourceId: "sns-thing", StackId: del.StackId, RequestId: del.RequestId, LogicalResourceId: "Thing" }),
  });
  await waitUntilStackDeleteComplete(waiter(), { StackName: "cr-sns" });

  // A SUCCESS without PhysicalResourceId fails the resource as AWS words it.
  await createStack("cr-sns-noid", { Resources: { Thing: { Type: "Custom::ViaSns", Properties: { ServiceToken: topic } } } });
  const [e2] = await drain(q.url, (b) => b.length >= 1);
  const ev2 = JSON.parse((JSON.parse(e2) as { Message: string }).Message) as CrEvent;
  await fetch(ev2.ResponseURL, {
    method: "PUT",
    body: JSON.stringify({ Status: "SUCCESS", StackId: ev2.StackId, RequestId: ev2.RequestId, LogicalResourceId: "Thing" }),
  });
  assert.equal(await failedReason("cr-sns-noid", "Thing"), "Invalid PhysicalResourceId");
  await deleteStack("cr-sns-noid");

  // Fn::GetAtt of a key the response's Data lacks fails the resource that reads it, as AWS words it.
  await createStack("cr-sns-attr", {
    Resources: {
      Thing: { Type: "Custom::ViaSns", Properties: { ServiceToken: topic } },
      Param: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: { "Fn::GetAtt": ["Thing", "Missing"] } } },
    },
  });
  const [e3] = await drain(q.url, (b) => b.length >= 1);
  const ev3 = JSON.parse((JSON.parse(e3) as { Message: string }).Message) as CrEvent;
  await fetch(ev3.ResponseURL, {
    method: "PUT",
    body: JSON.stringify({
      Status: "SUCCESS",
      PhysicalResourceId: "attr",
      StackId: ev3.StackId,
      RequestId: ev3.RequestId,
      LogicalResourceId: "Thing",
      Data: { A: "1" },
    }),
  });
  assert.equal(
    await failedReason("cr-sns-attr", "Param"),
    `CustomResource attribute error: Vendor response doesn't contain Missing attribute in object ${ev3.StackId}|Thing|${ev3.RequestId}`,
  );
  await cfn.send(new DeleteStackCommand({ StackName: "cr-sns-attr" }));
  const [e4] = await drain(q.url, (b) => b.length >= 1);
  const ev4 = JSON.parse((JSON.parse(e4) as { Message: string }).Message) as CrEvent;
  await fetch(ev4.ResponseURL, {
    method: "PUT",
    body: JSON.stringify({ Status: "SUCCESS", PhysicalResourceId: "attr", StackId: ev4.StackId, RequestId: ev4.RequestId, LogicalResourceId: "Thing" }),
  });
  await waitUntilStackDeleteComplete(waiter(), { StackName: "cr-sns-attr" });

  // A Lambda function subscribed to the topic answers with cfnresponse.
  const lambdaTopic = (await sns.send(new CreateTopicCommand({ Name: "cr-lambda-requests" }))).TopicArn!;
  await createStack(
    "cr-sns-fn",
    {
      Parameters: { Role: { Type: "String" }, Topic: { Type: "String" } },
      Resources: {
        Fn: {
          Type: "AWS::Lambda::Function",
          Properties: {
            Runtime: "python3.11",
            Handler: "index.handler",
            Role: { Ref: "Role" },
            Code: {
              ZipFile: `import json, cfnresponse
def handler(event, context):
    request = json.loads(event["Records"][0]["Sns"]["Message"])
    cfnresponse.send(request, context, cfnresponse.SUCCESS, {"Via": "sns-lambda"}, "sns-fn-" + request["RequestType"])
`,
            },
          },
        },
        Permission: {
          Type: "AWS::Lambda::Permission",
          Properties: { FunctionName: { Ref: "Fn" }, Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com", SourceArn: { Ref: "Topic" } },
        },
        Sub: { Type: "AWS::SNS::Subscription", Properties: { TopicArn: { Ref: "Topic" }, Protocol: "lambda", Endpoint: { "Fn::GetAtt": ["Fn", "Arn"] } } },
        Thing: { Type: "Custom::ViaSns", DependsOn: ["Sub", "Permission"], Properties: { ServiceToken: { Ref: "Topic" } } },
      },
      Outputs: { Via: { Value: { "Fn::GetAtt": ["Thing", "Via"] } }, Ref: { Value: { Ref: "Thing" } } },
    },
    { Role: roleArn, Topic: lambdaTopic },
  );
  assert.deepEqual(await created("cr-sns-fn"), { Via: "sns-lambda", Ref: "sns-fn-Create" });
  await deleteStack("cr-sns-fn");
});

/** A real curl PUT, as AWS's user guide signals a handle: its status code and body. */
async function curl(url: string, body: string, emptyContentType = true): Promise<{ status: string; body: string }> {
  const { stdout } = await run("curl", [
    "-s",
    "-w",
    "\n%{http_code}",
    "-X",
    "PUT",
    ...(emptyContentType ? ["-H", "Content-Type:"] : []),
    "--data-binary",
    body,
    url,
  ]);
  const cut = stdout.lastIndexOf("\n");
  return { status: stdout.slice(cut + 1), body: stdout.slice(0, cut) };
}

const waitTemplate = (count: number, timeout: number) => ({
  Resources: {
    Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" },
    Wait: { Type: "AWS::CloudFormation::WaitCondition", Properties: { Handle: { Ref: "Handle" }, Timeout: String(timeout), Count: count } },
    Meta: {
      Type: "AWS::CDK::Metadata",
      Properties: { Analytics: "v2:deflate64:H4sIAAAAAAAA/zPSMzQ1MFBMLC/WTc7J1M3JTErSq9bJy09J1csqRi/Xy0nNS9YrSEyvBADCPqUSKwAAAA==" },
    },
  },
  Outputs: { Url: { Value: { Ref: "Handle" } }, Data: { Value: { "Fn::GetAtt": ["Wait", "Data"] } } },
});

async function handleUrlOf(name: string): Promise<string> {
  return eventually(
    async () => {
      const h = (await resources(name)).Handle;
      assert.equal(h?.ResourceStatus, "CREATE_COMPLETE");
      return h.PhysicalResourceId!;
    },
    30_000,
    100,
  );
}

test("wait condition: completes after Count success signals sent with curl; GetAtt Data; CDK metadata", async () => {
  await createStack("wc-ok", waitTemplate(2, 60));
  const url = await handleUrlOf("wc-ok");
  assert.match(
    url,
    /\/_stratus\/cloudformation\/cloudformation-waitcondition-us-east-1\/arn%3Aaws%3Acloudformation%3Aus-east-1%3A\d{12}%3Astack\/wc-ok\/[^/]+\/Handle\?AWSAccessKeyId=/,
  );
  // curl's default Content-Type for --data-binary is part of the signature: refused, as S3 refuses it on AWS.
  const refused = await curl(url, '{"Status":"SUCCESS","UniqueId":"x","Data":"no"}', false);
  assert.equal(refused.status, "403");
  assert.match(refused.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  assert.equal((await curl(url, '{"Status":"SUCCESS","Reason":"r","UniqueId":"id1","Data":"d1"}')).status, "200");
  // A retransmission of the same UniqueId counts once.
  assert.equal((await curl(url, '{"Status":"SUCCESS","Reason":"r","UniqueId":"id1","Data":"d1"}')).status, "200");
  assert.equal((await stack("wc-ok")).status, "CREATE_IN_PROGRESS");
  assert.equal((await curl(url, '{"Status":"SUCCESS","Reason":"r","UniqueId":"id2","Data":"d2"}')).status, "200");
  const out = await created("wc-ok");
  assert.equal(out.Url, url);
  assert.deepEqual(JSON.parse(out.Data), { id1: "d1", id2: "d2" });
  assert.equal((await resources("wc-ok")).Meta.ResourceStatus, "CREATE_COMPLETE");
  await deleteStack("wc-ok");
});

test("wait condition: a FAILURE signal and the timeout fail it with AWS's reasons; CDK metadata's Analytics checked", async () => {
  await createStack("wc-fail", waitTemplate(1, 60));
  const url = await handleUrlOf("wc-fail");
  assert.equal((await curl(url, '{"Status":"FAILURE","Reason":"config broke","UniqueId":"i-0abc","Data":"x"}')).status, "200");
  assert.equal(await failedReason("wc-fail", "Wait"), "WaitCondition received failed message: 'config broke' for uniqueId: i-0abc");
  await deleteStack("wc-fail");

  await createStack("wc-timeout", waitTemplate(1, 1));
  assert.equal(await failedReason("wc-timeout", "Wait"), "WaitCondition timed out. Received 0 conditions when expecting 1");
  await deleteStack("wc-timeout");

  await createStack("cdk-meta-bad", { Resources: { Meta: { Type: "AWS::CDK::Metadata", Properties: { Analytics: { Not: "a string" } } } } });
  assert.equal(
    await failedReason("cdk-meta-bad", "Meta"),
    "Properties validation failed for resource Meta with message: [#/Analytics: expected type: String, found: JSONObject]",
  );
  await deleteStack("cdk-meta-bad");
});

test("a custom resource's ServiceToken cannot change (AWS's reason; the update rolls back)", async () => {
  const provider = {
    Type: "AWS::Lambda::Function",
    Properties: {
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: { Ref: "Role" },
      Code: {
        ZipFile: `var response = require("cfn-response");
exports.handler = function (event, context) {
  response.send(event, context, response.SUCCESS, { Token: event.ServiceToken }, "tok");
};`,
      },
    },
  };
  const template = (fn: string) => ({
    Parameters: { Role: { Type: "String" } },
    Resources: { One: provider, Two: provider, Thing: { Type: "Custom::Token", Properties: { ServiceToken: { "Fn::GetAtt": [fn, "Arn"] } } } },
    Outputs: { Token: { Value: { "Fn::GetAtt": ["Thing", "Token"] } } },
  });
  await createStack("cr-token", template("One"), { Role: roleArn });
  const before = await created("cr-token");
  assert.match(before.Token, /:function:cr-token-One-/);
  await cfn.send(
    new UpdateStackCommand({
      StackName: "cr-token",
      TemplateBody: JSON.stringify(template("Two")),
      Parameters: [{ ParameterKey: "Role", ParameterValue: roleArn }],
    }),
  );
  await eventually(async () => assert.equal((await stack("cr-token")).status, "UPDATE_ROLLBACK_COMPLETE"), 60_000, 200);
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "cr-token" }))).StackEvents!;
  assert.equal(
    events.find((e) => e.LogicalResourceId === "Thing" && e.ResourceStatus === "UPDATE_FAILED")?.ResourceStatusReason,
    "Modifying service token is not allowed.",
  );
  assert.deepEqual((await stack("cr-token")).outputs, before);
  await deleteStack("cr-token");
});

test("a WaitCondition with a CreationPolicy completes on SignalResource's signals, and fails on a FAILURE signal", async () => {
  const template = {
    Resources: { Wait: { Type: "AWS::CloudFormation::WaitCondition", CreationPolicy: { ResourceSignal: { Count: 2, Timeout: "PT1M" } } } },
    Outputs: { Data: { Value: { "Fn::GetAtt": ["Wait", "Data"] } } },
  };
  await createStack("wc-policy", template);
  await eventually(async () => assert.equal((await resources("wc-policy")).Wait?.ResourceStatus, "CREATE_IN_PROGRESS"), 30_000, 100);
  await cfn.send(new SignalResourceCommand({ StackName: "wc-policy", LogicalResourceId: "Wait", UniqueId: "i-1", Status: "SUCCESS" }));
  assert.equal((await stack("wc-policy")).status, "CREATE_IN_PROGRESS");
  await cfn.send(new SignalResourceCommand({ StackName: "wc-policy", LogicalResourceId: "Wait", UniqueId: "i-2", Status: "SUCCESS" }));
  await created("wc-policy");
  await assert.rejects(
    cfn.send(new SignalResourceCommand({ StackName: "wc-policy", LogicalResourceId: "Nope", UniqueId: "i-3", Status: "SUCCESS" })),
    (e: Error) => e.name === "ValidationError" && e.message === "Resource Nope does not exist for stack wc-policy",
  );
  await deleteStack("wc-policy");

  await createStack("wc-policy-fail", template);
  await eventually(async () => assert.equal((await resources("wc-policy-fail")).Wait?.ResourceStatus, "CREATE_IN_PROGRESS"), 30_000, 100);
  await cfn.send(new SignalResourceCommand({ StackName: "wc-policy-fail", LogicalResourceId: "Wait", UniqueId: "i-9", Status: "FAILURE" }));
  assert.equal(await failedReason("wc-policy-fail", "Wait"), "Received FAILURE signal with UniqueId i-9");
  await deleteStack("wc-policy-fail");
});

test("a custom resource whose ServiceToken is no Lambda function or SNS topic fails at once, saying so", async () => {
  const account = (await cfn.config.credentials()).accessKeyId;
  const missing = `arn:aws:lambda:us-east-1:${account}:function:not-there`;
  await createStack("cr-bad-token", {
    Resources: {
      Missing: { Type: "Custom::Bad", Properties: { ServiceToken: missing } },
      Nonsense: { Type: "Custom::Bad", Properties: { ServiceToken: "not-an-arn" } },
    },
  });
  assert.match(await failedReason("cr-bad-token", "Missing"), new RegExp(`^Failed to send the request to the ServiceToken ${missing}: Function not found`));
  assert.equal(await failedReason("cr-bad-token", "Nonsense"), "Invalid ServiceToken not-an-arn: it must be the ARN of a Lambda function or an SNS topic.");
  await deleteStack("cr-bad-token");
});
