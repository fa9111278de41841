// The CDK end to end (issue 13, point 7), with the stock CLI against the built server: `cdk deploy` of
// examples/api-queue-app from its synthesized assembly to "✅ deployed", and a `--hotswap` of a change to its API
// function's code. Each figure is the CLI's own "Deployment time" (from "deploying..." to "✅", after its assets are
// published: the part Stratus answers), beside the CLI process's whole run (Node start, reading the assembly,
// publishing the assets, its credentials and role assumption).
//
// The example is copied to a temp dir with the repo's node_modules linked, so its code can change without touching
// the tree. `node --import tsx bench/cdk.ts` runs it alone.
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { freePort, waitHealthy, type BenchRow } from "./server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "stratus.js");
const CDK = join(ROOT, "node_modules", "aws-cdk", "bin", "cdk");
const EXAMPLE = join(ROOT, "examples", "api-queue-app");
const DEPLOY_TARGET_S = 3;
const HOTSWAP_TARGET_S = 1;
const ROUNDS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Run {
  /** The CLI's "✨ Deployment time", in seconds. */
  deployment: number;
  /** The CLI process from spawn to exit, in seconds. */
  wall: number;
  /** The time the server took to answer the CLI's requests (their sum), in seconds. */
  server: number;
  output: string;
}

export async function cdkBench(): Promise<BenchRow[]> {
  const port = await freePort();
  // At log level debug the server prints (to stderr) one line per request with the time it took to answer it.
  const child = spawn(process.execPath, [BIN, "start", "--ephemeral", "--host", "127.0.0.1", "--port", String(port), "--log-level", "debug"], {
    stdio: ["ignore", "ignore", "pipe"],
    cwd: ROOT,
  });
  const log: string[] = [];
  let partial = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    const lines = (partial + c).split("\n");
    partial = lines.pop() ?? "";
    log.push(...lines);
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const endpoint = `http://127.0.0.1:${port}`;
  const work = mkdtempSync(join(tmpdir(), "stratus-bench-cdk-"));
  const app = join(work, "app");
  cpSync(EXAMPLE, app, { recursive: true, filter: (src) => !/[/\\](cdk\.out|node_modules|outputs\.json|cdk\.context\.json)$/.test(src) });
  symlinkSync(join(ROOT, "node_modules"), join(app, "node_modules"), "dir");
  try {
    await waitHealthy(endpoint);
    // An IAM user with an admin policy, as on AWS: the CLI assumes the bootstrap roles with its keys.
    const iam = new IAMClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    await iam.send(new CreateUserCommand({ UserName: "bench-deployer" }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "bench-deployer",
        PolicyName: "admin",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "bench-deployer" }));
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: work,
      CDK_DISABLE_VERSION_CHECK: "1",
      CDK_DISABLE_CLI_TELEMETRY: "true",
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: AccessKey!.AccessKeyId!,
      AWS_SECRET_ACCESS_KEY: AccessKey!.SecretAccessKey!,
      AWS_EC2_METADATA_DISABLED: "true",
    };
    const cdk = (args: string[]): Promise<Run> => {
      const t0 = performance.now();
      const from = log.length;
      return new Promise((resolve, reject) =>
        execFile(
          process.execPath,
          [CDK, ...args, "--no-notices", "--no-color"],
          { cwd: app, env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
          (err, stdout, stderr) => {
            const wall = (performance.now() - t0) / 1000;
            const output = stdout + stderr;
            if (err) return reject(new Error(`cdk ${args.join(" ")}: ${err.message}\n${output.slice(-4000)}`));
            const m = /Deployment time: ([\d.]+)s/.exec(output);
            // The requests the CLI made (the server's own calls between services are inside them, or background
            // work such as a queue's long poll for its event source mapping, and are not counted).
            setTimeout(() => {
              const server = log
                .slice(from)
                .map((l) => /^\[stratus\] AWS \S+ => \d+(?: \S+)? \((\d+) ms\)$/.exec(l))
                .reduce((sum, x) => sum + (x ? Number(x[1]) : 0), 0);
              resolve({ deployment: m ? Number(m[1]) : Number.NaN, wall, server: server / 1000, output });
            }, 100);
          },
        ),
      );
    };
    const code = join(app, "lambda", "api", "index.mjs");
    const original = readFileSync(code, "utf8");

    await cdk(["bootstrap", "aws://000000000000/us-east-1"]);
    await cdk(["synth", "--quiet", "--output", "cdk.out"]);
    // A deploy, then destroy, each round: every deploy creates the whole stack, from the synthesized assembly.
    const deploys: Run[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const d = await cdk(["deploy", "--app", "cdk.out", "--require-approval", "never"]);
      if (!/✅\s+ApiQueueApp/.test(d.output)) throw new Error(`cdk deploy: no "✅ ApiQueueApp" in\n${d.output.slice(-4000)}`);
      deploys.push(d);
      if (r < ROUNDS - 1) await cdk(["destroy", "--app", "cdk.out", "--force"]);
    }
    // Hotswaps of the API function's code, each a new asset synthesized first.
    const swaps: Run[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      writeFileSync(code, `${original}\n// bench round ${r}\n`);
      await cdk(["synth", "--quiet", "--output", "cdk.out"]);
      const h = await cdk(["deploy", "--app", "cdk.out", "--hotswap", "--require-approval", "never"]);
      if (!/hotswapped!/i.test(h.output)) throw new Error(`cdk deploy --hotswap: nothing hotswapped in\n${h.output.slice(-4000)}`);
      swaps.push(h);
    }
    const row = (metric: string, runs: Run[], target: number): BenchRow => {
      const d = median(runs.map((x) => x.deployment));
      const w = median(runs.map((x) => x.wall));
      const server = median(runs.map((x) => x.server));
      return {
        metric,
        value: `${d.toFixed(2)} s (${runs.map((x) => x.deployment.toFixed(2)).join(", ")}); the CLI's whole run ${w.toFixed(2)} s, of which Stratus answering its calls ${(server * 1000).toFixed(0)} ms`,
        target: `≤ ${target} s`,
        ok: d <= target,
      };
    };
    return [
      row(
        `cdk: deploy of examples/api-queue-app (creates its stack) from the synthesized assembly, the CLI's "Deployment time" to ✅, median of ${ROUNDS}`,
        deploys,
        DEPLOY_TARGET_S,
      ),
      row(`cdk: deploy --hotswap of a change to the API function's code, the CLI's "Deployment time", median of ${ROUNDS}`, swaps, HOTSWAP_TARGET_S),
    ];
  } finally {
    child.kill("SIGTERM");
    await exited;
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await cdkBench()) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.ok ? "yes" : "NO"}`);
}
