// PutLogEvents (AWS's batch rules, too-old/too-new/expired rejections) and GetLogEvents (f/ and b/ tokens).
import type { LogPosition, StoredLogEvent } from "../../core/store/log-events.js";
import { InvalidParameterException, type CloudwatchLogsApi, type RejectedLogEventsInfo } from "./api.generated.js";
import { eventStore, groupNameOf, groups, mustGroup, mustStream, retentionFloor, streamKey, streams, transaction } from "./state.js";
import { sequenceToken } from "./log-streams.js";
import { deliver, filtersOf } from "./subscriptions.js";
import { metricFiltersOf, publishMetrics } from "./metric-filters.js";
import { publishLive } from "./live-tail.js";
import { groupCipher, unlockGroup } from "./encryption.js";
import type { LogsInstance } from "./start.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_EVENT_BYTES = 262_144;
/** PutLogEvents counts 26 bytes of overhead per event toward both size limits. */
const EVENT_OVERHEAD = 26;
const MAX_RESPONSE_BYTES = 1_048_576;
const DEFAULT_GET_LIMIT = 10_000;
const MAX = Number.MAX_SAFE_INTEGER;

export const logEvents = {
  async putLogEvents({ logGroupName, logStreamName, logEvents: batch }, ctx) {
    let g = mustGroup(ctx, logGroupName);
    // A KMS-encrypted group's data key: cached, so awaited only on its first use (then the records are read again).
    let cipher = groupCipher(ctx, g);
    if (cipher instanceof Promise) {
      cipher = await cipher;
      g = mustGroup(ctx, logGroupName);
    }
    const s = mustStream(ctx, logGroupName, logStreamName);
    // Sequence tokens are accepted and ignored, as AWS has done since January 2023.
    let total = 0;
    let messageBytes = 0;
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i];
      if (i > 0 && e.timestamp < batch[i - 1].timestamp) {
        throw new InvalidParameterException("Log events in a single PutLogEvents request must be in chronological order.");
      }
      const bytes = Buffer.byteLength(e.message, "utf8");
      if (bytes + EVENT_OVERHEAD > MAX_EVENT_BYTES) {
        throw new InvalidParameterException(`Log event too large: ${bytes + EVENT_OVERHEAD} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
      }
      messageBytes += bytes;
      total += bytes + EVENT_OVERHEAD;
    }
    if (total > MAX_BATCH_BYTES) throw new InvalidParameterException(`Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
    if (batch.length && batch[batch.length - 1].timestamp - batch[0].timestamp > DAY) {
      throw new InvalidParameterException("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
    }

    // Events are in time order, so the rejected ones are a prefix (too old, expired) and a suffix (too new).
    const now = ctx.now();
    const tooOldBefore = now - 14 * DAY;
    const expiredBefore = retentionFloor(g, now);
    const tooNewAfter = now + 2 * HOUR;
    let tooOldEnd = 0;
    while (tooOldEnd < batch.length && batch[tooOldEnd].timestamp < tooOldBefore) tooOldEnd++;
    let expiredEnd = 0;
    while (expiredEnd < batch.length && batch[expiredEnd].timestamp < expiredBefore) expiredEnd++;
    let tooNewStart = batch.length;
    while (tooNewStart > 0 && batch[tooNewStart - 1].timestamp > tooNewAfter) tooNewStart--;
    const from = Math.max(tooOldEnd, expiredEnd);
    const accepted = from === 0 && tooNewStart === batch.length ? batch : batch.slice(from, Math.max(from, tooNewStart));
    if (accepted !== batch) {
      messageBytes = 0;
      for (const e of accepted) messageBytes += Buffer.byteLength(e.message, "utf8");
    }

    if (accepted.length) {
      const first = accepted[0].timestamp;
      const last = accepted[accepted.length - 1].timestamp;
      s.firstEventTimestamp = Math.min(s.firstEventTimestamp ?? first, first);
      s.lastEventTimestamp = Math.max(s.lastEventTimestamp ?? last, last);
      s.lastIngestionTime = now;
      g.storedBytes += messageBytes;
    }
    s.uploads++;
    // Events, stream and group statistics commit together, before the response is written.
    let seqs: number[] = [];
    transaction(ctx, () => {
      seqs = eventStore(ctx).append(g.id, s.id, now, accepted, cipher);
      streams(ctx).put(streamKey(logGroupName, logStreamName), s);
      if (accepted.length) groups(ctx).put(logGroupName, g);
    });

    // AWS/Logs' IncomingLogEvents and IncomingBytes, by LogGroupName and for the account
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html).
    if (accepted.length) {
      const metrics = ctx.instance<LogsInstance>().metrics;
      for (const dims of [[{ Name: "LogGroupName", Value: g.name }], []]) {
        metrics.record(ctx.account, ctx.region, "AWS/Logs", "IncomingLogEvents", dims, accepted.length, "None", now);
        metrics.record(ctx.account, ctx.region, "AWS/Logs", "IncomingBytes", dims, messageBytes, "Bytes", now);
      }
    }
    // Open Live Tail sessions on the group see the accepted events in their next update.
    publishLive(ctx, g.id, logStreamName, now, accepted);
    // The group's subscription filters get the accepted events (queued with Lambda before the response), and its metric
    // filters turn them into datapoints.
    await deliver(ctx, g, s, filtersOf(ctx, logGroupName), accepted, seqs);
    await publishMetrics(ctx, metricFiltersOf(ctx, logGroupName), accepted);

    const rejected: RejectedLogEventsInfo = {};
    if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
    if (expiredEnd > 0) rejected.expiredLogEventEndIndex = expiredEnd;
    if (tooNewStart < batch.length) rejected.tooNewLogEventStartIndex = tooNewStart;
    return {
      nextSequenceToken: sequenceToken(s),
      rejectedLogEventsInfo: Object.keys(rejected).length ? rejected : undefined,
    };
  },

  async getLogEvents(input, ctx) {
    const group = groupNameOf(ctx, input.logGroupName, input.logGroupIdentifier);
    const g = mustGroup(ctx, group);
    await unlockGroup(ctx, g);
    const s = mustStream(ctx, group, input.logStreamName);
    const token = input.nextToken !== undefined ? parseToken(input.nextToken) : undefined;
    const direction = token ? token.direction : input.startFromHead ? "forward" : "backward";
    const limit = input.limit ?? DEFAULT_GET_LIMIT;
    const floor = retentionFloor(g, ctx.now());
    // GetLogEvents' endTime is exclusive; events past the group's retention are never returned, swept or not.
    const start = Math.max(input.startTime ?? 0, floor);
    const end = input.endTime !== undefined ? input.endTime - 1 : undefined;
    let rows = eventStore(ctx).queryStream({ sid: s.id, start, end, direction, from: token?.position, limit });
    rows = withinBytes(rows);
    if (direction === "backward") rows.reverse();

    let forward: string;
    let backward: string;
    if (rows.length) {
      forward = formatToken("forward", rows[rows.length - 1]);
      backward = formatToken("backward", rows[0]);
    } else if (token) {
      // At either end AWS hands back the token it was given; the other direction turns around at the same spot.
      const p = token.position;
      forward =
        token.direction === "forward" ? input.nextToken! : formatToken("forward", p.seq > 0 ? { ts: p.ts, seq: p.seq - 1 } : { ts: p.ts - 1, seq: MAX });
      backward = token.direction === "backward" ? input.nextToken! : formatToken("backward", { ts: p.ts, seq: p.seq + 1 });
    } else {
      forward = formatToken("forward", { ts: 0, seq: 0 });
      backward = formatToken("backward", { ts: MAX, seq: MAX });
    }
    return {
      events: rows.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
      nextForwardToken: forward,
      nextBackwardToken: backward,
    };
  },
} satisfies Partial<CloudwatchLogsApi>;

/** Keeps events (in query order) while the response stays within 1 MB, counting 26 bytes per event. */
export function withinBytes(rows: StoredLogEvent[]): StoredLogEvent[] {
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    bytes += Buffer.byteLength(rows[i].message, "utf8") + EVENT_OVERHEAD;
    if (bytes > MAX_RESPONSE_BYTES) return rows.slice(0, Math.max(i, 1));
  }
  return rows;
}

// Tokens look like AWS's: `f/` or `b/`, 40 digits (timestamp and sequence, zero-padded), `/s`.
function formatToken(direction: "forward" | "backward", p: { ts: number; seq: number } | StoredLogEvent): string {
  const ts = "timestamp" in p ? p.timestamp : p.ts;
  const seq = p.seq;
  return `${direction === "forward" ? "f" : "b"}/${String(ts).padStart(20, "0")}${String(seq).padStart(20, "0")}/s`;
}

function parseToken(token: string): { direction: "forward" | "backward"; position: LogPosition } {
  const m = /^([fb])\/(\d{20})(\d{20})\/s$/.exec(token);
  const ts = m ? Number(m[2]) : NaN;
  const seq = m ? Number(m[3]) : NaN;
  if (!m || !Number.isSafeInteger(ts) || !Number.isSafeInteger(seq)) {
    throw new InvalidParameterException("The specified nextToken is invalid.");
  }
  return { direction: m[1] === "f" ? "forward" : "backward", position: { ts, seq } };
}
