// What CreateTrail and UpdateTrail check before they accept a destination, each through the owning service's own
// operations (in-process) and core/policy's evaluator, refused with AWS's texts:
// - the bucket exists (S3BucketDoesNotExistException) and its policy lets cloudtrail.amazonaws.com s3:GetBucketAcl on it
//   and s3:PutObject under <prefix>/AWSLogs/<account>/ ("Incorrect S3 bucket policy is detected for bucket: <name>",
//   as boto/boto3#1766 and hashicorp/terraform#29991 quote it), aws:SourceArn / aws:SourceAccount conditions honoured;
// - the SNS topic exists and lets CloudTrail publish (moto's recorded text, moto/cloudtrail/models.py);
// - the KMS key lets CloudTrail kms:GenerateDataKey* ("Insufficient permissions to access S3 bucket <b> or KMS key <arn>.",
//   Azure/Azure-Sentinel#12242);
// - the CloudWatch Logs group exists and the role trusts cloudtrail.amazonaws.com and may write there (texts from
//   aws/aws-cli#5098, cloudposse/terraform-aws-cloudtrail-cloudwatch-alarms#2, hashicorp/terraform-provider-aws#148,
//   #18038 and cloudposse/terraform-aws-cloudwatch-logs#38).
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { evaluatePolicy, type Decision } from "../../core/policy/index.js";
import { findRoleByArn } from "../iam/internal.js";
import {
  InsufficientEncryptionPolicyException,
  InsufficientS3BucketPolicyException,
  InsufficientSnsTopicPolicyException,
  InvalidCloudWatchLogsLogGroupArnException,
  InvalidCloudWatchLogsRoleArnException,
  KmsKeyNotFoundException,
  S3BucketDoesNotExistException,
} from "./api.generated.js";

export const CLOUDTRAIL_PRINCIPAL = "cloudtrail.amazonaws.com";

const allows = (policy: string | undefined, action: string, resource: string, context: Record<string, string>): boolean => {
  if (!policy) return false;
  const d: Decision = evaluatePolicy(policy, { caller: { type: "service", service: CLOUDTRAIL_PRINCIPAL }, action, resource, context });
  return d === "Allow";
};

const conditionContext = (ctx: HandlerContext, trailArn: string): Record<string, string> => ({
  "aws:sourcearn": trailArn,
  "aws:sourceaccount": ctx.account,
  "s3:x-amz-acl": "bucket-owner-full-control",
});

export function logsPath(prefix: string | undefined, account: string): string {
  return `${prefix ? `${prefix}/` : ""}AWSLogs/${account}/`;
}

export async function checkBucket(ctx: HandlerContext, bucket: string, prefix: string | undefined, trailArn: string): Promise<void> {
  const s3 = ctx.client("s3");
  try {
    await s3.headBucket({ Bucket: bucket });
  } catch (e) {
    if (isServiceError(e) && (e.code === "NoSuchBucket" || e.code === "NotFound" || e.status === 404)) {
      throw new S3BucketDoesNotExistException(`S3 bucket ${bucket} does not exist!`);
    }
    throw e;
  }
  let policy: string | undefined;
  try {
    policy = (await s3.getBucketPolicy({ Bucket: bucket })).Policy;
  } catch (e) {
    if (!isServiceError(e)) throw e;
  }
  const context = conditionContext(ctx, trailArn);
  const object = `arn:aws:s3:::${bucket}/${logsPath(prefix, ctx.account)}CloudTrail/${ctx.region}/`;
  if (!allows(policy, "s3:GetBucketAcl", `arn:aws:s3:::${bucket}`, context) || !allows(policy, "s3:PutObject", object, context)) {
    throw new InsufficientS3BucketPolicyException(`Incorrect S3 bucket policy is detected for bucket: ${bucket}`);
  }
}

export function topicArnOf(ctx: HandlerContext, name: string): string {
  return name.startsWith("arn:") ? name : `arn:aws:sns:${ctx.region}:${ctx.account}:${name}`;
}

export async function checkTopic(ctx: HandlerContext, topicArn: string, trailArn: string): Promise<void> {
  const refused = () => new InsufficientSnsTopicPolicyException("SNS Topic does not exist or the topic policy is incorrect!");
  let policy: string | undefined;
  try {
    policy = (await ctx.client("sns").getTopicAttributes({ TopicArn: topicArn })).Attributes?.Policy;
  } catch (e) {
    if (isServiceError(e)) throw refused();
    throw e;
  }
  if (!allows(policy, "SNS:Publish", topicArn, conditionContext(ctx, trailArn))) throw refused();
}

/** The key's ARN once its policy lets CloudTrail encrypt with it. */
export async function checkKey(ctx: HandlerContext, keyId: string, bucket: string, trailArn: string): Promise<string> {
  const kms = ctx.client("kms");
  let arn: string;
  try {
    const meta = (await kms.describeKey({ KeyId: keyId })).KeyMetadata;
    arn = meta?.Arn ?? keyId;
  } catch (e) {
    if (isServiceError(e) && e.code === "NotFoundException") throw new KmsKeyNotFoundException(`KMS key not found: ${keyId}`); // unverified wording
    throw e;
  }
  let policy: string | undefined;
  try {
    policy = (await kms.getKeyPolicy({ KeyId: arn, PolicyName: "default" })).Policy;
  } catch (e) {
    if (!isServiceError(e)) throw e;
  }
  const context = { ...conditionContext(ctx, trailArn), "kms:encryptioncontext:aws:cloudtrail:arn": trailArn };
  if (!allows(policy, "kms:GenerateDataKey", arn, context)) {
    throw new InsufficientEncryptionPolicyException(`Insufficient permissions to access S3 bucket ${bucket} or KMS key ${arn}.`);
  }
  return arn;
}

const GROUP_ARN = /^arn:[\w-]+:logs:([a-z0-9-]+):(\d{12}):log-group:([^:*]+)(?::\*)?$/;

export function logGroupOf(arn: string): { region: string; account: string; name: string } | undefined {
  const m = GROUP_ARN.exec(arn);
  return m ? { region: m[1], account: m[2], name: m[3] } : undefined;
}

export async function checkLogs(ctx: HandlerContext, groupArn: string | undefined, roleArn: string | undefined): Promise<void> {
  if (!groupArn && !roleArn) return;
  if (groupArn && !roleArn) throw new InvalidCloudWatchLogsRoleArnException("You must specify a role ARN as well as a log group.");
  if (!groupArn) throw new InvalidCloudWatchLogsLogGroupArnException("You must specify a log group and a role ARN."); // unverified wording
  const group = logGroupOf(groupArn);
  const cannotValidate = () => new InvalidCloudWatchLogsLogGroupArnException("Check the log group ARN: CloudTrail can't validate it.");
  if (!group || group.account !== ctx.account) throw cannotValidate();
  const found = await ctx.client("cloudwatch-logs").describeLogGroups({ logGroupNamePrefix: group.name }, { region: group.region });
  if (!found.logGroups?.some((g) => g.logGroupName === group.name)) throw cannotValidate();
  const role = findRoleByArn(ctx, ctx.account, roleArn!);
  const trusts =
    role !== undefined &&
    evaluatePolicy(role.assumeRolePolicyDocument, { caller: { type: "service", service: CLOUDTRAIL_PRINCIPAL }, action: "sts:AssumeRole" }) === "Allow";
  if (!trusts) throw new InvalidCloudWatchLogsRoleArnException("Access denied. Check the trust relationships for your role.");
  const streamArn = `arn:aws:logs:${group.region}:${group.account}:log-group:${group.name}:log-stream:${ctx.account}_CloudTrail_${ctx.region}`;
  const policies = await rolePolicies(ctx, role.roleName);
  const may = (action: string) =>
    policies.some((p) => evaluatePolicy(p, { caller: { type: "iam", principal: ctx.principal }, action, resource: streamArn }, { identity: true }) === "Allow");
  if (!may("logs:CreateLogStream") || !may("logs:PutLogEvents")) {
    throw new InvalidCloudWatchLogsLogGroupArnException("Access denied. Verify in IAM that the role has adequate permissions.");
  }
}

/** The role's identity policies (inline and attached managed), read through IAM's own operations. */
async function rolePolicies(ctx: HandlerContext, roleName: string): Promise<string[]> {
  const iam = ctx.client("iam");
  const docs: string[] = [];
  const decode = (d: string | undefined) => (d ? decodeURIComponent(d) : undefined);
  for (const name of (await iam.listRolePolicies({ RoleName: roleName })).PolicyNames ?? []) {
    const d = decode((await iam.getRolePolicy({ RoleName: roleName, PolicyName: name })).PolicyDocument);
    if (d) docs.push(d);
  }
  for (const a of (await iam.listAttachedRolePolicies({ RoleName: roleName })).AttachedPolicies ?? []) {
    if (!a.PolicyArn) continue;
    const p = (await iam.getPolicy({ PolicyArn: a.PolicyArn })).Policy;
    if (!p?.DefaultVersionId) continue;
    const d = decode((await iam.getPolicyVersion({ PolicyArn: a.PolicyArn, VersionId: p.DefaultVersionId })).PolicyVersion?.Document);
    if (d) docs.push(d);
  }
  return docs;
}
