// AWS managed keys (alias/aws/<service>): created the first time anyone names one, as AWS does when a service first encrypts.
import type { HandlerContext } from "../../core/context.js";
import { newKey } from "./keys.js";
import { managedKeyPolicy } from "./policies.js";
import type { KeyRec } from "./state.js";
import { getKey, setManagedKeyFactory, tables, transaction } from "./state.js";

/** alias/aws/<name> → what the key protects (AWS's descriptions name the service's data). */
const MANAGED: Record<string, string> = {
  ssm: "SSM parameters",
  secretsmanager: "Secrets Manager secrets",
  s3: "S3 objects",
  ebs: "EBS volumes",
  rds: "RDS database",
  lambda: "Lambda functions",
  sns: "SNS data",
  sqs: "SQS data",
  dynamodb: "DynamoDB tables",
  kinesis: "Kinesis data",
  logs: "CloudWatch Logs",
  ecr: "ECR data",
  codecommit: "CodeCommit repositories",
  codeartifact: "CodeArtifact data",
  backup: "backups",
  elasticfilesystem: "EFS file systems",
  glue: "Glue data",
  es: "Elasticsearch data",
  kafka: "MSK data",
  redshift: "Redshift data",
  xray: "X-Ray data",
  acm: "ACM private keys",
};

/** The managed key behind `alias/aws/<svc>`, creating it (and its alias) on first use; undefined for names AWS does not reserve. */
export function managedKey(ctx: HandlerContext, alias: string): KeyRec | undefined {
  const m = /^alias\/aws\/([a-z0-9-]+)$/.exec(alias);
  const what = m && MANAGED[m[1]];
  if (!m || !what) return undefined;
  const t = tables(ctx);
  const existing = t.aliases.get(alias);
  if (existing) return getKey(ctx, existing.targetKeyId);
  const k = newKey(ctx, {
    keySpec: "SYMMETRIC_DEFAULT",
    keyUsage: "ENCRYPT_DECRYPT",
    keyManager: "AWS",
    description: `Default key that protects my ${what} when no other key is defined`,
    policy: managedKeyPolicy(ctx.account, m[1], ctx.region),
    // AWS rotates AWS managed keys every year, always.
    rotation: { enabled: true, periodDays: 365, nextAt: ctx.now() + 365 * 86_400_000 },
  });
  transaction(ctx, () => {
    t.keys.put(k.id, k);
    t.aliases.put(alias, { name: alias, targetKeyId: k.id, createdAt: k.createdAt, updatedAt: k.createdAt });
  });
  return k;
}

setManagedKeyFactory(managedKey);
