// KMS's refusals as AWS words them: a tag key twice in one request, more than 50 tags on CreateKey, another
// region's key ARN, and malformed key ids refused by their syntax before any lookup.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KMSClient, CreateKeyCommand, DescribeKeyCommand, ListResourceTagsCommand, TagResourceCommand } from "@aws-sdk/client-kms";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

test("a tag key twice in one request is TagException 'Duplicate tag keys' (TagResource and CreateKey)", async () => {
  const kms = server.client(KMSClient, { account: randomAccount() });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Tags: [{ TagKey: "team", TagValue: "core" }] }));
  const KeyId = KeyMetadata!.KeyId!;
  const twice = [
    { TagKey: "tag1", TagValue: "value1" },
    { TagKey: "tag1", TagValue: "another-value1" },
  ];
  await rejects(kms.send(new TagResourceCommand({ KeyId, Tags: twice })), "TagException", 400, "Duplicate tag keys");
  await rejects(kms.send(new CreateKeyCommand({ Tags: twice })), "TagException", 400, "Duplicate tag keys");
  assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId }))).Tags, [{ TagKey: "team", TagValue: "core" }]);
  const many = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: `v${i}` }));
  await rejects(kms.send(new CreateKeyCommand({ Tags: many })), "TagException", 400, "Too many tags");
});

test("another region's key ARN is 'Invalid arn <region>'; malformed ids are refused before any lookup", async () => {
  const account = randomAccount();
  const east = server.client(KMSClient, { account });
  const west = server.client(KMSClient, { account, region: "us-west-2" });
  const { KeyMetadata } = await west.send(new CreateKeyCommand({}));
  await rejects(east.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.Arn! })), "NotFoundException", 400, "Invalid arn us-west-2");
  await rejects(
    east.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId! })),
    "NotFoundException",
    400,
    `Key 'arn:aws:kms:us-east-1:${account}:key/${KeyMetadata!.KeyId}' does not exist`,
  );
  assert.equal((await west.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.Arn! }))).KeyMetadata!.KeyId, KeyMetadata!.KeyId);
  await rejects(east.send(new DescribeKeyCommand({ KeyId: "fake-key-id" })), "NotFoundException", 400, "Invalid keyId 'fake-key-id'");
  await rejects(east.send(new DescribeKeyCommand({ KeyId: "mrk-fake-key-id" })), "NotFoundException", 400, "Invalid keyId 'mrk-fake-key-id'");
});

test("boto3 sees TagException 'Duplicate tag keys'", { skip: pythonMissing() }, async () => {
  const account = randomAccount();
  const script = `
import boto3, json
from botocore.exceptions import ClientError
kms = boto3.client("kms", endpoint_url="${server.url}", region_name="us-east-1", aws_access_key_id="${account}", aws_secret_access_key="test")
key = kms.create_key()["KeyMetadata"]["KeyId"]
try:
    kms.tag_resource(KeyId=key, Tags=[{"TagKey": "tag1", "TagValue": "value1"}, {"TagKey": "tag1", "TagValue": "another-value1"}])
    print(json.dumps(None))
except ClientError as e:
    print(json.dumps([e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]))
`;
  const { stdout } = await run("python3", ["-c", script]);
  assert.deepEqual(JSON.parse(stdout), ["TagException", "Duplicate tag keys", 400]);
});
