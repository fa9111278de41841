// Subscription filters: at most two per log group, each sending the group's matching events, as they are put, to a
// destination. Lambda functions run here: CloudWatch Logs invokes them asynchronously with AWS's payload
// ({"awslogs":{"data": base64(gzip(JSON))}}, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html).
// Kinesis Data Streams and Firehose do not exist in Stratus, so they — and logical destinations (destinations.ts),
// whose targets they are — are refused as AWS refuses a destination it cannot deliver to, never accepted silently.
// The account's SUBSCRIPTION_FILTER_POLICY (account-policies.ts) is delivered beside the group's own filters.
// CONTROL_MESSAGE: AWS documents it for Kinesis records ("Sometimes CloudWatch Logs may emit Kinesis Data Streams
// records with a CONTROL_MESSAGE type, mainly for checking if the destination is reachable", ValidateLogEventFlow.html);
// for a Lambda function AWS checks the function's permission instead, so no control message is invoked here (public
// accounts of a Lambda control message disagree on its text — unverified, hence not sent). `distribution` is stored
// and described; AWS applies it only to Kinesis shards, which Stratus has none of.
//
// AWS-recorded responses (LocalStack tests/aws/services/logs/test_logs_subscription_filters.snapshot.json): a third
// filter is LimitExceededException "Resource limit exceeded."; deleting in an unknown group or an unknown filter is
// ResourceNotFoundException "The specified log group does not exist." / "The specified subscription filter does not
// exist."; a function of another account is AccessDeniedException "Cross-account lambda invocation passing is not
// allowed. …" (checked before the group); a Kinesis stream without roleArn is InvalidParameterException
// "destinationArn for vendor kinesis cannot be used without roleArn"; Describe shows distribution ByLogStream and
// applyOnTransformedLogs false by default.
import { gzipSync } from "node:zlib";
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import { lambdaPermits } from "../lambda/internal.js";
import {
  AccessDeniedException,
  InvalidParameterException,
  LimitExceededException,
  ResourceNotFoundException,
  type CloudwatchLogsApi,
  type SubscriptionFilter,
} from "./api.generated.js";
import { accountSubscriptionFor } from "./account-policies.js";
import { sendToLambda } from "./delivery.js";
import { cannotDeliver, checkLogsDestination } from "./destinations.js";
import { compileFilterPattern, FilterPatternError } from "./filter-pattern.js";
import { groupArn, invalidToken, logsState, mustGroup, streamPrefix, type GroupRec, type StreamRec, type SubscriptionRec } from "./state.js";

const MAX_FILTERS_PER_GROUP = 2;

const filters = (ctx: HandlerContext) => logsState.of(ctx).subscriptionFilters;
const filterKey = (group: string, name: string) => `${group}:${name}`;

function compile(pattern: string) {
  try {
    return compileFilterPattern(pattern);
  } catch (e) {
    if (e instanceof FilterPatternError) throw new InvalidParameterException(e.message);
    throw e;
  }
}

// AWS's refusals of destinations it cannot reach: a function CloudWatch Logs may not invoke (hashicorp/terraform#5996,
// localstack/localstack#2653 quote it from AWS), and a test message that could not be delivered
// (awsdocs/amazon-cloudwatch-logs-user-guide#47).
const cannotInvoke = () =>
  new InvalidParameterException("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.");

/** Checks a destination as AWS does before it accepts the filter (vendor rules first, then the delivery check). */
export function checkDestination(ctx: HandlerContext, destinationArn: string, roleArn: string | undefined): () => void {
  const m = /^arn:aws[\w-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/.exec(destinationArn);
  if (!m) throw new InvalidParameterException(`Invalid destinationArn: ${destinationArn}`); // Unverified wording.
  const [, vendor, region, account] = m;
  if (vendor === "lambda") {
    if (account !== ctx.account) {
      throw new AccessDeniedException(
        "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers.",
      );
    }
    // A function of another region cannot be a destination (checked with the group's own permission check below).
    return () => {
      if (region !== ctx.region) throw cannotInvoke();
    };
  }
  if (vendor === "kinesis" || vendor === "firehose") {
    if (roleArn === undefined) throw new InvalidParameterException(`destinationArn for vendor ${vendor} cannot be used without roleArn`);
    // No Kinesis stream or Firehose delivery stream can exist in Stratus: the test message cannot be delivered.
    return () => {
      throw cannotDeliver();
    };
  }
  if (vendor === "logs") {
    // A logical destination (PutDestination), for cross-account delivery: its access policy and target (destinations.ts).
    return () => checkLogsDestination(ctx, destinationArn);
  }
  // Unverified wording for a vendor CloudWatch Logs does not deliver to.
  throw new InvalidParameterException(`destinationArn for vendor ${vendor} is not supported`);
}

/** For a Lambda destination: the function's resource policy must let CloudWatch Logs invoke it for `sourceArn`. */
export function checkLambdaGrant(ctx: HandlerContext, destinationArn: string, sourceArn: string): void {
  if (!/^arn:aws[\w-]*:lambda:/.test(destinationArn)) return;
  const allowed =
    lambdaPermits(ctx, destinationArn, `logs.${ctx.region}.amazonaws.com`, sourceArn, ctx.account) ||
    lambdaPermits(ctx, destinationArn, "logs.amazonaws.com", sourceArn, ctx.account);
  if (!allowed) throw cannotInvoke();
}

const describe = (f: SubscriptionRec): SubscriptionFilter => ({
  filterName: f.name,
  logGroupName: f.group,
  filterPattern: f.pattern,
  destinationArn: f.destinationArn,
  ...(f.roleArn !== undefined ? { roleArn: f.roleArn } : {}),
  distribution: f.distribution,
  applyOnTransformedLogs: f.applyOnTransformedLogs,
  creationTime: f.creationTime,
  ...(f.fieldSelectionCriteria !== undefined ? { fieldSelectionCriteria: f.fieldSelectionCriteria } : {}),
  ...(f.emitSystemFields !== undefined ? { emitSystemFields: f.emitSystemFields } : {}),
});

export const subscriptions = {
  putSubscriptionFilter(input, ctx) {
    compile(input.filterPattern);
    const deliveryCheck = checkDestination(ctx, input.destinationArn, input.roleArn);
    const g = mustGroup(ctx, input.logGroupName);
    const table = filters(ctx);
    const key = filterKey(g.name, input.filterName);
    const before = table.get(key);
    if (!before && table.count(streamPrefix(g.name)) >= MAX_FILTERS_PER_GROUP) throw new LimitExceededException("Resource limit exceeded.");
    deliveryCheck();
    // The function's resource policy must let CloudWatch Logs invoke it for this log group (lambda add-permission with
    // principal logs.<region>.amazonaws.com and SourceArn arn:…:log-group:<name>:*).
    checkLambdaGrant(ctx, input.destinationArn, `${groupArn(ctx, g.name)}:*`);
    const rec: SubscriptionRec = {
      group: g.name,
      name: input.filterName,
      pattern: input.filterPattern,
      destinationArn: input.destinationArn,
      ...(input.roleArn !== undefined ? { roleArn: input.roleArn } : {}),
      distribution: input.distribution ?? "ByLogStream",
      applyOnTransformedLogs: input.applyOnTransformedLogs ?? false,
      creationTime: before?.creationTime ?? ctx.now(),
      ...(input.fieldSelectionCriteria !== undefined ? { fieldSelectionCriteria: input.fieldSelectionCriteria } : {}),
      ...(input.emitSystemFields !== undefined ? { emitSystemFields: input.emitSystemFields } : {}),
    };
    table.put(key, rec);
    return {};
  },

  describeSubscriptionFilters({ logGroupName, filterNamePrefix, nextToken, limit }, ctx) {
    const g = mustGroup(ctx, logGroupName);
    const list = filters(ctx)
      .list({ prefix: streamPrefix(g.name) + (filterNamePrefix ?? "") })
      .map((e) => e.value);
    const page = pageByKey(list, (f) => f.name, {
      operation: "DescribeSubscriptionFilters",
      token: nextToken,
      max: limit ?? 50,
      bind: `${g.name}|${filterNamePrefix ?? ""}`,
      invalid: invalidToken,
    });
    return { subscriptionFilters: page.items.map(describe), ...(page.next ? { nextToken: page.next } : {}) };
  },

  deleteSubscriptionFilter({ logGroupName, filterName }, ctx) {
    const g = mustGroup(ctx, logGroupName);
    if (!filters(ctx).delete(filterKey(g.name, filterName))) throw new ResourceNotFoundException("The specified subscription filter does not exist.");
    return {};
  },
} satisfies Partial<CloudwatchLogsApi>;

/** The group's filters and the account's subscription policy, unless it excludes the group (for PutLogEvents). */
/** The group's subscription filters (for ingestion: shared and frozen, kept until a filter changes). */
export function filtersOf(ctx: HandlerContext, group: string): readonly Readonly<SubscriptionRec>[] {
  const own = filters(ctx)
    .readList(streamPrefix(group))
    .map((e) => e.value);
  const account = accountSubscriptionFor(ctx, group);
  return account ? [...own, account] : own;
}

/**
 * Delivers an upload's events to the group's subscription filters: per filter, the events its pattern matches, in one
 * DATA_MESSAGE (gzip, base64, under awslogs.data), invoked asynchronously (an Event invocation, queued durably by
 * Lambda before the call returns). A function that was deleted or no longer grants CloudWatch Logs is skipped, as AWS
 * drops what it cannot deliver; a retryable failure is retried in the background (delivery.ts); the upload itself
 * stays accepted either way.
 */
export async function deliver(
  ctx: HandlerContext,
  g: GroupRec,
  s: StreamRec,
  subs: readonly Readonly<SubscriptionRec>[],
  events: readonly { timestamp: number; message: string }[],
  seqs: readonly number[],
): Promise<void> {
  if (!subs.length || !events.length) return;
  for (const f of subs) {
    if (!/^arn:aws[\w-]*:lambda:/.test(f.destinationArn)) continue;
    const matcher = compile(f.pattern);
    const logEvents: LogEventOut[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (matcher.matches(e.message)) logEvents.push({ id: eventId(e.timestamp, seqs[i]), timestamp: e.timestamp, message: e.message });
    }
    if (!logEvents.length) continue;
    for (const payload of payloads(ctx, g, s, f, logEvents)) await sendToLambda(ctx, f.destinationArn, payload);
  }
}

/** Lambda's limit on an asynchronous invocation's payload (what Invoke with InvocationType Event accepts). */
const MAX_EVENT_PAYLOAD = 1_048_576;

type LogEventOut = { id: string; timestamp: number; message: string };

/**
 * The DATA_MESSAGE payloads for these events: one, or — when an upload of poorly compressible events would exceed
 * what an asynchronous invocation takes — the events split in order across as many as needed, none dropped.
 */
function payloads(ctx: HandlerContext, g: GroupRec, s: StreamRec, f: SubscriptionRec, logEvents: LogEventOut[]): string[] {
  // Keys in the order of AWS's documented payload (ValidateLogEventFlow.html).
  const message = {
    owner: ctx.account,
    logGroup: g.name,
    logStream: s.name,
    subscriptionFilters: [f.name],
    messageType: "DATA_MESSAGE",
    logEvents,
  };
  const payload = JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(message)).toString("base64") } });
  if (payload.length <= MAX_EVENT_PAYLOAD || logEvents.length < 2) return [payload];
  const half = Math.ceil(logEvents.length / 2);
  return [...payloads(ctx, g, s, f, logEvents.slice(0, half)), ...payloads(ctx, g, s, f, logEvents.slice(half))];
}

// The same 56-digit ids FilterLogEvents gives (filter.ts): timestamp, then ingestion order.
const eventId = (timestamp: number, seq: number) => `${String(timestamp).padStart(20, "0")}${String(seq).padStart(36, "0")}`;
