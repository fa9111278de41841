// AWS::Logs::QueryDefinition through CloudFormation: a stack saves a query definition (Ref and GetAtt its id), an
// update changes it in place, DeleteStack removes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient, DescribeQueryDefinitionsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

const template = (query: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Resources: {
      Group: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: "/cfn/insights" } },
      Saved: {
        Type: "AWS::Logs::QueryDefinition",
        Properties: { Name: "ops/errors", QueryString: query, LogGroupNames: [{ Ref: "Group" }], ...extra },
      },
    },
    Outputs: { Id: { Value: { Ref: "Saved" } }, AttrId: { Value: { "Fn::GetAtt": ["Saved", "QueryDefinitionId"] } } },
  });

test("AWS::Logs::QueryDefinition: created, updated in place, deleted with its stack", async () => {
  const account = randomAccount();
  const cfn = server.client(CloudFormationClient, { account });
  const logs = server.client(CloudWatchLogsClient, { account });
  const waiter = { client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 };
  const fail = async (name: string, e: unknown) => {
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents!;
    return new Error(events.map((x) => `${x.LogicalResourceId} ${x.ResourceStatus} ${x.ResourceStatusReason ?? ""}`).join("\n"), { cause: e });
  };
  await cfn.send(new CreateStackCommand({ StackName: "q", TemplateBody: template("filter level = 'ERROR' | stats count(*) by service") }));
  await waitUntilStackCreateComplete(waiter, { StackName: "q" }).catch(async (e) => {
    throw await fail("q", e);
  });
  const outputs = async () =>
    Object.fromEntries((await cfn.send(new DescribeStacksCommand({ StackName: "q" }))).Stacks![0].Outputs!.map((o) => [o.OutputKey!, o.OutputValue!]));
  const out = await outputs();
  assert.match(out.Id, /^[0-9a-f-]{36}$/);
  assert.equal(out.AttrId, out.Id);
  const defs = async () => (await logs.send(new DescribeQueryDefinitionsCommand({}))).queryDefinitions!;
  assert.deepEqual(
    (await defs()).map((d) => [d.queryDefinitionId, d.name, d.queryString, d.logGroupNames]),
    [[out.Id, "ops/errors", "filter level = 'ERROR' | stats count(*) by service", ["/cfn/insights"]]],
  );

  await cfn.send(
    new UpdateStackCommand({
      StackName: "q",
      TemplateBody: template("fields @message | filter @message like /{{term}}/", { Parameters: [{ Name: "term", DefaultValue: "ERROR" }] }),
    }),
  );
  await waitUntilStackUpdateComplete(waiter, { StackName: "q" }).catch(async (e) => {
    throw await fail("q", e);
  });
  assert.equal((await outputs()).Id, out.Id);
  const [updated] = await defs();
  assert.equal(updated.queryString, "fields @message | filter @message like /{{term}}/");
  assert.deepEqual(updated.parameters, [{ name: "term", defaultValue: "ERROR" }]);

  await cfn.send(new DeleteStackCommand({ StackName: "q" }));
  await waitUntilStackDeleteComplete(waiter, { StackName: "q" });
  assert.deepEqual(await defs(), []);
});
