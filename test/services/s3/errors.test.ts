// S3 errors carry the detail elements AWS sends beside Code and Message (BucketName, Key, UploadId, ArgumentName and
// ArgumentValue, Condition, unquoted ETags …), as recorded from AWS in LocalStack's S3 snapshots
// (tests/aws/services/s3/test_s3.snapshot.json, test_s3_api.snapshot.json): through SDK v3 (which copies unmodeled
// body elements onto the exception), boto3 (e.response["Error"]) and the raw XML.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  S3Client,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  GetBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { randomAccount, useServer } from "../../helpers/server.js";
import { pythonMissing } from "../../helpers/python.js";

const server = useServer();
const s3 = () => server.client(S3Client, {}, { forcePathStyle: true });
const name = () => `err-${Math.random().toString(36).slice(2, 10)}`;
async function bucket(c: S3Client): Promise<string> {
  const b = name();
  await c.send(new CreateBucketCommand({ Bucket: b }));
  return b;
}

type S3Err = Error & Record<string, unknown> & { $metadata: { httpStatusCode?: number } };
async function failure(p: Promise<unknown>): Promise<S3Err> {
  try {
    await p;
  } catch (e) {
    return e as S3Err;
  }
  assert.fail("expected the call to fail");
}
/** The error's name, status, message and the detail elements named in `details`, as one object to compare. */
const shape = (e: S3Err, details: string[]) => ({
  name: e.name,
  status: e.$metadata.httpStatusCode,
  message: e.message,
  ...Object.fromEntries(details.map((d) => [d, e[d]])),
});

test("NoSuchBucket names the bucket, NoSuchKey the key, NoSuchUpload the upload id", async () => {
  const c = s3();
  const missing = name();
  assert.deepEqual(shape(await failure(c.send(new GetObjectCommand({ Bucket: missing, Key: "k" }))), ["BucketName"]), {
    name: "NoSuchBucket",
    status: 404,
    message: "The specified bucket does not exist",
    BucketName: missing,
  });
  const b = await bucket(c);
  assert.deepEqual(shape(await failure(c.send(new GetObjectCommand({ Bucket: b, Key: "no/such key" }))), ["Key"]), {
    name: "NoSuchKey",
    status: 404,
    message: "The specified key does not exist.",
    Key: "no/such key",
  });
  assert.deepEqual(shape(await failure(c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId: "not-an-upload" }))), ["UploadId"]), {
    name: "NoSuchUpload",
    status: 404,
    message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    UploadId: "not-an-upload",
  });
});

test("InvalidArgument names the argument and its value; PreconditionFailed the condition", async () => {
  const c = s3();
  const b = await bucket(c);
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  assert.deepEqual(
    shape(await failure(c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 10001, Body: "x" }))), ["ArgumentName", "ArgumentValue"]),
    {
      name: "InvalidArgument",
      status: 400,
      message: "Part number must be an integer between 1 and 10000, inclusive",
      ArgumentName: "partNumber",
      ArgumentValue: "10001",
    },
  );
  await c.send(new PutObjectCommand({ Bucket: b, Key: "o", Body: "body" }));
  assert.deepEqual(shape(await failure(c.send(new GetObjectCommand({ Bucket: b, Key: "o", IfMatch: '"0000"' }))), ["Condition"]), {
    name: "PreconditionFailed",
    status: 412,
    message: "At least one of the pre-conditions you specified did not hold",
    Condition: "If-Match",
  });
});

test("multipart errors give the ETag without quotes, as S3 does", async () => {
  const c = s3();
  const b = await bucket(c);
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  const e1 = (await c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 1, Body: "data" }))).ETag!;
  const e2 = (await c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 2, Body: "data" }))).ETag!;
  const complete = (Parts: { PartNumber: number; ETag: string }[]) =>
    failure(c.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: "k", UploadId, MultipartUpload: { Parts } })));
  const md5 = createHash("md5").update("data").digest("hex");
  assert.equal(e1, `"${md5}"`);
  assert.deepEqual(
    shape(
      await complete([
        { PartNumber: 1, ETag: e1 },
        { PartNumber: 2, ETag: e2 },
      ]),
      ["ETag", "PartNumber", "ProposedSize", "MinSizeAllowed"],
    ),
    {
      name: "EntityTooSmall",
      status: 400,
      message: "Your proposed upload is smaller than the minimum allowed size",
      ETag: md5,
      PartNumber: "1",
      ProposedSize: "4",
      MinSizeAllowed: "5242880",
    },
  );
  assert.deepEqual(shape(await complete([{ PartNumber: 3, ETag: e1 }]), ["ETag", "PartNumber", "UploadId"]), {
    name: "InvalidPart",
    status: 400,
    message:
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    ETag: md5,
    PartNumber: "3",
    UploadId,
  });
  assert.deepEqual(
    shape(
      await complete([
        { PartNumber: 2, ETag: e2 },
        { PartNumber: 1, ETag: e1 },
      ]),
      ["UploadId"],
    ),
    {
      name: "InvalidPartOrder",
      status: 400,
      message: "The list of parts was not in ascending order. Parts must be ordered by part number.",
      UploadId,
    },
  );
});

test("Content-MD5 errors: InvalidDigest names the header's value, BadDigest both digests", async () => {
  const c = s3();
  const b = await bucket(c);
  assert.deepEqual(shape(await failure(c.send(new PutObjectCommand({ Bucket: b, Key: "m", Body: "abc", ContentMD5: "MTIz" }))), ["Content-MD5"]), {
    name: "InvalidDigest",
    status: 400,
    message: "The Content-MD5 you specified was invalid.",
    "Content-MD5": "MTIz",
  });
  const other = createHash("md5").update("abcd").digest();
  assert.deepEqual(
    shape(await failure(c.send(new PutObjectCommand({ Bucket: b, Key: "m", Body: "abc", ContentMD5: other.toString("base64") }))), [
      "ExpectedDigest",
      "CalculatedDigest",
    ]),
    {
      name: "BadDigest",
      status: 400,
      message: "The Content-MD5 you specified did not match what we received.",
      ExpectedDigest: other.toString("hex"),
      CalculatedDigest: createHash("md5").update("abc").digest("base64"),
    },
  );
});

test("PutBucketVersioning: no Status is IllegalVersioningConfigurationException, an unknown one MalformedXML; BucketNotEmpty once versioned", async () => {
  const c = s3();
  const b = await bucket(c);
  for (const conf of [{}, { MFADelete: "Disabled" as const }]) {
    assert.deepEqual(shape(await failure(c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: conf }))), []), {
      name: "IllegalVersioningConfigurationException",
      status: 400,
      message: "The Versioning element must be specified",
    });
  }
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, undefined);
  assert.deepEqual(shape(await failure(c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "enabled" as never } }))), []), {
    name: "MalformedXML",
    status: 400,
    message: "The XML you provided was not well-formed or did not validate against our published schema",
  });
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  assert.equal((await failure(c.send(new DeleteBucketCommand({ Bucket: b })))).message, "The bucket you tried to delete is not empty");
  await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } }));
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, "Suspended");
  // Once versioning was set, an empty configuration is still refused and the state stays.
  await failure(c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: {} })));
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, "Suspended");
  assert.deepEqual(shape(await failure(c.send(new DeleteBucketCommand({ Bucket: b }))), ["BucketName"]), {
    name: "BucketNotEmpty",
    status: 409,
    message: "The bucket you tried to delete is not empty. You must delete all versions in the bucket.",
    BucketName: b,
  });
});

test("the raw error document: detail elements between Message and RequestId", async () => {
  const missing = name();
  const r = await server.signedFetch(`/${missing}/some-key`, { service: "s3" });
  assert.equal(r.status, 404);
  const xml = await r.text();
  assert.match(
    xml,
    new RegExp(
      `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>${missing}</BucketName><RequestId>`,
    ),
  );
});

function python(script: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("python3", ["-c", script], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

test("boto3 sees the detail elements in e.response['Error']", { skip: pythonMissing() }, async () => {
  const b = name();
  const script = `
import boto3, json
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=${JSON.stringify(server.url)}, region_name="us-east-1", config=boto3.session.Config(s3={"addressing_style": "path"}))
out = {}
def err(key, fn, **kw):
    try:
        fn(**kw)
        out[key] = None
    except ClientError as e:
        out[key] = [e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]]
err("no-bucket", s3.head_bucket, Bucket=${JSON.stringify(b)})
err("no-bucket-get", s3.get_object, Bucket=${JSON.stringify(b)}, Key="k")
s3.create_bucket(Bucket=${JSON.stringify(b)})
err("no-key", s3.get_object, Bucket=${JSON.stringify(b)}, Key="missing")
err("no-upload", s3.abort_multipart_upload, Bucket=${JSON.stringify(b)}, Key="k", UploadId="nope")
s3.put_object(Bucket=${JSON.stringify(b)}, Key="o", Body=b"body")
err("precondition", s3.get_object, Bucket=${JSON.stringify(b)}, Key="o", IfMatch="nope")
err("copy-precondition", s3.copy_object, Bucket=${JSON.stringify(b)}, Key="o2", CopySource=${JSON.stringify(b)} + "/o", CopySourceIfMatch="nope")
err("versioning-empty", s3.put_bucket_versioning, Bucket=${JSON.stringify(b)}, VersioningConfiguration={})
print(json.dumps(out))
`;
  const r = await python(script, { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  // HEAD has no body: botocore makes the error from the status alone.
  assert.deepEqual(out["no-bucket"], [404, { Code: "404", Message: "Not Found" }]);
  assert.deepEqual(out["no-bucket-get"], [404, { Code: "NoSuchBucket", Message: "The specified bucket does not exist", BucketName: b }]);
  assert.deepEqual(out["no-key"], [404, { Code: "NoSuchKey", Message: "The specified key does not exist.", Key: "missing" }]);
  assert.deepEqual(out["no-upload"], [
    404,
    {
      Code: "NoSuchUpload",
      Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      UploadId: "nope",
    },
  ]);
  assert.deepEqual(out.precondition, [
    412,
    { Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold", Condition: "If-Match" },
  ]);
  assert.deepEqual(out["copy-precondition"], [
    412,
    { Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold", Condition: "x-amz-copy-source-If-Match" },
  ]);
  assert.deepEqual(out["versioning-empty"], [400, { Code: "IllegalVersioningConfigurationException", Message: "The Versioning element must be specified" }]);
});

test("write conditions S3 does not take: NotImplemented 501 naming the header, with S3's additionalMessage", async () => {
  const c = s3();
  const b = await bucket(c);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "" }));
  const detail = ["Header", "additionalMessage"];
  assert.deepEqual(shape(await failure(c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "", IfNoneMatch: '"abc"' }))), detail), {
    name: "NotImplemented",
    status: 501,
    message: "A header you provided implies functionality that is not implemented",
    Header: "If-None-Match",
    additionalMessage: "We don't accept the provided value of If-None-Match header for this API",
  });
  assert.deepEqual(shape(await failure(c.send(new PutObjectCommand({ Bucket: b, Key: "new", Body: "", IfNoneMatch: "*", IfMatch: "abcdef" }))), detail), {
    name: "NotImplemented",
    status: 501,
    message: "A header you provided implies functionality that is not implemented",
    Header: "If-Match,If-None-Match",
    additionalMessage: "Multiple conditional request headers present in the request",
  });
  // DeleteObject on a general purpose bucket: If-Match is checked, the directory-bucket conditions are not taken.
  assert.deepEqual(shape(await failure(c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", IfMatch: "badvalue" }))), ["Condition"]), {
    name: "PreconditionFailed",
    status: 412,
    message: "At least one of the pre-conditions you specified did not hold",
    Condition: "If-Match",
  });
  const earlier = new Date(Date.now() - 86400_000);
  for (const [input, header] of [
    [{ IfMatchLastModifiedTime: earlier }, "x-amz-if-match-last-modified-time"],
    [{ IfMatchSize: 10 }, "x-amz-if-match-size"],
    [{ IfMatchSize: 10, IfMatch: "badvalue", IfMatchLastModifiedTime: earlier }, "x-amz-if-match-last-modified-time"],
  ] as const) {
    const e = await failure(c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", ...input })));
    assert.deepEqual([e.name, e.$metadata.httpStatusCode, e.Header], ["NotImplemented", 501, header]);
  }
  // Nothing was deleted.
  assert.equal((await c.send(new GetObjectCommand({ Bucket: b, Key: "k" }))).$metadata.httpStatusCode, 200);
});
