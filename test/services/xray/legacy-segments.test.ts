// Segments a data dir kept as key/value records, before X-Ray's segments moved to the store's document log: read after
// an upgrade (BatchGetTraces, GetTraceSummaries), and one sent again (an in-progress segment completed) replaces the
// record with a document rather than leaving both — still one segment after a further restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchGetTracesCommand, GetTraceSummariesCommand, PutTraceSegmentsCommand, XRayClient } from "@aws-sdk/client-xray";
import { openSqliteStore } from "../../../src/core/store/sqlite.js";
import { startTestServer } from "../../helpers/server.js";
import { hex, traceId } from "./segments.js";

const ACCOUNT = "000000000000";

test("segments stored as records by an older data dir are read, and replaced by a document when sent again", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-xray-legacy-"));
  try {
    const now = Date.now() / 1000;
    const open = traceId(now);
    const done = traceId(now);
    const openSeg = { name: "checkout", id: hex(16), trace_id: open, start_time: now, in_progress: true };
    const doneSeg = { name: "cart", id: hex(16), trace_id: done, start_time: now, end_time: now + 0.25 };
    // The two key forms older data dirs used: an arrival counter, and <trace id>/<segment id>.
    let store = openSqliteStore(dataDir);
    const legacy = store.table<string>("xray:traceSegments", `${ACCOUNT}/us-east-1`);
    legacy.put("000000000000007", JSON.stringify(openSeg));
    legacy.put(`${done}/${doneSeg.id}`, JSON.stringify(doneSeg));
    store.close();

    let s = await startTestServer({ dataDir });
    try {
      const xray = new XRayClient(s.clientConfig({ account: ACCOUNT }));
      const got = await xray.send(new BatchGetTracesCommand({ TraceIds: [open, done] }));
      assert.deepEqual(got.Traces?.map((t) => t.Id).sort(), [open, done].sort());
      const window = { StartTime: new Date((now - 60) * 1000), EndTime: new Date((now + 60) * 1000) };
      const before = await xray.send(new GetTraceSummariesCommand({ ...window, FilterExpression: "partial = true" }));
      assert.deepEqual(
        before.TraceSummaries?.map((t) => t.Id),
        [open],
      );

      // Completed: the record gives way to a document.
      await xray.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [JSON.stringify({ ...openSeg, in_progress: undefined, end_time: now + 1 })] }));
      const after = await xray.send(new GetTraceSummariesCommand({ ...window, FilterExpression: "partial = true" }));
      assert.deepEqual(after.TraceSummaries, []);
    } finally {
      await s.close();
    }
    store = openSqliteStore(dataDir);
    const rows = store.db.prepare("SELECT key FROM records WHERE ns = ?").all("xray:traceSegments") as { key: string }[];
    assert.deepEqual(
      rows.map((r) => String(r.key)),
      [`${done}/${doneSeg.id}`],
    );
    const docs = store.db.prepare("SELECT text FROM documents WHERE ns = 'xray'").all() as { text: string }[];
    assert.equal(docs.length, 1);
    assert.equal(JSON.parse(docs[0].text).end_time, now + 1);
    store.close();

    s = await startTestServer({ dataDir });
    try {
      const xray = new XRayClient(s.clientConfig({ account: ACCOUNT }));
      const got = await xray.send(new BatchGetTracesCommand({ TraceIds: [open] }));
      assert.equal(got.Traces?.[0].Segments?.length, 1);
      assert.equal(JSON.parse(got.Traces![0].Segments![0].Document!).end_time, now + 1);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
