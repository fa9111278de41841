// Exports and imports through the SDK: ListExports, ListImports, Fn::ImportValue across stacks, an export in use
// neither deleted nor changed (the stack fails with AWS's reason), and termination protection.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  ListImportsCommand,
  UpdateStackCommand,
  UpdateTerminationProtectionCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let ssm: SSMClient;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });
const status = async (name: string) => (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0];

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  ssm = new SSMClient(c);
});
after(() => s.close());

const producer = (value: string) =>
  JSON.stringify({
    Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Name: "/exp/source", Type: "String", Value: value } } },
    Outputs: { Shared: { Value: { "Fn::GetAtt": ["P", "Value"] }, Export: { Name: { "Fn::Sub": "${AWS::StackName}-shared" } } } },
  });
const consumer = JSON.stringify({
  Resources: { C: { Type: "AWS::SSM::Parameter", Properties: { Name: "/exp/copy", Type: "String", Value: { "Fn::ImportValue": "producer-shared" } } } },
});

test("an export imported by another stack: listed, resolved, protected from deletion and change", async () => {
  await cfn.send(new CreateStackCommand({ StackName: "producer", TemplateBody: producer("v1") }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "producer" });
  const exports = (await cfn.send(new ListExportsCommand({}))).Exports!;
  assert.deepEqual(
    exports.map((e) => [e.Name, e.Value]),
    [["producer-shared", "v1"]],
  );
  assert.equal(exports[0].ExportingStackId, (await status("producer")).StackId);

  await cfn.send(new CreateStackCommand({ StackName: "consumer", TemplateBody: consumer }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "consumer" });
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/exp/copy" }))).Parameter?.Value, "v1");
  assert.deepEqual((await cfn.send(new ListImportsCommand({ ExportName: "producer-shared" }))).Imports, ["consumer"]);

  // Changing the exported value while it is imported rolls the update back.
  await cfn.send(new UpdateStackCommand({ StackName: "producer", TemplateBody: producer("v2") }));
  await assert.rejects(waitUntilStackUpdateComplete(waiter(), { StackName: "producer" }));
  assert.equal((await status("producer")).StackStatus, "UPDATE_ROLLBACK_COMPLETE");
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/exp/source" }))).Parameter?.Value, "v1");

  // Deleting the exporting stack fails while the export is in use; its resources stay.
  await cfn.send(new DeleteStackCommand({ StackName: "producer" }));
  await assert.rejects(waitUntilStackDeleteComplete(waiter(), { StackName: "producer" }));
  const failed = await status("producer");
  assert.equal(failed.StackStatus, "DELETE_FAILED");
  assert.equal(failed.StackStatusReason, "Export producer-shared cannot be deleted as it is in use by consumer");
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/exp/source" }))).Parameter?.Value, "v1");

  // Termination protection refuses DeleteStack until it is turned off.
  await cfn.send(new UpdateTerminationProtectionCommand({ StackName: "consumer", EnableTerminationProtection: true }));
  assert.equal((await status("consumer")).EnableTerminationProtection, true);
  await assert.rejects(cfn.send(new DeleteStackCommand({ StackName: "consumer" })), {
    name: "ValidationError",
    message: "Stack [consumer] cannot be deleted while TerminationProtection is enabled",
  });
  await cfn.send(new UpdateTerminationProtectionCommand({ StackName: "consumer", EnableTerminationProtection: false }));
  await cfn.send(new DeleteStackCommand({ StackName: "consumer" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "consumer" });

  // No importer left: the exporting stack deletes.
  await cfn.send(new DeleteStackCommand({ StackName: "producer" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: "producer" });
  assert.deepEqual((await cfn.send(new ListExportsCommand({}))).Exports, []);
});
