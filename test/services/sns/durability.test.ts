// An acknowledged publish survives a restart: its pending delivery (here waiting on a retry) goes out from
// the restarted server, which starts SNS with itself because SNS has work pending.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTopicCommand, SubscribeCommand, ConfirmSubscriptionCommand, PublishCommand } from "@aws-sdk/client-sns";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { pendingAttempts, snsClient, startEndpoint } from "./setup.js";

test("a delivery pending at shutdown is delivered after the restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-sns-durable-"));
  const ep = await startEndpoint();
  const clock = new ManualClock();
  try {
    const account = randomAccount();
    let s = await startTestServer({ dataDir, clock });
    const sns = snsClient(s, account);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "durable" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: ep.url }));
    const [conf] = await ep.waitFor(1);
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: conf.json.Token }));

    // The first attempt fails; the retry is due 20 s later — but the server stops before then.
    ep.statuses.push(500);
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: "keep me" }));
    await ep.waitFor(2);
    await eventually(() => assert.deepEqual(pendingAttempts(s, account), [2])); // the retry is scheduled (and stored)
    await s.close();

    s = await startTestServer({ dataDir, clock });
    try {
      clock.advance(20_000);
      const all = await ep.waitFor(3);
      assert.equal(all[2].json.Type, "Notification");
      assert.equal(all[2].json.MessageId, MessageId);
      assert.equal(all[2].json.Message, "keep me");
      await eventually(() => assert.deepEqual(pendingAttempts(s, account), []));
    } finally {
      await s.close();
    }
  } finally {
    await ep.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
