// AWS::EventSchemas::Registry, ::Schema, ::Discoverer and ::RegistryPolicy through CloudFormation: a template deploys
// them (Refs and GetAtts as outputs), an update of the schema's content is its version 2, the stack's deletion removes
// them all.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import {
  DescribeDiscovererCommand,
  DescribeRegistryCommand,
  DescribeSchemaCommand,
  GetResourcePolicyCommand,
  ListTagsForResourceCommand,
  SchemasClient,
} from "@aws-sdk/client-schemas";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const content = (props: Record<string, unknown>) =>
  JSON.stringify({
    openapi: "3.0.0",
    info: { version: "1.0.0", title: "Event" },
    paths: {},
    components: { schemas: { Event: { type: "object", properties: props } } },
  });

const template = (schemaContent: string) =>
  JSON.stringify({
    Resources: {
      Bus: { Type: "AWS::Events::EventBus", Properties: { Name: "cfn-bus" } },
      Registry: {
        Type: "AWS::EventSchemas::Registry",
        Properties: { RegistryName: "cfn-reg", Description: "from a template", Tags: [{ Key: "k", Value: "v" }] },
      },
      Schema: {
        Type: "AWS::EventSchemas::Schema",
        Properties: { RegistryName: { "Fn::GetAtt": ["Registry", "RegistryName"] }, SchemaName: "Order", Type: "OpenApi3", Content: schemaContent },
      },
      Discoverer: { Type: "AWS::EventSchemas::Discoverer", Properties: { SourceArn: { "Fn::GetAtt": ["Bus", "Arn"] }, CrossAccount: false } },
      Policy: {
        Type: "AWS::EventSchemas::RegistryPolicy",
        Properties: {
          RegistryName: { "Fn::GetAtt": ["Registry", "RegistryName"] },
          Policy: {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { AWS: { "Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root" } }, Action: "schemas:*", Resource: { Ref: "Registry" } },
            ],
          },
        },
      },
    },
    Outputs: {
      RegistryRef: { Value: { Ref: "Registry" } },
      SchemaRef: { Value: { Ref: "Schema" } },
      SchemaVersion: { Value: { "Fn::GetAtt": ["Schema", "SchemaVersion"] } },
      DiscovererId: { Value: { "Fn::GetAtt": ["Discoverer", "DiscovererId"] } },
      PolicyId: { Value: { "Fn::GetAtt": ["Policy", "Id"] } },
    },
  });

test("a template's registry, schema, discoverer and registry policy deploy, update and are deleted with the stack", async () => {
  const account = randomAccount();
  const cfn = server.client(CloudFormationClient, { account });
  const api = server.client(SchemasClient, { account });
  await cfn.send(new CreateStackCommand({ StackName: "schemas", TemplateBody: template(content({ id: { type: "string" } })) }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "schemas" });
  const outputs = async () =>
    Object.fromEntries(
      ((await cfn.send(new DescribeStacksCommand({ StackName: "schemas" }))).Stacks![0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
    );
  const out = await outputs();
  assert.equal(out.RegistryRef, `arn:aws:schemas:us-east-1:${account}:registry/cfn-reg`);
  assert.equal(out.SchemaRef, `arn:aws:schemas:us-east-1:${account}:schema/cfn-reg/Order`);
  assert.equal(out.SchemaVersion, "1");
  assert.equal(out.DiscovererId, "events-event-bus-cfn-bus");
  assert.equal(out.PolicyId, "cfn-reg");
  assert.equal((await api.send(new DescribeRegistryCommand({ RegistryName: "cfn-reg" }))).Description, "from a template");
  // The template's tags and CloudFormation's own system tags, as AWS puts them on what a stack creates.
  const tags = (await api.send(new ListTagsForResourceCommand({ ResourceArn: out.RegistryRef }))).Tags!;
  assert.deepEqual(tags, {
    k: "v",
    "aws:cloudformation:logical-id": "Registry",
    "aws:cloudformation:stack-name": "schemas",
    "aws:cloudformation:stack-id": tags["aws:cloudformation:stack-id"],
  });
  assert.match(tags["aws:cloudformation:stack-id"]!, /^arn:aws:cloudformation:us-east-1:\d{12}:stack\/schemas\//);
  const d = await api.send(new DescribeDiscovererCommand({ DiscovererId: out.DiscovererId }));
  assert.equal(d.CrossAccount, false);
  assert.equal(d.State, "STARTED");
  const policy = JSON.parse((await api.send(new GetResourcePolicyCommand({ RegistryName: "cfn-reg" }))).Policy as unknown as string);
  assert.equal(policy.Statement[0].Principal.AWS, `arn:aws:iam::${account}:root`);

  await cfn.send(new UpdateStackCommand({ StackName: "schemas", TemplateBody: template(content({ id: { type: "string" }, n: { type: "number" } })) }));
  await waitUntilStackUpdateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "schemas" });
  assert.equal((await outputs()).SchemaVersion, "2");
  assert.equal((await api.send(new DescribeSchemaCommand({ RegistryName: "cfn-reg", SchemaName: "Order" }))).SchemaVersion, "2");

  await cfn.send(new DeleteStackCommand({ StackName: "schemas" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "schemas" });
  await rejects(api.send(new DescribeRegistryCommand({ RegistryName: "cfn-reg" })), "NotFoundException", 404);
  await rejects(api.send(new DescribeDiscovererCommand({ DiscovererId: out.DiscovererId })), "NotFoundException", 404);
});
