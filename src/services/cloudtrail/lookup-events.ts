// cloudtrail:LookupEvents — Event history: the caller's account+region, newest first, 90 days back.
import type { HandlerContext } from "../../core/context.js";
import { RETENTION_MS } from "../../core/audit.js";
import type { TrailEngine } from "./engine.js";
import { decodePageToken, encodePageToken, fingerprint } from "../../core/paging.js";
import { timeOfEventId } from "./record.js";
import type { EventCursor, EventFilter, StoredAuditEvent } from "../../core/store/events.js";
import {
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidTimeRangeException,
  type CloudtrailApi,
  type Event_,
  type LookupEventsRequest,
} from "./api.generated.js";

const DEFAULT_MAX_RESULTS = 50;

export const lookupEventsHandlers = {
  lookupEvents(input, ctx) {
    const filter = filterOf(input, ctx);
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
      throw new InvalidMaxResultsException("Value for MaxResults must be between 1 and 50.");
    }
    // The event category has only one value, insight; no Insights are ever generated here.
    if (input.EventCategory === "insight") return { Events: [] };
    const bind = fingerprintOf(filter, ctx);
    const after = input.NextToken !== undefined ? decodeToken(input.NextToken, bind) : undefined;
    // Calls answered a few ms ago may still sit in the audit trail's buffer.
    const page = ctx.instance<TrailEngine>().audit.query(filter, { limit, after });
    return {
      Events: page.events.map(toEvent),
      NextToken: page.next ? encodeToken(page.next, bind) : undefined,
    };
  },
} satisfies Partial<CloudtrailApi>;

function filterOf(input: LookupEventsRequest, ctx: HandlerContext): EventFilter {
  const attrs = input.LookupAttributes ?? [];
  if (attrs.length > 1) throw new InvalidLookupAttributesException("You can only specify one lookup attribute.");
  const attribute = attrs[0] ? { key: attrs[0].AttributeKey, value: attrs[0].AttributeValue } : undefined;
  if (attribute?.key === "ReadOnly" && attribute.value !== "true" && attribute.value !== "false") {
    throw new InvalidLookupAttributesException("The value of the ReadOnly lookup attribute must be true or false.");
  }
  const start = input.StartTime?.getTime();
  const end = input.EndTime?.getTime();
  if (start !== undefined && end !== undefined && start > end) {
    throw new InvalidTimeRangeException("Start time must not be after end time.");
  }
  // Event history keeps 90 days: older events are never returned, swept or not.
  const oldest = ctx.now() - RETENTION_MS;
  const filter: EventFilter = { account: ctx.account, region: ctx.region, attribute, start: Math.max(start ?? oldest, oldest), end };
  if (attribute?.key === "EventId") {
    // Our event ids carry their second; any other id names no event here.
    const at = timeOfEventId(attribute.value) ?? -1;
    filter.start = Math.max(filter.start!, at);
    filter.end = Math.min(end ?? at, at);
  }
  return filter;
}

function toEvent(e: StoredAuditEvent): Event_ {
  return {
    EventId: e.eventId,
    EventName: e.eventName,
    ReadOnly: String(e.readOnly),
    AccessKeyId: e.accessKeyId,
    EventTime: new Date(e.eventTime),
    EventSource: e.eventSource,
    Username: e.username,
    Resources: e.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: e.record,
  };
}

// A token names where the next page starts and which query it belongs to, so it cannot be replayed
// against a different filter, account or region. The 90-day floor moves with time, so it is left out.
function fingerprintOf(f: EventFilter, ctx: HandlerContext): string {
  return fingerprint([ctx.account, ctx.region, f.attribute?.key ?? "", f.attribute?.value ?? "", f.end ?? ""]);
}

// The token is core/paging's: the cursor { t: time, s: seq }, bound to LookupEvents and the query's fingerprint.
const isCursor = (p: unknown): p is { t: number; s: number } =>
  !!p && typeof p === "object" && Number.isSafeInteger((p as { t?: unknown }).t) && Number.isSafeInteger((p as { s?: unknown }).s);

const encodeToken = (c: EventCursor, bind: string): string => encodePageToken("LookupEvents", { t: c.time, s: c.seq }, bind);

function decodeToken(token: string, bind: string): EventCursor {
  const p = decodePageToken("LookupEvents", token, () => new InvalidNextTokenException("Invalid NextToken."), { bind, valid: isCursor });
  return { time: p.t, seq: p.s };
}
