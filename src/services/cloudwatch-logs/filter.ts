// FilterLogEvents: a group's events across streams in time order, matched by a filter pattern, paged by nextToken.
import { decodePageToken, encodePageToken, fingerprint } from "../../core/paging.js";
import type { LogPosition } from "../../core/store/log-events.js";
import { InvalidParameterException, type CloudwatchLogsApi, type FilteredLogEvent } from "./api.generated.js";
import { compileFilterPattern, FilterPatternError, type FilterMatcher } from "./filter-pattern.js";
import { unlockGroup } from "./encryption.js";
import { eventStore, groupNameOf, invalidToken, mustGroup, retentionFloor, streamPrefix, streams } from "./state.js";

const DEFAULT_LIMIT = 10_000;
const MAX_RESPONSE_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
// Rows fetched per store query: large, so a selective pattern scans the group in few statements.
const CHUNK = 10_000;

export const filterHandlers = {
  async filterLogEvents(input, ctx) {
    const group = groupNameOf(ctx, input.logGroupName, input.logGroupIdentifier);
    const g = mustGroup(ctx, group);
    await unlockGroup(ctx, g);
    if (input.logStreamNames && input.logStreamNamePrefix !== undefined) {
      throw new InvalidParameterException("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
    }
    if (input.startTime !== undefined && input.endTime !== undefined && input.startTime > input.endTime) {
      throw new InvalidParameterException("startTime must be less than or equal to endTime.");
    }
    let matcher: FilterMatcher;
    try {
      matcher = compileFilterPattern(input.filterPattern);
    } catch (e) {
      if (e instanceof FilterPatternError) throw new InvalidParameterException(e.message);
      throw e;
    }

    const names = new Map<number, string>();
    const wanted = input.logStreamNames ? new Set(input.logStreamNames) : undefined;
    for (const { value } of streams(ctx).list({ prefix: streamPrefix(group) + (input.logStreamNamePrefix ?? "") })) {
      if (!wanted || wanted.has(value.name)) names.set(value.id, value.name);
    }
    const narrowed = wanted !== undefined || input.logStreamNamePrefix !== undefined;
    const query = fingerprint([
      ctx.account,
      ctx.region,
      group,
      g.id,
      input.logStreamNames ?? null,
      input.logStreamNamePrefix ?? null,
      input.startTime ?? null,
      input.endTime ?? null,
      input.filterPattern ?? "",
    ]);
    let after: LogPosition | undefined = input.nextToken
      ? (({ t, s }) => ({ ts: t, seq: s }))(
          decodePageToken("FilterLogEvents", input.nextToken, invalidToken, {
            bind: query,
            valid: (x): x is { t: number; s: number } =>
              !!x && typeof x === "object" && Number.isSafeInteger((x as { t?: unknown }).t) && Number.isSafeInteger((x as { s?: unknown }).s),
          }),
        )
      : undefined;

    const limit = input.limit ?? DEFAULT_LIMIT;
    const events: FilteredLogEvent[] = [];
    let more = false;
    if (!narrowed || names.size > 0) {
      const store = eventStore(ctx);
      const start = Math.max(input.startTime ?? 0, retentionFloor(g, ctx.now()));
      let bytes = 0;
      scan: for (;;) {
        const rows = store.queryGroup({
          gid: g.id,
          start,
          end: input.endTime,
          after,
          limit: CHUNK,
          sids: narrowed ? [...names.keys()] : undefined,
          substrings: matcher.requiredSubstrings,
        });
        for (const r of rows) {
          if (!matcher.matches(r.message)) {
            after = { ts: r.timestamp, seq: r.seq };
            continue;
          }
          bytes += Buffer.byteLength(r.message, "utf8") + EVENT_OVERHEAD;
          if (events.length === limit || (bytes > MAX_RESPONSE_BYTES && events.length > 0)) {
            more = true;
            break scan;
          }
          events.push({
            logStreamName: names.get(r.sid),
            timestamp: r.timestamp,
            message: r.message,
            ingestionTime: r.ingestionTime,
            eventId: `${String(r.timestamp).padStart(20, "0")}${String(r.seq).padStart(36, "0")}`,
          });
          after = { ts: r.timestamp, seq: r.seq };
        }
        if (rows.length < CHUNK) break;
      }
    }
    const last = events[events.length - 1];
    return {
      events,
      // Deprecated by AWS in 2020: always an empty list.
      searchedLogStreams: [],
      nextToken: more && last ? encodePageToken("FilterLogEvents", { t: last.timestamp!, s: Number(last.eventId!.slice(20)) }, query) : undefined,
    };
  },
} satisfies Partial<CloudwatchLogsApi>;
