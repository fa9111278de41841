// Log streams: create, delete, describe (by name or by last event time, either direction, paged).
import type { HandlerContext } from "../../core/context.js";
import { decodePageToken, encodePageToken, fingerprint } from "../../core/paging.js";
import { InvalidParameterException, ResourceAlreadyExistsException, type CloudwatchLogsApi, type LogStream } from "./api.generated.js";
import {
  invalidToken,
  eventStore,
  groupNameOf,
  mustGroup,
  mustStream,
  streamArn,
  streamKey,
  streamPrefix,
  streams,
  transaction,
  type StreamRec,
} from "./state.js";

const DEFAULT_LIMIT = 50;

export const logStreams = {
  createLogStream({ logGroupName, logStreamName }, ctx) {
    mustGroup(ctx, logGroupName);
    transaction(ctx, () => {
      const key = streamKey(logGroupName, logStreamName);
      if (streams(ctx).has(key)) throw new ResourceAlreadyExistsException("The specified log stream already exists");
      streams(ctx).put(key, { name: logStreamName, id: eventStore(ctx).allocateId(), creationTime: ctx.now(), storedBytes: 0, uploads: 0 });
    });
    return {};
  },

  deleteLogStream({ logGroupName, logStreamName }, ctx) {
    mustGroup(ctx, logGroupName);
    const s = mustStream(ctx, logGroupName, logStreamName);
    transaction(ctx, () => {
      eventStore(ctx).deleteStream(s.id);
      streams(ctx).delete(streamKey(logGroupName, logStreamName));
    });
    return {};
  },

  describeLogStreams(input, ctx) {
    const group = groupNameOf(ctx, input.logGroupName, input.logGroupIdentifier);
    mustGroup(ctx, group);
    const byTime = input.orderBy === "LastEventTime";
    if (byTime && input.logStreamNamePrefix !== undefined) {
      throw new InvalidParameterException("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    const limit = input.limit ?? DEFAULT_LIMIT;
    const desc = input.descending ?? false;
    const query = fingerprint([group, input.logStreamNamePrefix ?? "", byTime, desc]);
    // The cursor is the sort key of the last stream returned, so a page boundary survives inserts and deletes.
    const after = input.nextToken
      ? decodePageToken("DescribeLogStreams", input.nextToken, invalidToken, { bind: query, valid: (k): k is [number, string] => Array.isArray(k) })
      : undefined;
    const all = streams(ctx)
      .list({ prefix: streamPrefix(group) + (input.logStreamNamePrefix ?? "") })
      .map((e) => e.value);
    const sortKey = (s: StreamRec): [number, string] => [byTime ? (s.lastEventTimestamp ?? 0) : 0, s.name];
    const cmp = (a: [number, string], b: [number, string]) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    if (byTime) all.sort((a, b) => cmp(sortKey(a), sortKey(b)));
    if (desc) all.reverse();
    const rest = after ? all.filter((s) => (desc ? cmp(sortKey(s), after) < 0 : cmp(sortKey(s), after) > 0)) : all;
    const page = rest.slice(0, limit);
    return {
      logStreams: page.map((s) => describe(ctx, group, s)),
      nextToken: rest.length > limit ? encodePageToken("DescribeLogStreams", sortKey(page[page.length - 1]), query) : undefined,
    };
  },
} satisfies Partial<CloudwatchLogsApi>;

/** AWS's sequence tokens are long decimal strings; ours count the stream's accepted uploads. */
export const sequenceToken = (s: StreamRec) => `4961${String(s.uploads).padStart(52, "0")}`;

function describe(ctx: HandlerContext, group: string, s: StreamRec): LogStream {
  return {
    logStreamName: s.name,
    creationTime: s.creationTime,
    firstEventTimestamp: s.firstEventTimestamp,
    lastEventTimestamp: s.lastEventTimestamp,
    lastIngestionTime: s.lastIngestionTime,
    // A stream nothing was put to has no token (LocalStack's AWS-recorded test_logs_streams.snapshot.json).
    uploadSequenceToken: s.uploads ? sequenceToken(s) : undefined,
    arn: streamArn(ctx, group, s.name),
    // AWS stopped reporting stream sizes in 2019: always zero.
    storedBytes: 0,
  };
}
