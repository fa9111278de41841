// Run Command through the real SDK v3 client: SendCommand checks the document, its version and parameters, then
// refuses every instance (Stratus has no managed instances); listings are empty and lookups fail as AWS's do.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SSMClient,
  CancelCommandCommand,
  CreateDocumentCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
} from "@aws-sdk/client-ssm";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();
const COMMAND_ID = "9f1b6bd3-7b6e-4a8a-9a4b-2d2f3c1e0a11";

test("SendCommand: unknown document or version, parameters the document does not take, then the instances", async () => {
  const account = randomAccount();
  const ssm = server.client(SSMClient, { account });
  await rejects(
    ssm.send(new SendCommandCommand({ DocumentName: "no-such-doc", InstanceIds: ["i-0123456789abcdef0"] })),
    "InvalidDocument",
    400,
    "The specified document does not exist.",
  );
  await rejects(
    ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        DocumentVersion: "5",
        InstanceIds: ["i-0123456789abcdef0"],
        Parameters: { commands: ["ls"] },
      }),
    ),
    "InvalidDocumentVersion",
    400,
  );
  // AWS-RunShellScript takes commands (required, at least one), workingDirectory and executionTimeout (a pattern).
  const cases: Record<string, string[]>[] = [
    {},
    { commands: [] },
    { commands: ["ls"], colour: ["red"] },
    { commands: ["ls"], executionTimeout: ["soon"] },
    { commands: ["ls"], workingDirectory: ["/a", "/b"] },
  ];
  for (const Parameters of cases)
    await rejects(
      ssm.send(new SendCommandCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: ["i-0123456789abcdef0"], Parameters })),
      "InvalidParameters",
      400,
    );
  await rejects(
    ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        InstanceIds: ["i-0123456789abcdef0"],
        Parameters: { commands: ["uptime"], executionTimeout: ["600"] },
      }),
    ),
    "InvalidInstanceId",
    400,
    `Instances [[i-0123456789abcdef0]] not in a valid state for account ${account}`,
  );
  await rejects(
    ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef1"] }],
        Parameters: { commands: ["uptime"] },
      }),
    ),
    "InvalidInstanceId",
    400,
    `Instances [[i-0123456789abcdef1]] not in a valid state for account ${account}`,
  );
  await rejects(
    ssm.send(
      new SendCommandCommand({ DocumentName: "AWS-RunShellScript", Targets: [{ Key: "tag:role", Values: ["web"] }], Parameters: { commands: ["uptime"] } }),
    ),
    "InvalidInstanceId",
    400,
  );
  // A malformed instance id is the model's to refuse.
  await rejects(
    ssm.send(new SendCommandCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: ["web-1"], Parameters: { commands: ["ls"] } })),
    "ValidationException",
    400,
  );
});

test("SendCommand checks the caller's own documents: declared defaults, allowed values, and only Command documents", async () => {
  const ssm = server.client(SSMClient);
  await ssm.send(
    new CreateDocumentCommand({
      Name: "restart-service",
      Content: JSON.stringify({
        schemaVersion: "2.2",
        parameters: { Service: { type: "String", allowedValues: ["nginx", "sshd"] }, Force: { type: "Boolean", default: false } },
        mainSteps: [{ action: "aws:runShellScript", name: "restart", inputs: { runCommand: ["systemctl restart {{ Service }}"] } }],
      }),
    }),
  );
  await rejects(
    ssm.send(new SendCommandCommand({ DocumentName: "restart-service", InstanceIds: ["i-0123456789abcdef0"], Parameters: { Service: ["httpd"] } })),
    "InvalidParameters",
    400,
  );
  await rejects(
    ssm.send(
      new SendCommandCommand({ DocumentName: "restart-service", InstanceIds: ["i-0123456789abcdef0"], Parameters: { Service: ["nginx"], Force: ["maybe"] } }),
    ),
    "InvalidParameters",
    400,
  );
  await rejects(
    ssm.send(new SendCommandCommand({ DocumentName: "restart-service", InstanceIds: ["i-0123456789abcdef0"], Parameters: { Service: ["nginx"] } })),
    "InvalidInstanceId",
    400,
  );
  await ssm.send(
    new CreateDocumentCommand({
      Name: "an-automation",
      DocumentType: "Automation",
      Content: JSON.stringify({ schemaVersion: "0.3", mainSteps: [{ name: "s", action: "aws:sleep", inputs: { Duration: "PT1S" } }] }),
    }),
  );
  await rejects(ssm.send(new SendCommandCommand({ DocumentName: "an-automation", InstanceIds: ["i-0123456789abcdef0"] })), "InvalidDocument", 400);
});

test("no command exists: listings are empty, an invocation does not exist, cancelling an unknown command fails", async () => {
  const ssm = server.client(SSMClient);
  assert.deepEqual((await ssm.send(new ListCommandsCommand({}))).Commands, []);
  assert.deepEqual((await ssm.send(new ListCommandsCommand({ CommandId: COMMAND_ID }))).Commands, []);
  assert.deepEqual((await ssm.send(new ListCommandInvocationsCommand({ CommandId: COMMAND_ID, Details: true }))).CommandInvocations, []);
  await rejects(ssm.send(new GetCommandInvocationCommand({ CommandId: COMMAND_ID, InstanceId: "i-0123456789abcdef0" })), "InvocationDoesNotExist", 400);
  await rejects(ssm.send(new CancelCommandCommand({ CommandId: COMMAND_ID })), "InvalidCommandId", 400);
  // The model's length constraint on a command id.
  await rejects(ssm.send(new GetCommandInvocationCommand({ CommandId: "short", InstanceId: "i-0123456789abcdef0" })), "ValidationException", 400);
});
