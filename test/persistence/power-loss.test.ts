// Power loss, simulated: what an acknowledged write survives when the machine loses power, per --durability.
//
// What it models: power-loss-shim.c (compiled here with the machine's cc, preloaded into the server) wraps fsync(2)
// and fdatasync(2) — the only sync calls SQLite's unix VFS and Node's fs make on Linux (strace -f: better-sqlite3
// calls fsync on the WAL, the database and the data dir) — and at each one copies the file's content, or the
// directory's entries, into a shadow directory. The server is killed with SIGKILL at a random moment while SQS
// SendMessage and S3 PutObject calls are in flight; the data dir is then rebuilt from the shadow — every file and
// directory entry as of its last fsync, an entry whose file was never synced as an empty file (delayed allocation),
// a directory never synced as empty — and a new server is started on it. Every acknowledged write must be there.
// A database that no longer opens counts as every write lost.
// What it does not model: the page cache is lost whole (no page of an unsynced write reaches the disk, the worst
// case; a real kernel writes back within seconds), there is no reordering or tearing below fsync granularity (a
// synced file is whole; SQLite's checksummed WAL would detect a torn frame anyway), a disk that lies about its
// flushes, or inode reuse (a recycled inode's stale shadow copy).
//
// POWERLOSS_TRIALS=n runs n trials per mode (2 by default, to keep the file under ~30 s), each writing for a random
// 200 ms to POWERLOSS_MAX_MS (900); the figures are printed as test diagnostics.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes, randomInt } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SQSClient, CreateQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { S3Client, CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { killAll, startCli, cliClientConfig } from "../cli/spawn.js";
import { startTestServer, randomAccount } from "../helpers/server.js";

after(killAll);

const root = mkdtempSync(join(tmpdir(), "stratus-powerloss-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The shim, built for this machine; a string says why it cannot be. */
function buildShim(): string {
  if (process.platform !== "linux") return "the simulation preloads a shim through the Linux dynamic loader";
  const out = join(root, "power-loss-shim.so");
  const src = fileURLToPath(new URL("./power-loss-shim.c", import.meta.url));
  const cc = spawnSync("cc", ["-shared", "-fPIC", "-O2", "-o", out, src, "-ldl", "-lpthread"], { encoding: "utf8" });
  if (cc.error) return `no C compiler (cc: ${(cc.error as NodeJS.ErrnoException).code}) to build the power-loss shim`;
  if (cc.status !== 0) return `the power-loss shim does not compile: ${cc.stderr.trim()}`;
  return out;
}
const shim = buildShim();
const skip = shim.endsWith(".so") ? false : shim;
const trials = Number(process.env.POWERLOSS_TRIALS ?? 2);
/** The longest a trial writes before the cut (POWERLOSS_MAX_MS): long enough for WAL checkpoints at a few seconds. */
const maxWindowMs = Number(process.env.POWERLOSS_MAX_MS ?? 900);

/** The data dir as the disk holds it after the power cut: rebuilt from the shim's shadow. */
function rebuild(shadow: string, out: string): void {
  const build = (ino: string, dir: string) => {
    mkdirSync(dir, { recursive: true });
    const listing = join(shadow, `d-${ino}`);
    if (!existsSync(listing)) return; // never synced since it was made: no entry of it is durable
    for (const line of readFileSync(listing, "utf8").split("\n")) {
      if (!line) continue;
      const [kind, child] = line.split(" ", 2);
      const name = line.slice(kind.length + child.length + 2);
      if (kind === "d") build(child, join(dir, name));
      else if (existsSync(join(shadow, `f-${child}`))) copyFileSync(join(shadow, `f-${child}`), join(dir, name));
      else writeFileSync(join(dir, name), "");
    }
  };
  build(readFileSync(join(shadow, "root"), "utf8").trim(), out);
}

interface Outcome {
  acked: number;
  lost: number;
  /** The first few lost writes, for the failure message. */
  examples: string[];
  /** What was lost, by kind. */
  detail?: string;
}

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

/** One trial: a server under the shim, writes until a random SIGKILL, then a server on what the disk kept. */
async function trial(durability: "process" | "power", n: number): Promise<Outcome> {
  const dir = join(root, `${durability}-${n}`);
  const data = join(dir, "data");
  const shadow = join(dir, "shadow");
  mkdirSync(data, { recursive: true });
  mkdirSync(shadow);
  const s = await startCli(["--port", "0", "--data-dir", data, "--log-level", "error", "--xray-daemon-port", "0", "--durability", durability], {
    LD_PRELOAD: shim,
    STRATUS_POWERLOSS_DATA: data,
    STRATUS_POWERLOSS_SHADOW: shadow,
  });
  assert.ok(existsSync(join(shadow, "root")), "the shim did not load into the server (LD_PRELOAD ignored: a statically linked node?)");
  const account = randomAccount();
  const sqs = new SQSClient(cliClientConfig(s.url, account));
  const s3 = new S3Client({ ...cliClientConfig(s.url, account), forcePathStyle: true });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "acked" }));
  await s3.send(new CreateBucketCommand({ Bucket: "acked" }));
  const messages: string[] = [];
  const objects = new Map<string, string>();
  let killed = false;
  // Every call after the kill is decided fails or is not counted; one answered before it is acknowledged.
  const loop = async (write: (i: number) => Promise<void>) => {
    for (let i = 0; !killed; i++) {
      try {
        await write(i);
      } catch (e) {
        if (killed) return;
        throw e;
      }
    }
  };
  let seq = 0;
  const sender = () =>
    loop(async () => {
      const body = `m-${seq++}-${randomBytes(8).toString("hex")}`;
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      if (!killed) messages.push(body);
    });
  let fileAcked = false;
  const putter = () =>
    loop(async (i) => {
      const key = `o-${seq++}`;
      // 1 KB bodies are rows in the database, 100 KB ones files (core/blobs.ts INLINE_MAX); a file first.
      const file = i % 4 === 0;
      const body = randomBytes(file ? 100 * 1024 : 1024);
      await s3.send(new PutObjectCommand({ Bucket: "acked", Key: key, Body: body }));
      if (killed) return;
      objects.set(key, md5(body));
      if (file) fileAcked = true;
    });
  const writers = [sender(), sender(), sender(), putter(), putter()];
  // The random window starts once a message and an object's body file are acknowledged (a slow machine's first calls
  // can take most of a short window): each trial then has writes of every kind to lose.
  for (const deadline = Date.now() + 10_000; !(fileAcked && messages.length) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, randomInt(200, maxWindowMs)));
  killed = true;
  const exit = await s.stop("SIGKILL");
  assert.equal(exit.signal, "SIGKILL");
  await Promise.all(writers);
  sqs.destroy();
  s3.destroy();

  // Two containers and every message and object: what was acknowledged.
  const acked = 2 + messages.length + objects.size;
  const recovered = join(dir, "recovered");
  rebuild(shadow, recovered);
  let server: Awaited<ReturnType<typeof startTestServer>>;
  try {
    server = await startTestServer({ dataDir: recovered });
  } catch (e) {
    return { acked, lost: acked, examples: [`the data dir does not open: ${e instanceof Error ? e.message : String(e)}`] };
  }
  let detail = "";
  try {
    const lost: string[] = [];
    const sqs2 = new SQSClient({ ...server.clientConfig({ account }), maxAttempts: 1 });
    const s32 = new S3Client({ ...server.clientConfig({ account }), forcePathStyle: true, maxAttempts: 1 });
    const url = await sqs2.send(new GetQueueUrlCommand({ QueueName: "acked" })).then(
      (r) => r.QueueUrl!,
      () => undefined,
    );
    const received = new Set<string>();
    if (!url) lost.push("queue acked");
    else {
      for (;;) {
        const r = await sqs2.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
        if (!r.Messages?.length) break;
        for (const m of r.Messages) received.add(m.Body!);
      }
    }
    lost.push(...messages.filter((m) => !received.has(m)).map((m) => `message ${m}`));
    let bucket = true;
    // An object whose record survived but whose body did not: the record points at a blob file the cut took.
    let bodiless = 0;
    for (const [key, sum] of objects) {
      const body = await s32
        .send(new GetObjectCommand({ Bucket: "acked", Key: key }))
        .then((r) => r.Body!.transformToByteArray())
        .catch((e: { name?: string }) => {
          if (e.name === "NoSuchBucket") bucket = false;
          else if (e.name !== "NoSuchKey") bodiless++;
          return undefined;
        });
      if (body && md5(body) !== sum) bodiless++;
      if (!body || md5(body) !== sum) lost.push(`object ${key}${body ? ` (${body.length} bytes, not what was put)` : ""}`);
    }
    if (!bucket) lost.push("bucket acked");
    const lostMessages = messages.filter((m) => !received.has(m)).length;
    const lostObjects = lost.filter((l) => l.startsWith("object ")).length;
    detail = `messages ${lostMessages}/${messages.length}, objects ${lostObjects}/${objects.size} (${bodiless} with their record but not their body)`;
    return { acked, lost: lost.length, examples: lost.slice(0, 5), detail };
  } finally {
    await server.close();
  }
}

async function measure(durability: "process" | "power", diagnostic: (m: string) => void): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let n = 0; n < trials; n++) {
    const o = await trial(durability, n);
    diagnostic(
      `${durability} trial ${n + 1}: ${o.lost} of ${o.acked} acknowledged writes lost${o.lost ? ` — ${o.detail ?? o.examples[0]}; e.g. ${o.examples.join("; ")}` : ""}`,
    );
    outcomes.push(o);
  }
  const acked = outcomes.reduce((a, o) => a + o.acked, 0);
  const lost = outcomes.reduce((a, o) => a + o.lost, 0);
  diagnostic(`${durability}: ${lost} of ${acked} acknowledged writes lost over ${trials} simulated power cuts`);
  return outcomes;
}

test("--durability process: a power cut loses what was never fsync'd (the simulation drops unsynced data)", { skip }, async (t) => {
  const outcomes = await measure("process", (m) => t.diagnostic(m));
  // The control that the shim drops unsynced data. Under --durability process an object's body file is never fsync'd
  // (nor its directory entry), so every trial, which has one acknowledged, loses it. Records are lost only when
  // acknowledged after the last checkpoint (the checkpointer syncs the WAL every ~200 ms while writes go on), so how
  // many depends on where the cut falls.
  for (const o of outcomes) {
    assert.ok(o.lost > 0, `a power cut after writes that were never fsync'd must lose them: the shim is not dropping unsynced data (${o.detail})`);
  }
});

test("--durability power: every acknowledged SQS message and S3 object survives a power cut at a random moment", { skip }, async (t) => {
  const outcomes = await measure("power", (m) => t.diagnostic(m));
  for (const o of outcomes) {
    assert.ok(o.acked > 2, "writes were acknowledged before the cut");
    assert.equal(o.lost, 0, `${o.lost} of ${o.acked} acknowledged writes lost: ${o.examples.join("; ")}`);
  }
});

test("an object whose record survived but whose body file did not answers GetObject 500 InternalError at once", async () => {
  const s = await startTestServer({});
  try {
    const s3 = new S3Client({ ...s.clientConfig(), forcePathStyle: true, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: "lost-bodies" }));
    const blobs = join(s.dataDir, "blobs");
    // Past the size kept as a row in the database (core/blobs.ts INLINE_MAX): a file.
    const Body = "hello, world".repeat(6000);
    const put = async (Key: string) => {
      const before = new Set(readdirSync(blobs));
      await s3.send(new PutObjectCommand({ Bucket: "lost-bodies", Key, Body }));
      return join(blobs, readdirSync(blobs).find((f) => !before.has(f))!);
    };
    // What a power cut leaves: the file's name without its content (never synced), or no file at all.
    writeFileSync(await put("emptied"), "");
    rmSync(await put("gone"));
    for (const [Key, what] of [
      ["emptied", "0 of its 72000 bytes"],
      ["gone", "missing"],
    ]) {
      const e = await s3.send(new GetObjectCommand({ Bucket: "lost-bodies", Key })).then(
        () => assert.fail(`GetObject ${Key} answered`),
        (err: { name: string; message: string; $metadata: { httpStatusCode: number } }) => err,
      );
      assert.equal(e.name, "InternalError");
      assert.equal(e.$metadata.httpStatusCode, 500);
      assert.match(e.message, new RegExp(`this object's content is ${what} in the data dir`));
    }
  } finally {
    await s.close();
  }
});
