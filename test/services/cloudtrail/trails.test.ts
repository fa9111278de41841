// CloudTrail trails through the SDK v3 client: lifecycle and AWS's error texts, delivery of gzip'd records into S3 at
// AWS's key layout and into a CloudWatch Logs group, event selectors (management read/write, S3 data events by
// prefix), and "AWS API Call via CloudTrail" events on EventBridge.
process.env.STRATUS_CLOUDTRAIL_DELIVERY_SECONDS = "0.3";
import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  ListTrailsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
  AddTagsCommand,
  RemoveTagsCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  S3Client,
  CreateBucketCommand,
  PutBucketPolicyCommand,
  ListObjectsV2Command,
  GetObjectCommand,
  PutObjectCommand,
  HeadObjectCommand,
} from "@aws-sdk/client-s3";
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  ListQueuesCommand,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient, CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { randomAccount, useServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { eventsPolicy } from "../eventbridge/setup.js";
import { trailBucketPolicy } from "./fixtures.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { KMSClient, CreateKeyCommand } from "@aws-sdk/client-kms";
import { SNSClient, CreateTopicCommand, SetTopicAttributesCommand, SubscribeCommand } from "@aws-sdk/client-sns";

const waitFor = (cond: () => Promise<boolean>) => waitUntil(cond, "CloudTrail delivery", 10_000, 100);

const server = useServer();

function clients(account = randomAccount()) {
  const cfg = server.clientConfig({ account });
  return {
    account,
    ct: new CloudTrailClient(cfg),
    s3: new S3Client({ ...cfg, forcePathStyle: true }),
    sqs: new SQSClient(cfg),
    logs: new CloudWatchLogsClient(cfg),
    iam: new IAMClient(cfg),
    eb: new EventBridgeClient(cfg),
  };
}

async function bucketFor(c: ReturnType<typeof clients>, prefix = "", sourceArn?: string) {
  const bucket = `trail-${c.account}-${Math.random().toString(36).slice(2, 8)}`;
  await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: trailBucketPolicy(bucket, c.account, prefix, sourceArn) }));
  return bucket;
}

async function logFiles(c: ReturnType<typeof clients>, bucket: string, prefix: string) {
  const out = await c.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

async function records(c: ReturnType<typeof clients>, bucket: string, keys: string[]) {
  const all: Record<string, any>[] = [];
  for (const Key of keys) {
    const body = await (await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToByteArray();
    all.push(...JSON.parse(gunzipSync(body).toString()).Records);
  }
  return all;
}

test("trail lifecycle: create, get, describe (shadow trails), list, update, tags, status, delete — and AWS's errors", async () => {
  const c = clients();
  const arn = `arn:aws:cloudtrail:us-east-1:${c.account}:trail/main`;
  await assert.rejects(c.ct.send(new CreateTrailCommand({ Name: "main", S3BucketName: "no-such-bucket-here" })), {
    name: "S3BucketDoesNotExistException",
    message: "S3 bucket no-such-bucket-here does not exist!",
  });
  const plain = `plain-${c.account}`;
  await c.s3.send(new CreateBucketCommand({ Bucket: plain }));
  await assert.rejects(c.ct.send(new CreateTrailCommand({ Name: "main", S3BucketName: plain })), {
    name: "InsufficientS3BucketPolicyException",
    message: `Incorrect S3 bucket policy is detected for bucket: ${plain}`,
  });
  // A policy whose aws:SourceArn names another trail does not let this one write.
  const other = await bucketFor(c, "", `arn:aws:cloudtrail:us-east-1:${c.account}:trail/other`);
  await assert.rejects(c.ct.send(new CreateTrailCommand({ Name: "main", S3BucketName: other })), { name: "InsufficientS3BucketPolicyException" });
  const bucket = await bucketFor(c, "logs", arn);
  await assert.rejects(c.ct.send(new CreateTrailCommand({ Name: "-bad", S3BucketName: other })), {
    name: "InvalidTrailNameException",
    message: "Trail name must starts with a letter or number.",
  });
  await assert.rejects(c.ct.send(new CreateTrailCommand({ Name: "main", S3BucketName: bucket, S3KeyPrefix: "logs", IsOrganizationTrail: true })), {
    name: "OrganizationsNotInUseException",
  });
  await assert.rejects(c.ct.send(new CreateTrailCommand({ Name: "main", S3BucketName: bucket, S3KeyPrefix: "logs", SnsTopicName: "nope" })), {
    name: "InsufficientSnsTopicPolicyException",
    message: "SNS Topic does not exist or the topic policy is incorrect!",
  });
  await assert.rejects(
    c.ct.send(
      new CreateTrailCommand({
        Name: "main",
        S3BucketName: bucket,
        S3KeyPrefix: "logs",
        CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${c.account}:log-group:g:*`,
      }),
    ),
    { name: "InvalidCloudWatchLogsRoleArnException", message: "You must specify a role ARN as well as a log group." },
  );

  const created = await c.ct.send(
    new CreateTrailCommand({ Name: "main", S3BucketName: bucket, S3KeyPrefix: "logs", IsMultiRegionTrail: true, TagsList: [{ Key: "team", Value: "a" }] }),
  );
  assert.equal(created.TrailARN, arn);
  assert.equal(created.IsMultiRegionTrail, true);
  assert.equal(created.IncludeGlobalServiceEvents, true);
  await assert.rejects(c.ct.send(new CreateTrailCommand({ Name: "main", S3BucketName: bucket, S3KeyPrefix: "logs" })), { name: "TrailAlreadyExistsException" });
  const { Trail } = await c.ct.send(new GetTrailCommand({ Name: arn }));
  assert.equal(Trail?.HomeRegion, "us-east-1");
  assert.equal(Trail?.S3KeyPrefix, "logs");
  // A multi-region trail is a shadow trail in other regions.
  const west = new CloudTrailClient(server.clientConfig({ account: c.account, region: "eu-west-1" }));
  assert.deepEqual(
    (await west.send(new DescribeTrailsCommand({}))).trailList?.map((t) => t.TrailARN),
    [arn],
  );
  assert.deepEqual((await west.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList, []);
  assert.deepEqual((await west.send(new ListTrailsCommand({}))).Trails, [{ TrailARN: arn, Name: "main", HomeRegion: "us-east-1" }]);
  await assert.rejects(west.send(new UpdateTrailCommand({ Name: arn, IncludeGlobalServiceEvents: true })), { name: "TrailNotFoundException" });

  const updated = await c.ct.send(new UpdateTrailCommand({ Name: "main", EnableLogFileValidation: true }));
  assert.equal(updated.LogFileValidationEnabled, true);
  await c.ct.send(new AddTagsCommand({ ResourceId: arn, TagsList: [{ Key: "env", Value: "dev" }] }));
  await c.ct.send(new RemoveTagsCommand({ ResourceId: arn, TagsList: [{ Key: "team" }] }));
  assert.deepEqual((await c.ct.send(new ListTagsCommand({ ResourceIdList: [arn] }))).ResourceTagList?.[0].TagsList, [{ Key: "env", Value: "dev" }]);

  assert.equal((await c.ct.send(new GetTrailStatusCommand({ Name: "main" }))).IsLogging, false);
  await c.ct.send(new StartLoggingCommand({ Name: "main" }));
  const st = await c.ct.send(new GetTrailStatusCommand({ Name: "main" }));
  assert.equal(st.IsLogging, true);
  assert.ok(st.StartLoggingTime instanceof Date);
  await c.ct.send(new StopLoggingCommand({ Name: "main" }));
  assert.ok((await c.ct.send(new GetTrailStatusCommand({ Name: "main" }))).StopLoggingTime instanceof Date);
  await c.ct.send(new DeleteTrailCommand({ Name: "main" }));
  await assert.rejects(c.ct.send(new GetTrailCommand({ Name: "main" })), {
    name: "TrailNotFoundException",
    message: `Unknown trail: ${arn} for the user: ${c.account}`,
  });
});

test("a logging trail delivers gzip'd records to S3 at AWS's key and to its log group; default selectors take management events only", async () => {
  const c = clients();
  const bucket = await bucketFor(c, "ct");
  await c.logs.send(new CreateLogGroupCommand({ logGroupName: "trail-group" }));
  const role = await c.iam.send(
    new CreateRoleCommand({
      RoleName: "ct-logs",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }),
  );
  const groupArn = `arn:aws:logs:us-east-1:${c.account}:log-group:trail-group:*`;
  // The role may not write to the group yet.
  const input = { Name: "tt1", S3BucketName: bucket, S3KeyPrefix: "ct", CloudWatchLogsLogGroupArn: groupArn, CloudWatchLogsRoleArn: role.Role!.Arn };
  await assert.rejects(c.ct.send(new CreateTrailCommand(input)), {
    name: "InvalidCloudWatchLogsLogGroupArnException",
    message: "Access denied. Verify in IAM that the role has adequate permissions.",
  });
  await c.iam.send(
    new PutRolePolicyCommand({
      RoleName: "ct-logs",
      PolicyName: "write",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: groupArn }],
      }),
    }),
  );
  await c.ct.send(new CreateTrailCommand(input));
  await c.ct.send(new StartLoggingCommand({ Name: "tt1" }));
  await c.sqs.send(new CreateQueueCommand({ QueueName: "delivered" }));
  await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: "data/x.txt", Body: "x" }));
  const prefix = `ct/AWSLogs/${c.account}/CloudTrail/us-east-1/`;
  let keys: string[] = [];
  let recs: Record<string, any>[] = [];
  await waitFor(async () => {
    keys = await logFiles(c, bucket, prefix);
    recs = await records(c, bucket, keys);
    return recs.some((r) => r.eventName === "CreateQueue");
  });
  const d = new Date();
  const ymd = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/${String(d.getUTCDate()).padStart(2, "0")}`;
  for (const k of keys) {
    assert.match(k, new RegExp(`^${prefix}${ymd}/${c.account}_CloudTrail_us-east-1_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`));
  }
  const q = recs.find((r) => r.eventName === "CreateQueue")!;
  assert.equal(q.eventSource, "sqs.amazonaws.com");
  assert.deepEqual(q.requestParameters, { queueName: "delivered" });
  assert.equal(q.managementEvent, true);
  // The object write is a data event, which default selectors leave out.
  assert.ok(!recs.some((r) => r.eventName === "PutObject"));
  // One Logs event per record, in <account>_CloudTrail_<region>.
  await waitFor(async () => {
    const ev = await c.logs.send(
      new GetLogEventsCommand({ logGroupName: "trail-group", logStreamName: `${c.account}_CloudTrail_us-east-1`, startFromHead: true }),
    );
    return (ev.events ?? []).some((e) => JSON.parse(e.message!).eventName === "CreateQueue");
  });
  const st = await c.ct.send(new GetTrailStatusCommand({ Name: "tt1" }));
  assert.ok(st.LatestDeliveryTime instanceof Date);
  assert.ok(st.LatestCloudWatchLogsDeliveryTime instanceof Date);
  assert.ok(st.LatestDeliveryAttemptSucceeded);
});

test("selectors: write-only management events, S3 data events under one prefix, advanced selectors", async () => {
  const c = clients();
  const bucket = await bucketFor(c);
  const data = `data-${c.account}`;
  await c.s3.send(new CreateBucketCommand({ Bucket: data }));
  await c.ct.send(new CreateTrailCommand({ Name: "sel", S3BucketName: bucket }));
  assert.deepEqual((await c.ct.send(new GetEventSelectorsCommand({ TrailName: "sel" }))).EventSelectors, [
    { ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
  ]);
  await assert.rejects(
    c.ct.send(new PutEventSelectorsCommand({ TrailName: "sel", EventSelectors: [{ DataResources: [{ Type: "AWS::S3::Object", Values: ["nope"] }] }] })),
    { name: "InvalidEventSelectorsException" },
  );
  await c.ct.send(
    new PutEventSelectorsCommand({
      TrailName: "sel",
      EventSelectors: [
        { ReadWriteType: "WriteOnly", IncludeManagementEvents: true, DataResources: [{ Type: "AWS::S3::Object", Values: [`arn:aws:s3:::${data}/in/`] }] },
      ],
    }),
  );
  await c.ct.send(new StartLoggingCommand({ Name: "sel" }));
  await c.sqs.send(new CreateQueueCommand({ QueueName: "w" }));
  await c.sqs.send(new ListQueuesCommand({}));
  await c.s3.send(new PutObjectCommand({ Bucket: data, Key: "in/a.txt", Body: "a" }));
  await c.s3.send(new PutObjectCommand({ Bucket: data, Key: "out/b.txt", Body: "b" }));
  const prefix = `AWSLogs/${c.account}/CloudTrail/us-east-1/`;
  let recs: Record<string, any>[] = [];
  await waitFor(async () => {
    recs = await records(c, bucket, await logFiles(c, bucket, prefix));
    return recs.some((r) => r.eventName === "PutObject") && recs.some((r) => r.eventName === "CreateQueue");
  });
  assert.ok(!recs.some((r) => r.eventName === "ListQueues"), "read-only events are left out");
  const puts = recs.filter((r) => r.eventName === "PutObject");
  assert.deepEqual(
    puts.map((r) => r.requestParameters.key),
    ["in/a.txt"],
  );
  assert.equal(puts[0].eventCategory, "Data");
  assert.deepEqual(puts[0].resources[0], { type: "AWS::S3::Object", ARN: `arn:aws:s3:::${data}/in/a.txt` });

  // Advanced: only SQS's management events.
  await c.ct.send(
    new PutEventSelectorsCommand({
      TrailName: "sel",
      AdvancedEventSelectors: [
        {
          Name: "sqs",
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Management"] },
            { Field: "eventSource", Equals: ["sqs.amazonaws.com"] },
          ],
        },
      ],
    }),
  );
  assert.equal((await c.ct.send(new GetEventSelectorsCommand({ TrailName: "sel" }))).AdvancedEventSelectors?.[0].Name, "sqs");
  await c.sqs.send(new ListQueuesCommand({ QueueNamePrefix: "adv" }));
  await c.s3.send(new PutObjectCommand({ Bucket: data, Key: "in/c.txt", Body: "c" }));
  await waitFor(async () => {
    recs = await records(c, bucket, await logFiles(c, bucket, prefix));
    return recs.some((r) => r.eventName === "ListQueues");
  });
  assert.ok(!recs.some((r) => r.requestParameters?.key === "in/c.txt"));
});

test("EventBridge: a rule on aws.sqs receives 'AWS API Call via CloudTrail' for CreateQueue", async () => {
  const c = clients();
  const target = await c.sqs.send(new CreateQueueCommand({ QueueName: "events-target" }));
  const targetArn = (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: target.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  // As on AWS, EventBridge delivers to a queue only when the queue's policy lets events.amazonaws.com send to it.
  await c.sqs.send(new SetQueueAttributesCommand({ QueueUrl: target.QueueUrl, Attributes: { Policy: eventsPolicy(targetArn) } }));
  await c.eb.send(
    new PutRuleCommand({
      Name: "api-calls",
      EventPattern: JSON.stringify({ source: ["aws.sqs"], "detail-type": ["AWS API Call via CloudTrail"], detail: { eventName: ["CreateQueue"] } }),
    }),
  );
  await c.eb.send(new PutTargetsCommand({ Rule: "api-calls", Targets: [{ Id: "q", Arn: targetArn }] }));
  await c.sqs.send(new CreateQueueCommand({ QueueName: "watched" }));
  let event: Record<string, any> | undefined;
  await waitFor(async () => {
    const m = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: target.QueueUrl, WaitTimeSeconds: 1 }));
    event = m.Messages?.map((x) => JSON.parse(x.Body!)).find((e) => e.detail?.requestParameters?.queueName === "watched");
    return !!event;
  });
  assert.equal(event!.source, "aws.sqs");
  assert.equal(event!["detail-type"], "AWS API Call via CloudTrail");
  assert.equal(event!.account, c.account);
  assert.equal(event!.detail.eventSource, "sqs.amazonaws.com");
  assert.equal(event!.detail.readOnly, false);
  assert.equal(event!.detail.eventType, "AwsApiCall");
});

test("AWS CLI v1 and v2: create-trail's bucket check, create-trail, describe-trails, get-trail-status", async () => {
  const c = clients();
  const bucket = await bucketFor(c);
  const creds = { AWS_ACCESS_KEY_ID: c.account, AWS_SECRET_ACCESS_KEY: "test" };
  for (const cli of awsClis()) {
    const name = `cli-${cli.label.split("/")[1].split(".")[0]}-trail`;
    const missing = await runAws(cli, server.url, ["cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", "not-a-bucket-at-all"], creds);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /S3BucketDoesNotExistException.*S3 bucket not-a-bucket-at-all does not exist!/);
    const made = await runAws(cli, server.url, ["cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", bucket, "--is-multi-region-trail"], creds);
    assert.equal(made.status, 0, made.stderr);
    assert.equal(JSON.parse(made.stdout).TrailARN, `arn:aws:cloudtrail:us-east-1:${c.account}:trail/${name}`);
    assert.equal((await runAws(cli, server.url, ["cloudtrail", "start-logging", "--name", name], creds)).status, 0);
    const described = JSON.parse((await runAws(cli, server.url, ["cloudtrail", "describe-trails", "--trail-name-list", name], creds)).stdout);
    assert.equal(described.trailList[0].IsMultiRegionTrail, true);
    const status = JSON.parse((await runAws(cli, server.url, ["cloudtrail", "get-trail-status", "--name", name], creds)).stdout);
    assert.equal(status.IsLogging, true);
  }
});

test("KmsKeyId: the key policy must let CloudTrail encrypt; files are SSE-KMS; SnsTopicName: one notification per file", async () => {
  const c = clients();
  const arn = `arn:aws:cloudtrail:us-east-1:${c.account}:trail/sealed`;
  const bucket = await bucketFor(c);
  const kms = new KMSClient(server.clientConfig({ account: c.account }));
  const sns = new SNSClient(server.clientConfig({ account: c.account }));
  const root = { AWS: `arn:aws:iam::${c.account}:root` };
  const closed = await kms.send(new CreateKeyCommand({}));
  await assert.rejects(c.ct.send(new CreateTrailCommand({ Name: "sealed", S3BucketName: bucket, KmsKeyId: closed.KeyMetadata!.KeyId })), {
    name: "InsufficientEncryptionPolicyException",
    message: `Insufficient permissions to access S3 bucket ${bucket} or KMS key ${closed.KeyMetadata!.Arn}.`,
  });
  const open = await kms.send(
    new CreateKeyCommand({
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: root, Action: "kms:*", Resource: "*" },
          {
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:GenerateDataKey*",
            Resource: "*",
            Condition: { StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${c.account}:trail/*` } },
          },
        ],
      }),
    }),
  );
  const topic = await sns.send(new CreateTopicCommand({ Name: "trail-files" }));
  await assert.rejects(c.ct.send(new CreateTrailCommand({ Name: "sealed", S3BucketName: bucket, SnsTopicName: "trail-files" })), {
    name: "InsufficientSnsTopicPolicyException",
  });
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn: topic.TopicArn,
      AttributeName: "Policy",
      AttributeValue: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "SNS:Publish",
            Resource: topic.TopicArn,
            Condition: { StringEquals: { "aws:SourceArn": arn } },
          },
        ],
      }),
    }),
  );
  const inbox = await c.sqs.send(new CreateQueueCommand({ QueueName: "trail-notes" }));
  const inboxArn = (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: "sqs", Endpoint: inboxArn, Attributes: { RawMessageDelivery: "true" } }));
  const made = await c.ct.send(
    new CreateTrailCommand({ Name: "sealed", S3BucketName: bucket, KmsKeyId: open.KeyMetadata!.KeyId, SnsTopicName: "trail-files" }),
  );
  assert.equal(made.KmsKeyId, open.KeyMetadata!.Arn);
  assert.equal(made.SnsTopicARN, topic.TopicArn);
  await c.ct.send(new StartLoggingCommand({ Name: "sealed" }));
  await c.sqs.send(new CreateQueueCommand({ QueueName: "noted" }));
  let note: { s3Bucket: string; s3ObjectKey: string[] } | undefined;
  await waitFor(async () => {
    const m = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: inbox.QueueUrl, WaitTimeSeconds: 1 }));
    note = m.Messages?.map((x) => JSON.parse(x.Body!))[0];
    return !!note;
  });
  assert.equal(note!.s3Bucket, bucket);
  assert.match(note!.s3ObjectKey[0], new RegExp(`^AWSLogs/${c.account}/CloudTrail/us-east-1/.*\\.json\\.gz$`));
  const head = await c.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: note!.s3ObjectKey[0] }));
  assert.equal(head.ServerSideEncryption, "aws:kms");
  assert.equal(head.SSEKMSKeyId, open.KeyMetadata!.Arn);
  assert.ok((await records(c, bucket, note!.s3ObjectKey)).length > 0);
  assert.ok((await c.ct.send(new GetTrailStatusCommand({ Name: "sealed" }))).LatestNotificationTime instanceof Date);
});
