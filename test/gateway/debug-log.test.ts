// With --log-level debug, every request leaves one line saying what was called and how it went, and calls one
// service makes to another are marked as in-process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { SQSClient, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { SecretsManagerClient, CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { createLogger } from "../../src/core/log.js";
import { useServer } from "../helpers/server.js";

const lines: string[] = [];
const server = useServer({ logLevel: "debug", logger: createLogger("debug", (l) => lines.push(l)) });

const matching = (re: RegExp) => lines.filter((l) => re.test(l));

test("one debug line per request: service.operation, status, error code, duration", async () => {
  const config = server.clientConfig();
  await new STSClient(config).send(new GetCallerIdentityCommand({}));
  await assert.rejects(new SQSClient(config).send(new GetQueueUrlCommand({ QueueName: "missing" })));
  assert.equal(matching(/^\[stratus\] AWS sts\.GetCallerIdentity => 200 \(\d+ ms\)$/).length, 1, lines.join("\n"));
  assert.equal(matching(/^\[stratus\] AWS sqs\.GetQueueUrl => 400 AWS\.SimpleQueueService\.NonExistentQueue \(\d+ ms\)$/).length, 1, lines.join("\n"));
});

test("a call from one service to another is marked in-process, with the calling service", async () => {
  await server.client(SecretsManagerClient).send(new CreateSecretCommand({ Name: "debug-log", SecretString: "s3cret" }));
  assert.equal(matching(/^\[stratus\] AWS secrets-manager\.CreateSecret => 200 \(\d+ ms\)$/).length, 1, lines.join("\n"));
  assert.ok(matching(/^\[stratus\] AWS kms\.\w+ \(in-process, from secrets-manager\) => ok \(\d+ ms\)$/).length >= 1, lines.join("\n"));
});
