// The `stratus` command as a user runs it: banner, signals, one-line errors, env vars, status, reset.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { spawn, spawnSync } from "node:child_process";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { BIN, cleanEnv, freePort, killAll, run, startCli } from "./spawn.js";

after(killAll);

const tmp = () => mkdtempSync(join(tmpdir(), "stratus-cli-test-"));
const sts = (url: string, accessKeyId = "123456789012", secretAccessKey = "test") =>
  new STSClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId, secretAccessKey } });

/** One line on stderr, prefixed `stratus:`, and nothing that looks like a stack trace. */
function assertOneLineError(stderr: string, pattern: RegExp): void {
  assert.match(stderr, /^stratus: [^\n]+\n$/, `expected one error line, got: ${JSON.stringify(stderr)}`);
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

test("start: one banner, answers the STS SDK, status reports it, SIGTERM exits 0 and removes the ephemeral dir", async () => {
  const s = await startCli(["--ephemeral", "--port", "0", "--log-level", "error"]);
  assert.match(s.banner, /^Stratus \d+\.\d+\.\d+ listening on http:\/\/127\.0\.0\.1:\d+ \(data: \/\S+, ephemeral, auth: none, durability: process\)$/);
  // The line to paste into a shell comes with the banner, on a line of its own.
  const bannerLines = s.output().stdout.split("\n").filter(Boolean);
  assert.ok(bannerLines.includes(`export AWS_ENDPOINT_URL=${s.url}`), s.output().stdout);
  assert.ok(existsSync(s.dataDir));
  const id = await sts(s.url).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, "123456789012");
  assert.equal(id.Arn, "arn:aws:iam::123456789012:root");

  const st = await run(["status", "--port", String(s.port)]);
  assert.equal(st.code, 0, st.stderr);
  assert.match(
    st.stdout,
    new RegExp(
      `^Stratus \\S+ at ${s.url.replace(/[.]/g, "\\.")}: ok, up \\d+s, auth none, durability process, data ${s.dataDir}, \\d+ of \\d+ services running\\n`,
    ),
  );
  // Then what the data dir holds, by service (core/store/space.ts).
  assert.match(st.stdout.split("\n")[1], /^data dir [\d.]+ [KM]?B: database [\d.]+ [KM]?B \([\d.]+ [KM]?B free, vacuum incremental\), WAL /);
  assert.match(st.stdout, /\n {2}cloudtrail +[\d.]+ [KM]?B {2}audit events [\d.]+ [KM]?B\n/);

  const f = await s.stop("SIGTERM");
  assert.equal(f.code, 0, f.stderr);
  // A short banner, printed once, and nothing else on stdout.
  assert.equal(f.stdout, bannerLines.join("\n") + "\n");
  assert.ok(bannerLines.length <= 4, `a few lines at most: ${f.stdout}`);
  assert.equal((f.stdout.match(/listening on/g) ?? []).length, 1);
  assert.equal(existsSync(s.dataDir), false, "ephemeral dir removed");
});

test("SIGINT also stops cleanly with exit 0", async () => {
  const s = await startCli(["--ephemeral", "--port", "0"]);
  const f = await s.stop("SIGINT");
  assert.equal(f.code, 0, f.stderr);
});

test("status: nothing listening → exit 1 with one line that says how to start one", async () => {
  const port = await freePort();
  const st = await run(["status"], { env: { STRATUS_PORT: String(port) } });
  assert.equal(st.code, 1);
  assert.equal(st.stdout, "");
  assertOneLineError(
    st.stderr,
    new RegExp(`^stratus: no server answering at http://127\\.0\\.0\\.1:${port} \\(start one with: npx stratus start --port ${port}\\)\n$`),
  );
});

test("status: something else on the port → exit 1, one line saying it is not Stratus", async () => {
  const other = createHttpServer((_req, res) => res.writeHead(404).end("no"));
  await new Promise<void>((ok) => other.listen(0, "127.0.0.1", ok));
  const port = (other.address() as { port: number }).port;
  try {
    const st = await run(["status", "--port", String(port)]);
    assert.equal(st.code, 1);
    assertOneLineError(
      st.stderr,
      new RegExp(`^stratus: the server at http://127\\.0\\.0\\.1:${port} is not Stratus \\(its health check answered HTTP 404\\)\n$`),
    );
  } finally {
    other.close();
  }
});

test("start --log-level silent: no banner, no log lines, still serves and stops cleanly", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "start", "--ephemeral", "--port", String(port), "--log-level", "silent"], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c));
  child.stderr.on("data", (c: Buffer) => (out += c));
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const st = await run(["status", "--port", String(port)]);
      if (st.code === 0) break;
      assert.ok(Date.now() < deadline, `no server within 10 s: ${st.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await sts(`http://127.0.0.1:${port}`).send(new GetCallerIdentityCommand({}));
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0);
  assert.equal(out, "", "silent means nothing on stdout or stderr");
});

test("port in use → exit 1, one line, and the ephemeral dir is not left behind", async () => {
  const blocker = createServer();
  await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
  const port = (blocker.address() as { port: number }).port;
  // A private TMPDIR shows whether the ephemeral dir made before the failed listen is cleaned up.
  const privateTmp = tmp();
  try {
    const f = await run(["start", "--ephemeral", "--port", String(port)], { env: { TMPDIR: privateTmp } });
    assert.equal(f.code, 1);
    assertOneLineError(f.stderr, new RegExp(`^stratus: port ${port} is already in use\\n$`));
    assert.equal(f.stdout, "");
    // bin/stratus.js keeps V8's compiled code there (stratus-compile-cache-<uid>): that is not Stratus's data.
    assert.deepEqual(
      readdirSync(privateTmp).filter((n) => !n.startsWith("stratus-compile-cache")),
      [],
    );
  } finally {
    blocker.close();
    rmSync(privateTmp, { recursive: true, force: true });
  }
});

test("bad flags and values → exit 1 with one line", async () => {
  for (const [args, pattern] of [
    [["start", "--bogus"], /unknown option '--bogus'/],
    [["start", "--port", "70000"], /--port must be a port number/],
    [["start", "--port"], /--port needs a value/],
    [["start", "--auth", "magic"], /--auth must be one of none, sigv4, not 'magic'/],
    [["start", "--log-level=loud"], /--log-level must be one of/],
    [["start", "stray"], /unexpected argument 'stray'/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["start", "--ephemeral", "--data-dir", "/tmp/x"], /--ephemeral and --data-dir exclude each other/],
  ] as const) {
    const f = await run([...args]);
    assert.equal(f.code, 1, `${args.join(" ")}: ${f.stderr}`);
    assertOneLineError(f.stderr, pattern);
  }
  const env = await run(["start"], { env: { STRATUS_AUTH: "magic" } });
  assert.equal(env.code, 1);
  assertOneLineError(env.stderr, /STRATUS_AUTH must be one of none, sigv4/);
  const tie = await run(["start"], { env: { STRATUS_EPHEMERAL: "true", STRATUS_DATA_DIR: "/tmp/x" } });
  assert.equal(tie.code, 1);
  assertOneLineError(tie.stderr, /STRATUS_EPHEMERAL and STRATUS_DATA_DIR exclude each other/);
  const badBool = await run(["start"], { env: { STRATUS_EPHEMERAL: "maybe" } });
  assert.equal(badBool.code, 1);
  assertOneLineError(badBool.stderr, /STRATUS_EPHEMERAL must be true or false, not 'maybe'/);
});

test("unwritable data dir (under a file) → exit 1 with one line", async () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, "file"), "x");
    const f = await run(["start", "--port", "0", "--data-dir", join(dir, "file", "data")]);
    assert.equal(f.code, 1);
    assertOneLineError(f.stderr, /cannot use data dir .*file\/data: a file is in the way/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("environment variables configure start; flags win over them", async () => {
  const dir = tmp();
  const port = await freePort();
  try {
    const s = await startCli([], {
      STRATUS_HOST: "127.0.0.1",
      STRATUS_PORT: String(port),
      STRATUS_DATA_DIR: join(dir, "data"),
      STRATUS_AUTH: "sigv4",
      STRATUS_LOG_LEVEL: "error",
      STRATUS_ROOT_ACCESS_KEY_ID: "AKIAROOTROOTROOTROOT",
      STRATUS_ROOT_SECRET_ACCESS_KEY: "root-secret",
    });
    assert.equal(
      s.banner,
      `Stratus ${s.banner.split(" ")[1]} listening on http://127.0.0.1:${port} (data: ${join(dir, "data")}, auth: sigv4, durability: process)`,
    );
    const id = await sts(s.url, "AKIAROOTROOTROOTROOT", "root-secret").send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:iam::${id.Account}:root`);
    const pid = JSON.parse(readFileSync(join(dir, "data", "stratus.pid"), "utf8"));
    assert.equal(pid.pid, s.child.pid);
    assert.equal(pid.port, port);

    // A second server on the same data dir would share its SQLite file: refused.
    const second = await run(["start", "--port", "0", "--data-dir", join(dir, "data")]);
    assert.equal(second.code, 1);
    assertOneLineError(second.stderr, /data dir .* is in use by another Stratus \(pid \d+, port \d+\)/);

    assert.equal((await s.stop()).code, 0);
    assert.equal(existsSync(join(dir, "data", "stratus.pid")), false, "pid file removed on a clean stop");
    assert.equal(existsSync(join(dir, "data", "stratus.db")), true, "a data dir survives a stop");

    const flagged = await startCli(["--auth", "none", "--port", "0", "--ephemeral"], {
      STRATUS_AUTH: "sigv4",
      STRATUS_PORT: String(port),
      STRATUS_DATA_DIR: join(dir, "data"),
    });
    assert.match(flagged.banner, /, ephemeral, auth: none, durability: process\)$/);
    assert.notEqual(flagged.port, port);
    assert.equal((await flagged.stop()).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("reset: refuses without --yes when stdin is not a TTY, refuses a live dir, wipes with --yes", async () => {
  const dir = tmp();
  const data = join(dir, "data");
  try {
    const s = await startCli(["--port", "0", "--data-dir", data, "--log-level", "error"]);
    await sts(s.url).send(new GetCallerIdentityCommand({}));
    const live = await run(["reset", "--yes", "--data-dir", data]);
    assert.equal(live.code, 1);
    assertOneLineError(live.stderr, /a Stratus server is running on .* \(pid \d+, port \d+\); stop it first/);
    assert.equal((await s.stop()).code, 0);

    const noTty = await run(["reset", "--data-dir", data]);
    assert.equal(noTty.code, 1);
    assertOneLineError(noTty.stderr, /refusing to wipe .* without --yes \(stdin is not a terminal\)/);
    assert.equal(existsSync(join(data, "stratus.db")), true);

    const yes = await run(["reset", "-y"], { env: { STRATUS_DATA_DIR: data } });
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal(yes.stdout, `Reset: removed ${data}\n`);
    assert.equal(existsSync(data), false);

    const again = await run(["reset", "--yes", "--data-dir", data]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Nothing to reset/);

    // A directory that is not a Stratus data dir is never wiped.
    mkdirSync(join(dir, "precious"));
    writeFileSync(join(dir, "precious", "thesis.tex"), "x");
    const foreign = await run(["reset", "--yes", "--data-dir", join(dir, "precious")]);
    assert.equal(foreign.code, 1);
    assertOneLineError(foreign.stderr, /does not look like a Stratus data dir/);
    assert.equal(existsSync(join(dir, "precious", "thesis.tex")), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** In every line of a help text that ends in a [STRATUS_…] column, that column starts at the same place. */
function assertEnvColumnAligned(text: string): void {
  const starts = text
    .split("\n")
    .filter((l) => /\[STRATUS_\w+\]$/.test(l))
    .map((l) => l.lastIndexOf("[STRATUS_"));
  assert.ok(starts.length >= 1, text);
  assert.equal(new Set(starts).size, 1, `[STRATUS_…] column misaligned:\n${text}`);
}

test("--help: the global usage, its columns aligned", async () => {
  for (const args of [["--help"], ["-h"], [], ["help"]]) {
    const help = await run(args);
    assert.equal(help.code, 0, args.join(" "));
    assert.match(help.stdout, /^Usage: stratus <command>/);
    assert.match(help.stdout, /STRATUS_ROOT_ACCESS_KEY_ID/);
    assertEnvColumnAligned(help.stdout);
    assert.equal(help.stderr, "");
  }
});

test("<command> --help prints that command's own usage and runs nothing", async () => {
  const texts = new Map<string, string>();
  for (const command of ["start", "status", "reset"]) {
    for (const args of [
      [command, "--help"],
      [command, "-h"],
      ["help", command],
      [command, "--port", "1", "--help"],
    ]) {
      if (command === "reset" && args.includes("--port")) continue;
      const h = await run(args);
      assert.equal(h.code, 0, `${args.join(" ")}: ${h.stderr}`);
      assert.equal(h.stderr, "");
      assert.match(h.stdout, new RegExp(`^Usage: stratus ${command} `), args.join(" "));
      assert.doesNotMatch(h.stdout, /Usage: stratus <command>/);
      assert.doesNotMatch(h.stdout, /listening on/);
      texts.set(command, h.stdout);
    }
    assertEnvColumnAligned(texts.get(command)!);
  }
  assert.match(texts.get("start")!, /--data-dir <dir>[\s\S]*--ephemeral[\s\S]*--log-level <level> +debug, info, warn, error or silent/);
  assert.match(texts.get("status")!, /--host <addr>[\s\S]*--port <n>/);
  assert.doesNotMatch(texts.get("status")!, /--data-dir/);
  assert.match(texts.get("reset")!, /--data-dir <dir>[\s\S]*--yes, -y/);
  assert.doesNotMatch(texts.get("reset")!, /--port/);
  // A mistake in a command's flags points at that command's help.
  const bad = await run(["reset", "--port", "1"]);
  assertOneLineError(bad.stderr, /unknown option '--port' for 'reset' \(see stratus reset --help\)/);
});

test("--version prints the package version, from any directory", async () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  const elsewhere = tmp();
  try {
    for (const args of [["--version"], ["-v"], ["version"]]) {
      const version = await run(args, { cwd: elsewhere });
      assert.equal(version.code, 0, version.stderr);
      assert.equal(version.stdout, `${pkg.version}\n`);
    }
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

const hasScript = spawnSync("script", ["--version"]).status === 0;

test("reset on a terminal asks first: 'n' keeps the data, 'y' wipes it", {
  skip: !hasScript && "util-linux `script` (to get a pty) not installed",
}, async () => {
  const dir = tmp();
  const data = join(dir, "data");
  const onTty = (answer: string) =>
    new Promise<{ code: number | null; out: string }>((ok) => {
      // script(1) gives the command a pseudo-terminal, so stdin.isTTY is true as for a person at a shell.
      const child = spawn("script", ["-qec", `${process.execPath} ${BIN} reset --data-dir ${data}`, "/dev/null"], { env: cleanEnv() });
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c));
      child.stdin.end(answer);
      child.on("close", (code) => ok({ code, out }));
    });
  try {
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, "stratus.db"), "");
    const no = await onTty("n\n");
    assert.equal(no.code, 1);
    assert.match(no.out, /Delete all Stratus data in .*\? \[y\/N\]/);
    assert.match(no.out, /stratus: reset cancelled/);
    assert.equal(existsSync(join(data, "stratus.db")), true);
    const yes = await onTty("y\n");
    assert.equal(yes.code, 0, yes.out);
    assert.match(yes.out, /Reset: removed /);
    assert.equal(existsSync(data), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a server killed with kill -9 frees its data dir at once, even before its parent reaps it; a live one keeps it", async () => {
  const dir = tmp();
  const data = join(dir, "data");
  const port = await freePort();
  // A parent that never reaps (as npx's npm may not, yet): the killed server stays a zombie, its pid still "alive".
  const parent = spawn(
    "python3",
    [
      "-c",
      "import subprocess, sys, time; p = subprocess.Popen(sys.argv[1:]); print(p.pid, flush=True); time.sleep(120)",
      process.execPath,
      BIN,
      "start",
      "--data-dir",
      data,
      "--port",
      String(port),
      "--log-level",
      "error",
    ],
    { env: cleanEnv(), stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const pid = await new Promise<number>((ok) => parent.stdout!.once("data", (c: Buffer) => ok(Number(String(c).trim()))));
    // Up: it answers, and a second start on its dir is refused with who holds it.
    for (let i = 0; ; i++) {
      try {
        await sts(`http://127.0.0.1:${port}`).send(new GetCallerIdentityCommand({}));
        break;
      } catch (e) {
        if (i > 200) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const refused = await run(["start", "--port", "0", "--data-dir", data]);
    assert.equal(refused.code, 1);
    assertOneLineError(refused.stderr, new RegExp(`data dir .* is in use by another Stratus \\(pid ${pid}, port ${port}\\)`));

    process.kill(pid, "SIGKILL");
    // Not reaped: the pid still exists (a zombie), which the old pid check took for a live server.
    await new Promise((r) => setTimeout(r, 200));
    assert.doesNotThrow(() => process.kill(pid, 0), "the killed server is a zombie until its parent reaps it");
    assert.match(readFileSync(`/proc/${pid}/stat`, "utf8"), /^\d+ \([^)]*\) Z /);

    // Started again at once on the same dir: it starts, with every acknowledged write still there.
    const again = await startCli(["--port", "0", "--data-dir", data, "--log-level", "error"]);
    const id = await sts(again.url).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, "123456789012");
    assert.equal(JSON.parse(readFileSync(join(data, "stratus.pid"), "utf8")).pid, again.child.pid);
    assert.equal((await again.stop()).code, 0);
  } finally {
    parent.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
