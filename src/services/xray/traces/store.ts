// The trace store: segments in from PutTraceSegments and the daemon, written in batches (one transaction per flush,
// one row per segment in the store's document log, core/store/documents.ts: the hot path), each touched trace
// re-assembled into its record; records held in memory per account and region, ordered by the trace id's time, so
// summaries, filters and graphs read no document and parse no JSON. A segment's row is keyed by its arrival (the log's
// increasing id), not by its trace and id: trace ids are random past their time, so rows keyed by them land all over
// the table's index and each insert reads and dirties pages of its own, while arrival keys append. Each trace's index
// entry holds its segments' ids (what BatchGetTraces and a later segment of the trace read), and the documents of
// recently written traces stay in memory, so a trace's next segment reads nothing back. Records are not stored: X-Ray's
// first call after a start rebuilds them from the segments (a trace's Revision then counts its segments, and its
// update time is its last end time). Segments are kept 30 days (X-Ray's retention), swept hourly. Data dirs from
// before the document log kept segments as records (traceSegments): read as before, replaced when sent again.
import { defineState, regional, STORE, transaction } from "../../../core/state.js";
import { type DocumentLog, documentLog } from "../../../core/store/documents.js";
import type { ServiceHost } from "../../../core/service.js";
import { type Assembled, assemble, assembleDocuments, type ServiceIds, type SvcId, type TraceRec } from "./assemble.js";
import { type AcceptedSegment, RETENTION_SECONDS, type SegmentDoc } from "./segments.js";
import type { GroupRec } from "./groups.js";

export const traceState = defineState("xray", {
  /** Segments as older data dirs kept them (by a 15-digit counter, or `<trace id>/<segment id>`): read, no longer written. */
  traceSegments: regional<string>(),
  groups: regional<GroupRec>(),
});

interface ScopeIndex {
  byId: Map<string, TraceRec>;
  /** By trace-id time then id; re-sorted on the next read after an insert out of order. */
  sorted: TraceRec[];
  ordered: boolean;
  /** Each trace's stored segments: id, row key, and whether the stored one is in progress. */
  segs: Map<string, SegRef[]>;
}

interface SegRef {
  id: string;
  /** The document's id in the document log; a string: its key in the records of an older data dir. */
  key: number | string;
  open: boolean;
}

interface Queued {
  account: string;
  region: string;
  seg: AcceptedSegment;
}

/** How long a daemon segment may wait for its batch's write (a trace is visible within ~2× this). */
const DAEMON_FLUSH_MS = Number(process.env.STRATUS_XRAY_FLUSH_MS) || 100;
/**
 * How many daemon segments a batch takes before it is written without waiting for the interval. A small batch keeps
 * what waits in the queue (parsed documents) young: at 25,000 segments/s a 100 ms batch outgrew V8's young
 * generation, so every document was promoted before it became garbage, and collecting it cost more than storing it.
 */
const DAEMON_BATCH = 500;
const SWEEP_MS = 3600_000;
/**
 * How many traces' documents stay in memory after a write, so that a trace's next segment reads nothing back: at a
 * developer's rate that is minutes of traces; at 25,000 segments/s, 40 ms — kept longer, every document outlived the
 * young generation and was copied twice before it was dropped, which cost more than reading a late segment's trace back.
 */
const RECENT_TRACES = 1000;
/** The document log's namespace for segments. */
const NS = "xray";
const LOAD_PAGE = 5000;
const SHARED_LISTS = 100_000;

/**
 * Recently written traces' documents (segment id, text, segment id, text…) by `<account>/<region>/<trace id>`: two
 * generations of RECENT_TRACES / 2, the older dropped whole when the newer fills — constant time, where evicting a
 * Map's oldest entry one by one walks the deleted entries the Map has not yet compacted.
 */
class Recent {
  private young = new Map<string, string[]>();
  private old = new Map<string, string[]>();

  get(key: string): string[] | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  set(key: string, texts: string[]): void {
    this.young.set(key, texts);
    if (this.young.size >= RECENT_TRACES / 2) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  delete(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}

export class TraceStore {
  private readonly scopes = new Map<string, ScopeIndex>();
  private queue: Queued[] = [];
  private waiters: { ok: () => void; fail: (e: unknown) => void }[] = [];
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private readonly stopSweep: () => void;

  private readonly log: DocumentLog;
  /** Recently written traces' documents as stored. */
  private readonly recent = new Recent();

  constructor(private readonly host: ServiceHost) {
    this.log = documentLog(host[STORE]);
    // Every stored segment, by scope then trace: first those an older data dir kept as records, then the log's.
    const loaded = new Map<string, Map<string, { docs: SegmentDoc[]; refs: SegRef[] }>>();
    const take = (scope: string, key: number | string, text: string) => {
      const doc = JSON.parse(text) as SegmentDoc;
      let traces = loaded.get(scope);
      if (!traces) loaded.set(scope, (traces = new Map()));
      let t = traces.get(doc.trace_id);
      if (!t) traces.set(doc.trace_id, (t = { docs: [], refs: [] }));
      t.docs.push(doc);
      t.refs.push({ id: doc.id, key, open: doc.in_progress === true });
    };
    for (const { account, region, tables } of traceState.all(host, "traceSegments"))
      for (const { key, value } of tables.traceSegments.list()) take(`${account}/${region}`, key, value);
    for (const scope of this.log.scopes(NS))
      for (let page = this.log.list(NS, scope, 0, LOAD_PAGE); page.length; page = this.log.list(NS, scope, page[page.length - 1].id, LOAD_PAGE))
        for (const { id, text } of page) take(scope, id, text);
    for (const [scope, traces] of loaded) {
      const [account, region] = scope.split("/");
      const idx = this.scope(account, region);
      for (const [id, { docs, refs }] of traces) {
        const end = docs.reduce((m, d) => Math.max(m, typeof d.end_time === "number" ? d.end_time : d.start_time), 0);
        idx.segs.set(id, refs);
        this.index(idx, assemble(id, docs, end, docs.length, this.serviceId));
      }
    }
    this.sweep();
    this.stopSweep = host.scheduler.every(SWEEP_MS, () => this.sweep());
  }

  private scope(account: string, region: string): ScopeIndex {
    const key = `${account}/${region}`;
    let idx = this.scopes.get(key);
    if (!idx) this.scopes.set(key, (idx = { byId: new Map(), sorted: [], ordered: true, segs: new Map() }));
    return idx;
  }

  /** Every distinct service (name, type, account) numbered once, for the graphs. */
  private readonly serviceKeys = new Map<string, number>();
  /** One object per distinct service identity, and one list per distinct list of them, shared by the records. */
  private readonly sharedServices = new Map<string, SvcId>();
  private readonly sharedLists = new Map<string, readonly SvcId[]>();

  /** The shared object of a service identity (assemble's ServiceIds). */
  private readonly serviceId: ServiceIds = (key, name, type, account, inferred) => {
    const full = inferred ? `${key}\0i` : key;
    let one = this.sharedServices.get(full);
    if (!one) {
      let k = this.serviceKeys.get(key);
      if (k === undefined) this.serviceKeys.set(key, (k = this.serviceKeys.size));
      one = { Name: name, Names: [name], k };
      if (type) one.Type = type;
      if (account) one.AccountId = account;
      if (inferred) one.Inferred = true;
      this.sharedServices.set(full, one);
    }
    return one;
  };

  private index(idx: ScopeIndex, rec: TraceRec): void {
    let listKey = "";
    for (const s of rec.services) listKey += s.Inferred ? `${s.k}i,` : `${s.k},`;
    let services = this.sharedLists.get(listKey);
    // Bounded: past this many distinct lists (traces each with services of their own), a record keeps its own list.
    if (!services && this.sharedLists.size < SHARED_LISTS) this.sharedLists.set(listKey, (services = rec.services));
    if (services) rec.services = services;
    const prev = idx.byId.get(rec.id);
    if (prev) {
      // Updated in place: the sorted list holds the same object (its id, so its place, does not change).
      Object.assign(prev, rec);
      return;
    }
    idx.byId.set(rec.id, rec);
    const last = idx.sorted[idx.sorted.length - 1];
    if (last && (last.epoch > rec.epoch || (last.epoch === rec.epoch && last.id > rec.id))) idx.ordered = false;
    idx.sorted.push(rec);
  }

  /** The account and region's traces, ordered by trace-id time. */
  traces(account: string, region: string): readonly TraceRec[] {
    const idx = this.scopes.get(`${account}/${region}`);
    if (!idx) return [];
    if (!idx.ordered) {
      idx.sorted.sort((a, b) => a.epoch - b.epoch || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      idx.ordered = true;
    }
    return idx.sorted;
  }

  trace(account: string, region: string, id: string): TraceRec | undefined {
    return this.scopes.get(`${account}/${region}`)?.byId.get(id);
  }

  /**
   * The trace's segments, assembled (independent subsegments merged, inferred segments added), each with its text:
   * as stored when nothing was merged into it.
   */
  documents(account: string, region: string, id: string): { rec: TraceRec; segments: { Id: string; Document: string }[] } | undefined {
    const rec = this.trace(account, region, id);
    if (!rec) return undefined;
    const docs = this.storedDocs(account, region, id);
    const merged = [...docs.values()].some((d) => d.doc.type === "subsegment");
    const a: Assembled = assembleDocuments(
      id,
      [...docs.values()].map((d) => d.doc),
      rec.updated,
      rec.revision,
    );
    return {
      rec,
      segments: a.segments.map((d) => ({ Id: d.id, Document: (!merged && d.inferred !== true && docs.get(d.id)?.text) || JSON.stringify(d) })),
    };
  }

  /** The trace's stored documents by segment id: from memory when written lately, else read by their keys. */
  private storedDocs(account: string, region: string, id: string): Map<string, AcceptedSegment> {
    const docs = new Map<string, AcceptedSegment>();
    const hot = this.recent.get(`${account}/${region}/${id}`);
    if (hot) {
      for (let i = 0; i < hot.length; i += 2) docs.set(hot[i], { text: hot[i + 1], doc: JSON.parse(hot[i + 1]) as SegmentDoc });
      return docs;
    }
    const table = traceState.at(this.host, account, region).traceSegments;
    const scope = `${account}/${region}`;
    for (const ref of this.scopes.get(scope)?.segs.get(id) ?? []) {
      const text = typeof ref.key === "number" ? this.log.get(NS, scope, ref.key) : table.get(ref.key);
      if (text !== undefined) docs.set(ref.id, { text, doc: JSON.parse(text) as SegmentDoc });
    }
    return docs;
  }

  private remember(key: string, docs: Map<string, AcceptedSegment>): void {
    const texts: string[] = [];
    for (const [sid, d] of docs) texts.push(sid, d.text);
    this.recent.set(key, texts);
  }

  /**
   * Queues checked segments for the next batch. `urgent` (an API call, answered once written) flushes on the next
   * turn of the event loop; the daemon's wait for a short interval so that datagrams share a transaction.
   */
  add(account: string, region: string, segs: AcceptedSegment[], urgent: boolean): Promise<void> | undefined {
    for (const seg of segs) this.queue.push({ account, region, seg });
    if (urgent) {
      this.immediate ??= setImmediate(() => this.flushSafely());
      return new Promise((ok, fail) => this.waiters.push({ ok, fail }));
    }
    // A full batch is written now, not on the next turn: the daemon's datagrams arrive as messages from its thread, and
    // a thread that fell behind hands over many at once — deferred, they all waited parsed in memory until the last
    // was taken (tens of thousands of documents, each then copied by the young generation's collections).
    if (this.queue.length >= DAEMON_BATCH) {
      this.flushSafely();
      return undefined;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flushSafely(), DAEMON_FLUSH_MS);
      this.timer.unref();
    }
    return undefined;
  }

  private flushSafely(): void {
    const waiters = this.waiters;
    this.waiters = [];
    try {
      this.flush();
      for (const w of waiters) w.ok();
    } catch (e) {
      this.host.logger.error("X-Ray: a batch of segments could not be stored", e);
      for (const w of waiters) w.fail(e);
    }
  }

  /** Writes everything queued in one transaction, then re-indexes the traces it touched. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    const batch = this.queue;
    if (!batch.length) return;
    this.queue = [];
    const byTrace = new Map<string, Queued[]>();
    for (const q of batch) {
      const key = `${q.account}/${q.region}/${q.seg.doc.trace_id}`;
      const list = byTrace.get(key);
      if (list) list.push(q);
      else byTrace.set(key, [q]);
    }
    const now = this.host.clock.now() / 1000;
    const done: [ScopeIndex, TraceRec][] = [];
    // A rollback leaves no document in memory that the table does not hold (a key reserved for nothing reads as none).
    try {
      this.write(byTrace, now, done);
    } catch (e) {
      this.recent.clear();
      throw e;
    }
    for (const [idx, rec] of done) this.index(idx, rec);
  }

  private write(byTrace: Map<string, Queued[]>, now: number, done: [ScopeIndex, TraceRec][]): void {
    transaction(this.host, () => {
      for (const [traceKey, list] of byTrace) {
        const { account, region } = list[0];
        const traceId = list[0].seg.doc.trace_id;
        const idx = this.scope(account, region);
        const prev = idx.byId.get(traceId);
        const scope = `${account}/${region}`;
        const docs = prev ? this.storedDocs(account, region, traceId) : new Map<string, AcceptedSegment>();
        const refs = idx.segs.get(traceId);
        let added: SegRef[] | undefined;
        for (const { seg } of list) {
          const ref = refs?.find((r) => r.id === seg.doc.id) ?? added?.find((r) => r.id === seg.doc.id);
          // A completed segment is not replaced by an in-progress one that arrives after it.
          if (ref && seg.doc.in_progress === true && !ref.open) continue;
          docs.set(seg.doc.id, seg);
          const open = seg.doc.in_progress === true;
          // A segment sent again (an in-progress one completed) replaces the stored one.
          if (ref) this.deleteStored(account, region, ref.key);
          const key = this.log.append(NS, scope, seg.text);
          if (ref) {
            ref.open = open;
            ref.key = key;
          } else (added ??= []).push({ id: seg.doc.id, key, open });
        }
        // A list of its exact length (most traces have one segment; an array grown by push keeps room for 16 more).
        if (added) idx.segs.set(traceId, refs ? [...refs, ...added] : added.slice());
        this.remember(traceKey, docs);
        const rec = assemble(
          traceId,
          [...docs.values()].map((d) => d.doc),
          now,
          prev ? prev.revision + 1 : 1,
          this.serviceId,
        );
        done.push([idx, rec]);
      }
    });
  }

  /** Drops traces past X-Ray's 30-day retention (by their trace id's time), with their segments. */
  sweep(): void {
    const cutoff = this.host.clock.now() / 1000 - RETENTION_SECONDS;
    for (const [key, idx] of this.scopes) {
      const [account, region] = key.split("/");
      const list = this.traces(account, region);
      let n = 0;
      while (n < list.length && list[n].epoch < cutoff) n++;
      if (!n) continue;
      const old = idx.sorted.splice(0, n);
      transaction(this.host, () => {
        for (const rec of old) {
          idx.byId.delete(rec.id);
          this.recent.delete(`${key}/${rec.id}`);
          for (const ref of idx.segs.get(rec.id) ?? []) this.deleteStored(account, region, ref.key);
          idx.segs.delete(rec.id);
        }
      });
    }
  }

  private deleteStored(account: string, region: string, key: number | string): void {
    if (typeof key === "number") this.log.delete(NS, `${account}/${region}`, key);
    else traceState.at(this.host, account, region).traceSegments.delete(key);
  }

  stop(): void {
    this.stopSweep();
    this.flushSafely();
  }
}
