// The AWS CLIs on this machine (v1 from pip/pyenv on PATH, v2 from Debian's awscli in /usr/bin), and a way
// to run one against a test server without blocking it (the server runs in the test's own process).
//
// Each `aws` process spends most of its time (0.5-1 s) starting Python and importing the CLI. So a test file runs
// its command lines through one long-lived interpreter per CLI (aws_cli_batch.py): the same awscli package, the
// interpreter from the `aws` script's own #! line, its entry point called with the command line, a fresh
// os.environ and captured stdout/stderr for each call. Where that interpreter cannot be found or its awscli is not
// the version `aws --version` reports, or with STRATUS_TEST_AWS_SPAWN=1, each call spawns `aws` as before.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Writable } from "node:stream";

export interface AwsCli {
  /** e.g. "aws-cli/1.45.11" */
  label: string;
  path: string;
}

function versionOf(path: string): string | undefined {
  // `aws --version` costs a Python start-up (about a second per CLI and test file): its answer is kept in a temp
  // file, for as long as the script it ran is the same file (a reinstall or upgrade rewrites it).
  const script = scriptOf(path);
  const stamp = script && (({ mtimeMs, size, ino }) => `${script}:${mtimeMs}:${size}:${ino}`)(statSync(script));
  const cache = join(tmpdir(), `stratus-test-aws-version-${createHash("sha256").update(`${path}\0${stamp}`).digest("hex").slice(0, 16)}`);
  if (stamp && existsSync(cache)) return readFileSync(cache, "utf8");
  const r = spawnSync(path, ["--version"], { encoding: "utf8" });
  const label = r.status === 0 ? /aws-cli\/[\d.]+/.exec(`${r.stdout} ${r.stderr}`)?.[0] : undefined;
  if (stamp && label) {
    // Written whole under another name, then renamed: a test file starting meanwhile never reads half of it.
    const part = `${cache}.${process.pid}`;
    writeFileSync(part, label);
    renameSync(part, cache);
  }
  return label;
}

let found: AwsCli[] | undefined;

/**
 * The Python clients (the AWS CLI and boto3) drive the same protocol code the SDK v3 tests drive, whatever Node runs
 * the server: CI's second Node leaves them to the first (STRATUS_TEST_PYTHON_CLIENTS=0), as their scenarios are a
 * third of its run.
 */
export const pythonClientsOff = (): boolean => process.env.STRATUS_TEST_PYTHON_CLIENTS === "0";

/** Every distinct AWS CLI installed: each conformance scenario runs once per CLI major version. */
export function awsClis(): AwsCli[] {
  if (found) return found;
  found = [];
  if (pythonClientsOff()) return found;
  for (const path of ["aws", "/usr/bin/aws"]) {
    if (path.startsWith("/") && !existsSync(path)) continue;
    const label = versionOf(path);
    if (label && !found.some((c) => c.label.split(".")[0] === label.split(".")[0])) found.push({ label, path });
  }
  return found;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment an `aws` call runs with: only these variables, and the given credentials. */
function cliEnv(creds: Record<string, string>): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_PAGER: "",
    ...creds,
  };
  return Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => kv[1] !== undefined));
}

/** Runs `aws --endpoint-url <url> --region us-east-1 --output json …` with only the given credentials. */
export function runAws(cli: AwsCli, endpoint: string, args: string[], creds: Record<string, string>): Promise<CliResult> {
  const argv = ["--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json", ...args];
  const env = cliEnv(creds);
  const batch = batchFor(cli);
  return batch ? batch.run(argv, env) : spawnAws(cli, argv, env);
}

/** runAws with a process of its own, always (the batch runner's test compares the two). */
export function runAwsProcess(cli: AwsCli, endpoint: string, args: string[], creds: Record<string, string>): Promise<CliResult> {
  return spawnAws(cli, ["--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json", ...args], cliEnv(creds));
}

function spawnAws(cli: AwsCli, argv: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(cli.path, argv, { env });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The script file an `aws` command runs: its path on PATH, through a pyenv shim to the real one. */
function scriptOf(path: string): string | undefined {
  const full = path.includes("/")
    ? path
    : (process.env.PATH ?? "")
        .split(delimiter)
        .map((d) => join(d, path))
        .find((p) => {
          try {
            accessSync(p, constants.X_OK);
            return true;
          } catch {
            return false;
          }
        });
  if (!full) return undefined;
  const head = headOf(full);
  if (/^#!.*python/.test(head)) return full;
  if (head.includes("pyenv")) {
    const r = spawnSync("pyenv", ["which", path.split("/").pop()!], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

/** The first 4 KiB of a file (an `aws` may be a large binary: the v2 installer's is). */
function headOf(path: string): string {
  const buf = Buffer.alloc(4096);
  const fd = openSync(path, "r");
  try {
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** The interpreter command line from a Python script's #! line. */
function interpreterOf(script: string): string[] | undefined {
  const m = /^#!\s*(.+)$/.exec(headOf(script).split("\n", 1)[0]);
  if (!m || !/python/.test(m[1])) return undefined;
  return m[1].trim().split(/\s+/);
}

const WORKER = join(dirname(fileURLToPath(import.meta.url)), "aws_cli_batch.py");

/** One interpreter running a CLI's command lines in turn. */
class Batch {
  private readonly child: ChildProcess;
  private readonly waiting: ((r: CliResult) => void)[] = [];
  private buffered = "";
  private stderr = "";
  private ready: Promise<boolean>;
  private markReady!: (ok: boolean) => void;
  private dead = false;

  constructor(
    private readonly cli: AwsCli,
    interpreter: string[],
  ) {
    this.ready = new Promise((r) => (this.markReady = r));
    const [cmd, ...pre] = interpreter;
    this.child = spawn(cmd, [...pre, WORKER], { env: cliEnv({}), stdio: ["ignore", "pipe", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8").on("data", (d: string) => this.onData(d));
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
    this.child.on("error", () => this.onExit());
    this.child.on("close", () => this.onExit());
    process.once("exit", () => this.child.kill());
    this.idle();
  }

  private onData(d: string): void {
    this.buffered += d;
    for (let nl = this.buffered.indexOf("\n"); nl >= 0; nl = this.buffered.indexOf("\n")) {
      const msg = JSON.parse(this.buffered.slice(0, nl));
      this.buffered = this.buffered.slice(nl + 1);
      if (msg.ready) {
        // The same awscli `aws --version` reported, or this interpreter is not that CLI's.
        const same = `aws-cli/${msg.version}` === this.cli.label;
        this.markReady(same);
        if (!same) this.child.kill();
        continue;
      }
      this.waiting.shift()!(msg as CliResult);
      if (!this.waiting.length) this.idle();
    }
  }

  private onExit(): void {
    this.dead = true;
    this.markReady(false);
    for (const w of this.waiting.splice(0)) w({ status: null, stdout: "", stderr: `aws_cli_batch.py ended:\n${this.stderr}` });
  }

  /** While nothing is waiting, the interpreter does not keep the test process alive. */
  private idle(): void {
    for (const h of [this.child, this.child.stdout, this.child.stderr, this.child.stdio[3]] as { unref?(): void }[]) h?.unref?.();
  }

  private busy(): void {
    for (const h of [this.child, this.child.stdout, this.child.stderr, this.child.stdio[3]] as { ref?(): void }[]) h?.ref?.();
  }

  async run(argv: string[], env: Record<string, string>): Promise<CliResult> {
    this.busy();
    if (!(await this.ready) || this.dead) {
      if (!this.waiting.length) this.idle();
      return spawnAws(this.cli, argv, env);
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      (this.child.stdio[3] as Writable).write(JSON.stringify({ args: argv, env }) + "\n");
    });
  }
}

const batches = new Map<string, Batch | undefined>();

function batchFor(cli: AwsCli): Batch | undefined {
  if (process.env.STRATUS_TEST_AWS_SPAWN === "1") return undefined;
  if (!batches.has(cli.path)) {
    const script = scriptOf(cli.path);
    const interpreter = script && interpreterOf(script);
    batches.set(cli.path, interpreter ? new Batch(cli, interpreter) : undefined);
  }
  return batches.get(cli.path);
}
