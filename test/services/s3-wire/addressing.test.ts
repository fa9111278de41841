// S3 addressing (path style, virtual-hosted through the Host header and through the SDK), CORS preflight and
// actual-request headers, and streaming: a large GET streams, a 64 MB PUT does not grow the heap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, PutBucketCorsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer({ auth: "sigv4" });

const s3 = (account: string) => server.client(S3Client, { account }, { forcePathStyle: true });

function get(path: string, headers: Record<string, string>, method = "GET"): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, method, path, headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("virtual-hosted Host forms reach the bucket (SigV2 header-less: --auth sigv4 needs a signature, so the SDK signs)", async () => {
  const account = randomAccount();
  const bucket = `vh-${account}`;
  await s3(account).send(new CreateBucketCommand({ Bucket: bucket }));
  await s3(account).send(new PutObjectCommand({ Bucket: bucket, Key: "dir/x.txt", Body: "virtual" }));
  // The SDK in virtual-hosted mode: bucket.s3.localhost.localstack.cloud, resolved to this server by the agent.
  const lookup = (_h: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
    opts?.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4);
  for (const suffix of ["s3.localhost.localstack.cloud", "s3.localhost", "s3.us-east-1.amazonaws.com", "s3.amazonaws.com"]) {
    const c = new S3Client({
      ...server.clientConfig({ account }),
      endpoint: `http://${suffix}:${server.port}`,
      forcePathStyle: false,
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ lookup } as never) }),
    });
    const got = await c.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/x.txt" }));
    assert.equal(await got.Body!.transformToString(), "virtual", suffix);
    const list = await c.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual(
      list.Contents?.map((o) => o.Key),
      ["dir/x.txt"],
      suffix,
    );
  }
});

test("CORS: a preflight is answered from the bucket's rules, refused when none matches; actual requests get the headers", async () => {
  const account = randomAccount();
  const bucket = `cors-${account}`;
  const c = s3(account);
  await c.send(new CreateBucketCommand({ Bucket: bucket }));
  const pre = (origin: string, method: string, hdrs?: string) =>
    get(`/${bucket}/k.txt`, { origin, "access-control-request-method": method, ...(hdrs ? { "access-control-request-headers": hdrs } : {}) }, "OPTIONS");
  const none = await pre("http://app.example.com", "PUT");
  assert.equal(none.status, 403);
  assert.match(none.text, /CORSResponse: CORS is not enabled for this bucket./);
  await c.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: ["http://*.example.com"],
            AllowedMethods: ["GET", "PUT"],
            AllowedHeaders: ["content-type", "x-amz-*"],
            ExposeHeaders: ["ETag"],
            MaxAgeSeconds: 600,
          },
        ],
      },
    }),
  );
  const ok = await pre("http://app.example.com", "PUT", "Content-Type, X-Amz-Date");
  assert.equal(ok.status, 200);
  assert.equal(ok.headers["access-control-allow-origin"], "http://app.example.com");
  assert.equal(ok.headers["access-control-allow-methods"], "GET, PUT");
  assert.equal(ok.headers["access-control-allow-headers"], "content-type, x-amz-date");
  assert.equal(ok.headers["access-control-max-age"], "600");
  assert.equal(ok.headers["access-control-expose-headers"], "ETag");
  for (const [origin, method, hdrs] of [
    ["http://evil.test", "PUT", undefined],
    ["http://app.example.com", "DELETE", undefined],
    ["http://app.example.com", "PUT", "authorization"],
  ]) {
    const no = await pre(origin!, method!, hdrs);
    assert.equal(no.status, 403, `${origin} ${method} ${hdrs}`);
    assert.match(no.text, /<Code>AccessForbidden<\/Code><Message>CORSResponse: This CORS request is not allowed/);
  }
  const noOrigin = await get(`/${bucket}/k.txt`, { "access-control-request-method": "GET" }, "OPTIONS");
  assert.equal(noOrigin.status, 400);
  // An actual (signed) request with an Origin gets the matching rule's headers.
  await c.send(new PutObjectCommand({ Bucket: bucket, Key: "k.txt", Body: "cors" }));
  const url = await (await import("@aws-sdk/s3-request-presigner")).getSignedUrl(c, new GetObjectCommand({ Bucket: bucket, Key: "k.txt" }));
  const actual = await fetch(url, { headers: { origin: "http://app.example.com" } });
  assert.equal(actual.status, 200);
  assert.equal(actual.headers.get("access-control-allow-origin"), "http://app.example.com");
  assert.equal(actual.headers.get("access-control-expose-headers"), "ETag");
});

test("a large object streams back; a 64 MB upload streams in without growing the heap", async () => {
  const account = randomAccount();
  const bucket = `big-${account}`;
  const c = s3(account);
  await c.send(new CreateBucketCommand({ Bucket: bucket }));
  const size = 64 * 1024 * 1024;
  const piece = Buffer.alloc(1024 * 1024, 0x5a);
  const md5 = createHash("md5");
  for (let i = 0; i < 64; i++) md5.update(piece);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = heapBefore;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
  try {
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++) yield piece;
      })(),
    );
    const put = await c.send(new PutObjectCommand({ Bucket: bucket, Key: "big.bin", Body: body, ContentLength: size }));
    assert.equal(put.ETag, `"${md5.digest("hex")}"`);
  } finally {
    clearInterval(timer);
  }
  // Client and server share this process: a buffered 64 MB body would show as >= 64 MB of heap.
  assert.ok(peak - heapBefore < 40 * 1024 * 1024, `heap grew ${(peak - heapBefore) / 1e6} MB`);
  const got = await c.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin" }));
  assert.equal(got.ContentLength, size);
  let n = 0;
  for await (const chunk of got.Body as Readable) n += (chunk as Buffer).length;
  assert.equal(n, size);
  const range = await c.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin", Range: "bytes=10-19" }));
  assert.equal((await range.Body!.transformToByteArray()).length, 10);
});
