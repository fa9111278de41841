// The storage API services see: typed key/value tables scoped global, per account, or per account+region.
// No SQL crosses this line, so a server-grade backend (PostgreSQL) can implement it later.
import type { LogEventStore } from "./log-events.js";
import type { EventLog } from "./events.js";
import type { MetricStore } from "./metrics.js";
import type { DocumentLog } from "./documents.js";
import type { BlobRows } from "./blob-rows.js";
import type { ReclaimResult, SpaceUsage } from "./space.js";
import type { Durability } from "./durability.js";

export interface Entry<T> {
  key: string;
  value: T;
}

export interface ListOptions {
  /** Only keys starting with this. */
  prefix?: string;
  /** Only keys strictly after this one (for paging). */
  after?: string;
  limit?: number;
}

export interface Table<T> {
  /** The record, a copy of the caller's own to change and put back. */
  get(key: string): T | undefined;
  /**
   * The record as one shared, frozen object, kept in memory until a write to its key through this table (or a
   * rolled-back transaction): for the reads on a data plane's path (a stage per API request, a function per Invoke),
   * which would otherwise read and parse the same record every time. Never changed in place (it is frozen); get() for
   * a copy to change.
   */
  read(key: string): Readonly<T> | undefined;
  has(key: string): boolean;
  put(key: string, value: T): void;
  /** Insert only if absent; false when the key already exists. */
  insert(key: string, value: T): boolean;
  delete(key: string): boolean;
  /** Entries in key order. */
  list(opts?: ListOptions): Entry<T>[];
  /**
   * The entries under `prefix`, in key order, as shared frozen objects kept in memory until any write through this
   * table (or a rolled-back transaction): for the short lists of configuration read on a data plane's path (a log
   * group's subscription and metric filters on every PutLogEvents), which would otherwise be queried and parsed each
   * time. Never changed in place; list() for copies.
   */
  readList(prefix?: string): readonly Readonly<Entry<T>>[];
  count(prefix?: string): number;
}

export interface Store {
  /** A table of records; `scope` is "" (global), an account id, or `<account>/<region>`. */
  table<T>(namespace: string, scope: string): Table<T>;
  /** Every scope holding records in a namespace (e.g. to sweep expired items across accounts). */
  scopes(namespace: string): string[];
  /**
   * Runs fn atomically: all of its writes commit together or not at all. Synchronous by design. Its writes commit with
   * the event-loop turn's others (group commit): durable() tells when.
   */
  transaction<R>(fn: () => R): R;
  /**
   * Resolves once every write made so far is committed (durable as `durability` says), or rejects if that commit
   * failed (its writes are then undone); undefined when nothing is waiting to commit. What answers a caller awaits it
   * before answering, so that no write is acknowledged before it is durable.
   */
  durable(): Promise<void> | undefined;
  /**
   * How many group commits have failed (their writes undone) since the store opened. A request that saw it change
   * while it ran may have lost a write of its own to a group that committed before it finished: it answers with an
   * internal failure rather than acknowledge it (gateway/pipeline.ts).
   */
  readonly commitFailures: number;
  readonly dataDir: string;
  /** What holds the records, for the health endpoint (e.g. "node:sqlite"). */
  readonly engine: string;
  /** What an acknowledged write survives (durability.ts): the process dying, or also a power cut. */
  readonly durability: Durability;
  close(): void;
  /**
   * One bounded step giving freed space back to the file system (at most 128 pages: ~0.1 ms, ~4 ms when live pages must move), when more than
   * `keepFreePages` (default 256) are free; the store's keeper calls it on the scheduler until nothing is left to do.
   */
  reclaimSpace(keepFreePages?: number): ReclaimResult;
  /** What the data dir holds, by service and store (for `stratus status`). */
  spaceUsage(): Promise<SpaceUsage>;
  /** CloudWatch Logs' events: indexed, chunked, append-heavy (log-events.ts). */
  logEvents(): LogEventStore;
  /** The audit trail's events, newest first by account (events.ts). */
  auditEvents(): EventLog;
  /** CloudWatch's metric data: raw samples packed per metric and call (metrics.ts). */
  metrics(): MetricStore;
  /** Append-only text documents by integer id: X-Ray's segments (documents.ts). */
  documents(): DocumentLog;
  /** Small blobs kept as rows rather than files (blob-rows.ts; core/blobs.ts decides which). */
  blobRows(): BlobRows;
}
