// Verifies an AWS Signature Version 4 (header or presigned query form) against the caller's secret.
import { nodeCrypto } from "../lazy.js";
import type { HttpRequest } from "../http.js";
import type { CredentialRecord } from "../identity.js";
import type { SigV4Fields } from "./sigv4-parse.js";
import { AuthErrors, type AuthFamily } from "./errors.js";

export interface VerifyOptions {
  family: AuthFamily;
  /** Epoch ms (the runtime's clock). */
  now: number;
  /** "double": every service but S3 normalizes the path and URI-encodes it again; "as-sent": S3 signs the path as sent. */
  pathMode: "double" | "as-sent";
  /** S3's payload rules: x-amz-content-sha256 is what was signed (UNSIGNED-PAYLOAD, STREAMING-…), presigned defaults to UNSIGNED-PAYLOAD. */
  s3Payload: boolean;
  /** Whether the credential scope's service names the service the request went to. */
  serviceMatches?: (scopeService: string) => boolean;
  /** The secret (and token, expiry, status) for an access key id; undefined when no one knows the key. */
  lookup: (accessKeyId: string) => CredentialRecord | undefined;
  /** Node's rawHeaders (name, value, name, value…): repeated headers are signed as "v1,v2", which the joined headers lose. */
  rawHeaders?: string[];
  /** Configured root keys are long-lived test keys; a session token sent with them is not checked. */
  ignoreTokenFor?: (record: CredentialRecord) => boolean;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 604800;
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const UNSIGNED = "UNSIGNED-PAYLOAD";

// --- signing keys: derived from (secret, date, region, service), which repeat across requests -------------

const keyCache = new Map<string, Buffer>();
const keyStats = { hits: 0, misses: 0 };
const KEY_CACHE_MAX = 1024;

const hmac = (key: Buffer | string, data: string) => nodeCrypto().createHmac("sha256", key).update(data, "utf8").digest();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\n${date}\n${region}\n${service}`;
  const cached = keyCache.get(id);
  if (cached) {
    keyStats.hits++;
    return cached;
  }
  keyStats.misses++;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear(); // bounded: a key is cheap to derive again
  keyCache.set(id, key);
  return key;
}

/** How often a derived signing key was reused (a performance check for tests). */
export function signingKeyStats(): { hits: number; misses: number; size: number } {
  return { ...keyStats, size: keyCache.size };
}

// --- canonical request ----------------------------------------------------------------------------------

const hex = (c: string) => "%" + c.charCodeAt(0).toString(16).toUpperCase();
/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ */
export const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, hex);

function decode(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // malformed escapes are signed as the client sent them: the signature then fails to match
  }
}

export function canonicalPath(path: string, mode: "double" | "as-sent"): string {
  if (!path) return "/";
  if (mode === "as-sent" || path === "/") return path;
  const segs: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") segs.pop();
    else segs.push(uriEncode(seg));
  }
  const lead = path.startsWith("/") ? "/" : "";
  const trail = segs.length > 0 && path.endsWith("/") ? "/" : "";
  return lead + segs.join("/") + trail;
}

export function canonicalQuery(query: string, presigned: boolean, skipToken = false): string {
  if (!query) return "";
  const pairs: [string, string][] = [];
  for (const part of query.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const k = uriEncode(decode(eq < 0 ? part : part.slice(0, eq)));
    if (presigned && (k === "X-Amz-Signature" || (skipToken && k === "X-Amz-Security-Token"))) continue;
    pairs.push([k, eq < 0 ? "" : uriEncode(decode(part.slice(eq + 1)))]);
  }
  if (pairs.length > 1) pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let out = "";
  for (let i = 0; i < pairs.length; i++) out += (i ? "&" : "") + pairs[i][0] + "=" + pairs[i][1];
  return out;
}

const WS = /\s+/g;
const needsCollapse = /\s\s|[\t\r\n]/;
const trimValue = (v: string) => {
  const t = v.trim();
  return needsCollapse.test(t) ? t.replace(WS, " ") : t;
};

/** The signed headers' values in canonical form, or the name of the first signed header the request lacks. */
function canonicalHeaders(req: HttpRequest, names: string[], rawHeaders?: string[]): { text: string } | { absent: string } {
  let values: Map<string, string[]> | undefined;
  if (rawHeaders) {
    values = new Map();
    for (const n of names) values.set(n, []);
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const list = values.get(rawHeaders[i].toLowerCase());
      if (list) list.push(trimValue(rawHeaders[i + 1]));
    }
  }
  let text = "";
  for (const n of names) {
    let v: string | undefined;
    if (values) {
      const list = values.get(n)!;
      v = list.length ? list.join(",") : undefined;
    } else {
      const raw = req.headers[n];
      v = raw === undefined ? undefined : trimValue(raw);
    }
    if (v === undefined) return { absent: n };
    text += n + ":" + v + "\n";
  }
  return { text };
}

// crypto.hash (Node ≥ 20.12) hashes in one call, without a Hash object per request; chosen on first use, as
// node:crypto is loaded only then (core/lazy.ts).
let sha256Of: ((data: Buffer | string) => string) | undefined;
const sha256 = (data: Buffer | string): string => (sha256Of ??= pickSha256())(data);
function pickSha256(): (data: Buffer | string) => string {
  const crypto = nodeCrypto();
  const oneShot = (crypto as { hash?: (alg: string, data: Buffer | string, enc: "hex") => string }).hash;
  return oneShot ? (data) => oneShot("sha256", data, "hex") : (data) => crypto.createHash("sha256").update(data).digest("hex");
}

// --- time -----------------------------------------------------------------------------------------------

const BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** yyyymmddThhmmssZ for an epoch ms. */
export function amzDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + "T" + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + "Z";
}

/** The request time in ms and its basic-format string, or undefined when it is neither basic ISO-8601 nor an HTTP date. */
function requestTime(raw: string, allowHttpDate: boolean): { ms: number; basic: string } | undefined {
  const m = BASIC.exec(raw);
  if (m) {
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    return Number.isNaN(ms) ? undefined : { ms, basic: raw };
  }
  if (!allowHttpDate) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : { ms, basic: amzDate(ms) };
}

function window(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min.` : `${seconds} sec.`;
}

// --- verification ---------------------------------------------------------------------------------------

/** Checks the signature and the credential it names; returns the caller's credentials or throws an AWS auth error. */
export function verifySigV4(req: HttpRequest, sig: SigV4Fields, o: VerifyOptions): CredentialRecord {
  const f = o.family;
  if (sig.both) throw AuthErrors.signatureMismatch(f, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");

  // Shape: every part present.
  if (!sig.presigned) {
    if (sig.invalidPair) {
      throw AuthErrors.incomplete(f, `'${sig.invalidPair}' not a valid key=value pair (missing equal-sign) in Authorization header: '${sig.authorization}'.`);
    }
    let msg = sig.missing.map((k) => `Authorization header requires '${k}' parameter. `).join("");
    if (!sig.amzDate) msg += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    if (msg) throw AuthErrors.incomplete(f, `${msg}Authorization=${sig.authorization}`);
  } else if (sig.missing.length) {
    throw AuthErrors.incomplete(
      f,
      sig.missing.map((k) => `AWS query-string parameters must include '${k}'. `).join("") + "Re-examine the query-string parameters.",
    );
  }

  // Time: a parseable date, within 15 minutes (header) or within X-Amz-Expires (presigned).
  const t = requestTime(sig.amzDate!, !sig.presigned && req.headers["x-amz-date"] === undefined);
  if (!t) throw AuthErrors.incomplete(f, `Date must be in ISO-8601 'basic format'. Got '${sig.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  checkTime(sig, t, o);

  if (!sig.signedHeaders.includes("host")) throw AuthErrors.signatureMismatch(f, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  if (sig.algorithm !== ALGORITHM) throw AuthErrors.incomplete(f, `Unsupported AWS 'algorithm': '${sig.algorithm}' (only ${ALGORITHM} for now). `);
  if (sig.credentialParts !== 5) {
    throw AuthErrors.incomplete(f, `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${sig.credential}'`);
  }
  let scopeMsg = "";
  if (o.serviceMatches && !o.serviceMatches(sig.service)) scopeMsg += `Credential should be scoped to correct service: '${sig.service}'. `;
  if (sig.terminator !== "aws4_request") scopeMsg += `Credential should be scoped with a valid terminator: 'aws4_request', not '${sig.terminator}'. `;
  const day = t.basic.slice(0, 8);
  if (sig.scopeDate !== day) {
    scopeMsg += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${sig.scopeDate}' != '${day}', from '${t.basic}'.`;
  }
  if (scopeMsg) throw AuthErrors.signatureMismatch(f, scopeMsg.trimEnd());

  // Who: a known, active key, presented with its session token, not expired.
  const cred = o.lookup(sig.accessKeyId);
  if (!cred || cred.status === "Inactive") throw AuthErrors.invalidKey(f, sig.accessKeyId);
  checkSession(cred, sig.sessionToken, f, o.now, o.ignoreTokenFor?.(cred) ?? false);

  // The signature itself.
  const headers = canonicalHeaders(req, sig.signedHeaders, o.rawHeaders);
  if ("absent" in headers) throw AuthErrors.incomplete(f, `'${headers.absent}' is named as a SignedHeader, but it does not exist in the HTTP request.`);
  const sent = req.headers["x-amz-content-sha256"];
  let bodyHash: string | undefined;
  const hashBody = () => (bodyHash ??= req.body.length ? sha256(req.body) : EMPTY_SHA256);
  let payload: string;
  if (o.s3Payload) payload = sent ?? (sig.presigned ? UNSIGNED : hashBody());
  else payload = sig.presigned && sent === UNSIGNED ? UNSIGNED : hashBody(); // AWS hashes the body itself: a tampered body fails

  const key = signingKey(cred.secretAccessKey, sig.scopeDate, sig.region, sig.service);
  const head = req.method + "\n" + canonicalPath(req.rawPath ?? req.path, o.pathMode) + "\n";
  const tail = "\n" + headers.text + "\n" + sig.signedHeaders.join(";") + "\n" + payload;
  const scope = `${sig.scopeDate}/${sig.region}/${sig.service}/aws4_request`;
  const sign = (canonical: string) =>
    nodeCrypto()
      .createHmac("sha256", key)
      .update(`${ALGORITHM}\n${t.basic}\n${scope}\n${sha256(canonical)}`, "utf8")
      .digest("hex");
  let expected = sign(head + canonicalQuery(req.query, sig.presigned) + tail);
  // Some signers (IoT's WebSocket URLs) append X-Amz-Security-Token after signing; AWS accepts both.
  if (!sameHex(expected, sig.signature) && sig.presigned && sig.sessionToken) expected = sign(head + canonicalQuery(req.query, true, true) + tail);
  if (!sameHex(expected, sig.signature)) throw AuthErrors.signatureMismatch(f);

  // A streamed body is hashed as it is read (S3's wire quirk checks it at the end), not here.
  if (o.s3Payload && sent && !req.stream && /^[0-9a-f]{64}$/.test(sent) && sent !== hashBody()) throw AuthErrors.contentSha256Mismatch(sent, hashBody());
  return cred;
}

function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return nodeCrypto().timingSafeEqual(Buffer.from(a, "latin1"), Buffer.from(b, "latin1"));
}

function checkTime(sig: SigV4Fields, t: { ms: number; basic: string }, o: VerifyOptions): void {
  const f = o.family;
  const now = o.now;
  if (sig.presigned && sig.expiresRaw !== undefined) {
    const secs = sig.expires!;
    if (!/^\d+$/.test(sig.expiresRaw)) throw AuthErrors.queryParameters(f, "X-Amz-Expires should be a number");
    if (secs > MAX_PRESIGN_SECONDS) throw AuthErrors.queryParameters(f, `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_SECONDS}`);
    if (secs < 1) throw AuthErrors.queryParameters(f, "X-Amz-Expires must be non-negative");
    if (f === "s3") {
      if (now > t.ms + secs * 1000)
        throw AuthErrors.presignExpired(
          sig.expiresRaw,
          new Date(t.ms + secs * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
        );
    } else if (t.ms < now - secs * 1000) {
      // Other services: good for X-Amz-Expires seconds after its date, worded as AWS words its 15-minute rule.
      throw AuthErrors.skewed(f, `Signature expired: ${t.basic} is now earlier than ${amzDate(now - secs * 1000)} (${amzDate(now)} - ${window(secs)})`);
    }
  } else if (t.ms < now - SKEW_MS) {
    throw AuthErrors.skewed(f, `Signature expired: ${t.basic} is now earlier than ${amzDate(now - SKEW_MS)} (${amzDate(now)} - 15 min.)`, {
      requestTime: t.basic,
      serverTime: new Date(now).toISOString(),
    });
  }
  if (t.ms > now + SKEW_MS) {
    throw AuthErrors.skewed(f, `Signature not yet current: ${t.basic} is still later than ${amzDate(now + SKEW_MS)} (${amzDate(now)} + 15 min.)`, {
      requestTime: t.basic,
      serverTime: new Date(now).toISOString(),
    });
  }
}

/**
 * Temporary credentials must come with the token they were issued with and be unexpired; a permanent key
 * presented with a token is refused as AWS does (the token is not one it issued for that key).
 */
export function checkSession(cred: CredentialRecord, token: string | undefined, f: AuthFamily, now: number, ignoreToken = false): void {
  if (!ignoreToken && (cred.sessionToken ?? undefined) !== (token || undefined)) throw AuthErrors.invalidToken(f, cred.accessKeyId);
  if (cred.expiration !== undefined && cred.expiration <= now) throw AuthErrors.expiredToken(f);
}
