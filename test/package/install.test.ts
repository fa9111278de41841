// Stratus as users install it: the tarball `npm pack` makes (prepack builds dist/) installed into a new project,
// then `npx stratus start` there answering STS and running a Node.js Lambda function that imports the AWS SDK;
// and a global install's `stratus`. The pack runs in a copy of the sources (sharing node_modules) so the repo's
// own dist/, which other test files run, is never rebuilt under them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { IAMClient, CreateRoleCommand, GetRoleCommand } from "@aws-sdk/client-iam";
import { LambdaClient, CreateFunctionCommand, InvokeCommand, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { makeZip } from "../helpers/zip.js";
import { cleanEnv, freePort } from "../cli/spawn.js";

const execFileP = promisify(execFile);
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const [major, minor] = process.versions.node.split(".").map(Number);
/** node:sqlite without a flag: Node 22.13+ and 23.4+; older Node needs better-sqlite3 beside Stratus. */
const builtinSqlite = major > 23 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13);
const gitMissing = spawnSync("git", ["--version"], { stdio: "ignore" }).status !== 0 && "git is not installed";
const npmMissing = spawnSync("npm", ["--version"], { stdio: "ignore" }).status !== 0 && "npm is not on the PATH";

const work = mkdtempSync(join(tmpdir(), "stratus-pkg-"));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(work, { recursive: true, force: true });
});

/** npm with the test's own settings: quiet, no audit, and the cache the machine already filled where it can. */
function npm(args: string[], cwd: string, timeoutMs = 240_000) {
  const env = cleanEnv({ npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", npm_config_prefer_offline: "true" });
  return execFileP("npm", args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** Starts a server with `command` in `cwd` and waits until /_stratus/health answers. */
async function startServer(command: string, args: string[], cwd: string): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const port = await freePort();
  const child = spawn(command, [...args, "start", "--port", String(port), "--data-dir", join(cwd, ".stratus"), "--log-level", "warn"], {
    cwd,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c));
  child.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(" ")} start exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/_stratus/health`)).ok) return { url, child, stderr: () => stderr };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url} within 60 s; stderr: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops the server as Ctrl-C in its terminal would (npx does not pass a lone SIGTERM on), waiting until it no longer answers. */
async function stop(server: { url: string; child: ChildProcess }): Promise<void> {
  const exited = new Promise<void>((ok) => (server.child.exitCode !== null ? ok() : server.child.once("exit", () => ok())));
  process.kill(-server.child.pid!, "SIGINT");
  await exited;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await fetch(`${server.url}/_stratus/health`);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`${server.url} still answers after the stop`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function clients(url: string) {
  const config = { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "123456789012", secretAccessKey: "test" } };
  return { sts: new STSClient(config), iam: new IAMClient(config), lambda: new LambdaClient(config) };
}

/** Better-sqlite3 for a project on a Node without node:sqlite: the repo's build of it (what `npm i -D better-sqlite3@12` gives, without compiling it again). */
function addBetterSqlite3(nodeModules: string): void {
  for (const pkg of ["better-sqlite3", "bindings", "file-uri-to-path"]) {
    cpSync(join(REPO, "node_modules", pkg), join(nodeModules, pkg), { recursive: true, dereference: true });
  }
}

describe("the npm package", { skip: gitMissing || npmMissing, timeout: 900_000 }, () => {
  let tarball = "";
  let files: string[] = [];

  before(async () => {
    // A copy of what a clone has (tracked and new, not ignored files), sharing the repo's node_modules.
    const src = join(work, "src");
    const { stdout } = await execFileP("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
    for (const f of stdout.split("\0").filter(Boolean)) {
      if (!existsSync(join(REPO, f))) continue; // deleted in the work tree, not yet committed
      if (f === "node_modules") continue; // a worktree's symlink to the shared one (linked below), never copied
      mkdirSync(dirname(join(src, f)), { recursive: true });
      cpSync(join(REPO, f), join(src, f));
    }
    symlinkSync(join(REPO, "node_modules"), join(src, "node_modules"), "dir");
    const packed = await npm(["pack", "--json", "--pack-destination", work], src);
    const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string; files: { path: string }[]; size: number }[];
    tarball = join(work, info[0].filename);
    files = info[0].files.map((f) => f.path);
  });

  test("holds what runs and nothing for development", () => {
    assert.ok(existsSync(tarball), tarball);
    for (const f of [
      "package.json",
      "README.md",
      "LICENSE",
      "bin/stratus.js",
      "bin/package.json",
      "dist/stratus.cjs",
      "dist/package.json",
      "dist/empty.db",
      "runtimes/node/index.mjs",
      "runtimes/python/bootstrap.py",
      "models/index.json",
    ]) {
      assert.ok(files.includes(f), `${f} is in the tarball`);
    }
    const top = new Set(files.map((f) => f.split("/")[0]));
    assert.deepEqual([...top].sort(), ["LICENSE", "README.md", "bin", "dist", "models", "package.json", "runtimes"]);
  });

  test("installed into a project: npx stratus starts, answers STS and runs a function that imports the AWS SDK", async () => {
    const project = join(work, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-app", version: "1.0.0", private: true }));
    await npm(["install", "--save-dev", tarball], project);
    const nodeModules = join(project, "node_modules");
    assert.ok(existsSync(join(nodeModules, "stratus", "dist", "stratus.cjs")));
    // Nothing for SQLite is installed (better-sqlite3 is an optional peer) and nothing native was built.
    assert.equal(existsSync(join(nodeModules, "better-sqlite3")), false, "better-sqlite3 is not installed with Stratus");
    if (!builtinSqlite) {
      // Node 20: the one-line message that says what to do, then the fix it names.
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((ok) => {
        const c = spawn("npx", ["stratus", "start", "--port", "0", "--ephemeral"], { cwd: project, env: cleanEnv(), stdio: ["ignore", "ignore", "pipe"] });
        let err = "";
        c.stderr!.on("data", (d: Buffer) => (err += d));
        c.on("close", (code) => ok({ code, stderr: err }));
      });
      assert.equal(code, 1);
      assert.match(stderr, /^stratus: .*better-sqlite3/m);
      addBetterSqlite3(nodeModules);
    }

    const version = spawnSync("npx", ["stratus", "--version"], { cwd: project, env: cleanEnv(), encoding: "utf8" });
    assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version, version.stderr);

    const server = await startServer("npx", ["stratus"], project);
    const { sts, iam, lambda } = clients(server.url);
    const me = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(me.Account, "123456789012");

    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "pkg-role", AssumeRolePolicyDocument: TRUST }));
    const code = `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
export const handler = async () => (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;`;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "uses-sdk",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: Role!.Arn!,
        Code: { ZipFile: makeZip({ "index.mjs": code }) },
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: "uses-sdk" });
    const out = await lambda.send(new InvokeCommand({ FunctionName: "uses-sdk" }));
    const body = Buffer.from(out.Payload ?? []).toString("utf8");
    assert.equal(out.FunctionError, undefined, body);
    assert.equal(JSON.parse(body), "arn:aws:sts::123456789012:assumed-role/pkg-role/uses-sdk");

    // kill -9 of the whole process group (a closed terminal, a cancelled CI job), then started again at once on the
    // same data dir: the data dir's lock went with the killed process, and every acknowledged write is there.
    const killed = new Promise<void>((ok) => (server.child.exitCode !== null ? ok() : server.child.once("exit", () => ok())));
    process.kill(-server.child.pid!, "SIGKILL");
    await killed;
    const again = await startServer("npx", ["stratus"], project);
    const role = await clients(again.url).iam.send(new GetRoleCommand({ RoleName: "pkg-role" }));
    assert.equal(role.Role?.Arn, Role!.Arn);
    await stop(again);
    // Nothing compiled: the only native addon in the project is the better-sqlite3 added above on Node 20.
    const addons = findAddons(nodeModules);
    assert.deepEqual(
      addons.filter((a) => !a.includes("better-sqlite3")),
      [],
    );
    if (builtinSqlite) assert.deepEqual(addons, []);
  });

  test("installed globally: stratus is on the prefix's PATH and starts", async () => {
    const prefix = join(work, "global");
    await npm(["install", "--global", "--prefix", prefix, tarball], work);
    const bin = join(prefix, "bin", "stratus");
    const v = spawnSync(bin, ["--version"], { env: cleanEnv(), encoding: "utf8" });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+/);
    if (!builtinSqlite) addBetterSqlite3(join(prefix, "lib", "node_modules", "stratus", "node_modules"));
    const home = join(work, "elsewhere");
    mkdirSync(home);
    const server = await startServer(bin, [], home);
    const me = await clients(server.url).sts.send(new GetCallerIdentityCommand({}));
    assert.equal(me.Account, "123456789012");
    await stop(server);
  });
});

/** Every native addon (*.node) under a node_modules tree. */
function findAddons(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) findAddons(p, out);
    else if (e.name.endsWith(".node")) out.push(p);
  }
  return out;
}
