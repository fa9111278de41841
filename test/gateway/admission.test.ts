// Admission (gateway/admission.ts): requests start in arrival order, a bounded batch per event-loop turn, each batch
// after the previous one's writes were committed; a start that throws is answered 500 and the queue goes on. Then the
// same through a real server: 64 concurrent S3 PutObjects over keep-alive connections all answered, in order per key.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent } from "node:http";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { admission, ADMIT_PER_TURN } from "../../src/gateway/admission.js";
import { useServer } from "../helpers/server.js";

/** A stand-in request/response pair: admission only queues them and hands them on (or answers 500 itself). */
function pair(n: number) {
  const res = {
    headersSent: false,
    status: 0,
    ended: false,
    writeHead(s: number) {
      this.status = s;
      return this;
    },
    end() {
      this.ended = true;
    },
  };
  return [{ n } as unknown as IncomingMessage, res as unknown as ServerResponse & { status: number; ended: boolean }] as const;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

test("requests start in arrival order, at most perTurn per turn, each batch after a commit", async () => {
  const log: string[] = [];
  const started: number[] = [];
  const listener = admission(
    (req) => {
      started.push((req as unknown as { n: number }).n);
      log.push("start");
    },
    {
      commitOpen: () => {
        log.push("commit");
        return false;
      },
      failed: () => assert.fail("nothing throws here"),
      perTurn: 4,
    },
  );
  for (let n = 0; n < 10; n++) listener(...pair(n));
  // Nothing starts on the turn the requests arrive.
  assert.deepEqual(started, []);
  await turn();
  assert.deepEqual(started, [0, 1, 2, 3]);
  // One that arrives meanwhile waits behind the ones queued before it.
  listener(...pair(10));
  await turn();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7]);
  await turn();
  await turn();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // Each batch began with a commit of what the one before it wrote.
  assert.deepEqual(log.slice(0, 10), ["commit", "start", "start", "start", "start", "commit", "start", "start", "start", "start"]);
  // Idle again: a new request starts on the next turn.
  listener(...pair(11));
  await turn();
  assert.deepEqual(started.at(-1), 11);
  assert.equal(ADMIT_PER_TURN, 16);
});

test("when a batch's writes were still open, they commit and the next batch starts a turn later", async () => {
  const started: number[] = [];
  // Every batch leaves writes open, as a batch of PutObjects does until its group commits.
  let open = false;
  const commits: number[] = [];
  const listener = admission(
    (req) => {
      started.push((req as unknown as { n: number }).n);
      open = true;
    },
    {
      commitOpen: () => {
        if (!open) return false;
        open = false;
        commits.push(started.length);
        return true;
      },
      failed: () => assert.fail("nothing throws here"),
      perTurn: 2,
    },
  );
  for (let n = 0; n < 5; n++) listener(...pair(n));
  await turn();
  assert.deepEqual(started, [0, 1]);
  // The next turn only commits (the answers go out, the sockets are polled) …
  await turn();
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(commits, [2]);
  // … and the one after starts the next batch.
  await turn();
  assert.deepEqual(started, [0, 1, 2, 3]);
  await turn();
  await turn();
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.deepEqual(commits, [2, 4]);
});

test("a request whose start throws is answered 500 and the rest still start", async () => {
  const started: number[] = [];
  const failures: unknown[] = [];
  const listener = admission(
    (req) => {
      const n = (req as unknown as { n: number }).n;
      if (n === 1) throw new Error("boom");
      started.push(n);
    },
    { commitOpen: () => false, failed: (e) => failures.push(e), perTurn: 2 },
  );
  const pairs = [0, 1, 2, 3].map(pair);
  for (const [req, res] of pairs) listener(req, res);
  await turn();
  await turn();
  assert.deepEqual(started, [0, 2, 3]);
  assert.equal(pairs[1][1].status, 500);
  assert.ok(pairs[1][1].ended);
  assert.equal((failures[0] as Error).message, "boom");
});

const server = useServer();

test("64 concurrent PutObjects over 64 keep-alive connections: every one answered, each key's last write read back", async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const s3 = server.client(S3Client, {}, { forcePathStyle: true, requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "admission" }));
    for (let round = 0; round < 3; round++) {
      const puts = Array.from({ length: 64 }, (_, i) => s3.send(new PutObjectCommand({ Bucket: "admission", Key: `k${i}`, Body: `round ${round} key ${i}` })));
      const out = await Promise.all(puts);
      assert.equal(out.length, 64);
      for (const o of out) assert.match(o.ETag ?? "", /^"[0-9a-f]{32}"$/);
    }
    for (const i of [0, 31, 63]) {
      const got = await s3.send(new GetObjectCommand({ Bucket: "admission", Key: `k${i}` }));
      assert.equal(await got.Body!.transformToString(), `round 2 key ${i}`);
    }
  } finally {
    agent.destroy();
  }
});
