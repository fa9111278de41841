// Who is calling: the access key's account and principal; with --auth sigv4, a verified signature.
import { authFamily } from "../core/auth/errors.js";
import { AuthErrors } from "../core/auth/errors.js";
import { checkSession, verifySigV4 } from "../core/auth/sigv4-verify.js";
import { accountForUnknownKey, rootPrincipal } from "../core/identity.js";
import { parseForm } from "../protocols/query.js";
import type { Exchange } from "./exchange.js";

/**
 * Whether the request is a query-protocol call of an operation the model marks unauthenticated (authtype "none":
 * STS's AssumeRoleWithWebIdentity and AssumeRoleWithSAML, whose credentials are the token or assertion they carry).
 */
function unsignedOperation(x: Exchange): boolean {
  const ops = x.model?.operations;
  if (!ops) return false;
  let action = /(?:^|&)Action=([^&]*)/.exec(x.req.query)?.[1];
  if (action) action = decodeURIComponent(action);
  else if ((x.req.headers["content-type"] ?? "").toString().startsWith("application/x-www-form-urlencoded")) {
    action = parseForm(x.req.body.toString("utf8")).get("Action") ?? undefined;
  }
  return !!action && ops[action]?.authtype === "none";
}

export function authenticate(x: Exchange): void {
  // Already authenticated by a quirk (S3's SigV2 and POST-policy signatures).
  if (x.principal) return;
  const rt = x.runtime;
  const sig = x.sig;
  const family = authFamily(x.model?.metadata.signatureVersion, x.codec?.name);

  if (rt.options.auth === "sigv4") {
    if (!sig && unsignedOperation(x)) {
      x.account = accountForUnknownKey(undefined);
      x.principal = rootPrincipal(x.account);
      return;
    }
    if (!sig) throw AuthErrors.missing(family);
    const service = x.service;
    const cred = verifySigV4(x.req, sig, {
      family,
      now: rt.clock.now(),
      pathMode: family === "s3" ? "as-sent" : "double",
      s3Payload: family === "s3",
      serviceMatches: service
        ? (name) => name === service.signingName || name === service.endpointPrefix || rt.catalog.bySigningName(name) === service
        : undefined,
      lookup: (akid) => rt.credentials.forSignature(akid),
      rawHeaders: x.raw?.rawHeaders,
      // Out of the box the root keys are shared test keys; tools often send a dummy token with them.
      ignoreTokenFor: (c) => rt.credentials.isRoot(c),
    });
    x.principal = cred.principal;
    x.account = cred.principal.accountId;
    x.secretAccessKey = cred.secretAccessKey;
    cred.markUsed?.(x.service!.signingName, x.region, rt.clock.now());
    return;
  }

  // --auth none: signatures are not checked and unsigned requests pass. But a key a source knows is held to
  // what does not depend on the secret: an Inactive key is refused, and temporary credentials need their own
  // session token and must be unexpired — otherwise code that forgets to refresh or pass the token would work
  // here and fail on AWS.
  const akid = sig?.accessKeyId;
  const found = akid ? rt.credentials.find(akid) : undefined;
  if (found) {
    if (!rt.credentials.isRoot(found)) {
      if (found.status === "Inactive") throw AuthErrors.invalidKey(family, found.accessKeyId);
      if (found.sessionToken !== undefined || found.expiration !== undefined) checkSession(found, sig!.sessionToken, family, rt.clock.now());
    }
    x.principal = found.principal;
    x.account = found.principal.accountId;
    found.markUsed?.(x.service!.signingName, x.region, rt.clock.now());
  } else {
    x.account = accountForUnknownKey(akid);
    x.principal = rootPrincipal(x.account, akid);
  }
}
