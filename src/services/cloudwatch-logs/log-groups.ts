// Log groups: create, delete, describe, retention, KMS association, deletion protection and tags.
import type { HandlerContext } from "../../core/context.js";
import { decodePageToken, encodePageToken, fingerprint } from "../../core/paging.js";
import { countedTags } from "../../core/tags.js";
import {
  InvalidParameterException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TooManyTagsException,
  ValidationException,
  type CloudwatchLogsApi,
  type LogGroup,
} from "./api.generated.js";
import { checkKeyForGroup } from "./encryption.js";
import { eventStore, groupArn, groupNameOf, groups, invalidToken, logsState, mustGroup, streamPrefix, streams, transaction, type GroupRec } from "./state.js";

// PutRetentionPolicy accepts only these day counts.
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const MAX_TAGS = 50;
const DEFAULT_DESCRIBE_LIMIT = 50;

export const logGroups = {
  async createLogGroup({ logGroupName, kmsKeyId, tags, logGroupClass, deletionProtectionEnabled }, ctx) {
    if (/^aws\//i.test(logGroupName)) throw new InvalidParameterException("Log groups starting with AWS/ are reserved for AWS.");
    if (kmsKeyId !== undefined) await checkKeyForGroup(ctx, kmsKeyId, logGroupName);
    const rec: GroupRec = {
      name: logGroupName,
      id: 0,
      creationTime: ctx.now(),
      kmsKeyId,
      logGroupClass: logGroupClass ?? "STANDARD",
      deletionProtectionEnabled: deletionProtectionEnabled ?? false,
      tags: { ...tags },
      storedBytes: 0,
    };
    transaction(ctx, () => {
      if (groups(ctx).has(logGroupName)) throw new ResourceAlreadyExistsException("The specified log group already exists");
      rec.id = eventStore(ctx).allocateId();
      groups(ctx).put(logGroupName, rec);
    });
    return {};
  },

  deleteLogGroup({ logGroupName }, ctx) {
    const g = mustGroup(ctx, logGroupName);
    if (g.deletionProtectionEnabled) {
      throw new ValidationException("Cannot delete log group with deletion protection enabled. Disable deletion protection first.");
    }
    transaction(ctx, () => {
      for (const s of streams(ctx).list({ prefix: streamPrefix(logGroupName) })) streams(ctx).delete(s.key);
      eventStore(ctx).deleteGroup(g.id);
      // A resource-scoped policy goes with its log group.
      logsState.of(ctx).groupPolicies.delete(logGroupName);
      // So do its subscription filters.
      const subs = logsState.of(ctx).subscriptionFilters;
      for (const f of subs.list({ prefix: streamPrefix(logGroupName) })) subs.delete(f.key);
      // And its metric filters.
      const metrics = logsState.of(ctx).metricFilters;
      for (const f of metrics.list({ prefix: streamPrefix(logGroupName) })) metrics.delete(f.key);
      groups(ctx).delete(logGroupName);
    });
    return {};
  },

  describeLogGroups(input, ctx) {
    const { logGroupNamePrefix: prefix, logGroupNamePattern: pattern, logGroupClass, logGroupIdentifiers } = input;
    if (prefix !== undefined && pattern !== undefined) {
      throw new InvalidParameterException("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
    }
    if (logGroupIdentifiers && (prefix !== undefined || pattern !== undefined)) {
      throw new InvalidParameterException("logGroupIdentifiers is mutually exclusive with logGroupNamePrefix and logGroupNamePattern.");
    }
    const limit = input.limit ?? DEFAULT_DESCRIBE_LIMIT;
    const query = fingerprint([prefix ?? "", pattern ?? "", logGroupClass ?? "", logGroupIdentifiers ?? []]);
    const after = input.nextToken ? decodePageToken<string>("DescribeLogGroups", input.nextToken, invalidToken, { bind: query }) : undefined;
    const names = logGroupIdentifiers ? new Set(logGroupIdentifiers.map((id) => groupNameOf(ctx, undefined, id))) : undefined;
    const needle = pattern?.toLowerCase();
    const out: LogGroup[] = [];
    let last: string | undefined;
    let more = false;
    // Walk in name order a page at a time so a selective pattern over many groups never loads them all at once.
    let cursor = after;
    for (;;) {
      const batch = groups(ctx).list({ prefix, after: cursor, limit: 500 });
      for (const { key, value } of batch) {
        cursor = key;
        if (needle && !key.toLowerCase().includes(needle)) continue;
        if (logGroupClass && value.logGroupClass !== logGroupClass) continue;
        if (names && !names.has(key)) continue;
        if (out.length === limit) {
          more = true;
          break;
        }
        out.push(describe(ctx, value, pattern !== undefined));
        last = key;
      }
      if (more || batch.length < 500) break;
    }
    return { logGroups: out, nextToken: more && last ? encodePageToken("DescribeLogGroups", last, query) : undefined };
  },

  putRetentionPolicy({ logGroupName, retentionInDays }, ctx) {
    if (!RETENTION_DAYS.includes(retentionInDays)) {
      throw new InvalidParameterException(
        `1 validation error detected: Value '${retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
      );
    }
    update(ctx, logGroupName, (g) => (g.retentionInDays = retentionInDays));
    return {};
  },

  deleteRetentionPolicy({ logGroupName }, ctx) {
    update(ctx, logGroupName, (g) => delete g.retentionInDays);
    return {};
  },

  async associateKmsKey({ logGroupName, kmsKeyId, resourceIdentifier }, ctx) {
    const name = kmsTarget(logGroupName, resourceIdentifier, ctx);
    mustGroup(ctx, name);
    await checkKeyForGroup(ctx, kmsKeyId, name);
    update(ctx, name, (g) => (g.kmsKeyId = kmsKeyId));
    return {};
  },

  disassociateKmsKey({ logGroupName, resourceIdentifier }, ctx) {
    update(ctx, kmsTarget(logGroupName, resourceIdentifier, ctx), (g) => delete g.kmsKeyId);
    return {};
  },

  putLogGroupDeletionProtection({ logGroupIdentifier, deletionProtectionEnabled }, ctx) {
    update(ctx, groupNameOf(ctx, undefined, logGroupIdentifier), (g) => (g.deletionProtectionEnabled = deletionProtectionEnabled));
    return {};
  },

  tagLogGroup({ logGroupName, tags }, ctx) {
    update(ctx, logGroupName, (g) => (g.tags = withTags(g.tags, tags, (m) => new InvalidParameterException(m))));
    return {};
  },

  untagLogGroup({ logGroupName, tags }, ctx) {
    update(ctx, logGroupName, (g) => (g.tags = withoutTags(g.tags, tags)));
    return {};
  },

  listTagsLogGroup({ logGroupName }, ctx) {
    return { tags: mustGroup(ctx, logGroupName).tags };
  },

  tagResource({ resourceArn, tags }, ctx) {
    update(ctx, groupOfArn(ctx, resourceArn), (g) => (g.tags = withTags(g.tags, tags, (m) => new TooManyTagsException(m, { resourceName: resourceArn }))));
    return {};
  },

  untagResource({ resourceArn, tagKeys }, ctx) {
    update(ctx, groupOfArn(ctx, resourceArn), (g) => (g.tags = withoutTags(g.tags, tagKeys)));
    return {};
  },

  listTagsForResource({ resourceArn }, ctx) {
    return { tags: mustGroup(ctx, groupOfArn(ctx, resourceArn)).tags };
  },
} satisfies Partial<CloudwatchLogsApi>;

/**
 * A group as DescribeLogGroups shows it. Searched by logGroupNamePattern, AWS leaves out storedBytes and
 * deletionProtectionEnabled (LocalStack's AWS-recorded test_logs_groups.snapshot.json, describe-log-groups-pattern).
 */
function describe(ctx: HandlerContext, g: GroupRec, byPattern = false): LogGroup {
  const arn = groupArn(ctx, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.creationTime,
    retentionInDays: g.retentionInDays,
    // Metric filters live in their own table keyed `<group>:<filter>`; counting a prefix is an index range.
    metricFilterCount: logsState.of(ctx).metricFilters.count(streamPrefix(g.name)),
    // DescribeLogGroups' `arn` carries a trailing `:*` (it names the group's streams too); logGroupArn does not.
    arn: `${arn}:*`,
    storedBytes: byPattern ? undefined : g.storedBytes,
    kmsKeyId: g.kmsKeyId,
    logGroupClass: g.logGroupClass,
    logGroupArn: arn,
    deletionProtectionEnabled: byPattern ? undefined : g.deletionProtectionEnabled,
  };
}

/** Read-modify-write of one group record (synchronous, so requests never interleave inside it). */
function update(ctx: HandlerContext, name: string, change: (g: GroupRec) => void): void {
  const g = mustGroup(ctx, name);
  change(g);
  groups(ctx).put(name, g);
}

function withTags(existing: Record<string, string>, added: Record<string, string>, tooMany: (m: string) => Error): Record<string, string> {
  const out = { ...existing, ...added };
  if (countedTags(Object.keys(out), (k) => k) > MAX_TAGS) throw tooMany(`A resource can have no more than ${MAX_TAGS} tags.`);
  return out;
}

function withoutTags(existing: Record<string, string>, keys: string[]): Record<string, string> {
  const out = { ...existing };
  for (const k of keys) delete out[k];
  return out;
}

/** TagResource and friends take a log group ARN (with or without `:*`); other Logs resources are not kept here. */
function groupOfArn(ctx: HandlerContext, arn: string): string {
  const m = /^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:([^:]+)(?::\*)?$/.exec(arn);
  if (!m) {
    if (/^arn:aws[\w-]*:logs:/.test(arn)) throw new ResourceNotFoundException(`The specified resource does not exist.`);
    throw new InvalidParameterException(`Invalid ARN: ${arn}`);
  }
  if (m[1] !== ctx.region || m[2] !== ctx.account) throw new ResourceNotFoundException("The specified log group does not exist.");
  return m[3];
}

function kmsTarget(logGroupName: string | undefined, resourceIdentifier: string | undefined, ctx: HandlerContext): string {
  if (logGroupName !== undefined && resourceIdentifier !== undefined) {
    throw new InvalidParameterException("logGroupName and resourceIdentifier are mutually exclusive parameters.");
  }
  if (resourceIdentifier !== undefined) {
    // A query-result ARN is the other kind of resource; those results are not kept here.
    if (!resourceIdentifier.includes(":log-group:")) throw new ResourceNotFoundException("The specified resource does not exist.");
    return groupOfArn(ctx, resourceIdentifier);
  }
  if (logGroupName === undefined) throw new InvalidParameterException("Either logGroupName or resourceIdentifier must be specified.");
  return logGroupName;
}
