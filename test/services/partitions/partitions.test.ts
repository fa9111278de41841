// ARNs follow the region's partition (botocore's partitions.json): aws-cn for cn-*, aws-us-gov for us-gov-*,
// aws-iso* for the isolated regions — for every service, the caller's identity included. Real SDK v3 clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import {
  IAMClient,
  CreateUserCommand,
  CreateAccessKeyCommand,
  GetUserCommand,
  CreateRoleCommand,
  CreatePolicyCommand,
  AttachUserPolicyCommand,
  ListAttachedUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { SNSClient, CreateTopicCommand, PublishCommand } from "@aws-sdk/client-sns";
import { KMSClient, CreateKeyCommand, GetKeyPolicyCommand } from "@aws-sdk/client-kms";
import { SecretsManagerClient, CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { SSMClient, PutParameterCommand, GetParameterCommand } from "@aws-sdk/client-ssm";
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client, CreateBucketCommand, HeadBucketCommand, PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { partitionOf } from "../../../src/core/arn.js";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

test("partitionOf: regions map to their partition as the SDKs resolve them", () => {
  assert.equal(partitionOf("us-east-1"), "aws");
  assert.equal(partitionOf("eu-west-3"), "aws");
  assert.equal(partitionOf("cn-north-1"), "aws-cn");
  assert.equal(partitionOf("cn-northwest-1"), "aws-cn");
  assert.equal(partitionOf("us-gov-west-1"), "aws-us-gov");
  assert.equal(partitionOf("us-iso-east-1"), "aws-iso");
  assert.equal(partitionOf("us-isob-east-1"), "aws-iso-b");
  assert.equal(partitionOf("eu-isoe-west-1"), "aws-iso-e");
  assert.equal(partitionOf("us-isof-south-1"), "aws-iso-f");
  // A region no partition lists but whose name fits a pattern, and one that fits none.
  assert.equal(partitionOf("cn-south-9"), "aws-cn");
  assert.equal(partitionOf("moon-base-1"), "aws");
});

for (const [region, partition] of [
  ["cn-north-1", "aws-cn"],
  ["us-gov-west-1", "aws-us-gov"],
] as const) {
  test(`${region}: GetCallerIdentity, IAM, STS and regional services answer with ${partition} ARNs`, async () => {
    const account = randomAccount();
    const c = <T>(Client: new (cfg: never) => T) => server.client(Client as never, { account, region }) as T;
    const who = await c(STSClient).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:${partition}:iam::${account}:root`);

    const iam = c(IAMClient);
    const user = (await iam.send(new CreateUserCommand({ UserName: "ana" }))).User!;
    assert.equal(user.Arn, `arn:${partition}:iam::${account}:user/ana`);
    assert.equal((await iam.send(new GetUserCommand({ UserName: "ana" }))).User?.Arn, user.Arn);
    const pol = (
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: "p",
          PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
        }),
      )
    ).Policy!;
    assert.equal(pol.Arn, `arn:${partition}:iam::${account}:policy/p`);
    // ARNs of the caller's partition are accepted, AWS managed policies included.
    await iam.send(new AttachUserPolicyCommand({ UserName: "ana", PolicyArn: pol.Arn }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "ana", PolicyArn: `arn:${partition}:iam::aws:policy/ReadOnlyAccess` }));
    const attached = (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "ana" }))).AttachedPolicies!.map((p) => p.PolicyArn).sort();
    assert.deepEqual(attached, [`arn:${partition}:iam::${account}:policy/p`, `arn:${partition}:iam::aws:policy/ReadOnlyAccess`].sort());

    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "sts:AssumeRole" }],
    });
    const role = (await iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: trust }))).Role!;
    assert.equal(role.Arn, `arn:${partition}:iam::${account}:role/r`);
    // Root may not assume roles: the account's user does, with its own key.
    const anaKey = (await iam.send(new CreateAccessKeyCommand({ UserName: "ana" }))).AccessKey!;
    const asAna = server.client(STSClient, { region, accessKeyId: anaKey.AccessKeyId!, secretAccessKey: anaKey.SecretAccessKey! });
    assert.equal((await asAna.send(new GetCallerIdentityCommand({}))).Arn, user.Arn);
    const assumed = await asAna.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: "sess" }));
    assert.equal(assumed.AssumedRoleUser?.Arn, `arn:${partition}:sts::${account}:assumed-role/r/sess`);
    const asRole = server.client(STSClient, {
      region,
      accessKeyId: assumed.Credentials!.AccessKeyId,
      secretAccessKey: assumed.Credentials!.SecretAccessKey,
      sessionToken: assumed.Credentials!.SessionToken,
    });
    assert.equal((await asRole.send(new GetCallerIdentityCommand({}))).Arn, `arn:${partition}:sts::${account}:assumed-role/r/sess`);

    const sqs = c(SQSClient);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "q" }));
    assert.equal(
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn,
      `arn:${partition}:sqs:${region}:${account}:q`,
    );
    const sns = c(SNSClient);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "t" }));
    assert.equal(TopicArn, `arn:${partition}:sns:${region}:${account}:t`);
    await sns.send(new PublishCommand({ TopicArn, Message: "m" }));
    const kms = c(KMSClient);
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    assert.equal(key.Arn, `arn:${partition}:kms:${region}:${account}:key/${key.KeyId}`);
    assert.match(
      (await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: "default" }))).Policy!,
      new RegExp(`"arn:${partition}:iam::${account}:root"`),
    );
    const secret = await c(SecretsManagerClient).send(new CreateSecretCommand({ Name: "s", SecretString: "v" }));
    assert.match(secret.ARN!, new RegExp(`^arn:${partition}:secretsmanager:${region}:${account}:secret:s-`));
    const ssm = c(SSMClient);
    await ssm.send(new PutParameterCommand({ Name: "/p", Value: "v", Type: "String" }));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: "/p" }))).Parameter?.ARN, `arn:${partition}:ssm:${region}:${account}:parameter/p`);
    const logs = c(CloudWatchLogsClient);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "g" }));
    assert.equal(
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "g" }))).logGroups?.[0]?.arn,
      `arn:${partition}:logs:${region}:${account}:log-group:g:*`,
    );

    const s3 = server.client(S3Client, { account, region }, { forcePathStyle: true });
    const bucket = `part-${account}-${region}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: region as never } }));
    assert.equal((await s3.send(new HeadBucketCommand({ Bucket: bucket }))).BucketArn, `arn:${partition}:s3:::${bucket}`);
    // A bucket policy speaks of the bucket in its own partition.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: `arn:${partition}:s3:::${bucket}` }],
        }),
      }),
    );
  });
}
