// Whether a data dir is in use: a lock the kernel holds for the serving process (released however it ends, kill -9
// included, even while its parent has not reaped it yet), and the pid file beside it that says who holds it.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sqliteDriver, type Db } from "../core/store/driver.js";

export const PID_FILE = "stratus.pid";
export const LOCK_FILE = "stratus.lock";

export interface DataDirLock {
  release(): void;
}

/**
 * Takes the data dir's lock: an exclusive transaction, never committed, on a small SQLite file of its own. SQLite
 * holds it as an OS file lock (fcntl), which the kernel drops the moment the process dies — unlike a pid check,
 * which sees a killed server's pid alive until its parent reaps it. Undefined when a live process holds the lock.
 */
export function lockDataDir(dataDir: string): DataDirLock | undefined {
  const db: Db = sqliteDriver().open(join(dataDir, LOCK_FILE));
  try {
    db.pragma("busy_timeout = 0");
    db.exec("BEGIN EXCLUSIVE");
  } catch (e) {
    db.close();
    if (/locked|busy/i.test(e instanceof Error ? e.message : String(e))) return undefined;
    throw e;
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}

/** Who holds the data dir's lock, from the pid file it wrote (what a "dir in use" message shows). */
export function lockHolder(dataDir: string): PidInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, PID_FILE), "utf8")) as PidInfo;
    return Number.isInteger(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export interface PidInfo {
  pid: number;
  host?: string;
  port?: number;
}

export function writePidFile(dataDir: string, info: Omit<PidInfo, "pid">): void {
  writeFileSync(join(dataDir, PID_FILE), JSON.stringify({ pid: process.pid, ...info }) + "\n");
}

/** Removes the pid file only if it is still ours. */
export function removePidFile(dataDir: string): void {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, PID_FILE), "utf8")) as PidInfo;
    if (info.pid === process.pid) rmSync(join(dataDir, PID_FILE), { force: true });
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}

export function describe(info: PidInfo | undefined): string {
  if (!info) return "its pid file is gone";
  return info.port ? `pid ${info.pid}, port ${info.port}` : `pid ${info.pid}`;
}
