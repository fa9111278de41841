// RPC protocol errors through a real server: malformed bodies, unknown operations, and one service spoken three ways.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cbor } from "@smithy/core/cbor";
import { XMLParser } from "fast-xml-parser";
import { CloudWatchClient, ListMetricStreamsCommand } from "@aws-sdk/client-cloudwatch";
import { SQSClient, RemovePermissionCommand } from "@aws-sdk/client-sqs";
// The SDK's protocol implementations, to make one client speak each protocol CloudWatch offers.
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { scopeAuth, useServer } from "../helpers/server.js";
import { gzipSync } from "node:zlib";
import { ServiceError } from "../../src/core/errors.js";
import { loadModel } from "../../src/core/model.js";
import { loadCodec } from "../../src/protocols/index.js";
import type { HttpRequest } from "../../src/protocols/types.js";

const server = useServer();

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** An unverified SigV4 Authorization header: enough for routing by the credential scope's service. */
const scope = (service: string) => scopeAuth(service);

async function post(path: string, headers: Record<string, string>, body: string | Uint8Array) {
  const res = await fetch(server.url + path, { method: "POST", headers, body: typeof body === "string" ? body : new Uint8Array(body) });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const json = (b: Buffer) => JSON.parse(b.toString("utf8")) as Record<string, unknown>;

const CLOUDTRAIL_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";

test("json: a truncated body is SerializationException 400", async () => {
  const r = await post(
    "/",
    { "x-amz-target": `${CLOUDTRAIL_TARGET}.LookupEvents`, "content-type": "application/x-amz-json-1.1", authorization: scope("cloudtrail") },
    '{"MaxResults": 5',
  );
  assert.equal(r.status, 400);
  assert.match(r.headers.get("content-type") ?? "", /application\/x-amz-json-1\.1/);
  assert.ok(r.headers.get("x-amzn-requestid"));
  assert.equal(json(r.body).__type, "SerializationException");
});

test("json: a body that is not an object is SerializationException 400", async () => {
  const r = await post(
    "/",
    { "x-amz-target": `${CLOUDTRAIL_TARGET}.LookupEvents`, "content-type": "application/x-amz-json-1.1", authorization: scope("cloudtrail") },
    "[1,2]",
  );
  assert.equal(r.status, 400);
  assert.equal(json(r.body).__type, "SerializationException");
});

test("json: a member of the wrong JSON type is SerializationException 400", async () => {
  const r = await post(
    "/",
    { "x-amz-target": `${CLOUDTRAIL_TARGET}.LookupEvents`, "content-type": "application/x-amz-json-1.1", authorization: scope("cloudtrail") },
    '{"MaxResults": "five"}',
  );
  assert.equal(r.status, 400);
  const body = json(r.body);
  assert.equal(body.__type, "SerializationException");
  assert.equal(body.message, "STRING_VALUE can not be converted to an Integer");
});

test("json: an unknown X-Amz-Target is UnknownOperationException", async () => {
  const r = await post(
    "/",
    { "x-amz-target": `${CLOUDTRAIL_TARGET}.NoSuchThing`, "content-type": "application/x-amz-json-1.1", authorization: scope("cloudtrail") },
    "{}",
  );
  assert.equal(r.status, 400);
  assert.equal(json(r.body).__type, "UnknownOperationException");
});

test("query: malformed percent-encoding is MalformedQueryString 400", async () => {
  const r = await post(
    "/",
    { "content-type": "application/x-www-form-urlencoded", authorization: scope("sts") },
    "Action=GetCallerIdentity&Version=2011-06-15&Bad=%E0%A4%A",
  );
  assert.equal(r.status, 400);
  const e = xml.parse(r.body.toString("utf8")).ErrorResponse.Error;
  assert.equal(e.Code, "MalformedQueryString");
  assert.equal(e.Type, "Sender");
  // The call is in the audit trail too (recording it once failed on the same malformed form, after the response).
  const { Events } = (await server.runtime.dispatch(
    "cloudtrail",
    "LookupEvents",
    { LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "sts.amazonaws.com" }] },
    server.runtime.rootIdentity("123456789012"),
  )) as { Events: { CloudTrailEvent: string }[] };
  assert.ok(
    Events.some((ev) => (JSON.parse(ev.CloudTrailEvent) as { errorCode?: string }).errorCode === "MalformedQueryString"),
    "the refused call is recorded",
  );
});

test("query: an unknown Action to STS is InvalidAction 400", async () => {
  const r = await post("/", { "content-type": "application/x-www-form-urlencoded", authorization: scope("sts") }, "Action=GetCallerBogus&Version=2011-06-15");
  assert.equal(r.status, 400);
  const doc = xml.parse(r.body.toString("utf8"));
  assert.equal(doc.ErrorResponse.Error.Code, "InvalidAction");
  assert.ok(doc.ErrorResponse.RequestId);
});

test("query: no Action is MissingAction 400", async () => {
  const r = await post("/", { "content-type": "application/x-www-form-urlencoded", authorization: scope("sts") }, "Version=2011-06-15");
  assert.equal(r.status, 400);
  assert.equal(xml.parse(r.body.toString("utf8")).ErrorResponse.Error.Code, "MissingAction");
});

test("cbor: garbage to CloudWatch is SerializationException 400, in CBOR", async () => {
  const r = await post(
    "/service/GraniteServiceVersion20100801/operation/ListMetrics",
    { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", accept: "application/cbor", authorization: scope("monitoring") },
    Buffer.from("this is not cbor at all"),
  );
  assert.equal(r.status, 400);
  assert.equal(r.headers.get("smithy-protocol"), "rpc-v2-cbor");
  assert.equal(r.headers.get("content-type"), "application/cbor");
  const doc = cbor.deserialize(r.body) as Record<string, unknown>;
  assert.equal(doc.__type, "SerializationException");
  assert.equal(r.headers.get("x-amzn-query-error"), "SerializationException;Sender");
});

test("cbor: a truncated CBOR map is SerializationException 400", async () => {
  const r = await post(
    "/service/GraniteServiceVersion20100801/operation/ListMetrics",
    { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", authorization: scope("monitoring") },
    Buffer.from([0xbf, 0x69, 0x4e, 0x61]),
  );
  assert.equal(r.status, 400);
  assert.equal((cbor.deserialize(r.body) as Record<string, unknown>).__type, "SerializationException");
});

/** A CloudWatch client speaking the given protocol, recording the Content-Type of what it sent. */
function cloudwatch(protocol?: unknown) {
  const sent: string[] = [];
  const cw = new CloudWatchClient({ ...server.clientConfig(), maxAttempts: 1, ...(protocol ? { protocol } : {}) } as NonNullable<
    ConstructorParameters<typeof CloudWatchClient>[0]
  >);
  cw.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      sent.push(headers["smithy-protocol"] ? "cbor" : (headers["content-type"] ?? ""));
      return next(args);
    },
    { step: "finalizeRequest" },
  );
  return { cw, sent };
}

const notImplemented = (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
  assert.equal(e.name, "NotImplemented");
  assert.equal(e.$metadata?.httpStatusCode, 501);
  return true;
};

// One unimplemented operation (metric streams), three wire protocols, each through the real SDK's own parser.
test("CloudWatch via the real SDK over smithy-rpc-v2-cbor answers NotImplemented 501, parsed by the SDK", async () => {
  const { cw, sent } = cloudwatch(AwsSmithyRpcV2CborProtocol);
  await assert.rejects(cw.send(new ListMetricStreamsCommand({})), notImplemented);
  assert.deepEqual(sent, ["cbor"]);
});

test("CloudWatch via the real SDK over awsJson 1.0 (its default) answers NotImplemented 501", async () => {
  const { cw, sent } = cloudwatch();
  await assert.rejects(cw.send(new ListMetricStreamsCommand({})), notImplemented);
  assert.deepEqual(sent, ["application/x-amz-json-1.0"]);
});

test("CloudWatch via the real SDK over query answers NotImplemented 501", async () => {
  const { cw, sent } = cloudwatch(AwsQueryProtocol);
  await assert.rejects(cw.send(new ListMetricStreamsCommand({})), notImplemented);
  assert.match(sent[0], /x-www-form-urlencoded/);
});

test("CloudWatch spoken as awsJson 1.0 answers a JSON envelope", async () => {
  const r = await post(
    "/",
    { "x-amz-target": "GraniteServiceVersion20100801.ListMetricStreams", "content-type": "application/x-amz-json-1.0", authorization: scope("monitoring") },
    "{}",
  );
  assert.equal(r.status, 501);
  assert.match(r.headers.get("content-type") ?? "", /application\/x-amz-json-1\.0/);
  const body = json(r.body);
  assert.equal(body.__type, "NotImplemented");
  assert.match(String(body.message), /ListMetricStreams/);
  assert.equal(r.headers.get("x-amzn-query-error"), "NotImplemented;Receiver");
});

test("CloudWatch spoken as query answers an XML ErrorResponse", async () => {
  const r = await post(
    "/",
    { "content-type": "application/x-www-form-urlencoded", authorization: scope("monitoring") },
    "Action=ListMetricStreams&Version=2010-08-01",
  );
  assert.equal(r.status, 501);
  assert.match(r.headers.get("content-type") ?? "", /text\/xml/);
  const e = xml.parse(r.body.toString("utf8")).ErrorResponse.Error;
  assert.equal(e.Code, "NotImplemented");
  assert.equal(e.Type, "Receiver");
});

// RemovePermission: an SQS operation Stratus does not implement (yet); the point is the error's envelope.
test("SQS via the real SDK (awsJson 1.0) answers NotImplemented, parsed by the SDK", async () => {
  const sqs = server.client(SQSClient, {}, { maxAttempts: 1 });
  await assert.rejects(
    sqs.send(new RemovePermissionCommand({ QueueUrl: `${server.url}/000000000000/q`, Label: "l" })),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, "NotImplemented");
      assert.equal(e.$metadata?.httpStatusCode, 501);
      return true;
    },
  );
});

test("SQS spoken as query (Action=RemovePermission) answers an XML envelope", async () => {
  const r = await post(
    "/",
    { "content-type": "application/x-www-form-urlencoded", authorization: scope("sqs") },
    "Action=RemovePermission&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%2F000000000000%2Fq&Label=l",
  );
  assert.equal(r.status, 501);
  const doc = xml.parse(r.body.toString("utf8"));
  assert.equal(doc.ErrorResponse.Error.Code, "NotImplemented");
  assert.ok(doc.ErrorResponse.RequestId);
});

// Codec-level checks on real service models, no server needed.

const jsonReq = (target: string, body: string | Buffer, headers: Record<string, string> = {}): HttpRequest => ({
  method: "POST",
  path: "/",
  query: "",
  headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.1", ...headers },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});

// The JSON codec loads on first use (protocols/index.ts): loaded here once for the codec-level tests below.
const codecs = { json: await loadCodec("json"), query: await loadCodec("query") };

test("json codec: ISO and epoch timestamps both become Dates; a gzipped body is read", () => {
  const model = loadModel("cloudtrail");
  const codec = codecs.json;
  const iso = codec.parseInput(
    jsonReq(`${CLOUDTRAIL_TARGET}.LookupEvents`, '{"StartTime":"2024-01-02T03:04:05Z","EndTime":1704164645}'),
    model,
    "LookupEvents",
  );
  assert.deepEqual(iso.StartTime, new Date("2024-01-02T03:04:05Z"));
  assert.deepEqual(iso.EndTime, new Date("2024-01-02T03:04:05Z"));
  const gz = codec.parseInput(
    jsonReq(`${CLOUDTRAIL_TARGET}.LookupEvents`, gzipSync('{"MaxResults":7}'), { "content-encoding": "gzip" }),
    model,
    "LookupEvents",
  );
  assert.equal(gz.MaxResults, 7);
});

test("json codec: a Content-Type that is not JSON is refused with a 4xx", () => {
  const model = loadModel("cloudtrail");
  assert.throws(
    () => codecs.json.resolveOperation(jsonReq(`${CLOUDTRAIL_TARGET}.LookupEvents`, "{}", { "content-type": "text/plain" }), model),
    (e: { code: string; status: number }) => e.code === "UnknownOperationException" && e.status === 400,
  );
});

test("query codec: an awsQueryCompatible JSON model answers query with <OpResult>", () => {
  const model = loadModel("sqs");
  const res = codecs.query.serializeOutput({ QueueUrls: ["http://q/1"] }, model, "ListQueues", { requestId: "r-1" });
  const doc = xml.parse(String(res.body));
  assert.equal(doc.ListQueuesResponse.ListQueuesResult.QueueUrls, "http://q/1");
  assert.equal(doc.ListQueuesResponse.ResponseMetadata.RequestId, "r-1");
});

test("json codec: an awsQueryCompatible model's modeled error keeps its shape name and tells the query code", () => {
  const model = { ...loadModel("sqs"), wire: undefined };
  const err = new ServiceError("QueueDoesNotExist", "The specified queue does not exist.", 400, { shapeName: "QueueDoesNotExist" });
  const res = codecs.json.serializeError(err, model, "GetQueueUrl", { requestId: "r-2" });
  assert.equal(res.headers["x-amzn-query-error"], "QueueDoesNotExist;Sender");
  assert.deepEqual(JSON.parse(String(res.body)), { __type: "QueueDoesNotExist", message: "The specified queue does not exist." });
});

test("json codec: a declared error namespace makes a modeled error's __type its full shape id, not an unmodeled one's", () => {
  const model = { ...loadModel("sqs"), wire: { errorNamespace: "com.amazonaws.sqs" } };
  const modeled = new ServiceError("AWS.SimpleQueueService.NonExistentQueue", "gone", 400, { shapeName: "QueueDoesNotExist" });
  const res = codecs.json.serializeError(modeled, model, "GetQueueUrl", { requestId: "r-3" });
  assert.equal(res.headers["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender");
  assert.deepEqual(JSON.parse(String(res.body)), { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "gone" });
  const coral = new ServiceError("InvalidParameterValue", "bad", 400, { shapeName: "com.amazon.coral.service#InvalidParameterValueException" });
  const res2 = codecs.json.serializeError(coral, model, "GetQueueUrl", { requestId: "r-4" });
  assert.equal(res2.headers["x-amzn-query-error"], "InvalidParameterValue;Sender");
  assert.deepEqual(JSON.parse(String(res2.body)), { __type: "com.amazon.coral.service#InvalidParameterValueException", message: "bad" });
});
