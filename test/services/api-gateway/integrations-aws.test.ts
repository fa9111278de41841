// AWS (non-proxy) integrations over real HTTP, to the services Stratus runs, as the integration's credentials role:
// Lambda with mapping templates and errorMessage selection, SQS SendMessage by path and by action, SNS Publish,
// S3 PutObject/GetObject by path override; a role API Gateway may not assume, and a service Stratus does not run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AddPermissionCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, useServer } from "../../helpers/server.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";
import { call, restApi, type TestApi } from "./integrations-setup.js";

const server = useServer();

const trust = (service: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

/** A role API Gateway may assume (and one it may not), in a fresh account. */
async function roles(account: string) {
  const iam = server.client(IAMClient, { account });
  const ok = await iam.send(new CreateRoleCommand({ RoleName: "apigw-integration", AssumeRolePolicyDocument: trust("apigateway.amazonaws.com") }));
  const wrong = await iam.send(new CreateRoleCommand({ RoleName: "lambda-only", AssumeRolePolicyDocument: trust("lambda.amazonaws.com") }));
  return { role: ok.Role!.Arn!, wrongRole: wrong.Role!.Arn! };
}

const FUNCTION = `
export const handler = async (event) => {
  if (event.fail === "missing") throw new Error("Not Found: item " + event.id);
  if (event.fail === "other") throw new Error("something else broke");
  return { received: event, total: (event.items ?? []).reduce((a, b) => a + b, 0) };
};`;

test("Lambda (non-proxy): the request template is the event, the response template maps the result, errorMessage selects the response", async () => {
  const env = await lambdaEnv(server);
  const { role, wrongRole } = await roles(env.account);
  await createFunction(env, { FunctionName: "calc", code: { "index.mjs": FUNCTION } });
  const fnArn = `arn:aws:lambda:us-east-1:${env.account}:function:calc`;
  const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn}/invocations`;
  const api = await restApi(server, env.account);
  const spec = (credentials?: string) => ({
    requestParameters: { "method.request.path.id": true },
    integration: {
      type: "AWS" as const,
      integrationHttpMethod: "POST",
      uri,
      credentials,
      requestTemplates: {
        "application/json": `{"id": "$input.params('id')", "items": $input.json('$.items'), "fail": "$input.params('fail')", "stage": "$context.stage"}`,
      },
    },
    responses: [
      {
        statusCode: "200",
        responseTemplates: {
          "application/json": `{"sum": $input.path('$.total'), "id": "$input.path('$.received.id')", "stage": "$input.path('$.received.stage')"}`,
        },
      },
      {
        statusCode: "404",
        selectionPattern: "Not Found.*",
        responseTemplates: { "application/json": `{"error": "$input.path('$.errorMessage')", "type": "$input.path('$.errorType')"}` },
      },
    ],
  });
  await api.method("/calc/{id}", "POST", spec(role));
  await api.method("/open/{id}", "POST", spec()); // no credentials: the function's resource policy decides
  await api.method("/untrusted/{id}", "POST", spec(wrongRole)); // a role that does not trust API Gateway
  await api.deploy("v1");
  const post = (path: string) =>
    call(server, api.id, path, { method: "POST", stage: "v1", body: JSON.stringify({ items: [1, 2, 3.5] }), headers: { "content-type": "application/json" } });

  const ok = await post("/calc/a1");
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json(), { sum: 6.5, id: "a1", stage: "v1" });

  const missing = await post("/calc/a2?fail=missing");
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json(), { error: "Not Found: item a2", type: "Error" });

  // An error no pattern selects goes to the default response, as on AWS: 200 with the mapped error document.
  const other = await post("/calc/a3?fail=other");
  assert.equal(other.status, 200);
  // The success template reads paths the error document lacks: each renders as nothing (null is "" in AWS's VTL).
  assert.equal(other.text, `{"sum": , "id": "", "stage": ""}`);

  // The role must let API Gateway assume it: a role trusting another service is a 500, like a missing grant.
  const untrusted = await post("/untrusted/c1");
  assert.equal(untrusted.status, 500);
  assert.deepEqual(untrusted.json(), { message: "Internal server error" });

  const denied = await post("/open/b1");
  assert.equal(denied.status, 500, "without credentials and without a resource-policy grant");
  assert.deepEqual(denied.json(), { message: "Internal server error" });
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "calc",
      StatementId: "apigw",
      Action: "lambda:InvokeFunction",
      Principal: "apigateway.amazonaws.com",
      SourceArn: `arn:aws:execute-api:us-east-1:${env.account}:${api.id}/*/POST/open/*`,
    }),
  );
  const granted = await post("/open/b1");
  assert.equal(granted.status, 200);
  assert.deepEqual(granted.json(), { sum: 6.5, id: "b1", stage: "v1" });
});

test("Lambda (non-proxy) with X-Amz-Invocation-Type 'Event': queued, the client answered at once from the default response", async () => {
  const env = await lambdaEnv(server);
  const { role } = await roles(env.account);
  const sqs = server.client(SQSClient, { account: env.account });
  const url = await queue(sqs, "done");
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  await createFunction(env, { FunctionName: "worker", code: { "index.mjs": FUNCTION } });
  await env.lambda.send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: "worker", DestinationConfig: { OnSuccess: { Destination: Attributes!.QueueArn } } }),
  );
  const api = await restApi(server, env.account);
  await api.method("/jobs", "POST", {
    integration: {
      type: "AWS",
      integrationHttpMethod: "POST",
      uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${env.account}:function:worker/invocations`,
      credentials: role,
      requestParameters: { "integration.request.header.X-Amz-Invocation-Type": "'Event'" },
      requestTemplates: { "application/json": `{"id": "$context.requestId", "items": $input.json('$.items')}` },
    },
    responses: [{ statusCode: "202", responseTemplates: { "application/json": `{"accepted": "$context.requestId"}` } }],
  });
  await api.deploy();
  const r = await call(server, api.id, "/jobs", { method: "POST", body: JSON.stringify({ items: [2, 3] }), headers: { "content-type": "application/json" } });
  assert.equal(r.status, 202);
  const requestId = r.headers["x-amzn-requestid"];
  assert.deepEqual(r.json(), { accepted: requestId });
  const [record] = await drain(sqs, url);
  const parsed = JSON.parse(record!);
  assert.deepEqual(parsed.requestPayload, { id: requestId, items: [2, 3] });
  assert.deepEqual(parsed.responsePayload, { received: { id: requestId, items: [2, 3] }, total: 5 });
});

async function queue(sqs: SQSClient, name: string) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return QueueUrl!;
}

/** The queue's messages (long polling: answered as soon as one is there). */
async function drain(sqs: SQSClient, QueueUrl: string): Promise<string[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 10 }));
  return (out.Messages ?? []).map((m) => m.Body!);
}

test("SQS: SendMessage by path (a form template) and by action (query parameters, JSON answer); ReceiveMessage shows them", async () => {
  const account = randomAccount();
  const { role } = await roles(account);
  const sqs = server.client(SQSClient, { account });
  const url = await queue(sqs, "orders");
  const api = await restApi(server, account);
  await api.method("/orders", "POST", {
    integration: {
      type: "AWS",
      integrationHttpMethod: "POST",
      uri: `arn:aws:apigateway:us-east-1:sqs:path/${account}/orders`,
      credentials: role,
      requestParameters: { "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'" },
      requestTemplates: { "application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)&DelaySeconds=0" },
      passthroughBehavior: "NEVER",
    },
    responses: [{ statusCode: "200", responseTemplates: { "application/xml": "" } }],
  });
  await api.method("/enqueue", "POST", {
    integration: {
      type: "AWS",
      integrationHttpMethod: "POST",
      uri: "arn:aws:apigateway:us-east-1:sqs:action/SendMessage",
      credentials: role,
      requestParameters: {
        "integration.request.querystring.QueueUrl": `'${url}'`,
        "integration.request.querystring.MessageBody": "method.request.body",
        "integration.request.header.Accept": "'application/json'",
      },
    },
    responses: [{ statusCode: "200", responseTemplates: { "application/json": `{"id": "$input.path('$.SendMessageResponse.SendMessageResult.MessageId')"}` } }],
  });
  await api.deploy();

  const byPath = await call(server, api.id, "/orders", {
    method: "POST",
    body: JSON.stringify({ order: "A & B" }),
    headers: { "content-type": "application/json" },
  });
  assert.equal(byPath.status, 200);
  assert.equal(byPath.headers["content-type"], "application/xml");
  assert.match(
    byPath.text,
    /^<SendMessageResponse xmlns="[^"]+"><SendMessageResult><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MessageId>[0-9a-f-]{36}<\/MessageId>/,
  );

  const byAction = await call(server, api.id, "/enqueue", { method: "POST", body: "plain text message", headers: { "content-type": "text/plain" } });
  assert.equal(byAction.status, 200);
  const { id } = byAction.json() as { id: string };
  assert.match(id, /^[0-9a-f-]{36}$/);

  const bodies = (await drain(sqs, url)).sort();
  assert.deepEqual(bodies, [JSON.stringify({ order: "A & B" }), "plain text message"].sort());
});

test("SNS Publish by action: the message reaches a subscribed queue; the answer is SNS's XML", async () => {
  const account = randomAccount();
  const { role } = await roles(account);
  const sqs = server.client(SQSClient, { account });
  const url = await queue(sqs, "notifications");
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  const sns = server.client(SNSClient, { account });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "events" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: "true" } }));
  const api = await restApi(server, account);
  await api.method("/publish", "POST", {
    integration: {
      type: "AWS",
      integrationHttpMethod: "POST",
      uri: "arn:aws:apigateway:us-east-1:sns:action/Publish",
      credentials: role,
      requestParameters: {
        "integration.request.querystring.TopicArn": `'${TopicArn}'`,
        "integration.request.querystring.Message": "method.request.body",
        "integration.request.querystring.Subject": "'from-api'",
      },
    },
    responses: [{ statusCode: "200" }],
  });
  await api.deploy();
  const r = await call(server, api.id, "/publish", { method: "POST", body: "hello subscribers", headers: { "content-type": "text/plain" } });
  assert.equal(r.status, 200);
  assert.match(r.text, /<PublishResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><PublishResult><MessageId>[0-9a-f-]{36}<\/MessageId>/);
  assert.deepEqual(await drain(sqs, url), ["hello subscribers"]);
  // A text body is the message, never more parameters: a form-looking one does not reach the query API as a form.
  const formish = await call(server, api.id, "/publish", { method: "POST", body: "a=1&Message=hijacked", headers: { "content-type": "text/plain" } });
  assert.equal(formish.status, 200);
  assert.deepEqual(await drain(sqs, url), ["a=1&Message=hijacked"]);
});

test("S3 by path override: PUT stores the object under the mapped key, GET reads it back, a missing key maps to 404", async () => {
  const account = randomAccount();
  const { role } = await roles(account);
  const bucket = `apigw-files-${account}`;
  const s3 = server.client(S3Client, { account }, { forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const api = await restApi(server, account);
  const uri = `arn:aws:apigateway:us-east-1:s3:path/${bucket}/{object}`;
  await api.method("/files/{key}", "PUT", {
    requestParameters: { "method.request.path.key": true, "method.request.header.Content-Type": false },
    integration: {
      type: "AWS",
      integrationHttpMethod: "PUT",
      uri,
      credentials: role,
      requestParameters: {
        "integration.request.path.object": "method.request.path.key",
        "integration.request.header.Content-Type": "method.request.header.Content-Type",
      },
    },
    responses: [{ statusCode: "200", responseParameters: { "method.response.header.ETag": "integration.response.header.ETag" } }],
  });
  await api.method("/files/{key}", "GET", {
    requestParameters: { "method.request.path.key": true },
    integration: {
      type: "AWS",
      integrationHttpMethod: "GET",
      uri,
      credentials: role,
      requestParameters: { "integration.request.path.object": "method.request.path.key" },
    },
    responses: [
      { statusCode: "200", responseParameters: { "method.response.header.Content-Type": "integration.response.header.Content-Type" } },
      { statusCode: "404", selectionPattern: "404", responseTemplates: { "application/json": `{"message": "no such file"}` } },
    ],
  });
  // The bucket as the URI's subdomain (virtual-hosted style).
  await api.method("/vhost/{key}", "GET", {
    requestParameters: { "method.request.path.key": true },
    integration: {
      type: "AWS",
      integrationHttpMethod: "GET",
      uri: `arn:aws:apigateway:us-east-1:${bucket}.s3:path/{object}`,
      credentials: role,
      requestParameters: { "integration.request.path.object": "method.request.path.key" },
    },
    responses: [{ statusCode: "200" }],
  });
  await api.deploy();

  const put = await call(server, api.id, "/files/notes.txt", { method: "PUT", body: "some notes", headers: { "content-type": "text/plain" } });
  assert.equal(put.status, 200);
  assert.match(String(put.headers.etag), /^"[0-9a-f]{32}"$/);
  const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "notes.txt" }));
  assert.equal(await stored.Body!.transformToString(), "some notes");
  assert.equal(stored.ContentType, "text/plain");

  const get = await call(server, api.id, "/files/notes.txt");
  assert.equal(get.status, 200);
  assert.equal(get.headers["content-type"], "text/plain");
  assert.equal(get.text, "some notes");

  const vhost = await call(server, api.id, "/vhost/notes.txt");
  assert.equal(vhost.status, 200);
  assert.equal(vhost.text, "some notes");

  const missing = await call(server, api.id, "/files/absent.txt");
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json(), { message: "no such file" });
});

test("a JSON-protocol service by action (SSM GetParameter): the template is the JSON input, errors mapped by status", async () => {
  const account = randomAccount();
  const { role } = await roles(account);
  await server.client(SSMClient, { account }).send(new PutParameterCommand({ Name: "/app/color", Value: "teal", Type: "String" }));
  const api = await restApi(server, account);
  await api.method("/config/{name}", "GET", {
    requestParameters: { "method.request.path.name": true },
    integration: {
      type: "AWS",
      integrationHttpMethod: "POST",
      uri: "arn:aws:apigateway:us-east-1:ssm:action/GetParameter",
      credentials: role,
      requestTemplates: { "application/json": `{"Name": "/app/$util.escapeJavaScript($input.params('name'))"}` },
    },
    responses: [
      {
        statusCode: "200",
        responseTemplates: { "application/json": `{"value": "$input.path('$.Parameter.Value')", "version": $input.path('$.Parameter.Version')}` },
      },
      { statusCode: "404", selectionPattern: "400", responseTemplates: { "application/json": `{"missing": "$input.path('$.__type')"}` } },
    ],
  });
  await api.deploy();
  const r = await call(server, api.id, "/config/color");
  assert.equal(r.status, 200);
  assert.deepEqual(r.json(), { value: "teal", version: 1 });
  const missing = await call(server, api.id, "/config/size");
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json(), { missing: "ParameterNotFound" });
});

test("a credentials role API Gateway may not assume, and a service Stratus does not run, answer 500", async () => {
  const account = randomAccount();
  const { role, wrongRole } = await roles(account);
  const api: TestApi = await restApi(server, account);
  const sqsUri = `arn:aws:apigateway:us-east-1:sqs:action/ListQueues`;
  await api.method("/wrong-role", "GET", {
    integration: { type: "AWS", integrationHttpMethod: "POST", uri: sqsUri, credentials: wrongRole },
    responses: [{ statusCode: "200" }],
  });
  await api.method("/no-role", "GET", {
    integration: { type: "AWS", integrationHttpMethod: "POST", uri: sqsUri, credentials: `arn:aws:iam::${account}:role/absent` },
    responses: [{ statusCode: "200" }],
  });
  // The caller's own credentials: only for an IAM-authorized method request.
  await api.method("/caller", "GET", {
    integration: { type: "AWS", integrationHttpMethod: "POST", uri: sqsUri, credentials: "arn:aws:iam::*:user/*" },
    responses: [{ statusCode: "200" }],
  });
  await api.method("/listed", "GET", {
    integration: {
      type: "AWS",
      integrationHttpMethod: "POST",
      uri: sqsUri,
      credentials: role,
      requestParameters: { "integration.request.header.Accept": "'application/json'" },
    },
    responses: [{ statusCode: "200" }],
  });
  await api.method("/kinesis", "GET", {
    integration: { type: "AWS", integrationHttpMethod: "POST", uri: "arn:aws:apigateway:us-east-1:kinesis:action/ListStreams", credentials: role },
    responses: [{ statusCode: "200" }],
  });
  await api.deploy();
  for (const path of ["/wrong-role", "/no-role", "/caller"]) {
    const r = await call(server, api.id, path);
    assert.equal(r.status, 500, path);
    assert.deepEqual(r.json(), { message: "Internal server error" });
  }
  const listed = await call(server, api.id, "/listed");
  assert.equal(listed.status, 200);
  const doc = listed.json() as { ListQueuesResponse: { ListQueuesResult: Record<string, unknown>; ResponseMetadata: { RequestId: string } } };
  assert.equal(doc.ListQueuesResponse.ListQueuesResult.NextToken, null, "the query API's JSON form lists every result member");
  assert.match(doc.ListQueuesResponse.ResponseMetadata.RequestId, /^[0-9a-f-]{36}$/);
  const kinesis = await call(server, api.id, "/kinesis");
  assert.equal(kinesis.status, 500);
  assert.match((kinesis.json() as { message: string }).message, /Stratus does not run the AWS service "kinesis"/);
});
