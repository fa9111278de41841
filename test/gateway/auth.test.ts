// SigV4 authentication against a real server with --auth sigv4: real SDKs, hand-signed and presigned requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/protocol-http";
import type { HttpRequest as SignedRequest } from "@smithy/types";
import { Sha256 } from "@aws-crypto/sha256-js";
import { ManualClock } from "../../src/core/clock.js";
import type { CredentialRecord, CredentialSource } from "../../src/core/identity.js";
import { Catalog } from "../../src/core/catalog.js";
import type { Store } from "../../src/core/store/types.js";
import { REGISTRY } from "../../src/services/registry.js";
import { uriEncode } from "../../src/core/auth/sigv4-verify.js";
import { randomAccount, type TestServer, useServer } from "../helpers/server.js";

const clock = new ManualClock();

// Temporary credentials as STS would issue them, known to the server through a credential source.
const TEMP_ACCOUNT = "210987654321";
const temp = (akid: string, expiration: number, status: "Active" | "Inactive" = "Active"): CredentialRecord => ({
  accessKeyId: akid,
  secretAccessKey: "temp-secret",
  sessionToken: akid.startsWith("ASIA") ? `token-of-${akid}` : undefined,
  expiration: akid.startsWith("ASIA") ? expiration : undefined,
  status,
  principal: {
    type: "AssumedRole",
    accountId: TEMP_ACCOUNT,
    arn: `arn:aws:sts::${TEMP_ACCOUNT}:assumed-role/r/s`,
    principalId: "AROAEXAMPLE:s",
    accessKeyId: akid,
  },
});
const fakes: CredentialSource = (akid) => {
  if (akid === "ASIATESTGOOD0000") return temp(akid, clock.now() + 3600_000);
  if (akid === "ASIATESTEXPIRED0") return temp(akid, clock.now() - 1000);
  if (akid === "AKIATESTINACTIVE") return temp(akid, 0, "Inactive");
  return undefined;
};
// The registry with STS's declared credential source knowing these keys too: the composition root (startServer's
// `catalog`) takes any catalog.
const catalog = new Catalog(
  REGISTRY.map((r) =>
    r.name === "sts" ? { ...r, credentialSource: (akid: string, store: Store) => fakes(akid, store) ?? r.credentialSource?.(akid, store) } : r,
  ),
);

const server = useServer({ auth: "sigv4", clock, catalog });
const open = useServer({ clock, catalog });

const FORM = "Action=GetCallerIdentity&Version=2011-06-15";

function signer(opts: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string } = {}) {
  return new SignatureV4({
    credentials: { accessKeyId: opts.accessKeyId ?? randomAccount(), secretAccessKey: opts.secretAccessKey ?? "test", sessionToken: opts.sessionToken },
    region: "us-east-1",
    service: "sts",
    sha256: Sha256,
  });
}

function stsPost(s: TestServer, body = FORM): HttpRequest {
  return new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: s.host,
    port: s.port,
    path: "/",
    headers: { host: `${s.host}:${s.port}`, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
}

/** Sends a signed HttpRequest with fetch (which sets Host and Content-Length itself, as signed). */
async function send(s: TestServer, req: SignedRequest, body?: string): Promise<{ status: number; code?: string; message?: string; text: string }> {
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "host"));
  const qs = Object.entries(req.query ?? {})
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(String(v))}`)
    .join("&");
  const res = await fetch(`${s.url}${req.path}${qs ? `?${qs}` : ""}`, {
    method: req.method,
    headers,
    body: req.method === "GET" ? undefined : (body ?? (req.body as string)),
  });
  const text = await res.text();
  return {
    status: res.status,
    code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1]?.replace(/&apos;/g, "'"),
    text,
  };
}

const amz = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

test("the real SDK with test/test works", async () => {
  const sts = server.client(STSClient, { accessKeyId: "test", secretAccessKey: "test" });
  const id = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, "000000000000");
});

test("a 12-digit key is its account's root with the default secret", async () => {
  const account = randomAccount();
  const id = await server.client(STSClient, { account }).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, account);
});

test("a wrong secret is SignatureDoesNotMatch 403", async () => {
  const sts = server.client(STSClient, { secretAccessKey: "not-the-secret" });
  await assert.rejects(sts.send(new GetCallerIdentityCommand({})), (e: any) => e.name === "SignatureDoesNotMatch" && e.$metadata.httpStatusCode === 403);
});

test("an unknown key is InvalidClientTokenId 403", async () => {
  const sts = server.client(STSClient, { accessKeyId: "AKIANOSUCHKEY000" });
  await assert.rejects(
    sts.send(new GetCallerIdentityCommand({})),
    (e: any) =>
      e.name === "InvalidClientTokenId" && e.$metadata.httpStatusCode === 403 && e.message === "The security token included in the request is invalid.",
  );
});

test("an Inactive key is InvalidClientTokenId", async () => {
  const sts = server.client(STSClient, { accessKeyId: "AKIATESTINACTIVE", secretAccessKey: "temp-secret" });
  await assert.rejects(sts.send(new GetCallerIdentityCommand({})), (e: any) => e.name === "InvalidClientTokenId");
});

test("a hand-signed request verifies", async () => {
  const req = await signer().sign(stsPost(server), { signingDate: new Date(clock.now()) });
  const r = await send(server, req);
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /<GetCallerIdentityResult>/);
});

test("a request signed 20 minutes ago: Signature expired", async () => {
  const signedAt = clock.now() - 20 * 60_000;
  const r = await send(server, await signer().sign(stsPost(server), { signingDate: new Date(signedAt) }));
  assert.equal(r.status, 403);
  assert.equal(r.code, "SignatureDoesNotMatch");
  assert.equal(r.message, `Signature expired: ${amz(signedAt)} is now earlier than ${amz(clock.now() - 15 * 60_000)} (${amz(clock.now())} - 15 min.)`);
});

test("a request dated 20 minutes ahead: Signature not yet current", async () => {
  const signedAt = clock.now() + 20 * 60_000;
  const r = await send(server, await signer().sign(stsPost(server), { signingDate: new Date(signedAt) }));
  assert.equal(r.status, 403);
  assert.equal(r.code, "SignatureDoesNotMatch");
  assert.equal(r.message, `Signature not yet current: ${amz(signedAt)} is still later than ${amz(clock.now() + 15 * 60_000)} (${amz(clock.now())} + 15 min.)`);
});

test("a body changed after signing is SignatureDoesNotMatch", async () => {
  const req = await signer().sign(stsPost(server), { signingDate: new Date(clock.now()) });
  const r = await send(server, req, FORM.replace("2011-06-15", "2011-06-16"));
  assert.equal(r.status, 403);
  assert.equal(r.code, "SignatureDoesNotMatch");
});

test("a presigned GET of GetCallerIdentity works, and is refused once expired", async () => {
  const get = () =>
    new HttpRequest({
      method: "GET",
      protocol: "http:",
      hostname: server.host,
      port: server.port,
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host: `${server.host}:${server.port}` },
    });
  const account = randomAccount();
  const good = await signer({ accessKeyId: account }).presign(get(), { expiresIn: 900, signingDate: new Date(clock.now()) });
  const r = await send(server, good);
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, new RegExp(`<Account>${account}</Account>`));

  const signedAt = clock.now() - 20 * 60_000;
  const old = await signer({ accessKeyId: account }).presign(get(), { expiresIn: 900, signingDate: new Date(signedAt) });
  const r2 = await send(server, old);
  assert.equal(r2.status, 403);
  assert.equal(r2.code, "SignatureDoesNotMatch");
  assert.match(r2.message ?? "", /^Signature expired: /);

  const tampered = await signer({ accessKeyId: account }).presign(get(), { expiresIn: 900, signingDate: new Date(clock.now()) });
  tampered.query!["X-Amz-Expires"] = "901";
  assert.equal((await send(server, tampered)).code, "SignatureDoesNotMatch");
});

test("no Authorization at all is MissingAuthenticationToken 403", async () => {
  const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: FORM });
  const text = await res.text();
  assert.equal(res.status, 403);
  assert.match(text, /<Code>MissingAuthenticationToken<\/Code>/);
  assert.match(text, /<Message>Request is missing Authentication Token<\/Message>/);
});

test("a truncated Authorization is IncompleteSignature", async () => {
  const req = await signer().sign(stsPost(server), { signingDate: new Date(clock.now()) });
  const auth = req.headers["authorization"];
  req.headers["authorization"] = auth.slice(0, auth.indexOf("SignedHeaders=") + 6);
  const r = await send(server, req);
  assert.equal(r.status, 400); // STS answers IncompleteSignature with 400 Bad Request
  assert.equal(r.code, "IncompleteSignature");
  assert.match(r.message ?? "", /^'Signed' not a valid key=value pair \(missing equal-sign\) in Authorization header: 'AWS4-HMAC-SHA256 Credential=/);
});

test("a JSON service: wrong secret is InvalidSignatureException 400, unknown key UnrecognizedClientException 400", async () => {
  const wrong = server.client(CloudTrailClient, { secretAccessKey: "wrong" });
  await assert.rejects(wrong.send(new LookupEventsCommand({})), (e: any) => e.name === "InvalidSignatureException" && e.$metadata.httpStatusCode === 400);
  const unknown = server.client(CloudTrailClient, { accessKeyId: "AKIANOSUCHKEY000" });
  await assert.rejects(
    unknown.send(new LookupEventsCommand({})),
    (e: any) =>
      e.name === "UnrecognizedClientException" && e.$metadata.httpStatusCode === 400 && e.message === "The security token included in the request is invalid.",
  );
});

test("temporary credentials: the right token works, a wrong one is InvalidClientTokenId, an expired one ExpiredToken", async () => {
  const good = server.client(STSClient, { accessKeyId: "ASIATESTGOOD0000", secretAccessKey: "temp-secret", sessionToken: "token-of-ASIATESTGOOD0000" });
  assert.equal((await good.send(new GetCallerIdentityCommand({}))).Account, TEMP_ACCOUNT);

  const wrong = server.client(STSClient, { accessKeyId: "ASIATESTGOOD0000", secretAccessKey: "temp-secret", sessionToken: "another-token" });
  await assert.rejects(wrong.send(new GetCallerIdentityCommand({})), (e: any) => e.name === "InvalidClientTokenId" && e.$metadata.httpStatusCode === 403);
  const none = server.client(STSClient, { accessKeyId: "ASIATESTGOOD0000", secretAccessKey: "temp-secret" });
  await assert.rejects(none.send(new GetCallerIdentityCommand({})), (e: any) => e.name === "InvalidClientTokenId");

  const expired = server.client(STSClient, { accessKeyId: "ASIATESTEXPIRED0", secretAccessKey: "temp-secret", sessionToken: "token-of-ASIATESTEXPIRED0" });
  await assert.rejects(
    expired.send(new GetCallerIdentityCommand({})),
    (e: any) => e.name === "ExpiredToken" && e.$metadata.httpStatusCode === 403 && e.message === "The security token included in the request is expired",
  );
  const expiredJson = server.client(CloudTrailClient, {
    accessKeyId: "ASIATESTEXPIRED0",
    secretAccessKey: "temp-secret",
    sessionToken: "token-of-ASIATESTEXPIRED0",
  });
  await assert.rejects(expiredJson.send(new LookupEventsCommand({})), (e: any) => e.name === "ExpiredTokenException");
});

test("--auth none accepts garbage signatures and unsigned requests, but not expired temporary credentials", async () => {
  const req = await signer({ secretAccessKey: "whatever" }).sign(stsPost(open), { signingDate: new Date(clock.now() - 3600_000) });
  req.headers["authorization"] = req.headers["authorization"].replace(/Signature=[0-9a-f]+/, "Signature=deadbeef");
  assert.equal((await send(open, req)).status, 200);
  const unsigned = await fetch(open.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: FORM });
  assert.equal(unsigned.status, 200);

  const expired = new STSClient(open.clientConfig({ accessKeyId: "ASIATESTEXPIRED0", secretAccessKey: "x", sessionToken: "token-of-ASIATESTEXPIRED0" }));
  await assert.rejects(expired.send(new GetCallerIdentityCommand({})), (e: any) => e.name === "ExpiredToken");
  const good = new STSClient(open.clientConfig({ accessKeyId: "ASIATESTGOOD0000", secretAccessKey: "x", sessionToken: "token-of-ASIATESTGOOD0000" }));
  assert.equal((await good.send(new GetCallerIdentityCommand({}))).Account, TEMP_ACCOUNT);
});

test("an IAM user's access key signs for that user; once Inactive it is refused", async () => {
  const { IAMClient, CreateUserCommand, CreateAccessKeyCommand, UpdateAccessKeyCommand } = await import("@aws-sdk/client-iam");
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  await iam.send(new CreateUserCommand({ UserName: "alice" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
  const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  const id = await server.client(STSClient, {}, { credentials: creds }).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Arn, `arn:aws:iam::${account}:user/alice`);
  const wrong = new STSClient({ ...server.clientConfig(), credentials: { ...creds, secretAccessKey: "nope" } });
  await assert.rejects(wrong.send(new GetCallerIdentityCommand({})), (e: any) => e.name === "SignatureDoesNotMatch");

  await iam.send(new UpdateAccessKeyCommand({ UserName: "alice", AccessKeyId: creds.accessKeyId, Status: "Inactive" }));
  await assert.rejects(
    server.client(STSClient, {}, { credentials: creds }).send(new GetCallerIdentityCommand({})),
    (e: any) => e.name === "InvalidClientTokenId",
  );
});

test("STS session credentials sign with their token", async () => {
  const { GetSessionTokenCommand } = await import("@aws-sdk/client-sts");
  const { IAMClient, CreateUserCommand, CreateAccessKeyCommand } = await import("@aws-sdk/client-iam");
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  await iam.send(new CreateUserCommand({ UserName: "bob" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "bob" }));
  const user = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  const { Credentials } = await server.client(STSClient, {}, { credentials: user }).send(new GetSessionTokenCommand({}));
  const session = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
  const id = await server.client(STSClient, {}, { credentials: session }).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, account);
  const noToken = new STSClient({ ...server.clientConfig(), credentials: { ...session, sessionToken: undefined } });
  await assert.rejects(noToken.send(new GetCallerIdentityCommand({})), (e: any) => e.name === "InvalidClientTokenId");
});

test("malformed signatures get a 4xx, never a 500", async () => {
  const d = amz(clock.now());
  const day = d.slice(0, 8);
  const cases: [Record<string, string>, string][] = [
    [{ authorization: "AWS4-HMAC-SHA256" }, ""],
    [{ authorization: "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=", "x-amz-date": d }, ""],
    [{ authorization: `AWS4-HMAC-SHA256 Credential=test/${day}/us-east-1/sts, SignedHeaders=host;x-amz-date, Signature=00`, "x-amz-date": d }, ""],
    [
      {
        authorization: `AWS4-HMAC-SHA256 Credential=test/${day}/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`,
        "x-amz-date": "yesterday",
      },
      "",
    ],
    [{ authorization: `AWS4-HMAC-SHA512 Credential=test/${day}/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`, "x-amz-date": d }, ""],
    [
      { authorization: `AWS4-HMAC-SHA256 Credential=test/19990101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`, "x-amz-date": d },
      "",
    ],
    [
      {
        authorization: `AWS4-HMAC-SHA256 Credential=test/${day}/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date;x-missing, Signature=00`,
        "x-amz-date": d,
      },
      "",
    ],
    [{ authorization: `AWS4-HMAC-SHA256 Credential=test/${day}/us-east-1/sts/aws4_request, SignedHeaders=x-amz-date, Signature=00`, "x-amz-date": d }, ""],
    [
      {},
      `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F${day}%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=${d}&X-Amz-Expires=abc&X-Amz-SignedHeaders=host&X-Amz-Signature=00&Action=GetCallerIdentity&Version=2011-06-15`,
    ],
    [
      {},
      `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F${day}%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=${d}&X-Amz-Expires=999999&X-Amz-SignedHeaders=host&X-Amz-Signature=00&Action=GetCallerIdentity`,
    ],
    [{}, `X-Amz-Signature=00&Action=GetCallerIdentity&bad=%zz%E0`],
  ];
  for (const [headers, query] of cases) {
    const res = await fetch(`${server.url}/${query ? `?${query}` : ""}`, {
      method: query ? "GET" : "POST",
      headers: query ? headers : { ...headers, "content-type": "application/x-www-form-urlencoded" },
      body: query ? undefined : FORM,
    });
    const text = await res.text();
    assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(headers)} ${query} → ${res.status} ${text}`);
  }
});
