// SQS's error answers as AWS gives them: FIFO-only attributes on standard queues, queue type changes, FIFO batches
// without group or deduplication ids, empty tag lists; and the JSON wire of its errors (__type the full shape id,
// x-amzn-query-error the query code) as SDK v3 and boto3 each read it.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SQSClient,
  CreateQueueCommand,
  SetQueueAttributesCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  TagQueueCommand,
  UntagQueueCommand,
  ListQueueTagsCommand,
} from "@aws-sdk/client-sqs";
import { randomAccount, scopeAuth, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

test("standard queues know no FIFO attribute, not even FifoQueue=false (CreateQueue and SetQueueAttributes)", async () => {
  const sqs = server.client(SQSClient, { account: randomAccount() });
  const create = (Attributes: Record<string, string>) => sqs.send(new CreateQueueCommand({ QueueName: "std", Attributes }));
  await rejects(create({ FifoQueue: "false" }), "InvalidAttributeName", 400, "Unknown Attribute FifoQueue.");
  await rejects(create({ ContentBasedDeduplication: "false" }), "InvalidAttributeName", 400, "Unknown Attribute ContentBasedDeduplication.");
  await rejects(
    create({ DeduplicationScope: "queue" }),
    "InvalidAttributeName",
    400,
    "You can specify the DeduplicationScope only when FifoQueue is set to true.",
  );
  await rejects(
    create({ FifoThroughputLimit: "perQueue" }),
    "InvalidAttributeName",
    400,
    "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
  );

  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "std" }));
  for (const value of ["true", "false"]) {
    await rejects(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: value } })),
      "InvalidAttributeName",
      400,
      "Unknown Attribute FifoQueue.",
    );
  }
  await rejects(
    sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DeduplicationScope: "messageGroup" } })),
    "InvalidAttributeName",
    400,
    "You can specify the DeduplicationScope only when FifoQueue is set to true.",
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(Attributes!.FifoQueue, undefined);
  assert.equal(Attributes!.DeduplicationScope, undefined);
});

test("a FIFO queue takes FifoQueue=true again but cannot become standard", async () => {
  const sqs = server.client(SQSClient, { account: randomAccount() });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "f.fifo", Attributes: { FifoQueue: "true" } }));
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: "true" } }));
  await rejects(
    sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: "false" } })),
    "InvalidAttributeValue",
    400,
    "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["FifoQueue"] }));
  assert.equal(Attributes!.FifoQueue, "true");
});

test("a FIFO batch with an entry lacking MessageGroupId or MessageDeduplicationId fails as a whole", async () => {
  const sqs = server.client(SQSClient, { account: randomAccount() });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "b.fifo", Attributes: { FifoQueue: "true" } }));
  await rejects(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d1" },
          { Id: "b", MessageBody: "y", MessageDeduplicationId: "d2" },
        ],
      }),
    ),
    "InvalidParameterValue",
    400,
    "The request must contain the parameter MessageGroupId.",
  );
  await rejects(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d1" },
          { Id: "b", MessageBody: "y", MessageGroupId: "g" },
        ],
      }),
    ),
    "InvalidParameterValue",
    400,
    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
  );
  // Nothing of the refused batches was sent: the first entry's deduplication id is still free.
  const ok = await sqs.send(
    new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d1" }] }),
  );
  assert.equal(ok.Successful!.length, 1);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
  assert.equal(Attributes!.ApproximateNumberOfMessages, "1");
});

test("TagQueue with no tags and UntagQueue with no keys are refused", async () => {
  const sqs = server.client(SQSClient, { account: randomAccount() });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "t", tags: { team: "core" } }));
  await rejects(sqs.send(new TagQueueCommand({ QueueUrl, Tags: {} })), "MissingParameter", 400, "The request must contain the parameter Tags.");
  await rejects(
    sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: [] })),
    "InvalidParameterValue",
    400,
    "Tag keys must be between 1 and 128 characters in length.",
  );
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: "core" });
});

async function rawJson(account: string, operation: string, body: Record<string, unknown>) {
  const res = await fetch(server.url + "/", {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${operation}`,
      "x-amzn-query-mode": "true",
      authorization: scopeAuth("sqs", { accessKeyId: account, signature: "0" }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, queryError: res.headers.get("x-amzn-query-error"), doc: (await res.json()) as { __type: string; message?: string } };
}

test("JSON errors: __type is the full shape id (Coral's for unmodeled ones), x-amzn-query-error the query code", async () => {
  const account = randomAccount();
  const sqs = server.client(SQSClient, { account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "wire" }));

  const missing = await rawJson(account, "GetQueueUrl", { QueueName: "nope" });
  assert.deepEqual(missing, {
    status: 400,
    queryError: "AWS.SimpleQueueService.NonExistentQueue;Sender",
    doc: { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." },
  });
  const attr = await rawJson(account, "SetQueueAttributes", { QueueUrl, Attributes: { ContentBasedDeduplication: "true" } });
  assert.deepEqual(attr, {
    status: 400,
    queryError: "InvalidAttributeName;Sender",
    doc: { __type: "com.amazonaws.sqs#InvalidAttributeName", message: "Unknown Attribute ContentBasedDeduplication." },
  });
  const empty = await rawJson(account, "SendMessage", { QueueUrl, MessageBody: "" });
  assert.deepEqual(empty, {
    status: 400,
    queryError: "MissingParameter;Sender",
    doc: { __type: "com.amazon.coral.service#MissingRequiredParameterException", message: "The request must contain the parameter MessageBody." },
  });
  const wait = await rawJson(account, "ListQueues", { MaxResults: 0 });
  assert.equal(wait.queryError, "InvalidParameterValue;Sender");
  assert.equal(wait.doc.__type, "com.amazon.coral.service#InvalidParameterValueException");
  const batch = await rawJson(account, "SendMessageBatch", { QueueUrl, Entries: [{ Id: "bad id!", MessageBody: "x" }] });
  assert.equal(batch.queryError, "AWS.SimpleQueueService.InvalidBatchEntryId;Sender");
  assert.equal(batch.doc.__type, "com.amazonaws.sqs#InvalidBatchEntryId");

  // SDK v3 resolves the modeled ones to their classes and names the others by their query code.
  await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "bad id!", MessageBody: "x" }] })), "InvalidBatchEntryId", 400);
  await rejects(
    sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: "true" } })),
    "InvalidAttributeName",
    400,
    "Unknown Attribute FifoQueue.",
  );
  // A queue policy's explicit Deny: Coral's AccessDeniedException, query code AccessDenied.
  const arn = `arn:aws:sqs:us-east-1:${account}:wire`;
  const Policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "sqs:SendMessage", Resource: arn }] });
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy } }));
  const denied = await rawJson(account, "SendMessage", { QueueUrl, MessageBody: "x" });
  assert.equal(denied.status, 403);
  assert.equal(denied.queryError, "AccessDenied;Sender");
  assert.equal(denied.doc.__type, "com.amazon.coral.service#AccessDeniedException");
});

test("boto3 reports the query code as Error.Code and the JSON type as QueryErrorCode, as on AWS", { skip: pythonMissing() }, async () => {
  const account = randomAccount();
  const script = `
import boto3, json
from botocore.exceptions import ClientError
sqs = boto3.client("sqs", endpoint_url="${server.url}", region_name="us-east-1", aws_access_key_id="${account}", aws_secret_access_key="test")
url = sqs.create_queue(QueueName="py")["QueueUrl"]
out = {}
def grab(name, fn):
    try:
        fn()
        out[name] = None
    except ClientError as e:
        err = e.response["Error"]
        out[name] = [err["Code"], err.get("QueryErrorCode"), err["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
grab("missing", lambda: sqs.get_queue_url(QueueName="nope"))
grab("attr", lambda: sqs.create_queue(QueueName="std", Attributes={"FifoQueue": "false"}))
grab("empty", lambda: sqs.send_message(QueueUrl=url, MessageBody=""))
grab("param", lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11))
grab("batch", lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "bad id!", "MessageBody": "x"}]))
grab("exists", lambda: sqs.create_queue(QueueName="py", Attributes={"DelaySeconds": "2"}))
print(json.dumps(out))
`;
  const { stdout } = await run("python3", ["-c", script]);
  const r = JSON.parse(stdout);
  assert.deepEqual(r.missing, ["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "The specified queue does not exist.", 400]);
  assert.deepEqual(r.attr, ["InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute FifoQueue.", 400]);
  assert.deepEqual(r.empty, ["MissingParameter", "MissingRequiredParameterException", "The request must contain the parameter MessageBody.", 400]);
  assert.equal(r.param[0], "InvalidParameterValue");
  assert.equal(r.param[1], "InvalidParameterValueException");
  assert.deepEqual(r.batch.slice(0, 2), ["AWS.SimpleQueueService.InvalidBatchEntryId", "InvalidBatchEntryId"]);
  // LocalStack's AWS-recorded test_create_queue_with_different_attributes_raises_exception[sqs].
  assert.deepEqual(r.exists, [
    "QueueAlreadyExists",
    "QueueNameExists",
    "A queue already exists with the same name and a different value for attribute DelaySeconds",
    400,
  ]);
});
