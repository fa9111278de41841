// kill -9 of the built server (npm run build first): sampling rules (the account's and the changed Default rule),
// their tags, the encryption configuration and resource policies acknowledged before it are all there after a
// restart on the same data dir, and GetSamplingTargets answers from them.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSamplingRuleCommand,
  GetEncryptionConfigCommand,
  GetSamplingRulesCommand,
  GetSamplingTargetsCommand,
  ListResourcePoliciesCommand,
  ListTagsForResourceCommand,
  PutEncryptionConfigCommand,
  PutResourcePolicyCommand,
  UpdateSamplingRuleCommand,
  XRayClient,
} from "@aws-sdk/client-xray";
import { cliClientConfig, killAll, startCli } from "../../cli/spawn.js";
import { randomAccount } from "../../helpers/server.js";

after(killAll);

test("kill -9: sampling rules, tags, the Default rule's change, encryption and resource policies survive", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-xray-kill-"));
  const account = randomAccount();
  const args = ["--port", "0", "--data-dir", dir, "--log-level", "error"];
  try {
    const first = await startCli(args);
    let xray = new XRayClient(cliClientConfig(first.url, account));
    const made = await xray.send(
      new CreateSamplingRuleCommand({
        SamplingRule: {
          RuleName: "kept",
          ResourceARN: "*",
          Priority: 42,
          FixedRate: 0.3,
          ReservoirSize: 4,
          ServiceName: "svc",
          ServiceType: "*",
          Host: "*",
          HTTPMethod: "POST",
          URLPath: "/kept/*",
          Version: 1,
          Attributes: { a: "b" },
        },
        Tags: [{ Key: "k", Value: "v" }],
      }),
    );
    const dflt = await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: "Default", FixedRate: 0.5 } }));
    const enc = await xray.send(new PutEncryptionConfigCommand({ Type: "KMS", KeyId: "alias/aws/xray" }));
    const doc = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "xray:PutTraceSegments", Resource: "*" }],
    });
    await xray.send(new PutResourcePolicyCommand({ PolicyName: "kept", PolicyDocument: doc }));
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(args);
    try {
      xray = new XRayClient(cliClientConfig(again.url, account));
      const rules = (await xray.send(new GetSamplingRulesCommand({}))).SamplingRuleRecords!;
      assert.deepEqual(
        rules.map((r) => r.SamplingRule?.RuleName),
        ["Default", "kept"],
      );
      assert.deepEqual(rules[1], made.SamplingRuleRecord);
      assert.deepEqual(rules[0], dflt.SamplingRuleRecord);
      const arn = made.SamplingRuleRecord!.SamplingRule!.RuleARN!;
      assert.deepEqual((await xray.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: "k", Value: "v" }]);
      const now = await xray.send(new GetEncryptionConfigCommand({}));
      assert.equal(now.EncryptionConfig?.KeyId, enc.EncryptionConfig?.KeyId);
      assert.equal(now.EncryptionConfig?.Type, "KMS");
      const policies = (await xray.send(new ListResourcePoliciesCommand({}))).ResourcePolicies!;
      assert.deepEqual(
        policies.map((p) => [p.PolicyName, p.PolicyDocument, p.PolicyRevisionId]),
        [["kept", doc, "1"]],
      );
      const t = await xray.send(
        new GetSamplingTargetsCommand({
          SamplingStatisticsDocuments: [{ RuleName: "kept", ClientID: "f".repeat(24), Timestamp: new Date(), RequestCount: 1, SampledCount: 1 }],
        }),
      );
      assert.deepEqual([t.SamplingTargetDocuments?.[0].ReservoirQuota, t.SamplingTargetDocuments?.[0].FixedRate], [4, 0.3]);
      assert.equal(t.LastRuleModification?.getTime(), dflt.SamplingRuleRecord?.ModifiedAt?.getTime());
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
