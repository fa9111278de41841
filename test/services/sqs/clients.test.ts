// SQS through other clients: the query protocol by hand (AWS's XML shapes), the AWS CLIs (v1 speaks JSON, v2 query) and boto3.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { randomAccount, scopeAuth, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing } from "../../helpers/python.js";

const server = useServer();

async function query(account: string, params: Record<string, string>): Promise<{ status: number; xml: string }> {
  const res = await fetch(server.url + "/", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: scopeAuth("sqs", { accessKeyId: account, signature: "0" }),
    },
    body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
  });
  return { status: res.status, xml: await res.text() };
}
const tag = (xml: string, t: string) => [...xml.matchAll(new RegExp(`<${t}>([\\s\\S]*?)</${t}>`, "g"))].map((m) => m[1]);

test("query protocol: AWS's XML shapes for queues, attributes, messages and errors", async () => {
  const account = randomAccount();
  const created = await query(account, {
    Action: "CreateQueue",
    QueueName: "xq",
    "Attribute.1.Name": "VisibilityTimeout",
    "Attribute.1.Value": "45",
    "Tag.1.Key": "team",
    "Tag.1.Value": "core",
  });
  assert.equal(created.status, 200, created.xml);
  assert.match(
    created.xml,
    /^<CreateQueueResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><CreateQueueResult><QueueUrl>http:\/\/127\.0\.0\.1:\d+\/\d{12}\/xq<\/QueueUrl><\/CreateQueueResult><ResponseMetadata><RequestId>/,
  );
  const url = tag(created.xml, "QueueUrl")[0];
  await query(account, { Action: "CreateQueue", QueueName: "xq2" });

  const list = await query(account, { Action: "ListQueues" });
  assert.match(list.xml, /<ListQueuesResult><QueueUrl>[^<]+\/xq<\/QueueUrl><QueueUrl>[^<]+\/xq2<\/QueueUrl><\/ListQueuesResult>/);

  const attrs = await query(account, { Action: "GetQueueAttributes", QueueUrl: url, "AttributeName.1": "VisibilityTimeout", "AttributeName.2": "QueueArn" });
  assert.match(
    attrs.xml,
    /<GetQueueAttributesResult><Attribute><Name>VisibilityTimeout<\/Name><Value>45<\/Value><\/Attribute><Attribute><Name>QueueArn<\/Name><Value>arn:aws:sqs:us-east-1:\d{12}:xq<\/Value><\/Attribute><\/GetQueueAttributesResult>/,
  );
  const tags = await query(account, { Action: "ListQueueTags", QueueUrl: url });
  assert.match(tags.xml, /<ListQueueTagsResult><Tag><Key>team<\/Key><Value>core<\/Value><\/Tag><\/ListQueueTagsResult>/);

  const sent = await query(account, {
    Action: "SendMessage",
    QueueUrl: url,
    MessageBody: "hi <there>",
    "MessageAttribute.1.Name": "color",
    "MessageAttribute.1.Value.DataType": "String",
    "MessageAttribute.1.Value.StringValue": "red",
  });
  assert.equal(sent.status, 200, sent.xml);
  assert.equal(tag(sent.xml, "MD5OfMessageBody")[0], createHash("md5").update("hi <there>").digest("hex"));
  assert.match(tag(sent.xml, "MD5OfMessageAttributes")[0], /^[0-9a-f]{32}$/);

  const got = await query(account, {
    Action: "ReceiveMessage",
    QueueUrl: url,
    "AttributeName.1": "All",
    "MessageAttributeName.1": "All",
    MaxNumberOfMessages: "5",
  });
  assert.equal(tag(got.xml, "Message").length, 1);
  assert.match(
    got.xml,
    /<ReceiveMessageResult><Message><MessageId>[0-9a-f-]{36}<\/MessageId><ReceiptHandle>[^<]+<\/ReceiptHandle><MD5OfBody>[0-9a-f]{32}<\/MD5OfBody><Body>hi &lt;there&gt;<\/Body>/,
  );
  assert.match(got.xml, /<Attribute><Name>SenderId<\/Name><Value>\d{12}<\/Value><\/Attribute>/);
  assert.match(got.xml, /<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/);
  assert.match(got.xml, /<MessageAttribute><Name>color<\/Name><Value><StringValue>red<\/StringValue><DataType>String<\/DataType><\/Value><\/MessageAttribute>/);

  const batch = await query(account, {
    Action: "DeleteMessageBatch",
    QueueUrl: url,
    "DeleteMessageBatchRequestEntry.1.Id": "ok",
    "DeleteMessageBatchRequestEntry.1.ReceiptHandle": tag(got.xml, "ReceiptHandle")[0],
    "DeleteMessageBatchRequestEntry.2.Id": "bad",
    "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "nope",
  });
  assert.match(
    batch.xml,
    /<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>ok<\/Id><\/DeleteMessageBatchResultEntry><BatchResultErrorEntry><Id>bad<\/Id><SenderFault>true<\/SenderFault><Code>ReceiptHandleIsInvalid<\/Code>/,
  );

  const missing = await query(account, { Action: "GetQueueUrl", QueueName: "nope" });
  assert.equal(missing.status, 400);
  assert.match(
    missing.xml,
    /<ErrorResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>AWS\.SimpleQueueService\.NonExistentQueue<\/Code><Message>The specified queue does not exist\.<\/Message>/,
  );
  const exists = await query(account, { Action: "CreateQueue", QueueName: "xq", "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "1" });
  assert.match(exists.xml, /<Code>QueueAlreadyExists<\/Code>/);
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: create, send, receive, attributes, delete", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`AWS CLI ${cli.label}: create, send, receive, attributes, delete, and a missing queue`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const aws = (...args: string[]) => runAws(cli, server.url, ["sqs", ...args], creds);
    const created = await aws("create-queue", "--queue-name", "cliq", "--attributes", "DelaySeconds=0,VisibilityTimeout=40");
    assert.equal(created.status, 0, created.stderr);
    const url = JSON.parse(created.stdout).QueueUrl as string;
    assert.match(url, /\/\d{12}\/cliq$/);
    const sent = await aws(
      "send-message",
      "--queue-url",
      url,
      "--message-body",
      "from the cli",
      "--message-attributes",
      '{"k":{"DataType":"String","StringValue":"v"}}',
    );
    assert.equal(sent.status, 0, sent.stderr);
    const got = await aws("receive-message", "--queue-url", url, "--attribute-names", "All", "--message-attribute-names", "All");
    assert.equal(got.status, 0, got.stderr);
    const msg = JSON.parse(got.stdout).Messages[0];
    assert.equal(msg.Body, "from the cli");
    assert.equal(msg.MessageAttributes.k.StringValue, "v");
    assert.equal(msg.Attributes.ApproximateReceiveCount, "1");
    const attrs = await aws("get-queue-attributes", "--queue-url", url, "--attribute-names", "VisibilityTimeout", "ApproximateNumberOfMessagesNotVisible");
    assert.deepEqual(JSON.parse(attrs.stdout).Attributes, { VisibilityTimeout: "40", ApproximateNumberOfMessagesNotVisible: "1" });
    const del = await aws("delete-message", "--queue-url", url, "--receipt-handle", msg.ReceiptHandle);
    assert.equal(del.status, 0, del.stderr);
    const list = await aws("list-queues");
    assert.deepEqual(JSON.parse(list.stdout).QueueUrls, [url]);
    const missing = await aws("get-queue-url", "--queue-name", "nope");
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist/);
  });
}

test("boto3: queue and message round trip, batch send, FIFO, and a modeled exception", { skip: pythonMissing() }, async () => {
  const account = randomAccount();
  const script = `
import boto3, json
sqs = boto3.client("sqs", endpoint_url="${server.url}", region_name="us-east-1", aws_access_key_id="${account}", aws_secret_access_key="test")
url = sqs.create_queue(QueueName="py", Attributes={"VisibilityTimeout": "20"})["QueueUrl"]
sqs.send_message(QueueUrl=url, MessageBody="one", MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}})
b = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "two"}, {"Id": "b", "MessageBody": "three"}])
msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])["Messages"]
for m in msgs: sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
f = sqs.create_queue(QueueName="py.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
r1 = sqs.send_message(QueueUrl=f, MessageBody="x", MessageGroupId="g")
r2 = sqs.send_message(QueueUrl=f, MessageBody="x", MessageGroupId="g")
try:
    sqs.get_queue_url(QueueName="missing")
    err = None
except sqs.exceptions.QueueDoesNotExist as e:
    err = e.response["Error"]["Code"]
left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
print(json.dumps({"bodies": sorted(m["Body"] for m in msgs), "n": [m.get("MessageAttributes", {}).get("n", {}).get("StringValue") for m in msgs if m["Body"] == "one"], "ok": len(b["Successful"]), "dedup": r1["MessageId"] == r2["MessageId"], "err": err, "left": left}))
`;
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("python3", ["-c", script]);
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(out.code, 0, out.stderr);
  const r = JSON.parse(out.stdout);
  assert.deepEqual(r.bodies, ["one", "three", "two"]);
  assert.deepEqual(r.n, ["7"]);
  assert.equal(r.ok, 2);
  assert.equal(r.dedup, true);
  assert.equal(r.err, "AWS.SimpleQueueService.NonExistentQueue");
  assert.deepEqual(r.left, { ApproximateNumberOfMessages: "0" });
});
