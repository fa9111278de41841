// The embedded SQLite store (node:sqlite or better-sqlite3, see driver.ts; WAL): an event-loop turn's writes commit
// together (group commit, below) and a response waits for that commit (durable()), so what it acknowledges survives
// kill -9 — and with durability "power" (durability.ts) a power cut too.
import { constants, copyFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import type { Entry, ListOptions, Store, Table } from "./types.js";
import { migrate } from "./migrations.js";
import { asBuffer, sqliteDriver, type Db, type Driver } from "./driver.js";
import type { LogEventStore } from "./log-events.js";
import type { EventLog } from "./events.js";
import type { MetricStore } from "./metrics.js";
import type { DocumentLog } from "./documents.js";
import type { BlobRows } from "./blob-rows.js";
import { KEEP_FREE_PAGES, prepareSpace, reclaimStep, spaceUsage, type ReclaimResult, type SpaceUsage } from "./space.js";
import { fsyncPath, makeDir, type Durability } from "./durability.js";
import { Checkpointer } from "./checkpointer.js";

/** The typed stores beside the records table, as the SQLite store implements them. */
interface TypedStores {
  logEvents: LogEventStore;
  auditEvents: EventLog;
  metrics: MetricStore;
  documents: DocumentLog;
  blobRows: BlobRows;
}

const typedFactories: { [K in keyof TypedStores]?: (db: Db) => TypedStores[K] } = {};

/**
 * A typed store's SQLite implementation, registered by its own module when first imported (log-events.ts, events.ts),
 * so start-up loads only those in use: CloudWatch Logs' ~400 lines cost a cold start ~5 ms otherwise. Their public
 * entry points (logEventStore(), eventLog()) are in those modules, so a store is never asked before registration.
 */
export function registerSqliteTypedStore<K extends keyof TypedStores>(name: K, make: (db: Db) => TypedStores[K]): void {
  (typedFactories as Record<string, unknown>)[name] = make;
}

/** How many records a table's read() keeps; past it the cache starts over (the data planes read a few hot ones). */
const READ_CACHE_SIZE = 1000;

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function openSqliteStore(dataDir: string, driver: Driver = sqliteDriver(), durability: Durability = "process"): SqliteStore {
  makeDir(dataDir, durability);
  const file = join(dataDir, "stratus.db");
  if (!existsSync(file) && copyTemplate(file) && durability === "power") {
    // The copy is the database's first content: SQLite syncs only what it writes itself (the WAL at each commit,
    // the database file at a checkpoint), so a power cut before the first checkpoint would leave an empty or torn
    // file under a WAL that expects the template's pages.
    fsyncPath(file);
    fsyncPath(dirname(file));
  }
  const db = driver.open(file);
  // Opened unlocked (locking_mode NORMAL): WAL mode then keeps its index in the shared -shm file, where the checkpoint
  // worker's connection finds it (checkpointer.ts). The Checkpointer then holds the database in locking_mode EXCLUSIVE
  // between its cycles: one process serves a data dir (the CLI's lock, cli/lock.ts, keeps a second server out), and a
  // statement then takes no shared-memory locks (a transaction ~15 µs cheaper, measured with better-sqlite3).
  let spaceNote: string | undefined;
  try {
    // Before WAL mode and the first table, which both write the new file's header: a new database then gives freed
    // pages back (incremental auto_vacuum; space.ts).
    spaceNote = prepareSpace(db, file);
  } catch (e) {
    db.close();
    throw e;
  }
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode is durable against a process crash (kill -9); an OS crash or power cut loses every commit
  // since the last checkpoint (the WAL is fsync'd only then). FULL fsyncs the WAL at every commit.
  db.pragma(durability === "power" ? "synchronous = FULL" : "synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  try {
    migrate(db);
    const store = new SqliteStore(db, dataDir, durability);
    store.spaceNote = spaceNote;
    db.onWrite = () => store.joinGroup();
    store.checkpointer = new Checkpointer(
      db,
      file,
      driver.forWorker,
      durability === "power" ? "FULL" : "NORMAL",
      (why) => store.onWarning(why),
      () => store.commitGroup(),
    );
    return store;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * A new data dir's database starts as a copy of the empty one the build made with these same migrations
 * (dist/empty.db, beside the bundle; scripts/build.ts): turning a new file to WAL and creating the schema costs a
 * cold start ~4 ms, a copy ~0.3 ms. Run from source there is no template beside this module and the schema is
 * created as usual; either way migrate() then brings the file to this code's version.
 */
function copyTemplate(file: string): boolean {
  try {
    copyFileSync(fileURLToPath(new URL("./empty.db", import.meta.url)), file, constants.COPYFILE_EXCL);
    return true;
  } catch {
    // No template (running from source), or the file appeared meanwhile: opening it creates or uses it.
    return false;
  }
}

export class SqliteStore implements Store {
  private readonly stmts;
  private readonly tables = new Map<string, Table<unknown>>();
  /** Each table's read() cache. */
  private readonly caches: Map<string, unknown>[] = [];
  readonly engine: string;
  /** Said once at open when the database's space handling changed or could not (space.ts prepareSpace). */
  spaceNote: string | undefined;
  /** Runs the WAL's checkpoints off the event loop (checkpointer.ts). */
  checkpointer: Checkpointer | undefined;
  /** Told what went wrong in the background that the store worked around (the server logs it). */
  onWarning: (text: string) => void = (text) => process.emitWarning(text);

  constructor(
    readonly db: Db,
    readonly dataDir: string,
    readonly durability: Durability = "process",
  ) {
    this.engine = db.backend;
    this.stmts = {
      get: db.prepare<[string, string, string], { value: string }>("SELECT value FROM records WHERE ns = ? AND scope = ? AND key = ?"),
      put: db.prepare("INSERT INTO records (ns, scope, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (ns, scope, key) DO UPDATE SET value = excluded.value"),
      insert: db.prepare("INSERT INTO records (ns, scope, key, value) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"),
      del: db.prepare("DELETE FROM records WHERE ns = ? AND scope = ? AND key = ?"),
      // Keys come back as BLOBs: services separate key parts with U+0000, and node:sqlite on Node 22 reads TEXT
      // only up to its first NUL ("a\u0000b" comes back as "a"; fixed in 24). The bytes are the same UTF-8 either way.
      list: db.prepare<[string, string, string, string, string, number], { key: Uint8Array; value: string }>(
        "SELECT CAST(key AS BLOB) AS key, value FROM records WHERE ns = ? AND scope = ? AND key >= ? AND key < ? AND key > ? ORDER BY key LIMIT ?",
      ),
      count: db.prepare<[string, string, string, string], { n: number }>(
        "SELECT count(*) AS n FROM records WHERE ns = ? AND scope = ? AND key >= ? AND key < ?",
      ),
      scopes: db.prepare<[string], { scope: string }>("SELECT DISTINCT scope FROM records WHERE ns = ?"),
    };
  }

  private readonly typedStores: Partial<TypedStores> = {};

  logEvents(): LogEventStore {
    return this.typed("logEvents");
  }

  auditEvents(): EventLog {
    return this.typed("auditEvents");
  }

  metrics(): MetricStore {
    return this.typed("metrics");
  }

  documents(): DocumentLog {
    return this.typed("documents");
  }

  blobRows(): BlobRows {
    return this.typed("blobRows");
  }

  private typed<K extends keyof TypedStores>(name: K): TypedStores[K] {
    const ready = this.typedStores[name];
    if (ready) return ready;
    const make = typedFactories[name];
    if (!make)
      throw new Error(
        `the ${name} store's module is not loaded (core/store/${{ logEvents: "log-events", auditEvents: "events", metrics: "metrics", documents: "documents", blobRows: "blob-rows" }[name]}.ts)`,
      );
    const made = make(this.db);
    this.typedStores[name] = made;
    return made;
  }

  table<T>(ns: string, scope: string): Table<T> {
    const id = `${ns}\u0000${scope}`;
    let t = this.tables.get(id) as Table<T> | undefined;
    if (!t) {
      t = this.makeTable<T>(ns, scope);
      this.tables.set(id, t as Table<unknown>);
    }
    return t;
  }

  private makeTable<T>(ns: string, scope: string): Table<T> {
    const s = this.stmts;
    // Keys compare as UTF-8 bytes (BINARY collation); the prefix range ends at prefix + U+10FFFF, the highest
    // code point (U+FFFF would leave out keys continuing with a 4-byte character such as an emoji).
    const range = (prefix = "") => [prefix, prefix + "\u{10FFFF}"] as const;
    const get = (key: string): T | undefined => {
      const row = s.get.get(ns, scope, key);
      return row ? (JSON.parse(row.value) as T) : undefined;
    };
    // read()'s records (absent ones too), dropped on every write to their key. A write inside a transaction drops
    // the key before the transaction ends, and a rollback empties every table's cache (transaction()), so a record
    // read meanwhile is never kept past the rollback that undid it.
    const cache = new Map<string, Readonly<T> | undefined>();
    // readList()'s lists by prefix, all dropped on any write through this table (a rollback empties it too).
    const lists = new Map<string, readonly Readonly<Entry<T>>[]>();
    this.caches.push(cache, lists);
    const list = (opts: ListOptions = {}): Entry<T>[] => {
      const [lo, hi] = range(opts.prefix);
      return s.list
        .all(ns, scope, lo, hi, opts.after ?? "", opts.limit ?? -1)
        .map((r) => ({ key: asBuffer(r.key).toString("utf8"), value: JSON.parse(r.value) as T }));
    };
    return {
      get,
      read: (key) => {
        if (cache.has(key)) return cache.get(key);
        const value = get(key);
        if (cache.size >= READ_CACHE_SIZE) cache.clear();
        cache.set(key, value === undefined ? undefined : deepFreeze(value));
        return value;
      },
      has: (key) => s.get.get(ns, scope, key) !== undefined,
      put: (key, value) => {
        this.joinGroup();
        cache.delete(key);
        lists.clear();
        s.put.run(ns, scope, key, JSON.stringify(value));
      },
      insert: (key, value) => {
        this.joinGroup();
        cache.delete(key);
        lists.clear();
        return s.insert.run(ns, scope, key, JSON.stringify(value)).changes > 0;
      },
      delete: (key) => {
        this.joinGroup();
        cache.delete(key);
        lists.clear();
        return s.del.run(ns, scope, key).changes > 0;
      },
      list,
      readList: (prefix = "") => {
        let l = lists.get(prefix);
        if (!l) {
          if (lists.size >= READ_CACHE_SIZE) lists.clear();
          l = deepFreeze(list({ prefix }));
          lists.set(prefix, l);
        }
        return l;
      },
      count: (prefix) => {
        const [lo, hi] = range(prefix);
        return s.count.get(ns, scope, lo, hi)!.n;
      },
    };
  }

  scopes(ns: string): string[] {
    return this.stmts.scopes.all(ns).map((r) => r.scope);
  }

  // Group commit: the first write of an event-loop turn opens a transaction (BEGIN) that every write and transaction()
  // until the turn's end joins (each transaction() a savepoint in it, undone alone when it fails), committed once in
  // setImmediate — after the I/O callbacks of the turn, before the next poll. A request's answer waits for that commit
  // (durable(), awaited by the gateway before it writes the response), so what is acknowledged is still durable; what
  // it saves is a COMMIT and a WAL write of every changed page per request (a hot page — a queue's record, an index's
  // last leaf — is written once per group instead of once per write), so the checkpoint worker has as many times
  // fewer pages to copy. Every write reaches joinGroup(): through the table, transaction(), or the driver's onWrite
  // hook for the typed stores' statements (the first two also pass through the hook; calling it here is cheap).
  private group: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;

  joinGroup(): void {
    if (this.group || this.db.inGroup) return;
    this.db.openGroup();
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    // Nobody may be waiting (background work): a failed commit is then reported by whoever waits next, not unhandled.
    promise.catch(() => {});
    this.group = { promise, resolve, reject };
    setImmediate(() => this.commitGroup());
  }

  /** Commits the open group now (setImmediate's turn, close(), or before what must not run inside a transaction). */
  commitGroup(): void {
    const g = this.group;
    if (!g) return;
    this.group = undefined;
    try {
      if (this.db.isOpen) this.db.commitGroup();
      g.resolve();
    } catch (e) {
      this.commitFailures++;
      // Rolled back: what read() or readList() kept from the group's writes is gone with them.
      for (const c of this.caches) c.clear();
      g.reject(e);
    }
  }

  commitFailures = 0;

  durable(): Promise<void> | undefined {
    return this.group?.promise;
  }

  transaction<R>(fn: () => R): R {
    this.joinGroup();
    try {
      return this.db.transaction(fn);
    } catch (e) {
      // Rolled back: a record read() inside it may be one the rollback undid.
      for (const c of this.caches) c.clear();
      throw e;
    }
  }

  reclaimSpace(keepFreePages?: number): ReclaimResult {
    if (!this.db.isOpen) return { pages: 0, free: 0 };
    // The file shrinks on disk at the next checkpoint (the checkpointer's next cycle, off the event loop).
    return reclaimStep(this.db, keepFreePages ?? KEEP_FREE_PAGES);
  }

  spaceUsage(): Promise<SpaceUsage> {
    return spaceUsage(this.db, this.dataDir);
  }

  close(): void {
    this.commitGroup();
    this.checkpointer?.close();
    this.db.close();
  }
}
