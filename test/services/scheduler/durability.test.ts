// kill -9 of the built server with an at() schedule pending: after a restart on the same data dir the schedule is
// there and still fires on time, once; a group and its tags survive too.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateScheduleCommand, CreateScheduleGroupCommand, GetScheduleCommand, ListTagsForResourceCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { cliClientConfig, killAll, startCli } from "../../cli/spawn.js";
import { randomAccount } from "../../helpers/server.js";
import { atExpr } from "./setup.js";

after(killAll);

test("kill -9 with a schedule pending: the restarted server fires it on time, once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-sched-kill-"));
  const account = randomAccount();
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    let sch = new SchedulerClient(cliClientConfig(first.url, account));
    let sqs = new SQSClient(cliClientConfig(first.url, account));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "after-restart" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const { ScheduleGroupArn } = await sch.send(new CreateScheduleGroupCommand({ Name: "kept", Tags: [{ Key: "k", Value: "v" }] }));
    // Whole seconds: at() has no fractions; 4 s leaves the restart time to happen first.
    const when = Math.ceil((Date.now() + 4_000) / 1000) * 1000;
    await sch.send(
      new CreateScheduleCommand({
        Name: "pending",
        GroupName: "kept",
        ScheduleExpression: atExpr(when),
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: Attributes!.QueueArn!, RoleArn: `arn:aws:iam::${account}:role/r`, Input: "survived" },
      }),
    );
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      sch = new SchedulerClient(cliClientConfig(again.url, account));
      sqs = new SQSClient(cliClientConfig(again.url, account));
      assert.deepEqual((await sch.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }))).Tags, [{ Key: "k", Value: "v" }]);
      assert.equal((await sch.send(new GetScheduleCommand({ Name: "pending", GroupName: "kept" }))).State, "ENABLED");
      assert.ok(Date.now() < when, "the restart took longer than the schedule's lead");
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
      const seen = Date.now();
      assert.equal(r.Messages?.[0]?.Body, "survived");
      assert.ok(seen - when < 1_500 && seen >= when - 50, `received ${seen - when} ms after its instant`);
      const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      assert.equal(none.Messages, undefined);
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
