// StartLiveTail: a session streaming the log events ingested into up to 10 log groups while it is open, as AWS
// describes it (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html): one
// sessionStart, then every second a sessionUpdate with the matching events ingested in that second (an empty array if
// none), at most 500 of them — sampled down, with sessionMetadata.sampled true, past 500 —, at most 10 updates
// buffered for a slow reader (the oldest dropped), and SessionTimeoutException in the stream after three hours.
// The session ends when the client goes away (the response's iterator is returned: its timers are cancelled then)
// and when the server closes. Sessions are connections, not state: nothing of them is stored.
import type { HandlerContext } from "../../core/context.js";
import { uuid4 } from "../../core/ids.js";
import type { Cancel } from "../../core/scheduler.js";
import type { ServiceHost } from "../../core/service.js";
import { STORE, type StateHolder } from "../../core/state.js";
import type { NewLogEvent } from "../../core/store/log-events.js";
import {
  InvalidParameterException,
  ResourceNotFoundException,
  type CloudwatchLogsApi,
  type LiveTailSessionLogEvent,
  type StartLiveTailResponseStream,
} from "./api.generated.js";
import { compileFilterPattern, FilterPatternError, type FilterMatcher } from "./filter-pattern.js";
import { groups } from "./state.js";

const UPDATE_EVERY_MS = 1000;
const MAX_EVENTS_PER_UPDATE = 500;
const MAX_BUFFERED_UPDATES = 10;
const SESSION_TIMEOUT_MS = 3 * 60 * 60 * 1000;

type StreamEvent = StartLiveTailResponseStream;

/** The open sessions of one server, by the event store's id of each group they watch. */
interface Hub {
  byGroup: Map<number, Set<Session>>;
}

// Keyed by the server's store: every server in a process (tests run several) has its own sessions.
const hubs = new WeakMap<object, Hub>();

function hubOf(holder: StateHolder): Hub {
  const key = holder[STORE];
  let hub = hubs.get(key);
  if (!hub) {
    hub = { byGroup: new Map() };
    hubs.set(key, hub);
  }
  return hub;
}

/** Called by the service's start hook: open sessions end as the server starts closing (else they would hold it open). */
export function startLiveTail(host: ServiceHost): void {
  const hub = hubOf(host);
  host.onClosing(() => {
    for (const set of [...hub.byGroup.values()]) for (const s of [...set]) s.end();
  });
}

/** A watched group: its event store id and the identifier the caller named it by (echoed on each event). */
interface Watched {
  gid: number;
  identifier: string;
}

class Session implements AsyncIterator<StreamEvent> {
  private readonly queue: StreamEvent[] = [];
  private waiting?: (r: IteratorResult<StreamEvent>) => void;
  private ended = false;
  private readonly cancels: Cancel[] = [];
  /** Matching events of the current second: a uniform sample of at most 500 (reservoir), with their arrival order. */
  private kept: { n: number; e: LiveTailSessionLogEvent }[] = [];
  private seen = 0;

  constructor(
    private readonly hub: Hub,
    readonly watched: Map<number, string>,
    private readonly streamNames: Set<string> | undefined,
    private readonly streamPrefixes: string[] | undefined,
    private readonly matcher: FilterMatcher,
    ctx: HandlerContext,
    start: StreamEvent,
  ) {
    this.queue.push(start);
    for (const gid of watched.keys()) {
      let set = hub.byGroup.get(gid);
      if (!set) hub.byGroup.set(gid, (set = new Set()));
      set.add(this);
    }
    this.cancels.push(ctx.scheduler.every(UPDATE_EVERY_MS, () => this.update()));
    this.cancels.push(
      ctx.scheduler.after(SESSION_TIMEOUT_MS, () => {
        // unverified wording: AWS documents the exception, not its message.
        this.push({ SessionTimeoutException: { message: "Live Tail session has timed out after 3 hours." } });
        this.end();
      }),
    );
  }

  offer(gid: number, streamName: string, ingestionTime: number, events: NewLogEvent[]): void {
    if (this.streamNames && !this.streamNames.has(streamName)) return;
    if (this.streamPrefixes && !this.streamPrefixes.some((p) => streamName.startsWith(p))) return;
    const identifier = this.watched.get(gid)!;
    for (const e of events) {
      if (!this.matcher.matches(e.message)) continue;
      const n = this.seen++;
      const event: LiveTailSessionLogEvent = {
        logStreamName: streamName,
        logGroupIdentifier: identifier,
        message: e.message,
        timestamp: e.timestamp,
        ingestionTime,
      };
      if (this.kept.length < MAX_EVENTS_PER_UPDATE) this.kept.push({ n, e: event });
      else {
        const j = Math.floor(Math.random() * (n + 1));
        if (j < MAX_EVENTS_PER_UPDATE) this.kept[j] = { n, e: event };
      }
    }
  }

  private update(): void {
    const sampled = this.seen > MAX_EVENTS_PER_UPDATE;
    const results = this.kept.sort((a, b) => a.n - b.n).map((k) => k.e);
    this.kept = [];
    this.seen = 0;
    this.push({ sessionUpdate: { sessionMetadata: { sampled }, sessionResults: results } });
  }

  private push(event: StreamEvent): void {
    if (this.ended) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ done: false, value: event });
      return;
    }
    this.queue.push(event);
    // A reader that falls behind keeps the newest updates (the session start is long gone by then).
    let updates = 0;
    for (const q of this.queue) if (q.sessionUpdate) updates++;
    if (updates > MAX_BUFFERED_UPDATES)
      this.queue.splice(
        this.queue.findIndex((q) => q.sessionUpdate),
        1,
      );
  }

  /** Stops the session: no more events after what is queued; timers cancelled, the hub forgets it. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const c of this.cancels) c();
    for (const gid of this.watched.keys()) {
      const set = this.hub.byGroup.get(gid);
      set?.delete(this);
      if (set && !set.size) this.hub.byGroup.delete(gid);
    }
    const w = this.waiting;
    this.waiting = undefined;
    if (w) w({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    const event = this.queue.shift();
    if (event) return Promise.resolve({ done: false, value: event });
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** The client went away (or stopped reading): the session ends now. */
  return(): Promise<IteratorResult<StreamEvent>> {
    this.queue.length = 0;
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this;
  }
}

/** PutLogEvents hands every accepted batch here after it commits: the sessions watching the group get what matches. */
export function publishLive(holder: StateHolder, gid: number, streamName: string, ingestionTime: number, events: NewLogEvent[]): void {
  if (!events.length) return;
  const set = hubs.get(holder[STORE])?.byGroup.get(gid);
  if (!set) return;
  for (const s of set) s.offer(gid, streamName, ingestionTime, events);
}

/** How many Live Tail sessions a server has open (tests check that a session ends with its client). */
export function openLiveTailSessions(holder: StateHolder): number {
  const all = new Set<Session>();
  for (const set of hubs.get(holder[STORE])?.byGroup.values() ?? []) for (const s of set) all.add(s);
  return all.size;
}

/** A log group identifier: an ARN of this account and region (never ending in `*`) or a name. */
function groupOf(ctx: HandlerContext, identifier: string): Watched {
  let name = identifier;
  if (identifier.startsWith("arn:")) {
    // AWS: "If you specify an ARN, the ARN can't end with an asterisk (*)." (StartLiveTail's logGroupIdentifiers).
    if (identifier.endsWith("*")) throw new InvalidParameterException(`Log group identifier ${identifier} must not end with *.`); // unverified wording
    const m = /^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:([^:]+)$/.exec(identifier);
    if (!m) throw new InvalidParameterException(`Invalid log group identifier: ${identifier}`); // unverified wording
    if (m[1] !== ctx.region || m[2] !== ctx.account) throw new ResourceNotFoundException("The specified log group does not exist.");
    name = m[3];
  }
  const g = groups(ctx).get(name);
  if (!g) throw new ResourceNotFoundException("The specified log group does not exist.");
  return { gid: g.id, identifier };
}

export const liveTailHandlers = {
  startLiveTail(input, ctx) {
    const { logGroupIdentifiers: ids, logStreamNames, logStreamNamePrefixes, logEventFilterPattern } = input;
    // AWS (StartLiveTail's parameters): logStreamNames and logStreamNamePrefixes exclude each other, and either needs
    // exactly one log group. unverified wording for both refusals.
    if (logStreamNames && logStreamNamePrefixes) {
      throw new InvalidParameterException("logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.");
    }
    if ((logStreamNames || logStreamNamePrefixes) && ids.length > 1) {
      throw new InvalidParameterException("logStreamNames and logStreamNamePrefixes can only be specified with a single log group identifier.");
    }
    let matcher: FilterMatcher;
    try {
      matcher = compileFilterPattern(logEventFilterPattern);
    } catch (e) {
      if (e instanceof FilterPatternError) throw new InvalidParameterException(e.message);
      throw e;
    }
    const watched = new Map<number, string>();
    for (const id of ids) {
      const w = groupOf(ctx, id);
      if (!watched.has(w.gid)) watched.set(w.gid, w.identifier);
    }
    const start: StreamEvent = {
      sessionStart: {
        requestId: ctx.requestId,
        sessionId: uuid4(),
        logGroupIdentifiers: ids,
        logStreamNames,
        logStreamNamePrefixes,
        logEventFilterPattern,
      },
    };
    const session = new Session(hubOf(ctx), watched, logStreamNames ? new Set(logStreamNames) : undefined, logStreamNamePrefixes, matcher, ctx, start);
    // The codec writes an event-stream member from any AsyncIterable of its events.
    return { responseStream: session as unknown as StartLiveTailResponseStream };
  },
} satisfies Partial<CloudwatchLogsApi>;
