// CloudTrail's running instance: it sees every batch of recorded calls (core/audit.ts's tap, inside the transaction
// that writes them to Event history) and
// - queues, for each logging trail whose selectors take a call, its record in the trail's pending chunks (so what a
//   call acknowledged is as durable as its Event history entry), delivered by delivery.ts every
//   STRATUS_CLOUDTRAIL_DELIVERY_SECONDS (default 5);
// - sends management calls to EventBridge as "AWS API Call via CloudTrail" events (eventbridge-events.ts);
// - counts calls and errors for Insights (insights.ts).
import type { AuditCall } from "../../core/audit-types.js";
import type { AuditTrail } from "../../core/audit.js";
import type { ServiceHost } from "../../core/service.js";
import type { AuditEventRow } from "../../core/store/events.js";
import { deliverAll } from "./delivery.js";
import { deliverDigests } from "./digest.js";
import { ApiCallEvents } from "./eventbridge-events.js";
import { Insights } from "./insights.js";
import { PendingTexts } from "./pending-texts.js";
import { dataResourcesOf, isReadOnly } from "./record.js";
import { compileSelectors, type EventFacts, type Selects } from "./selectors.js";
import { ctState, type PendingChunk, type TrailRec } from "./state.js";

interface LiveTrail {
  rec: TrailRec;
  selects: Selects;
}

const seconds = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

// Services whose events CloudTrail files as global service events (recorded in us-east-1), which a trail takes only
// with IncludeGlobalServiceEvents.
const GLOBAL_SERVICES = new Set(["iam", "sts", "organizations", "route53", "cloudfront", "global-accelerator"]);

export class TrailEngine {
  /** Logging trails by account. */
  private live = new Map<string, LiveTrail[]>();
  private seq = 0;
  private delivering: Promise<void> | undefined;
  private digesting: Promise<void> | undefined;
  readonly deliveryMs = seconds("STRATUS_CLOUDTRAIL_DELIVERY_SECONDS", 5) * 1000;
  readonly digestMs = seconds("STRATUS_CLOUDTRAIL_DIGEST_SECONDS", 3600) * 1000;
  readonly events: ApiCallEvents;
  readonly insights: Insights;
  /** The texts of pending chunks' records, until their file is written (a cache: the chunks' seq runs are the truth). */
  readonly texts = new PendingTexts();

  constructor(
    readonly host: ServiceHost,
    readonly audit: AuditTrail,
  ) {
    this.events = new ApiCallEvents(host);
    this.insights = new Insights(this);
    this.reindex();
  }

  /** A trail was created, changed or deleted: the live index is rebuilt (rare; proportional to trails). */
  changed(): void {
    this.reindex();
  }

  private reindex(): void {
    const live = new Map<string, LiveTrail[]>();
    for (const { tables } of ctState.all(this.host, "trails")) {
      for (const { value: rec } of tables.trails.list()) {
        if (!rec.logging) continue;
        const list = live.get(rec.account) ?? [];
        list.push({ rec, selects: compileSelectors(rec.eventSelectors, rec.advancedEventSelectors) });
        live.set(rec.account, list);
      }
    }
    this.live = live;
    this.insights.reindex(live.values());
  }

  /** The facts a trail's selectors decide on. */
  private facts(call: AuditCall, data: boolean, readOnly: boolean): EventFacts {
    return {
      category: data ? "Data" : "Management",
      readOnly,
      eventSource: call.eventSource,
      eventName: call.operation,
      eventType: "AwsApiCall",
      errorCode: call.errorCode,
      userArn: call.principal.arn || undefined,
      resources: data ? dataResourcesOf(call) : [],
    };
  }

  /** Whether a logging trail in the call's account and region takes this data event (its record is then built). */
  readonly wantsData = (call: AuditCall): boolean => {
    const trails = this.live.get(call.account);
    if (!trails) return false;
    let facts: EventFacts | undefined;
    for (const t of trails) {
      if (!t.rec.multiRegion && call.region !== t.rec.homeRegion) continue;
      facts ??= this.facts(call, true, isReadOnly(call.operation));
      if (t.selects(facts)) return true;
    }
    return false;
  };

  /** The audit batch tap: runs inside the transaction that writes the batch's events. */
  readonly tap = (calls: readonly AuditCall[], rows: readonly AuditEventRow[], seqs: readonly number[]): void => {
    type Queued = { trail: TrailRec; chunk: PendingChunk; records: string[] };
    let chunks: Map<string, Queued> | undefined;
    let last: Queued | undefined;
    for (const call of calls) {
      if (call.service === "eventbridge") {
        this.events.rulesMayHaveChanged();
        break;
      }
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const call = calls[i];
      const seq = seqs[i];
      // A data event is not in Event history: its seq is -1.
      const data = seq < 0;
      // A call EventBridge made delivering to a target is not sent back to it (a rule on the target's source would loop).
      if (!data && call.invokedBy !== "events.amazonaws.com") this.events.offer(row);
      const trails = this.live.get(row.account);
      if (!trails) continue;
      let facts: EventFacts | undefined;
      for (const t of trails) {
        const rec = t.rec;
        if (!rec.multiRegion && row.region !== rec.homeRegion) continue;
        if (!rec.includeGlobal && GLOBAL_SERVICES.has(call.service)) continue;
        // The facts are built only for selectors that look at them (the default selector takes every management call).
        if (data || !t.selects.everyManagement) {
          facts ??= this.facts(call, data, row.readOnly);
          if (!t.selects(facts)) continue;
        }
        // A batch's rows mostly go to one trail's chunk for one region: the last one found is tried first.
        let c = last && last.trail === rec && last.chunk.region === row.region ? last : undefined;
        if (!c) {
          chunks ??= new Map();
          const key = `${rec.homeRegion}|${rec.name}|${row.region}`;
          c = chunks.get(key);
          if (!c)
            chunks.set(
              key,
              (c = { trail: rec, chunk: { trail: rec.name, region: row.region, seqs: [], oldest: row.eventTime, newest: row.eventTime }, records: [] }),
            );
          last = c;
        }
        c.records.push(row.record);
        // A data event's record is held by the chunk; a management event's is read back from Event history by seq.
        if (data) (c.chunk.data ??= []).push(row.record);
        else {
          const runs = c.chunk.seqs!;
          if (runs.length && runs[runs.length - 1] === seq - 1) runs[runs.length - 1] = seq;
          else runs.push(seq, seq);
        }
        if (row.eventTime < c.chunk.oldest) c.chunk.oldest = row.eventTime;
        else if (row.eventTime > c.chunk.newest) c.chunk.newest = row.eventTime;
        if (!data && rec.insightSelectors?.length) this.insights.count(rec, row, call.errorCode);
      }
    }
    if (chunks) {
      for (const { trail, chunk, records } of chunks.values()) {
        this.texts.keep(this.queue(trail, chunk), records);
      }
    }
    this.events.flush();
  };

  /** Stores a chunk of records for the trail (in its home region's scope), keyed in arrival order; returns its key. */
  queue(trail: TrailRec, chunk: PendingChunk): string {
    const key = `${trail.name}|${this.host.clock.now().toString(36).padStart(9, "0")}${(this.seq++ % 1e6).toString(36).padStart(4, "0")}`;
    ctState.at(this.host, trail.account, trail.homeRegion).pending.put(key, chunk);
    return key;
  }

  /** One delivery round (never two at once); resolves when it ends. */
  deliver(): Promise<void> {
    this.audit.flush();
    this.delivering ??= deliverAll(this).finally(() => (this.delivering = undefined));
    return this.delivering;
  }

  digest(): Promise<void> {
    this.digesting ??= deliverDigests(this).finally(() => (this.digesting = undefined));
    return this.digesting;
  }

  start(): () => void {
    this.audit.setTap(this.tap, this.wantsData);
    const stops = [
      this.host.scheduler.every(this.deliveryMs, () => void this.deliver().catch((e) => this.host.logger.error("CloudTrail delivery failed", e))),
      this.host.scheduler.every(this.digestMs, () => void this.digest().catch((e) => this.host.logger.error("CloudTrail digest delivery failed", e))),
    ];
    // What was acknowledged before a restart and not yet delivered goes out on the first round.
    void this.deliver().catch((e) => this.host.logger.error("CloudTrail delivery failed", e));
    return () => {
      this.audit.setTap(undefined);
      for (const s of stops) s();
    };
  }
}
