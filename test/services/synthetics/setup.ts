// Shared by Synthetics' tests: clients for one fresh account, the canary's execution role and artifact bucket, canary
// code zipped in AWS's layout, a local HTTP server for HTTP steps, and a wait for a canary's state or run.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { type CanaryRun, GetCanaryCommand, GetCanaryRunsCommand, SyntheticsClient } from "@aws-sdk/client-synthetics";
import { makeZip } from "../../helpers/zip.js";
import { randomAccount, type TestServer } from "../../helpers/server.js";
import { WAIT_MS, waitUntil } from "../../helpers/wait.js";

export interface Clients {
  account: string;
  syn: SyntheticsClient;
  iam: IAMClient;
  s3: S3Client;
  lambda: LambdaClient;
  cw: CloudWatchClient;
}

export function clients(server: Pick<TestServer, "clientConfig">, account = randomAccount()): Clients {
  const cfg = server.clientConfig({ account });
  return {
    account,
    syn: new SyntheticsClient(cfg),
    iam: new IAMClient(cfg),
    s3: new S3Client({ ...cfg, forcePathStyle: true }),
    lambda: new LambdaClient(cfg),
    cw: new CloudWatchClient(cfg),
  };
}

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The execution role (trusting Lambda, as a canary's must) and the artifact bucket. */
export async function prepare(c: Clients, bucket = `artifacts-${c.account}`): Promise<{ role: string; bucket: string }> {
  const { Role } = await c.iam.send(new CreateRoleCommand({ RoleName: "canary-role", AssumeRolePolicyDocument: TRUST }));
  await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return { role: Role!.Arn!, bucket };
}

/** A Node.js canary's zip: the script at nodejs/node_modules/<file>.js, as AWS lays it out. */
export const nodeZip = (file: string, script: string): Buffer => makeZip({ [`nodejs/node_modules/${file}.js`]: script });
/** A Python canary's zip: python/<file>.py. */
export const pythonZip = (file: string, script: string): Buffer => makeZip({ [`python/${file}.py`]: script });

/** A local HTTP server: /ok answers 200, /missing 404, /broken 500. */
export async function target(): Promise<{ port: number; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} ${req.headers["user-agent"] ?? ""}`);
    res.statusCode = req.url === "/ok" ? 200 : req.url === "/broken" ? 500 : 404;
    res.end(req.url);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function waitForState(c: Clients, name: string, state: string, ms = WAIT_MS * 3): Promise<void> {
  let last = "";
  await waitUntil(
    async () => {
      last = (await c.syn.send(new GetCanaryCommand({ Name: name }))).Canary?.Status?.State ?? "";
      return last === state;
    },
    `canary ${name} to be ${state} (last ${last})`,
    ms,
    50,
  );
}

/** Waits until the canary has `n` completed runs; returns them, newest first. */
export async function completedRuns(c: Clients, name: string, n = 1, ms = WAIT_MS * 3): Promise<CanaryRun[]> {
  let runs: CanaryRun[] = [];
  await waitUntil(
    async () => {
      runs = (await c.syn.send(new GetCanaryRunsCommand({ Name: name }))).CanaryRuns ?? [];
      return runs.filter((r) => r.Status?.State !== "RUNNING").length >= n;
    },
    `${n} completed runs of ${name}`,
    ms,
    50,
  );
  return runs;
}
