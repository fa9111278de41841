// X-Ray's traces survive kill -9: segments acknowledged by PutTraceSegments and those the daemon took over UDP (once
// visible) are in the store, with their groups, after a restart of `stratus start` on the same data dir. A second
// server whose daemon port is taken warns and starts anyway. Needs `npm run build` (it spawns bin/stratus.js).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchGetTracesCommand,
  CreateGroupCommand,
  GetGroupCommand,
  GetTraceSummariesCommand,
  PutTraceSegmentsCommand,
  XRayClient,
} from "@aws-sdk/client-xray";
import { cliClientConfig, freePort, killAll, startCli } from "../../cli/spawn.js";
import { eventually } from "../../helpers/wait.js";
import { hex, traceId } from "./segments.js";

after(killAll);

test("kill -9: API and daemon segments and groups survive; a daemon port in use is a warning", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-xray-"));
  const daemonPort = await freePort();
  try {
    let s = await startCli(["--port", "0", "--data-dir", dataDir, "--xray-daemon-port", String(daemonPort)]);
    let xray = new XRayClient(cliClientConfig(s.url, "000000000000"));
    const now = Date.now() / 1000;
    const apiTrace = traceId(now);
    const udpTrace = traceId(now);
    await xray.send(
      new PutTraceSegmentsCommand({
        TraceSegmentDocuments: [
          JSON.stringify({ name: "api", id: hex(16), trace_id: apiTrace, start_time: now, end_time: now + 0.2, annotations: { k: "v" } }),
        ],
      }),
    );
    await xray.send(new CreateGroupCommand({ GroupName: "kept", FilterExpression: 'annotation.k = "v"' }));
    const sock = createSocket("udp4");
    const doc = JSON.stringify({ name: "udp", id: hex(16), trace_id: udpTrace, start_time: now, end_time: now + 0.1 });
    await new Promise<void>((ok, fail) => sock.send(`{"format": "json", "version": 1}\n${doc}`, daemonPort, "127.0.0.1", (e) => (e ? fail(e) : ok())));
    sock.close();
    await eventually(async () => {
      const r = await xray.send(new BatchGetTracesCommand({ TraceIds: [udpTrace] }));
      assert.equal(r.Traces?.length, 1);
    });

    // A second server on the same daemon port: a warning, and it serves anyway.
    const other = mkdtempSync(join(tmpdir(), "stratus-xray-"));
    const s2 = await startCli(["--port", "0", "--data-dir", other, "--xray-daemon-port", String(daemonPort)]);
    await eventually(() => assert.match(s2.output().stderr, new RegExp(`X-Ray daemon not started: port ${daemonPort} is in use`)));
    assert.equal((await fetch(`${s2.url}/_stratus/xray/daemon`)).status, 404);
    await s2.stop();
    rmSync(other, { recursive: true, force: true });

    await s.stop("SIGKILL");
    s = await startCli(["--port", "0", "--data-dir", dataDir, "--xray-daemon-port", String(daemonPort)]);
    xray = new XRayClient(cliClientConfig(s.url, "000000000000"));
    const got = await xray.send(new BatchGetTracesCommand({ TraceIds: [apiTrace, udpTrace] }));
    assert.deepEqual(got.Traces!.map((t) => t.Id).sort(), [apiTrace, udpTrace].sort());
    assert.deepEqual(got.UnprocessedTraceIds, []);
    assert.equal((await xray.send(new GetGroupCommand({ GroupName: "kept" }))).Group!.FilterExpression, 'annotation.k = "v"');
    const sum = await xray.send(
      new GetTraceSummariesCommand({ StartTime: new Date((now - 60) * 1000), EndTime: new Date((now + 60) * 1000), FilterExpression: 'group.name = "kept"' }),
    );
    assert.deepEqual(
      sum.TraceSummaries!.map((t) => t.Id),
      [apiTrace],
    );
    const daemon = (await (await fetch(`${s.url}/_stratus/xray/daemon`)).json()) as { port: number };
    assert.equal(daemon.port, daemonPort);
    await s.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
