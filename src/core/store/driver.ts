// The SQLite driver under the store: Node's built-in node:sqlite (Node 22.13+; nothing to compile on install) or
// better-sqlite3 (Node 20, an optional peer dependency), behind the few calls the store makes.
//
// Which one: STRATUS_SQLITE=node or STRATUS_SQLITE=better-sqlite3 forces one; by default node:sqlite where this
// Node has it, better-sqlite3 otherwise. STRATUS_BETTER_SQLITE3_PATH (for tests and the benchmark) loads
// better-sqlite3 from that package directory instead of resolving it beside Stratus, e.g. a build for another Node.
// Both write the same SQLite file format, so a data dir moves freely between them.
import type BetterSqlite3 from "better-sqlite3";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { SetupError } from "../errors.js";

export type Backend = "node:sqlite" | "better-sqlite3";

export interface RunResult {
  changes: number | bigint;
  lastInsertRowid: number | bigint;
}

/**
 * A prepared statement. Parameters are positional (`?`) or one object for `@name` parameters (keys without the
 * `@`; keys the SQL does not use are ignored). BLOB columns come back as Uint8Array (a Buffer with better-sqlite3):
 * wrap with `asBuffer` where Buffer methods are needed.
 */
export interface Statement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

export interface Db {
  readonly backend: Backend;
  readonly isOpen: boolean;
  exec(sql: string): void;
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R>;
  /** Runs fn in a transaction; nested calls are savepoints, so an inner failure caught outside undoes only its part. */
  transaction<T>(fn: () => T): T;
  /**
   * Runs fn atomically: in a transaction of its own, or as part of the one already open (no savepoint: a failure undoes
   * the enclosing transaction, whose caller sees it). For batch writes that a caller may wrap with others: a savepoint
   * copies each page it first changes to the statement journal, ~35 pages per audit batch (~15 µs a transaction).
   */
  atomic<T>(fn: () => T): T;
  /**
   * Opens a group (BEGIN) unless one is open: the statements and transactions that follow, until commitGroup(), commit
   * together (a transaction() inside it is a savepoint; atomic() one too, unless inside a transaction()). Group commit:
   * one COMMIT, one write of each changed page to the WAL, for all the writes of an event-loop turn.
   */
  openGroup(): void;
  /** Whether a group is open. */
  readonly inGroup: boolean;
  /**
   * Called before a write that would otherwise commit by itself (a statement's run(), a transaction() or atomic(),
   * outside any transaction or group): the store opens the turn's group there (sqlite.ts), so every write joins it.
   */
  onWrite: (() => void) | undefined;
  /** Commits the open group (rolled back, and the error thrown, when the COMMIT fails). Never inside a transaction(). */
  commitGroup(): void;
  /** `PRAGMA <source>`: the first column of the first row it returns (a read), or undefined. */
  pragma(source: string): unknown;
  close(): void;
}

export interface Driver {
  readonly backend: Backend;
  open(path: string): Db;
  /** How another thread opens the same library (checkpointer.ts): a worker cannot share this thread's modules. */
  readonly forWorker: WorkerDriver;
}

/** What a worker thread loads to open a database with the same library as this thread. */
export interface WorkerDriver {
  backend: Backend;
  /** better-sqlite3's package directory, and its addon's file when loaded directly. */
  module?: string;
  nativeBinding?: string;
}

/** A blob as a Buffer, without copying. */
export function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

// ---- node:sqlite (typed here: @types/node 20 does not describe it) ----

interface NodeStatement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  setAllowUnknownNamedParameters?(allow: boolean): void;
}
interface NodeDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
}
interface NodeSqlite {
  DatabaseSync: new (path: string) => NodeDatabase;
}

/** node:sqlite, or undefined where this Node lacks it (before 22.5, or 22.5–22.12 without --experimental-sqlite). */
export function loadNodeSqlite(): NodeSqlite | undefined {
  const emit = process.emitWarning;
  // Loading it prints "ExperimentalWarning: SQLite is an experimental feature…" on Node 22/24: drop that one warning.
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/^SQLite is an experimental feature/.test(text)) return;
    return (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const mod = process.getBuiltinModule?.("node:sqlite") as NodeSqlite | undefined;
    return mod?.DatabaseSync ? mod : undefined;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emit;
  }
}

const NAMED = /@([A-Za-z_][A-Za-z0-9_]*)/g;

function nodeDriver(mod: NodeSqlite): Driver {
  return {
    backend: "node:sqlite",
    forWorker: { backend: "node:sqlite" },
    open(path) {
      const db = new mod.DatabaseSync(path);
      // Tracked here: isOpen / isTransaction are missing on older 22.x.
      let open = true;
      let onWrite: (() => void) | undefined;
      const statement = (sql: string) => {
        const st = db.prepare(sql);
        return () => void st.run();
      };
      const tx = transactions({
        begin: statement("BEGIN"),
        commit: statement("COMMIT"),
        rollback: statement("ROLLBACK"),
        savepoint: statement("SAVEPOINT stratus"),
        release: statement("RELEASE stratus"),
        rollbackTo: statement("ROLLBACK TO stratus"),
        onWrite: () => onWrite,
      });
      const g = tx.group;
      return {
        backend: "node:sqlite",
        get isOpen() {
          return open;
        },
        get onWrite() {
          return onWrite;
        },
        set onWrite(hook) {
          onWrite = hook;
        },
        exec: (sql) => db.exec(sql),
        prepare<P extends unknown[], R>(sql: string): Statement<P, R> {
          const stmt = db.prepare(sql);
          // better-sqlite3 ignores object keys the SQL does not name; node:sqlite refuses them unless told otherwise
          // (before 22.15 it cannot be told: then only the names the SQL uses are passed on).
          const unknownNamesAllowed = typeof stmt.setAllowUnknownNamedParameters === "function";
          if (unknownNamesAllowed) stmt.setAllowUnknownNamedParameters!(true);
          const names = new Set([...sql.matchAll(NAMED)].map((m) => m[1]));
          const pick = (params: unknown[]) => {
            const [first] = params;
            if (params.length !== 1 || first === null || typeof first !== "object" || first instanceof Uint8Array) {
              // better-sqlite3 binds undefined as NULL; node:sqlite throws. Same answer on both drivers.
              return params.includes(undefined) ? params.map((v) => (v === undefined ? null : v)) : params;
            }
            return unknownNamesAllowed ? params : [Object.fromEntries(Object.entries(first).filter(([k]) => names.has(k)))];
          };
          return {
            run: (...p: P) => {
              if (onWrite && !g.open && tx.depth === 0) onWrite();
              return stmt.run(...pick(p));
            },
            get: (...p: P) => stmt.get(...pick(p)) as R | undefined,
            all: (...p: P) => stmt.all(...pick(p)) as R[],
          };
        },
        transaction: tx.transaction,
        atomic: tx.atomic,
        openGroup: () => g.openGroup(),
        get inGroup() {
          return g.open;
        },
        commitGroup: () => g.commitGroup(),
        pragma(source) {
          const row = db.prepare(`PRAGMA ${source}`).get() as Record<string, unknown> | undefined;
          return row ? Object.values(row)[0] : undefined;
        },
        close() {
          if (!open) return;
          open = false;
          db.close();
        },
      };
    },
  };
}

/** The statements transactions are made of, each run with no parameters, and the driver's write hook. */
interface TransactionStatements {
  begin(): void;
  commit(): void;
  rollback(): void;
  savepoint(): void;
  release(): void;
  rollbackTo(): void;
  onWrite(): (() => void) | undefined;
}

/**
 * Db.transaction() and atomic() over prepared statements, and the group they nest in: BEGIN … COMMIT when neither a
 * transaction nor a group is open, otherwise a savepoint (one name serves every depth: SQLite's RELEASE and ROLLBACK TO
 * take the innermost savepoint of that name). Both drivers share it; better-sqlite3's own db.transaction(fn) builds four
 * wrapper functions per call, ~5 µs, on every request that writes.
 */
function transactions(s: TransactionStatements) {
  let depth = 0;
  const group = groupControl({ begin: s.begin, commit: s.commit, rollback: s.rollback, depth: () => depth });
  const transaction = <T>(fn: () => T): T => {
    const onWrite = s.onWrite();
    if (onWrite && !group.open && depth === 0) onWrite();
    const outer = depth === 0 && !group.open;
    (outer ? s.begin : s.savepoint)();
    depth++;
    try {
      const result = fn();
      if (result && typeof (result as { then?: unknown }).then === "function") {
        throw new TypeError("a transaction function cannot return a promise (its awaits would run outside it)");
      }
      // Inside the try: a COMMIT that fails (SQLITE_BUSY) must not leave the transaction open.
      (outer ? s.commit : s.release)();
      return result;
    } catch (e) {
      try {
        if (outer) s.rollback();
        else {
          s.rollbackTo();
          s.release();
        }
      } catch {
        // SQLite already rolled back (e.g. after SQLITE_FULL): the original error is the one to report.
      }
      throw e;
    } finally {
      depth--;
    }
  };
  return {
    group,
    transaction,
    atomic: <T>(fn: () => T): T => (depth ? fn() : transaction(fn)),
    get depth() {
      return depth;
    },
  };
}

/**
 * A group (Db.openGroup) over a driver's BEGIN, COMMIT and ROLLBACK: never opened or committed inside a transaction(),
 * rolled back when its COMMIT fails (SQLite leaves a transaction open when a deferred constraint fails it).
 */
function groupControl(s: { begin(): void; commit(): void; rollback(): unknown; depth(): number }) {
  let open = false;
  return {
    get open() {
      return open;
    },
    openGroup() {
      if (open) return;
      if (s.depth()) throw new Error("a group cannot open inside a transaction");
      s.begin();
      open = true;
    },
    commitGroup() {
      if (!open) return;
      if (s.depth()) throw new Error("a group cannot commit inside a transaction");
      open = false;
      try {
        s.commit();
      } catch (e) {
        try {
          s.rollback();
        } catch {
          // already rolled back
        }
        throw e;
      }
    },
  };
}

// ---- better-sqlite3 ----

/** better-sqlite3, as found beside Stratus (or at STRATUS_BETTER_SQLITE3_PATH); a string says why not. */
export function loadBetterSqlite3(): typeof BetterSqlite3 | string {
  const require = createRequire(import.meta.url);
  let dir = process.env.STRATUS_BETTER_SQLITE3_PATH;
  try {
    dir ??= dirname(require.resolve("better-sqlite3/package.json"));
  } catch {
    return "better-sqlite3 is not installed";
  }
  let version: string;
  let main: string | undefined;
  try {
    ({ version, main } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string; main?: string });
  } catch {
    return `no better-sqlite3 package at ${dir}`;
  }
  // Checked before loading: 13.x crashes the process (segfault) on Node 20 rather than failing to load.
  if (nodeMajor() < 22 && Number(version.split(".")[0]) >= 13) {
    return `better-sqlite3 ${version} does not run on Node.js ${process.version} (13 and later need Node 22+)`;
  }
  try {
    // Run from dist/, bin/stratus.js loads the package's files itself, with its code cache (~3 ms of a cold start).
    const loadPackageFile = (globalThis as Record<symbol, unknown>)[Symbol.for("stratus.loadPackageFile")] as
      | ((file: string, tag: string) => unknown)
      | undefined;
    const Database = (
      loadPackageFile && main?.endsWith(".js") ? loadPackageFile(join(dir, main), `better-sqlite3@${version}`) : require(dir)
    ) as typeof BetterSqlite3;
    // The addon where better-sqlite3's build and its prebuilt binaries put it, loaded directly and handed to every
    // open: its own lookup (the `bindings` package) tries a dozen paths, each a failed require, costing cold start
    // ~4 ms. Anywhere else, better-sqlite3 finds it itself.
    const binding = join(dir, "build", "Release", "better_sqlite3.node");
    const nativeBinding = existsSync(binding) ? (require(binding) as object) : undefined;
    // Found by better-sqlite3 itself, the addon loads on the first open: an in-memory one proves it was built for
    // this Node. Loaded here, require() has already proved that (a mismatched build throws).
    if (!nativeBinding) new Database(":memory:").close();
    if (nativeBinding) nativeBindings.set(Database, nativeBinding);
    forWorkers.set(Database, { backend: "better-sqlite3", module: dir, nativeBinding: nativeBinding ? binding : undefined });
    return Database;
  } catch (e) {
    return `better-sqlite3 ${version} does not load: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ")}`;
  }
}

/** The addon loadBetterSqlite3 found for a better-sqlite3 it loaded. */
const nativeBindings = new WeakMap<typeof BetterSqlite3, object>();
/** Where loadBetterSqlite3 found a better-sqlite3 it loaded, for a worker thread to load it too. */
const forWorkers = new WeakMap<typeof BetterSqlite3, WorkerDriver>();

function betterDriver(Database: typeof BetterSqlite3): Driver {
  const nativeBinding = nativeBindings.get(Database);
  return {
    backend: "better-sqlite3",
    forWorker: forWorkers.get(Database) ?? { backend: "better-sqlite3", module: "better-sqlite3" },
    open(path) {
      const db = nativeBinding ? new Database(path, { nativeBinding } as unknown as BetterSqlite3.Options) : new Database(path);
      let onWrite: (() => void) | undefined;
      const statement = (sql: string) => {
        let st: BetterSqlite3.Statement | undefined;
        return () => void (st ??= db.prepare(sql)).run();
      };
      const tx = transactions({
        begin: statement("BEGIN"),
        commit: statement("COMMIT"),
        // SQLite may have rolled back already (after SQLITE_FULL, say).
        rollback: () => void (db.inTransaction && db.exec("ROLLBACK")),
        savepoint: statement("SAVEPOINT stratus"),
        release: statement("RELEASE stratus"),
        rollbackTo: statement("ROLLBACK TO stratus"),
        onWrite: () => onWrite,
      });
      const g = tx.group;
      return {
        backend: "better-sqlite3",
        get isOpen() {
          return db.open;
        },
        get onWrite() {
          return onWrite;
        },
        set onWrite(hook) {
          onWrite = hook;
        },
        exec: (sql) => void db.exec(sql),
        prepare: <P extends unknown[], R>(sql: string) => {
          const st = db.prepare(sql);
          if (st.reader) return st as unknown as Statement<P, R>;
          return {
            run: (...p: P) => {
              if (onWrite && !g.open && tx.depth === 0) onWrite();
              return st.run(...p);
            },
            get: (...p: P) => st.get(...p) as R | undefined,
            all: (...p: P) => st.all(...p) as R[],
          };
        },
        transaction: tx.transaction,
        atomic: tx.atomic,
        openGroup: () => g.openGroup(),
        get inGroup() {
          return g.open;
        },
        commitGroup: () => g.commitGroup(),
        pragma: (source) => db.pragma(source, { simple: true }),
        close: () => void (db.open && db.close()),
      };
    },
  };
}

// ---- choice ----

export interface Loaders {
  nodeSqlite(): NodeSqlite | undefined;
  betterSqlite3(): typeof BetterSqlite3 | string;
}

const nodeMajor = (version = process.versions.node) => Number(version.split(".")[0]);

/**
 * The driver to use, per STRATUS_SQLITE (`choice`) and what this Node has. Throws a SetupError (one line the CLI
 * prints as is) when none is usable.
 */
export function chooseDriver(
  choice = process.env.STRATUS_SQLITE || undefined,
  loaders: Loaders = { nodeSqlite: loadNodeSqlite, betterSqlite3: loadBetterSqlite3 },
  version = process.version,
): Driver {
  if (choice === "node" || choice === "node:sqlite") {
    const mod = loaders.nodeSqlite();
    if (!mod) throw new SetupError(`STRATUS_SQLITE=${choice}: Node.js ${version} has no built-in SQLite (node:sqlite needs Node 22.13+)`);
    return nodeDriver(mod);
  }
  if (choice === "better-sqlite3") {
    const lib = loaders.betterSqlite3();
    if (typeof lib === "string") throw new SetupError(`STRATUS_SQLITE=better-sqlite3: ${lib} (npm i -D better-sqlite3@12 beside Stratus)`);
    return betterDriver(lib);
  }
  if (choice !== undefined) throw new SetupError(`STRATUS_SQLITE must be node or better-sqlite3, not '${choice}'`);
  const mod = loaders.nodeSqlite();
  if (mod) return nodeDriver(mod);
  const lib = loaders.betterSqlite3();
  if (typeof lib !== "string") return betterDriver(lib);
  const why = lib === "better-sqlite3 is not installed" ? "" : ` (${lib})`;
  throw new SetupError(
    `Node.js ${version} has no built-in SQLite (node:sqlite needs Node 22.13+)${why}: install better-sqlite3 12 beside Stratus ` +
      "(npm i -D better-sqlite3@12 — it compiles from source where no prebuilt binary can be downloaded) or use Node 22.13 or newer",
  );
}

let chosen: Driver | undefined;

/** The driver for this process, chosen once. */
export function sqliteDriver(): Driver {
  return (chosen ??= chooseDriver());
}
