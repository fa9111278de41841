// The AWS CLI's log tailing run as the user runs it, a child process left running: `aws logs tail <group> --follow`
// (CLI v2, polling FilterLogEvents every 5 s from the newest timestamp it saw, inclusive, deduplicated by eventId)
// shows what was there and what is put after it started, across streams, each event once; `aws logs start-live-tail`
// (CLI v1's Live Tail command) prints the matching events put while it runs. Both are then killed.
import { spawn, type ChildProcess } from "node:child_process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, type AwsCli } from "../../helpers/aws-cli.js";
import { waitUntil } from "../../helpers/wait.js";
import { openLiveTailSessions } from "../../../src/services/cloudwatch-logs/live-tail.js";

const server = useServer();

/** `aws --endpoint-url … <args>` left running, its output collected as it comes (Python unbuffered). */
function runningAws(cli: AwsCli, account: string, args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(cli.path, ["--endpoint-url", server.url, "--region", "us-east-1", ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_ACCESS_KEY_ID: account,
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_PAGER: "",
      PYTHONUNBUFFERED: "1",
      ...env,
    },
  });
  const out = { stdout: "", stderr: "", exited: false };
  child.stdout!.on("data", (d) => (out.stdout += d));
  child.stderr!.on("data", (d) => (out.stderr += d));
  const closed = new Promise<void>((resolve) =>
    child.on("close", () => {
      out.exited = true;
      resolve();
    }),
  );
  return {
    out,
    lines: () => out.stdout.split("\n").filter((l) => l.trim()),
    async kill() {
      if (!out.exited) child.kill("SIGTERM");
      await closed;
    },
  };
}

async function seeded(account: string, group: string, streams: string[]) {
  const logs = new CloudWatchLogsClient({ ...server.clientConfig({ account }), disableHostPrefix: true });
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  for (const s of streams) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: s }));
  return (stream: string, events: { timestamp: number; message: string }[]) =>
    logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
}

const v2 = awsClis().find((c) => c.label.startsWith("aws-cli/2"));
const v1 = awsClis().find((c) => c.label.startsWith("aws-cli/1"));

test("aws logs tail --follow (CLI v2) shows old and new events across streams, each once", { skip: v2 ? false : "AWS CLI v2 not installed" }, async () => {
  const account = randomAccount();
  const put = await seeded(account, "/tail/app", ["a", "b"]);
  const t = Date.now();
  // Before the tail starts: within its default 10 minutes, interleaved across two streams, two at the same millisecond.
  await put("a", [
    { timestamp: t - 5000, message: "old a1" },
    { timestamp: t - 3000, message: "old a2" },
  ]);
  await put("b", [
    { timestamp: t - 4000, message: "old b1" },
    { timestamp: t - 3000, message: "old b2 same ms" },
  ]);
  await put("a", [{ timestamp: t - 20 * 60_000, message: "too old for --since 10m" }]);
  const tail = runningAws(v2!, account, ["logs", "tail", "/tail/app", "--follow", "--format", "short"]);
  try {
    await waitUntil(() => tail.lines().length >= 4 || tail.out.exited, "the existing events", 20_000);
    // After it started: one at the newest timestamp it already saw (found again from its inclusive startTime), later ones.
    await put("b", [{ timestamp: t - 3000, message: "late at the same ms" }]);
    await put("a", [{ timestamp: Date.now(), message: "new a3" }]);
    await put("b", [{ timestamp: Date.now() + 1, message: "new b3" }]);
    await waitUntil(() => tail.lines().length >= 7 || tail.out.exited, "the new events", 20_000);
    // One more poll (every 5 s) shows nothing twice.
    await new Promise((r) => setTimeout(r, 5500));
  } finally {
    await tail.kill();
  }
  assert.equal(tail.out.stderr, "");
  const messages = tail.lines().map((l) => l.replace(/^\S+ /, ""));
  assert.deepEqual(messages.slice(0, 4), ["old a1", "old b1", "old a2", "old b2 same ms"]);
  assert.deepEqual(messages.slice(4).sort(), ["late at the same ms", "new a3", "new b3"]);
  assert.equal(messages.length, 7);
  assert.match(tail.lines()[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d old a1$/);
});

test("aws logs start-live-tail (CLI v1) prints the matching events put while it runs", { skip: v1 ? false : "AWS CLI v1 not installed" }, async () => {
  const account = randomAccount();
  const put = await seeded(account, "/tail/live", ["s"]);
  const live = runningAws(v1!, account, ["logs", "start-live-tail", "--log-group-identifiers", "/tail/live", "--log-event-filter-pattern", "ERROR"], {
    AWS_DISABLE_HOST_PREFIX_INJECTION: "true",
  });
  try {
    // The session is open once the server holds it; events put from then on are streamed.
    await waitUntil(() => openLiveTailSessions(server.runtime) === 1 || live.out.exited, "the CLI's session", 20_000);
    assert.equal(live.out.exited, false, live.out.stderr);
    await put("s", [
      { timestamp: Date.now(), message: "ERROR one" },
      { timestamp: Date.now(), message: "INFO two" },
      { timestamp: Date.now(), message: "ERROR three" },
    ]);
    await waitUntil(() => live.lines().length >= 2, "the printed events", 10_000);
  } finally {
    await live.kill();
  }
  assert.deepEqual(live.lines(), ["ERROR one", "ERROR three"]);
  // The CLI is gone: so is its session on the server.
  await waitUntil(() => openLiveTailSessions(server.runtime) === 0, "the session to end");
});
