// How durable an acknowledged write is (`stratus start --durability`, STRATUS_DURABILITY):
// - "process": survives the process dying (kill -9, a crash, OOM): SQLite in WAL mode with synchronous=NORMAL,
//   object bodies written to the page cache and renamed into place, no fsync on the request path. An OS crash or a
//   power cut loses what the kernel had not yet written back (SQLite: everything since the last checkpoint).
// - "power": also survives an OS crash or power loss: synchronous=FULL (the WAL is fsync'd at every commit), each
//   object body fsync'd before it is renamed into place and its directory fsync'd after, new directories and the
//   database's first copy fsync'd too. Measured by test/persistence/power-loss.test.ts; priced by
//   `npm run bench -- --only-durability`.
import { closeSync, fsyncSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { open } from "node:fs/promises";

export const DURABILITY_MODES = ["process", "power"] as const;
export type Durability = (typeof DURABILITY_MODES)[number];

/** fsync(2) of a file or directory by path: a directory's fsync makes its entries (creates, renames, unlinks) durable. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncPath off the event loop (libuv's thread pool): other requests run meanwhile. */
export async function fsyncPathAsync(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * mkdir -p. With "power", each directory it made is fsync'd into its parent: a new entry is durable only once its
 * directory is synced, and SQLite syncs the data dir's entries but never the data dir's own in its parent.
 */
export function makeDir(path: string, durability: Durability): void {
  const first = mkdirSync(path, { recursive: true });
  if (!first || durability !== "power") return;
  for (let d = path; dirname(d) !== d; d = dirname(d)) {
    fsyncPath(dirname(d));
    if (d === first) break;
  }
}
