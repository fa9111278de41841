// X-Ray traces: segments in (PutTraceSegments; the daemon shares the store), traces (BatchGetTraces), summaries with
// filter expressions (GetTraceSummaries), service and trace graphs, time series, groups.
import type { HandlerContext } from "../../../core/context.js";
import { decodePageToken, encodePageToken, fingerprint } from "../../../core/paging.js";
import { InvalidRequestException, type ServiceId, type TraceSummary, type XrayApi } from "../api.generated.js";
import { annotationsOf, causesOf, type SvcId, type TraceRec } from "./assemble.js";
import { compileFilter, type TraceFilter } from "./filter-expression.js";
import { serviceGraph, parseSelector, timeSeries } from "./graph.js";
import { groupFilter, groupHandlers, groupLookup } from "./groups.js";
import { checkSegment, isAccepted, type AcceptedSegment } from "./segments.js";
import type { TraceStore } from "./store.js";
import type { UnprocessedTraceSegment } from "../api.generated.js";

const SUMMARY_PAGE = 100;
const TRACES_PAGE = 5;

const store = (ctx: HandlerContext) => ctx.instance<{ traces: TraceStore }>().traces;
const seconds = (d: Date | number) => (d instanceof Date ? d.getTime() : d * 1000) / 1000;

const svcOut = (s: SvcId): ServiceId => ({
  Name: s.Name,
  Names: s.Names,
  ...(s.AccountId ? { AccountId: s.AccountId } : {}),
  ...(s.Type ? { Type: s.Type } : {}),
});

function annotationValue(v: string | number | boolean) {
  return typeof v === "number" ? { NumberValue: v } : typeof v === "boolean" ? { BooleanValue: v } : { StringValue: v };
}

function summary(t: TraceRec, matched?: number): TraceSummary {
  const ids = (list: readonly number[]) => list.map((s) => svcOut(t.services[s]));
  const all = causesOf(t);
  const causes = (kind: "fault" | "error" | "responsetime") =>
    all
      .filter((c) => c.kind === kind)
      .map((c) => ({
        Services: c.services.map(({ s, path }) => ({ ...svcOut(t.services[s]), EntityPath: path, Inferred: t.services[s].Inferred === true })),
        ClientImpacting: true,
      }));
  return {
    Id: t.id,
    StartTime: new Date(t.start * 1000),
    Duration: t.duration,
    ResponseTime: t.responseTime,
    HasFault: t.fault,
    HasError: t.error,
    HasThrottle: t.throttle,
    IsPartial: t.partial,
    ...(t.http
      ? {
          Http: {
            ...(t.http.url !== undefined ? { HttpURL: t.http.url } : {}),
            ...(t.http.status !== undefined ? { HttpStatus: t.http.status } : {}),
            ...(t.http.method !== undefined ? { HttpMethod: t.http.method } : {}),
            ...(t.http.ua !== undefined ? { UserAgent: t.http.ua } : {}),
            ...(t.http.ip !== undefined ? { ClientIp: t.http.ip } : {}),
          },
        }
      : {}),
    Annotations: Object.fromEntries(
      Object.entries(annotationsOf(t)).map(([k, vs]) => [k, vs.map((a) => ({ AnnotationValue: annotationValue(a.v), ServiceIds: ids(a.s) }))]),
    ),
    Users: t.users.map((u) => ({ UserName: u.n, ServiceIds: ids(u.s) })),
    ServiceIds: t.services.map(svcOut),
    ResourceARNs: t.arns.map((ARN) => ({ ARN })),
    InstanceIds: [],
    AvailabilityZones: [],
    EntryPoint: svcOut(t.services[t.entry]),
    FaultRootCauses: causes("fault"),
    ErrorRootCauses: causes("error"),
    ResponseTimeRootCauses: causes("responsetime"),
    Revision: t.revision,
    ...(matched !== undefined ? { MatchedEventTime: new Date(matched * 1000) } : {}),
  };
}

function window(input: { StartTime: Date; EndTime: Date }): [number, number] {
  const from = seconds(input.StartTime);
  const to = seconds(input.EndTime);
  // unverified wording
  if (!(from <= to)) throw new InvalidRequestException("StartTime must be before EndTime");
  return [from, to];
}

/** The traces of the caller whose `time` falls in [from, to]; by trace-id time a binary search of the ordered list. */
function* inWindow(ctx: HandlerContext, from: number, to: number, by: "TraceId" | "Event" | "Service" = "TraceId"): Generator<TraceRec> {
  const list = store(ctx).traces(ctx.account, ctx.region);
  if (by === "TraceId") {
    let lo = 0;
    let hi = list.length;
    const lower = Math.floor(from);
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].epoch < lower) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length && list[i].epoch <= to; i++) yield list[i];
    return;
  }
  for (const t of list) {
    const at = by === "Event" ? t.updated : t.end;
    if (at >= from && at <= to) yield t;
  }
}

/** A stable fraction in [0, 1) per trace id, for FixedRate sampling of summaries. */
function fraction(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

const invalidToken = () => new InvalidRequestException("Invalid NextToken"); // unverified wording

export const traceHandlers = {
  ...groupHandlers,

  async putTraceSegments(input, ctx) {
    const now = ctx.now() / 1000;
    const ok: AcceptedSegment[] = [];
    const bad: UnprocessedTraceSegment[] = [];
    for (const text of input.TraceSegmentDocuments) {
      const r = checkSegment(text, now);
      if (isAccepted(r)) ok.push(r);
      else bad.push(r);
    }
    if (ok.length) await store(ctx).add(ctx.account, ctx.region, ok, true);
    return { UnprocessedTraceSegments: bad };
  },

  batchGetTraces(input, ctx) {
    const ids = [...new Set(input.TraceIds)];
    const bind = fingerprint(ids);
    const from =
      input.NextToken === undefined
        ? 0
        : decodePageToken<number>("BatchGetTraces", input.NextToken, invalidToken, { bind, valid: (p): p is number => typeof p === "number" });
    const found: string[] = [];
    const unprocessed: string[] = [];
    for (const id of ids) (store(ctx).trace(ctx.account, ctx.region, id) ? found : unprocessed).push(id);
    const page = found.slice(from, from + TRACES_PAGE);
    const traces = page.map((id) => {
      const a = store(ctx).documents(ctx.account, ctx.region, id)!;
      return { Id: id, Duration: a.rec.duration, LimitExceeded: false, Segments: a.segments };
    });
    return {
      Traces: traces,
      UnprocessedTraceIds: from === 0 ? unprocessed : [],
      ...(from + TRACES_PAGE < found.length ? { NextToken: encodePageToken("BatchGetTraces", from + TRACES_PAGE, bind) } : {}),
    };
  },

  getTraceSummaries(input, ctx) {
    const [from, to] = window(input);
    const by = input.TimeRangeType ?? "TraceId";
    const filter: TraceFilter | undefined = input.FilterExpression !== undefined ? compileFilter(input.FilterExpression, groupLookup(ctx)) : undefined;
    const rate = input.Sampling && input.SamplingStrategy?.Name !== "PartialScan" ? (input.SamplingStrategy?.Value ?? 1) : 1;
    const bind = fingerprint([from, to, by, input.FilterExpression ?? "", rate]);
    const after = input.NextToken === undefined ? undefined : decodePageToken<string>("GetTraceSummaries", input.NextToken, invalidToken, { bind });
    const out: TraceSummary[] = [];
    let processed = 0;
    let next: string | undefined;
    for (const t of inWindow(ctx, from, to, by)) {
      processed++;
      if (after !== undefined && t.id <= after && by === "TraceId") continue;
      if (rate < 1 && fraction(t.id) >= rate) continue;
      if (filter && !filter(t)) continue;
      if (out.length === SUMMARY_PAGE) {
        next = out[out.length - 1].Id;
        break;
      }
      out.push(summary(t, by === "Event" ? t.updated : by === "Service" ? t.end : undefined));
    }
    return {
      TraceSummaries: out,
      ApproximateTime: new Date(to * 1000),
      TracesProcessedCount: processed,
      ...(next ? { NextToken: encodePageToken("GetTraceSummaries", next, bind) } : {}),
    };
  },

  getServiceGraph(input, ctx) {
    const [from, to] = window(input);
    const filter = groupFilter(ctx, input.GroupName, input.GroupARN);
    const traces: TraceRec[] = [];
    for (const t of overlapping(ctx, from, to)) if (!filter || filter(t)) traces.push(t);
    return { StartTime: input.StartTime, EndTime: input.EndTime, Services: serviceGraph(traces), ContainsOldGroupVersions: false };
  },

  getTraceGraph(input, ctx) {
    const traces = input.TraceIds.map((id) => store(ctx).trace(ctx.account, ctx.region, id)).filter((t): t is TraceRec => !!t);
    return { Services: serviceGraph(traces) };
  },

  getTimeSeriesServiceStatistics(input, ctx) {
    const [from, to] = window(input);
    const period = input.Period ?? 60;
    // unverified wording
    if (![60, 300, 3600].includes(period)) throw new InvalidRequestException("Period must be 60, 300 or 3600 seconds");
    const filter = groupFilter(ctx, input.GroupName, input.GroupARN);
    const sel = parseSelector(input.EntitySelectorExpression);
    const traces: TraceRec[] = [];
    for (const t of overlapping(ctx, from, to)) if (!filter || filter(t)) traces.push(t);
    return { TimeSeriesServiceStatistics: timeSeries(traces, sel, period, from, to), ContainsOldGroupVersions: false };
  },
} satisfies Partial<XrayApi>;

/** Traces with activity in [from, to]: a trace starts at or after its id's time and lasts at most a day. */
function* overlapping(ctx: HandlerContext, from: number, to: number): Generator<TraceRec> {
  for (const t of inWindow(ctx, from - 86400, to)) if (t.end >= from && t.start <= to) yield t;
}
