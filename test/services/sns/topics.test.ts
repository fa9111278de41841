// SNS topics through the real SDK v3 client: create (standard, FIFO, idempotent), attributes, tags, paging, errors, restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  SetTopicAttributesCommand,
  TagResourceCommand,
  UntagResourceCommand,
  SubscribeCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
} from "@aws-sdk/client-sns";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { snsClient } from "./setup.js";

const server = useServer();

test("create, get attributes, set attributes, list and delete a topic", async () => {
  const account = randomAccount();
  const sns = snsClient(server, account);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "orders", Attributes: { DisplayName: "Orders" } }));
  assert.equal(TopicArn, `arn:aws:sns:us-east-1:${account}:orders`);
  // Idempotent: same name, same answer.
  assert.equal((await sns.send(new CreateTopicCommand({ Name: "orders" }))).TopicArn, TopicArn);

  const { Attributes: a } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
  assert.equal(a!.TopicArn, TopicArn);
  assert.equal(a!.Owner, account);
  assert.equal(a!.DisplayName, "Orders");
  assert.equal(a!.SubscriptionsConfirmed, "0");
  assert.equal(a!.SubscriptionsPending, "0");
  assert.equal(a!.SubscriptionsDeleted, "0");
  assert.equal(JSON.parse(a!.Policy!).Statement[0].Resource, TopicArn);
  assert.equal(JSON.parse(a!.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries, 3);
  assert.equal(a!.FifoTopic, undefined);

  const policy = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 1, maxDelayTarget: 10 } } });
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DeliveryPolicy", AttributeValue: policy }));
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "KmsMasterKeyId", AttributeValue: "alias/aws/sns" }));
  const b = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
  assert.equal(b.DeliveryPolicy, policy);
  assert.equal(b.KmsMasterKeyId, "alias/aws/sns");
  assert.equal(JSON.parse(b.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries, 5);

  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "a@example.com" }));
  assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.SubscriptionsPending, "1");

  assert.deepEqual((await sns.send(new ListTopicsCommand({}))).Topics, [{ TopicArn }]);
  await sns.send(new DeleteTopicCommand({ TopicArn }));
  await sns.send(new DeleteTopicCommand({ TopicArn })); // deleting a missing topic is not an error
  assert.deepEqual((await sns.send(new ListTopicsCommand({}))).Topics, []);
  await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn })), "NotFoundException", 404, "Topic does not exist");
});

test("FIFO topics: .fifo names, FifoTopic and ContentBasedDeduplication", async () => {
  const sns = snsClient(server);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "jobs.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
  const a = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
  assert.equal(a.FifoTopic, "true");
  assert.equal(a.ContentBasedDeduplication, "true");
  await rejects(
    sns.send(new CreateTopicCommand({ Name: "jobs", Attributes: { FifoTopic: "true" } })),
    "InvalidParameterException",
    400,
    /Fifo Topic names must end with \.fifo/,
  );
  await rejects(sns.send(new CreateTopicCommand({ Name: "plain.fifo" })), "InvalidParameterException", 400, "Invalid parameter: Topic Name");
  await rejects(
    sns.send(new CreateTopicCommand({ Name: "std", Attributes: { ContentBasedDeduplication: "true" } })),
    "InvalidParameterException",
    400,
    /Content-based deduplication can only be set for FIFO topics/,
  );
  await rejects(
    sns.send(new CreateTopicCommand({ Name: "jobs.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "false" } })),
    "InvalidParameterException",
    400,
    "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
  );
});

test("bad input answers InvalidParameter / NotFound as AWS words it", async () => {
  const sns = snsClient(server);
  await rejects(sns.send(new CreateTopicCommand({ Name: "has space" })), "InvalidParameterException", 400, "Invalid parameter: Topic Name");
  // AWS gives the reason when the value is not an ARN at all (SNS's answer to Publish in
  // github.com/aws-samples/amazon-rekognition-video-analyzer/issues/41).
  const notArn = (n: number) => `Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not ${n}`;
  await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: "not-an-arn" })), "InvalidParameterException", 400, notArn(1));
  await rejects(sns.send(new PublishCommand({ TopicArn: "my-topic", Message: "m" })), "InvalidParameterException", 400, notArn(1));
  await rejects(sns.send(new DeleteTopicCommand({ TopicArn: "arn:aws:sns" })), "InvalidParameterException", 400, notArn(3));
  // Six elements but not a topic: the bare wording.
  await rejects(
    sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sqs:us-east-1:123456789012:q" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: TopicArn",
  );
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "t1" }));
  await rejects(
    sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Bogus", AttributeValue: "x" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: AttributeName",
  );
  await rejects(sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: "{nope" })), "InvalidParameterException", 400);
  // Another account's identically named topic is invisible.
  await rejects(snsClient(server).send(new GetTopicAttributesCommand({ TopicArn })), "NotFoundException", 404, "Topic does not exist");
  await rejects(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TopicArn!.replace("t1", "t2") })), "NotFoundException", 404);
});

test("tags: tag, untag, list, limits, unknown resource", async () => {
  const sns = snsClient(server);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "tagged", Tags: [{ Key: "env", Value: "dev" }] }));
  await sns.send(
    new TagResourceCommand({
      ResourceArn: TopicArn,
      Tags: [
        { Key: "team", Value: "core" },
        { Key: "env", Value: "prod" },
      ],
    }),
  );
  const tags = (await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags!;
  assert.deepEqual(
    tags.sort((x, y) => x.Key!.localeCompare(y.Key!)),
    [
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "core" },
    ],
  );
  await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ["env"] }));
  assert.deepEqual((await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags, [{ Key: "team", Value: "core" }]);
  const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
  await rejects(sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: many })), "TagLimitExceededException", 400);
  await rejects(
    sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn!.replace("tagged", "missing") })),
    "ResourceNotFoundException",
    404,
    "Resource does not exist",
  );
  await rejects(
    sns.send(new CreateTopicCommand({ Name: "tagged", Tags: [{ Key: "other", Value: "x" }] })),
    "InvalidParameterException",
    400,
    "Invalid parameter: Tags Reason: Topic already exists with different tags",
  );
});

test("ListTopics pages 100 at a time with an opaque NextToken", async () => {
  const sns = snsClient(server);
  for (let i = 0; i < 105; i++) await sns.send(new CreateTopicCommand({ Name: `t-${String(i).padStart(3, "0")}` }));
  const first = await sns.send(new ListTopicsCommand({}));
  assert.equal(first.Topics!.length, 100);
  assert.ok(first.NextToken);
  const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
  assert.equal(second.Topics!.length, 5);
  assert.equal(second.NextToken, undefined);
  assert.equal(new Set([...first.Topics!, ...second.Topics!].map((t) => t.TopicArn)).size, 105);
  await rejects(sns.send(new ListTopicsCommand({ NextToken: "garbage!" })), "InvalidParameterException", 400);
});

test("restart: topics, attributes, tags and subscriptions survive on the same data dir", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-sns-"));
  const account = randomAccount();
  try {
    const first = await startTestServer({ dataDir: dir });
    const s1 = snsClient(first, account);
    const { TopicArn } = await s1.send(new CreateTopicCommand({ Name: "durable", Attributes: { DisplayName: "D" }, Tags: [{ Key: "k", Value: "v" }] }));
    const { SubscriptionArn } = await s1.send(new SubscribeCommand({ TopicArn, Protocol: "sms", Endpoint: "+15555550100", ReturnSubscriptionArn: true }));
    await first.close();

    const second = await startTestServer({ dataDir: dir });
    try {
      const s2 = snsClient(second, account);
      assert.equal((await s2.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.DisplayName, "D");
      assert.deepEqual((await s2.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags, [{ Key: "k", Value: "v" }]);
      const subs = (await s2.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!;
      assert.deepEqual(
        subs.map((s) => s.SubscriptionArn),
        [SubscriptionArn],
      );
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
