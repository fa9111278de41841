// CloudFormation resource types of S3, CloudWatch Logs and KMS through the SDKs: a stack makes real resources
// (checked with each service's own client), Ref and GetAtt give AWS's values, DeleteStack removes them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from "@aws-sdk/client-cloudformation";
import {
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketLocationCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeLogStreamsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
} from "@aws-sdk/client-kms";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { ResourceProviders, ResourceRequest } from "../../../src/core/resources.js";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { userTags } from "../../helpers/cloudformation.js";

let s: TestServer;
let account: string;
let cfn: CloudFormationClient;
let s3: S3Client;
let logs: CloudWatchLogsClient;
let kms: KMSClient;
let sqs: SQSClient;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });
const userTagMap = (tags: Record<string, string> | undefined) => tags && Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith("aws:")));

before(async () => {
  s = await startTestServer();
  account = randomAccount();
  const c = s.clientConfig({ account });
  cfn = new CloudFormationClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
  logs = new CloudWatchLogsClient(c);
  kms = new KMSClient(c);
  sqs = new SQSClient(c);
});
after(() => s.close());

async function outputs(stack: string): Promise<Record<string, string>> {
  const [st] = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  return Object.fromEntries((st.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

async function createStack(name: string, template: unknown): Promise<Record<string, string>> {
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: typeof template === "string" ? template : JSON.stringify(template) }));
  try {
    await waitUntilStackCreateComplete(waiter(), { StackName: name });
  } catch (e) {
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents!;
    throw new Error(`${name}: ${events.map((x) => `${x.LogicalResourceId} ${x.ResourceStatus} ${x.ResourceStatusReason ?? ""}`).join("\n")}`, { cause: e });
  }
  return outputs(name);
}

async function deleteStack(name: string): Promise<void> {
  const [st] = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks!;
  await cfn.send(new DeleteStackCommand({ StackName: name }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: st.StackId });
}

const S3_TEMPLATE = `
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
      Tags:
        - Key: team
          Value: data
      CorsConfiguration:
        CorsRules:
          - AllowedMethods: [GET, PUT]
            AllowedOrigins: ["https://example.com"]
            ExposedHeaders: [ETag]
            MaxAge: 300
            Id: web
      LifecycleConfiguration:
        Rules:
          - Id: expire-logs
            Status: Enabled
            Prefix: logs/
            ExpirationInDays: 30
            NoncurrentVersionExpiration:
              NoncurrentDays: 7
            Transitions:
              - StorageClass: GLACIER
                TransitionInDays: 10
            AbortIncompleteMultipartUpload:
              DaysAfterInitiation: 2
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: false
        IgnorePublicAcls: true
        RestrictPublicBuckets: false
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
            BucketKeyEnabled: true
      OwnershipControls:
        Rules:
          - ObjectOwnership: BucketOwnerEnforced
      NotificationConfiguration:
        EventBridgeConfiguration:
          EventBridgeEnabled: true
  Named:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "named-\${AWS::AccountId}"
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Named
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: read
            Effect: Allow
            Principal: { AWS: !Sub "arn:aws:iam::\${AWS::AccountId}:root" }
            Action: s3:GetObject
            Resource: !Sub "\${Named.Arn}/*"
Outputs:
  Ref: { Value: !Ref Bucket }
  Arn: { Value: !GetAtt Bucket.Arn }
  DomainName: { Value: !GetAtt Bucket.DomainName }
  RegionalDomainName: { Value: !GetAtt Bucket.RegionalDomainName }
  DualStackDomainName: { Value: !GetAtt Bucket.DualStackDomainName }
  WebsiteURL: { Value: !GetAtt Bucket.WebsiteURL }
  Named: { Value: !Ref Named }
  PolicyRef: { Value: !Ref Policy }
`;

test("AWS::S3::Bucket and AWS::S3::BucketPolicy: real buckets with their configurations; Ref/GetAtt as AWS's; DeleteStack removes them", async () => {
  const out = await createStack("files", S3_TEMPLATE);
  const name = out.Ref;
  // An unnamed bucket: <stack>-<logicalId>-<random>, lowercase.
  assert.match(name, /^files-bucket-[a-z0-9]{12,13}$/);
  assert.equal(out.Arn, `arn:aws:s3:::${name}`);
  assert.equal(out.DomainName, `${name}.s3.amazonaws.com`);
  assert.equal(out.RegionalDomainName, `${name}.s3.us-east-1.amazonaws.com`);
  assert.equal(out.DualStackDomainName, `${name}.s3.dualstack.us-east-1.amazonaws.com`);
  assert.equal(out.WebsiteURL, `http://${name}.s3-website-us-east-1.amazonaws.com`);
  assert.equal(out.Named, `named-${account}`);
  assert.equal(out.PolicyRef, `named-${account}`);

  const B = { Bucket: name };
  assert.equal((await s3.send(new GetBucketVersioningCommand(B))).Status, "Enabled");
  assert.deepEqual(userTags((await s3.send(new GetBucketTaggingCommand(B))).TagSet), [{ Key: "team", Value: "data" }]);
  const [cors] = (await s3.send(new GetBucketCorsCommand(B))).CORSRules!;
  assert.deepEqual(
    {
      ID: cors.ID,
      AllowedMethods: cors.AllowedMethods,
      AllowedOrigins: cors.AllowedOrigins,
      ExposeHeaders: cors.ExposeHeaders,
      MaxAgeSeconds: cors.MaxAgeSeconds,
    },
    { ID: "web", AllowedMethods: ["GET", "PUT"], AllowedOrigins: ["https://example.com"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 300 },
  );
  const [rule] = (await s3.send(new GetBucketLifecycleConfigurationCommand(B))).Rules!;
  assert.equal(rule.ID, "expire-logs");
  assert.equal(rule.Status, "Enabled");
  assert.equal(rule.Filter?.Prefix, "logs/");
  assert.equal(rule.Expiration?.Days, 30);
  assert.equal(rule.NoncurrentVersionExpiration?.NoncurrentDays, 7);
  assert.deepEqual(rule.Transitions, [{ Days: 10, StorageClass: "GLACIER" }]);
  assert.equal(rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation, 2);
  assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand(B))).PublicAccessBlockConfiguration, {
    BlockPublicAcls: true,
    BlockPublicPolicy: false,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: false,
  });
  const [enc] = (await s3.send(new GetBucketEncryptionCommand(B))).ServerSideEncryptionConfiguration!.Rules!;
  assert.equal(enc.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, "AES256");
  assert.equal(enc.BucketKeyEnabled, true);
  assert.equal((await s3.send(new GetBucketOwnershipControlsCommand(B))).OwnershipControls?.Rules?.[0].ObjectOwnership, "BucketOwnerEnforced");
  assert.deepEqual((await s3.send(new GetBucketNotificationConfigurationCommand(B))).EventBridgeConfiguration, {});
  const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: out.Named }))).Policy!);
  assert.equal(policy.Statement[0].Resource, `arn:aws:s3:::named-${account}/*`);

  await deleteStack("files");
  await assert.rejects(s3.send(new HeadBucketCommand(B)), { name: "NotFound" });
  await assert.rejects(s3.send(new HeadBucketCommand({ Bucket: out.Named })), { name: "NotFound" });
});

test("AWS::S3::Bucket: deleting a bucket that holds objects fails the delete, as on AWS; emptied, it deletes", async () => {
  const out = await createStack("full", { Resources: { B: { Type: "AWS::S3::Bucket" } }, Outputs: { Name: { Value: { Ref: "B" } } } });
  await s3.send(new PutObjectCommand({ Bucket: out.Name, Key: "k", Body: "x" }));
  await cfn.send(new DeleteStackCommand({ StackName: "full" }));
  await assert.rejects(waitUntilStackDeleteComplete(waiter(), { StackName: "full" }));
  const [st] = (await cfn.send(new DescribeStacksCommand({ StackName: "full" }))).Stacks!;
  assert.equal(st.StackStatus, "DELETE_FAILED");
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "full" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "B" && e.ResourceStatus === "DELETE_FAILED");
  assert.match(failed!.ResourceStatusReason!, /not empty/);
  await s3.send(new DeleteObjectCommand({ Bucket: out.Name, Key: "k" }));
  await deleteStack("full");
  await assert.rejects(s3.send(new HeadBucketCommand({ Bucket: out.Name })), { name: "NotFound" });
});

const LOGS_TEMPLATE = {
  Resources: {
    Group: {
      Type: "AWS::Logs::LogGroup",
      Properties: { LogGroupName: "/app/cfn", RetentionInDays: 14, Tags: [{ Key: "team", Value: "ops" }] },
    },
    Unnamed: { Type: "AWS::Logs::LogGroup" },
    Stream: { Type: "AWS::Logs::LogStream", Properties: { LogGroupName: { Ref: "Group" }, LogStreamName: "web-1" } },
    AutoStream: { Type: "AWS::Logs::LogStream", Properties: { LogGroupName: { Ref: "Group" } } },
  },
  Outputs: {
    Group: { Value: { Ref: "Group" } },
    GroupArn: { Value: { "Fn::GetAtt": ["Group", "Arn"] } },
    Unnamed: { Value: { Ref: "Unnamed" } },
    Stream: { Value: { Ref: "Stream" } },
    AutoStream: { Value: { Ref: "AutoStream" } },
  },
};

test("AWS::Logs::LogGroup and AWS::Logs::LogStream: real log groups and streams; Ref is the name, Arn ends in :*; DeleteStack removes them", async () => {
  const out = await createStack("logs", LOGS_TEMPLATE);
  assert.equal(out.Group, "/app/cfn");
  assert.equal(out.GroupArn, `arn:aws:logs:us-east-1:${account}:log-group:/app/cfn:*`);
  assert.match(out.Unnamed, /^logs-Unnamed-[A-Z0-9]{12}$/);
  assert.equal(out.Stream, "web-1");
  assert.match(out.AutoStream, /^logs-AutoStream-[A-Z0-9]{12}$/);

  const [group] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app/cfn" }))).logGroups!;
  assert.equal(group.retentionInDays, 14);
  assert.equal(group.arn, out.GroupArn);
  assert.deepEqual(userTagMap((await logs.send(new ListTagsForResourceCommand({ resourceArn: out.GroupArn.slice(0, -2) }))).tags), { team: "ops" });
  const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/app/cfn" }))).logStreams!.map((x) => x.logStreamName);
  assert.deepEqual(streams.sort(), [out.AutoStream, "web-1"].sort());
  assert.equal((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: out.Unnamed }))).logGroups?.length, 1);

  await deleteStack("logs");
  assert.deepEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app/cfn" }))).logGroups, []);
  assert.deepEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: out.Unnamed }))).logGroups, []);
});

test("a property Stratus does not apply yet fails the resource, saying so", async () => {
  const template = { Resources: { G: { Type: "AWS::Logs::LogGroup", Properties: { DataProtectionPolicy: { Name: "x" } } } } };
  await cfn.send(new CreateStackCommand({ StackName: "unsupported-prop", TemplateBody: JSON.stringify(template) }));
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: "unsupported-prop" }));
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "unsupported-prop" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "G" && e.ResourceStatus === "CREATE_FAILED");
  assert.match(failed!.ResourceStatusReason!, /Stratus does not implement AWS::Logs::LogGroup properties DataProtectionPolicy yet/);
});

const KMS_TEMPLATE = `
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: app data
      EnableKeyRotation: true
      PendingWindowInDays: 7
      Tags:
        - Key: team
          Value: sec
      KeyPolicy:
        Version: "2012-10-17"
        Id: custom
        Statement:
          - Sid: root
            Effect: Allow
            Principal: { AWS: !Sub "arn:aws:iam::\${AWS::AccountId}:root" }
            Action: "kms:*"
            Resource: "*"
  Plain:
    Type: AWS::KMS::Key
    Properties:
      KeySpec: ECC_NIST_P256
      KeyUsage: SIGN_VERIFY
      Enabled: false
  Alias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: alias/app-data
      TargetKeyId: !Ref Key
Outputs:
  Ref: { Value: !Ref Key }
  Arn: { Value: !GetAtt Key.Arn }
  KeyId: { Value: !GetAtt Key.KeyId }
  Plain: { Value: !Ref Plain }
  Alias: { Value: !Ref Alias }
`;

test("AWS::KMS::Key and AWS::KMS::Alias: real keys (policy, rotation, spec, state, tags) and alias; Ref/GetAtt as AWS's; DeleteStack schedules deletion", async () => {
  const out = await createStack("keys", KMS_TEMPLATE);
  assert.match(out.Ref, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(out.KeyId, out.Ref);
  assert.equal(out.Arn, `arn:aws:kms:us-east-1:${account}:key/${out.Ref}`);
  assert.equal(out.Alias, "alias/app-data");

  const key = (await kms.send(new DescribeKeyCommand({ KeyId: out.Ref }))).KeyMetadata!;
  assert.equal(key.Description, "app data");
  assert.equal(key.KeyState, "Enabled");
  assert.equal(key.KeySpec, "SYMMETRIC_DEFAULT");
  assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: out.Ref }))).KeyRotationEnabled, true);
  assert.equal(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: out.Ref, PolicyName: "default" }))).Policy!).Id, "custom");
  assert.deepEqual(
    (await kms.send(new ListResourceTagsCommand({ KeyId: out.Ref }))).Tags?.filter((t) => !t.TagKey!.startsWith("aws:")),
    [{ TagKey: "team", TagValue: "sec" }],
  );
  const plain = (await kms.send(new DescribeKeyCommand({ KeyId: out.Plain }))).KeyMetadata!;
  assert.deepEqual([plain.KeySpec, plain.KeyUsage, plain.KeyState], ["ECC_NIST_P256", "SIGN_VERIFY", "Disabled"]);
  // Without KeyPolicy the key has KMS's default policy.
  assert.equal(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: out.Plain, PolicyName: "default" }))).Policy!).Id, "key-default-1");
  const aliases = (await kms.send(new ListAliasesCommand({ KeyId: out.Ref }))).Aliases!;
  assert.deepEqual(
    aliases.map((a) => a.AliasName),
    ["alias/app-data"],
  );
  // The alias works where a key id does.
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: "alias/app-data" }))).KeyMetadata?.KeyId, out.Ref);

  await deleteStack("keys");
  const gone = (await kms.send(new DescribeKeyCommand({ KeyId: out.Ref }))).KeyMetadata!;
  assert.equal(gone.KeyState, "PendingDeletion");
  // PendingWindowInDays: 7 for Key; CloudFormation's default 30 for Plain.
  assert.equal(gone.PendingDeletionWindowInDays, 7);
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: out.Plain }))).KeyMetadata?.PendingDeletionWindowInDays, 30);
  assert.equal((await kms.send(new ListAliasesCommand({ KeyId: out.Ref }))).Aliases?.length, 0);
});

test("resources of the three services together: a log group encrypted with the stack's key, a bucket policy naming the bucket", async () => {
  const template = {
    Resources: {
      // As on AWS, the key policy must let the Logs service principal use the key (KMS's default policy does not).
      Key: {
        Type: "AWS::KMS::Key",
        Properties: {
          KeyPolicy: {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { AWS: { "Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root" } }, Action: "kms:*", Resource: "*" },
              {
                Effect: "Allow",
                Principal: { Service: { "Fn::Sub": "logs.${AWS::Region}.amazonaws.com" } },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
              },
            ],
          },
        },
      },
      Group: { Type: "AWS::Logs::LogGroup", Properties: { KmsKeyId: { "Fn::GetAtt": ["Key", "Arn"] }, RetentionInDays: 1 } },
      Bucket: {
        Type: "AWS::S3::Bucket",
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: { Ref: "Key" } } }],
          },
        },
      },
    },
    Outputs: { Group: { Value: { Ref: "Group" } }, KeyArn: { Value: { "Fn::GetAtt": ["Key", "Arn"] } }, Bucket: { Value: { Ref: "Bucket" } } },
  };
  const out = await createStack("mixed", template);
  const [group] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: out.Group }))).logGroups!;
  assert.equal(group.kmsKeyId, out.KeyArn);
  const [enc] = (await s3.send(new GetBucketEncryptionCommand({ Bucket: out.Bucket }))).ServerSideEncryptionConfiguration!.Rules!;
  assert.equal(enc.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, "aws:kms");
  await deleteStack("mixed");
  assert.deepEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: out.Group }))).logGroups, []);
  await assert.rejects(s3.send(new HeadBucketCommand({ Bucket: out.Bucket })), { name: "NotFound" });
});

test("AWS::S3::Bucket: website and Object Lock configurations; a property Stratus does not apply yet fails the bucket", async () => {
  const template = {
    Resources: {
      Site: {
        Type: "AWS::S3::Bucket",
        Properties: {
          WebsiteConfiguration: {
            IndexDocument: "index.html",
            ErrorDocument: "error.html",
            RoutingRules: [{ RoutingRuleCondition: { KeyPrefixEquals: "old/" }, RedirectRule: { ReplaceKeyPrefixWith: "new/" } }],
          },
        },
      },
      Logs: {
        Type: "AWS::S3::Bucket",
        Properties: { AccessControl: "LogDeliveryWrite", OwnershipControls: { Rules: [{ ObjectOwnership: "ObjectWriter" }] } },
      },
      Locked: {
        Type: "AWS::S3::Bucket",
        Properties: {
          ObjectLockEnabled: true,
          ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } } },
        },
      },
    },
    Outputs: { Site: { Value: { Ref: "Site" } }, Locked: { Value: { Ref: "Locked" } }, Logs: { Value: { Ref: "Logs" } } },
  };
  const out = await createStack("site", template);
  const site = await s3.send(new GetBucketWebsiteCommand({ Bucket: out.Site }));
  assert.equal(site.IndexDocument?.Suffix, "index.html");
  assert.equal(site.ErrorDocument?.Key, "error.html");
  assert.deepEqual(site.RoutingRules, [{ Condition: { KeyPrefixEquals: "old/" }, Redirect: { ReplaceKeyPrefixWith: "new/" } }]);
  const lock = (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: out.Locked }))).ObjectLockConfiguration!;
  assert.deepEqual(lock, { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } } });
  // AccessControl, CloudFormation's spelling of a canned ACL (LogDeliveryWrite is log-delivery-write).
  const grants = (await s3.send(new GetBucketAclCommand({ Bucket: out.Logs }))).Grants!;
  assert.ok(grants.some((g) => g.Grantee?.URI === "http://acs.amazonaws.com/groups/s3/LogDelivery" && g.Permission === "WRITE"));
  await deleteStack("site");
  await assert.rejects(s3.send(new HeadBucketCommand({ Bucket: out.Site })), { name: "NotFound" });

  const bad = { Resources: { B: { Type: "AWS::S3::Bucket", Properties: { AccelerateConfiguration: { AccelerationStatus: "Enabled" } } } } };
  await cfn.send(new CreateStackCommand({ StackName: "accelerate", TemplateBody: JSON.stringify(bad) }));
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: "accelerate" }));
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "accelerate" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "B" && e.ResourceStatus === "CREATE_FAILED");
  assert.match(failed!.ResourceStatusReason!, /Stratus does not implement AWS::S3::Bucket properties AccelerateConfiguration yet/);
});

// The engine has no UpdateStack yet: the providers' in-place updates are exercised directly, as the engine will call them.
async function provider(path: string, type: string) {
  const mod = (await import(path)) as { default: ResourceProviders };
  return mod.default[type];
}
function request(properties: Record<string, unknown>, physicalId: string, previous: Record<string, unknown>) {
  const ctx = s.runtime.context("cloudformation", "UpdateStack", s.runtime.rootIdentity(account, "us-east-1"));
  return {
    ctx,
    stackName: "direct",
    stackId: `arn:aws:cloudformation:us-east-1:${account}:stack/direct/00000000-0000-0000-0000-000000000000`,
    logicalId: "R",
    properties,
    previous,
    physicalId,
    generateName: () => physicalId,
  } satisfies ResourceRequest & { physicalId: string; previous: Record<string, unknown> };
}

test("in-place updates: a bucket's configurations change and dropped ones go; a log group's retention and tags; a key's description, rotation, state and tags; an alias's target", async () => {
  const bucket = await provider("../../../src/services/s3/cloudformation.js", "AWS::S3::Bucket");
  const before = {
    VersioningConfiguration: { Status: "Enabled" },
    Tags: [{ Key: "a", Value: "1" }],
    CorsConfiguration: { CorsRules: [{ AllowedMethods: ["GET"], AllowedOrigins: ["*"] }] },
  };
  const made = await bucket.create({ ...request(before, "", {}), generateName: () => "direct-update-bucket" });
  const Bucket = made.physicalId;
  const after = { VersioningConfiguration: { Status: "Suspended" }, Tags: [{ Key: "b", Value: "2" }] };
  await bucket.update!(request(after, Bucket, before));
  assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, "Suspended");
  assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet, [{ Key: "b", Value: "2" }]);
  await assert.rejects(s3.send(new GetBucketCorsCommand({ Bucket })), { name: "NoSuchCORSConfiguration" });
  await bucket.delete(request(after, Bucket, {}));
  await bucket.delete(request(after, Bucket, {})); // already gone: not an error

  const group = await provider("../../../src/services/cloudwatch-logs/cloudformation.js", "AWS::Logs::LogGroup");
  const g0 = { LogGroupName: "/direct/update", RetentionInDays: 7, Tags: [{ Key: "a", Value: "1" }] };
  await group.create(request(g0, "", {}));
  const g1 = { LogGroupName: "/direct/update", Tags: [{ Key: "b", Value: "2" }] };
  const updated = await group.update!(request(g1, "/direct/update", g0));
  assert.equal(updated.attributes?.Arn, `arn:aws:logs:us-east-1:${account}:log-group:/direct/update:*`);
  const [lg] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/direct/update" }))).logGroups!;
  assert.equal(lg.retentionInDays, undefined);
  assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: lg.arn!.slice(0, -2) }))).tags, { b: "2" });
  await group.delete(request(g1, "/direct/update", {}));
  await group.delete(request(g1, "/direct/update", {}));

  const key = await provider("../../../src/services/kms/cloudformation.js", "AWS::KMS::Key");
  const k0 = { Description: "one", Tags: [{ Key: "a", Value: "1" }] };
  const { physicalId: KeyId } = await key.create(request(k0, "", {}));
  const k1 = { Description: "two", EnableKeyRotation: true, Enabled: false, Tags: [{ Key: "b", Value: "2" }] };
  await key.update!(request(k1, KeyId, k0));
  const meta = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
  assert.deepEqual([meta.Description, meta.KeyState], ["two", "Disabled"]);
  assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId }))).KeyRotationEnabled, true);
  assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId }))).Tags, [{ TagKey: "b", TagValue: "2" }]);
  await assert.rejects(key.update!(request({ ...k1, KeySpec: "RSA_2048" }, KeyId, k1)), /cannot change KeySpec/);

  const alias = await provider("../../../src/services/kms/cloudformation.js", "AWS::KMS::Alias");
  const { physicalId: other } = await key.create(request({}, "", {}));
  await alias.create(request({ AliasName: "alias/direct", TargetKeyId: other }, "", {}));
  await key.update!(request({ ...k1, Enabled: true }, KeyId, k1));
  await alias.update!(request({ AliasName: "alias/direct", TargetKeyId: KeyId }, "alias/direct", { AliasName: "alias/direct", TargetKeyId: other }));
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: "alias/direct" }))).KeyMetadata?.KeyId, KeyId);
  await alias.delete(request({}, "alias/direct", {}));
  await alias.delete(request({}, "alias/direct", {}));
  await key.delete(request({}, KeyId, {}));
  await key.delete(request({}, KeyId, {})); // already pending deletion: not an error
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState, "PendingDeletion");
});

test("AWS::S3::Bucket NotificationConfiguration: a queue of the same stack receives the bucket's events, filtered", async () => {
  const template = `
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      NotificationConfiguration:
        QueueConfigurations:
          - Event: "s3:ObjectCreated:*"
            Queue: !GetAtt Queue.Arn
            Filter:
              S3Key:
                Rules:
                  - Name: prefix
                    Value: uploads/
Outputs:
  Bucket: { Value: !Ref Bucket }
  QueueUrl: { Value: !Ref Queue }
  QueueArn: { Value: !GetAtt Queue.Arn }
`;
  const out = await createStack("notify", template);
  const [conf] = (await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: out.Bucket }))).QueueConfigurations!;
  assert.equal(conf.QueueArn, out.QueueArn);
  assert.deepEqual(conf.Events, ["s3:ObjectCreated:*"]);
  assert.deepEqual(
    conf.Filter?.Key?.FilterRules?.map((r) => [r.Name?.toLowerCase(), r.Value]),
    [["prefix", "uploads/"]],
  );
  await s3.send(new PutObjectCommand({ Bucket: out.Bucket, Key: "other/x", Body: "x" }));
  await s3.send(new PutObjectCommand({ Bucket: out.Bucket, Key: "uploads/a.txt", Body: "x" }));
  const keys: string[] = [];
  for (let i = 0; i < 5 && !keys.includes("uploads/a.txt"); i++) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: out.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of Messages ?? []) for (const r of JSON.parse(m.Body!).Records ?? []) keys.push(r.s3.object.key);
  }
  assert.deepEqual(keys, ["uploads/a.txt"]);
  await s3.send(new DeleteObjectCommand({ Bucket: out.Bucket, Key: "other/x" }));
  await s3.send(new DeleteObjectCommand({ Bucket: out.Bucket, Key: "uploads/a.txt" }));
  await deleteStack("notify");
  await assert.rejects(s3.send(new HeadBucketCommand({ Bucket: out.Bucket })), { name: "NotFound" });
});

test("AWS::S3::Bucket outside us-east-1: made in the stack's region; website URL with a dot where the region is newer", async () => {
  const c = s.clientConfig({ account, region: "eu-central-1" });
  const euCfn = new CloudFormationClient(c);
  const template = {
    Resources: { B: { Type: "AWS::S3::Bucket" } },
    Outputs: {
      Name: { Value: { Ref: "B" } },
      Url: { Value: { "Fn::GetAtt": ["B", "WebsiteURL"] } },
      Regional: { Value: { "Fn::GetAtt": ["B", "RegionalDomainName"] } },
    },
  };
  await euCfn.send(new CreateStackCommand({ StackName: "eu", TemplateBody: JSON.stringify(template) }));
  await waitUntilStackCreateComplete({ ...waiter(), client: euCfn }, { StackName: "eu" });
  const [st] = (await euCfn.send(new DescribeStacksCommand({ StackName: "eu" }))).Stacks!;
  const out = Object.fromEntries(st.Outputs!.map((o) => [o.OutputKey!, o.OutputValue!]));
  assert.equal(out.Url, `http://${out.Name}.s3-website.eu-central-1.amazonaws.com`);
  assert.equal(out.Regional, `${out.Name}.s3.eu-central-1.amazonaws.com`);
  const euS3 = new S3Client({ ...c, forcePathStyle: true });
  assert.equal((await euS3.send(new GetBucketLocationCommand({ Bucket: out.Name }))).LocationConstraint, "eu-central-1");
  await euCfn.send(new DeleteStackCommand({ StackName: "eu" }));
  await waitUntilStackDeleteComplete({ ...waiter(), client: euCfn }, { StackName: st.StackId });
  await assert.rejects(euS3.send(new HeadBucketCommand({ Bucket: out.Name })), { name: "NotFound" });
});
