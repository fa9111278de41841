// Function URLs (configuration through the SDK, HTTP requests served by the function as payload format 2.0)
// and the code download behind GetFunction's Code.Location. The server checks SigV4 signatures (--auth sigv4),
// so AWS_IAM URLs are verified for real.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { LookupFunction } from "node:net";
import {
  CreateAliasCommand,
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { createFunction, lambdaEnv, zip, type LambdaEnv } from "./setup.js";

const server = useServer({ auth: "sigv4" });

const HANDLER = `
export const handler = async (event) => {
  if (event.rawPath === "/fail") throw new Error("boom");
  if (event.rawPath === "/plain") return { hello: "world" };
  if (event.rawPath === "/string") return "just text";
  if (event.rawPath === "/binary") return { statusCode: 200, headers: { "content-type": "application/octet-stream" }, body: Buffer.from([0, 1, 2, 255]).toString("base64"), isBase64Encoded: true };
  return {
    statusCode: 201,
    headers: { "content-type": "application/json", "x-custom": "yes", "access-control-allow-origin": "https://evil.example" },
    cookies: ["a=1; Path=/", "b=2"],
    body: JSON.stringify(event),
  };
};`;

/** A function with a URL; a public (NONE) one gets the two grants AWS requires, as the console and the CDK add them. */
async function urlFunction(env: LambdaEnv, name = "web", authType: "NONE" | "AWS_IAM" = "NONE", cors?: object, grant = true) {
  await createFunction(env, { FunctionName: name, code: { "index.mjs": HANDLER } });
  const out = await env.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: authType, ...(cors ? { Cors: cors } : {}) }));
  if (authType === "NONE" && grant) await grantPublic(env, name);
  return out;
}

async function grantPublic(env: LambdaEnv, name: string) {
  await env.lambda.send(
    new AddPermissionCommand({ FunctionName: name, StatementId: "url", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }),
  );
  await env.lambda.send(
    new AddPermissionCommand({ FunctionName: name, StatementId: "url-invoke", Action: "lambda:InvokeFunction", Principal: "*", InvokedViaFunctionUrl: true }),
  );
}

// *.localhost does not resolve on every machine (this one's resolver and so Node's fetch do not): resolve it
// here as browsers and systemd-resolved do, and send the request to the FunctionUrl exactly as given.
const localhostLookup = ((host: string, opts: unknown, cb: (e: Error | null, a: string | { address: string; family: number }[], f?: number) => void) => {
  assert.match(host, /\.localhost$/);
  if (typeof opts === "object" && opts && (opts as { all?: boolean }).all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
  else cb(null, "127.0.0.1", 4);
}) as unknown as LookupFunction;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = httpRequest(url, { method: opts.method ?? "GET", headers: opts.headers, lookup: localhostLookup }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", fail);
    req.end(opts.body);
  });
}

const urlId = (functionUrl: string) => new URL(functionUrl).hostname.split(".")[0]!;
/** The path form of a function URL, for clients that cannot resolve *.localhost. */
const pathForm = (functionUrl: string) => `${server.url}/_stratus/lambda/url/${urlId(functionUrl)}`;

test("GetFunction's Code.Location serves the uploaded zip", async () => {
  const env = await lambdaEnv(server);
  const code = zip({ "index.mjs": "export const handler = async () => 1;", "data.txt": "x".repeat(5000) });
  await createFunction(env, { FunctionName: "dl", Code: { ZipFile: code } });
  const fn = await env.lambda.send(new GetFunctionCommand({ FunctionName: "dl" }));
  assert.equal(fn.Code?.RepositoryType, "S3");
  const res = await fetch(fn.Code!.Location!);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/zip");
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual(bytes, Buffer.from(code));
  assert.equal(createHash("sha256").update(bytes).digest("base64"), fn.Configuration?.CodeSha256);

  for (const bad of ["not-a-blob", "00000000-0000-0000-0000-000000000000", "..%2F..%2Fstratus.db"]) {
    const miss = await fetch(`${server.url}/_stratus/lambda/code/${bad}`);
    assert.equal(miss.status, 404);
    assert.equal(miss.headers.get("content-type"), "application/json");
    assert.equal(((await miss.json()) as { error: string }).error, "NotFound");
  }
});

test("function URL configs: create, get, list, update, delete and their errors", async () => {
  const env = await lambdaEnv(server);
  const cors = { AllowOrigins: ["https://app.example"], AllowMethods: ["GET", "POST"], MaxAge: 300 };
  const created = await urlFunction(env, "web", "NONE", cors);
  assert.equal(created.$metadata.httpStatusCode, 201);
  assert.match(created.FunctionUrl!, new RegExp(`^http://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost:${server.port}/$`));
  assert.equal(created.FunctionArn, `arn:aws:lambda:us-east-1:${env.account}:function:web`);
  assert.equal(created.AuthType, "NONE");
  assert.deepEqual(created.Cors, cors);
  assert.equal(created.InvokeMode, "BUFFERED");
  assert.match(created.CreationTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

  const got = await env.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "web" }));
  assert.equal(got.FunctionUrl, created.FunctionUrl);
  assert.equal(got.LastModifiedTime, created.CreationTime);

  await rejects(
    env.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "web", AuthType: "AWS_IAM" })),
    "ResourceConflictException",
    409,
    `Failed to create function url config for [functionArn = arn:aws:lambda:us-east-1:${env.account}:function:web]. Error message:  FunctionUrlConfig exists for this Lambda function`,
  );
  await rejects(
    env.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "nope", AuthType: "NONE" })),
    "ResourceNotFoundException",
    404,
    "Function does not exist",
  );
  await rejects(
    env.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "web", Qualifier: "live", AuthType: "NONE" })),
    "ResourceNotFoundException",
    404,
    "Function does not exist",
  );
  // Only an alias may qualify a function URL: not $LATEST, not a version.
  await rejects(
    env.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "web", Qualifier: "$LATEST", AuthType: "NONE" })),
    "ValidationException",
    400,
    /Value '\$LATEST' at 'qualifier' failed to satisfy constraint/,
  );
  await rejects(
    env.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "web:1", AuthType: "NONE" })),
    "ValidationException",
    400,
    /Value '1' at 'qualifier'/,
  );
  await rejects(
    env.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "nope" })),
    "ResourceNotFoundException",
    404,
    "The resource you requested does not exist.",
  );

  await env.lambda.send(new PublishVersionCommand({ FunctionName: "web" }));
  await env.lambda.send(new CreateAliasCommand({ FunctionName: "web", Name: "live", FunctionVersion: "1" }));
  const aliased = await env.lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: "web", Qualifier: "live", AuthType: "AWS_IAM", InvokeMode: "RESPONSE_STREAM" }),
  );
  assert.equal(aliased.FunctionArn, `arn:aws:lambda:us-east-1:${env.account}:function:web:live`);
  assert.notEqual(aliased.FunctionUrl, created.FunctionUrl);
  assert.equal(aliased.InvokeMode, "RESPONSE_STREAM");

  const listed = await env.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "web" }));
  assert.deepEqual(listed.FunctionUrlConfigs!.map((c) => c.FunctionArn).sort(), [created.FunctionArn, aliased.FunctionArn].sort());
  const page = await env.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "web", MaxItems: 1 }));
  assert.equal(page.FunctionUrlConfigs!.length, 1);
  const page2 = await env.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "web", MaxItems: 1, Marker: page.NextMarker }));
  assert.equal(page2.FunctionUrlConfigs!.length, 1);
  assert.equal(page2.NextMarker, undefined);
  await rejects(env.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "nope" })), "ResourceNotFoundException", 404, "Function does not exist");

  await new Promise((r) => setTimeout(r, 5));
  const updated = await env.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "web", AuthType: "AWS_IAM", Cors: { AllowOrigins: ["*"] } }));
  assert.equal(updated.FunctionUrl, created.FunctionUrl);
  assert.equal(updated.AuthType, "AWS_IAM");
  assert.deepEqual(updated.Cors, { AllowOrigins: ["*"] });
  assert.equal(updated.CreationTime, created.CreationTime);
  assert.notEqual(updated.LastModifiedTime, created.CreationTime);
  await rejects(
    env.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "nope", AuthType: "NONE" })),
    "ResourceNotFoundException",
    404,
    "Function does not exist",
  );

  const del = await env.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: "web" }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejects(
    env.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "web" })),
    "ResourceNotFoundException",
    404,
    "The resource you requested does not exist.",
  );
  await rejects(
    env.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: "web" })),
    "ResourceNotFoundException",
    404,
    "The resource you requested does not exist.",
  );
  await rejects(
    env.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "web", AuthType: "NONE" })),
    "ResourceNotFoundException",
    404,
    "The resource you requested does not exist.",
  );
  // A deleted URL answers as an unknown one.
  const gone = await send(created.FunctionUrl!);
  assert.equal(gone.status, 403);
  assert.deepEqual(JSON.parse(gone.body.toString()), { Message: null });

  // Deleting the function removes its URL configs; its URLs stop answering.
  await env.lambda.send(new DeleteFunctionCommand({ FunctionName: "web" }));
  await urlFunction(env, "web");
  assert.equal((await env.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "web" }))).FunctionUrlConfigs!.length, 1);
  assert.equal((await send(aliased.FunctionUrl!)).status, 403);
});

test("a GET with a query string and cookies reaches the function as a payload 2.0 event; its answer is the HTTP response", async () => {
  const env = await lambdaEnv(server);
  const { FunctionUrl } = await urlFunction(env);
  const id = urlId(FunctionUrl!);
  const t0 = Date.now();
  const res = await send(`${FunctionUrl}some/path?a=1&a=2&b=x%20y`, { headers: { cookie: "c1=v1; c2=v2", "X-Multi": "one", "user-agent": "url-test/1.0" } });
  assert.equal(res.status, 201);
  assert.equal(res.headers["content-type"], "application/json");
  assert.equal(res.headers["x-custom"], "yes");
  assert.deepEqual(res.headers["set-cookie"], ["a=1; Path=/", "b=2"]);
  assert.match(String(res.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
  const event = JSON.parse(res.body.toString());
  assert.equal(event.version, "2.0");
  assert.equal(event.routeKey, "$default");
  assert.equal(event.rawPath, "/some/path");
  assert.equal(event.rawQueryString, "a=1&a=2&b=x%20y");
  assert.deepEqual(event.queryStringParameters, { a: "1,2", b: "x y" });
  assert.deepEqual(event.cookies, ["c1=v1", "c2=v2"]);
  assert.equal(event.headers["x-multi"], "one");
  assert.equal(event.headers["user-agent"], "url-test/1.0");
  assert.equal(event.headers.host, new URL(FunctionUrl!).host);
  assert.equal(event.isBase64Encoded, false);
  assert.equal(event.body, undefined);
  const rc = event.requestContext;
  assert.equal(rc.accountId, "anonymous");
  assert.equal(rc.apiId, id);
  assert.equal(rc.domainName, `${id}.lambda-url.us-east-1.localhost`);
  assert.equal(rc.domainPrefix, id);
  assert.deepEqual(rc.http, { method: "GET", path: "/some/path", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "url-test/1.0" });
  assert.equal(rc.requestId, res.headers["x-amzn-requestid"]);
  assert.equal(rc.routeKey, "$default");
  assert.equal(rc.stage, "$default");
  assert.match(rc.time, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  assert.equal(typeof rc.timeEpoch, "number");
  assert.ok(rc.timeEpoch >= t0 - 1000 && rc.timeEpoch <= Date.now());
  assert.equal(rc.authorizer, undefined);

  // The Host AWS uses (…on.aws) reaches the same function, with no query string and no cookies.
  const onAws = await send(`${server.url}/`, { headers: { host: `${id}.lambda-url.us-east-1.on.aws` } });
  assert.equal(onAws.status, 201);
  const e2 = JSON.parse(onAws.body.toString());
  assert.equal(e2.rawPath, "/");
  assert.equal(e2.rawQueryString, "");
  assert.equal(e2.queryStringParameters, undefined);
  assert.equal(e2.cookies, undefined);
  assert.equal(e2.requestContext.domainName, `${id}.lambda-url.us-east-1.on.aws`);
  // …but not under another region's name.
  assert.equal((await send(`${server.url}/`, { headers: { host: `${id}.lambda-url.eu-west-1.on.aws` } })).status, 403);
});

test("POST bodies: text arrives as is, binary base64-encoded; fetch() through the path form", async () => {
  const env = await lambdaEnv(server);
  const { FunctionUrl } = await urlFunction(env);
  const base = pathForm(FunctionUrl!);

  const json = await fetch(`${base}/items?x=1`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "widget", n: 3 }),
  });
  assert.equal(json.status, 201);
  const e1 = (await json.json()) as Record<string, unknown> & { requestContext: { http: { method: string; path: string } } };
  assert.equal(e1.rawPath, "/items");
  assert.equal(e1.rawQueryString, "x=1");
  assert.equal(e1.requestContext.http.method, "POST");
  assert.equal(e1.requestContext.http.path, "/items");
  assert.equal(e1.isBase64Encoded, false);
  assert.deepEqual(JSON.parse(e1.body as string), { name: "widget", n: 3 });

  const bin = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f, 0x00]);
  const binary = await fetch(`${base}/upload`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: bin });
  assert.equal(binary.status, 201);
  const e2 = (await binary.json()) as { isBase64Encoded: boolean; body: string };
  assert.equal(e2.isBase64Encoded, true);
  assert.deepEqual(Buffer.from(e2.body, "base64"), bin);

  // A base64 answer is decoded; a JSON value without statusCode is a 200 application/json; a string is the body.
  const down = await fetch(`${base}/binary`);
  assert.equal(down.status, 200);
  assert.equal(down.headers.get("content-type"), "application/octet-stream");
  assert.deepEqual(Buffer.from(await down.arrayBuffer()), Buffer.from([0, 1, 2, 255]));
  const plain = await fetch(`${base}/plain`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get("content-type"), "application/json");
  assert.deepEqual(await plain.json(), { hello: "world" });
  const str = await fetch(`${base}/string`);
  assert.equal(str.status, 200);
  assert.equal(await str.text(), "just text");
});

test("CORS: preflight answered from the configuration, configured headers win on responses", async () => {
  const env = await lambdaEnv(server);
  const { FunctionUrl } = await urlFunction(env, "web", "NONE", {
    AllowOrigins: ["https://app.example"],
    AllowMethods: ["GET", "POST"],
    AllowHeaders: ["x-token"],
    ExposeHeaders: ["x-custom"],
    AllowCredentials: true,
    MaxAge: 600,
  });
  const pre = await send(FunctionUrl!, {
    method: "OPTIONS",
    headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "x-token" },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers["access-control-allow-origin"], "https://app.example");
  assert.equal(pre.headers["access-control-allow-methods"], "GET,POST");
  assert.equal(pre.headers["access-control-allow-headers"], "x-token");
  assert.equal(pre.headers["access-control-allow-credentials"], "true");
  assert.equal(pre.headers["access-control-max-age"], "600");
  assert.equal(pre.body.length, 0);

  const denied = await send(FunctionUrl!, { method: "OPTIONS", headers: { origin: "https://other.example", "access-control-request-method": "GET" } });
  assert.equal(denied.status, 200);
  assert.equal(denied.headers["access-control-allow-origin"], undefined);

  const actual = await send(FunctionUrl!, { headers: { origin: "https://app.example" } });
  assert.equal(actual.status, 201);
  assert.equal(actual.headers["access-control-allow-origin"], "https://app.example"); // not the function's own
  assert.equal(actual.headers["access-control-expose-headers"], "x-custom");
  assert.equal(actual.headers["access-control-allow-credentials"], "true");
});

test("a function error answers 502, a throttled function 429, an unknown URL 403", async () => {
  const env = await lambdaEnv(server);
  const { FunctionUrl } = await urlFunction(env);
  const res = await send(`${FunctionUrl}fail`);
  assert.equal(res.status, 502);
  assert.equal(res.body.toString(), "Internal Server Error");

  // Reserved concurrency 0 deactivates a function URL (AWS's documented way to turn one off).
  await env.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "web", ReservedConcurrentExecutions: 0 }));
  const throttled = await send(FunctionUrl!);
  assert.equal(throttled.status, 429);
  assert.equal(throttled.headers["x-amzn-errortype"], "TooManyRequestsException");
  await env.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "web" }));
  assert.equal((await send(FunctionUrl!)).status, 201);

  const unknown = await send(`http://${"0".repeat(32)}.lambda-url.us-east-1.localhost:${server.port}/`);
  assert.equal(unknown.status, 403);
  assert.equal(unknown.headers["x-amzn-errortype"], "AccessDeniedException");
  assert.deepEqual(JSON.parse(unknown.body.toString()), { Message: null });
});

test("AWS_IAM: unsigned and badly signed requests are refused, SigV4-signed ones run with the caller in the event", async () => {
  const env = await lambdaEnv(server);
  const { FunctionUrl } = await urlFunction(env, "private", "AWS_IAM");
  const unsigned = await send(FunctionUrl!);
  assert.equal(unsigned.status, 403);
  assert.deepEqual(JSON.parse(unsigned.body.toString()), { Message: "Forbidden" });

  const u = new URL(`${FunctionUrl}who?q=1`);
  const sign = (secretAccessKey: string) =>
    new SignatureV4({ service: "lambda", region: "us-east-1", sha256: Sha256, credentials: { accessKeyId: env.account, secretAccessKey } }).sign({
      method: "POST",
      protocol: "http:",
      hostname: u.hostname,
      port: Number(u.port),
      path: u.pathname,
      query: { q: "1" },
      headers: { host: u.host, "content-type": "application/json" },
      body: '{"k":"v"}',
    });
  const good = await sign("test");
  const ok = await send(u.href, { method: "POST", headers: good.headers as Record<string, string>, body: '{"k":"v"}' });
  assert.equal(ok.status, 201);
  const event = JSON.parse(ok.body.toString());
  assert.equal(event.requestContext.accountId, env.account);
  assert.equal(event.requestContext.authorizer.iam.accessKey, env.account);
  assert.equal(event.requestContext.authorizer.iam.accountId, env.account);
  assert.equal(event.requestContext.authorizer.iam.userArn, `arn:aws:iam::${env.account}:root`);
  assert.equal(event.body, '{"k":"v"}');

  const bad = await sign("wrong-secret");
  const refused = await send(u.href, { method: "POST", headers: bad.headers as Record<string, string>, body: '{"k":"v"}' });
  assert.equal(refused.status, 403);
  assert.match(JSON.parse(refused.body.toString()).Message, /signature we calculated does not match/);
});

test("AuthType NONE answers only when the resource policy grants the public both InvokeFunctionUrl and InvokeFunction", async () => {
  const env = await lambdaEnv(server);
  const { FunctionUrl } = await urlFunction(env, "closed", "NONE", undefined, false);
  let r = await send(pathForm(FunctionUrl!));
  assert.equal(r.status, 403);
  assert.deepEqual(JSON.parse(r.body.toString("utf8")), { Message: "Forbidden" });
  await env.lambda.send(
    new AddPermissionCommand({ FunctionName: "closed", StatementId: "url", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }),
  );
  assert.equal((await send(pathForm(FunctionUrl!))).status, 403, "InvokeFunctionUrl alone is not enough for a new URL");
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "closed",
      StatementId: "url-invoke",
      Action: "lambda:InvokeFunction",
      Principal: "*",
      InvokedViaFunctionUrl: true,
    }),
  );
  r = await send(pathForm(FunctionUrl!));
  assert.equal(r.status, 201);
});
