// `stratus start`: options from flags and STRATUS_* env (flags win), a short banner, graceful stop on SIGINT/SIGTERM.
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { flagOrEnv, oneOf, parseFlags, parsePort, switchOrEnv, CliError } from "./args.js";
import { describe, lockDataDir, lockHolder, removePidFile, writePidFile, type DataDirLock } from "./lock.js";
import { SetupError } from "../core/errors.js";
import { DURABILITY_MODES, makeDir, type Durability } from "../core/store/durability.js";
import type { LogLevel } from "../core/log.js";
import type { RunningServer } from "../server.js";
import { VERSION } from "../version.js";

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];
const AUTH_MODES = ["none", "sigv4"] as const;
/** How long a stop waits for in-flight requests before dropping the connections. */
const DRAIN_MS = 10_000;

export async function start(argv: readonly string[]): Promise<void> {
  const p = parseFlags("start", argv, { values: ["host", "port", "data-dir", "auth", "log-level", "xray-daemon-port", "durability"], switches: ["ephemeral"] });
  const host = flagOrEnv(p, "host", "STRATUS_HOST")?.value ?? "127.0.0.1";
  const portArg = flagOrEnv(p, "port", "STRATUS_PORT");
  const port = portArg ? parsePort(portArg.what, portArg.value) : 4566;
  const authArg = flagOrEnv(p, "auth", "STRATUS_AUTH");
  const auth = authArg ? oneOf(authArg.what, authArg.value, AUTH_MODES) : "none";
  const daemonArg = flagOrEnv(p, "xray-daemon-port", "STRATUS_XRAY_DAEMON_PORT");
  const xrayDaemonPort = daemonArg ? parsePort(daemonArg.what, daemonArg.value) : 2000;
  const durabilityArg = flagOrEnv(p, "durability", "STRATUS_DURABILITY");
  const durability = durabilityArg ? oneOf(durabilityArg.what, durabilityArg.value, DURABILITY_MODES) : "process";
  const levelArg = flagOrEnv(p, "log-level", "STRATUS_LOG_LEVEL");
  const logLevel = levelArg ? oneOf(levelArg.what, levelArg.value, LEVELS) : "info";
  const dirArg = flagOrEnv(p, "data-dir", "STRATUS_DATA_DIR");
  // --ephemeral and a data dir exclude each other; a flag still beats the environment, so only a tie is an error.
  const ephemeralFlag = p.switches.get("ephemeral");
  let ephemeral = switchOrEnv(p, "ephemeral", "STRATUS_EPHEMERAL");
  if (ephemeral && dirArg) {
    const dirFromFlag = dirArg.what.startsWith("--");
    if (dirFromFlag === (ephemeralFlag !== undefined)) {
      throw new CliError(dirFromFlag ? "--ephemeral and --data-dir exclude each other" : "STRATUS_EPHEMERAL and STRATUS_DATA_DIR exclude each other");
    }
    ephemeral = ephemeralFlag !== undefined;
  }
  const keyId = process.env.STRATUS_ROOT_ACCESS_KEY_ID || undefined;
  const secret = process.env.STRATUS_ROOT_SECRET_ACCESS_KEY || undefined;
  if (!keyId !== !secret) throw new CliError("set both STRATUS_ROOT_ACCESS_KEY_ID and STRATUS_ROOT_SECRET_ACCESS_KEY, or neither");

  // The CLI owns the ephemeral dir so that it is removed on every exit path, a failed listen included.
  let dataDir: string;
  let lock: DataDirLock | undefined;
  if (ephemeral) {
    dataDir = mkdtempSync(join(tmpdir(), "stratus-"));
  } else {
    dataDir = resolve(dirArg?.value ?? ".stratus");
    lock = prepareDataDir(dataDir, durability);
  }
  const cleanup = () => {
    if (ephemeral) return rmSync(dataDir, { recursive: true, force: true });
    removePidFile(dataDir);
    lock?.release();
  };

  // Signal handlers go in before anything can be observed (the banner), so a stop that follows it is never lost;
  // one that arrives while starting is held until the server is up, then honoured.
  let s: RunningServer | undefined;
  let stopping = false;
  let pending: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (!s) {
      pending = signal;
      return;
    }
    if (stopping) {
      // A second signal means the user does not want to wait; every acknowledged write is already committed.
      cleanup();
      process.exit(130);
    }
    stopping = true;
    const running = s;
    running.runtime.logger.info(`${signal}: finishing in-flight requests, then stopping`);
    const force = setTimeout(() => running.server.closeAllConnections(), DRAIN_MS);
    force.unref();
    running.close().then(
      () => {
        cleanup();
        process.exit(0);
      },
      (e: unknown) => {
        process.stderr.write(`stratus: error while stopping: ${e instanceof Error ? e.message : String(e)}\n`);
        cleanup();
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const { startServer } = await import("../server.js");
  try {
    s = await startServer({
      host,
      port,
      dataDir,
      ephemeral: false,
      auth,
      logLevel,
      durability,
      onListening: ephemeral ? undefined : (where) => writePidFile(dataDir, where),
      // 0 turns the daemon off here (a server started in-process takes 0 as "any free port").
      ...(xrayDaemonPort ? { xrayDaemonPort } : {}),
      ...(keyId && secret ? { rootCredentials: [{ accessKeyId: keyId, secretAccessKey: secret }] } : {}),
    });
  } catch (e) {
    cleanup();
    throw new CliError(startFailure(e, host, port, dataDir));
  }
  // A short banner on stdout (none with --log-level silent): where it listens, where state goes, the line to paste.
  if (logLevel !== "silent") {
    process.stdout.write(
      `Stratus ${VERSION} listening on ${s.url} (data: ${dataDir}${ephemeral ? ", ephemeral" : ""}, auth: ${auth}, durability: ${durability})\n` +
        `Point AWS SDKs and the AWS CLI at it (Ctrl-C stops the server):\n` +
        `export AWS_ENDPOINT_URL=${clientUrl(s.host, s.port)}\n`,
    );
  }
  if (pending) stop(pending);
}

/** The URL a client on this machine uses: a wildcard listen address is not one to connect to. */
function clientUrl(host: string, port: number): string {
  if (host === "0.0.0.0" || host === "") return `http://127.0.0.1:${port}`;
  if (host === "::" || host === "[::]") return `http://[::1]:${port}`;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Creates the data dir and takes its lock (held until this process ends); refuses one that is unwritable or
 * served by a live Stratus.
 */
function prepareDataDir(dataDir: string, durability: Durability): DataDirLock {
  try {
    makeDir(dataDir, durability);
    // Writable, before SQLite tries (one access(2): a test file written and removed cost cold start a few ms here).
    accessSync(dataDir, constants.W_OK);
  } catch (e) {
    throw new CliError(`cannot use data dir ${dataDir}: ${reason(e)}`);
  }
  let lock: DataDirLock | undefined;
  try {
    lock = lockDataDir(dataDir);
  } catch (e) {
    if (e instanceof SetupError) throw e;
    throw new CliError(`cannot use data dir ${dataDir}: ${reason(e)}`);
  }
  if (!lock) throw new CliError(`data dir ${dataDir} is in use by another Stratus (${describe(lockHolder(dataDir))})`);
  writePidFile(dataDir, {});
  return lock;
}

function startFailure(e: unknown, host: string, port: number, dataDir: string): string {
  // Already worded for the user (no usable SQLite driver).
  if (e instanceof SetupError) return e.message;
  const code = (e as NodeJS.ErrnoException).code;
  const where = host === "127.0.0.1" || host === "localhost" ? `port ${port}` : `${host}:${port}`;
  if (code === "EADDRINUSE") return `${where} is already in use`;
  if (code === "EACCES" && (e as NodeJS.ErrnoException).syscall === "listen") return `no permission to listen on ${where}`;
  if (code === "EADDRNOTAVAIL") return `cannot listen on ${host}: no such local address`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `cannot resolve host '${host}'`;
  return `cannot start with data dir ${dataDir}: ${reason(e)}`;
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOTDIR":
    case "EEXIST":
      return "a file is in the way (not a directory)";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on device";
  }
  return err instanceof Error ? err.message.split("\n")[0] : String(e);
}
