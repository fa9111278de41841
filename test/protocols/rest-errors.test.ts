// REST errors through a real server and the real SDKs: S3's XML envelope, rest-json's x-amzn-errortype,
// malformed bodies and unroutable paths answered with AWS's 4xx, never a 500.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LambdaClient, ListCodeSigningConfigsCommand } from "@aws-sdk/client-lambda";
import { S3Client, ListBucketAnalyticsConfigurationsCommand } from "@aws-sdk/client-s3";
import { request as httpRequest } from "node:http";
import { scopeAuth, useServer } from "../helpers/server.js";

const server = useServer();

// A SigV4-shaped Authorization header: enough for Stratus to tell the service and region (no signature check by default).
const auth = (service: string) => scopeAuth(service, { accessKeyId: "AKIDEXAMPLE", signedHeaders: "host;x-amz-date", signature: "0".repeat(64) });

interface SdkError {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
}

async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  assert.fail("the call succeeded");
}

test("Lambda (rest-json) not implemented: the SDK reads NotImplemented, 501 and a request id", async () => {
  const lambda = server.client(LambdaClient, {}, { maxAttempts: 1 });
  const e = await sdkError(lambda.send(new ListCodeSigningConfigsCommand({})));
  assert.equal(e.name, "NotImplemented");
  assert.equal(e.$metadata.httpStatusCode, 501);
  assert.match(e.$metadata.requestId ?? "", /\S/);
  assert.match(e.message, /ListCodeSigningConfigs/);
});

test("S3 (rest-xml) not implemented: the SDK parses NotImplemented 501 from S3's XML error", async () => {
  const s3 = server.client(S3Client, {}, { forcePathStyle: true, maxAttempts: 1 });
  // An operation S3 in Stratus does not implement (yet): the point is the error's envelope.
  const e = await sdkError(s3.send(new ListBucketAnalyticsConfigurationsCommand({ Bucket: "any-bucket" })));
  assert.equal(e.name, "NotImplemented");
  assert.equal(e.$metadata.httpStatusCode, 501);
  assert.match(e.$metadata.requestId ?? "", /\S/);
  assert.match(e.$metadata.extendedRequestId ?? "", /\S/);
});

test("S3 error body is a bare <Error> with Code, Message, RequestId and HostId", async () => {
  const res = await fetch(`${server.url}/any-bucket?analytics`, { headers: { authorization: auth("s3") } });
  assert.equal(res.status, 501);
  assert.match(res.headers.get("content-type") ?? "", /xml/);
  const body = await res.text();
  assert.match(
    body,
    /^<\?xml[^>]*\?>\s*<Error><Code>NotImplemented<\/Code><Message>[^<]+<\/Message><RequestId>[^<]+<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/,
  );
  assert.equal(res.headers.get("x-amz-request-id"), /<RequestId>([^<]+)</.exec(body)![1]);
});

test("malformed JSON to a rest-json POST is 400 SerializationException", async () => {
  const res = await fetch(`${server.url}/2015-03-31/functions`, {
    method: "POST",
    headers: { authorization: auth("lambda"), "content-type": "application/json" },
    body: '{"FunctionName": "f", ',
  });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get("x-amzn-errortype"), "SerializationException");
  assert.match(res.headers.get("x-amzn-requestid") ?? "", /\S/);
  const body = (await res.json()) as { message?: string };
  assert.match(body.message ?? "", /json/i);
});

test("a JSON value of the wrong type is 400 SerializationException (service told by Host)", async () => {
  // fetch will not send a custom Host, so this one goes through node:http.
  const res = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest(
      `${server.url}/2015-03-31/functions`,
      {
        method: "POST",
        headers: { host: "lambda.us-east-1.amazonaws.com", "content-type": "application/json" },
      },
      (r) => {
        r.resume();
        r.on("end", () => resolve({ status: r.statusCode ?? 0, headers: r.headers }));
      },
    );
    req.on("error", reject);
    req.end('{"FunctionName": {"not": "a string"}}');
  });
  assert.equal(res.status, 400);
  assert.equal(res.headers["x-amzn-errortype"], "SerializationException");
});

test("an unroutable Lambda path is 404 UnknownOperationException", async () => {
  const res = await fetch(`${server.url}/2015-03-31/no-such-thing`, { headers: { authorization: auth("lambda") } });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get("x-amzn-errortype"), "UnknownOperationException");
});

test("malformed XML to an S3 body operation is 400 MalformedXML in S3's words", async () => {
  const res = await fetch(`${server.url}/bucket?tagging`, { method: "PUT", headers: { authorization: auth("s3") }, body: "<Tagging><TagSet>" });
  assert.equal(res.status, 400);
  const body = await res.text();
  assert.match(body, /<Code>MalformedXML<\/Code>/);
  assert.match(body, /The XML you provided was not well-formed or did not validate against our published schema/);
});

test("a method S3 has no operation for is 405 MethodNotAllowed", async () => {
  const res = await fetch(`${server.url}/bucket/key`, { method: "PATCH", headers: { authorization: auth("s3") } });
  assert.equal(res.status, 405);
  assert.match(await res.text(), /<Code>MethodNotAllowed<\/Code>.*<Method>PATCH<\/Method>/s);
});
