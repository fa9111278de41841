// ARNs: arn:<partition>:<service>:<region>:<account>:<resource>, the resource keeping any further colons.
// Built and taken apart here, once, instead of by template strings and regexes in each service.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/**
 * An ARN's parts, when it is one: "arn", a partition, a service, a region and an account (either may be empty),
 * and a resource that is not — AWS refuses the rest as syntax before anything else (STS answers
 * "arn:a:a::aaaaaaaaaa: is invalid", recorded from AWS in LocalStack's tests/aws/services/sts/test_sts.snapshot.json).
 */
export function parseArn(arn: string): Arn | undefined {
  const p = arn.split(":");
  if (p.length < 6 || p[0] !== "arn" || !p[1] || !p[2]) return undefined;
  const resource = p.slice(5).join(":");
  if (!resource) return undefined;
  return { partition: p[1], service: p[2], region: p[3]!, account: p[4]!, resource };
}

export function formatArn(a: Omit<Arn, "partition"> & { partition?: string }): string {
  return `arn:${a.partition ?? "aws"}:${a.service}:${a.region}:${a.account}:${a.resource}`;
}

/** Where a resource lives: a handler context has both. */
export interface ArnScope {
  account: string;
  region: string;
}

/** A regional resource's ARN, e.g. regionalArn(ctx, "sqs", "my-queue"). */
export const regionalArn = (where: ArnScope, service: string, resource: string): string =>
  formatArn({ service, region: where.region, account: where.account, resource });

/** A global resource's ARN (no region), e.g. globalArn(account, "iam", "role/admin"). */
export const globalArn = (account: string, service: string, resource: string): string => formatArn({ service, region: "", account, resource });

export interface ResourceArn extends Arn {
  /** The resource type, as the ARN names it before its separator ("function", "role", "key"), or "" for none. */
  type: string;
  /** What follows the type and its separator: a name, a path and name, an id, possibly with a qualifier. */
  id: string;
}

/**
 * An ARN of `service` whose resource is `<type>:<id>` or `<type>/<id>` (whichever `sep` says); with no `type`,
 * the whole resource is the id (SQS queues, SNS topics). Undefined for anything else, so the caller words the error.
 */
export function parseResourceArn(arn: string, service: string, type?: string, sep: ":" | "/" = ":"): ResourceArn | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== service) return undefined;
  if (type === undefined) return a.resource ? { ...a, type: "", id: a.resource } : undefined;
  const prefix = type + sep;
  if (!a.resource.startsWith(prefix) || a.resource.length === prefix.length) return undefined;
  return { ...a, type, id: a.resource.slice(prefix.length) };
}
