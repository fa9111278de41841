// S3's own authentication paths: SigV2 (header and presigned query) verified before the generic SigV4 step, and
// presigned-URL expiry enforced even with --auth none (code that forgets to refresh a URL must fail here too).
import { checkSession } from "../../../core/auth/sigv4-verify.js";
import { checkV2Expiry, parseSigV2, verifySigV2 } from "../../../core/auth/sigv2.js";
import { AuthErrors } from "../../../core/auth/errors.js";
import type { CredentialRecord } from "../../../core/identity.js";
import { accountForUnknownKey, rootPrincipal } from "../../../core/identity.js";
import type { Exchange } from "../../../core/exchange.js";

/** The caller of an S3 request signed some other way than SigV4 (or with --auth none, by its key alone). */
export function setCaller(x: Exchange, cred: CredentialRecord | undefined, akid: string | undefined): void {
  if (cred) {
    x.principal = cred.principal;
    x.account = cred.principal.accountId;
    x.secretAccessKey = cred.secretAccessKey;
  } else {
    x.account = accountForUnknownKey(akid);
    x.principal = rootPrincipal(x.account, akid);
  }
}

export function s3Authenticate(x: Exchange): void {
  const now = x.runtime.clock.now();
  const sigv4 = x.runtime.options.auth === "sigv4";
  const v2 = x.sig ? undefined : parseSigV2(x.req);
  if (v2) {
    if (!sigv4) {
      checkV2Expiry(v2, now);
      setCaller(x, x.runtime.credentials.find(v2.accessKeyId), v2.accessKeyId);
      return;
    }
    const cred = verifySigV2(x.req, v2, {
      now,
      lookup: (akid) => x.runtime.credentials.forSignature(akid),
      checkSession: (c, token) => checkSession(c, token, "s3", now, x.runtime.credentials.isRoot(c)),
    });
    setCaller(x, cred, v2.accessKeyId);
    return;
  }
  // SigV4 presigned with --auth none: the signature is not checked, its expiry still is.
  const sig = x.sig;
  if (!sigv4 && sig?.presigned && sig.amzDate && sig.expiresRaw && /^\d+$/.test(sig.expiresRaw)) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(sig.amzDate);
    if (!m) return;
    const signedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    const until = signedAt + Number(sig.expiresRaw) * 1000;
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    if (now > until) throw AuthErrors.presignExpired(sig.expiresRaw, iso(until), iso(now));
  }
}
