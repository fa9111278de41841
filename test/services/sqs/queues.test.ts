// SQS queues through the real SDK v3 client (JSON 1.0): create/idempotency, URLs, listing and paging, attributes, tags, purge, delete.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { randomAccount, scopeAuth, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { eventually } from "../../helpers/wait.js";

const server = useServer();

const client = (account?: string) => server.client(SQSClient, { account });

test("create a queue, get its URL, read its default attributes, delete it", async () => {
  const sqs = client();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
  assert.match(QueueUrl!, /^http:\/\/127\.0\.0\.1:\d+\/\d{12}\/orders$/);
  const got = await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }));
  assert.equal(got.QueueUrl, QueueUrl);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  const account = QueueUrl!.split("/")[3];
  assert.equal(Attributes!.QueueArn, `arn:aws:sqs:us-east-1:${account}:orders`);
  assert.equal(Attributes!.VisibilityTimeout, "30");
  assert.equal(Attributes!.DelaySeconds, "0");
  assert.equal(Attributes!.MessageRetentionPeriod, "345600");
  assert.equal(Attributes!.MaximumMessageSize, "1048576");
  assert.equal(Attributes!.ReceiveMessageWaitTimeSeconds, "0");
  assert.equal(Attributes!.SqsManagedSseEnabled, "true");
  assert.equal(Attributes!.ApproximateNumberOfMessages, "0");
  assert.match(Attributes!.CreatedTimestamp!, /^\d{10}$/);
  assert.equal(Attributes!.FifoQueue, undefined);
  const some = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout"] }));
  assert.deepEqual(some.Attributes, { VisibilityTimeout: "30" });

  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  await rejects(sqs.send(new GetQueueUrlCommand({ QueueName: "orders" })), "QueueDoesNotExist", 400, "The specified queue does not exist.");
  await rejects(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] })), "QueueDoesNotExist", 400);
});

test("CreateQueue is idempotent with the same attributes and QueueAlreadyExists with different ones", async () => {
  const sqs = client();
  const a = await sqs.send(new CreateQueueCommand({ QueueName: "q1", Attributes: { VisibilityTimeout: "60" } }));
  const b = await sqs.send(new CreateQueueCommand({ QueueName: "q1", Attributes: { VisibilityTimeout: "60" } }));
  assert.equal(a.QueueUrl, b.QueueUrl);
  const c = await sqs.send(new CreateQueueCommand({ QueueName: "q1" }));
  assert.equal(c.QueueUrl, a.QueueUrl);
  await rejects(sqs.send(new CreateQueueCommand({ QueueName: "q1", Attributes: { VisibilityTimeout: "61" } })), "QueueNameExists", 400);
});

test("error codes carry the query API's name in x-amzn-query-error", async () => {
  const cfg = server.clientConfig();
  const res = await fetch(cfg.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "AmazonSQS.GetQueueUrl",
      authorization: scopeAuth("sqs", { accessKeyId: cfg.credentials.accessKeyId, signature: "0" }),
    },
    body: JSON.stringify({ QueueName: "nope" }),
  });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  const doc = (await res.json()) as { __type: string; message: string };
  assert.match(doc.__type, /QueueDoesNotExist$/);
});

test("FIFO queues need the .fifo suffix and FifoQueue=true together", async () => {
  const sqs = client();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "jobs.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(Attributes!.FifoQueue, "true");
  assert.equal(Attributes!.ContentBasedDeduplication, "true");
  assert.equal(Attributes!.DeduplicationScope, "queue");
  assert.equal(Attributes!.FifoThroughputLimit, "perQueue");
  await rejects(sqs.send(new CreateQueueCommand({ QueueName: "x.fifo" })), "InvalidParameterValue", 400);
  await rejects(sqs.send(new CreateQueueCommand({ QueueName: "x", Attributes: { FifoQueue: "true" } })), "InvalidParameterValue", 400);
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: "std", Attributes: { ContentBasedDeduplication: "true" } })),
    "InvalidAttributeName",
    400,
    "Unknown Attribute ContentBasedDeduplication.",
  );
  await rejects(sqs.send(new CreateQueueCommand({ QueueName: "bad name!" })), "InvalidParameterValue", 400);
});

test("attribute values are validated as AWS does", async () => {
  const sqs = client();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "v" }));
  await rejects(
    sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: "43201" } })),
    "InvalidAttributeValue",
    400,
    "Invalid value for the parameter VisibilityTimeout.",
  );
  await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: "abc" } })), "InvalidAttributeValue", 400);
  await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { MessageRetentionPeriod: "59" } })), "InvalidAttributeValue", 400);
  await rejects(
    sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { QueueArn: "x" } })),
    "InvalidAttributeName",
    400,
    "Unknown Attribute QueueArn.",
  );
  await rejects(
    sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:nope", maxReceiveCount: 3 }) },
      }),
    ),
    "InvalidParameterValue",
    400,
  );
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        VisibilityTimeout: "5",
        DelaySeconds: "10",
        ReceiveMessageWaitTimeSeconds: "20",
        MaximumMessageSize: "2048",
        Policy: '{"Version":"2012-10-17","Statement":[]}',
      },
    }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ["VisibilityTimeout", "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize", "Policy"],
    }),
  );
  assert.deepEqual(Attributes, {
    VisibilityTimeout: "5",
    DelaySeconds: "10",
    ReceiveMessageWaitTimeSeconds: "20",
    MaximumMessageSize: "2048",
    Policy: '{"Version":"2012-10-17","Statement":[]}',
  });
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { KmsMasterKeyId: "alias/aws/sqs" } }));
  const kms = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["KmsMasterKeyId", "SqsManagedSseEnabled"] }));
  assert.deepEqual(kms.Attributes, { KmsMasterKeyId: "alias/aws/sqs", SqsManagedSseEnabled: "false" });
});

test("ListQueues filters by prefix and pages with MaxResults/NextToken; accounts are isolated", async () => {
  const sqs = client();
  for (const n of ["a1", "a2", "a3", "b1"]) await sqs.send(new CreateQueueCommand({ QueueName: n }));
  const all = await sqs.send(new ListQueuesCommand({}));
  assert.equal(all.QueueUrls!.length, 4);
  assert.equal(all.NextToken, undefined);
  const pref = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "a" }));
  assert.deepEqual(
    pref.QueueUrls!.map((u) => u.split("/").pop()),
    ["a1", "a2", "a3"],
  );
  const seen: string[] = [];
  let NextToken: string | undefined;
  do {
    const p = await sqs.send(new ListQueuesCommand({ MaxResults: 3, NextToken }));
    seen.push(...p.QueueUrls!.map((u) => u.split("/").pop()!));
    NextToken = p.NextToken;
  } while (NextToken);
  assert.deepEqual(seen, ["a1", "a2", "a3", "b1"]);
  const other = await client().send(new ListQueuesCommand({}));
  assert.equal(other.QueueUrls, undefined);
});

test("tags on create, TagQueue, UntagQueue, ListQueueTags", async () => {
  const sqs = client();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "t", tags: { team: "core", env: "dev" } }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: "core", env: "dev" });
  await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: "prod", cost: "1" } }));
  await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["team"] }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { env: "prod", cost: "1" });
});

test("PurgeQueue empties the queue and refuses a second purge within 60 seconds", async () => {
  const sqs = client();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "p" }));
  for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
  assert.equal(Attributes!.ApproximateNumberOfMessages, "0");
  await rejects(sqs.send(new PurgeQueueCommand({ QueueUrl })), "PurgeQueueInProgress", 403, "Only one PurgeQueue operation on p is allowed every 60 seconds.");
});

test("a queue URL is accepted in LocalStack's host form and resolved by account and name", async () => {
  const sqs = client();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "hosty" }));
  const account = QueueUrl!.split("/")[3];
  const alt = `http://sqs.us-east-1.localhost.localstack.cloud:4566/${account}/hosty`;
  await sqs.send(new SendMessageCommand({ QueueUrl: alt, MessageBody: "x" }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: `https://sqs.us-east-1.amazonaws.com/${account}/hosty`, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  assert.equal(Attributes!.ApproximateNumberOfMessages, "1");
});

test("a queue made in-process (CloudFormation's Ref) has a URL on this server, which the SDK can use as its endpoint", async () => {
  const account = randomAccount();
  const cfn = server.client(CloudFormationClient, { account });
  await cfn.send(
    new CreateStackCommand({
      StackName: "q",
      TemplateBody: JSON.stringify({ Resources: { Q: { Type: "AWS::SQS::Queue" } }, Outputs: { Url: { Value: { Ref: "Q" } } } }),
    }),
  );
  const url = await eventually(async () => {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: "q" }));
    assert.equal(Stacks![0].StackStatus, "CREATE_COMPLETE");
    return Stacks![0].Outputs![0].OutputValue!;
  });
  assert.match(url, new RegExp(`^${server.url}/${account}/q-Q-\\w+$`));
  // A client with no endpoint of its own (as in a Lambda function) reaches the queue: the SDK sends to the QueueUrl's host.
  const { endpoint: _, ...config } = server.clientConfig({ account });
  const elsewhere = new SQSClient({ ...config, maxAttempts: 1 });
  await elsewhere.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "via the queue URL" }));
  const { Messages } = await client(account).send(new ReceiveMessageCommand({ QueueUrl: url }));
  assert.equal(Messages![0].Body, "via the queue URL");
});
