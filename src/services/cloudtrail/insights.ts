// CloudTrail Insights for trails with insight selectors: unusual write-management API call volume
// (ApiCallRateInsight) and error volume (ApiErrorRateInsight), per event name.
//
// The rule Stratus uses (AWS's own model is not published): calls are counted per trail, insight type and event name
// in windows of STRATUS_CLOUDTRAIL_INSIGHTS_WINDOW_SECONDS (default 60, AWS's per-minute rate). The baseline is the
// mean count of the windows seen before (a rolling average over the last 60 windows, counting quiet ones as 0). An
// insight starts when a window's count is at least 10 and at least 3 × the baseline + 10, and ends at the first window
// below that; each transition is an AwsCloudTrailInsight record (Start, then End with the same sharedEventID, the
// baseline and insight averages in insightContext.statistics — the structure AWS documents under "CloudTrail Insights
// events record contents"), delivered under AWSLogs/<account>/CloudTrail-Insight/<region>/….
import { uuid4 } from "../../core/ids.js";
import type { AuditEventRow } from "../../core/store/events.js";
import { isoSeconds } from "./delivery.js";
import type { TrailEngine } from "./engine.js";
import { isReadOnly } from "./record.js";
import type { TrailRec } from "./state.js";

const HISTORY = 60;
const MIN_COUNT = 10;

interface Series {
  trail: TrailRec;
  type: "ApiCallRateInsight" | "ApiErrorRateInsight";
  region: string;
  eventSource: string;
  eventName: string;
  errorCode?: string;
  current: number;
  history: number[];
  active?: { id: string; start: number; baseline: number; counts: number[] };
}

export class Insights {
  private series = new Map<string, Series>();
  private types = new Map<string, Set<string>>();
  readonly windowMs: number;
  private stop?: () => void;

  constructor(private readonly engine: TrailEngine) {
    const v = Number(process.env.STRATUS_CLOUDTRAIL_INSIGHTS_WINDOW_SECONDS);
    this.windowMs = (Number.isFinite(v) && v > 0 ? v : 60) * 1000;
  }

  reindex(live: Iterable<{ rec: TrailRec }[]>): void {
    this.types.clear();
    for (const list of live) {
      for (const { rec } of list) if (rec.insightSelectors?.length) this.types.set(rec.arn, new Set(rec.insightSelectors.map((s) => s.InsightType ?? "")));
    }
    for (const [k, s] of this.series) if (!this.types.has(s.trail.arn)) this.series.delete(k);
    if (this.types.size && !this.stop) this.stop = this.engine.host.scheduler.every(this.windowMs, () => this.roll());
    else if (!this.types.size && this.stop) {
      this.stop();
      this.stop = undefined;
    }
  }

  /** One management call a trail with insight selectors recorded. */
  count(trail: TrailRec, row: AuditEventRow, errorCode: string | undefined): void {
    const types = this.types.get(trail.arn);
    if (!types || isReadOnly(row.eventName)) return;
    if (types.has("ApiCallRateInsight")) this.bump(trail, "ApiCallRateInsight", row);
    if (errorCode && types.has("ApiErrorRateInsight")) this.bump(trail, "ApiErrorRateInsight", row, errorCode);
  }

  private bump(trail: TrailRec, type: Series["type"], row: AuditEventRow, errorCode?: string): void {
    const key = `${trail.arn}|${type}|${row.region}|${row.eventSource}|${row.eventName}|${errorCode ?? ""}`;
    let s = this.series.get(key);
    if (!s) {
      s = { trail, type, region: row.region, eventSource: row.eventSource, eventName: row.eventName, errorCode, current: 0, history: [] };
      this.series.set(key, s);
    }
    s.current++;
  }

  /** Closes the window: starts and ends insights, queues their records for delivery. */
  roll(): void {
    const now = this.engine.host.clock.now();
    this.engine.audit.flush();
    for (const [key, s] of this.series) {
      const baseline = s.history.length ? s.history.reduce((a, b) => a + b, 0) / s.history.length : 0;
      const unusual = s.current >= MIN_COUNT && s.current >= 3 * baseline + MIN_COUNT;
      if (unusual && !s.active) {
        s.active = { id: uuid4(), start: now - this.windowMs, baseline, counts: [s.current] };
        this.emit(s, "Start", now);
      } else if (s.active && unusual) {
        s.active.counts.push(s.current);
      } else if (s.active) {
        this.emit(s, "End", now);
        s.active = undefined;
      }
      if (!s.active) {
        s.history.push(s.current);
        if (s.history.length > HISTORY) s.history.shift();
      }
      s.current = 0;
      if (!s.active && s.history.every((n) => n === 0)) this.series.delete(key);
    }
  }

  private emit(s: Series, state: "Start" | "End", now: number): void {
    const a = s.active!;
    const perMinute = (n: number) => (n * 60000) / this.windowMs;
    const insightAverage = perMinute(a.counts.reduce((x, y) => x + y, 0) / a.counts.length);
    const statistics: Record<string, unknown> = {
      baseline: { average: perMinute(a.baseline) },
      insight: { average: insightAverage },
      baselineDuration: s.history.length * Math.round(this.windowMs / 60000) || 1,
    };
    if (state === "End") statistics.insightDuration = Math.max(1, Math.round((now - a.start) / 60000));
    const record = {
      eventVersion: "1.08",
      eventTime: isoSeconds(state === "Start" ? a.start : now),
      awsRegion: s.region,
      eventID: uuid4(),
      eventType: "AwsCloudTrailInsight",
      recipientAccountId: s.trail.account,
      sharedEventID: a.id,
      insightDetails: {
        state,
        eventSource: s.eventSource,
        eventName: s.eventName,
        insightType: s.type,
        ...(s.errorCode ? { errorCode: s.errorCode } : {}),
        insightContext: { statistics },
      },
      eventCategory: "Insight",
    };
    const t = Date.parse(record.eventTime);
    this.engine.queue(s.trail, { trail: s.trail.name, region: s.region, records: [JSON.stringify(record)], oldest: t, newest: t, insight: true });
  }
}
