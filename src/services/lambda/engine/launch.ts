// How each runtime starts here: Node.js functions on the local node with Stratus's runtime client, Python
// on the local python3 with ours, custom runtimes from their own `bootstrap`. The environment is AWS's
// standard one, plus AWS_ENDPOINT_URL and the execution role's credentials so an SDK inside talks to Stratus, and
// _STRATUS_ENDPOINTS for the runtime clients' routing of https requests to Stratus's own URLs (stratusEndpoints).
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { packageRoot } from "../../../core/paths.js";
import type { FunctionConfiguration } from "../api.generated.js";
import { InvalidRuntimeException } from "../api.generated.js";
import { runtimeInfo } from "../runtimes.js";
import type { PreparedCode } from "./code-cache.js";
import type { LaunchSpec } from "./instance.js";

export interface LaunchContext {
  config: FunctionConfiguration;
  code: PreparedCode;
  region: string;
  logGroup: string;
  logStream: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

const versionOf = (command: string): string | null => {
  try {
    return execFileSync(command, ["-c", "import sys;print('%d.%d'%sys.version_info[:2])"], {
      encoding: "utf8",
      timeout: 10_000,
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
};

const pythons = new Map<string, { command: string; version: string } | null>();
/**
 * The Python a runtime runs on: `python3.X` when this machine has that exact version on its PATH, else the
 * local `python3` (STRATUS_LAMBDA_PYTHON overrides both); null when there is none. Asked once per version.
 */
export function pythonFor(wanted: string): { command: string; version: string } | null {
  let found = pythons.get(wanted);
  if (found === undefined) {
    const forced = process.env.STRATUS_LAMBDA_PYTHON;
    const exact = forced ? null : versionOf(`python${wanted}`);
    if (exact === wanted) found = { command: `python${wanted}`, version: wanted };
    else {
      const command = forced ?? "python3";
      const version = versionOf(command);
      found = version ? { command, version } : null;
    }
    pythons.set(wanted, found);
  }
  return found;
}

const localNode = () => process.versions.node.split(".")[0]!;

const newer = (a: string, b: string) => {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

/** A line for the function's log when the local language version is older than the runtime asks for. */
export function versionWarning(runtime: string | undefined): string | undefined {
  const info = runtimeInfo(runtime);
  if (info.kind === "node" && newer(info.version!, localNode())) {
    return `Stratus: ${runtime} asks for Node.js ${info.version}; this machine runs Node.js ${process.versions.node}, which the function runs on.`;
  }
  if (info.kind === "python") {
    const local = pythonFor(info.version!)?.version;
    if (local && newer(info.version!, local))
      return `Stratus: ${runtime} asks for Python ${info.version}; this machine runs Python ${local}, which the function runs on.`;
  }
  return undefined;
}

const cannotRun = (runtime: string, why: string) =>
  new InvalidRuntimeException(`Stratus cannot run the runtime ${runtime} on this machine: ${why}`, { Type: "User" });

/** Container images cannot run here (no Docker): Invoke says so, naming it. */
export function assertNotImage(c: FunctionConfiguration): void {
  if (c.PackageType === "Image") {
    throw cannotRun(
      "container image",
      "container images need Docker, which Stratus does not use; package the function as a zip with a Node.js, Python or custom (provided.al2023) runtime",
    );
  }
}

/**
 * The plain-HTTP base URLs Stratus hands out its own URLs under (the URL it listens on, and STRATUS_PUBLIC_URL, which
 * custom resources' ResponseURLs use when set), space-separated. Stratus's Node.js and Python runtime clients send an
 * https request for a `/_stratus/` path on one of these hosts (port 443 or the endpoint's own) to that base URL over
 * plain HTTP: code written for AWS
 * rebuilds such a URL from its hostname and path alone (the CDK's custom resource handlers: `https.request({ hostname,
 * path })`, port 443), and that request could reach nothing else. Every other request is untouched.
 */
export function stratusEndpoints(endpoint: string): string {
  const urls = new Set<string>();
  for (const u of [endpoint, process.env.STRATUS_PUBLIC_URL]) {
    if (!u) continue;
    try {
      const url = new URL(u);
      if (url.protocol === "http:") urls.add(`http://${url.host}`);
    } catch {
      // Not a URL: nothing to route to.
    }
  }
  return [...urls].join(" ");
}

export function launchSpec(lc: LaunchContext): LaunchSpec {
  const c = lc.config;
  const runtime = c.Runtime ?? "";
  assertNotImage(c);
  const info = runtimeInfo(runtime);
  const { taskRoot, optDir } = lc.code;
  const memory = c.MemorySize ?? 128;
  const env: Record<string, string> = {
    PATH: [join(optDir, "bin"), process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"].join(delimiter),
    LD_LIBRARY_PATH: [join(optDir, "lib"), process.env.LD_LIBRARY_PATH].filter(Boolean).join(delimiter),
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    HOME: process.env.HOME ?? taskRoot,
    _HANDLER: c.Handler ?? "",
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: join(packageRoot, "runtimes"),
    AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: c.FunctionName ?? "",
    AWS_LAMBDA_FUNCTION_VERSION: c.Version ?? "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
    AWS_LAMBDA_LOG_GROUP_NAME: lc.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: lc.logStream,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_REGION: lc.region,
    AWS_DEFAULT_REGION: lc.region,
    AWS_ACCESS_KEY_ID: lc.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: lc.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: lc.credentials.sessionToken,
    AWS_ENDPOINT_URL: lc.endpoint,
    AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
    AWS_LAMBDA_LOG_FORMAT: c.LoggingConfig?.LogFormat ?? "Text",
    ...(c.LoggingConfig?.LogFormat === "JSON" && c.LoggingConfig.ApplicationLogLevel ? { AWS_LAMBDA_LOG_LEVEL: c.LoggingConfig.ApplicationLogLevel } : {}),
    ...(c.Environment?.Variables ?? {}),
    _STRATUS_ENDPOINTS: stratusEndpoints(lc.endpoint),
  };
  switch (info.kind) {
    case "node": {
      env.NODE_PATH = [join(optDir, "nodejs", `node${info.version}`, "node_modules"), join(optDir, "nodejs", "node_modules"), taskRoot].join(delimiter);
      // No heap-size flag: any V8 flag makes Node skip its built-in code cache (~30 ms more per cold start). The
      // memory watcher holds the function to MemorySize instead (Runtime.OutOfMemory), whatever uses the memory.
      return atOpt({ command: process.execPath, args: [join(packageRoot, "runtimes", "node", "index.mjs")], cwd: taskRoot, env, markers: true }, optDir);
    }
    case "python": {
      const python = pythonFor(info.version!);
      if (!python) throw cannotRun(runtime, "python3 is not installed");
      env.PYTHONPATH = [taskRoot, join(optDir, "python"), join(optDir, "python", "lib", `python${info.version}`, "site-packages")].join(delimiter);
      env.PYTHONUNBUFFERED = "1";
      return atOpt(
        { command: python.command, args: ["-u", join(packageRoot, "runtimes", "python", "bootstrap.py")], cwd: taskRoot, env, markers: true },
        optDir,
        python.command,
      );
    }
    case "provided": {
      const bootstrap = [join(taskRoot, "bootstrap"), join(optDir, "bootstrap")].find((p) => existsSync(p));
      if (!bootstrap) throw cannotRun(runtime, "the function has no bootstrap file (in its code or a layer)");
      try {
        accessSync(bootstrap, constants.X_OK);
      } catch {
        throw cannotRun(runtime, "its bootstrap file is not executable (set mode 755 in the zip)");
      }
      return atOpt({ command: bootstrap, args: [], cwd: taskRoot, env, markers: false }, optDir);
    }
    default:
      throw cannotRun(runtime, "only Node.js, Python and custom (provided.al2, provided.al2023) runtimes run locally");
  }
}

let canMount: boolean | undefined;
/** Whether this machine lets an unprivileged process mount in a namespace of its own (`unshare -rm`); asked once. */
export function optMountAvailable(): boolean {
  if (canMount === undefined) {
    canMount = false;
    if (process.platform === "linux" && process.env.STRATUS_LAMBDA_OPT_MOUNT !== "off") {
      try {
        canMount =
          statSync("/opt").isDirectory() &&
          spawnSync("unshare", ["-rm", "sh", "-c", 'mount --bind "$0" /opt', packageRoot], { stdio: "ignore", timeout: 5000 }).status === 0;
      } catch {
        canMount = false;
      }
    }
  }
  return canMount;
}

/** Whether a path lies under /opt (then mounting the layers over /opt would hide it from the function). */
const underOpt = (p: string) => {
  try {
    const real = realpathSync(p);
    return real === "/opt" || real.startsWith("/opt/");
  } catch {
    return false;
  }
};

/**
 * Where the machine allows it (Linux with unprivileged mount namespaces), the function's merged layers are
 * mounted at /opt in a mount namespace of its own, as on AWS, so code that opens /opt/... finds them; nothing
 * changes for the rest of the machine. Skipped when Stratus, its data or the interpreter itself live under /opt.
 */
function atOpt(spec: LaunchSpec, optDir: string, interpreter?: string): LaunchSpec {
  if (!optMountAvailable()) return spec;
  const which = interpreter && !interpreter.includes("/") ? whichSync(interpreter) : interpreter;
  if ([packageRoot, optDir, spec.cwd, process.execPath, spec.command, ...(which ? [which] : [])].some(underOpt)) return spec;
  return { ...spec, command: "unshare", args: ["-rm", "sh", "-c", 'mount --bind "$0" /opt && exec "$@"', optDir, spec.command, ...spec.args] };
}

function whichSync(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(dir, command);
    if (existsSync(p)) return p;
  }
  return undefined;
}
