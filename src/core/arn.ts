// ARNs: arn:<partition>:<service>:<region>:<account>:<resource>, the resource keeping any further colons.
// Built and taken apart here, once, instead of by template strings and regexes in each service.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
import { PARTITIONS } from "./partitions.generated.js";

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

/**
 * The partition a region belongs to ("aws-cn" for cn-north-1, "aws-us-gov" for us-gov-west-1, "aws-iso-b" for
 * us-isob-east-1, …), as the SDKs resolve it from botocore's partitions.json: a listed region first, then each
 * partition's region pattern; "aws" for anything else.
 */
export function partitionOf(region: string): string {
  let found = partitionCache.get(region);
  if (found === undefined) {
    found =
      PARTITIONS.find((p) => p.regions.includes(region))?.id ?? PARTITIONS.find((p) => p.id !== "aws" && new RegExp(p.regionRegex).test(region))?.id ?? "aws";
    if (partitionCache.size < 1000) partitionCache.set(region, found);
  }
  return found;
}
const partitionCache = new Map<string, string>();

/** An ARN from its parts; the partition is the region's unless given (a global resource's is "aws" unless given). */
export function formatArn(a: Omit<Arn, "partition"> & { partition?: string }): string {
  return `arn:${a.partition ?? (a.region ? partitionOf(a.region) : "aws")}:${a.service}:${a.region}:${a.account}:${a.resource}`;
}

/** The same ARN in another partition (principals and AWS-managed policies are kept in "aws"'s form). */
export function inPartition(arn: string, partition: string): string {
  if (partition === "aws" || !arn.startsWith("arn:aws:")) return arn;
  return `arn:${partition}:${arn.slice(8)}`;
}

/** Where a resource lives: a handler context has both. */
export interface ArnScope {
  account: string;
  region: string;
}

/** A regional resource's ARN, e.g. regionalArn(ctx, "sqs", "my-queue"). */
export const regionalArn = (where: ArnScope, service: string, resource: string): string =>
  formatArn({ service, region: where.region, account: where.account, resource });

/**
 * A global resource's ARN (no region), e.g. globalArn(account, "iam", "role/admin"); in the partition of `where`'s
 * region when given a scope (an IAM user created through cn-north-1 is arn:aws-cn:iam::…), else "aws".
 */
export const globalArn = (where: string | ArnScope, service: string, resource: string): string =>
  typeof where === "string"
    ? formatArn({ service, region: "", account: where, resource })
    : formatArn({ partition: partitionOf(where.region), service, region: "", account: where.account, resource });

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

/** Every string of a request or response that is an ARN, moved from one partition to another. */
function repartition(value: unknown, from: string, to: string): unknown {
  if (typeof value === "string") return value.startsWith(from) ? to + value.slice(from.length) : value;
  if (Array.isArray(value)) return value.map((v) => repartition(v, from, to));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = repartition(v, from, to);
    return out;
  }
  return value;
}

/**
 * A global service's handlers (IAM: one namespace per account, whatever the region) answering in the caller's
 * partition: they keep and build "aws" ARNs, and a call through cn-north-1 or us-gov-west-1 gives and gets ARNs
 * of its own partition (arn:aws-cn:iam::…), as that partition's IAM does.
 */
export function inCallerPartition<H extends Record<string, (input: any, ctx: any) => unknown>>(handlers: H): H {
  const out: Record<string, (input: unknown, ctx: { region: string }) => unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    out[name] = (input, ctx) => {
      const partition = partitionOf(ctx.region);
      if (partition === "aws") return handler(input, ctx);
      const result = handler(repartition(input, `arn:${partition}:`, "arn:aws:"), ctx);
      return result instanceof Promise
        ? result.then((r) => repartition(r, "arn:aws:", `arn:${partition}:`))
        : repartition(result, "arn:aws:", `arn:${partition}:`);
    };
  }
  return out as H;
}
