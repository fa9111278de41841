// Automatic rotation: once RotationRules are set, Secrets Manager runs the rotation function itself when the
// schedule falls due (here on a ManualClock), and says when the next one is due.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { SecretsManagerClient, CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { ManualClock } from "../../../src/core/clock.js";
import { waitUntil } from "../../helpers/wait.js";
import { startTestServer } from "../../helpers/server.js";
import { pythonMissing } from "../../helpers/python.js";
import { PYTHON_ROTATOR, createFunction, lambdaEnv } from "./setup.js";

const DAY = 86_400_000;

test("a secret with AutomaticallyAfterDays is rotated by its function when the day comes, then again a day later", { skip: pythonMissing() }, async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 10, 12));
  const server = await startTestServer({ clock });
  try {
    const env = await lambdaEnv(server);
    const fn = await createFunction(env, {
      FunctionName: "rotator",
      Runtime: "python3.12",
      Handler: "rotate.handler",
      code: { "rotate.py": PYTHON_ROTATOR },
      Timeout: 30,
    });
    await env.lambda.send(
      new AddPermissionCommand({ FunctionName: "rotator", StatementId: "secrets", Action: "lambda:InvokeFunction", Principal: "secretsmanager.amazonaws.com" }),
    );
    const sm = new SecretsManagerClient(server.clientConfig({ account: env.account }));
    await sm.send(new CreateSecretCommand({ Name: "db", SecretString: JSON.stringify({ user: "app", password: "initial" }) }));
    // Rotation configured, not run now: only the schedule.
    await sm.send(
      new RotateSecretCommand({ SecretId: "db", RotationLambdaARN: fn.FunctionArn, RotateImmediately: false, RotationRules: { AutomaticallyAfterDays: 1 } }),
    );
    let meta = await sm.send(new DescribeSecretCommand({ SecretId: "db" }));
    assert.equal(meta.RotationEnabled, true);
    assert.equal(meta.NextRotationDate!.getTime(), clock.now() + DAY);
    const password = async () => JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: "db" }))).SecretString!).password as string;
    // A rotation is four invocations of a Python function importing boto3 (a cold start of a second or more
    // here, several on a loaded machine): a deadline well past that.
    const waitForChange = async (from: string) => {
      let p = from;
      await waitUntil(async () => (p = await password()) !== from, "the secret to be rotated", 30_000, 50);
      return p;
    };
    assert.equal(await password(), "initial");
    clock.advance(DAY - 60_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await password(), "initial", "not due yet");

    clock.advance(60_000);
    const first = await waitForChange("initial");
    assert.match(first, /^rotated-/);
    meta = await sm.send(new DescribeSecretCommand({ SecretId: "db" }));
    assert.equal(meta.LastRotatedDate!.getTime(), clock.now());
    assert.equal(meta.NextRotationDate!.getTime(), clock.now() + DAY);

    // A day later (the function's role credentials have expired on this clock: a fresh environment runs it).
    clock.advance(DAY);
    const second = await waitForChange(first);
    assert.notEqual(second, first);
  } finally {
    await server.close();
  }
});
