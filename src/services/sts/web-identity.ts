// AssumeRoleWithWebIdentity: an OpenID Connect ID token (a JWT) for a role whose trust policy names the IAM OIDC
// provider of the token's issuer (Principal {"Federated": <provider ARN>}, conditions on `<provider url>:aud` and
// `:sub`). The call is unsigned, as on AWS; the role's account is the one the RoleArn names.
//
// What is checked, in order: the token is a JWT (InvalidIdentityToken); its `iss` has an OIDC provider in the role's
// account (InvalidIdentityToken); its signature verifies against the issuer's JWKS — `<iss>/.well-known/openid-configuration`
// → `jwks_uri`, fetched over HTTPS trusting public CAs or the provider's thumbprints (idp-fetch.ts), 3 s timeout —;
// it has not expired (ExpiredTokenException); its `aud` is one of the provider's client ids (InvalidIdentityToken);
// the role exists and its trust policy allows sts:AssumeRoleWithWebIdentity for the provider with the token's
// claims (AccessDenied, the same answer for a missing role).
//
// An issuer Stratus cannot reach (no network, a made-up issuer in a test) is refused with IDPCommunicationError, as
// AWS refuses when it cannot get the IdP's keys. STRATUS_STS_WEB_IDENTITY_UNVERIFIED=1 accepts such a token without
// its signature checked (every other check still applies) — for offline use; a token whose signature the keys
// reject is refused either way.
//
// Messages: "Not authorized to perform sts:AssumeRoleWithWebIdentity", "No OpenIDConnect provider found in your
// account for <iss>", "Incorrect token audience", "Couldn't retrieve verification key from your identity provider,
// please reference AssumeRoleWithWebIdentity documentation for requirements" and "The ID Token provided is not a
// valid JWT. (You may see this error if you sent an Access Token)" are AWS's as widely reported in user issues (not
// in a recorded test suite); the expired-token and bad-signature wordings are unverified.
import { createPublicKey, type JsonWebKey, verify as verifySignature } from "node:crypto";
import { parseArn } from "../../core/arn.js";
import type { ConditionContext } from "../../core/policy/conditions.js";
import { evaluatePolicy } from "../../core/policy/evaluate.js";
import { findOidcProvider, findRoleByArn } from "../iam/internal.js";
import type { StsApi } from "./api.generated.js";
import { ExpiredTokenException, IDPCommunicationErrorException, InvalidIdentityTokenException } from "./api.generated.js";
import { accessDenied, validationError } from "./credentials.js";
import { fetchIdpJson, IdpUnreachable } from "./idp-fetch.js";
import { federatedConditions, issueFederatedSession } from "./federation.js";

const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;
const DEFAULT_DURATION = 3600;

const notAuthorized = () => accessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
const notJwt = () => new InvalidIdentityTokenException("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)");

interface Jwt {
  header: { alg?: string; kid?: string };
  claims: Record<string, unknown>;
  signed: Buffer;
  signature: Buffer;
}

function decodeJwt(token: string): Jwt {
  const parts = token.split(".");
  if (parts.length !== 3) throw notJwt();
  try {
    const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    if (typeof header !== "object" || header === null || typeof claims !== "object" || claims === null || Array.isArray(claims)) throw notJwt();
    return { header, claims, signed: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2], "base64url") };
  } catch {
    throw notJwt();
  }
}

// JWS algorithms (RFC 7518) as node:crypto verifies them.
const ALGS: Record<string, { hash: string; opts?: { padding?: number; saltLength?: number; dsaEncoding?: "ieee-p1363" } }> = {
  RS256: { hash: "sha256" },
  RS384: { hash: "sha384" },
  RS512: { hash: "sha512" },
  PS256: { hash: "sha256", opts: { padding: 6, saltLength: 32 } },
  PS384: { hash: "sha384", opts: { padding: 6, saltLength: 48 } },
  PS512: { hash: "sha512", opts: { padding: 6, saltLength: 64 } },
  ES256: { hash: "sha256", opts: { dsaEncoding: "ieee-p1363" } },
  ES384: { hash: "sha384", opts: { dsaEncoding: "ieee-p1363" } },
  ES512: { hash: "sha512", opts: { dsaEncoding: "ieee-p1363" } },
};

const communicationError = () =>
  new IDPCommunicationErrorException(
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  );

/** Verifies the token's signature with the issuer's published keys; IdpUnreachable when they cannot be had. */
async function verifyWithJwks(jwt: Jwt, issuer: string, thumbprints: string[]): Promise<void> {
  const alg = ALGS[jwt.header.alg ?? ""];
  if (!alg) throw new InvalidIdentityTokenException(`Unsupported signing algorithm: ${jwt.header.alg}`);
  const discovery = (await fetchIdpJson(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`, thumbprints)) as { jwks_uri?: unknown };
  if (typeof discovery?.jwks_uri !== "string") throw new IdpUnreachable("no jwks_uri in the discovery document");
  const jwks = (await fetchIdpJson(discovery.jwks_uri, thumbprints)) as { keys?: unknown };
  const keys = Array.isArray(jwks?.keys) ? (jwks.keys as (JsonWebKey & { kid?: string })[]) : [];
  const candidates = keys.filter((k) => jwt.header.kid === undefined || k.kid === jwt.header.kid);
  if (!candidates.length) throw new InvalidIdentityTokenException("Couldn't find a key in the identity provider's JWKS matching the token's kid");
  for (const jwk of candidates) {
    try {
      const key = createPublicKey({ key: jwk, format: "jwk" });
      if (verifySignature(alg.hash, jwt.signed, { key, ...alg.opts }, jwt.signature)) return;
    } catch {
      // A key of another type than the algorithm's: try the next one.
    }
  }
  throw new InvalidIdentityTokenException("The signature of the web identity token could not be verified.");
}

const list = (v: unknown): string[] => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

export const webIdentity = {
  async assumeRoleWithWebIdentity(input, ctx) {
    const { RoleArn, RoleSessionName, WebIdentityToken, Policy, PolicyArns } = input;
    if (!parseArn(RoleArn)) throw validationError(`${RoleArn} is invalid`);
    const parsed = ROLE_ARN.exec(RoleArn);
    if (!parsed) throw notAuthorized();
    const [, partition, roleAccount] = parsed;

    const jwt = decodeJwt(WebIdentityToken);
    const iss = typeof jwt.claims.iss === "string" ? jwt.claims.iss : "";
    const provider = findOidcProvider(ctx, roleAccount, iss);
    if (!provider) throw new InvalidIdentityTokenException(`No OpenIDConnect provider found in your account for ${iss}`);

    try {
      await verifyWithJwks(jwt, iss, provider.thumbprints);
    } catch (e) {
      if (!(e instanceof IdpUnreachable)) throw e;
      if (process.env.STRATUS_STS_WEB_IDENTITY_UNVERIFIED !== "1") throw communicationError();
    }

    // Everything after the awaits reads state afresh and writes synchronously.
    const now = ctx.now();
    const nowSeconds = Math.floor(now / 1000);
    const exp = typeof jwt.claims.exp === "number" ? jwt.claims.exp : undefined;
    if (exp === undefined) throw notJwt();
    if (exp <= nowSeconds) throw new ExpiredTokenException(`Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${exp}`);
    const audiences = list(jwt.claims.aud);
    const audience = audiences.find((a) => provider.clientIds.includes(a));
    if (audience === undefined) throw new InvalidIdentityTokenException("Incorrect token audience");
    const sub = typeof jwt.claims.sub === "string" ? jwt.claims.sub : "";

    const role = findRoleByArn(ctx, roleAccount, RoleArn);
    if (!role) throw notAuthorized();
    const prefix = provider.resource.toLowerCase();
    const context: ConditionContext = {
      ...federatedConditions(ctx, provider.arn),
      [`${prefix}:aud`]: audience,
      [`${prefix}:sub`]: sub,
      ...(jwt.claims.amr !== undefined ? { [`${prefix}:amr`]: list(jwt.claims.amr) } : {}),
      "sts:rolesessionname": RoleSessionName,
    };
    const decision = evaluatePolicy(role.assumeRolePolicyDocument, {
      caller: { type: "federated", provider: provider.arn },
      action: "sts:AssumeRoleWithWebIdentity",
      resource: role.arn,
      context,
    });
    if (decision !== "Allow") throw notAuthorized();

    const issued = issueFederatedSession(ctx, {
      kind: "AssumeRoleWithWebIdentity",
      role,
      partition,
      roleAccount,
      sessionName: RoleSessionName,
      durationSeconds: input.DurationSeconds ?? DEFAULT_DURATION,
      Policy,
      PolicyArns,
    });
    return {
      Credentials: issued.Credentials,
      SubjectFromWebIdentityToken: sub,
      AssumedRoleUser: issued.AssumedRoleUser,
      Provider: iss,
      Audience: audience,
      ...(issued.PackedPolicySize !== undefined ? { PackedPolicySize: issued.PackedPolicySize } : {}),
    };
  },
} satisfies Partial<StsApi>;
