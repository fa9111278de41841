// Durability: state written through the real IAM SDK survives a clean restart and a kill -9 of the CLI process.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IAMClient, CreateUserCommand, GetUserCommand, ListUsersCommand, CreateAccessKeyCommand } from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { startTestServer, randomAccount } from "../helpers/server.js";
import { killAll, startCli } from "../cli/spawn.js";

after(killAll);

const tmp = () => mkdtempSync(join(tmpdir(), "stratus-persist-test-"));
const config = (endpoint: string, accessKeyId: string, secretAccessKey = "test") => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId, secretAccessKey },
  maxAttempts: 1,
});

test("in-process: users written before close are read back after a restart on the same dir", async () => {
  const dir = tmp();
  const account = randomAccount();
  try {
    const first = await startTestServer({ dataDir: dir });
    const iam1 = new IAMClient(first.clientConfig({ account }));
    const created = [];
    for (let i = 0; i < 5; i++) {
      const u = await iam1.send(new CreateUserCommand({ UserName: `restart-${i}`, Path: "/persist/", Tags: [{ Key: "n", Value: String(i) }] }));
      created.push(u.User!);
    }
    await first.close();

    const second = await startTestServer({ dataDir: dir });
    try {
      const iam2 = new IAMClient(second.clientConfig({ account }));
      for (const [i, c] of created.entries()) {
        const { User } = await iam2.send(new GetUserCommand({ UserName: `restart-${i}` }));
        assert.equal(User!.Arn, c.Arn);
        assert.equal(User!.UserId, c.UserId);
        assert.equal(User!.Path, "/persist/");
        assert.equal(User!.CreateDate?.getTime(), c.CreateDate?.getTime());
        assert.deepEqual(User!.Tags, [{ Key: "n", Value: String(i) }]);
      }
      const list = await iam2.send(new ListUsersCommand({ PathPrefix: "/persist/" }));
      assert.deepEqual(list.Users!.map((u) => u.UserName).sort(), created.map((u) => u.UserName).sort());
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("kill -9: every acknowledged CreateUser and access key survives, with writes still in flight at the kill", async () => {
  const dir = tmp();
  const account = randomAccount();
  const target = 50;
  try {
    const s = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    const iam = new IAMClient(config(s.url, account));
    await iam.send(new CreateUserCommand({ UserName: "key-holder" }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "key-holder" }));

    // 8 writers keep requests in flight; the process is killed the moment the 50th acknowledgement arrives.
    const acked: string[] = [];
    let next = 0;
    let killed = false;
    const writer = async () => {
      while (!killed) {
        const name = `durable-${next++}`;
        try {
          await iam.send(new CreateUserCommand({ UserName: name }));
        } catch (e) {
          if (killed) return; // the kill cut this request off: not acknowledged
          throw e;
        }
        if (killed) return; // answered, but after the kill was decided: still acknowledged
        acked.push(name);
        if (acked.length >= target && !killed) {
          killed = true;
          s.child.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    const exit = await s.stop("SIGKILL");
    assert.equal(exit.signal, "SIGKILL");
    assert.ok(acked.length >= target);

    // The stale pid file of the killed process must not block a restart on the same dir.
    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      const iam2 = new IAMClient(config(again.url, account));
      const names = new Set<string>();
      let marker: string | undefined;
      do {
        const page = await iam2.send(new ListUsersCommand({ Marker: marker }));
        for (const u of page.Users ?? []) names.add(u.UserName!);
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      const lost = acked.filter((n) => !names.has(n));
      assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged users lost`);
      for (const n of acked.slice(0, 5)) await iam2.send(new GetUserCommand({ UserName: n }));

      // The access key created before the kill still signs in as its user.
      const who = await new STSClient(config(again.url, AccessKey!.AccessKeyId!, AccessKey!.SecretAccessKey!)).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:iam::${account}:user/key-holder`);
    } finally {
      assert.equal((await again.stop()).code, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--ephemeral: state is usable while running and no dir is left after SIGTERM", async () => {
  const s = await startCli(["--ephemeral", "--port", "0", "--log-level", "error"]);
  assert.ok(existsSync(join(s.dataDir, "stratus.db")));
  const iam = new IAMClient(config(s.url, randomAccount()));
  await iam.send(new CreateUserCommand({ UserName: "ephemeral-user" }));
  const { User } = await iam.send(new GetUserCommand({ UserName: "ephemeral-user" }));
  assert.equal(User!.UserName, "ephemeral-user");
  const f = await s.stop("SIGTERM");
  assert.equal(f.code, 0, f.stderr);
  assert.equal(existsSync(s.dataDir), false);
});
