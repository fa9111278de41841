// The engine hands providers the types AWS's resource specification declares: a number or boolean given for a
// string property arrives as its text, "30" for an integer as 30; an update whose only difference is "30" → 30
// changes nothing. Through the SDK, observed with each service's own client.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { GetQueueAttributesCommand, ListQueueTagsCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { userTagMap } from "../../helpers/cloudformation.js";

let s: TestServer;
let cfn: CloudFormationClient;
let sqs: SQSClient;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  sqs = new SQSClient(c);
});
after(() => s.close());

test("property values reach the provider as the specification's types, and a type-only difference is no update", async () => {
  const template = (timeout: unknown) =>
    JSON.stringify({
      Resources: {
        Q: {
          Type: "AWS::SQS::Queue",
          Properties: {
            VisibilityTimeout: timeout,
            Tags: [
              { Key: "n", Value: 5 },
              { Key: "b", Value: true },
            ],
          },
        },
      },
    });
  await cfn.send(new CreateStackCommand({ StackName: "coerce", TemplateBody: template("45") }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "coerce" });
  const [q] = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "coerce" }))).StackResources!;
  assert.deepEqual(userTagMap((await sqs.send(new ListQueueTagsCommand({ QueueUrl: q.PhysicalResourceId! }))).Tags), { n: "5", b: "true" });
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.PhysicalResourceId!, AttributeNames: ["VisibilityTimeout"] }));
  assert.equal(attrs.Attributes?.VisibilityTimeout, "45");

  await cfn.send(new UpdateStackCommand({ StackName: "coerce", TemplateBody: template(45) }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "coerce" });
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "coerce" }))).StackEvents!;
  assert.ok(!events.some((e) => e.LogicalResourceId === "Q" && e.ResourceStatus === "UPDATE_IN_PROGRESS"), '"45" and 45 are the same value');
});
