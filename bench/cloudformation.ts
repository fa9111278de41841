// CloudFormation (issue 11, point 8), against the built server with the real SDK client: a 100-resource stack of
// independent SQS queues and SSM parameters from CreateStack's answer to CREATE_COMPLETE, an update of it that
// changes 10 of them, DescribeStacks by name with 1,000 stacks stored, and a 500-resource template parsed and
// validated (ValidateTemplate: the first call on a fresh server, which loads the parser, and warm calls).
//
// `node --import tsx bench/cloudformation.ts` runs it alone.
import { spawn } from "node:child_process";
import http from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  waitUntilStackCreateComplete,
} from "@aws-sdk/client-cloudformation";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { freePort, waitHealthy, type BenchRow } from "./server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "stratus.js");
const STACK_TARGET_MS = 250;
const UPDATE_TARGET_MS = 150;
const DESCRIBE_TARGET_MS = 2;
const PARSE_TARGET_MS = 100;
const ROUNDS = 5;
const STORED_STACKS = 1000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** 50 queues and 50 parameters, none depending on another; `visibility` changes the first 10 queues. */
function hundred(visibility: number): string {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) resources[`Queue${i}`] = { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: i < 10 ? visibility : 30 } };
  for (let i = 0; i < 50; i++) resources[`Param${i}`] = { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: `value-${i}` } };
  return JSON.stringify({ Resources: resources });
}

/** 500 resources in YAML with short forms, within TemplateBody's 51,200 bytes. */
function fiveHundredYaml(): string {
  let y = "Resources:\n";
  for (let i = 0; i < 250; i++) y += `  Q${i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: ${i}\n`;
  for (let i = 0; i < 250; i++)
    y += `  P${i}:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: !Sub "v-\${AWS::Region}-${i}"\n`;
  return y;
}

/** Polls DescribeStacks every 2 ms until the stack leaves `from`; the elapsed time since `t0`, or throws. */
async function until(cfn: CloudFormationClient, name: string, done: string, t0: number): Promise<number> {
  for (;;) {
    const s = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0];
    if (s.StackStatus === done) return performance.now() - t0;
    if (!s.StackStatus!.endsWith("_IN_PROGRESS")) throw new Error(`${name}: ${s.StackStatus} (${s.StackStatusReason})`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function cloudformationBench(): Promise<BenchRow[]> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "start", "--ephemeral", "--host", "127.0.0.1", "--port", String(port), "--log-level", "error"], {
    stdio: "ignore",
    cwd: ROOT,
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const endpoint = `http://127.0.0.1:${port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const cfn = new CloudFormationClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  });
  const rows: BenchRow[] = [];
  try {
    await waitHealthy(endpoint);
    // The first call on the fresh server: it loads CloudFormation's module, the YAML parser and the type data.
    const yaml = fiveHundredYaml();
    let t = performance.now();
    await cfn.send(new ValidateTemplateCommand({ TemplateBody: yaml }));
    const coldParse = performance.now() - t;
    const warm: number[] = [];
    for (let i = 0; i < 10; i++) {
      t = performance.now();
      await cfn.send(new ValidateTemplateCommand({ TemplateBody: yaml }));
      warm.push(performance.now() - t);
    }
    rows.push({
      metric: "cloudformation: 500-resource YAML template (48 KB), ValidateTemplate round trip, median of 10 (and the first call on a fresh server)",
      value: `${median(warm).toFixed(1)} ms (first call ${coldParse.toFixed(0)} ms, loading the module and parser)`,
      target: `≤ ${PARSE_TARGET_MS} ms`,
      ok: median(warm) <= PARSE_TARGET_MS,
    });

    // A warm-up stack (the SQS and SSM modules load on its first resources), then measured rounds.
    await cfn.send(new CreateStackCommand({ StackName: "bench-warm", TemplateBody: hundred(30) }));
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "bench-warm" });
    const creates: number[] = [];
    const updates: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const name = `bench-${r}`;
      await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: hundred(30) }));
      creates.push(await until(cfn, name, "CREATE_COMPLETE", performance.now()));
      await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: hundred(60) }));
      updates.push(await until(cfn, name, "UPDATE_COMPLETE", performance.now()));
    }
    const c = median(creates);
    const u = median(updates);
    rows.push({
      metric: `cloudformation: 100-resource stack (50 SQS queues, 50 SSM parameters), CreateStack answered → CREATE_COMPLETE, median of ${ROUNDS}`,
      value: `${c.toFixed(0)} ms (${creates.map((x) => x.toFixed(0)).join(", ")})`,
      target: `≤ ${STACK_TARGET_MS} ms`,
      ok: c <= STACK_TARGET_MS,
    });
    rows.push({
      metric: `cloudformation: update of that stack changing 10 queues in place, UpdateStack answered → UPDATE_COMPLETE, median of ${ROUNDS}`,
      value: `${u.toFixed(0)} ms (${updates.map((x) => x.toFixed(0)).join(", ")})`,
      target: `≤ ${UPDATE_TARGET_MS} ms`,
      ok: u <= UPDATE_TARGET_MS,
    });

    // 1,000 stored stacks (one parameter each, 8 at a time), then DescribeStacks by name.
    const one = JSON.stringify({ Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: "v" } } } });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < STORED_STACKS) {
          const name = `stored-${next++}`;
          await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: one }));
          await until(cfn, name, "CREATE_COMPLETE", 0);
        }
      }),
    );
    const lat: number[] = [];
    for (let i = 0; i < 1000; i++) {
      t = performance.now();
      await cfn.send(new DescribeStacksCommand({ StackName: `stored-${(i * 7919) % STORED_STACKS}` }));
      lat.push(performance.now() - t);
    }
    const p50 = median(lat);
    rows.push({
      metric: `cloudformation: DescribeStacks by name with ${STORED_STACKS + ROUNDS + 1} stacks stored, p50 of 1,000 (SDK round trip)`,
      value: `${p50.toFixed(2)} ms (p99 ${[...lat].sort((a, b) => a - b)[989]!.toFixed(2)} ms)`,
      target: `≤ ${DESCRIBE_TARGET_MS} ms`,
      ok: p50 <= DESCRIBE_TARGET_MS,
    });
    return rows;
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
    await exited;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await cloudformationBench()) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.ok ? "yes" : "NO"}`);
}
