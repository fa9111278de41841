// Bucket configuration through the real SDK v3 client: policy, CORS (and the rule matcher), tagging, lifecycle
// (applied by the sweep when a ManualClock moves), and event notifications delivered to a real SQS queue.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  PutBucketPolicyCommand,
  GetBucketPolicyCommand,
  DeleteBucketPolicyCommand,
  PutBucketCorsCommand,
  GetBucketCorsCommand,
  DeleteBucketCorsCommand,
  PutBucketTaggingCommand,
  GetBucketTaggingCommand,
  DeleteBucketTaggingCommand,
  PutBucketLifecycleConfigurationCommand,
  GetBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  DeleteObjectCommand,
  CopyObjectCommand,
  PutBucketVersioningCommand,
  ListObjectVersionsCommand,
  HeadBucketCommand,
} from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { SNSClient, CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { ManualClock } from "../../../src/core/clock.js";
import { matchCorsRule } from "../../../src/services/s3/cors.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { eventually } from "../../helpers/wait.js";

const clock = new ManualClock(Date.UTC(2030, 0, 1, 12));
const server = useServer({ clock });

const s3 = (account?: string) => server.client(S3Client, { account }, { forcePathStyle: true });
async function bucket(c: S3Client): Promise<string> {
  const b = `cfg-${Math.random().toString(36).slice(2, 10)}`;
  await c.send(new CreateBucketCommand({ Bucket: b }));
  return b;
}

test("bucket policy: validated, stored as sent, NoSuchBucketPolicy; it can open the bucket to another account", async () => {
  const c = s3();
  const b = await bucket(c);
  await rejects(c.send(new GetBucketPolicyCommand({ Bucket: b })), "NoSuchBucketPolicy", 404, "The bucket policy does not exist");
  await rejects(c.send(new PutBucketPolicyCommand({ Bucket: b, Policy: "not json" })), "MalformedPolicy", 400);
  const other = randomAccount();
  const bad = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::other-bucket/*" }],
  });
  await rejects(c.send(new PutBucketPolicyCommand({ Bucket: b, Policy: bad })), "MalformedPolicy", 400, "Policy has invalid resource");
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${other}:root` }, Action: "s3:*", Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`] }],
  });
  await rejects(s3(other).send(new HeadBucketCommand({ Bucket: b })), "Unknown", 403);
  await c.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy }));
  assert.equal((await c.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy, policy);
  await s3(other).send(new HeadBucketCommand({ Bucket: b }));
  await c.send(new DeleteBucketPolicyCommand({ Bucket: b }));
  await rejects(c.send(new GetBucketPolicyCommand({ Bucket: b })), "NoSuchBucketPolicy", 404);
});

test("CORS: put, get, delete, validation, and the rule matcher", async () => {
  const c = s3();
  const b = await bucket(c);
  await rejects(c.send(new GetBucketCorsCommand({ Bucket: b })), "NoSuchCORSConfiguration", 404, "The CORS configuration does not exist");
  const rules = [
    {
      AllowedOrigins: ["https://*.example.com"],
      AllowedMethods: ["GET", "PUT"],
      AllowedHeaders: ["x-amz-*", "content-type"],
      ExposeHeaders: ["ETag"],
      MaxAgeSeconds: 300,
    },
    { AllowedOrigins: ["*"], AllowedMethods: ["GET"] },
  ];
  await c.send(new PutBucketCorsCommand({ Bucket: b, CORSConfiguration: { CORSRules: rules } }));
  const got = await c.send(new GetBucketCorsCommand({ Bucket: b }));
  assert.deepEqual(got.CORSRules, rules);
  assert.equal(matchCorsRule(got.CORSRules, "https://app.example.com", "PUT", ["X-Amz-Date", "Content-Type"]), got.CORSRules![0]);
  assert.equal(matchCorsRule(got.CORSRules, "https://other.org", "GET"), got.CORSRules![1]);
  assert.equal(matchCorsRule(got.CORSRules, "https://other.org", "PUT"), undefined);
  assert.equal(matchCorsRule(got.CORSRules, "https://app.example.com", "PUT", ["authorization"]), undefined);
  await rejects(
    c.send(new PutBucketCorsCommand({ Bucket: b, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["PATCH"] }] } })),
    "InvalidRequest",
    400,
  );
  await c.send(new DeleteBucketCorsCommand({ Bucket: b }));
  await rejects(c.send(new GetBucketCorsCommand({ Bucket: b })), "NoSuchCORSConfiguration", 404);
});

test("bucket tagging: NoSuchTagSet, put, get, delete", async () => {
  const c = s3();
  const b = await bucket(c);
  await rejects(c.send(new GetBucketTaggingCommand({ Bucket: b })), "NoSuchTagSet", 404, "The TagSet does not exist");
  const put = await c.send(new PutBucketTaggingCommand({ Bucket: b, Tagging: { TagSet: [{ Key: "env", Value: "dev" }] } }));
  // 204 No Content, as S3 answers (the model says 200).
  assert.equal(put.$metadata.httpStatusCode, 204);
  assert.deepEqual((await c.send(new GetBucketTaggingCommand({ Bucket: b }))).TagSet, [{ Key: "env", Value: "dev" }]);
  await rejects(
    c.send(
      new PutBucketTaggingCommand({
        Bucket: b,
        Tagging: {
          TagSet: [
            { Key: "a", Value: "1" },
            { Key: "a", Value: "2" },
          ],
        },
      }),
    ),
    "InvalidTag",
    400,
  );
  await c.send(new DeleteBucketTaggingCommand({ Bucket: b }));
  await rejects(c.send(new GetBucketTaggingCommand({ Bucket: b })), "NoSuchTagSet", 404);
});

test("lifecycle: stored as AWS returns it, and expiration applied when the clock moves", async () => {
  const c = s3();
  const b = await bucket(c);
  await rejects(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })), "NoSuchLifecycleConfiguration", 404);
  await rejects(
    c.send(
      new PutBucketLifecycleConfigurationCommand({ Bucket: b, LifecycleConfiguration: { Rules: [{ ID: "x", Status: "Enabled", Filter: { Prefix: "" } }] } }),
    ),
    "InvalidRequest",
    400,
  );
  await rejects(
    c.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: b,
        LifecycleConfiguration: { Rules: [{ ID: "x", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 0 } }] },
      }),
    ),
    "InvalidArgument",
    400,
  );
  const rules = [
    { ID: "tmp", Status: "Enabled" as const, Filter: { Prefix: "tmp/" }, Expiration: { Days: 1 } },
    { ID: "tagged", Status: "Enabled" as const, Filter: { Tag: { Key: "expire", Value: "yes" } }, Expiration: { Days: 3 } },
  ];
  const put = await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: b,
      LifecycleConfiguration: { Rules: rules },
      TransitionDefaultMinimumObjectSize: "varies_by_storage_class",
    }),
  );
  assert.equal(put.TransitionDefaultMinimumObjectSize, "varies_by_storage_class");
  const got = await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }));
  // The minimum object size the configuration named is kept (S3's default, all_storage_classes_128K, when not given).
  assert.equal(got.TransitionDefaultMinimumObjectSize, "varies_by_storage_class");
  assert.deepEqual(
    got.Rules!.map((r) => [r.ID, r.Status, r.Filter?.Prefix, r.Expiration?.Days]),
    [
      ["tmp", "Enabled", "tmp/", 1],
      ["tagged", "Enabled", undefined, 3],
    ],
  );
  for (const k of ["tmp/a", "keep/b"]) await c.send(new PutObjectCommand({ Bucket: b, Key: k, Body: k }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: "t", Body: "t", Tagging: "expire=yes" }));
  const keys = async () => ((await c.send(new ListObjectsV2Command({ Bucket: b }))).Contents ?? []).map((o) => o.Key);
  clock.advance(2 * 86_400_000);
  assert.deepEqual(await keys(), ["keep/b", "t"]);
  clock.advance(2 * 86_400_000);
  assert.deepEqual(await keys(), ["keep/b"]);
});

test("lifecycle noncurrent version expiration", async () => {
  const c = s3();
  const b = await bucket(c);
  await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled" } }));
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: b,
      LifecycleConfiguration: { Rules: [{ ID: "nc", Status: "Enabled", Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }] },
    }),
  );
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "1" }));
  const v2 = await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "2" }));
  clock.advance(2 * 86_400_000);
  const vs = await c.send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    vs.Versions!.map((v) => v.VersionId),
    [v2.VersionId],
  );
});

test("notifications: config round-trip, s3:TestEvent, ObjectCreated/ObjectRemoved events to SQS with filters", async () => {
  const account = randomAccount();
  const c = s3(account);
  const sqs = server.client(SQSClient, { account });
  const b = await bucket(c);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `events-${Math.random().toString(36).slice(2, 8)}` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const QueueArn = Attributes!.QueueArn!;
  await rejects(
    c.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: b,
        NotificationConfiguration: { QueueConfigurations: [{ QueueArn: QueueArn + "-missing", Events: ["s3:ObjectCreated:*"] }] },
      }),
    ),
    "InvalidArgument",
    400,
  );
  await c.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: b,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: "cfg",
            QueueArn,
            Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: "prefix", Value: "in/" },
                  { Name: "suffix", Value: ".txt" },
                ],
              },
            },
          },
        ],
      },
    }),
  );
  const conf = await c.send(new GetBucketNotificationConfigurationCommand({ Bucket: b }));
  assert.equal(conf.QueueConfigurations![0].Id, "cfg");
  assert.deepEqual(conf.QueueConfigurations![0].Events, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]);

  // Deliveries are asynchronous: poll (real time; long polls would wait on the ManualClock) until n arrived.
  const receive = async (n: number) => {
    const out: any[] = [];
    await eventually(async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      out.push(...(r.Messages ?? []).map((m) => JSON.parse(m.Body!)));
      assert.ok(out.length >= n, `${out.length} of ${n} events`);
    });
    return out;
  };
  const [testEvent] = await receive(1);
  assert.equal(testEvent.Event, "s3:TestEvent");
  assert.equal(testEvent.Bucket, b);

  const put = await c.send(new PutObjectCommand({ Bucket: b, Key: "in/a file.txt", Body: "hello" }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: "in/skip.bin", Body: "x" })); // filtered out by suffix
  await c.send(new CopyObjectCommand({ Bucket: b, Key: "in/copy.txt", CopySource: `${b}/in/a%20file.txt` }));
  await c.send(new DeleteObjectCommand({ Bucket: b, Key: "in/a file.txt" }));
  const events = (await receive(3)).map((e) => e.Records[0]);
  assert.deepEqual(events.map((r) => r.eventName).sort(), ["ObjectCreated:Copy", "ObjectCreated:Put", "ObjectRemoved:Delete"]);
  const created = events.find((r) => r.eventName === "ObjectCreated:Put");
  assert.equal(created.eventVersion, "2.1");
  assert.equal(created.eventSource, "aws:s3");
  assert.equal(created.awsRegion, "us-east-1");
  assert.equal(created.s3.s3SchemaVersion, "1.0");
  assert.equal(created.s3.configurationId, "cfg");
  assert.equal(created.s3.bucket.name, b);
  assert.equal(created.s3.bucket.arn, `arn:aws:s3:::${b}`);
  assert.equal(created.s3.object.key, "in/a+file.txt");
  assert.equal(created.s3.object.size, 5);
  assert.equal(`"${created.s3.object.eTag}"`, put.ETag);
  assert.ok(created.s3.object.sequencer);
  assert.ok(created.responseElements["x-amz-request-id"]);
  assert.ok(created.requestParameters.sourceIPAddress);
  assert.match(created.userIdentity.principalId, /^AWS:/);
});

test("notifications to an SNS topic arrive through its SQS subscription", async () => {
  const account = randomAccount();
  const c = s3(account);
  const sqs = server.client(SQSClient, { account });
  const sns = server.client(SNSClient, { account });
  const b = await bucket(c);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `sub-${Math.random().toString(36).slice(2, 8)}` }));
  const QueueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `s3-events-${Math.random().toString(36).slice(2, 8)}` }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: QueueArn, Attributes: { RawMessageDelivery: "false" } }));
  await c.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: b,
      NotificationConfiguration: { TopicConfigurations: [{ Id: "t", TopicArn, Events: ["s3:ObjectCreated:Put"] }] },
    }),
  );
  await c.send(new PutObjectCommand({ Bucket: b, Key: "x.txt", Body: "x" }));
  const bodies: any[] = [];
  await eventually(async () => {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    bodies.push(...(r.Messages ?? []).map((m) => JSON.parse(m.Body!)));
    assert.ok(bodies.length >= 2, `${bodies.length} of 2 notifications`);
  });
  const inner = bodies.map((e) => JSON.parse(e.Message));
  assert.ok(inner.some((m) => m.Event === "s3:TestEvent"));
  const rec = inner.find((m) => m.Records)?.Records[0];
  assert.equal(rec.eventName, "ObjectCreated:Put");
  assert.equal(rec.s3.configurationId, "t");
  assert.equal(bodies.find((e) => JSON.parse(e.Message).Records).Subject, "Amazon S3 Notification");
});
