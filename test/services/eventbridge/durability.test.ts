// kill -9 of the built server: buses, rules, targets, the bus policy and tags acknowledged before it are all there
// after a restart on the same data dir, and the restarted server delivers with them.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { cliClientConfig, killAll, startCli } from "../../cli/spawn.js";
import { randomAccount } from "../../helpers/server.js";
import { eventsPolicy } from "./setup.js";

after(killAll);

const config = cliClientConfig;

test("kill -9: buses, rules, targets, the bus policy and tags survive; the restarted server delivers", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-eb-kill-"));
  const account = randomAccount();
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    let eb = new EventBridgeClient(config(first.url, account));
    let sqs = new SQSClient(config(first.url, account));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kept" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: eventsPolicy(Attributes!.QueueArn!) } }));
    await eb.send(new CreateEventBusCommand({ Name: "durable", Tags: [{ Key: "k", Value: "v" }] }));
    await eb.send(new PutPermissionCommand({ EventBusName: "durable", Action: "events:PutEvents", Principal: "111122223333", StatementId: "s1" }));
    const { RuleArn } = await eb.send(new PutRuleCommand({ Name: "keep", EventBusName: "durable", EventPattern: JSON.stringify({ source: ["k"] }) }));
    await eb.send(
      new PutTargetsCommand({
        Rule: "keep",
        EventBusName: "durable",
        Targets: [{ Id: "q", Arn: Attributes!.QueueArn!, InputTransformer: { InputPathsMap: { v: "$.detail.v" }, InputTemplate: '{"v": <v>}' } }],
      }),
    );
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      eb = new EventBridgeClient(config(again.url, account));
      sqs = new SQSClient(config(again.url, account));
      const bus = await eb.send(new DescribeEventBusCommand({ Name: "durable" }));
      assert.equal(JSON.parse(bus.Policy!).Statement[0].Sid, "s1");
      assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: bus.Arn }))).Tags, [{ Key: "k", Value: "v" }]);
      assert.equal((await eb.send(new DescribeRuleCommand({ Name: "keep", EventBusName: "durable" }))).Arn, RuleArn);
      assert.deepEqual(
        (await eb.send(new ListTargetsByRuleCommand({ Rule: "keep", EventBusName: "durable" }))).Targets?.map((t) => t.Id),
        ["q"],
      );
      await eb.send(new PutEventsCommand({ Entries: [{ EventBusName: "durable", Source: "k", DetailType: "t", Detail: '{"v":42}' }] }));
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
      assert.equal(r.Messages?.[0]?.Body, '{"v": 42}'); // the template as written, the value filled in
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
