// SNS's refusals as AWS words them: a tag key twice in one request (TagResource, CreateTopic), and a malformed
// topic ARN refused by its syntax before any lookup.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateTopicCommand, GetTopicAttributesCommand, ListTagsForResourceCommand, ListTopicsCommand, TagResourceCommand } from "@aws-sdk/client-sns";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { snsClient } from "./setup.js";

const server = useServer();

test("a tag key twice in one request is InvalidParameter 'Duplicated keys are not allowed.'", async () => {
  const sns = snsClient(server, randomAccount());
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "tags", Tags: [{ Key: "team", Value: "core" }] }));
  const twice = [
    { Key: "k1", Value: "v1" },
    { Key: "k2", Value: "v2" },
    { Key: "k2", Value: "v2" },
  ];
  const message = "Invalid parameter: Duplicated keys are not allowed.";
  await rejects(sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: twice })), "InvalidParameterException", 400, message);
  assert.deepEqual((await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags, [{ Key: "team", Value: "core" }]);
  await rejects(sns.send(new CreateTopicCommand({ Name: "other", Tags: twice })), "InvalidParameterException", 400, message);
  const { Topics } = await sns.send(new ListTopicsCommand({}));
  assert.deepEqual(
    Topics!.map((t) => t.TopicArn),
    [TopicArn],
  );
});

test("a malformed topic ARN is InvalidParameter, before any lookup", async () => {
  const sns = snsClient(server, randomAccount());
  await rejects(
    sns.send(new GetTopicAttributesCommand({ TopicArn: "test-topic" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
  );
});
