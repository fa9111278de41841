// The audit trail: every management call becomes a CloudTrail event, buffered in memory and written to the
// event log (Event history) in one transaction per batch, so recording costs a request almost nothing. A data call
// (CloudTrail's classification, passed in) is built into a record only when a trail's selectors take it, and handed
// to the tap alone: Event history holds management events only, as AWS's does.
//
// Durability: events are written up to 20 ms after their response (on a short timer, before any
// LookupEvents reads, and on stop). A kill -9 can therefore lose at most the last 20 ms of audit
// events — never an acknowledged API write, which the store commits before the response is sent.
import type { Clock } from "./clock.js";
import type { Logger } from "./log.js";
import type { Store } from "./store/types.js";
import { eventLog, type AuditEventRow, type EventCursor, type EventFilter, type EventLog, type EventPage, type SeqWhere } from "./store/events.js";
import type { AuditCall, AuditSink } from "./audit-types.js";

/** How long CloudTrail Event history keeps events. */
export const RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
// Long enough to batch a busy second's events into a few transactions, short enough that little is at risk.
const FLUSH_DELAY_MS = 20;
// A burst this large is written at once rather than waiting for the timer.
const MAX_BUFFERED = 1000;

/**
 * What sees every batch of recorded calls with their built rows, inside the transaction that writes them: CloudTrail's
 * trails (queued for delivery durably with the events, by the rows' seqs) and its EventBridge events. Installed by the
 * CloudTrail service. A data event's row is not in Event history: its seq is -1.
 */
export type AuditBatchTap = (calls: readonly AuditCall[], rows: readonly AuditEventRow[], seqs: readonly number[]) => void;

/** Whether a trail takes this data event (so its record is built for the tap); installed with the tap. */
export type DataEventWanted = (call: AuditCall) => boolean;

export class AuditTrail implements AuditSink {
  private buffer: AuditCall[] = [];
  private tap: AuditBatchTap | undefined;
  private wantsData: DataEventWanted | undefined;
  private woken = false;
  private timer: NodeJS.Timeout | undefined;
  // Opened (its statements prepared) on the first write or read rather than with the server: not on cold start's path.
  private opened: EventLog | undefined;

  constructor(
    private readonly store: Store,
    readonly clock: Clock,
    private readonly logger: Logger,
    // CloudTrail's record format, passed in so core does not depend on a service.
    private readonly buildRow: (call: AuditCall) => AuditEventRow,
    // CloudTrail's classification: a data event (S3 object calls, Lambda Invoke, SQS messages, SNS Publish…), which
    // Event history does not keep — AWS's Event history holds management events only — and a trail records only when
    // its event selectors ask for it.
    private readonly isDataEvent: (call: AuditCall) => boolean,
    // Starts the CloudTrail service (which installs the tap) the first time a batch holds a call it must see: one to
    // CloudTrail or EventBridge (a rule makes API calls events). Once started, it starts with the server.
    private readonly wake?: () => void,
  ) {}

  /** Installs (or with undefined removes) the batch tap, with what tells it which data events a trail takes. */
  setTap(tap: AuditBatchTap | undefined, wantsData?: DataEventWanted): void {
    this.tap = tap;
    this.wantsData = tap ? wantsData : undefined;
    this.woken = true;
  }

  private get log(): EventLog {
    return (this.opened ??= eventLog(this.store));
  }

  record(call: AuditCall): void {
    this.buffer.push(call);
    if (this.buffer.length >= MAX_BUFFERED) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer.length) return;
    const calls = this.buffer;
    this.buffer = [];
    // The records are built here, off the request path, rather than in record(). A data event's only when a trail
    // takes it: with none, a data-plane call writes nothing at all.
    const tap = this.tap;
    const wantsData = this.wantsData;
    const rows: AuditEventRow[] = [];
    const built: AuditCall[] = [];
    const isData: boolean[] = [];
    let data = 0;
    for (const call of calls) {
      const dataEvent = this.isDataEvent(call);
      if (dataEvent && !(tap && wantsData?.(call))) continue;
      try {
        rows.push(this.buildRow(call));
        built.push(call);
        isData.push(dataEvent);
        if (dataEvent) data++;
      } catch (e) {
        this.logger.error(`could not build the audit event of ${call.service}:${call.operation} (request ${call.requestId})`, e);
      }
    }
    try {
      if (tap) {
        this.store.transaction(() => {
          if (!data) {
            tap(built, rows, this.log.appendEvents(rows));
            return;
          }
          // Event history takes the management events; the tap gets every row, a data event's seq -1.
          const kept: AuditEventRow[] = [];
          for (let i = 0; i < rows.length; i++) if (!isData[i]) kept.push(rows[i]);
          const keptSeqs = kept.length ? this.log.appendEvents(kept) : [];
          const seqs: number[] = [];
          for (let i = 0, k = 0; i < rows.length; i++) seqs.push(isData[i] ? -1 : keptSeqs[k++]);
          tap(built, rows, seqs);
        });
      } else if (rows.length) this.log.appendEvents(rows);
    } catch (e) {
      this.logger.error(`could not write ${calls.length} audit events`, e);
    }
    if (!this.woken && this.wake && calls.some((c) => c.service === "eventbridge" || c.service === "cloudtrail")) {
      this.woken = true;
      this.wake();
    }
  }

  /** Events newest first, with the calls still buffered written first (answered a few ms ago). */
  query(filter: EventFilter, page: { limit: number; after?: EventCursor }): EventPage {
    this.flush();
    return this.log.queryEvents(filter, page);
  }

  /** Record texts by seq range (EventLog.recordsBySeq), with the calls still buffered written first. */
  recordsBySeq(first: number, last: number, where: SeqWhere): string[] {
    this.flush();
    return this.log.recordsBySeq(first, last, where);
  }

  /** Record texts by seq range joined by commas (EventLog.joinedRecordsBySeq), with the calls still buffered written first. */
  joinedRecordsBySeq(first: number, last: number, where: SeqWhere): Buffer {
    this.flush();
    return this.log.joinedRecordsBySeq(first, last, where);
  }

  /** Deletes events past the 90-day retention (by the runtime clock); returns how many. */
  sweep(): number {
    this.flush();
    return this.log.deleteEventsBefore(this.clock.now() - RETENTION_MS);
  }
}

export function createAuditTrail(
  store: Store,
  clock: Clock,
  logger: Logger,
  buildRow: (call: AuditCall) => AuditEventRow,
  isDataEvent: (call: AuditCall) => boolean,
  wake?: () => void,
): AuditTrail {
  return new AuditTrail(store, clock, logger, buildRow, isDataEvent, wake);
}
