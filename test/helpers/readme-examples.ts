// The README's runnable examples: fenced blocks marked `<!-- example: <name> -->` on the line before the fence,
// and how to run one (a shell session with the AWS CLI, a .mjs file with node, a .py file with python3) against
// a test server, asynchronously (the server runs in the test's own process).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

export type Lang = "sh" | "js" | "python";

export interface Block {
  /** The name from `<!-- example: <name> -->`, or undefined for a block that is not marked. */
  name?: string;
  lang: Lang | "other";
  code: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

const LANGS: Record<string, Lang> = {
  sh: "sh",
  bash: "sh",
  shell: "sh",
  js: "js",
  mjs: "js",
  javascript: "js",
  ts: "js",
  typescript: "js",
  python: "python",
  py: "python",
};

/** Every top-level fenced block of a Markdown text, with the example marker that precedes it, if any. */
export function parseBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```([\w-]*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`README line ${start + 1}: fence never closed`);
    let j = start - 1;
    while (j >= 0 && lines[j].trim() === "") j--;
    const marker = j >= 0 ? /^<!--\s*example:\s*([\w-]+)\s*-->$/.exec(lines[j].trim()) : null;
    out.push({ name: marker?.[1], lang: LANGS[open[1]] ?? "other", code: body.join("\n") + "\n", line: start + 1 });
  }
  return out;
}

export const README_ENDPOINT = "http://localhost:4566";

/** The example's code pointed at the test server instead of the default endpoint. */
export function pointAt(code: string, url: string): string {
  return code.replaceAll(README_ENDPOINT, url);
}

/** The outputs an example promises in its comments (`# → text` or `// → text`). */
export function promisedOutputs(block: Block): string[] {
  return [...block.code.matchAll(/^\s*(?:#|\/\/) → (.+)$/gm)].map((m) => m[1].trim());
}

/** Whether an example runs `aws` commands that take their endpoint only from AWS_ENDPOINT_URL. */
export function needsEndpointFromEnv(code: string): boolean {
  const awsLines = code.split("\n").filter((l) => /^\s*aws\s/.test(l));
  return /AWS_ENDPOINT_URL/.test(code) && awsLines.some((l) => !l.includes("--endpoint-url"));
}

/** AWS CLI versions that read AWS_ENDPOINT_URL: v2 from 2.13, v1 from 1.29 (older ones call the real AWS). */
export function honoursEndpointEnv(label: string): boolean {
  const m = /aws-cli\/(\d+)\.(\d+)/.exec(label);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 2 || (major === 2 && minor >= 13) || (major === 1 && minor >= 29);
}

/**
 * The environment examples run in: the machine's, without any AWS_*, STRATUS_* or test-runner settings, with no
 * AWS config files, and with an HTTPS proxy that goes nowhere, so an example that missed the test server cannot
 * reach the real AWS.
 */
export function exampleEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AWS_|STRATUS_)/.test(k) || k === "NODE_OPTIONS" || k === "NODE_TEST_CONTEXT") continue;
    env[k] = v;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
    HTTPS_PROXY: "http://127.0.0.1:9",
    https_proxy: "http://127.0.0.1:9",
  };
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Ran> {
  return new Promise((ok) => {
    execFile(file, args, { ...opts, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      ok({ code, stdout: String(stdout), stderr: String(stderr) + (err && typeof err.code !== "number" ? `\n${err.message}` : "") });
    });
  });
}

/**
 * A shell session: each block runs in `sh -e` with the environment the previous one left (its exports), as when a
 * person types the blocks into one terminal in order.
 */
export class ShellSession {
  private env: NodeJS.ProcessEnv;
  constructor(
    env: NodeJS.ProcessEnv,
    private readonly dir: string,
  ) {
    this.env = env;
  }

  async run(code: string): Promise<Ran> {
    const envFile = join(this.dir, "env.out");
    rmSync(envFile, { force: true });
    const script = `${code}\nenv -0 > "$README_ENV_OUT"\n`;
    const r = await exec("sh", ["-ec", script], { cwd: this.dir, env: { ...this.env, README_ENV_OUT: envFile } });
    if (r.code === 0) {
      const next: NodeJS.ProcessEnv = {};
      for (const kv of readFileSync(envFile, "utf8").split("\0").filter(Boolean)) {
        const eq = kv.indexOf("=");
        next[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      delete next.README_ENV_OUT;
      this.env = next;
    }
    return r;
  }
}

/** Runs JavaScript as `node demo.mjs` in a temp dir whose node_modules is the repo's, as in a project with the SDK. */
export async function runMjs(code: string, repoNodeModules: string): Promise<Ran> {
  const dir = mkdtempSync(join(tmpdir(), "stratus-readme-js-"));
  try {
    symlinkSync(repoNodeModules, join(dir, "node_modules"), "dir");
    writeFileSync(join(dir, "demo.mjs"), code);
    return await exec(process.execPath, ["demo.mjs"], { cwd: dir, env: exampleEnv() });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs Python as `python3 demo.py` in a temp dir. */
export async function runPython(code: string): Promise<Ran> {
  const dir = mkdtempSync(join(tmpdir(), "stratus-readme-py-"));
  try {
    writeFileSync(join(dir, "demo.py"), code);
    return await exec("python3", ["demo.py"], { cwd: dir, env: exampleEnv() });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An example succeeded: exit 0 and every output its comments promise was printed. */
export function assertRan(block: Block, r: Ran): void {
  const where = `README example '${block.name}' (line ${block.line})`;
  assert.equal(r.code, 0, `${where} failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
  for (const want of promisedOutputs(block)) {
    assert.ok(r.stdout.includes(want), `${where} promises output '${want}', printed:\n${r.stdout}`);
  }
}
