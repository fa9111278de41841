// S3 website endpoints served over HTTP: http://<bucket>.s3-website.localhost:<port>/ (also the
// <bucket>.s3-website-<region>.localhost and <bucket>.s3-website.<region>.localhost forms, and the same under
// amazonaws.com for clients that resolve it here). A route S3's registry entry declares, so the gateway stays
// service-agnostic.
//
// What S3 does, from the S3 User Guide ("Configuring an index document", "Configuring a custom error document",
// "Configuring a webpage redirect", "Website endpoints") and the pages recorded from AWS in LocalStack's
// tests/aws/services/s3/test_s3.snapshot.json (TestS3StaticWebsiteHosting::*):
// - GET and HEAD only; anything else is a 405 HTML page;
// - RedirectAllRequestsTo answers 301 to the other host, keeping the path;
// - routing rules whose condition is only a key prefix (or no condition) redirect before the key is read;
// - "/" and keys ending in "/" get the index document's suffix; a missing "dir" whose "dir/<suffix>" exists is a
//   302 to "dir/";
// - an object with x-amz-website-redirect-location is a 301 to it;
// - errors: routing rules with HttpErrorCodeReturnedEquals redirect, else the error document (served with the error's
//   status), else S3's HTML error page.
//
// Access: website endpoints serve anonymous requests only, so S3 serves what the public may read — the bucket policy
// (core/policy, an anonymous caller; its public statements dropped under RestrictPublicBuckets) or, failing that, an
// AllUsers READ grant in the object's (or, for listing, the bucket's) ACL unless IgnorePublicAcls: s3:GetObject on
// the object, else 403 AccessDenied; a missing key is 404 NoSuchKey only when the public may also s3:ListBucket,
// else 403 (as S3 answers a requester without ListBucket). New buckets block public policies and ACLs by default,
// so a site needs its Block Public Access settings relaxed first, as on AWS.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import type { ServiceHost } from "../../core/service.js";
import { evaluatePolicy } from "../../core/policy/index.js";
import type { Grant, RoutingRule } from "./api.generated.js";
import { effectiveGrants, policyForAccess } from "./public-access-block.js";
import { bucketArn } from "./common.js";
import { ARCHIVED, restoreState } from "./storage-class.js";
import { objKey, storeTables, type BucketRec, type VersionRec } from "./state.js";

// The same pattern as S3's registry entry's route (which must not load this module to match).
const WEBSITE_HOST = /^(.+)\.s3-website(?:[.-][a-z]{2}(?:-[a-z]+)+-\d)?\.(?:localhost|amazonaws\.com)(?::\d+)?$/i;

interface Ctx {
  host: ServiceHost;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  hostId: string;
}

export default async function websiteRoute(host: ServiceHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const c: Ctx = { host, req, res, requestId: randomBytes(8).toString("hex").toUpperCase(), hostId: randomBytes(48).toString("base64") };
  const name = WEBSITE_HOST.exec(req.headers.host ?? "")?.[1] ?? "";
  if (req.method !== "GET" && req.method !== "HEAD") {
    return errorPage(c, 405, [
      ["Code", "MethodNotAllowed"],
      ["Message", "The specified method is not allowed against this resource."],
      ["Method", (req.method ?? "").toUpperCase()],
      ["ResourceType", "OBJECT"],
    ]);
  }
  const t = storeTables(host);
  const b = t.buckets.get(name);
  if (!b)
    return errorPage(c, 404, [
      ["Code", "NoSuchBucket"],
      ["Message", "The specified bucket does not exist"],
      ["BucketName", name],
    ]);
  const w = b.website;
  if (!w)
    return errorPage(c, 404, [
      ["Code", "NoSuchWebsiteConfiguration"],
      ["Message", "The specified bucket does not have a website configuration"],
      ["BucketName", name],
    ]);
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const rawPath = q < 0 ? url : url.slice(0, q);
  if (w.RedirectAllRequestsTo) {
    const to = w.RedirectAllRequestsTo;
    return redirect(c, 301, `${to.Protocol ?? "http"}://${to.HostName}${rawPath}`);
  }
  let key: string;
  try {
    key = decodeURIComponent(rawPath.slice(1));
  } catch {
    key = rawPath.slice(1);
  }
  const rules = w.RoutingRules ?? [];
  // Rules without an error-code condition apply before the key is read.
  const early = rules.find((r) => !r.Condition?.HttpErrorCodeReturnedEquals && key.startsWith(r.Condition?.KeyPrefixEquals ?? ""));
  if (early) return ruleRedirect(c, early, key);

  const suffix = w.IndexDocument!.Suffix!;
  const isFolder = key === "" || key.endsWith("/");
  const target = isFolder ? `${key}${suffix}` : key;
  const v = current(b, target, t);
  if (v) {
    if (!publicMay(b, "s3:GetObject", `${bucketArn(b.name, b.region)}/${target}`, v.acl)) return denied(c, b, rules, target, w.ErrorDocument?.Key);
    return serveObject(c, v, 200, target);
  }
  const dirIndex = isFolder ? undefined : current(b, `${key}/${suffix}`, t);
  if (dirIndex && publicMay(b, "s3:GetObject", `${bucketArn(b.name, b.region)}/${key}/${suffix}`, dirIndex.acl)) {
    return redirect(c, 302, `/${encodePath(key)}/`);
  }
  // A missing key is only "missing" to whom may list the bucket.
  if (!publicMay(b, "s3:ListBucket", bucketArn(b.name, b.region), b.acl)) return denied(c, b, rules, target, w.ErrorDocument?.Key);
  return failed(
    c,
    b,
    rules,
    target,
    404,
    [
      ["Code", "NoSuchKey"],
      ["Message", "The specified key does not exist."],
      ["Key", target],
    ],
    w.ErrorDocument?.Key,
  );
}

function denied(c: Ctx, b: BucketRec, rules: RoutingRule[], key: string, errorDoc: string | undefined): void {
  return failed(
    c,
    b,
    rules,
    key,
    403,
    [
      ["Code", "AccessDenied"],
      ["Message", "Access Denied"],
    ],
    errorDoc,
  );
}

/** The error path: a routing rule for the code, else the error document, else S3's page. */
function failed(c: Ctx, b: BucketRec, rules: RoutingRule[], key: string, status: number, items: [string, string][], errorDoc: string | undefined): void {
  const rule = rules.find((r) => r.Condition?.HttpErrorCodeReturnedEquals === String(status) && key.startsWith(r.Condition?.KeyPrefixEquals ?? ""));
  if (rule) return ruleRedirect(c, rule, key);
  if (errorDoc !== undefined) {
    const doc = current(b, errorDoc, storeTables(c.host));
    if (doc && publicMay(b, "s3:GetObject", `${bucketArn(b.name, b.region)}/${errorDoc}`, doc.acl)) return serveObject(c, doc, status, errorDoc);
    // The page S3 sends when the error document itself cannot be read (recorded: 404-no-such-key-nor-custom).
    const nested: [string, string][] = doc
      ? [
          ["Code", "AccessDenied"],
          ["Message", "Access Denied"],
        ]
      : [
          ["Code", "NoSuchKey"],
          ["Message", "The specified key does not exist."],
          ["Key", errorDoc],
        ];
    return errorPage(c, status, items, nested);
  }
  return errorPage(c, status, items);
}

function current(b: BucketRec, key: string, t: ReturnType<typeof storeTables>): VersionRec | undefined {
  const v = t.objects.get(objKey(b.name, key))?.versions[0];
  return v && !v.deleteMarker ? v : undefined;
}

function publicMay(b: BucketRec, action: string, resource: string, grants: Grant[] | undefined): boolean {
  const policy = policyForAccess(b);
  const decision = policy ? evaluatePolicy(policy, { caller: { type: "anonymous" }, action, resource }) : "ImplicitDeny";
  if (decision !== "ImplicitDeny") return decision === "Allow";
  return effectiveGrants(b, grants ?? []).some(
    (g) => g.Grantee?.Type === "Group" && g.Grantee.URI === ALL_USERS && (g.Permission === "READ" || g.Permission === "FULL_CONTROL"),
  );
}

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

function serveObject(c: Ctx, v: VersionRec, status: number, key: string): void {
  if (v.websiteRedirectLocation) return redirect(c, 301, v.websiteRedirectLocation);
  // An archived object that is not restored cannot be read here either.
  if (v.storageClass && ARCHIVED.has(v.storageClass) && restoreState(v, c.host.clock.now()) !== "restored") {
    return errorPage(c, 403, [
      ["Code", "InvalidObjectState"],
      ["Message", "The operation is not valid for the object's storage class"],
      ["StorageClass", v.storageClass],
      ["Key", key],
    ]);
  }
  const headers: Record<string, string | number> = {
    "content-type": v.contentType ?? "binary/octet-stream",
    "content-length": v.size,
    etag: v.etag,
    "last-modified": new Date(v.lastModified).toUTCString(),
    "x-amz-request-id": c.requestId,
    "x-amz-id-2": c.hostId,
  };
  for (const [h, val] of [
    ["content-encoding", v.contentEncoding],
    ["content-disposition", v.contentDisposition],
    ["content-language", v.contentLanguage],
    ["cache-control", v.cacheControl],
    ["expires", v.expires],
  ] as const)
    if (val) headers[h] = val;
  for (const [k, val] of Object.entries(v.metadata ?? {})) headers[`x-amz-meta-${k}`] = val;
  if (status === 200 && c.req.headers["if-none-match"]?.split(/\s*,\s*/).includes(v.etag)) {
    c.res.writeHead(304, { etag: v.etag, "x-amz-request-id": c.requestId, "x-amz-id-2": c.hostId });
    c.res.end();
    return;
  }
  c.res.writeHead(status, headers);
  if (c.req.method === "HEAD" || !v.blob || v.size === 0) {
    c.res.end();
    return;
  }
  const body = c.host.blobs.read(v.blob);
  body.on("error", () => c.res.destroy());
  body.pipe(c.res);
}

function ruleRedirect(c: Ctx, rule: RoutingRule, key: string): void {
  const r = rule.Redirect!;
  const proto = r.Protocol ?? "http";
  const host = r.HostName ?? c.req.headers.host ?? "";
  let path = key;
  if (r.ReplaceKeyWith !== undefined) path = r.ReplaceKeyWith;
  else if (r.ReplaceKeyPrefixWith !== undefined) path = r.ReplaceKeyPrefixWith + key.slice((rule.Condition?.KeyPrefixEquals ?? "").length);
  return redirect(c, Number(r.HttpRedirectCode ?? 301), `${proto}://${host}/${encodePath(path)}`);
}

function redirect(c: Ctx, status: number, location: string): void {
  c.res.writeHead(status, { location, "content-length": 0, "x-amz-request-id": c.requestId, "x-amz-id-2": c.hostId });
  c.res.end();
}

const encodePath = (key: string) => encodeURIComponent(key).replace(/%2F/g, "/");

const TITLES: Record<number, string> = { 403: "403 Forbidden", 404: "404 Not Found", 405: "405 Method Not Allowed" };
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** S3's HTML error page, line for line as recorded (the 403 page follows the same layout; its text is unverified). */
function errorPage(c: Ctx, status: number, items: [string, string][], nested?: [string, string][]): void {
  const title = TITLES[status] ?? String(status);
  const li = (xs: [string, string][]) => xs.map(([k, v]) => `<li>${k}: ${esc(v)}</li>\n`).join("");
  let html = `<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<ul>\n${li([...items, ["RequestId", c.requestId], ["HostId", c.hostId]])}</ul>\n`;
  if (nested) html += `<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n${li(nested)}</ul>\n`;
  html += "<hr/>\n</body>\n</html>\n";
  const body = Buffer.from(html);
  c.res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": c.req.method === "HEAD" ? 0 : body.length,
    "x-amz-request-id": c.requestId,
    "x-amz-id-2": c.hostId,
  });
  c.res.end(c.req.method === "HEAD" ? undefined : body);
}
