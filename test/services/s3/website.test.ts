// S3 static website hosting: the configuration through the real SDK v3 client (validation as AWS words it), and the
// website served over HTTP at http://<bucket>.s3-website.localhost:<port>/ — index and error documents, redirects
// (all requests, routing rules, x-amz-website-redirect-location), S3's HTML error pages, and the public-read
// requirement (the bucket policy). One AWS CLI scenario.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import type { LookupFunction } from "node:net";
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  PutBucketPolicyCommand,
  PutBucketWebsiteCommand,
  GetBucketWebsiteCommand,
  DeleteBucketWebsiteCommand,
  DeletePublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  type WebsiteConfiguration,
} from "@aws-sdk/client-s3";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();
const s3 = (account?: string) => server.client(S3Client, { account }, { forcePathStyle: true });
const name = () => `web-${Math.random().toString(36).slice(2, 10)}`;

// *.localhost does not resolve on every machine: resolve it here as browsers and systemd-resolved do.
const localhostLookup = ((host: string, opts: unknown, cb: (e: Error | null, a: string | { address: string; family: number }[], f?: number) => void) => {
  assert.match(host, /\.localhost$/);
  if (typeof opts === "object" && opts && (opts as { all?: boolean }).all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
  else cb(null, "127.0.0.1", 4);
}) as unknown as LookupFunction;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
function get(bucket: string, path: string, opts: { method?: string; host?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const host = opts.host ?? `${bucket}.s3-website.localhost`;
  return new Promise((ok, fail) => {
    const req = httpRequest(`http://${host}:${server.port}${path}`, { method: opts.method ?? "GET", headers: opts.headers, lookup: localhostLookup }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", fail);
    req.end();
  });
}

/** S3's HTML error page with the request's ids blanked. */
const page = (body: string) => body.replace(/<li>RequestId: [^<]*<\/li>/, "<li>RequestId: -</li>").replace(/<li>HostId: [^<]*<\/li>/, "<li>HostId: -</li>");
const notFound = (items: string[], nested?: string[]) =>
  `<html>\n<head><title>404 Not Found</title></head>\n<body>\n<h1>404 Not Found</h1>\n<ul>\n${items.map((i) => `<li>${i}</li>\n`).join("")}<li>RequestId: -</li>\n<li>HostId: -</li>\n</ul>\n${
    nested
      ? `<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n${nested.map((i) => `<li>${i}</li>\n`).join("")}</ul>\n`
      : ""
  }<hr/>\n</body>\n</html>\n`;

/** A bucket the public may read (and list, so missing keys are 404s), with a website configuration. */
async function site(c: S3Client, conf: WebsiteConfiguration, opts: { list?: boolean } = {}): Promise<string> {
  const b = name();
  await c.send(new CreateBucketCommand({ Bucket: b }));
  // New buckets block public policies, as on AWS since April 2023.
  await c.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
  const Statement: object[] = [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${b}/*` }];
  if (opts.list !== false) Statement.push({ Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${b}` });
  await c.send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify({ Version: "2012-10-17", Statement }) }));
  await c.send(new PutBucketWebsiteCommand({ Bucket: b, WebsiteConfiguration: conf }));
  return b;
}
const html = (c: S3Client, b: string, Key: string, Body: string, extra: Record<string, unknown> = {}) =>
  c.send(new PutObjectCommand({ Bucket: b, Key, Body, ContentType: "text/html", ...extra }));

test("Put/Get/DeleteBucketWebsite: stored as sent, NoSuchWebsiteConfiguration, AWS's validation wording", async () => {
  const c = s3();
  const b = name();
  await c.send(new CreateBucketCommand({ Bucket: b }));
  await rejects(
    c.send(new GetBucketWebsiteCommand({ Bucket: b })),
    "NoSuchWebsiteConfiguration",
    404,
    "The specified bucket does not have a website configuration",
  );
  const del = await c.send(new DeleteBucketWebsiteCommand({ Bucket: b }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  const conf = {
    IndexDocument: { Suffix: "index.html" },
    ErrorDocument: { Key: "error.html" },
    RoutingRules: [{ Condition: { KeyPrefixEquals: "docs/" }, Redirect: { ReplaceKeyPrefixWith: "documents/", HttpRedirectCode: "302" } }],
  };
  await c.send(new PutBucketWebsiteCommand({ Bucket: b, WebsiteConfiguration: conf }));
  const got = await c.send(new GetBucketWebsiteCommand({ Bucket: b }));
  assert.deepEqual({ IndexDocument: got.IndexDocument, ErrorDocument: got.ErrorDocument, RoutingRules: got.RoutingRules }, conf);
  await c.send(new DeleteBucketWebsiteCommand({ Bucket: b }));
  await rejects(c.send(new GetBucketWebsiteCommand({ Bucket: b })), "NoSuchWebsiteConfiguration", 404);

  const invalid: [WebsiteConfiguration, string, string][] = [
    [{ IndexDocument: { Suffix: "/index.html" } }, "InvalidArgument", "The IndexDocument Suffix is not well formed"],
    [{ IndexDocument: { Suffix: "" } }, "InvalidArgument", "The IndexDocument Suffix is not well formed"],
    [
      { RedirectAllRequestsTo: { HostName: "test" }, IndexDocument: { Suffix: "index.html" } },
      "InvalidArgument",
      "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
    ],
    [{ ErrorDocument: { Key: "e.html" } }, "InvalidArgument", "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty"],
    [
      { IndexDocument: { Suffix: "index.html" }, RoutingRules: [{ Redirect: { Protocol: "protocol" as never } }] },
      "InvalidRequest",
      "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.",
    ],
    [
      { IndexDocument: { Suffix: "index.html" }, RoutingRules: [{ Redirect: { ReplaceKeyPrefixWith: "p", ReplaceKeyWith: "k" } }] },
      "InvalidRequest",
      "You can only define ReplaceKeyPrefix or ReplaceKey but not both.",
    ],
    [
      { IndexDocument: { Suffix: "index.html" }, RoutingRules: [{ Redirect: { ReplaceKeyPrefixWith: "p" }, Condition: {} }] },
      "InvalidRequest",
      "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.",
    ],
    [
      { IndexDocument: { Suffix: "index.html" }, RoutingRules: [] },
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    ],
  ];
  for (const [WebsiteConfiguration, code, message] of invalid) {
    await rejects(c.send(new PutBucketWebsiteCommand({ Bucket: b, WebsiteConfiguration })), code, 400, message);
  }
});

test("serves the index document (root and sub-directories), objects with their type, 302 for a directory without its slash", async () => {
  const c = s3();
  const b = await site(c, { IndexDocument: { Suffix: "index.html" } });
  await html(c, b, "index.html", "<h1>home</h1>");
  await html(c, b, "blog/index.html", "<h1>blog</h1>");
  await c.send(new PutObjectCommand({ Bucket: b, Key: "style.css", Body: "body{}", ContentType: "text/css" }));
  const root = await get(b, "/");
  assert.equal(root.status, 200);
  assert.equal(root.body, "<h1>home</h1>");
  assert.equal(root.headers["content-type"], "text/html");
  assert.equal((await get(b, "/blog/")).body, "<h1>blog</h1>");
  const css = await get(b, "/style.css");
  assert.equal(css.headers["content-type"], "text/css");
  assert.equal(css.body, "body{}");
  const dir = await get(b, "/blog");
  assert.equal(dir.status, 302);
  assert.equal(dir.headers.location, "/blog/");
  // Conditional GET and HEAD.
  assert.equal((await get(b, "/style.css", { headers: { "if-none-match": css.headers.etag as string } })).status, 304);
  const head = await get(b, "/style.css", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
  // The regional host forms serve the same site.
  assert.equal((await get(b, "/", { host: `${b}.s3-website-us-east-1.localhost` })).body, "<h1>home</h1>");
  assert.equal((await get(b, "/", { host: `${b}.s3-website.us-east-1.localhost` })).body, "<h1>home</h1>");
  // Only GET and HEAD.
  const post = await get(b, "/", { method: "POST" });
  assert.equal(post.status, 405);
  assert.match(
    post.body,
    /<li>Code: MethodNotAllowed<\/li>\n<li>Message: The specified method is not allowed against this resource.<\/li>\n<li>Method: POST<\/li>/,
  );
});

test("errors: S3's 404 pages, the error document with its status, and its own failure page", async () => {
  const c = s3();
  const plain = await site(c, { IndexDocument: { Suffix: "index.html" } });
  const missing = await get(plain, "/nope.html");
  assert.equal(missing.status, 404);
  assert.equal(missing.headers["content-type"], "text/html; charset=utf-8");
  assert.equal(page(missing.body), notFound(["Code: NoSuchKey", "Message: The specified key does not exist.", "Key: nope.html"]));
  assert.equal(page((await get(plain, "/dir/")).body), notFound(["Code: NoSuchKey", "Message: The specified key does not exist.", "Key: dir/index.html"]));

  const withDoc = await site(c, { IndexDocument: { Suffix: "index.html" }, ErrorDocument: { Key: "error.html" } });
  const noDoc = await get(withDoc, "/");
  assert.equal(
    page(noDoc.body),
    notFound(
      ["Code: NoSuchKey", "Message: The specified key does not exist.", "Key: index.html"],
      ["Code: NoSuchKey", "Message: The specified key does not exist.", "Key: error.html"],
    ),
  );
  await html(c, withDoc, "error.html", "<h1>oops</h1>");
  const custom = await get(withDoc, "/missing");
  assert.equal(custom.status, 404);
  assert.equal(custom.body, "<h1>oops</h1>");

  const noWebsite = name();
  await c.send(new CreateBucketCommand({ Bucket: noWebsite }));
  assert.equal(
    page((await get(noWebsite, "/")).body),
    notFound(["Code: NoSuchWebsiteConfiguration", "Message: The specified bucket does not have a website configuration", `BucketName: ${noWebsite}`]),
  );
  const ghost = name();
  const none = await get(ghost, "/");
  assert.equal(none.status, 404);
  assert.equal(page(none.body), notFound(["Code: NoSuchBucket", "Message: The specified bucket does not exist", `BucketName: ${ghost}`]));
});

test("redirects: all requests to another host, routing rules by prefix and by error code, x-amz-website-redirect-location", async () => {
  const c = s3();
  const all = await site(c, { RedirectAllRequestsTo: { HostName: "example.com", Protocol: "https" } });
  const r = await get(all, "/a/b.html");
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, "https://example.com/a/b.html");

  const b = await site(c, {
    IndexDocument: { Suffix: "index.html" },
    RoutingRules: [
      { Condition: { KeyPrefixEquals: "docs/" }, Redirect: { ReplaceKeyPrefixWith: "documents/", HttpRedirectCode: "302" } },
      { Condition: { HttpErrorCodeReturnedEquals: "404" }, Redirect: { HostName: "fallback.example.com", ReplaceKeyWith: "404.html" } },
    ],
  });
  const moved = await get(b, "/docs/guide.html");
  assert.equal(moved.status, 302);
  assert.equal(moved.headers.location, `http://${b}.s3-website.localhost:${server.port}/documents/guide.html`);
  const lost = await get(b, "/gone.html");
  assert.equal(lost.status, 301);
  assert.equal(lost.headers.location, "http://fallback.example.com/404.html");

  await html(c, b, "old.html", "", { WebsiteRedirectLocation: "/new.html" });
  const old = await get(b, "/old.html");
  assert.equal(old.status, 301);
  assert.equal(old.headers.location, "/new.html");
});

test("public read is required: no policy is 403 AccessDenied; without s3:ListBucket a missing key is 403 too", async () => {
  const c = s3();
  const closed = name();
  await c.send(new CreateBucketCommand({ Bucket: closed }));
  await c.send(new PutBucketWebsiteCommand({ Bucket: closed, WebsiteConfiguration: { IndexDocument: { Suffix: "index.html" } } }));
  await html(c, closed, "index.html", "private");
  const r = await get(closed, "/");
  assert.equal(r.status, 403);
  assert.match(r.body, /<title>403 Forbidden<\/title>[\s\S]*<li>Code: AccessDenied<\/li>\n<li>Message: Access Denied<\/li>/);
  assert.doesNotMatch(r.body, /private/);

  const noList = await site(c, { IndexDocument: { Suffix: "index.html" }, ErrorDocument: { Key: "denied.html" } }, { list: false });
  await html(c, noList, "index.html", "open");
  await html(c, noList, "denied.html", "custom denied");
  assert.equal((await get(noList, "/")).body, "open");
  const miss = await get(noList, "/missing.html");
  assert.equal(miss.status, 403);
  assert.equal(miss.body, "custom denied");
  // RestrictPublicBuckets takes the public policy's grant away again.
  await c.send(new PutPublicAccessBlockCommand({ Bucket: noList, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
  assert.equal((await get(noList, "/")).status, 403);
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: website", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`AWS CLI ${cli.label}: s3 website, s3api get-bucket-website, then the site`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const aws = (...args: string[]) => runAws(cli, server.url, args, creds);
    const b = name();
    assert.equal((await aws("s3api", "create-bucket", "--bucket", b)).status, 0);
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject", "s3:ListBucket"], Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`] }],
    });
    assert.equal((await aws("s3api", "delete-public-access-block", "--bucket", b)).status, 0);
    assert.equal((await aws("s3api", "put-bucket-policy", "--bucket", b, "--policy", policy)).status, 0);
    const web = await aws("s3", "website", `s3://${b}`, "--index-document", "index.html", "--error-document", "error.html");
    assert.equal(web.status, 0, web.stderr);
    const conf = await aws("s3api", "get-bucket-website", "--bucket", b);
    assert.equal(conf.status, 0, conf.stderr);
    assert.deepEqual(JSON.parse(conf.stdout), { IndexDocument: { Suffix: "index.html" }, ErrorDocument: { Key: "error.html" } });
    await html(s3(creds.AWS_ACCESS_KEY_ID), b, "index.html", "cli site");
    assert.equal((await get(b, "/")).body, "cli site");
  });
}
