// StartLiveTail end to end through SDK v3 (an event stream over awsJson 1.1) and boto3: sessionStart, a sessionUpdate
// every second with the events put meanwhile that match the filter pattern, stream selection, sampling past 500,
// AWS's refusals, the Host prefix the SDKs add, the session ending when the client goes away, the 3-hour timeout.
import { request } from "node:http";
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  StartLiveTailCommand,
  type StartLiveTailCommandInput,
  type StartLiveTailResponseStream,
} from "@aws-sdk/client-cloudwatch-logs";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { waitUntil } from "../../helpers/wait.js";
import { ManualClock } from "../../../src/core/clock.js";
import { openLiveTailSessions } from "../../../src/services/cloudwatch-logs/live-tail.js";

const server = useServer();

type Logs = CloudWatchLogsClient;
type LogEvent = NonNullable<NonNullable<StartLiveTailResponseStream["sessionUpdate"]>["sessionResults"]>[number];

function logsClient(account: string, extra: Record<string, unknown> = { disableHostPrefix: true }): Logs {
  return server.client(CloudWatchLogsClient, { account }, extra);
}

async function group(logs: Logs, name: string, streams: string[]) {
  await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
  for (const s of streams) await logs.send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: s }));
}

const put = (logs: Logs, g: string, s: string, messages: string[]) =>
  logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: s, logEvents: messages.map((message) => ({ timestamp: Date.now(), message })) }));

/** A session read in the background: its start, every update, and the events collected so far. */
async function session(logs: Logs, input: StartLiveTailCommandInput) {
  const abort = new AbortController();
  const out = await logs.send(new StartLiveTailCommand(input), { abortSignal: abort.signal });
  const seen = { start: undefined as StartLiveTailResponseStream["sessionStart"], updates: [] as { sampled?: boolean; n: number }[], events: [] as LogEvent[] };
  const done = (async () => {
    try {
      for await (const e of out.responseStream!) {
        if (e.sessionStart) seen.start = e.sessionStart;
        if (e.sessionUpdate) {
          const results = e.sessionUpdate.sessionResults ?? [];
          seen.updates.push({ sampled: e.sessionUpdate.sessionMetadata?.sampled, n: results.length });
          seen.events.push(...results);
        }
      }
    } catch (e) {
      if (!abort.signal.aborted) throw e;
    }
  })();
  return { seen, done, stop: () => abort.abort() };
}

test("a Live Tail session streams the matching events put after it started, one update a second", async () => {
  const account = randomAccount();
  const logs = logsClient(account);
  await group(logs, "/lt/app", ["web-1", "worker-1"]);
  await group(logs, "/lt/other", ["s"]);
  await put(logs, "/lt/app", "web-1", ["ERROR before the session"]);
  const arn = `arn:aws:logs:us-east-1:${account}:log-group:/lt/app`;
  const s = await session(logs, { logGroupIdentifiers: [arn, "/lt/other"], logEventFilterPattern: "ERROR" });
  await waitUntil(() => s.seen.start !== undefined, "sessionStart");
  assert.deepEqual(s.seen.start!.logGroupIdentifiers, [arn, "/lt/other"]);
  assert.equal(s.seen.start!.logEventFilterPattern, "ERROR");
  assert.match(s.seen.start!.sessionId!, /^[0-9a-f-]{36}$/);
  assert.ok(s.seen.start!.requestId);

  await put(logs, "/lt/app", "web-1", ["GET / 200", "ERROR db timeout"]);
  await put(logs, "/lt/app", "worker-1", ["ERROR job 7 failed", "job 8 ok"]);
  await put(logs, "/lt/other", "s", ["ERROR elsewhere"]);
  await waitUntil(() => s.seen.events.length >= 3, "three matching events");
  // Updates keep coming every second, empty ones too.
  const before = s.seen.updates.length;
  await waitUntil(() => s.seen.updates.length >= before + 2, "two more (empty) updates", 5000);
  s.stop();
  await s.done;

  assert.deepEqual(
    s.seen.events.map((e) => [e.logGroupIdentifier, e.logStreamName, e.message]),
    [
      [arn, "web-1", "ERROR db timeout"],
      [arn, "worker-1", "ERROR job 7 failed"],
      ["/lt/other", "s", "ERROR elsewhere"],
    ],
  );
  for (const e of s.seen.events) {
    assert.equal(typeof e.timestamp, "number");
    assert.ok(e.ingestionTime! >= e.timestamp! - 1000);
  }
  assert.ok(s.seen.updates.every((u) => u.sampled === false));
  assert.ok(s.seen.updates.some((u) => u.n === 0));
  // The client went away: the server ended the session (no timers left behind).
  await waitUntil(() => openLiveTailSessions(server.runtime) === 0, "the session to end");
});

test("Live Tail: stream names and prefixes select streams; past 500 events a second the update is sampled", async () => {
  const logs = logsClient(randomAccount());
  await group(logs, "/lt/sel", ["api-1", "api-2", "batch-1"]);
  const byName = await session(logs, { logGroupIdentifiers: ["/lt/sel"], logStreamNames: ["api-2"] });
  const byPrefix = await session(logs, { logGroupIdentifiers: ["/lt/sel"], logStreamNamePrefixes: ["api-"] });
  await waitUntil(() => !!byName.seen.start && !!byPrefix.seen.start, "both sessions started");
  await put(logs, "/lt/sel", "api-1", ["a1"]);
  await put(logs, "/lt/sel", "api-2", ["a2"]);
  await put(logs, "/lt/sel", "batch-1", ["b1"]);
  await waitUntil(() => byName.seen.events.length >= 1 && byPrefix.seen.events.length >= 2, "the selected events");

  // 600 matching events in one second: 500 of them, in ingestion order, flagged as sampled.
  const many = Array.from({ length: 600 }, (_, i) => `m${String(i).padStart(3, "0")}`);
  await put(logs, "/lt/sel", "api-1", many);
  await waitUntil(() => byPrefix.seen.updates.some((u) => u.sampled), "a sampled update");
  byName.stop();
  byPrefix.stop();
  await Promise.all([byName.done, byPrefix.done]);
  assert.deepEqual(
    byName.seen.events.map((e) => e.message),
    ["a2"],
  );
  assert.deepEqual(
    byPrefix.seen.events.slice(0, 2).map((e) => e.message),
    ["a1", "a2"],
  );
  const sampled = byPrefix.seen.updates.find((u) => u.sampled)!;
  assert.equal(sampled.n, 500);
  const kept = byPrefix.seen.events.slice(2).map((e) => e.message!);
  assert.equal(kept.length, 500);
  assert.deepEqual(kept, [...kept].sort());
  assert.ok(kept.every((m) => many.includes(m)));
});

test("Live Tail refuses what AWS refuses", async () => {
  const account = randomAccount();
  const logs = logsClient(account);
  await group(logs, "/lt/a", ["s"]);
  await group(logs, "/lt/b", ["s"]);
  const start = (input: StartLiveTailCommandInput) => logs.send(new StartLiveTailCommand(input));
  await rejects(start({ logGroupIdentifiers: ["/lt/missing"] }), "ResourceNotFoundException", 400, "The specified log group does not exist.");
  await rejects(start({ logGroupIdentifiers: [`arn:aws:logs:us-east-1:${account}:log-group:/lt/a:*`] }), "InvalidParameterException", 400);
  await rejects(start({ logGroupIdentifiers: ["/lt/a"], logStreamNames: ["s"], logStreamNamePrefixes: ["s"] }), "InvalidParameterException", 400);
  await rejects(start({ logGroupIdentifiers: ["/lt/a", "/lt/b"], logStreamNames: ["s"] }), "InvalidParameterException", 400);
  await rejects(start({ logGroupIdentifiers: ["/lt/a"], logEventFilterPattern: '{ $.x = "' }), "InvalidParameterException", 400);
  await rejects(
    start({ logGroupIdentifiers: Array.from({ length: 11 }, (_, i) => `/lt/g${i}`) }),
    "InvalidParameterException",
    400,
    /Member must have length less than or equal to 10/,
  );
  await rejects(start({ logGroupIdentifiers: [] }), "InvalidParameterException", 400, /Member must have length greater than or equal to 1/);
  assert.equal(openLiveTailSessions(server.runtime), 0);
});

test("Live Tail answers on the Host the SDK makes (stream- before the endpoint's host)", async () => {
  const account = randomAccount();
  // Without disableHostPrefix the SDK sends to stream-localhost, which does not resolve: this client connects to the
  // server's address itself and keeps the Host the SDK wrote, as a resolver pointing stream-* at Stratus would.
  const logs = logsClient(account);
  const port = new URL(server.url).port;
  const client = new CloudWatchLogsClient({ ...server.clientConfig({ account }), endpoint: `http://localhost:${port}` });
  let host = "";
  client.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { hostname: string; headers: Record<string, string> };
      host = req.headers.host = `${req.hostname}:${port}`;
      req.hostname = "127.0.0.1";
      return next(args);
    },
    { step: "finalizeRequest", name: "connectToStratus" },
  );
  await group(logs, "/lt/host", ["s"]);
  const s = await session(client, { logGroupIdentifiers: ["/lt/host"] });
  await put(logs, "/lt/host", "s", ["hello"]);
  await waitUntil(() => s.seen.events.length === 1, "the event");
  s.stop();
  await s.done;
  assert.equal(host, `stream-localhost:${port}`);

  // A stream- prefixed <service>.localhost Host alone names the service: with no X-Amz-Target, CloudWatch Logs' own
  // protocol refuses the request (not the gateway's UnknownService).
  const r = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
    const req = request(
      server.url,
      { method: "POST", headers: { host: `stream-logs.us-east-1.localhost:${port}`, "content-type": "application/x-amz-json-1.1" } },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, body }));
      },
    );
    req.on("error", reject);
    req.end("{}");
  });
  assert.equal(r.status, 400);
  assert.match(r.body, /UnknownOperationException/);
});

test("a Live Tail session times out after three hours with SessionTimeoutException", async () => {
  const clock = new ManualClock();
  const s = await startTestServer({ clock });
  try {
    const logs = new CloudWatchLogsClient({ ...s.clientConfig(), disableHostPrefix: true });
    await group(logs, "/lt/timeout", ["s"]);
    const out = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ["/lt/timeout"] }));
    const it = out.responseStream![Symbol.asyncIterator]();
    assert.ok((await it.next()).value.sessionStart);
    clock.advance(1000);
    const update = (await it.next()).value;
    assert.deepEqual(update.sessionUpdate?.sessionResults, []);
    clock.advance(3 * 60 * 60 * 1000);
    let error: Error | undefined;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) break;
      }
    } catch (e) {
      error = e as Error;
    }
    assert.equal(error?.name, "SessionTimeoutException");
    await waitUntil(() => openLiveTailSessions(s.runtime) === 0, "the session to end");

    // A session open when the server closes ends cleanly then, and does not hold the close.
    const again = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ["/lt/timeout"] }));
    const it2 = again.responseStream![Symbol.asyncIterator]();
    assert.ok((await it2.next()).value.sessionStart);
    const closing = Date.now();
    await s.close();
    assert.ok(Date.now() - closing < 5000);
    assert.equal((await it2.next()).done, true);
  } finally {
    await s.close();
  }
});

const boto3Missing = pythonMissing();

const BOTO3_LIVE_TAIL = `
import json, sys, threading, time, boto3
url, account = sys.argv[1], sys.argv[2]
logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
logs.create_log_group(logGroupName="/py/tail")
logs.create_log_stream(logGroupName="/py/tail", logStreamName="s")
r = logs.start_live_tail(logGroupIdentifiers=["/py/tail"], logEventFilterPattern="{ $.level = \\"ERROR\\" }")
def writer():
    time.sleep(0.3)
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="/py/tail", logStreamName="s", logEvents=[
        {"timestamp": now, "message": json.dumps({"level": "INFO", "n": 1})},
        {"timestamp": now, "message": json.dumps({"level": "ERROR", "n": 2})}])
threading.Thread(target=writer).start()
out = {"events": []}
stream = r["responseStream"]
for event in stream:
    if "sessionStart" in event:
        out["start"] = event["sessionStart"]["logGroupIdentifiers"]
    if "sessionUpdate" in event:
        out["events"] += [e["message"] for e in event["sessionUpdate"]["sessionResults"]]
        if out["events"]:
            break
stream.close()
print(json.dumps(out))
`;

test("boto3: start_live_tail (AWS_DISABLE_HOST_PREFIX_INJECTION)", { skip: boto3Missing }, async () => {
  const { stdout } = await run("python3", ["-c", BOTO3_LIVE_TAIL, server.url, randomAccount()], {
    env: { ...process.env, AWS_DISABLE_HOST_PREFIX_INJECTION: "true", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
    timeout: 30_000,
  });
  const out = JSON.parse(stdout);
  assert.deepEqual(out.start, ["/py/tail"]);
  assert.deepEqual(
    out.events.map((m: string) => JSON.parse(m)),
    [{ level: "ERROR", n: 2 }],
  );
  await waitUntil(() => openLiveTailSessions(server.runtime) === 0, "the boto3 session to end");
});
