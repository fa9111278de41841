// The data dir's growth under a queue's steady traffic (`npm run bench -- --only-growth`): 100,000 SQS SendMessage +
// ReceiveMessage + DeleteMessage cycles (AWS JSON 1.0, 8 keep-alive workers, one queue each, 32-byte bodies) on the built
// server with a real data dir. Reported: the data dir's size (database + WAL + other files) during the run and after it
// (once the store's keeper has given free pages back), the messages' own records (1,000 messages left in a queue,
// measured from the database's pages, times the messages sent), the ratio of the two (target ≤ 2×), and the audit
// store's share — Event history holds a record of every call today; with data events out of it (issue 16, point 1)
// that share shrinks and the ratio with it, the figure without it stays as it is. BENCH_GROWTH_CYCLES overrides 100,000.
import { Agent, request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpaceUsage } from "../src/core/store/space.js";
import { startBuilt, type BenchRow } from "./server.js";

const CYCLES = Number(process.env.BENCH_GROWTH_CYCLES) || 100_000;
const WORKERS = 8;
const BODY = "growth bench message body 32 b.."; // 32 bytes
const SAMPLE = 1000;

const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

export async function growthBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "stratus-growth-"));
  // The keeper looks every 2 s here (10 s by default) so the bench need not wait long for it.
  const server = await startBuilt({ ...process.env, STRATUS_SPACE_INTERVAL_MS: "2000" }, { dataDir: dir });
  const port = Number(new URL(server.url).port);
  const agent = new Agent({ keepAlive: true, maxSockets: WORKERS });
  const call = (op: string, body: object) =>
    new Promise<Record<string, unknown>>((ok, fail) => {
      const text = JSON.stringify(body);
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/",
          agent,
          headers: {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": `AmazonSQS.${op}`,
            "content-length": Buffer.byteLength(text),
            authorization: "AWS4-HMAC-SHA256 Credential=test/20300101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
            "x-amz-date": "20300101T000000Z",
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const out = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode !== 200) fail(new Error(`${op}: HTTP ${res.statusCode} ${out}`));
            else ok(out ? (JSON.parse(out) as Record<string, unknown>) : {});
          });
        },
      );
      req.on("error", fail);
      req.end(text);
    });
  // A connection of its own each time (not the workers' agent, nor fetch's pool).
  const usage = () =>
    new Promise<SpaceUsage>((ok, fail) => {
      const req = request({ host: "127.0.0.1", port, path: "/_stratus/usage", agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => ok(JSON.parse(Buffer.concat(chunks).toString("utf8")) as SpaceUsage));
      });
      req.on("error", fail);
      req.end();
    });
  try {
    const urls: string[] = [];
    for (let w = 0; w < WORKERS; w++) urls.push((await call("CreateQueue", { QueueName: `growth-${w}` })).QueueUrl as string);
    // The messages' own records: SAMPLE messages left in a queue, their pages as the usage report splits them.
    const sampleUrl = (await call("CreateQueue", { QueueName: "growth-sample" })).QueueUrl as string;
    const before = (await usage()).byStore["records sqs:messages"] ?? 0;
    for (let i = 0; i < SAMPLE; i++) await call("SendMessage", { QueueUrl: sampleUrl, MessageBody: BODY });
    const perMessage = (((await usage()).byStore["records sqs:messages"] ?? 0) - before) / SAMPLE;
    await call("PurgeQueue", { QueueUrl: sampleUrl });

    const during: number[] = [];
    let peak = 0;
    let done = 0;
    let sampled = 0;
    const started = Date.now();
    const worker = async (url: string) => {
      while (done < CYCLES) {
        done++;
        await call("SendMessage", { QueueUrl: url, MessageBody: BODY });
        const got = (await call("ReceiveMessage", { QueueUrl: url, MaxNumberOfMessages: 1 })).Messages as { ReceiptHandle: string }[] | undefined;
        if (!got?.length) throw new Error("ReceiveMessage returned no message");
        await call("DeleteMessage", { QueueUrl: url, ReceiptHandle: got[0].ReceiptHandle });
        if (done >= sampled + CYCLES / 5) {
          sampled += CYCLES / 5;
          const u = await usage();
          during.push(u.files.total);
          peak = Math.max(peak, u.files.total);
        }
      }
    };
    await Promise.all(urls.map(worker));
    const seconds = (Date.now() - started) / 1000;
    agent.destroy();
    // After: the keeper's steps until it keeps only the free pages it leaves for reuse (waited for, up to 60 s).
    let after = await usage();
    const usageStarted = Date.now();
    after = await usage();
    const usageMs = Date.now() - usageStarted;
    for (let i = 0; i < 60 && after.pages.free > 300; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      after = await usage();
    }
    const records = perMessage * CYCLES;
    const audit = after.byStore["audit events"] ?? 0;
    const ratio = after.files.total / records;
    const ratioWithoutAudit = (after.files.total - audit) / records;
    const rows = Object.entries(after.byService)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([s, b]) => `${s} ${mb(b)}`)
      .join(", ");
    return [
      {
        metric: `SQS send+receive+delete cycles (8 workers, ${BODY.length}-byte bodies)`,
        value: `${CYCLES} in ${seconds.toFixed(0)} s (${((CYCLES * 3) / seconds).toFixed(0)} req/s)`,
        target: "-",
        ok: true,
      },
      { metric: `data dir during the run (every ${CYCLES / 5} cycles)`, value: `${during.map(mb).join(", ")} (peak ${mb(peak)})`, target: "-", ok: true },
      {
        metric: "data dir after (deletes given back)",
        value: `${mb(after.files.total)}: database ${mb(after.files.database)} (${after.pages.free} free pages), WAL ${mb(after.files.wal)}, files ${mb(after.files.other)}; by service ${rows}`,
        target: "-",
        ok: true,
      },
      { metric: "the messages' own records", value: `${perMessage.toFixed(0)} bytes a message × ${CYCLES} = ${mb(records)}`, target: "-", ok: true },
      { metric: "audit store's share of the data dir", value: `${mb(audit)} (${((audit / after.files.total) * 100).toFixed(0)}%)`, target: "-", ok: true },
      { metric: "data dir / the messages' records", value: `${ratio.toFixed(2)}×`, target: "≤ 2×", ok: ratio <= 2 },
      {
        metric: "data dir without the audit store / the messages' records",
        value: `${ratioWithoutAudit.toFixed(2)}×`,
        target: "≤ 2×",
        ok: ratioWithoutAudit <= 2,
      },
      { metric: `stratus status's usage report on this ${mb(after.files.total)} data dir`, value: `${usageMs} ms`, target: "-", ok: true },
    ];
  } finally {
    agent.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
