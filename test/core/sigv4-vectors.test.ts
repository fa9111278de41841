// The SigV4 verifier against AWS's own signing vectors (../shared/sigv4-test-suite/v4), header and presigned forms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSigV4 } from "../../src/core/auth/sigv4-parse.js";
import { signingKeyStats, uriEncode, verifySigV4 } from "../../src/core/auth/sigv4-verify.js";
import { isServiceError } from "../../src/core/errors.js";
import { rootPrincipal, type CredentialRecord } from "../../src/core/identity.js";
import type { HttpRequest } from "../../src/protocols/types.js";

const suite = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/sigv4-test-suite/v4");
const present = existsSync(suite);

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  normalize: boolean;
  timestamp: string;
}

/**
 * A raw HTTP/1.1 request as the vectors write it, in the gateway's HttpRequest shape plus Node-style rawHeaders.
 * The request target may hold spaces (get-space-*), so the method is the first word and the version the last.
 * Folded header lines (get-header-value-multiline) continue the previous value.
 */
function parseRaw(text: string, encodePath: boolean): { req: HttpRequest; rawHeaders: string[] } {
  const sep = text.indexOf("\n\n");
  const head = sep < 0 ? text : text.slice(0, sep);
  const body = sep < 0 ? "" : text.slice(sep + 2);
  const lines = head.split("\n");
  const first = lines.shift()!;
  const method = first.slice(0, first.indexOf(" "));
  const target = first.slice(method.length + 1, first.lastIndexOf(" "));
  const q = target.indexOf("?");
  let path = q < 0 ? target : target.slice(0, q);
  // Unnormalized vectors stand for S3, which signs the path as it goes on the wire: URI-encoded once.
  if (encodePath) path = path.split("/").map(uriEncode).join("/");
  const rawHeaders: string[] = [];
  for (const line of lines) {
    if (/^\s/.test(line) && rawHeaders.length) rawHeaders[rawHeaders.length - 1] += "\n" + line;
    else {
      const c = line.indexOf(":");
      rawHeaders.push(line.slice(0, c), line.slice(c + 1));
    }
  }
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const k = rawHeaders[i].toLowerCase();
    headers[k] = headers[k] === undefined ? rawHeaders[i + 1] : `${headers[k]}, ${rawHeaders[i + 1]}`;
  }
  return { req: { method, path, query: q < 0 ? "" : target.slice(q + 1), headers, body: Buffer.from(body) }, rawHeaders };
}

function verify(ctx: Context, text: string): CredentialRecord {
  const { req, rawHeaders } = parseRaw(text, !ctx.normalize);
  const sig = parseSigV4(req);
  assert.ok(sig, "the request carries a SigV4 signature");
  const c = ctx.credentials;
  return verifySigV4(req, sig, {
    family: "query",
    now: Date.parse(ctx.timestamp),
    pathMode: ctx.normalize ? "double" : "as-sent",
    s3Payload: false,
    lookup: (akid) =>
      akid === c.access_key_id
        ? { accessKeyId: akid, secretAccessKey: c.secret_access_key, sessionToken: c.token, principal: rootPrincipal("000000000000", akid) }
        : undefined,
    rawHeaders,
  });
}

function refused(ctx: Context, text: string, what: string): void {
  assert.throws(
    () => verify(ctx, text),
    (e: unknown) => isServiceError(e) && e.code === "SignatureDoesNotMatch" && e.status === 403,
    `a request with ${what} changed must be refused`,
  );
}

/** Flips one byte of `text` at `at` to a different character of the same class, so the request stays well-formed. */
function flip(text: string, at: number): string {
  const ch = text[at];
  const to = /[0-9]/.test(ch)
    ? String.fromCharCode(48 + ((ch.charCodeAt(0) - 47) % 10))
    : ch === "z"
      ? "y"
      : /[a-zA-Z]/.test(ch)
        ? String.fromCharCode(ch.charCodeAt(0) + 1)
        : "x";
  return text.slice(0, at) + to + text.slice(at + 1);
}

const cases = present
  ? readdirSync(suite)
      .filter((d) => existsSync(join(suite, d, "context.json")))
      .sort()
  : [];

if (!present) test("sigv4 vectors", { skip: "../shared/sigv4-test-suite is absent" }, () => {});

for (const name of cases) {
  const dir = join(suite, name);
  const ctx = JSON.parse(readFileSync(join(dir, "context.json"), "utf8")) as Context;
  for (const form of ["header", "query"] as const) {
    test(`${name} (${form})`, () => {
      const text = readFileSync(join(dir, `${form}-signed-request.txt`), "utf8");
      assert.equal(verify(ctx, text).accessKeyId, ctx.credentials.access_key_id);

      const lines = text.split("\n");
      // The signature: its last hex digit.
      const sigAt =
        form === "header" ? text.indexOf("Signature=") + "Signature=".length + 63 : text.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length + 63;
      refused(ctx, flip(text, sigAt), "the signature");
      // The path: its last byte if alphanumeric, else one more byte (a dot-segment's letters can vanish in normalization).
      const target = lines[0].slice(lines[0].indexOf(" ") + 1, lines[0].lastIndexOf(" "));
      const pathEnd = lines[0].indexOf(" ") + 1 + (target.includes("?") ? target.indexOf("?") : target.length);
      refused(ctx, /[A-Za-z0-9]/.test(text[pathEnd - 1]) ? flip(text, pathEnd - 1) : text.slice(0, pathEnd) + "x" + text.slice(pathEnd), "the path");
      // The query: a signed parameter's value (header form: add one if there is none).
      if (form === "query") refused(ctx, flip(text, text.indexOf("X-Amz-Date=") + "X-Amz-Date=".length + 3), "the query");
      else refused(ctx, target.includes("?") ? flip(text, lines[0].lastIndexOf(" ") - 1) : text.replace(/ (HTTP\/1\.1)$/m, "?a=b $1"), "the query");
      // A signed header: the host's first letter.
      refused(ctx, text.replace(/^Host:example/m, "Host:fxample"), "a signed header");
    });
  }
}

test("verifying a second request with the same key and scope reuses the derived signing key", { skip: !present }, () => {
  const dir = join(suite, "get-vanilla");
  const ctx = JSON.parse(readFileSync(join(dir, "context.json"), "utf8")) as Context;
  const text = readFileSync(join(dir, "header-signed-request.txt"), "utf8");
  verify(ctx, text);
  const before = signingKeyStats();
  verify(ctx, text);
  verify(ctx, readFileSync(join(dir, "query-signed-request.txt"), "utf8"));
  const after = signingKeyStats();
  assert.equal(after.misses, before.misses, "no new key derivation");
  assert.equal(after.hits, before.hits + 2);
});
