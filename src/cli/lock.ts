// The pid file `start` writes into its data dir, so `reset` and a second `start` can tell the dir is in use.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const PID_FILE = "stratus.pid";

export interface PidInfo {
  pid: number;
  host?: string;
  port?: number;
}

/** The server recorded in dataDir if its process is still alive (a kill -9 leaves a stale file, which is ignored). */
export function runningServer(dataDir: string): PidInfo | undefined {
  let info: PidInfo;
  try {
    info = JSON.parse(readFileSync(join(dataDir, PID_FILE), "utf8")) as PidInfo;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(info.pid) || info.pid === process.pid) return undefined;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (e as NodeJS.ErrnoException).code === "EPERM" ? info : undefined;
  }
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

export function describe(info: PidInfo): string {
  return info.port ? `pid ${info.pid}, port ${info.port}` : `pid ${info.pid}`;
}
