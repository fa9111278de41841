// The AWS CLIs on this machine (v1 from pip/pyenv on PATH, v2 from Debian's awscli in /usr/bin), and a way
// to run one against a test server without blocking it (the server runs in the test's own process).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export interface AwsCli {
  /** e.g. "aws-cli/1.45.11" */
  label: string;
  path: string;
}

function versionOf(path: string): string | undefined {
  const r = spawnSync(path, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  return /aws-cli\/[\d.]+/.exec(`${r.stdout} ${r.stderr}`)?.[0];
}

let found: AwsCli[] | undefined;

/** Every distinct AWS CLI installed: each conformance scenario runs once per CLI major version. */
export function awsClis(): AwsCli[] {
  if (found) return found;
  found = [];
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

/** Runs `aws --endpoint-url <url> --region us-east-1 --output json …` with only the given credentials. */
export function runAws(cli: AwsCli, endpoint: string, args: string[], creds: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_PAGER: "",
      ...creds,
    };
    const child = spawn(cli.path, ["--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json", ...args], { env });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
