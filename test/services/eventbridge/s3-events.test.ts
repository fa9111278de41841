// S3 → EventBridge: a bucket whose notification configuration has EventBridgeConfiguration sends AWS's S3 events
// (source aws.s3, "Object Created", "Object Deleted", "Object Tags Added", "Object ACL Updated", AWS's detail) to the
// default bus, where a rule delivers them to SQS; a bucket without it sends nothing. The bucket is driven by boto3
// in one test, to show the same events from another SDK.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { useServer } from "../../helpers/server.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { clients, queue, receive } from "./setup.js";

const server = useServer();

async function s3Setup(bucket: string) {
  const c = clients(server);
  const s3 = server.client(S3Client, { account: c.account }, { forcePathStyle: true });
  const q = await queue(c, `${bucket}-events`);
  await c.eb.send(new PutRuleCommand({ Name: "s3", EventPattern: JSON.stringify({ source: ["aws.s3"], detail: { bucket: { name: [bucket] } } }) }));
  await c.eb.send(new PutTargetsCommand({ Rule: "s3", Targets: [{ Id: "q", Arn: q.arn }] }));
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return { c, s3, q };
}

test("a bucket with EventBridgeConfiguration sends Object Created / Deleted / Tags Added / ACL Updated to the default bus", async () => {
  const { c, s3, q } = await s3Setup("eb-bucket");
  await s3.send(new PutBucketVersioningCommand({ Bucket: "eb-bucket", VersioningConfiguration: { Status: "Enabled" } }));
  await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "eb-bucket", NotificationConfiguration: { EventBridgeConfiguration: {} } }));

  const put = await s3.send(new PutObjectCommand({ Bucket: "eb-bucket", Key: "a b.txt", Body: "hello" }));
  const [created] = await receive(c, q.url);
  const e = JSON.parse(created.Body!);
  assert.equal(e["detail-type"], "Object Created");
  assert.equal(e.source, "aws.s3");
  assert.equal(e.account, c.account);
  assert.equal(e.region, "us-east-1");
  assert.deepEqual(e.resources, ["arn:aws:s3:::eb-bucket"]);
  const { sequencer, ...object } = e.detail.object;
  assert.deepEqual(object, { key: "a b.txt", size: 5, etag: put.ETag!.replace(/"/g, ""), "version-id": put.VersionId });
  assert.match(sequencer, /^[0-9A-F]+$/);
  assert.equal(e.detail.version, "0");
  assert.deepEqual(e.detail.bucket, { name: "eb-bucket" });
  assert.equal(e.detail.reason, "PutObject");
  assert.equal(e.detail.requester, c.account);
  assert.ok(e.detail["request-id"]);
  assert.ok(e.detail["source-ip-address"]);

  await s3.send(new PutObjectTaggingCommand({ Bucket: "eb-bucket", Key: "a b.txt", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
  await s3.send(new PutObjectAclCommand({ Bucket: "eb-bucket", Key: "a b.txt", ACL: "private" }));
  const [tagged, acl] = await receive(c, q.url, 2);
  const types = [tagged, acl].map((m) => JSON.parse(m.Body!)["detail-type"]).sort();
  assert.deepEqual(types, ["Object ACL Updated", "Object Tags Added"]);

  // Versioned: a delete without a version id makes a delete marker; with one, the version goes for good.
  await s3.send(new DeleteObjectCommand({ Bucket: "eb-bucket", Key: "a b.txt" }));
  const marker = JSON.parse((await receive(c, q.url))[0].Body!);
  assert.equal(marker["detail-type"], "Object Deleted");
  assert.equal(marker.detail.reason, "DeleteObject");
  assert.equal(marker.detail["deletion-type"], "Delete Marker Created");
  await s3.send(new DeleteObjectCommand({ Bucket: "eb-bucket", Key: "a b.txt", VersionId: put.VersionId }));
  const gone = JSON.parse((await receive(c, q.url))[0].Body!);
  assert.equal(gone.detail["deletion-type"], "Permanently Deleted");
  assert.equal(gone.detail.object["version-id"], put.VersionId);
});

test("a bucket without EventBridgeConfiguration sends nothing to the bus", async () => {
  const { c, s3, q } = await s3Setup("quiet-bucket");
  await s3.send(new PutObjectCommand({ Bucket: "quiet-bucket", Key: "k", Body: "x" }));
  await s3.send(new DeleteObjectCommand({ Bucket: "quiet-bucket", Key: "k" }));
  const r = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 1 }));
  assert.equal(r.Messages, undefined);
});

const BOTO3 = `
import sys, boto3
url, account = sys.argv[1:3]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
s3.put_bucket_notification_configuration(Bucket="py-eb", NotificationConfiguration={"EventBridgeConfiguration": {}})
print(s3.get_bucket_notification_configuration(Bucket="py-eb").get("EventBridgeConfiguration"))
s3.put_object(Bucket="py-eb", Key="from-python", Body=b"abc")
s3.delete_object(Bucket="py-eb", Key="from-python")
`;

test("boto3: put_bucket_notification_configuration with EventBridgeConfiguration, then a put and a delete", { skip: pythonMissing(["boto3"]) }, async () => {
  const { c, q } = await s3Setup("py-eb");
  const env = { ...process.env, AWS_EC2_METADATA_DISABLED: "true" };
  const out = await run("python3", ["-c", BOTO3, server.url, c.account], { env, timeout: 60_000 });
  assert.equal(out.stdout.trim(), "{}");
  const events = (await receive(c, q.url, 2)).map((m) => JSON.parse(m.Body!));
  const byType = Object.fromEntries(events.map((x) => [x["detail-type"], x.detail]));
  assert.equal(byType["Object Created"].object.key, "from-python");
  assert.equal(byType["Object Created"].object.size, 3);
  assert.equal(byType["Object Deleted"].reason, "DeleteObject");
  assert.equal(byType["Object Deleted"]["deletion-type"], "Permanently Deleted");
});
