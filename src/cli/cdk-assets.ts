// Docker image assets and `stratus cdk deploy`: an image asset is built by a container engine (Docker, or what
// CDK_DOCKER names) and pushed to ECR. When no engine answers, `deploy` synthesizes first, reads the cloud assembly's
// asset manifests (`*.assets.json`, `dockerImages`) and refuses before anything is published or deployed, naming
// each image asset; otherwise it deploys the assembly it just synthesized (`--app <dir>`), so the app runs once.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Options that pick the app or where it synthesizes to: the deploy reads the synthesized assembly instead. */
const APP_OPTIONS = [
  ["app", "a"],
  ["output", "o"],
  ["build", undefined],
] as const;

export interface Checked {
  /** Why the deploy must not run, or undefined. */
  problem?: string;
  /** The CLI's arguments for the deploy (the assembly already synthesized), or the user's when nothing was done. */
  args: string[];
  /** The synth's exit code when it failed (its stderr has been shown). */
  synthFailed?: number;
}

/** Whether a container engine answers: `<CDK_DOCKER or docker> version` exits 0 only when its daemon does. */
export function containerEngine(env: NodeJS.ProcessEnv): { ok: boolean; cmd: string; why: string } {
  const cmd = env.CDK_DOCKER || "docker";
  const r = spawnSync(cmd, ["version"], { env, timeout: 15_000, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (r.error) return { ok: false, cmd, why: (r.error as NodeJS.ErrnoException).code === "ENOENT" ? `no '${cmd}' command` : r.error.message };
  const last = (r.stderr ?? "").trim().split("\n").filter(Boolean).pop();
  return { ok: r.status === 0, cmd, why: last ?? `'${cmd} version' exited ${r.status}` };
}

export async function checkImageAssets(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Checked> {
  const engine = containerEngine(env);
  if (engine.ok) return { args: [...args] };
  const out = resolve(optionValue(args, "output", "o") ?? configuredOutput() ?? "cdk.out");
  // The same arguments with `synth`: options only deploy knows are ignored by synth (with a warning we do not show).
  const i = args.indexOf("deploy");
  const synthArgs = [...args.slice(0, i), "synth", "--quiet", ...args.slice(i + 1)];
  const code = await synth(bin, synthArgs, env);
  if (code !== 0) return { args: [...args], synthFailed: code };
  const { patterns, exclusively } = stackPatterns(args);
  const images = imageAssets(out, patterns, exclusively);
  if (images.length > 0) {
    const names = images.map((a) => `${a.stack}: ${a.name}`).join(", ");
    return {
      args: [...args],
      problem:
        `cannot deploy: the app has Docker image assets (${names}), and image assets need a container engine to build ` +
        `them (Docker, or the command CDK_DOCKER names); none answers here (${engine.why}). Nothing was published or deployed`,
    };
  }
  return { args: [...withoutAppOptions(args), "--app", out] };
}

/** The value of `--name v`, `--name=v` or `-x v` among the CLI's arguments. */
export function optionValue(args: readonly string[], name: string, alias?: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}` || (alias && args[i] === `-${alias}`)) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

/** cdk.json's "output", if it sets one. */
function configuredOutput(): string | undefined {
  try {
    const o = (JSON.parse(readFileSync("cdk.json", "utf8")) as { output?: unknown }).output;
    return typeof o === "string" ? o : undefined;
  } catch {
    return undefined;
  }
}

function withoutAppOptions(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const opt = APP_OPTIONS.find(([long, short]) => a === `--${long}` || (short && a === `-${short}`));
    if (opt) {
      i++;
      continue;
    }
    if (APP_OPTIONS.some(([long]) => a.startsWith(`--${long}=`))) continue;
    out.push(a);
  }
  return out;
}

/** Runs `cdk synth --quiet …`; its stderr is shown only if it fails (it warns about deploy's options otherwise). */
function synth(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["inherit", "ignore", "pipe"] });
    let err = "";
    child.stderr!.on("data", (c: Buffer) => (err += c));
    child.on("error", () => ok(1));
    child.on("exit", (code) => {
      if (code !== 0) process.stderr.write(err);
      ok(code ?? 1);
    });
  });
}

interface ImageAsset {
  stack: string;
  name: string;
}

interface Artifact {
  type?: string;
  displayName?: string;
  dependencies?: string[];
  properties?: { file?: string; directoryName?: string };
}

/** A stack of the assembly (or a nested one): its path as `cdk list` shows it, what it needs, its image assets. */
interface StackInfo {
  id: string;
  path: string;
  dependencies: string[];
  images: string[];
}

function readStacks(dir: string, into: Map<string, StackInfo>): void {
  const manifestFile = join(dir, "manifest.json");
  if (!existsSync(manifestFile)) return;
  const artifacts = (JSON.parse(readFileSync(manifestFile, "utf8")) as { artifacts?: Record<string, Artifact> }).artifacts ?? {};
  for (const [id, art] of Object.entries(artifacts)) {
    if (art.type === "cdk:cloud-assembly" && art.properties?.directoryName) readStacks(join(dir, art.properties.directoryName), into);
    if (art.type !== "aws:cloudformation:stack") continue;
    const images: string[] = [];
    for (const dep of art.dependencies ?? []) {
      const a = artifacts[dep];
      if (a?.type !== "cdk:asset-manifest" || !a.properties?.file) continue;
      const assets = JSON.parse(readFileSync(join(dir, a.properties.file), "utf8")) as { dockerImages?: Record<string, { displayName?: string }> };
      for (const [hash, image] of Object.entries(assets.dockerImages ?? {})) images.push(image.displayName ?? hash);
    }
    into.set(id, { id, path: art.displayName ?? id, dependencies: art.dependencies ?? [], images });
  }
}

/** A stack pattern of the CLI's as a RegExp: `*` within one path segment, `**` across them, `?` one character. */
function patternRegExp(p: string): RegExp {
  const body = p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*|\*|\?/g, (m) => (m === "**" ? ".*" : m === "*" ? "[^/]*" : "."));
  return new RegExp(`^${body}$`);
}

/**
 * The Docker image assets of the stacks `deploy` would deploy: those its patterns select (all without patterns or
 * with --all) and, unless --exclusively, the stacks they depend on.
 */
export function imageAssets(dir: string, patterns: readonly string[] = [], exclusively = false): ImageAsset[] {
  const stacks = new Map<string, StackInfo>();
  readStacks(dir, stacks);
  const res = patterns.map(patternRegExp);
  const chosen = [...stacks.values()].filter((s) => res.length === 0 || res.some((r) => r.test(s.path) || r.test(s.id)));
  const seen = new Set<string>();
  const queue = [...chosen];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    if (!exclusively) for (const d of s.dependencies) if (stacks.has(d)) queue.push(stacks.get(d)!);
  }
  return [...seen].flatMap((id) => stacks.get(id)!.images.map((name) => ({ stack: stacks.get(id)!.path, name })));
}

/** Deploy's options that take a value (aws-cdk 2.x `cdk deploy --help`): their values are not stack patterns. */
const VALUE_OPTIONS = new Set(
  (
    "app a build context c plugin p profile region proxy ca-bundle-path role-arn r output o unstable telemetry-file " +
    "build-exclude E require-approval notification-arns rollback-trigger-alarm-arns monitoring-time-minutes tags t " +
    "change-set-name method m parameters outputs-file O toolkit-stack-name progress concurrency asset-build-concurrency " +
    "hotswap-ecs-minimum-healthy-percent hotswap-ecs-maximum-healthy-percent hotswap-ecs-stabilization-timeout-seconds"
  ).split(" "),
);

/** The stack patterns among deploy's arguments (after the command; values of options and `k=v` left out). */
export function stackPatterns(args: readonly string[]): { patterns: string[]; all: boolean; exclusively: boolean } {
  const patterns: string[] = [];
  let all = false;
  let exclusively = false;
  const start = args.indexOf("deploy") + 1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("-")) {
      const name = a.replace(/^--?/, "").split("=")[0];
      if (name === "all") all = !a.endsWith("=false");
      if (name === "exclusively" || name === "e") exclusively = !a.endsWith("=false");
      if (!a.includes("=") && VALUE_OPTIONS.has(name)) i++;
      continue;
    }
    if (i >= start && !a.includes("=")) patterns.push(a);
  }
  return { patterns: all ? [] : patterns, all, exclusively };
}
