// `stratus cdk …`: runs the project's own CDK CLI (aws-cdk, found from the working directory as Node finds a package)
// against a Stratus: the endpoint, the region and credentials are set where the user has not set their own, and the
// CLI's stdio, exit code and Ctrl-C pass through. Nothing is downloaded: without aws-cdk in the project, one line says
// how to install it. Commands that talk to AWS first ask the server's health, so a server that is not running is one
// line at once rather than the CLI's minutes of retries.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CliError } from "./args.js";
import { cdkCredentials } from "./cdk-credentials.js";
import { checkImageAssets, optionValue } from "./cdk-assets.js";
import { getHealth, NotStratus, REFUSED } from "./status.js";

const DEFAULT_ENDPOINT = "http://127.0.0.1:4566";

/** The CLI's commands (and aliases) that call AWS, so need a server: `list`, `synth`, `init`, `--version` do not. */
const NEEDS_SERVER = new Set([
  "bootstrap",
  "deploy",
  "watch",
  "destroy",
  "diff",
  "drift",
  "import",
  "rollback",
  "publish-assets",
  "gc",
  "refactor",
  "orphan",
  "migrate",
  "diagnose",
]);
/** Every command the CLI has (aws-cdk 2.x `cdk --help`), to tell the command from an option's value. */
const COMMANDS = new Set([
  ...NEEDS_SERVER,
  "list",
  "ls",
  "synth",
  "synthesize",
  "flags",
  "validate",
  "metadata",
  "acknowledge",
  "ack",
  "notices",
  "init",
  "context",
  "docs",
  "doc",
  "doctor",
  "explore",
  "lsp",
  "cli-telemetry",
]);

export async function cdk(argv: readonly string[]): Promise<void> {
  const taken = takeEndpoint(argv);
  const { endpointArg } = taken;
  let args = taken.args;
  const endpoint = endpointArg ?? envValue("STRATUS_ENDPOINT") ?? envValue("AWS_ENDPOINT_URL") ?? DEFAULT_ENDPOINT;
  let base: URL;
  try {
    base = new URL(endpoint);
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error();
  } catch {
    throw new CliError(`the endpoint must be an http:// URL, not '${endpoint}'`);
  }
  const bin = findCdkCli(process.cwd());
  // `cdk deploy --help` only prints: it needs no server.
  const helpOnly = args.some((a) => a === "--help" || a === "-h" || a === "--version");
  const command = helpOnly ? undefined : args.find((a) => COMMANDS.has(a));

  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ENDPOINT_URL: endpoint.replace(/\/+$/, "") };
  // An empty AWS_* variable means unset here, and the SDKs would read some (AWS_PROFILE="") as a value.
  for (const k of Object.keys(env)) if (k.startsWith("AWS_") && env[k] === "") delete env[k];
  // The CLI's own calls to the internet (a newer version, telemetry) would only wait for a network Stratus replaces.
  env.CDK_DISABLE_VERSION_CHECK ??= "1";
  env.CDK_DISABLE_CLI_TELEMETRY ??= "true";
  // A profile may carry a region and credentials of its own; otherwise the region is us-east-1, as for the SDKs.
  const profile = envValue("AWS_PROFILE");
  if (!profile && !envValue("AWS_REGION") && !envValue("AWS_DEFAULT_REGION")) env.AWS_REGION = "us-east-1";
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";

  if (command !== undefined && NEEDS_SERVER.has(command)) {
    await probe(base, command);
    if (!profile && !envValue("AWS_ACCESS_KEY_ID")) {
      // The CLI assumes the bootstrap roles, which the root user may not do (AWS's rule, kept by Stratus): it runs
      // as an IAM user of the account instead.
      const c = await cdkCredentials(env.AWS_ENDPOINT_URL as string, region);
      env.AWS_ACCESS_KEY_ID = c.accessKeyId;
      env.AWS_SECRET_ACCESS_KEY = c.secretAccessKey;
      delete env.AWS_SESSION_TOKEN;
    }
    if (command === "deploy") {
      const checked = await checkImageAssets(bin, args, env);
      if (checked.problem) throw new CliError(checked.problem);
      if (checked.synthFailed !== undefined) {
        process.exitCode = checked.synthFailed;
        return;
      }
      args = checked.args;
    }
  } else if (!profile && !envValue("AWS_ACCESS_KEY_ID")) {
    // Synth and list need no server; an account lookup in the app still finds the right account (000000000000).
    env.AWS_ACCESS_KEY_ID = "test";
    env.AWS_SECRET_ACCESS_KEY = "test";
  }

  const code = await runCli(bin, args, env);
  if (code === 0 && command === "deploy") {
    const file = optionValue(args, "outputs-file", "O");
    const where = file ? `the outputs file ${file}, or ` : "";
    process.stderr.write(
      `stratus: the stacks' outputs are in ${where}aws cloudformation describe-stacks --endpoint-url ${env.AWS_ENDPOINT_URL} --region ${region} --query "Stacks[].Outputs"\n`,
    );
  }
  process.exitCode = code;
}

function envValue(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
}

/** `--endpoint <url>` / `--endpoint=<url>` is Stratus's (the CDK CLI has no such option); the rest is the CLI's. */
function takeEndpoint(argv: readonly string[]): { endpointArg: string | undefined; args: string[] } {
  const args: string[] = [];
  let endpointArg: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--endpoint") {
      endpointArg = argv[++i];
      if (endpointArg === undefined || endpointArg.startsWith("-")) throw new CliError("--endpoint needs a value");
    } else if (a.startsWith("--endpoint=")) {
      endpointArg = a.slice("--endpoint=".length);
    } else {
      args.push(a);
    }
  }
  return { endpointArg, args };
}

/** aws-cdk's `cdk` script, from the node_modules of `dir` or of a parent directory (Node's lookup order). */
export function findCdkCli(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const pkgFile = join(d, "node_modules", "aws-cdk", "package.json");
    if (existsSync(pkgFile)) {
      const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { bin?: string | Record<string, string> };
      const rel = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.cdk;
      if (rel && existsSync(join(d, "node_modules", "aws-cdk", rel))) return join(d, "node_modules", "aws-cdk", rel);
    }
    if (dirname(d) === d) break;
  }
  throw new CliError(`no CDK CLI in this project (aws-cdk is not in ${join(resolve(dir), "node_modules")} or a parent's): install it with: npm i -D aws-cdk`);
}

/** One line and exit 1 when no Stratus answers at the endpoint, instead of the CLI's long retries. */
async function probe(base: URL, command: string): Promise<void> {
  const url = base.origin;
  try {
    await getHealth(base);
  } catch (e) {
    if (e instanceof NotStratus) throw new CliError(`the server at ${url} is not Stratus (${e.message}); cdk ${command} needs one`);
    const why = e instanceof Error && e.message !== REFUSED ? `${e.message}; ` : "";
    const local = base.hostname === "127.0.0.1" || base.hostname === "localhost";
    const port = base.port || "80";
    const start = local ? `npx stratus start${port !== "4566" ? ` --port ${port}` : ""}` : "npx stratus start";
    throw new CliError(`no Stratus answering at ${url} for cdk ${command} (${why}start one with: ${start})`);
  }
}

/** Runs the CLI with this Node, stdio inherited; resolves to its exit code (128 + signal number when killed). */
function runCli(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Ctrl-C reaches the CLI too (same process group): it decides how to stop, and its exit code is ours.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  process.on("SIGTERM", ignore);
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: "inherit" });
    const forward = (s: NodeJS.Signals) => child.kill(s);
    process.on("SIGTERM", forward);
    child.on("error", (e) => fail(new CliError(`cannot run the CDK CLI (${bin}): ${e.message}`)));
    child.on("exit", (code, signal) => {
      process.off("SIGINT", ignore);
      process.off("SIGTERM", ignore);
      process.off("SIGTERM", forward);
      const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
      ok(code ?? 128 + (signal ? (signals[signal] ?? 1) : 1));
    });
  });
}
