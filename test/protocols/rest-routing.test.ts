// REST routing on the real S3 and Lambda models: the most specific URI template wins, labels decode right.
import { s3WireTraits } from "../../src/services/s3/wire/traits.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadModel, type ServiceModel } from "../../src/core/model.js";
import { isServiceError } from "../../src/core/errors.js";
import { RestJsonCodec } from "../../src/protocols/rest-json.js";
import { RestXmlCodec } from "../../src/protocols/rest-xml.js";
import { routeTable } from "../../src/protocols/rest-routing.js";
import type { HttpRequest, ProtocolCodec } from "../../src/protocols/types.js";

// The model as the server hands it to the codec: with the protocol traits S3 declares in its registry entry.
const s3: ServiceModel = { ...loadModel("s3"), wire: s3WireTraits };
const lambda = loadModel("lambda");
const xml = new RestXmlCodec();
const json = new RestJsonCodec();

function request(method: string, url: string, headers: Record<string, string> = {}, body = ""): HttpRequest {
  const q = url.indexOf("?");
  return { method, path: q < 0 ? url : url.slice(0, q), query: q < 0 ? "" : url.slice(q + 1), headers, body: Buffer.from(body) };
}

function route(codec: ProtocolCodec, model: typeof s3, method: string, url: string, headers: Record<string, string> = {}) {
  const req = request(method, url, headers);
  const op = codec.resolveOperation(req, model);
  return { op, input: codec.parseInput(req, model, op) };
}

const S3_CASES: [string, string, Record<string, string>, string, Record<string, unknown>][] = [
  ["GET", "/", {}, "ListBuckets", {}],
  ["GET", "/bucket", {}, "ListObjects", { Bucket: "bucket" }],
  ["GET", "/bucket/", {}, "ListObjects", { Bucket: "bucket" }],
  ["GET", "/bucket?list-type=2", {}, "ListObjectsV2", { Bucket: "bucket" }],
  ["GET", "/bucket?list-type=2&prefix=a%2Fb&max-keys=5", {}, "ListObjectsV2", { Bucket: "bucket", Prefix: "a/b", MaxKeys: 5 }],
  ["GET", "/bucket?uploads", {}, "ListMultipartUploads", { Bucket: "bucket" }],
  ["GET", "/bucket?acl", {}, "GetBucketAcl", { Bucket: "bucket" }],
  ["GET", "/bucket/a/b/c.txt", {}, "GetObject", { Bucket: "bucket", Key: "a/b/c.txt" }],
  ["GET", "/bucket/dir%2Fname%20with%20space.txt", {}, "GetObject", { Bucket: "bucket", Key: "dir/name with space.txt" }],
  ["GET", "/bucket/key?uploadId=x", {}, "ListParts", { Bucket: "bucket", Key: "key", UploadId: "x" }],
  ["PUT", "/bucket/key", {}, "PutObject", { Bucket: "bucket", Key: "key" }],
  ["PUT", "/bucket/key", { "x-amz-copy-source": "src/k" }, "CopyObject", { Bucket: "bucket", Key: "key", CopySource: "src/k" }],
  ["PUT", "/bucket/key?partNumber=2&uploadId=u", {}, "UploadPart", { Bucket: "bucket", Key: "key", PartNumber: 2, UploadId: "u" }],
  [
    "PUT",
    "/bucket/key?partNumber=2&uploadId=u",
    { "x-amz-copy-source": "src/k" },
    "UploadPartCopy",
    { Bucket: "bucket", Key: "key", PartNumber: 2, UploadId: "u", CopySource: "src/k" },
  ],
  ["POST", "/bucket/key?uploads", {}, "CreateMultipartUpload", { Bucket: "bucket", Key: "key" }],
  ["POST", "/bucket/key?uploadId=u", {}, "CompleteMultipartUpload", { Bucket: "bucket", Key: "key", UploadId: "u" }],
  ["DELETE", "/bucket/key?uploadId=u", {}, "AbortMultipartUpload", { Bucket: "bucket", Key: "key", UploadId: "u" }],
  ["DELETE", "/bucket/key", {}, "DeleteObject", { Bucket: "bucket", Key: "key" }],
  ["DELETE", "/bucket", {}, "DeleteBucket", { Bucket: "bucket" }],
  ["HEAD", "/bucket", {}, "HeadBucket", { Bucket: "bucket" }],
  ["HEAD", "/bucket/key", {}, "HeadObject", { Bucket: "bucket", Key: "key" }],
  ["PUT", "/bucket", {}, "CreateBucket", { Bucket: "bucket" }],
  ["PUT", "/bucket?tagging", {}, "PutBucketTagging", { Bucket: "bucket" }],
];

for (const [method, url, headers, op, input] of S3_CASES) {
  test(`S3 ${method} ${url}${headers["x-amz-copy-source"] ? " (copy source)" : ""} → ${op}`, () => {
    const r = route(xml, s3, method, url, headers);
    assert.equal(r.op, op);
    assert.deepEqual(r.input, input);
  });
}

const LAMBDA_CASES: [string, string, string, Record<string, unknown>][] = [
  ["GET", "/2015-03-31/functions/", "ListFunctions", {}],
  ["GET", "/2015-03-31/functions", "ListFunctions", {}],
  ["GET", "/2015-03-31/functions/?MaxItems=10&Marker=m", "ListFunctions", { MaxItems: 10, Marker: "m" }],
  ["GET", "/2015-03-31/functions/my-fn", "GetFunction", { FunctionName: "my-fn" }],
  ["GET", "/2015-03-31/functions/my-fn?Qualifier=live", "GetFunction", { FunctionName: "my-fn", Qualifier: "live" }],
  [
    "GET",
    "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn/configuration",
    "GetFunctionConfiguration",
    { FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:my-fn" },
  ],
  ["POST", "/2015-03-31/functions/my-fn/invocations", "Invoke", { FunctionName: "my-fn" }],
  ["GET", "/2015-03-31/functions/my-fn/versions", "ListVersionsByFunction", { FunctionName: "my-fn" }],
  ["DELETE", "/2015-03-31/functions/my-fn", "DeleteFunction", { FunctionName: "my-fn" }],
  ["POST", "/2015-03-31/functions", "CreateFunction", {}],
];

for (const [method, url, op, input] of LAMBDA_CASES) {
  test(`Lambda ${method} ${url} → ${op}`, () => {
    const r = route(json, lambda, method, url);
    assert.equal(r.op, op);
    assert.deepEqual(r.input, input);
  });
}

test("Lambda Invoke binds headers and the raw payload", () => {
  const req = request("POST", "/2015-03-31/functions/my-fn/invocations?Qualifier=3", { "x-amz-invocation-type": "Event", "x-amz-log-type": "Tail" }, '{"a":1}');
  const op = json.resolveOperation(req, lambda);
  const input = json.parseInput(req, lambda, op);
  assert.equal(op, "Invoke");
  assert.equal(input.InvocationType, "Event");
  assert.equal(input.LogType, "Tail");
  assert.equal(input.Qualifier, "3");
  assert.equal(Buffer.from(input.Payload as Uint8Array).toString(), '{"a":1}');
});

test("S3 user metadata headers become the Metadata prefix map", () => {
  const r = route(xml, s3, "PUT", "/b/k", { "x-amz-meta-color": "blue", "x-amz-meta-size": "L", "content-type": "text/plain" });
  assert.deepEqual(r.input.Metadata, { color: "blue", size: "L" });
  assert.equal(r.input.ContentType, "text/plain");
});

test("S3 answers a method no route takes with 405 MethodNotAllowed", () => {
  assert.throws(
    () => xml.resolveOperation(request("PATCH", "/bucket/key"), s3),
    (e: unknown) => isServiceError(e) && e.code === "MethodNotAllowed" && e.status === 405,
  );
});

test("Lambda answers an unknown path with 404 UnknownOperationException", () => {
  assert.throws(
    () => json.resolveOperation(request("GET", "/2015-03-31/nothing-here"), lambda),
    (e: unknown) => isServiceError(e) && e.code === "UnknownOperationException" && e.status === 404,
  );
});

test("a malformed percent-escape in a label is a 400, not a crash", () => {
  assert.throws(
    () => route(xml, s3, "GET", "/bucket/%E0%A4%A"),
    (e: unknown) => isServiceError(e) && e.status === 400,
  );
});

test("the route table is built once per model", () => {
  assert.equal(routeTable(s3), routeTable(s3));
});

test("Lambda DeleteAlias answers 204 with no body", () => {
  const res = json.serializeOutput({}, lambda, "DeleteAlias", { requestId: "r" });
  assert.equal(res.status, 204);
  assert.equal(res.body, "");
  assert.equal(res.headers["x-amzn-requestid"], "r");
});

test("S3 GetObject writes the blob payload raw and its members as headers", () => {
  const res = xml.serializeOutput(
    {
      Body: Buffer.from("hello"),
      ContentType: "text/plain",
      ETag: '"abc"',
      LastModified: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      Metadata: { Color: "blue" },
    },
    s3,
    "GetObject",
    { requestId: "r" },
  );
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), "hello");
  assert.equal(res.headers["content-type"], "text/plain");
  assert.equal(res.headers["etag"], '"abc"');
  assert.equal(res.headers["last-modified"], "Tue, 02 Jan 2024 03:04:05 GMT");
  assert.equal(res.headers["x-amz-meta-color"], "blue");
  assert.equal(res.headers["x-amz-request-id"], "r");
  assert.ok(res.headers["x-amz-id-2"]);
});

test("S3 ListBuckets writes an XML document in S3's namespace, under the root AWS writes (Smithy's @xmlName)", () => {
  const res = xml.serializeOutput({ Buckets: [{ Name: "a", CreationDate: new Date(Date.UTC(2024, 0, 1)) }], Owner: { ID: "id" } }, s3, "ListBuckets", {
    requestId: "r",
  });
  assert.equal(res.headers["content-type"], "application/xml");
  assert.match(
    String(res.body),
    /<ListAllMyBucketsResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"><Buckets><Bucket><Name>a<\/Name><CreationDate>2024-01-01T00:00:00Z<\/CreationDate><\/Bucket><\/Buckets><Owner><ID>id<\/ID><\/Owner><\/ListAllMyBucketsResult>/,
  );
});
