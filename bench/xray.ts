// X-Ray against the built server (issue 15, point 13): segments over UDP to the local daemon from a raw socket, in
// batches at a paced rate, counted stored vs sent (each its own trace: web → one of 10 services → DynamoDB, with
// annotations); then how soon a new trace's segment is visible to GetTraceSummaries after its datagram; then
// GetTraceSummaries with an annotation filter and GetServiceGraph over the 100,000 stored traces.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetServiceGraphCommand, GetTraceSummariesCommand, XRayClient } from "@aws-sdk/client-xray";
import { freePort, waitHealthy, type BenchRow } from "./server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// STRATUS_BENCH_ROOT=<dir> measures another build (a copy of main's dist/ and bin/, say) with this same script.
const BIN = join(process.env.STRATUS_BENCH_ROOT || ROOT, "bin", "stratus.js");
const TRACES = 100_000;
const RATE = 25_000; // segments/s offered
const TICK_MS = 10;
const RATE_TARGET = 20_000;
const VISIBLE_TARGET_MS = 500;
const QUERY_TARGET_MS = 300;
const HEADER = '{"format": "json", "version": 1}\n';

const hex = (n: number) => randomBytes(n / 2).toString("hex");
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

function segment(i: number, now: number): string {
  const tid = `1-${Math.floor(now).toString(16)}-${hex(24)}`;
  const start = now - 1 + (i % 1000) / 1000;
  return (
    HEADER +
    JSON.stringify({
      name: "web",
      id: hex(16),
      trace_id: tid,
      start_time: start,
      end_time: start + 0.05 + (i % 7) / 100,
      http: { request: { method: "GET", url: `https://shop.example.com/item/${i % 100}` }, response: { status: i % 50 ? 200 : 500 } },
      ...(i % 50 ? {} : { fault: true }),
      annotations: { customer: `c${i % 1000}`, tier: i % 3 ? "gold" : "silver" },
      subsegments: [
        {
          name: `svc${i % 10}`,
          id: hex(16),
          namespace: "remote",
          start_time: start + 0.01,
          end_time: start + 0.04,
          http: { request: { url: `http://svc${i % 10}.internal/x` } },
        },
        { name: "DynamoDB", id: hex(16), namespace: "aws", start_time: start + 0.041, end_time: start + 0.045, aws: { operation: "GetItem" } },
      ],
    })
  );
}

/** The process's CPU time so far (user + system, ms) from /proc; undefined where there is none (not Linux). */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

async function counters(url: string): Promise<{ received: number; stored: number; badHeader: number; badSegment: number }> {
  return (await (await fetch(`${url}/_stratus/xray/daemon`)).json()) as { received: number; stored: number; badHeader: number; badSegment: number };
}

/** Sends the datagrams to `port` at RATE, in a tick every TICK_MS; resolves when the last is handed to the socket. */
async function paced(datagrams: Buffer[], port: number): Promise<number> {
  const sock = createSocket("udp4");
  const perTick = (RATE * TICK_MS) / 1000;
  const t0 = performance.now();
  for (let sent = 0, tick = 0; sent < datagrams.length; tick++) {
    const wait = t0 + tick * TICK_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const end = Math.min(datagrams.length, sent + perTick);
    for (; sent < end; sent++) sock.send(datagrams[sent], port, "127.0.0.1");
  }
  await new Promise<void>((r) => sock.send("", port, "127.0.0.1", () => r()));
  sock.close();
  return t0;
}

/**
 * The floor, in the same conditions: a bare node process that only counts the datagrams it receives (same socket
 * buffer), sent the same way. What it misses, the machine lost, not Stratus.
 */
async function bareReceiver(datagrams: Buffer[]): Promise<number> {
  const port = await freePort();
  const script = `const s=require("node:dgram").createSocket("udp4");let n=0;s.on("message",(m)=>{if(m.length)n++;});s.bind(${port},"127.0.0.1",()=>{try{s.setRecvBufferSize(8<<20)}catch{};process.stdout.write("ready\\n")});process.on("message",()=>{process.send(n,()=>process.exit(0))});`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "ignore", "ipc"] });
  await new Promise<void>((r) => child.stdout!.once("data", () => r()));
  await paced(datagrams, port);
  await new Promise((r) => setTimeout(r, 500));
  return new Promise<number>((r) => {
    child.once("message", (n) => r(Number(n)));
    child.send("count");
  });
}

export async function xrayBench(): Promise<BenchRow[]> {
  const port = await freePort();
  const daemonPort = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, "start", "--ephemeral", "--port", String(port), "--xray-daemon-port", String(daemonPort), "--log-level", "error"],
    { stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  const rows: BenchRow[] = [];
  try {
    await waitHealthy(url);
    const client = new XRayClient({
      endpoint: url,
      region: "us-east-1",
      credentials: { accessKeyId: "000000000000", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    await client.send(new GetTraceSummariesCommand({ StartTime: new Date(), EndTime: new Date() })); // X-Ray loaded
    const now = Date.now() / 1000;
    // Datagrams built before the clock starts, so the figure is the server's.
    const datagrams = Array.from({ length: TRACES }, (_, i) => Buffer.from(segment(i, now)));
    const floor = await bareReceiver(datagrams.slice(0, TRACES / 2));
    rows.push({
      metric: `UDP floor: a bare node receiver, ${(TRACES / 2).toLocaleString("en-US")} datagrams at ${RATE.toLocaleString("en-US")}/s (same machine, same moment)`,
      value: `${floor}/${TRACES / 2} received, ${TRACES / 2 - floor} lost`,
      target: "(baseline)",
      ok: true,
    });
    const cpu0 = cpuMs(child.pid);
    const t0 = await paced(datagrams, daemonPort);
    const sock = createSocket("udp4");
    // Stored: accepted by the daemon and written (the last batch flushed: its trace is visible). Received counts the
    // empty datagram paced() ends with too (TRACES + 1 sent).
    let c = await counters(url);
    const deadline = Date.now() + 60_000;
    while (c.received < TRACES && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      const next = await counters(url);
      if (next.received === c.received && performance.now() - t0 > (TRACES / RATE) * 1000 + 2000) {
        c = next;
        break;
      }
      c = next;
    }
    const window = { StartTime: new Date((now - 120) * 1000), EndTime: new Date((now + 120) * 1000) };
    const probeAll = async () => {
      for (;;) {
        const r = await client.send(new GetTraceSummariesCommand({ ...window, FilterExpression: 'annotation.customer = "c999"' }));
        if ((r.TracesProcessedCount ?? 0) >= c.stored) return;
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    await probeAll();
    const seconds = (performance.now() - t0) / 1000;
    const rate = Math.round(c.stored / seconds);
    const cpu1 = cpuMs(child.pid);
    rows.push({
      metric: `X-Ray daemon: ${TRACES.toLocaleString("en-US")} segments over UDP at ${RATE.toLocaleString("en-US")}/s offered`,
      value: `${rate.toLocaleString("en-US")} segments/s stored; ${c.stored}/${TRACES} stored, ${TRACES + 1 - c.received} lost`,
      target: `≥ ${RATE_TARGET.toLocaleString("en-US")}/s, no loss`,
      ok: rate >= RATE_TARGET && c.stored === TRACES,
    });
    // The server's CPU per stored segment (all its threads, the probe's queries included): steadier than the rate
    // when other work shares the cores.
    if (cpu0 !== undefined && cpu1 !== undefined)
      rows.push({
        metric: "X-Ray daemon: server CPU per segment stored (user + system, all threads)",
        value: `${(((cpu1 - cpu0) * 1000) / c.stored).toFixed(0)} µs`,
        target: "(lower is better)",
        ok: true,
      });

    // Visibility: one new trace's datagram, then GetTraceSummaries polled until it shows.
    const lags: number[] = [];
    for (let k = 0; k < 5; k++) {
      const at = Date.now() / 1000;
      const probe = `probe${k}`;
      const doc =
        HEADER +
        JSON.stringify({
          name: "probe",
          id: hex(16),
          trace_id: `1-${Math.floor(at).toString(16)}-${hex(24)}`,
          start_time: at,
          end_time: at + 0.001,
          annotations: { probe },
        });
      const s0 = performance.now();
      sock.send(doc, daemonPort, "127.0.0.1");
      for (;;) {
        const r = await client.send(
          new GetTraceSummariesCommand({
            StartTime: new Date((at - 5) * 1000),
            EndTime: new Date((at + 5) * 1000),
            FilterExpression: `annotation.probe = "${probe}"`,
          }),
        );
        if (r.TraceSummaries?.length) break;
        await new Promise((res) => setTimeout(res, 5));
      }
      lags.push(performance.now() - s0);
    }
    sock.close();
    rows.push({
      metric: "X-Ray: a trace visible to GetTraceSummaries after its datagram (5 probes)",
      value: `median ${median(lags).toFixed(0)} ms, max ${Math.max(...lags).toFixed(0)} ms`,
      target: `≤ ${VISIBLE_TARGET_MS} ms`,
      ok: Math.max(...lags) <= VISIBLE_TARGET_MS,
    });

    const timed = async (f: () => Promise<unknown>) => {
      const ts: number[] = [];
      for (let k = 0; k < 5; k++) {
        const s0 = performance.now();
        await f();
        ts.push(performance.now() - s0);
      }
      return median(ts);
    };
    let matched = 0;
    const summaries = await timed(async () => {
      const r = await client.send(
        new GetTraceSummariesCommand({ ...window, FilterExpression: 'annotation.customer = "c7" AND service("svc7.internal") { ok }' }),
      );
      matched = r.TraceSummaries?.length ?? 0;
    });
    rows.push({
      metric: `X-Ray: GetTraceSummaries, annotation filter, over ${TRACES.toLocaleString("en-US")} traces (median of 5; ${matched} matched)`,
      value: `${summaries.toFixed(0)} ms`,
      target: `≤ ${QUERY_TARGET_MS} ms`,
      ok: summaries <= QUERY_TARGET_MS,
    });
    let services = 0;
    const graph = await timed(async () => {
      services = (await client.send(new GetServiceGraphCommand(window))).Services?.length ?? 0;
    });
    rows.push({
      metric: `X-Ray: GetServiceGraph over ${TRACES.toLocaleString("en-US")} traces (median of 5; ${services} nodes)`,
      value: `${graph.toFixed(0)} ms`,
      target: `≤ ${QUERY_TARGET_MS} ms`,
      ok: graph <= QUERY_TARGET_MS,
    });
    return rows;
  } finally {
    child.kill("SIGKILL");
  }
}
