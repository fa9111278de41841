// S3 read and multipart semantics as AWS answers them (AWS-recorded responses in LocalStack's S3 snapshots, moto's
// tests): version ids on unversioned and versioned buckets, conditions with unquoted ETags, ListParts paging and its
// bounds, CompleteMultipartUpload without parts.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();
const s3 = () => server.client(S3Client, {}, { forcePathStyle: true });
async function bucket(c: S3Client, versioning?: "Enabled" | "Suspended"): Promise<string> {
  const b = `rd-${Math.random().toString(36).slice(2, 10)}`;
  await c.send(new CreateBucketCommand({ Bucket: b }));
  if (versioning) await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: versioning } }));
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

// The id LocalStack's tests send to AWS: 32 characters, shaped like S3's.
const FOREIGN_ID = "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD";

test("a version id on a bucket that never had versioning: InvalidArgument for GET, HEAD and DELETE, NoSuchVersion in DeleteObjects", async () => {
  const c = s3();
  const b = await bucket(c);
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "test-version" }));
  const e = await failure(c.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: FOREIGN_ID })));
  assert.deepEqual(
    [e.name, e.$metadata.httpStatusCode, e.message, e.ArgumentName, e.ArgumentValue],
    ["InvalidArgument", 400, "Invalid version id specified", "versionId", FOREIGN_ID],
  );
  // A version id this very server issued (from a versioned bucket) is no better here.
  const vb = await bucket(c, "Enabled");
  const issued = (await c.send(new PutObjectCommand({ Bucket: vb, Key: "k", Body: "x" }))).VersionId!;
  await rejects(c.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: issued })), "InvalidArgument", 400, "Invalid version id specified");
  // HEAD answers without a body: the SDK knows only the status.
  await rejects(c.send(new HeadObjectCommand({ Bucket: b, Key: "k", VersionId: issued })), "Unknown", 400);
  await rejects(c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: FOREIGN_ID })), "InvalidArgument", 400, "Invalid version id specified");
  // "null" names the one version an unversioned bucket has.
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: "null" }));
  assert.equal(await got.Body!.transformToString(), "test-version");
  const multi = await c.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: "k", VersionId: FOREIGN_ID }] } }));
  assert.deepEqual(multi.Errors, [{ Code: "NoSuchVersion", Key: "k", Message: "The specified version does not exist.", VersionId: FOREIGN_ID }]);
  assert.equal(multi.Deleted, undefined);
  // Nothing was deleted.
  assert.equal(await (await c.send(new GetObjectCommand({ Bucket: b, Key: "k" }))).Body!.transformToString(), "test-version");
});

test("versioned bucket: a gone version is NoSuchVersion; an id S3 could not have issued is InvalidArgument", async () => {
  const c = s3();
  const b = await bucket(c, "Enabled");
  const v1 = (await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "one" }))).VersionId!;
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "two" }));
  // 32 characters, never starting with "-" (the AWS CLI would read it as an option).
  assert.match(v1, /^[A-Za-z0-9_.]{32}$/);
  const del = await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1 }));
  assert.equal(del.VersionId, v1);
  const e = await failure(c.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: v1 })));
  assert.deepEqual(
    [e.name, e.$metadata.httpStatusCode, e.message, e.Key, e.VersionId],
    ["NoSuchVersion", 404, "The specified version does not exist.", "k", v1],
  );
  // Deleting it again: S3's deletes are idempotent.
  assert.equal((await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1 }))).$metadata.httpStatusCode, 204);
  // The same id with its last characters changed, as LocalStack's test sends AWS.
  const tampered = `${v1.slice(0, -4)}ABCD`;
  const t = await failure(c.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: tampered })));
  assert.deepEqual(
    [t.name, t.$metadata.httpStatusCode, t.message, t.ArgumentName, t.ArgumentValue],
    ["InvalidArgument", 400, "Invalid version id specified", "versionId", tampered],
  );
  await rejects(c.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: tampered })), "InvalidArgument", 400, "Invalid version id specified");
  // DeleteObjects: NoSuchVersion for any id that names no version, whatever the key.
  const multi = await c.send(
    new DeleteObjectsCommand({
      Bucket: b,
      Delete: {
        Objects: [
          { Key: "k", VersionId: FOREIGN_ID },
          { Key: "other", VersionId: FOREIGN_ID },
        ],
      },
    }),
  );
  assert.deepEqual(
    multi.Errors?.map((x) => [x.Code, x.Key, x.VersionId, x.Message]),
    [
      ["NoSuchVersion", "k", FOREIGN_ID, "The specified version does not exist."],
      ["NoSuchVersion", "other", FOREIGN_ID, "The specified version does not exist."],
    ],
  );
});

test("If-Match / If-None-Match take ETags with or without quotes, copy-source conditions too", async () => {
  const c = s3();
  const b = await bucket(c);
  const { ETag } = await c.send(new PutObjectCommand({ Bucket: b, Key: "src", Body: "data" }));
  const bare = ETag!.replace(/"/g, "");
  const now = new Date(Date.now() + 1000);
  const past = new Date(Date.now() - 86400_000);
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: "src", IfMatch: bare }));
  assert.equal(await got.Body!.transformToString(), "data");
  assert.equal((await c.send(new HeadObjectCommand({ Bucket: b, Key: "src", IfMatch: bare }))).ETag, ETag);
  await rejects(c.send(new GetObjectCommand({ Bucket: b, Key: "src", IfNoneMatch: bare, IfModifiedSince: now })), "Unknown", 304);
  // Every condition at once, all holding (LocalStack's test_s3_get_object_preconditions, obj-success).
  const all = await c.send(
    new GetObjectCommand({ Bucket: b, Key: "src", IfMatch: bare, IfNoneMatch: "etag123", IfModifiedSince: past, IfUnmodifiedSince: now }),
  );
  assert.equal(all.$metadata.httpStatusCode, 200);
  await all.Body!.transformToString();

  const copy = await c.send(new CopyObjectCommand({ Bucket: b, Key: "dst", CopySource: `${b}/src`, CopySourceIfMatch: bare }));
  assert.equal(copy.CopyObjectResult!.ETag, ETag);
  const e = await failure(c.send(new CopyObjectCommand({ Bucket: b, Key: "dst", CopySource: `${b}/src`, CopySourceIfNoneMatch: bare })));
  assert.deepEqual([e.name, e.$metadata.httpStatusCode, e.Condition], ["PreconditionFailed", 412, "x-amz-copy-source-If-None-Match"]);
  const ok = await c.send(
    new CopyObjectCommand({
      Bucket: b,
      Key: "dst2",
      CopySource: `${b}/src`,
      CopySourceIfMatch: bare,
      CopySourceIfNoneMatch: "etag123",
      CopySourceIfModifiedSince: past,
      CopySourceIfUnmodifiedSince: now,
    }),
  );
  assert.equal(ok.CopyObjectResult!.ETag, ETag);

  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "mp" }));
  const part = await c.send(new UploadPartCopyCommand({ Bucket: b, Key: "mp", UploadId, PartNumber: 1, CopySource: `${b}/src`, CopySourceIfMatch: bare }));
  assert.equal(part.CopyPartResult!.ETag, ETag);
  const pe = await failure(
    c.send(new UploadPartCopyCommand({ Bucket: b, Key: "mp", UploadId, PartNumber: 1, CopySource: `${b}/src`, CopySourceIfNoneMatch: bare })),
  );
  assert.deepEqual([pe.name, pe.$metadata.httpStatusCode, pe.Condition], ["PreconditionFailed", 412, "x-amz-copy-source-If-None-Match"]);
});

test("ListParts pages with PartNumberMarker / NextPartNumberMarker / IsTruncated", async () => {
  const c = s3();
  const b = await bucket(c);
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  const empty = await c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId }));
  assert.deepEqual([empty.Parts, empty.PartNumberMarker, empty.NextPartNumberMarker, empty.MaxParts, empty.IsTruncated], [undefined, "0", "0", 1000, false]);
  for (const n of [1, 2, 3]) await c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: n, Body: "data" }));
  const p1 = await c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId, MaxParts: 2 }));
  assert.deepEqual(
    [p1.Parts!.map((p) => p.PartNumber), p1.PartNumberMarker, p1.NextPartNumberMarker, p1.MaxParts, p1.IsTruncated],
    [[1, 2], "0", "2", 2, true],
  );
  const p2 = await c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId, MaxParts: 2, PartNumberMarker: p1.NextPartNumberMarker }));
  assert.deepEqual([p2.Parts!.map((p) => p.PartNumber), p2.PartNumberMarker, p2.NextPartNumberMarker, p2.IsTruncated], [[3], "2", "3", false]);
  // A page that ends on the last part is not truncated.
  const exact = await c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId, MaxParts: 1, PartNumberMarker: "2" }));
  assert.deepEqual([exact.Parts!.map((p) => p.PartNumber), exact.IsTruncated], [[3], false]);
  // Past the last part: an empty page whose next marker is 0.
  const past = await c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId, MaxParts: 1, PartNumberMarker: "10" }));
  assert.deepEqual([past.Parts, past.PartNumberMarker, past.NextPartNumberMarker, past.IsTruncated], [undefined, "10", "0", false]);
});

test("ListParts' max-parts and part-number-marker: empty is absent, negative or non-integer values are InvalidArgument", async () => {
  const owner = randomAccount();
  const c = server.client(S3Client, { account: owner }, { forcePathStyle: true });
  const b = await bucket(c);
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  await c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 1, Body: "data" }));
  const e = await failure(c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId, MaxParts: -42 })));
  assert.deepEqual(
    [e.name, e.$metadata.httpStatusCode, e.message, e.ArgumentName, e.ArgumentValue],
    ["InvalidArgument", 400, "Argument max-parts must be an integer between 0 and 2147483647", "max-parts", "-42"],
  );
  await rejects(
    c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId, PartNumberMarker: "-42" })),
    "InvalidArgument",
    400,
    "Argument part-number-marker must be an integer between 0 and 2147483647",
  );
  await rejects(
    c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId, MaxParts: 2147483647 + 42 })),
    "InvalidArgument",
    400,
    "Provided max-parts not an integer or within integer range",
  );
  const raw = async (q: string) => {
    const r = await server.signedFetch(`/${b}/k?uploadId=${encodeURIComponent(UploadId!)}&${q}`, { service: "s3", accessKeyId: owner });
    return { status: r.status, body: await r.text() };
  };
  // Empty values, as LocalStack's test sends AWS: the defaults.
  const empty = await raw("max-parts=&part-number-marker=");
  assert.equal(empty.status, 200, empty.body);
  assert.match(empty.body, /<PartNumberMarker>0<\/PartNumberMarker><NextPartNumberMarker>1<\/NextPartNumberMarker><MaxParts>1000<\/MaxParts>/);
  const abc = await raw("part-number-marker=abc");
  assert.equal(abc.status, 400);
  assert.match(abc.body, /<Code>InvalidArgument<\/Code><Message>Provided part-number-marker not an integer or within integer range<\/Message>/);
  assert.match(abc.body, /<ArgumentName>part-number-marker<\/ArgumentName><ArgumentValue>abc<\/ArgumentValue>/);
});

test("CompleteMultipartUpload: no body is InvalidRequest, a document without parts MalformedXML", async () => {
  const c = s3();
  const b = await bucket(c);
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  await c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 1, Body: "data" }));
  await rejects(c.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: "k", UploadId })), "InvalidRequest", 400, "You must specify at least one part");
  await rejects(
    c.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: "k", UploadId, MultipartUpload: { Parts: [] } })),
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
  );
  // The upload is still there.
  assert.equal((await c.send(new ListPartsCommand({ Bucket: b, Key: "k", UploadId }))).Parts!.length, 1);
});

test("GET of a delete marker by its version id: 405 with Allow: DELETE, the marker headers and Method/ResourceType", async () => {
  const owner = randomAccount();
  const c = server.client(S3Client, { account: owner }, { forcePathStyle: true });
  const b = await bucket(c, "Enabled");
  await c.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  const marker = (await c.send(new DeleteObjectCommand({ Bucket: b, Key: "k" }))).VersionId!;
  const r = await server.signedFetch(`/${b}/k?versionId=${marker}`, { service: "s3", accessKeyId: owner });
  assert.equal(r.status, 405);
  assert.deepEqual([r.headers.get("allow"), r.headers.get("x-amz-delete-marker"), r.headers.get("x-amz-version-id")], ["DELETE", "true", marker]);
  assert.match(
    await r.text(),
    /<Code>MethodNotAllowed<\/Code><Message>The specified method is not allowed against this resource.<\/Message><Method>GET<\/Method><ResourceType>DeleteMarker<\/ResourceType>/,
  );
  // The current version is the marker: a plain GET is NoSuchKey naming the key, with the marker's headers.
  const cur = await server.signedFetch(`/${b}/k`, { service: "s3", accessKeyId: owner });
  assert.equal(cur.status, 404);
  assert.deepEqual([cur.headers.get("x-amz-delete-marker"), cur.headers.get("x-amz-version-id")], ["true", marker]);
  assert.match(await cur.text(), /<Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>k<\/Key>/);
});

test("documents carry the root elements AWS writes (Smithy's @xmlName), not botocore's shape names", async () => {
  const owner = randomAccount();
  const c = server.client(S3Client, { account: owner }, { forcePathStyle: true });
  const b = await bucket(c);
  const raw = async (path: string, method = "GET", body?: string) => {
    const r = await server.signedFetch(path, { service: "s3", accessKeyId: owner, method, body });
    const xml = await r.text();
    assert.equal(r.status, 200, xml);
    return /^<\?xml[^>]*\?>\s*<([A-Za-z0-9]+)[ >]/.exec(xml)?.[1];
  };
  const init = await server.signedFetch(`/${b}/k?uploads`, { service: "s3", accessKeyId: owner, method: "POST" });
  const initXml = await init.text();
  assert.match(initXml, /^<\?xml[^>]*\?>\s*<InitiateMultipartUploadResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/);
  const uploadId = /<UploadId>([^<]+)</.exec(initXml)![1];
  const { ETag } = await c.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId: uploadId, PartNumber: 1, Body: "data" }));
  assert.equal(await raw(`/${b}/k?uploadId=${uploadId}`), "ListPartsResult");
  assert.equal(await raw(`/${b}?uploads`), "ListMultipartUploadsResult");
  assert.equal(
    await raw(
      `/${b}/k?uploadId=${uploadId}`,
      "POST",
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>`,
    ),
    "CompleteMultipartUploadResult",
  );
  const attrs = await server.signedFetch(`/${b}/k?attributes`, { service: "s3", accessKeyId: owner, headers: { "x-amz-object-attributes": "ETag" } });
  assert.match(await attrs.text(), /^<\?xml[^>]*\?>\s*<GetObjectAttributesResponse xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><ETag>/);
  assert.equal(await raw("/"), "ListAllMyBucketsResult");
  assert.equal(await raw(`/${b}?list-type=2`), "ListBucketResult");
  assert.equal(await raw(`/${b}?versions`), "ListVersionsResult");
});

test("ListMultipartUploads' max-uploads read as S3 reads it; a negative value is refused only once the bucket exists", async () => {
  const owner = randomAccount();
  const c = server.client(S3Client, { account: owner }, { forcePathStyle: true });
  const b = await bucket(c);
  await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  const raw = async (path: string) => {
    const r = await server.signedFetch(path, { service: "s3", accessKeyId: owner });
    return { status: r.status, body: await r.text() };
  };
  const neg = await raw(`/${b}?uploads&max-uploads=-1`);
  assert.equal(neg.status, 400);
  assert.match(
    neg.body,
    /<Code>InvalidArgument<\/Code><Message>Argument max-uploads must be an integer between 0 and 2147483647<\/Message><ArgumentName>max-uploads<\/ArgumentName><ArgumentValue>-1<\/ArgumentValue>/,
  );
  // On a bucket that does not exist, the lookup answers first; a value that is no integer is refused before it.
  assert.match((await raw(`/${b}-gone?uploads&max-uploads=-1`)).body, /<Code>NoSuchBucket<\/Code>/);
  for (const bad of ["abc", "%2B5", "2147483648"]) {
    const r = await raw(`/${b}-gone?uploads&max-uploads=${bad}`);
    assert.equal(r.status, 400, bad);
    assert.match(r.body, /<Message>Provided max-uploads not an integer or within integer range<\/Message>/, bad);
  }
  assert.match((await raw(`/${b}?uploads&max-uploads=`)).body, /<MaxUploads>1000<\/MaxUploads>/);
  assert.match((await raw(`/${b}?uploads&max-uploads=2000`)).body, /<MaxUploads>1000<\/MaxUploads>/);
  assert.match((await raw(`/${b}?uploads&max-uploads=007`)).body, /<MaxUploads>7<\/MaxUploads>/);
});
