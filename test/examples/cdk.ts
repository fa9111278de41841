// Running the stock CDK CLI (node_modules/.bin/cdk, unpatched) against a test's Stratus: a temp HOME, no version
// check, no telemetry, the endpoint and region from the environment, and the given keys.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CDK = fileURLToPath(new URL("../../node_modules/.bin/cdk", import.meta.url));

export interface CdkEnv {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CdkResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cdk(args: string[], opts: { cwd: string; env: CdkEnv; home: string; timeoutMs?: number }): Promise<CdkResult> {
  return new Promise((resolve) => {
    execFile(
      CDK,
      [...args, "--no-notices", "--no-color"],
      {
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 180_000,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH,
          HOME: opts.home,
          CDK_DISABLE_VERSION_CHECK: "1",
          CDK_DISABLE_CLI_TELEMETRY: "true",
          AWS_ENDPOINT_URL: opts.env.endpoint,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: opts.env.accessKeyId,
          AWS_SECRET_ACCESS_KEY: opts.env.secretAccessKey,
          AWS_EC2_METADATA_DISABLED: "true",
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The outputs file `cdk deploy --outputs-file` wrote: stack name -> output key -> value. */
export const readOutputs = (file: string): Record<string, Record<string, string>> => JSON.parse(readFileSync(file, "utf8"));
