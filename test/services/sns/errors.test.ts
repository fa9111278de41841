// SNS's refusals as AWS words them: a tag key twice in one request (TagResource, CreateTopic), and a malformed
// topic ARN refused by its syntax before any lookup.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishCommand,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";
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

// LocalStack's AWS-recorded tests/aws/services/sns/test_sns.snapshot.json: test_get_topic_attributes…,
// test_unsubscribe_wrong_arn_format, test_subscribe_with_invalid_topic, test_publish_wrong_arn_format.
test("malformed topic and subscription ARNs and missing required members are InvalidParameter, before any lookup", async () => {
  const sns = snsClient(server, randomAccount());
  const bad = (elements: number, param = "TopicArn") => `Invalid parameter: ${param} Reason: An ARN must have at least 6 elements, not ${elements}`;
  await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: "test-topic" })), "InvalidParameterException", 400, bad(1));
  await rejects(sns.send(new UnsubscribeCommand({ SubscriptionArn: "randomstring" })), "InvalidParameterException", 400, bad(1, "SubscriptionArn"));
  await rejects(
    sns.send(new UnsubscribeCommand({ SubscriptionArn: "arn:aws:sns:us-east-1:random" })),
    "InvalidParameterException",
    400,
    bad(5, "SubscriptionArn"),
  );
  await rejects(
    sns.send(new UnsubscribeCommand({ SubscriptionArn: "arn:aws:sns:us-east-1:111111111111:random" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: SubscriptionId",
  );
  await rejects(
    sns.send(new UnsubscribeCommand({} as { SubscriptionArn: string })),
    "InvalidParameterException",
    400,
    "Invalid parameter: SubscriptionArn Reason: no value for required parameter",
  );
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn: "randomstring", Protocol: "email", Endpoint: "a@example.com" })),
    "InvalidParameterException",
    400,
    bad(1),
  );
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn: "arn:aws:sns:us-east-1:random", Protocol: "email", Endpoint: "a@example.com" })),
    "InvalidParameterException",
    400,
    bad(5),
  );
  await rejects(sns.send(new PublishCommand({ TopicArn: "randomstring", Message: "m" })), "InvalidParameterException", 400, bad(1));
  await rejects(sns.send(new PublishCommand({ TopicArn: "randomstring:1", Message: "m" })), "InvalidParameterException", 400, bad(2));
  await rejects(sns.send(new PublishCommand({ TopicArn: "", Message: "m" })), "InvalidParameterException", 400, bad(1));
});

test("boto3 sees InvalidParameter for a duplicated tag key, as AWS answers it", { skip: pythonMissing() }, async () => {
  const account = randomAccount();
  const script = `
import boto3, json
from botocore.exceptions import ClientError
sns = boto3.client("sns", endpoint_url="${server.url}", region_name="us-east-1", aws_access_key_id="${account}", aws_secret_access_key="test")
arn = sns.create_topic(Name="py")["TopicArn"]
try:
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}, {"Key": "k2", "Value": "v2"}])
    print(json.dumps(None))
except ClientError as e:
    print(json.dumps([e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["Error"].get("Type"), e.response["ResponseMetadata"]["HTTPStatusCode"]]))
`;
  const { stdout } = await run("python3", ["-c", script]);
  assert.deepEqual(JSON.parse(stdout), ["InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.", "Sender", 400]);
});
