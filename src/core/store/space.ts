// The database's space: pages freed by deletes (messages deleted, log events and audit events past retention, X-Ray's
// segments) given back to the file system in small steps, and what the data dir holds, by service.
//
// SQLite keeps freed pages on a freelist and reuses them, but never shrinks the file unless the database was created
// with auto_vacuum: in INCREMENTAL mode (set before the first table) `PRAGMA incremental_vacuum(N)` moves up to N pages
// from the file's end into free slots and truncates it, a bounded step that runs off the request path on the scheduler:
// 128 pages cost ~0.1 ms when the free pages are at the end, ~4 ms on average when live pages must move into holes
// (measured: 60,000 rows in two namespaces, every other row of one deleted and all of the other). A database made before this had no auto_vacuum; converting it takes one
// VACUUM (a rewrite of the file), done at open when the file is small and otherwise left with a note.
// https://www.sqlite.org/pragma.html#pragma_auto_vacuum, #pragma_incremental_vacuum, #pragma_journal_size_limit
import { readdir, stat } from "node:fs/promises";
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "./driver.js";

/**
 * The WAL file is cut back to this when a write starts it over after a checkpoint. Not less: cutting a file back
 * frees its blocks on disk, ~0.3 ms per MB here (30 ms for 100 MB, measured), on the serving thread; a WAL larger than
 * IDLE_WAL_BYTES is cut back to nothing by the checkpoint worker instead, once writes pause (checkpointer.ts).
 */
export const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** A WAL file larger than this, unchanged for IDLE_MS, is truncated by the checkpoint worker. */
export const IDLE_WAL_BYTES = 4 * 1024 * 1024;
/** A database without auto_vacuum up to this size is converted at open (one VACUUM: well under a second); larger ones
 * only with STRATUS_VACUUM_ON_START=1. */
export const CONVERT_AT_OPEN_MAX_BYTES = 64 * 1024 * 1024;
/** Pages moved per incremental step: bounded so one step never holds the event loop long. */
export const STEP_PAGES = 128;
/** Free pages kept for reuse (no step below this): a busy queue frees and takes pages all the time. */
export const KEEP_FREE_PAGES = 256;

/**
 * Sets the space pragmas on a freshly opened connection, before migrations: a new database (no table yet) is made
 * with incremental auto_vacuum; an existing one without it is converted when small. Returns a note for the log when
 * an existing database was converted or left as it is.
 */
export function prepareSpace(db: Db, file: string, convertMaxBytes = CONVERT_AT_OPEN_MAX_BYTES): string | undefined {
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  if (Number(db.pragma("auto_vacuum")) === 2) return undefined;
  const tables = Number(db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_schema").get()?.n ?? 0);
  const size = fileSize(file);
  // STRATUS_VACUUM_ON_START=1 converts whatever the size (a rewrite of the file: about a second per 100 MB).
  if (tables > 0 && size > convertMaxBytes && process.env.STRATUS_VACUUM_ON_START !== "1") {
    return (
      `the data dir's database (${mb(size)}) predates incremental vacuum: space freed in it is reused but not given back to ` +
      "the file system; start once with STRATUS_VACUUM_ON_START=1 to convert it (a rewrite of the file, about a second per 100 MB)"
    );
  }
  // Before the first table, the setting simply takes effect; after, at the VACUUM that rewrites the file.
  db.pragma("auto_vacuum = INCREMENTAL");
  if (tables === 0) return undefined;
  db.exec("VACUUM");
  return `converted the data dir's database (${mb(size)}) to incremental vacuum`;
}

export interface ReclaimResult {
  /** Pages given back by this call. */
  pages: number;
  /** Free pages left (above KEEP_FREE_PAGES: more steps to take). */
  free: number;
}

/** One bounded step: gives back up to STEP_PAGES free pages when more than KEEP_FREE_PAGES are free. */
export function reclaimStep(db: Db, keep = KEEP_FREE_PAGES): ReclaimResult {
  const free = Number(db.pragma("freelist_count"));
  if (free <= keep || Number(db.pragma("auto_vacuum")) !== 2) return { pages: 0, free };
  const n = Math.min(STEP_PAGES, free - keep);
  // exec, not a prepared statement's run(): each step of the statement frees one page, exec steps it to the end.
  db.exec(`PRAGMA incremental_vacuum(${n})`);
  const left = Number(db.pragma("freelist_count"));
  return { pages: free - left, free: left };
}

// ---- what the data dir holds ----

export interface SpaceUsage {
  /** Bytes on disk: the database, its WAL and everything else in the data dir (blobs, Lambda's unpacked code …). */
  files: { database: number; wal: number; other: number; total: number };
  /** The database's pages: in use and free (given back by the vacuum steps). */
  pages: { size: number; count: number; free: number; autoVacuum: "none" | "full" | "incremental" };
  /** Bytes of database pages by service (table and index pages; the records table split by namespace). */
  byService: Record<string, number>;
  /** The same, by what holds them: `records <ns>`, `audit events`, `log events`, … */
  byStore: Record<string, number>;
  /** Bytes of the data dir's files outside the database, by top-level directory (blobs, lambda, …). */
  directories: Record<string, number>;
  /** How the per-store figures were found ("dbstat", or why not). */
  method: string;
}

/** The typed stores' tables and indexes, by the service that writes them. */
const TYPED: Record<string, { store: string; service: string }> = {
  audit_events: { store: "audit events", service: "cloudtrail" },
  audit_events_by_time: { store: "audit events", service: "cloudtrail" },
  audit_events_swept: { store: "audit events", service: "cloudtrail" },
  audit_event_resources: { store: "audit events", service: "cloudtrail" },
  audit_event_resources_by_name: { store: "audit events", service: "cloudtrail" },
  audit_event_resources_by_seq: { store: "audit events", service: "cloudtrail" },
  log_event_ids: { store: "log events", service: "logs" },
  log_chunks: { store: "log events", service: "logs" },
  log_chunks_by_stream: { store: "log events", service: "logs" },
  log_chunks_by_stream_end: { store: "log events", service: "logs" },
  log_chunks_by_group: { store: "log events", service: "logs" },
  metric_ids: { store: "metrics", service: "cloudwatch" },
  sqlite_autoindex_metric_ids_1: { store: "metrics", service: "cloudwatch" },
  sqlite_schema: { store: "schema", service: "stratus" },
  sqlite_sequence: { store: "schema", service: "stratus" },
  metric_chunks: { store: "metrics", service: "cloudwatch" },
  metric_chunks_by_metric: { store: "metrics", service: "cloudwatch" },
  metric_chunks_by_age: { store: "metrics", service: "cloudwatch" },
  // Small blobs held as rows (blob-rows.ts): S3's objects and parts, Lambda's code; the larger ones are files, counted
  // under directories.blobs.
  blobs: { store: "blobs (inline)", service: "blobs" },
  sqlite_autoindex_blobs_1: { store: "blobs (inline)", service: "blobs" },
};

interface PageRow {
  name: string;
  path: string;
  pagetype: string;
  ncell: number;
  pgsize: number;
}

/**
 * What the data dir holds. The database's share per table comes from SQLite's dbstat (a walk of its pages, no value
 * read or parsed; ~1 ms per MB, one table at a time with the event loop turning between them); the records table's
 * pages are split by namespace from each namespace's row count, in key order, and the documents table's by namespace
 * in proportion to its rows. Directories are walked asynchronously.
 */
export async function spaceUsage(db: Db, dataDir: string): Promise<SpaceUsage> {
  const file = join(dataDir, "stratus.db");
  const pageSize = Number(db.pragma("page_size"));
  const pages = {
    size: pageSize,
    count: Number(db.pragma("page_count")),
    free: Number(db.pragma("freelist_count")),
    autoVacuum: (["none", "full", "incremental"] as const)[Number(db.pragma("auto_vacuum"))] ?? "none",
  };
  const byStore: Record<string, number> = {};
  const byService: Record<string, number> = {};
  const add = (store: string, service: string, bytes: number) => {
    if (bytes <= 0) return;
    byStore[store] = (byStore[store] ?? 0) + bytes;
    byService[service] = (byService[service] ?? 0) + bytes;
  };
  let method = "dbstat";
  const names = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE rootpage > 0")
    .all()
    .map((r) => r.name);
  const aggregate = db.prepare<[string], { bytes: number | null }>("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name = ? AND aggregate = TRUE");
  for (const name of ["sqlite_schema", ...names]) {
    // One b-tree at a time, the event loop turning between them: a walk costs ~1 ms per MB of pages.
    await new Promise((r) => setImmediate(r));
    if (!db.isOpen) break;
    let bytes: number;
    try {
      if (name === "records") {
        const pages = db.prepare<[], PageRow>("SELECT name, path, pagetype, ncell, pgsize FROM dbstat WHERE name = 'records'").all();
        const counts = db.prepare<[], { ns: string; n: number }>("SELECT ns, count(*) AS n FROM records GROUP BY ns ORDER BY ns").all();
        for (const [ns, b] of splitByKeyOrder(pages, counts)) add(`records ${ns}`, serviceOf(ns), b);
        continue;
      }
      bytes = Number(aggregate.get(name)?.bytes ?? 0);
    } catch (e) {
      method = `no per-table figures: this SQLite has no dbstat (${e instanceof Error ? e.message : String(e)})`;
      break;
    }
    if (name === "documents" || name === "documents_by_scope") {
      const counts = db.prepare<[], { ns: string; n: number }>("SELECT ns, count(*) AS n FROM documents GROUP BY ns").all();
      const all = counts.reduce((s, c) => s + c.n, 0);
      for (const c of counts) add(`documents ${c.ns}`, serviceOf(c.ns), Math.round((bytes * c.n) / all));
      if (!all) add("documents", "other", bytes);
      continue;
    }
    const typed = TYPED[name];
    if (typed) add(typed.store, typed.service, bytes);
    else add(name, "other", bytes);
  }
  const database = fileSize(file);
  const wal = fileSize(`${file}-wal`);
  const directories: Record<string, number> = {};
  let other = 0;
  for (const entry of await readdir(dataDir, { withFileTypes: true }).catch(() => [])) {
    if (entry.name.startsWith("stratus.db")) continue;
    const bytes = await treeSize(join(dataDir, entry.name));
    directories[entry.name] = bytes;
    other += bytes;
  }
  return { files: { database, wal, other, total: database + wal + other }, pages, byService, byStore, directories, method };
}

/**
 * The records table's page bytes by namespace. Its b-tree (WITHOUT ROWID, ordered by ns, scope, key) holds rows in
 * key order: in-order, an interior page's cell i sits between its children i and i+1. dbstat lists pages depth-first
 * with their paths (`/000/01a/` a child, `/000/01a005+000001` an overflow page of cell 5), from which each cell's
 * position in key order follows; the namespaces' row counts, in key order, then say which namespace each cell is.
 */
export function splitByKeyOrder(pages: readonly PageRow[], counts: readonly { ns: string; n: number }[]): Map<string, number> {
  interface Node {
    row: PageRow;
    children: Node[];
    overflow: Map<number, number>;
    cells: number;
  }
  const byPath = new Map<string, Node>();
  const roots: Node[] = [];
  const overflowRows: PageRow[] = [];
  for (const r of pages) {
    if (r.pagetype === "overflow") {
      overflowRows.push(r);
      continue;
    }
    const node: Node = { row: r, children: [], overflow: new Map(), cells: 0 };
    byPath.set(r.path, node);
    const parent = r.path === "/" ? undefined : byPath.get(r.path.slice(0, r.path.slice(0, -1).lastIndexOf("/") + 1));
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  for (const r of overflowRows) {
    const m = /^(.*\/)([0-9a-f]{3})\+[0-9a-f]+$/.exec(r.path);
    const node = m && byPath.get(m[1]);
    if (!node) continue;
    const cell = Number.parseInt(m[2], 16);
    node.overflow.set(cell, (node.overflow.get(cell) ?? 0) + r.pgsize);
  }
  // Cells per subtree, children first.
  const count = (n: Node): number => (n.cells = n.row.ncell + n.children.reduce((s, c) => s + count(c), 0));
  for (const r of roots) count(r);
  // Namespace boundaries in key order: cell ordinal → namespace.
  const ends: number[] = [];
  let acc = 0;
  for (const c of counts) ends.push((acc += c.n));
  const nsAt = (ordinal: number): string => {
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] > ordinal) hi = mid;
      else lo = mid + 1;
    }
    return counts[lo]?.ns ?? "?";
  };
  const out = new Map<string, number>();
  const put = (ns: string, bytes: number) => out.set(ns, (out.get(ns) ?? 0) + bytes);
  // Each page's bytes go to its cells' namespaces, shared per cell; an overflow page to its own cell's.
  const walk = (n: Node, first: number) => {
    const ordinals: number[] = [];
    if (!n.children.length) for (let i = 0; i < n.row.ncell; i++) ordinals.push(first + i);
    else {
      let at = first;
      n.children.forEach((child, i) => {
        walk(child, at);
        at += child.cells;
        if (i < n.row.ncell) ordinals.push(at++);
      });
    }
    if (!ordinals.length) put(nsAt(first), n.row.pgsize);
    for (const o of ordinals) put(nsAt(o), n.row.pgsize / ordinals.length);
    for (const [cell, bytes] of n.overflow) put(nsAt(ordinals[cell] ?? first), bytes);
  };
  let at = 0;
  for (const r of roots) {
    walk(r, at);
    at += r.cells;
  }
  for (const [ns, bytes] of out) out.set(ns, Math.round(bytes));
  return out;
}

/** `sqs:messages` → sqs. */
const serviceOf = (ns: string) => ns.split(":")[0] || "other";

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function treeSize(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return 0;
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const e of await readdir(path).catch(() => [])) total += await treeSize(join(path, e));
  return total;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
