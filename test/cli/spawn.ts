// Runs the built `stratus` CLI (bin/stratus.js → dist/) as a child process, for the CLI and persistence tests.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/stratus.js", import.meta.url));

/** Every server child still running, so a failed assertion never leaves one behind (or keeps the test file alive). */
const live = new Set<ChildProcess>();

/** Kills every server child this file started; call from the test file's after(). */
export function killAll(): void {
  for (const c of live) c.kill("SIGKILL");
  live.clear();
}
process.on("exit", killAll);

/** Env without any STRATUS_* a developer may have set, so tests see only what they pass. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("STRATUS_")) env[k] = v;
  return { ...env, ...extra };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by timeoutMs) with stdin not a TTY. */
export function run(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<Finished> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(opts.env), cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin!.end();
  return finish(child, opts.timeoutMs ?? 10_000);
}

function finish(child: ChildProcess, timeoutMs: number): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c));
  child.stderr!.on("data", (c: Buffer) => (stderr += c));
  return new Promise((ok, fail) => {
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`stratus ${child.spawnargs.slice(2).join(" ")} did not finish in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(t);
      ok({ code, signal, stdout, stderr });
    });
  });
}

export interface Started {
  child: ChildProcess;
  url: string;
  port: number;
  dataDir: string;
  banner: string;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Finished>;
}

/** Starts `stratus start …` (under Node with `nodeArgs`) and resolves once the banner line is out (the server is then listening). */
export function startCli(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, "start", ...args], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  live.add(child);
  child.on("exit", () => live.delete(child));
  const done = finish(child, 60_000);
  child.stdout!.on("data", (c: Buffer) => (stdout += c));
  child.stderr!.on("data", (c: Buffer) => (stderr += c));
  return new Promise((ok, fail) => {
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`no banner within 10 s; stderr: ${stderr}`));
    }, 10_000);
    const onData = () => {
      const m = /^Stratus \S+ listening on (http:\/\/[^ ]+:(\d+)) \(data: ([^,]+),/m.exec(stdout);
      if (!m) return;
      clearTimeout(t);
      child.stdout!.off("data", onData);
      ok({
        child,
        url: m[1],
        port: Number(m[2]),
        dataDir: m[3],
        banner: stdout.split("\n")[0],
        output: () => ({ stdout, stderr }),
        stop: (signal = "SIGTERM") => {
          child.kill(signal);
          return done;
        },
      });
    };
    child.stdout!.on("data", onData);
    void done.then((f) => {
      clearTimeout(t);
      fail(new Error(`stratus exited (${f.code ?? f.signal}) before its banner; stderr: ${f.stderr}`));
    });
  });
}

/** A port nothing listens on right now (the kernel's pick, released again). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** An SDK client's config for a server started with startCli, as an account's root (no retries: a test sees each answer). */
export const cliClientConfig = (endpoint: string, accessKeyId: string) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId, secretAccessKey: "test" },
  maxAttempts: 1,
});
