// AWS::S3::Bucket's configurations through a stack's whole life with the SDK: made at create, changed in place by
// UpdateStack (the bucket kept), removed when the template drops them; bucket notifications delivering real events
// to the queue and the function the template names at each point; drift detection reading each configuration back in sync.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import {
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetPublicAccessBlockCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { userTags } from "../../helpers/cloudformation.js";

let s: TestServer;
let cfn: CloudFormationClient;
let s3: S3Client;
let sqs: SQSClient;
let logs: CloudWatchLogsClient;
let Role: string;
const waiter = () => ({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
  sqs = new SQSClient(c);
  logs = new CloudWatchLogsClient(c);
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  Role = (await new IAMClient(c).send(new CreateRoleCommand({ RoleName: "s3-events-fn", AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!.Arn!;
});
after(() => s.close());

async function failures(stack: string): Promise<string> {
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources!;
  return JSON.stringify(resources.filter((r) => r.ResourceStatus?.endsWith("FAILED")).map((r) => [r.LogicalResourceId, r.ResourceStatusReason]));
}

async function outputs(stack: string): Promise<Record<string, string>> {
  const [d] = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  return Object.fromEntries((d.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

/** DetectStackDrift's resources that are not IN_SYNC, with their differences (the function's permission aside). */
async function drifted(stack: string) {
  const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: stack }));
  while ((await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }))).DetectionStatus === "DETECTION_IN_PROGRESS") {
    await new Promise((r) => setTimeout(r, 20));
  }
  const drifts = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: stack }))).StackResourceDrifts!;
  // AWS::Lambda::Permission has no read (NOT_CHECKED); every other resource must be read back in sync.
  return drifts
    .filter((d) => d.StackResourceDriftStatus !== "IN_SYNC" && d.ResourceType !== "AWS::Lambda::Permission")
    .map((d) => [d.LogicalResourceId, d.StackResourceDriftStatus, d.PropertyDifferences]);
}

const params = () => [{ ParameterKey: "Role", ParameterValue: Role }];

/** The keys the function logged S3 events for, once it has logged `count` of them (or after `seconds`). */
async function functionSaw(fn: string, count: number, seconds: number): Promise<string[]> {
  let keys: string[] = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` })).catch(() => ({ events: [] }));
    keys = (out.events ?? []).flatMap((e) => /S3 event for (\S+)/.exec(e.message ?? "")?.[1] ?? []);
    if (keys.length >= count) return keys;
    await new Promise((r) => setTimeout(r, 200));
  }
  return keys;
}

/** The object keys of the S3 event records a queue receives within `seconds`. */
async function eventKeys(url: string, seconds: number): Promise<string[]> {
  const keys: string[] = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of Messages ?? []) for (const r of JSON.parse(m.Body!).Records ?? []) keys.push(r.s3.object.key);
    if (keys.length) return keys;
  }
  return keys;
}

const template = (bucket: string) => `
Parameters:
  Role: { Type: String }
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !Ref Role
      Code:
        ZipFile: |
          exports.handler = async (event) => { for (const r of event.Records) console.log("S3 event for " + r.s3.object.key); };
  FnPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Fn
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
      SourceAccount: !Ref AWS::AccountId
  First:
    Type: AWS::SQS::Queue
  Second:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
  Bucket:
    Type: AWS::S3::Bucket
    DependsOn: FnPermission
    Properties:
${bucket}
Outputs:
  Bucket: { Value: !Ref Bucket }
  First: { Value: !Ref First }
  FirstArn: { Value: !GetAtt First.Arn }
  Second: { Value: !Ref Second }
  SecondArn: { Value: !GetAtt Second.Arn }
  Topic: { Value: !Ref Topic }
  Fn: { Value: !Ref Fn }
  FnArn: { Value: !GetAtt Fn.Arn }
`;

const V1 = template(`      Tags:
        - { Key: a, Value: "1" }
      VersioningConfiguration: { Status: Enabled }
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: { SSEAlgorithm: AES256 }
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      OwnershipControls:
        Rules: [{ ObjectOwnership: BucketOwnerEnforced }]
      CorsConfiguration:
        CorsRules:
          - { AllowedMethods: [GET], AllowedOrigins: ["https://a.example"] }
      LifecycleConfiguration:
        Rules:
          - { Id: logs, Status: Enabled, Prefix: logs/, ExpirationInDays: 30 }
      WebsiteConfiguration:
        IndexDocument: index.html
      NotificationConfiguration:
        QueueConfigurations:
          - Event: "s3:ObjectCreated:*"
            Queue: !GetAtt First.Arn
            Filter: { S3Key: { Rules: [{ Name: prefix, Value: in/ }] } }`);

const V2 = template(`      Tags:
        - { Key: b, Value: "2" }
      VersioningConfiguration: { Status: Suspended }
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: { SSEAlgorithm: AES256 }
            BucketKeyEnabled: true
            BlockedEncryptionTypes: { EncryptionType: [SSE-C] }
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: false
        IgnorePublicAcls: true
        RestrictPublicBuckets: false
      OwnershipControls:
        Rules: [{ ObjectOwnership: ObjectWriter }]
      CorsConfiguration:
        CorsRules:
          - { Id: upload, AllowedMethods: [PUT, POST], AllowedOrigins: ["https://b.example"], AllowedHeaders: ["*"], ExposedHeaders: [ETag], MaxAge: 600 }
      LifecycleConfiguration:
        TransitionDefaultMinimumObjectSize: varies_by_storage_class
        Rules:
          - Id: archive
            Status: Enabled
            Prefix: archive/
            Transitions: [{ StorageClass: GLACIER, TransitionInDays: 10 }]
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 }
      WebsiteConfiguration:
        IndexDocument: home.html
        ErrorDocument: oops.html
        RoutingRules:
          - RoutingRuleCondition: { KeyPrefixEquals: old/ }
            RedirectRule: { ReplaceKeyPrefixWith: new/, HttpRedirectCode: "301" }
      NotificationConfiguration:
        QueueConfigurations:
          - Event: "s3:ObjectCreated:Put"
            Queue: !GetAtt Second.Arn
            Filter: { S3Key: { Rules: [{ Name: suffix, Value: .txt }] } }
        TopicConfigurations:
          - Event: "s3:ObjectRemoved:*"
            Topic: !Ref Topic
        LambdaConfigurations:
          - Event: "s3:ObjectCreated:*"
            Function: !GetAtt Fn.Arn
            Filter: { S3Key: { Rules: [{ Name: prefix, Value: fn/ }] } }`);

const V3 = template(`      VersioningConfiguration: { Status: Suspended }`);

test("AWS::S3::Bucket in place: every configuration made at create, changed by UpdateStack on the same bucket, removed when dropped; notifications follow the template to a real queue", async () => {
  await cfn.send(new CreateStackCommand({ StackName: "bucket-life", TemplateBody: V1, Parameters: params() }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "bucket-life" }).catch(async (e) => assert.fail(`${await failures("bucket-life")} ${e}`));
  const out = await outputs("bucket-life");
  const B = { Bucket: out.Bucket };

  assert.deepEqual(userTags((await s3.send(new GetBucketTaggingCommand(B))).TagSet), [{ Key: "a", Value: "1" }]);
  assert.equal((await s3.send(new GetBucketVersioningCommand(B))).Status, "Enabled");
  assert.equal((await s3.send(new GetBucketOwnershipControlsCommand(B))).OwnershipControls?.Rules?.[0]?.ObjectOwnership, "BucketOwnerEnforced");
  assert.equal((await s3.send(new GetPublicAccessBlockCommand(B))).PublicAccessBlockConfiguration?.BlockPublicPolicy, true);
  assert.deepEqual((await s3.send(new GetBucketCorsCommand(B))).CORSRules?.[0]?.AllowedOrigins, ["https://a.example"]);
  assert.equal((await s3.send(new GetBucketLifecycleConfigurationCommand(B))).Rules?.[0]?.ID, "logs");
  assert.equal((await s3.send(new GetBucketWebsiteCommand(B))).IndexDocument?.Suffix, "index.html");
  // Drift detection reads every configuration back (CORS, notifications, website included): in sync.
  assert.deepEqual(await drifted("bucket-life"), []);

  // The first queue gets the bucket's events under in/.
  await s3.send(new PutObjectCommand({ ...B, Key: "in/one.txt", Body: "1" }));
  assert.deepEqual(await eventKeys(out.First!, 5), ["in/one.txt"]);

  // Update in place: the same bucket, each configuration the new template's.
  await cfn.send(new UpdateStackCommand({ StackName: "bucket-life", TemplateBody: V2, Parameters: params() }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "bucket-life" }).catch(async (e) => assert.fail(`${await failures("bucket-life")} ${e}`));
  assert.equal((await outputs("bucket-life")).Bucket, out.Bucket);
  assert.deepEqual(userTags((await s3.send(new GetBucketTaggingCommand(B))).TagSet), [{ Key: "b", Value: "2" }]);
  assert.equal((await s3.send(new GetBucketVersioningCommand(B))).Status, "Suspended");
  const enc = (await s3.send(new GetBucketEncryptionCommand(B))).ServerSideEncryptionConfiguration?.Rules?.[0];
  assert.deepEqual(
    [enc?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, enc?.BucketKeyEnabled, enc?.BlockedEncryptionTypes?.EncryptionType],
    ["AES256", true, ["SSE-C"]],
  );
  const pab = (await s3.send(new GetPublicAccessBlockCommand(B))).PublicAccessBlockConfiguration;
  assert.deepEqual([pab?.BlockPublicAcls, pab?.BlockPublicPolicy, pab?.IgnorePublicAcls, pab?.RestrictPublicBuckets], [true, false, true, false]);
  assert.equal((await s3.send(new GetBucketOwnershipControlsCommand(B))).OwnershipControls?.Rules?.[0]?.ObjectOwnership, "ObjectWriter");
  const [cors] = (await s3.send(new GetBucketCorsCommand(B))).CORSRules!;
  assert.deepEqual(
    [cors?.ID, cors?.AllowedMethods, cors?.AllowedOrigins, cors?.AllowedHeaders, cors?.ExposeHeaders, cors?.MaxAgeSeconds],
    ["upload", ["PUT", "POST"], ["https://b.example"], ["*"], ["ETag"], 600],
  );
  const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand(B));
  assert.equal(lifecycle.TransitionDefaultMinimumObjectSize, "varies_by_storage_class");
  const rules = lifecycle.Rules!;
  assert.deepEqual(
    rules.map((r) => [
      r.ID,
      r.Filter?.Prefix,
      r.Transitions?.[0]?.StorageClass,
      r.Transitions?.[0]?.Days,
      r.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
    ]),
    [["archive", "archive/", "GLACIER", 10, 3]],
  );
  const site = await s3.send(new GetBucketWebsiteCommand(B));
  assert.deepEqual(
    [
      site.IndexDocument?.Suffix,
      site.ErrorDocument?.Key,
      site.RoutingRules?.[0]?.Condition?.KeyPrefixEquals,
      site.RoutingRules?.[0]?.Redirect?.ReplaceKeyPrefixWith,
    ],
    ["home.html", "oops.html", "old/", "new/"],
  );
  const n = await s3.send(new GetBucketNotificationConfigurationCommand(B));
  assert.deepEqual(
    n.QueueConfigurations?.map((c) => [c.QueueArn, c.Events]),
    [[out.SecondArn, ["s3:ObjectCreated:Put"]]],
  );
  assert.deepEqual(
    n.TopicConfigurations?.map((c) => [c.TopicArn, c.Events]),
    [[out.Topic, ["s3:ObjectRemoved:*"]]],
  );
  assert.deepEqual(
    n.LambdaFunctionConfigurations?.map((c) => [c.LambdaFunctionArn, c.Events]),
    [[out.FnArn, ["s3:ObjectCreated:*"]]],
  );
  assert.deepEqual(await drifted("bucket-life"), []);

  // Events now go to the second queue, for .txt keys only; the first queue gets nothing more.
  await s3.send(new PutObjectCommand({ ...B, Key: "in/two.bin", Body: "2" }));
  await s3.send(new PutObjectCommand({ ...B, Key: "any/three.txt", Body: "3" }));
  assert.deepEqual(await eventKeys(out.Second!, 5), ["any/three.txt"]);
  assert.deepEqual(await eventKeys(out.First!, 1), []);
  // The function gets the events under fn/.
  await s3.send(new PutObjectCommand({ ...B, Key: "fn/five.json", Body: "5" }));
  assert.deepEqual(await functionSaw(out.Fn!, 1, 20), ["fn/five.json"]);

  // The configurations dropped from the template are removed from the bucket.
  await cfn.send(new UpdateStackCommand({ StackName: "bucket-life", TemplateBody: V3, Parameters: params() }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "bucket-life" }).catch(async (e) => assert.fail(`${await failures("bucket-life")} ${e}`));
  // The template's tags are gone; CloudFormation's own stay.
  assert.deepEqual(userTags((await s3.send(new GetBucketTaggingCommand(B))).TagSet), []);
  await assert.rejects(s3.send(new GetBucketCorsCommand(B)), { name: "NoSuchCORSConfiguration" });
  await assert.rejects(s3.send(new GetBucketLifecycleConfigurationCommand(B)), { name: "NoSuchLifecycleConfiguration" });
  await assert.rejects(s3.send(new GetBucketWebsiteCommand(B)), { name: "NoSuchWebsiteConfiguration" });
  await assert.rejects(s3.send(new GetPublicAccessBlockCommand(B)), { name: "NoSuchPublicAccessBlockConfiguration" });
  await assert.rejects(s3.send(new GetBucketOwnershipControlsCommand(B)), { name: "OwnershipControlsNotFoundError" });
  const empty = await s3.send(new GetBucketNotificationConfigurationCommand(B));
  assert.deepEqual([empty.QueueConfigurations, empty.TopicConfigurations, empty.LambdaFunctionConfigurations], [undefined, undefined, undefined]);
  await s3.send(new PutObjectCommand({ ...B, Key: "any/four.txt", Body: "4" }));
  await s3.send(new PutObjectCommand({ ...B, Key: "fn/six.json", Body: "6" }));
  assert.deepEqual(await eventKeys(out.Second!, 1), []);
  assert.deepEqual(await functionSaw(out.Fn!, 2, 1), ["fn/five.json"]);
  assert.deepEqual(await drifted("bucket-life"), []);

  // Emptied of every version (versioning was on), the bucket goes with the stack.
  const listed = await s3.send(new ListObjectVersionsCommand(B));
  for (const v of [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])])
    await s3.send(new DeleteObjectCommand({ ...B, Key: v.Key, VersionId: v.VersionId }));
  await cfn.send(new DeleteStackCommand({ StackName: "bucket-life" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "bucket-life" });
});
