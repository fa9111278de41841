// The bootstrapped environment and a deployed CDK stack survive a Stratus restart on the same data dir (issue 13,
// point 6): after the restart, re-bootstrapping and a second `cdk deploy` are no-ops and the function still answers.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { randomAccount, startTestServer, type TestServer } from "../helpers/server.js";
import { adminUser, CdkApp, FALLBACK_WARNING } from "./deploy-app.js";

const dataDir = mkdtempSync(join(tmpdir(), "stratus-cdk-data-"));
let server: TestServer | undefined;
let app: CdkApp | undefined;

after(async () => {
  await server?.close();
  app?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

test("bootstrap and deploy, restart on the same data dir: the next deploy is a no-op and the function answers", async () => {
  server = await startTestServer({ dataDir });
  const root = { accessKeyId: randomAccount(), secretAccessKey: "test" };
  app = new CdkApp(server, root);
  await app.bootstrap();
  app.keys = await adminUser(server, root);
  await app.ok(["deploy", "--require-approval", "never", "--outputs-file", "outputs.json"]);
  const { FnName } = JSON.parse(readFileSync(join(app.dir, "outputs.json"), "utf8")).DemoStack;

  await server.close();
  server = await startTestServer({ dataDir });
  app.server = server;

  // The IAM user's keys, the bootstrap roles and stack, the assets and the stack all came back.
  const out = await app.ok(["deploy", "--require-approval", "never"]);
  assert.doesNotMatch(out, FALLBACK_WARNING);
  assert.match(out, /✅\s+DemoStack \(no changes\)/);
  const r = await new LambdaClient(server.clientConfig(root)).send(new InvokeCommand({ FunctionName: FnName, Payload: "{}" }));
  assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
  assert.deepEqual(JSON.parse(Buffer.from(r.Payload!).toString()), { version: 1, greeting: "hello", event: {} });
});
