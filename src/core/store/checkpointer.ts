// WAL checkpoints off the event loop.
//
// SQLite copies the WAL's pages back into the database file at a checkpoint, which fsyncs the WAL and then the
// database: ~7 µs per 4 KiB page each on this kind of disk (1,000 pages: ~7 ms per fsync, measured). Run by the
// serving connection itself (wal_autocheckpoint, after the COMMIT that passes 1,000 pages), that blocked the event loop
// 5–20 ms every few hundred writes: under 64 connections of SendMessage it was what made p99 20–45 ms, and in a
// loop of small transactions it held the thread ~55 µs per transaction (more than the transaction's own work).
//
// Here a worker thread does them. The serving connection (sqlite.ts) has autocheckpoint off and holds the database in
// locking_mode EXCLUSIVE, which spares each statement its shared-memory locks (~15 µs per transaction). A cycle:
//  1. the serving connection turns to locking_mode NORMAL and reads once, which lets go of its exclusive file lock
//     (its WAL index lives in the shared -shm file: it entered WAL mode unlocked, so another connection can use it);
//  2. the worker opens its own connection, checkpoints (PASSIVE: never waits for a writer, never blocks one) until
//     what was written meanwhile is little, and closes it (a connection in WAL mode holds a shared lock while open);
//  3. once the WAL holds 16 MB, the serving connection checkpoints the little that was committed since (3–9 ms under
//     load), so that the next write starts the WAL over from its beginning instead of growing it; it takes its
//     exclusive lock back.
// Requests run meanwhile: writes go on appending to the WAL while the worker copies what came before.
//
// A cycle starts when the WAL file has changed since the last one, at most every CYCLE_MS. Where no worker can do it
// (its start failed, or its connection was refused), the serving connection checkpoints itself again as SQLite does
// by default (wal_autocheckpoint = 1000), and the reason is logged once.
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { Db, WorkerDriver } from "./driver.js";
import { IDLE_WAL_BYTES } from "./space.js";

/** The least time between two cycles' starts. */
const CYCLE_MS = 200;
/** Unchanged this long, a WAL larger than IDLE_WAL_BYTES is truncated. */
const IDLE_MS = 1000;
/** A worker round that finds fewer new frames than this ends the worker's part of the cycle. */
const SETTLED_FRAMES = 256;
const MAX_ROUNDS = 4;
/**
 * The serving connection catches up (so that the next write starts the WAL over) only once the WAL holds this many
 * frames (16 MB of 4 KiB pages; the file stays that large while writes go on, and is truncated once they pause): its
 * few pages still cost two fsyncs, 3–9 ms at 64 connections of PutLogEvents, too much to pay every cycle; between
 * catch-ups the worker's rounds keep what is left to copy small.
 */
const CATCH_UP_FRAMES = 4096;
/** The longest close() waits for a cycle under way: the worker's busy timeout (2 s) and its checkpoint rounds. */
const STOP_WAIT_MS = 5000;

export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database file (PRAGMA wal_checkpoint's log, checkpointed). */
  log: number;
  checkpointed: number;
  /** Checkpoint rounds the worker ran. */
  rounds: number;
}

// The worker: plain JavaScript (CommonJS), given as source so that it needs no file of its own in the bundle.
const WORKER_SOURCE = `
const { parentPort, workerData: w } = require("node:worker_threads");
let open;
if (w.driver.backend === "node:sqlite") {
  const emit = process.emitWarning;
  process.emitWarning = function (warning, ...rest) {
    if (/^SQLite is an experimental feature/.test(typeof warning === "string" ? warning : String(warning && warning.message))) return;
    return emit.call(process, warning, ...rest);
  };
  const { DatabaseSync } = process.getBuiltinModule("node:sqlite");
  process.emitWarning = emit;
  open = (file) => {
    const db = new DatabaseSync(file);
    return { exec: (sql) => db.exec(sql), get: (sql) => db.prepare(sql).get(), close: () => db.close() };
  };
} else {
  const Database = require(w.driver.module);
  open = (file) => {
    const db = w.driver.nativeBinding ? new Database(file, { nativeBinding: w.driver.nativeBinding }) : new Database(file);
    return { exec: (sql) => db.exec(sql), get: (sql) => db.prepare(sql).get(), close: () => db.close() };
  };
}
parentPort.on("message", () => {
  let db;
  try {
    db = open(w.file);
    db.exec("PRAGMA busy_timeout = 2000; PRAGMA synchronous = " + w.synchronous);
    let r = db.get("PRAGMA wal_checkpoint(PASSIVE)");
    let rounds = 1;
    for (;;) {
      if (r.busy || rounds >= ${MAX_ROUNDS}) break;
      const next = db.get("PRAGMA wal_checkpoint(PASSIVE)");
      rounds++;
      const fresh = next.log - r.log;
      r = next;
      if (fresh >= 0 && fresh < ${SETTLED_FRAMES}) break;
    }
    parentPort.postMessage({ log: Number(r.log), checkpointed: Number(r.checkpointed), busy: Number(r.busy), rounds });
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  } finally {
    try { if (db) db.close(); } catch {}
    Atomics.store(w.busy, 0, 0);
    Atomics.notify(w.busy, 0);
  }
});
`;

interface Reply {
  log?: number;
  checkpointed?: number;
  busy?: number;
  rounds?: number;
  error?: string;
}

export class Checkpointer {
  private worker: Worker | undefined;
  /** 1 while the worker runs a cycle (set here before the message, cleared by the worker when it is done). */
  private readonly busy = new Int32Array(new SharedArrayBuffer(4));
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<CheckpointResult | undefined> | undefined;
  private settle: ((r: Reply) => void) | undefined;
  /** The WAL file's size and mtime at the end of the last cycle ("" before one), and when a change was last seen. */
  private lastStamp = "";
  private changedAt = 0;
  private failed = false;
  private closed = false;
  private readonly release;
  private readonly catchUp;
  /** Cycles completed, for tests and status. */
  cycles = 0;

  constructor(
    private readonly db: Db,
    private readonly file: string,
    private readonly driver: WorkerDriver,
    private readonly synchronous: "NORMAL" | "FULL",
    private readonly onFailure: (why: string) => void = () => {},
    /** Commits what this connection has open (the store's group commit, sqlite.ts): a checkpoint cannot run inside. */
    private readonly settleWrites: () => void = () => {},
  ) {
    this.release = db.prepare("SELECT 1 FROM sqlite_schema LIMIT 1");
    this.catchUp = db.prepare<[], { log: number; checkpointed: number }>("PRAGMA wal_checkpoint(PASSIVE)");
    db.pragma("wal_autocheckpoint = 0");
    this.exclusive();
    this.timer = setInterval(() => this.tick(), CYCLE_MS);
    this.timer.unref();
  }

  /** Whether checkpoints run in the worker (false once it failed: SQLite's own autocheckpoint then). */
  get active(): boolean {
    return !this.failed && !this.closed;
  }

  private exclusive(): void {
    this.db.pragma("locking_mode = EXCLUSIVE");
    // Taken at the next access; taken now, the lock is held from here on, as at open.
    this.release.get();
  }

  private tick(): void {
    if (this.inFlight || !this.active) return;
    const wal = this.wal();
    if (!wal) return;
    if (wal.stamp !== this.lastStamp) {
      this.changedAt = Date.now();
      this.cycle().catch((e) => this.fail(`a checkpoint cycle failed: ${e instanceof Error ? e.message : String(e)}`));
    } else if (wal.size > IDLE_WAL_BYTES && Date.now() - this.changedAt >= IDLE_MS && this.db.isOpen) {
      // Writes have paused and the last cycle copied the WAL: cutting the file back (~0.3 ms per MB freed) here, while
      // idle, rather than at the next write. The worker would have to wait for this connection to let go of the WAL.
      try {
        this.settleWrites();
        this.db.pragma("wal_checkpoint(TRUNCATE)");
      } catch {
        // Not now: the next idle tick tries again.
      }
      this.lastStamp = this.wal()?.stamp ?? "";
    }
  }

  private wal(): { size: number; stamp: string } | undefined {
    try {
      const st = statSync(`${this.file}-wal`);
      return { size: st.size, stamp: `${st.size}/${st.mtimeMs}` };
    } catch {
      return undefined;
    }
  }

  /** Runs one checkpoint cycle (or joins the one under way); undefined when no worker can. */
  cycle(): Promise<CheckpointResult | undefined> {
    if (this.inFlight) return this.inFlight;
    if (!this.active) return Promise.resolve(undefined);
    const run = async (): Promise<CheckpointResult | undefined> => {
      const worker = this.start();
      if (!worker) return undefined;
      const reply = new Promise<Reply>((resolve) => {
        this.settle = resolve;
      });
      this.db.pragma("locking_mode = NORMAL");
      this.release.get();
      Atomics.store(this.busy, 0, 1);
      worker.postMessage(0);
      const r = await reply;
      this.settle = undefined;
      if (this.closed || !this.db.isOpen) return undefined;
      try {
        if (r.error !== undefined) {
          // Busy: this connection still held the database (the next cycle tries again). Anything else: no worker.
          if (!/busy|locked/i.test(r.error)) this.fail(`the checkpoint worker could not checkpoint: ${r.error}`);
          return undefined;
        }
        // What was committed while the worker ran: little, but copying it still costs two fsyncs here. Left to the next
        // cycle while the WAL is small (a write starts the WAL over by itself when the worker copied all of it).
        let own: { log: number; checkpointed: number } | undefined;
        if ((r.log ?? 0) >= CATCH_UP_FRAMES) {
          try {
            this.settleWrites();
            own = this.catchUp.get();
          } catch {
            // Not now (a statement of this connection's under way): the next cycle copies these pages.
          }
        }
        this.cycles++;
        return { log: Number(own?.log ?? r.log), checkpointed: Number(own?.checkpointed ?? r.checkpointed), rounds: r.rounds ?? 0 };
      } finally {
        if (this.db.isOpen) {
          if (this.active) this.exclusive();
          this.lastStamp = this.wal()?.stamp ?? "";
        }
      }
    };
    this.inFlight = run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { file: this.file, driver: this.driver, synchronous: this.synchronous, busy: this.busy },
        // Its output is ours; it needs no stdin.
        stdout: false,
        stderr: false,
      });
      worker.unref();
      worker.on("message", (r: Reply) => this.settle?.(r));
      worker.on("error", (e) => {
        // It died: no cycle to wait for (stopWorker).
        Atomics.store(this.busy, 0, 0);
        this.settle?.({ error: e.message });
        this.fail(`the checkpoint worker stopped: ${e.message}`);
      });
      worker.on("exit", () => {
        Atomics.store(this.busy, 0, 0);
        this.settle?.({ error: "the worker exited" });
        this.worker = undefined;
      });
      this.worker = worker;
      return worker;
    } catch (e) {
      this.fail(`the checkpoint worker did not start: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private fail(why: string): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.onFailure(`${why}; checkpoints run on the serving thread again`);
    if (this.db.isOpen) {
      this.db.pragma("wal_autocheckpoint = 1000");
      this.exclusive();
    }
    this.stopWorker();
  }

  /**
   * Stops the timer and the worker. A cycle under way is waited for first, synchronously (it holds no lock this
   * connection needs, so it ends within its checkpoint rounds, or its busy timeout): its checkpoint is then whole.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.stopWorker();
    this.settle?.({ error: "closed" });
  }

  /**
   * Terminates the worker once it is between cycles. Terminated inside a SQLite call that then fails (the database
   * closing under it: SQLITE_BUSY, a file gone), better-sqlite3 throws into an isolate being torn down and V8 aborts
   * the whole process ("FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal", seen once in CI as a server stopped).
   */
  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    if (Atomics.load(this.busy, 0) === 1) Atomics.wait(this.busy, 0, 1, STOP_WAIT_MS);
    void worker.terminate();
  }
}
