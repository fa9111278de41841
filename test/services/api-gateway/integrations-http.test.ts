// HTTP and HTTP_PROXY integrations over real HTTP, to a node:http backend started here: what the backend receives
// (method, path with {proxy+} and {param} filled, query, headers, body through mapping templates with $input, $util,
// $context and $stageVariables) and what the client gets back (passed through, or mapped by status code), the
// integration timeout (504), an unreachable backend (500), content handling.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { useServer } from "../../helpers/server.js";
import { call, restApi } from "./integrations-setup.js";

const server = useServer();

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const seen: Seen[] = [];
let backend: Server;
let port = 0;

before(async () => {
  backend = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = req.url!.split("?")[0]!;
      if (path.endsWith("/slow")) {
        setTimeout(() => res.end("late"), 1500);
        return;
      }
      if (path.includes("missing")) {
        res.writeHead(404, { "content-type": "application/json", "x-backend": "b1" });
        res.end(JSON.stringify({ error: "not here", path }));
        return;
      }
      res.writeHead(path.includes("created") ? 201 : 200, [
        ["content-type", "application/json"],
        ["x-backend", "b1"],
        ["set-cookie", "a=1"],
        ["set-cookie", "b=2"],
      ]);
      res.end(JSON.stringify({ method: req.method, path, item: { id: 9, name: "nine" } }));
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  port = (backend.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => backend.close(() => resolve())));

const last = () => seen[seen.length - 1]!;

test("HTTP_PROXY: method, {proxy+} path, every query value, headers and body forwarded; the backend's answer as it is", async () => {
  const api = await restApi(server);
  await api.method("/api/{proxy+}", "ANY", {
    requestParameters: { "method.request.path.proxy": true },
    integration: {
      type: "HTTP_PROXY",
      integrationHttpMethod: "ANY",
      uri: `http://127.0.0.1:${port}/base/{proxy}`,
      requestParameters: { "integration.request.path.proxy": "method.request.path.proxy", "integration.request.header.X-Added": "'yes'" },
    },
  });
  await api.deploy();
  const r = await call(server, api.id, "/api/created/a%20b?x=1&x=2&y=z", {
    method: "PATCH",
    body: "raw body",
    headers: { "content-type": "text/plain", "x-client": "c1" },
  });
  assert.equal(r.status, 201);
  assert.equal(r.headers["x-backend"], "b1");
  assert.deepEqual(r.headers["set-cookie"], ["a=1", "b=2"]);
  assert.deepEqual(r.json(), { method: "PATCH", path: "/base/created/a%20b", item: { id: 9, name: "nine" } });
  const got = last();
  assert.equal(got.method, "PATCH");
  assert.equal(got.url, "/base/created/a%20b?x=1&x=2&y=z");
  assert.equal(got.body, "raw body");
  assert.equal(got.headers["x-client"], "c1");
  assert.equal(got.headers["x-added"], "yes");
  assert.equal(got.headers["content-type"], "text/plain");
  assert.equal(got.headers.host, `127.0.0.1:${port}`, "the backend's own Host, not the API's");

  const missing = await call(server, api.id, "/api/missing");
  assert.equal(missing.status, 404, "a backend error status is passed through");
  assert.equal((missing.json() as { error: string }).error, "not here");
});

test("HTTP: mapped path, query and headers; a request template with $input, $util, $context, $stageVariables; responses by status", async () => {
  const api = await restApi(server);
  await api.method("/items/{id}", "POST", {
    requestParameters: { "method.request.path.id": true, "method.request.querystring.q": false, "method.request.header.X-Trace": false },
    integration: {
      type: "HTTP",
      integrationHttpMethod: "PUT",
      uri: `http://127.0.0.1:${port}/\${stageVariables.root}/{thing}`,
      requestParameters: {
        "integration.request.path.thing": "method.request.path.id",
        "integration.request.querystring.search": "method.request.querystring.q",
        "integration.request.querystring.fixed": "'v1'",
        "integration.request.header.X-Trace-Id": "method.request.header.X-Trace",
        "integration.request.header.X-Stage": "context.stage",
        "integration.request.header.X-Env": "stageVariables.env",
      },
      requestTemplates: {
        "application/json": [
          "{",
          "  \"name\": $input.json('$.name'),",
          '  "firstTag": "$input.path(\'$.tags[0]\')",',
          "  \"tagCount\": $input.path('$.tags').size(),",
          '  "escaped": "$util.escapeJavaScript($input.path(\'$.quote\'))",',
          '  "encoded": "$util.urlEncode($input.path(\'$.name\'))",',
          '  "b64": "$util.base64Encode($input.path(\'$.name\'))",',
          '  "decoded": "$util.base64Decode(\'aGk=\')",',
          '  "parsed": "$util.parseJson($input.path(\'$.inner\')).k",',
          '  "q": "$input.params(\'q\')",',
          '  "id": "$input.params().path.id",',
          '  "method": "$context.httpMethod",',
          '  "env": "$stageVariables.env",',
          '  "tags": [#foreach($t in $input.path(\'$.tags\'))"$t.toUpperCase()"#if($foreach.hasNext),#end#end]',
          "}",
        ].join("\n"),
      },
    },
    responses: [
      {
        statusCode: "200",
        responseParameters: {
          "method.response.header.X-From-Backend": "integration.response.header.x-backend",
          "method.response.header.X-Item-Name": "integration.response.body.item.name",
        },
        responseTemplates: { "application/json": `{"backendPath": "$input.path('$.path')", "itemId": $input.json('$.item.id')}` },
      },
      { statusCode: "400", selectionPattern: "4\\d{2}", responseTemplates: { "application/json": `{"problem": "$input.path('$.error')"}` } },
    ],
  });
  await api.deploy("dev", { root: "things", env: "test-env" });
  const payload = { name: "Zoë & co", tags: ["red", "blue"], quote: `it's "q"`, inner: '{"k":"v"}' };
  const r = await call(server, api.id, "/items/42?q=find%20me", {
    method: "POST",
    body: JSON.stringify(payload),
    headers: { "content-type": "application/json", "X-Trace": "t-1" },
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers["content-type"], "application/json");
  assert.equal(r.headers["x-from-backend"], "b1");
  assert.equal(r.headers["x-item-name"], "nine");
  assert.deepEqual(r.json(), { backendPath: "/things/42", itemId: 9 });

  const got = last();
  assert.equal(got.method, "PUT");
  assert.equal(got.url, "/things/42?search=find%20me&fixed=v1");
  assert.equal(got.headers["x-trace-id"], "t-1");
  assert.equal(got.headers["x-stage"], "dev");
  assert.equal(got.headers["x-env"], "test-env");
  assert.equal(got.headers["content-type"], "application/json");
  assert.equal(got.headers["x-client"], undefined, "a non-proxy integration sends only what is mapped");
  // escapeJavaScript writes ' as \' (Commons Lang), which is no JSON escape (AWS's documented caveat): the raw text shows it.
  assert.match(got.body, /"escaped": "it\\'s \\"q\\""/);
  assert.deepEqual(JSON.parse(got.body.replace(/\\'/g, "'")), {
    name: "Zoë & co",
    firstTag: "red",
    tagCount: 2,
    escaped: `it's "q"`,
    encoded: "Zo%C3%AB+%26+co",
    b64: Buffer.from("Zoë & co").toString("base64"),
    decoded: "hi",
    parsed: "v",
    q: "find me",
    id: "42",
    method: "POST",
    env: "test-env",
    tags: ["RED", "BLUE"],
  });

  const missing = await call(server, api.id, "/items/missing", {
    method: "POST",
    body: JSON.stringify(payload),
    headers: { "content-type": "application/json" },
  });
  assert.equal(missing.status, 400);
  assert.deepEqual(missing.json(), { problem: "not here" });
});

test("HTTP: past timeoutInMillis the client gets 504 Endpoint request timed out; an unreachable backend 500", async () => {
  const api = await restApi(server);
  await api.method("/slow", "GET", {
    integration: { type: "HTTP_PROXY", integrationHttpMethod: "GET", uri: `http://127.0.0.1:${port}/slow`, timeoutInMillis: 200 },
  });
  // A port nothing listens on: the backend's own, once closed below, is not reusable; use a fresh one that is closed.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await api.method("/dead", "GET", {
    integration: { type: "HTTP", integrationHttpMethod: "GET", uri: `http://127.0.0.1:${deadPort}/x` },
    responses: [{ statusCode: "200" }],
  });
  await api.deploy();
  const started = Date.now();
  const slow = await call(server, api.id, "/slow");
  assert.equal(slow.status, 504);
  assert.deepEqual(slow.json(), { message: "Endpoint request timed out" });
  assert.ok(Date.now() - started < 1400, "answered at the timeout, not when the backend finished");
  const dead = await call(server, api.id, "/dead");
  assert.equal(dead.status, 500);
  assert.deepEqual(dead.json(), { message: "Internal server error" });
});

test("content handling: a binary media type's body CONVERT_TO_TEXT reaches the backend base64-encoded", async () => {
  const api = await restApi(server, undefined, ["application/octet-stream"]);
  await api.method("/upload", "POST", {
    integration: {
      type: "HTTP",
      integrationHttpMethod: "POST",
      uri: `http://127.0.0.1:${port}/upload`,
      contentHandling: "CONVERT_TO_TEXT",
      requestTemplates: { "application/octet-stream": `{"data": "$input.body"}` },
    },
    responses: [{ statusCode: "200" }],
  });
  await api.deploy();
  const bytes = Buffer.from([0, 1, 2, 254, 255]);
  const r = await call(server, api.id, "/upload", { method: "POST", body: bytes, headers: { "content-type": "application/octet-stream" } });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(last().body), { data: bytes.toString("base64") });
  assert.equal(last().headers["content-type"], "application/octet-stream");
});

test("an HTTPS backend with a self-signed certificate: 500 unless tlsConfig.insecureSkipVerification", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-apigw-tls-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const made = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
    { stdio: "ignore" },
  );
  if (made.status !== 0) return t.skip("openssl could not make a certificate");
  const tls = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(`{"secure": true}`);
  });
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => tls.close(() => resolve())));
  const tlsPort = (tls.address() as AddressInfo).port;
  const api = await restApi(server);
  const uri = `https://127.0.0.1:${tlsPort}/`;
  await api.method("/strict", "GET", { integration: { type: "HTTP_PROXY", integrationHttpMethod: "GET", uri } });
  await api.method("/lenient", "GET", {
    integration: { type: "HTTP_PROXY", integrationHttpMethod: "GET", uri, tlsConfig: { insecureSkipVerification: true } },
  });
  await api.deploy();
  const strict = await call(server, api.id, "/strict");
  assert.equal(strict.status, 500);
  assert.deepEqual(strict.json(), { message: "Internal server error" });
  const lenient = await call(server, api.id, "/lenient");
  assert.equal(lenient.status, 200);
  assert.deepEqual(lenient.json(), { secure: true });
});
