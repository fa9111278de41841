// `stratus reset`: wipes a data dir, after confirmation on a terminal or with --yes; never one a live server uses.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { CliError, flagOrEnv, parseFlags } from "./args.js";
import { describe, LOCK_FILE, lockDataDir, lockHolder, PID_FILE } from "./lock.js";

/** Files that mark a directory as a Stratus data dir; anything else is refused, so a typo cannot wipe a home dir. */
const MARKERS = ["stratus.db", PID_FILE, LOCK_FILE];

export async function reset(argv: readonly string[]): Promise<void> {
  const p = parseFlags("reset", argv, { values: ["data-dir"], switches: ["yes"], aliases: { y: "yes" } });
  const dataDir = resolve(flagOrEnv(p, "data-dir", "STRATUS_DATA_DIR")?.value ?? ".stratus");
  if (!existsSync(dataDir)) {
    process.stdout.write(`Nothing to reset: ${dataDir} does not exist\n`);
    return;
  }
  if (!statSync(dataDir).isDirectory()) throw new CliError(`${dataDir} is not a directory`);
  const entries = readdirSync(dataDir);
  if (entries.length > 0 && !MARKERS.some((m) => entries.includes(m))) {
    throw new CliError(`${dataDir} does not look like a Stratus data dir (no stratus.db); not touching it`);
  }
  // Held while asking and wiping, so no server starts on the dir in between.
  const lock = lockDataDir(dataDir);
  if (!lock) throw new CliError(`a Stratus server is running on ${dataDir} (${describe(lockHolder(dataDir))}); stop it first`);
  try {
    if (!p.switches.get("yes")) {
      if (!process.stdin.isTTY) throw new CliError(`refusing to wipe ${dataDir} without --yes (stdin is not a terminal)`);
      if (!(await confirm(`Delete all Stratus data in ${dataDir}? [y/N] `))) throw new CliError("reset cancelled");
    }
    rmSync(dataDir, { recursive: true, force: true });
  } finally {
    lock.release();
  }
  process.stdout.write(`Reset: removed ${dataDir}\n`);
}

function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((ok) => {
    rl.question(question, (answer) => {
      // Settle before close(): its 'close' event would otherwise answer "no" first.
      ok(/^y(es)?$/i.test(answer.trim()));
      rl.close();
    });
    // End of input (Ctrl-D) without an answer means no.
    rl.on("close", () => ok(false));
  });
}
