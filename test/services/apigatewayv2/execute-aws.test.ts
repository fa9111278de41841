// AWS service integrations of an HTTP API (AWS_PROXY with an integration subtype): SQS-SendMessage with its
// parameters mapped from the request, called as the integration's credentials role; a role that does not trust
// API Gateway is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from "@aws-sdk/client-apigatewayv2";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { call, env } from "./execute-helpers.js";

const server = useServer();

const trust = (service: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

test("SQS-SendMessage: the request's body becomes a message, sent as the credentials role", async () => {
  const e = await env(server);
  const sqs = new SQSClient(server.clientConfig({ account: e.account }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "inbox" }));
  const { Role: role } = await e.iam.send(new CreateRoleCommand({ RoleName: "apigw-sqs", AssumeRolePolicyDocument: trust("apigateway.amazonaws.com") }));
  const { Role: wrong } = await e.iam.send(new CreateRoleCommand({ RoleName: "not-apigw", AssumeRolePolicyDocument: trust("lambda.amazonaws.com") }));
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "sqs", ProtocolType: "HTTP" }));
  const integration = (roleArn: string) =>
    e.v2.send(
      new CreateIntegrationCommand({
        ApiId: id,
        IntegrationType: "AWS_PROXY",
        IntegrationSubtype: "SQS-SendMessage",
        PayloadFormatVersion: "1.0",
        CredentialsArn: roleArn,
        RequestParameters: { QueueUrl: QueueUrl!, MessageBody: "$request.body", DelaySeconds: "0" },
      }),
    );
  const good = await integration(role!.Arn!);
  const bad = await integration(wrong!.Arn!);
  await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "POST /send", Target: `integrations/${good.IntegrationId}` }));
  await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "POST /refused", Target: `integrations/${bad.IntegrationId}` }));
  await e.v2.send(new CreateStageCommand({ ApiId: id, StageName: "$default", AutoDeploy: true }));

  const sent = await eventually(async () => {
    const r = await call(server, id!, "/send", { method: "POST", headers: { "content-type": "application/json" }, body: '{"order":42}' });
    assert.equal(r.status, 200);
    return r.json();
  });
  const messageId = sent.SendMessageResponse.SendMessageResult.MessageId;
  assert.match(messageId, /^[0-9a-f-]{36}$/);
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  assert.equal(Messages?.length, 1);
  assert.equal(Messages![0]!.Body, '{"order":42}');
  assert.equal(Messages![0]!.MessageId, messageId);

  const refused = await call(server, id!, "/refused", { method: "POST", body: "x" });
  assert.equal(refused.status, 500);
  assert.deepEqual(refused.json(), { message: "Internal Server Error" });
});
