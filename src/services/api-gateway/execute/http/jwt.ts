// JWT authorizers of HTTP APIs ("Control access to HTTP APIs with JWT authorizers",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html): the token (a
// "Bearer " prefix dropped) must be signed by a key of the issuer's JWKS (found through its
// /.well-known/openid-configuration), its iss the configured issuer, its aud or client_id one of the audiences,
// exp and nbf current, and its scope/scp hold one of the route's authorizationScopes when it names some. Stratus
// fetches the JWKS only from an issuer on this machine (loopback or *.localhost); any other issuer is refused with
// a 500 that says so — a token is never let through unverified.
import { constants, createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { HttpApiError } from "./respond.js";

const ALGS: Record<string, { hash: string; pss?: boolean; ec?: boolean }> = {
  RS256: { hash: "sha256" },
  RS384: { hash: "sha384" },
  RS512: { hash: "sha512" },
  PS256: { hash: "sha256", pss: true },
  PS384: { hash: "sha384", pss: true },
  PS512: { hash: "sha512", pss: true },
  ES256: { hash: "sha256", ec: true },
  ES384: { hash: "sha384", ec: true },
  ES512: { hash: "sha512", ec: true },
};

const CACHE_MS = 10 * 60_000;
const jwksCache = new Map<string, { at: number; keys: Map<string, KeyObject> }>();

const LOCAL_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1|.+\.localhost)$/i;

function fetchJson(url: URL): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    // Only loopback issuers are fetched; their certificates are the test's own, not publicly signed.
    const r = send(url, { method: "GET", timeout: 3000, rejectUnauthorized: false, headers: { accept: "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`${url.href} answered ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch {
          reject(new Error(`${url.href} did not answer JSON`));
        }
      });
      res.on("error", reject);
    });
    r.on("timeout", () => r.destroy(new Error(`${url.href} did not answer in time`)));
    r.on("error", reject);
    r.end();
  });
}

const cannotFetch = (issuer: string, why: string) =>
  new HttpApiError(
    500,
    `Stratus cannot fetch the JWKS of issuer ${issuer} to verify the token (${why}); JWT authorizers work with issuers reachable on this machine`,
  );

async function issuerKeys(issuer: string, refresh: boolean): Promise<Map<string, KeyObject>> {
  const hit = jwksCache.get(issuer);
  if (hit && !refresh && Date.now() - hit.at < CACHE_MS) return hit.keys;
  let base: URL;
  try {
    base = new URL(issuer);
  } catch {
    throw cannotFetch(issuer, "the issuer is not a URL");
  }
  if (!LOCAL_HOST.test(base.hostname)) throw cannotFetch(issuer, "it is not on this machine");
  try {
    const config = (await fetchJson(new URL(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`))) as { jwks_uri?: unknown };
    if (typeof config.jwks_uri !== "string") throw new Error("its OpenID configuration has no jwks_uri");
    const jwksUrl = new URL(config.jwks_uri);
    if (!LOCAL_HOST.test(jwksUrl.hostname)) throw new Error(`its jwks_uri ${jwksUrl.href} is not on this machine`);
    const jwks = (await fetchJson(jwksUrl)) as { keys?: JsonWebKey[] };
    const keys = new Map<string, KeyObject>();
    for (const k of jwks.keys ?? []) {
      try {
        keys.set(String(k.kid ?? ""), createPublicKey({ key: k, format: "jwk" }));
      } catch {
        // a key Node cannot read is skipped
      }
    }
    jwksCache.set(issuer, { at: Date.now(), keys });
    return keys;
  } catch (e) {
    if (e instanceof HttpApiError) throw e;
    throw cannotFetch(issuer, (e as Error).message);
  }
}

const invalid = (description: string) =>
  new HttpApiError(401, "Unauthorized", { "www-authenticate": `Bearer scope="" error="invalid_token" error_description="${description}"` });

const b64json = (s: string): Record<string, unknown> => {
  const v = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as unknown;
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
  return v as Record<string, unknown>;
};

export interface JwtResult {
  claims: Record<string, string>;
  scopes: string[] | null;
}

/** Verifies `token` for the authorizer's issuer and audiences (and the route's scopes); throws 401/403/500. */
export async function verifyJwt(token: string, issuer: string, audience: string[], scopes: string[] | undefined, nowMs: number): Promise<JwtResult> {
  const raw = token.replace(/^Bearer\s+/i, "").trim();
  const parts = raw.split(".");
  if (parts.length !== 3) throw invalid("token is malformed");
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = b64json(parts[0]!);
    claims = b64json(parts[1]!);
  } catch {
    throw invalid("token is malformed");
  }
  const alg = ALGS[String(header.alg)];
  if (!alg) throw invalid(`unsupported signing algorithm ${String(header.alg)}`);
  const kid = String(header.kid ?? "");
  let keys = await issuerKeys(issuer, false);
  if (!keys.has(kid)) keys = await issuerKeys(issuer, true);
  const key = keys.get(kid) ?? (keys.size === 1 && !header.kid ? [...keys.values()][0] : undefined);
  if (!key) throw invalid("signing key not found in the issuer's JWKS");
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const sig = Buffer.from(parts[2]!, "base64url");
  const ok = verify(
    alg.hash,
    signed,
    alg.pss
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: { sha256: 32, sha384: 48, sha512: 64 }[alg.hash] }
      : alg.ec
        ? { key, dsaEncoding: "ieee-p1363" }
        : key,
    sig,
  );
  if (!ok) throw invalid("signature is invalid");
  if (claims.iss !== issuer) throw invalid("issuer does not match");
  // "API Gateway validates client_id only if aud is not present" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html).
  const named = claims.aud ?? claims.client_id;
  const aud = named === undefined ? [] : Array.isArray(named) ? named.map(String) : [String(named)];
  if (!aud.some((a) => audience.includes(a))) throw invalid("token does not have a valid audience");
  const now = nowMs / 1000;
  if (typeof claims.exp !== "number" || claims.exp <= now) throw invalid("the token has expired");
  if (typeof claims.nbf === "number" && claims.nbf > now) throw invalid("the token is not valid yet");
  const tokenScopes = String(claims.scope ?? claims.scp ?? "")
    .split(/\s+/)
    .filter(Boolean);
  if (scopes?.length && !scopes.some((s) => tokenScopes.includes(s))) {
    throw new HttpApiError(403, "Forbidden", {
      "www-authenticate": `Bearer scope="${scopes.join(" ")}" error="insufficient_scope" error_description="expected scopes: [${scopes.join(" ")}]"`,
    });
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) out[k] = typeof v === "string" ? v : Array.isArray(v) ? `[${v.join(" ")}]` : JSON.stringify(v);
  return { claims: out, scopes: tokenScopes.length ? tokenScopes : null };
}
