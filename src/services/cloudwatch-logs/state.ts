// CloudWatch Logs records (groups, streams; per account+region), lookups that fail as AWS words them, ARNs, tokens.
import { regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { defineState, regional, STORE, type StateHolder } from "../../core/state.js";
import { logEventStore, type LogEventStore } from "../../core/store/log-events.js";
import type { Table } from "../../core/store/types.js";
import type { MetricFilterRec } from "./metric-filters.js";
import {
  InvalidParameterException,
  ResourceNotFoundException,
  ValidationException,
  type Distribution,
  type LogGroupClass,
  type PolicyType,
} from "./api.generated.js";

export interface GroupRec {
  name: string;
  /** The event store's id for this group's events; a re-created group gets a new one. */
  id: number;
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: LogGroupClass;
  deletionProtectionEnabled: boolean;
  tags: Record<string, string>;
  storedBytes: number;
}

export interface StreamRec {
  name: string;
  id: number;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  storedBytes: number;
  /** Counts accepted PutLogEvents calls; the upload sequence token is derived from it. */
  uploads: number;
}

/** A resource policy: account-level (by name) or attached to one log group (resourceArn, revisionId). */
export interface ResourcePolicyRec {
  name: string;
  /** As the caller sent it (PutResourcePolicy's answer). */
  document: string;
  /** As AWS stores and describes it. */
  stored: string;
  lastUpdated: number;
  resourceArn?: string;
  revisionId?: string;
}

/** A subscription filter of a log group (keyed `<group>:<filter>`). */
export interface SubscriptionRec {
  group: string;
  name: string;
  pattern: string;
  destinationArn: string;
  roleArn?: string;
  distribution: Distribution;
  applyOnTransformedLogs: boolean;
  creationTime: number;
  fieldSelectionCriteria?: string;
  emitSystemFields?: string[];
}

/** A logical destination (PutDestination) for cross-account subscriptions, by name. */
export interface DestinationRec {
  name: string;
  targetArn: string;
  roleArn: string;
  accessPolicy?: string;
  creationTime: number;
  tags: Record<string, string>;
}

/** An account-level policy (PutAccountPolicy), keyed `<policyType>:<policyName>`. */
export interface AccountPolicyRec {
  name: string;
  type: PolicyType;
  document: string;
  selectionCriteria?: string;
  lastUpdated: number;
}

/** A subscription delivery that failed with a retryable error, retried in the background for up to 24 hours. */
export interface DeliveryRetryRec {
  destinationArn: string;
  /** The Invoke payload ({"awslogs":{"data":…}}). */
  payload: string;
  firstAttempt: number;
  attempts: number;
  nextAttempt: number;
}

/** CloudWatch Logs' tables, per account and region (stored as cloudwatch-logs:<name>). Events live in the event store. */
export const logsState = defineState("cloudwatch-logs", {
  groups: regional<GroupRec>(),
  /** Keyed `<group>:<stream>`. */
  streams: regional<StreamRec>(),
  /** Metric filters by `<group>:<filter>` (metric-filters.ts; DescribeLogGroups counts them). */
  metricFilters: regional<MetricFilterRec>("metric-filters"),
  /** Account-level resource policies by name (at most 10 per region). */
  resourcePolicies: regional<ResourcePolicyRec>("resource-policies"),
  /** Resource-scoped policies by the name of the log group they are attached to. */
  groupPolicies: regional<ResourcePolicyRec>("group-policies"),
  /** Subscription filters by `<group>:<filter>` (at most two per group). */
  subscriptionFilters: regional<SubscriptionRec>("subscription-filters"),
  /** Logical destinations by name. */
  destinations: regional<DestinationRec>("destinations"),
  /** Account-level policies by `<policyType>:<policyName>`. */
  accountPolicies: regional<AccountPolicyRec>("account-policies"),
  /** Subscription deliveries awaiting a retry, by a time-ordered id. */
  deliveryRetries: regional<DeliveryRetryRec>("delivery-retries"),
});

export const groups = (ctx: HandlerContext): Table<GroupRec> => logsState.of(ctx).groups;
export const streams = (ctx: HandlerContext): Table<StreamRec> => logsState.of(ctx).streams;

/** The server's log event store (indexed, chunked events), for a handler context or the service host. */
export const eventStore = (holder: StateHolder): LogEventStore => logEventStore(holder[STORE]);

/** Runs fn atomically in the store (all of its writes commit together or none; event appends included). */
export { transaction } from "../../core/state.js";

// ':' cannot occur in a group name, so `<group>:` is exactly the prefix of that group's streams.
export const streamKey = (group: string, stream: string) => `${group}:${stream}`;
export const streamPrefix = (group: string) => `${group}:`;

export const groupArn = (ctx: HandlerContext, name: string) => regionalArn(ctx, "logs", `log-group:${name}`);
export const streamArn = (ctx: HandlerContext, group: string, stream: string) => `${groupArn(ctx, group)}:log-stream:${stream}`;

export function mustGroup(ctx: HandlerContext, name: string): GroupRec {
  const g = groups(ctx).get(name);
  if (!g) throw new ResourceNotFoundException("The specified log group does not exist.");
  return g;
}

export function mustStream(ctx: HandlerContext, group: string, name: string): StreamRec {
  const s = streams(ctx).get(streamKey(group, name));
  if (!s) throw new ResourceNotFoundException("The specified log stream does not exist.");
  return s;
}

/**
 * The group an operation names, by logGroupName or logGroupIdentifier (a name or an ARN, with or
 * without the trailing `:*`); exactly one of the two, as AWS requires.
 */
export function groupNameOf(ctx: HandlerContext, name: string | undefined, identifier: string | undefined): string {
  if (name !== undefined && identifier !== undefined) {
    // ValidationException, not InvalidParameterException (LocalStack's AWS-recorded test_logs_streams.snapshot.json).
    throw new ValidationException("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  const id = name ?? identifier;
  if (id === undefined) throw new InvalidParameterException("Should provide either name or ARN of the log group.");
  if (!id.startsWith("arn:")) return id;
  const m = /^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:([^:]+)(?::\*)?$/.exec(id);
  if (!m) throw new InvalidParameterException(`Invalid log group identifier: ${id}`);
  if (m[1] !== ctx.region || m[2] !== ctx.account) throw new ResourceNotFoundException("The specified log group does not exist.");
  return m[3];
}

// Paging tokens are core/paging's: opaque, carrying a position, bound to the operation and a fingerprint of the query.
export const invalidToken = () => new InvalidParameterException("The specified nextToken is invalid.");

/** The oldest timestamp a group still returns: its retention's floor (events past it are never shown). */
export function retentionFloor(g: GroupRec, now: number): number {
  return g.retentionInDays ? now - g.retentionInDays * 86_400_000 : 0;
}

/** Bytes an event counts for: its UTF-8 message plus 26 bytes, as PutLogEvents' batch limit counts them. */
export const eventBytes = (message: string) => Buffer.byteLength(message, "utf8") + 26;
