// The README's examples run as a newcomer would run them, in the order shown, against a real server: the code is
// read from README.md itself (blocks marked `<!-- example: <name> -->`), so the two cannot drift apart.
//
// Not run here: the set-up and install commands (`npm ci && npm start`, `npm test`, `npm i -D …`,
// `npx stratus start`). The test starts its own server on a random port instead, and every example's
// `http://localhost:4566` is pointed at it; the CLI itself is covered by test/cli/cli.test.ts and installing by
// test/package/.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { IAMClient, GetUserCommand } from "@aws-sdk/client-iam";
import { S3Client, HeadBucketCommand } from "@aws-sdk/client-s3";
import { startTestServer, type TestServer } from "./helpers/server.js";
import { awsClis, type AwsCli } from "./helpers/aws-cli.js";
import { pythonMissing } from "./helpers/python.js";
import {
  assertRan,
  exampleEnv,
  honoursEndpointEnv,
  needsEndpointFromEnv,
  parseBlocks,
  pointAt,
  README_ENDPOINT,
  runMjs,
  runPython,
  ShellSession,
  type Block,
} from "./helpers/readme-examples.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const blocks = parseBlocks(readFileSync(join(REPO, "README.md"), "utf8"));
const examples = blocks.filter((b): b is Block & { name: string } => b.name !== undefined);
const clis = awsClis();
const noBoto3 = pythonMissing();

/** The examples the README must keep, and what each must have done on the server besides printing its promises. */
const EFFECTS: Record<string, (s: TestServer, out: string) => Promise<void>> = {
  async cli(s, out) {
    assert.match(out, /"Arn": "arn:aws:iam::000000000000:user\/alice"/);
    await new IAMClient(s.clientConfig({ accessKeyId: "test" })).send(new GetUserCommand({ UserName: "alice" }));
  },
  async "cli-endpoint-env"(_s, out) {
    assert.match(out, /"UserName": "alice"/);
  },
  async "sdk-v3"(s, out) {
    assert.match(out.trim(), /^arn:aws:iam::000000000000:user\/bob$/);
    await new IAMClient(s.clientConfig({ accessKeyId: "test" })).send(new GetUserCommand({ UserName: "bob" }));
  },
  async boto3(s, out) {
    assert.equal(out.trim(), "hello from boto3");
    await new S3Client({ ...s.clientConfig({ accessKeyId: "test" }), forcePathStyle: true }).send(new HeadBucketCommand({ Bucket: "demo-bucket" }));
  },
};

/** The absolute path of a CLI (the one on PATH is found by name). */
function cliPath(cli: AwsCli): string {
  if (cli.path.startsWith("/")) return cli.path;
  return spawnSync("sh", ["-c", `command -v ${cli.path}`], { encoding: "utf8" }).stdout.trim();
}

/** Why a shell example cannot run with this CLI (or with none), else false. */
function shellSkip(b: Block, cli: AwsCli | undefined): string | false {
  if (!/^\s*aws\s/m.test(b.code)) return false;
  if (!cli) return "no AWS CLI installed";
  if (needsEndpointFromEnv(b.code) && !honoursEndpointEnv(cli.label)) return `${cli.label} ignores AWS_ENDPOINT_URL (needs v2.13+ or v1.29+)`;
  return false;
}

/** A shell session whose `aws` is this CLI. */
function sessionWith(cli: AwsCli | undefined, dir: string): ShellSession {
  const env = exampleEnv();
  if (cli) {
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(cliPath(cli), join(bin, "aws"));
    env.PATH = `${bin}:${env.PATH ?? ""}`;
  }
  return new ShellSession(env, dir);
}

test("the README's code blocks are all accounted for", () => {
  // Every JavaScript and Python block is an example and runs below; shell blocks are commands to type, of which
  // the marked ones run.
  const unmarked = blocks.filter((b) => (b.lang === "js" || b.lang === "python") && !b.name);
  assert.deepEqual(
    unmarked.map((b) => `line ${b.line}`),
    [],
    "mark each with <!-- example: <name> --> so it is run",
  );
  assert.deepEqual(examples.map((e) => e.name).sort(), Object.keys(EFFECTS).sort(), "the README's examples");
  for (const e of examples) {
    assert.notEqual(e.lang, "other", `example '${e.name}' needs a sh, js or python fence`);
    // Endpoints are explicit, so an example never reaches the real AWS by accident.
    assert.ok(e.code.includes(README_ENDPOINT), `example '${e.name}' names ${README_ENDPOINT}`);
  }
});

describe("the README's examples, in order, against one server", { concurrency: 1 }, () => {
  let s: TestServer;
  let dir: string;
  let shell: ShellSession;
  const primary = clis[0];
  before(async () => {
    s = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), "stratus-readme-"));
    shell = sessionWith(primary, dir);
  });
  after(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const e of examples) {
    const skip = e.lang === "sh" ? shellSkip(e, primary) : e.lang === "python" ? noBoto3 : false;
    test(`${e.name} (${e.lang}, README line ${e.line})${e.lang === "sh" && primary ? ` with ${primary.label}` : ""}`, { skip }, async () => {
      const code = pointAt(e.code, s.url);
      assert.doesNotMatch(code, /:4566\b/, "every endpoint points at the test server");
      const r = e.lang === "sh" ? await shell.run(code) : e.lang === "js" ? await runMjs(code, join(REPO, "node_modules")) : await runPython(code);
      assertRan(e, r);
      await EFFECTS[e.name]?.(s, r.stdout);
    });
  }
});

// Each further CLI (Debian's v2 at /usr/bin/aws, when installed) runs the shell examples it can on a server of its own.
for (const cli of clis.slice(1)) {
  test(`the README's shell examples with ${cli.label}`, async (t) => {
    const s = await startTestServer();
    const dir = mkdtempSync(join(tmpdir(), "stratus-readme-"));
    try {
      const shell = sessionWith(cli, dir);
      for (const e of examples.filter((x) => x.lang === "sh")) {
        const skip = shellSkip(e, cli);
        await t.test(e.name, { skip }, async () => {
          const r = await shell.run(pointAt(e.code, s.url));
          assertRan(e, r);
          await EFFECTS[e.name]?.(s, r.stdout);
        });
      }
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("an example that fails, or prints other than it promises, fails its test", async () => {
  const throws: Block = { name: "drift", lang: "js", code: `throw new Error("EntityAlreadyExists");\n`, line: 1 };
  const r = await runMjs(throws.code, join(REPO, "node_modules"));
  assert.throws(() => assertRan(throws, r), /failed \(exit 1\)[\s\S]*EntityAlreadyExists/);

  const says: Block = { name: "drift", lang: "js", code: `console.log("user/carol");\n// → user/bob\n`, line: 1 };
  assert.throws(() => assertRan(says, { code: 0, stdout: "user/carol\n", stderr: "" }), /promises output 'user\/bob'/);

  const dir = mkdtempSync(join(tmpdir(), "stratus-readme-"));
  try {
    const shell = new ShellSession(exampleEnv(), dir);
    const sh: Block = { name: "drift", lang: "sh", code: "false\necho not reached\n", line: 1 };
    assert.throws(() => assertRan(sh, { code: 1, stdout: "", stderr: "" }));
    const ran = await shell.run(sh.code);
    assert.notEqual(ran.code, 0, "sh -e stops at the first failing command");
    assert.equal(ran.stdout, "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
